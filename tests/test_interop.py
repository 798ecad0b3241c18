"""Interoperability: every release artifact parses in rdflib, pyoxigraph, owlready2, py-horned-owl and
Raptor's ``rapper``, and the OWL files are in the OWL 2 DL profile by two independent checkers
(py-horned-owl's and the OWL API's ``OWL2DLProfile``, the one ROBOT's ``validate-profile`` runs).

Where a parser has no reader for a format, the test says so instead of skipping: owlready2 reads
RDF/XML and N-Triples only, Raptor 2 has no JSON-LD parser (its ``json`` is RDF/JSON).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import owlready2
import pyhornedowl
import pyoxigraph as ox
import pytest
from pyhornedowl import profile
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from haironto.artifacts import ARTIFACTS, EXPORT_FORMATS
from haironto.namespaces import CLAIM_RELATION
from haironto.owlapi import dl_profile_violations
from haironto.releases import published_releases
from haironto.resources import ontology_dir
from tests.data import MINI

FOLDERS = [ontology_dir(), *(r.path for r in published_releases())]
FILES = [folder / f"{a.name}.{suffix}" for folder in FOLDERS for a in ARTIFACTS for suffix in EXPORT_FORMATS]
OWL_FILES = [f for f in FILES if f.suffix == ".owl"]
OX_FORMATS = {".owl": ox.RdfFormat.RDF_XML, ".ttl": ox.RdfFormat.TURTLE, ".jsonld": ox.RdfFormat.JSON_LD}
ARTIFACT_IRIS = {a.name: str(a.ontology_iri) for a in ARTIFACTS}
RAPTOR_PARSERS = {".owl": "rdfxml", ".ttl": "turtle"}  # Raptor 2 cannot read JSON-LD


def ids(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def rdflib_count(path: Path) -> int:
    return len(Graph().parse(path))


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_rdflib_and_pyoxigraph_read_the_same_triples(path):
    store = ox.Store()
    store.load(path=str(path), format=OX_FORMATS[path.suffix])
    assert len(store) == rdflib_count(path) > 2000


@pytest.mark.parametrize("path", [f for f in FILES if f.suffix in RAPTOR_PARSERS], ids=ids)
def test_rapper_reads_every_rdfxml_and_turtle_artifact(path):
    rapper = shutil.which("rapper")
    assert rapper, "Raptor's rapper is missing: apt-get install raptor2-utils (.ci/run installs it)"
    result = subprocess.run(
        [rapper, "--count", "-i", RAPTOR_PARSERS[path.suffix], str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    counted = re.search(r"returned (\d+) triples", result.stderr)
    assert counted and int(counted.group(1)) == rdflib_count(path)
    assert "error" not in result.stderr.lower() and "warning" not in result.stderr.lower(), result.stderr


@pytest.mark.parametrize("path", OWL_FILES, ids=ids)
def test_owlready2_reads_every_rdfxml_artifact(path):
    world = owlready2.World()
    try:
        onto = world.get_ontology(path.as_uri()).load()
        graph = Graph().parse(path)
        classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
        assert {c.iri for c in onto.classes()} == {str(c) for c in classes}
        assert len(list(onto.individuals())) == len(set(graph.subjects(RDF.type, OWL.NamedIndividual)))
    finally:
        world.close()


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_py_horned_owl_reads_every_artifact_to_the_same_axioms(path):
    ontology = pyhornedowl.open_ontology_from_file(str(path))
    reference = pyhornedowl.open_ontology_from_file(str(path.with_suffix(".owl")))
    assert len(ontology.get_axioms()) == len(reference.get_axioms()) > 2000
    assert str(ontology.get_iri()) == str(reference.get_iri()) == ARTIFACT_IRIS[path.stem]


@pytest.mark.parametrize("path", OWL_FILES, ids=ids)
def test_the_owl_files_are_in_the_owl2_dl_profile_by_py_horned_owl(path):
    report = profile.check_profile(pyhornedowl.open_ontology_from_file(str(path)), "DL")
    assert report.conformant, [v.message for v in report.violations][:10]


@pytest.mark.parametrize("path", OWL_FILES, ids=ids)
def test_the_owl_files_are_in_the_owl2_dl_profile_by_the_owl_api(path):
    assert dl_profile_violations(Graph().parse(path)) == []


def test_both_profile_checkers_catch_a_dl_violation(mini):
    # A property both object and data property is illegal punning in OWL 2 DL.
    punned = URIRef("http://purl.obolibrary.org/obo/RO_0002180")
    mini.add((punned, RDF.type, OWL.DatatypeProperty))
    kinds = {v.kind for v in dl_profile_violations(mini)}
    assert "UseOfIllegalPunning" in kinds or any("Punning" in k for k in kinds), kinds
    text = mini.serialize(format="xml")
    report = profile.check_profile(pyhornedowl.open_ontology_from_string(text, "owl"), "DL")
    assert not report.conformant
    assert any(type(v).__name__ == "UseOfIllegalPunning" for v in report.violations)
    assert str(MINI)


def test_claim_relations_that_are_rdfs_or_owl_iris_stay_annotation_values():
    # Claims say "PRP rdfs:subClassOf growth-factor-rich treatment" with rdfs:subClassOf as the value
    # of the annotation property "claim relation". An IRI as an annotation value is no use of
    # reserved vocabulary as an entity, so the DL checkers accept it; this pins that they also
    # keep every such annotation rather than dropping or reinterpreting it.
    graph = Graph().parse(ontology_dir() / "haironto.owl")
    claims = set(graph.subject_objects(CLAIM_RELATION))
    reserved = {
        value
        for _, value in claims
        if str(value).startswith((str(OWL), "http://www.w3.org/2000/01/rdf-schema#"))
    }
    assert reserved == {
        URIRef(str(OWL) + "disjointWith"),
        URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
    }
    ontology = pyhornedowl.open_ontology_from_file(str(ontology_dir() / "haironto.owl"))
    annotations = set()
    for axiom in ontology.get_axioms():
        component = axiom.component
        if type(component).__name__ == "AnnotationAssertion" and str(component.ann.ap.first) == str(
            CLAIM_RELATION
        ):
            annotations.add((str(component.subject), str(component.ann.av)))
    assert annotations == {(str(s), str(o)) for s, o in claims}
