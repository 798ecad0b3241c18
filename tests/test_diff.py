"""``haironto diff``: the semantic diff of two releases, on fixture pairs whose differences are known."""

from __future__ import annotations

import json

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from haironto.cli import main
from haironto.diff import diff_graphs
from haironto.namespaces import DEFINITION, TERM_REPLACED_BY
from tests.data import CELL, EXOSOME, MINI, NANOFAT, PRP, STEM_CELL, TREATMENT

NEW_TERM = URIRef("https://w3id.org/haironto/HAIRONTO_9000008")
CL_STEM_CELL = URIRef("http://purl.obolibrary.org/obo/CL_0000034")


def changed(mini: Graph) -> Graph:
    """mini.ttl with one change of every kind the diff reports."""
    new = Graph()
    for triple in mini:
        new.add(triple)
    # Added: a new class.
    new.add((NEW_TERM, RDF.type, OWL.Class))
    new.add((NEW_TERM, RDFS.label, Literal("growth factor", lang="en")))
    # Obsoleted, with a replacement: exosome (and its logical axioms gone, by policy).
    new.remove((EXOSOME, RDFS.label, None))
    new.add((EXOSOME, RDFS.label, Literal("obsolete exosome", lang="en")))
    new.add((EXOSOME, OWL.deprecated, Literal(True)))
    new.add((EXOSOME, TERM_REPLACED_BY, NEW_TERM))
    # Relabelled: treatment.
    new.remove((TREATMENT, RDFS.label, None))
    new.add((TREATMENT, RDFS.label, Literal("hair-loss treatment", lang="en")))
    # Definition changed: cell.
    new.remove((CELL, DEFINITION, None))
    new.add((CELL, DEFINITION, Literal("The smallest living unit.", lang="en")))
    # Axioms: PRP gains a restriction; nanofat loses its named parent.
    restriction = BNode()
    new.add((PRP, RDFS.subClassOf, restriction))
    new.add((restriction, RDF.type, OWL.Restriction))
    new.add((restriction, OWL.onProperty, URIRef("http://purl.obolibrary.org/obo/RO_0002180")))
    new.add((restriction, OWL.someValuesFrom, NEW_TERM))
    new.remove((NANOFAT, RDFS.subClassOf, TREATMENT))
    # Mapping changed: stem cell's exactMatch becomes a closeMatch.
    new.remove((STEM_CELL, SKOS.exactMatch, CL_STEM_CELL))
    new.add((STEM_CELL, SKOS.closeMatch, CL_STEM_CELL))
    return new


def test_a_graph_has_no_difference_with_itself_nor_with_a_reserialization(mini):
    assert diff_graphs(mini, mini).empty
    reparsed = Graph().parse(data=mini.serialize(format="xml"), format="xml")
    assert diff_graphs(mini, reparsed).empty


def test_every_kind_of_change_is_reported(mini):
    diff = diff_graphs(mini, changed(mini))
    assert [(t.id, t.label) for t in diff.added] == [("HAIRONTO:9000008", "growth factor")]
    assert diff.removed == ()
    assert [t.id for t in diff.obsoleted] == ["HAIRONTO:9000004"]
    assert diff.replaced_by == {"HAIRONTO:9000004": "HAIRONTO:9000008"}
    relabelled = {(c.id, c.old, c.new) for c in diff.relabelled}
    assert relabelled == {
        ("HAIRONTO:9000001", "treatment", "hair-loss treatment"),
        ("HAIRONTO:9000004", "exosome", "obsolete exosome"),
    }
    assert [(c.id, c.new) for c in diff.redefined] == [("HAIRONTO:9000002", "The smallest living unit.")]
    axioms = {d.id: (d.added, d.removed) for d in diff.axioms}
    assert axioms == {
        "HAIRONTO:9000006": ((), ("SubClassOf HAIRONTO:9000001",)),
        "HAIRONTO:9000007": (("SubClassOf (RO:0002180 some HAIRONTO:9000008)",), ()),
    }
    assert [(d.id, d.added, d.removed) for d in diff.mappings] == [
        ("HAIRONTO:9000003", ("skos:closeMatch CL:0000034",), ("skos:exactMatch CL:0000034",))
    ]


def test_a_removed_term_and_a_revived_one_are_reported(mini):
    new = Graph()
    for triple in mini:
        if triple[0] != PRP:
            new.add(triple)
    old = Graph()
    for triple in mini:
        old.add(triple)
    old.add((EXOSOME, OWL.deprecated, Literal(True)))
    diff = diff_graphs(old, new)
    assert [(t.id, t.label) for t in diff.removed] == [("HAIRONTO:9000007", "platelet rich plasma")]
    assert [t.id for t in diff.revived] == ["HAIRONTO:9000004"]


def test_blank_node_ids_and_operand_order_do_not_count_as_changes():
    template = """
        @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix H: <https://w3id.org/haironto/HAIRONTO_> .
        H:9000001 a owl:Class . H:9000002 a owl:Class . H:9000003 a owl:Class .
        H:9000003 owl:equivalentClass [ owl:intersectionOf ( {0} {1} ) ] .
        [] a owl:AllDisjointClasses ; owl:members ( {0} {1} ) .
    """
    old = Graph().parse(data=template.format("H:9000001", "H:9000002"), format="turtle")
    new = Graph().parse(data=template.format("H:9000002", "H:9000001"), format="turtle")
    assert diff_graphs(old, new).empty
    other = Graph().parse(data=template.format("H:9000002", "H:9000003"), format="turtle")
    assert not diff_graphs(old, other).empty


def test_cli_diff_writes_markdown_and_json(runner, mini, tmp_path):
    new_file = tmp_path / "new.ttl"
    changed(mini).serialize(new_file, format="turtle")
    markdown = runner.invoke(main, ["diff", str(MINI), str(new_file)])
    assert markdown.exit_code == 0, markdown.output
    assert "### Added terms\n\n- HAIRONTO:9000008 growth factor" in markdown.output
    assert "- HAIRONTO:9000004 obsolete exosome (replaced by HAIRONTO:9000008)" in markdown.output
    as_json = runner.invoke(main, ["diff", str(MINI), str(new_file), "--format", "json"])
    data = json.loads(as_json.output)
    assert data["counts"]["added"] == 1 and data["counts"]["obsoleted"] == 1
    assert data["added"] == [{"id": "HAIRONTO:9000008", "label": "growth factor"}]


def test_cli_diff_of_a_missing_file_is_one_line_and_exit_2(runner, tmp_path):
    result = runner.invoke(main, ["diff", str(MINI), str(tmp_path / "nope.ttl")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no such file" in result.stderr
