"""The SPARQL 1.1 Protocol, query side, over HTTP: operations, formats, negotiation, errors, limits.

Every test runs through the ``http`` fixture, once on Flask's test client and once on the
real gunicorn server on loopback. The W3C protocol manifest's query-side tests map onto these
(see test_w3c_protocol.py for the mapping and the manifest run itself).
"""

from __future__ import annotations

import csv
import io
import json
import socket
import time
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from rdflib import RDFS, URIRef
from rdflib import Graph as RdfGraph

from haironto.dataset import DataFiles
from haironto.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from tests.conftest import INFERRED_TTL, MAX_BODY, MAX_ROWS, TIMEOUT
from tests.data import NANOFAT
from tests.transport import Reply, Transport

SELECT_LABELS = (
    "SELECT ?term ?label WHERE { ?term <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
)
CONSTRUCT_ALL = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ASSERTED_GRAPH}> {{ ?s ?p ?o }} }}"
#: The asserted triples about one term: fewer than the row cap.
CONSTRUCT_TERM = (
    f"CONSTRUCT {{ <{NANOFAT}> ?p ?o }} WHERE {{ GRAPH <{ASSERTED_GRAPH}> {{ <{NANOFAT}> ?p ?o }} }}"
)
INFERRED_ASK = "ASK { " + INFERRED_TTL.strip().rstrip(".") + " }"
#: Five-way cartesian product: over a hundred triples, 10^10 rows to count.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o }"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


@pytest.fixture(scope="module")
def asserted(release: DataFiles) -> RdfGraph:
    return RdfGraph().parse(release.asserted[0])


@pytest.fixture(scope="module")
def about_nanofat(asserted: RdfGraph) -> RdfGraph:
    graph = RdfGraph()
    for triple in asserted.triples((URIRef(NANOFAT), None, None)):
        graph.add(triple)
    assert 0 < len(graph) < MAX_ROWS
    return graph


@pytest.fixture(scope="module")
def labels(asserted: RdfGraph) -> set[tuple[str, str]]:
    return {(str(s), str(o)) for s, o in asserted.subject_objects(predicate=RDFS.label)}


def solutions(reply: Reply, fmt: ox.QueryResultsFormat) -> set[tuple[str, str]]:
    return {(s["term"].value, s["label"].value) for s in ox.parse_query_results(reply.body, fmt)}


def boolean(reply: Reply) -> bool:
    assert reply.status == 200, reply.text
    return json.loads(reply.body)["boolean"]


def graph(reply: Reply, fmt: ox.RdfFormat) -> RdfGraph:
    triples = [quad.triple for quad in ox.parse(reply.body, format=fmt)]
    return RdfGraph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


# -- the three ways to send a query ---------------------------------------------------------


def test_get(http: Transport, labels):
    reply = http.get(params={"query": SELECT_LABELS})
    assert reply.status == 200
    assert reply.mimetype == "application/sparql-results+json"
    assert solutions(reply, ox.QueryResultsFormat.JSON) == labels


def test_post_form(http: Transport, labels):
    reply = http.post(body=f"query={quote(SELECT_LABELS)}".encode(), content_type=FORM)
    assert reply.status == 200 and solutions(reply, ox.QueryResultsFormat.JSON) == labels


def test_post_form_with_dataset_in_the_url(http: Transport):
    # W3C query_post_form: the query in the body, default-graph-uri in the URL.
    reply = http.post(
        params={"default-graph-uri": str(ASSERTED_GRAPH)},
        body=f"query={quote(INFERRED_ASK)}".encode(),
        content_type=FORM + "; charset=UTF-8",
    )
    assert boolean(reply) is False


def test_post_direct(http: Transport, labels):
    reply = http.post(body=SELECT_LABELS.encode(), content_type=DIRECT)
    assert reply.status == 200 and solutions(reply, ox.QueryResultsFormat.JSON) == labels


# -- formats --------------------------------------------------------------------------------

RESULT_FORMATS = [
    ("application/sparql-results+json", "json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", "xml", ox.QueryResultsFormat.XML),
    ("text/tab-separated-values", "tsv", ox.QueryResultsFormat.TSV),
]


@pytest.mark.parametrize(("media_type", "name", "fmt"), RESULT_FORMATS)
def test_select_formats_by_accept_and_by_parameter(http: Transport, labels, media_type, name, fmt):
    by_accept = http.get(params={"query": SELECT_LABELS}, headers={"Accept": media_type})
    by_name = http.get(params={"query": SELECT_LABELS, "format": name})
    for reply in (by_accept, by_name):
        assert reply.status == 200 and reply.mimetype == media_type
        assert solutions(reply, fmt) == labels


def test_select_as_csv(http: Transport, labels):
    reply = http.get(params={"query": SELECT_LABELS}, headers={"Accept": "text/csv"})
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = csv.reader(io.StringIO(reply.text))
    assert header == ["term", "label"] and {tuple(row) for row in rows} == labels


@pytest.mark.parametrize(
    "media_type", ["application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
)
def test_ask_formats(http: Transport, media_type):
    reply = http.get(params={"query": INFERRED_ASK}, headers={"Accept": media_type})
    assert reply.status == 200 and reply.mimetype == media_type
    assert b"true" in reply.body


GRAPH_FORMATS = [
    ("text/turtle", "turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "ntriples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", "rdfxml", ox.RdfFormat.RDF_XML),
    ("application/ld+json", "jsonld", ox.RdfFormat.JSON_LD),
]


@pytest.mark.parametrize(("media_type", "name", "fmt"), GRAPH_FORMATS)
def test_construct_formats_by_accept_and_by_parameter(http: Transport, about_nanofat, media_type, name, fmt):
    by_accept = http.get(params={"query": CONSTRUCT_TERM}, headers={"Accept": media_type})
    by_name = http.post(params={"format": name}, body=CONSTRUCT_TERM.encode(), content_type=DIRECT)
    for reply in (by_accept, by_name):
        assert reply.status == 200 and reply.mimetype == media_type
        assert graph(reply, fmt).isomorphic(about_nanofat)


def test_describe(http: Transport):
    subject, predicate, obj = (URIRef(part.strip("<>")) for part in INFERRED_TTL.split()[:3])
    reply = http.get(params={"query": f"DESCRIBE <{subject}>"}, headers={"Accept": "application/n-triples"})
    described = graph(reply, ox.RdfFormat.N_TRIPLES)
    assert (subject, predicate, obj) in described
    assert {s for s in described.subjects() if isinstance(s, URIRef)} == {subject}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
        ("text/*", "text/csv"),
        ("application/json", "application/json"),
        ("text/html, application/xhtml+xml, */*;q=0.8", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_accept_with_q_values(http: Transport, accept, expected):
    reply = http.get(params={"query": SELECT_LABELS}, headers={"Accept": accept})
    assert reply.status == 200 and reply.mimetype == expected


def test_defaults_without_accept(http: Transport):
    assert http.get(params={"query": SELECT_LABELS}).mimetype == "application/sparql-results+json"
    assert http.get(params={"query": CONSTRUCT_ALL}).mimetype == "text/turtle"
    assert http.get(params={"query": CONSTRUCT_ALL}, headers={"Accept": "*/*"}).mimetype == "text/turtle"


def test_json_asked_for_a_graph_is_json_ld(http: Transport, about_nanofat):
    reply = http.get(params={"query": CONSTRUCT_TERM}, headers={"Accept": "application/json"})
    assert reply.mimetype == "application/json"
    assert graph(reply, ox.RdfFormat.JSON_LD).isomorphic(about_nanofat)


def test_406_lists_what_is_supported(http: Transport):
    nothing = http.get(params={"query": SELECT_LABELS}, headers={"Accept": "image/png"})
    assert nothing.status == 406 and nothing.mimetype == "text/plain"
    assert "application/sparql-results+json" in nothing.text and "text/turtle" in nothing.text
    wrong_kind = http.get(params={"query": SELECT_LABELS}, headers={"Accept": "text/turtle"})
    assert wrong_kind.status == 406 and "text/csv" in wrong_kind.text
    by_name = http.get(params={"query": CONSTRUCT_ALL, "format": "csv"})
    assert by_name.status == 406 and "application/ld+json" in by_name.text
    refused = http.get(
        params={"query": SELECT_LABELS}, headers={"Accept": "application/sparql-results+json;q=0"}
    )
    assert refused.status == 406


def test_unknown_format_name(http: Transport):
    reply = http.get(params={"query": SELECT_LABELS, "format": "yaml"})
    assert reply.status == 400 and "jsonld" in reply.text


# -- the dataset ----------------------------------------------------------------------------


def test_default_graph_is_asserted_plus_inferred(http: Transport):
    assert boolean(http.get(params={"query": INFERRED_ASK})) is True


def test_default_graph_uri_selects_graphs(http: Transport):
    asserted_only = http.get(params={"query": INFERRED_ASK, "default-graph-uri": str(ASSERTED_GRAPH)})
    assert boolean(asserted_only) is False
    both = http.get(
        params=[
            ("query", INFERRED_ASK),
            ("default-graph-uri", str(ASSERTED_GRAPH)),
            ("default-graph-uri", str(INFERRED_GRAPH)),
        ]
    )
    assert boolean(both) is True


def test_named_graph_uri_limits_graph_patterns(http: Transport):
    query = "SELECT DISTINCT ?term ?label WHERE { GRAPH ?term { ?s ?p ?o } BIND(STR(?term) AS ?label) }"
    every = http.get(params={"query": query})
    assert {t for t, _ in solutions(every, ox.QueryResultsFormat.JSON)} == {
        str(ASSERTED_GRAPH),
        str(INFERRED_GRAPH),
    }
    one = http.post(params={"named-graph-uri": str(INFERRED_GRAPH)}, body=query.encode(), content_type=DIRECT)
    assert {t for t, _ in solutions(one, ox.QueryResultsFormat.JSON)} == {str(INFERRED_GRAPH)}


def test_bad_graph_iri_is_400(http: Transport):
    reply = http.get(params={"query": "ASK {}", "default-graph-uri": "not an IRI"})
    assert reply.status == 400 and "default-graph-uri" in reply.text


# -- errors ---------------------------------------------------------------------------------


def test_malformed_query_is_400_with_the_position(http: Transport):
    reply = http.get(params={"query": "SELECT * WHERE {\n  ?s ?p\n}"})
    assert reply.status == 400 and reply.mimetype == "text/plain"
    assert "malformed query" in reply.text and "error at 3:" in reply.text  # line 3


def test_two_queries_are_400(http: Transport):
    reply = http.get(params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert reply.status == 400 and "2 'query'" in reply.text
    in_both_places = http.post(params={"query": "ASK {}"}, body=b"ASK {}", content_type=DIRECT)
    assert in_both_places.status == 400


def test_query_and_update_together_are_400(http: Transport):
    body = f"query={quote('ASK {}')}&update={quote('CLEAR ALL')}".encode()
    reply = http.post(body=body, content_type=FORM)
    assert reply.status == 400 and "not both" in reply.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_wrong_or_missing_media_type_is_415(http: Transport, content_type):
    reply = http.post(body=b"ASK {}", content_type=content_type)
    assert reply.status == 415 and DIRECT in reply.text


def test_non_utf8_charset_is_415(http: Transport):
    reply = http.post(body="ASK {}".encode("utf-16"), content_type=DIRECT + "; charset=UTF-16")
    assert reply.status == 415 and "UTF-8" in reply.text


@pytest.mark.parametrize(
    ("params", "body", "content_type"),
    [
        (None, "ASK { ?s ?p 'caf\xe9' }".encode("latin-1"), DIRECT),
        (None, b"query=ASK%20%7B%20%3Fs%20%3Fp%20%27%FF%27%20%7D", FORM),
    ],
)
def test_bytes_that_are_not_utf8_are_400(http: Transport, params, body, content_type):
    reply = http.post(params=params, body=body, content_type=content_type)
    assert reply.status == 400 and "UTF-8" in reply.text


def test_url_that_is_not_utf8_is_400(http: Transport):
    reply = http.request("GET", "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%27%FF%27%20%7D")
    assert reply.status == 400 and "UTF-8" in reply.text


def test_post_without_a_query_is_400(http: Transport):
    reply = http.post(body=b"format=json", content_type=FORM)
    assert reply.status == 400 and "no 'query'" in reply.text


def test_other_methods_are_405(http: Transport):
    reply = http.request("PUT", "/sparql", params={"query": "ASK {}"}, body=b"", content_type=FORM)
    assert reply.status == 405 and reply.mimetype == "text/plain"


def test_body_over_the_limit_is_413(http: Transport):
    padding = b" " * (MAX_BODY + 1)
    assert http.post(body=b"ASK {}" + padding, content_type=DIRECT).status == 413
    assert http.post(body=b"query=ASK%20%7B%7D" + padding, content_type=FORM).status == 413
    assert http.post(body=b"ASK {}", content_type=DIRECT).status == 200


# -- read-only ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        lambda h: h.get(params={"update": "CLEAR ALL"}),
        lambda h: h.post(
            body=f"update={quote('INSERT DATA { <http://e/s> <http://e/p> 1 }')}".encode(), content_type=FORM
        ),
        lambda h: h.post(body=b"DELETE WHERE { ?s ?p ?o }", content_type="application/sparql-update"),
        lambda h: h.get(params={"query": "LOAD <http://example.org/data.ttl>"}),
        lambda h: h.post(body=b"DROP ALL", content_type=DIRECT),
    ],
    ids=["get-update", "form-update", "direct-update", "load-as-query", "drop-as-query"],
)
def test_updates_are_403(http: Transport, send):
    reply = send(http)
    assert reply.status == 403 and "read-only" in reply.text
    assert boolean(http.get(params={"query": "ASK { ?s ?p ?o }"})) is True


def test_service_is_400_and_nothing_is_contacted(http: Transport):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        reply = http.get(params={"query": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}"})
        assert reply.status == 400 and "SERVICE" in reply.text
        with pytest.raises(BlockingIOError):
            listener.accept()


# -- limits ---------------------------------------------------------------------------------


def test_limits_are_reported_on_every_answer(http: Transport):
    for reply in (http.get(params={"query": "ASK {}"}), http.get(params={"query": "ASK {"})):
        assert float(reply.headers["X-HairOnto-Timeout"]) == TIMEOUT
        assert int(reply.headers["X-HairOnto-Row-Limit"]) == MAX_ROWS


def test_rows_beyond_the_cap_are_cut_and_flagged(http: Transport, asserted):
    assert len(asserted) > MAX_ROWS
    reply = http.get(
        params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/tab-separated-values"}
    )
    assert reply.headers["X-HairOnto-Truncated"] == "true"
    assert int(reply.headers["X-HairOnto-Rows"]) == MAX_ROWS
    assert len(list(ox.parse_query_results(reply.body, ox.QueryResultsFormat.TSV))) == MAX_ROWS
    small = http.get(params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert small.headers["X-HairOnto-Truncated"] == "false" and small.headers["X-HairOnto-Rows"] == "3"


def test_triples_beyond_the_cap_are_cut_and_flagged(http: Transport):
    reply = http.get(params={"query": CONSTRUCT_ALL}, headers={"Accept": "application/n-triples"})
    assert reply.headers["X-HairOnto-Truncated"] == "true"
    assert len(graph(reply, ox.RdfFormat.N_TRIPLES)) == MAX_ROWS


def test_expensive_query_times_out(http: Transport):
    started = time.monotonic()
    reply = http.get(params={"query": EXPENSIVE, "timeout": "1"})
    elapsed = time.monotonic() - started
    assert reply.status == 503 and "time limit of 1 s" in reply.text
    assert reply.headers["X-HairOnto-Timeout"] == "1"
    assert 1.0 <= elapsed < 2.0
    assert boolean(http.get(params={"query": "ASK { ?s ?p ?o }"})) is True  # the service goes on


def test_requested_timeout_is_capped_by_the_server(http: Transport):
    reply = http.get(params={"query": "ASK {}", "timeout": "3600"})
    assert reply.status == 200 and float(reply.headers["X-HairOnto-Timeout"]) == TIMEOUT


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_bad_timeout_is_400(http: Transport, value):
    reply = http.get(params={"query": "ASK {}", "timeout": value})
    assert reply.status == 400 and "timeout" in reply.text


# -- health ---------------------------------------------------------------------------------


def test_health(http: Transport, asserted):
    reply = http.get("/health")
    assert reply.status == 200
    report = json.loads(reply.body)
    inferred = len(RdfGraph().parse(data=INFERRED_TTL, format="nt"))
    assert report["status"] == "ok"
    assert report["release"] == "2026-11-25"
    assert report["triples"] == len(asserted) + inferred
    assert report["graphs"] == {str(ASSERTED_GRAPH): len(asserted), str(INFERRED_GRAPH): inferred}
