"""``GET /extract``: an import module of the served ontology, as ``haironto extract`` writes it.

The module is built by :func:`haironto.extract.extract`, the function the CLI calls, from the
ontology the service serves: the primary release ``ontology/haironto.owl`` when it serves the
bundled release, else the union of its data files; with ``release=YYYY-MM-DD``, the
``haironto.owl`` of that published release. Its ontology header records the source's version IRI.

Parameters (query string, or a form body with POST for long term lists):

* ``terms``: IDs, CURIEs or IRIs, separated by commas or spaces (the parameter may repeat);
* ``method``: ``mireot``, ``star`` (default, as in the CLI), ``bot`` or ``top``;
* ``upper``: for ``mireot``, the upper term; ``module-iri``: the module's ontology IRI;
* ``format``: ``owl`` (RDF/XML) or ``ttl`` (Turtle); without it the Accept header decides, and
  RDF/XML is the default, as in the CLI.

Each source is loaded once per process. A locality module (``star``, ``bot``, ``top``) comes from
the OWL API in a JVM this process starts on the first such request (about 4 s, then about 1 s a
module); extractions run one at a time per process, and the last answers are kept.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, Flask, Request, Response, current_app, request
from rdflib import Graph
from werkzeug.http import HTTP_STATUS_CODES

from haironto.dataset import load_graphs
from haironto.errors import HairOntoError, OntologyLoadError, UnknownTermError
from haironto.extract import DEFAULT_MODULE_IRI, METHODS, default_source, dumps, extract
from haironto.owlapi import OwlApiError
from haironto.writers import WRITERS

from . import ratelimit, releases
from .pages import secure, text_response
from .protocol import ProtocolError
from .store import data_files

bp = Blueprint("extract", __name__)

EXTENSION = "haironto-extract"
#: ``format`` values, by the names the CLI and the SPARQL endpoint use, and the writer of each.
FORMATS = {"owl": "owl", "rdfxml": "owl", "ttl": "ttl", "turtle": "ttl"}
#: The media types offered, the default (RDF/XML, as the CLI writes) first.
OFFERS = {WRITERS[fmt].media_type: fmt for fmt in ("owl", "ttl")}
#: Answers kept per process: the same module asked again is not extracted again.
CACHED = 32
#: Most terms one request may name: an import module is a handful of terms, and a worker
#: extracts one module at a time, so an unbounded list would hold it for as long as a client likes.
MAX_TERMS = 500
#: A module IRI must be an absolute http(s) IRI with nothing that would break RDF/XML or Turtle.
_MODULE_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


@dataclass
class Extractor:
    """The sources this process has loaded, its recent answers, and the lock that serialises work."""

    sources: dict[str, Graph] = field(default_factory=dict)
    answers: OrderedDict[tuple, bytes] = field(default_factory=OrderedDict)
    # The JVM must start once, and one extraction at a time keeps a worker's CPU use bounded.
    lock: threading.Lock = field(default_factory=threading.Lock)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Extractor()
    app.register_blueprint(bp)


@bp.after_request
def headers(response: Response) -> Response:
    return secure(response)


@bp.errorhandler(ProtocolError)
def protocol_error(error: ProtocolError) -> Response:
    return text_response(error.status, f"{error.status} {HTTP_STATUS_CODES[error.status]}: {error.message}")


@bp.errorhandler(UnknownTermError)
def unknown_term(error: UnknownTermError) -> Response:
    return text_response(404, f"404 Not Found: {error}")


@bp.errorhandler(HairOntoError)
def refused(error: HairOntoError) -> Response:
    if isinstance(error, (OwlApiError, OntologyLoadError)):
        # The service's installation, not the request: say what is missing and what works anyway.
        hint = " (method=mireot needs no OWL API)" if isinstance(error, OwlApiError) else ""
        return text_response(503, f"503 Service Unavailable: cannot extract a module: {error}{hint}")
    return text_response(400, f"400 Bad Request: {error}")


def requested_terms(req: Request) -> list[str]:
    """The ``terms`` parameter's values, split at commas and white space."""
    return [term for value in req.values.getlist("terms") for term in re.split(r"[\s,]+", value) if term]


def output_format(req: Request) -> tuple[str, str]:
    """The writer (``owl`` or ``ttl``) and media type the client asked for.

    Raises:
        ProtocolError: an unknown ``format`` (400), or an Accept header neither matches (406).
    """
    asked = req.values.get("format")
    if asked is not None:
        fmt = FORMATS.get(asked.lower())
        if fmt is None:
            raise ProtocolError(400, f"unknown format {asked!r}; use one of: {', '.join(FORMATS)}")
        return fmt, WRITERS[fmt].media_type
    if not req.headers.get("Accept"):
        return "owl", WRITERS["owl"].media_type
    media_type = req.accept_mimetypes.best_match(list(OFFERS))
    if media_type is None:
        raise ProtocolError(406, f"a module is available as: {', '.join(OFFERS)} (or ?format=owl|ttl)")
    return OFFERS[media_type], media_type


def source_of(req: Request) -> tuple[str, Path | None]:
    """The source asked for: a key for it, and the file to load (None: the served data files).

    Raises:
        ProtocolError: 404 when ``release`` names no published release (the message lists them).
    """
    date = req.values.get("release")
    if date:
        published = {release.date: release for release in releases.releases()}
        if date not in published:
            served = ", ".join(sorted(published)) or "none"
            raise ProtocolError(404, f"no published release {date!r}; the releases here are: {served}")
        return f"release {date}", published[date].artifact("haironto", "owl")
    if current_app.config.get("DATA") is None:
        return "current", default_source()
    return "current", None


def _source(extractor: Extractor, key: str, path: Path | None) -> Graph:
    if key not in extractor.sources:
        paths = [path] if path is not None else data_files(current_app.config).union_paths()
        extractor.sources[key] = load_graphs(paths)
    return extractor.sources[key]


@bp.route("/extract", methods=["GET", "POST"])
def extract_module() -> Response:
    """An import module for the terms asked for; see the module docstring."""
    terms = requested_terms(request)
    if not terms:
        raise ProtocolError(
            400, "no terms: name them with terms=, e.g. /extract?terms=HAIRONTO:0000007,HAIRONTO_0000010"
        )
    if len(terms) > MAX_TERMS:
        raise ProtocolError(400, f"{len(terms)} terms: at most {MAX_TERMS} per request")
    method = request.values.get("method", "star").lower()
    if method not in METHODS:
        raise ProtocolError(400, f"unknown method {method!r}; use one of: {', '.join(METHODS)}")
    upper = request.values.get("upper") or None
    if upper and method != "mireot":
        raise ProtocolError(400, f"upper applies to method=mireot only, not to method={method}")
    module_iri = request.values.get("module-iri") or DEFAULT_MODULE_IRI
    if not _MODULE_IRI.match(module_iri):
        raise ProtocolError(400, f"module-iri {module_iri!r} is not an absolute http(s) IRI")
    fmt, media_type = output_format(request)
    key, path = source_of(request)
    extractor: Extractor = current_app.extensions[EXTENSION]
    answer = (key, tuple(terms), method, upper, module_iri, fmt)
    with extractor.lock:
        body = extractor.answers.get(answer)
        if body is None:
            ratelimit.charge()  # an extraction that is not in the cache is an expensive request
            module = extract(
                terms, graph=_source(extractor, key, path), method=method, upper=upper, module_iri=module_iri
            )
            body = dumps(module, fmt).encode("utf-8")
            extractor.answers[answer] = body
            while len(extractor.answers) > CACHED:
                extractor.answers.popitem(last=False)
        extractor.answers.move_to_end(answer)
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'inline; filename="haironto_import.{fmt}"'
    response.vary.add("Accept")
    return response
