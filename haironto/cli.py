"""The ``haironto`` command line: a thin click layer; every command calls one library function.

Exit codes: 0 success; 1 the check found problems (QC violations, inconsistency,
unsatisfiable classes); 2 a usage, load or configuration error (bad file, no Java, ...).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from haironto import __version__
from haironto.build import build
from haironto.check import FORMATS, check
from haironto.errors import HairOntoError
from haironto.load import load_graph
from haironto.reason import reason_all

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_ERROR = 2


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a :class:`HairOntoError` into one line on stderr and exit code 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except HairOntoError as error:
            click.echo(f"haironto: error: {error}", err=True)
            raise SystemExit(EXIT_ERROR) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="haironto")
def main() -> None:
    """HairOnto: build, check, reason over and serve the regenerative hair-loss treatment ontology.

    \b
    Exit codes: 0 success; 1 problems found (QC violations, inconsistency,
    unsatisfiable classes); 2 usage, load or configuration error.
    """


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


@main.command("build")
@edit_option
@output_option
@reports_errors
def build_command(edit: Path | None, output: Path | None) -> None:
    """Parse, QC-check, reason over (HermiT) and serialize the ontology into release artifacts.

    \b
    Writes haironto-base, haironto-full and haironto, each as .owl, .ttl and .jsonld.
    Exit codes: 0 built; 1 QC errors, inconsistency or unsatisfiable classes
    (nothing written); 2 load or configuration error.
    """
    result = build(edit, output)
    click.echo(result.to_text())
    raise SystemExit(EXIT_OK if result.ok else EXIT_PROBLEMS)


@main.command("reason")
@click.option(
    "--reasoner", type=click.Choice(["hermit", "pellet", "both"]), default="both", show_default=True
)
@ontology_option
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@reports_errors
def reason_command(reasoner: str, ontology: Path | None, as_json: bool) -> None:
    """Check consistency and satisfiability with HermiT and/or Pellet (needs Java).

    \b
    Exit codes: 0 consistent, every class satisfiable; 1 inconsistent or
    unsatisfiable classes (named by label and IRI); 2 load error or no Java.
    """
    names = ["hermit", "pellet"] if reasoner == "both" else [reasoner]
    reports = reason_all(load_graph(ontology), names)
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
    type=click.Choice(FORMATS),
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
@reports_errors
def check_command(edit: Path | None, output_format: str, fail_on: str) -> None:
    """Run the QC report (queries/qc/*-violation.rq and the reference-table checks).

    \b
    Prints one row per violation: level, rule, subject, property, value.
    Exit codes: 0 conforms; 1 violations at or above --fail-on;
    2 load or configuration error (unreadable file, bad query).
    """
    report = check(edit)
    click.echo(report.format(output_format), nl=False)
    click.echo(f"haironto check: {report.summary()}", err=True)
    raise SystemExit(EXIT_PROBLEMS if report.fails(fail_on) else EXIT_OK)
