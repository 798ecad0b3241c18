"""Term IRIs dereference here: ``/HAIRONTO_nnnnnnn`` as an HTML page or as RDF, by content negotiation.

Routes:

* ``/HAIRONTO_nnnnnnn``: the term, as the client's Accept header (or a ``format`` parameter)
  asks; ``/HAIRONTO_nnnnnnn.ttl`` (``.nt``, ``.rdf``, ``.jsonld``, ``.html``) for one format;
* ``/term/<ID, CURIE, label or synonym>``: a look-up, answered with a 303 to the term's page;
* ``/term?iri=<IRI>``: the page of any IRI the dataset describes (terms of the ontology are
  redirected to their own path).

What a term is comes from :class:`haironto.terms.Terms`; this module only picks the
representation and renders it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, g, redirect, render_template, request, url_for

from haironto.docs import anchor
from haironto.errors import (
    HairOntoError,
    MalformedTermError,
    StoreTimeoutError,
    StoreUnavailableError,
    UnknownTermError,
)
from haironto.formats import GRAPH, formats_of
from haironto.namespaces import BASE, PREFIX
from haironto.termindex import ID_FORMAT
from haironto.terms import Terms

from .pages import secure, text_response
from .protocol import HTML, ProtocolError, negotiate_page
from .store import EXTENSION as STORE
from .store import get_service

bp = Blueprint("terms", __name__)

EXTENSION = "haironto.terms"
#: The ontology's own term IRIs: the service answers for them under its own base URL.
OWN_TERMS = f"{BASE}{PREFIX}_"
#: File extensions a term URL may end with, each naming one representation.
EXTENSIONS = (HTML, *(fmt.extension for fmt in formats_of(GRAPH)))


def init_app(app: Flask) -> None:
    """Index the names of the loaded dataset once, for every term page this process serves.

    Call it after :func:`server.store.init_app`.
    """
    app.extensions[EXTENSION] = Terms(app.extensions[STORE].backend)


def get_terms() -> Terms:
    """The current app's :class:`~haironto.terms.Terms`."""
    return current_app.extensions[EXTENSION]


# -- URLs ------------------------------------------------------------------------------------------


def page_url(iri: str, fmt: str | None = None, external: bool = False) -> str | None:
    """The URL of an IRI's page on this service (or of one representation), None when it has none."""
    if iri.startswith(OWN_TERMS):
        local = iri[len(OWN_TERMS) :] + (f".{fmt}" if fmt else "")
        return url_for("terms.term", local=local, _external=external)
    if iri in get_terms().index:
        return url_for("terms.by_iri", iri=iri, format=fmt, _external=external)
    return None


def href(iri: str | None) -> str | None:
    """Where a link to an IRI goes: its page here, else the IRI itself if it is a web address."""
    if not iri:
        return None
    local = page_url(iri)
    if local is not None:
        return local
    return iri if iri.startswith(("https://", "http://")) else None


@bp.app_template_global("term_href")
def term_href(iri: str | None) -> str | None:
    """:func:`href` for templates."""
    return href(iri)


@bp.app_template_global("web_href")
def web_href(iri: str | None) -> str | None:
    """An IRI as a link target only if it is a web address (never ``javascript:`` and the like)."""
    return iri if iri and iri.startswith(("https://", "http://")) else None


@bp.context_processor
def ontology_header() -> dict[str, Any]:
    """The ontology's title, version and license, for every page's header and footer."""
    return {"header": get_service().header}


# -- answers ----------------------------------------------------------------------------------------


@bp.after_request
def headers(response: Response) -> Response:
    """Every answer here depends on Accept (the 404 too) and carries the security headers."""
    response.vary.add("Accept")
    return secure(response)


@bp.errorhandler(ProtocolError)
def protocol_error(error: ProtocolError) -> Response:
    return text_response(error.status, error.message)


@bp.errorhandler(UnknownTermError)
def unknown_term(error: UnknownTermError) -> Response:
    """404 with the terms closest to what was asked, as a page or as text by Accept."""
    index = get_terms().index
    suggestions = [entry for iri in error.suggestions if (entry := index.get(iri)) is not None]
    try:
        fmt, _ = negotiate_page(request, g.get("format_param"))
    except ProtocolError:
        fmt = formats_of(GRAPH)[0]  # nothing acceptable: text
    if fmt is None:
        page = render_template(
            "not_found.html",
            message=str(error),
            suggestions=suggestions,
            id_format=ID_FORMAT if isinstance(error, MalformedTermError) else None,
        )
        return Response(page, status=404, mimetype="text/html")
    lines = [f"404 Not Found: {error}"]
    if suggestions:
        lines.append("Did you mean:")
        lines += [f"  {e.curie}  {e.name}  {page_url(e.iri, external=True) or e.iri}" for e in suggestions]
    return text_response(404, "\n".join(lines))


@bp.errorhandler(HairOntoError)
def backend_error(error: HairOntoError) -> Response:
    # A remote store that is down or garbled is a bad gateway, one that is too slow a gateway timeout.
    status, reason = (
        (504, "Gateway Timeout")
        if isinstance(error, StoreTimeoutError)
        else (502, "Bad Gateway")
        if isinstance(error, StoreUnavailableError)
        else (503, "Service Unavailable")
    )
    return text_response(status, f"{status} {reason}: the term could not be read: {error}")


def represent(iri: str, format_param: str | None) -> Response:
    """Answer with the term's page or its concise RDF description, as negotiated."""
    terms = get_terms()
    fmt, media_type = negotiate_page(request, format_param)
    if fmt is None:
        description = terms.describe(iri)
        alternates = [
            {"name": f.name, "media_type": f.media_type, "url": page_url(iri, f.extension)}
            for f in formats_of(GRAPH)
        ]
        page = render_template("term.html", term=description, alternates=alternates, doc_href=doc_href(iri))
        return Response(page, mimetype="text/html")
    response = Response(terms.rdf(iri).serialize(fmt), mimetype=media_type)
    if media_type.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    return response


def doc_href(iri: str) -> str | None:
    """The term's section in the HTML documentation (``/doc/#HAIRONTO_...``), when the service
    serves the bundled release the documentation describes; None otherwise."""
    fragment = anchor(iri)
    if not fragment or current_app.config.get("DATA") is not None:
        return None
    return f"{url_for('documents.doc')}#{fragment}"


@bp.route("/HAIRONTO_", defaults={"local": ""})
@bp.route("/HAIRONTO_<local>")
def term(local: str) -> Response:
    """A term IRI: ``/HAIRONTO_0000007``, or ``/HAIRONTO_0000007.ttl`` for one representation."""
    number, dot, extension = local.partition(".")
    g.format_param = request.args.get("format")
    if dot:
        if extension not in EXTENSIONS:
            raise UnknownTermError(
                f"{PREFIX}_{local} names no representation: a term is available as "
                + ", ".join(f"{PREFIX}_{number}.{e}" for e in EXTENSIONS),
            )
        g.format_param = extension
    iri = get_terms().index.resolve_id(f"{PREFIX}_{number}")
    return represent(iri, g.format_param)


@bp.route("/term/<path:reference>")
def lookup(reference: str) -> Any:
    """Look a term up by ID, CURIE, IRI, label or synonym; 303 to its page."""
    g.format_param = request.args.get("format")
    iri = get_terms().index.resolve(reference)
    return redirect(_canonical(iri), 303)


@bp.route("/term")
def by_iri() -> Any:
    """The page of any IRI the dataset describes: ``/term?iri=http://purl.obolibrary.org/obo/RO_0002180``."""
    g.format_param = request.args.get("format")
    given = request.args.get("iri", "").strip()
    if not given:
        raise UnknownTermError(
            "give the term to look up: /term?iri=<IRI>, or /term/<ID, CURIE, label or synonym>; " + ID_FORMAT
        )
    try:
        iri = get_terms().index.resolve(given)
    except UnknownTermError:
        # The index holds the ontology's terms; any other IRI the dataset describes (the user's
        # data) has a page too.
        if not get_terms().describes(given):
            raise
        return represent(given, g.format_param)
    if iri.startswith(OWN_TERMS) or iri != given:
        return redirect(_canonical(iri), 303)
    return represent(iri, g.format_param)


def _canonical(iri: str) -> str:
    # The page's own URL, keeping a requested format.
    url = page_url(iri)
    assert url is not None  # resolved IRIs are in the index
    if g.format_param and iri.startswith(OWN_TERMS):
        url += "?" + urlencode({"format": g.format_param})
    elif g.format_param:
        url = url_for("terms.by_iri", iri=iri, format=g.format_param)
    return url
