"""The per-client rate limit of expensive requests (issue 5, item 6): server/ratelimit.py.

Clients here are documentation addresses (RFC 5737) given to Flask's test client as the peer
address; nothing is sent to them. The live test's clients are on loopback, limited because it
says so (``RATE_LIMIT_LOOPBACK``).
"""

from __future__ import annotations

import ipaddress
import multiprocessing
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask

from haironto.server import close_app, create_app
from haironto.server.ratelimit import SharedBuckets, client_address, client_key, networks
from tests.hostile import cheap_query, send, serve

CLIENT = "203.0.113.7"


def ask(app: Flask, n: int, remote: str = CLIENT, **headers: str):
    return app.test_client().get(
        "/sparql",
        query_string={"query": cheap_query(n)},
        environ_base={"REMOTE_ADDR": remote},
        headers=headers,
    )


@pytest.fixture(scope="module")
def limited_app(release, tmp_path_factory):
    application = create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in release.asserted],
            "DATA_FULL": [str(p) for p in release.full],
            "RATE_LIMIT": 1,
            "RATE_LIMIT_WINDOW": 3600,  # no token comes back during the test
            "RATE_LIMIT_BURST": 3,
            "TRUSTED_PROXIES": ["192.0.2.1"],
            "REASON_LOCK_DIR": str(tmp_path_factory.mktemp("slots")),
        }
    )
    yield application
    close_app(application)


# -- the buckets --------------------------------------------------------------------------------


def test_a_bucket_allows_a_burst_then_one_request_per_refill(tmp_path: Path):
    buckets = SharedBuckets(tmp_path / "b")
    assert [buckets.take(b"c", rate=0.5, burst=2, now=10.0) for _ in range(3)] == [0.0, 0.0, 2.0]
    assert buckets.take(b"c", rate=0.5, burst=2, now=11.0) == pytest.approx(1.0)  # half a token back
    assert buckets.take(b"c", rate=0.5, burst=2, now=12.0) == 0.0
    assert buckets.take(b"other", rate=0.5, burst=2, now=12.0) == 0.0  # clients are apart


def test_a_full_table_gives_up_the_longest_waiting_client_never_blocks_a_new_one(tmp_path: Path):
    buckets = SharedBuckets(tmp_path / "b", slots=8)
    for n in range(50):  # more clients than slots, each with a spent bucket
        assert buckets.take(f"c{n}".encode(), rate=0.001, burst=1, now=float(n)) == 0.0


def _spend(path: str, results) -> None:  # runs in another process
    buckets = SharedBuckets(Path(path))
    results.put(sum(buckets.take(b"shared", rate=1e-6, burst=10) == 0.0 for _ in range(10)))


def test_processes_sharing_the_file_share_the_buckets(tmp_path: Path):
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=_spend, args=(str(tmp_path / "b"), results)) for _ in range(3)]
    for process in processes:
        process.start()
    allowed = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join()
    assert sum(allowed) == 10  # per-process buckets would have allowed 30


# -- who the client is ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        (CLIENT, ["6.6.6.6"], "", CLIENT),  # no trusted proxy: the header is the client's word only
        (CLIENT, ["6.6.6.6"], "192.0.2.1", CLIENT),  # not from the proxy: ignored
        ("192.0.2.1", ["6.6.6.6, " + CLIENT], "192.0.2.1", CLIENT),  # the hop the proxy appended
        ("192.0.2.1", [CLIENT + ", 192.0.2.2"], "192.0.2.0/24", CLIENT),  # two proxies
        ("192.0.2.1", ["garbage, " + CLIENT], "192.0.2.1", CLIENT),
        ("192.0.2.1", [CLIENT + ", garbage"], "192.0.2.1", "192.0.2.1"),  # a broken hop: stop there
        ("192.0.2.1", [], "192.0.2.1", "192.0.2.1"),
        ("192.0.2.1", ["[2001:db8::1]:443"], "192.0.2.1", "2001:db8::1"),
        ("::ffff:203.0.113.7", [], "", CLIENT),
    ],
)
def test_x_forwarded_for_is_believed_only_from_trusted_proxies(remote, forwarded, trusted, expected):
    assert str(client_address(remote, forwarded, networks(trusted))) == expected


def test_ipv6_clients_count_per_64():
    first, same, other = (
        ipaddress.ip_address(a) for a in ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:3::1")
    )
    assert client_key(first) == client_key(same) != client_key(other)


# -- over HTTP --------------------------------------------------------------------------------------


def test_queries_that_miss_the_cache_are_limited_with_retry_after(limited_app):
    statuses = [ask(limited_app, n, remote="203.0.113.10").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = ask(limited_app, 99, remote="203.0.113.10")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert "limit of 1 per 3600 s (bursts of 3)" in refused.get_data(as_text=True)
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    # Another client has its own bucket.
    assert ask(limited_app, 100, remote="203.0.113.11").status_code == 200


def test_cached_answers_revalidations_and_pages_are_not_counted(limited_app):
    remote = "203.0.113.20"
    client = limited_app.test_client()
    query = {"query": "ASK { ?s ?p ?o }"}
    warm = client.get("/sparql", query_string=query, environ_base={"REMOTE_ADDR": "203.0.113.21"})
    assert warm.status_code == 200
    for _ in range(10):  # the same query: from the cache every time
        hit = client.get("/sparql", query_string=query, environ_base={"REMOTE_ADDR": remote})
        assert hit.status_code == 200 and hit.headers["X-HairOnto-Cache"] == "hit"
        again = client.get(
            "/sparql",
            query_string=query,
            environ_base={"REMOTE_ADDR": remote},
            headers={"If-None-Match": hit.headers["ETag"]},
        )
        assert again.status_code == 304
        assert client.get("/HAIRONTO_9000007", environ_base={"REMOTE_ADDR": remote}).status_code == 200
    assert [ask(limited_app, 200 + n, remote=remote).status_code for n in range(4)] == [200, 200, 200, 429]


def test_loopback_clients_are_not_limited_by_default(limited_app):
    assert all(ask(limited_app, 300 + n, remote="127.0.0.1").status_code == 200 for n in range(6))
    assert all(ask(limited_app, 400 + n, remote="::1").status_code == 200 for n in range(6))


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(limited_app):
    via = {"remote": "192.0.2.1"}
    first = [
        ask(limited_app, 500 + n, **via, **{"X-Forwarded-For": "203.0.113.30"}).status_code for n in range(4)
    ]
    second = [
        ask(limited_app, 600 + n, **via, **{"X-Forwarded-For": "203.0.113.31"}).status_code for n in range(4)
    ]
    assert first == second == [200, 200, 200, 429]
    # From an untrusted peer the header changes nothing: the peer is the client.
    spoofed = [
        ask(limited_app, 700 + n, remote="203.0.113.32", **{"X-Forwarded-For": f"10.0.0.{n}"}).status_code
        for n in range(4)
    ]
    assert spoofed == [200, 200, 200, 429]


def test_the_api_and_reasoning_jobs_are_limited_too(limited_app):
    client = limited_app.test_client()
    remote = {"REMOTE_ADDR": "203.0.113.40"}
    api = [
        client.get(
            "/api/queries/claims-about-term", query_string={"term": f"HAIRONTO:{n:07d}"}, environ_base=remote
        )
        for n in range(3)
    ]
    assert [r.status_code for r in api] == [200, 200, 200]
    assert (
        client.get(
            "/api/queries/claims-about-term", query_string={"term": "HAIRONTO:1"}, environ_base=remote
        ).status_code
        == 429
    )
    refused = client.post(
        "/reason", data=b"<urn:a> a <urn:B> .", content_type="text/turtle", environ_base=remote
    )
    assert refused.status_code == 429 and refused.json["status"] == "rate limited"
    assert int(refused.headers["Retry-After"]) >= 1


def test_module_extractions_are_limited_but_a_repeated_one_is_not(limited_app):
    client = limited_app.test_client()

    def extract(term: str, remote: str):
        return client.get(
            "/extract",
            query_string={"terms": term, "method": "mireot"},
            environ_base={"REMOTE_ADDR": remote},
        )

    assert extract("HAIRONTO:9000003", "203.0.113.51").status_code == 200  # another client warms it
    remote = "203.0.113.50"
    assert [extract("HAIRONTO:9000003", remote).status_code for _ in range(5)] == [200] * 5
    fresh = [extract(term, remote) for term in ("HAIRONTO:9000001", "HAIRONTO:9000002", "HAIRONTO:9000004")]
    assert [r.status_code for r in fresh] == [200, 200, 200]
    refused = extract("HAIRONTO:9000005", remote)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "module extractions" in refused.get_data(as_text=True)


def test_the_burst_is_half_the_limit_unless_set(release, tmp_path):
    application = create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in release.asserted],
            "DATA_FULL": [str(p) for p in release.full],
            "RATE_LIMIT": 4,
            "RATE_LIMIT_WINDOW": 3600,
            "REASON_LOCK_DIR": str(tmp_path),
        }
    )
    try:
        assert [ask(application, 900 + n).status_code for n in range(3)] == [200, 200, 429]
    finally:
        close_app(application)


def test_a_limit_of_zero_turns_it_off(release):
    application = create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in release.asserted],
            "DATA_FULL": [str(p) for p in release.full],
            "RATE_LIMIT": 0,
            "RATE_LIMIT_BURST": 1,
        }
    )
    try:
        assert all(ask(application, 800 + n).status_code == 200 for n in range(5))
    finally:
        close_app(application)


def test_the_limit_holds_across_gunicorn_workers(release, tmp_path):
    # Two workers, burst 5, no refill. One request occupies a worker with a long query while
    # others go to the second worker; then requests reach both. Per-worker buckets would let
    # the first worker's unspent tokens through.
    # The limit comes from the command line; the rest from the environment, as documented.
    args = ["--workers", "2", "--timeout", "2", "--rate-limit", "1"]
    args += ["--ontology", str(release.asserted[0]), "--ontology-full", str(release.full[0])]
    env = {
        "HAIRONTO_RATE_LIMIT_WINDOW": "3600",
        "HAIRONTO_RATE_LIMIT_BURST": "5",
        "HAIRONTO_RATE_LIMIT_LOOPBACK": "true",
    }
    long = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with serve(tmp_path, args, env) as server:
        statuses: list[int] = []
        busy = threading.Thread(
            target=lambda: statuses.append(
                send(server.base, "GET", "/sparql?" + urlencode({"query": long})).status
            )
        )
        busy.start()
        time.sleep(0.5)
        meanwhile = [
            send(server.base, "GET", "/sparql?" + urlencode({"query": cheap_query(n)})).status
            for n in range(8)
        ]
        busy.join()
        afterwards = [
            send(server.base, "GET", "/sparql?" + urlencode({"query": cheap_query(100 + n)})).status
            for n in range(12)
        ]
    assert statuses == [503]  # the long query took a token, then its time ran out
    assert meanwhile == [200] * 4 + [429] * 4
    assert afterwards == [429] * 12
