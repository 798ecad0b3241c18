"""Commands for reusers of the ontology: ``extract`` and ``diff``.

Each is a few lines around one library function; heavy modules are imported inside the command.
Exit codes as everywhere: 0 success; 1 problems found; 2 usage, load or configuration error (an
unknown term, a missing file, no OWL API for a locality module).
"""

from __future__ import annotations

from pathlib import Path

import click

from haironto.commands.common import reports_errors


@click.command("extract")
@click.argument("terms", nargs=-1)
@click.option(
    "--file",
    "terms_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A file of terms (whitespace-separated IDs, CURIEs or IRIs; # comments).",
)
@click.option(
    "--method",
    type=click.Choice(["mireot", "star", "bot", "top"]),
    default="star",
    show_default=True,
    help="mireot: terms, labels, definitions, ancestors; star/bot/top: a syntactic-locality module (OWL API).",
)
@click.option("--upper", default=None, help="mireot: the upper term; ancestors above it are left out.")
@click.option(
    "--ontology",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The ontology to extract from.  [default: ontology/haironto.owl]",
)
@click.option("--module-iri", default=None, help="The module's ontology IRI.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write.  [default: stdout]",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["owl", "ttl"]),
    default=None,
    help="owl (RDF/XML) or ttl (Turtle).  [default: from --output's extension, else owl]",
)
@reports_errors
def extract_command(
    terms: tuple[str, ...],
    terms_file: Path | None,
    method: str,
    upper: str | None,
    source: Path | None,
    module_iri: str | None,
    output: Path | None,
    output_format: str | None,
) -> None:
    """Extract an import module for TERMS (IDs, CURIEs or IRIs).

    \b
    Exit codes: 0 written; 2 an unknown term, a missing file, or no OWL API (star/bot/top
    need Debian's libowlapi-java and pip install 'haironto[owlapi]').
    """
    from haironto import extract as extraction

    wanted = list(terms) + (extraction.read_terms(terms_file) if terms_file else [])
    module = extraction.extract(
        wanted,
        source=source,
        method=method,
        upper=upper,
        module_iri=module_iri or extraction.DEFAULT_MODULE_IRI,
    )
    if output is None:
        click.echo(extraction.dumps(module, output_format or "owl"), nl=False)
    else:
        path = extraction.write(module, output, output_format)
        click.echo(f"wrote {path} ({len(module)} triples)", err=True)


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["md", "json"]), default="md", show_default=True)
@reports_errors
def diff_command(old: Path, new: Path, output_format: str) -> None:
    """The semantic diff of two releases (any artifact files): terms added, removed, obsoleted,
    relabelled, redefined, logical axioms and mappings changed.

    \b
    Exit codes: 0 always when both files load (the diff may be empty); 2 load error.
    """
    from haironto.diff import diff_files

    click.echo(diff_files(old, new).format(output_format), nl=False)


COMMANDS = (extract_command, diff_command)
