"""Release artifacts: the table, the content of each, the stamped header, the inferred-only triples."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from haironto.artifacts import ARTIFACTS, EXPORT_FORMATS, artifact_graph, inferred_triples, release_date
from haironto.errors import HairOntoError, OntologyLoadError
from haironto.namespaces import ONTOLOGY_IRI
from haironto.writers import WRITERS
from tests.data import NANOFAT, STEM_CELL_RICH_TREATMENT

BY_NAME = {artifact.name: artifact for artifact in ARTIFACTS}
RELEASES = "https://w3id.org/haironto/releases/"


@pytest.fixture
def inferred() -> Graph:
    graph = Graph()
    graph.add((NANOFAT, RDFS.subClassOf, STEM_CELL_RICH_TREATMENT))
    return graph


def header(graph: Graph) -> URIRef:
    [iri] = graph.subjects(RDF.type, OWL.Ontology)
    return iri


def test_the_release_is_base_full_and_primary_in_three_formats():
    assert set(BY_NAME) == {"haironto-base", "haironto-full", "haironto"}
    assert set(EXPORT_FORMATS) == {"owl", "ttl", "jsonld"}
    assert set(EXPORT_FORMATS) <= set(WRITERS)
    # The primary release is the full one under the ontology's own IRI (the ODK's default).
    assert BY_NAME["haironto"].content == BY_NAME["haironto-full"].content == "full"
    assert BY_NAME["haironto"].ontology_iri == ONTOLOGY_IRI


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_header_is_stamped_from_the_version(mini, inferred, name):
    graph = artifact_graph(mini, inferred, BY_NAME[name], "2027.1.5")
    iri = header(graph)
    assert iri == URIRef(f"https://w3id.org/haironto/{name}.owl")
    assert set(graph.objects(iri, OWL.versionIRI)) == {URIRef(f"{RELEASES}2027-01-05/{name}.owl")}
    assert set(graph.objects(iri, OWL.versionInfo)) == {Literal("2027-01-05")}
    assert set(graph.objects(iri, DCTERMS.modified)) == {Literal("2027-01-05", datatype=XSD.date)}
    # The rest of the header comes from the source.
    assert set(graph.objects(iri, DCTERMS.title)) == set(mini.objects(ONTOLOGY_IRI, DCTERMS.title))


def test_a_stamp_in_the_source_is_replaced(mini, inferred):
    mini.add((ONTOLOGY_IRI, OWL.versionIRI, URIRef(RELEASES + "2020-01-01/haironto.owl")))
    mini.add((ONTOLOGY_IRI, OWL.versionInfo, Literal("2020-01-01")))
    graph = artifact_graph(mini, inferred, BY_NAME["haironto"], "2026.11.25")
    assert set(graph.objects(ONTOLOGY_IRI, OWL.versionIRI)) == {URIRef(RELEASES + "2026-11-25/haironto.owl")}
    assert len(set(graph.objects(ONTOLOGY_IRI, OWL.versionInfo))) == 1


def test_base_holds_asserted_axioms_only(mini, inferred):
    base = artifact_graph(mini, inferred, BY_NAME["haironto-base"], "2026.11.25")
    full = artifact_graph(mini, inferred, BY_NAME["haironto-full"], "2026.11.25")
    axiom = (NANOFAT, RDFS.subClassOf, STEM_CELL_RICH_TREATMENT)
    assert axiom not in base
    assert axiom in full
    assert len(full) == len(base) + 1


def test_the_source_graph_is_left_alone(mini, inferred):
    before = len(mini)
    artifact_graph(mini, inferred, BY_NAME["haironto-full"], "2026.11.25")
    assert len(mini) == before
    assert header(mini) == ONTOLOGY_IRI


def test_inferred_triples_are_full_minus_base_across_formats(mini, inferred, tmp_path):
    base = artifact_graph(mini, inferred, BY_NAME["haironto-base"], "2026.11.25")
    full = artifact_graph(mini, inferred, BY_NAME["haironto-full"], "2026.11.25")
    # Loaded back from different formats: blank-node IDs differ, ontology IRIs differ.
    base_back = Graph().parse(WRITERS["ttl"].dump(base, tmp_path / "base.ttl"))
    full_back = Graph().parse(WRITERS["owl"].dump(full, tmp_path / "full.owl"))
    assert isomorphic(inferred_triples(full_back, base_back), inferred)


def test_no_ontology_header_is_a_load_error(inferred):
    with pytest.raises(OntologyLoadError, match="expected one owl:Ontology"):
        artifact_graph(Graph(), inferred, ARTIFACTS[0], "2026.11.25")


def test_a_version_that_is_not_a_date_is_refused():
    with pytest.raises(HairOntoError, match="not a CalVer date"):
        release_date("0+unknown")
