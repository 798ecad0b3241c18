"""Entailment per query: none, RDFS and OWL 2 RL closures, chosen by the 'entailment' parameter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from haironto.entailment import REGIMES, error_messages, materialize
from haironto.namespaces import HAIRONTO
from haironto.resources import service_dir
from haironto.server import close_app, create_app
from tests.data import DATA_DIR, NANOFAT, STEM_CELL_RICH_TREATMENT, TREATMENT

LAB = "https://example.org/lab#"
ENT = "http://www.w3.org/ns/entailment/"


@pytest.fixture(scope="module")
def lab_app(release) -> Iterator[Flask]:
    """The fixture release plus lab.ttl's individuals; closures computed at start-up."""
    application = create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in release.asserted],
            "DATA_FULL": [str(p) for p in release.full],
            "GRAPHS": {"https://example.org/lab": [str(DATA_DIR / "lab.ttl")]},
            "TIMEOUT": 5.0,
            # Users' data gets regimes only when it asks for them (see the default below).
            "ENTAILMENT": ["rdfs", "owl-rl"],
        }
    )
    yield application
    close_app(application)


def types(client, individual: str, entailment: str | None) -> set[str]:
    params = {"query": f"SELECT ?type {{ <{individual}> a ?type FILTER(isIRI(?type)) }}"}
    if entailment:
        params["entailment"] = entailment
    response = client.get(
        "/sparql", query_string=params, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["type"]["value"] for row in response.json["results"]["bindings"]}


def test_rdfs_inherits_types_through_subclass_of_where_simple_entailment_does_not(lab_app):
    client = lab_app.test_client()
    sample = LAB + "sample-1"
    assert types(client, sample, None) == {str(NANOFAT), str(OWL.NamedIndividual)}
    assert str(TREATMENT) in types(client, sample, "rdfs")
    assert str(TREATMENT) in types(client, sample, "owl-rl")


def test_owl_rl_classifies_through_some_values_from_and_equivalent_class(lab_app):
    client = lab_app.test_client()
    therapy = LAB + "therapy-1"
    assert str(STEM_CELL_RICH_TREATMENT) not in types(client, therapy, None)
    assert str(STEM_CELL_RICH_TREATMENT) not in types(client, therapy, "rdfs")
    assert str(STEM_CELL_RICH_TREATMENT) in types(client, therapy, "owl-rl")


def test_domains_type_the_subject_under_both_regimes(lab_app):
    client = lab_app.test_client()
    course = LAB + "course-1"
    assert types(client, course, None) == set()
    assert str(TREATMENT) in types(client, course, "rdfs")
    assert str(TREATMENT) in types(client, course, "owl-rl")


@pytest.mark.parametrize(
    ("name", "iri", "profile"),
    [
        (None, ENT + "Simple", None),
        ("none", ENT + "Simple", None),
        ("rdfs", ENT + "RDFS", None),
        ("owl-rl", ENT + "OWL-RDF-Based", "http://www.w3.org/ns/owl-profile/RL"),
    ],
)
def test_every_answer_names_the_regime_applied(lab_app, name, iri, profile):
    params = {"query": "ASK { ?s ?p ?o }", **({"entailment": name} if name else {})}
    response = lab_app.test_client().get("/sparql", query_string=params)
    assert response.status_code == 200
    assert response.headers["X-HairOnto-Entailment"] == iri
    assert response.headers.get("X-HairOnto-Entailment-Profile") == profile


def test_the_regime_is_read_from_a_posted_form_too(lab_app):
    response = lab_app.test_client().post("/sparql", data={"query": "ASK { ?s ?p ?o }", "entailment": "rdfs"})
    assert response.headers["X-HairOnto-Entailment"] == ENT + "RDFS"


def test_an_unknown_regime_is_400_listing_the_valid_ones(lab_app):
    response = lab_app.test_client().get("/sparql", query_string={"query": "ASK {}", "entailment": "owl-dl"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "owl-dl" in text and all(name in text for name in ("none", "rdfs", "owl-rl"))


def test_named_graphs_stay_as_stored_and_the_closure_has_its_own(lab_app):
    client = lab_app.test_client()
    query = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query, "entailment": "owl-rl"})
    graphs = {row["g"]["value"] for row in response.json["results"]["bindings"]}
    assert str(REGIMES["owl-rl"].graph) in graphs and "https://example.org/lab" in graphs


def test_the_service_description_lists_the_regimes_with_their_w3c_iris(lab_app):
    response = lab_app.test_client().get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    regimes = {str(o) for o in graph.objects(None, URIRef(sd + "entailmentRegime"))}
    assert {ENT + "Simple", ENT + "RDFS", ENT + "OWL-RDF-Based"} <= regimes
    profiles = {str(o) for o in graph.objects(None, URIRef(sd + "supportedEntailmentProfile"))}
    assert profiles == {"http://www.w3.org/ns/owl-profile/RL"}
    assert (None, URIRef(sd + "defaultEntailmentRegime"), URIRef(ENT + "Simple")) in graph


def test_owlrl_inconsistency_markers_are_surfaced(tmp_path, release):
    contradiction = tmp_path / "contradiction.ttl"
    contradiction.write_text(
        "<https://example.org/lab#x> a <https://w3id.org/haironto/HAIRONTO_9000002> , "
        "<https://w3id.org/haironto/HAIRONTO_9000004> .\n",  # cell and exosome are disjoint
        encoding="utf-8",
    )
    application = create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in release.asserted],
            "GRAPHS": {"https://example.org/lab": [str(contradiction)]},
            "ENTAILMENT": ["owl-rl"],
        }
    )
    try:
        client = application.test_client()
        response = client.get("/sparql", query_string={"query": "ASK {}", "entailment": "owl-rl"})
        assert int(response.headers["X-HairOnto-Entailment-Errors"]) >= 1
        query = "SELECT ?m { ?e a <http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage> ; ?p ?m FILTER(isLiteral(?m)) }"
        response = client.get("/sparql", query_string={"query": query, "entailment": "owl-rl"})
        assert response.json["results"]["bindings"], "the error message is queryable"
        description = client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
        assert "disjoint" in description.lower() or "owl-rl" in description.lower()
        rejected = client.get("/sparql", query_string={"query": "ASK {}", "entailment": "rdfs"})
        assert rejected.status_code == 400  # not offered by this configuration
    finally:
        close_app(application)


def test_materialize_returns_owlrl_error_messages():
    graph = Graph()
    thing = URIRef("https://example.org/lab#x")
    graph.add((HAIRONTO["a"], OWL.disjointWith, HAIRONTO["b"]))
    graph.add((thing, RDF.type, HAIRONTO["a"]))
    graph.add((thing, RDF.type, HAIRONTO["b"]))
    closure = materialize(graph, "owl-rl")
    assert closure.errors and closure.errors == error_messages(closure.graph)
    assert materialize(graph, "rdfs").errors == ()  # RDFS has no way to say false


def test_bundled_release_claims_are_information_entities_under_rdfs(bundled_app):
    client = bundled_app.test_client()
    query = (
        "SELECT (COUNT(DISTINCT ?claim) AS ?n) { ?claim a <https://w3id.org/haironto/HAIRONTO_0000400> . "
        "?claim a <https://w3id.org/haironto/HAIRONTO_0000401> }"
    )
    counts = {}
    for regime in ("none", "rdfs", "owl-rl"):
        response = client.get("/sparql", query_string={"query": query, "entailment": regime})
        counts[regime] = int(response.json["results"]["bindings"][0]["n"]["value"])
    claims = len(
        set(
            Graph()
            .parse(service_dir().parent / "haironto-base.ttl")
            .subjects(RDF.type, HAIRONTO["HAIRONTO_0000401"])
        )
    )
    assert counts == {"none": 0, "rdfs": claims, "owl-rl": claims} and claims > 50


def test_the_committed_closures_contain_the_release_and_more():
    release = Graph().parse(service_dir().parent / "haironto.ttl")
    for name in ("rdfs", "owl-rl"):
        closure = Graph().parse(REGIMES[name].closure_file())
        named = {t for t in release if not any(isinstance(term, type(None)) for term in t)}
        assert len(closure) > len(release)
        subclass = (HAIRONTO["HAIRONTO_0000401"], RDFS.subClassOf, HAIRONTO["HAIRONTO_0000400"])
        assert subclass in closure and subclass in named


def test_the_answer_cache_and_etags_keep_regimes_apart(lab_app):
    # The same query text under two regimes is two different answers: neither may be served
    # from the other's cache entry or revalidated with the other's ETag.
    client = lab_app.test_client()
    query = {"query": f"SELECT ?type {{ <{LAB}sample-1> a ?type }}"}
    accept = {"Accept": "application/sparql-results+json"}
    simple = client.get("/sparql", query_string=query, headers=accept)
    again = client.get("/sparql", query_string=query, headers=accept)
    rdfs = client.get("/sparql", query_string={**query, "entailment": "rdfs"}, headers=accept)
    assert again.headers["X-HairOnto-Cache"] == "hit"
    assert rdfs.headers["X-HairOnto-Cache"] == "miss"
    assert rdfs.json != simple.json
    assert rdfs.headers["ETag"] != simple.headers["ETag"]
    revalidated = client.get(
        "/sparql",
        query_string={**query, "entailment": "rdfs"},
        headers={**accept, "If-None-Match": simple.headers["ETag"]},
    )
    assert revalidated.status_code == 200


def test_users_data_offers_no_regime_unless_asked(release):
    # owlrl takes minutes on 10^5 triples: closing users' data at start-up is opt-in.
    from haironto.server.entailment import offered_regimes

    users = {"DATA": [str(p) for p in release.asserted], "DATA_FULL": [str(p) for p in release.full]}
    assert offered_regimes(users) == []
    assert offered_regimes({**users, "ENTAILMENT": ["rdfs"]}) == ["rdfs"]
    assert offered_regimes({}) == ["rdfs", "owl-rl"], "the bundled release has its closures built"
