"""Prometheus metrics: what /metrics counts, on Flask's client and on the real server, and that
the counts of gunicorn's worker processes add up (multiprocess mode managed by `haironto serve`)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from haironto.dataset import DataFiles
from haironto.server.multiprocess import MULTIPROCESS_ENV, clean_multiprocess_dir, metrics_dir
from tests.conftest import MAX_ROWS, TIMEOUT, start_server
from tests.transport import LiveTransport, Transport

EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o }"


def samples(http: Transport) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample /metrics shows, by name and labels."""
    reply = http.get("/metrics")
    assert reply.status == 200, reply.text
    assert reply.mimetype == "text/plain"
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(reply.text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def metric_families(http: Transport) -> dict[str, float]:
    """Each sample name's value summed over its labels (0 for a name not shown yet)."""
    totals: dict[str, float] = defaultdict(float)
    for (name, _), value in samples(http).items():
        totals[name] += value
    return totals


def requests_to(http: Transport, route: str, status: str) -> float:
    return sum(
        value
        for (name, labels), value in samples(http).items()
        if name == "haironto_http_requests_total"
        and ("route", route) in labels
        and ("status", status) in labels
    )


def test_metrics_are_in_prometheus_text_format(http: Transport):
    http.get("/health")  # a labelled series appears with its first request
    names = set(metric_families(http))
    assert {
        "haironto_http_requests_total",
        "haironto_query_timeouts_total",
        "haironto_query_cache_hits_total",
        "haironto_query_cache_misses_total",
        "haironto_answers_truncated_total",
    } <= names
    assert "no-store" in http.get("/metrics").headers["Cache-Control"]


def test_requests_are_counted_by_route_and_status(http: Transport):
    before_ok = requests_to(http, "/health", "200")
    before_bad = requests_to(http, "/sparql", "400")
    for _ in range(3):
        http.get("/health")
    http.get(params={"query": "SELECT * WHERE {"})
    assert requests_to(http, "/health", "200") == before_ok + 3
    assert requests_to(http, "/sparql", "400") == before_bad + 1


def test_latency_is_observed_per_route(http: Transport):
    before = metric_families(http)["haironto_http_request_duration_seconds_count"]
    http.get("/health")
    after = metric_families(http)
    # The /metrics scrape in between is observed too.
    assert after["haironto_http_request_duration_seconds_count"] >= before + 2
    assert after["haironto_http_request_duration_seconds_sum"] > 0


def test_timeouts_cache_and_cuts_are_counted(http: Transport):
    before = metric_families(http)
    http.get(params={"query": EXPENSIVE, "timeout": "0.5"})
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    for _ in range(3):
        http.get(params={"query": query})
    after = metric_families(http)
    assert after["haironto_query_timeouts_total"] == before["haironto_query_timeouts_total"] + 1
    looked_up = ("haironto_query_cache_hits_total", "haironto_query_cache_misses_total")
    assert sum(after[n] for n in looked_up) == sum(before[n] for n in looked_up) + 3
    assert after["haironto_query_cache_hits_total"] >= before["haironto_query_cache_hits_total"] + 1
    assert after["haironto_answers_truncated_total"] == before["haironto_answers_truncated_total"] + 3


def test_unknown_paths_share_one_series(http: Transport):
    http.get("/no/such/page")
    http.get("/another/one")
    routes = {
        dict(labels)["route"] for name, labels in samples(http) if name == "haironto_http_requests_total"
    }
    assert "<unmatched>" in routes and not any(r.startswith("/no") for r in routes)


# -- gunicorn's worker processes --------------------------------------------------------------


@pytest.fixture(scope="module")
def metrics_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("metrics")
    # A previous run's file: `haironto serve` must start from zero.
    (folder / "counter_1.db").write_bytes(b"stale")
    return folder


@pytest.fixture(scope="module")
def two_workers(
    release: DataFiles, metrics_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveTransport]:
    """A fresh server with two worker processes, its metrics kept in a folder the test can see."""
    args = [
        *("--workers", "2", "--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS)),
        *("--ontology", str(release.asserted[0]), "--ontology-full", str(release.full[0])),
    ]
    env = {MULTIPROCESS_ENV: str(metrics_folder)}
    for base in start_server(tmp_path_factory.mktemp("two-workers"), args, env):
        yield LiveTransport(base)


def test_serve_empties_the_metrics_folder_at_start(two_workers: LiveTransport, metrics_folder: Path):
    assert not (metrics_folder / "counter_1.db").exists()
    assert any(metrics_folder.glob("*.db"))


def test_counts_of_two_worker_processes_add_up(two_workers: LiveTransport, metrics_folder: Path):
    # Two queries that each hold a sync worker for their whole time limit, sent at once: each
    # worker takes one, so each process counts one timeout. The scrape, whichever worker
    # answers it, must show both, and every /health request whichever worker served it.
    replies: list[int] = []

    def slow() -> None:
        replies.append(two_workers.get(params={"query": EXPENSIVE, "timeout": "1"}).status)

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _ in range(5):
        assert two_workers.get("/health").status == 200
    assert replies == [503, 503]
    pids = {path.stem.rsplit("_", 1)[1] for path in metrics_folder.glob("counter_*.db")}
    assert len(pids) >= 2
    for _ in range(3):  # several scrapes: they may land on either worker, and all agree
        totals = metric_families(two_workers)
        assert totals["haironto_query_timeouts_total"] == 2
        assert requests_to(two_workers, "/health", "200") >= 5
        assert requests_to(two_workers, "/sparql", "503") == 2


def test_metrics_dir_is_a_fresh_folder_unless_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Empty counts as unset; unlike delenv on an absent variable, setenv makes monkeypatch restore
    # the environment after metrics_dir() has written its folder into it.
    monkeypatch.setenv(MULTIPROCESS_ENV, "")
    created, ours = metrics_dir()
    assert ours and Path(created).is_dir() and not any(Path(created).iterdir())
    Path(created).rmdir()
    given = tmp_path / "given"
    given.mkdir()
    (given / "gauge_livesum_7.db").write_bytes(b"old")
    (given / "notes.txt").write_text("kept")
    monkeypatch.setenv(MULTIPROCESS_ENV, str(given))
    assert metrics_dir() == (str(given), False)
    assert [p.name for p in given.iterdir()] == ["notes.txt"]


def test_cleaning_creates_a_missing_folder(tmp_path: Path):
    clean_multiprocess_dir(str(tmp_path / "new"))
    assert (tmp_path / "new").is_dir()


def test_metrics_can_be_left_unserved(release: DataFiles):
    from haironto.server import create_app
    from haironto.server.store import close_app

    config = {"TESTING": True, "METRICS": False, "DATA": [str(p) for p in release.asserted]}
    app = create_app(config)
    try:
        client = app.test_client()
        assert client.get("/metrics").status_code == 404
        assert client.get("/health").status_code == 200
    finally:
        close_app(app)
