"""What the ontology says about one term, read through a Backend: the model of a term page and
the term's concise RDF description.

Three queries describe a term, whatever the backend:

* ``DESCRIBE`` the term and the blank nodes that state axioms about it (its ``owl:Axiom``
  annotations, the ``owl:AllDisjointClasses`` it is a member of): the engine returns each with
  its blank-node closure, so every class expression arrives whole;
* which triples linking it to named terms were inferred (the inferred graph, minus the asserted
  one), and which named terms point to it (children, instances, inbound equivalences);
* the claims that mention it (as subject, object, evidence, organism, ...), with their records.

Labels of the terms it links to come from the :class:`~haironto.termindex.TermIndex`. Nothing
here knows about HTTP; the server turns a :class:`TermDescription` into a page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib import Graph as RdfGraph
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from haironto.backends.base import Backend, Boolean, Graph, Rows
from haironto.convert import from_oxigraph
from haironto.errors import UnknownTermError
from haironto.manchester import ENTITY, KEYWORD, Expression, Renderer, Token
from haironto.namespaces import (
    ASSERTED_GRAPH,
    CLAIM,
    CLAIM_OBJECT,
    CLAIM_PROPERTIES,
    CLAIM_RELATION,
    CLAIM_SUBJECT,
    COMPARED_WITH,
    DEFINITION,
    DEFINITION_SOURCE,
    FOOTNOTE,
    HAS_EVIDENCE_TYPE,
    HEDGING,
    IN_CONDITION,
    INFERRED_GRAPH,
    IS_NEGATED,
    OBO,
    OBOINOWL,
    REPORTED_BY_STUDY,
    SOURCE_TEXT,
    STUDY_ORGANISM,
    TERM_REPLACED_BY,
    expand,
)
from haironto.termindex import SYNONYM_SCOPES, TermIndex, curie

ABBREVIATION = OBO["OMO_0003000"]
HAS_SYNONYM_TYPE = OBOINOWL.hasSynonymType
HAS_DBXREF = OBOINOWL.hasDbXref

#: What the ``rdf:type`` of a term makes it, in words.
KINDS: dict[URIRef, str] = {
    OWL.Class: "class",
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "data property",
    OWL.AnnotationProperty: "annotation property",
    OWL.NamedIndividual: "individual",
    OWL.Ontology: "ontology",
    RDFS.Datatype: "datatype",
}
#: Property characteristics, as Manchester syntax names them.
CHARACTERISTICS: dict[URIRef, str] = {
    OWL.FunctionalProperty: "Functional",
    OWL.InverseFunctionalProperty: "InverseFunctional",
    OWL.TransitiveProperty: "Transitive",
    OWL.SymmetricProperty: "Symmetric",
    OWL.AsymmetricProperty: "Asymmetric",
    OWL.ReflexiveProperty: "Reflexive",
    OWL.IrreflexiveProperty: "Irreflexive",
}
#: Mapping properties, with the word that says how close the match is.
MAPPINGS: dict[URIRef, str] = {
    SKOS.exactMatch: "exact",
    SKOS.closeMatch: "close",
    SKOS.broadMatch: "broad",
    SKOS.narrowMatch: "narrow",
    SKOS.relatedMatch: "related",
    HAS_DBXREF: "cross-reference",
}
#: Axioms between the term and another (named or anonymous) term, in the order a page shows them.
AXIOMS: tuple[tuple[URIRef, str], ...] = (
    (RDFS.subClassOf, "SubClassOf"),
    (OWL.equivalentClass, "EquivalentTo"),
    (OWL.disjointWith, "DisjointWith"),
    (RDFS.subPropertyOf, "SubPropertyOf"),
    (OWL.equivalentProperty, "EquivalentTo"),
    (OWL.propertyDisjointWith, "DisjointWith"),
    (OWL.inverseOf, "InverseOf"),
    (RDFS.domain, "Domain"),
    (RDFS.range, "Range"),
    (OWL.sameAs, "SameAs"),
    (OWL.differentFrom, "DifferentFrom"),
)
#: Axioms that are symmetric, so that one stated on the other term is shown on this one too.
SYMMETRIC = {
    OWL.equivalentClass,
    OWL.disjointWith,
    OWL.equivalentProperty,
    OWL.propertyDisjointWith,
    OWL.inverseOf,
}
#: Named terms that point to a term with these predicates are its children, instances, equivalents ...
INBOUND = (
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDF.type,
    *sorted(SYMMETRIC),
    OWL.sameAs,
    TERM_REPLACED_BY,
)
#: Types that say what kind of term something is, rather than which class an individual belongs to.
_OWL_TYPES = {*KINDS, *CHARACTERISTICS, OWL.Axiom, OWL.Restriction, RDF.Property}
#: Predicates a term page shows in their own place; the rest are listed as annotations.
_SHOWN = {
    RDF.type,
    RDFS.label,
    DEFINITION,
    DEFINITION_SOURCE,
    OWL.deprecated,
    TERM_REPLACED_BY,
    OBOINOWL.consider,
    OWL.propertyChainAxiom,
    OWL.disjointUnionOf,
    *(URIRef(p) for p in SYNONYM_SCOPES),
    *MAPPINGS,
    *(predicate for predicate, _ in AXIOMS),
}

_NAMESPACES = "\n".join(
    f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in (("rdf", RDF), ("rdfs", RDFS), ("owl", OWL))
)
#: The term with the blank-node closure of its axioms and of the axioms that annotate or list it.
DESCRIBE_QUERY = f"""{_NAMESPACES}
DESCRIBE ?term ?axiom WHERE {{
  {{ ?term ?p ?o }}
  UNION {{ ?axiom owl:annotatedSource ?term }}
  UNION {{ ?axiom owl:members/rdf:rest*/rdf:first ?term }}
  UNION {{ ?axiom owl:distinctMembers/rdf:rest*/rdf:first ?term }}
}}"""
_INBOUND = ", ".join(f"<{p}>" for p in INBOUND)
#: Named terms that point to the term ("in"), and the term's own inferred links ("out"). Whether a
#: link was inferred is a string, and no EXISTS sits in a BIND: Virtuoso 7.2 supports neither
#: (it has no xsd:boolean values, and refuses EXISTS outside FILTER).
NEIGHBOURS_QUERY = f"""{_NAMESPACES}
SELECT ?term ?direction ?relation ?other ?inferred WHERE {{
  {{
    GRAPH <{INFERRED_GRAPH}> {{ ?other ?relation ?term }}
    FILTER(isIRI(?other) && ?relation IN ({_INBOUND}))
    FILTER NOT EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ ?other ?relation ?term }} }}
    VALUES (?direction ?inferred) {{ ("in" "true") }}
  }} UNION {{
    ?other ?relation ?term .
    FILTER(isIRI(?other) && ?relation IN ({_INBOUND}))
    FILTER NOT EXISTS {{
      GRAPH <{INFERRED_GRAPH}> {{ ?other ?relation ?term }}
      FILTER NOT EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ ?other ?relation ?term }} }}
    }}
    VALUES (?direction ?inferred) {{ ("in" "false") }}
  }} UNION {{
    GRAPH <{INFERRED_GRAPH}> {{ ?term ?relation ?other }}
    FILTER NOT EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ ?term ?relation ?other }} }}
    VALUES (?direction ?inferred) {{ ("out" "true") }}
  }}
}}"""
#: Every claim that mentions the term through a claim property, with all of the claim's triples.
CLAIMS_QUERY = f"""SELECT ?term ?claim ?role ?p ?o WHERE {{
  ?claim ?role ?term .
  FILTER(?role IN ({", ".join(f"<{p}>" for p in CLAIM_PROPERTIES)}))
  ?claim ?p ?o .
}}"""


@dataclass(frozen=True)
class Ref:
    """A named term a page links to."""

    iri: str
    """Its IRI."""
    label: str
    """What to call it: its label, else its CURIE."""
    curie: str
    """Its CURIE, or the IRI when no prefix is known."""
    described: bool
    """True when the dataset describes it, so that the service has a page for it."""
    deprecated: bool = False
    """True when it is obsolete."""


@dataclass(frozen=True)
class Annotation:
    """A property and its value."""

    property: Ref
    """The annotation (or other) property."""
    value: Value
    """Its value."""


@dataclass(frozen=True)
class Value:
    """The value of an annotation: a named term, a literal or an anonymous expression."""

    ref: Ref | None = None
    """The named term, when the value is one."""
    text: str | None = None
    """The literal's lexical form, when the value is a literal."""
    language: str | None = None
    """The literal's language tag."""
    datatype: str | None = None
    """The literal's datatype IRI (None for plain and language-tagged strings)."""
    expression: Expression = ()
    """The rendered value: an entity token, a literal token or a class expression."""
    annotations: tuple[Annotation, ...] = ()
    """Annotations on the axiom that states this value (e.g. a definition's source)."""

    @property
    def display(self) -> str:
        """The value in words."""
        if self.ref is not None:
            return self.ref.label
        if self.text is not None:
            return self.text
        return "".join(token.text for token in self.expression)


@dataclass(frozen=True)
class Synonym:
    """A synonym with its scope and types."""

    text: str
    """The synonym."""
    language: str | None
    """Its language tag."""
    scope: str
    """``exact``, ``related``, ``broad`` or ``narrow``."""
    types: tuple[Ref, ...] = ()
    """Its synonym types (``oboInOwl:hasSynonymType``), e.g. abbreviation."""
    annotations: tuple[Annotation, ...] = ()
    """Other annotations on the synonym (its sources)."""

    @property
    def abbreviation(self) -> bool:
        """True when the synonym is typed as an abbreviation (OMO:0003000)."""
        return any(ref.iri == str(ABBREVIATION) for ref in self.types)


@dataclass(frozen=True)
class Related:
    """A parent, child or instance."""

    ref: Ref
    """The related term."""
    inferred: bool
    """True when a reasoner inferred the link; False when the editors asserted it."""


@dataclass(frozen=True)
class Axiom:
    """One logical axiom about the term, in a Manchester-like form."""

    keyword: str
    """The frame keyword: ``SubClassOf``, ``EquivalentTo``, ``DisjointWith``, ``Domain`` ..."""
    expression: Expression
    """What the term is related to."""
    inferred: bool = False
    """True when a reasoner inferred it."""
    annotations: tuple[Annotation, ...] = ()
    """Annotations on the axiom."""


@dataclass(frozen=True)
class Mapping:
    """A link to the same or a related term of another resource."""

    relation: str
    """How close: ``exact``, ``close``, ``broad``, ``narrow``, ``related`` or ``cross-reference``."""
    property: Ref
    """The mapping property (``skos:exactMatch`` ...)."""
    target: Ref
    """The other resource's term."""


@dataclass(frozen=True)
class Claim:
    """A statement of the source article, as recorded on a claim individual."""

    ref: Ref
    """The claim."""
    roles: tuple[Ref, ...]
    """The claim properties through which the claim mentions the described term."""
    subject: tuple[Value, ...]
    """What the claim is about."""
    relation: tuple[Value, ...]
    """The relation the claim states."""
    object: tuple[Value, ...]
    """What the subject is related to."""
    negated: bool
    """True when the article says the statement does not hold, or has not been shown."""
    hedging: tuple[str, ...]
    """The article's hedge words ("may", "seem to")."""
    evidence: tuple[Value, ...]
    """Evidence types."""
    organisms: tuple[Value, ...]
    """The organisms the evidence comes from."""
    conditions: tuple[Value, ...]
    """The patients' condition."""
    studies: tuple[Value, ...]
    """The studies the article credits."""
    compared_with: tuple[Value, ...]
    """What the article compares the subject with."""
    footnotes: tuple[str, ...]
    """The article's footnote markers."""
    quotes: tuple[str, ...]
    """The article's sentences."""
    record: tuple[Annotation, ...]
    """Every statement about the claim but its type and label: the claim properties first."""


@dataclass(frozen=True)
class TermDescription:
    """Everything a term page shows."""

    ref: Ref
    """The term."""
    kinds: tuple[str, ...]
    """What it is: ``class``, ``object property``, ``individual`` ..."""
    deprecated: bool
    """True when the term is obsolete (``owl:deprecated true``)."""
    replaced_by: tuple[Value, ...]
    """For an obsolete term, the terms to use instead (IAO:0100001)."""
    consider: tuple[Value, ...]
    """For an obsolete term, other terms to consider instead (``oboInOwl:consider``)."""
    replaces: tuple[Ref, ...]
    """Obsolete terms that name this one as their replacement."""
    definitions: tuple[Value, ...]
    """Its definitions (IAO:0000115), with the annotations on each."""
    definition_sources: tuple[Value, ...]
    """Where the definitions come from (IAO:0000119)."""
    synonyms: tuple[Synonym, ...]
    """Its synonyms."""
    parents: tuple[Related, ...]
    """Named superclasses, super-properties, or an individual's classes."""
    children: tuple[Related, ...]
    """Named subclasses or sub-properties."""
    instances: tuple[Related, ...]
    """Individuals of the class."""
    axioms: tuple[Axiom, ...]
    """Its logical axioms."""
    mappings: tuple[Mapping, ...]
    """Links to other resources' terms."""
    claim: Claim | None
    """The record, when the term is itself a claim."""
    claims: tuple[Claim, ...]
    """The claims that mention the term."""
    annotations: tuple[Annotation, ...]
    """Every other statement about the term (comments, editor notes ...)."""


class Terms:
    """Describes the terms of the dataset a backend holds.

    Args:
        backend: a loaded backend; its queries run in this process, without a time limit (each
            touches one term's neighbourhood).
        index: the dataset's :class:`TermIndex`; read from the backend when not given.
    """

    def __init__(self, backend: Backend, index: TermIndex | None = None) -> None:
        self.backend = backend
        self.index = index if index is not None else TermIndex.build(backend)

    def describes(self, iri: str) -> bool:
        """Whether the dataset says anything about ``iri``: a term of the index, or any other
        subject (the index holds the ontology's terms, not every resource of the user's data)."""
        if iri in self.index:
            return True
        try:
            ox.NamedNode(iri)
        except ValueError:  # not an IRI at all
            return False
        result = self.backend.query("ASK { ?term ?p ?o }", bindings={"term": URIRef(iri)})
        return isinstance(result, Boolean) and result.value

    def _check(self, iri: str) -> URIRef:
        if not self.describes(iri):
            local = iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            raise UnknownTermError(
                f"{curie(iri)} is not described by this ontology", self.index.suggest(local)
            )
        return URIRef(iri)

    def _describe(self, term: URIRef) -> list[Any]:
        result = self.backend.query(DESCRIBE_QUERY, bindings={"term": term})
        assert isinstance(result, Graph)
        return result.triples()

    def rdf(self, iri: str) -> Graph:
        """The term's concise description: its triples, the blank-node closure of its axioms and
        axiom annotations, and the labels of the terms it links to.

        Raises:
            UnknownTermError: the dataset does not describe the IRI.
        """
        term = self._check(iri)
        triples = self._describe(term)
        linked = {
            node.value
            for triple in triples
            for node in (triple.predicate, triple.object)
            if isinstance(node, ox.NamedNode) and node.value != iri
        }
        label_predicate = ox.NamedNode(str(RDFS.label))
        for other in sorted(linked):
            entry = self.index.get(other)
            if entry is not None and entry.label:
                language = {"language": entry.label_language} if entry.label_language else {}
                triples.append(
                    ox.Triple(ox.NamedNode(other), label_predicate, ox.Literal(entry.label, **language))
                )
        payload = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert payload is not None
        return Graph(payload, "ntriples", count=len(triples))

    def describe(self, iri: str) -> TermDescription:
        """Everything a term page shows about a term.

        Raises:
            UnknownTermError: the dataset does not describe the IRI.
        """
        term = self._check(iri)
        graph = RdfGraph()
        for triple in self._describe(term):
            graph.add(tuple(from_oxigraph(node) for node in triple))  # type: ignore[arg-type]
        neighbours = self._rows(NEIGHBOURS_QUERY, term)
        inferred_out = {(row[2].value, row[3].value) for row in neighbours if row[1].value == "out"}
        inbound: dict[URIRef, list[tuple[URIRef, bool]]] = defaultdict(list)
        for _, direction, relation, other, inferred in neighbours:
            if direction.value == "in":
                inbound[URIRef(relation.value)].append((URIRef(other.value), inferred.value == "true"))
        return _Builder(self, term, graph, inferred_out, inbound).build()

    def claims_about(self, iri: str) -> tuple[Claim, ...]:
        """The claims that mention a term through a claim property (subject, object, evidence ...)."""
        term = URIRef(iri)
        roles: dict[URIRef, set[URIRef]] = defaultdict(set)
        pairs: dict[URIRef, list[tuple[Node, Node]]] = defaultdict(list)
        for _, claim, role, predicate, value in self._rows(CLAIMS_QUERY, term):
            key = URIRef(claim.value)
            roles[key].add(URIRef(role.value))
            pair = (from_oxigraph(predicate), from_oxigraph(value))
            if pair not in pairs[key]:
                pairs[key].append(pair)
        graph = RdfGraph()
        for claim, claim_pairs in pairs.items():
            for predicate, value in claim_pairs:
                graph.add((claim, predicate, value))
        builder = _Builder(self, term, graph, set(), {})
        rank = {str(role): index for index, role in enumerate(CLAIM_PROPERTIES)}
        claims = [builder.claim(claim, sorted(roles[claim], key=lambda r: rank[str(r)])) for claim in pairs]
        # Claims about the term as their subject first, then as their object, then the others.
        return tuple(sorted(claims, key=lambda c: (rank[c.roles[0].iri], c.ref.label.casefold(), c.ref.iri)))

    def _rows(self, query: str, term: URIRef) -> list[tuple[Any, ...]]:
        result = self.backend.query(query, bindings={"term": term})
        assert isinstance(result, Rows)
        return result.terms()


class _Builder:
    """Turns the triples about one term into a :class:`TermDescription`."""

    def __init__(
        self,
        terms: Terms,
        term: URIRef,
        graph: RdfGraph,
        inferred_out: set[tuple[str, str]],
        inbound: dict[URIRef, list[tuple[URIRef, bool]]],
    ) -> None:
        self.terms = terms
        self.index = terms.index
        self.term = term
        self.graph = graph
        self.inferred_out = inferred_out
        self.inbound = inbound
        self.renderer = Renderer(graph, self.index.label)
        self.axiom_annotations = self._axiom_annotations()

    # -- small pieces -------------------------------------------------------------------------

    def ref(self, iri: str) -> Ref:
        entry = self.index.get(iri)
        return Ref(
            iri, self.index.label(iri), curie(iri), entry is not None, bool(entry and entry.deprecated)
        )

    def value(self, node: Node, annotations: tuple[Annotation, ...] = ()) -> Value:
        if isinstance(node, URIRef):
            return Value(
                ref=self.ref(str(node)), expression=self.renderer.render(node), annotations=annotations
            )
        if isinstance(node, Literal):
            datatype = str(node.datatype) if node.datatype is not None else None
            return Value(
                text=str(node),
                language=node.language,
                datatype=datatype,
                expression=self.renderer.render(node),
                annotations=annotations,
            )
        return Value(expression=self.renderer.render(node), annotations=annotations)

    def values(self, subject: Node, predicate: URIRef) -> tuple[Value, ...]:
        nodes = sorted(self.graph.objects(subject, predicate), key=_order)
        return tuple(self.value(node, self.annotations_on(subject, predicate, node)) for node in nodes)

    def annotations_on(self, subject: Node, predicate: URIRef, target: Node) -> tuple[Annotation, ...]:
        if subject != self.term:
            return ()
        return self.axiom_annotations.get((predicate, self._key(target)), ())

    def _key(self, node: Node) -> object:
        # A reified axiom repeats an anonymous target as a copy, so anonymous targets are matched
        # by how they read rather than by blank node.
        return "".join(t.text for t in self.renderer.render(node)) if isinstance(node, BNode) else node

    def _axiom_annotations(self) -> dict[tuple[Node, object], tuple[Annotation, ...]]:
        found: dict[tuple[Node, object], list[Annotation]] = defaultdict(list)
        for axiom in self.graph.subjects(OWL.annotatedSource, self.term):
            predicate = self.graph.value(axiom, OWL.annotatedProperty)
            target = self.graph.value(axiom, OWL.annotatedTarget)
            if predicate is None or target is None:
                continue
            for annotation, value in sorted(self.graph.predicate_objects(axiom), key=_order_pair):
                if annotation in (RDF.type, OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget):
                    continue
                found[(predicate, self._key(target))].append(
                    Annotation(self.ref(str(annotation)), self.value(value))
                )
        return {key: tuple(value) for key, value in found.items()}

    def related(self, nodes: Iterable[tuple[Node, bool]]) -> tuple[Related, ...]:
        unique: dict[str, bool] = {}
        for node, inferred in nodes:
            if isinstance(node, URIRef) and node != self.term:
                unique[str(node)] = unique.get(str(node), True) and inferred
        refs = (Related(self.ref(iri), inferred) for iri, inferred in unique.items())
        return tuple(sorted(refs, key=lambda r: (r.ref.label.casefold(), r.ref.iri)))

    def is_inferred(self, predicate: URIRef, node: Node) -> bool:
        return (str(predicate), str(node)) in self.inferred_out if isinstance(node, URIRef) else False

    # -- the sections of a page ---------------------------------------------------------------

    def build(self) -> TermDescription:
        graph, term = self.graph, self.term
        types = set(graph.objects(term, RDF.type))
        entry = self.index.get(str(term))
        is_class = OWL.Class in types
        is_property = bool(types & {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty})
        parent_predicate = RDFS.subPropertyOf if is_property else RDFS.subClassOf
        parents: list[tuple[Node, bool]] = [
            (node, self.is_inferred(parent_predicate, node)) for node in graph.objects(term, parent_predicate)
        ]
        if not is_class and not is_property:  # an individual: its classes
            parents += [(node, self.is_inferred(RDF.type, node)) for node in types if node not in _OWL_TYPES]
        is_claim = URIRef(CLAIM) in types
        shown = set(_SHOWN)
        if is_claim:
            shown |= {*CLAIM_PROPERTIES, DCTERMS.source}
        facts = self.facts() if not is_class and not is_property else []
        return TermDescription(
            ref=self.ref(str(term)),
            kinds=tuple(sorted({KINDS[t] for t in types if t in KINDS})),
            deprecated=bool(entry and entry.deprecated),
            replaced_by=self.replacements(),
            consider=self.replacements(OBOINOWL.consider),
            replaces=tuple(r.ref for r in self.related(self.inbound.get(TERM_REPLACED_BY, ()))),
            definitions=self.values(term, DEFINITION),
            definition_sources=self.values(term, DEFINITION_SOURCE),
            synonyms=self.synonyms(),
            parents=self.related(parents),
            children=self.related(self.inbound.get(parent_predicate, ())) if is_class or is_property else (),
            instances=self.related(self.inbound.get(RDF.type, ())),
            axioms=self.axioms(types) + tuple(axiom for _, axiom in facts),
            mappings=self.mappings(),
            claim=self.claim(term, []) if is_claim else None,
            claims=self.terms.claims_about(str(term)),
            annotations=self.annotations(shown | {predicate for predicate, _ in facts}),
        )

    def replacements(self, predicate: URIRef = TERM_REPLACED_BY) -> tuple[Value, ...]:
        """The terms to use instead of an obsolete one: ``term replaced by``, or ``consider``."""
        values = []
        for value in self.values(self.term, predicate):
            # A replacement written as a CURIE literal is linked like an IRI.
            iri = expand(value.text) if value.text else None
            values.append(self.value(URIRef(iri)) if iri else value)
        return tuple(values)

    def synonyms(self) -> tuple[Synonym, ...]:
        synonyms = []
        for predicate, scope in SYNONYM_SCOPES.items():
            for value in self.values(self.term, URIRef(predicate)):
                types = tuple(
                    a.value.ref for a in value.annotations if a.property.iri == str(HAS_SYNONYM_TYPE)
                )
                others = tuple(a for a in value.annotations if a.property.iri != str(HAS_SYNONYM_TYPE))
                synonyms.append(
                    Synonym(value.display, value.language, scope, tuple(t for t in types if t), others)
                )
        return tuple(synonyms)

    def axioms(self, types: set[Node]) -> tuple[Axiom, ...]:
        graph, term = self.graph, self.term
        axioms: list[Axiom] = []
        for predicate, keyword in AXIOMS:
            nodes = list(graph.objects(term, predicate))
            if predicate in SYMMETRIC:
                nodes += [node for node, _ in self.inbound.get(predicate, ()) if node not in nodes]
            for node in sorted(nodes, key=lambda n: (isinstance(n, BNode), self._sort_text(n))):
                inferred = self.is_inferred(predicate, node) or any(
                    other == node and flag for other, flag in self.inbound.get(predicate, ())
                )
                axioms.append(
                    Axiom(
                        keyword,
                        self.renderer.render(node),
                        inferred,
                        self.annotations_on(term, predicate, node),
                    )
                )
        individual = not types & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
        if individual:
            for node in sorted((t for t in types if t not in _OWL_TYPES), key=self._sort_text):
                axioms.append(Axiom("Types", self.renderer.render(node), self.is_inferred(RDF.type, node)))
        characteristics = sorted(CHARACTERISTICS[t] for t in types if t in CHARACTERISTICS)
        if characteristics:
            axioms.append(Axiom("Characteristics", (Token(", ".join(characteristics), KEYWORD),)))
        for chain in graph.objects(term, OWL.propertyChainAxiom):
            axioms.append(
                Axiom("SubPropertyChain", self.renderer.render_list(self.renderer.members(chain), " o "))
            )
        for union in graph.objects(term, OWL.disjointUnionOf):
            axioms.append(Axiom("DisjointUnionOf", self.renderer.render_list(self.renderer.members(union))))
        for kind, keyword in (
            (OWL.AllDisjointClasses, "DisjointClasses"),
            (OWL.AllDifferent, "DifferentIndividuals"),
        ):
            for axiom in sorted(graph.subjects(RDF.type, kind), key=str):
                members = graph.value(axiom, OWL.members) or graph.value(axiom, OWL.distinctMembers)
                if members is not None:
                    nodes = self.renderer.members(members)
                    axioms.append(Axiom(keyword, self.renderer.render_list(nodes)))
        return tuple(axioms)

    def facts(self) -> list[tuple[URIRef, Axiom]]:
        """An individual's property assertions (values of object and data properties), by property."""
        facts = []
        properties = {str(OWL.ObjectProperty), str(OWL.DatatypeProperty)}
        for predicate, node in sorted(self.graph.predicate_objects(self.term), key=_order_pair):
            entry = self.index.get(str(predicate))
            if entry is not None and entry.types & properties:
                expression = (Token(self.index.label(str(predicate)), ENTITY, str(predicate)), Token(" "))
                facts.append((predicate, Axiom("Facts", expression + self.renderer.render(node))))
        return facts

    def mappings(self) -> tuple[Mapping, ...]:
        mappings = []
        for predicate, relation in MAPPINGS.items():
            for node in sorted(self.graph.objects(self.term, predicate), key=_order):
                iri = str(node) if isinstance(node, URIRef) else expand(str(node))
                if iri is None:  # a cross-reference with no known prefix stays text
                    target = Ref(str(node), str(node), str(node), False)
                else:
                    target = self.ref(iri)
                mappings.append(Mapping(relation, self.ref(str(predicate)), target))
        return tuple(mappings)

    def annotations(self, shown: set[Node]) -> tuple[Annotation, ...]:
        annotations = []
        for predicate, node in sorted(self.graph.predicate_objects(self.term), key=_order_pair):
            if predicate in shown or not isinstance(predicate, URIRef):
                continue
            annotations.append(
                Annotation(
                    self.ref(str(predicate)),
                    self.value(node, self.annotations_on(self.term, predicate, node)),
                )
            )
        return tuple(annotations)

    def claim(self, claim: URIRef, roles: list[URIRef]) -> Claim:
        """The record of one claim (its triples must be in the builder's graph)."""

        def values(predicate: URIRef) -> tuple[Value, ...]:
            return self.values(claim, predicate)

        def texts(predicate: URIRef) -> tuple[str, ...]:
            return tuple(value.display for value in values(predicate))

        order = {predicate: index for index, predicate in enumerate((*CLAIM_PROPERTIES, DCTERMS.source))}
        record = [
            Annotation(self.ref(str(predicate)), self.value(node))
            for predicate, node in self.graph.predicate_objects(claim)
            if predicate not in (RDF.type, RDFS.label)
        ]
        record.sort(
            key=lambda a: (order.get(URIRef(a.property.iri), len(order)), a.property.label, a.value.display)
        )
        return Claim(
            ref=self.ref(str(claim)),
            roles=tuple(self.ref(str(role)) for role in roles),
            subject=values(CLAIM_SUBJECT),
            relation=values(CLAIM_RELATION),
            object=values(CLAIM_OBJECT),
            negated=any(value.text in ("true", "1") for value in values(IS_NEGATED)),
            hedging=texts(HEDGING),
            evidence=values(HAS_EVIDENCE_TYPE),
            organisms=values(STUDY_ORGANISM),
            conditions=values(IN_CONDITION),
            studies=values(REPORTED_BY_STUDY),
            compared_with=values(COMPARED_WITH),
            footnotes=texts(FOOTNOTE),
            quotes=texts(SOURCE_TEXT),
            record=tuple(record),
        )

    def _sort_text(self, node: Node) -> str:
        return "".join(t.text for t in self.renderer.render(node)).casefold()


def _order(node: Node) -> tuple[int, str]:
    # Literals before IRIs before blank nodes; then by text. Deterministic whatever the engine.
    return (2 if isinstance(node, BNode) else 0 if isinstance(node, Literal) else 1, str(node))


def _order_pair(pair: tuple[Node, Node]) -> tuple[str, tuple[int, str]]:
    return (str(pair[0]), _order(pair[1]))


__all__ = [
    "Annotation",
    "Axiom",
    "Claim",
    "Mapping",
    "Ref",
    "Related",
    "Synonym",
    "TermDescription",
    "Terms",
    "Value",
]
