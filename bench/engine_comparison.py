"""rdflib's SPARQL engine against pyoxigraph's, on the same synthetic data and queries.

Both run in this process through the project's own Backend interface (``rdflib:`` and
``memory:``), so each time covers parsing the query, evaluating it and serializing the
answer with the engine's own writer: what the service pays per query, minus HTTP.

    .venv/bin/python bench/engine_comparison.py                 # writes bench/RESULTS-engines.md
    .venv/bin/python bench/engine_comparison.py --sizes 10000 --runs 3 --output -
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The generator is shared with the differential tests, so both exercise the same data.
sys.path.insert(0, str(HERE.parent / "tests"))

from synthetic import AGGREGATE, JOIN, synthetic_ntriples  # noqa: E402

from haironto.backends import Backend, Rows, get_backend  # noqa: E402

ENGINES = {"rdflib": "rdflib:", "pyoxigraph": "memory:"}
QUERIES = {"join": JOIN, "aggregate": AGGREGATE}


@dataclass(frozen=True)
class Measure:
    triples: int
    query: str
    rows: int
    medians: dict[str, float]
    loads: dict[str, float]


def timed(backend: Backend, query: str, runs: int) -> tuple[float, int]:
    """Median seconds of ``runs`` runs after one warm-up run, and the number of rows."""
    result = backend.query(query)
    assert isinstance(result, Rows)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        backend.query(query)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result.count


def compare(size: int, runs: int, seed: int) -> list[Measure]:
    data = synthetic_ntriples(size, seed)
    engines: dict[str, Backend] = {}
    loads: dict[str, float] = {}
    for name, descriptor in ENGINES.items():
        backend = get_backend(descriptor)
        started = time.perf_counter()
        backend.load(data, format="ntriples")
        loads[name] = time.perf_counter() - started
        engines[name] = backend
    triples = engines["pyoxigraph"].stats().default_graph
    assert engines["rdflib"].stats().default_graph == triples
    measures = []
    for label, query in QUERIES.items():
        medians, counts = {}, set()
        for name, backend in engines.items():
            medians[name], count = timed(backend, query, runs)
            counts.add(count)
        assert len(counts) == 1, f"the engines disagree on {label}: {counts}"
        measures.append(Measure(triples, label, counts.pop(), medians, loads))
        print(f"{triples:>7} {label:<9} " + "  ".join(f"{n} {t * 1000:9.1f} ms" for n, t in medians.items()))
    return measures


def machine() -> list[str]:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if "MemTotal" in line
        )
    except (OSError, StopIteration):
        memory = "unknown"
    system = f"{platform.system()} {platform.release()}"
    engines = f"pyoxigraph {version('pyoxigraph')}, rdflib {version('rdflib')}"
    return [
        f"- machine: {cpu}, {os.cpu_count()} logical CPUs, {memory} RAM, {system}",
        f"- Python {platform.python_version()}, {engines}",
        f"- date: {datetime.date.today().isoformat()}",
        # Other work on the machine slows both engines alike; the ratios are the result.
        "- load average at the end (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    ]


def report(measures: list[Measure], runs: int, seed: int, command: str) -> str:
    lines = [
        "# Query engines: rdflib against pyoxigraph",
        "",
        "Written by `bench/engine_comparison.py`; rerun it to refresh. Each time is the median of "
        f"{runs} runs after one warm-up, of `Backend.query` in one process (parse, evaluate, serialize; "
        "no HTTP), on synthetic data around the fixture ontology's classes "
        f"(`tests/synthetic.py`, seed {seed}). The queries are `JOIN` (five triple patterns, one "
        "through the class hierarchy) and `AGGREGATE` (GROUP BY with COUNT, SUM, MAX) of that module.",
        "",
        *machine(),
        f"- command: `{command}`",
        "",
        "| triples | query | rows | rdflib (ms) | pyoxigraph (ms) | pyoxigraph faster by |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for m in measures:
        rdflib_ms, oxigraph_ms = m.medians["rdflib"] * 1000, m.medians["pyoxigraph"] * 1000
        lines.append(
            f"| {m.triples:,} | {m.query} | {m.rows:,} | {rdflib_ms:,.1f} | {oxigraph_ms:,.2f} "
            f"| {rdflib_ms / oxigraph_ms:,.0f}x |"
        )
    lines += [
        "",
        "Loading the same N-Triples (seconds):",
        "",
        "| triples | rdflib | pyoxigraph |",
        "|---:|---:|---:|",
    ]
    seen = set()
    for m in measures:
        if m.triples not in seen:
            seen.add(m.triples)
            lines.append(f"| {m.triples:,} | {m.loads['rdflib']:.2f} | {m.loads['pyoxigraph']:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", default=str(HERE / "RESULTS-engines.md"), help="a file, or - for stdout")
    args = parser.parse_args(argv)
    measures = [m for size in args.sizes for m in compare(size, args.runs, args.seed)]
    command = "python bench/engine_comparison.py " + " ".join(sys.argv[1:] if argv is None else argv)
    text = report(measures, args.runs, args.seed, command.strip())
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"written to {args.output}")


if __name__ == "__main__":
    main()
