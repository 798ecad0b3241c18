"""Shared loaders for tests that run on the real, released ontology."""

from __future__ import annotations

import functools
import re

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

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


def _to_oxigraph(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    assert isinstance(term, Literal)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def _to_rdflib(term):
    # rdflib normalises lexical forms ("2000" as xsd:decimal becomes "2000.0"), so both engines'
    # answers go through rdflib terms before they are compared as strings.
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else datatype)


def run_query(name: str, engine: str = "oxigraph", **params: str) -> list[dict[str, str]]:
    """Run a curated query by name on the release; rows as {variable: string value}, unbound omitted."""
    return [{k: str(v) for k, v in row.items()} for row in run_query_terms(name, engine, **params)]


def run_query_terms(name: str, engine: str = "oxigraph", **params: str) -> list[dict]:
    """Like :func:`run_query`, with rdflib terms as values."""
    query = get_query(name)
    bindings = query.bindings(params)
    if engine == "oxigraph":
        solutions = release_store().query(
            query.text, substitutions={ox.Variable(k): _to_oxigraph(v) for k, v in bindings.items()}
        )
        names = [v.value for v in solutions.variables]
        return [{n: _to_rdflib(row[n]) for n in names if row[n] is not None} for row in solutions]
    result = release_graph().query(query.text, initBindings=bindings)
    names = [str(v) for v in result.vars]
    return [{n: row[n] for n in names if row[n] is not None} for row in result]


def article_text() -> str:
    """The source article with list numbers and footnote markers removed and whitespace collapsed."""
    text = ARTICLE.read_text(encoding="utf-8").replace("\u2022", " ")
    text = re.sub(r"(?<=[.:!)])[1-9](?=\s|$)", "", text)  # footnote markers glued to sentence ends
    text = re.sub(r"(?m)^\s*\d\.\s", " ", text)  # numbered list items
    return " ".join(text.split())
