"""Fixtures: backends on the fixture ontology, the Flask app and its client, a real server on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from haironto.backends import Backend, get_backend
from haironto.dataset import DataFiles, load_dataset
from haironto.namespaces import ONTOLOGY_IRI
from haironto.server import close_app, create_app
from tests import virtuoso as virtuoso_store
from tests.data import MINI, NANOFAT, TERMS_EDGE
from tests.hostile import serve
from tests.transport import FlaskTransport, LiveTransport, Transport

#: Every backend kind the backend-parametrised tests run on; :func:`make_backend` opens one.
#: ``remote:`` is a real Virtuoso (see tests/virtuoso.py), started once per session when needed.
BACKENDS = ["memory:", "rdflib:", "oxigraph:", "remote:"]

#: What a reasoner infers from mini.ttl: nanofat is a treatment with stem cells as a component,
#: so it falls under the defined class "stem-cell-rich treatment".
INFERRED_TTL = f"<{NANOFAT}> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{NANOFAT[:-1]}5> .\n"
#: The version IRI the build stamps into the release header.
VERSION_IRI = "https://w3id.org/haironto/releases/2026-11-25/haironto.owl"

#: Curated-query files for the API tests: one of each parameter type, a CONSTRUCT, a QC rule, ...
TEST_QUERIES = Path(__file__).resolve().parent / "data" / "queries"

#: Limits of the app and the live server under test; small so the tests can reach them.
TIMEOUT = 3.0
MAX_ROWS = 50
MAX_BODY = 64 * 1024


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> DataFiles:
    """A release of mini.ttl as the build writes one: haironto-base.ttl (asserted, stamped with a
    version IRI) and haironto-full.ttl (the same plus the inferred axiom)."""
    folder = tmp_path_factory.mktemp("release")
    stamp = f"<{ONTOLOGY_IRI}> <http://www.w3.org/2002/07/owl#versionIRI> <{VERSION_IRI}> .\n"
    base = MINI.read_text(encoding="utf-8") + stamp
    (folder / "haironto-base.ttl").write_text(base, encoding="utf-8")
    (folder / "haironto-full.ttl").write_text(base + INFERRED_TTL, encoding="utf-8")
    return DataFiles.release(folder)


def make_backend(kind: str, request: pytest.FixtureRequest) -> Backend:
    """Open an empty backend of a kind of :data:`BACKENDS`: a store on disk gets a fresh folder."""
    if kind == "oxigraph:":
        folder = request.getfixturevalue("tmp_path_factory").mktemp("store")
        return get_backend(f"oxigraph:{folder / 'store'}")
    if kind == "remote:":
        store = request.getfixturevalue("virtuoso")
        return get_backend(f"remote:{store.sparql}")
    return get_backend(kind)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[virtuoso_store.Virtuoso]:
    """A private Virtuoso on loopback for the whole session; the remote backend writes to it with
    the credentials set in the environment (inherited by the servers the tests start)."""
    if not virtuoso_store.installed():
        pytest.fail("Virtuoso is missing: apt-get install virtuoso-opensource (.ci/run installs it)")
    store = virtuoso_store.start(tmp_path_factory.mktemp("virtuoso"))
    saved = {k: os.environ.get(k) for k in REMOTE_ENV}
    os.environ.update(
        HAIRONTO_REMOTE_GRAPH_STORE=store.graph_store,
        HAIRONTO_REMOTE_USER="dba",
        HAIRONTO_REMOTE_PASSWORD=store.password,
    )
    yield store
    store.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


REMOTE_ENV = ("HAIRONTO_REMOTE_GRAPH_STORE", "HAIRONTO_REMOTE_USER", "HAIRONTO_REMOTE_PASSWORD")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, release: DataFiles) -> Iterator[Backend]:
    """Each backend in turn, loaded with the fixture release's asserted and inferred graphs."""
    engine = make_backend(request.param, request)
    load_dataset(engine, release)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def app(release: DataFiles) -> Iterator[Flask]:
    """The service on the fixture ontology. One per session: it is read-only, and starting its
    query worker processes for every test would dominate the suite's time."""
    application = create_app(
        {
            "TESTING": True,
            "BACKEND": "memory:",
            "DATA": [str(p) for p in release.asserted],
            "DATA_FULL": [str(p) for p in release.full],
            "TIMEOUT": TIMEOUT,
            "MAX_ROWS": MAX_ROWS,
            "MAX_CONTENT_LENGTH": MAX_BODY,
            "QUERY_WORKERS": 2,
        }
    )
    yield application
    close_app(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def release_app() -> Iterator[Flask]:
    """The service on the bundled release of the real ontology, for answers checked against the article."""
    application = create_app({"TESTING": True, "BACKEND": "memory:", "QUERY_WORKERS": 1})
    yield application
    close_app(application)


@pytest.fixture
def release_client(release_app: Flask) -> FlaskClient:
    return release_app.test_client()


def start_server(folder: Path, args: list[str], env: dict[str, str]) -> Iterator[str]:
    """Run `haironto serve` (gunicorn) on a free loopback port until the generator closes; yield its
    URL. Its output is in ``folder/server.log``."""
    with serve(folder, args, env, log_name="server.log") as server:
        yield server.base


@pytest.fixture(scope="session")
def live_server(release: DataFiles, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture release served by `haironto serve` on loopback, with the test limits."""
    args = [
        *("--workers", "2", "--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS)),
        *("--ontology", str(release.asserted[0]), "--ontology-full", str(release.full[0])),
    ]
    env = {"HAIRONTO_MAX_CONTENT_LENGTH": str(MAX_BODY)}
    yield from start_server(tmp_path_factory.mktemp("server"), args, env)


@pytest.fixture(params=["flask", "live"])
def http(request: pytest.FixtureRequest) -> Transport:
    """The service over each transport in turn: Flask's test client, then the real server."""
    if request.param == "flask":
        return FlaskTransport(request.getfixturevalue("client"))
    return LiveTransport(request.getfixturevalue("live_server"))


@pytest.fixture(scope="session")
def edge_release(release: DataFiles) -> DataFiles:
    """The fixture release plus the term-page edge cases (tests/data/terms-edge.ttl) in both graphs."""
    return DataFiles((*release.asserted, TERMS_EDGE), (*release.full, TERMS_EDGE))


@pytest.fixture(scope="session")
def edge_app(edge_release: DataFiles) -> Iterator[Flask]:
    """The service on the fixture release with the term-page edge cases."""
    application = create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in edge_release.asserted],
            "DATA_FULL": [str(p) for p in edge_release.full],
        }
    )
    yield application
    close_app(application)


@pytest.fixture(scope="session")
def edge_live_server(edge_release: DataFiles, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture release with the term-page edge cases, served by `haironto serve` on loopback."""
    args = ["--workers", "1"]
    args += [arg for path in edge_release.asserted for arg in ("--ontology", str(path))]
    args += [arg for path in edge_release.full for arg in ("--ontology-full", str(path))]
    yield from start_server(tmp_path_factory.mktemp("edge-server"), args, {})


@pytest.fixture(params=["flask", "live"])
def edge_http(request: pytest.FixtureRequest) -> Transport:
    """The edge-case service over each transport in turn: Flask's test client, then the real server."""
    if request.param == "flask":
        return FlaskTransport(request.getfixturevalue("edge_app").test_client())
    return LiveTransport(request.getfixturevalue("edge_live_server"))


@pytest.fixture(scope="session")
def bundled_app() -> Iterator[Flask]:
    """The service on the bundled release, the real ontology, as `haironto serve` serves it."""
    application = create_app({"TESTING": True})
    yield application
    close_app(application)


@pytest.fixture
def mini() -> Graph:
    """A fresh copy of the fixture ontology, free to change."""
    return Graph().parse(MINI)


@pytest.fixture
def runner() -> CliRunner:
    """A click runner for the ``haironto`` command."""
    return CliRunner()


@pytest.fixture(scope="session")
def test_app(release: DataFiles) -> Iterator[Flask]:
    """The service on mini.ttl with the test queries of tests/data/queries as its catalogue."""
    application = create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in release.asserted],
            "DATA_FULL": [str(p) for p in release.full],
            "TIMEOUT": TIMEOUT,
            "MAX_ROWS": MAX_ROWS,
            "QUERY_WORKERS": 1,
            "QUERIES": str(TEST_QUERIES),
        }
    )
    yield application
    close_app(application)


@pytest.fixture
def test_client(test_app: Flask) -> FlaskClient:
    return test_app.test_client()
