"""`pip install .` gives a self-contained wheel: the ontology artifacts, the queries and the server ride along."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from tests.data import REPO_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("haironto-*.whl")
    return path


def test_wheel_carries_ontology_queries_and_server(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    ontology = {n.removeprefix("haironto/ontology/") for n in names if n.startswith("haironto/ontology/")}
    for artifact in ("haironto", "haironto-base", "haironto-full"):
        for extension in ("owl", "ttl", "jsonld"):
            assert f"{artifact}.{extension}" in ontology
    assert "haironto-edit.ttl" in ontology
    assert "reference/xrefs.sssom.tsv" in ontology
    assert {"haironto-mappings.sssom.tsv", "doc/index.html", "catalog-v001.xml"} <= ontology
    released = {
        n.removeprefix("haironto/releases_data/") for n in names if n.startswith("haironto/releases_data/")
    }
    assert {"2026-11-25/haironto.owl", "2026-11-25/doc/index.html", "2026-11-25/catalog-v001.xml"} <= released
    shipped_queries = {n for n in names if n.startswith("haironto/queries_data/") and n.endswith(".rq")}
    assert len(shipped_queries) == len(list((REPO_ROOT / "queries").rglob("*.rq")))
    assert "haironto/server/__init__.py" in names
    assert not any(n.startswith(("server/", "tests/")) for n in names), "no bare top-level packages"


def test_installed_wheel_finds_its_data_without_the_source_tree(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    probe = (
        "from haironto.resources import ontology_dir, queries_dir\n"
        "from haironto.queries import load_catalogue\n"
        "from haironto.releases import published_releases\n"
        "print(ontology_dir()); print(queries_dir()); print(len(load_catalogue()))\n"
        "assert (ontology_dir() / 'haironto.ttl').is_file()\n"
        "assert [r.date for r in published_releases()][:1] == ['2026-11-25'], published_releases()\n"
    )
    # The wheel comes first on the path; dependencies come from this environment. Run outside the
    # repository so that the source tree cannot be imported by accident.
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    ontology, queries, count = result.stdout.split()
    assert ontology.startswith(str(target)) and queries.startswith(str(target))
    assert int(count) == len(list((REPO_ROOT / "queries").rglob("*.rq")))
