"""rdflib's own SPARQL engine behind the Backend protocol: the reference peer for differential tests.

It is pure Python and one to two orders of magnitude slower than the default backend on joins
and aggregates (see ``bench/RESULTS-engines.md``); it exists so that answers can be checked
against a second, independent implementation. Descriptor: ``rdflib:``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import rdflib.plugins.sparql
from rdflib import Dataset, URIRef
from rdflib import Graph as RdfGraph
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.query import Result as RdfResult

from haironto.backends.base import (
    QUAD_FORMATS,
    QUERY_BASE_IRI,
    Backend,
    Boolean,
    DatasetStats,
    DataSource,
    Graph,
    QueryRequest,
    Result,
    Rows,
    check_graph_iris,
)
from haironto.errors import BackendError, OntologyLoadError, QueryError, QuerySyntaxError

_RDFLIB_FORMATS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "rdfxml": "xml",
    "jsonld": "json-ld",
}


@contextmanager
def _quiet() -> Iterator[None]:
    # rdflib 7.6's own parsers and SPARQL engine call its deprecated Dataset APIs (default_context,
    # contexts, ConjunctiveGraph); the warnings are about rdflib's code, not ours, and would fail
    # every run under `filterwarnings = error`. Only deprecations raised inside rdflib are silenced.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
        yield


class RdflibBackend(Backend):
    """An rdflib :class:`~rdflib.Dataset` queried with rdflib's SPARQL engine. Descriptor: ``rdflib:``."""

    descriptor = "rdflib:"

    def __init__(self, argument: str = "") -> None:
        super().__init__()
        if argument:
            raise BackendError(f"the rdflib backend takes no argument, got {argument!r}")
        # rdflib dereferences an unknown FROM / FROM NAMED IRI over the network unless told not to;
        # on a public endpoint that is a server-side request forgery hole. The switch is global.
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        # The default graph is the one stored, as in pyoxigraph: the dataset the service loads holds
        # the union it serves there, and a named graph outside it (a past release) must stay out.
        # (default_union=True would make every named graph part of it.) rdflib's deprecation
        # warnings on this code path are silenced by _quiet.
        self._dataset = Dataset(default_union=False)

    def _load(self, source: DataSource, graph_iri: str | None) -> None:
        """Parse into the dataset with rdflib.

        >>> backend = RdflibBackend()
        >>> data = b"<http://example.org/s> <http://example.org/p> 1 ."
        >>> backend.load(data, "http://example.org/g", format="turtle")
        >>> backend.stats().named_graphs
        {'http://example.org/g': 1}
        """
        if source.path is not None:
            where: dict[str, Any] = {"source": str(source.path), "publicID": source.base_iri}
        else:
            where = {"data": source.data}
        if source.format in QUAD_FORMATS and graph_iri is None:
            target: RdfGraph = self._dataset
        elif graph_iri is None:
            target = self._dataset.default_graph
        else:
            target = self._dataset.graph(URIRef(graph_iri))
        try:
            with _quiet():
                target.parse(format=_RDFLIB_FORMATS[source.format], **where)
        except Exception as error:  # rdflib's parsers raise many unrelated types
            raise OntologyLoadError(f"{source.where}: {error}") from None

    def copy_into_default_graph(self, graph_iri: str) -> None:
        """Add a named graph's triples (the same rdflib terms, blank nodes included) to the default graph."""
        self.stop_workers()  # they would hold the dataset as it was
        with _quiet():
            self._dataset.default_graph += self._dataset.graph(URIRef(graph_iri))

    def stats(self) -> DatasetStats:
        """Count triples per graph."""
        with _quiet():
            default = next(iter(self._dataset.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))[0]
        named = {
            str(graph.identifier): len(graph)
            for graph in self._dataset.graphs()
            if graph.identifier != self._dataset.default_graph.identifier and len(graph)
        }
        return DatasetStats(int(default), dict(sorted(named.items())))

    def _execute(self, request: QueryRequest) -> Result:
        try:
            query = translateQuery(parseQuery(request.text), base=QUERY_BASE_IRI)
        except Exception as error:  # pyparsing and rdflib raise several types for a bad query
            raise QuerySyntaxError(f"malformed query: {error}") from None
        if request.has_dataset:
            check_graph_iris(request)
            # The protocol's dataset replaces the query's own FROM / FROM NAMED clauses; rdflib
            # builds the dataset from this clause list, so the protocol's graphs go in its place.
            query.algebra["datasetClause"] = [
                CompValue("DatasetClause", default=URIRef(iri)) for iri in request.default_graph_uris
            ] + [CompValue("DatasetClause", named=URIRef(iri)) for iri in request.named_graph_uris]
        try:
            with _quiet():
                answer = self._dataset.query(query, initBindings=dict(request.bindings))
                return self._shape(answer, request.max_rows)
        except MemoryError:  # the worker's memory limit: reported as such, not as a query error
            raise
        except Exception as error:  # evaluation errors of every kind are the query's fault here
            raise QueryError(f"query failed: {error}") from None

    @staticmethod
    def _shape(answer: RdfResult, cap: int | None) -> Result:
        if answer.type == "ASK":
            return Boolean(answer.serialize(format="json"), "json", value=bool(answer.askAnswer))
        if answer.type == "SELECT":
            bindings = answer.bindings
            kept = RdfResult("SELECT")
            kept.vars = answer.vars
            kept.bindings = bindings if cap is None else bindings[:cap]
            variables = tuple(str(v) for v in answer.vars or ())
            return Rows(
                kept.serialize(format="json"),
                "json",
                cap is not None and len(bindings) > cap,
                variables=variables,
                count=len(kept.bindings),
            )
        assert answer.graph is not None
        triples = list(answer.graph)
        kept_graph = RdfGraph()
        for triple in triples if cap is None else triples[:cap]:
            kept_graph.add(triple)
        return Graph(
            kept_graph.serialize(format="nt", encoding="utf-8"),
            "ntriples",
            cap is not None and len(triples) > cap,
            count=len(kept_graph),
        )
