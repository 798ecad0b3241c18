"""Commands for reusers of the ontology: ``diff``.

Each is a few lines around one library function; heavy modules are imported inside the command.
Exit codes as everywhere: 0 success; 1 problems found; 2 usage, load or configuration error.
"""

from __future__ import annotations

from pathlib import Path

import click

from haironto.commands.common import reports_errors


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


COMMANDS = (diff_command,)
