"""Namespaces, identifiers and CURIEs of HairOnto, declared once for the library, the server and the tests.

The plain strings (:data:`BASE`, :data:`PREFIX`, :data:`PREFIX_MAP`) live in :mod:`haironto.identifiers`
and are re-exported here; this module makes rdflib terms of them.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from rdflib import Namespace, URIRef

from haironto.identifiers import BASE, PREFIX, PREFIX_MAP  # noqa: F401  # PREFIX: re-exported

if TYPE_CHECKING:
    from curies import Converter

HAIRONTO = Namespace(BASE)
ONTOLOGY_IRI = URIRef(BASE + "haironto.owl")

# The served dataset: the default graph is the union of these two named graphs, so a user can
# query everything at once or tell what the editors asserted from what the reasoner inferred.
ASSERTED_GRAPH = URIRef(BASE + "graph/asserted")
INFERRED_GRAPH = URIRef(BASE + "graph/inferred")
#: Terms the service description uses for limits that SPARQL 1.1 Service Description has no term for.
SERVICE = Namespace(BASE + "service#")

OBO = Namespace("http://purl.obolibrary.org/obo/")
IAO = Namespace("http://purl.obolibrary.org/obo/IAO_")
RO = Namespace("http://purl.obolibrary.org/obo/RO_")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
VANN = Namespace("http://purl.org/vocab/vann/")

DEFINITION = IAO["0000115"]
DEFINITION_SOURCE = IAO["0000119"]
TERM_REPLACED_BY = IAO["0100001"]

# Terms the code relies on. Their IDs are opaque; the labels are in ontology/haironto-edit.ttl.
CLAIM = HAIRONTO["HAIRONTO_0000401"]  # class: a statement the source article makes
SOURCE_ARTICLE = HAIRONTO["HAIRONTO_0000701"]  # individual: the source article
# Annotation properties that describe a claim (values are IRIs unless noted).
CLAIM_SUBJECT = HAIRONTO["HAIRONTO_0000601"]
CLAIM_RELATION = HAIRONTO["HAIRONTO_0000602"]
CLAIM_OBJECT = HAIRONTO["HAIRONTO_0000603"]
HAS_EVIDENCE_TYPE = HAIRONTO["HAIRONTO_0000604"]
STUDY_ORGANISM = HAIRONTO["HAIRONTO_0000605"]
HEDGING = HAIRONTO["HAIRONTO_0000606"]  # literal: the article's hedge word(s), e.g. "may"
SOURCE_TEXT = HAIRONTO["HAIRONTO_0000607"]  # literal: the article's sentence
FOOTNOTE = HAIRONTO["HAIRONTO_0000608"]  # xsd:integer: the article's footnote marker, 1-5
IN_CONDITION = HAIRONTO["HAIRONTO_0000609"]  # the condition of the patients the claim is about
IS_NEGATED = HAIRONTO["HAIRONTO_0000610"]  # xsd:boolean: the article states the opposite
REPORTED_BY_STUDY = HAIRONTO["HAIRONTO_0000611"]  # the study the article credits
COMPARED_WITH = HAIRONTO["HAIRONTO_0000612"]  # the treatment the article compares the subject with
CLAIM_PROPERTIES = (
    CLAIM_SUBJECT,
    CLAIM_RELATION,
    CLAIM_OBJECT,
    HAS_EVIDENCE_TYPE,
    STUDY_ORGANISM,
    HEDGING,
    SOURCE_TEXT,
    FOOTNOTE,
    IN_CONDITION,
    IS_NEGATED,
    REPORTED_BY_STUDY,
    COMPARED_WITH,
)

#: A term ID: the prefix, an underscore (in IRIs) or colon (in CURIEs), then seven digits.
TERM_ID = re.compile(r"^HAIRONTO_(\d{7})$")


@functools.cache
def converter() -> Converter:
    """The CURIE converter of :data:`PREFIX_MAP`, made on first use: curies brings pydantic, 60 ms
    to import, which commands that never meet a CURIE (``haironto load``) need not pay."""
    from curies import Converter

    return Converter.from_prefix_map(PREFIX_MAP)


def version_iri(version: str, artifact: str = "haironto.owl") -> URIRef:
    """Return the dated version IRI of an artifact for a CalVer package version.

    Args:
        version: the package version, ``YYYY.MM.DD`` (leading zeros optional).
        artifact: the artifact's file name.

    Returns:
        The IRI ``https://w3id.org/haironto/releases/YYYY-MM-DD/<artifact>``.

    >>> version_iri("2026.11.25")
    rdflib.term.URIRef('https://w3id.org/haironto/releases/2026-11-25/haironto.owl')
    """
    year, month, day = (int(part) for part in version.split(".")[:3])
    return URIRef(f"{BASE}releases/{year:04d}-{month:02d}-{day:02d}/{artifact}")


def expand(curie_or_iri: str) -> str | None:
    """Expand a CURIE (``HAIRONTO:0000001``, ``CL:0000034``) to an IRI; IRIs pass through.

    >>> expand("HAIRONTO:0000001")
    'https://w3id.org/haironto/HAIRONTO_0000001'
    >>> expand("https://w3id.org/haironto/HAIRONTO_0000001")
    'https://w3id.org/haironto/HAIRONTO_0000001'
    >>> expand("nonsense") is None
    True
    """
    if curie_or_iri.startswith(("http://", "https://")):
        return curie_or_iri
    return converter().expand(curie_or_iri, strict=False) if ":" in curie_or_iri else None


def compress(iri: str) -> str:
    """Compress an IRI to a CURIE when a prefix is known; otherwise return the IRI.

    >>> compress("http://purl.obolibrary.org/obo/CL_0000034")
    'CL:0000034'
    """
    return converter().compress(iri) or iri


def term_iri(term: str) -> URIRef | None:
    """Resolve a term given as an ID (``HAIRONTO_0000001``), CURIE or IRI to its HairOnto IRI.

    >>> term_iri("HAIRONTO_0000001")
    rdflib.term.URIRef('https://w3id.org/haironto/HAIRONTO_0000001')
    >>> term_iri("HAIRONTO:0000001") == term_iri("https://w3id.org/haironto/HAIRONTO_0000001")
    True
    >>> term_iri("CL:0000034") is None
    True
    """
    if TERM_ID.match(term):
        return HAIRONTO[term]
    iri = expand(term)
    if iri and iri.startswith(BASE) and TERM_ID.match(iri[len(BASE) :]):
        return URIRef(iri)
    return None
