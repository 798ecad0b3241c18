"""The term index: labels, synonyms and types of every described IRI, and resolving what a client typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, URIRef

from haironto.dataset import DataFiles, load_dataset
from haironto.errors import MalformedTermError, UnknownTermError
from haironto.termindex import Entry, TermIndex
from tests.conftest import BACKENDS, make_backend
from tests.data import (
    HAS_COMPONENT,
    MINI,
    NANOFAT,
    OBSOLETE,
    PRP,
    STEM_CELL,
    TERMS_EDGE,
    TREATMENT,
)


@pytest.fixture(scope="module", params=BACKENDS)
def index(request: pytest.FixtureRequest, edge_release: DataFiles) -> Iterator[TermIndex]:
    backend = make_backend(request.param, request)
    load_dataset(backend, edge_release)
    yield TermIndex.build(backend)
    backend.close()


def test_every_subject_of_the_data_is_indexed_with_its_label(index):
    data = Graph().parse(MINI).parse(TERMS_EDGE)
    subjects = {str(s) for s in data.subjects() if isinstance(s, URIRef)}
    assert {entry.iri for entry in index} >= subjects
    for subject in subjects:
        labels = [
            str(o)
            for o in data.objects(URIRef(subject), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
        ]
        if labels:
            assert index.label(subject) in labels


def test_terms_are_the_ontology_namespace_only(index):
    terms = index.terms()
    assert str(PRP) in terms and str(HAS_COMPONENT) not in terms
    assert all(iri.startswith("https://w3id.org/haironto/HAIRONTO_") for iri in terms)
    assert terms == sorted(terms)


def test_entries_carry_synonyms_types_and_deprecation(index):
    prp = index.get(str(PRP))
    assert prp.synonyms == ("PRP",)
    assert "http://www.w3.org/2002/07/owl#Class" in prp.types
    assert not prp.deprecated
    assert index.get(str(OBSOLETE)).deprecated


def test_labels_fall_back_to_readable_names():
    index = TermIndex([])
    assert index.label("http://www.w3.org/2000/01/rdf-schema#subClassOf") == "is a"
    assert index.label("http://purl.obolibrary.org/obo/CL_0000034") == "CL:0000034"
    assert index.label("urn:nothing:known") == "urn:nothing:known"


@pytest.mark.parametrize(
    "reference",
    [
        "HAIRONTO_9000007",
        "HAIRONTO:9000007",
        "haironto:9000007",
        "https://w3id.org/haironto/HAIRONTO_9000007",
        "platelet rich plasma",
        "Platelet Rich Plasma",
        "PRP",
        "  PRP ",
    ],
)
def test_a_term_is_found_by_id_curie_iri_label_or_synonym(index, reference):
    assert index.resolve(reference) == str(PRP)


def test_terms_of_other_namespaces_resolve_by_curie_and_iri(index):
    assert index.resolve("RO:0002180") == str(HAS_COMPONENT)
    assert index.resolve(str(HAS_COMPONENT)) == str(HAS_COMPONENT)


@pytest.mark.parametrize(
    "reference",
    [
        "HAIRONTO_12",
        "HAIRONTO_00000070",
        "HAIRONTO:abcdefg",
        "https://w3id.org/haironto/HAIRONTO_x",
        "HAIRONTO_",
    ],
)
def test_a_malformed_id_is_refused_with_the_format_explained(index, reference):
    with pytest.raises(MalformedTermError, match="seven digits"):
        index.resolve(reference)


def test_an_unknown_id_is_unknown_not_malformed(index):
    with pytest.raises(UnknownTermError) as caught:
        index.resolve("HAIRONTO_9999999")
    assert not isinstance(caught.value, MalformedTermError)
    assert "HAIRONTO:9999999" in str(caught.value)


def test_an_undescribed_iri_is_unknown(index):
    with pytest.raises(UnknownTermError):
        index.resolve("CL:0000034")
    with pytest.raises(UnknownTermError):
        index.resolve("https://example.org/nothing")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("platelet rich plasm", PRP), ("plasma", PRP), ("nanofatt", NANOFAT), ("stem cel", STEM_CELL)],
)
def test_unknown_text_gets_the_closest_labels_as_suggestions(index, typed, meant):
    with pytest.raises(UnknownTermError) as caught:
        index.resolve(typed)
    assert str(meant) in caught.value.suggestions


def test_suggestions_put_obsolete_terms_last(index):
    suggestions = index.suggest("platelet")
    assert str(PRP) in suggestions and str(OBSOLETE) in suggestions
    assert suggestions.index(str(PRP)) < suggestions.index(str(OBSOLETE))


def test_obsolete_terms_come_after_current_ones_however_close():
    index = TermIndex([Entry("urn:old", "stem cell", deprecated=True), Entry("urn:new", "stem cells")])
    assert index.suggest("stem cell") == ("urn:new", "urn:old")


def test_a_synonym_of_several_terms_names_them_all():
    index = TermIndex(
        [Entry("urn:a", "first", synonyms=("shared",)), Entry("urn:b", "second", synonyms=("shared",))]
    )
    with pytest.raises(UnknownTermError, match="2 terms") as caught:
        index.resolve("shared")
    assert set(caught.value.suggestions) == {"urn:a", "urn:b"}


def test_no_suggestion_for_empty_text(index):
    assert index.suggest("   ") == ()
    assert str(TREATMENT) in index.suggest("treatment")
