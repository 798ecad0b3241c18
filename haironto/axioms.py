"""The logical axioms of a term, as stable one-line strings (for the diff and the deprecation rules).

An OWL axiom in RDF is a triple whose object may be a blank-node class expression. To compare two
releases axiom by axiom, each axiom is rendered in a Manchester-like syntax with CURIEs (never
labels, which may change) and with the operands of intersections, unions and disjointness sorted,
so the same axiom gives the same string whatever the blank-node IDs or list order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from curies import Converter
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from haironto.writers import TURTLE_PREFIXES

_DISPLAY = Converter.from_prefix_map(TURTLE_PREFIXES)


def compress(iri: str) -> str:
    """A CURIE for an IRI with the project's Turtle prefixes (``skos:``, ``RO:`` ...), else the IRI.

    >>> compress("http://www.w3.org/2004/02/skos/core#exactMatch")
    'skos:exactMatch'
    """
    return _DISPLAY.compress(iri) or iri


#: Predicates whose triples are logical axioms about their subject (not annotations).
LOGICAL_PREDICATES: dict[URIRef, str] = {
    RDFS.subClassOf: "SubClassOf",
    OWL.equivalentClass: "EquivalentTo",
    OWL.disjointWith: "DisjointWith",
    OWL.disjointUnionOf: "DisjointUnionOf",
    RDFS.subPropertyOf: "SubPropertyOf",
    OWL.equivalentProperty: "EquivalentProperty",
    OWL.propertyDisjointWith: "DisjointProperty",
    OWL.inverseOf: "InverseOf",
    OWL.propertyChainAxiom: "SubPropertyChain",
    RDFS.domain: "Domain",
    RDFS.range: "Range",
    OWL.hasKey: "HasKey",
    OWL.sameAs: "SameAs",
    OWL.differentFrom: "DifferentFrom",
}

#: ``rdf:type`` values that declare an entity (not class assertions).
DECLARATION_TYPES = frozenset(
    {
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.NamedIndividual,
        OWL.Ontology,
        RDFS.Datatype,
        RDF.Property,
    }
)

#: ``rdf:type`` values that are property characteristics, i.e. logical axioms about the property.
CHARACTERISTICS = frozenset(
    {
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.AsymmetricProperty,
        OWL.ReflexiveProperty,
        OWL.IrreflexiveProperty,
    }
)

_RESTRICTIONS = (
    (OWL.someValuesFrom, "some"),
    (OWL.allValuesFrom, "only"),
    (OWL.hasValue, "value"),
)
_CARDINALITIES = (
    (OWL.minCardinality, "min"),
    (OWL.maxCardinality, "max"),
    (OWL.cardinality, "exactly"),
    (OWL.minQualifiedCardinality, "min"),
    (OWL.maxQualifiedCardinality, "max"),
    (OWL.qualifiedCardinality, "exactly"),
)


def render(
    graph: Graph,
    node: Node,
    name: Callable[[URIRef], str] | None = None,
    literal: Callable[[Literal], str] | None = None,
) -> str:
    """Render a class expression, property or value in a Manchester-like syntax with CURIEs.

    Args:
        graph: the graph holding the expression's triples.
        node: the expression, an IRI or a literal.
        name: how to write an IRI (default: its CURIE); the documentation links labels instead.
        literal: how to write a literal (default: its N-Triples form).

    >>> g = Graph().parse(format="turtle", data='''
    ...   @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ...   <urn:x> <urn:p> [ a owl:Restriction ; owl:onProperty <http://purl.obolibrary.org/obo/RO_0002180> ;
    ...                     owl:someValuesFrom <http://purl.obolibrary.org/obo/CL_0000034> ] .''')
    >>> render(g, g.value(URIRef("urn:x"), URIRef("urn:p")))
    '(RO:0002180 some CL:0000034)'
    """
    if name is None or literal is None:
        return render(
            graph, node, name or (lambda iri: compress(str(iri))), literal or (lambda value: value.n3())
        )
    if isinstance(node, URIRef):
        return name(node)
    if isinstance(node, Literal):
        return literal(node)

    def sub(child: Node) -> str:
        return render(graph, child, name, literal)

    prop = graph.value(node, OWL.onProperty)
    if prop is not None:
        for predicate, word in _RESTRICTIONS:
            filler = graph.value(node, predicate)
            if filler is not None:
                return f"({sub(prop)} {word} {sub(filler)})"
        if graph.value(node, OWL.hasSelf) is not None:
            return f"({sub(prop)} Self)"
        for predicate, word in _CARDINALITIES:
            number = graph.value(node, predicate)
            if number is not None:
                on = graph.value(node, OWL.onClass) or graph.value(node, OWL.onDataRange)
                qualified = f" {sub(on)}" if on is not None else ""
                return f"({sub(prop)} {word} {number}{qualified})"
    for predicate, word in ((OWL.intersectionOf, " and "), (OWL.unionOf, " or ")):
        members = graph.value(node, predicate)
        if members is not None:
            return "(" + word.join(sorted(sub(m) for m in Collection(graph, members))) + ")"
    complement = graph.value(node, OWL.complementOf)
    if complement is not None:
        return f"(not {sub(complement)})"
    one_of = graph.value(node, OWL.oneOf)
    if one_of is not None:
        return "{" + ", ".join(sorted(sub(m) for m in Collection(graph, one_of))) + "}"
    inverse = graph.value(node, OWL.inverseOf)
    if inverse is not None:
        return f"(inverse {sub(inverse)})"
    if (node, RDF.first, None) in graph or node == RDF.nil:
        return "(" + " o ".join(sub(m) for m in Collection(graph, node)) + ")"
    # Anything else (a datatype restriction ...): its triples, sorted, with blank nodes nested.
    parts = sorted(f"{name(p)} {sub(o)}" for p, o in graph.predicate_objects(node) if p != RDF.type)
    return "[" + "; ".join(parts) + "]"


def logical_axioms(graph: Graph, term: URIRef, properties: frozenset[Node] | None = None) -> set[str]:
    """The logical axioms about a term, each one rendered line.

    Covers the triples with the term as subject and a predicate of :data:`LOGICAL_PREDICATES`,
    class assertions and property characteristics, property assertions (object and data
    properties), and the ``owl:AllDisjointClasses`` axioms the term is a member of.
    Annotations (labels, definitions, mappings, claims) are not logical axioms.

    Args:
        graph: the ontology.
        term: the entity.
        properties: the object and data properties (default: those declared in the graph).

    >>> g = Graph().parse(format="turtle", data='''
    ...   @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...   <urn:a> a owl:Class ; rdfs:subClassOf <urn:b> ; rdfs:label "a" .
    ...   [] a owl:AllDisjointClasses ; owl:members ( <urn:c> <urn:a> ) .''')
    >>> sorted(logical_axioms(g, URIRef("urn:a")))
    ['DisjointClasses(urn:a urn:c)', 'SubClassOf urn:b']
    """
    if properties is None:
        properties = declared_properties(graph)
    axioms = set()
    for predicate, obj in graph.predicate_objects(term):
        if predicate in LOGICAL_PREDICATES:
            axioms.add(f"{LOGICAL_PREDICATES[predicate]} {render(graph, obj)}")
        elif predicate == RDF.type and obj not in DECLARATION_TYPES:
            kind = "Characteristic" if obj in CHARACTERISTICS else "Type"
            axioms.add(f"{kind} {render(graph, obj)}")
        elif predicate in properties:
            axioms.add(f"Fact {render(graph, predicate)} {render(graph, obj)}")
    for axiom in _disjointness_axioms(graph, term):
        axioms.add(axiom)
    return axioms


def declared_properties(graph: Graph) -> frozenset[Node]:
    """The object and data properties declared in a graph."""
    return frozenset(graph.subjects(RDF.type, OWL.ObjectProperty)) | frozenset(
        graph.subjects(RDF.type, OWL.DatatypeProperty)
    )


def _disjointness_axioms(graph: Graph, term: URIRef) -> Iterator[str]:
    for kind, word in (
        (OWL.AllDisjointClasses, "DisjointClasses"),
        (OWL.AllDifferent, "DifferentIndividuals"),
    ):
        for axiom in graph.subjects(RDF.type, kind):
            if not isinstance(axiom, BNode):
                continue
            members_node = graph.value(axiom, OWL.members) or graph.value(axiom, OWL.distinctMembers)
            if members_node is None:
                continue
            members = list(Collection(graph, members_node))
            if term in members:
                yield f"{word}(" + " ".join(sorted(render(graph, m) for m in members)) + ")"
