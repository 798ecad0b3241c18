"""``/sparql``: the SPARQL 1.1 Protocol, query side, the service description, and the query UI for browsers."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, current_app, g, request

from haironto.backends import Backend, QueryRequest
from haironto.cache import request_key
from haironto.errors import (
    BackendError,
    HairOntoError,
    QueryError,
    QueryRefusedError,
    QueryResourceError,
    QueryTimeoutError,
    ReadOnlyError,
    StoreTimeoutError,
    StoreUnavailableError,
)
from haironto.formats import GRAPH, RESULTS, Format, find_format

from . import entailment, ratelimit
from .conditional import SAFE, etag_of, mark_cacheable, not_modified
from .description import describe_service
from .metrics import get_metrics
from .protocol import (
    ProtocolError,
    check_acceptable,
    effective_timeout,
    negotiate,
    preferences,
    read_operation,
)
from .store import get_service
from .ui import query_page

bp = Blueprint("sparql", __name__)

TIMEOUT_HEADER = "X-HairOnto-Timeout"
ROW_LIMIT_HEADER = "X-HairOnto-Row-Limit"
ROWS_HEADER = "X-HairOnto-Rows"
TRUNCATED_HEADER = "X-HairOnto-Truncated"
CACHE_HEADER = "X-HairOnto-Cache"

READ_ONLY = "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) is refused"

#: How each error a client can cause is answered. The first matching class wins.
STATUS = (
    (ReadOnlyError, 403),
    (QueryRefusedError, 400),
    (QueryTimeoutError, 503),
    (QueryResourceError, 503),
    (QueryError, 400),
    (StoreTimeoutError, 504),
    (StoreUnavailableError, 502),
    (BackendError, 503),
    (HairOntoError, 400),
)


def text_response(status: int, message: str) -> Response:
    """A plain-text answer, for errors."""
    return Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")


@bp.errorhandler(ProtocolError)
def protocol_error(error: ProtocolError) -> Response:
    return text_response(error.status, error.message)


@bp.errorhandler(HairOntoError)
def query_error(error: HairOntoError) -> Response:
    status = next(code for kind, code in STATUS if isinstance(error, kind))
    if isinstance(error, QueryTimeoutError):
        get_metrics().timeouts.inc()
    response = text_response(status, str(error))
    if status >= 500:
        # A timeout or a dead worker says nothing lasting about the query: never keep it.
        response.cache_control.no_store = True
    return response


@bp.after_request
def report_limits(response: Response) -> Response:
    """Tell every client the limits its query ran under (success or error alike)."""
    service = get_service()
    response.headers[TIMEOUT_HEADER] = f"{g.get('timeout', service.timeout):g}"
    response.headers[ROW_LIMIT_HEADER] = str(service.max_rows)
    vary = response.headers.get("Vary")
    # A plain string: parsing the header into a set costs more than the rest of this hook.
    response.headers["Vary"] = f"{vary}, Accept" if vary else "Accept"
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a query, or describe the service when a GET carries none."""
    operation = read_operation(request)
    if operation.update is not None:
        raise ReadOnlyError(READ_ONLY)
    if operation.query is None:
        if request.method in ("GET", "HEAD"):
            return service_description(operation.format)
        raise ProtocolError(400, "the request carries no 'query' parameter")
    service = get_service()
    g.timeout = effective_timeout(operation.timeout, service.timeout)
    g.entailment, backend = entailment.select(operation.entailment)
    query = QueryRequest(
        operation.query,
        max_rows=service.max_rows,
        default_graph_uris=operation.default_graph_uris,
        named_graph_uris=operation.named_graph_uris,
    )
    return answer_query(query, operation.format, backend=backend, scope=g.entailment.name)


def answer_query(
    query: QueryRequest, format_param: str | None, *, backend: Backend | None = None, scope: str = "none"
) -> Response:
    """Answer a query in the format the client chose (``format``, else Accept), through the
    answer cache, with validators (ETag, Last-Modified) and the row count, truncation and cache
    headers. ``/sparql`` and the named-query API both answer through this.

    Raises:
        ProtocolError: 406 when no acceptable format can hold this kind of answer.
        HairOntoError: the query is malformed, refused, or timed out.
        RateLimited: the query is not in the cache and the client has used its rate limit (429).

    Args:
        query: the query and its limits; its formats are filled in here.
        format_param: the request's ``format`` parameter, which overrides Accept.
        backend: where to run it; by default the service's backend (simple entailment).
        scope: the name of the dataset ``backend`` holds (an entailment regime), part of the
            answer's identity in the cache and in its ETag.
    """
    service = get_service()
    check_acceptable(request, format_param)
    chosen = preferences(request, format_param)
    # The engine writes the answer in its final format, so this process only passes bytes on.
    query = replace(query, results_format=_name(chosen[RESULTS]), graph_format=_name(chosen[GRAPH]))
    # Known before the query runs: a client revalidating what it holds costs no query at all.
    etag = etag_of(
        service.release, "sparql", scope, request_key(query), [c and c[1] for c in chosen.values()]
    )
    unchanged = not_modified(service.release, etag)
    if unchanged is not None:
        return unchanged
    result, hit = service.cache.answer(
        backend or service.backend, query, timeout=g.timeout, scope=scope, on_miss=ratelimit.charge
    )
    metrics = get_metrics()
    (metrics.cache_hits if hit else metrics.cache_misses).inc()
    if result.truncated:
        metrics.truncated.inc()
    fmt, media_type = chosen[result.kind] or negotiate(request, result.kind, format_param)
    response = Response(result.serialize(fmt), mimetype=media_type)
    if media_type.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    count = getattr(result, "count", None)
    if count is not None:
        response.headers[ROWS_HEADER] = str(count)
    response.headers[TRUNCATED_HEADER] = "true" if result.truncated else "false"
    response.headers[CACHE_HEADER] = "hit" if hit else "miss"
    if request.method in SAFE:
        mark_cacheable(response, service.release, etag)
    return response


def _name(choice: tuple[Format, str] | None) -> str | None:
    return None if choice is None else choice[0].name


def service_description(format_param: str | None) -> Response:
    """The SPARQL 1.1 Service Description in the RDF format the client prefers, or an HTML page."""
    offers = [
        "text/turtle",
        "application/rdf+xml",
        "application/ld+json",
        "application/n-triples",
        "text/html",
    ]
    if format_param is not None:
        chosen = find_format(format_param, GRAPH)
        if chosen is None:
            raise ProtocolError(406, f"the service description is available as: {', '.join(offers)}")
        media_type: str | None = chosen.media_type
    elif request.headers.get("Accept"):
        media_type = request.accept_mimetypes.best_match(offers)
    else:
        media_type = offers[0]
    if media_type is None:
        raise ProtocolError(406, f"the service description is available as: {', '.join(offers)}")
    service = get_service()
    max_body = current_app.config.get("MAX_CONTENT_LENGTH")
    # The description names the URL it was asked at, so that is part of its identity.
    etag = etag_of(service.release, "description", request.base_url, media_type, max_body)
    unchanged = not_modified(service.release, etag)
    if unchanged is not None:
        return unchanged
    if media_type == "text/html":
        response = query_page()
    else:
        fmt = find_format(media_type, GRAPH)
        assert fmt is not None
        graph = describe_service(request.base_url, service, max_body)
        rdflib_name = {"turtle": "turtle", "rdfxml": "xml", "jsonld": "json-ld", "ntriples": "nt"}[fmt.name]
        response = Response(graph.serialize(format=rdflib_name, encoding="utf-8"), mimetype=media_type)
        if media_type.startswith("text/"):
            response.mimetype_params["charset"] = "utf-8"
    return mark_cacheable(response, service.release, etag)
