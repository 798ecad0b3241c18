"""HermiT and Pellet for real, on the JVM: consistency, unsatisfiable classes, offenders named."""

from __future__ import annotations

import json
import os
import stat

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from haironto.cli import main
from haironto.errors import ReasonerError
from haironto.reason import Entity, find_java, reason
from tests.data import (
    CELL,
    EXOSOME,
    MINI,
    NANOFAT,
    STEM_CELL,
    STEM_CELL_RICH_TREATMENT,
    TREATMENT,
)

REASONERS = ["hermit", "pellet"]
SAMPLE = URIRef("https://w3id.org/haironto/HAIRONTO_9002001")


def unsatisfiable_exosome(mini):
    mini.add((EXOSOME, RDFS.subClassOf, CELL))  # exosome and cell are disjoint
    return mini


def contradictory_sample(mini):
    mini.add((SAMPLE, RDF.type, OWL.NamedIndividual))
    mini.add((SAMPLE, RDF.type, CELL))
    mini.add((SAMPLE, RDF.type, EXOSOME))
    mini.add((SAMPLE, RDFS.label, Literal("contradictory sample", lang="en")))
    return mini


@pytest.mark.reasoner
@pytest.mark.parametrize("reasoner", REASONERS)
def test_mini_is_consistent_and_classified(mini, reasoner):
    report = reason(mini, reasoner)
    assert report.consistent and report.ok
    assert report.unsatisfiable == ()
    pairs = {(sub.iri, sup.iri) for sub, sup in report.inferred_subclasses}
    # nanofat is a treatment with a stem-cell component, so it falls under the defined class.
    assert (str(NANOFAT), str(STEM_CELL_RICH_TREATMENT)) in pairs
    assert (str(STEM_CELL_RICH_TREATMENT), str(TREATMENT)) in pairs
    # Asserted axioms are not repeated, nor indirect ones (nanofat under treatment is asserted).
    assert (str(STEM_CELL), str(CELL)) not in pairs
    assert (str(NANOFAT), str(TREATMENT)) not in pairs
    assert report.elapsed > 0


@pytest.mark.reasoner
@pytest.mark.parametrize("reasoner", REASONERS)
def test_unsatisfiable_class_is_named_by_label(mini, reasoner):
    report = reason(unsatisfiable_exosome(mini), reasoner)
    assert report.consistent and not report.ok
    assert report.unsatisfiable == (Entity(str(EXOSOME), "exosome"),)
    assert f"unsatisfiable: exosome <{EXOSOME}>" in report.to_text()


@pytest.mark.reasoner
@pytest.mark.parametrize("reasoner", REASONERS)
def test_inconsistency_names_the_offending_individual(mini, reasoner):
    report = reason(contradictory_sample(mini), reasoner)
    assert not report.consistent
    assert report.offending_individuals == (Entity(str(SAMPLE), "contradictory sample"),)
    assert report.unsatisfiable == ()  # the classes are fine; the individual is not
    assert f"offending individual: contradictory sample <{SAMPLE}>" in report.to_text()


@pytest.mark.reasoner
def test_inconsistency_from_an_unsatisfiable_class_names_both(mini):
    graph = unsatisfiable_exosome(mini)
    graph.add((SAMPLE, RDF.type, OWL.NamedIndividual))
    graph.add((SAMPLE, RDF.type, EXOSOME))
    report = reason(graph, "hermit")
    assert not report.consistent
    assert [e.label for e in report.unsatisfiable] == ["exosome"]
    assert [e.iri for e in report.offending_individuals] == [str(SAMPLE)]


@pytest.mark.reasoner
def test_cli_exit_1_and_labels_on_unsatisfiable_class(runner, mini, tmp_path):
    path = tmp_path / "unsat.ttl"
    unsatisfiable_exosome(mini).serialize(path, format="turtle")
    result = runner.invoke(main, ["reason", "--ontology", str(path), "--reasoner", "hermit"])
    assert result.exit_code == 1
    assert f"unsatisfiable: exosome <{EXOSOME}>" in result.stdout


@pytest.mark.reasoner
def test_cli_exit_1_on_inconsistency(runner, mini, tmp_path):
    path = tmp_path / "inconsistent.owl"
    contradictory_sample(mini).serialize(path, format="xml")
    result = runner.invoke(main, ["reason", "--ontology", str(path), "--reasoner", "hermit"])
    assert result.exit_code == 1
    assert "HermiT: INCONSISTENT" in result.stdout
    assert "contradictory sample" in result.stdout


@pytest.mark.reasoner
def test_cli_both_reasoners_as_json(runner):
    result = runner.invoke(main, ["reason", "--ontology", str(MINI), "--json"])
    assert result.exit_code == 0
    reports = json.loads(result.stdout)
    assert [r["reasoner"] for r in reports] == REASONERS
    assert all(r["ok"] and r["consistent"] for r in reports)
    assert reports[0]["inferred_subclasses"] == reports[1]["inferred_subclasses"]


def test_missing_java_is_one_line_and_exit_2(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java on it
    monkeypatch.delenv("JAVA_HOME", raising=False)
    result = runner.invoke(main, ["reason", "--ontology", str(MINI)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "apt-get install default-jre-headless" in result.stderr
    assert "JAVA_HOME" in result.stderr
    assert "Traceback" not in result.output


def fake_java(folder):
    java = folder / "java"
    folder.mkdir(parents=True)
    java.write_text("#!/bin/sh\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return java


def test_java_home_is_preferred_to_the_path(monkeypatch, tmp_path):
    home_java = fake_java(tmp_path / "home" / "bin")
    monkeypatch.setenv("PATH", str(fake_java(tmp_path / "path").parent))
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "home"))
    assert find_java() == str(home_java)


def test_a_java_home_without_java_falls_back_to_the_path(monkeypatch, tmp_path):
    path_java = fake_java(tmp_path / "path")
    monkeypatch.setenv("PATH", str(path_java.parent))
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "empty-home"))
    assert find_java() == str(path_java)


def test_unknown_reasoner_is_refused(mini):
    with pytest.raises(ReasonerError, match="unknown reasoner 'elk'"):
        reason(mini, "elk")


def test_java_is_found_on_this_machine():
    # CI installs a JVM (.ci/run); the reasoner tests must run, not skip.
    assert os.access(find_java(), os.X_OK)
