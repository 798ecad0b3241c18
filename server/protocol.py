"""The SPARQL 1.1 Protocol's query operation: reading a request and choosing a response format.

Everything here is about HTTP; nothing runs a query. Parameters are decoded strictly as UTF-8
(Werkzeug would silently replace bad bytes), and every way a request can be malformed has its
own status and message rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from haironto.formats import GRAPH, RESULTS, Format, find_format, formats_of

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
#: The most parameters a request may carry; more is an attack, not a query.
MAX_FIELDS = 1000


class ProtocolError(Exception):
    """A request the protocol does not allow; becomes ``status`` with ``message`` as text."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Operation:
    """The parameters of one protocol request."""

    query: str | None
    """The query text, or None when the request carries none."""
    update: str | None
    """An update text; this service refuses every one."""
    default_graph_uris: tuple[str, ...] = ()
    """``default-graph-uri`` values."""
    named_graph_uris: tuple[str, ...] = ()
    """``named-graph-uri`` values."""
    format: str | None = None
    """The ``format`` parameter (a short name or a media type), overriding Accept."""
    timeout: str | None = None
    """The ``timeout`` parameter in seconds, as given."""
    entailment: str | None = None
    """The ``entailment`` parameter: the regime to answer under (see server/entailment.py)."""


def _decode_fields(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        text = raw.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {where} is not valid UTF-8") from None
    except ValueError as error:  # too many fields
        raise ProtocolError(400, f"the {where} is malformed: {error}") from None


def _single(fields: list[tuple[str, str]], name: str) -> str | None:
    values = [value for key, value in fields if key == name]
    if len(values) > 1:
        raise ProtocolError(400, f"the request has {len(values)} '{name}' parameters; give exactly one")
    return values[0] if values else None


def query_fields(request: Request) -> list[tuple[str, str]]:
    """The parameters of a request's query string, decoded strictly as UTF-8, in order.

    Raises:
        ProtocolError: bytes that are not UTF-8, or more than :data:`MAX_FIELDS` parameters.
    """
    return _decode_fields(request.query_string, "query string")


def single(fields: list[tuple[str, str]], name: str) -> str | None:
    """The one value of a parameter, or None when absent.

    Raises:
        ProtocolError: the parameter is given more than once.

    >>> single([("a", "1"), ("b", "2")], "b"), single([], "b")
    ('2', None)
    """
    return _single(fields, name)


def _charset_is_utf8(request: Request) -> bool:
    charset = request.mimetype_params.get("charset")
    return charset is None or charset.lower().replace("_", "-") in ("utf-8", "utf8")


def read_operation(request: Request) -> Operation:
    """Read the query operation from a GET or POST request (SPARQL 1.1 Protocol §2.1).

    Raises:
        ProtocolError: two queries, a query with an update, a body of the wrong media type or
            charset, bytes that are not UTF-8.
        werkzeug.exceptions.RequestEntityTooLarge: the body is over ``MAX_CONTENT_LENGTH``.
    """
    fields = _decode_fields(request.query_string, "query string")
    body_query = None
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype not in (FORM, QUERY, UPDATE):
            got = f"'{mimetype}'" if mimetype else "no Content-Type"
            raise ProtocolError(
                415, f"a POST must be {FORM} or {QUERY} (or {UPDATE}, which is refused); got {got}"
            )
        if not _charset_is_utf8(request):
            raise ProtocolError(415, f"the body must be UTF-8, not {request.mimetype_params['charset']}")
        raw = request.get_data(cache=False)
        if mimetype == FORM:
            fields += _decode_fields(raw, "form body")
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ProtocolError(400, f"the body is not valid UTF-8 ({error})") from None
            if mimetype == UPDATE:
                fields.append(("update", text))
            else:
                if any(key == "query" for key, _ in fields):
                    raise ProtocolError(400, "the query is both in the body and in the URL; give it once")
                body_query = text
    query = body_query if body_query is not None else _single(fields, "query")
    update = _single(fields, "update")
    if query is not None and update is not None:
        raise ProtocolError(400, "a request carries either a query or an update, not both")
    return Operation(
        query=query,
        update=update,
        default_graph_uris=tuple(v for k, v in fields if k == "default-graph-uri"),
        named_graph_uris=tuple(v for k, v in fields if k == "named-graph-uri"),
        format=_single(fields, "format"),
        timeout=_single(fields, "timeout"),
        entailment=_single(fields, "entailment"),
    )


def effective_timeout(requested: str | None, server_limit: float) -> float:
    """The time limit for one query: the request's, capped by the server's.

    Raises:
        ProtocolError: the requested value is not a positive number of seconds.

    >>> effective_timeout(None, 10), effective_timeout("2.5", 10), effective_timeout("60", 10)
    (10, 2.5, 10)
    """
    if requested is None:
        return server_limit
    try:
        seconds = float(requested)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0:  # also refuses NaN
        raise ProtocolError(400, f"timeout must be a positive number of seconds, got {requested!r}")
    return min(seconds, server_limit)


def _offers(kind: str) -> list[tuple[str, Format]]:
    # Canonical media types first, in the formats' order, then the aliases: on equal quality the
    # client gets the canonical type of the first format it accepts.
    formats = formats_of(kind)
    offers = [(f.media_type, f) for f in formats]
    offers += [(alias, f) for f in formats for alias in f.aliases]
    return offers


def supported(kind: str) -> str:
    """The media types of a kind, for error messages.

    >>> supported("graph")
    'text/turtle, application/n-triples, application/rdf+xml, application/ld+json'
    """
    return ", ".join(f.media_type for f in formats_of(kind))


#: What negotiation decided for one (Accept, kind, format) triple: a choice, or an error's status
#: and message. Clients send few distinct Accept headers, and parsing one costs more than the
#: rest of a cached answer, so decisions are remembered (boundedly: the header is the client's).
_Decision = tuple[Format, str] | tuple[int, str]


@lru_cache(maxsize=512)
def _decide(accept: str, kind: str, format_param: str | None) -> _Decision:
    answer = "SELECT/ASK answer" if kind == RESULTS else "CONSTRUCT/DESCRIBE graph"
    if format_param is not None:
        fmt = find_format(format_param, kind)
        if fmt is None:
            return 406, f"format '{format_param}' cannot hold a {answer}; use one of: {supported(kind)}"
        return fmt, fmt.media_type
    offers = _offers(kind)
    if not accept:
        return offers[0][1], offers[0][0]
    media_type = parse_accept_header(accept, MIMEAccept).best_match([m for m, _ in offers])
    if media_type is None:
        return (
            406,
            f"none of the accepted media types ({accept}) can hold a {answer}; supported: {supported(kind)}",
        )
    return dict(offers)[media_type], media_type


def negotiate(request: Request, kind: str, format_param: str | None) -> tuple[Format, str]:
    """Choose the format of an answer of one kind, and the media type to label it with.

    The ``format`` parameter wins over Accept; with no Accept header (or ``*/*``) the first
    format of the kind is the default.

    Raises:
        ProtocolError: 406 when nothing the client accepts can hold this kind of answer.
    """
    decision = _decide(request.headers.get("Accept", ""), kind, format_param)
    if isinstance(decision[0], int):
        raise ProtocolError(decision[0], str(decision[1]))
    return decision  # type: ignore[return-value]


def preferences(request: Request, format_param: str | None) -> dict[str, tuple[Format, str] | None]:
    """The format and media type :func:`negotiate` would choose for each kind, None where it refuses.

    Known before the query runs, so the engine can write the answer in its final format.
    """
    accept = request.headers.get("Accept", "")
    chosen: dict[str, tuple[Format, str] | None] = {}
    for kind in (RESULTS, GRAPH):
        decision = _decide(accept, kind, format_param)
        chosen[kind] = None if isinstance(decision[0], int) else decision  # type: ignore[assignment]
    return chosen


def check_acceptable(request: Request, format_param: str | None) -> None:
    """Refuse, before running a query, a request whose answer could not be written in any case.

    Raises:
        ProtocolError: an unknown ``format`` (400) or an Accept header no format matches (406).
    """
    kinds = (RESULTS, GRAPH)
    if format_param is not None:
        if all(find_format(format_param, kind) is None for kind in kinds):
            names = ", ".join(f.name for kind in kinds for f in formats_of(kind))
            raise ProtocolError(400, f"unknown format '{format_param}'; known: {names}")
        return
    accept = request.headers.get("Accept", "")
    if not accept:
        return
    if all(isinstance(_decide(accept, kind, None)[0], int) for kind in kinds):
        raise ProtocolError(
            406,
            f"none of the accepted media types ({accept}) is supported; "
            f"SELECT/ASK: {supported(RESULTS)}; CONSTRUCT/DESCRIBE: {supported(GRAPH)}",
        )


#: The name of the HTML representation in a ``format`` parameter or a file extension.
HTML = "html"
#: Media types a browser asks for a page with; the first labels the page.
HTML_MEDIA_TYPES = ("text/html", "application/xhtml+xml")


def negotiate_page(request: Request, format_param: str | None) -> tuple[Format | None, str]:
    """Choose between a resource's HTML page and its RDF graph in one of the graph formats.

    The ``format`` parameter (``html``, a graph format's name, extension or media type) wins over
    Accept. HTML is offered first, so a browser, a client without Accept and ``*/*`` get the page;
    an RDF client gets the graph format it prefers (q-values honoured).

    Returns:
        The graph format, or None for the HTML page; and the media type to label the answer with.

    Raises:
        ProtocolError: 406 when neither the page nor any graph format is acceptable.
    """
    offers: list[tuple[str, Format | None]] = [(m, None) for m in HTML_MEDIA_TYPES] + list(_offers(GRAPH))
    available = f"{HTML_MEDIA_TYPES[0]}, {supported(GRAPH)}"
    if format_param is not None:
        if format_param.split(";")[0].strip().lower() in (HTML, *HTML_MEDIA_TYPES):
            return None, HTML_MEDIA_TYPES[0]
        fmt = find_format(format_param, GRAPH)
        if fmt is None:
            raise ProtocolError(
                406, f"format '{format_param}' is not available; use one of: html, {available}"
            )
        return fmt, fmt.media_type
    if not request.headers.get("Accept"):
        return None, HTML_MEDIA_TYPES[0]
    media_type = request.accept_mimetypes.best_match([m for m, _ in offers])
    if media_type is None:
        raise ProtocolError(
            406,
            f"none of the accepted media types ({request.headers['Accept']}) is available; supported: {available}",
        )
    chosen = dict(offers)[media_type]
    return chosen, HTML_MEDIA_TYPES[0] if chosen is None else media_type
