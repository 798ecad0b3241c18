"""``/health``: liveness and what is loaded, for load balancers and deploy checks."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from haironto import __version__

from .store import get_service

bp = Blueprint("status", __name__)


@bp.route("/health")
def health() -> Response:
    """Report that the process is up, which release it serves and how many triples it holds."""
    service = get_service()
    response = jsonify(
        status="ok",
        release=service.header.version,
        ontology=service.header.iri,
        triples=service.stats.default_graph,
        graphs=service.stats.named_graphs,
        backend=service.backend.descriptor,
        software=__version__,
    )
    # Liveness must be asked of the process each time, never of a cache.
    response.cache_control.no_store = True
    return response
