"""Commands for the stores that hold the data outside the service: ``load`` (on disk) and ``push`` (remote).

Exit codes as everywhere: 0 done; 2 a usage, load or configuration error (a missing or malformed
file, an unreachable store, a refused write). A failed ``load`` leaves the store as it was.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from haironto.commands.common import reports_errors
from haironto.identifiers import BASE

#: Where a user's file goes unless told otherwise: one named graph per file, named after it.
USER_GRAPH = BASE + "graph/data/"


def user_graph(spec: str) -> tuple[str, Path]:
    """Split ``[IRI=]FILE`` into the graph IRI and the file; the IRI defaults to one named after the file.

    >>> user_graph("cohort.ttl")
    ('https://w3id.org/haironto/graph/data/cohort.ttl', PosixPath('cohort.ttl'))
    >>> user_graph("https://example.org/g=data/x.nt")
    ('https://example.org/g', PosixPath('data/x.nt'))
    """
    iri, equals, file = spec.rpartition("=")
    if equals and "://" in iri:
        return iri, Path(file)
    return USER_GRAPH + Path(spec).name, Path(spec)


def _release_quads() -> bytes:
    from haironto.dataset import DataFiles, assemble

    return assemble(DataFiles.release(), union=False)


@click.command("load")
@click.option(
    "--store",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The store's folder (created when missing).",
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--release/--no-release",
    default=True,
    show_default=True,
    help="Also load the bundled release into its asserted and inferred graphs.",
)
@click.option("--graph", default=None, help="The named graph IRI of the files (default: one graph per file).")
@click.option("--lenient", is_flag=True, help="Skip IRI validation: faster, for data known to be valid.")
@reports_errors
def load_command(
    directory: Path, files: tuple[Path, ...], release: bool, graph: str | None, lenient: bool
) -> None:
    """Bulk-load RDF FILES (N-Triples, N-Quads, Turtle, TriG, RDF/XML, JSON-LD) into a store on disk.

    \b
    Each file becomes a named graph (https://w3id.org/haironto/graph/data/FILENAME, or --graph),
    replacing what that graph held. The load is atomic: it writes a copy of the store
    beside it and swaps it in at the end; a load that fails or is killed leaves the store
    as it was. Serve it with: haironto serve --store DIR.
    """
    from haironto.backends.oxigraph import LoadItem, load_store

    items = [LoadItem(path, graph or user_graph(str(path))[0]) for path in files]
    total = sum(path.stat().st_size for path in files if path.is_file())
    started = time.monotonic()
    with click.progressbar(length=total, label="loading", show_pos=False, show_percent=True) as bar:
        load_store(
            directory,
            items,
            quads=_release_quads() if release else None,
            progress=bar.update if files else None,
            lenient=lenient,
        )
    elapsed = time.monotonic() - started
    click.echo(
        f"loaded {len(files)} file(s){' and the release' if release else ''} into {directory} in {elapsed:.1f} s"
    )


@click.command("push")
@click.argument("url")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--graph",
    default=None,
    help="Put the whole release into this named graph (default: its asserted and inferred graphs).",
)
@click.option(
    "--user", envvar="HAIRONTO_REMOTE_USER", show_envvar=True, help="User for HTTP digest authentication."
)
@reports_errors
def push_command(url: str, files: tuple[Path, ...], graph: str | None, user: str | None) -> None:
    """Publish the release into a remote store through its Graph Store Protocol endpoint URL.

    \b
    The password comes from HAIRONTO_REMOTE_PASSWORD (never a command-line argument).
    FILES, if any, go into graphs of their own (https://w3id.org/haironto/graph/data/FILENAME).
    Each graph written is replaced. Files are checked, then sent as N-Triples in requests of
    10^5 triples from temporary files, so memory stays flat whatever their size; a malformed
    file changes nothing. Serve the result with:
    haironto serve --backend remote:QUERY_URL
    """
    from haironto.backends.remote import push

    total = sum(path.stat().st_size for path in files if path.is_file())
    started = time.monotonic()
    with click.progressbar(length=total, label="pushing", show_pos=False, show_percent=True) as bar:
        counts = push(
            url,
            _release_quads(),
            [user_graph(str(p))[::-1] for p in files],
            graph=graph,
            user=user,
            progress=bar.update if files else None,
        )
    for name, count in counts.items():
        click.echo(f"<{name}>\t{count} triples")
    click.echo(f"pushed to {url} in {time.monotonic() - started:.1f} s")


COMMANDS = (load_command, push_command)
