"""The ontology documents: ``/haironto.owl`` (and every release file), ``/releases/YYYY-MM-DD/<file>``
and the HTML documentation, ``/doc/`` and ``/releases/YYYY-MM-DD/doc/``.

These are the paths of the ontology IRIs and version IRIs under the service's base URL. Each
file name of the current release is a route of its own; a version route looks its name up in
the list of the files each published release has (:func:`haironto.documents.find_document`), so
no request path ever becomes a file path.

The documentation (written by ``haironto build`` beside the artifacts, see :mod:`haironto.docs`)
is one self-contained page with an inline stylesheet and no script; it is served with the page
headers of :mod:`.security`, like the service's own pages. The other documents get the stricter
linked-data headers of :mod:`.pages`.
"""

from __future__ import annotations

from flask import Blueprint, Response, send_file

from haironto.docs import DOC_DIR, DOC_PAGE
from haironto.documents import Document, document_names, find_document
from haironto.errors import UnknownDocumentError
from haironto.resources import ontology_dir

from . import releases
from .pages import secure, text_response

bp = Blueprint("documents", __name__)

#: The documentation page, as a release folder names it.
DOC_FILE = f"{DOC_DIR}/{DOC_PAGE}"


@bp.after_request
def headers(response: Response) -> Response:
    # HTML (the documentation) gets the page policy of .security, which lets its inline style apply.
    return response if response.mimetype == "text/html" else secure(response)


@bp.errorhandler(UnknownDocumentError)
def unknown_document(error: UnknownDocumentError) -> Response:
    return text_response(404, f"404 Not Found: {error}")


def _send(found: Document) -> Response:
    return send_file(found.path, mimetype=found.media_type)


def document(name: str) -> Response:
    """A release file of the current release, e.g. ``/haironto.owl``."""
    return _send(find_document(name))


for _name in document_names():
    bp.add_url_rule(f"/{_name}", "document", document, defaults={"name": _name})


@bp.route("/releases/<version>/<path:name>")
def version(version: str, name: str) -> Response:
    """A file of a published release at its version IRI (``doc/index.html`` included); 404 naming
    the releases there are for any other date."""
    return _send(find_document(name, version, published=releases.documents()))


@bp.route("/releases/<version>/doc/")
def release_doc(version: str) -> Response:
    """The documentation of a published release, as it was published."""
    return _send(find_document(DOC_FILE, version, published=releases.documents()))


@bp.route("/doc/")
def doc() -> Response:
    """The documentation of the current release, written by ``haironto build``."""
    path = ontology_dir() / DOC_DIR / DOC_PAGE
    if not path.is_file():
        raise UnknownDocumentError(
            f"the documentation is not in this installation ({path} is missing; run `haironto build`)"
        )
    return send_file(path, mimetype="text/html")
