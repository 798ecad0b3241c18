"""Backends: stores that hold the dataset and answer SPARQL, chosen by a descriptor string.

A descriptor is ``NAME:ARGUMENT``: ``memory:`` (pyoxigraph in memory, the default),
``oxigraph:DIR`` (pyoxigraph's store on disk, read-only), ``remote:URL`` (a SPARQL 1.1 endpoint),
``rdflib:`` (rdflib's engine, the reference peer). The table maps each name to the module and
class that implement it; a module is imported only when its backend is asked for.
"""

from __future__ import annotations

from importlib import import_module

from haironto.backends.base import Backend, Boolean, DatasetStats, Graph, QueryRequest, Result, Rows
from haironto.errors import BackendError

#: Backend name -> "module:Class".
BACKENDS: dict[str, str] = {
    "memory": "haironto.backends.memory:MemoryBackend",
    "oxigraph": "haironto.backends.oxigraph:OxigraphBackend",
    "remote": "haironto.backends.remote:RemoteBackend",
    "rdflib": "haironto.backends.rdflib_engine:RdflibBackend",
}


def get_backend(descriptor: str) -> Backend:
    """Open an empty backend from its descriptor.

    Raises:
        BackendError: the descriptor names no known backend, or the backend refuses its argument.

    >>> get_backend("memory:").descriptor
    'memory:'
    >>> get_backend("mongo:x")
    Traceback (most recent call last):
    ...
    haironto.errors.BackendError: unknown backend 'mongo' in descriptor 'mongo:x'; known: memory, oxigraph, remote, rdflib
    """
    name, colon, argument = descriptor.partition(":")
    if not colon or name not in BACKENDS:
        raise BackendError(
            f"unknown backend {name!r} in descriptor {descriptor!r}; known: {', '.join(BACKENDS)}"
        )
    return backend_class(descriptor)(argument)


def backend_class(descriptor: str) -> type[Backend]:
    """The class that implements a descriptor's backend (imported now), to read its flags.

    Raises:
        BackendError: the descriptor names no known backend.

    >>> backend_class("oxigraph:data/store").holds_data
    True
    """
    name, colon, _ = descriptor.partition(":")
    if not colon or name not in BACKENDS:
        raise BackendError(
            f"unknown backend {name!r} in descriptor {descriptor!r}; known: {', '.join(BACKENDS)}"
        )
    module_name, class_name = BACKENDS[name].split(":")
    return getattr(import_module(module_name), class_name)


__all__ = [
    "BACKENDS",
    "Backend",
    "Boolean",
    "DatasetStats",
    "Graph",
    "QueryRequest",
    "Result",
    "Rows",
    "backend_class",
    "get_backend",
]
