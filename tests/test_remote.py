"""The remote backend: a real Virtuoso filled by `haironto push` and served by `haironto serve
--backend remote:URL`, and the 502/504 a client gets when the store is down, garbled or slow.

Every curated query gives the same answer through the service on Virtuoso as through the
service on the in-memory backend (the differential suite, tests/test_differential.py, compares
the engines themselves on many more queries).
"""

from __future__ import annotations

import gc
import http.server
import json
import signal
import socketserver
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph as RdfGraph

from haironto.backends import get_backend
from haironto.backends.remote import RemoteBackend
from haironto.cli import main
from haironto.errors import QueryError, StoreTimeoutError, StoreUnavailableError
from haironto.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from haironto.queries import load_catalogue
from tests import virtuoso as virtuoso_store
from tests.conftest import start_server
from tests.test_stores import void_counts
from tests.virtuoso import Virtuoso


class _Fake(http.server.BaseHTTPRequestHandler):
    """A broken store: answers garbage, an error, or nothing for a while, as the path says."""

    mode = "garbage"

    def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
        try:
            self._answer()
        except OSError:  # the client gave up (timeout): nothing to answer
            pass

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.server.mode == "slow":  # type: ignore[attr-defined]
            time.sleep(3)
        if self.server.mode == "error":  # type: ignore[attr-defined]
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"Virtuoso 42000 Error: out of memory")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b"<html>not json</html>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake() -> Iterator[socketserver.TCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Fake)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: socketserver.TCPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/sparql"


def test_a_store_that_is_down_is_unavailable():
    with socketserver.TCPServer(("127.0.0.1", 0), _Fake) as closed:
        url = _url(closed)
    backend = get_backend(f"remote:{url}")
    with pytest.raises(StoreUnavailableError, match="cannot be reached"):
        backend.query("ASK {}", timeout=5)
    backend.close()


@pytest.mark.parametrize("mode", ["garbage", "error"])
def test_garbage_and_errors_from_the_store_are_unavailable(fake, mode):
    fake.mode = mode
    backend = get_backend(f"remote:{_url(fake)}")
    with pytest.raises(StoreUnavailableError):
        backend.query("SELECT * { ?s ?p ?o }", timeout=5)
    backend.close()


# http.client leaves the socket of a timed-out response to the garbage collector, which warns;
# the tests that time out collect it themselves so the warning cannot land on a later test.
_TIMEOUT_SOCKETS = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@_TIMEOUT_SOCKETS
def test_a_slow_store_times_out_at_the_deadline(fake):
    fake.mode = "slow"
    started = time.monotonic()
    backend = get_backend(f"remote:{_url(fake)}")
    with pytest.raises(StoreTimeoutError, match="within 1 s"):
        backend.query("SELECT * { ?s ?p ?o }", timeout=1)
    assert time.monotonic() - started < 2.5
    backend.close()
    gc.collect()


def test_nothing_but_queries_reaches_the_store(fake):
    # Parsed here first: a malformed query or an update never leaves the process.
    fake.mode = "error"
    backend = get_backend(f"remote:{_url(fake)}")
    with pytest.raises(QueryError, match="malformed"):
        backend.query("SELECT * WHERE { ?s ?p }")
    backend.close()


def test_connections_are_pooled(virtuoso: Virtuoso):
    backend = RemoteBackend(virtuoso.sparql)
    for _ in range(5):
        backend.query("ASK { ?s ?p ?o }")
    pool = backend._session.get_adapter(virtuoso.sparql).poolmanager
    [connections] = [p for p in pool.pools._container.values()]
    assert connections.num_connections == 1  # five queries, one TCP connection
    backend.close()


# -- the service on Virtuoso -------------------------------------------------------------------


@pytest.fixture(scope="module")
def pushed(virtuoso: Virtuoso) -> Virtuoso:
    """The bundled release pushed into Virtuoso by the CLI."""
    result = CliRunner().invoke(main, ["push", virtuoso.graph_store])
    assert result.exit_code == 0, result.output
    assert f"<{ASSERTED_GRAPH}>" in result.output and f"<{INFERRED_GRAPH}>" in result.output
    virtuoso.restart()  # Virtuoso 7.2 answers property paths wrongly after a load until restarted
    return virtuoso


@pytest.fixture(scope="module")
def services(pushed: Virtuoso, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`haironto serve` on Virtuoso and on memory, both over the bundled release."""
    remote = start_server(tmp_path_factory.mktemp("remote"), ["--backend", f"remote:{pushed.sparql}"], {})
    memory = start_server(tmp_path_factory.mktemp("memory"), [], {})
    yield {"remote": next(remote), "memory": next(memory)}
    remote.close()
    memory.close()


def _get(url: str, accept: str = "application/sparql-results+json") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _value(term: dict[str, str]) -> str:
    if term["type"] == "bnode":
        return "_"
    if term.get("datatype") == XSD_BOOLEAN:
        # Engine divergence: Virtuoso 7.2 keeps xsd:boolean values as the integers 1 and 0, typed
        # xsd:integer (a BIND of EXISTS) or xsd:boolean (a literal of the data).
        return {"true": "1", "false": "0"}.get(term["value"], term["value"])
    return term["value"]


XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def _solutions(body: bytes) -> set:
    # As sets: Virtuoso 7.2 repeats some solutions of zero-or-more paths (rdfs:subClassOf*) that
    # Oxigraph gives once (most-promising-cells, stem-cell-sources); the rows themselves agree.
    answer = json.loads(body)
    if "boolean" in answer:
        return {answer["boolean"]}
    return {tuple(sorted((k, _value(v)) for k, v in row.items())) for row in answer["results"]["bindings"]}


#: Curated queries whose answers differ on Virtuoso 7.2 (README, "Engine divergences"), and why.
VIRTUOSO_DIFFERS = {
    # ``?filler (owl:unionOf/rdf:rest*/rdf:first)? ?status``: Virtuoso drops the solutions that go
    # through the sequence (a filler that is a union of statuses); its zero-length match is kept.
    # One row of 15 missing: exosome treatment's "clinical trial use".
    "regulatory-status": "Virtuoso 7.2: a ( … / … * / … )? path misses its one-step matches",
}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=VIRTUOSO_DIFFERS[n]))
        if n in VIRTUOSO_DIFFERS
        else n
        for n in sorted(load_catalogue())
    ],
)
def test_every_named_query_answers_alike_on_virtuoso(services, name):
    accept = "application/n-triples" if name.startswith("construct") else None
    status, remote = _get(
        f"{services['remote']}/api/queries/{name}", accept or "application/sparql-results+json"
    )
    assert status == 200, remote
    _, memory = _get(f"{services['memory']}/api/queries/{name}", accept or "application/sparql-results+json")
    assert _solutions(remote) == _solutions(memory)


def test_the_service_description_lists_the_pushed_graphs(services):
    # The named graphs and their sizes as on memory. (The memory service describes more datasets:
    # its entailment regimes, which a store that holds its data does not offer.)
    described = {}
    for name in ("remote", "memory"):
        status, body = _get(f"{services[name]}/sparql?format=ntriples", "application/n-triples")
        assert status == 200
        described[name] = void_counts(RdfGraph().parse(data=body, format="nt"))
    assert set(described["remote"]) == {str(ASSERTED_GRAPH), str(INFERRED_GRAPH)}
    assert described["remote"] == {g: described["memory"][g] for g in described["remote"]}


def test_term_pages_come_from_virtuoso(services):
    term = "https://w3id.org/haironto/HAIRONTO_0000007"
    status, page = _get(f"{services['remote']}/HAIRONTO_0000007", "text/html")
    assert status == 200 and b"<h1" in page
    _, memory_page = _get(f"{services['memory']}/HAIRONTO_0000007", "text/html")
    assert page.count(b"<li") == memory_page.count(b"<li")
    status, rdf = _get(f"{services['remote']}/HAIRONTO_0000007", "application/n-triples")
    assert status == 200 and f"<{term}>".encode() in rdf


def test_dataset_parameters_pass_through_and_updates_stop_here(services):
    ask = "ASK { ?s <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?o }"
    params = urllib.parse.urlencode({"query": ask, "default-graph-uri": str(INFERRED_GRAPH)})
    status, body = _get(f"{services['remote']}/sparql?{params}")
    assert status == 200 and json.loads(body)["boolean"] is True
    params = urllib.parse.urlencode({"query": ask, "named-graph-uri": str(INFERRED_GRAPH)})
    assert json.loads(_get(f"{services['remote']}/sparql?{params}")[1])["boolean"] is False
    request = urllib.request.Request(
        f"{services['remote']}/sparql", data=urllib.parse.urlencode({"update": "CLEAR ALL"}).encode()
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403
    refused.value.close()  # the error holds the response's socket


@_TIMEOUT_SOCKETS
def test_a_store_gone_away_is_a_502_never_a_500(pushed: Virtuoso, tmp_path: Path, fake):
    from haironto.server import close_app, create_app

    app = create_app({"TESTING": True, "BACKEND": f"remote:{pushed.sparql}", "QUERY_WORKERS": 1})
    try:
        client = app.test_client()
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
        backend = app.extensions["haironto"].backend
        for mode, status in (("garbage", 502), ("error", 502), ("slow", 504)):
            fake.mode = mode
            backend.url = _url(fake)
            response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }", "timeout": "1"})
            assert response.status_code == status, response.data
            page = client.get("/HAIRONTO_0000007", headers={"Accept": "text/turtle"})
            assert page.status_code in (502, 504)
    finally:
        close_app(app)
        gc.collect()


# -- faults of a real store: it hangs, it stops, it comes back (issue 5, item 5) ----------------


def _timed(url: str) -> tuple[int, float]:
    started = time.monotonic()
    status, _ = _get(url)
    return status, time.monotonic() - started


def test_the_service_survives_a_store_that_hangs_or_stops_and_recovers_by_itself(
    tmp_path_factory: pytest.TempPathFactory,
):
    # A Virtuoso of this test's own: it is frozen (SIGSTOP), resumed, stopped and started again.
    store = virtuoso_store.start(tmp_path_factory.mktemp("faulty"))
    try:
        # The answer cache off: every request must reach the store.
        env = {
            "HAIRONTO_REMOTE_USER": "dba",
            "HAIRONTO_REMOTE_PASSWORD": store.password,
            "HAIRONTO_CACHE_ENTRIES": "0",
        }
        pushed = CliRunner().invoke(main, ["push", store.graph_store], env=env)
        assert pushed.exit_code == 0, pushed.output
        server = start_server(
            tmp_path_factory.mktemp("faulty-serve"),
            ["--backend", f"remote:{store.sparql}", "--timeout", "2"],
            env,
        )
        base = next(server)
        ask = f"{base}/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        try:
            assert _timed(ask)[0] == 200
            # Hangs: every request is a 504 at its 2 s deadline (plus the answer's way back).
            store.process.send_signal(signal.SIGSTOP)
            for _ in range(3):
                status, took = _timed(ask)
                assert status == 504 and 1.9 < took < 3.0, (status, took)
            store.process.send_signal(signal.SIGCONT)
            assert _recovers(ask) < 5
            # Stops: a 502 at once, no waiting for a deadline.
            store.stop()
            for _ in range(3):
                status, took = _timed(ask)
                assert status == 502 and took < 1.5, (status, took)
            # Comes back on the same ports: the service answers again, no restart of its own.
            store.process = virtuoso_store._launch(store.folder)
            virtuoso_store._wait(store)
            assert _recovers(ask) < 5
        finally:
            server.close()
    finally:
        store.process.send_signal(signal.SIGCONT)
        store.stop()
        gc.collect()


def _recovers(url: str) -> float:
    """Seconds until the service answers 200 again (each failure must be a 502 or 504)."""
    started = time.monotonic()
    while True:
        status, _ = _get(url)
        if status == 200:
            return time.monotonic() - started
        assert status in (502, 504)
        assert time.monotonic() - started < 30, "the service did not recover"
        time.sleep(0.2)
