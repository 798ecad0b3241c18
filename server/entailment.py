"""Entailment per query: the ``entailment`` parameter of ``/sparql`` picks the dataset a query runs on.

Each offered regime (``ENTAILMENT`` setting; by default ``rdfs`` and ``owl-rl`` on the bundled
release, none on other data) has a backend of its own, loaded at start-up with the regime's closure
(see :mod:`haironto.entailment`): for the bundled release the closures the build wrote to
``ontology/service/``; for other data a closure computed once, in gunicorn's master (:func:`prepare`). A regime's query workers start on
its first query. Every answer of ``/sparql`` names the regime applied in ``X-HairOnto-Entailment``.
"""

from __future__ import annotations

import atexit
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g

from haironto.backends import Backend, backend_class, get_backend
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


@dataclass(frozen=True)
class Prepared:
    """A regime's dataset, assembled but not loaded: what a worker process needs from the master."""

    nquads: bytes
    """The dataset as N-Quads (see :func:`haironto.entailment.regime_dataset`)."""
    triples: int
    """Triples in the closure."""
    errors: tuple[str, ...] = ()
    """owlrl's inconsistency messages found in the closure."""


def offered_regimes(config: Mapping[str, Any]) -> list[str]:
    """The regimes a configuration offers besides ``none``.

    ``ENTAILMENT`` None (the default) offers RDFS and OWL 2 RL on the bundled release, whose
    closures ``haironto build`` wrote, and nothing on other data: owlrl is pure Python and takes
    minutes on 10^5 triples, so closing users' data is something they ask for by name.

    Raises:
        UnknownRegimeError: ``ENTAILMENT`` names a regime that does not exist.
    """
    if backend_class(config.get("BACKEND") or "memory:").holds_data:
        # A store on disk or a remote store: a closure would have to be computed over all the
        # data the store holds, in this process, and loaded into that store; none is offered.
        return []
    names = config.get("ENTAILMENT")
    if names is None:
        names = ["rdfs", "owl-rl"] if _bundled(config) else []
    return [find_regime(name).name for name in names if find_regime(name).name != "none"]


def prepare(config: Mapping[str, Any]) -> dict[str, Prepared]:
    """Assemble the dataset of every offered regime, once: ``haironto serve`` calls this in
    gunicorn's master before the fork, so that workers only load what it made.

    Raises:
        UnknownRegimeError: ``ENTAILMENT`` names a regime that does not exist.
        OntologyLoadError: a data or closure file is missing or malformed.
    """
    names = offered_regimes(config)
    if not names:
        return {}
    files = data_files(config)
    simple = assemble(files)
    union = None
    prepared: dict[str, Prepared] = {}
    for name in names:
        regime = REGIMES[name]
        if _bundled(config):
            triples = closure_triples(regime.closure_file())
            errors: tuple[str, ...] = ()
        else:
            union = union if union is not None else load_graphs(files.union_paths())
            closure: Closure = materialize(union, regime)
            log.info(
                "computed the %s closure in %.2f s: %d triples", name, closure.elapsed, len(closure.graph)
            )
            triples, errors = closure_triples(closure.graph), closure.errors
        prepared[name] = Prepared(regime_dataset(simple, regime, triples), len(triples), errors)
    return prepared


def init_app(app: Flask, prepared: Mapping[str, Prepared] | None = None) -> None:
    """Load the closure of every offered regime into a backend of its own.

    Args:
        app: the application.
        prepared: the regimes' datasets already assembled by :func:`prepare` in gunicorn's
            master; None assembles them here (tests, single-process use).

    Raises:
        UnknownRegimeError: ``ENTAILMENT`` names a regime that does not exist.
        OntologyLoadError: a data or closure file is missing or malformed.
    """
    if prepared is None:
        prepared = prepare(app.config)
    datasets: dict[str, RegimeDataset] = {}
    for name, ready in prepared.items():
        backend = get_backend(app.config["BACKEND"])
        backend.load(ready.nquads, format="nquads")
        apply_limits(backend, app.config)
        atexit.register(backend.close)
        datasets[name] = RegimeDataset(REGIMES[name], backend, ready.triples, ready.errors)
    app.extensions[EXTENSION] = (list(prepared), datasets)
    app.after_request(_say_which_regime)


def _bundled(config: Mapping[str, Any]) -> bool:
    return config.get("DATA") is None and not config.get("GRAPHS")


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
