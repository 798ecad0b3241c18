"""The engine choice stays justified: pyoxigraph beats rdflib's engine on the benchmark's queries."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "engine_comparison.py"


@pytest.mark.slow
def test_pyoxigraph_is_an_order_of_magnitude_faster():
    spec = importlib.util.spec_from_file_location("engine_comparison", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up there
    spec.loader.exec_module(bench)
    for measure in bench.compare(10_000, runs=3, seed=42):
        ratio = measure.medians["rdflib"] / measure.medians["pyoxigraph"]
        assert ratio >= 10, f"{measure.query}: pyoxigraph only {ratio:.1f}x faster"
