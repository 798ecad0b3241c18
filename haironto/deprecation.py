"""Obsolete terms, per OBO practice: follow their replacements, and check a source against the last release.

The policy (ontology/README.md, "Obsoleting a term"): a term is never deleted and its ID never
reused; it is made obsolete with ``owl:deprecated true``, its label prefixed ``obsolete ``, its
logical axioms removed, ``IAO:0100001`` (term replaced by) or ``oboInOwl:consider`` pointing at
what to use instead and ``IAO:0000231`` (has obsolescence reason) saying why. The SPARQL rules
``queries/qc/obsolete-*-violation.rq`` and ``deprecated-reference-violation.rq`` check one
graph; :func:`history_problems` checks what only a comparison with the previous release shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from haironto.diff import deprecated, terms
from haironto.errors import UnknownTermError
from haironto.namespaces import TERM_REPLACED_BY, term_iri

#: The kinds an ID can be declared as; a published ID must keep its kind.
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)


def current_term(graph: Graph, term: str | URIRef) -> URIRef | None:
    """The term to use today for a term: itself if it is live, else its replacement, transitively.

    Follows ``IAO:0100001`` (term replaced by) through obsolete terms until a term that is not
    obsolete. The SPARQL query ``queries/term-replacement.rq`` applies the same rule.

    Args:
        graph: the ontology.
        term: an ID, CURIE or IRI of a HairOnto term.

    Returns:
        The live term, or None when the chain ends at an obsolete term with no replacement
        (or loops).

    Raises:
        UnknownTermError: the term is not a HairOnto ID, or the graph does not declare it.

    >>> g = Graph().parse(format="turtle", data='''
    ...   @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix H: <https://w3id.org/haironto/HAIRONTO_> .
    ...   H:9000001 a owl:Class ; owl:deprecated true ; <http://purl.obolibrary.org/obo/IAO_0100001> H:9000002 .
    ...   H:9000002 a owl:Class ; owl:deprecated true ; <http://purl.obolibrary.org/obo/IAO_0100001> H:9000003 .
    ...   H:9000003 a owl:Class .''')
    >>> current_term(g, "HAIRONTO:9000001")
    rdflib.term.URIRef('https://w3id.org/haironto/HAIRONTO_9000003')
    """
    iri = term_iri(str(term))
    if iri is None or iri not in terms(graph):
        raise UnknownTermError(f"{term}: not a term of this ontology")
    seen: set[URIRef] = set()
    current: URIRef | None = iri
    while current is not None and deprecated(graph, current):
        if current in seen:
            return None
        seen.add(current)
        replacement = graph.value(current, TERM_REPLACED_BY)
        current = replacement if isinstance(replacement, URIRef) else None
    return current


@dataclass(frozen=True)
class HistoryProblem:
    """A published ID that the new source deleted or reused."""

    rule: str
    """``deleted-id`` or ``reused-id``."""
    term: URIRef
    """The ID."""
    detail: str
    """What changed, for the report's value column."""


def history_problems(graph: Graph, previous: Graph) -> Iterator[HistoryProblem]:
    """Compare a source with the previous release: deleted IDs and reused IDs.

    An ID of the previous release that the source no longer declares was deleted (it must be
    obsoleted instead). An ID is taken as reused (given a new meaning) when its kind changed
    (a class became a property ...) or when a term obsolete in the previous release is live again.

    >>> old = Graph().parse(format="turtle", data='''@prefix owl: <http://www.w3.org/2002/07/owl#> .
    ...   <https://w3id.org/haironto/HAIRONTO_9000001> a owl:Class .''')
    >>> [p.rule for p in history_problems(Graph(), old)]
    ['deleted-id']
    """
    now = terms(graph)
    for term in sorted(terms(previous)):
        if term not in now:
            yield HistoryProblem("deleted-id", term, "declared in the previous release, gone from the source")
            continue
        before, after = _kinds(previous, term), _kinds(graph, term)
        if before != after:
            old = ", ".join(sorted(_local(k) for k in before))
            new = ", ".join(sorted(_local(k) for k in after))
            yield HistoryProblem("reused-id", term, f"kind changed from {old} to {new}")
        elif deprecated(previous, term) and not deprecated(graph, term):
            yield HistoryProblem("reused-id", term, "obsolete in the previous release, live again")


def _kinds(graph: Graph, term: URIRef) -> set[URIRef]:
    return {kind for kind in graph.objects(term, RDF.type) if kind in KINDS}


def _local(iri: URIRef) -> str:
    return "owl:" + str(iri).rsplit("#", 1)[-1]
