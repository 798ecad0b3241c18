"""The service's backend: opened and loaded once per process at start-up, shared by every request."""

from __future__ import annotations

import atexit
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from haironto import __version__
from haironto.backends import Backend, DatasetStats, get_backend
from haironto.cache import ResultCache
from haironto.dataset import DataFiles, OntologyHeader, load_dataset, read_header
from haironto.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH

from .conditional import Release, release_of
from .releases import graph_file, release_graphs

EXTENSION = "haironto"


@dataclass(frozen=True)
class Service:
    """What every request needs: the loaded backend, facts about the data, and the limits."""

    backend: Backend
    """The loaded backend."""
    header: OntologyHeader
    """The ontology's own header (title, license, version)."""
    stats: DatasetStats
    """Triple counts, taken once at start-up (the data never changes)."""
    timeout: float
    """The longest a query may run, in seconds; a request may ask for less."""
    max_rows: int
    """The most solutions or triples an answer carries."""
    cache: ResultCache
    """Answers kept for repeated identical requests (this process only)."""
    release: Release
    """What the answers depend on, for ETags and Last-Modified."""


def _paths(value: Any) -> tuple[Path, ...]:
    # A list (from Python or a JSON environment variable) or one string of paths joined like $PATH.
    if value is None:
        return ()
    items = value.split(os.pathsep) if isinstance(value, str) else list(value)
    return tuple(Path(item) for item in items if str(item))


def data_files(config: Any) -> DataFiles:
    """The files to serve: ``DATA`` (asserted), ``DATA_FULL`` (asserted + inferred), ``GRAPHS``,
    and the published releases as named graphs outside the default graph (see :mod:`.releases`).

    Without ``DATA`` the bundled release artifacts are served.
    """
    graphs = {iri: _paths(paths) for iri, paths in (config.get("GRAPHS") or {}).items()}
    releases = {iri: (graph_file(release),) for iri, release in release_graphs(config).items()}
    if config.get("DATA") is None:
        release = DataFiles.release()
        return DataFiles(release.asserted, release.full, graphs, releases)
    return DataFiles(_paths(config["DATA"]), _paths(config.get("DATA_FULL")), graphs, releases)


def dataset_graphs(files: DataFiles) -> list[str]:
    """The named graphs of the served dataset: the release's two, then the user's."""
    return [str(ASSERTED_GRAPH), str(INFERRED_GRAPH), *files.graphs]


def add_graphs(backend: Backend, files: DataFiles) -> None:
    """Load the user's files (``GRAPHS``) into a store that holds its data, each graph replaced."""
    items = [(path, iri) for iri, paths in files.graphs.items() for path in paths]
    if items:
        backend.load_files(items)  # type: ignore[attr-defined]  # the stores that hold their data have it


def add_user_graphs(descriptor: str, files: DataFiles) -> None:
    """Open the store ``descriptor`` names, add the user's files (:func:`add_graphs`), close it."""
    backend = get_backend(descriptor)
    try:
        add_graphs(backend, files)
    finally:
        backend.close()


def apply_limits(backend: Backend, config: Any) -> None:
    """Put a backend's query workers under the configured memory and answer-size limits
    (``QUERY_MEMORY`` in MiB, ``MAX_ANSWER_BYTES``; 0 or None for none)."""
    memory = int(config.get("QUERY_MEMORY") or 0)
    answer = int(config.get("MAX_ANSWER_BYTES") or 0)
    backend.worker_memory = memory * 2**20 if memory > 0 else None
    backend.max_answer_bytes = answer if answer > 0 else None


def open_backend(config: Any, files: DataFiles, *, add_user_graphs: bool = True) -> Backend:
    """Open the configured backend with the dataset: an in-process backend loads the files
    (:func:`haironto.dataset.load_dataset`); a store on disk or a remote store serves what it holds
    (loaded by ``haironto load`` or ``haironto push``), with the user's files (``GRAPHS``) added
    unless ``add_user_graphs`` is false, and is told which of its graphs make up the dataset.

    Raises:
        BackendError: the backend descriptor is unknown or the store cannot be opened.
        OntologyLoadError: a data file is missing or malformed.
    """
    backend = get_backend(config["BACKEND"])
    if not backend.holds_data:
        load_dataset(backend, files)
        return backend
    if add_user_graphs:
        add_graphs(backend, files)
    if hasattr(backend, "use_graphs"):
        graphs = config.get("REMOTE_GRAPHS")
        backend.use_graphs(graphs if graphs is not None else dataset_graphs(files))
    return backend


def init_app(app: Flask, backend: Backend | None = None, *, user_graphs_added: bool = False) -> None:
    """Open the configured backend (:func:`open_backend`), unless given one, and start its query workers.

    Args:
        app: the application.
        backend: the backend already opened with the configured dataset, or None to open it here.
        user_graphs_added: the user's files were added to the store already (``haironto serve``
            adds them once, in its master process, to a store that holds its data).

    Raises:
        BackendError: the backend descriptor is unknown or a worker cannot start.
        OntologyLoadError: a data file is missing or malformed.
    """
    config = app.config
    files = data_files(config)
    if backend is None:
        backend = open_backend(config, files, add_user_graphs=not user_graphs_added)
    apply_limits(backend, config)
    backend.start_workers(int(config["QUERY_WORKERS"]))
    # Workers are child processes: end them with this process, and with the app in tests.
    atexit.register(backend.close)
    header = read_header(backend)
    max_rows = int(config["MAX_ROWS"])
    app.extensions[EXTENSION] = Service(
        backend=backend,
        header=header,
        stats=backend.stats(),
        timeout=float(config["TIMEOUT"]),
        max_rows=max_rows,
        cache=ResultCache(int(config["CACHE_ENTRIES"]), int(config["CACHE_BYTES"])),
        release=release_of(
            files.paths(),
            header.version_iri,
            __version__,
            backend.descriptor,
            max_rows,
            max_age=int(config["MAX_AGE"]),
        ),
    )


def close_app(app: Flask) -> None:
    """Stop the app's query workers (tests call this; a server process does it at exit)."""
    service: Service | None = app.extensions.pop(EXTENSION, None)
    if service is not None:
        service.backend.close()
        atexit.unregister(service.backend.close)


def get_service() -> Service:
    """The current app's :class:`Service`."""
    return current_app.extensions[EXTENSION]
