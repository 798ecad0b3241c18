"""The on-disk backend: pyoxigraph's persistent (RocksDB) Store, served read-only.

Descriptor: ``oxigraph:DIR``. The store is opened with :meth:`pyoxigraph.Store.read_only`, so a
service (and each of its query worker processes, which open the store themselves instead of
receiving a copy) never writes to it. Data goes in with :func:`load_store`, which is atomic:

1. the current store, if any, is copied to a fresh sibling folder with :meth:`Store.backup`
   (a RocksDB checkpoint: hard links to its immutable files, so it costs no copy);
2. every file is bulk-loaded into the copy (:meth:`Store.bulk_load`), each into its named graph,
   whose previous content it replaces;
3. the copy and the store are exchanged in one ``renameat2(RENAME_EXCHANGE)`` system call, and
   the old store is deleted.

A load that fails or is killed before step 3 leaves the store exactly as it was; its leftover
folder is removed by the next load. Processes that have the old store open keep reading their
files until they restart.

Layout: each file is one named graph and the default graph is their union, as in every backend
(see :mod:`haironto.dataset`). Unlike the in-memory store the union is not materialized, which
would double the store and the load time: a query that names no dataset of its own (no ``FROM``,
no protocol parameters) runs with the store's named graphs as its default graph. Oxigraph merges
them as a multiset, so a triple stated in two graphs counts twice (see "Engine divergences" in
the README); the release's asserted and inferred graphs never share a triple.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import gc
import io
import mmap
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from haironto.backends.base import (
    QUERY_BASE_IRI,
    Backend,
    DatasetStats,
    DataSource,
    QueryRequest,
    data_format,
    rdf_format,
)
from haironto.backends.memory import MemoryBackend
from haironto.backends.policy import has_dataset_clause
from haironto.errors import BackendError, OntologyLoadError

#: Linux's flag of renameat2(2) that swaps two paths atomically.
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class LoadItem:
    """One file to load and the named graph it becomes (None: the store's default graph)."""

    path: Path
    """The RDF file."""
    graph: str | None
    """The named graph IRI its triples go into; a quad format keeps its own graphs when None."""
    format: str | None = None
    """A key of :data:`~haironto.backends.base.DATA_FORMATS`; guessed from the extension when None."""


class _Progress(io.RawIOBase):
    """A byte range of a file that reports how many bytes the parser has read, for a progress bar."""

    def __init__(
        self, path: Path, advance: Callable[[int], None] | None, start: int = 0, end: int | None = None
    ) -> None:
        self._file = path.open("rb")
        self._file.seek(start)
        self._left = (path.stat().st_size if end is None else end) - start
        self._advance = advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self._left)
        if wanted <= 0:
            return 0
        count = self._file.readinto(memoryview(buffer)[:wanted]) or 0
        self._left -= count
        if self._advance is not None:
            self._advance(count)
        return count

    def close(self) -> None:
        self._file.close()
        super().close()


#: Line-based files larger than this are parsed by several threads at once (each its own part).
PARALLEL_BYTES = 32 * 1024 * 1024
#: The most parser threads; RocksDB's ingestion is the part they share.
MAX_PARSERS = 4


def _mentions(path: Path, needle: bytes) -> bool:
    """Whether the file contains these bytes (a blank node label, or a string that looks like one)."""
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(needle) >= 0


def _parts(path: Path, count: int) -> list[tuple[int, int]]:
    """Cut a file into ``count`` byte ranges that end at line ends."""
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as file:
        for part in range(1, count):
            file.seek(max(size * part // count, cuts[-1]))
            file.readline()
            cuts.append(min(file.tell(), size))
    cuts.append(size)
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _load_file(
    store: ox.Store,
    item: LoadItem,
    fmt: Any,
    target: Any,
    progress: Callable[[int], None] | None,
    lenient: bool,
) -> None:
    """Bulk-load one file; a large N-Triples or N-Quads file by several parser threads.

    Why threads: pyoxigraph's parser runs on one core, and the Oxigraph CLI's loader parses parts
    of a line-based file in parallel. Only a file without blank nodes is cut: each parse gives its
    blank nodes fresh names, so a label used in two parts would become two nodes.
    """
    base = item.path.resolve().as_uri()
    threads = min(MAX_PARSERS, os.cpu_count() or 1)
    line_based = fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
    if (
        not line_based
        or threads < 2
        or item.path.stat().st_size < PARALLEL_BYTES
        or _mentions(item.path, b"_:")
    ):
        with io.BufferedReader(_Progress(item.path, progress), 1 << 20) as source:
            _bulk(store, str(item.path), {"input": source}, fmt, target, lenient, base)
        return
    errors: list[BaseException] = []

    def parse(start: int, end: int) -> None:
        try:
            with io.BufferedReader(_Progress(item.path, progress, start, end), 1 << 20) as source:
                where = f"{item.path} (from byte {start})"
                _bulk(store, where, {"input": source}, fmt, target, lenient, base)
        except BaseException as error:  # handed to the caller's thread
            errors.append(error)

    workers = [threading.Thread(target=parse, args=part) for part in _parts(item.path, threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


def _staging(directory: Path, kind: str, pid: int) -> Path:
    return directory.with_name(f".{directory.name}.{kind}-{pid}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(directory: Path) -> list[Path]:
    """Remove what killed loads left beside the store (their process is gone); return what was removed.

    A store lost between the two renames of the fallback swap (no ``renameat2``) is put back.
    """
    removed = []
    for leftover in sorted(directory.parent.glob(f".{directory.name}.*-*")):
        kind, _, pid = leftover.name.rpartition("-")
        if not pid.isdigit() or _alive(int(pid)) and int(pid) != os.getpid():
            continue
        if kind.endswith(".old") and not directory.exists():
            leftover.rename(directory)
            continue
        shutil.rmtree(leftover, ignore_errors=True)
        removed.append(leftover)
    return removed


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one system call; False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(first))


def swap_in(staging: Path, directory: Path) -> None:
    """Make ``staging`` the store at ``directory``, atomically, and delete the store it replaces."""
    if not directory.exists():
        staging.rename(directory)
        return
    if _exchange(staging, directory):
        shutil.rmtree(staging)
        return
    # No renameat2 (not Linux, or a file system without it): two renames; clean_leftovers()
    # puts the old store back if the process dies between them.
    old = _staging(directory, "old", os.getpid())
    directory.rename(old)
    staging.rename(directory)
    shutil.rmtree(old)


def load_store(
    directory: Path,
    items: Sequence[LoadItem] = (),
    *,
    quads: bytes | None = None,
    progress: Callable[[int], None] | None = None,
    lenient: bool = False,
    append: bool = False,
) -> None:
    """Bulk-load files into the store at ``directory``, atomically (see the module docstring).

    Args:
        directory: the store; created when it does not exist.
        items: the files, each with the named graph it becomes (that graph's content is replaced).
        quads: N-Quads to add as well (the release's graphs, see :func:`haironto.dataset.assemble`);
            the graphs they name are replaced too.
        progress: called with the number of bytes read from the files, as the parser reads them.
        lenient: skip IRI validation (faster, for data known to be valid).
        append: files naming the same graph add up (its old content is still replaced once).

    Raises:
        OntologyLoadError: a file is missing or does not parse; the store is unchanged.
        BackendError: the store cannot be opened or written; the store is unchanged.
    """
    directory = Path(directory)
    for item in items:
        if not item.path.is_file():
            raise OntologyLoadError(f"{item.path}: no such file")
        data_format(item.path, item.format)  # fail on an unknown format before any work
    directory.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(directory)
    staging = _staging(directory, "loading", os.getpid())
    try:
        try:
            if _is_store(directory):
                ox.Store.read_only(str(directory)).backup(str(staging))
            store = ox.Store(str(staging))
        except OSError as error:
            raise BackendError(f"{directory}: cannot open the store: {error}") from None
        try:
            if quads:
                _replace_graphs(store, _graphs_of(quads))
                _bulk(store, "data", {"input": quads}, ox.RdfFormat.N_QUADS, None, lenient)
            cleared: set[str] = set()
            for item in items:
                fmt = rdf_format(data_format(item.path, item.format))
                target = ox.NamedNode(item.graph) if item.graph else None
                if target is not None and not (append and item.graph in cleared):
                    store.clear_graph(target)
                    cleared.add(str(item.graph))
                _load_file(store, item, fmt, target, progress, lenient)
            store.flush()
        except BaseException as error:
            # Close the store before its folder is removed: RocksDB writes its last files when
            # it closes, which would bring the folder back. Tracebacks (the error's and those of
            # the errors it was raised from) hold frames that hold the store: drop them all.
            error.__context__ = error.__cause__ = None
            error.__traceback__ = None
            del store
            gc.collect()
            raise error
        del store
        swap_in(staging, directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _is_store(directory: Path) -> bool:
    return directory.is_dir() and any(directory.iterdir())


def _graphs_of(quads: bytes) -> set[str]:
    return {
        q.graph_name.value
        for q in ox.parse(quads, format=ox.RdfFormat.N_QUADS)
        if isinstance(q.graph_name, ox.NamedNode)
    }


def _replace_graphs(store: ox.Store, graphs: Iterable[str]) -> None:
    for graph in graphs:
        store.clear_graph(ox.NamedNode(graph))


def _bulk(
    store: ox.Store,
    where: str,
    source: dict[str, Any],
    fmt: Any,
    target: Any,
    lenient: bool,
    base: str | None = None,
) -> None:
    try:
        store.bulk_load(**source, format=fmt, base_iri=base, to_graph=target, lenient=lenient)
    except (SyntaxError, ValueError) as error:
        raise OntologyLoadError(f"{where}: {error}") from None
    except OSError as error:
        raise BackendError(f"{where}: the store could not be written: {error}") from None


class OxigraphBackend(MemoryBackend):
    """A pyoxigraph store on disk, opened read-only. Descriptor: ``oxigraph:DIR``.

    :meth:`load` goes through :func:`load_store` (atomic) and reopens the store; a missing
    folder is an empty dataset until the first load creates it.
    """

    holds_data = True
    #: RocksDB's thread pool does not survive a fork: each query worker opens the store itself.
    forks_workers = False
    #: The default graph is the union at query time, never materialized (see the module docstring).
    copy_into_default_graph = Backend.copy_into_default_graph

    def __init__(self, argument: str = "") -> None:
        Backend.__init__(self)
        if not argument:
            raise BackendError("the oxigraph backend needs the store's folder: oxigraph:DIR")
        self.directory = Path(argument)
        self.descriptor = f"oxigraph:{argument}"  # type: ignore[misc]  # per instance: it names the folder
        self._open()

    def _open(self) -> None:
        if not _is_store(self.directory):
            self._store = ox.Store()
        else:
            try:
                self._store = ox.Store.read_only(str(self.directory))
            except OSError as error:
                raise BackendError(f"{self.directory}: not a store that can be opened: {error}") from None
        self._graphs = sorted(self._store.named_graphs(), key=str)
        unnamed = self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        self._union: list[Any] = [*self._graphs, *([ox.DefaultGraph()] if next(unnamed, None) else [])]

    def _load(self, source: DataSource, graph_iri: str | None) -> None:
        """Load atomically into the store on disk, then reopen it.

        >>> import tempfile
        >>> backend = OxigraphBackend(tempfile.mkdtemp() + "/store")
        >>> backend.load(b"<http://example.org/s> <http://example.org/p> 1 .", "http://example.org/g", format="turtle")
        >>> backend.stats().named_graphs
        {'http://example.org/g': 1}
        """
        self._store = ox.Store()  # let go of the files before they are replaced
        try:
            if source.path is not None:
                load_store(self.directory, [LoadItem(source.path, graph_iri, source.format)])
            elif graph_iri is None and source.format == "nquads":
                load_store(self.directory, quads=source.data)
            else:
                # Bytes in a triple format: parse here, then load as N-Quads of the graph.
                triples = ox.parse(source.data, format=rdf_format(source.format), base_iri=source.base_iri)
                name = ox.NamedNode(graph_iri) if graph_iri else ox.DefaultGraph()
                quads = ox.serialize(
                    [ox.Quad(q.subject, q.predicate, q.object, name) for q in triples],
                    format=ox.RdfFormat.N_QUADS,
                )
                load_store(self.directory, quads=quads)
        except SyntaxError as error:
            raise OntologyLoadError(f"{source.where}: {error}") from None
        finally:
            self._open()

    def load_files(self, items: Iterable[tuple[Path, str | None]]) -> None:
        """Load files into their named graphs in one atomic load (several files may share a graph).

        Raises:
            OntologyLoadError: a file is missing or does not parse; the store is unchanged.
        """
        ordered: dict[str | None, list[Path]] = {}
        for path, graph in items:
            ordered.setdefault(graph, []).append(Path(path))
        self._store = ox.Store()
        try:
            load_store(
                self.directory, [LoadItem(p, g) for g, paths in ordered.items() for p in paths], append=True
            )
        finally:
            self._open()

    def _dataset(self, request: QueryRequest) -> dict[str, Any]:
        if request.has_dataset or not self._union or has_dataset_clause(request.text):
            return super()._dataset(request)
        # The default graph is the union of the store's graphs (see the module docstring), in
        # Oxigraph's own union mode: 1.7x faster than listing the graphs (regenerative-cell-
        # mechanisms at 10^6 triples: 3.7 s against 6.5 s), and the mode of Oxigraph's server.
        return {"use_default_graph_as_union": True}

    def stats(self) -> DatasetStats:
        """Count triples of the default graph (the union) and of each named graph."""
        count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
        dataset = {"use_default_graph_as_union": True} if self._union else {}
        default = next(iter(self._store.query(count, base_iri=QUERY_BASE_IRI, **dataset)))["n"].value
        per_graph = self._store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        named = {row["g"].value: int(row["n"].value) for row in per_graph}
        return DatasetStats(int(default), dict(sorted(named.items())))
