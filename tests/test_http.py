"""HTTP done right: validators and 304s, the answer cache, CORS, gzip, and Cache-Control.

Each behaviour runs through the ``http`` fixture, on Flask's test client and on the real
gunicorn server (two worker processes) on loopback. Metrics have their own module.
"""

from __future__ import annotations

import gzip
import os
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.http import http_date, parse_date

from haironto.backends import Graph, Result
from haironto.server.conditional import release_of
from tests.conftest import MAX_ROWS
from tests.test_metrics import metric_families
from tests.test_sparql_protocol import CONSTRUCT_ALL, EXPENSIVE, SELECT_LABELS
from tests.transport import FlaskTransport, Reply, Transport


def unique_ask() -> str:
    """An ASK no other test sends, so no cache anywhere holds its answer yet."""
    return f'ASK {{ FILTER("{uuid.uuid4()}" != "") }}'


def weak_tag(reply: Reply) -> str:
    tag = reply.headers["ETag"]
    assert tag.startswith('W/"') and tag.endswith('"'), tag
    return tag


# -- validators and 304 -----------------------------------------------------------------------


def test_an_answer_carries_validators_and_may_be_cached(http: Transport):
    reply = http.get(params={"query": SELECT_LABELS})
    assert reply.status == 200
    weak_tag(reply)
    assert parse_date(reply.headers["Last-Modified"]) is not None
    directives = {d.strip() for d in reply.headers["Cache-Control"].split(",")}
    assert "public" in directives and any(d.startswith("max-age=") for d in directives)


def test_if_none_match_gets_a_304_without_a_body(http: Transport):
    first = http.get(params={"query": SELECT_LABELS})
    tag = weak_tag(first)
    again = http.get(params={"query": SELECT_LABELS}, headers={"If-None-Match": tag})
    assert again.status == 304 and again.body == b""
    assert again.headers["ETag"] == tag
    assert "max-age=" in again.headers["Cache-Control"]
    # Another tag, or the strong form of ours compared weakly, behaves as RFC 9110 says.
    assert http.get(params={"query": SELECT_LABELS}, headers={"If-None-Match": '"other"'}).status == 200
    assert http.get(params={"query": SELECT_LABELS}, headers={"If-None-Match": tag[2:]}).status == 304
    assert http.get(params={"query": SELECT_LABELS}, headers={"If-None-Match": "*"}).status == 304


def test_if_modified_since_gets_a_304_until_the_release_changes(http: Transport):
    first = http.get(params={"query": SELECT_LABELS})
    modified = first.headers["Last-Modified"]
    assert http.get(params={"query": SELECT_LABELS}, headers={"If-Modified-Since": modified}).status == 304
    earlier = http_date(parse_date(modified) - timedelta(seconds=1))
    assert http.get(params={"query": SELECT_LABELS}, headers={"If-Modified-Since": earlier}).status == 200


def test_if_none_match_wins_over_if_modified_since(http: Transport):
    modified = http.get(params={"query": SELECT_LABELS}).headers["Last-Modified"]
    reply = http.get(
        params={"query": SELECT_LABELS}, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}
    )
    assert reply.status == 200


def test_the_tag_depends_on_query_format_and_dataset(http: Transport):
    base = {"query": SELECT_LABELS}
    tags = {
        weak_tag(http.get(params=base)),
        weak_tag(http.get(params={**base, "format": "xml"})),
        weak_tag(http.get(params=base, headers={"Accept": "text/csv"})),
        weak_tag(http.get(params={"query": SELECT_LABELS + " LIMIT 1"})),
        weak_tag(http.get(params=[*base.items(), ("default-graph-uri", "http://example.org/g")])),
    }
    assert len(tags) == 5
    # Layout and comments do not change the answer, so they do not change the tag.
    relaid = "  " + SELECT_LABELS.replace(" ", "\n  ") + "  # the labels"
    assert weak_tag(http.get(params={"query": relaid})) == weak_tag(http.get(params=base))


def queries_answered(http: Transport) -> float:
    """Queries that reached the answer cache (hits and misses), over every worker process."""
    families = metric_families(http)
    return sum(
        families[name] for name in ("haironto_query_cache_hits_total", "haironto_query_cache_misses_total")
    )


def test_a_304_runs_no_query(http: Transport):
    query = unique_ask()
    tag = weak_tag(http.get(params={"query": query}))
    before = queries_answered(http)
    # The tag comes from the request alone: nothing is looked up, let alone run.
    reply = http.get(params={"query": query}, headers={"If-None-Match": tag})
    assert reply.status == 304 and "X-HairOnto-Cache" not in reply.headers
    assert queries_answered(http) == before


def test_post_answers_are_not_revalidated(http: Transport):
    reply = http.post(
        body=SELECT_LABELS.encode(), content_type="application/sparql-query", headers={"If-None-Match": "*"}
    )
    assert reply.status == 200 and "ETag" not in reply.headers


def test_errors_carry_no_validators(http: Transport):
    bad = http.get(params={"query": "SELECT * WHERE {"})
    assert (
        bad.status == 400
        and "ETag" not in bad.headers
        and "public" not in bad.headers.get("Cache-Control", "")
    )
    slow = http.get(params={"query": EXPENSIVE, "timeout": "0.5"})
    assert slow.status == 503 and "ETag" not in slow.headers
    assert "no-store" in slow.headers["Cache-Control"]


def test_the_service_description_is_revalidated_too(http: Transport):
    first = http.get(headers={"Accept": "text/turtle"})
    tag = weak_tag(first)
    assert http.get(headers={"Accept": "text/turtle", "If-None-Match": tag}).status == 304
    assert weak_tag(http.get(headers={"Accept": "application/rdf+xml"})) != tag


def test_health_is_never_cached(http: Transport):
    reply = http.get("/health")
    assert reply.status == 200 and "no-store" in reply.headers["Cache-Control"]
    assert "ETag" not in reply.headers


def test_the_release_tag_follows_the_files(tmp_path: Path):
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/s> <http://example.org/p> 1 .\n", encoding="utf-8")
    when = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc).timestamp()
    os.utime(data, (when, when))
    first = release_of([data], "version 1", max_age=60)
    assert first.last_modified == datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
    assert release_of([data], "version 1", max_age=60) == first
    assert release_of([data], "version 2", max_age=60).tag != first.tag
    os.utime(data, (when + 60, when + 60))
    later = release_of([data], "version 1", max_age=60)
    assert later.tag != first.tag and later.last_modified > first.last_modified


def test_last_modified_is_the_newest_data_file(http: Transport, release):
    newest = max(int(p.stat().st_mtime) for p in release.paths())
    reply = http.get(params={"query": SELECT_LABELS})
    assert parse_date(reply.headers["Last-Modified"]) == datetime.fromtimestamp(newest, tz=timezone.utc)


# -- the answer cache ---------------------------------------------------------------------------


def cache_states(http: Transport, query: str, times: int, **kwargs: object) -> list[str]:
    states = []
    for _ in range(times):
        reply = http.get(params={"query": query, **kwargs})  # type: ignore[dict-item]
        assert reply.status == 200, reply.text
        states.append(reply.headers["X-HairOnto-Cache"])
    return states


def test_a_repeated_query_is_answered_from_the_cache(http: Transport):
    # The live server has two worker processes, each with its own cache: of three identical
    # requests, two reach the same process, so at least one of the last two is a hit.
    query = unique_ask()
    states = cache_states(http, query, 3)
    assert states[0] == "miss" and "hit" in states[1:]
    if isinstance(http, FlaskTransport):  # one process, one cache
        assert states == ["miss", "hit", "hit"]


def test_a_different_query_or_format_is_a_miss(http: Transport):
    query = unique_ask()
    cache_states(http, query, 3)
    assert cache_states(http, unique_ask(), 1) == ["miss"]
    assert cache_states(http, query, 1, format="xml") == ["miss"]


def test_the_cache_gives_the_same_bytes(http: Transport):
    query = f'SELECT ?term ?label WHERE {{ ?term <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER("{uuid.uuid4()}" != "") }} ORDER BY ?label'
    replies = [http.get(params={"query": query}) for _ in range(3)]
    assert len({r.body for r in replies}) == 1
    assert len({r.headers["X-HairOnto-Rows"] for r in replies}) == 1


def test_cut_answers_are_cached_and_still_say_so(http: Transport):
    query = f'CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER("{uuid.uuid4()}" != "") }}'
    replies = [http.get(params={"query": query}) for _ in range(3)]
    assert [r.headers["X-HairOnto-Truncated"] for r in replies] == ["true"] * 3
    assert [r.headers["X-HairOnto-Rows"] for r in replies] == [str(MAX_ROWS)] * 3
    assert "hit" in [r.headers["X-HairOnto-Cache"] for r in replies[1:]]


def test_timeouts_and_errors_are_never_cached(http: Transport):
    slow = f'SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o FILTER("{uuid.uuid4()}" != "") }}'
    for _ in range(2):
        reply = http.get(params={"query": slow, "timeout": "0.3"})
        assert reply.status == 503 and "X-HairOnto-Cache" not in reply.headers
    for _ in range(2):
        assert http.get(params={"query": "SELECT * WHERE {"}).status == 400


# -- CORS ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/sparql", "/health"])
def test_reads_are_open_to_every_origin_without_credentials(http: Transport, path: str):
    params = {"query": "ASK {}"} if path == "/sparql" else None
    reply = http.get(path, params=params, headers={"Origin": "https://example.org"})
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in reply.headers
    exposed = reply.headers["Access-Control-Expose-Headers"]
    assert "X-HairOnto-Rows" in exposed and "ETag" in exposed


def test_a_preflight_allows_a_direct_post(http: Transport):
    reply = http.request(
        "OPTIONS",
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert reply.status == 200
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in reply.headers["Access-Control-Allow-Methods"]
    assert "content-type" in reply.headers["Access-Control-Allow-Headers"].lower()
    assert int(reply.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in reply.headers


def test_errors_are_readable_across_origins(http: Transport):
    reply = http.get(params={"query": "SELECT * WHERE {"}, headers={"Origin": "https://example.org"})
    assert reply.status == 400 and reply.headers["Access-Control-Allow-Origin"] == "*"


# -- gzip ---------------------------------------------------------------------------------------


def test_large_answers_are_gzipped_for_clients_that_accept_it(http: Transport):
    plain = http.get(params={"query": CONSTRUCT_ALL, "format": "ntriples"})
    assert plain.status == 200 and "Content-Encoding" not in plain.headers
    assert len(plain.body) > 1024
    packed = http.get(
        params={"query": CONSTRUCT_ALL, "format": "ntriples"}, headers={"Accept-Encoding": "gzip, br"}
    )
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.body) < len(plain.body)
    assert gzip.decompress(packed.body) == plain.body
    for reply in (plain, packed):
        assert "accept-encoding" in reply.headers["Vary"].lower()
    assert packed.headers["ETag"] == plain.headers["ETag"]


def test_small_answers_and_refusing_clients_get_plain_bytes(http: Transport):
    small = http.get(params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers
    refused = http.get(
        params={"query": CONSTRUCT_ALL, "format": "ntriples"}, headers={"Accept-Encoding": "gzip;q=0"}
    )
    assert "Content-Encoding" not in refused.headers


def test_a_negative_threshold_turns_gzip_off(app: Flask, client, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(app.config, "GZIP_THRESHOLD", -1)
    reply = client.get("/sparql", query_string={"query": CONSTRUCT_ALL}, headers={"Accept-Encoding": "gzip"})
    assert reply.status_code == 200 and "Content-Encoding" not in reply.headers


def test_a_304_carries_the_same_vary(http: Transport):
    first = http.get(params={"query": SELECT_LABELS})
    again = http.get(params={"query": SELECT_LABELS}, headers={"If-None-Match": first.headers["ETag"]})
    vary = {v.strip().lower() for v in again.headers["Vary"].split(",")}
    assert vary >= {"accept", "accept-encoding"}


# -- the server passes the worker's bytes on ----------------------------------------------------


@pytest.mark.parametrize(
    "query, formats",
    [
        (SELECT_LABELS, ["json", "xml", "csv", "tsv"]),
        (CONSTRUCT_ALL, ["turtle", "ntriples", "rdfxml", "jsonld"]),
        ("ASK {}", ["json", "xml", "csv", "tsv"]),
    ],
)
def test_the_server_converts_nothing(
    app: Flask, client, monkeypatch: pytest.MonkeyPatch, query: str, formats: list[str]
):
    # The query worker writes the negotiated format itself; converting in the server process
    # would fail here (the worker is another process, where nothing is patched).
    def refuse(self, target):
        raise AssertionError(f"the server converted {self.syntax} to {target.name}")

    monkeypatch.setattr(Result, "_convert", refuse)
    monkeypatch.setattr(Graph, "_convert", refuse)
    monkeypatch.setattr(app.extensions["haironto"].cache, "max_entries", 0)  # every answer is new
    for name in formats:
        reply = client.get("/sparql", query_string={"query": query, "format": name})
        assert reply.status_code == 200, (name, reply.get_data(as_text=True))


def test_the_app_serves_the_backend_it_is_given(release):
    # haironto serve loads the dataset once in gunicorn's master; each worker gets the backend by fork.
    from haironto.backends import get_backend
    from haironto.server import create_app
    from haironto.server.store import close_app

    loaded = get_backend("memory:")
    loaded.load(
        b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n", format="ntriples"
    )
    config = {
        "TESTING": True,
        "DATA": [str(p) for p in release.asserted],
        "DATA_FULL": [str(p) for p in release.full],
    }
    app = create_app(config, backend=loaded)
    try:
        assert app.test_client().get("/health").get_json()["triples"] == 1
    finally:
        close_app(app)
