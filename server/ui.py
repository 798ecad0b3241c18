"""The pages people read: the landing page (``/``) and the query UI (YASGUI), served from the package.

YASGUI's built files ship in ``static/yasgui/`` (see its README); the page loads nothing from
anywhere else. It queries this service's own ``/sparql`` and opens every curated query of the
catalogue in a tab.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, url_for

from haironto.backends.base import OUTPUT_PREFIXES

from .catalogue import get_catalogue
from .releases import graphs as release_graphs
from .releases import releases
from .store import get_service

bp = Blueprint("ui", __name__)


def page(template: str, **context: object) -> Response:
    """Render one of the service's HTML pages (``templates/``), with the ontology's title and the service."""
    service = get_service()
    title = service.header.title or "HairOnto"
    html = render_template(template, title=title, service=service, **context)
    return Response(html, mimetype="text/html")


def query_page() -> Response:
    """The query UI: YASGUI on this service's endpoint, with the curated queries as example tabs.

    Every query is listed beside the editor (name and summary) and opens in a tab on a click; the
    competency questions are open from the start, the QC rules wait to be asked for. Each
    example is the query with its parameters' defaults in a trailing ``VALUES`` clause
    (:meth:`haironto.queries.Query.with_values`), so what runs in the UI is what the API runs
    with no parameters given, and the values are there to edit.
    """
    catalogue = get_catalogue()
    examples = [
        {
            "name": q.name,
            "summary": q.summary,
            "role": q.role,
            "open": q.role != "violation",
            "query": q.with_values(),
        }
        for q in catalogue.queries.values()
    ]
    config = {
        "endpoint": url_for("sparql.endpoint"),
        "prefixes": url_for("ui.prefixes"),
        # A new catalogue resets the tabs a browser kept; until then a visitor's edits stay.
        "persistenceId": f"haironto-{catalogue.fingerprint}",
        "examples": examples,
    }
    return page("ui.html", config=config, examples=examples)


@bp.route("/")
def home() -> Response:
    """The landing page: what the service holds and where everything is."""
    queries = get_catalogue().queries
    sample = next((q for q in queries.values() if q.params), None)
    return page(
        "home.html", queries=queries, sample=sample, releases=releases(), release_graphs=release_graphs()
    )


@bp.route("/ui/prefixes.json")
def prefixes() -> Response:
    """The prefixes the query editor offers after ``PREFIX`` (in place of prefix.cc, which is online)."""
    return jsonify(OUTPUT_PREFIXES)
