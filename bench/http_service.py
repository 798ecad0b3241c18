"""The service against its peers over real HTTP: rdflib-endpoint and the Oxigraph server.

All servers run on 127.0.0.1, on the same data (the bundled release plus seeded synthetic
triples, one N-Triples file) and answer the same queries. Measured, in one run so that the
ratios compare like with like on a shared machine:

* sequential latency (median and p95) per query and server, one request at a time, each on a
  new connection;
* throughput under concurrency per query and server, with ``wrk`` when it is installed
  (``apt-get install wrk``), else with a bounded Python load generator;
* cold start of ``haironto serve``: process start to the first 200 answer, bundled release.

The peers live in their own virtual environment, not in the project's dependencies:

    make bench-peers                      # bench/.venv with rdflib-endpoint and oxigraph
    .venv/bin/python bench/http_service.py                       # writes bench/RESULTS-service.md
    .venv/bin/python bench/http_service.py --triples 5000 --duration 2 --output -   # quick look

Our service runs twice: with the answer cache off (every request runs its query: the fair
comparison for trivial and engine-bound queries) and with its default settings (cache on: what
a repeated identical query costs).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

from synthetic import AGGREGATE, JOIN, synthetic_ntriples  # noqa: E402

from haironto.queries import load_catalogue  # noqa: E402
from haironto.resources import ontology_dir  # noqa: E402

PEERS_VENV = HERE / ".venv"
PEERS_HELP = (
    "the peers are not installed: run `make bench-peers` (or: python3 -m venv bench/.venv && "
    "bench/.venv/bin/pip install 'rdflib-endpoint[cli]' oxigraph uvicorn)"
)
RESULTS_JSON = "application/sparql-results+json"
#: The longest a single request may take before the benchmark gives up on it.
REQUEST_TIMEOUT = 120.0
TERM = "https://w3id.org/haironto/HAIRONTO_0000010"


@dataclass(frozen=True)
class Case:
    """One query of the benchmark."""

    name: str
    text: str
    kind: str
    """``trivial`` or ``engine`` (join, aggregate, curated queries): which target applies."""
    throughput: bool = True
    """Whether to measure throughput too (every case has sequential latency)."""


def cases(curated_throughput: bool) -> list[Case]:
    found = [
        Case("trivial: ASK", "ASK { ?s ?p ?o }", "trivial"),
        Case(
            "trivial: one label",
            f"SELECT ?label WHERE {{ <{TERM}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}",
            "trivial",
        ),
        Case("join", JOIN, "engine"),
        Case("aggregate", AGGREGATE, "engine"),
    ]
    for name, query in sorted(load_catalogue().items()):
        if query.role != "report":  # the QC rules are not competency questions
            continue
        text = query.text
        if query.params:
            # The defaults, bound the same way for every server: a VALUES block after the query.
            bindings = query.bindings({})
            names = " ".join(f"?{n}" for n in bindings)
            values = " ".join(term.n3() for term in bindings.values())
            text += f"\nVALUES ({names}) {{ ({values}) }}"
        found.append(Case(f"queries/{name}", text, "engine", curated_throughput))
    return found


# -- servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server and the URL of its SPARQL endpoint."""

    name: str
    endpoint: str
    process: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.perf_counter)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def fetch(endpoint: str, query: str, accept: str = RESULTS_JSON) -> tuple[int, bytes]:
    """GET a query on a new connection; return the status and the body."""
    host_port, _, path = endpoint.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", f"/{path}?{urlencode({'query': query})}", headers={"Accept": accept})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_answering(server: Server, deadline: float = 300.0) -> float:
    """Poll with ASK until a 200; return the seconds since the process started."""
    limit = time.perf_counter() + deadline
    while True:
        try:
            status, _ = fetch(server.endpoint, "ASK {}")
            if status == 200:
                return time.perf_counter() - server.started
        except OSError:
            pass
        if server.process.poll() is not None or time.perf_counter() > limit:
            raise SystemExit(
                f"{server.name} did not start; see {server.log}:\n{server.log.read_text()[-2000:]}"
            )
        time.sleep(0.01)


def launch(
    name: str, command: list[str], endpoint: str, workdir: Path, env: dict[str, str] | None = None
) -> Server:
    log = workdir / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    return Server(name, endpoint, process, log)


def haironto_command(port: int, data: Path | None, workers: int) -> list[str]:
    command = [str(Path(sys.executable).with_name("haironto")), "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    if data is not None:
        command += ["--ontology", str(data)]
    return command


def start_haironto(name: str, data: Path, workdir: Path, workers: int, cache: bool) -> Server:
    port = free_port()
    env = {"HAIRONTO_TIMEOUT": str(REQUEST_TIMEOUT), "HAIRONTO_MAX_ROWS": "100000"}
    if not cache:
        env["HAIRONTO_CACHE_ENTRIES"] = "0"
    return launch(
        name, haironto_command(port, data, workers), f"http://127.0.0.1:{port}/sparql", workdir, env
    )


def peer(name: str) -> str:
    path = PEERS_VENV / "bin" / name
    if not path.exists():
        raise SystemExit(PEERS_HELP)
    return str(path)


def start_oxigraph(data: Path, workdir: Path) -> Server:
    store = workdir / "oxigraph-store"
    subprocess.run(
        [peer("oxigraph"), "load", "--location", str(store), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    command = [peer("oxigraph"), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"]
    return launch("oxigraph", command, f"http://127.0.0.1:{port}/query", workdir)


def start_rdflib_endpoint(data: Path, workdir: Path) -> Server:
    port = free_port()
    command = [peer("rdflib-endpoint"), "serve", str(data), "--host", "127.0.0.1", "--port", str(port)]
    return launch("rdflib-endpoint", command, f"http://127.0.0.1:{port}/", workdir)


#: The least any Flask app under gunicorn does: a constant ASK answer. Its throughput is the
#: ceiling of our stack for trivial queries, before the service does any work of its own.
FLOOR_APP = """from flask import Flask

app = Flask(__name__)


@app.route("/sparql")
def sparql():
    return app.response_class(b'{"head":{},"boolean":true}', mimetype="application/sparql-results+json")
"""


def start_floor(workdir: Path, workers: int) -> Server:
    (workdir / "floor_app.py").write_text(FLOOR_APP, encoding="utf-8")
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--chdir", str(workdir)]
    return launch("flask-floor", [*command, "floor_app:app"], f"http://127.0.0.1:{port}/sparql", workdir)


# -- measures -------------------------------------------------------------------------------------


def answer_size(body: bytes) -> str:
    """Rows of a SPARQL JSON answer, or its boolean, to check that the servers agree."""
    parsed = json.loads(body)
    if "boolean" in parsed:
        return str(parsed["boolean"]).lower()
    return str(len(parsed["results"]["bindings"]))


@dataclass
class Latency:
    median: float
    p95: float
    runs: int
    answer: str


def sequential(endpoint: str, query: str, runs: int, budget: float) -> Latency:
    """Latency of ``runs`` requests one after the other (fewer when they exceed ``budget`` seconds)."""
    started = time.perf_counter()
    status, body = fetch(endpoint, query)  # warm-up, and the answer to compare
    if status != 200:
        raise RuntimeError(f"{endpoint}: HTTP {status}: {body[:300]!r}")
    first = time.perf_counter() - started
    runs = max(3, min(runs, int(budget / max(first, 1e-6))))
    times = []
    for _ in range(runs):
        begun = time.perf_counter()
        status, _ = fetch(endpoint, query)
        times.append(time.perf_counter() - begun)
        if status != 200:
            raise RuntimeError(f"{endpoint}: HTTP {status} during the runs")
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return Latency(statistics.median(times), p95, runs, answer_size(body))


@dataclass
class Throughput:
    per_second: float
    how: str
    """``wrk``, ``python``, or ``bound`` (an upper bound: connections / median latency)."""
    errors: int = 0


def with_wrk(endpoint: str, query: str, connections: int, duration: float) -> Throughput:
    url = f"{endpoint}?query={quote(query, safe='')}"
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",  # wrk takes whole seconds
        "--timeout",
        "60s",
        "-H",
        f"Accept: {RESULTS_JSON}",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = int(errors.group(1)) if errors else 0
    if socket_errors:
        failed += sum(int(x) for x in socket_errors.groups())
    return Throughput(rate, "wrk", failed)


def with_python(endpoint: str, query: str, connections: int, duration: float) -> Throughput:
    """A bounded load generator: ``connections`` threads, each sending requests until ``duration``."""
    stop = time.perf_counter() + duration
    done = [0] * connections
    failed = [0] * connections

    def client(index: int) -> None:
        while time.perf_counter() < stop:
            status, _ = fetch(endpoint, query)
            if status == 200:
                done[index] += 1
            else:
                failed[index] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Throughput(sum(done) / (time.perf_counter() - started), "python", sum(failed))


def throughput(endpoint: str, query: str, latency: Latency, connections: int, duration: float) -> Throughput:
    if latency.median * 3 > duration:
        # Too slow to finish a few requests per connection in the window: report the bound that
        # even perfect parallelism could not beat. Ratios against it understate our lead.
        return Throughput(connections / latency.median, "bound")
    measured = (with_wrk if shutil.which("wrk") else with_python)(endpoint, query, connections, duration)
    if measured.per_second == 0:  # not one request finished in the window
        return Throughput(connections / latency.median, "bound", measured.errors)
    return measured


def cold_start(workdir: Path, workers: int, times: int) -> list[float]:
    """Seconds from starting `haironto serve` on the bundled release to its first 200 answer."""
    found = []
    for attempt in range(times):
        port = free_port()
        server = launch(
            f"cold-{attempt}",
            haironto_command(port, None, workers),
            f"http://127.0.0.1:{port}/sparql",
            workdir,
        )
        try:
            found.append(wait_until_answering(server, deadline=60))
        finally:
            server.stop()
    return found


# -- the run ----------------------------------------------------------------------------------------


def build_data(workdir: Path, triples: int, seed: int) -> tuple[Path, int]:
    """The release (asserted + inferred) plus synthetic triples, as one N-Triples file."""
    import pyoxigraph as ox

    release = ontology_dir() / "haironto-full.ttl"
    quads = ox.parse(path=release, format=ox.RdfFormat.TURTLE, base_iri=release.resolve().as_uri())
    data = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES) or b""
    data += synthetic_ntriples(triples, seed)
    path = workdir / "data.nt"
    path.write_bytes(data)
    return path, data.count(b"\n")


@contextmanager
def running(servers: list[Server]) -> Iterator[list[Server]]:
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


@dataclass
class Row:
    case: Case
    latency: dict[str, Latency] = field(default_factory=dict)
    rate: dict[str, Throughput] = field(default_factory=dict)


def measure(
    args: argparse.Namespace, workdir: Path, log: Callable[[str], None]
) -> tuple[list[Row], dict[str, object]]:
    data, lines = build_data(workdir, args.triples, args.seed)
    log(f"data: {lines:,} triples in {data}")
    starters: dict[str, Callable[[], Server]] = {
        "haironto": lambda: start_haironto("haironto", data, workdir, args.workers, cache=False),
        "haironto+cache": lambda: start_haironto("haironto+cache", data, workdir, args.workers, cache=True),
    }
    if "oxigraph" in args.peers:
        starters["oxigraph"] = lambda: start_oxigraph(data, workdir)
    if "rdflib-endpoint" in args.peers:
        starters["rdflib-endpoint"] = lambda: start_rdflib_endpoint(data, workdir)
    facts: dict[str, object] = {"lines": lines}
    rows = [Row(case) for case in cases(args.curated_throughput)]
    with running([start() for start in starters.values()] + [start_floor(workdir, args.workers)]) as started:
        *servers, floor = started
        wait_until_answering(floor)
        for server in servers:
            facts[f"start {server.name}"] = wait_until_answering(server)
            status, body = fetch(server.endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            facts[f"triples {server.name}"] = json.loads(body)["results"]["bindings"][0]["n"]["value"]
            log(f"{server.name} ready at {server.endpoint}, {facts[f'triples {server.name}']} triples")
        for row in rows:
            for server in servers:
                row.latency[server.name] = sequential(server.endpoint, row.case.text, args.runs, args.budget)
                if row.case.throughput:
                    row.rate[server.name] = throughput(
                        server.endpoint,
                        row.case.text,
                        row.latency[server.name],
                        args.connections,
                        args.duration,
                    )
                rate = row.rate.get(server.name)
                log(
                    f"{row.case.name:<40} {server.name:<16} median {row.latency[server.name].median * 1000:9.2f} ms"
                    + (f"  {rate.per_second:9.1f} req/s ({rate.how})" if rate else "")
                )
            if row.case.name == "trivial: ASK":
                # Right after the servers' own ASK cells, so that they share the machine's state:
                # a Flask app that does nothing else, i.e. what Flask on gunicorn costs alone.
                latency = sequential(floor.endpoint, row.case.text, args.runs, args.budget)
                facts["floor"] = throughput(
                    floor.endpoint, row.case.text, latency, args.connections, args.duration
                )
                log(f"flask floor: {facts['floor'].per_second:.1f} req/s")  # type: ignore[attr-defined]
    if args.cold_starts:
        facts["cold"] = cold_start(workdir, args.workers, args.cold_starts)
        log("cold start: " + ", ".join(f"{t:.2f} s" for t in facts["cold"]))  # type: ignore[union-attr]
    return rows, facts


# -- the report ---------------------------------------------------------------------------------------


def _ms(latency: Latency | None) -> str:
    return "" if latency is None else f"{latency.median * 1000:,.2f} / {latency.p95 * 1000:,.2f}"


def _rate(rate: Throughput | None) -> str:
    if rate is None:
        return ""
    mark = "≤ " if rate.how == "bound" else ""
    errors = f" ({rate.errors} errors)" if rate.errors else ""
    return f"{mark}{rate.per_second:,.1f}{errors}"


def _ratio(ours: float | None, theirs: float | None, bound: bool = False) -> str:
    if ours is None or theirs is None or theirs == 0:
        return ""
    return f"{'≥ ' if bound else ''}{ours / theirs:,.2f}x"


#: Throughput targets of issue 3, as (our column, peer, least ratio), by class of query.
TARGETS: dict[str, list[tuple[str, str, float]]] = {
    "trivial": [("haironto", "oxigraph", 0.5)],
    "light": [("haironto", "oxigraph", 0.5)],
    "engine-bound": [("haironto", "oxigraph", 0.9)],
    "join/aggregate": [("haironto", "rdflib-endpoint", 10.0)],
    "repeated": [("haironto+cache", "oxigraph", 1.0)],
}
#: A curated query is engine-bound when the Oxigraph server needs at least this long for it
#: (sequential median, seconds): then evaluation, not HTTP, decides its cost. Below, it is light:
#: as cheap to evaluate as a trivial query, and held to the trivial target.
ENGINE_BOUND = 0.010


def class_of(row: Row) -> str:
    """``trivial``, ``engine-bound`` or ``light`` (see :data:`ENGINE_BOUND`)."""
    if row.case.kind == "trivial":
        return "trivial"
    if row.case.name in ("join", "aggregate"):
        return "engine-bound"
    oxigraph = row.latency.get("oxigraph")
    if oxigraph is None:
        return "engine-bound"
    return "engine-bound" if oxigraph.median >= ENGINE_BOUND else "light"


def targets_of(row: Row) -> list[tuple[str, str, float]]:
    found = list(TARGETS[class_of(row)])
    if row.case.name in ("join", "aggregate"):
        found += TARGETS["join/aggregate"]
    return found + TARGETS["repeated"]


def report(rows: list[Row], facts: dict[str, object], args: argparse.Namespace, command: str) -> str:
    from engine_comparison import machine

    ours = ["haironto", "haironto+cache"]
    peers = [p for p in ("oxigraph", "rdflib-endpoint") if p in args.peers]
    tool = (
        "wrk" if shutil.which("wrk") else "the Python load generator (wrk not installed: apt-get install wrk)"
    )
    versions = [
        f"haironto {version('haironto')}",
        f"pyoxigraph {version('pyoxigraph')}",
        f"gunicorn {version('gunicorn')}",
        f"flask {version('flask')}",
        f"rdflib {version('rdflib')}",
    ]
    for name in peers:
        found = subprocess.run(
            [
                str(PEERS_VENV / "bin" / "python"),
                "-c",
                f"from importlib.metadata import version; print(version('{name}'))",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        versions.append(f"{name} {found} (server)")
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
        versions.append((out.stdout or out.stderr).split(" Copyright")[0].strip())
    comparisons = [("haironto", p) for p in peers] + [("haironto+cache", "oxigraph")] * ("oxigraph" in peers)
    lines = [
        "# The SPARQL service against rdflib-endpoint and the Oxigraph server",
        "",
        "Written by `bench/http_service.py`; rerun it to refresh (see `bench/README.md`). Every server ran "
        "on 127.0.0.1 in the same run, on the same N-Triples file (the bundled release, asserted + "
        f"inferred, plus `tests/synthetic.py` seed {args.seed}), and got the same GET requests with "
        f"`Accept: {RESULTS_JSON}`. The machine is shared with other work, so read the ratios, "
        "measured side by side, rather than the absolute numbers.",
        "",
        *machine(),
        "- versions: " + ", ".join(versions),
        f"- command: `{command}`",
        f"- data: {facts['lines']:,} triples in the file; each server counts: "
        + ", ".join(
            f"{k.removeprefix('triples ')} {v}" for k, v in facts.items() if k.startswith("triples ")
        ),
        f"- `haironto`: `haironto serve --workers {args.workers}` (gunicorn sync workers, a query worker process "
        "each) with the answer cache off, so every request runs its query; `haironto+cache`: the same with the "
        "default settings, so after the first request the answers come from the cache",
        "- `oxigraph`: `oxigraph load --location DIR` then `oxigraph serve-read-only --location DIR` (its "
        "on-disk RocksDB store; our service holds the data in pyoxigraph's in-memory store); "
        "`rdflib-endpoint`: `rdflib-endpoint serve FILE` (rdflib's engine on uvicorn)",
        f"- sequential: one request at a time, a new connection each, median / p95 of up to {args.runs} runs "
        f"after one warm-up (fewer when a server needs more than {args.budget:g} s)",
        f"- class: `trivial` (ASK, one label), `engine-bound` (join, aggregate, and the curated queries the "
        f"Oxigraph server needs at least {ENGINE_BOUND * 1000:g} ms for) or `light` (the other curated queries: "
        "as cheap to evaluate as a trivial query, so HTTP decides their cost, and the trivial target applies)",
        f"- throughput: {tool}, {args.connections} connections for {args.duration:g} s per query and server; "
        "`≤` marks a server too slow to finish a few requests in that window: its number is the "
        "upper bound connections ÷ median latency, so a ratio against it understates ours (`≥`)",
        "",
        "## Throughput (requests per second)",
        "",
        "| query | class | rows | "
        + " | ".join(ours + peers)
        + " | "
        + " | ".join(f"{a} ÷ {b}" for a, b in comparisons)
        + " |",
        "|---|---|---:|" + "---:|" * (len(ours) + len(peers) + len(comparisons)),
    ]
    verdicts: list[tuple[str, str, str, float, float, bool]] = []
    for row in rows:
        if not row.rate:
            continue
        answer = next(iter(row.latency.values())).answer
        cells = [_rate(row.rate.get(n)) for n in ours + peers]
        ratios = []
        for a, b in comparisons:
            mine, theirs = row.rate.get(a), row.rate.get(b)
            ratios.append(
                _ratio(
                    mine and mine.per_second,
                    theirs and theirs.per_second,
                    bool(theirs and theirs.how == "bound"),
                )
            )
        for a, b, wanted in targets_of(row):
            mine, theirs = row.rate.get(a), row.rate.get(b)
            if mine and theirs and theirs.per_second:
                got = mine.per_second / theirs.per_second
                verdicts.append((row.case.name, a, b, wanted, got, got >= wanted))
        lines.append(f"| {row.case.name} | {class_of(row)} | {answer} | " + " | ".join(cells + ratios) + " |")
    lines += [
        "",
        "## Sequential latency (ms, median / p95)",
        "",
        "| query | rows | " + " | ".join(ours + peers) + " | servers agree |",
        "|---|---:|" + "---:|" * (len(ours) + len(peers)) + "---|",
    ]
    for row in rows:
        answers = {lat.answer for lat in row.latency.values()}
        agree = (
            "yes"
            if len(answers) == 1
            else "NO: " + ", ".join(f"{n} {lat.answer}" for n, lat in row.latency.items())
        )
        first = next(iter(row.latency.values()))
        lines.append(
            f"| {row.case.name} | {first.answer} | "
            + " | ".join(_ms(row.latency.get(n)) for n in ours + peers)
            + f" | {agree} |"
        )
    cold = facts.get("cold")
    if cold:
        median = statistics.median(cold)  # type: ignore[arg-type]
        lines += [
            "",
            "## Cold start",
            "",
            f"`haironto serve --workers {args.workers}` on the bundled release, from process start to the first "
            f"200 answer to `ASK {{}}`, {len(cold)} times: "  # type: ignore[arg-type]
            + ", ".join(f"{t:.2f} s" for t in cold)  # type: ignore[union-attr]
            + f"; median {median:.2f} s (target < 2 s: {'met' if median < 2 else 'MISSED'}).",
        ]
    floor = facts.get("floor")
    if isinstance(floor, Throughput):
        ask = next(row for row in rows if row.case.name == "trivial: ASK")
        parts = [
            f"{name} {ask.rate[name].per_second / floor.per_second:,.2f}x"
            for name in ours + peers
            if name in ask.rate
        ]
        lines += [
            "",
            "## The floor of a Flask service",
            "",
            f"A Flask app that answers every GET with a constant ASK result, under gunicorn with "
            f"{args.workers} sync workers like ours, measured the same way: {floor.per_second:,.1f} requests "
            "per second. Against it, on `trivial: ASK`: " + ", ".join(parts) + ". This is the ceiling of "
            "trivial-query throughput for any service written in Flask on gunicorn, before it parses a query.",
        ]
    lines += [
        "",
        "## Targets",
        "",
        "| target | queries | met | missed | worst ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    groups: dict[str, list[tuple[str, float, bool]]] = {}
    for name, a, b, wanted, got, met in verdicts:
        kind = next(class_of(r) for r in rows if r.case.name == name)
        label = f"{a} ≥ {wanted:g}x {b}" + (
            "" if a == "haironto+cache" or b == "rdflib-endpoint" else f" ({kind} queries)"
        )
        groups.setdefault(label, []).append((name, got, met))
    for label, found in groups.items():
        worst = min(found, key=lambda item: item[1])
        missed = [n for n, _, met in found if not met]
        lines.append(
            f"| {label} | {len(found)} | {len(found) - len(missed)} | {', '.join(missed) or '-'} "
            f"| {worst[1]:,.2f}x ({worst[0]}) |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="synthetic triples added to the release")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=30, help="sequential requests per query and server")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds of sequential requests per cell, at most"
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per query and server")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="haironto serve --workers")
    parser.add_argument("--cold-starts", type=int, default=3)
    parser.add_argument(
        "--peers", nargs="*", default=["oxigraph", "rdflib-endpoint"], help="peers to run (none: only ours)"
    )
    parser.add_argument(
        "--no-curated-throughput",
        dest="curated_throughput",
        action="store_false",
        help="sequential latency only for the curated queries",
    )
    parser.add_argument("--output", default=str(HERE / "RESULTS-service.md"), help="a file, or - for stdout")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("bench: wrk not found (apt-get install wrk); using the Python load generator", file=sys.stderr)
    command = "python bench/http_service.py " + " ".join(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="haironto-bench-") as folder:
        rows, facts = measure(args, Path(folder), lambda line: print(line, file=sys.stderr, flush=True))
    text = report(rows, facts, args, command.strip())
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
