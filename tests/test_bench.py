"""The benchmarks keep running: the engine choice stays justified (pyoxigraph beats rdflib's engine),
and the service benchmark runs end to end at a tiny size."""

from __future__ import annotations

import importlib.util
import subprocess
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


SERVICE_BENCH = Path(__file__).resolve().parents[1] / "bench" / "http_service.py"


@pytest.mark.slow
def test_the_service_benchmark_runs_at_a_tiny_size(tmp_path: Path):
    # Our service only (the peers need bench/.venv, see bench/README.md): the script starts it,
    # checks every query's answer, loads it and writes its report. No speed is asserted here.
    output = tmp_path / "RESULTS.md"
    command = [sys.executable, str(SERVICE_BENCH), "--triples", "500", "--runs", "3", "--budget", "2"]
    command += ["--duration", "1", "--cold-starts", "1", "--no-curated-throughput", "--peers"]
    command += ["--output", str(output)]
    subprocess.run(command, check=True, timeout=600, capture_output=True)
    text = output.read_text(encoding="utf-8")
    assert "## Throughput" in text and "## Sequential latency" in text and "## Cold start" in text
    assert "| join |" in text and "| queries/treatments-by-kind |" in text
    assert "NO:" not in text  # the cached and uncached instances agree on every answer
