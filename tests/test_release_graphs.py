"""Every published release is a named graph of the service, named by its version IRI, outside the
default graph (issue 6, item 1: "so a query can target a release").

The releases here are made for the test: two releases of the fixture ontology that differ from
each other and from the served data in one label, every file written with canonical blank node
labels (so a release's blank nodes carry the same labels as those of the served files, as the
files of two real releases may). What each query should answer is read from those files with
rdflib's graph API, not from the service.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib import Graph as RdfGraph
from rdflib.compare import isomorphic, to_canonical_graph
from rdflib.namespace import OWL, VOID

from haironto.dataset import DataFiles
from haironto.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, ONTOLOGY_IRI
from haironto.releases import published_releases
from haironto.resources import releases_dir
from haironto.server import close_app, create_app
from haironto.writers import RdfXmlWriter
from tests.conftest import INFERRED_TTL, start_server
from tests.data import MINI, PRP

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
JANUARY, FEBRUARY = "2026-01-01", "2026-02-01"
CURRENT_LABEL = Literal("platelet rich plasma (current)", lang="en")
LABELS = {JANUARY: "platelet rich plasma (January)", FEBRUARY: "platelet rich plasma (February)"}
LABEL_QUERY = f"SELECT ?label WHERE {{ <{PRP}> <{RDFS.label}> ?label }}"


def graph_iri(date: str) -> str:
    return f"https://w3id.org/haironto/releases/{date}/haironto.owl"


def variant(label: Literal, version_iri: str | None = None) -> RdfGraph:
    """The fixture ontology with PRP's label replaced (and a version IRI stamped)."""
    graph = RdfGraph().parse(MINI)
    graph.remove((PRP, RDFS.label, None))
    graph.add((PRP, RDFS.label, label))
    if version_iri:
        graph.add((ONTOLOGY_IRI, OWL.versionIRI, URIRef(version_iri)))
    return graph


def write_labelled(graph: RdfGraph, path: Path) -> Path:
    """Write N-Triples (valid Turtle) with blank node labels that depend only on the graph's structure."""
    path.write_text(to_canonical_graph(graph).serialize(format="nt"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> DataFiles:
    """The current data; its blank nodes are labelled like the releases'."""
    folder = tmp_path_factory.mktemp("current")
    base = write_labelled(variant(CURRENT_LABEL), folder / "haironto-base.ttl")
    full_graph = variant(CURRENT_LABEL) + RdfGraph().parse(data=INFERRED_TTL, format="nt")
    full = write_labelled(full_graph, folder / "haironto-full.ttl")
    return DataFiles((base,), (full,))


def write_release(root: Path, date: str) -> Path:
    folder = root / date
    folder.mkdir(parents=True)
    graph = variant(Literal(LABELS[date], lang="en"), graph_iri(date))
    write_labelled(graph, folder / "haironto.ttl")
    RdfXmlWriter().dump(graph, folder / "haironto.owl")
    return folder


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("releases")
    for date in (JANUARY, FEBRUARY):
        write_release(root, date)
    return root


def make_app(served: DataFiles, releases: Path, **settings: object) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in served.asserted],
            "DATA_FULL": [str(p) for p in served.full],
            "RELEASES": str(releases),
            "RELEASE_GRAPHS": True,
            # Other data: the regimes are offered only when named.
            "ENTAILMENT": ["rdfs", "owl-rl"],
            **settings,
        }
    )


@pytest.fixture(scope="module", params=["memory:", "rdflib:"])
def app(request: pytest.FixtureRequest, served: DataFiles, releases: Path) -> Iterator[Flask]:
    application = make_app(served, releases, BACKEND=request.param)
    yield application
    close_app(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def ask(client: FlaskClient, query: str, **params: str) -> dict:
    response = client.get("/sparql", query_string={"query": query, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def values(answer: dict, variable: str = "label") -> set[str]:
    return {row[variable]["value"] for row in answer["results"]["bindings"]}


def release_file(releases: Path, date: str) -> RdfGraph:
    return RdfGraph().parse(releases / date / "haironto.ttl")


# -- a query targets one release ------------------------------------------------------------------


def test_the_default_graph_answers_from_the_current_data_only(client):
    assert values(ask(client, LABEL_QUERY)) == {str(CURRENT_LABEL)}


@pytest.mark.parametrize("date", [JANUARY, FEBRUARY])
def test_from_the_version_iri_answers_from_that_release_only(client, date):
    query = LABEL_QUERY.replace("WHERE", f"FROM <{graph_iri(date)}> WHERE")
    assert values(ask(client, query)) == {LABELS[date]}


@pytest.mark.parametrize("date", [JANUARY, FEBRUARY])
def test_graph_with_the_version_iri_answers_from_that_release_only(client, date):
    query = f"SELECT ?label WHERE {{ GRAPH <{graph_iri(date)}> {{ <{PRP}> <{RDFS.label}> ?label }} }}"
    assert values(ask(client, query)) == {LABELS[date]}


def test_default_graph_uri_names_a_release_and_another_query_is_another_answer(client):
    january = client.get(
        "/sparql", query_string={"query": LABEL_QUERY, "default-graph-uri": graph_iri(JANUARY)}
    )
    february = client.get(
        "/sparql", query_string={"query": LABEL_QUERY, "default-graph-uri": graph_iri(FEBRUARY)}
    )
    assert values(january.get_json()) == {LABELS[JANUARY]}
    assert values(february.get_json()) == {LABELS[FEBRUARY]}
    assert february.headers["X-HairOnto-Cache"] == "miss"
    assert january.headers["ETag"] != february.headers["ETag"]


def test_each_release_graph_holds_exactly_its_file(client, releases):
    for date in (JANUARY, FEBRUARY):
        response = client.get(
            "/sparql",
            query_string={
                "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri(date)}> {{ ?s ?p ?o }} }}"
            },
            headers={"Accept": "application/n-triples"},
        )
        assert response.status_code == 200
        assert isomorphic(RdfGraph().parse(data=response.data, format="nt"), release_file(releases, date))


def test_no_blank_node_is_shared_between_a_release_and_the_current_graphs(client):
    # The files label their blank nodes alike (_:c14n0 ...): loaded as they are, a release's
    # restrictions would merge with the current ones.
    query = f"""SELECT ?b WHERE {{
        GRAPH <{graph_iri(JANUARY)}> {{ ?x ?p ?b }}
        GRAPH ?current {{ ?y ?q ?b }}
        FILTER (isBlank(?b) && ?current IN (<{ASSERTED_GRAPH}>, <{INFERRED_GRAPH}>))
    }}"""
    assert values(ask(client, query), "b") == set()


def test_the_release_header_is_only_in_its_graph(client):
    query = f"SELECT ?version WHERE {{ ?ontology <{OWL.versionIRI}> ?version }}"
    assert values(ask(client, query), "version") == set()  # the current fixture data has no stamp
    graph = f"SELECT ?version WHERE {{ GRAPH <{graph_iri(FEBRUARY)}> {{ ?o <{OWL.versionIRI}> ?version }} }}"
    assert values(ask(client, graph), "version") == {graph_iri(FEBRUARY)}


# -- entailment -----------------------------------------------------------------------------------


def test_an_entailment_regime_closes_the_current_data_and_leaves_releases_as_stored(client):
    # The closure is computed here (not the bundled release) from the default graph's files only.
    assert values(ask(client, LABEL_QUERY, entailment="rdfs")) == {str(CURRENT_LABEL)}
    # RDFS entailment rule rdfs4a: every subject is an rdfs:Resource, which no file says.
    entailed = f"ASK {{ <{PRP}> a <{RDFS.Resource}> }}"
    assert ask(client, entailed, entailment="rdfs")["boolean"] is True
    in_release = f"ASK {{ GRAPH <{graph_iri(JANUARY)}> {{ <{PRP}> a <{RDFS.Resource}> }} }}"
    assert ask(client, in_release, entailment="rdfs")["boolean"] is False
    stored = f"ASK {{ GRAPH <{graph_iri(JANUARY)}> {{ <{PRP}> <{RDFS.label}> ?l }} }}"
    assert ask(client, stored, entailment="owl-rl")["boolean"] is True


# -- described ------------------------------------------------------------------------------------


def test_the_service_description_lists_each_release_graph_with_its_size(client, releases):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    sd = RdfGraph().parse(data=response.data, format="turtle")
    (service,) = sd.subjects(RDF.type, SD.Service)
    # The default graph is no longer the union of every named graph.
    assert SD.UnionDefaultGraph not in set(sd.objects(service, SD.feature))
    for date in (JANUARY, FEBRUARY):
        (named,) = sd.subjects(SD.name, URIRef(graph_iri(date)))
        (described,) = sd.objects(named, SD.graph)
        assert sd.value(described, VOID.triples).toPython() == len(release_file(releases, date))
        assert sd.value(described, OWL.versionInfo) == Literal(date)


def test_health_counts_the_release_graphs(client, releases):
    graphs = client.get("/health").get_json()["graphs"]
    assert {iri: graphs[iri] for iri in (graph_iri(JANUARY), graph_iri(FEBRUARY))} == {
        graph_iri(date): len(release_file(releases, date)) for date in (JANUARY, FEBRUARY)
    }


# -- caching --------------------------------------------------------------------------------------


def test_the_answers_validators_change_with_the_published_releases(app, served, releases, tmp_path):
    fewer = tmp_path / "releases"
    write_release(fewer, JANUARY)
    other = make_app(served, fewer, BACKEND="memory:", QUERY_WORKERS=1)
    try:
        query = {"query": LABEL_QUERY.replace("WHERE", f"FROM <{graph_iri(JANUARY)}> WHERE")}
        here = app.test_client().get("/sparql", query_string=query)
        there = other.test_client().get("/sparql", query_string=query)
        assert here.get_json() == there.get_json()
        # Same answer, but another dataset: a cache must not take one for the other.
        assert here.headers["ETag"] != there.headers["ETag"]
        assert "2026-02-01" not in json.dumps(other.test_client().get("/health").get_json()["graphs"])
    finally:
        close_app(other)


# -- off, and the bundled release ----------------------------------------------------------------


def test_other_data_is_served_without_release_graphs_unless_asked(served, releases):
    application = make_app(served, releases, RELEASE_GRAPHS=None, QUERY_WORKERS=1)
    try:
        client = application.test_client()
        query = LABEL_QUERY.replace("WHERE", f"FROM <{graph_iri(JANUARY)}> WHERE")
        assert values(ask(client, query)) == set()
        assert graph_iri(JANUARY) not in client.get("/health").get_json()["graphs"]
    finally:
        close_app(application)


def test_the_bundled_release_serves_every_published_release_as_a_graph(bundled_app):
    client = bundled_app.test_client()
    published = published_releases()
    assert published and published[0].path.parent == releases_dir()
    for release in published:
        response = client.get(
            "/sparql",
            query_string={
                "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{release.version_iri}> {{ ?s ?p ?o }} }}"
            },
            headers={"Accept": "application/n-triples"},
        )
        # Through a pyoxigraph store, which keeps literals canonically ("2000.0"^^xsd:decimal as "2000").
        store = ox.Store()
        store.load(path=release.path / "haironto.owl", format=ox.RdfFormat.RDF_XML)
        document = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        expected = RdfGraph().parse(data=document, format="nt")
        assert isomorphic(RdfGraph().parse(data=response.data, format="nt"), expected)
    # The default graph is still the union of the asserted and inferred graphs, nothing more.
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = f"SELECT (COUNT(*) AS ?n) FROM <{ASSERTED_GRAPH}> FROM <{INFERRED_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert values(ask(client, count), "n") == values(ask(client, union), "n")


# -- over a real server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def release_server(
    served: DataFiles, releases: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`haironto serve` on the fixture data, the test releases named by the environment."""
    args = ["--workers", "1", "--ontology", str(served.asserted[0]), "--ontology-full", str(served.full[0])]
    env = {"HAIRONTO_RELEASES": str(releases), "HAIRONTO_RELEASE_GRAPHS": "true"}
    yield from start_server(tmp_path_factory.mktemp("release-server"), args, env)


def test_a_real_server_answers_from_the_release_a_query_names(release_server):
    for date, expected in ((JANUARY, {LABELS[JANUARY]}), (None, {str(CURRENT_LABEL)})):
        query = LABEL_QUERY.replace("WHERE", f"FROM <{graph_iri(date)}> WHERE") if date else LABEL_QUERY
        url = release_server + "/sparql?" + urllib.parse.urlencode({"query": query})
        with urllib.request.urlopen(url, timeout=15) as response:
            assert values(json.loads(response.read())) == expected
