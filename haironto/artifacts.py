"""The release artifacts, declared once as data, and the graphs they hold.

Like the ODK's ``release_artefacts`` and ``export_formats``: each artifact is a name and a
content selector, and every artifact is written in every export format. The header of
each is stamped from the package version (CalVer), never from the clock, so that the same
source always gives the same bytes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from haironto.convert import canonical_triples, from_oxigraph
from haironto.errors import HairOntoError, OntologyLoadError
from haironto.namespaces import BASE, version_iri

#: What an artifact holds, by selector name: from the asserted and the inferred axioms.
CONTENT: dict[str, Callable[[Graph, Graph], Graph]] = {
    "base": lambda asserted, inferred: asserted,
    "full": lambda asserted, inferred: asserted + inferred,
}


@dataclass(frozen=True)
class Artifact:
    """A release artifact: what it holds and what it is called."""

    name: str
    """The file name without extension, e.g. ``haironto-base``; also the ontology IRI's last segment."""
    content: str
    """A key of :data:`CONTENT`: ``base`` (asserted axioms) or ``full`` (asserted + inferred)."""
    description: str
    """One line for the README and the build log."""

    @property
    def ontology_iri(self) -> URIRef:
        """The artifact's ontology IRI.

        >>> ARTIFACTS[0].ontology_iri
        rdflib.term.URIRef('https://w3id.org/haironto/haironto-base.owl')
        """
        return URIRef(f"{BASE}{self.name}.owl")

    def version_iri(self, version: str) -> URIRef:
        """The dated version IRI for a package version; one for all formats of the artifact.

        >>> ARTIFACTS[0].version_iri("2026.11.25")
        rdflib.term.URIRef('https://w3id.org/haironto/releases/2026-11-25/haironto-base.owl')
        """
        return version_iri(version, f"{self.name}.owl")


#: The release artifacts, in build order.
ARTIFACTS: tuple[Artifact, ...] = (
    Artifact("haironto-base", "base", "the ontology's own asserted axioms"),
    Artifact("haironto-full", "full", "asserted axioms plus the reasoner's inferred subclass axioms"),
    Artifact("haironto", "full", "the primary release: the same content as haironto-full"),
)

#: Every artifact is written in each of these formats (file extensions; see haironto.writers.WRITERS).
EXPORT_FORMATS: tuple[str, ...] = ("owl", "ttl", "jsonld")


def release_date(version: str) -> str:
    """The ISO date of a CalVer package version.

    Raises:
        HairOntoError: the version is not a ``YYYY.MM.DD`` date (e.g. a never-installed source tree).

    >>> release_date("2026.11.25")
    '2026-11-25'
    """
    try:
        year, month, day = (int(part) for part in version.split(".")[:3])
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise HairOntoError(
            f"package version {version!r} is not a CalVer date (YYYY.MM.DD); "
            "install the package (pip install -e .)"
        ) from None


def ontology_iri(graph: Graph) -> URIRef:
    """The IRI of the graph's one ``owl:Ontology``.

    Raises:
        OntologyLoadError: the graph declares no ontology, or more than one.
    """
    headers = sorted(s for s in graph.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef))
    if len(headers) != 1:
        found = ", ".join(headers) or "none"
        raise OntologyLoadError(f"expected one owl:Ontology with an IRI, found {found}")
    return headers[0]


def artifact_graph(asserted: Graph, inferred: Graph, artifact: Artifact, version: str) -> Graph:
    """Build an artifact's graph: select its content, rename the ontology, stamp the header.

    Args:
        asserted: the source's axioms (the edit file).
        inferred: the inferred axioms to add where the artifact's content asks for them.
        artifact: which artifact.
        version: the package version, ``YYYY.MM.DD``.

    Returns:
        A new graph; the inputs are not changed.
    """
    date = release_date(version)
    source_iri = ontology_iri(asserted)
    target = artifact.ontology_iri
    graph = Graph()
    for s, p, o in CONTENT[artifact.content](asserted, inferred):
        graph.add((target if s == source_iri else s, p, o))
    for stamped in (OWL.versionIRI, OWL.versionInfo, DCTERMS.modified):
        graph.remove((target, stamped, None))
    graph.add((target, OWL.versionIRI, artifact.version_iri(version)))
    graph.add((target, OWL.versionInfo, Literal(date)))
    graph.add((target, DCTERMS.modified, Literal(date, datatype=XSD.date)))
    graph.add((DCTERMS.modified, RDF.type, OWL.AnnotationProperty))
    return graph


def inferred_triples(full: Graph, base: Graph) -> Graph:
    """The inferred-only triples of a release: full minus base, the ontology headers left out.

    Blank nodes are compared by structure (RDFC-1.0), so two separately loaded artifacts
    compare right; the ontology IRIs, which differ by design, are aligned first.

    >>> header = "<https://w3id.org/haironto/{}.owl> a <http://www.w3.org/2002/07/owl#Ontology> ."
    >>> axiom = "<urn:a> <http://www.w3.org/2000/01/rdf-schema#subClassOf> [ a <urn:R> ] ."
    >>> base = Graph().parse(data=header.format("haironto-base") + axiom, format="turtle")
    >>> full = Graph().parse(
    ...     data=header.format("haironto-full") + axiom + "<urn:a> <urn:p> <urn:b> .", format="turtle"
    ... )
    >>> [t.n3() for t in next(iter(inferred_triples(full, base)))]
    ['<urn:a>', '<urn:p>', '<urn:b>']
    """
    aligned = URIRef(BASE + "haironto.owl")
    full_triples = set(canonical_triples(_aligned(full, aligned)))
    base_triples = set(canonical_triples(_aligned(base, aligned)))
    result = Graph()
    for triple in full_triples - base_triples:
        s, p, o = (from_oxigraph(term) for term in triple)
        if s != aligned:
            result.add((s, p, o))
    return result


def _aligned(graph: Graph, iri: URIRef) -> Graph:
    # Data without an ontology header (a user's own files) is compared as it is.
    headers = list(graph.subjects(RDF.type, OWL.Ontology))
    return _renamed(graph, ontology_iri(graph), iri) if headers else graph


def _renamed(graph: Graph, old: URIRef, new: URIRef) -> Graph:
    renamed = Graph()
    for triple in graph:
        renamed.add(tuple(new if term == old else term for term in triple))
    return renamed
