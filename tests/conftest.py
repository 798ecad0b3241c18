"""Fixtures: backends on the fixture ontology."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from data import MINI, NANOFAT

from haironto.backends import Backend, get_backend
from haironto.dataset import DataFiles, load_dataset

BACKENDS = ["memory:", "rdflib:"]

#: What a reasoner infers from mini.ttl: nanofat is a treatment with stem cells as a component,
#: so it falls under the defined class "stem-cell-rich treatment".
INFERRED_TTL = f"<{NANOFAT}> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{NANOFAT[:-1]}5> .\n"


@pytest.fixture(scope="session")
def mini_full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """mini.ttl plus its one inferred axiom, as the build would write haironto-full.ttl."""
    path = tmp_path_factory.mktemp("release") / "mini-full.ttl"
    path.write_text(MINI.read_text(encoding="utf-8") + INFERRED_TTL, encoding="utf-8")
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, mini_full: Path) -> Iterator[Backend]:
    """Each backend in turn, loaded with the fixture ontology's asserted and inferred graphs."""
    engine = get_backend(request.param)
    load_dataset(engine, DataFiles((MINI,), (mini_full,)))
    yield engine
    engine.close()
