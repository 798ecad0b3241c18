"""GET /sparql without a query describes the service (SPARQL 1.1 Service Description).

Covers the W3C service-description manifest: returns-rdf, has-endpoint-triple and
conforms-to-schema (every sd: term used is one the vocabulary defines, with values of the
right kind).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib import Graph as RdfGraph
from rdflib.namespace import DCTERMS, OWL, VOID

from haironto.dataset import DataFiles
from haironto.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, SERVICE
from tests.conftest import INFERRED_TTL, MAX_BODY, MAX_ROWS, TIMEOUT, VERSION_IRI
from tests.transport import Reply, Transport

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: The terms the SPARQL 1.1 Service Description vocabulary defines (W3C Recommendation, section 3).
SD_TERMS = {
    *("Service", "Feature", "Language", "Function", "Aggregate", "EntailmentRegime"),
    *("EntailmentProfile", "GraphCollection", "Dataset", "Graph", "NamedGraph"),
    *("endpoint", "feature", "defaultEntailmentRegime", "defaultSupportedEntailmentProfile"),
    *("supportedEntailmentProfile", "entailmentRegime", "extensionFunction", "extensionAggregate"),
    *("languageExtension", "supportedLanguage", "propertyFeature", "defaultDataset"),
    *("availableGraphs", "resultFormat", "inputFormat", "defaultGraph", "namedGraph", "name", "graph"),
    *("SPARQL10Query", "SPARQL11Query", "SPARQL11Update", "DereferencesURIs", "UnionDefaultGraph"),
    *("RequiresDataset", "EmptyGraphs", "BasicFederatedQuery"),
}


def description(reply: Reply, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> RdfGraph:
    assert reply.status == 200, reply.text
    triples = [quad.triple for quad in ox.parse(reply.body, format=fmt)]
    return RdfGraph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


@pytest.fixture
def sd(http: Transport) -> RdfGraph:
    return description(http.get())


def the_service(sd: RdfGraph):
    [service] = sd.subjects(RDF.type, SD.Service)
    return service


def test_returns_rdf_as_turtle_by_default(http: Transport):
    reply = http.get()
    assert reply.mimetype == "text/turtle"
    assert len(description(reply)) > 0


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", ox.RdfFormat.RDF_XML),
    ],
)
def test_returns_rdf_in_the_format_asked_for(http: Transport, sd: RdfGraph, media_type, fmt):
    reply = http.get(headers={"Accept": media_type})
    assert description(reply, fmt).isomorphic(sd)


def test_has_an_endpoint_triple_with_the_request_url(http: Transport, sd: RdfGraph):
    assert list(sd.objects(the_service(sd), SD.endpoint)) == [URIRef(http.endpoint)]


def test_conforms_to_the_vocabulary(sd: RdfGraph):
    used = {term for triple in sd for term in triple if isinstance(term, URIRef) and term.startswith(SD)}
    assert {str(term)[len(SD) :] for term in used} <= SD_TERMS
    for predicate in (
        SD.endpoint,
        SD.resultFormat,
        SD.name,
        SD.supportedLanguage,
        SD.defaultEntailmentRegime,
    ):
        assert all(isinstance(value, URIRef) for value in sd.objects(None, predicate)), predicate
    assert all(value.datatype is not None for value in sd.objects(None, VOID.triples))


def test_languages_formats_and_entailment(sd: RdfGraph):
    service = the_service(sd)
    assert set(sd.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    expected = {
        *(FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV),
        *(FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["N-Triples"], FORMATS.RDF_XML),
        FORMATS["JSON-LD"],
    }
    assert set(sd.objects(service, SD.resultFormat)) == expected
    # Nothing is inferred at query time; the inferred triples are materialized, and the description says so.
    assert set(sd.objects(service, SD.defaultEntailmentRegime)) == {ENTAILMENT.Simple}
    assert "materialized" in str(sd.value(service, RDFS.comment))
    assert SD.UnionDefaultGraph in set(sd.objects(service, SD.feature))
    assert SD.BasicFederatedQuery not in set(sd.objects(service, SD.feature))


def test_dataset_graphs_with_triple_counts(sd: RdfGraph, release: DataFiles):
    asserted = len(RdfGraph().parse(release.asserted[0]))
    inferred = len(RdfGraph().parse(data=INFERRED_TTL, format="nt"))
    dataset = sd.value(the_service(sd), SD.defaultDataset)
    default = sd.value(dataset, SD.defaultGraph)
    assert sd.value(default, VOID.triples).toPython() == asserted + inferred
    counts = {
        str(sd.value(named, SD.name)): sd.value(sd.value(named, SD.graph), VOID.triples).toPython()
        for named in sd.objects(dataset, SD.namedGraph)
    }
    assert counts == {str(ASSERTED_GRAPH): asserted, str(INFERRED_GRAPH): inferred}


def test_license_title_and_version_come_from_the_ontology_header(sd: RdfGraph, release: DataFiles):
    header = RdfGraph().parse(release.asserted[0])
    ontology = next(header.subjects(RDF.type, OWL.Ontology))
    dataset = sd.value(the_service(sd), SD.defaultDataset)
    assert sd.value(dataset, DCTERMS.license) == header.value(ontology, DCTERMS.license)
    assert str(sd.value(dataset, DCTERMS.title)) == str(header.value(ontology, DCTERMS.title))
    assert sd.value(dataset, OWL.versionIRI) == URIRef(VERSION_IRI)
    assert sd.value(dataset, OWL.versionInfo) == Literal("2026-11-25")


def test_limits_are_described(sd: RdfGraph):
    service = the_service(sd)
    assert sd.value(service, SERVICE.queryTimeout).toPython() == TIMEOUT
    assert sd.value(service, SERVICE.resultRowLimit).toPython() == MAX_ROWS
    assert sd.value(service, SERVICE.maxRequestBodySize).toPython() == MAX_BODY


def test_browsers_get_a_page(http: Transport, release: DataFiles):
    reply = http.get(headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert reply.status == 200 and reply.mimetype == "text/html"
    header = RdfGraph().parse(release.asserted[0])
    assert str(next(header.objects(None, DCTERMS.title))) in reply.text


def test_unacceptable_description_format_is_406(http: Transport):
    reply = http.get(headers={"Accept": "image/png"})
    assert reply.status == 406 and "text/turtle" in reply.text
