"""``haironto release``: dated, immutable releases in ``releases/YYYY-MM-DD/``, and the list of them.

A release is the build's output (every artifact in every format, the SSSOM mapping set, the HTML
documentation and a Protege catalog) written once into a folder named by its date, the date of
its version IRIs (``https://w3id.org/haironto/releases/YYYY-MM-DD/<file>``).

The date and the package version are one thing: the version is CalVer (``2026.11.25`` in
``pyproject.toml``) and a release's date must equal it. To release on another day, bump the
version first (edit ``pyproject.toml``, reinstall), so that every artifact built from then on
says the same date; ``--date`` only confirms it. A published folder is never written again.
"""

from __future__ import annotations

import datetime
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from haironto import __version__
from haironto.artifacts import ARTIFACTS, EXPORT_FORMATS, release_date
from haironto.build import BuildResult, build
from haironto.diff import Diff, diff_files
from haironto.errors import HairOntoError
from haironto.namespaces import BASE
from haironto.resources import ontology_dir, releases_dir

#: The Protege catalog file name (the name Protege looks for beside an ontology file).
CATALOG = "catalog-v001.xml"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ReleaseExistsError(HairOntoError):
    """The release folder of that date is already published; releases are immutable."""


@dataclass(frozen=True, order=True)
class Release:
    """A published release."""

    date: str
    """``YYYY-MM-DD``: the folder name and the date in its version IRIs."""
    path: Path
    """The release folder."""

    @property
    def iri(self) -> str:
        """The release folder's IRI; each file's version IRI is this plus its name.

        >>> Release("2026-11-25", Path("releases/2026-11-25")).iri
        'https://w3id.org/haironto/releases/2026-11-25/'
        """
        return f"{BASE}releases/{self.date}/"

    @property
    def version_iri(self) -> str:
        """The version IRI of the primary artifact ``haironto.owl``: the release's named graph in the service.

        >>> Release("2026-11-25", Path("releases/2026-11-25")).version_iri
        'https://w3id.org/haironto/releases/2026-11-25/haironto.owl'
        """
        return f"{self.iri}haironto.owl"

    @property
    def files(self) -> list[Path]:
        """Every file of the release, sorted by relative path."""
        return sorted(p for p in self.path.rglob("*") if p.is_file())

    def artifact(self, name: str = "haironto-base", suffix: str = "ttl") -> Path:
        """One artifact file of the release, e.g. ``haironto-base.ttl``."""
        return self.path / f"{name}.{suffix}"


def published_releases(folder: Path | None = None) -> list[Release]:
    """The published releases, oldest first: the ``YYYY-MM-DD`` folders holding ``haironto.owl``.

    Args:
        folder: the releases folder; default: ``releases/`` (bundled in the wheel).
    """
    root = folder or releases_dir()
    if not root.is_dir():
        return []
    return sorted(
        Release(path.name, path)
        for path in root.iterdir()
        if path.is_dir() and _DATE.match(path.name) and (path / "haironto.owl").is_file()
    )


def latest_release(folder: Path | None = None, before: str | None = None) -> Release | None:
    """The newest published release (older than ``before``, when given), or None."""
    candidates = [r for r in published_releases(folder) if before is None or r.date < before]
    return candidates[-1] if candidates else None


@dataclass(frozen=True)
class ReleaseResult:
    """What ``haironto release`` did."""

    date: str
    """The release date."""
    build: BuildResult
    """The build of the release's artifacts (QC, reasoner, files)."""
    folder: Path | None = None
    """The published folder; None when the build stopped."""
    previous: Release | None = None
    """The release it was compared with."""
    diff: Diff | None = None
    """The semantic diff against the previous release."""

    @property
    def ok(self) -> bool:
        """True when the release was published."""
        return self.folder is not None

    def to_text(self) -> str:
        """The release log."""
        lines = [self.build.to_text()]
        if self.folder is not None:
            against = f" against {self.previous.date}" if self.previous else " (first release)"
            lines.append(f"published release {self.date} in {self.folder}")
            if self.diff is not None:
                lines.append(f"semantic diff{against}: {self.diff.summary()}")
        return "\n".join(lines)


def make_release(
    date: str | None = None,
    output: Path | None = None,
    *,
    edit: Path | None = None,
    changelog: Path | None = None,
    catalog_folder: Path | None = None,
    version: str = __version__,
) -> ReleaseResult:
    """Build and publish a dated release; update the changelog and the Protege catalog.

    Args:
        date: ``YYYY-MM-DD``; must equal the package version's date (the default).
        output: the releases folder; default: ``releases/``.
        edit: the ontology source; default: ``ontology/haironto-edit.ttl``.
        changelog: the changelog to update; None leaves it alone.
        catalog_folder: a folder whose ``catalog-v001.xml`` is rewritten to list every release
            (``ontology/`` for the CLI); None leaves it alone.
        version: the CalVer package version.

    Returns:
        The result; ``result.ok`` is False when QC or the reasoner stopped the build
        (nothing is published then).

    Raises:
        ReleaseExistsError: the release of that date is already published.
        HairOntoError: a malformed date, a date other than the package version's, a date
            older than the newest release, or an unwritable folder.
    """
    package_date = release_date(version)
    date = date or package_date
    try:
        datetime.date.fromisoformat(date if _DATE.match(date) else "")
    except ValueError:
        raise HairOntoError(f"release date {date!r} is not YYYY-MM-DD") from None
    if date != package_date:
        raise HairOntoError(
            f"release date {date} differs from the package version {version} ({package_date}): "
            f'set version = "{date.replace("-", ".")}" in pyproject.toml, reinstall (pip install -e .), '
            "then release"
        )
    root = output or releases_dir()
    target = root / date
    if target.exists():
        raise ReleaseExistsError(
            f"release {date} is already published in {target}; releases are immutable: "
            "bump the version to release again"
        )
    newest = latest_release(root)
    if newest is not None and newest.date > date:
        raise HairOntoError(f"release {date} would be older than the published release {newest.date}")
    previous = latest_release(root, before=date)
    staging = root / f".{date}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    result = build(edit, staging, version=version, previous=previous.artifact() if previous else None)
    if not result.ok:
        shutil.rmtree(staging, ignore_errors=True)
        return ReleaseResult(date, result, previous=previous)
    release = Release(date, target)
    write_catalog(staging, [])
    staging.rename(target)
    diff = diff_files(previous.artifact(), release.artifact()) if previous else None
    if changelog is not None:
        update_changelog(changelog, release, previous, diff)
    if catalog_folder is not None:
        write_catalog(catalog_folder, published_releases(root))
    return ReleaseResult(date, result, target, previous, diff)


def catalog_xml(folder: Path, releases: list[Release]) -> str:
    """A Protege XML catalog for a folder of artifacts.

    Maps each artifact's ontology IRI and version IRI to its ``.owl`` file in the folder, and the
    version IRIs of each listed release to that release's files, so that an ontology importing
    HairOnto by either IRI opens offline.
    """
    entries: dict[str, str] = {}
    local = _folder_version(folder)
    for artifact in ARTIFACTS:
        file = f"{artifact.name}.owl"
        if (folder / file).is_file():
            entries[str(artifact.ontology_iri)] = file
            if local:
                entries[f"{BASE}releases/{local}/{file}"] = file
    for release in releases:
        relative = Path("..") / release.path.parent.name / release.date if folder != release.path else Path()
        for artifact in ARTIFACTS:
            for suffix in EXPORT_FORMATS[:1]:
                name = f"{artifact.name}.{suffix}"
                if (release.path / name).is_file():
                    entries[release.iri + name] = (relative / name).as_posix()
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        '<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">',
    ]
    lines += [
        f"  <uri name={quoteattr(name)} uri={quoteattr(uri)}/>" for name, uri in sorted(entries.items())
    ]
    lines.append("</catalog>")
    return "\n".join(lines) + "\n"


def write_catalog(folder: Path, releases: list[Release]) -> Path:
    """Write :func:`catalog_xml` to ``folder/catalog-v001.xml`` and return its path."""
    path = folder / CATALOG
    path.write_text(catalog_xml(folder, releases), encoding="utf-8", newline="\n")
    return path


def catalog_path() -> Path:
    """The source's Protege catalog, ``ontology/catalog-v001.xml``."""
    return ontology_dir() / CATALOG


def update_changelog(path: Path, release: Release, previous: Release | None, diff: Diff | None) -> None:
    """Turn the changelog's "Unreleased" section into the release's section, with the semantic diff.

    The hand-written notes under ``## Unreleased`` move under ``## YYYY-MM-DD``, followed by
    "Ontology changes", the Markdown of the diff against the previous release; a fresh, empty
    "Unreleased" section goes on top.
    """
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Changelog\n"
    if previous is None or diff is None:
        changes = "First release: no earlier release to compare with.\n"
    else:
        changes = diff.to_markdown(heading="####")
    section = f"## {release.date}\n\nVersion IRIs: `{release.iri}<file>`.\n\n"
    marker = re.search(r"^## Unreleased\s*$", text, flags=re.MULTILINE)
    if marker:
        notes_end = re.search(r"^## ", text[marker.end() :], flags=re.MULTILINE)
        end = marker.end() + notes_end.start() if notes_end else len(text)
        notes = text[marker.end() : end].strip()
        head, tail = text[: marker.start()], text[end:]
    else:
        first = re.search(r"^## ", text, flags=re.MULTILINE)
        cut = first.start() if first else len(text)
        notes, head, tail = "", text[:cut], text[cut:]
    body = section + (notes + "\n\n" if notes else "") + "### Ontology changes\n\n" + changes
    new = head.rstrip("\n") + "\n\n## Unreleased\n\n" + body + ("\n" + tail if tail else "")
    path.write_text(new, encoding="utf-8", newline="\n")


def _folder_version(folder: Path) -> str:
    primary = folder / "haironto.ttl"
    if not primary.is_file():
        return ""
    match = re.search(
        rf"{re.escape(BASE)}releases/(\d{{4}}-\d{{2}}-\d{{2}})/", primary.read_text(encoding="utf-8")
    )
    return match.group(1) if match else ""
