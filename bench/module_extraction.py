"""Time import-module extraction on the real ontology: MIREOT, and STAR/BOT/TOP by the OWL API.

Run from a checkout after ``make install`` (needs Debian's libowlapi-java and a JVM)::

    .venv/bin/python bench/module_extraction.py            # writes bench/RESULTS-modules.md
    .venv/bin/python bench/module_extraction.py --output -  # to stdout

Each time is the median of ``--runs`` runs after one warm-up, in one process; the JVM start is
measured once (it happens once per process). Sizes are triples and logical axioms (subclass,
equivalence, disjointness, domain/range, assertions) of the module.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from importlib.metadata import version
from pathlib import Path

from rdflib import Graph, URIRef

from haironto import owlapi
from haironto.axioms import declared_properties, logical_axioms
from haironto.extract import extract, resolve
from haironto.resources import ontology_dir

SEEDS = ["HAIRONTO:0000010", "HAIRONTO:0000007", "HAIRONTO:0000103"]  # exosome treatment, PRP, stem cell
SOURCE = ontology_dir() / "haironto-base.owl"


def count_axioms(graph: Graph) -> int:
    properties = declared_properties(graph)
    entities = {s for s in graph.subjects() if isinstance(s, URIRef)}
    return len({(e, a) for e in entities for a in logical_axioms(graph, e, properties)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", default=str(Path(__file__).with_name("RESULTS-modules.md")))
    args = parser.parse_args()

    start = time.perf_counter()
    owlapi._jvm()
    jvm = time.perf_counter() - start
    source = Graph().parse(SOURCE)
    start = time.perf_counter()
    owlapi._load(source)
    load = time.perf_counter() - start
    seeds = resolve(source, SEEDS)

    rows = []
    for method in ("mireot", "star", "bot", "top"):
        extract(SEEDS, source=SOURCE, method=method)  # warm-up
        times, module = [], Graph()
        for _ in range(args.runs):
            start = time.perf_counter()
            module = extract(SEEDS, source=SOURCE, method=method)
            times.append(time.perf_counter() - start)
        rows.append((method, statistics.median(times), len(module), count_axioms(module)))

    lines = [
        "# Import-module extraction",
        "",
        "Written by `bench/module_extraction.py`; rerun it to refresh. Seeds: "
        + ", ".join(str(s) for s in seeds)
        + f". Source: `ontology/{SOURCE.name}` ({len(source)} triples, {count_axioms(source)} logical axioms).",
        "Each time is the median of the runs after a warm-up and includes loading the source file with "
        "rdflib and, for the locality methods, handing it to the OWL API.",
        "",
        f"- machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}",
        f"- rdflib {version('rdflib')}, JPype {version('JPype1')}, OWL API from {owlapi.java_libs()}",
        f"- JVM start (once per process): {jvm:.2f} s; OWL API load of the source: {load:.2f} s",
        "",
        "| method | median time (s) | module triples | module logical axioms |",
        "|---|---|---|---|",
    ]
    lines += [f"| {m} | {t:.2f} | {n} | {a} |" for m, t, n, a in rows]
    text = "\n".join(lines) + "\n"
    if args.output == "-":
        print(text, end="")
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
