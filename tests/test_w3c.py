"""W3C SPARQL 1.1 conformance, read from ../shared/w3c-tests/sparql11 (never copied into the repository).

* The protocol manifest: every request of every test, sent as written to the real server, with
  the manifest's graphs loaded under their names; query tests must pass, update tests must meet
  this service's refusal (403) instead of their 2xx.
* The query-evaluation suites: every approved test, through /sparql. Each test's dataset is
  chosen with the protocol's default-graph-uri / named-graph-uri parameters from one app that
  holds every test graph under its W3C IRI.

The whole module needs ../shared; without it every case skips and says why.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import pytest
from flask import Flask
from rdflib import RDF, Namespace, URIRef
from rdflib import Graph as RdfGraph
from rdflib.collection import Collection
from werkzeug.datastructures import MultiDict

from haironto.server import create_app
from haironto.server.store import close_app
from tests.conftest import start_server
from tests.data import SHARED_DIR

W3C = SHARED_DIR / "w3c-tests" / "sparql11"
W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
ABSENT = f"{W3C} is absent: the W3C test data lives in the workspace's shared folder, not in this repository"
requires_shared = pytest.mark.skipif(not W3C.is_dir(), reason=ABSENT)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")

SUITES = (
    *("aggregates", "bind", "bindings", "cast", "construct", "csv-tsv-res", "exists", "functions"),
    *("grouping", "json-res", "negation", "project-expression", "property-path", "subquery"),
)
#: A graph no test names: the default graph of a test that gives none.
EMPTY_GRAPH = "urn:x-haironto:test:empty"


def local(iri: str) -> Path:
    return W3C / iri[len(W3C_BASE) :]


def manifest(suite: str) -> tuple[RdfGraph, list]:
    graph = RdfGraph().parse(W3C / suite / "manifest.ttl", publicID=f"{W3C_BASE}{suite}/manifest.ttl")
    root = next(graph.subjects(RDF.type, MF.Manifest))
    return graph, list(Collection(graph, graph.value(root, MF.entries)))


# -- query evaluation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    query: str
    result: str
    data: tuple[str, ...] = ()
    graph_data: tuple[str, ...] = ()
    csv: bool = False


def evaluation_cases() -> list[Case]:
    cases = []
    for suite in SUITES:
        graph, entries = manifest(suite)
        for entry in entries:
            kinds = set(graph.objects(entry, RDF.type))
            if not kinds & {MF.QueryEvaluationTest, MF.CSVResultFormatTest}:
                continue
            if graph.value(entry, DAWGT.approval) != DAWGT.Approved:
                continue
            action = graph.value(entry, MF.action)
            cases.append(
                Case(
                    name=f"{suite}/{str(entry).rsplit('#', 1)[-1]}",
                    query=str(graph.value(action, QT.query)),
                    result=str(graph.value(entry, MF.result)),
                    data=tuple(sorted(str(d) for d in graph.objects(action, QT.data))),
                    graph_data=tuple(sorted(str(d) for d in graph.objects(action, QT.graphData))),
                    csv=MF.CSVResultFormatTest in kinds,
                )
            )
    return cases


CASES = evaluation_cases() if W3C.is_dir() else []
_FROM = re.compile(r"FROM\s+(?:NAMED\s+)?<([^>]*)>", re.IGNORECASE)


def from_graphs(case: Case) -> set[str]:
    """Graphs a test's query names in FROM / FROM NAMED (resolved against the query's IRI)."""
    return {urljoin(case.query, iri) for iri in _FROM.findall(local(case.query).read_text(encoding="utf-8"))}


#: Tests the engine is known to fail, each with the reason; strict, so a fix shows up.
_CANONICAL = (
    "pyoxigraph stores literals of XSD numeric types in canonical form: {}; CSV and TSV carry the "
    "term as stored, the expected file the lexical form of the data"
)
KNOWN_FAILURES: dict[str, str] = {
    "csv-tsv-res/csv03": _CANONICAL.format('"1.0e6"^^xsd:double is kept as 1000000'),
    "csv-tsv-res/tsv03": _CANONICAL.format('"-3"^^xsd:negativeInteger becomes -3, an xsd:integer'),
}


def rdf_format(path: str) -> ox.RdfFormat:
    return ox.RdfFormat.RDF_XML if path.endswith((".rdf", ".xml")) else ox.RdfFormat.TURTLE


@pytest.fixture(scope="module")
def w3c_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app holding every test graph under its W3C IRI (read with that IRI as base)."""
    folder = tmp_path_factory.mktemp("w3c")
    graphs = {}
    named = {d for case in CASES for d in (*case.data, *case.graph_data, *from_graphs(case))}
    for number, iri in enumerate(sorted(named)):
        quads = ox.parse(path=local(iri), format=rdf_format(iri), base_iri=iri)
        target = folder / f"{number}.nt"
        ox.serialize([q.triple for q in quads], str(target), ox.RdfFormat.N_TRIPLES)
        graphs[iri] = [str(target)]
    app = create_app({"TESTING": True, "DATA": [], "GRAPHS": graphs, "TIMEOUT": 20, "MAX_ROWS": 100_000})
    yield app
    close_app(app)


NUMERIC = {
    f"http://www.w3.org/2001/XMLSchema#{name}": kind
    for name, kind in (("integer", Decimal), ("decimal", Decimal), ("double", float), ("float", float))
}


def _term(term: object) -> str:
    # Blank node labels are the engine's choice: compare them as "some blank node". Numbers are
    # compared by value within their datatype: "3.21E4" and "32100" are the same xsd:double.
    if isinstance(term, ox.BlankNode):
        return "_:b"
    if isinstance(term, ox.Literal) and term.datatype.value in NUMERIC:
        try:
            value = NUMERIC[term.datatype.value](term.value)
            canonical = value.normalize() if isinstance(value, Decimal) else value
            return f"{canonical}^^{term.datatype.value}"
        except (ValueError, ArithmeticError):
            return str(term)
    return str(term)


def _solutions(results: ox.QuerySolutions) -> Counter:
    return Counter(
        frozenset((v.value, _term(s[v])) for v in results.variables if s[v] is not None) for s in results
    )


def _result_set_graph(path: Path) -> object:
    """Read a result set written in the old rs: RDF vocabulary."""
    graph = RdfGraph().parse(path)
    result_set = next(graph.subjects(RDF.type, RS.ResultSet))
    if (result_set, RS.boolean, None) in graph:
        return graph.value(result_set, RS.boolean).toPython()
    rows = Counter()
    for solution in graph.objects(result_set, RS.solution):
        row = set()
        for binding in graph.objects(solution, RS.binding):
            value = graph.value(binding, RS.value)
            converted = ox.BlankNode() if value.n3().startswith("_:") else _rdflib_to_ox(value)
            row.add((str(graph.value(binding, RS.variable)), _term(converted)))
        rows[frozenset(row)] += 1
    return rows


def _rdflib_to_ox(value: object) -> object:
    data = f"<urn:s> <urn:p> {value.n3()} ."  # type: ignore[attr-defined]
    return next(iter(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))).object


def _csv_rows(text: str) -> Counter:
    # Column order of SELECT * is the engine's choice: compare rows as column -> value maps.
    header, *rows = csv.reader(io.StringIO(text))
    return Counter(
        frozenset(
            (name, "_:b" if cell.startswith("_:") else cell) for name, cell in zip(header, row, strict=True)
        )
        for row in rows
    )


@requires_shared
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c.name, marks=pytest.mark.xfail(reason=KNOWN_FAILURES[c.name], strict=True))
        if c.name in KNOWN_FAILURES
        else pytest.param(c, id=c.name)
        for c in CASES
    ]
    or [pytest.param(None, id="no-shared-folder")],
)
def test_query_evaluation(w3c_app: Flask, case: Case):
    text = f"BASE <{case.query}>\n" + local(case.query).read_text(encoding="utf-8")
    params: list[tuple[str, str]] = [("query", text)]
    # The manifest's data is the dataset unless the query names its own with FROM (which wins,
    # as in the W3C harnesses); then no protocol parameter may override it.
    if not from_graphs(case):
        params += [("default-graph-uri", d) for d in case.data or (EMPTY_GRAPH,)]
        params += [("named-graph-uri", g) for g in case.graph_data]
    expected_path = local(case.result)
    suffix = expected_path.suffix
    if suffix in (".csv", ".tsv"):
        params.append(("format", suffix[1:]))
    reply = w3c_app.test_client().post(
        "/sparql",
        data=MultiDict(params),
        headers={"Accept": "application/sparql-results+json, application/n-triples"},
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)
    body = reply.get_data()
    if suffix == ".csv":
        assert _csv_rows(body.decode()) == _csv_rows(expected_path.read_text(encoding="utf-8"))
    elif suffix == ".tsv":
        expected = ox.parse_query_results(path=expected_path, format=ox.QueryResultsFormat.TSV)
        assert _solutions(ox.parse_query_results(body, ox.QueryResultsFormat.TSV)) == _solutions(expected)
    elif suffix in (".srx", ".srj"):
        fmt = ox.QueryResultsFormat.XML if suffix == ".srx" else ox.QueryResultsFormat.JSON
        expected = ox.parse_query_results(path=expected_path, format=fmt)
        actual = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        if isinstance(expected, ox.QueryBoolean):
            assert bool(actual) == bool(expected)
        else:
            assert _solutions(actual) == _solutions(expected)
    elif "ResultSet" in expected_path.read_text(encoding="utf-8"):
        expected = _result_set_graph(expected_path)
        actual = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        if isinstance(expected, bool):
            assert bool(actual) == expected
        else:
            assert _solutions(actual) == expected
    else:
        expected_graph = RdfGraph().parse(expected_path, publicID=case.result)
        assert RdfGraph().parse(data=body, format="nt").isomorphic(expected_graph)


# -- the protocol manifest ------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    statuses: frozenset[str] = frozenset()
    boolean: bool | None = None
    form: str | None = None


def protocol_cases() -> list[tuple[str, list[Exchange], dict[str, str]]]:
    graph, entries = manifest("protocol")
    cases = []
    for entry in entries:
        graphs = {
            str(graph.value(data, RDFS_LABEL)): str(graph.value(data, UT.graph))
            for data in graph.objects(entry, UT.graphData)
        }
        action = graph.value(entry, MF.action)
        exchanges = []
        for request in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(request, HT.headers)
            for header in Collection(graph, header_list) if header_list else []:
                headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
            body = graph.value(request, HT.body)
            encoded = None
            if body is not None:
                charset = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
                encoded = str(graph.value(body, CNT.chars)).encode(
                    charset.lower().replace("utf-16", "utf-16-le")
                )
            response = graph.value(request, HT.resp)
            expected = graph.value(response, MF.expectedBoolean)
            form = graph.value(response, MF.expectedFormat)
            statuses = graph.objects(response, MF.expectedStatus)
            exchanges.append(
                Exchange(
                    method=str(graph.value(request, HT.methodName)),
                    path=str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                    headers=headers,
                    body=encoded,
                    statuses=frozenset(str(s).rsplit("#", 1)[-1] for s in statuses),
                    boolean=None if expected is None else expected.toPython(),
                    form=None if form is None else str(form),
                )
            )
        cases.append((str(entry).rsplit("#", 1)[-1], exchanges, graphs))
    return cases


PROTOCOL = protocol_cases() if W3C.is_dir() else []

#: Where each query-side W3C protocol test is covered by this project's own tests too.
_PROTOCOL = "test_sparql_protocol.py::test_"
_BACKENDS = "test_backends.py::test_"
PROTOCOL_MAP = {
    "query_post_form": _PROTOCOL + "post_form_with_dataset_in_the_url",
    "query_dataset_default_graphs_get": _PROTOCOL + "default_graph_uri_selects_graphs",
    "query_dataset_default_graphs_post": _PROTOCOL + "default_graph_uri_selects_graphs",
    "query_dataset_named_graphs_post": _PROTOCOL + "named_graph_uri_limits_graph_patterns",
    "query_dataset_named_graphs_get": _PROTOCOL + "named_graph_uri_limits_graph_patterns",
    "query_dataset_full": _BACKENDS + "default_graph_is_the_union_and_parameters_select_graphs",
    "query_multiple_dataset": _BACKENDS + "query_from_clauses_work_and_protocol_parameters_override_them",
    "query_get": _PROTOCOL + "get",
    "query_content_type_select": _PROTOCOL + "select_formats_by_accept_and_by_parameter",
    "query_content_type_ask": _PROTOCOL + "ask_formats",
    "query_content_type_describe": _PROTOCOL + "describe",
    "query_content_type_construct": _PROTOCOL + "construct_formats_by_accept_and_by_parameter",
    "query_post_direct": _PROTOCOL + "post_direct",
    "bad_query_method": _PROTOCOL + "other_methods_are_405",
    "bad_multiple_queries": _PROTOCOL + "two_queries_are_400",
    "bad_query_wrong_media_type": _PROTOCOL + "wrong_or_missing_media_type_is_415",
    "bad_query_missing_form_type": _PROTOCOL + "wrong_or_missing_media_type_is_415",
    "bad_query_missing_direct_type": _PROTOCOL + "wrong_or_missing_media_type_is_415",
    "bad_query_non_utf8": _PROTOCOL + "non_utf8_charset_is_415",
    "bad_query_syntax": _PROTOCOL + "malformed_query_is_400_with_the_position",
    # Update tests: this endpoint is read-only, every update is refused with 403.
}


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    graphs = {name: [str(local(file))] for _, _, g in PROTOCOL for name, file in g.items()}
    # No --ontology and an empty HAIRONTO_DATA (the app setting): only the manifest's graphs are served.
    env = {"HAIRONTO_GRAPHS": json.dumps(graphs), "HAIRONTO_DATA": ""}
    yield from start_server(tmp_path_factory.mktemp("w3c-server"), ["--workers", "1"], env)


def _send(base: str, exchange: Exchange) -> tuple[int, str, bytes]:
    # http.client sends exactly the manifest's headers (urllib would add a form Content-Type).
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=15)
    try:
        connection.request(exchange.method, exchange.path, body=exchange.body, headers=exchange.headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def _boolean(content_type: str, body: bytes) -> bool:
    fmt = ox.QueryResultsFormat.from_media_type(content_type)
    assert fmt is not None, content_type
    return bool(ox.parse_query_results(body, fmt))


@requires_shared
@pytest.mark.parametrize(
    ("name", "exchanges"),
    [pytest.param(n, e, id=n) for n, e, _ in PROTOCOL] or [pytest.param(None, None, id="no-shared-folder")],
)
def test_protocol_manifest(w3c_server: str, name: str, exchanges: list[Exchange]):
    if name.startswith("update_"):
        # The first request is the update; the ones after it check its effect, which never happens.
        status, _, body = _send(w3c_server, exchanges[0])
        assert status == 403 and b"read-only" in body, f"{name}: a read-only endpoint refuses updates"
        return
    for exchange in exchanges:
        status, content_type, body = _send(w3c_server, exchange)
        assert f"StatusCode{str(status)[0]}xx" in exchange.statuses, (name, status, body)
        media_type = content_type.split(";")[0]
        if exchange.form == "boolean":
            assert media_type in ("application/sparql-results+json", "application/sparql-results+xml")
            if exchange.boolean is not None:
                assert _boolean(content_type, body) is exchange.boolean
        elif exchange.form == "tabular":
            assert ox.QueryResultsFormat.from_media_type(media_type) is not None
        elif exchange.form == "RDF":
            assert ox.RdfFormat.from_media_type(media_type) is not None
    if "update" not in name:
        assert name in PROTOCOL_MAP, f"{name} has no counterpart among this project's protocol tests"


def test_protocol_map_names_real_tests():
    tests = Path(__file__).parent
    for target in PROTOCOL_MAP.values():
        module, function = target.split("::")
        assert f"def {function}(" in (tests / module).read_text(encoding="utf-8"), target


if os.environ.get("HAIRONTO_W3C_LIST"):  # pragma: no cover - a developer's aid
    print(len(CASES), "evaluation cases;", len(PROTOCOL), "protocol cases")
