"""Every backend answers the same queries the same way, refuses what a read-only endpoint must,
caps rows and really cancels a query at its deadline.

Expected answers come from parsing the fixture with rdflib's graph API (no SPARQL), so a
backend cannot agree with itself by accident.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import socket
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDFS, BNode, Literal, URIRef
from rdflib import Graph as RdfGraph
from rdflib.compare import isomorphic

from haironto.backends import Boolean, Graph, Rows, get_backend
from haironto.backends.base import Backend, DatasetStats
from haironto.dataset import DataFiles, assemble, load_dataset
from haironto.errors import (
    BackendError,
    OntologyLoadError,
    QueryError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    ReadOnlyError,
)
from haironto.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from tests import synthetic
from tests.conftest import BACKENDS, INFERRED_TTL, make_backend
from tests.data import CARTESIAN, CELL, MINI, NANOFAT, STEM_CELL

RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


@pytest.fixture(scope="module")
def mini(release: DataFiles) -> RdfGraph:
    """The asserted graph, read with rdflib's parser."""
    return RdfGraph().parse(release.asserted[0])


def strings(result: Rows) -> list[tuple[str | None, ...]]:
    return [tuple(None if t is None else str(t) for t in row) for row in result.terms()]


# -- answers ----------------------------------------------------------------------------------


def test_select_returns_every_label(backend: Backend, mini: RdfGraph):
    result = backend.query(f"SELECT ?label WHERE {{ ?term {RDFS_LABEL} ?label }}")
    assert isinstance(result, Rows)
    assert result.variables == ("label",)
    assert sorted(row[0].value for row in result.terms()) == sorted(
        str(o) for o in mini.objects(None, RDFS.label)
    )
    assert result.count == len(set(mini.objects(None, RDFS.label))) and not result.truncated


def test_ask(backend: Backend):
    assert isinstance(backend.query(f"ASK {{ <{STEM_CELL}> ?p <{CELL}> }}"), Boolean)
    assert backend.query(f"ASK {{ <{STEM_CELL}> ?p <{CELL}> }}").value is True
    assert backend.query(f"ASK {{ <{CELL}> ?p <{STEM_CELL}> }}").value is False


def test_construct_copies_the_asserted_graph(backend: Backend, mini: RdfGraph):
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ASSERTED_GRAPH}> {{ ?s ?p ?o }} }}"
    result = backend.query(query)
    assert isinstance(result, Graph)
    assert result.count == len(mini)
    built = RdfGraph().parse(data=result.serialize("ntriples"), format="nt")
    assert built.isomorphic(mini)


def test_describe_gives_the_term_and_its_anonymous_parts(backend: Backend, mini: RdfGraph):
    described = RdfGraph().parse(data=backend.describe(NANOFAT).serialize("ntriples"), format="nt")
    dataset = mini + RdfGraph().parse(data=INFERRED_TTL, format="nt")
    nanofat = URIRef(NANOFAT)
    named = {(p, o) for p, o in dataset.predicate_objects(nanofat) if not isinstance(o, BNode)}
    assert named <= set(described.predicate_objects(nanofat))
    # The someValuesFrom restriction is a blank node: its triples come along (concise bounded description).
    assert (None, None, URIRef(STEM_CELL)) in described
    assert len(described) == len(dataset.cbd(nanofat))


def test_bindings_are_terms_not_text(backend: Backend):
    query = f"SELECT ?term ?label WHERE {{ ?term {RDFS_LABEL} ?label }}"
    bound = backend.query(query, bindings={"term": URIRef(STEM_CELL)})
    assert [row[1].value for row in bound.terms()] == ["stem cell"]
    # A value crafted to close the pattern stays one literal that matches nothing.
    hostile = backend.query(query, bindings={"label": Literal('x" } ?a ?b ?c { "')})
    assert hostile.count == 0


# -- the dataset ------------------------------------------------------------------------------


def test_graphs_hold_asserted_and_inferred_triples(backend: Backend, mini: RdfGraph):
    stats = backend.stats()
    inferred = len(RdfGraph().parse(data=INFERRED_TTL, format="nt"))
    assert stats.named_graphs == {str(ASSERTED_GRAPH): len(mini), str(INFERRED_GRAPH): inferred}
    assert stats.default_graph == len(mini) + inferred


def test_default_graph_is_the_union_and_parameters_select_graphs(backend: Backend):
    inferred = f"ASK {{ <{NANOFAT}> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{NANOFAT[:-1]}5> }}"
    assert backend.query(inferred).value is True
    assert backend.query(inferred, default_graph_uris=[str(ASSERTED_GRAPH)]).value is False
    assert backend.query(inferred, default_graph_uris=[str(INFERRED_GRAPH)]).value is True
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert {r[0] for r in strings(backend.query(graphs))} == {f"<{ASSERTED_GRAPH}>", f"<{INFERRED_GRAPH}>"}
    only = backend.query(graphs, named_graph_uris=[str(INFERRED_GRAPH)])
    assert strings(only) == [(f"<{INFERRED_GRAPH}>",)]
    # Named graphs given alone leave the default graph empty (SPARQL 1.1 Protocol 2.1.4).
    assert backend.query("ASK { ?s ?p ?o }", named_graph_uris=[str(INFERRED_GRAPH)]).value is False


# The backends that load the service's dataset themselves. A store that holds its data (on disk,
# remote) makes its default graph the union of the dataset's named graphs: a named graph outside
# it (the published releases) is not offered there (README, "Backends").
@pytest.mark.parametrize("descriptor", ["memory:", "rdflib:"])
def test_a_named_graph_outside_the_default_graph_stays_out_of_it(descriptor: str):
    # The layout of a served release: a named graph whose triples are not in the default graph.
    engine = get_backend(descriptor)
    engine.load(
        b"<urn:s> <urn:p> <urn:current> <urn:g:current> .\n<urn:s> <urn:p> <urn:current> .\n"
        b"<urn:s> <urn:p> <urn:old> <urn:g:old> .\n",
        format="nquads",
    )
    objects = "SELECT ?o WHERE { <urn:s> <urn:p> ?o }"
    assert strings(engine.query(objects)) == [("<urn:current>",)]
    assert strings(engine.query(objects.replace("WHERE", "FROM <urn:g:old> WHERE"))) == [("<urn:old>",)]
    assert strings(engine.query(objects, default_graph_uris=["urn:g:old"])) == [("<urn:old>",)]
    in_old = "ASK { GRAPH <urn:g:old> { <urn:s> <urn:p> <urn:old> } }"
    assert engine.query(in_old).value is True
    assert engine.stats() == DatasetStats(1, {"urn:g:current": 1, "urn:g:old": 1})
    engine.close()


@pytest.mark.parametrize("descriptor", ["memory:", "rdflib:"])
def test_user_files_load_into_the_same_dataset_as_assembled(
    descriptor: str, release: DataFiles, tmp_path: Path
):
    # load_dataset loads the user's files with the engine, file by file, and copies each graph
    # into the default graph; assemble writes every quad through Python. Same dataset either way.
    cohort = tmp_path / "cohort.ttl"
    cohort.write_text(
        "@prefix ex: <http://example.org/> .\n<study/1> ex:arm [ ex:dose 5 ; ex:size 12 ] , [ ex:dose 10 ] .\n",
        encoding="utf-8",
    )
    quads = tmp_path / "more.nq"
    quads.write_bytes(b'<http://example.org/s> <http://example.org/p> "q" <http://example.org/elsewhere> .\n')
    files = DataFiles(release.asserted, release.full, {"https://example.org/lab": (cohort, quads)})
    loaded, assembled = get_backend(descriptor), get_backend(descriptor)
    load_dataset(loaded, files)
    assembled.load(assemble(files), format="nquads")
    everything = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    for query in (everything, everything.replace("GRAPH ?g { ?s ?p ?o }", "?s ?p ?o")):
        left = RdfGraph().parse(data=loaded.query(query).payload, format="nt")
        right = RdfGraph().parse(data=assembled.query(query).payload, format="nt")
        assert len(left) > len(RdfGraph().parse(release.asserted[0])) and isomorphic(left, right)
    assert loaded.stats() == assembled.stats()
    # A blank node of the user's file is the same node in its graph and in the default graph.
    across = (
        "SELECT (COUNT(*) AS ?n) { ?study <http://example.org/arm> ?arm . "
        "GRAPH <https://example.org/lab> { ?arm <http://example.org/dose> ?dose } }"
    )
    assert loaded.query(across).terms()[0][0].value == "2"
    loaded.close()
    assembled.close()


def test_query_from_clauses_work_and_protocol_parameters_override_them(backend: Backend):
    inferred = f"<{NANOFAT}> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{NANOFAT[:-1]}5>"
    assert backend.query(f"ASK FROM <{ASSERTED_GRAPH}> {{ {inferred} }}").value is False
    assert backend.query(f"ASK FROM <{INFERRED_GRAPH}> {{ {inferred} }}").value is True
    overridden = backend.query(
        f"ASK FROM <{ASSERTED_GRAPH}> {{ {inferred} }}", default_graph_uris=[str(INFERRED_GRAPH)]
    )
    assert overridden.value is True


def test_bad_graph_iri_is_a_query_error(backend: Backend):
    with pytest.raises(QueryError, match="default-graph-uri"):
        backend.query("ASK {}", default_graph_uris=["not an iri"])


def test_blank_node_triples_of_the_full_release_are_not_counted_as_inferred(tmp_path: Path):
    # mini.ttl is full of blank nodes (restrictions, lists, axiom annotations); a naive set
    # difference would call all of them inferred because blank node labels change per parse.
    full = tmp_path / "full.ttl"
    full.write_text(MINI.read_text(encoding="utf-8") + INFERRED_TTL, encoding="utf-8")
    engine = get_backend("memory:")
    load_dataset(engine, DataFiles((MINI,), (full,)))
    assert engine.stats().named_graphs[str(INFERRED_GRAPH)] == 1


# -- limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cap", [1, 3])
def test_row_cap_cuts_and_says_so(backend: Backend, cap: int):
    query = f"SELECT ?term WHERE {{ ?term {RDFS_LABEL} ?label }}"
    total = backend.query(query).count
    assert total > cap
    result = backend.query(query, max_rows=cap)
    assert (result.count, result.truncated, len(result.terms())) == (cap, True, cap)
    assert backend.query(query, max_rows=total).truncated is False


def test_row_cap_applies_to_graphs(backend: Backend):
    result = backend.query("CONSTRUCT WHERE { ?s ?p ?o }", max_rows=5)
    assert (result.count, result.truncated, len(result.triples())) == (5, True, 5)


@pytest.fixture(scope="module", params=[kind for kind in BACKENDS if kind != "remote:"])
def big(request: pytest.FixtureRequest) -> Backend:
    """A few thousand triples: enough for a three-way cartesian product to run for hours.

    The embedded backends run timed queries in worker processes; a remote store is bounded by
    its HTTP deadline instead (tests/test_remote.py)."""
    rng = random.Random(3)
    lines = [
        f'<http://example.org/s{rng.randrange(500)}> <http://example.org/p{i % 7}> "{i}" .'
        for i in range(3000)
    ]
    engine = make_backend(request.param, request)
    engine.load("\n".join(lines).encode(), format="ntriples")
    engine.start_workers()
    yield engine
    engine.close()


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_timeout_really_cancels_the_query(big: Backend):
    assert big._sandbox is not None
    [worker] = big._sandbox.pids()
    limit = 1.0
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match="time limit of 1 s"):
        big.query(CARTESIAN, timeout=limit)
    elapsed = time.monotonic() - started
    assert limit <= elapsed < limit + 1.0
    # The process that was computing is gone, so its CPU is free; a fresh one took its place.
    assert not _alive(worker)
    [replacement] = big._sandbox.pids()
    assert replacement != worker and _alive(replacement)
    assert big.query("ASK { ?s ?p ?o }", timeout=30).value is True


def test_errors_raised_in_the_worker_reach_the_caller(big: Backend):
    with pytest.raises(QuerySyntaxError):
        big.query("SELECT * WHERE { ?s ?p }", timeout=10)
    with pytest.raises(ReadOnlyError):
        big.query("CLEAR ALL", timeout=10)
    assert big.query("ASK { ?s ?p ?o }", timeout=10).value is True


def test_a_dead_worker_is_a_backend_error_and_is_replaced(big: Backend):
    assert big._sandbox is not None
    [worker] = big._sandbox.pids()
    threading.Timer(0.3, os.kill, (worker, 9)).start()
    with pytest.raises(BackendError, match="died"):
        big.query(CARTESIAN, timeout=20)
    assert big.query("ASK { ?s ?p ?o }", timeout=30).value is True


def test_workers_run_queries_side_by_side(release: DataFiles):
    engine = get_backend("memory:")
    load_dataset(engine, release)
    engine.start_workers(2)
    answers: list[bool] = []
    threads = [
        threading.Thread(target=lambda: answers.append(engine.query("ASK { ?s ?p ?o }", timeout=30).value))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.close()
    assert answers == [True, True]


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <https://w3id.org/haironto/graph/asserted>",
    ],
)
def test_updates_are_refused(backend: Backend, update: str):
    with pytest.raises(ReadOnlyError, match="read-only"):
        backend.query(update)
    assert backend.query("ASK { ?s ?p ?o }").value is True


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ service silent <{url}> {{ ?s ?p ?o }} }} }}",
        r"SELECT * WHERE {{ \u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "ASK {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    ],
)
def test_service_is_refused_before_any_connection(backend: Backend, template: str):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        with pytest.raises(QueryRefusedError, match="SERVICE"):
            backend.query(template.format(url=url))
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody knocked


def test_the_word_service_elsewhere_is_fine(backend: Backend):
    query = f'SELECT ?x WHERE {{ ?x {RDFS_LABEL} "service" }} # SERVICE in a comment'
    assert backend.query(query).count == 0


@pytest.mark.parametrize("bad", ["SELECT * WHERE { ?s ?p }", "ASK {", "SELEC * {}"])
def test_syntax_errors_carry_a_position(backend: Backend, bad: str):
    with pytest.raises(QuerySyntaxError) as caught:
        backend.query(bad)
    assert any(mark in str(caught.value) for mark in ("1:", "line:1", "char"))


# -- formats ----------------------------------------------------------------------------------


def test_rows_serialize_to_every_results_format(backend: Backend):
    result = backend.query(f"SELECT ?term ?label WHERE {{ ?term {RDFS_LABEL} ?label }}")
    expected = sorted(strings(result))
    for name, fmt in (("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML)):
        parsed = ox.parse_query_results(result.serialize(name), fmt)
        assert sorted(tuple(str(s[v]) for v in ("term", "label")) for s in parsed) == expected
    tsv = ox.parse_query_results(result.serialize("tsv"), ox.QueryResultsFormat.TSV)
    assert sorted(tuple(str(s[v]) for v in ("term", "label")) for s in tsv) == expected
    rows = list(csv.reader(io.StringIO(result.serialize("csv").decode())))
    assert rows[0] == ["term", "label"] and len(rows) == len(expected) + 1


def test_graphs_serialize_to_every_graph_format(backend: Backend, mini: RdfGraph):
    result = backend.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ASSERTED_GRAPH}> {{ ?s ?p ?o }} }}")
    for name, fmt in (
        ("turtle", ox.RdfFormat.TURTLE),
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("rdfxml", ox.RdfFormat.RDF_XML),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ):
        # Read back with a parser of the other engine, then compared up to blank node labels.
        triples = [quad.triple for quad in ox.parse(result.serialize(name), format=fmt)]
        back = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert RdfGraph().parse(data=back, format="nt").isomorphic(mini), name


def test_a_result_refuses_a_format_of_the_other_kind(backend: Backend):
    with pytest.raises(BackendError):
        backend.query("ASK {}").serialize("turtle")
    json.loads(backend.query("ASK {}").serialize("json"))


# -- opening and loading ----------------------------------------------------------------------


def test_unknown_backend_and_argument_are_refused():
    with pytest.raises(BackendError, match="unknown backend"):
        get_backend("oracle:")
    with pytest.raises(BackendError, match="no argument"):
        get_backend("memory:/some/dir")


def test_missing_and_malformed_files_name_the_file(tmp_path: Path):
    engine = get_backend("memory:")
    with pytest.raises(OntologyLoadError, match="no such file"):
        load_dataset(engine, DataFiles((tmp_path / "absent.ttl",)))
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/s> <http://example.org/p> .", encoding="utf-8")
    with pytest.raises(OntologyLoadError, match="broken.ttl"):
        load_dataset(engine, DataFiles((broken,)))


# -- differential: the two engines agree --------------------------------------------------------

DIFFERENTIAL = {
    "join": synthetic.JOIN,
    "aggregate": synthetic.AGGREGATE,
    "optional-filter": f"""SELECT ?t ?label WHERE {{
        ?t a ?kind . ?kind <{synthetic.SUBCLASS}> <{synthetic.TREATMENT}> .
        OPTIONAL {{ ?t <{synthetic.LABEL}> ?label FILTER(STRENDS(STR(?label), "7")) }} }}""",
    "path": f"SELECT ?c WHERE {{ ?c <{synthetic.SUBCLASS}>* <{synthetic.CELL}> }}",
    "distinct-order": """SELECT DISTINCT ?kind WHERE { ?x a ?kind } ORDER BY DESC(?kind) LIMIT 5""",
    "minus-exists": f"""SELECT ?claim WHERE {{ ?claim <{synthetic.FOOTNOTE}> ?n
        MINUS {{ ?claim <{synthetic.FOOTNOTE}> 5 }}
        FILTER NOT EXISTS {{ ?claim <{synthetic.FOOTNOTE}> 1 }} }}""",
    "values-bind": f"""SELECT ?n ?double WHERE {{ VALUES ?n {{ 1 2 3 }}
        ?claim <{synthetic.FOOTNOTE}> ?n BIND(?n * 2 AS ?double) }}""",
}


def _canonical(result: Rows) -> Counter:
    def term(t: object) -> str:
        if isinstance(t, ox.Literal) and t.datatype.value.endswith(("#integer", "#decimal")):
            return f"{Decimal(t.value).normalize()}"
        return str(t)

    return Counter(tuple(None if t is None else term(t) for t in row) for row in result.terms())


@pytest.fixture(scope="module")
def engines(request: pytest.FixtureRequest) -> dict[str, Backend]:
    data = synthetic.synthetic_ntriples(3000, seed=7)
    loaded = {}
    for descriptor in BACKENDS:
        engine = make_backend(descriptor, request)
        engine.load(data, format="ntriples")
        loaded[descriptor] = engine
    return loaded


@pytest.mark.parametrize("name", list(DIFFERENTIAL))
def test_engines_agree(engines: dict[str, Backend], name: str):
    answers = [engines[d].query(DIFFERENTIAL[name]) for d in BACKENDS]
    assert answers[0].count > 0
    for other in answers[1:]:
        assert other.variables == answers[0].variables
        assert _canonical(other) == _canonical(answers[0])


def test_engines_agree_on_graphs_and_booleans(engines: dict[str, Backend]):
    construct = f"CONSTRUCT {{ ?t <{synthetic.LABEL}> ?l }} WHERE {{ ?t <{synthetic.LABEL}> ?l }}"
    graphs = [
        RdfGraph().parse(data=engines[d].query(construct).serialize("ntriples"), format="nt")
        for d in BACKENDS
    ]
    assert len(graphs[0]) > 0 and all(graphs[0].isomorphic(other) for other in graphs[1:])
    ask = f"ASK {{ ?c <{synthetic.FOOTNOTE}> 6 }}"
    assert [engines[d].query(ask).value for d in BACKENDS] == [False] * len(BACKENDS)


# -- answers written in the requested format --------------------------------------------------

RESULTS_PARSERS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: Values chosen to fool a counter of solution markers: strings ending in "{" or ",{" just before
#: the closing quote, braces, a marker spelled out, and a solution with nothing bound.
TRICKY = """SELECT ?x ?y WHERE { VALUES (?x ?y) {
  ("a,{" 1) ("{" 2) ("{}" 3) (",{\\"x\\":{" 4) ("<result>" 5) (UNDEF UNDEF) ("plain" 7)
} }"""


@pytest.mark.parametrize("name", ["json", "xml", "tsv", "csv"])
def test_rows_come_in_the_requested_format(backend: Backend, name: str):
    query = f"SELECT ?term ?label WHERE {{ ?term {RDFS_LABEL} ?label }}"
    plain = backend.query(query)
    result = backend.query(query, results_format=name)
    assert result.count == plain.count
    if backend.descriptor == "memory:":
        # Written by the engine itself: passing it on costs nothing.
        assert result.syntax == name and result.serialize(name) is result.payload
    if name in RESULTS_PARSERS:
        parsed = ox.parse_query_results(result.serialize(name), RESULTS_PARSERS[name])
        assert sorted(tuple(str(s[v]) for v in ("term", "label")) for s in parsed) == sorted(strings(plain))
    else:
        assert len(list(csv.reader(io.StringIO(result.serialize("csv").decode())))) == plain.count + 1


@pytest.mark.parametrize("name", ["json", "xml", "tsv", "csv"])
@pytest.mark.parametrize("cap", [None, 7, 6, 2, 0])
def test_row_count_and_cut_are_exact_in_every_format(backend: Backend, name: str, cap: int | None):
    result = backend.query(TRICKY, results_format=name, max_rows=cap)
    kept = 7 if cap is None else min(cap, 7)
    assert (result.count, result.truncated) == (kept, kept < 7)
    if name in RESULTS_PARSERS:
        assert len(list(ox.parse_query_results(result.serialize(name), RESULTS_PARSERS[name]))) == kept


@pytest.mark.parametrize("name", ["turtle", "ntriples", "rdfxml", "jsonld"])
def test_graphs_come_in_the_requested_format_and_are_cut(backend: Backend, name: str):
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    total = backend.query(query).count
    result = backend.query(query, graph_format=name, max_rows=5)
    assert (result.count, result.truncated, len(result.triples())) == (5, True, 5)
    whole = backend.query(query, graph_format=name)
    assert (whole.count, whole.truncated) == (total, False)
    if backend.descriptor == "memory:":
        assert result.syntax == name


def test_boolean_comes_in_the_requested_format(backend: Backend):
    for name, parser in RESULTS_PARSERS.items():
        result = backend.query("ASK { ?s ?p ?o }", results_format=name)
        assert bool(ox.parse_query_results(result.serialize(name), parser)) is True


def test_the_requested_format_crosses_the_worker_process(backend: Backend):
    result = backend.query(TRICKY, results_format="xml", max_rows=3, timeout=30)
    assert (result.count, result.truncated) == (3, True)
    assert len(list(ox.parse_query_results(result.serialize("xml"), ox.QueryResultsFormat.XML))) == 3
