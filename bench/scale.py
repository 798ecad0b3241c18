"""The backends at scale: load, memory, disk and curated-query latency at 10^5 to 10^7 triples.

For each size, the seeded synthetic data of ``bench/scale_data.py`` (studies, cohorts,
measurements, claims around the ontology) is served, with the release, by:

* ``oxigraph:DIR`` -- loaded by ``haironto load --store``, served by ``haironto serve --store``;
  compared with the Oxigraph CLI on the same file (``oxigraph load``) and the Oxigraph server
  on the same store (``oxigraph serve-read-only --union-default-graph``);
* ``memory:`` -- ``haironto serve --data FILE`` (load time: start to first answer);
* ``remote:`` -- a private Virtuoso (tests/virtuoso.py), filled by ``haironto push``, served by
  ``haironto serve --backend remote:URL``.

Every curated query of ``queries/`` (not the QC rules) runs through each service over HTTP on
127.0.0.1, with its parameters' defaults, the answer cache off; latency is per request,
sequential. Memory (RSS, and PSS, which counts a page shared by forked processes once) is
sampled every 0.2 s over the service's whole process tree (gunicorn master,
workers and query worker processes; Virtuoso's server for remote), and the peak kept.

    make bench-peers
    .venv/bin/python bench/scale.py --sizes 100000 1000000 10000000   # writes RESULTS-scale.md and scale.png
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from scale_data import generate  # noqa: E402

from haironto.commands.stores import USER_GRAPH  # noqa: E402
from haironto.queries import load_catalogue  # noqa: E402
from tests import virtuoso  # noqa: E402
from tests.hostile import descendants, smaps  # noqa: E402
from tests.transport import free_port  # noqa: E402

BIN = Path(sys.executable).parent
OXIGRAPH = HERE / ".venv" / "bin" / "oxigraph"


def curated() -> dict[str, str]:
    """The curated reports (no QC rules), with their parameters' defaults as VALUES."""
    return {n: q.with_values() for n, q in sorted(load_catalogue().items()) if q.role != "violation"}


class Peak:
    """Samples the memory of process trees in a thread; ``rss`` and ``pss`` are the largest sums seen."""

    def __init__(self, *pids: int) -> None:
        self.pids, self.rss, self.pss, self._stop = list(pids), 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            tree = [pid for root in self.pids for pid in (root, *descendants(root))]
            self.rss = max(self.rss, sum(smaps(pid, "Rss") for pid in tree))
            self.pss = max(self.pss, sum(smaps(pid, "Pss") for pid in tree))
            time.sleep(0.2)

    def stop(self) -> tuple[int, int]:
        self._stop.set()
        self._thread.join()
        return self.rss, self.pss


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def post(endpoint: str, query: str, timeout: float = 300) -> bytes:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(
        endpoint, data=data, headers={"Accept": "application/sparql-results+json, application/n-triples"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def wait(endpoint: str, process: subprocess.Popen[bytes], deadline: float = 3600) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            post(endpoint, "ASK {}", timeout=5)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not come up")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Row:
    size: int
    backend: str
    load_s: float | None = None
    rate: float | None = None
    peer_load_s: float | None = None
    peer_rate: float | None = None
    disk: int | None = None
    rss: int | None = None
    pss: int | None = None
    latency: dict[str, list[float]] = field(default_factory=dict)
    peer_latency: dict[str, list[float]] = field(default_factory=dict)


#: A query whose warm-up run takes longer than this (seconds) is timed once, not ``runs`` times.
BUDGET = 60.0


def latencies(endpoint: str, queries: dict[str, str], runs: int) -> dict[str, list[float]]:
    """Per query, the seconds of each run after a warm-up; a query that fails (its timeout) is left out."""
    times: dict[str, list[float]] = {}
    for name, text in queries.items():
        started = time.perf_counter()
        try:
            post(endpoint, text)  # warm-up
        except OSError as error:  # urllib's HTTPError (a 503 at the service's timeout) is one
            print(f"{endpoint} {name}: {error}", file=sys.stderr)
            continue
        if time.perf_counter() - started > BUDGET:
            times[name] = [time.perf_counter() - started]
            continue
        times[name] = []
        for _ in range(runs):
            started = time.perf_counter()
            post(endpoint, text)
            times[name].append(time.perf_counter() - started)
    return times


def serve(args: list[str], env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    environment = {**os.environ, "HAIRONTO_CACHE_ENTRIES": "0", "HAIRONTO_TIMEOUT": "300", **env}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "haironto"), "serve", "--port", str(port), "--workers", "1", *args],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}/sparql"


def measure_oxigraph(
    size: int, data: Path, triples: int, work: Path, queries: dict[str, str], runs: int
) -> Row:
    row = Row(size, "oxigraph:DIR")
    cli_store, store = work / f"cli-{size}", work / f"store-{size}"
    # The same work for both: the file into its named graph (a named graph is indexed twice as
    # many ways as the default graph, so loading into the default graph is faster); the release
    # goes into our store afterwards, in a second (atomic) load. Loads that take seconds vary from
    # run to run: up to 10^6 triples each loader runs `runs` times, in turn, and the medians count.
    ours = [str(BIN / "haironto"), "load", "--store", str(store), "--no-release", str(data)]
    theirs = [str(OXIGRAPH), "load", "--location", str(cli_store), "--file", str(data)]
    theirs += ["--graph", USER_GRAPH + data.name]
    times: dict[str, list[float]] = {"ours": [], "theirs": []}
    for _ in range(runs if size <= 1_000_000 else 1):
        for name, command, folder in (("theirs", theirs, cli_store), ("ours", ours, store)):
            shutil.rmtree(folder, ignore_errors=True)
            started = time.monotonic()
            subprocess.run(command, check=True, capture_output=True)
            times[name].append(time.monotonic() - started)
    shutil.rmtree(cli_store, ignore_errors=True)
    row.peer_load_s, row.load_s = statistics.median(times["theirs"]), statistics.median(times["ours"])
    row.peer_rate, row.rate = triples / row.peer_load_s, triples / row.load_s
    subprocess.run([str(BIN / "haironto"), "load", "--store", str(store)], check=True, capture_output=True)
    row.disk = du(store)
    process, endpoint = serve(["--store", str(store)], {}, work / f"serve-oxigraph-{size}.log")
    try:
        peak = Peak(process.pid)
        wait(endpoint, process)
        row.latency = latencies(endpoint, queries, runs)
        row.rss, row.pss = peak.stop()
    finally:
        stop(process)
    port = free_port()
    peer = subprocess.Popen(
        [
            str(OXIGRAPH),
            "serve-read-only",
            "--location",
            str(store),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait(f"http://127.0.0.1:{port}/query", peer)
        row.peer_latency = latencies(f"http://127.0.0.1:{port}/query", queries, runs)
    finally:
        stop(peer)
    return row


def measure_memory(
    size: int, data: Path, work: Path, queries: dict[str, str], runs: int, triples: int
) -> Row:
    row = Row(size, "memory:")
    started = time.monotonic()
    # No entailment regimes: their closures (owlrl over the user's data, in Python) are not what
    # is measured here, and no other backend offers them.
    process, endpoint = serve(
        ["--data", str(data)], {"HAIRONTO_ENTAILMENT": "[]"}, work / f"serve-memory-{size}.log"
    )
    try:
        peak = Peak(process.pid)
        wait(endpoint, process)
        row.load_s = time.monotonic() - started
        row.rate = triples / row.load_s
        row.latency = latencies(endpoint, queries, runs)
        row.rss, row.pss = peak.stop()
    finally:
        stop(process)
    return row


def measure_remote(
    size: int, data: Path, work: Path, queries: dict[str, str], runs: int, triples: int
) -> Row:
    row = Row(size, "remote: (Virtuoso)")
    folder = work / f"virtuoso-{size}"
    shutil.rmtree(folder, ignore_errors=True)
    store = virtuoso.start(folder, buffers=340000)  # 2.6 GiB of page cache
    env = {
        "HAIRONTO_REMOTE_USER": "dba",
        "HAIRONTO_REMOTE_PASSWORD": store.password,
        "HAIRONTO_REMOTE_GRAPH_STORE": store.graph_store,
    }
    try:
        started = time.monotonic()
        subprocess.run(
            [str(BIN / "haironto"), "push", store.graph_store, str(data)],
            check=True,
            env={**os.environ, **env},
            capture_output=True,
        )
        row.load_s = time.monotonic() - started
        row.rate = triples / row.load_s
        # Virtuoso answers property paths wrongly after a load until it restarts (tests/virtuoso.py).
        store.restart()
        row.disk = sum(f.stat().st_size for f in folder.glob("*.db"))
        graphs = [
            "https://w3id.org/haironto/graph/asserted",
            "https://w3id.org/haironto/graph/inferred",
            USER_GRAPH + data.name,
        ]
        process, endpoint = serve(
            ["--backend", f"remote:{store.sparql}"],
            {**env, "HAIRONTO_REMOTE_GRAPHS": json.dumps(graphs)},
            work / f"serve-remote-{size}.log",
        )
        try:
            peak = Peak(process.pid, store.process.pid)
            wait(endpoint, process)
            row.latency = latencies(endpoint, queries, runs)
            row.rss, row.pss = peak.stop()
        finally:
            stop(process)
    finally:
        store.stop()
    return row


def pooled(times: dict[str, list[float]]) -> tuple[float, float]:
    every = sorted(t for runs in times.values() for t in runs)
    return statistics.median(every), every[min(len(every) - 1, int(0.95 * len(every)))]


def ratio(row: Row) -> tuple[float, float] | None:
    """Median over queries of (our median / Oxigraph server's median), and the worst query's."""
    if not row.peer_latency:
        return None
    both = [q for q in row.latency if q in row.peer_latency]
    ratios = [statistics.median(row.latency[q]) / statistics.median(row.peer_latency[q]) for q in both]
    return statistics.median(ratios), max(ratios)


def report(rows: list[Row], command: str, counts: dict[int, int]) -> str:
    mb = 1024 * 1024
    lines = [
        "# Backends at scale",
        "",
        f"Command: `{command}` ({datetime.date.today()}).",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 1024**3} GiB, {platform.platform()}; "
        f"Python {platform.python_version()}, pyoxigraph {version('pyoxigraph')}, "
        f"Oxigraph CLI {subprocess.run([str(OXIGRAPH), '--version'], capture_output=True, text=True).stdout.strip()}, "
        f"{subprocess.run(['virtuoso-t', '-?'], capture_output=True, text=True).stderr.splitlines()[1:2]}.",
        "",
        "Data: `bench/scale_data.py` (seed 42) plus the release; sizes are the synthetic file's triples "
        f"({', '.join(f'{k:.0e}: {v:,}' for k, v in counts.items())}). Latency: every curated query of "
        "`queries/` (QC rules excluded), sequential over HTTP on 127.0.0.1, answer cache off; pooled "
        "median and p95 over all queries and runs. RSS and PSS: peaks of their sums over the service's "
        "process tree, with Virtuoso's server for remote (PSS shares a page among the processes that "
        "map it, RSS counts it in each).",
        "",
        "| triples | backend | load s | load triples/s | Oxigraph CLI load s | rate vs CLI | disk MB "
        "| peak RSS MB | peak PSS MB | median ms | p95 ms | Oxigraph server median ms | latency vs server (median; worst query) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        med, p95 = pooled(r.latency)
        peer = pooled(r.peer_latency)[0] * 1000 if r.peer_latency else None
        rat = ratio(r)
        lines.append(
            f"| {r.size:.0e} | {r.backend} | {r.load_s:.1f} | {r.rate:,.0f} | "
            f"{'' if r.peer_load_s is None else f'{r.peer_load_s:.1f}'} | "
            f"{'' if r.peer_rate is None else f'{r.rate / r.peer_rate:.2f}x'} | "
            f"{'' if r.disk is None else f'{r.disk / mb:,.0f}'} | {r.rss / mb:,.0f} | "
            f"{'' if r.pss is None else f'{r.pss / mb:,.0f}'} | {med * 1000:.1f} | "
            f"{p95 * 1000:.1f} | {'' if peer is None else f'{peer:.1f}'} | "
            f"{'' if rat is None else f'{rat[0]:.2f}x; {rat[1]:.2f}x'} |"
        )
    lines += ["", "Per query, median ms (ours / Oxigraph server where measured):", ""]
    names = sorted({q for r in rows for q in r.latency})
    lines.append("| triples | backend | " + " | ".join(names) + " |")
    lines.append("|---|---|" + "---|" * len(names))
    for r in rows:
        cells = []
        for q in names:
            ours = f"{statistics.median(r.latency[q]) * 1000:.1f}" if q in r.latency else "failed"
            theirs = (
                f" / {statistics.median(r.peer_latency[q]) * 1000:.1f}"
                if q in r.peer_latency
                else " / failed"
            )
            cells.append(f"{ours}{theirs if r.peer_latency else ''}")
        lines.append(f"| {r.size:.0e} | {r.backend} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(rows: list[Row], output: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4.5))
    series: dict[str, list[tuple[int, float, float]]] = {}
    for r in rows:
        med, p95 = pooled(r.latency)
        series.setdefault(r.backend, []).append((r.size, med * 1000, p95 * 1000))
        if r.peer_latency:
            pm, pp = pooled(r.peer_latency)
            series.setdefault("Oxigraph server (same store)", []).append((r.size, pm * 1000, pp * 1000))
    for name, points in series.items():
        points.sort()
        line = axis.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=f"{name} median")[
            0
        ]
        axis.plot(
            [p[0] for p in points],
            [p[2] for p in points],
            linestyle="--",
            color=line.get_color(),
            label=f"{name} p95",
        )
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("synthetic triples")
    axis.set_ylabel("curated-query latency (ms)")
    axis.set_title("HairOnto curated queries over HTTP, by backend and size")
    axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(output, dpi=110)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--backends", nargs="+", default=["oxigraph", "memory", "remote"])
    parser.add_argument("--memory-max", type=int, default=10_000_000, help="largest size served in memory")
    parser.add_argument("--remote-max", type=int, default=10_000_000, help="largest size pushed to Virtuoso")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--queries", nargs="*", default=None, help="time these curated queries only")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="data and stores (default: a fresh temp folder)"
    )
    parser.add_argument(
        "--merge",
        type=Path,
        nargs="*",
        default=[],
        help="rows.json of earlier runs to report with this one's",
    )
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS-scale.md")
    parser.add_argument("--plot", type=Path, default=HERE / "scale.png")
    args = parser.parse_args(argv)
    if args.workdir is None:  # /tmp is shared: a folder of this run's own
        args.workdir = Path(tempfile.mkdtemp(prefix="haironto-scale-"))
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"workdir: {args.workdir}", file=sys.stderr)
    queries = curated()
    if args.queries:
        queries = {name: text for name, text in queries.items() if name in args.queries}
    rows: list[Row] = []
    counts: dict[int, int] = {}
    for earlier in args.merge:
        saved = json.loads(earlier.read_text())
        rows += [Row(**r) for r in saved["rows"]]
        counts.update({int(k): v for k, v in saved["counts"].items()})
    for size in args.sizes:
        data = args.workdir / f"data-{size}.nt"
        if not data.exists():
            generate(size, data)
        counts[size] = triples = sum(1 for _ in data.open("rb"))
        print(f"{size}: {triples} triples", file=sys.stderr)
        if "oxigraph" in args.backends:
            rows.append(measure_oxigraph(size, data, triples, args.workdir, queries, args.runs))
            print(rows[-1], file=sys.stderr)
        if "memory" in args.backends and size <= args.memory_max:
            rows.append(measure_memory(size, data, args.workdir, queries, args.runs, triples))
        if "remote" in args.backends and size <= args.remote_max:
            rows.append(measure_remote(size, data, args.workdir, queries, args.runs, triples))
        (args.workdir / "rows.json").write_text(
            json.dumps({"rows": [r.__dict__ for r in rows], "counts": counts, "argv": sys.argv[1:]})
        )
    command = "python bench/scale.py " + " ".join(argv if argv is not None else sys.argv[1:])
    for earlier in args.merge:  # name the runs whose rows are merged in
        command += "` merged with `python bench/scale.py " + " ".join(json.loads(earlier.read_text())["argv"])
    rows.sort(key=lambda r: (r.size, r.backend))
    text = report(rows, command, counts)
    if str(args.output) == "-":
        print(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        plot(rows, args.plot)


if __name__ == "__main__":
    main()
