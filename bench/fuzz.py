"""The 10,000-request hostile-input run (issue 5, item 1), with its tally written down.

Runs the slow tests of ``tests/test_hostile_input.py`` (``pytest -m slow``): the hypothesis
fuzzer of every route and schemathesis against the served OpenAPI document, at least 10,000
generated requests in all against a live ``haironto serve`` on 127.0.0.1, drawn afresh each run.
The test fails on any 5xx other than the service's intended 503s, any traceback in a body, or a
``/health`` that does not answer afterwards. This script writes the tally (requests by class of
answer), the duration and the verdict to ``bench/RESULTS-fuzz.md`` (or ``--output``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CLASSES = {
    "2xx": "2xx",
    "3xx": "3xx (redirects, 304s)",
    "4xx": "4xx (refused: malformed, unknown, too large, read-only, ...)",
    "503 timeout": "503: the query ran past its time limit",
    "503 busy": "503: every query worker or reasoning slot busy",
    "503 memory": "503: the query needed more than its memory limit",
    "503 answer size": "503: the answer was over the size limit",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(REPO / "bench" / "RESULTS-fuzz.md"), help="'-': stdout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="haironto-fuzz-") as folder:
        tally_file = Path(folder) / "tally.json"
        command = [sys.executable, "-m", "pytest", "-m", "slow", "-q", "-p", "no:cacheprovider"]
        command += ["tests/test_hostile_input.py"]
        started = time.monotonic()
        run = subprocess.run(
            command,
            cwd=REPO,
            env={**os.environ, "HAIRONTO_FUZZ_REPORT": str(tally_file)},
            capture_output=True,
            text=True,
            timeout=3600,
        )
        seconds = time.monotonic() - started
        tally = json.loads(tally_file.read_text()) if tally_file.exists() else None
    verdict = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-500:]
    ok = run.returncode == 0 and tally is not None
    lines = [
        "# Hostile input: 10,000 generated requests (`bench/fuzz.py`)",
        "",
        f"{'PASS' if ok else 'FAIL'}: pytest says `{verdict}` after {seconds:.0f} s.",
        "",
    ]
    if tally:
        failures = sum(n for kind, n in tally["classes"].items() if kind.startswith("FAIL"))
        lines += [
            f"{tally['requests']:,} requests to a live `haironto serve` (2 gunicorn workers, a 3 s time "
            "limit, 50 rows, 64 KiB bodies, 256 MiB per query worker): "
            + ", ".join(f"{n:,} from {source}" for source, n in tally.get("sources", {}).items())
            + ". "
            f"Failures (a 5xx other than the intended 503s, a traceback, no answer): **{failures}**. "
            f"`/health` answered {tally['health_seconds'] * 1000:.0f} ms after the last request.",
            "",
            "| answer | requests |",
            "|---|---|",
            *(
                f"| {CLASSES.get(kind, kind)} | {n:,} |"
                for kind, n in sorted(tally["classes"].items(), key=lambda item: -item[1])
            ),
            "",
        ]
    lines += [
        "Command: `.venv/bin/python bench/fuzz.py` (which runs "
        "`HAIRONTO_FUZZ_REPORT=FILE .venv/bin/pytest -m slow tests/test_hostile_input.py`). "
        f"Machine: {platform.node()}, {platform.machine()}, Python {platform.python_version()}, "
        f"haironto {version('haironto')}, hypothesis {version('hypothesis')}, schemathesis "
        f"{version('schemathesis')}. The default suite runs a derandomized sample of a few hundred.",
        "",
    ]
    text = "\n".join(lines)
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
