"""Shared loaders for tests that run on the real, released ontology."""

from __future__ import annotations

import functools
import re

import pyoxigraph as ox
from rdflib import Graph

from haironto.convert import from_oxigraph, to_oxigraph
from haironto.queries import get_query
from haironto.resources import ontology_dir
from tests.data import SHARED_DIR

ARTICLE = SHARED_DIR / "source" / "stem-cell-therapy-for-hair-loss.txt"


@functools.cache
def release_graph() -> Graph:
    """The primary release (asserted + inferred axioms), parsed by rdflib."""
    return Graph().parse(ontology_dir() / "haironto.ttl")


@functools.cache
def release_store() -> ox.Store:
    """The primary release loaded into pyoxigraph's in-memory store."""
    store = ox.Store()
    store.load(path=str(ontology_dir() / "haironto.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def run_query(name: str, engine: str = "oxigraph", **params: str) -> list[dict[str, str]]:
    """Run a curated query by name on the release; rows as {variable: string value}, unbound omitted."""
    return [{k: str(v) for k, v in row.items()} for row in run_query_terms(name, engine, **params)]


def run_query_terms(name: str, engine: str = "oxigraph", **params: str) -> list[dict]:
    """Like :func:`run_query`, with rdflib terms as values."""
    query = get_query(name)
    bindings = query.bindings(params)
    if engine == "oxigraph":
        solutions = release_store().query(
            query.text, substitutions={ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
        )
        names = [v.value for v in solutions.variables]
        return [{n: from_oxigraph(row[n]) for n in names if row[n] is not None} for row in solutions]
    result = release_graph().query(query.text, initBindings=bindings)
    names = [str(v) for v in result.vars]
    return [{n: row[n] for n in names if row[n] is not None} for row in result]


def article_text() -> str:
    """The source article with list numbers and footnote markers removed and whitespace collapsed."""
    text = ARTICLE.read_text(encoding="utf-8").replace("\u2022", " ")
    text = re.sub(r"(?<=[.:!)])[1-9](?=\s|$)", "", text)  # footnote markers glued to sentence ends
    text = re.sub(r"(?m)^\s*\d\.\s", " ", text)  # numbered list items
    return " ".join(text.split())
