"""What a large answer costs between the engine and the HTTP layer, format by format.

A query with a time limit runs in a worker process (see ``haironto.backends.sandbox``); its
answer crosses back to the server process as bytes. This script times, in one process and
without HTTP, ``Backend.query(..., timeout=...)`` followed by ``Result.serialize(format)``: the
work the service does per request minus Flask and gunicorn. It is the before/after measure of
letting the worker write the format the client asked for, instead of TSV or N-Triples that the
server then converts.

    .venv/bin/python bench/worker_formats.py --label after --output bench/RESULTS-worker-formats.md
    .venv/bin/python bench/worker_formats.py --runs 5 --output -        # quick look, to stdout

The script runs on commits from before that change too (it only passes the requested format
when ``Backend.query`` accepts one), so both sides of the comparison come from the same file.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from synthetic import synthetic_ntriples  # noqa: E402

from haironto.backends import Backend, get_backend  # noqa: E402

ROWS = 10_000
SELECT = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {ROWS}"
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} LIMIT {ROWS}"
ASK = "ASK { ?s ?p ?o }"
CASES = [
    ("ASK", ASK, "results", "json"),
    (f"SELECT {ROWS:,} rows", SELECT, "results", "json"),
    (f"SELECT {ROWS:,} rows", SELECT, "results", "xml"),
    (f"SELECT {ROWS:,} rows", SELECT, "results", "csv"),
    (f"SELECT {ROWS:,} rows", SELECT, "results", "tsv"),
    (f"CONSTRUCT {ROWS:,} triples", CONSTRUCT, "graph", "turtle"),
    (f"CONSTRUCT {ROWS:,} triples", CONSTRUCT, "graph", "ntriples"),
    (f"CONSTRUCT {ROWS:,} triples", CONSTRUCT, "graph", "jsonld"),
]


def passes_formats(backend: Backend) -> bool:
    """True when this checkout's ``Backend.query`` lets the caller name the answer's format."""
    return "results_format" in inspect.signature(backend.query).parameters


def timed(backend: Backend, query: str, kind: str, fmt: str, runs: int) -> float:
    """Median seconds of query + serialize over ``runs`` runs, after one warm-up run."""
    extra = {}
    if passes_formats(backend):
        extra = {"results_format": fmt} if kind == "results" else {"graph_format": fmt}
    times = []
    for run in range(runs + 1):
        started = time.perf_counter()
        result = backend.query(query, timeout=60, max_rows=ROWS, **extra)
        body = result.serialize(fmt)
        elapsed = time.perf_counter() - started
        assert body, "empty answer"
        if run:
            times.append(elapsed)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    from engine_comparison import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--label", default="this checkout")
    parser.add_argument(
        "--output", default="-", help="a markdown file to append a section to, or - for stdout"
    )
    args = parser.parse_args(argv)

    backend = get_backend("memory:")
    backend.load(synthetic_ntriples(args.triples), format="ntriples")
    backend.start_workers()
    try:
        rows = [
            (label, fmt, timed(backend, query, kind, fmt, args.runs)) for label, query, kind, fmt in CASES
        ]
    finally:
        backend.close()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE, check=False
    ).stdout.strip()
    where = "the worker writes the requested format" if passes_formats(backend) else "the server converts"
    lines = [
        f"## {args.label} (commit {commit}: {where})",
        "",
        *machine(),
        f"- command: `python bench/worker_formats.py {' '.join(sys.argv[1:] if argv is None else argv)}`",
        "",
        "| answer | format | median ms (query + serialize) |",
        "|---|---|---:|",
        *(f"| {label} | {fmt} | {seconds * 1000:.2f} |" for label, fmt, seconds in rows),
        "",
    ]
    text = "\n".join(lines)
    if args.output == "-":
        print(text)
    else:
        with Path(args.output).open("a", encoding="utf-8") as out:
            out.write(text + "\n")
        print(text)


if __name__ == "__main__":
    main()
