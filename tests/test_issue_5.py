"""Regression tests for the bugs the hostile-input work of issue 5 found (``issues show 5``).

Each test is named after what broke:

* a query nested 10,000 deep crashed pyoxigraph's parser with SIGSEGV, killing the query worker
  (a 503 "worker died" and a worker restart for a few bytes of input);
* a query that doubles a string until it needs gigabytes had no memory cap: the query worker
  grew until the machine ran out; rdflib's engine reported MemoryError as an empty "query failed";
* nothing bounded the size of an answer handed back to the server process;
* a query worker killed while idle failed the next query with a 503;
* an API ``iri`` parameter that matched the documented pattern but not RFC 3987 (``\\x7f``)
  reached the engine and came back as a 503 "engine failed";
* the OpenAPI document described ``format`` as any string, so a client following it got 400s;
* RDF/XML posted to ``/reason`` with nested entities ("billion laughs") kept a reasoning job
  busy for minutes (rdflib gathers expat's output piece by piece).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from haironto.backends import get_backend
from haironto.backends.policy import MAX_NESTING, nesting_depth
from haironto.errors import QueryRefusedError, QueryResourceError
from haironto.formats import GRAPH, RESULTS, find_format
from haironto.reasoning import DocumentError, parse_document
from tests.hostile import doubling

DATA = b'<http://e/s> <http://e/p> "x" .\n<http://e/s2> <http://e/p> "y" .\n'


@pytest.fixture(params=["memory:", "rdflib:"])
def limited(request):
    """A backend whose one worker may use 256 MiB and hand back 1 MiB."""
    engine = get_backend(request.param)
    engine.load(DATA, format="ntriples")
    engine.worker_memory = 256 * 2**20
    engine.max_answer_bytes = 2**20
    engine.start_workers(1)
    yield engine
    engine.close()


def worker_pids(engine) -> list[int]:
    assert engine._sandbox is not None
    return engine._sandbox.pids()


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000,
        "ASK { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
        "ASK { ?s <urn:p> " + "(" * 300 + "1" + ")" * 300 + " }",  # slow, not fatal, in pyoxigraph
        "SELECT * WHERE { " + "OPTIONAL { ?s ?p ?o " * 10_000 + "}" * 10_000 + " }",
    ],
    ids=["groups", "parentheses", "collections", "optionals"],
)
def test_a_deeply_nested_query_is_refused_not_a_crashed_worker(limited, text):
    before = worker_pids(limited)
    with pytest.raises(QueryRefusedError, match=f"at most {MAX_NESTING}"):
        limited.query(text, timeout=10)
    assert worker_pids(limited) == before  # the worker never saw it
    assert limited.query("ASK { ?s ?p ?o }", timeout=10).value is True


def test_nesting_counts_brackets_only_outside_strings_iris_and_comments():
    deep = "{" * 100
    assert nesting_depth(f"ASK {{ ?s ?p '{deep}' }}") == 1
    assert nesting_depth(f'ASK {{ ?s ?p """{deep}""" }}') == 1
    assert nesting_depth(f"ASK {{ ?s ?p ?o }} # {deep}") == 1
    assert nesting_depth("ASK { <http://e/a(b)> ?p ?o }") == 1
    assert nesting_depth("ASK { ?s ?p ?o FILTER(?o IN ((1), (2))) }") == 4
    # An escape spells a bracket as the parser will see it.
    assert nesting_depth("ASK \\u007B ?s ?p ?o }") == 1


def test_a_query_that_needs_gigabytes_stops_at_the_worker_memory_limit(limited):
    before = worker_pids(limited)
    with pytest.raises(QueryResourceError, match="256 MiB of memory"):
        limited.query(f"SELECT (STRLEN(?a28) AS ?n) WHERE {{ {doubling(28)} }}", timeout=30)
    assert limited.query("ASK { ?s ?p ?o }", timeout=10).value is True
    # pyoxigraph aborts the worker, which is replaced; rdflib's raises MemoryError, caught in it.
    if limited.descriptor == "memory:":
        assert worker_pids(limited) != before


def test_an_answer_over_the_size_limit_is_refused_before_it_is_read(limited):
    with pytest.raises(QueryResourceError, match="over this endpoint's limit of 1 MiB"):
        limited.query(f"SELECT ?a17 WHERE {{ {doubling(17)} }}", timeout=30)  # 2 MiB of x
    assert limited.query(f"SELECT ?a15 WHERE {{ {doubling(15)} }}", timeout=30).count == 1  # 512 KiB


def test_the_memory_limit_is_what_a_query_may_add_to_the_loaded_worker(tmp_path):
    # A worker whose data alone outweighs the limit still starts (a store on disk maps gigabytes
    # of files); the limit bounds what each query adds on top.
    engine = get_backend("memory:")
    engine.load(DATA, format="ntriples")
    engine.worker_memory = 64 * 2**20  # less than the interpreter and its data already take
    engine.start_workers(1)
    try:
        assert engine.query("ASK { ?s ?p ?o }", timeout=10).value is True
        with pytest.raises(QueryResourceError, match="64 MiB of memory"):
            engine.query(f"SELECT (STRLEN(?a28) AS ?n) WHERE {{ {doubling(28)} }}", timeout=30)
    finally:
        engine.close()


def test_a_query_worker_that_died_idle_is_replaced_not_reported(limited):
    [idle] = worker_pids(limited)
    os.kill(idle, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while dead_or_zombie(idle) is False:  # wait until the kernel has ended it
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert limited.query("ASK { ?s ?p ?o }", timeout=10).value is True
    assert idle not in worker_pids(limited)


def dead_or_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


@pytest.mark.parametrize(
    "value", ["http://e/\x7f", "http://e/\x80x", "http://e/%zz", "http://[::1", "http://a:b/"]
)
def test_an_iri_parameter_the_engine_cannot_parse_is_400_not_503(test_client, value):
    response = test_client.get("/api/queries/echo", query_string={"term": value})
    assert response.status_code == 400, response.data
    assert b"term" in response.data


def test_the_openapi_format_parameter_lists_exactly_the_accepted_values(test_client):
    document = test_client.get("/api/openapi.json").json
    parameters = document["components"]["parameters"]
    for name, kind in (("format", RESULTS), ("graph-format", GRAPH)):
        values = parameters[name]["schema"]["enum"]
        assert all(find_format(value, kind) is not None for value in values)
        assert "turtle" not in values if kind == RESULTS else "csv" not in values


def test_nested_xml_entities_are_refused_at_once():
    levels = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{levels}]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="urn:a"><rdf:value>&l9;</rdf:value></rdf:Description></rdf:RDF>'
    )
    with pytest.raises(DocumentError, match="defined through other entities"):
        parse_document(body.encode(), "application/rdf+xml")
