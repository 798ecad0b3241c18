"""Deprecation per OBO practice: the QC rules, the history rules against the previous release, and
following replacements (library function and curated query). The real ontology has no obsolete
term yet, so every case is a fixture built from mini.ttl."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from haironto.check import check_graph
from haironto.cli import main
from haironto.convert import to_oxigraph, to_quads
from haironto.deprecation import current_term
from haironto.errors import UnknownTermError
from haironto.namespaces import IAO, OBOINOWL, TERM_REPLACED_BY
from haironto.queries import get_query
from tests.data import CELL, EXOSOME, HAIRONTO_, MINI, NANOFAT, NANOFAT_CLAIM, PRP, STEM_CELL, TREATMENT

OBSOLESCENCE_REASON = IAO["0000231"]
TERMS_MERGED = IAO["0000227"]
DEPRECATION_RULES = {
    "deprecated-reference",
    "obsolete-logical-axiom",
    "obsolete-label",
    "obsolete-without-replacement",
    "deleted-id",
    "reused-id",
}


def copy(graph: Graph) -> Graph:
    new = Graph()
    for triple in graph:
        new.add(triple)
    return new


def obsolete(graph: Graph, term: URIRef, label: str, replaced_by: URIRef | None = None) -> Graph:
    """Obsolete a term by the policy: flag, prefixed label, no logical axioms, replacement, reason."""
    new = copy(graph)
    for predicate in (RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith):
        new.remove((term, predicate, None))
    new.remove((term, RDFS.label, None))
    new.add((term, RDFS.label, Literal(f"obsolete {label}", lang="en")))
    new.add((term, OWL.deprecated, Literal(True)))
    new.add((term, OBSOLESCENCE_REASON, TERMS_MERGED))
    if replaced_by is not None:
        new.add((term, TERM_REPLACED_BY, replaced_by))
    return new


def rules(graph: Graph, previous: Graph | None = None) -> set[tuple[str, str, str]]:
    return {
        (v.rule, v.subject, v.value)
        for v in check_graph(graph, previous=previous).violations
        if v.rule in DEPRECATION_RULES
    }


def test_the_fixture_and_a_term_obsoleted_by_the_policy_pass(mini):
    assert rules(mini) == set()
    # PRP is used by nothing else, so obsoleting it in favour of nanofat is clean.
    assert rules(obsolete(mini, PRP, "platelet rich plasma", NANOFAT), previous=mini) == set()


def test_an_obsolete_term_still_used_in_another_terms_axiom_fails(mini):
    # Stem cell is the filler of nanofat's and stem-cell-rich treatment's restrictions.
    graph = obsolete(mini, STEM_CELL, "stem cell", CELL)
    found = {(rule, subject) for rule, subject, _ in rules(graph)}
    assert ("deprecated-reference", "HAIRONTO:9000006") in found
    assert ("deprecated-reference", "HAIRONTO:9000005") in found


def test_an_obsolete_term_still_the_subject_of_a_claim_fails(mini):
    # The claim is about nanofat; obsoleting nanofat leaves the claim stale.
    graph = obsolete(mini, NANOFAT, "nanofat", TREATMENT)
    assert ("deprecated-reference", "HAIRONTO:9001001", "HAIRONTO:9000006") in rules(graph)


def test_an_obsolete_term_that_keeps_a_logical_axiom_fails(mini):
    graph = obsolete(mini, PRP, "platelet rich plasma", NANOFAT)
    graph.add((PRP, RDFS.subClassOf, TREATMENT))
    assert ("obsolete-logical-axiom", "HAIRONTO:9000007", "HAIRONTO:9000001") in rules(graph)
    restriction = BNode()
    graph = obsolete(mini, PRP, "platelet rich plasma", NANOFAT)
    graph.add((PRP, OWL.equivalentClass, restriction))
    graph.add((restriction, RDF.type, OWL.Restriction))
    graph.add((restriction, OWL.onProperty, URIRef("http://purl.obolibrary.org/obo/RO_0002180")))
    graph.add((restriction, OWL.someValuesFrom, CELL))
    assert {r[:2] for r in rules(graph)} == {("obsolete-logical-axiom", "HAIRONTO:9000007")}


def test_an_obsolete_label_without_the_prefix_fails(mini):
    graph = obsolete(mini, PRP, "platelet rich plasma", NANOFAT)
    graph.remove((PRP, RDFS.label, None))
    graph.add((PRP, RDFS.label, Literal("platelet rich plasma", lang="en")))
    assert rules(graph) == {("obsolete-label", "HAIRONTO:9000007", "platelet rich plasma@en")}


def test_an_obsolete_term_without_a_successor_is_a_warning(mini):
    graph = obsolete(mini, PRP, "platelet rich plasma")
    report = check_graph(graph)
    rows = [v for v in report.violations if v.rule == "obsolete-without-replacement"]
    assert [(v.level, v.subject, v.property) for v in rows] == [("WARN", "HAIRONTO:9000007", "IAO:0100001")]
    graph.add((PRP, OBOINOWL.consider, NANOFAT))
    assert rules(graph) == set()


def test_a_deleted_published_id_fails_against_the_previous_release(mini):
    graph = Graph()
    for triple in mini:
        if PRP not in triple:
            graph.add(triple)
    assert {r[:2] for r in rules(graph, previous=mini)} == {("deleted-id", "HAIRONTO:9000007")}
    assert rules(graph) == set(), "without the previous release the deletion cannot be seen"


def test_a_reused_id_fails_against_the_previous_release(mini):
    # PRP's ID turned into an object property: a new meaning for a published ID.
    graph = copy(mini)
    graph.remove((PRP, RDF.type, OWL.Class))
    graph.remove((PRP, RDFS.subClassOf, None))
    graph.add((PRP, RDF.type, OWL.ObjectProperty))
    found = rules(graph, previous=mini)
    assert {r[:2] for r in found} == {("reused-id", "HAIRONTO:9000007")}
    # An obsolete ID made live again.
    published = obsolete(mini, PRP, "platelet rich plasma", NANOFAT)
    assert {r[:2] for r in rules(mini, previous=published)} == {("reused-id", "HAIRONTO:9000007")}


def test_cli_check_compares_with_the_previous_release(runner, mini, tmp_path):
    graph = Graph()
    for triple in mini:
        if PRP not in triple:
            graph.add(triple)
    edit = tmp_path / "edit.ttl"
    graph.serialize(edit, format="turtle")
    assert runner.invoke(main, ["check", "--edit", str(edit)]).exit_code == 0
    result = runner.invoke(main, ["check", "--edit", str(edit), "--previous", str(MINI)])
    assert result.exit_code == 1
    assert "deleted-id\tHAIRONTO:9000007" in result.output


@pytest.fixture
def chain(mini) -> Graph:
    """exosome -> PRP -> nanofat: two obsolete terms, each replaced by the next."""
    graph = obsolete(mini, EXOSOME, "exosome", PRP)
    graph.remove((None, OWL.members, None))  # the disjointness axiom names exosome
    return obsolete(graph, PRP, "platelet rich plasma", NANOFAT)


def test_current_term_follows_replacements_transitively(chain):
    assert current_term(chain, "HAIRONTO:9000004") == NANOFAT
    assert current_term(chain, PRP) == NANOFAT
    assert current_term(chain, HAIRONTO_ + "9000006") == NANOFAT
    with pytest.raises(UnknownTermError):
        current_term(chain, "HAIRONTO:9999999")


def test_current_term_is_none_at_a_dead_end_or_a_loop(chain):
    dead_end = copy(chain)
    dead_end.remove((PRP, TERM_REPLACED_BY, None))
    assert current_term(dead_end, EXOSOME) is None
    loop = copy(chain)
    loop.remove((PRP, TERM_REPLACED_BY, None))
    loop.add((PRP, TERM_REPLACED_BY, EXOSOME))
    assert current_term(loop, EXOSOME) is None


@pytest.mark.parametrize("term", [EXOSOME, PRP, NANOFAT, NANOFAT_CLAIM])
def test_the_curated_query_follows_replacements_like_the_library(chain, term):
    store = ox.Store()
    store.extend(to_quads(chain))
    query = get_query("term-replacement")
    solutions = store.query(query.text, substitutions={ox.Variable("term"): to_oxigraph(term)})
    rows = [{v.value: s[v.value] for v in solutions.variables} for s in solutions]
    assert len(rows) == 1
    current = rows[0]["current"]
    expected = current_term(chain, term)
    assert (current.value if current is not None else None) == (str(expected) if expected else None)
    assert rows[0]["obsolete"].value == ("true" if term in (EXOSOME, PRP) else "false")


def test_the_real_ontology_has_no_obsolete_term_and_passes_the_deprecation_rules():
    from haironto.load import load_graph
    from haironto.resources import edit_file

    graph = load_graph(edit_file())
    assert not list(graph.subjects(OWL.deprecated, None))
    assert rules(graph) == set()
    assert str(MINI)  # the fixture file the other tests build on exists
