"""A remote SPARQL 1.1 store behind the Backend protocol. Descriptor: ``remote:URL``.

Every query is forwarded over the SPARQL 1.1 Protocol (a POSTed form) through one pooled HTTP
session, under its own deadline: the whole answer must have arrived by then. Nothing runs
locally but a parse of the query (pyoxigraph's parser, so syntax errors read the same on every
backend and an update is refused before it could reach the store) and the conversion of the
answer into this package's result shapes, with the row cap applied.

The dataset: the backend knows the named graphs that make up the service's dataset (those it
loaded, or those the service names with :meth:`RemoteBackend.use_graphs`). A query that names no
dataset of its own (no ``FROM``, no protocol parameters) is sent with those graphs as
``default-graph-uri`` and ``named-graph-uri``, so the store's other graphs (Virtuoso keeps its
system graphs there) stay out of the answers. A query with its own dataset is passed through.

Two things the protocol does not offer are done here:

* bindings (:attr:`QueryRequest.bindings`) become a ``VALUES`` clause, each value written as an
  N-Triples term by pyoxigraph (never pasted text);
* a trailing ``VALUES`` clause (after the ``WHERE`` group, as the named queries' parameters are
  written) is moved to the start of the ``WHERE`` group (:func:`inline_values`): Virtuoso 7.2
  ignores a trailing one (queries/term-replacement.rq answered 302 rows instead of 1);
* ``DESCRIBE`` is rewritten into a ``CONSTRUCT`` of the concise bounded description (the
  resource's triples and, through blank nodes, up to :data:`CBD_DEPTH` levels of theirs), which
  is what the embedded engines answer; stores differ on what DESCRIBE means.

Failures of the store are :class:`~haironto.errors.StoreUnavailableError` (it is down, refuses
us, or answers garbage: HTTP 502 from the service) and :class:`~haironto.errors.StoreTimeoutError`
(no whole answer before the deadline: 504). A query the store rejects (HTTP 400) is a
:class:`~haironto.errors.QueryError` carrying the store's message.

Writing (:meth:`RemoteBackend.load`, ``haironto push``) uses the SPARQL 1.1 Graph Store HTTP
Protocol: ``PUT`` replaces a graph, ``POST`` adds to it. The graph store's URL and credentials
(HTTP digest or basic) come from ``HAIRONTO_REMOTE_GRAPH_STORE``, ``HAIRONTO_REMOTE_USER`` and
``HAIRONTO_REMOTE_PASSWORD``.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pyoxigraph as ox

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
    rdf_format,
    write_triples,
)
from haironto.backends.policy import _NOT_KEYWORDS, has_dataset_clause
from haironto.convert import to_oxigraph
from haironto.errors import (
    BackendError,
    OntologyLoadError,
    QueryError,
    QuerySyntaxError,
    StoreTimeoutError,
    StoreUnavailableError,
)

if TYPE_CHECKING:
    from haironto.backends.upload import Body

#: Seconds a query may take when the caller gives no timeout (``HAIRONTO_REMOTE_TIMEOUT``).
DEFAULT_TIMEOUT = 60.0
#: Seconds allowed to open a connection to the store.
CONNECT_TIMEOUT = 5.0
#: Levels of blank nodes followed from a described resource (OWL class expressions nest a few deep).
CBD_DEPTH = 10
#: The largest answer accepted from the store, in bytes; beyond it the store is said to misbehave.
MAX_ANSWER_BYTES = 512 * 1024 * 1024
#: Connections kept open to the store, per process.
POOL_SIZE = 8

_RESULTS_JSON = "application/sparql-results+json"
_GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_MEDIA_FORMATS = {
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
}
_UPLOAD_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
_BNODE_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_EMPTY = ox.Store()


def _mask(text: str) -> str:
    """The query with comments, strings and IRIs blanked out, offsets unchanged."""
    return _NOT_KEYWORDS.sub(lambda m: " " * len(m.group(0)), text)


def values_clause(bindings: dict[str, Any]) -> str:
    """A trailing ``VALUES`` clause that binds variables to RDF terms, written by pyoxigraph.

    >>> from rdflib import Literal
    >>> values_clause({"label": Literal('x" } ?a ?b')})
    '\\nVALUES (?label) { ("x\\\\" } ?a ?b") }'
    """
    if not bindings:
        return ""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(to_oxigraph(term)) for term in bindings.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}"


def inline_values(text: str) -> str:
    """Move a trailing ``VALUES`` clause to the start of the query's ``WHERE`` group.

    The two mean the same when the clause's variables are bound by the group's required patterns
    (the named queries' parameters are), and Virtuoso 7.2 ignores a trailing clause. A query
    without one is returned unchanged.

    >>> inline_values("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s VALUES ?s { <http://example.org/a> }")
    'SELECT ?s WHERE { VALUES ?s { <http://example.org/a> } ?s ?p ?o } ORDER BY ?s '
    >>> inline_values("ASK { ?s ?p 'VALUES' }")
    "ASK { ?s ?p 'VALUES' }"
    """
    masked = _mask(text)
    depth, opened, trailing = 0, [], None
    for match in re.finditer(r"[{}]|\bVALUES\b|\bWHERE\b", masked, re.IGNORECASE):
        token = match.group(0)
        if token == "{":
            if depth == 0:
                opened.append(match.start())
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token.upper() == "VALUES" and opened:
            trailing = match.start()
            break
        elif depth == 0 and token.upper() == "WHERE":
            opened.clear()  # the WHERE group is the next one (a CONSTRUCT template came before)
    if trailing is None or not opened:
        return text
    start = masked.index("{", trailing)
    depth, end = 0, len(text)
    for position in range(start, len(masked)):
        if masked[position] == "{":
            depth += 1
        elif masked[position] == "}":
            depth -= 1
            if depth == 0:
                end = position + 1
                break
    clause, group = text[trailing:end], opened[0] + 1
    return f"{text[:group]} {clause}{text[group:trailing]}{text[end:]}"


def describe_as_construct(text: str, bindings: dict[str, Any], depth: int = CBD_DEPTH) -> list[str]:
    """Rewrite a DESCRIBE query into CONSTRUCTs (one per resource named) of concise bounded descriptions.

    Raises:
        QueryError: ``DESCRIBE *``, which names no resource.

    >>> print(describe_as_construct("DESCRIBE <http://example.org/a>", {}, depth=1)[0])  # doctest: +NORMALIZE_WHITESPACE
    CONSTRUCT { ?__r ?__p0 ?__o0 . ?__b1_1 ?__p1 ?__o1 . } WHERE { VALUES ?__r { <http://example.org/a> }
    { { ?__r ?__p0 ?__o0 } UNION
      { ?__r ?__a1_1 ?__b1_1 FILTER(isBlank(?__b1_1)) ?__b1_1 ?__p1 ?__o1 } } }
    """
    masked = _mask(text)
    found = re.search(r"\bDESCRIBE\b", masked, re.IGNORECASE)
    if found is None:
        raise QueryError("not a DESCRIBE query")
    prologue = text[: found.start()]
    start = found.end()
    stop = re.compile(r"\bWHERE\b|\{|\bFROM\b", re.IGNORECASE).search(masked, start)
    end = stop.start() if stop else len(text)
    targets = re.findall(r"[?$]\w+|<[^>]*>|[\w.-]*:[\w.-]*|\*", text[start:end])
    if "*" in targets:
        raise QueryError("DESCRIBE * is not supported on a remote store; name the resources")
    rest, masked_rest = text[end:], masked[end:]
    dataset = ""
    where_at = re.search(r"\bWHERE\b|\{", masked_rest, re.IGNORECASE)
    if where_at is not None and where_at.start() > 0:
        dataset, rest, masked_rest = (
            rest[: where_at.start()],
            rest[where_at.start() :],
            masked_rest[where_at.start() :],
        )
    if re.match(r"\s*WHERE\b", masked_rest, re.IGNORECASE):
        cut = re.match(r"\s*WHERE", masked_rest, re.IGNORECASE).end()  # type: ignore[union-attr]
        rest, masked_rest = rest[cut:], masked_rest[cut:]
    has_where = rest.strip() != ""
    queries = []
    for target in targets:
        if target[0] in "?$":
            if not has_where:
                continue
            var = "?" + target[1:]
            # The bindings and a BOUND check go inside the group: Virtuoso 7.2 ignores a subquery's
            # VALUES clause and fails to compile a FILTER placed after the subquery.
            brace = masked_rest.index("{")
            closing = masked_rest.rindex("}")
            group = rest[brace + 1 : closing]
            modifiers = rest[closing + 1 :]
            inner = f"{values_clause(bindings).strip()} {{ {group} }} FILTER(BOUND({var}))"
            source = f"{{ SELECT DISTINCT {var} WHERE {{ {inner} }} {modifiers} }}"
            root = var
        else:
            source = f"VALUES ?__r {{ {target} }}"
            root = "?__r"
        template = [f"{root} ?__p0 ?__o0 ."]
        branches = [f"{{ {root} ?__p0 ?__o0 }}"]
        # One branch per depth: the chain of blank nodes from the resource to the triples it adds
        # (Virtuoso 7.2 drops rows of nested OPTIONALs whose FILTER reads an outer variable).
        for level in range(1, depth + 1):
            chain, previous = [], root
            for step in range(1, level + 1):
                node = f"?__b{level}_{step}"
                chain.append(f"{previous} ?__a{level}_{step} {node} FILTER(isBlank({node}))")
                previous = node
            template.append(f"{previous} ?__p{level} ?__o{level} .")
            branches.append(f"{{ {' '.join(chain)} {previous} ?__p{level} ?__o{level} }}")
        queries.append(
            f"{prologue}CONSTRUCT {{ {' '.join(template)} }} {dataset}WHERE {{ {source}\n"
            f"{{ {' UNION '.join(branches)} }} }}"
        )
    return queries


class RemoteBackend(Backend):
    """A SPARQL 1.1 endpoint reached over HTTP. Descriptor: ``remote:URL``.

    Args:
        argument: the query endpoint's URL (``http`` or ``https``).
        graph_store: the Graph Store Protocol endpoint, for :meth:`load` and ``haironto push``;
            default ``HAIRONTO_REMOTE_GRAPH_STORE``.
        user: the user for writes (``HAIRONTO_REMOTE_USER``); password ``HAIRONTO_REMOTE_PASSWORD``.
        timeout: seconds a query may take when the caller gives none (``HAIRONTO_REMOTE_TIMEOUT``).
    """

    holds_data = True

    def __init__(
        self,
        argument: str = "",
        *,
        graph_store: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__()
        parts = urlsplit(argument)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BackendError(f"the remote backend needs an http(s) URL: remote:URL, got {argument!r}")
        import requests
        from requests.adapters import HTTPAdapter

        self.url = argument
        self.descriptor = f"remote:{argument}"  # type: ignore[misc]  # per instance: it names the store
        self.graph_store = graph_store or os.environ.get("HAIRONTO_REMOTE_GRAPH_STORE") or None
        self._user = user or os.environ.get("HAIRONTO_REMOTE_USER") or None
        self._password = password if password is not None else os.environ.get("HAIRONTO_REMOTE_PASSWORD", "")
        self.default_timeout = float(timeout or os.environ.get("HAIRONTO_REMOTE_TIMEOUT") or DEFAULT_TIMEOUT)
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=POOL_SIZE, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._writer: Any = None
        self._graphs: list[str] = []
        # Triples loaded without a graph go to a graph of this backend's own, part of its default graph.
        self._default_graph = f"urn:haironto:default:{uuid.uuid4()}"
        self._local = threading.local()

    # -- the dataset ------------------------------------------------------------------------------

    def use_graphs(self, graphs: Iterable[str]) -> None:
        """Name the store's graphs that make up the dataset; an empty list leaves it to the store."""
        self._graphs = list(dict.fromkeys(graphs))

    @property
    def graphs(self) -> list[str]:
        """The named graphs of the dataset."""
        return [g for g in self._graphs if g != self._default_graph]

    def _dataset(self, request: QueryRequest) -> dict[str, list[str]]:
        if request.has_dataset:
            check_graph_iris(request)
            return {
                "default-graph-uri": list(request.default_graph_uris),
                "named-graph-uri": list(request.named_graph_uris),
            }
        if not self._graphs or has_dataset_clause(request.text):
            return {}
        # Named graphs given alone would leave the default graph empty, and the reverse: give both.
        return {
            "default-graph-uri": list(self._graphs),
            "named-graph-uri": self.graphs or [self._default_graph],
        }

    # -- queries ----------------------------------------------------------------------------------

    def answer(self, request: QueryRequest, *, timeout: float | None = None) -> Result:
        """Run a query on the store; the timeout is the HTTP exchange's, no worker process is needed."""
        if timeout is not None and timeout <= 0:
            raise StoreTimeoutError("the time limit must be positive")
        self._local.timeout = timeout
        try:
            return self.run(request)
        finally:
            self._local.timeout = None

    def start_workers(self, count: int = 1) -> None:
        """Nothing to start: the store does the work; queries are bounded by their HTTP deadline."""

    def _execute(self, request: QueryRequest) -> Result:
        try:
            # Only the kind is kept: a pyoxigraph result must not outlive this thread.
            form = type(_EMPTY.query(request.text, base_iri=QUERY_BASE_IRI))
        except SyntaxError as error:
            raise QuerySyntaxError(f"malformed query: {error}") from None
        except (ValueError, OSError, RuntimeError):
            form = type(None)  # parsed, but failed on the empty store: the store decides
        base = f"BASE <{QUERY_BASE_IRI}>\n"
        if re.search(r"\bDESCRIBE\b", _mask(request.text), re.IGNORECASE) is not None:
            texts = describe_as_construct(request.text, dict(request.bindings))
            return self._graph(request, [self._post(base + text, request, _GRAPH_TYPES) for text in texts])
        text = base + inline_values(request.text + values_clause(dict(request.bindings)))
        if form is ox.QueryTriples:
            return self._graph(request, [self._post(text, request, _GRAPH_TYPES)])
        body, _ = self._post(text, request, _RESULTS_JSON)
        return self._solutions(request, body, ask=form is ox.QueryBoolean)

    def _post(self, text: str, request: QueryRequest, accept: str) -> tuple[bytes, str]:
        import requests

        timeout = getattr(self._local, "timeout", None) or self.default_timeout
        deadline = time.monotonic() + timeout
        form: dict[str, Any] = {"query": text, **self._dataset(request)}
        try:
            response = self._session.post(
                self.url,
                data=form,
                headers={"Accept": accept},
                timeout=(min(CONNECT_TIMEOUT, timeout), timeout),
                stream=True,
            )
            with response:
                chunks, size = [], 0
                for chunk in response.iter_content(1 << 16):
                    chunks.append(chunk)
                    size += len(chunk)
                    if time.monotonic() > deadline:
                        raise StoreTimeoutError(self._too_slow(timeout))
                    if size > MAX_ANSWER_BYTES:
                        raise StoreUnavailableError(
                            f"the store at {self.url} sent more than {MAX_ANSWER_BYTES} bytes"
                        )
                body = b"".join(chunks)
        except requests.exceptions.ConnectTimeout:
            self._session.close()  # drop the pool's sockets: the next query opens fresh ones
            raise StoreUnavailableError(f"the store at {self.url} did not accept a connection") from None
        except (requests.exceptions.ReadTimeout, requests.exceptions.Timeout):
            self._session.close()
            raise StoreTimeoutError(self._too_slow(timeout)) from None
        except requests.exceptions.RequestException as error:
            self._session.close()
            raise StoreUnavailableError(f"the store at {self.url} cannot be reached: {error}") from None
        except StoreTimeoutError:
            self._session.close()
            raise
        message = body.decode("utf-8", "replace").strip()[:2000]
        if response.status_code in (400, 414, 422):
            raise QueryError(f"the store refused the query: {message}")
        if response.status_code != 200:
            raise StoreUnavailableError(
                f"the store at {self.url} answered HTTP {response.status_code}: {message}"
            )
        return body, response.headers.get("Content-Type", "")

    def _too_slow(self, timeout: float) -> str:
        return f"the store at {self.url} did not answer within {timeout:g} s"

    def _solutions(self, request: QueryRequest, body: bytes, *, ask: bool) -> Result:
        try:
            answer = json.loads(body)
            if "boolean" in answer:
                value = bool(answer["boolean"])
                variables, bindings = [], None
            else:
                variables = list(answer["head"].get("vars", []))
                bindings = answer["results"]["bindings"]
                value = None
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise StoreUnavailableError(
                f"the store at {self.url} sent no SPARQL JSON results ({error})"
            ) from None
        if ask:
            if value is None:  # Virtuoso answers ASK as a one-column SELECT of ``__ASK_RETVAL``
                value = bool(bindings) and str(bindings[0].get(variables[0], {}).get("value")) in (
                    "1",
                    "true",
                )
            payload = json.dumps({"head": {}, "boolean": value}).encode()
            result = Boolean(payload, "json", value=value)
        else:
            if bindings is None:
                raise StoreUnavailableError(f"the store at {self.url} answered a SELECT with a boolean")
            cap = request.max_rows
            kept = bindings if cap is None else bindings[:cap]
            try:
                clean = [{k: _term(v) for k, v in row.items() if k in variables} for row in kept]
            except (KeyError, TypeError, AttributeError) as error:
                raise StoreUnavailableError(
                    f"the store at {self.url} sent a malformed solution ({error})"
                ) from None
            payload = json.dumps({"head": {"vars": variables}, "results": {"bindings": clean}}).encode()
            result = Rows(
                payload,
                "json",
                cap is not None and len(bindings) > cap,
                variables=tuple(variables),
                count=len(kept),
            )
        name = request.results_format
        if name is None or name == "json":
            return result
        try:
            return type(result)(**{**result.__dict__, "payload": result.serialize(name), "syntax": name})
        except (SyntaxError, ValueError) as error:
            raise StoreUnavailableError(
                f"the store at {self.url} sent results that do not parse ({error})"
            ) from None

    def _graph(self, request: QueryRequest, answers: list[tuple[bytes, str]]) -> Graph:
        found: dict[Any, None] = {}
        for body, content_type in answers:
            media = content_type.split(";")[0].strip().lower()
            syntax = _MEDIA_FORMATS.get(media)
            if syntax is None:
                raise StoreUnavailableError(
                    f"the store at {self.url} answered a graph as {media or 'nothing'}"
                )
            try:
                # Blank node labels are scoped to one answer: keep them apart across answers.
                found.update(dict.fromkeys(q.triple for q in ox.parse(body, format=rdf_format(syntax))))
            except (SyntaxError, ValueError) as error:
                raise StoreUnavailableError(
                    f"the store at {self.url} sent a graph that does not parse ({error})"
                ) from None
        triples = list(found)
        cap = request.max_rows
        cut = cap is not None and len(triples) > cap
        if cut:
            del triples[cap:]
        name = request.graph_format or "ntriples"
        return Graph(write_triples(triples, name), name, cut, count=len(triples))

    # -- data -------------------------------------------------------------------------------------

    def stats(self) -> DatasetStats:
        """Count triples of the default graph and of each named graph, on the store."""
        total = self.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        assert isinstance(total, Rows)
        per_graph = self.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(per_graph, Rows)
        named = {row[0].value: int(row[1].value) for row in per_graph.terms() if row[0] is not None}
        default = int(total.terms()[0][0].value) if total.count else 0
        return DatasetStats(default, dict(sorted(named.items())))

    def _load(self, source: DataSource, graph_iri: str | None) -> None:
        """Write into the store with the Graph Store Protocol; the graph joins the dataset."""
        data = source.data if source.data is not None else source.path.read_bytes()  # type: ignore[union-attr]
        if source.format in QUAD_FORMATS and graph_iri is None:
            try:
                quads = list(ox.parse(data, format=rdf_format(source.format), base_iri=source.base_iri))
            except SyntaxError as error:
                raise OntologyLoadError(f"{source.where}: {error}") from None
            by_graph: dict[str, list[Any]] = {}
            for quad in quads:
                name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
                by_graph.setdefault(name, []).append(quad.triple)
            # The default graph of an assembled dataset repeats its named graphs; the store's
            # dataset makes that union itself, so only unnamed triples of their own are kept.
            named = {t for name, triples in by_graph.items() if name for t in triples}
            unnamed = [t for t in by_graph.pop("", []) if t not in named]
            if unnamed:
                by_graph[self._default_graph] = unnamed
            for name, triples in by_graph.items():
                self.put_graph(name, write_triples(triples, "ntriples"), "ntriples", replace=True)
            return
        try:
            triples = [
                q.triple for q in ox.parse(data, format=rdf_format(source.format), base_iri=source.base_iri)
            ]
        except SyntaxError as error:
            raise OntologyLoadError(f"{source.where}: {error}") from None
        target = graph_iri or self._default_graph
        self.put_graph(
            target, write_triples(triples, "ntriples"), "ntriples", replace=target not in self._graphs
        )

    def load_files(
        self, items: Iterable[tuple[Any, str | None]], *, progress: Callable[[int], object] | None = None
    ) -> dict[str, int]:
        """Write files into their named graphs: the first file of a graph replaces it, the next add to it.

        Each file is checked, then sent as N-Triples in requests of bounded size, from temporary
        files (:mod:`haironto.backends.upload`): memory stays flat whatever its size, and a
        malformed file changes nothing. A store that fails in the middle leaves the graph partly
        written; pushing again replaces it.

        Args:
            items: each file with its graph (None: the default graph of this backend).
            progress: called with the bytes sent, counted in bytes of the files.

        Returns:
            Triples written, per graph.

        Raises:
            OntologyLoadError: a file is missing or does not parse.
            BackendError: the store refused a write.
            StoreUnavailableError: it cannot be reached.
        """
        from pathlib import Path

        from haironto.backends.upload import prepare

        counts: dict[str, int] = {}
        for path, graph in items:
            target = graph or self._default_graph
            replace = target not in counts
            with prepare(Path(path), progress) as prepared:
                for piece in prepared.pieces:
                    self.put_graph(target, piece, "ntriples", replace=replace)
                    replace = False
            if replace:  # an empty file: the graph is still replaced, by nothing
                self.put_graph(target, b"", "ntriples", replace=True)
            counts[target] = counts.get(target, 0) + prepared.triples
        return counts

    def put_graph(self, graph: str, data: bytes | Body, syntax: str, *, replace: bool = True) -> None:
        """Write a graph into the store (Graph Store Protocol ``PUT``, or ``POST`` to add to it).

        ``data`` is the document, or a :class:`~haironto.backends.upload.Body` streamed from a file.

        Raises:
            BackendError: no graph store is configured, or it refused the data.
            StoreUnavailableError: the store cannot be reached.
        """
        import requests

        if self.graph_store is None:
            raise BackendError(
                "writing to a remote store needs its Graph Store Protocol URL (HAIRONTO_REMOTE_GRAPH_STORE)"
            )
        method = "PUT" if replace else "POST"
        try:
            response = self._session.request(
                method,
                self.graph_store,
                params={"graph": graph},
                data=data,
                headers={"Content-Type": _UPLOAD_TYPES.get(syntax, "application/n-triples")},
                auth=self._auth(),
                timeout=(CONNECT_TIMEOUT, max(self.default_timeout, 600.0)),
            )
        except requests.exceptions.RequestException as error:
            raise StoreUnavailableError(
                f"the graph store at {self.graph_store} cannot be reached: {error}"
            ) from None
        if response.status_code not in (200, 201, 204):
            raise BackendError(
                f"the graph store at {self.graph_store} refused {method} of <{graph}>: "
                f"HTTP {response.status_code} {response.text.strip()[:500]}"
            )
        if graph not in self._graphs:
            self._graphs.append(graph)

    def _auth(self) -> Any:
        if self._user is None:
            return None
        if self._writer is None:
            from requests.auth import HTTPDigestAuth

            # Digest (Virtuoso's /sparql-graph-crud-auth); a store asking for Basic gets it from requests too.
            self._writer = HTTPDigestAuth(self._user, self._password)
            # Take the digest challenge with an empty request: the first write then carries the
            # credentials, instead of sending its body once to be refused (401) and once again.
            self._session.head(self.graph_store, auth=self._writer, timeout=(CONNECT_TIMEOUT, 30.0))
        return self._writer

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()


def _term(value: dict[str, Any]) -> dict[str, Any]:
    # Normalize dialects: the old "typed-literal" type, and blank node labels such as Virtuoso's
    # "nodeID://b10001", which are not valid in SPARQL results.
    kind = value["type"]
    if kind == "bnode":
        return {"type": "bnode", "value": _BNODE_UNSAFE.sub("_", value["value"].removeprefix("nodeID://"))}
    if kind in ("literal", "typed-literal"):
        term = {"type": "literal", "value": value["value"]}
        if "xml:lang" in value:
            term["xml:lang"] = value["xml:lang"]
        elif value.get("datatype") and not value["datatype"].endswith("#string"):
            term["datatype"] = value["datatype"]
        return term
    return {"type": kind, "value": value["value"]}


def push(
    graph_store: str,
    release: bytes,
    files: Iterable[tuple[Any, str | None]] = (),
    *,
    graph: str | None = None,
    user: str | None = None,
    password: str | None = None,
    progress: Callable[[int], object] | None = None,
) -> dict[str, int]:
    """Publish the release (and files) into a store with the Graph Store Protocol; return triples per graph.

    Args:
        graph_store: the store's Graph Store Protocol URL.
        release: the release's named graphs as N-Quads (:func:`haironto.dataset.assemble` with
            ``union=False``).
        files: more files, each with the graph it becomes; sent in pieces
            (:meth:`RemoteBackend.load_files`).
        graph: put the whole release into this one graph instead of the asserted and inferred graphs.
        user: the user to authenticate as (digest); default ``HAIRONTO_REMOTE_USER``.
        password: default ``HAIRONTO_REMOTE_PASSWORD``.
        progress: called with the bytes of the files sent, piece by piece.

    Raises:
        OntologyLoadError: a file is missing or does not parse (nothing of it was sent).
        BackendError: the graph store refused a write.
        StoreUnavailableError: it cannot be reached.
    """
    store = RemoteBackend(graph_store, graph_store=graph_store, user=user, password=password)
    counts: dict[str, int] = {}
    by_graph: dict[str, list[Any]] = {}
    for quad in ox.parse(release, format=ox.RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, ox.NamedNode):
            by_graph.setdefault(graph or quad.graph_name.value, []).append(quad.triple)
    try:
        for name, triples in by_graph.items():
            store.put_graph(name, write_triples(triples, "ntriples"), "ntriples", replace=True)
            counts[name] = len(triples)
        counts.update(store.load_files(files, progress=progress))
    finally:
        store.close()
    return counts
