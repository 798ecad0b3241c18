"""``haironto build``: QC, HermiT, then every artifact in every format, the same bytes every time."""

from __future__ import annotations

import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from haironto import __version__
from haironto.artifacts import inferred_triples
from haironto.build import build
from haironto.check import check
from haironto.cli import main
from haironto.namespaces import version_iri
from tests.data import CELL, EXOSOME, MINI, NANOFAT, STEM_CELL_RICH_TREATMENT
from tests.test_writers import owlready_graph, without_trailing_slashes

ARTIFACT_NAMES = ("haironto-base", "haironto-full", "haironto")
FORMATS = {"owl": "xml", "ttl": "turtle", "jsonld": "json-ld"}
RELEASE_FILES = sorted(f"{name}.{suffix}" for name in ARTIFACT_NAMES for suffix in FORMATS)
#: Written beside the artifacts: the SSSOM mapping set, the documentation page, and the service files
#: (entailment closures, reasoning and QC reports).
COMPANIONS = [
    "haironto-mappings.sssom.tsv",
    "doc/index.html",
    "service/haironto-rdfs.ttl",
    "service/haironto-owl-rl.ttl",
    "service/haironto-reasoning.json",
    "service/haironto-qc.json",
]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """mini.ttl built once for the module: the result and the folder."""
    folder = tmp_path_factory.mktemp("release")
    return build(MINI, folder), folder


def load(folder, name, suffix) -> Graph:
    return Graph().parse(folder / f"{name}.{suffix}", format=FORMATS[suffix])


@pytest.mark.reasoner
def test_every_artifact_is_written_in_every_format(release):
    result, folder = release
    assert result.ok
    written = sorted(path.relative_to(folder).as_posix() for path in result.files)
    assert written == sorted(RELEASE_FILES + COMPANIONS)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == written


@pytest.mark.reasoner
@pytest.mark.parametrize("name", ARTIFACT_NAMES)
def test_the_three_formats_hold_the_same_graph(release, name):
    _, folder = release
    owl, ttl, jsonld = (load(folder, name, suffix) for suffix in FORMATS)
    assert isomorphic(owl, ttl)
    assert isomorphic(owl, jsonld)


@pytest.mark.reasoner
@pytest.mark.parametrize("name", ARTIFACT_NAMES)
def test_artifacts_parse_in_pyoxigraph(release, name):
    _, folder = release
    expected = len(load(folder, name, "ttl"))
    for suffix, rdf_format in (("owl", ox.RdfFormat.RDF_XML), ("ttl", ox.RdfFormat.TURTLE)):
        assert len(list(ox.parse(path=folder / f"{name}.{suffix}", format=rdf_format))) == expected
    assert len(list(ox.parse(path=folder / f"{name}.jsonld", format=ox.RdfFormat.JSON_LD))) == expected


@pytest.mark.reasoner
@pytest.mark.parametrize("name", ARTIFACT_NAMES)
def test_owl_artifacts_load_in_owlready2(release, name):
    _, folder = release
    read = owlready_graph(folder / f"{name}.owl")
    # Every axiom survives; only owlready2's own trailing-slash trimming differs (see test_writers).
    assert isomorphic(without_trailing_slashes(read), without_trailing_slashes(load(folder, name, "ttl")))


@pytest.mark.reasoner
def test_full_adds_the_reasoner_inferences_to_base(release):
    result, folder = release
    base, full = load(folder, "haironto-base", "ttl"), load(folder, "haironto-full", "owl")
    axiom = (NANOFAT, RDFS.subClassOf, STEM_CELL_RICH_TREATMENT)
    assert axiom in full
    assert axiom not in base
    assert isomorphic(inferred_triples(full, base), result.reasoning.inferred_graph())


@pytest.mark.reasoner
def test_the_primary_release_is_the_full_one(release):
    _, folder = release
    primary, full = load(folder, "haironto", "ttl"), load(folder, "haironto-full", "ttl")
    assert len(inferred_triples(primary, full)) == 0
    assert len(inferred_triples(full, primary)) == 0
    assert len(primary) == len(full)


@pytest.mark.reasoner
@pytest.mark.parametrize("name", ARTIFACT_NAMES)
def test_ontology_and_version_iris(release, name):
    _, folder = release
    graph = load(folder, name, "ttl")
    iri = URIRef(f"https://w3id.org/haironto/{name}.owl")
    assert set(graph.objects(iri, OWL.versionIRI)) == {version_iri(__version__, f"{name}.owl")}


@pytest.mark.reasoner
@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_built_artifacts_pass_the_check(release, suffix):
    _, folder = release
    for name in ARTIFACT_NAMES:
        assert check(folder / f"{name}.{suffix}").violations == (), name


@pytest.mark.reasoner
def test_builds_are_byte_identical_across_hash_seeds(release, tmp_path):
    _, reference = release
    for seed in ("1", "2"):
        folder = tmp_path / seed
        command = [sys.executable, "-c", "from haironto.cli import main; main()", "build"]
        subprocess.run(
            [*command, "--edit", str(MINI), "--output", str(folder)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
            capture_output=True,
        )
        for name in RELEASE_FILES:
            assert (folder / name).read_bytes() == (reference / name).read_bytes(), (seed, name)


def test_qc_errors_stop_the_build_before_anything_is_written(runner, mini, tmp_path):
    source = tmp_path / "edit.ttl"
    mini.add((URIRef("https://w3id.org/haironto/HAIRONTO_9000099"), RDF.type, OWL.Class))
    mini.serialize(source, format="turtle")
    output = tmp_path / "release"
    result = runner.invoke(main, ["build", "--edit", str(source), "--output", str(output)])
    assert result.exit_code == 1
    assert "ERROR\tmissing-label\tHAIRONTO:9000099\trdfs:label" in result.stdout
    assert "build stopped: QC errors" in result.stdout
    assert list(output.iterdir()) == []


@pytest.mark.reasoner
def test_an_unsatisfiable_class_stops_the_build(runner, mini, tmp_path):
    source = tmp_path / "edit.ttl"
    mini.add((EXOSOME, RDFS.subClassOf, CELL))
    mini.serialize(source, format="turtle")
    output = tmp_path / "release"
    result = runner.invoke(main, ["build", "--edit", str(source), "--output", str(output)])
    assert result.exit_code == 1
    assert f"unsatisfiable: exosome <{EXOSOME}>" in result.stdout
    assert list(output.iterdir()) == []


@pytest.mark.reasoner
def test_qc_warnings_are_shown_but_do_not_stop_the_build(runner, mini, tmp_path):
    source = tmp_path / "edit.ttl"
    mini.add((CELL, RDFS.label, Literal("célula", lang="es")))
    mini.serialize(source, format="turtle")
    result = runner.invoke(main, ["build", "--edit", str(source), "--output", str(tmp_path / "release")])
    assert result.exit_code == 0
    assert "WARN\tlabel-language\tHAIRONTO:9000002\trdfs:label\tcélula@es" in result.stdout
    assert len([p for p in (tmp_path / "release").rglob("*") if p.is_file()]) == len(
        RELEASE_FILES + COMPANIONS
    )


@pytest.mark.reasoner
def test_cli_build_exit_0(runner, tmp_path):
    result = runner.invoke(main, ["build", "--edit", str(MINI), "--output", str(tmp_path)])
    assert result.exit_code == 0
    assert f"wrote {len(RELEASE_FILES + COMPANIONS)} files to {tmp_path}" in result.stdout


def test_an_unwritable_output_is_exit_2_before_reasoning(runner, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = runner.invoke(main, ["build", "--edit", str(MINI), "--output", str(blocker / "release")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"haironto: error: cannot write the release to {blocker / 'release'}")


def test_the_default_source_is_the_edit_file(runner, monkeypatch, tmp_path):
    monkeypatch.setattr("haironto.build.edit_file", lambda: tmp_path / "haironto-edit.ttl")
    result = runner.invoke(main, ["build", "--output", str(tmp_path / "release")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'haironto-edit.ttl'}: no such file" in result.stderr
