"""Fixtures shared by the test suites."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import Graph

from tests.data import MINI


@pytest.fixture
def mini() -> Graph:
    """A fresh copy of the fixture ontology, free to change."""
    return Graph().parse(MINI)


@pytest.fixture
def runner() -> CliRunner:
    """A click runner for the ``haironto`` command."""
    return CliRunner()
