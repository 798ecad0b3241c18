"""Justifications by Pellet's explanation service, for real on the JVM, rendered with labels."""

from __future__ import annotations

import functools
import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from haironto.cli import main
from haironto.explain import INCONSISTENCY, axiom_text, explain
from haironto.namespaces import HAIRONTO
from haironto.reason import reason
from haironto.resources import edit_file
from tests.data import CELL, EXOSOME

pytestmark = pytest.mark.reasoner

# Terms of the real ontology.
REAL_CELL = HAIRONTO["HAIRONTO_0000100"]
BIOACTIVE_AGENT = HAIRONTO["HAIRONTO_0000200"]
VESICLE = HAIRONTO["HAIRONTO_0000208"]
REAL_EXOSOME = HAIRONTO["HAIRONTO_0000209"]
SAMPLE = URIRef("https://example.org/lab#sample-17")


@functools.cache
def _edit() -> Graph:
    return Graph().parse(edit_file())


def edited(*triples) -> Graph:
    graph = Graph()
    for triple in _edit():
        graph.add(triple)
    for triple in triples:
        graph.add(triple)
    return graph


def functional(justification) -> set[str]:
    return {axiom.functional for axiom in justification}


def texts(justification) -> set[str]:
    return {axiom.text for axiom in justification}


def test_exosome_as_a_cell_is_explained_by_the_disjointness_and_the_subclass_chain():
    graph = edited((REAL_EXOSOME, RDFS.subClassOf, REAL_CELL))
    [explanation] = explain(graph, inconsistent=False, unsatisfiable=[str(REAL_EXOSOME)])
    assert explanation.target == str(REAL_EXOSOME) and explanation.label == "exosome"
    justifications = {frozenset(functional(j)) for j in explanation.justifications}
    # The two ways the ontology separates cells from exosomes, each a minimal set of axioms:
    # cell and extracellular vesicle are disjoint, and so are cell and bioactive agent.
    direct = {
        f"SubClassOf(<{REAL_EXOSOME}> <{REAL_CELL}>)",
        f"SubClassOf(<{REAL_EXOSOME}> <{VESICLE}>)",
        f"DisjointClasses(<{REAL_CELL}> <{VESICLE}>)",
    }
    assert direct in justifications
    via_agent = [j for j in justifications if f"SubClassOf(<{VESICLE}> <{BIOACTIVE_AGENT}>)" in j]
    assert len(via_agent) == 1 and len(via_agent[0]) == 4
    # By label, as a person reads them.
    [shortest, *_] = explanation.justifications
    assert texts(shortest) == {
        "exosome SubClassOf cell",
        "exosome SubClassOf extracellular vesicle",
        "cell DisjointWith extracellular vesicle",
    }
    entities = {pair for axiom in shortest for pair in axiom.entities}
    assert (str(VESICLE), "extracellular vesicle") in entities


def test_an_individual_that_is_an_exosome_and_a_cell_is_explained():
    graph = edited(
        (SAMPLE, RDF.type, OWL.NamedIndividual),
        (SAMPLE, RDF.type, REAL_EXOSOME),
        (SAMPLE, RDF.type, REAL_CELL),
        (SAMPLE, RDFS.label, Literal("sample 17", lang="en")),
    )
    [explanation] = explain(graph, inconsistent=True)
    assert explanation.target == INCONSISTENCY
    assert any(
        functional(j)
        == {
            f"ClassAssertion(<{REAL_EXOSOME}> <{SAMPLE}>)",
            f"ClassAssertion(<{REAL_CELL}> <{SAMPLE}>)",
            f"SubClassOf(<{REAL_EXOSOME}> <{VESICLE}>)",
            f"DisjointClasses(<{REAL_CELL}> <{VESICLE}>)",
        }
        for j in explanation.justifications
    )
    assert "sample 17 Type exosome" in texts(explanation.justifications[0])


def test_a_consistent_ontology_needs_no_explanation(mini):
    assert explain(mini, inconsistent=False, unsatisfiable=[]) == []
    assert reason(mini, "hermit", explain_problems=True).explanations == ()


@pytest.mark.parametrize("reasoner", ["hermit", "pellet"])
def test_reason_adds_the_explanations_to_its_report(mini, reasoner):
    mini.add((EXOSOME, RDFS.subClassOf, CELL))  # exosome and cell are disjoint in mini.ttl
    report = reason(mini, reasoner, explain_problems=True, max_justifications=1)
    [explanation] = report.explanations
    assert functional(explanation.justifications[0]) == {
        f"SubClassOf(<{EXOSOME}> <{CELL}>)",
        f"DisjointClasses(<{CELL}> <{EXOSOME}>)",
    }
    assert "cell DisjointWith exosome" in report.to_text()


def test_cli_prints_the_justification_by_label_and_as_json(runner, mini, tmp_path):
    path = tmp_path / "unsat.ttl"
    mini.add((EXOSOME, RDFS.subClassOf, CELL))
    mini.serialize(path, format="turtle")
    result = runner.invoke(main, ["reason", "--ontology", str(path), "--reasoner", "hermit"])
    assert result.exit_code == 1
    assert f"why exosome <{EXOSOME}> is unsatisfiable" in result.stdout
    assert "      exosome SubClassOf cell\n" in result.stdout
    result = runner.invoke(main, ["reason", "--ontology", str(path), "--reasoner", "pellet", "--json"])
    [report] = json.loads(result.stdout)
    [explanation] = report["explanations"]
    assert explanation["target"] == str(EXOSOME)
    axioms = {axiom["text"] for axiom in explanation["justifications"][0]}
    assert axioms == {"exosome SubClassOf cell", "cell DisjointWith exosome"}
    result = runner.invoke(main, ["reason", "--ontology", str(path), "--reasoner", "hermit", "--no-explain"])
    assert result.exit_code == 1 and "why exosome" not in result.stdout


@pytest.mark.parametrize(
    ("turtle", "expected"),
    [
        (
            "<urn:a> rdfs:subClassOf [ a owl:Restriction ; owl:onProperty <urn:p> ; owl:someValuesFrom <urn:b> ] .",
            "a SubClassOf p some b",
        ),
        ("<urn:i> <urn:p> <urn:j> .", "i p j"),
        ("<urn:p> a owl:ObjectProperty , owl:TransitiveProperty .", "p Characteristics: Transitive"),
        ("<urn:p> rdfs:domain <urn:a> .", "p Domain a"),
        (
            "[ a owl:Class ; owl:unionOf ( <urn:a> <urn:b> ) ] rdfs:subClassOf <urn:c> .",
            "a or b SubClassOf c",
        ),
    ],
)
def test_axioms_render_in_a_manchester_like_syntax(turtle, expected):
    prefixes = (
        "@prefix owl: <http://www.w3.org/2002/07/owl#> . "
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
    )
    graph = Graph().parse(data=prefixes + turtle, format="turtle")
    assert axiom_text(graph, lambda iri: iri.removeprefix("urn:")) == expected
