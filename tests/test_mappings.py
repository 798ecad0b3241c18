"""The SSSOM mapping set: every mapping of the ontology, valid by sssom-py, labels from the reference table."""

from __future__ import annotations

import csv

import pytest
from rdflib import Graph
from rdflib.namespace import SKOS
from sssom.constants import SchemaValidationType
from sssom.parsers import parse_sssom_table
from sssom.validators import validate

from haironto import mappings
from haironto.cli import main
from haironto.resources import ontology_dir
from tests.data import MINI

RELEASE_TSV = ontology_dir() / mappings.MAPPINGS_FILE


def read_rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


@pytest.fixture(scope="module")
def parsed():
    return parse_sssom_table(str(RELEASE_TSV))


def test_the_released_mapping_set_is_valid_sssom(parsed):
    checks = [
        SchemaValidationType.JsonSchema,
        SchemaValidationType.PrefixMapCompleteness,
        SchemaValidationType.StrictCurieFormat,
    ]
    reports = validate(parsed, checks, fail_on_error=False)
    assert all(not report.results for report in reports.values()), reports
    assert parsed.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert parsed.metadata["mapping_set_id"].startswith("https://w3id.org/haironto/releases/")


def test_every_skos_mapping_of_the_ontology_is_a_row_with_its_own_predicate(parsed):
    graph = Graph().parse(ontology_dir() / "haironto.ttl")
    expected = set()
    for predicate, curie in (
        (SKOS.exactMatch, "skos:exactMatch"),
        (SKOS.closeMatch, "skos:closeMatch"),
        (SKOS.broadMatch, "skos:broadMatch"),
    ):
        for subject, target in graph.subject_objects(predicate):
            expected.add((str(subject), curie, str(target)))
    converter = parsed.converter
    rows = {
        (converter.expand(r.subject_id), r.predicate_id, converter.expand(r.object_id))
        for r in parsed.df.itertuples()
    }
    assert rows == expected
    assert len(expected) > 50
    assert set(parsed.df["mapping_justification"]) == {"semapv:ManualMappingCuration"}


def test_object_labels_come_from_verified_reference_rows():
    reference = {
        (row["predicate_id"], row["object_id"]): row["object_label"]
        for row in read_rows(ontology_dir() / "reference" / "xrefs.sssom.tsv")
        if row["verified"] == "yes"
    }
    rows = read_rows(RELEASE_TSV)
    assert rows
    for row in rows:
        assert row["object_label"] and row["subject_label"], row
        assert reference[(row["predicate_id"], row["object_id"])] == row["object_label"]
    # Nothing invented: no author or confidence columns.
    assert not {"author_id", "confidence", "mapping_date"} & set(rows[0])


def test_cli_mappings_of_the_fixture(runner, tmp_path):
    out = tmp_path / "m.sssom.tsv"
    result = runner.invoke(main, ["mappings", "--ontology", str(MINI), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert [(r["subject_id"], r["predicate_id"], r["object_id"], r["object_label"]) for r in rows] == [
        ("HAIRONTO:9000003", "skos:exactMatch", "CL:0000034", "stem cell")
    ]
    assert parse_sssom_table(str(out)).df.shape[0] == 1
