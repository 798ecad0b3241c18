"""OWL class expressions written the way people read them: a Manchester-like syntax with labels.

``[ owl:onProperty RO:0002180 ; owl:someValuesFrom HAIRONTO:0000116 ]`` reads "has component
some platelet"; a complement reads "not (has component some regenerative cell)". The result is a
sequence of :class:`Token` rather than a string, so that a page can link every named term in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, XSD
from rdflib.term import Node

KEYWORD = "keyword"
ENTITY = "entity"
LITERAL = "literal"
TEXT = "text"

#: Restriction properties, with the keyword each one reads as.
_FILLERS = (
    (OWL.someValuesFrom, "some"),
    (OWL.allValuesFrom, "only"),
    (OWL.hasValue, "value"),
)
_CARDINALITIES = (
    (OWL.minQualifiedCardinality, "min"),
    (OWL.maxQualifiedCardinality, "max"),
    (OWL.qualifiedCardinality, "exactly"),
    (OWL.minCardinality, "min"),
    (OWL.maxCardinality, "max"),
    (OWL.cardinality, "exactly"),
)
_FACETS = {
    XSD.minInclusive: ">=",
    XSD.maxInclusive: "<=",
    XSD.minExclusive: ">",
    XSD.maxExclusive: "<",
    XSD.length: "length",
    XSD.minLength: "minLength",
    XSD.maxLength: "maxLength",
    XSD.pattern: "pattern",
}
#: Literals of these datatypes are written bare, as Manchester syntax writes numbers and booleans.
_BARE = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.nonNegativeInteger}
#: Deeper nesting than this is not an ontology someone reads; it is cut rather than recursed into.
MAX_DEPTH = 32


@dataclass(frozen=True)
class Token:
    """A piece of a rendered expression."""

    text: str
    """What to show."""
    kind: str = TEXT
    """:data:`KEYWORD` (some, and, not ...), :data:`ENTITY` (a named term), :data:`LITERAL` or :data:`TEXT`."""
    iri: str | None = None
    """The named term's IRI, for :data:`ENTITY` tokens."""


Expression = tuple[Token, ...]


def plain(expression: Expression) -> str:
    """The expression as one line of text.

    >>> plain((Token("not", KEYWORD), Token(" "), Token("cell", ENTITY, "urn:x")))
    'not cell'
    """
    return "".join(token.text for token in expression)


class Renderer:
    """Renders nodes of a graph (named terms, literals and anonymous class expressions).

    Args:
        graph: a graph holding the blank-node structure of the expressions to render.
        label: what to call a named term, given its IRI.

    >>> g = Graph().parse(data='''@prefix owl: <http://www.w3.org/2002/07/owl#> .
    ... <urn:a> <urn:sub> [ a owl:Class ; owl:complementOf [ a owl:Restriction ;
    ...     owl:onProperty <urn:hasComponent> ; owl:someValuesFrom <urn:cell> ] ] .''', format="turtle")
    >>> names = {"urn:hasComponent": "has component", "urn:cell": "regenerative cell"}
    >>> plain(Renderer(g, names.__getitem__).render(g.value(URIRef("urn:a"), URIRef("urn:sub"))))
    'not (has component some regenerative cell)'
    """

    def __init__(self, graph: Graph, label: Callable[[str], str]) -> None:
        self._graph = graph
        self._label = label

    def render(self, node: Node) -> Expression:
        """Render a named term, a literal or a class, property or data-range expression."""
        return tuple(self._node(node, 0))

    def render_list(self, nodes: list[Node], separator: str = ", ") -> Expression:
        """Render several expressions separated by ``separator``."""
        tokens: list[Token] = []
        for index, node in enumerate(nodes):
            if index:
                tokens.append(Token(separator))
            tokens += self._node(node, 0)
        return tuple(tokens)

    def members(self, list_node: Node) -> list[Node]:
        """The items of an RDF list (empty when the node is not a well-formed list)."""
        try:
            return list(Collection(self._graph, list_node))
        except (ValueError, AssertionError):  # a list with a cycle or a broken rdf:rest
            return []

    # -- the grammar ---------------------------------------------------------------------------

    def _node(self, node: Node, depth: int) -> list[Token]:
        if isinstance(node, URIRef):
            return [Token(self._label(str(node)), ENTITY, str(node))]
        if isinstance(node, Literal):
            return [Token(literal_text(node), LITERAL)]
        if not isinstance(node, BNode) or depth > MAX_DEPTH:
            return [Token("(anonymous)")]
        graph = self._graph
        for operator, keyword in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or")):
            operands = graph.value(node, operator)
            if operands is not None:
                return self._joined(self.members(operands), keyword, depth)
        complement = graph.value(node, OWL.complementOf) or graph.value(node, OWL.datatypeComplementOf)
        if complement is not None:
            return [Token("not", KEYWORD), Token(" "), *self._operand(complement, depth)]
        one_of = graph.value(node, OWL.oneOf)
        if one_of is not None:
            inner = self._joined(self.members(one_of), None, depth)
            return [Token("{"), *inner, Token("}")]
        inverse = graph.value(node, OWL.inverseOf)
        if inverse is not None:
            return [Token("inverse", KEYWORD), Token(" "), *self._operand(inverse, depth)]
        restricted = graph.value(node, OWL.onProperty)
        if restricted is not None:
            return self._restriction(node, restricted, depth)
        datatype = graph.value(node, OWL.onDatatype)
        if datatype is not None:
            return self._datatype_restriction(node, datatype, depth)
        return [Token("(anonymous)")]

    def _operand(self, node: Node, depth: int) -> list[Token]:
        # Parentheses around anything compound, so that "not (A and B)" is not misread.
        tokens = self._node(node, depth + 1)
        atomic = (OWL.oneOf, OWL.onDatatype)  # {a, b} and xsd:integer[>= 1] need no parentheses
        if isinstance(node, BNode) and all(self._graph.value(node, p) is None for p in atomic):
            return [Token("("), *tokens, Token(")")]
        return tokens

    def _joined(self, nodes: list[Node], keyword: str | None, depth: int) -> list[Token]:
        tokens: list[Token] = []
        for index, node in enumerate(nodes):
            if index:
                tokens += [Token(" "), Token(keyword, KEYWORD), Token(" ")] if keyword else [Token(", ")]
            tokens += self._operand(node, depth)
        return tokens

    def _restriction(self, node: Node, restricted: Node, depth: int) -> list[Token]:
        graph = self._graph
        head = [*self._operand(restricted, depth), Token(" ")]
        for predicate, keyword in _FILLERS:
            filler = graph.value(node, predicate)
            if filler is not None:
                return [*head, Token(keyword, KEYWORD), Token(" "), *self._operand(filler, depth)]
        if graph.value(node, OWL.hasSelf) is not None:
            return [*head, Token("Self", KEYWORD)]
        for predicate, keyword in _CARDINALITIES:
            number = graph.value(node, predicate)
            if number is not None:
                tokens = [*head, Token(keyword, KEYWORD), Token(" "), Token(str(number), LITERAL)]
                qualifier = graph.value(node, OWL.onClass) or graph.value(node, OWL.onDataRange)
                if qualifier is not None:
                    tokens += [Token(" "), *self._operand(qualifier, depth)]
                return tokens
        return [*head, Token("(incomplete restriction)")]

    def _datatype_restriction(self, node: Node, datatype: Node, depth: int) -> list[Token]:
        facets: list[Token] = []
        restrictions = self._graph.value(node, OWL.withRestrictions)
        for facet_node in self.members(restrictions) if restrictions is not None else []:
            for facet, symbol in _FACETS.items():
                value = self._graph.value(facet_node, facet)
                if value is not None:
                    if facets:
                        facets.append(Token(", "))
                    facets += [Token(symbol, KEYWORD), Token(" "), *self._node(value, depth + 1)]
        return [*self._node(datatype, depth + 1), Token("["), *facets, Token("]")]


def literal_text(literal: Literal) -> str:
    """A literal as Manchester syntax writes it: numbers and booleans bare, strings quoted.

    >>> literal_text(Literal(2023)), literal_text(Literal("USD")), literal_text(Literal("PRP", lang="en"))
    ('2023', '"USD"', '"PRP"@en')
    """
    if literal.datatype in _BARE:
        return str(literal)
    text = '"' + str(literal).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if literal.language:
        return f"{text}@{literal.language}"
    if literal.datatype is not None and literal.datatype != XSD.string:
        return f"{text}^^{_short_datatype(literal.datatype)}"
    return text


def _short_datatype(datatype: URIRef) -> str:
    text = str(datatype)
    return "xsd:" + text[len(str(XSD)) :] if text.startswith(str(XSD)) else f"<{text}>"
