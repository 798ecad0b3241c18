"""Runaway queries: how long each is allowed to run, and what a cheap query costs meanwhile (issue 5, item 2).

Starts ``haironto serve`` on the bundled release on 127.0.0.1 with the limits of
``tests/test_runaway_queries.py`` (2 gunicorn workers, a 2 s time limit, 256 MiB per query worker,
8 MiB per answer), then:

1. sends cheap queries one after another for ``--baseline`` seconds, nothing else running: the
   cheap query's latency at rest;
2. for each attack of the test (cartesian product, any-direction paths, backtracking REGEX,
   GROUP_CONCAT, a doubled string, a huge answer, deep nesting), ``--rounds`` times: sends the
   attack while a second client keeps sending cheap queries, and records the attack's status, its
   reason, how long it took to be stopped, and the cheap queries' latencies and statuses.

Each cheap query is new (a cache miss), so it really runs in a query worker. Results go to
``bench/RESULTS-runaway.md`` (or ``--output``); the script exits non-zero if an attack was not
stopped within the time limit plus one second, gave another status than the test expects, or a
cheap query failed.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.hostile import cheap_query, send, serve, summary  # noqa: E402
from tests.test_runaway_queries import (  # noqa: E402
    ATTACKS,
    GRACE,
    TIMEOUT,
    attack_while_measuring,
)

ENV = {"HAIRONTO_QUERY_MEMORY": "256", "HAIRONTO_MAX_ANSWER_BYTES": str(8 * 2**20)}


def baseline(base: str, seconds: float) -> list[float]:
    """Latencies of cheap queries sent one after another, with nothing else running."""
    latencies = []
    stop = time.monotonic() + seconds
    n = 0
    while time.monotonic() < stop:
        n += 1
        answer = send(base, "GET", "/sparql?" + urlencode({"query": cheap_query(time.time_ns() + n)}))
        if answer.status != 200:
            raise SystemExit(f"a cheap query at rest failed: {answer.status} {answer.body[:200]!r}")
        latencies.append(answer.elapsed)
    return latencies


def measure(rounds: int, rest: float, folder: Path) -> dict[str, object]:
    args = ["--workers", "2", "--timeout", str(TIMEOUT)]
    with serve(folder, args, ENV) as server:
        at_rest = baseline(server.base, rest)
        rows = []
        for attack in ATTACKS:
            elapsed, reasons, statuses, cheap_ok, cheap_failed, latencies = [], set(), set(), 0, 0, []
            for _ in range(rounds):
                answer, cheap = attack_while_measuring(server.base, attack)
                elapsed.append(answer.elapsed)
                statuses.add(answer.status)
                reasons.add(answer.body.decode("utf-8", "replace").strip().split(";")[0][:110])
                cheap_ok += sum(c.status == 200 for c in cheap)
                cheap_failed += sum(c.status != 200 for c in cheap)
                latencies += [c.elapsed for c in cheap if c.status == 200]
            ok = (
                statuses == {attack.status}
                and max(elapsed) < TIMEOUT + GRACE
                and cheap_failed == 0
                and all(re.search(attack.says, r) for r in reasons)
            )
            rows.append(
                {
                    "attack": attack.name,
                    "statuses": sorted(statuses),
                    "reasons": sorted(reasons),
                    "stopped_after_max_s": round(max(elapsed), 2),
                    "cheap": summary(latencies),
                    "cheap_ok": cheap_ok,
                    "cheap_failed": cheap_failed,
                    "ok": ok,
                }
            )
        workers_after = len(server.query_workers())
        health = send(server.base, "GET", "/health").status
    return {
        "rounds": rounds,
        "rest": summary(at_rest),
        "attacks": rows,
        "query_workers_after": workers_after,
        "health_after": health,
    }


def report(result: dict[str, object], command: str) -> tuple[str, bool]:
    rows = result["attacks"]
    ok = all(row["ok"] for row in rows) and result["health_after"] == 200
    rest = result["rest"]
    lines = [
        "# Runaway queries (`bench/runaway.py`)",
        "",
        f"{'PASS' if ok else 'FAIL'}: every attack stopped within the {TIMEOUT:g} s time limit plus "
        f"{GRACE:g} s with the expected status and reason, and no cheap query failed meanwhile"
        if ok
        else "FAIL: see the rows marked NO.",
        "",
        f"Server: `haironto serve --workers 2 --timeout {TIMEOUT:g}` on the bundled release, "
        "`HAIRONTO_QUERY_MEMORY=256` (MiB per query worker), `HAIRONTO_MAX_ANSWER_BYTES=8388608`. "
        f"Each attack was sent {result['rounds']} times; meanwhile a second client sent cheap queries "
        "one after another (`ASK { ?s ?p ?o FILTER(?o != N) }`, a new N each time, so each misses the "
        "answer cache and runs in a query worker).",
        "",
        f"Cheap query at rest (no attack, {rest['n']} queries): p50 {rest['p50_ms']} ms, "
        f"p99 {rest['p99_ms']} ms, max {rest['max_ms']} ms.",
        "",
        "| attack | status | why (the answer's text) | stopped after (max) | cheap queries during it | "
        "cheap p50 | cheap p99 | cheap max | ok |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cheap = row["cheap"]
        lines.append(
            f"| {row['attack']} | {', '.join(map(str, row['statuses']))} | "
            f"{' / '.join(r.replace('|', '/') for r in row['reasons'])} | {row['stopped_after_max_s']} s | "
            f"{row['cheap_ok']} ok, {row['cheap_failed']} failed | {cheap['p50_ms']} ms | "
            f"{cheap['p99_ms']} ms | {cheap['max_ms']} ms | {'yes' if row['ok'] else 'NO'} |"
        )
    lines += [
        "",
        f"Afterwards: {result['query_workers_after']} query worker processes (each stopped query's "
        f"worker was replaced), `/health` {result['health_after']}.",
        "",
        "Why a cheap query slows during an attack: the machine has 2 cores, and the attack's query "
        "worker keeps one of them busy until it is stopped, so the cheap query's latency during an "
        "attack is to be read against its latency at rest, measured in the same run. The maxima are "
        "single requests: most likely a cheap query that reached the attacked gunicorn worker just "
        "after its attack was stopped, while its query worker was being replaced (a new process "
        "that loads the data anew); the p99 is the figure to read.",
        "",
        f"Command: `.venv/bin/python {command}`. Machine: {platform.node()}, {platform.machine()}, "
        f"Python {platform.python_version()}, haironto {version('haironto')}, pyoxigraph "
        f"{version('pyoxigraph')}, gunicorn {version('gunicorn')}; the machine may be shared with other work.",
        "",
    ]
    return "\n".join(lines), ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each attack is sent (default 3)")
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds of cheap queries at rest")
    parser.add_argument("--output", default=str(REPO / "bench" / "RESULTS-runaway.md"), help="'-': stdout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="haironto-runaway-") as folder:
        result = measure(args.rounds, args.baseline, Path(folder))
    text, ok = report(result, " ".join(["bench/runaway.py", *sys.argv[1:]]))
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
