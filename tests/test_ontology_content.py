"""The ontology source says what the article says, and nothing it doesn't.

Expected values are derived from the article text itself wherever possible (quotes, abbreviations,
footnote markers), so that these tests fail if the ontology drifts from its source.
"""

from __future__ import annotations

import functools
import re

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from haironto import namespaces as ns
from haironto.resources import edit_file
from tests.ontology_data import ARTICLE, article_text

needs_article = pytest.mark.skipif(not ARTICLE.exists(), reason=f"source article not found at {ARTICLE}")

TRACEABLE, NON_TRACEABLE = ns.HAIRONTO["HAIRONTO_0000412"], ns.HAIRONTO["HAIRONTO_0000413"]
STUDY = ns.HAIRONTO["HAIRONTO_0000703"]
# Words the article writes in capitals for emphasis, not abbreviations.
SHOUTED = {"AND", "NO", "CELLS", "THOSE"}


@functools.cache
def source() -> Graph:
    return Graph().parse(edit_file())


def claims() -> list[URIRef]:
    return sorted(source().subjects(RDF.type, ns.CLAIM))


@needs_article
def test_every_claim_quotes_the_article_verbatim():
    article = article_text()
    for claim in claims():
        (quote,) = source().objects(claim, ns.SOURCE_TEXT)
        assert " ".join(str(quote).split()) in article, f"{claim} quotes text the article does not contain"


@needs_article
def test_footnotes_are_the_articles_own_markers():
    raw = ARTICLE.read_text(encoding="utf-8")
    markers = {int(m) for m in re.findall(r"(?<=[a-z.:!)])([1-9])(?=\s|$)", raw)}
    used = {int(v) for v in source().objects(None, ns.FOOTNOTE)}
    assert used == markers, "every footnote marker of the article is used, and no other"


@needs_article
def test_every_abbreviation_of_the_article_is_a_synonym():
    # Runs of capitals, with a numeric suffix (IGF-1) or a plural s (ADSCs).
    words = set(re.findall(r"\b[A-Z][A-Z0-9]+(?:-[0-9]+)?s?\b", ARTICLE.read_text(encoding="utf-8")))
    abbreviations = words - SHOUTED
    assert {"ADSCs", "HFSCs", "PRP", "IGF-1"} <= abbreviations, (
        "the pattern finds the article's abbreviations"
    )
    known = {str(o) for p in (ns.OBOINOWL.hasExactSynonym,) for o in source().objects(None, p)}
    labels_and_definitions = " ".join(
        str(o) for p in (RDFS.label, ns.DEFINITION) for o in source().objects(None, p)
    )
    for abbreviation in abbreviations:
        singular = abbreviation.removesuffix("s")  # ADSCs, HFSCs
        assert singular in known or re.search(rf"\b{re.escape(abbreviation)}\b", labels_and_definitions), (
            abbreviation
        )


def test_abbreviation_synonyms_are_typed():
    g = source()
    typed = {
        (axiom_source, str(target))
        for axiom in g.subjects(RDF.type, OWL.Axiom)
        for axiom_source in g.objects(axiom, OWL.annotatedSource)
        for target in g.objects(axiom, OWL.annotatedTarget)
        if (axiom, ns.OBOINOWL.hasSynonymType, ns.OBO["OMO_0003000"]) in g
    }
    for term, synonym in g.subject_objects(ns.OBOINOWL.hasExactSynonym):
        if re.fullmatch(r"[A-Z][A-Z0-9-]+(?: \w+)?", str(synonym)):
            assert (term, str(synonym)) in typed, f"{synonym} on {term} lacks the abbreviation type"


def test_every_claim_is_complete_and_sourced():
    g = source()
    assert len(claims()) >= 50
    for claim in claims():
        for prop in (ns.CLAIM_SUBJECT, ns.CLAIM_RELATION, ns.CLAIM_OBJECT, ns.SOURCE_TEXT, RDFS.label):
            assert len(list(g.objects(claim, prop))) == 1, f"{claim} needs exactly one {prop}"
        assert (claim, DCTERMS.source, ns.SOURCE_ARTICLE) in g
        evidence = set(g.objects(claim, ns.HAS_EVIDENCE_TYPE))
        footnote = g.value(claim, ns.FOOTNOTE)
        # A footnote makes the author's statement traceable; without one it is not.
        assert (TRACEABLE in evidence) == (footnote is not None), claim
        assert (NON_TRACEABLE in evidence) == (footnote is None), claim


def test_claims_point_at_declared_terms():
    g = source()
    declared = set(g.subjects(RDF.type, None))
    for claim in claims():
        for prop in (
            ns.CLAIM_SUBJECT,
            ns.CLAIM_OBJECT,
            ns.HAS_EVIDENCE_TYPE,
            ns.STUDY_ORGANISM,
            ns.IN_CONDITION,
        ):
            for value in g.objects(claim, prop):
                assert value in declared, f"{claim} {prop} points at undeclared {value}"
        relation = g.value(claim, ns.CLAIM_RELATION)
        assert relation in declared or relation in (RDFS.subClassOf, OWL.disjointWith), relation


def test_hedged_claims_keep_the_articles_words():
    hedges = {str(h) for h in source().objects(None, ns.HEDGING)}
    for word in ("may", "seem to", "can", "could", "several trials show"):
        assert word in hedges


def test_nothing_bibliographic_is_invented():
    g = source()
    # The 2023 study is described only as the article describes it: a year, a journal, a finding.
    assert set(g.predicates(STUDY, None)) == {
        RDF.type,
        RDFS.label,
        RDFS.comment,
        ns.HAIRONTO["HAIRONTO_0000525"],
        ns.HAIRONTO["HAIRONTO_0000526"],
    }
    assert g.value(STUDY, ns.HAIRONTO["HAIRONTO_0000525"]) == Literal(2023)
    for predicate in (DCTERMS.creator, DCTERMS.identifier, DCTERMS.bibliographicCitation, DCTERMS.date):
        assert set(g.subjects(predicate, None)) <= {ns.ONTOLOGY_IRI}, predicate
    text = " ".join(str(o) for o in g.objects() if isinstance(o, Literal))
    assert not re.search(r"\b10\.\d{4,9}/", text), "no DOI"
    assert not any("doi.org" in str(o) for o in g.objects())


def test_header_metadata():
    g = source()
    header = ns.ONTOLOGY_IRI
    assert (header, RDF.type, OWL.Ontology) in g
    assert (header, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.created):
        assert g.value(header, prop) is not None, prop
    assert g.value(header, DCTERMS.created).datatype == XSD.date
    assert str(g.value(header, ns.VANN.preferredNamespacePrefix)) == "HAIRONTO"
    assert str(g.value(header, ns.VANN.preferredNamespaceUri)) == ns.BASE
    assert (header, DCTERMS.source, ns.SOURCE_ARTICLE) in g
    assert g.value(header, OWL.versionIRI) is None, "the build stamps the version IRI, not the editor"


def test_every_class_has_a_definition_with_a_source():
    g = source()
    for term in g.subjects(RDF.type, OWL.Class):
        if isinstance(term, URIRef) and str(term).startswith(ns.BASE):
            assert g.value(term, ns.DEFINITION) is not None, term
            assert (term, ns.DEFINITION_SOURCE, ns.SOURCE_ARTICLE) in g, term


def test_exosome_price_is_machine_readable():
    g = source()
    price = ns.HAIRONTO["HAIRONTO_0000702"]
    value = {
        p: g.value(price, ns.HAIRONTO[f"HAIRONTO_0000{n}"])
        for n, p in [(520, "low"), (521, "high"), (522, "open"), (523, "currency")]
    }
    # "ranging from $2,000–$10,000+ per treatment"
    assert value["low"].toPython() == 2000 and value["low"].datatype == XSD.decimal
    assert value["high"].toPython() == 10000 and value["high"].datatype == XSD.decimal
    assert value["open"].toPython() is True
    assert str(value["currency"]) == "USD"
