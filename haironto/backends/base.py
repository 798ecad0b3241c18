"""The one Backend protocol every store implements, and the three shapes a query result takes.

A backend holds an RDF dataset and answers SPARQL 1.1 queries over it, read-only. The
server and the CLI talk only to this interface; they never touch rdflib or pyoxigraph.

Every query passes the same gate (:meth:`Backend.run`): federated ``SERVICE`` is refused
before the engine sees it, and a text that fails to parse as a query but parses as an
update is refused as a write. A query given a ``timeout`` runs in a child process that is
killed at the deadline (see :mod:`haironto.backends.sandbox`): neither engine can be
interrupted from Python, so that is the only way to really stop the work.

Results cross the process boundary as bytes (the *payload*). A caller that knows which
format it wants names it in the request (``results_format``, ``graph_format``) and the engine
writes that format directly, in the worker, so the server only passes bytes on;
:meth:`Result.serialize` converts with pyoxigraph's serializers when the payload is in
another format. No serializer is written here.
"""

from __future__ import annotations

import io
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from haironto.backends.policy import check_nesting, check_no_service, is_update
from haironto.errors import BackendError, OntologyLoadError, QueryError, QuerySyntaxError, ReadOnlyError
from haironto.formats import FORMATS, GRAPH, RESULTS, Format
from haironto.identifiers import BASE, PREFIX_MAP

if TYPE_CHECKING:
    from rdflib.term import Node

    from haironto.backends.sandbox import Sandbox

#: Relative IRIs in queries resolve against the ontology's namespace, so ``<HAIRONTO_0000001>`` names a term.
QUERY_BASE_IRI = BASE

#: Prefixes written into Turtle output; a query's own prefixes do not survive its evaluation.
OUTPUT_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    **PREFIX_MAP,
}

#: RDF syntaxes :meth:`Backend.load` reads, by name, with the file extensions that imply them.
DATA_FORMATS: dict[str, tuple[str, ...]] = {
    "turtle": ("ttl",),
    "ntriples": ("nt",),
    "nquads": ("nq",),
    "trig": ("trig",),
    "rdfxml": ("rdf", "owl", "xml"),
    "jsonld": ("jsonld", "json"),
}


#: The syntaxes of :data:`DATA_FORMATS` that carry graph names.
QUAD_FORMATS = ("nquads", "trig")


def data_format(path: Path, given: str | None = None) -> str:
    """Name the RDF syntax of a file: the one given, else the one its extension implies.

    Raises:
        BackendError: the format is unknown or cannot be guessed.

    >>> data_format(Path("haironto.owl"))
    'rdfxml'
    """
    if given is not None:
        if given not in DATA_FORMATS:
            raise BackendError(f"unknown RDF format {given!r}; known: {', '.join(DATA_FORMATS)}")
        return given
    suffix = path.suffix.lstrip(".").lower()
    for name, extensions in DATA_FORMATS.items():
        if suffix in extensions:
            return name
    raise BackendError(f"{path}: cannot tell the RDF format from the extension; give it explicitly")


@dataclass(frozen=True)
class DataSource:
    """RDF data to load, from a file or from bytes, with its syntax."""

    where: str
    """The file's path, or ``data``: how messages name it."""
    format: str
    """A key of :data:`DATA_FORMATS`."""
    path: Path | None = None
    """The file, when the data is one."""
    data: bytes | None = None
    """The data, when it came as bytes."""

    @property
    def base_iri(self) -> str | None:
        """The IRI relative IRIs in a file resolve against: the file's own ``file:`` URI."""
        return self.path.resolve().as_uri() if self.path is not None else None


@dataclass(frozen=True)
class QueryRequest:
    """Everything needed to run one query; plain data, so it can be sent to a worker process."""

    text: str
    """The SPARQL 1.1 query."""
    max_rows: int | None = None
    """Keep at most this many solutions (SELECT) or triples (CONSTRUCT/DESCRIBE); None keeps all."""
    default_graph_uris: tuple[str, ...] = ()
    """Graphs whose merge is the default graph (protocol ``default-graph-uri``); overrides ``FROM``."""
    named_graph_uris: tuple[str, ...] = ()
    """The named graphs visible to ``GRAPH`` (protocol ``named-graph-uri``); overrides ``FROM NAMED``."""
    bindings: Mapping[str, Node] = field(default_factory=dict)
    """Variables bound to RDF terms at execution time (never pasted into the text)."""
    results_format: str | None = None
    """The format (a :data:`~haironto.formats.FORMATS` name) to write a SELECT or ASK answer in;
    None lets the engine choose. The answer's :attr:`Result.syntax` says what was written."""
    graph_format: str | None = None
    """The format to write a CONSTRUCT or DESCRIBE answer in; None lets the engine choose."""

    @property
    def has_dataset(self) -> bool:
        """True when the request names its own dataset, which then replaces the service's default."""
        return bool(self.default_graph_uris or self.named_graph_uris)


def check_graph_iris(request: QueryRequest) -> None:
    """Refuse dataset parameters that are not absolute IRIs.

    Raises:
        QueryError: a graph IRI is malformed.
    """
    import pyoxigraph as ox

    for parameter, iris in (
        ("default-graph-uri", request.default_graph_uris),
        ("named-graph-uri", request.named_graph_uris),
    ):
        for iri in iris:
            try:
                ox.NamedNode(iri)
            except ValueError as error:
                raise QueryError(f"{parameter}: {iri!r} is not an absolute IRI ({error})") from None


@dataclass(frozen=True)
class Result:
    """A query's answer, held as the engine's own serialization (the payload)."""

    payload: bytes
    """The answer in the format named by :attr:`syntax`."""
    syntax: str
    """The short name (see :data:`haironto.formats.FORMATS`) of the payload's format."""
    truncated: bool = False
    """True when rows or triples beyond the row cap were cut."""

    kind: ClassVar[str] = RESULTS

    def serialize(self, fmt: Format | str) -> bytes:
        """Write the answer in a format of its kind, with pyoxigraph's serializers.

        Raises:
            BackendError: the format is not one of this result's kind.
        """
        target = FORMATS[fmt] if isinstance(fmt, str) else fmt
        if target.kind != self.kind:
            raise BackendError(f"a {self.kind} answer cannot be written as {target.name}")
        if target.name == self.syntax:
            return self.payload
        return self._convert(target)

    def _convert(self, target: Format) -> bytes:
        import pyoxigraph as ox

        parsed = ox.parse_query_results(self.payload, results_format(self.syntax))
        return parsed.serialize(format=results_format(target.name))


@dataclass(frozen=True)
class Rows(Result):
    """The solutions of a SELECT query."""

    variables: tuple[str, ...] = ()
    """The projected variable names, in order, without ``?``."""
    count: int = 0
    """How many solutions the payload holds (after the row cap)."""

    def terms(self) -> list[tuple[Any, ...]]:
        """The solutions as tuples of pyoxigraph terms (None where unbound), in variable order."""
        import pyoxigraph as ox

        parsed = ox.parse_query_results(self.payload, results_format(self.syntax))
        return [tuple(solution[v] for v in self.variables) for solution in parsed]


@dataclass(frozen=True)
class Boolean(Result):
    """The answer of an ASK query."""

    value: bool = False
    """The answer."""


@dataclass(frozen=True)
class Graph(Result):
    """The triples of a CONSTRUCT or DESCRIBE query."""

    count: int = 0
    """How many triples the payload holds (after the row cap)."""

    kind: ClassVar[str] = GRAPH

    def _convert(self, target: Format) -> bytes:
        return write_triples(self.triples(), target.name)

    def triples(self) -> list[Any]:
        """The triples as pyoxigraph :class:`~pyoxigraph.Triple` objects."""
        import pyoxigraph as ox

        return [quad.triple for quad in ox.parse(self.payload, format=rdf_format(self.syntax))]


def write_triples(triples: list[Any], name: str) -> bytes:
    """Serialize pyoxigraph triples in a graph format; Turtle declares the prefixes the triples use."""
    import pyoxigraph as ox

    prefixes = _used_prefixes(triples) if name == "turtle" else None
    data = ox.serialize(triples, format=rdf_format(name), prefixes=prefixes)
    assert data is not None
    return data


def _used_prefixes(triples: list[Any]) -> dict[str, str]:
    # pyoxigraph declares every prefix it is given; keep the output to those the triples use.
    # Looking at the N-Triples bytes once is much cheaper than visiting every term from Python.
    import pyoxigraph as ox

    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return {
        prefix: namespace
        for prefix, namespace in OUTPUT_PREFIXES.items()
        if b"<" + namespace.encode() in text
    }


def results_format(name: str) -> Any:
    """The pyoxigraph ``QueryResultsFormat`` for a results format name (json, xml, csv, tsv)."""
    import pyoxigraph as ox

    return {
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
    }[name]


def rdf_format(name: str) -> Any:
    """The pyoxigraph ``RdfFormat`` for a key of :data:`DATA_FORMATS` or a graph format name."""
    import pyoxigraph as ox

    return {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
        "rdfxml": ox.RdfFormat.RDF_XML,
        "jsonld": ox.RdfFormat.JSON_LD,
    }[name]


class _RowCap(io.RawIOBase):
    """A binary sink that keeps the first lines of a line-per-row serialization and then stops it.

    Both pyoxigraph's TSV writer (one solution per line, after a header line) and its N-Triples
    writer (one triple per line) stream while the query is being evaluated, so raising from
    ``write`` once the cap is passed also stops the evaluation: a capped query does no more work
    than the rows it returns.
    """

    class Full(Exception):
        """Raised through the serializer once a line beyond the cap arrives."""

    def __init__(self, keep_lines: int | None) -> None:
        super().__init__()
        self._keep = keep_lines
        self._chunks: list[bytes] = []
        self.lines = 0
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.truncated:
            raise self.Full
        chunk = bytes(data)
        if self._keep is not None and self.lines + chunk.count(b"\n") > self._keep:
            end = -1
            for _ in range(self._keep - self.lines):
                end = chunk.index(b"\n", end + 1)
            self._chunks.append(chunk[: end + 1])
            self.lines = self._keep
            self.truncated = True
            raise self.Full
        self._chunks.append(chunk)
        self.lines += chunk.count(b"\n")
        return len(chunk)

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)


def capped(serialize: Any, fmt: Any, keep_lines: int | None) -> tuple[bytes, int, bool]:
    """Run an engine serializer into a :class:`_RowCap`; return the bytes, their line count and truncation.

    Args:
        serialize: the engine's ``serialize(output, format)`` method.
        fmt: the engine's format object (a line-per-row format).
        keep_lines: how many lines to keep (header included), or None for all.
    """
    sink = _RowCap(keep_lines)
    try:
        serialize(sink, fmt)
    except _RowCap.Full:
        pass
    return sink.getvalue(), sink.lines, sink.truncated


#: Bytes that open each solution in pyoxigraph's SPARQL results writers, by format. In XML the
#: marker cannot occur in text (``<`` is always escaped). In JSON it opens every solution but the
#: first (``,{"`` before its first key); a string value may also end in ``,{`` just before its
#: closing quote, which :data:`_JSON_AMBIGUOUS` detects.
SOLUTION_MARKERS: dict[str, bytes] = {"xml": b"<result>", "json": b',{"'}
#: Byte sequences that make the JSON marker count unreliable: ``{"`` followed by a character no
#: key starts with (so the quote closed a string ending in ``{``), or ``{}`` (an empty solution,
#: or a string holding braces). Structurally, neither occurs in an answer without empty solutions.
_JSON_AMBIGUOUS = re.compile(rb'\{"[,}:\]]|\{\}')
_JSON_BINDINGS = b'"bindings":['


class _SolutionCounter(io.RawIOBase):
    """A binary sink that counts solution markers as a results writer streams into it.

    The count can only overstate (a marker inside a string value), so once it passes the cap
    the sink stops the serializer, and with it the evaluation; the caller then falls back to a
    line format, which cuts exactly.
    """

    class Over(Exception):
        """Raised through the serializer once more markers than the cap have arrived."""

    def __init__(self, marker: bytes, cap: int | None) -> None:
        super().__init__()
        self._marker = marker
        self._cap = cap
        self._chunks: list[bytes] = []
        self._tail = b""
        self.markers = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = data if isinstance(data, bytes) else bytes(data)
        # A marker may straddle two writes: search the end of the previous chunk with this one.
        self.markers += (self._tail + chunk[: len(self._marker) - 1]).count(self._marker) + chunk.count(
            self._marker
        )
        self._tail = chunk[1 - len(self._marker) :]
        self._chunks.append(chunk)
        # JSON's first solution has no marker, so a cap of n allows n - 1 markers.
        if self._cap is not None and self.markers >= self._cap:
            raise self.Over
        return len(chunk)

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)


def counted(serialize: Any, name: str, cap: int | None) -> tuple[bytes, int] | None:
    """Write solutions in a format without one line per row (JSON or XML), counting them.

    Args:
        serialize: the engine's ``serialize(output, format)`` method of a solution sequence.
        name: ``json`` or ``xml`` (the keys of :data:`SOLUTION_MARKERS`).
        cap: the most solutions to write, or None.

    Returns:
        The bytes and the exact number of solutions, or None when there may be more solutions
        than ``cap`` (then the caller must evaluate again and cut another way).
    """
    # A JSON marker opens every solution but the first: allow one fewer.
    sink = _SolutionCounter(SOLUTION_MARKERS[name], None if cap is None else cap + (name == "xml"))
    try:
        serialize(sink, results_format(name))
    except _SolutionCounter.Over:
        return None
    payload = sink.getvalue()
    if name == "xml":
        return payload, sink.markers
    if _JSON_AMBIGUOUS.search(payload):
        # Rare: count exactly, at the price of parsing the answer.
        return payload, len(json.loads(payload)["results"]["bindings"])
    # The first occurrence is the real key: a quote inside a string value is escaped.
    start = payload.find(_JSON_BINDINGS) + len(_JSON_BINDINGS)
    first = payload[start : start + 1] == b"{"
    return payload, sink.markers + first


@dataclass(frozen=True)
class DatasetStats:
    """How many triples a backend holds."""

    default_graph: int
    """Triples in the default graph (the union of the named graphs unless data was loaded into it)."""
    named_graphs: dict[str, int]
    """Triples per named graph IRI."""


class Backend(ABC):
    """A read-only RDF dataset that answers SPARQL 1.1 queries.

    Subclasses implement :meth:`_load`, :meth:`stats` and :meth:`_execute`;
    this class adds file checks, the refusal policy, the timeout (through a worker process)
    and :meth:`describe`.
    """

    descriptor: ClassVar[str]
    """The descriptor :func:`haironto.backends.get_backend` opens this backend with."""
    supports_update: ClassVar[bool] = False
    """Whether SPARQL Update may run; no backend of this project allows it."""
    supports_named_graphs: ClassVar[bool] = True
    """Whether named graphs and the protocol's dataset parameters are honoured."""
    holds_data: ClassVar[bool] = False
    """Whether the data lives in the store itself (on disk, or behind a URL), loaded beforehand:
    the service then serves what the store holds instead of loading the release into it."""
    forks_workers: ClassVar[bool] = True
    """Whether query workers are forked from this process with the loaded data (shared
    copy-on-write); else each worker opens :attr:`descriptor` itself (see
    :mod:`haironto.backends.sandbox`)."""

    def __init__(self) -> None:
        self._sandbox: Sandbox | None = None
        self.worker_memory: int | None = None
        """Bytes of address space each worker process may use (``RLIMIT_AS``); None: no limit.
        A query that needs more is stopped with :class:`~haironto.errors.QueryResourceError`."""
        self.max_answer_bytes: int | None = None
        """The largest answer, in bytes, a worker may hand back; None: no limit."""

    # -- to implement -------------------------------------------------------------------------

    @abstractmethod
    def _load(self, source: DataSource, graph_iri: str | None) -> None:
        """Parse ``source`` into the store (see :meth:`load`).

        Raises:
            OntologyLoadError: the data cannot be parsed; the message names ``source.where``.
        """

    @abstractmethod
    def stats(self) -> DatasetStats:
        """Count the triples of the default graph and of each named graph."""

    @abstractmethod
    def _execute(self, request: QueryRequest) -> Result:
        """Run a query in this process with the engine.

        Raises:
            QuerySyntaxError: the text does not parse as a query.
            QueryError: the query fails while it is evaluated.
        """

    # -- provided -----------------------------------------------------------------------------

    def load(
        self, source: str | Path | bytes, graph_iri: str | None = None, *, format: str | None = None
    ) -> None:
        """Add RDF data to the dataset; running workers stop, as they would hold stale data.

        Args:
            source: a file path, or the data itself as bytes (then ``format`` is required).
            graph_iri: the named graph to put the triples in; None keeps the graphs of a quad
                format and puts triples in the default graph.
            format: a key of :data:`DATA_FORMATS`; guessed from the file extension when None.

        Raises:
            OntologyLoadError: the file is missing or cannot be parsed.
            BackendError: the format is unknown, or missing for bytes.
        """
        self.stop_workers()
        if isinstance(source, bytes):
            if format is None:
                raise BackendError("loading bytes needs an explicit format")
            self._load(DataSource("data", data_format(Path(), format), data=source), graph_iri)
            return
        path = Path(source)
        if not path.is_file():
            raise OntologyLoadError(f"{path}: no such file")
        self._load(DataSource(str(path), data_format(path, format), path=path), graph_iri)

    def copy_into_default_graph(self, graph_iri: str) -> None:
        """Add the triples of a named graph to the default graph, blank nodes and all: the union
        layout of :mod:`haironto.dataset`, for a backend that materializes it (not :attr:`holds_data`).

        Raises:
            NotImplementedError: the backend's default graph is not materialized.
        """
        raise NotImplementedError(f"{self.descriptor} does not materialize its default graph")

    def run(self, request: QueryRequest) -> Result:
        """Run a query in this process, after the read-only checks; no time limit.

        Raises:
            QueryRefusedError: the query uses federated SERVICE, or nests too deep to parse safely.
            ReadOnlyError: the text is a SPARQL Update.
            QuerySyntaxError: the text is not valid SPARQL.
        """
        check_nesting(request.text)
        check_no_service(request.text)
        try:
            return self._execute(request)
        except QuerySyntaxError:
            if is_update(request.text):
                raise ReadOnlyError(
                    "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) is refused"
                ) from None
            raise

    def query(
        self,
        text: str,
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        bindings: Mapping[str, Node] | None = None,
        results_format: str | None = None,
        graph_format: str | None = None,
    ) -> Result:
        """Run a SPARQL 1.1 query and return its :class:`Rows`, :class:`Boolean` or :class:`Graph`.

        Args:
            text: the query.
            timeout: seconds after which the query is cancelled; None runs it in this process
                without a limit.
            max_rows: keep at most this many solutions or triples; the result says when it cut.
            default_graph_uris: graphs merged into the default graph instead of the service's default.
            named_graph_uris: the only named graphs ``GRAPH`` may see.
            bindings: variable name (without ``?``) to RDF term, bound at execution.
            results_format: write a SELECT/ASK answer in this format (a short name), if the
                engine can; then :meth:`Result.serialize` to it costs nothing.
            graph_format: the same for a CONSTRUCT/DESCRIBE answer.

        Raises:
            QueryTimeoutError: the query ran past ``timeout`` and was stopped.
            QueryRefusedError: the query uses federated SERVICE.
            ReadOnlyError: the text is a SPARQL Update.
            QuerySyntaxError: the text is not valid SPARQL.
        """
        request = QueryRequest(
            text,
            max_rows,
            tuple(default_graph_uris),
            tuple(named_graph_uris),
            dict(bindings or {}),
            results_format,
            graph_format,
        )
        return self.answer(request, timeout=timeout)

    def answer(self, request: QueryRequest, *, timeout: float | None = None) -> Result:
        """Run a prepared :class:`QueryRequest`; :meth:`query` with the request already built.

        Raises:
            QueryTimeoutError: the query ran past ``timeout`` and was stopped.
            QueryRefusedError: the query uses federated SERVICE.
            ReadOnlyError: the text is a SPARQL Update.
            QuerySyntaxError: the text is not valid SPARQL.
        """
        if timeout is None:
            return self.run(request)
        # Refused here too, before a worker process is taken: a parser's stack overflow would kill it.
        check_nesting(request.text)
        if self._sandbox is None:
            self.start_workers()
        assert self._sandbox is not None
        return self._sandbox.run(request, timeout)

    def describe(self, iri: str, *, timeout: float | None = None) -> Graph:
        """Return what the dataset says about one resource (the engine's ``DESCRIBE``)."""
        from rdflib import URIRef

        result = self.query("DESCRIBE ?resource {}", timeout=timeout, bindings={"resource": URIRef(iri)})
        assert isinstance(result, Graph)
        return result

    def start_workers(self, count: int = 1) -> None:
        """Start the worker processes that run queries with a timeout, seeded with the current data.

        Call it once the data is loaded; a later :meth:`load` stops them (they would hold stale data).
        Returns when every worker has loaded the data. Each runs under :attr:`worker_memory` and
        :attr:`max_answer_bytes` as they are now.

        Raises:
            BackendError: a worker failed to start or to load the data.
        """
        from haironto.backends.sandbox import Sandbox

        self.stop_workers()
        self._sandbox = Sandbox(
            self,
            count,
            memory_limit=self.worker_memory,
            max_answer_bytes=self.max_answer_bytes,
        )
        self._sandbox.wait_ready()

    def stop_workers(self) -> None:
        """Stop the worker processes, if any."""
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    def close(self) -> None:
        """Release the backend's processes; the data stays queryable in this process."""
        self.stop_workers()
