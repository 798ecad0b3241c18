"""Reasoning times on the bundled release: HermiT, Pellet, the RDFS and OWL 2 RL closures, and Pellet's
explanation of an injected contradiction. Prints a Markdown table; results in RESULTS-reasoning.md.

    .venv/bin/python bench/reasoning.py
"""

from __future__ import annotations

import platform
import statistics
import time

from rdflib import Graph
from rdflib.namespace import RDFS

from haironto.entailment import materialize
from haironto.explain import explain
from haironto.namespaces import HAIRONTO
from haironto.reason import reason
from haironto.resources import edit_file, ontology_dir

RUNS = 3


def timed(function, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    edit = Graph().parse(edit_file())
    full = Graph().parse(ontology_dir() / "haironto.ttl")
    rows = []
    for name in ("hermit", "pellet"):
        seconds, report = timed(lambda name=name: reason(edit, name))
        rows.append(
            (
                f"{name} (owlready2, JVM start included)",
                seconds,
                f"{len(report.inferred_subclasses)} inferred subclass axioms",
            )
        )
    for regime in ("rdfs", "owl-rl"):
        seconds, closure = timed(lambda regime=regime: materialize(full, regime))
        rows.append(
            (f"{regime} closure (owlrl)", seconds, f"{len(closure.graph)} triples (release: {len(full)})")
        )
    edit.add((HAIRONTO["HAIRONTO_0000209"], RDFS.subClassOf, HAIRONTO["HAIRONTO_0000100"]))
    seconds, found = timed(
        lambda: explain(edit, inconsistent=False, unsatisfiable=[str(HAIRONTO["HAIRONTO_0000209"])])
    )
    rows.append(
        (
            "Pellet explanation, exosome SubClassOf cell (child process + JVM)",
            seconds,
            f"{len(found[0].justifications)} justifications",
        )
    )
    print(
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, median of {RUNS}\n"
    )
    print("| step | seconds | result |\n|---|---|---|")
    for step, seconds, result in rows:
        print(f"| {step} | {seconds:.2f} | {result} |")


if __name__ == "__main__":
    main()
