"""What a term page costs on the bundled release, and what the alternative design would have cost.

Measures, for every term of the ontology (``HAIRONTO_nnnnnnn``):

* start-up: building the term index (two queries) once per server process;
* the library: ``Terms.describe`` (three queries) and ``Terms.rdf`` (one query), in process;
* Flask's test client: the HTML page and the Turtle answer, routing and templates included;
* real HTTP: the same against ``haironto serve`` (gunicorn, one worker) on loopback, sequentially;
* the alternative: a per-process rdflib copy of the whole dataset, built at start-up.

    .venv/bin/python bench/term_pages.py                  # writes bench/RESULTS-term-pages.md
    .venv/bin/python bench/term_pages.py --output -       # to stdout
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from rdflib import Graph as RdfGraph

from haironto.backends import Backend, get_backend
from haironto.dataset import DataFiles, load_dataset
from haironto.server import create_app
from haironto.server.store import close_app
from haironto.termindex import TermIndex
from haironto.terms import Terms

HERE = Path(__file__).resolve().parent


def summary(times: list[float]) -> str:
    """Median, p95 and maximum, in milliseconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{statistics.median(ordered) * 1000:.2f} | {p95 * 1000:.2f} | {ordered[-1] * 1000:.2f}"


def each(items: list[str], action: Callable[[str], object]) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        action(item)
        times.append(time.perf_counter() - start)
    return times


def repeat(action: Callable[[], object], runs: int) -> list[float]:
    return each([""] * runs, lambda _: action())


def library(backend: Backend, runs: int) -> tuple[list[str], dict[str, list[float]]]:
    index_times = repeat(lambda: TermIndex.build(backend), runs)
    terms = Terms(backend)
    ids = terms.index.terms()
    terms.describe(ids[0])  # warm-up
    return ids, {
        "term index at start-up (whole dataset)": index_times,
        "`Terms.describe` (3 queries)": each(ids, terms.describe),
        "`Terms.rdf` + Turtle (1 query)": each(ids, lambda iri: terms.rdf(iri).serialize("turtle")),
    }


def whole_graph_index(backend: Backend, runs: int) -> list[float]:
    """The alternative: copy the whole dataset into rdflib once per process."""

    def build() -> RdfGraph:
        result = backend.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        return RdfGraph().parse(data=result.payload, format="nt")

    return repeat(build, runs)


def through_flask(ids: list[str]) -> dict[str, list[float]]:
    app = create_app({"TESTING": True})
    try:
        client = app.test_client()
        paths = ["/" + iri.rsplit("/", 1)[1] for iri in ids]
        client.get(paths[0])
        results = {}
        for name, accept in (("HTML", "text/html"), ("Turtle", "text/turtle")):

            def get(path: str, accept: str = accept) -> None:
                with client.get(path, headers={"Accept": accept}) as response:
                    assert response.status_code == 200, path

            results[f"Flask test client, {name}"] = each(paths, get)
        return results
    finally:
        close_app(app)


def over_http(ids: list[str]) -> dict[str, list[float]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        str(Path(sys.executable).with_name("haironto")),
        "serve",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.1)
        results = {}
        for name, accept in (("HTML", "text/html"), ("Turtle", "text/turtle")):

            def get(iri: str, accept: str = accept) -> None:
                request = urllib.request.Request(
                    base + "/" + iri.rsplit("/", 1)[1], headers={"Accept": accept}
                )
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()

            get(ids[0])
            results[f"HTTP (gunicorn, 1 worker, loopback), {name}"] = each(ids, get)
        return results
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def machine() -> list[str]:
    cpu = platform.processor() or "unknown CPU"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    versions = ", ".join(f"{name} {version(name)}" for name in ("pyoxigraph", "rdflib", "flask", "gunicorn"))
    return [
        f"- machine: {cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, {versions}",
        f"- date: {datetime.date.today().isoformat()}",
    ]


def report(ids: list[str], rows: dict[str, list[float]], alternative: list[float], command: str) -> str:
    lines = [
        "# Term pages: cost per request",
        "",
        f"Written by `{command}`, on the bundled release ({len(ids)} terms, backend `memory:`).",
        "",
        *machine(),
        "",
        "| what | median ms | p95 ms | max ms |",
        "|---|---|---|---|",
        *(f"| {name} | {summary(times)} |" for name, times in rows.items()),
        f"| alternative: rdflib copy of the whole dataset, per process | {summary(alternative)} |",
        "",
        "The start-up rows repeat one build; every other row covers each term once, in ID order. The",
        "chosen design reads each page through the Backend (three SPARQL queries; one for the RDF) plus",
        "a per-process index of labels, built once at start-up. The alternative (not built; only its",
        "start-up is measured) would copy the whole dataset into rdflib in every server process: a cost",
        "that grows with the data, to speed up pages that already take a few milliseconds.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="repetitions of the start-up measurements")
    parser.add_argument("--output", default=str(HERE / "RESULTS-term-pages.md"), help="file, or - for stdout")
    args = parser.parse_args(argv)
    backend = get_backend("memory:")
    load_dataset(backend, DataFiles.release())
    ids, rows = library(backend, args.runs)
    alternative = whole_graph_index(backend, args.runs)
    rows.update(through_flask(ids))
    rows.update(over_http(ids))
    backend.close()
    command = "python bench/term_pages.py" + (f" --runs {args.runs}" if args.runs != 20 else "")
    text = report(ids, rows, alternative, command)
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
