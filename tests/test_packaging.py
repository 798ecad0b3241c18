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
    for page_file in (
        "templates/base.html",
        "templates/term.html",
        "templates/not_found.html",
        "static/terms.css",
    ):
        assert f"haironto/server/{page_file}" in names
    assert not any(n.startswith(("server/", "tests/")) for n in names), "no bare top-level packages"


def test_wheel_carries_the_pages_and_the_bundled_yasgui(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    server = REPO_ROOT / "server"
    for folder in ("templates", "static"):
        for path in (server / folder).rglob("*"):
            if path.is_file():
                assert f"haironto/server/{path.relative_to(server).as_posix()}" in names, path
    yasgui = {n.rsplit("/", 1)[1] for n in names if n.startswith("haironto/server/static/yasgui/")}
    assert {"yasgui.min.js", "yasgui.min.css", "LICENSE.txt", "VERSION"} <= yasgui
    assert not any(n.endswith(".map") or "node_modules" in n for n in names)


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


def test_installed_wheel_serves_term_pages_and_documents(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    probe = (
        "from haironto.server import create_app\n"
        "from haironto.server.store import close_app\n"
        "app = create_app({'TESTING': True})\n"
        "client = app.test_client()\n"
        "page = client.get('/HAIRONTO_0000007', headers={'Accept': 'text/html'})\n"
        "css = client.get('/static/terms.css')\n"
        "owl = client.get('/haironto.owl')\n"
        "print(page.status_code, css.status_code, owl.status_code, page.mimetype)\n"
        "for reply in (page, css, owl): reply.close()\n"
        "close_app(app)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200", "200", "text/html"]
