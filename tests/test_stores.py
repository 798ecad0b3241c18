"""The store on disk: `haironto load` is atomic and puts each file in its own graph; `haironto serve
--store` serves it read-only, with the user's files listed in the Service Description.

Expected counts come from parsing the files with rdflib, never from the store under test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph as RdfGraph
from rdflib import Namespace
from rdflib.namespace import RDF, VOID

from haironto.backends import get_backend
from haironto.backends.oxigraph import LoadItem, OxigraphBackend, clean_leftovers, load_store
from haironto.cli import main
from haironto.commands.stores import USER_GRAPH
from haironto.dataset import DataFiles, assemble
from haironto.errors import OntologyLoadError
from haironto.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from tests import synthetic
from tests.conftest import start_server
from tests.data import DATA_DIR, MINI

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
HAIRONTO = str(Path(sys.executable).with_name("haironto"))
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def void_counts(description: RdfGraph) -> dict[str, int]:
    """Named graph IRI -> void:triples, read from a Service Description."""
    return {
        str(description.value(named, SD.name)): int(
            description.value(description.value(named, SD.graph), VOID.triples)
        )
        for named in description.subjects(RDF.type, SD.NamedGraph)
    }


def count(store: Path, graph: str | None = None) -> int:
    backend = get_backend(f"oxigraph:{store}")
    result = backend.query(COUNT, default_graph_uris=[graph] if graph else ())
    return int(result.terms()[0][0].value)


@pytest.fixture
def store(tmp_path: Path, release: DataFiles) -> Path:
    """A store holding the fixture release and mini.ttl as a user file."""
    folder = tmp_path / "store"
    load_store(folder, [LoadItem(MINI, USER_GRAPH + "mini.ttl")], quads=assemble(release, union=False))
    return folder


def test_each_file_is_a_graph_and_a_reload_replaces_it(store: Path, tmp_path: Path):
    mini = len(RdfGraph().parse(MINI))
    assert count(store, USER_GRAPH + "mini.ttl") == mini
    assert count(store, str(ASSERTED_GRAPH)) == mini + 1  # the release adds its version IRI
    small = tmp_path / "mini.ttl"
    small.write_text("<http://example.org/s> <http://example.org/p> 1 .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["load", "--store", str(store), "--no-release", str(small)])
    assert result.exit_code == 0, result.output
    assert count(store, USER_GRAPH + "mini.ttl") == 1
    assert count(store, str(ASSERTED_GRAPH)) == mini + 1
    stats = get_backend(f"oxigraph:{store}").stats()
    assert set(stats.named_graphs) == {str(ASSERTED_GRAPH), str(INFERRED_GRAPH), USER_GRAPH + "mini.ttl"}
    assert stats.default_graph == sum(stats.named_graphs.values())


def test_every_rdf_syntax_loads_with_a_graph_given(tmp_path: Path):
    source = RdfGraph().parse(MINI)
    store = tmp_path / "store"
    files = []
    for suffix, name in (("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld"), ("ttl", "turtle")):
        path = tmp_path / f"mini.{suffix}"
        source.serialize(path, format=name, encoding="utf-8")
        files.append(str(path))
    result = CliRunner().invoke(
        main, ["load", "--store", str(store), "--no-release", "--graph", "https://example.org/g", *files]
    )
    assert result.exit_code == 0, result.output
    back = get_backend(f"oxigraph:{store}").query(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://example.org/g> { ?s ?p ?o } }"
    )
    assert RdfGraph().parse(data=back.serialize("ntriples"), format="nt").isomorphic(source)


def test_a_failed_load_leaves_the_store_as_it_was(store: Path, tmp_path: Path):
    before = count(store)
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/s> <http://example.org/p> .", encoding="utf-8")
    result = CliRunner().invoke(main, ["load", "--store", str(store), str(MINI), str(broken)])
    assert result.exit_code == 2 and "broken.ttl" in result.output
    assert count(store) == before
    assert not list(store.parent.glob(".store.*"))  # no staging copy left behind
    with pytest.raises(OntologyLoadError, match="no such file"):
        load_store(store, [LoadItem(tmp_path / "absent.nt", None)])


def test_a_killed_load_leaves_the_old_store_usable(store: Path, tmp_path: Path):
    big = tmp_path / "big.nt"
    big.write_bytes(synthetic.synthetic_ntriples(1_500_000, seed=5))
    before = count(store)
    process = subprocess.Popen([HAIRONTO, "load", "--store", str(store), str(big)], stdout=subprocess.DEVNULL)
    staging = store.with_name(f".store.loading-{process.pid}")
    deadline = time.monotonic() + 60
    while not staging.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # well inside the bulk load of about two million triples
    assert process.poll() is None, "the load ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert staging.exists()  # the half-written copy, never swapped in
    # The old store opens and answers as before, from a server as from the library.
    assert count(store) == before
    backend = get_backend(f"oxigraph:{store}")
    backend.start_workers()
    assert backend.query(COUNT, timeout=30).terms()[0][0].value == str(before)
    backend.close()
    # The next load removes the leftover and succeeds.
    assert clean_leftovers(store) == [staging]
    result = CliRunner().invoke(main, ["load", "--store", str(store), "--no-release", str(MINI)])
    assert result.exit_code == 0, result.output
    assert count(store) == before


def test_query_workers_open_the_store_themselves(store: Path):
    backend = OxigraphBackend(str(store))
    assert not backend.forks_workers  # nothing is copied to the worker
    backend.start_workers()
    assert backend._sandbox is not None
    [pid] = backend._sandbox.pids()
    opened = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    assert any(path.startswith(str(store.resolve())) for path in opened)
    backend.close()


def test_serve_store_answers_read_only_and_describes_the_user_graphs(store: Path, tmp_path: Path):
    lab = DATA_DIR / "lab.ttl"
    args = ["--store", str(store), "--data", f"https://example.org/lab={lab}"]
    server = start_server(tmp_path, args, {})
    base = next(server)
    try:
        with urllib.request.urlopen(base + "/sparql?format=turtle", timeout=30) as response:
            description = RdfGraph().parse(data=response.read(), format="turtle")
        assert void_counts(description) == {
            str(ASSERTED_GRAPH): len(RdfGraph().parse(MINI)) + 1,
            str(INFERRED_GRAPH): 1,
            USER_GRAPH + "mini.ttl": len(RdfGraph().parse(MINI)),
            "https://example.org/lab": len(RdfGraph().parse(lab)),
        }
        query = urllib.parse.urlencode({"query": "ASK { GRAPH <https://example.org/lab> { ?s ?p ?o } }"})
        with urllib.request.urlopen(f"{base}/sparql?{query}", timeout=30) as response:
            assert b"true" in response.read()
        update = urllib.parse.urlencode({"update": "CLEAR ALL"}).encode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(base + "/sparql", data=update), timeout=30)
        assert refused.value.code == 403
        refused.value.close()  # the error holds the response's socket
    finally:
        server.close()  # SIGTERM, then waits for the server to stop
    # The workers exit cleanly: none inherits a RocksDB handle from the master (it crashed them).
    log = (tmp_path / "server.log").read_text()
    assert "Worker exiting" in log and "SIGSEGV" not in log


@pytest.mark.parametrize("blank", [False, True])
def test_a_large_line_based_file_is_parsed_in_parts_to_the_same_graph(tmp_path: Path, monkeypatch, blank):
    # Parts cut at line ends, unless the file has blank nodes: each part's parse would rename them.
    from haironto.backends import oxigraph

    subject = "_:shared" if blank else "<http://example.org/shared>"
    lines = [f"{subject} <http://example.org/p> <http://example.org/o{i}> ." for i in range(2000)]
    lines += [f'<http://example.org/s{i}> <http://example.org/q> "{i}" .' for i in range(2000)]
    data = tmp_path / "big.nt"
    data.write_text("\n".join(lines[::2] + lines[1::2]) + "\n", encoding="utf-8")
    monkeypatch.setattr(oxigraph, "PARALLEL_BYTES", 1000)
    monkeypatch.setattr(oxigraph.os, "cpu_count", lambda: 4)
    parsed = []
    real_bulk = oxigraph._bulk
    monkeypatch.setattr(oxigraph, "_bulk", lambda *args: parsed.append(args[1]) or real_bulk(*args))
    read = []
    load_store(tmp_path / "store", [LoadItem(data, "https://example.org/g")], progress=read.append)
    assert len(parsed) == (1 if blank else 4)
    assert sum(read) == data.stat().st_size
    backend = get_backend(f"oxigraph:{tmp_path / 'store'}")
    assert count(tmp_path / "store") == len(RdfGraph().parse(data, format="nt")) == 4000
    shared = backend.query("SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b <http://example.org/p> ?o }")
    assert shared.terms()[0][0].value == "1"
