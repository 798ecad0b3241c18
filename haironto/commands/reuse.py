"""Commands for reusers of the ontology: ``release``, ``extract``, ``diff`` and ``mappings``.

Each is a few lines around one library function; heavy modules are imported inside the command.
Exit codes as everywhere: 0 success; 1 problems found (QC or reasoner stopped a release, a
published release would be overwritten); 2 usage, load or configuration error (an unknown term,
a missing file, no OWL API for a locality module).
"""

from __future__ import annotations

from pathlib import Path

import click

from haironto.commands.common import EXIT_OK, EXIT_PROBLEMS, reports_errors


@click.command("release")
@click.option(
    "--date", default=None, help="YYYY-MM-DD; must equal the package version.  [default: the package version]"
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The releases folder.  [default: releases/]",
)
@click.option(
    "--edit",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The ontology source.  [default: ontology/haironto-edit.ttl]",
)
@reports_errors
def release_command(date: str | None, output: Path | None, edit: Path | None) -> None:
    """Publish a dated, immutable release of every artifact into releases/YYYY-MM-DD/.

    \b
    Builds (QC with the deleted/reused-ID rules against the previous release, HermiT), writes
    the artifacts, mapping set, documentation and a Protege catalog, adds a CHANGELOG.md section
    from the semantic diff and lists the release in ontology/catalog-v001.xml.
    Exit codes: 0 published; 1 the build stopped, or that date is already published;
    2 load or configuration error (a date other than the package version's ...).
    """
    from haironto.releases import ReleaseExistsError, make_release
    from haironto.resources import ontology_dir

    changelog = ontology_dir().parent / "CHANGELOG.md"
    try:
        result = make_release(
            date,
            output,
            edit=edit,
            changelog=changelog if changelog.is_file() else None,
            catalog_folder=ontology_dir(),
        )
    except ReleaseExistsError as error:
        click.echo(f"haironto: {error}", err=True)
        raise SystemExit(EXIT_PROBLEMS) from None
    click.echo(result.to_text())
    raise SystemExit(EXIT_OK if result.ok else EXIT_PROBLEMS)


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


@click.command("mappings")
@click.option(
    "--ontology",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The ontology whose mappings to export.  [default: ontology/haironto.ttl]",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write.  [default: stdout]",
)
@reports_errors
def mappings_command(ontology: Path | None, output: Path | None) -> None:
    """Export the ontology's external mappings as an SSSOM TSV mapping set."""
    from rdflib.namespace import OWL

    from haironto import mappings
    from haironto.artifacts import ontology_iri
    from haironto.load import load_graph
    from haironto.resources import ontology_dir

    graph = load_graph(ontology or ontology_dir() / "haironto.ttl")
    version = graph.value(ontology_iri(graph), OWL.versionIRI)
    text = mappings.dumps(graph, str(version) if version else "")
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="\n")


COMMANDS = (release_command, extract_command, diff_command, mappings_command)
