"""A file made ready for a Graph Store Protocol request: checked, as N-Triples, streamed with its length.

Large files (10^7 triples are 1.3 GB of N-Triples) must not be held in memory on their way to a
remote store, so a file is sent from disk in pieces. Three constraints shape how:

* the body carries a ``Content-Length``: Virtuoso 7.2 answers 201 to a chunked body and stores
  none of it;
* the file is parsed with pyoxigraph before a byte is sent, so a malformed file is reported with
  its name and line and changes nothing in the store;
* every store reads N-Triples, and N-Triples has no relative IRIs and no prefixes to resolve.
  An N-Triples file is therefore sent as it is, once checked; any other syntax is first written
  to a temporary N-Triples file (its relative IRIs resolved against the file's own location),
  which is then sent. One request per file keeps its blank nodes one document's.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from haironto.backends.base import data_format, rdf_format
from haironto.errors import OntologyLoadError

#: Bytes read from the file for each piece of the request body.
PIECE = 1 << 20


@dataclass
class Body:
    """A request body read from an open file; ``requests`` sends it with its length, piece by piece.

    Args:
        file: the open file, at its start.
        size: its length in bytes.
        progress: called with the bytes of each piece sent, if given.
    """

    file: IO[bytes]
    size: int
    progress: Callable[[int], object] | None = None

    def __len__(self) -> int:
        return self.size

    # tell and seek let requests send the body again when the store asks for credentials anew.
    def tell(self) -> int:
        return self.file.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def __iter__(self) -> Iterator[bytes]:
        while piece := self.file.read(PIECE):
            if self.progress is not None:
                self.progress(len(piece))
            yield piece


@contextmanager
def ntriples_body(path: Path, progress: Callable[[int], object] | None = None) -> Iterator[tuple[Body, int]]:
    """Check ``path`` and open it as N-Triples; yield the body to send and its number of triples.

    Args:
        path: an RDF file; its syntax comes from its extension (:func:`haironto.backends.base.data_format`).
            The graph names of a quad format are dropped: the file goes into one graph.
        progress: called with the bytes of each piece of the body as it is sent.

    Raises:
        OntologyLoadError: the file is missing or does not parse; the message names it.
    """
    if not path.is_file():
        raise OntologyLoadError(f"{path}: no such file")
    syntax = data_format(path)
    if syntax == "ntriples":
        count = _count(path, syntax)
        with path.open("rb") as file:
            yield Body(file, path.stat().st_size, progress), count
        return
    with tempfile.NamedTemporaryFile(prefix="haironto-push-", suffix=".nt") as converted:
        count = _convert(path, syntax, Path(converted.name))
        size = Path(converted.name).stat().st_size
        if progress is not None and size:  # progress is counted in bytes of the given file
            progress = _scaled(progress, path.stat().st_size / size)
        yield Body(converted, size, progress), count


def _scaled(progress: Callable[[int], object], factor: float) -> Callable[[int], object]:
    return lambda sent: progress(round(sent * factor))


def _quads(path: Path, syntax: str) -> Iterator[ox.Quad]:
    return ox.parse(path=path, format=rdf_format(syntax), base_iri=path.resolve().as_uri())


def _count(path: Path, syntax: str) -> int:
    try:
        return sum(1 for _ in _quads(path, syntax))
    except SyntaxError as error:
        raise OntologyLoadError(f"{path}: {error}") from None


def _convert(path: Path, syntax: str, output: Path) -> int:
    count = 0

    def triples() -> Iterator[ox.Triple]:
        nonlocal count
        for quad in _quads(path, syntax):
            count += 1
            yield quad.triple

    try:
        ox.serialize(triples(), output=output, format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as error:
        raise OntologyLoadError(f"{path}: {error}") from None
    return count
