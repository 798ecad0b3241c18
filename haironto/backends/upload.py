"""A file made ready for Graph Store Protocol requests: checked, as N-Triples, in pieces of bounded size.

Large files (10^7 triples are 1.3 GB of N-Triples) must not be held in memory on their way to a
remote store, nor sent in one request. What shapes how a file is sent:

* the file is parsed with pyoxigraph before a byte is sent, so a malformed file is reported with
  its name and line and changes nothing in the store; the parse writes it as N-Triples (which
  every store reads, with no relative IRIs or prefixes left to resolve) to temporary files;
* Virtuoso 7.2 sometimes stops for good in the middle of one large ``PUT`` (6 of 36 pushes of
  10^6 triples here, "Monitor: Locks are held for a long time"; upstream issues 165 and 325) and
  did not in 22 pushes of the same file as requests of 10^5 triples: so triples go in requests of
  :data:`PIECE_TRIPLES`;
* a blank node is scoped to its document, so the triples that have one are set apart and sent
  together, as one request: split across requests, one node would become several;
* every request carries a ``Content-Length``: Virtuoso 7.2 answers 201 to a chunked body and
  stores none of it.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from haironto.backends.base import data_format, rdf_format
from haironto.errors import OntologyLoadError

#: Triples in one request (about 13 MB of N-Triples).
PIECE_TRIPLES = 100_000
#: Bytes read from a file at a time while a request body is sent.
READ_SIZE = 1 << 20


@dataclass
class Body:
    """A request body read from an open file; ``requests`` sends it with its length, bit by bit.

    Args:
        file: the open file, at its start.
        size: its length in bytes.
        progress: called with the bytes of each bit sent, if given.
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
        while bit := self.file.read(READ_SIZE):
            if self.progress is not None:
                self.progress(len(bit))
            yield bit


@dataclass(frozen=True)
class Prepared:
    """A file checked and written as N-Triples, ready to send."""

    triples: int
    """How many triples it holds."""
    pieces: Iterator[bytes | Body]
    """The request bodies, in order: the triples without blank nodes in pieces, then those with."""


@contextmanager
def prepare(path: Path, progress: Callable[[int], object] | None = None) -> Iterator[Prepared]:
    """Check ``path`` and split it into request bodies (see the module docstring).

    Args:
        path: an RDF file; its syntax comes from its extension (:func:`haironto.backends.base.data_format`).
            The graph names of a quad format are dropped: the file goes into one graph.
        progress: called with the bytes sent, counted in bytes of ``path``.

    Raises:
        OntologyLoadError: the file is missing or does not parse; the message names it.
    """
    if not path.is_file():
        raise OntologyLoadError(f"{path}: no such file")
    with ExitStack() as stack:
        plain, blank = (
            stack.enter_context(tempfile.NamedTemporaryFile(prefix="haironto-push-", suffix=".nt"))
            for _ in range(2)
        )
        triples = _split(path, plain, blank)
        written = Path(plain.name).stat().st_size + Path(blank.name).stat().st_size
        if progress is not None and written:
            progress = _scaled(progress, path.stat().st_size / written)
        yield Prepared(triples, _pieces(plain, blank, progress))


def _split(path: Path, plain: IO[bytes], blank: IO[bytes]) -> int:
    """Write the triples of ``path`` without blank nodes to ``plain`` and those with to ``blank``."""
    count, with_blank = 0, []

    def without_blank_nodes() -> Iterator[ox.Triple]:
        nonlocal count
        quads = ox.parse(path=path, format=rdf_format(data_format(path)), base_iri=path.resolve().as_uri())
        for quad in quads:
            count += 1
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                with_blank.append(quad.triple)
                if len(with_blank) == PIECE_TRIPLES:
                    _append(blank, with_blank)
            else:
                yield quad.triple

    try:
        ox.serialize(without_blank_nodes(), output=plain, format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as error:
        raise OntologyLoadError(f"{path}: {error}") from None
    _append(blank, with_blank)
    for file in (plain, blank):
        file.flush()
        file.seek(0)
    return count


def _append(file: IO[bytes], triples: list[ox.Triple]) -> None:
    # A blank node keeps its label from one batch to the next: the file stays one document.
    file.write(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    triples.clear()


def _pieces(
    plain: IO[bytes], blank: IO[bytes], progress: Callable[[int], object] | None
) -> Iterator[bytes | Body]:
    # pyoxigraph writes one triple a line: a piece is whole lines.
    while piece := b"".join(itertools.islice(plain, PIECE_TRIPLES)):
        if progress is not None:
            progress(len(piece))
        yield piece
    size = Path(blank.name).stat().st_size
    if size:
        yield Body(blank, size, progress)


def _scaled(progress: Callable[[int], object], factor: float) -> Callable[[int], object]:
    return lambda sent: progress(round(sent * factor))
