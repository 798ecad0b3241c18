"""The `haironto query` and `haironto serve` commands: thin, with clear errors and exit code 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDFS
from rdflib import Graph as RdfGraph

from haironto.cli import EXIT_ERROR, main
from haironto.errors import QueryError
from haironto.querying import resolve_query, run_query
from tests.data import MINI, NANOFAT

LABELS = "SELECT ?term ?label WHERE { ?term <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_query_text_prints_the_answer(runner: CliRunner):
    result = runner.invoke(main, ["query", LABELS, "--ontology", str(MINI), "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, *rows = csv.reader(io.StringIO(result.stdout))
    expected = {(str(s), str(o)) for s, o in RdfGraph().parse(MINI).subject_objects(RDFS.label)}
    assert header == ["term", "label"] and {tuple(r) for r in rows} == expected


def test_query_defaults_to_turtle_for_graphs(runner: CliRunner):
    construct = f"CONSTRUCT WHERE {{ <{NANOFAT}> ?p ?o }}"
    result = runner.invoke(main, ["query", construct, "--ontology", str(MINI)])
    assert result.exit_code == 0, result.output
    assert len(RdfGraph().parse(data=result.stdout, format="turtle")) > 0


def test_query_reports_a_cut(runner: CliRunner):
    result = runner.invoke(main, ["query", LABELS, "--ontology", str(MINI), "--max-rows", "2"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 3  # TSV header + 2 rows
    assert "cut at 2 rows" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "ASK {", "--ontology", str(MINI)], "malformed query"),
        (["query", LABELS, "--ontology", str(MINI), "--format", "turtle"], "cannot hold"),
        (["query", "no-such-query", "--ontology", str(MINI)], "no curated query named 'no-such-query'"),
        (["query", "LOAD <http://example.org/x>", "--ontology", str(MINI)], "read-only"),
        (["query", "ASK {}", "--ontology", "absent.ttl"], "no such file"),
        (["query", "ASK {}", "--ontology", str(MINI), "--backend", "nosql:"], "unknown backend"),
    ],
)
def test_query_errors_are_one_line_and_exit_2(runner: CliRunner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code == EXIT_ERROR
    assert message in result.stderr and "Traceback" not in result.output


def test_param_without_a_value_is_a_usage_error(runner: CliRunner):
    result = runner.invoke(main, ["query", "some-query", "-p", "term", "--ontology", str(MINI)])
    assert result.exit_code == 2 and "NAME=VALUE" in result.output


def test_query_timeout(runner: CliRunner):
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o }"
    result = runner.invoke(main, ["query", cartesian, "--ontology", str(MINI), "--timeout", "0.5"])
    assert result.exit_code == EXIT_ERROR and "time limit of 0.5 s" in result.stderr


def test_curated_queries_by_name_with_typed_parameters(tmp_path: Path):
    (tmp_path / "label-of.rq").write_text(
        "#+ summary: The label of a term\n#+ params:\n#+   term: {type: iri}\n"
        "SELECT ?term ?label WHERE { ?term <http://www.w3.org/2000/01/rdf-schema#label> ?label }\n",
        encoding="utf-8",
    )
    from haironto.dataset import DataFiles

    result = run_query(
        "label-of", files=DataFiles((MINI,)), params={"term": "HAIRONTO:9000006"}, catalogue=tmp_path
    )
    assert [row[1].value for row in result.terms()] == ["nanofat"]
    with pytest.raises(QueryError, match="parameters only apply"):
        run_query(LABELS, files=DataFiles((MINI,)), params={"term": "x"}, catalogue=tmp_path)
    assert resolve_query("SELECT * {}", tmp_path) == ("SELECT * {}", None)


def test_serve_refuses_missing_data_before_starting(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(main, ["serve", "--ontology", str(tmp_path / "absent.ttl"), "--port", "0"])
    assert result.exit_code == EXIT_ERROR and "no such file" in result.stderr


def test_serve_without_a_build_says_how_to_get_one(runner: CliRunner, monkeypatch):
    monkeypatch.setattr("haironto.dataset.ontology_dir", lambda: Path("/nonexistent/ontology"))
    result = runner.invoke(
        main, ["serve", "--port", "0"], env={"HAIRONTO_ONTOLOGY": None, "HAIRONTO_DATA": None}
    )
    assert result.exit_code == EXIT_ERROR and "haironto build" in result.stderr


def test_serve_help_names_the_environment_variables(runner: CliRunner):
    result = runner.invoke(main, ["serve", "--help"])
    for variable in (
        "HAIRONTO_HOST",
        "HAIRONTO_PORT",
        "HAIRONTO_WORKERS",
        "HAIRONTO_BACKEND",
        "HAIRONTO_ONTOLOGY",
        "HAIRONTO_RATE_LIMIT",
    ):
        assert variable in result.output
