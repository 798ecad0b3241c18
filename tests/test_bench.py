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


SCALE_BENCH = Path(__file__).resolve().parents[1] / "bench" / "scale.py"


@pytest.mark.slow
def test_the_scale_benchmark_runs_at_a_tiny_size(tmp_path: Path):
    # The in-memory and the remote (Virtuoso) services at 3,000 synthetic triples: the script
    # generates the data, serves it, times every curated query and writes its table and plot.
    # (The oxigraph rows need the Oxigraph CLI of bench/.venv, see bench/README.md.)
    output, plot = tmp_path / "RESULTS.md", tmp_path / "scale.png"
    command = [sys.executable, str(SCALE_BENCH), "--sizes", "3000", "--backends", "memory", "remote"]
    command += ["--runs", "1", "--workdir", str(tmp_path / "work"), "--output", str(output)]
    command += ["--plot", str(plot)]
    subprocess.run(command, check=True, timeout=900, capture_output=True)
    text = output.read_text(encoding="utf-8")
    assert "| 3e+03 | memory: |" in text and "| 3e+03 | remote: (Virtuoso) |" in text
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_the_synthetic_data_is_seeded_and_sized(tmp_path: Path):
    sys.path.insert(0, str(SCALE_BENCH.parent))
    try:
        from scale_data import generate
    finally:
        sys.path.remove(str(SCALE_BENCH.parent))
    first, second, other = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "c.nt"
    generate(5000, first)
    generate(5000, second)
    generate(5000, other, seed=7)
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()
    lines = first.read_bytes().splitlines()
    assert abs(len(lines) - 5000) < 5000 * 0.05
    from rdflib import Graph

    assert len(Graph().parse(first, format="nt")) == len(set(lines))


BENCH_DIR = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.slow
def test_the_soak_runs_briefly_and_reports(tmp_path: Path):
    # Three seconds instead of sixty: the script starts the server, loads it with wrk, samples
    # memory and writes its report. What a full soak finds is in bench/RESULTS-soak.md.
    output = tmp_path / "RESULTS.md"
    command = [sys.executable, str(BENCH_DIR / "soak.py"), "--duration", "3", "--output", str(output)]
    subprocess.run(command, timeout=300, capture_output=True)
    text = output.read_text(encoding="utf-8")
    assert "| p99 |" in text and "| non-2xx other than 304 | 0 |" in text and "| 304 |" in text


@pytest.mark.slow
def test_the_fault_benchmark_kills_a_worker_and_reports(tmp_path: Path):
    output = tmp_path / "RESULTS.md"
    command = [sys.executable, str(BENCH_DIR / "faults.py"), "--kills", "1", "--interval", "3"]
    subprocess.run([*command, "--output", str(output)], check=True, timeout=300, capture_output=True)
    text = output.read_text(encoding="utf-8")
    assert "| 1 |" in text and "/health` afterwards: 200" in text and "0 requests got a 5xx" in text
