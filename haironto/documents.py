"""The ontology documents published at the ontology IRIs and at the dated version IRIs.

Only the release files that ``haironto build`` writes (every artifact in every export format,
see :mod:`haironto.artifacts`, and the SSSOM mapping set) are documents, looked up by exact name:
no path a client sends ever reaches the file system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from haironto import __version__
from haironto.artifacts import ARTIFACTS, EXPORT_FORMATS, release_date
from haironto.errors import UnknownDocumentError
from haironto.mappings import MAPPINGS_FILE
from haironto.namespaces import version_iri
from haironto.resources import ontology_dir
from haironto.writers import WRITERS

#: SSSOM TSV is tab-separated values with a commented YAML header.
SSSOM_MEDIA_TYPE = "text/tab-separated-values"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Document:
    """A release file."""

    name: str
    """The file name, e.g. ``haironto.owl``: the last segment of its IRIs."""
    path: Path
    """Where it is."""
    media_type: str
    """Its media type."""


def document_names() -> tuple[str, ...]:
    """The file names of every release document, in build order.

    >>> document_names()[:3]
    ('haironto-base.owl', 'haironto-base.ttl', 'haironto-base.jsonld')
    """
    artifacts = (f"{artifact.name}.{extension}" for artifact in ARTIFACTS for extension in EXPORT_FORMATS)
    return (*artifacts, MAPPINGS_FILE)


def release_version() -> str:
    """The date of the bundled release (the package's CalVer version), as its version IRIs write it."""
    return release_date(__version__)


def find_document(name: str, version: str | None = None, directory: Path | None = None) -> Document:
    """Find a release document by file name, at the current release or at a dated version.

    Args:
        name: a file name, e.g. ``haironto.owl``.
        version: ``YYYY-MM-DD`` of a version IRI; None for the current release.
        directory: where the release files are; by default the bundled ones.

    Raises:
        UnknownDocumentError: no release document has the name, the version is not the bundled
            release (the message names the release there is), or the file is missing.

    >>> find_document("haironto.owl").media_type
    'application/rdf+xml'
    >>> find_document("../pyproject.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    haironto.errors.UnknownDocumentError: no release document is named '../pyproject.toml'; ...
    """
    names = document_names()
    if name not in names:
        raise UnknownDocumentError(
            f"no release document is named {name!r}; the release has: {', '.join(names)}"
        )
    current = release_version()
    if version is not None and version != current:
        what = "release" if _DATE.match(version) else "release date (YYYY-MM-DD)"
        raise UnknownDocumentError(
            f"{version!r} is not a {what} served here; the release here is {current}: "
            f"{version_iri(__version__, name)}"
        )
    path = (directory or ontology_dir()) / name
    if not path.is_file():
        raise UnknownDocumentError(
            f"{name} is not in this installation ({path} is missing; run `haironto build`)"
        )
    if name == MAPPINGS_FILE:
        return Document(name, path, SSSOM_MEDIA_TYPE)
    return Document(name, path, WRITERS[name.rsplit(".", 1)[1]].media_type)
