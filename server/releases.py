"""The published releases in the service: their files at their version IRIs, and each as a named graph.

Every folder of ``releases/`` (:func:`haironto.releases.published_releases`; the ``RELEASES``
setting names another folder) is served file by file at ``/releases/YYYY-MM-DD/<file>`` (see
:mod:`.documents`), and its primary artifact is loaded as a named graph named by its version
IRI, ``https://w3id.org/haironto/releases/YYYY-MM-DD/haironto.owl``, so that a query can target
one release with ``FROM``, ``GRAPH`` or ``default-graph-uri``. These graphs stay out of the
default graph: it keeps answering from the current release alone, whatever was published
before it. ``RELEASE_GRAPHS`` turns the graphs on or off; by default they are loaded when the
service serves the bundled release (a service of other data has no use for HairOnto's releases).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app

from haironto.documents import Published, published_documents
from haironto.releases import Release, published_releases

EXTENSION = "haironto-releases"


def releases_folder(config: Any) -> Path | None:
    """The folder of published releases the service serves; None for the bundled ``releases/``."""
    folder = config.get("RELEASES")
    return Path(folder) if folder else None


def release_graphs(config: Any) -> dict[str, Release]:
    """The releases loaded as named graphs, by graph IRI (the version IRI of ``haironto.owl``)."""
    wanted = config.get("RELEASE_GRAPHS")
    if wanted is None:
        wanted = config.get("DATA") is None
    if not wanted:
        return {}
    return {release.version_iri: release for release in published_releases(releases_folder(config))}


def graph_file(release: Release) -> Path:
    """The file a release's named graph is loaded from: its primary artifact, as Turtle when it has one."""
    turtle = release.artifact("haironto", "ttl")
    return turtle if turtle.is_file() else release.artifact("haironto", "owl")


def init_app(app: Flask) -> None:
    """List the published releases and their files once, for every request of this process."""
    app.extensions[EXTENSION] = {
        "releases": published_releases(releases_folder(app.config)),
        "documents": published_documents(releases_folder(app.config)),
        "graphs": release_graphs(app.config),
    }


def releases() -> list[Release]:
    """The published releases served, oldest first."""
    return current_app.extensions[EXTENSION]["releases"]


def documents() -> Published:
    """The files of the published releases (see :func:`haironto.documents.published_documents`)."""
    return current_app.extensions[EXTENSION]["documents"]


def graphs() -> dict[str, Release]:
    """The releases loaded as named graphs, by graph IRI."""
    return current_app.extensions[EXTENSION]["graphs"]
