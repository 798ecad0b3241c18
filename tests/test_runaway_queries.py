"""Runaway queries over the whole release (issue 5, item 2): each is stopped within its time limit
plus one second, with a 503 or 400 that says why, while a cheap query keeps being answered.

The live server holds the bundled release (2,899 triples), with a 2 s time limit, 256 MiB per
query worker and 8 MiB per answer. The cheap query is a new one each time (a cache miss), so it
really runs in a query worker of the other gunicorn worker. ``bench/runaway.py`` runs the same
attacks and records the cheap query's latency during them (p50, p99) in ``bench/RESULTS-runaway.md``.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from haironto.backends import get_backend
from haironto.dataset import DataFiles, load_dataset
from haironto.errors import QueryTimeoutError
from tests.hostile import Answer, cheap_query, doubling, send, serve

TIMEOUT = 2.0
#: A second of slack beyond the time limit, as the issue asks.
GRACE = 1.0


@dataclass(frozen=True)
class Attack:
    name: str
    query: str
    status: int
    says: str
    """A pattern the body must match: why the query was stopped."""
    post: bool = False


ATTACKS = [
    Attack(
        "cartesian product of the whole dataset",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        503,
        "time limit of 2 s",
    ),
    Attack(
        "any-direction property path over everything",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s (!<urn:none>|^!<urn:none>)* ?o . ?o (!<urn:none>|^!<urn:none>)* ?x }",
        503,
        "time limit of 2 s|256 MiB of memory",  # whichever the path's visited set reaches first
    ),
    Attack(
        "backtracking regex on every pair of literals",
        'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?a ?b ?c FILTER REGEX(CONCAT(STR(?o), STR(?c), "!"), "^(a|aa|a+)+$") }',
        503,
        "time limit of 2 s",
    ),
    Attack(
        "GROUP_CONCAT of a cartesian product",
        "SELECT (STRLEN(GROUP_CONCAT(STR(?o))) AS ?n) WHERE { ?a ?b ?c . ?s ?p ?o . ?x ?y ?z }",
        503,
        "time limit of 2 s|256 MiB of memory",
    ),
    Attack(
        "a string doubled to 4 GiB",
        f"SELECT (STRLEN(?a28) AS ?n) WHERE {{ {doubling(28)} }}",
        503,
        "256 MiB of memory",
    ),
    Attack(
        "an answer of 16 MiB",
        f"SELECT ?a20 WHERE {{ {doubling(20)} }}",
        503,
        "over this endpoint's limit of 8 MiB",
    ),
    Attack(
        "10,000 nested groups",
        "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000,
        400,
        "nests groups, parentheses or brackets 10000 deep",
        post=True,
    ),
]


@pytest.fixture(scope="module")
def release_server(tmp_path_factory):
    args = ["--workers", "2", "--timeout", str(TIMEOUT)]
    env = {"HAIRONTO_QUERY_MEMORY": "256", "HAIRONTO_MAX_ANSWER_BYTES": str(8 * 2**20)}
    with serve(tmp_path_factory.mktemp("runaway"), args, env) as server:
        yield server


def run_attack(base: str, attack: Attack) -> Answer:
    if attack.post:
        return send(
            base,
            "POST",
            "/sparql",
            headers={"Content-Type": "application/sparql-query"},
            body=attack.query.encode(),
        )
    return send(base, "GET", "/sparql?" + urlencode({"query": attack.query}))


def attack_while_measuring(base: str, attack: Attack) -> tuple[Answer, list[Answer]]:
    """Run an attack; meanwhile send cheap queries one after another. Returns both."""
    cheap: list[Answer] = []
    done = threading.Event()

    def keep_asking() -> None:
        n = 0
        while not done.is_set():
            n += 1
            cheap.append(
                send(base, "GET", "/sparql?" + urlencode({"query": cheap_query(time.time_ns() + n)}))
            )

    helper = threading.Thread(target=keep_asking)
    helper.start()
    time.sleep(0.1)  # the helper is asking before the attack starts
    try:
        answer = run_attack(base, attack)
    finally:
        done.set()
        helper.join()
    return answer, cheap


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_a_runaway_query_is_stopped_in_time_and_says_why_while_others_are_answered(release_server, attack):
    answer, cheap = attack_while_measuring(release_server.base, attack)
    assert answer.status == attack.status, answer.body[:300]
    assert re.search(attack.says, answer.body.decode()), answer.body[:300]
    assert answer.elapsed < TIMEOUT + GRACE, answer.elapsed
    assert cheap and all(c.status == 200 for c in cheap), [c.status for c in cheap]
    assert b"Traceback" not in answer.body


def test_after_the_attacks_every_worker_is_back(release_server):
    # Each stopped query's worker process was replaced; two gunicorn workers with one each.
    deadline = time.monotonic() + 30
    while len(release_server.query_workers()) != 2:
        assert time.monotonic() < deadline, release_server.query_workers()
        time.sleep(0.1)
    assert send(release_server.base, "GET", "/health").status == 200


def test_a_catastrophic_regex_on_the_rdflib_engine_is_cancelled_at_its_time_limit():
    # pyoxigraph's regex engine runs in linear time; rdflib's engine uses Python's backtracking re.
    engine = get_backend("rdflib:")
    load_dataset(engine, DataFiles.release())
    engine.start_workers(1)
    query = 'ASK { BIND(CONCAT("' + "a" * 40 + '", "!") AS ?s) FILTER REGEX(?s, "^(a+)+$") }'
    started = time.monotonic()
    try:
        with pytest.raises(QueryTimeoutError):
            engine.query(query, timeout=TIMEOUT)
        assert time.monotonic() - started < TIMEOUT + GRACE
        assert engine.query("ASK { ?s ?p ?o }", timeout=10).value is True
    finally:
        engine.close()
