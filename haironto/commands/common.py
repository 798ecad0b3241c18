"""What every command shares: the exit codes and the error boundary."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

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
