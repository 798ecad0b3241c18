"""Soak: the service at saturation for a bounded time, with a realistic mix (issue 5, item 4).

Starts ``haironto serve`` on the bundled release on 127.0.0.1, then drives it with ``wrk``
(``apt-get install wrk``) for ``--duration`` seconds over ``--connections`` connections with a mix of:

* every curated query through the named-query API (``/api/queries/NAME``);
* the same curated queries as SPARQL on ``/sparql`` (GET), in varied layouts and formats, so
  part of them miss the answer cache;
* term pages (HTML) and term RDF (Turtle) for terms of the release;
* the query catalogue (``/api/queries``);
* revalidations: requests with the ``If-None-Match`` of an answer fetched before, which must be 304;
* one request in ten: a query never asked before (a filtered count over the whole dataset), so it
  misses the answer cache and runs in a query worker.

Meanwhile it samples, every second, the resident memory (``VmRSS``) of every gunicorn worker and
of every query worker process. It writes the status counts, the latency percentiles and the
memory growth from the first to the last 10 seconds to ``bench/RESULTS-soak.md`` (or
``--output``) and exits non-zero if any answer was other than 2xx or an intended 304, or if the
memory grew by ``--max-growth`` (10 %) or more.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from haironto.queries import load_catalogue  # noqa: E402
from haironto.resources import queries_dir  # noqa: E402
from tests.hostile import rss_kib, send, serve  # noqa: E402

#: The wrk script: requests from a table, in turn per connection; statuses counted per thread.
LUA = r"""
local requests = {}
%(table)s
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  counter = id * 7919
end

-- Every tenth request is a query no one asked before: it misses the answer cache and runs
-- in a query worker (a count over the whole dataset with a filter that differs each time).
local miss = "/sparql?format=json&query=SELECT%%20(COUNT(*)%%20AS%%20%%3Fn)%%20WHERE%%20%%7B%%20%%3Fs%%20%%3Fp%%20%%3Fo%%20FILTER(%%3Fo%%20!%%3D%%20"

function request()
  counter = counter + 1
  if counter %% 10 == 0 then
    return wrk.format("GET", miss .. string.format("%%d", id * 1000000000 + counter) .. ")%%20%%7D")
  end
  local r = requests[(counter %% #requests) + 1]
  return wrk.format("GET", r[1], r[2])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  io.write("STATUSES")
  for status, n in pairs(total) do io.write(string.format(" %%d=%%d", status, n)) end
  io.write("\n")
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("PERCENTILE %%g %%d\n", p, latency:percentile(p)))
  end
  io.write(string.format("MAXIMUM %%d\n", latency.max))
  io.write(string.format("REQUESTS %%d\n", summary.requests))
  io.write(string.format("ERRORS %%d %%d %%d %%d %%d\n", summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout))
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_mix(base: str) -> tuple[list[tuple[str, dict[str, str]]], int]:
    """The requests of the mix, and how many of them are revalidations."""
    catalogue = [q for q in load_catalogue(queries_dir()).values() if q.role != "violation"]
    mix: list[tuple[str, dict[str, str]]] = []
    for query in catalogue:
        mix.append((f"/api/queries/{query.name}", {}))
        mix.append((f"/api/queries/{query.name}?format=csv", {}))
        text = query.with_values()
        for layout, fmt in ((text, "json"), (text.replace("\n", "\n  "), "tsv"), (text + "\n# soak", "xml")):
            mix.append(("/sparql?" + urlencode({"query": layout, "format": fmt}), {}))
    terms = re.findall(
        r"HAIRONTO_\d{7}",
        send(
            base,
            "GET",
            "/sparql?"
            + urlencode(
                {
                    "query": "SELECT DISTINCT ?t { ?t ?p ?o FILTER STRSTARTS(STR(?t), 'https://w3id.org/haironto/HAIRONTO_') } LIMIT 60",
                    "format": "csv",
                }
            ),
        ).body.decode(),
    )
    for term in terms:
        mix.append((f"/{term}", {"Accept": "text/html"}))
        mix.append((f"/{term}", {"Accept": "text/turtle"}))
    mix.append(("/api/queries", {"Accept": "application/json"}))
    # Revalidations of answers a client holds: the ETag of each, fetched now.
    revalidations = 0
    for path, headers in list(mix[::3]):
        answer = send(base, "GET", path, headers=headers)
        tag = answer.headers.get("etag")
        if answer.status == 200 and tag:
            mix.append((path, {**headers, "If-None-Match": tag}))
            revalidations += 1
    return mix, revalidations


def lua_table(mix: list[tuple[str, dict[str, str]]]) -> str:
    lines = []
    for path, headers in mix:
        fields = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        lines.append(f"table.insert(requests, {{{lua_string(path)}, {{{fields}}}}})")
    return "\n".join(lines)


class Sampler(threading.Thread):
    """Samples the RSS of the gunicorn workers and query workers every second."""

    def __init__(self, server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.samples: list[tuple[float, dict[int, int]]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(1.0):
            pids = self.server.workers() + self.server.query_workers()
            sizes = {pid: size for pid in pids if (size := rss_kib(pid)) is not None}
            self.samples.append((time.monotonic(), sizes))


def growth(samples: list[tuple[float, dict[int, int]]], window: float) -> dict[str, object]:
    """Total RSS of the processes present throughout, averaged over the first and the last ``window`` s."""
    start, end = samples[0][0], samples[-1][0]
    common = set.intersection(*(set(s) for _, s in samples))
    first = [sum(s[p] for p in common) for at, s in samples if at - start <= window]
    last = [sum(s[p] for p in common) for at, s in samples if end - at <= window]
    per_process = {}
    for pid in sorted(common):
        a = statistics.mean(s[pid] for at, s in samples if at - start <= window)
        b = statistics.mean(s[pid] for at, s in samples if end - at <= window)
        per_process[pid] = (round(a), round(b), round(100 * (b - a) / a, 2))
    a, b = statistics.mean(first), statistics.mean(last)
    return {
        "processes": len(common),
        "replaced": len(set().union(*(set(s) for _, s in samples)) - common),
        "first_kib": round(a),
        "last_kib": round(b),
        "growth_percent": round(100 * (b - a) / a, 2),
        "per_process": per_process,
    }


def soak(duration: int, connections: int, workers: int, folder: Path) -> dict[str, object]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("bench/soak.py needs wrk: apt-get install wrk")
    with serve(folder, ["--workers", str(workers)]) as server:
        mix, revalidations = build_mix(server.base)
        script = folder / "mix.lua"
        script.write_text(LUA % {"table": lua_table(mix)}, encoding="utf-8")
        sampler = Sampler(server)
        sampler.start()
        command = [wrk, "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s"]
        command += ["-s", str(script), server.base]
        run = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
        sampler.stop.set()
        sampler.join()
        health = send(server.base, "GET", "/health")
        metrics = send(server.base, "GET", "/metrics").body.decode()
    output = run.stdout
    statuses = {
        int(k): int(v) for k, v in re.findall(r"(\d+)=(\d+)", output.split("STATUSES", 1)[1].splitlines()[0])
    }
    percentiles = {p: int(us) / 1000 for p, us in re.findall(r"PERCENTILE (\S+) (\d+)", output)}
    errors = [int(n) for n in re.search(r"ERRORS (.*)", output).group(1).split()]
    return {
        "mix": len(mix),
        "revalidations_in_mix": revalidations,
        "requests": int(re.search(r"REQUESTS (\d+)", output).group(1)),
        "duration": duration,
        "connections": connections,
        "workers": workers,
        "statuses": statuses,
        "socket_errors": dict(zip(["connect", "read", "write", "status", "timeout"], errors, strict=True)),
        "latency_ms": percentiles,
        "max_ms": int(re.search(r"MAXIMUM (\d+)", output).group(1)) / 1000,
        "memory": growth(sampler.samples, 10.0),
        "health_after": health.status,
        # Queries that ran in a query worker (cache misses) and answers from the cache, all workers.
        "cache": {
            kind: int(
                sum(float(v) for v in re.findall(rf"^haironto_query_cache_{kind}_total (\S+)", metrics, re.M))
            )
            for kind in ("misses", "hits")
        },
        "wrk": _first_line(subprocess.run([wrk, "-v"], capture_output=True, text=True)),
        "command": " ".join(["bench/soak.py", *sys.argv[1:]]),
    }


def _first_line(run: subprocess.CompletedProcess[str]) -> str:
    return ((run.stdout or "") + (run.stderr or "")).strip().split("\n")[0]


def report(result: dict[str, object], max_growth: float) -> tuple[str, bool]:
    statuses = result["statuses"]
    bad = {s: n for s, n in statuses.items() if not (200 <= s < 300 or s == 304)}
    errors = sum(n for kind, n in result["socket_errors"].items() if kind != "status")  # statuses: above
    memory = result["memory"]
    ok = not bad and not errors and memory["growth_percent"] < max_growth and result["health_after"] == 200
    rate = result["requests"] / result["duration"]
    rows = "\n".join(
        f"| {pid} | {a} | {b} | {g:+.2f} % |" for pid, (a, b, g) in memory["per_process"].items()
    )
    text = (
        f"""# Soak: the service at saturation (`bench/soak.py`)

{"PASS" if ok else "FAIL"}: {result["requests"]:,} requests in {result["duration"]} s ({rate:,.0f}/s) over
{result["connections"]} connections to {result["workers"]} gunicorn workers, on the bundled release.

| answers | count |
|---|---|
"""
        + "\n".join(f"| {status} | {n:,} |" for status, n in sorted(statuses.items()))
        + f"""
| non-2xx other than 304 | {sum(bad.values())} |
| socket errors (connect, read, write, timeout) | {errors} |

The mix ({result["mix"]} requests, in turn on each connection): every curated query through
`/api/queries/NAME` (JSON and CSV) and as SPARQL on `/sparql` in three layouts and formats, HTML
and Turtle of term pages, the catalogue, and {result["revalidations_in_mix"]} revalidations with the
`If-None-Match` of an answer fetched before (the 304s); and, every tenth request, a query never
asked before (a filtered count over the whole dataset), which misses the answer cache and runs in
a query worker ({result["cache"]["misses"]:,} queries ran in a query worker, {result["cache"]["hits"]:,} came
from the answer cache). Command: `.venv/bin/python {result["command"]}`.

| latency | ms |
|---|---|
"""
        + "\n".join(f"| p{p} | {ms:.2f} |" for p, ms in result["latency_ms"].items())
        + f"""
| max | {result["max_ms"]:.2f} |

Resident memory (VmRSS) of the {memory["processes"]} processes that served throughout (gunicorn
workers and their query workers; {memory["replaced"]} others came or went), averaged over the first and
the last 10 s: {memory["first_kib"]:,} KiB, then {memory["last_kib"]:,} KiB: **{memory["growth_percent"]:+.2f} %**
(the limit is {max_growth:g} %).

| process | first 10 s (KiB) | last 10 s (KiB) | growth |
|---|---|---|---|
{rows}

`/health` after the run: {result["health_after"]}.

Machine: {platform.node()}, {platform.machine()}, Python {platform.python_version()}, haironto
{version("haironto")}, pyoxigraph {version("pyoxigraph")}, gunicorn {version("gunicorn")}; load by
{result["wrk"] or "wrk"}. The machine has 2 cores shared by the load generator and the server, and may
be shared with other work: read the latencies as this machine's, the statuses and memory as the result.
"""
    )
    return text, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-growth", type=float, default=10.0, help="percent of RSS growth that fails")
    parser.add_argument("--output", default=str(REPO / "bench" / "RESULTS-soak.md"), help="'-': stdout")
    parser.add_argument("--json", help="also write the figures as JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="haironto-soak-") as folder:
        result = soak(args.duration, args.connections, args.workers, Path(folder))
    text, ok = report(result, args.max_growth)
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
