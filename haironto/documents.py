"""The ontology documents published at the ontology IRIs and at the dated version IRIs.

At the ontology IRIs, the release files that ``haironto build`` writes (every artifact in every
export format, see :mod:`haironto.artifacts`, and the SSSOM mapping set) are documents. At a
version IRI (``releases/YYYY-MM-DD/<file>``), every file of that published release is
(:func:`haironto.releases.published_releases`): the same files, its Protege catalog and its HTML
documentation (``doc/index.html``). Either way a document is looked up by exact name in a list
made from the files there are: no path a client sends ever reaches the file system.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
#: The media types of a release's other files: its Protege catalog and its HTML documentation.
OTHER_MEDIA_TYPES = {"xml": "application/xml", "html": "text/html"}
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


def media_type(name: str) -> str | None:
    """The media type of a release file, by its name; None for a kind of file releases do not hold.

    >>> media_type("haironto.ttl"), media_type("doc/index.html"), media_type("notes.txt")
    ('text/turtle', 'text/html', None)
    """
    if name.endswith(MAPPINGS_FILE):
        return SSSOM_MEDIA_TYPE
    suffix = name.rsplit(".", 1)[-1]
    writer = WRITERS.get(suffix)
    return writer.media_type if writer is not None else OTHER_MEDIA_TYPES.get(suffix)


#: The published releases' documents: release date -> file name in the release -> document.
Published = Mapping[str, Mapping[str, Document]]


def published_documents(folder: Path | None = None) -> dict[str, dict[str, Document]]:
    """Every file of every published release, by release date and by its path in the release folder.

    Args:
        folder: the releases folder; default: the bundled ``releases/``.

    >>> published_documents()["2026-11-25"]["doc/index.html"].media_type
    'text/html'
    """
    from haironto.releases import published_releases

    index: dict[str, dict[str, Document]] = {}
    for release in published_releases(folder):
        files = index.setdefault(release.date, {})
        for path in release.files:
            relative = path.relative_to(release.path)
            kind = media_type(relative.name)
            # Hidden files (an editor's, the file system's) were never published.
            if kind is not None and not any(part.startswith(".") for part in relative.parts):
                files[relative.as_posix()] = Document(relative.as_posix(), path, kind)
    return index


def find_document(
    name: str,
    version: str | None = None,
    directory: Path | None = None,
    published: Published | None = None,
) -> Document:
    """Find a release document by file name, at the current release or at a dated version.

    Args:
        name: a file name, e.g. ``haironto.owl``; at a version, a path in the release folder
            (``doc/index.html``).
        version: ``YYYY-MM-DD`` of a version IRI; None for the current release.
        directory: where the current release files are; by default the bundled ones.
        published: the published releases' documents (:func:`published_documents`); by default
            the bundled releases.

    Raises:
        UnknownDocumentError: no release document has the name, the version is not a release
            served here (the message names those there are), or the file is missing.

    >>> find_document("haironto.owl").media_type
    'application/rdf+xml'
    >>> find_document("catalog-v001.xml", "2026-11-25").media_type
    'application/xml'
    >>> find_document("../pyproject.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    haironto.errors.UnknownDocumentError: no release document is named '../pyproject.toml'; ...
    """
    current = release_version()
    if version is not None:
        releases = published_documents() if published is None else published
        files = releases.get(version)
        if files is not None:
            if name not in files:
                raise UnknownDocumentError(
                    f"release {version} has no file named {name!r}; it has: {', '.join(sorted(files))}"
                )
            return files[name]
        if version != current:
            what = "release" if _DATE.match(version) else "release date (YYYY-MM-DD)"
            served = ", ".join(sorted({*releases, current}))
            example = version_iri(__version__, name if name in document_names() else "haironto.owl")
            raise UnknownDocumentError(
                f"{version!r} is not a {what} served here; the releases here are {served}, "
                f"the current one {current}: {example}"
            )
    names = document_names()
    if name not in names:
        raise UnknownDocumentError(
            f"no release document is named {name!r}; the release has: {', '.join(names)}"
        )
    path = (directory or ontology_dir()) / name
    if not path.is_file():
        raise UnknownDocumentError(
            f"{name} is not in this installation ({path} is missing; run `haironto build`)"
        )
    kind = media_type(name)
    assert kind is not None
    return Document(name, path, kind)
