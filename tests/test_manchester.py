"""Class expressions read as Manchester-like text, with labels, and linked where they name a term."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from haironto.manchester import ENTITY, KEYWORD, Renderer, literal_text, plain
from haironto.termindex import curie

PREFIXES = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix : <urn:x:> .
"""
LABELS = {
    "urn:x:hasComponent": "has component",
    "urn:x:stemCell": "stem cell",
    "urn:x:exosome": "exosome",
    "urn:x:treatment": "treatment",
    "urn:x:lab": "a laboratory",
    "urn:x:madeBy": "made by",
    "urn:x:price": "price",
}


def label(iri: str) -> str:
    return LABELS.get(iri) or curie(iri)


A = URIRef("urn:x:a")
P = URIRef("urn:x:p")


def render(turtle_object: str) -> str:
    """Render the object of ``:a :p <turtle_object>``."""
    graph = Graph().parse(data=PREFIXES + f":a :p {turtle_object} .", format="turtle")
    return plain(Renderer(graph, label).render(graph.value(A, P)))


@pytest.mark.parametrize(
    ("turtle", "text"),
    [
        (":stemCell", "stem cell"),
        ("[ owl:onProperty :hasComponent ; owl:someValuesFrom :stemCell ]", "has component some stem cell"),
        ("[ owl:onProperty :hasComponent ; owl:allValuesFrom :stemCell ]", "has component only stem cell"),
        ("[ owl:onProperty :madeBy ; owl:hasValue :lab ]", "made by value a laboratory"),
        ("[ owl:onProperty :madeBy ; owl:hasSelf true ]", "made by Self"),
        (
            '[ owl:onProperty :hasComponent ; owl:minQualifiedCardinality "2"^^xsd:nonNegativeInteger ; '
            "owl:onClass :stemCell ]",
            "has component min 2 stem cell",
        ),
        (
            '[ owl:onProperty :hasComponent ; owl:maxCardinality "3"^^xsd:nonNegativeInteger ]',
            "has component max 3",
        ),
        (
            '[ owl:onProperty :hasComponent ; owl:qualifiedCardinality "1"^^xsd:nonNegativeInteger ; '
            "owl:onClass :exosome ]",
            "has component exactly 1 exosome",
        ),
        ("[ owl:unionOf ( :stemCell :exosome ) ]", "stem cell or exosome"),
        (
            "[ owl:intersectionOf ( :treatment [ owl:onProperty :hasComponent ; owl:someValuesFrom :stemCell ] ) ]",
            "treatment and (has component some stem cell)",
        ),
        (
            "[ owl:complementOf [ owl:onProperty :hasComponent ; owl:someValuesFrom :stemCell ] ]",
            "not (has component some stem cell)",
        ),
        ("[ owl:complementOf :exosome ]", "not exosome"),
        (
            "[ owl:onProperty :hasComponent ; owl:someValuesFrom [ owl:unionOf ( :stemCell :exosome ) ] ]",
            "has component some (stem cell or exosome)",
        ),
        ("[ owl:oneOf ( :lab ) ]", "{a laboratory}"),
        (
            "[ owl:onProperty [ owl:inverseOf :madeBy ] ; owl:someValuesFrom :lab ]",
            "(inverse made by) some a laboratory",
        ),
        (
            "[ owl:onProperty :price ; owl:someValuesFrom [ owl:onDatatype xsd:decimal ; owl:withRestrictions ( [ xsd:minInclusive 1 ] [ xsd:maxExclusive 5 ] ) ] ]",
            "price some xsd:decimal[>= 1, < 5]",
        ),
        ("[ :unrelated :thing ]", "(anonymous)"),
    ],
)
def test_expressions_read_as_manchester_syntax(turtle, text):
    assert render(turtle) == text


def test_unlabelled_names_fall_back_to_what_the_label_function_says():
    graph = Graph().parse(
        data=PREFIXES + ":a :p [ owl:onProperty :q ; owl:someValuesFrom :r ] .", format="turtle"
    )
    names = Renderer(graph, lambda iri: iri.rsplit(":", 1)[-1]).render(graph.value(A, P))
    assert plain(names) == "q some r"


def test_named_terms_are_entity_tokens_with_their_iri_and_keywords_are_marked():
    graph = Graph().parse(
        data=PREFIXES + ":a :p [ owl:onProperty :hasComponent ; owl:someValuesFrom :stemCell ] .",
        format="turtle",
    )
    tokens = Renderer(graph, label).render(graph.value(A, P))
    entities = [(t.text, t.iri) for t in tokens if t.kind == ENTITY]
    assert entities == [("has component", "urn:x:hasComponent"), ("stem cell", "urn:x:stemCell")]
    assert [t.text for t in tokens if t.kind == KEYWORD] == ["some"]


def test_a_cyclic_list_does_not_hang():
    graph = Graph().parse(
        data=PREFIXES
        + """@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
:a :p [ owl:unionOf _:l ] . _:l rdf:first :stemCell ; rdf:rest _:l .""",
        format="turtle",
    )
    assert isinstance(plain(Renderer(graph, label).render(graph.value(A, P))), str)


def test_a_self_nested_expression_is_cut_not_recursed_forever():
    graph = Graph().parse(data=PREFIXES + ":a :p _:n . _:n owl:complementOf _:n .", format="turtle")
    text = plain(Renderer(graph, label).render(graph.value(A, P)))
    assert text.startswith("not (not (") and text.count("not") < 100


@pytest.mark.parametrize(
    ("literal", "text"),
    [
        (Literal(2023), "2023"),
        (Literal("2000.5", datatype=XSD.decimal), "2000.5"),
        (Literal(True), "true"),
        (Literal("USD"), '"USD"'),
        (Literal('say "hi"'), '"say \\"hi\\""'),
        (Literal("PRP", lang="en"), '"PRP"@en'),
        (Literal("2026-11-25", datatype=XSD.date), '"2026-11-25"^^xsd:date'),
    ],
)
def test_literals_are_written_as_manchester_syntax_writes_them(literal, text):
    assert literal_text(literal) == text
