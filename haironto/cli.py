"""The ``haironto`` command line: a thin click layer; every command calls one library function.

Exit codes: 0 success; 1 the check found problems (QC violations, inconsistency,
unsatisfiable classes); 2 a usage, load or configuration error (bad file, no Java, ...).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from haironto import __version__
from haironto.errors import HairOntoError

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
