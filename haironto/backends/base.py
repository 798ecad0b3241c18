"""The one Backend protocol every store implements, and the three shapes a query result takes.

A backend holds an RDF dataset and answers SPARQL 1.1 queries over it, read-only. The
server and the CLI talk only to this interface; they never touch rdflib or pyoxigraph.

Every query passes the same gate (:meth:`Backend.run`): federated ``SERVICE`` is refused
before the engine sees it, and a text that fails to parse as a query but parses as an
update is refused as a write. A query given a ``timeout`` runs in a child process that is
killed at the deadline (see :mod:`haironto.backends.sandbox`): neither engine can be
interrupted from Python, so that is the only way to really stop the work.

Results cross the process boundary as bytes in one of the engine's own serializations
(the *payload*); :meth:`Result.serialize` turns them into the format a client asked for
with pyoxigraph's serializers. No serializer is written here.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rdflib.term import Node

from haironto.backends.policy import check_no_service, is_update
from haironto.errors import BackendError, OntologyLoadError, QueryError, QuerySyntaxError, ReadOnlyError
from haironto.formats import FORMATS, GRAPH, RESULTS, Format
from haironto.namespaces import BASE, PREFIX_MAP

if TYPE_CHECKING:
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

        parsed = ox.parse_query_results(self.payload, _results_format(self.syntax))
        return parsed.serialize(format=_results_format(target.name))


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

        parsed = ox.parse_query_results(self.payload, _results_format(self.syntax))
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
        import pyoxigraph as ox

        triples = self.triples()
        prefixes = _used_prefixes(triples) if target.name == "turtle" else None
        data = ox.serialize(triples, format=rdf_format(target.name), prefixes=prefixes)
        assert data is not None
        return data

    def triples(self) -> list[Any]:
        """The triples as pyoxigraph :class:`~pyoxigraph.Triple` objects."""
        import pyoxigraph as ox

        return [quad.triple for quad in ox.parse(self.payload, format=rdf_format(self.syntax))]


def _used_prefixes(triples: list[Any]) -> dict[str, str]:
    # pyoxigraph declares every prefix it is given; keep the output to those the triples use.
    import pyoxigraph as ox

    iris = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {
        prefix: namespace
        for prefix, namespace in OUTPUT_PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }


def _results_format(name: str) -> Any:
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


@dataclass(frozen=True)
class DatasetStats:
    """How many triples a backend holds."""

    default_graph: int
    """Triples in the default graph (the union of the named graphs unless data was loaded into it)."""
    named_graphs: dict[str, int]
    """Triples per named graph IRI."""


class Backend(ABC):
    """A read-only RDF dataset that answers SPARQL 1.1 queries.

    Subclasses implement :meth:`_load`, :meth:`dump`, :meth:`stats` and :meth:`_execute`;
    this class adds file checks, the refusal policy, the timeout (through a worker process)
    and :meth:`describe`.
    """

    descriptor: ClassVar[str]
    """The descriptor :func:`haironto.backends.get_backend` opens this backend with."""
    supports_update: ClassVar[bool] = False
    """Whether SPARQL Update may run; no backend of this project allows it."""
    supports_named_graphs: ClassVar[bool] = True
    """Whether named graphs and the protocol's dataset parameters are honoured."""

    def __init__(self) -> None:
        self._sandbox: Sandbox | None = None

    # -- to implement -------------------------------------------------------------------------

    @abstractmethod
    def _load(self, source: DataSource, graph_iri: str | None) -> None:
        """Parse ``source`` into the store (see :meth:`load`).

        Raises:
            OntologyLoadError: the data cannot be parsed; the message names ``source.where``.
        """

    @abstractmethod
    def dump(self) -> bytes:
        """The whole dataset as N-Quads, to seed a worker process."""

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

    def run(self, request: QueryRequest) -> Result:
        """Run a query in this process, after the read-only checks; no time limit.

        Raises:
            QueryRefusedError: the query uses federated SERVICE.
            ReadOnlyError: the text is a SPARQL Update.
            QuerySyntaxError: the text is not valid SPARQL.
        """
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
        )
        if timeout is None:
            return self.run(request)
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
        Returns when every worker has loaded the data.

        Raises:
            BackendError: a worker failed to start or to load the data.
        """
        from haironto.backends.sandbox import Sandbox

        self.stop_workers()
        self._sandbox = Sandbox(self.descriptor, self.dump(), count)
        self._sandbox.wait_ready()

    def stop_workers(self) -> None:
        """Stop the worker processes, if any."""
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    def close(self) -> None:
        """Release the backend's processes; the data stays queryable in this process."""
        self.stop_workers()
