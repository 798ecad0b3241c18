"""The ``haironto`` command line: a thin click layer; every command calls one library function.

Exit codes: 0 success; 1 the check found problems (QC violations, inconsistency,
unsatisfiable classes); 2 a usage, load or configuration error (bad file, no Java, ...).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from haironto import __version__
from haironto.commands import reuse, stores
from haironto.commands.common import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, reports_errors
from haironto.errors import QueryError
from haironto.formats import FORMATS, REPORT_FORMATS, RESULTS, formats_of

# Commands import the library they call inside their function, as `serve` imports the server:
# a command pays at start-up only for what it uses (`haironto load` starts in a third of the time).
if TYPE_CHECKING:
    from haironto.dataset import DataFiles

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_PROBLEMS", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="haironto")
def main() -> None:
    """HairOnto: build, check, reason over and serve the regenerative hair-loss treatment ontology.

    \b
    Exit codes: 0 success; 1 problems found (QC violations, inconsistency,
    unsatisfiable classes); 2 usage, load or configuration error.
    """


# -- options shared by several commands ----------------------------------------------------------

backend_option = click.option(
    "--backend",
    envvar="HAIRONTO_BACKEND",
    show_envvar=True,
    help="Backend descriptor: 'memory:' (pyoxigraph, the default), 'oxigraph:DIR' (a store on disk), "
    "'remote:URL' (a SPARQL 1.1 endpoint) or 'rdflib:' (the reference engine).",
)
served_ontology_option = click.option(
    "--ontology",
    "ontology",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HAIRONTO_ONTOLOGY",
    show_envvar=True,
    help="RDF file of the ontology's asserted graph, served instead of the bundled release "
    "(repeatable). In the variable, separate files with ':'.",
)
served_ontology_full_option = click.option(
    "--ontology-full",
    "ontology_full",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HAIRONTO_ONTOLOGY_FULL",
    show_envvar=True,
    help="RDF file of asserted plus inferred triples (repeatable); "
    "the inferred graph is what it adds to --ontology.",
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    envvar="HAIRONTO_TIMEOUT",
    show_envvar=True,
    help="Seconds a query may run before it is cancelled.",
)
max_rows_option = click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    envvar="HAIRONTO_MAX_ROWS",
    show_envvar=True,
    help="The most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in an answer.",
)


def _data_files(data: tuple[Path, ...], data_full: tuple[Path, ...]) -> DataFiles | None:
    from haironto.dataset import DataFiles

    return DataFiles(data, data_full) if data else None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="HAIRONTO_HOST", show_envvar=True)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    envvar="HAIRONTO_PORT",
    show_envvar=True,
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    envvar="HAIRONTO_WORKERS",
    show_envvar=True,
    help="gunicorn worker processes; each answers one request at a time "
    "(an in-memory dataset is loaded once and shared by all).",
)
@click.option(
    "--rate-limit",
    type=click.IntRange(min=0),
    envvar="HAIRONTO_RATE_LIMIT",
    show_envvar=True,
    help="Expensive requests (queries the answer cache misses, reasoning jobs) one client may make "
    "per HAIRONTO_RATE_LIMIT_WINDOW seconds (default 60); more get 429 with Retry-After. "
    "0: no limit. Loopback clients are not limited unless HAIRONTO_RATE_LIMIT_LOOPBACK is set.  [default: 60]",
)
@backend_option
@click.option(
    "--store",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    envvar="HAIRONTO_STORE",
    show_envvar=True,
    help="Serve a store on disk (made by `haironto load`), read-only; the same as --backend oxigraph:DIR.",
)
@timeout_option
@max_rows_option
@served_ontology_option
@served_ontology_full_option
@click.option(
    "--data",
    "user_data",
    multiple=True,
    metavar="[IRI=]FILE",
    help="An RDF file of your own, served as a named graph of its own "
    "(default IRI https://w3id.org/haironto/graph/data/FILENAME); repeatable.",
)
@reports_errors
def serve(
    host: str,
    port: int,
    workers: int,
    rate_limit: int | None,
    backend: str | None,
    store: Path | None,
    timeout: float | None,
    max_rows: int | None,
    ontology: tuple[Path, ...],
    ontology_full: tuple[Path, ...],
    user_data: tuple[str, ...],
) -> None:
    """Serve the SPARQL endpoint with gunicorn (default: the bundled release on 127.0.0.1:8000)."""
    from haironto.server.wsgi import serve as run_server

    if store is not None:
        if backend is not None and not backend.startswith("oxigraph:"):
            raise click.UsageError("give --store or --backend, not both")
        backend = f"oxigraph:{store}"
    given = {"BACKEND": backend, "TIMEOUT": timeout, "MAX_ROWS": max_rows, "RATE_LIMIT": rate_limit}
    config: dict[str, object] = {key: value for key, value in given.items() if value is not None}
    if ontology:
        config.update(DATA=[str(p) for p in ontology], DATA_FULL=[str(p) for p in ontology_full])
    if user_data:
        graphs: dict[str, list[str]] = {}
        for spec in user_data:
            iri, path = stores.user_graph(spec)
            graphs.setdefault(iri, []).append(str(path))
        config["GRAPHS"] = graphs
    run_server(host=host, port=port, workers=workers, config=config)


@main.command()
@click.argument("query_or_name")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    help="Output format; default: tsv for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE.",
)
@click.option(
    "--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A curated query's parameter."
)
@backend_option
@timeout_option
@max_rows_option
@served_ontology_option
@served_ontology_full_option
@reports_errors
def query(
    query_or_name: str,
    fmt: str | None,
    params: tuple[str, ...],
    backend: str | None,
    timeout: float | None,
    max_rows: int | None,
    ontology: tuple[Path, ...],
    ontology_full: tuple[Path, ...],
) -> None:
    """Run QUERY_OR_NAME (SPARQL text, or the name of a curated query) and print the answer."""
    if any("=" not in param for param in params):
        raise click.UsageError("each --param is NAME=VALUE")
    from haironto.querying import run_query

    pairs = dict(param.partition("=")[::2] for param in params)
    result = run_query(
        query_or_name,
        backend=backend or "memory:",
        files=_data_files(ontology, ontology_full),
        params=pairs,
        timeout=timeout,
        max_rows=max_rows,
    )
    chosen = fmt or ("tsv" if result.kind == RESULTS else "turtle")
    if FORMATS[chosen].kind != result.kind:
        names = ", ".join(f.name for f in formats_of(result.kind))
        raise QueryError(f"format {chosen} cannot hold this answer; use one of {names}")
    click.echo(result.serialize(chosen), nl=False)
    if result.truncated:
        click.echo(f"haironto: the answer was cut at {max_rows} rows", err=True)


edit_option = click.option(
    "--edit",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The ontology file to read.  [default: ontology/haironto-edit.ttl]",
)
ontology_option = click.option(
    "--ontology",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The ontology file to reason over (.ttl, .owl, .jsonld or .nt).  [default: the edit file]",
)
output_option = click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder to write the release artifacts to.  [default: ontology/]",
)


previous_option = click.option(
    "--previous",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="An artifact of the previous release, for the deleted-id and reused-id rules.  "
    "[default: the latest published release, when --edit is not given]",
)


def _previous(edit: Path | None, previous: Path | None) -> Path | None:
    # The release history belongs to the bundled source; another file is compared only on request.
    if previous is not None or edit is not None:
        return previous
    from haironto.releases import latest_release

    latest = latest_release()
    return latest.artifact() if latest else None


@main.command("build")
@edit_option
@output_option
@previous_option
@reports_errors
def build_command(edit: Path | None, output: Path | None, previous: Path | None) -> None:
    """Parse, QC-check, reason over (HermiT) and serialize the ontology into release artifacts.

    \b
    Writes haironto-base, haironto-full and haironto, each as .owl, .ttl and .jsonld.
    Exit codes: 0 built; 1 QC errors, inconsistency or unsatisfiable classes
    (nothing written); 2 load or configuration error.
    """
    from haironto.build import build

    result = build(edit, output, previous=_previous(edit, previous))
    click.echo(result.to_text())
    raise SystemExit(EXIT_OK if result.ok else EXIT_PROBLEMS)


@main.command("reason")
@click.option(
    "--reasoner", type=click.Choice(["hermit", "pellet", "both"]), default="both", show_default=True
)
@ontology_option
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.option(
    "--explain/--no-explain",
    default=True,
    show_default=True,
    help="Justify the inconsistency or each unsatisfiable class: the minimal sets of axioms "
    "responsible (Pellet's explanation service).",
)
@click.option(
    "--max-justifications",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Justifications per problem, at most.",
)
@reports_errors
def reason_command(
    reasoner: str, ontology: Path | None, as_json: bool, explain: bool, max_justifications: int
) -> None:
    """Check consistency and satisfiability with HermiT and/or Pellet (needs Java).

    \b
    On a problem, prints its justifications: the minimal sets of axioms that
    cause it, by label. Exit codes: 0 consistent, every class satisfiable;
    1 inconsistent or unsatisfiable classes (named by label and IRI); 2 load
    error or no Java.
    """
    from haironto.load import load_graph
    from haironto.reason import reason_all

    names = ["hermit", "pellet"] if reasoner == "both" else [reasoner]
    reports = reason_all(
        load_graph(ontology), names, explain_problems=explain, max_justifications=max_justifications
    )
    if as_json:
        click.echo(json.dumps([report.to_dict() for report in reports], indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(report.to_text() for report in reports))
    raise SystemExit(EXIT_OK if all(report.ok for report in reports) else EXIT_PROBLEMS)


@main.command("check")
@edit_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(REPORT_FORMATS),
    default="tsv",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["ERROR", "WARN"]),
    default="ERROR",
    show_default=True,
    help="The least severe level that fails the check.",
)
@previous_option
@reports_errors
def check_command(edit: Path | None, output_format: str, fail_on: str, previous: Path | None) -> None:
    """Run the QC report (queries/qc/*-violation.rq and the reference-table checks).

    \b
    Prints one row per violation: level, rule, subject, property, value.
    Exit codes: 0 conforms; 1 violations at or above --fail-on;
    2 load or configuration error (unreadable file, bad query).
    """
    from haironto.check import check

    report = check(edit, previous=_previous(edit, previous))
    click.echo(report.format(output_format), nl=False)
    click.echo(f"haironto check: {report.summary()}", err=True)
    raise SystemExit(EXIT_PROBLEMS if report.fails(fail_on) else EXIT_OK)


for _command in (*reuse.COMMANDS, *stores.COMMANDS):
    main.add_command(_command)
