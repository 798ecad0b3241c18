"""The named-query API (issue 3, item 7): every curated query is a REST operation.

``GET /api/queries`` lists the catalogue; ``GET /api/queries/NAME`` runs one query with the
parameters its front matter declares, typed and bound (never pasted), and answers exactly as
``/sparql`` does. The listing and the protocol behaviour run on both transports (Flask's client
and the real server); answers are checked on the real release against the library run directly,
and typing against a small catalogue of test queries (``tests/data/queries``).
"""

from __future__ import annotations

import csv
import io
import json
import time
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import yaml
from flask.testing import FlaskClient
from rdflib import Graph as RdfGraph
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, XSD

from haironto.dataset import DataFiles
from haironto.errors import QueryError
from haironto.server import create_app
from tests.conftest import MAX_ROWS, TIMEOUT
from tests.data import REPO_ROOT
from tests.ontology_data import run_query_terms
from tests.transport import Reply, Transport

CURATED_DIR = REPO_ROOT / "queries"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def front_matter(path) -> dict:
    """A query file's ``#+`` header, read here independently of the catalogue module."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[2:].removeprefix(" "))
    return yaml.safe_load("\n".join(lines)) or {}


CURATED = {path.stem: path for path in sorted(CURATED_DIR.rglob("*.rq"))}
PARAMETRISED = sorted(name for name, path in CURATED.items() if front_matter(path).get("params"))


def rows(reply: Reply) -> list[dict[str, object]]:
    """SPARQL JSON results as rows of pyoxigraph terms (unbound variables left out)."""
    assert reply.status == 200, reply.text
    return [
        {v.value: solution[v] for v in solutions.variables if solution[v] is not None}
        for solutions in [ox.parse_query_results(reply.body, ox.QueryResultsFormat.JSON)]
        for solution in solutions
    ]


def as_strings(solutions) -> list[tuple[tuple[str, str], ...]]:
    """Rows as sorted (variable, N-Triples term) pairs, comparable across rdflib and pyoxigraph."""

    def n3(term) -> str:
        if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
            if isinstance(term, ox.Literal):
                if term.language:
                    return Literal(term.value, lang=term.language).n3()
                datatype = term.datatype.value
                return Literal(term.value, datatype=None if datatype == str(XSD.string) else datatype).n3()
            return URIRef(term.value).n3() if isinstance(term, ox.NamedNode) else "_:b"
        if isinstance(term, Literal) or isinstance(term, URIRef):
            return term.n3()
        return "_:b"

    return sorted(tuple(sorted((k, n3(v)) for k, v in row.items())) for row in solutions)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# -- listing ----------------------------------------------------------------------------------


def test_listing_has_every_curated_query_with_its_front_matter(http: Transport):
    reply = http.get("/api/queries")
    assert reply.status == 200 and reply.mimetype == "application/json"
    listing = json.loads(reply.body)
    entries = {entry["name"]: entry for entry in listing["queries"]}
    assert set(entries) == set(CURATED)
    for name, path in CURATED.items():
        meta, entry = front_matter(path), entries[name]
        assert entry["summary"] == meta.get("summary", "")
        assert entry["description"] == meta.get("description", "")
        assert entry["tags"] == meta.get("tags", [])
        assert entry["query"] == path.read_text(encoding="utf-8")
        declared = meta.get("params") or {}
        assert [p["name"] for p in entry["params"]] == list(declared)
        for param in entry["params"]:
            spec = declared[param["name"]] or {}
            assert param["type"] == spec.get("type", "string")
            assert param["description"] == spec.get("description", "")
            assert param["default"] == (None if "default" not in spec else str(spec["default"]))
        expected_role = "violation" if name.endswith("-violation") else "report"
        assert entry["role"] == expected_role
        if expected_role == "violation":
            assert entry["level"] == meta.get("level", "ERROR")
        assert urlsplit(entry["links"]["run"]).path == f"/api/queries/{name}"
        ui = urlsplit(entry["links"]["ui"])
        assert ui.path == "/sparql" and ui.fragment == f"example={name}"


def test_listing_links_run_their_queries(http: Transport):
    listing = json.loads(http.get("/api/queries").body)
    for entry in listing["queries"]:
        reply = http.get(path_of(entry["links"]["run"]))
        assert reply.status == 200, (entry["name"], reply.text)
    assert http.get(path_of(listing["openapi"])).status == 200


def test_listing_for_browsers_is_a_page(http: Transport, release: DataFiles):
    reply = http.get("/api/queries", headers={"Accept": BROWSER_ACCEPT})
    assert reply.status == 200 and reply.mimetype == "text/html"
    title = next(RdfGraph().parse(release.asserted[0]).objects(None, DCTERMS.title))
    assert str(title) in reply.text
    assert "Accept" in reply.headers.get("Vary", "")
    for name in CURATED:
        assert f"#example={name}" in reply.text
        assert f"/api/queries/{name}?format=csv" in reply.text
    assert http.get("/api/queries", headers={"Accept": "*/*"}).mimetype == "application/json"


# -- answers on the real release, against the library run directly ------------------------------


@pytest.mark.parametrize("name", sorted(CURATED))
def test_every_curated_query_answers_what_the_library_answers(release_client: FlaskClient, name):
    reply = release_client.get(f"/api/queries/{name}")
    got = rows(Reply(reply.status_code, reply.headers, reply.get_data()))
    assert as_strings(got) == as_strings(run_query_terms(name))
    if name.endswith("-violation"):
        assert got == [], "the released ontology passes every QC rule"


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("claims-by-footnote", {"footnote": "2"}),
        ("claims-by-footnote", {"footnote": "4"}),
        ("claims-about-term", {"term": "HAIRONTO:0000007"}),
        ("claims-about-term", {"term": "https://w3id.org/haironto/HAIRONTO_0000020"}),
        ("treatment-cost", {"treatment": "HAIRONTO:0000007"}),
    ],
)
def test_parameters_change_the_answer_as_the_library_says(release_client: FlaskClient, name, params):
    reply = release_client.get(f"/api/queries/{name}", query_string=params)
    got = rows(Reply(reply.status_code, reply.headers, reply.get_data()))
    expected = run_query_terms(name, **params)
    assert as_strings(got) == as_strings(expected)
    default = release_client.get(f"/api/queries/{name}")
    assert as_strings(got) != as_strings(
        rows(Reply(default.status_code, default.headers, default.get_data()))
    )


def test_curie_and_iri_bind_the_same_term(release_client: FlaskClient):
    by_curie = release_client.get("/api/queries/claims-about-term", query_string={"term": "HAIRONTO:0000007"})
    by_iri = release_client.get(
        "/api/queries/claims-about-term",
        query_string={"term": "https://w3id.org/haironto/HAIRONTO_0000007"},
    )
    assert by_curie.get_data() == by_iri.get_data()
    assert json.loads(by_curie.get_data())["results"]["bindings"], "PRP has claims"


# -- formats and limit headers, as on /sparql -------------------------------------------------------

FOOTNOTE = "/api/queries/claims-by-footnote"

RESULT_FORMATS = [
    ("application/sparql-results+json", "json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", "xml", ox.QueryResultsFormat.XML),
    ("text/csv", "csv", None),  # lossy: pyoxigraph does not read it back
    ("text/tab-separated-values", "tsv", ox.QueryResultsFormat.TSV),
]


@pytest.mark.parametrize(("media_type", "name", "fmt"), RESULT_FORMATS)
def test_select_formats_by_accept_and_by_parameter(http: Transport, media_type, name, fmt):
    by_accept = http.get("/api/queries/abbreviations", headers={"Accept": media_type})
    by_name = http.get("/api/queries/abbreviations", params={"format": name})
    for reply in (by_accept, by_name):
        assert reply.status == 200 and reply.mimetype == media_type
        if fmt is None:
            values = [row["abbreviation"] for row in csv.DictReader(io.StringIO(reply.text))]
        else:
            values = [s["abbreviation"].value for s in ox.parse_query_results(reply.body, fmt)]
        # mini.ttl has one abbreviation: "PRP" of platelet rich plasma.
        assert values == ["PRP"]


def test_accept_with_q_values_and_defaults(http: Transport):
    weighted = http.get(
        "/api/queries/abbreviations", headers={"Accept": "text/csv;q=0.5, text/tab-separated-values"}
    )
    assert weighted.mimetype == "text/tab-separated-values"
    assert http.get("/api/queries/abbreviations").mimetype == "application/sparql-results+json"
    # Whatever /sparql picks for an Accept header, the API picks too.
    text = CURATED["abbreviations"].read_text(encoding="utf-8")
    for accept in (BROWSER_ACCEPT, "text/*", "application/json", "*/*;q=0.1, text/csv;q=0.2"):
        api = http.get("/api/queries/abbreviations", headers={"Accept": accept})
        protocol = http.get("/sparql", params={"query": text}, headers={"Accept": accept})
        assert api.status == protocol.status == 200 and api.mimetype == protocol.mimetype, accept


def test_limits_are_reported(http: Transport):
    reply = http.get("/api/queries/abbreviations", params={"timeout": "1.5"})
    assert float(reply.headers["X-HairOnto-Timeout"]) == 1.5
    assert int(reply.headers["X-HairOnto-Row-Limit"]) == MAX_ROWS
    assert reply.headers["X-HairOnto-Rows"] == "1" and reply.headers["X-HairOnto-Truncated"] == "false"
    capped = http.get("/api/queries/abbreviations", params={"timeout": "600"})
    assert float(capped.headers["X-HairOnto-Timeout"]) == TIMEOUT
    error = http.get(FOOTNOTE, params={"footnote": "one"})
    assert error.status == 400 and int(error.headers["X-HairOnto-Row-Limit"]) == MAX_ROWS


# -- errors ---------------------------------------------------------------------------------------


def test_unknown_query_is_404_listing_the_known_ones(http: Transport):
    reply = http.get("/api/queries/no-such-query")
    assert reply.status == 404 and reply.mimetype == "text/plain"
    assert "no-such-query" in reply.text
    for name in CURATED:
        assert name in reply.text


@pytest.mark.parametrize(
    ("path", "params", "mentions"),
    [
        (FOOTNOTE, {"footnote": "one"}, ["footnote", "an integer", "one"]),
        (FOOTNOTE, {"footnote": "1.5"}, ["footnote", "integer"]),
        (FOOTNOTE, {"footnote": ""}, ["footnote", "integer"]),
        (FOOTNOTE, {"page": "3"}, ["page"]),
        ("/api/queries/claims-about-term", {"term": "not an IRI"}, ["term", "IRI"]),
        ("/api/queries/claims-about-term", {"term": "nope:0000001"}, ["term", "CURIE"]),
        ("/api/queries/claims-about-term", {"term": "> } ; DROP ALL ; #"}, ["term"]),
        ("/api/queries/claims-about-term", {"term": "http://example.org/a b"}, ["term"]),
        ("/api/queries/abbreviations", {"term": "HAIRONTO:0000001"}, ["abbreviations", "term"]),
    ],
)
def test_unknown_or_ill_typed_parameter_is_400_with_the_message(http: Transport, path, params, mentions):
    reply = http.get(path, params=params)
    assert reply.status == 400 and reply.mimetype == "text/plain"
    for word in mentions:
        assert word in reply.text


def test_repeated_parameter_is_400(http: Transport):
    reply = http.get(FOOTNOTE, params=[("footnote", "1"), ("footnote", "2")])
    assert reply.status == 400 and "footnote" in reply.text


def test_query_string_that_is_not_utf8_is_400(http: Transport):
    reply = http.get("/api/queries/claims-about-term?term=%FF")
    assert reply.status == 400 and "UTF-8" in reply.text


def test_unacceptable_format_is_406_and_unknown_format_400(http: Transport):
    nothing = http.get(FOOTNOTE, headers={"Accept": "image/png"})
    assert nothing.status == 406 and "text/csv" in nothing.text
    graph_only = http.get(FOOTNOTE, headers={"Accept": "text/turtle"})
    assert graph_only.status == 406 and "application/sparql-results+json" in graph_only.text
    unknown = http.get(FOOTNOTE, params={"format": "yaml"})
    assert unknown.status == 400 and "yaml" in unknown.text


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_bad_timeout_is_400(http: Transport, value):
    reply = http.get(FOOTNOTE, params={"timeout": value})
    assert reply.status == 400 and "timeout" in reply.text


def test_only_get(http: Transport):
    assert http.post(FOOTNOTE, body=b"", content_type="text/plain").status == 405
    assert http.request("DELETE", "/api/queries").status == 405


# -- typed binding, on a catalogue of test queries ----------------------------------------------


def echo(client: FlaskClient, **params: str) -> dict[str, object]:
    reply = client.get("/api/queries/echo", query_string=params)
    (row,) = rows(Reply(reply.status_code, reply.headers, reply.get_data()))
    return row


def test_each_type_is_bound_as_its_rdf_term(test_client: FlaskClient):
    row = echo(test_client, text="héllo", count="-42", ratio="0.25", flag="false", term="CL:0000034")
    assert row["text"] == ox.Literal("héllo")
    assert row["count"] == ox.Literal("-42", datatype=ox.NamedNode(str(XSD.integer)))
    assert row["ratio"] == ox.Literal("0.25", datatype=ox.NamedNode(str(XSD.decimal)))
    assert row["flag"] == ox.Literal("false", datatype=ox.NamedNode(str(XSD.boolean)))
    assert row["term"] == ox.NamedNode("http://purl.obolibrary.org/obo/CL_0000034")


def test_defaults_apply_and_params_without_one_stay_unbound(test_client: FlaskClient):
    row = echo(test_client)
    # echo.rq declares count (default 3) and flag (default true, a YAML boolean).
    assert row["count"] == ox.Literal("3", datatype=ox.NamedNode(str(XSD.integer)))
    assert row["flag"] == ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))
    assert set(row) == {"count", "flag"}


@pytest.mark.parametrize(
    "hostile",
    [
        '"} ; DROP ALL ; #',
        "x' } UNION { ?s ?p ?o",
        "?count",
        "<http://example.org/> .\nSERVICE <http://x/> {}",
    ],
)
def test_a_string_value_is_a_literal_never_query_text(test_client: FlaskClient, hostile):
    assert echo(test_client, text=hostile)["text"] == ox.Literal(hostile)


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ({"flag": "True"}, "boolean"),
        ({"flag": "1"}, "boolean"),
        ({"ratio": "1e3"}, "decimal"),
        ({"ratio": "abc"}, "decimal"),
        ({"count": "3.0"}, "integer"),
        ({"term": "CL:00 34"}, "IRI"),
    ],
)
def test_values_outside_the_type_are_400(test_client: FlaskClient, params, mentions):
    reply = test_client.get("/api/queries/echo", query_string=params)
    assert reply.status_code == 400 and mentions in reply.get_data(as_text=True)


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_construct_query_answers_a_graph(test_client: FlaskClient, release: DataFiles, media_type, fmt):
    reply = test_client.get("/api/queries/construct-labels", headers={"Accept": media_type})
    assert reply.status_code == 200 and reply.mimetype == media_type
    triples = [quad.triple for quad in ox.parse(reply.get_data(), format=fmt)]
    got = RdfGraph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    asserted = RdfGraph().parse(release.asserted[0])
    expected = RdfGraph()
    for triple in asserted.triples((None, RDFS.label, None)):
        expected.add(triple)
    assert got.isomorphic(expected)
    assert reply.headers["X-HairOnto-Rows"] == str(len(expected))


def test_construct_query_refuses_result_formats(test_client: FlaskClient):
    assert test_client.get("/api/queries/construct-labels", headers={"Accept": "text/csv"}).status_code == 406
    assert test_client.get("/api/queries/construct-labels").mimetype == "text/turtle"


def test_rows_beyond_the_cap_are_cut_and_flagged(test_client: FlaskClient):
    reply = test_client.get("/api/queries/triples", headers={"Accept": "text/csv"})
    _, *body = csv.reader(io.StringIO(reply.get_data(as_text=True)))
    assert len(body) == MAX_ROWS
    assert (
        reply.headers["X-HairOnto-Rows"] == str(MAX_ROWS) and reply.headers["X-HairOnto-Truncated"] == "true"
    )


def test_expensive_named_query_times_out(test_client: FlaskClient):
    started = time.monotonic()
    reply = test_client.get("/api/queries/cartesian", query_string={"timeout": "0.5"})
    assert reply.status_code == 503 and "0.5" in reply.get_data(as_text=True)
    assert time.monotonic() - started < TIMEOUT
    assert reply.headers["X-HairOnto-Timeout"] == "0.5"


def test_violation_queries_are_listed_and_runnable(test_client: FlaskClient):
    listing = test_client.get("/api/queries").get_json()
    (entry,) = [e for e in listing["queries"] if e["name"] == "unlabelled-violation"]
    assert entry["role"] == "violation" and entry["level"] == "WARN"
    reply = test_client.get("/api/queries/unlabelled-violation")
    assert reply.status_code == 200
    assert reply.get_json()["head"]["vars"] == ["entity", "property", "value"]


def test_a_query_may_not_declare_a_parameter_the_api_reserves(tmp_path, release: DataFiles):
    (tmp_path / "clash.rq").write_text("#+ params:\n#+   format: {type: string}\nSELECT ?format {}\n")
    with pytest.raises(QueryError, match="format"):
        create_app({"TESTING": True, "QUERIES": str(tmp_path), "DATA": [str(release.asserted[0])]})
