"""``/api``: every curated query of ``queries/`` as a REST operation, described by OpenAPI.

``GET /api/queries`` lists the catalogue (JSON, or a page for browsers); ``GET /api/queries/NAME``
runs one query with the parameters its front matter declares, taken from the query string and
bound as typed RDF terms by :meth:`haironto.queries.Query.bindings` (never pasted into the text).
Answers are negotiated, limited and reported exactly as on ``/sparql``: the same code writes them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request, url_for

from haironto.backends import QueryRequest
from haironto.errors import HairOntoError
from haironto.queries import Query

from . import sparql
from .catalogue import RESERVED, get_catalogue
from .openapi import openapi_document
from .protocol import ProtocolError, effective_timeout, query_fields, single
from .store import get_service
from .ui import page

bp = Blueprint("api", __name__, url_prefix="/api")

# Errors, limits headers and answers are those of /sparql.
bp.register_error_handler(ProtocolError, sparql.protocol_error)
bp.register_error_handler(HairOntoError, sparql.query_error)
bp.after_request(sparql.report_limits)


def ui_link(name: str) -> str:
    """The query UI's address with one curated query opened in its tab."""
    return url_for("sparql.endpoint", _external=True) + f"#example={name}"


def describe(query: Query) -> dict[str, Any]:
    """A curated query as the listing shows it."""
    entry: dict[str, Any] = {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "role": query.role,
    }
    if query.role == "violation":
        entry["level"] = query.level
    entry["params"] = [
        {"name": p.name, "type": p.type, "description": p.description, "default": p.default}
        for p in query.params
    ]
    entry["query"] = query.text
    entry["links"] = {"run": url_for("api.run", name=query.name, _external=True), "ui": ui_link(query.name)}
    return entry


@bp.route("/queries")
def listing() -> Response:
    """Every curated query with its metadata: JSON, or an HTML page when the client prefers HTML."""
    queries = get_catalogue().queries.values()
    preferred = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if preferred == "text/html":
        response = page("queries.html", queries=queries, ui_link=ui_link)
    else:
        response = jsonify(
            queries=[describe(q) for q in queries],
            openapi=url_for("api.openapi", _external=True),
        )
    response.vary.add("Accept")
    return response


@bp.route("/queries/<name>")
def run(name: str) -> Response:
    """Run one curated query with typed parameters from the query string.

    ``format`` and ``timeout`` mean what they mean on ``/sparql``; every other parameter must be
    one the query declares.
    """
    catalogue = get_catalogue().queries
    query = catalogue.get(name)
    if query is None:
        return sparql.text_response(404, f"no curated query named {name!r}; known: {', '.join(catalogue)}")
    fields = query_fields(request)
    raw: dict[str, str] = {}
    for key, _ in fields:
        if key not in RESERVED and key not in raw:
            value = single(fields, key)
            assert value is not None
            raw[key] = value
    bindings = query.bindings(raw)
    fmt = single(fields, "format")
    service = get_service()
    g.timeout = effective_timeout(single(fields, "timeout"), service.timeout)
    return sparql.answer_query(QueryRequest(query.text, max_rows=service.max_rows, bindings=bindings), fmt)


@bp.route("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API, generated from the catalogue."""
    document = openapi_document(
        get_catalogue().queries.values(),
        server=request.host_url.rstrip("/") + request.script_root,
        title=get_service().header.title,
    )
    return jsonify(document)
