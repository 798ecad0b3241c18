"""The HairOnto SPARQL service: a Flask application built by :func:`create_app`.

Blueprints: :mod:`.sparql` (``/sparql``, the SPARQL 1.1 Protocol and service description, and the
query UI for browsers), :mod:`.api` (``/api``, the curated queries as REST operations and their
OpenAPI document), :mod:`.ui` (``/``, the landing page), :mod:`.status` (``/health``), :mod:`.terms`
(term IRIs: pages and RDF), :mod:`.documents` (the ontology documents at their IRIs and version IRIs,
and the HTML documentation at ``/doc/``) and :mod:`.reasoning` (``/reason``: reasoning jobs over users'
ontologies, and ``/qc``), :mod:`.extract` (``/extract``: import modules, as ``haironto extract``
builds them). :mod:`.releases` lists the
published releases, served as documents and as named graphs. :mod:`.entailment`
loads the datasets of the entailment regimes a query may ask for. Every response passes :mod:`.cors`
and :mod:`.compression`; :mod:`.metrics` serves ``/metrics``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Config, Flask, Response
from werkzeug.exceptions import HTTPException

if TYPE_CHECKING:
    from haironto.backends import Backend

#: Every setting, with its default. Environment variables ``HAIRONTO_<NAME>`` override them
#: (values are parsed as JSON when they can be, so ``HAIRONTO_TIMEOUT=5`` is a number), and a
#: configuration passed to :func:`create_app` overrides both.
DEFAULTS: dict[str, Any] = {
    "BACKEND": "memory:",
    # Files of the asserted graph; None serves the bundled release (haironto-base.ttl + haironto-full.ttl).
    "DATA": None,
    # Files of asserted + inferred triples; the inferred graph is what they add to DATA.
    "DATA_FULL": None,
    # Further named graphs: {graph IRI: [files]}.
    "GRAPHS": {},
    # remote: backends only: the store's named graphs that make up the dataset (JSON list);
    # default: the release's asserted and inferred graphs and the GRAPHS above.
    "REMOTE_GRAPHS": None,
    # Longest a query may run, in seconds; a request's 'timeout' parameter may only lower it.
    "TIMEOUT": 10.0,
    # Most solutions (SELECT) or triples (CONSTRUCT/DESCRIBE) in one answer.
    "MAX_ROWS": 10_000,
    # Largest request body accepted, in bytes (Flask's own setting; larger bodies get 413).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Queries one server process runs at once, each in its own worker process.
    "QUERY_WORKERS": 1,
    # MiB of memory (address space) each query worker process may use; a query that needs more is
    # stopped with a 503 saying so. 0: no limit.
    "QUERY_MEMORY": 1024,
    # Largest answer a query worker may hand back, in bytes (larger: 503 saying so). 0: no limit.
    "MAX_ANSWER_BYTES": 32 * 1024 * 1024,
    # Folder of curated queries (*.rq) offered by /api and the query UI; None: the bundled queries/.
    "QUERIES": None,
    # The answer cache of each server process: most answers, and most bytes of answers, it keeps.
    "CACHE_ENTRIES": 1024,
    "CACHE_BYTES": 64 * 1024 * 1024,
    # Answers of at least this many bytes are gzipped for clients that accept it; -1: never.
    "GZIP_THRESHOLD": 1024,
    # Seconds clients and caches may reuse an answer before revalidating it (Cache-Control max-age).
    "MAX_AGE": 3600,
    # Serve Prometheus metrics at /metrics.
    "METRICS": True,
    # Entailment regimes a query may ask for with the 'entailment' parameter, besides "none".
    # None: "rdfs" and "owl-rl" on the bundled release (closures precomputed by the build), none on
    # other data, whose closures would have to be computed at start-up (owlrl: minutes per 10^5 triples).
    "ENTAILMENT": None,
    # POST /reason: seconds a reasoning job may run (then it is killed), and jobs at once across
    # every process of the server (more get 503 with Retry-After). Keep REASON_JOBS below the
    # number of gunicorn workers, so that one is always free for SPARQL.
    "REASON_TIMEOUT": 60.0,
    "REASON_JOBS": 1,
    # Folder of the job slots' lock files, shared by the server's processes; None: one per app.
    "REASON_LOCK_DIR": None,
    # Folder of published releases, served at their version IRIs; None: the bundled releases/.
    "RELEASES": None,
    # Load each published release as a named graph (its version IRI), outside the default graph;
    # None: when the bundled release is served (DATA unset).
    "RELEASE_GRAPHS": None,
    # The per-client limit of expensive requests (queries that miss the answer cache, reasoning
    # jobs): RATE_LIMIT per RATE_LIMIT_WINDOW seconds, in bursts of at most RATE_LIMIT_BURST; more
    # get 429 with Retry-After. RATE_LIMIT 0: no limit. Loopback clients are not limited unless
    # RATE_LIMIT_LOOPBACK; X-Forwarded-For is believed only from TRUSTED_PROXIES (addresses or
    # networks). See server/ratelimit.py.
    "RATE_LIMIT": 60,
    "RATE_LIMIT_WINDOW": 60,
    "RATE_LIMIT_BURST": None,  # None: half of RATE_LIMIT
    "RATE_LIMIT_LOOPBACK": False,
    "TRUSTED_PROXIES": [],
    # The file of the clients' buckets, shared by the server's processes; None: one per app.
    "RATE_LIMIT_FILE": None,
}


def configure(target: Config, config: Mapping[str, Any] | None = None) -> Config:
    """Fill a Flask config: :data:`DEFAULTS`, then the environment (unless testing), then ``config``."""
    config = config or {}
    target.from_mapping(DEFAULTS)
    if not config.get("TESTING"):
        target.from_prefixed_env("HAIRONTO")
    target.from_mapping(config)
    return target


def create_app(
    config: Mapping[str, Any] | None = None,
    *,
    backend: Backend | None = None,
    user_graphs_added: bool = False,
    regimes: Mapping[str, Any] | None = None,
) -> Flask:
    """Build the service.

    Args:
        config: settings that override :data:`DEFAULTS` and the environment; a test
            configuration (``TESTING`` true) is not mixed with the environment at all.
        backend: the backend already opened with the configured dataset
            (:func:`haironto.server.store.open_backend`); ``haironto serve`` loads an in-process
            backend once, before gunicorn forks its workers, which then share its memory.
            None opens it here.
        user_graphs_added: the user's files are in the store already (``haironto serve`` adds
            them once, in the master, to a store that holds its data).
        regimes: the entailment regimes' datasets, likewise prepared once in the master
            (:func:`haironto.server.entailment.prepare`); None prepares them here.

    Raises:
        BackendError: the backend cannot be opened or its workers cannot start.
        OntologyLoadError: a data file is missing or malformed.
        QueryError: a curated query file is malformed.
    """
    from . import (
        api,
        catalogue,
        compression,
        cors,
        documents,
        entailment,
        extract,
        metrics,
        ratelimit,
        reasoning,
        releases,
        security,
        sparql,
        status,
        store,
        terms,
        ui,
    )

    app = Flask(__name__)
    configure(app.config, config)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        # Plain text like every other error of the service, not Werkzeug's HTML page.
        response = error.get_response()
        response.set_data(f"{error.code} {error.name}: {error.description}\n")
        response.mimetype = "text/plain"
        return response

    catalogue.init_app(app)  # before the backend starts its workers: a bad query file fails fast
    releases.init_app(app)
    store.init_app(app, backend, user_graphs_added=user_graphs_added)
    # After-request hooks run last-registered first: compression, registered first, runs last and
    # sees the final headers and body.
    compression.init_app(app)
    cors.init_app(app)
    metrics.init_app(app)
    entailment.init_app(app, regimes)
    reasoning.init_app(app)
    ratelimit.init_app(app)
    security.init_app(app)
    terms.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(status.bp)
    app.register_blueprint(terms.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(reasoning.bp)
    extract.init_app(app)
    return app


def close_app(app: Flask) -> None:
    """Stop the query workers of the app's backend and of its entailment regimes (tests call this;
    a server process does it at exit)."""
    from . import entailment, store

    entailment.close_app(app)
    store.close_app(app)
