"""Run a query, given as text or as the name of a curated query, on a freshly loaded backend.

This is what ``haironto query`` does; the server keeps its backend open instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from haironto.backends import Backend, Result, get_backend
from haironto.dataset import DataFiles, load_dataset
from haironto.errors import QueryError
from haironto.queries import Query, load_catalogue


def resolve_query(query_or_name: str, directory: Path | None = None) -> tuple[str, Query | None]:
    """Tell a curated query's name from query text.

    Returns:
        The query text, and the curated :class:`Query` when a name was given.

    Raises:
        QueryError: the argument looks like a name (one word) but no curated query has it.

    >>> resolve_query("ASK { ?s ?p ?o }")
    ('ASK { ?s ?p ?o }', None)
    """
    stripped = query_or_name.strip()
    if stripped and not any(c.isspace() or c in "{}<>?" for c in stripped):
        catalogue = load_catalogue(directory)
        if stripped not in catalogue:
            known = ", ".join(catalogue) or "none"
            raise QueryError(f"no curated query named {stripped!r}; known: {known}")
        return catalogue[stripped].text, catalogue[stripped]
    return query_or_name, None


def open_backend(descriptor: str = "memory:", files: DataFiles | None = None) -> Backend:
    """Open a backend and load a dataset into it (by default the bundled release)."""
    backend = get_backend(descriptor)
    load_dataset(backend, files or DataFiles.release())
    return backend


def run_query(
    query_or_name: str,
    *,
    backend: str = "memory:",
    files: DataFiles | None = None,
    params: Mapping[str, str] | None = None,
    timeout: float | None = None,
    max_rows: int | None = None,
    catalogue: Path | None = None,
) -> Result:
    """Run query text or a curated query on a dataset.

    Args:
        query_or_name: SPARQL text, or the name of a query in ``queries/``.
        backend: the backend descriptor.
        files: the data to load; None loads the bundled release.
        params: raw values of a curated query's parameters, bound as typed RDF terms.
        timeout: seconds before the query is cancelled (it then runs in a worker process).
        max_rows: the most rows or triples to return.
        catalogue: the folder of curated queries (default: the bundled ``queries/``).

    Raises:
        QueryError: an unknown name, parameters given to a text query, or a bad query.
        OntologyLoadError: a data file is missing or malformed.
    """
    text, curated = resolve_query(query_or_name, catalogue)
    if params and curated is None:
        raise QueryError("parameters only apply to a curated query given by name")
    bindings = curated.bindings(dict(params or {})) if curated is not None else {}
    engine = open_backend(backend, files)
    try:
        return engine.query(text, timeout=timeout, max_rows=max_rows, bindings=bindings)
    finally:
        engine.close()
