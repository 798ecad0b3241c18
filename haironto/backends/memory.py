"""The default backend: pyoxigraph's in-memory Store, a SPARQL engine written in Rust.

Chosen by measurement over rdflib's engine (see ``bench/RESULTS-engines.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any

import pyoxigraph as ox

from haironto.backends.base import (
    QUERY_BASE_IRI,
    SOLUTION_MARKERS,
    Backend,
    Boolean,
    DatasetStats,
    DataSource,
    Graph,
    QueryRequest,
    Result,
    Rows,
    capped,
    check_graph_iris,
    counted,
    rdf_format,
    results_format,
    write_triples,
)
from haironto.errors import BackendError, OntologyLoadError, QueryError, QuerySyntaxError


class MemoryBackend(Backend):
    """An in-memory pyoxigraph store. Descriptor: ``memory:``."""

    descriptor = "memory:"

    def __init__(self, argument: str = "") -> None:
        super().__init__()
        if argument:
            raise BackendError(f"the memory backend takes no argument, got {argument!r}")
        self._store = ox.Store()
        self._stats: DatasetStats | None = None

    def _load(self, source: DataSource, graph_iri: str | None) -> None:
        """Parse into the store with pyoxigraph.

        >>> backend = MemoryBackend()
        >>> data = b"<http://example.org/s> <http://example.org/p> 1 ."
        >>> backend.load(data, "http://example.org/g", format="turtle")
        >>> backend.stats().named_graphs
        {'http://example.org/g': 1}
        """
        where: dict[str, Any] = {"path": source.path} if source.path else {"input": source.data}
        self._stats = None
        try:
            self._store.load(
                format=rdf_format(source.format),
                base_iri=source.base_iri,
                to_graph=ox.NamedNode(graph_iri) if graph_iri else None,
                **where,
            )
        except (SyntaxError, ValueError, OSError) as error:
            raise OntologyLoadError(f"{source.where}: {error}") from None

    def copy_into_default_graph(self, graph_iri: str) -> None:
        """Copy a named graph into the default graph with one SPARQL update inside the store: as
        fast as parsing the file again, and the blank nodes stay the same (a second parse would
        name them afresh).

        >>> backend = MemoryBackend()
        >>> backend.load(b"_:a <http://example.org/p> 1 .", "http://example.org/g", format="turtle")
        >>> backend.copy_into_default_graph("http://example.org/g")
        >>> backend.stats().default_graph
        1
        """
        self.stop_workers()  # they would hold the dataset as it was
        self._stats = None
        self._store.update(
            f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(graph_iri)} {{ ?s ?p ?o }} }}"
        )

    def stats(self) -> DatasetStats:
        """Count triples per graph with two aggregate queries, once per load.

        Counting reads every quad, and pyoxigraph's store writes reference counts as it reads: in
        a process forked from the one that loaded the data, a count would copy most of the pages
        it shares. Counted before the fork, the count comes with it.
        """
        if self._stats is None:
            count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
            default = next(iter(self._store.query(count)))["n"].value
            per_graph = self._store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            named = {row["g"].value: int(row["n"].value) for row in per_graph}
            self._stats = DatasetStats(int(default), dict(sorted(named.items())))
        return self._stats

    def _dataset(self, request: QueryRequest) -> dict[str, Any]:
        # Protocol parameters replace the query's FROM / FROM NAMED; one kind given alone means the
        # other is empty (SPARQL 1.1 Protocol §2.1.4). Without them pyoxigraph applies the query's own
        # dataset clauses, else the store's default graph, which holds the union of the named graphs.
        if not request.has_dataset:
            return {}
        check_graph_iris(request)
        return {
            "default_graph": [ox.NamedNode(iri) for iri in request.default_graph_uris],
            "named_graphs": [ox.NamedNode(iri) for iri in request.named_graph_uris],
        }

    def _evaluate(self, request: QueryRequest) -> Any:
        substitutions = _substitutions(request.bindings)
        try:
            return self._store.query(
                request.text, base_iri=QUERY_BASE_IRI, substitutions=substitutions, **self._dataset(request)
            )
        except SyntaxError as error:
            raise QuerySyntaxError(f"malformed query: {error}") from None
        except (RuntimeError, ValueError, OSError) as error:  # e.g. a binding for a variable not projected
            raise QueryError(f"query failed: {error}") from None

    def _execute(self, request: QueryRequest) -> Result:
        """Evaluate and write the answer in the requested format, cut at the row cap.

        pyoxigraph evaluates lazily while its writer streams, so writing the requested format
        directly costs no more than writing any other, and a cut stops the evaluation.
        """
        answer = self._evaluate(request)
        try:
            if isinstance(answer, ox.QueryBoolean):
                name = request.results_format or "json"
                payload = answer.serialize(format=results_format(name))
                assert payload is not None
                return Boolean(payload, name, value=bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                return self._rows(request, answer)
            return self._graph(request, answer)
        except (OSError, ValueError) as error:  # raised while evaluating, e.g. a bad substitution
            raise QueryError(f"query failed: {error}") from None

    def _rows(self, request: QueryRequest, answer: Any) -> Rows:
        cap, name = request.max_rows, request.results_format
        variables = tuple(v.value for v in answer.variables)
        if name in SOLUTION_MARKERS:
            written = counted(answer.serialize, name, cap)
            if written is not None:
                return Rows(written[0], name, False, variables=variables, count=written[1])
            # Possibly over the cap: evaluate again and cut exactly on TSV lines, below.
            answer = self._evaluate(request)
        # TSV: a header line, then one line per solution (newlines in literals are escaped).
        payload, lines, cut = capped(
            answer.serialize, ox.QueryResultsFormat.TSV, None if cap is None else cap + 1
        )
        rows = Rows(payload, "tsv", cut, variables=variables, count=max(lines - 1, 0))
        if name is None or name == "tsv":
            return rows
        return Rows(rows.serialize(name), name, cut, variables=variables, count=rows.count)

    def _graph(self, request: QueryRequest, answer: Any) -> Graph:
        cap, name = request.max_rows, request.graph_format
        if name is None or name == "ntriples":
            # One triple per line: the writer streams and the cut stops the evaluation.
            payload, lines, cut = capped(answer.serialize, ox.RdfFormat.N_TRIPLES, cap)
            return Graph(payload, "ntriples", cut, count=lines)
        triples = list(islice(answer, None if cap is None else cap + 1))
        cut = cap is not None and len(triples) > cap
        if cut:
            del triples[cap:]
        return Graph(write_triples(triples, name), name, cut, count=len(triples))


def _substitutions(bindings: Mapping[str, Any]) -> dict[Any, Any]:
    """The bindings as pyoxigraph terms, by variable."""
    if not bindings:
        return {}
    # rdflib terms come in: imported here, so that what never binds (haironto load) never imports rdflib.
    from haironto.convert import to_oxigraph

    return {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
