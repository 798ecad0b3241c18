"""Entailment per query: the ``entailment`` parameter of ``/sparql`` picks the dataset a query runs on.

Each offered regime (``ENTAILMENT`` setting, default ``rdfs`` and ``owl-rl``) has a backend of its
own, loaded once at start-up with the regime's closure (see :mod:`haironto.entailment`): for the
bundled release the closures the build wrote to ``ontology/service/``; for other data (``DATA``,
``GRAPHS``) a closure computed here, once per server process. A regime's query workers start on
its first query. Every answer of ``/sparql`` names the regime applied in ``X-HairOnto-Entailment``.
"""

from __future__ import annotations

import atexit
import logging
from dataclasses import dataclass

from flask import Flask, Response, current_app, g

from haironto.backends import Backend, get_backend
from haironto.dataset import assemble, load_graphs
from haironto.entailment import (
    REGIMES,
    Closure,
    Regime,
    closure_triples,
    find_regime,
    materialize,
    regime_dataset,
)

from .store import apply_limits, data_files, get_service

EXTENSION = "haironto-entailment"
#: Response headers: the regime's IRI, its OWL 2 profile (owl-rl), and owlrl's inconsistency messages.
HEADER = "X-HairOnto-Entailment"
PROFILE_HEADER = "X-HairOnto-Entailment-Profile"
ERRORS_HEADER = "X-HairOnto-Entailment-Errors"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegimeDataset:
    """A regime's dataset, loaded."""

    regime: Regime
    """The regime."""
    backend: Backend
    """The backend holding the closure."""
    triples: int
    """Triples in the closure (the default graph)."""
    errors: tuple[str, ...] = ()
    """owlrl's inconsistency messages found in the closure."""


def init_app(app: Flask, dataset: bytes | None = None) -> None:
    """Load the closure of every offered regime into a backend of its own.

    ``dataset`` is the configured files already assembled (see :func:`haironto.server.create_app`),
    so that it is not assembled again in every worker.

    Raises:
        UnknownRegimeError: ``ENTAILMENT`` names a regime that does not exist.
        OntologyLoadError: a data or closure file is missing or malformed.
    """
    offered = [find_regime(name).name for name in app.config["ENTAILMENT"]]
    files = data_files(app.config)
    bundled = app.config.get("DATA") is None and not app.config.get("GRAPHS")
    simple = dataset if dataset is not None else assemble(files)
    union = None
    datasets: dict[str, RegimeDataset] = {}
    for name in offered:
        regime = REGIMES[name]
        if name == "none":
            continue
        if bundled:
            triples = closure_triples(regime.closure_file())
            errors: tuple[str, ...] = ()
        else:
            union = union if union is not None else load_graphs(files.paths())
            closure: Closure = materialize(union, regime)
            log.info(
                "computed the %s closure in %.2f s: %d triples", name, closure.elapsed, len(closure.graph)
            )
            triples, errors = closure_triples(closure.graph), closure.errors
        backend = get_backend(app.config["BACKEND"])
        backend.load(regime_dataset(simple, regime, triples), format="nquads")
        apply_limits(backend, app.config)
        atexit.register(backend.close)
        datasets[name] = RegimeDataset(regime, backend, len(triples), errors)
    app.extensions[EXTENSION] = (offered, datasets)
    app.after_request(_say_which_regime)


def _say_which_regime(response: Response) -> Response:
    regime = g.get("entailment")
    if regime is not None:
        response.headers.update(headers(regime))
    return response


def offered() -> list[str]:
    """The regimes the current app offers, ``none`` first."""
    names, _ = current_app.extensions[EXTENSION]
    return ["none", *(name for name in names if name != "none")]


def datasets() -> dict[str, RegimeDataset]:
    """The loaded regime datasets of the current app, by regime name."""
    return current_app.extensions[EXTENSION][1]


def select(name: str | None) -> tuple[Regime, Backend]:
    """The regime a request asks for and the backend to run its query on.

    Raises:
        UnknownRegimeError: the regime is not offered; the message lists those that are (400).
    """
    regime = find_regime(name, offered())
    if regime.name == "none":
        return regime, get_service().backend
    return regime, datasets()[regime.name].backend


def headers(regime: Regime) -> dict[str, str]:
    """The response headers that say which regime answered."""
    values = {HEADER: regime.iri}
    if regime.profile:
        values[PROFILE_HEADER] = regime.profile
    loaded = current_app.extensions[EXTENSION][1].get(regime.name)
    if loaded is not None and loaded.errors:
        values[ERRORS_HEADER] = str(len(loaded.errors))
    return values


def close_app(app: Flask) -> None:
    """Stop the regimes' query workers (tests call this; a server process does it at exit)."""
    _, loaded = app.extensions.pop(EXTENSION, ([], {}))
    for dataset in loaded.values():
        dataset.backend.close()
        atexit.unregister(dataset.backend.close)
