"""The QC report: mini.ttl conforms; each rule catches a graph built to break it."""

from __future__ import annotations

import json
import shutil

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from haironto.check import PYTHON_RULES, ReferenceTables, check, check_graph
from haironto.cli import main
from haironto.errors import OntologyLoadError, QueryError
from haironto.queries import LEVELS, load_catalogue
from haironto.resources import ontology_dir, queries_dir
from tests.data import MINI

PREFIXES = """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix HAIRONTO: <https://w3id.org/haironto/HAIRONTO_> .
"""

# (what is added to mini.ttl, the rule it breaks, the subject the report must name)
BROKEN = {
    "no label at all": (
        'HAIRONTO:9000099 a owl:Class ; obo:IAO_0000115 "A thing."@en .',
        "missing-label",
        "HAIRONTO:9000099",
    ),
    "only an untagged label": (
        'HAIRONTO:9000099 a owl:Class ; rdfs:label "thing" ; obo:IAO_0000115 "A thing."@en .',
        "missing-label",
        "HAIRONTO:9000099",
    ),
    "claim without label": (
        "HAIRONTO:9001002 a owl:NamedIndividual , HAIRONTO:0000401 .",
        "missing-label",
        "HAIRONTO:9001002",
    ),
    "two English labels": (
        'HAIRONTO:9000001 rdfs:label "therapy"@en .',
        "multiple-labels",
        "HAIRONTO:9000001",
    ),
    "label shared, other case": (
        'HAIRONTO:9000099 a owl:Class ; rdfs:label "Stem Cell"@en ; obo:IAO_0000115 "A copy."@en .',
        "duplicate-label",
        "HAIRONTO:9000003",
    ),
    "label shared, the newcomer": (
        'HAIRONTO:9000099 a owl:Class ; rdfs:label "Stem Cell"@en ; obo:IAO_0000115 "A copy."@en .',
        "duplicate-label",
        "HAIRONTO:9000099",
    ),
    "class without definition": (
        'HAIRONTO:9000099 a owl:Class ; rdfs:label "thing"@en .',
        "missing-definition",
        "HAIRONTO:9000099",
    ),
    "property without definition": (
        'HAIRONTO:0000699 a owl:ObjectProperty ; rdfs:label "relates to"@en .',
        "missing-definition",
        "HAIRONTO:0000699",
    ),
    "label in Spanish": ('HAIRONTO:9000002 rdfs:label "célula"@es .', "label-language", "HAIRONTO:9000002"),
    "ID too short": (
        '<https://w3id.org/haironto/HAIRONTO_12> a owl:Class ; rdfs:label "short"@en .',
        "malformed-id",
        "https://w3id.org/haironto/HAIRONTO_12",
    ),
    "name instead of ID": (
        "HAIRONTO:9000006 rdfs:seeAlso <https://w3id.org/haironto/nanofat> .",
        "malformed-id",
        "https://w3id.org/haironto/nanofat",
    ),
    "class also a property": ("HAIRONTO:9000001 a owl:ObjectProperty .", "punned-id", "HAIRONTO:9000001"),
    "undeclared parent": (
        "HAIRONTO:9000007 rdfs:subClassOf HAIRONTO:9000098 .",
        "dangling-reference",
        "HAIRONTO:9000007",
    ),
    "undeclared filler inside a restriction": (
        "HAIRONTO:9000007 rdfs:subClassOf [ a owl:Restriction ; owl:onProperty obo:RO_0002180 ;"
        " owl:someValuesFrom HAIRONTO:9000098 ] .",
        "dangling-reference",
        "HAIRONTO:9000007",
    ),
    "undeclared term with axioms of its own": (
        "HAIRONTO:9000099 rdfs:subClassOf HAIRONTO:9000002 .",
        "dangling-reference",
        "HAIRONTO:9000099",
    ),
    "undeclared claim object": (
        "HAIRONTO:9001001 HAIRONTO:0000603 HAIRONTO:9000098 .",
        "dangling-reference",
        "HAIRONTO:9001001",
    ),
    "deprecated parent": (
        "HAIRONTO:9000004 owl:deprecated true . HAIRONTO:9000007 rdfs:subClassOf HAIRONTO:9000004 .",
        "deprecated-reference",
        "HAIRONTO:9000007",
    ),
    "deprecated filler inside a restriction": (
        "HAIRONTO:9000003 owl:deprecated true .",
        "deprecated-reference",
        "HAIRONTO:9000006",
    ),
    "claim about a deprecated term": (
        "HAIRONTO:9000006 owl:deprecated true .",
        "deprecated-reference",
        "HAIRONTO:9001001",
    ),
    "mapping not in the table": (
        "HAIRONTO:9000002 skos:exactMatch obo:CL_9999999 .",
        "xref-unknown",
        "HAIRONTO:9000002",
    ),
    "mapping only verified=no": (
        "HAIRONTO:9000004 skos:exactMatch <http://id.nlm.nih.gov/mesh/D055354> .",
        "xref-unverified",
        "HAIRONTO:9000004",
    ),
    "mapping with a weaker predicate than verified": (
        "HAIRONTO:9000002 skos:closeMatch obo:CL_0000034 .",
        "xref-predicate-mismatch",
        "HAIRONTO:9000002",
    ),
    "cross-reference only verified=no": (
        'HAIRONTO:9000004 oboInOwl:hasDbXref "MESH:D055354" .',
        "xref-unverified",
        "HAIRONTO:9000004",
    ),
    "relation not in the table": (
        "HAIRONTO:9000006 rdfs:subClassOf [ a owl:Restriction ; owl:onProperty obo:RO_9999999 ;"
        " owl:someValuesFrom HAIRONTO:9000003 ] .",
        "relation-unknown",
        "RO:9999999",
    ),
}


def broken(mini: Graph, snippet: str) -> Graph:
    return mini.parse(data=PREFIXES + snippet, format="turtle")


def rows(report) -> set[tuple[str, str]]:
    return {(v.rule, v.subject) for v in report.violations}


def test_mini_conforms():
    report = check(MINI)
    assert report.violations == ()
    assert not report.fails("WARN")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_rule_catches_its_violation(mini, case):
    snippet, rule, subject = BROKEN[case]
    report = check_graph(broken(mini, snippet))
    assert (rule, subject) in rows(report)


def test_rows_carry_property_value_and_level(mini):
    report = check_graph(broken(mini, "HAIRONTO:9000007 rdfs:subClassOf HAIRONTO:9000098 ."))
    [row] = [v for v in report.violations if v.rule == "dangling-reference"]
    assert (row.level, row.property, row.value) == ("ERROR", "rdfs:subClassOf", "HAIRONTO:9000098")


def test_a_wrong_language_is_only_a_warning(mini):
    report = check_graph(broken(mini, 'HAIRONTO:9000002 rdfs:label "célula"@es .'))
    assert [(v.level, v.value) for v in report.violations] == [("WARN", "célula@es")]
    assert not report.fails("ERROR")
    assert report.fails("WARN")


def test_annotations_on_a_deprecated_term_are_not_uses(mini):
    # PRP is referred to only by the axiom annotation on its own synonym.
    report = check_graph(broken(mini, "HAIRONTO:9000007 owl:deprecated true ."))
    assert [v for v in report.violations if v.rule == "deprecated-reference"] == []


def test_deprecated_term_needs_no_definition(mini):
    snippet = 'HAIRONTO:9000099 a owl:Class ; rdfs:label "old thing"@en ; owl:deprecated true .'
    assert "missing-definition" not in {v.rule for v in check_graph(broken(mini, snippet)).violations}


def test_verified_cross_reference_passes(mini):
    assert check_graph(broken(mini, 'HAIRONTO:9000003 oboInOwl:hasDbXref "CL:0000034" .')).violations == ()


def test_unverified_relation_row_is_reported(mini, tmp_path):
    references = tmp_path / "reference"
    shutil.copytree(ontology_dir() / "reference", references)
    table = references / "relations.tsv"
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [
        line.replace("\tyes\t", "\tno\t", 1) if line.startswith("RO:0002180\t") else line for line in lines
    ]
    table.write_text("".join(lines), encoding="utf-8")
    report = check_graph(mini, references=references)
    assert ("relation-unverified", "RO:0002180") in rows(report)


def test_reference_tables_expand_curies():
    tables = ReferenceTables.load()
    assert tables.xrefs["http://purl.obolibrary.org/obo/CL_0000034"] == {
        "http://www.w3.org/2004/02/skos/core#exactMatch": True
    }
    assert tables.relations["http://purl.obolibrary.org/obo/RO_0002180"] is True


def test_missing_reference_table_is_a_load_error(mini, tmp_path):
    with pytest.raises(OntologyLoadError, match="xrefs.sssom.tsv"):
        check_graph(mini, references=tmp_path)


def test_a_violation_query_must_select_entity(mini, tmp_path):
    (tmp_path / "odd-violation.rq").write_text("SELECT ?x WHERE { ?x ?p ?o }")
    with pytest.raises(QueryError, match="must SELECT"):
        check_graph(mini, queries=tmp_path)


def test_only_violation_queries_run(mini, tmp_path):
    (tmp_path / "all-triples.rq").write_text("SELECT ?entity WHERE { ?entity ?p ?o }")
    assert check_graph(mini, queries=tmp_path).violations == ()


# The query files.

VIOLATION_QUERIES = sorted(q.name for q in load_catalogue().values() if q.role == "violation")


@pytest.mark.parametrize("name", VIOLATION_QUERIES)
def test_violation_query_parses_in_both_engines(name):
    query = load_catalogue()[name]
    prepareQuery(query.text)
    assert isinstance(ox.Store().query(query.text), ox.QuerySolutions)


@pytest.mark.parametrize("name", VIOLATION_QUERIES)
def test_violation_query_declares_its_level_and_summary(name):
    query = load_catalogue()[name]
    header = query.text.split("\n#+ level: ", 1)
    assert len(header) == 2, "level: belongs in the front matter"
    assert query.level in LEVELS
    assert query.summary


def test_every_rule_is_tested():
    covered = {rule for _, rule, _ in BROKEN.values()} | {"label-language", "relation-unverified"}
    # The deprecation and history rules have their own suite, tests/test_deprecation.py.
    covered |= {
        "obsolete-label",
        "obsolete-logical-axiom",
        "obsolete-without-replacement",
        "deleted-id",
        "reused-id",
    }
    rules = {name.removesuffix("-violation") for name in VIOLATION_QUERIES} | set(PYTHON_RULES)
    assert rules <= covered


def test_queries_readme_documents_every_front_matter_key():
    readme = (queries_dir() / "README.md").read_text(encoding="utf-8")
    for key in ("summary", "description", "tags", "params", "level"):
        assert f"`{key}`" in readme


# The command line.


def test_cli_exit_0_when_conforming(runner):
    result = runner.invoke(main, ["check", "--edit", str(MINI)])
    assert result.exit_code == 0
    assert result.stdout == "Level\tRule Name\tSubject\tProperty\tValue\n"


def test_cli_exit_1_on_violations(runner, mini, tmp_path):
    path = tmp_path / "broken.ttl"
    broken(mini, BROKEN["no label at all"][0]).serialize(path, format="turtle")
    result = runner.invoke(main, ["check", "--edit", str(path)])
    assert result.exit_code == 1
    assert "ERROR\tmissing-label\tHAIRONTO:9000099\trdfs:label\t\n" in result.stdout
    assert "1 errors" in result.stderr


def test_cli_exit_2_on_an_unparseable_file(runner, tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text("this is not turtle")
    result = runner.invoke(main, ["check", "--edit", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"haironto: error: {path}: cannot parse as turtle")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_cli_fail_on_warn(runner, mini, tmp_path):
    path = tmp_path / "spanish.ttl"
    broken(mini, 'HAIRONTO:9000002 rdfs:label "célula"@es .').serialize(path, format="turtle")
    assert runner.invoke(main, ["check", "--edit", str(path)]).exit_code == 0
    assert runner.invoke(main, ["check", "--edit", str(path), "--fail-on", "WARN"]).exit_code == 1


def test_cli_json_and_markdown(runner, mini, tmp_path):
    path = tmp_path / "broken.ttl"
    broken(mini, BROKEN["two English labels"][0]).serialize(path, format="turtle")
    data = json.loads(runner.invoke(main, ["check", "--edit", str(path), "--format", "json"]).stdout)
    assert data["counts"]["ERROR"] == 2
    assert {v["value"] for v in data["violations"]} == {"treatment@en", "therapy@en"}
    markdown = runner.invoke(main, ["check", "--edit", str(path), "--format", "md"]).stdout
    assert markdown.startswith("| Level | Rule Name | Subject | Property | Value |\n|---|")
    assert "| ERROR | multiple-labels | HAIRONTO:9000001 | rdfs:label | therapy@en |" in markdown


def test_cli_help_documents_exit_codes(runner):
    text = runner.invoke(main, ["check", "--help"]).output
    assert "0 conforms" in text and "1 violations" in text and "2 load" in text
