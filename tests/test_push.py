"""`haironto push` streams files to a graph store: checked first, as N-Triples, with their length.

A recording graph store on loopback shows what goes over the wire; a real Virtuoso shows that
the data arrives whole, blank nodes and all, and that the client's memory stays flat however
large the file.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import textwrap
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode
from rdflib import Graph as RdfGraph
from rdflib.compare import isomorphic

from haironto.backends.remote import RemoteBackend
from haironto.backends.upload import PIECE_TRIPLES
from haironto.cli import main
from haironto.commands.stores import USER_GRAPH
from haironto.errors import OntologyLoadError
from tests import virtuoso as virtuoso_store
from tests.data import DATA_DIR
from tests.virtuoso import Virtuoso

GRAPH = "https://example.org/pushed"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A graph store that keeps every write it gets: method, graph, headers and body."""

    def do_PUT(self) -> None:  # noqa: N802  (http.server's naming)
        self._record()

    def do_POST(self) -> None:  # noqa: N802
        self._record()

    def _record(self) -> None:
        length = self.headers.get("Content-Length")
        body = self.rfile.read(int(length)) if length is not None else b""
        graph = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("graph", [""])[0]
        self.server.writes.append((self.command, graph, dict(self.headers), body))  # type: ignore[attr-defined]
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.writes = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _store(server: http.server.ThreadingHTTPServer) -> RemoteBackend:
    url = f"http://127.0.0.1:{server.server_address[1]}/store"
    return RemoteBackend(url, graph_store=url)


def test_a_large_file_goes_in_pieces_each_with_its_length(recorder, tmp_path: Path):
    data = tmp_path / "data.nt"
    lines = [b'<http://example.org/s%d> <http://example.org/p> "%d" .\n' % (i, i) for i in range(250_000)]
    data.write_bytes(b"".join(lines))
    sent: list[int] = []
    counts = _store(recorder).load_files([(data, GRAPH)], progress=sent.append)
    # Virtuoso 7.2 stops for good, now and then, in the middle of one large PUT; it did not in
    # requests of 10^5 triples. The first replaces the graph, the next add to it.
    assert [(method, graph) for method, graph, _, _ in recorder.writes] == [
        ("PUT", GRAPH),
        ("POST", GRAPH),
        ("POST", GRAPH),
    ]
    for _, _, headers, body in recorder.writes:
        # Virtuoso 7.2 answers 201 to a chunked body and keeps none of it: the length must be given.
        assert "Transfer-Encoding" not in headers and int(headers["Content-Length"]) == len(body)
        assert len(body.splitlines()) <= PIECE_TRIPLES
    received = b"".join(body for _, _, _, body in recorder.writes)
    assert sorted(received.splitlines()) == sorted(line.rstrip(b"\n") for line in lines)
    assert counts == {GRAPH: 250_000}
    assert abs(sum(sent) - data.stat().st_size) <= len(sent) and len(sent) == 3  # progress per piece


def test_blank_nodes_go_together_and_other_syntaxes_as_ntriples(recorder, tmp_path: Path):
    lab = tmp_path / "lab.ttl"
    lab.write_text(
        "@prefix ex: <http://example.org/> .\n"
        '<study/1> ex:arm [ ex:dose 5 ; ex:label "first" ] , [ ex:dose 10 ] ; ex:size 42 .\n',
        encoding="utf-8",
    )
    counts = _store(recorder).load_files([(lab, GRAPH), (DATA_DIR / "lab.ttl", GRAPH)])
    methods = [method for method, _, _, _ in recorder.writes]
    # lab.ttl: its triple without a blank node, then the five with one, in one document; the
    # second file of the graph adds to it.
    assert methods[:2] == ["PUT", "POST"] and set(methods[2:]) == {"POST"}
    assert all(headers["Content-Type"] == "application/n-triples" for _, _, headers, _ in recorder.writes)
    first, blank = (RdfGraph().parse(data=body, format="nt") for _, _, _, body in recorder.writes[:2])
    assert len(first) == 1 and len(blank) == 5
    assert all(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in blank)
    assert isomorphic(first + blank, RdfGraph().parse(lab, format="turtle"))
    assert (lab.resolve().parent / "study/1").as_uri() in {str(s) for s in first.subjects()}
    rest = RdfGraph()
    for _, _, _, body in recorder.writes[2:]:
        rest.parse(data=body, format="nt")
    assert isomorphic(rest, RdfGraph().parse(DATA_DIR / "lab.ttl"))
    assert counts == {GRAPH: 6 + len(rest)}


def test_an_empty_file_still_replaces_the_graph(recorder, tmp_path: Path):
    empty = tmp_path / "empty.nt"
    empty.write_bytes(b"")
    assert _store(recorder).load_files([(empty, GRAPH)]) == {GRAPH: 0}
    assert [(method, body) for method, _, _, body in recorder.writes] == [("PUT", b"")]


def test_a_malformed_file_sends_nothing_and_names_its_line(recorder, tmp_path: Path):
    good, bad = tmp_path / "good.nt", tmp_path / "bad.ttl"
    good.write_bytes(b'<http://example.org/s> <http://example.org/p> "1" .\n')
    bad.write_text("<http://example.org/s> <http://example.org/p> .\n", encoding="utf-8")
    with pytest.raises(OntologyLoadError, match=r"bad\.ttl.*(line|1:)"):
        _store(recorder).load_files([(bad, GRAPH), (good, GRAPH)])
    assert recorder.writes == []


# -- a real Virtuoso -------------------------------------------------------------------------------


def _count(store: Virtuoso, query: str) -> int:
    url = f"{store.sparql}?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return int(response.read().decode().splitlines()[1].strip('"'))


@pytest.fixture
def own_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso of this test's own, so that a large graph neither slows nor fills the session's."""
    store = virtuoso_store.start(tmp_path_factory.mktemp("virtuoso-push"), buffers=40000)
    yield store
    store.stop()


def test_push_streams_a_large_file_into_virtuoso_with_flat_memory(own_virtuoso: Virtuoso, tmp_path: Path):
    triples = 300_000
    data = tmp_path / "cohort.nt"
    with data.open("wb") as out:
        for i in range(triples):
            out.write(b'<http://example.org/p%d> <http://example.org/age> "%d" .\n' % (i, i % 90))
    small = tmp_path / "small.nt"
    small.write_bytes(b'<http://example.org/s> <http://example.org/p> "1" .\n')
    # Peak memory of a push of the large file against one of a one-triple file, each in a process of its own.
    grown = _peak_push_kib(own_virtuoso, data) - _peak_push_kib(own_virtuoso, small)
    assert grown * 1024 < data.stat().st_size / 4, (grown, data.stat().st_size)
    graph = USER_GRAPH + data.name
    assert _count(own_virtuoso, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == triples


def _peak_push_kib(store: Virtuoso, data: Path) -> int:
    environment = {
        **os.environ,
        "HAIRONTO_REMOTE_USER": "dba",
        "HAIRONTO_REMOTE_PASSWORD": store.password,
    }
    script = textwrap.dedent(
        f"""
        import resource
        from haironto.cli import main
        try:
            main(["push", {store.graph_store!r}, {str(data)!r}])
        except SystemExit as end:
            assert end.code == 0, end.code
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=environment
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def test_push_keeps_blank_nodes_and_a_malformed_file_leaves_the_graph_as_it_was(
    virtuoso: Virtuoso, tmp_path: Path
):
    lab = tmp_path / "cohorts.ttl"
    lab.write_text(
        "@prefix ex: <http://example.org/> .\n"
        + "".join(f"ex:study{i} ex:cohort [ ex:size {i} ; ex:arm [ ex:dose {i} ] ] .\n" for i in range(200)),
        encoding="utf-8",
    )
    graph = USER_GRAPH + lab.name
    pushed = CliRunner().invoke(main, ["push", virtuoso.graph_store, str(lab)])
    assert pushed.exit_code == 0, pushed.output
    cohorts = f"SELECT (COUNT(DISTINCT ?c) AS ?n) {{ GRAPH <{graph}> {{ ?s <http://example.org/cohort> ?c . ?c <http://example.org/arm> ?a . ?a <http://example.org/dose> ?d }} }}"
    assert _count(virtuoso, cohorts) == 200  # each blank node still joins its own triples
    lab.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")  # malformed now
    refused = CliRunner().invoke(main, ["push", virtuoso.graph_store, str(lab)])
    assert refused.exit_code == 2 and "cohorts.ttl" in refused.output
    assert _count(virtuoso, cohorts) == 200
