"""Repeated queries through nginx's cache (deploy/nginx-haironto.conf) against the Oxigraph server.

The service's own answer cache lives behind Flask and gunicorn, whose per-request cost caps a
trivial query at a fraction of a Rust server's throughput (see RESULTS-service.md, "The floor of a
Flask service"). A public deployment puts a shared cache in front instead: the service marks its
answers cacheable (ETag, Cache-Control, Vary) so that nginx can answer repeated queries itself.
This measures that deployment with the committed nginx configuration, in one run, side by side:

    python bench/proxy_cache.py            # writes bench/RESULTS-proxy-cache.md

Needs nginx and wrk (apt-get install nginx-light wrk) and the peers of `make bench-peers`.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from http_service import (  # noqa: E402
    RESULTS_JSON,
    ROOT,
    Server,
    build_data,
    free_port,
    launch,
    running,
    start_haironto,
    start_oxigraph,
    wait_until_answering,
    with_wrk,
)

CONFIG = ROOT / "deploy" / "nginx-haironto.conf"
QUERIES = {
    "trivial: ASK": "ASK {}",
    "trivial: one label": (
        "SELECT ?l WHERE { <https://w3id.org/haironto/HAIRONTO_0000010> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    ),
    "light: treatments by kind": (ROOT / "queries" / "treatments-by-kind.rq").read_text(encoding="utf-8"),
    "engine-bound: claims about exosome treatment": (
        (ROOT / "queries" / "claims-about-term.rq").read_text(encoding="utf-8")
        + "\nVALUES ?term { <https://w3id.org/haironto/HAIRONTO_0000010> }"
    ),
}


def start_nginx(upstream: Server, workdir: Path) -> Server:
    """nginx with the committed configuration, its paths and ports moved into ``workdir``."""
    port = free_port()
    upstream_port = upstream.endpoint.split(":")[2].split("/")[0]
    site = (
        CONFIG.read_text(encoding="utf-8")
        .replace("/var/cache/nginx/haironto", str(workdir / "nginx-cache"))
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
        .replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{port};")
    )
    (workdir / "site.conf").write_text(site, encoding="utf-8")
    (workdir / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    include {workdir}/site.conf;
}}
""",
        encoding="utf-8",
    )
    return launch(
        "nginx",
        ["nginx", "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
        f"http://127.0.0.1:{port}/sparql",
        workdir,
    )


def cache_status(endpoint: str, query: str) -> str:
    """The X-Proxy-Cache header nginx adds: MISS the first time, HIT afterwards."""
    output = subprocess.run(
        [
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "-D",
            "-",
            "-H",
            f"Accept: {RESULTS_JSON}",
            f"{endpoint}?query={quote(query, safe='')}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in output.splitlines():
        if line.lower().startswith("x-proxy-cache:"):
            return line.split(":", 1)[1].strip()
    return "-"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="synthetic triples added to the release")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of wrk per query and server")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--output", default=str(HERE / "RESULTS-proxy-cache.md"))
    args = parser.parse_args(argv)
    for tool in ("nginx", "wrk", "curl"):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench: {tool} not found (apt-get install nginx-light wrk curl)")
    workdir = Path(tempfile.mkdtemp(prefix="haironto-proxy-bench-"))
    workdir.chmod(0o755)  # nginx's worker processes run as another user (www-data) when started as root
    data, triples = build_data(workdir, args.triples, args.seed)
    haironto = start_haironto("haironto", data, workdir, workers=2, cache=True)
    oxigraph = start_oxigraph(data, workdir)
    with running([haironto, oxigraph]) as servers:
        for server in servers:
            wait_until_answering(server)
        nginx = start_nginx(haironto, workdir)
        with running([nginx]):
            wait_until_answering(nginx)
            rows = []
            for name, query in QUERIES.items():
                first = cache_status(nginx.endpoint, query)
                second = cache_status(nginx.endpoint, query)
                rates = {}
                for server in (nginx, haironto, oxigraph):
                    rates[server.name] = with_wrk(server.endpoint, query, args.connections, args.duration)
                    time.sleep(0.5)
                rows.append((name, first, second, rates))
    shutil.rmtree(workdir, ignore_errors=True)
    lines = [
        "# Repeated queries through nginx's cache, against the Oxigraph server",
        "",
        f"Written by `python bench/proxy_cache.py` on {time.strftime('%Y-%m-%d')}: {platform.machine()}, "
        f"{platform.python_version()}, {subprocess.run(['nginx', '-v'], capture_output=True, text=True).stderr.strip()}. "
        f"Data: the bundled release plus {args.triples:,} synthetic triples (seed {args.seed}), {triples:,} in all, "
        "loaded into each server. `nginx` runs `deploy/nginx-haironto.conf` (paths and ports moved to a "
        "temporary folder) in front of `haironto serve --workers 2`; `oxigraph` is `oxigraph serve-read-only` "
        f"on the same data. wrk: {args.connections} connections, {args.duration:g} s per query and server, "
        "the same GET URL repeated (what a cache is for). The machine is shared: read the ratios.",
        "",
        "| query | first / second request at nginx | nginx (req/s) | haironto direct | oxigraph | nginx ÷ oxigraph | nginx ÷ haironto |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, first, second, rates in rows:
        n, h, o = (rates[k].per_second for k in ("nginx", "haironto", "oxigraph"))
        errors = sum(r.errors for r in rates.values())
        note = f" ({errors} errors)" if errors else ""
        lines.append(
            f"| {name}{note} | {first} / {second} | {n:,.0f} | {h:,.0f} | {o:,.0f} | {n / o:.2f}x | {n / h:.1f}x |"
        )
    text = "\n".join(lines) + "\n"
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
