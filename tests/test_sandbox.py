"""Query workers of the in-memory backends are forks of the process that holds the data.

They must share the loaded dataset instead of holding a copy of their own, keep nothing of
their parent's but their two pipes (a client connection held open by a worker would not close),
and end with their parent. The workers of a store on disk are spawned and open it themselves
(tests/test_stores.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from haironto.backends import get_backend
from haironto.backends.base import Backend
from tests.hostile import serve, smaps

#: Enough data that a copy of it is told apart from the noise of a process's own pages.
TRIPLES = 200_000


def private(pid: int) -> int:
    """Bytes only this process maps: what it does not share with its parent."""
    return smaps(pid, "Private_Clean", "Private_Dirty")


def load(descriptor: str, size: int) -> tuple[Backend, int]:
    """A backend holding ``size`` triples, and how many bytes of this process's memory they took."""
    lines = "\n".join(f'<http://example.org/s{i}> <http://example.org/p{i % 7}> "{i}" .' for i in range(size))
    backend = get_backend(descriptor)
    before = smaps(os.getpid(), "Rss")
    backend.load(lines.encode(), format="ntriples")
    del lines
    return backend, smaps(os.getpid(), "Rss") - before


def test_a_worker_shares_the_loaded_data_instead_of_copying_it():
    # memory: only: rdflib's dataset is Python objects, whose reference counts every read writes
    # to, so their pages stop being shared as a query reads them (its workers still load nothing).
    backend, grown = load("memory:", TRIPLES)
    backend.start_workers()
    try:
        assert backend._sandbox is not None
        [pid] = backend._sandbox.pids()
        assert backend.query("ASK { ?s ?p ?o }", timeout=30).value is True
        # A worker that parsed a copy of the dataset would hold all of it privately.
        assert private(pid) < grown / 4, (private(pid), grown)
        assert int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) == os.getpid()
    finally:
        backend.close()


def test_a_worker_holds_no_descriptor_of_its_parent_but_its_pipes():
    backend = get_backend("memory:")
    backend.load(b'<http://example.org/s> <http://example.org/p> "1" .', format="ntriples")
    with socket.socket() as listener:  # stands for a client connection the server holds
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        inode = os.fstat(listener.fileno()).st_ino
        backend.start_workers()
        try:
            assert backend._sandbox is not None
            [pid] = backend._sandbox.pids()
            held = {fd: os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
            assert f"socket:[{inode}]" not in held.values()
            beyond_stdio = [target for fd, target in held.items() if int(fd) > 2]
            assert len(beyond_stdio) == 2 and all(t.startswith("pipe:") for t in beyond_stdio), held
            assert backend.query("ASK { ?s ?p ?o }", timeout=30).value is True
        finally:
            backend.close()


@pytest.mark.parametrize("descriptor", ["memory:", "rdflib:"])
def test_a_replacement_worker_is_forked_with_the_data(descriptor: str):
    backend, _ = load(descriptor, 1000)
    backend.start_workers()
    try:
        assert backend._sandbox is not None
        [first] = backend._sandbox.pids()
        os.kill(first, 9)
        while _running(first):
            time.sleep(0.01)
        # The dead idle worker is noticed and replaced before the query runs.
        assert backend.query("ASK { <http://example.org/s3> ?p ?o }", timeout=30).value is True
        [second] = backend._sandbox.pids()
        assert second != first
    finally:
        backend.close()


def test_a_worker_ends_when_its_parent_is_killed(tmp_path: Path):
    script = textwrap.dedent(
        """
        import sys, time
        from haironto.backends import get_backend
        backend = get_backend("memory:")
        backend.load(b'<http://example.org/s> <http://example.org/p> "1" .', format="ntriples")
        backend.start_workers(2)
        print(*backend._sandbox.pids(), flush=True)
        time.sleep(60)
        """
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as parent:
        try:
            assert parent.stdout is not None
            workers = [int(pid) for pid in parent.stdout.readline().split()]
            assert len(workers) == 2
        finally:
            parent.kill()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_running(pid) for pid in workers)


def _running(pid: int) -> bool:
    # A zombie has ended; only its parent (gone here, so init) has yet to reap it.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_served_workers_share_the_dataset_the_master_loaded_once(tmp_path: Path):
    # haironto serve loads an in-process backend in gunicorn's master; its workers, and their
    # query workers, get it by fork instead of each loading a copy of their own.
    data = tmp_path / "cohort.nt"
    with data.open("wb") as out:
        for i in range(TRIPLES):
            out.write(b'<http://example.org/p%d> <http://example.org/age> "%d" .\n' % (i, i % 90))
    with serve(tmp_path, ["--workers", "2", "--data", str(data)], {"HAIRONTO_ENTAILMENT": "[]"}) as server:
        query = urllib.parse.urlencode({"query": "ASK { <http://example.org/p7> ?p ?o }"})
        with urllib.request.urlopen(f"{server.base}/sparql?{query}", timeout=30) as response:
            assert json.load(response)["boolean"] is True
        deadline = time.monotonic() + 20
        # Until both workers have booted and started their query worker.
        while len(server.query_workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers, query_workers = server.workers(), server.query_workers()
        assert len(workers) == 2 and len(query_workers) == 2
        # The master holds the store (the file's triples twice: its graph and the default graph).
        held = smaps(server.process.pid, "Rss")
        for pid in workers + query_workers:
            assert private(pid) < held / 4, (pid, private(pid), held)
