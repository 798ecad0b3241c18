"""Conditional requests and HTTP caching for answers that only change with the release.

Every answer of the service is a function of the loaded release and of the request. The
release's *tag* digests what the answers depend on (the data files, their sizes and times,
the ontology's version IRI, the software version, the backend and the row cap); an answer's
ETag digests the tag with what the request asked (query, dataset, format). Both are known
before any query runs, so a client (or a cache in between) revalidating an answer it holds
gets a 304 without the query being run again.

ETags are weak (``W/"..."``): a gzipped and a plain body of the same answer are the same
representation for revalidation, and the server compares them weakly, as RFC 9110 asks for
If-None-Match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from flask import Response, request
from werkzeug.http import http_date, is_resource_modified

#: Methods whose answers may be revalidated and stored by caches.
SAFE = ("GET", "HEAD")


@dataclass(frozen=True)
class Release:
    """What the answers of a running service depend on, as HTTP caching needs it."""

    tag: str
    """A digest of everything an answer depends on besides the request."""
    last_modified: datetime
    """The newest modification time of the loaded data files (to the second, UTC)."""
    max_age: int
    """Seconds a client or shared cache may reuse an answer without revalidating it."""

    @property
    def headers(self) -> dict[str, str]:
        """``Last-Modified`` and ``Cache-Control`` of every answer, as header values.

        >>> Release("t", datetime(2026, 11, 25, tzinfo=timezone.utc), 60).headers["Cache-Control"]
        'public, max-age=60'
        """
        return _headers(self.last_modified, self.max_age)


@lru_cache(maxsize=8)
def _headers(last_modified: datetime, max_age: int) -> dict[str, str]:
    # Formatted once: werkzeug's header objects parse and re-serialize on every change.
    return {"Last-Modified": http_date(last_modified), "Cache-Control": f"public, max-age={max_age}"}


def release_of(paths: Iterable[Path], *facts: object, max_age: int) -> Release:
    """Fingerprint the loaded data files and the facts that shape every answer.

    Args:
        paths: the data files the service loaded.
        facts: anything else an answer depends on (version IRI, software version, limits).
        max_age: the ``Cache-Control: max-age`` of answers, in seconds.
    """
    digest = hashlib.sha256()
    newest = 0.0
    for path in paths:
        stat = path.stat()
        newest = max(newest, stat.st_mtime)
        digest.update(f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    for fact in facts:
        digest.update(f"{fact!r}\0".encode())
    modified = datetime.fromtimestamp(int(newest), tz=timezone.utc)
    return Release(digest.hexdigest(), modified, max_age)


def etag_of(release: Release, *parts: object) -> str:
    """The entity tag (unquoted) of the answer to a request described by ``parts``.

    >>> release = Release("abc", datetime(2026, 11, 25, tzinfo=timezone.utc), 60)
    >>> etag_of(release, "ASK {}", "json") == etag_of(release, "ASK {}", "json") != etag_of(release, "ASK {}", "xml")
    True
    """
    digest = hashlib.sha256(release.tag.encode())
    for part in parts:
        digest.update(f"\0{part!r}".encode())
    return digest.hexdigest()[:32]


def mark_cacheable(response: Response, release: Release, etag: str) -> Response:
    """Label a successful answer to a GET with its validators and let caches keep it."""
    response.headers["ETag"] = f'W/"{etag}"'
    response.headers.update(release.headers)
    return response


def not_modified(release: Release, etag: str) -> Response | None:
    """A 304 when the client's validators still match the answer it would get, else None.

    If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2); only GET and HEAD qualify.
    """
    if request.method not in SAFE:
        return None
    if "HTTP_IF_NONE_MATCH" not in request.environ and "HTTP_IF_MODIFIED_SINCE" not in request.environ:
        return None
    if is_resource_modified(request.environ, etag=etag, last_modified=release.last_modified):
        return None
    return mark_cacheable(Response(status=304), release, etag)
