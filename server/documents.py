"""The ontology documents: ``/haironto.owl`` (and every release file) and ``/releases/YYYY-MM-DD/<file>``.

These are the paths of the ontology IRIs and version IRIs under the service's base URL. Each
file name is a route of its own, and the version route looks its name up in the same fixed list
(:func:`haironto.documents.find_document`), so no request path ever becomes a file path.
"""

from __future__ import annotations

from flask import Blueprint, Response, send_file

from haironto.documents import document_names, find_document
from haironto.errors import UnknownDocumentError

from .pages import secure, text_response

bp = Blueprint("documents", __name__)


@bp.after_request
def headers(response: Response) -> Response:
    return secure(response)


@bp.errorhandler(UnknownDocumentError)
def unknown_document(error: UnknownDocumentError) -> Response:
    return text_response(404, f"404 Not Found: {error}")


def document(name: str) -> Response:
    """A release file of the current release, e.g. ``/haironto.owl``."""
    found = find_document(name)
    return send_file(found.path, mimetype=found.media_type)


for _name in document_names():
    bp.add_url_rule(f"/{_name}", "document", document, defaults={"name": _name})


@bp.route("/releases/<version>/<name>")
def version(version: str, name: str) -> Response:
    """A release file at its dated version IRI; 404 naming the release there is for any other date."""
    found = find_document(name, version)
    return send_file(found.path, mimetype=found.media_type)
