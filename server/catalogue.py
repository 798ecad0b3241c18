"""The curated queries the service offers (API, OpenAPI document, query UI), read once at start-up."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from haironto.errors import QueryError
from haironto.queries import Query, load_catalogue

EXTENSION = "haironto.queries"
#: Query-string parameters the API reads itself (as ``/sparql`` does); no query may declare them.
RESERVED = ("format", "timeout")
#: The order the API and the UI list queries in: competency questions first, QC rules last.
ROLE_ORDER = {"report": 0, "construct": 1, "violation": 2}


@dataclass(frozen=True)
class Catalogue:
    """The curated queries of ``queries/`` (or of the ``QUERIES`` folder), by name."""

    queries: Mapping[str, Query]
    """Every query: reports, then constructs, then QC rules (:data:`ROLE_ORDER`), each by name."""
    fingerprint: str
    """A short digest of every query's name and text: it changes when any query does."""


def init_app(app: Flask) -> None:
    """Read the catalogue named by the ``QUERIES`` setting (None: the bundled ``queries/``).

    Raises:
        QueryError: two queries share a name, a file's front matter is malformed, or a query
            declares a parameter the API reserves (:data:`RESERVED`).
    """
    folder = app.config.get("QUERIES")
    loaded = load_catalogue(Path(folder) if folder else None)
    queries = dict(sorted(loaded.items(), key=lambda item: (ROLE_ORDER[item[1].role], item[0])))
    for query in queries.values():
        clashes = sorted({p.name for p in query.params} & set(RESERVED))
        if clashes:
            raise QueryError(
                f"{query.path or query.name}: parameter {', '.join(clashes)} is reserved by the API; rename it"
            )
    digest = hashlib.sha256()
    for name, query in queries.items():
        digest.update(f"{name}\0{query.text}\0".encode())
    app.extensions[EXTENSION] = Catalogue(queries=queries, fingerprint=digest.hexdigest()[:12])


def get_catalogue() -> Catalogue:
    """The current app's :class:`Catalogue`."""
    return current_app.extensions[EXTENSION]
