"""A gunicorn worker killed with SIGKILL under load: what fails, and how long the service falters (issue 5, item 5).

Starts ``haironto serve --workers 2`` on the bundled release on 127.0.0.1 and drives it with
``--clients`` clients sending, one after another, the mix of ``tests/test_faults.py`` (a query
that misses the answer cache, a cached query, a term page, the API catalogue, ``/health``).
Every ``--interval`` seconds it kills one gunicorn worker with SIGKILL, ``--kills`` times, and
records for each kill:

* the requests that failed (no answer, or not 200);
* the service gap: the longest time, from one second before the kill to five after, during which
  no request was answered 200, against the same measure over the quiet second before it;
* when gunicorn's master had a replacement process, and when that replacement was ready (its
  query worker started, i.e. the app was built and the data loaded).

Results go to ``bench/RESULTS-faults.md`` (or ``--output``). The on-disk store's ``haironto load``
and a remote backend's failures are the backends' part of issue 5 and are not measured here.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.hostile import Tally, children, send, serve  # noqa: E402
from tests.test_faults import load  # noqa: E402


def longest_gap(log: list[tuple[float, int]], start: float, end: float) -> float:
    """The longest stretch in [start, end] with no 200 answer, in seconds."""
    times = sorted(at for at, status in log if status == 200 and start <= at <= end)
    edges = [start, *times, end]
    return max(b - a for a, b in zip(edges, edges[1:], strict=False))


def measure(kills: int, interval: float, clients: int, folder: Path) -> dict[str, object]:
    rows = []
    with serve(folder, ["--workers", "2", "--timeout", "10"]) as server:
        stop, tally, log = threading.Event(), Tally(), []
        # A term of the bundled release (the test's fixture data has others).
        threads = load(server.base, stop, tally, log, clients=clients, term="HAIRONTO_0000007")
        try:
            time.sleep(interval)
            for _ in range(kills):
                before = server.workers()
                victim = before[0]
                killed_at = time.monotonic()
                os.kill(victim, signal.SIGKILL)
                spawned = ready = None
                deadline = killed_at + 60
                while ready is None and time.monotonic() < deadline:
                    replacement = [pid for pid in server.workers() if pid not in before]
                    if replacement:
                        spawned = spawned or time.monotonic()
                        # Ready once its app is built: the query worker it starts then is there.
                        if children(replacement[0]):
                            ready = time.monotonic()
                    time.sleep(0.01)
                time.sleep(max(0.0, interval - (time.monotonic() - killed_at)))
                window = [(at, status) for at, status in log if killed_at - 1 <= at <= killed_at + 5]
                rows.append(
                    {
                        "spawned_s": round(spawned - killed_at, 3) if spawned else None,
                        "ready_s": round(ready - killed_at, 3) if ready else None,
                        "failed": sum(1 for _, status in window if status != 200),
                        "errors_5xx": sum(1 for _, status in window if status >= 500),
                        "answered": sum(1 for _, status in window if status == 200),
                        "gap_s": round(longest_gap(log, killed_at - 1, killed_at + 5), 3),
                        "quiet_gap_s": round(longest_gap(log, killed_at - 2, killed_at - 1), 3),
                    }
                )
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        health = send(server.base, "GET", "/health").status
    return {
        "kills": kills,
        "clients": clients,
        "requests": tally.total,
        "classes": dict(tally.classes),
        "failures": tally.failures,
        "rows": rows,
        "health_after": health,
    }


def report(result: dict[str, object], command: str) -> str:
    rows = result["rows"]
    failed = [row["failed"] for row in rows]
    gaps = [row["gap_s"] for row in rows]
    ready = [row["ready_s"] for row in rows if row["ready_s"] is not None]
    lines = [
        "# A gunicorn worker killed under load (`bench/faults.py`)",
        "",
        f"{result['kills']} times, one of the 2 gunicorn workers of `haironto serve` was killed with "
        f"SIGKILL while {result['clients']} clients sent requests one after another (a cache-missing "
        "query, a cached query, a term page, the API catalogue, `/health`, in turn). In all, "
        f"{result['requests']:,} requests: "
        + ", ".join(f"{n:,} {kind}" for kind, n in sorted(result["classes"].items()))
        + ".",
        "",
        "| kill | failed requests (kill -1 s .. +5 s) | answered 200 | longest gap without a 200 | "
        "same, the quiet second before | replacement forked | replacement ready |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, row in enumerate(rows, 1):
        lines.append(
            f"| {n} | {row['failed']} | {row['answered']} | {row['gap_s'] * 1000:.0f} ms | "
            f"{row['quiet_gap_s'] * 1000:.0f} ms | {row['spawned_s']} s | {row['ready_s']} s |"
        )
    lines += [
        "",
        f"Per kill: at most {max(failed)} failed requests (median {statistics.median(failed):g}), "
        f"the requests the dead worker held; longest gap without any 200 answer "
        f"{max(gaps) * 1000:.0f} ms (median {statistics.median(gaps) * 1000:.0f} ms); the replacement "
        f"was ready after {statistics.median(ready):.2f} s (median; max {max(ready):.2f} s), and the other "
        f"worker answered meanwhile. `/health` afterwards: {result['health_after']}.",
        "",
        "A failed request here is one the killed worker had accepted: its client sees the connection "
        "closed with no answer (`RemoteDisconnected`, or a body cut short), which clients retry; "
        f"{sum(row['errors_5xx'] for row in rows)} requests got a 5xx.",
        "",
    ]
    if result["failures"]:
        lines += ["Examples of failures:", "", *(f"- `{f}`" for f in result["failures"][:5]), ""]
    lines += [
        f"Command: `.venv/bin/python {command}`. Machine: {platform.node()}, {platform.machine()}, "
        f"Python {platform.python_version()}, haironto {version('haironto')}, gunicorn "
        f"{version('gunicorn')}; 2 cores shared by the clients and the server.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--interval", type=float, default=8.0, help="seconds between kills")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--output", default=str(REPO / "bench" / "RESULTS-faults.md"), help="'-': stdout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="haironto-faults-") as folder:
        result = measure(args.kills, args.interval, args.clients, Path(folder))
    text = report(result, " ".join(["bench/faults.py", *sys.argv[1:]]))
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    ok = all(row["ready_s"] is not None for row in result["rows"]) and result["health_after"] == 200
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
