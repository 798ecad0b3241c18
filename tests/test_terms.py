"""Describing a term through the Backend: the model of its page and its concise RDF description.

Runs on both backends, on mini.ttl plus the edge cases of terms-edge.ttl; the expected values are
read off those two fixture files.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from haironto.backends import Backend, get_backend
from haironto.dataset import DataFiles, load_dataset
from haironto.errors import UnknownTermError
from haironto.manchester import plain
from haironto.terms import Terms
from tests.conftest import BACKENDS, make_backend
from tests.data import (
    CELL,
    CULTURED,
    DATA_DIR,
    EXOSOME,
    HAS_COMPONENT,
    LABORATORY,
    MADE_BY,
    MAKES,
    NANOFAT,
    NANOFAT_CLAIM,
    NEGATED_CLAIM,
    OBSOLETE,
    PRP,
    STEM_CELL,
    STEM_CELL_RICH_TREATMENT,
    TREATMENT,
)

OMO_ABBREVIATION = "http://purl.obolibrary.org/obo/OMO_0003000"
SYNONYM_TYPE = URIRef("http://www.geneontology.org/formats/oboInOwl#hasSynonymType")


def open_backend(descriptor: str, files: DataFiles) -> Backend:
    backend = get_backend(descriptor)
    load_dataset(backend, files)
    return backend


@pytest.fixture(scope="module", params=BACKENDS)
def terms(request: pytest.FixtureRequest, edge_release: DataFiles) -> Iterator[Terms]:
    backend = make_backend(request.param, request)
    load_dataset(backend, edge_release)
    yield Terms(backend)
    backend.close()


def axioms(description) -> list[tuple[str, str, bool]]:
    return [(a.keyword, plain(a.expression), a.inferred) for a in description.axioms]


def labels(related) -> dict[str, bool]:
    """Related terms by label, with whether each was inferred."""
    return {r.ref.label: r.inferred for r in related}


# -- the page model -------------------------------------------------------------------------------


def test_a_class_has_label_definition_source_and_typed_synonyms(terms):
    prp = terms.describe(str(PRP))
    assert (prp.ref.label, prp.ref.curie, prp.kinds) == (
        "platelet rich plasma",
        "HAIRONTO:9000007",
        ("class",),
    )
    assert [d.text for d in prp.definitions] == ["A treatment made from the patient's own blood platelets."]
    (synonym,) = prp.synonyms
    assert (synonym.text, synonym.scope, synonym.abbreviation) == ("PRP", "exact", True)
    assert [t.label for t in synonym.types] == ["abbreviation"]
    assert not prp.deprecated


def test_parents_and_children_say_which_links_the_reasoner_inferred(terms):
    nanofat = terms.describe(str(NANOFAT))
    assert labels(nanofat.parents) == {"treatment": False, "stem-cell-rich treatment": True}
    rich = terms.describe(str(STEM_CELL_RICH_TREATMENT))
    assert labels(rich.children) == {"nanofat": True}
    treatment = terms.describe(str(TREATMENT))
    assert labels(treatment.children) == {
        "nanofat": False,
        "platelet rich plasma": False,
        "<script>alert(1)</script>": False,
        "cultured stem cell preparation": False,
    }
    assert labels(terms.describe(str(CELL)).instances) == {"a laboratory": False}


def test_class_axioms_read_as_manchester_syntax_with_labels(terms):
    assert ("SubClassOf", "has component some stem cell", False) in axioms(terms.describe(str(NANOFAT)))
    assert ("SubClassOf", "stem-cell-rich treatment", True) in axioms(terms.describe(str(NANOFAT)))
    rich = axioms(terms.describe(str(STEM_CELL_RICH_TREATMENT)))
    assert ("EquivalentTo", "treatment and (has component some stem cell)", False) in rich
    cultured = axioms(terms.describe(str(CULTURED)))
    assert ("SubClassOf", "has component only (stem cell or exosome)", False) in cultured
    assert ("SubClassOf", "made by value a laboratory", False) in cultured
    assert ("SubClassOf", "has component min 2 stem cell", False) in cultured
    assert ("DisjointClasses", "cell, exosome", False) in axioms(terms.describe(str(CELL)))
    assert ("DisjointClasses", "cell, exosome", False) in axioms(terms.describe(str(EXOSOME)))


def test_a_property_shows_domain_range_inverse_characteristics_and_chain(terms):
    made_by = terms.describe(str(MADE_BY))
    assert made_by.kinds == ("object property",)
    found = axioms(made_by)
    for expected in [
        ("Domain", "treatment or cell", False),
        ("Range", "cell", False),
        ("InverseOf", "makes", False),
        ("Characteristics", "Transitive", False),
        ("SubPropertyChain", "made by o has component", False),
    ]:
        assert expected in found
    # The inverse is stated on "made by" only; "makes" shows it too.
    assert ("InverseOf", "made by", False) in axioms(terms.describe(str(MAKES)))


def test_an_individual_shows_its_classes_facts_and_annotations(terms):
    lab = terms.describe(str(LABORATORY))
    assert lab.kinds == ("individual",)
    assert labels(lab.parents) == {"cell": False}
    assert ("Facts", "price 2000.5", False) in axioms(lab)
    assert [(a.property.label, a.value.text) for a in lab.annotations] == [
        ("comment", "Known only from the article.")
    ]


def test_mappings_name_their_predicate_and_link_the_external_term(terms):
    (mapping,) = terms.describe(str(STEM_CELL)).mappings
    assert (mapping.relation, mapping.property.curie) == ("exact", "skos:exactMatch")
    assert (mapping.target.curie, mapping.target.iri) == (
        "CL:0000034",
        "http://purl.obolibrary.org/obo/CL_0000034",
    )
    (xref,) = terms.describe(str(CULTURED)).mappings
    assert (xref.relation, xref.target.iri) == (
        "cross-reference",
        "http://purl.obolibrary.org/obo/CL_0000034",
    )


def test_axiom_annotations_attach_to_the_value_they_annotate(terms):
    (definition,) = terms.describe(str(CULTURED)).definitions
    assert [(a.property.label, a.value.text) for a in definition.annotations] == [
        ("database_cross_reference", "PMID:12345")
    ]


def test_an_obsolete_term_says_so_and_names_its_replacement(terms):
    obsolete = terms.describe(str(OBSOLETE))
    assert obsolete.deprecated
    assert [v.ref.iri for v in obsolete.replaced_by] == [str(PRP)]
    assert [v.ref.iri for v in obsolete.consider] == [str(NANOFAT)]
    consider = "http://www.geneontology.org/formats/oboInOwl#consider"
    assert consider not in {a.property.iri for a in obsolete.annotations}  # shown in its own place
    assert [r.iri for r in terms.describe(str(PRP)).replaces] == [str(OBSOLETE)]


def test_claims_about_a_term_carry_relation_hedging_negation_evidence_and_quote(terms):
    claims = {c.ref.iri: c for c in terms.describe(str(NANOFAT)).claims}
    assert set(claims) == {str(NANOFAT_CLAIM), str(NEGATED_CLAIM)}
    plain_claim = claims[str(NANOFAT_CLAIM)]
    assert [r.label for r in plain_claim.roles] == ["claim subject"]
    assert [v.display for v in plain_claim.relation] == ["has component"]
    assert [v.display for v in plain_claim.object] == ["stem cell"]
    assert (plain_claim.negated, plain_claim.hedging, plain_claim.footnotes) == (False, (), ("1",))
    negated = claims[str(NEGATED_CLAIM)]
    assert negated.negated and negated.hedging == ("may",)
    assert [v.display for v in negated.evidence] == ["animal study evidence"]
    assert [v.display for v in negated.organisms] == ["mouse"]
    assert negated.quotes == ("Nanofat may not contain exosomes.",)
    assert negated.footnotes == ("2",)


def test_claims_list_the_term_in_every_role_it_plays(terms):
    (claim,) = [c for c in terms.describe(str(STEM_CELL)).claims]
    assert claim.ref.iri == str(NANOFAT_CLAIM)
    assert [r.label for r in claim.roles] == ["claim object"]
    assert [r.label for r in terms.claims_about(str(HAS_COMPONENT))[0].roles] == ["claim relation"]


def test_a_claim_has_its_full_record(terms):
    claim = terms.describe(str(NEGATED_CLAIM))
    assert claim.claim is not None and claim.claims == ()
    record = {a.property.label: a.value.display for a in claim.claim.record}
    assert record == {
        "claim subject": "nanofat",
        "claim relation": "has component",
        "claim object": "exosome",
        "has evidence type": "animal study evidence",
        "study organism": "mouse",
        "hedging": "may",
        "source text": "Nanofat may not contain exosomes.",
        "footnote number": "2",
        "is negated": "true",
        "source": "Stem Cell Therapy For Hair Loss – Get The Truth",
    }
    # The claim properties come in the order namespaces.py declares them.
    assert [a.property.label for a in claim.claim.record][:3] == [
        "claim subject",
        "claim relation",
        "claim object",
    ]
    assert claim.annotations == ()


def test_an_unknown_term_is_refused_with_suggestions(terms):
    with pytest.raises(UnknownTermError):
        terms.describe("https://w3id.org/haironto/HAIRONTO_9999999")
    with pytest.raises(UnknownTermError):
        terms.rdf("https://w3id.org/haironto/HAIRONTO_9999999")


# -- the concise RDF description ------------------------------------------------------------------


def rdf(terms: Terms, iri: URIRef) -> Graph:
    return Graph().parse(data=terms.rdf(str(iri)).payload, format="nt")


def test_rdf_holds_the_terms_triples_and_the_labels_of_linked_terms(terms):
    graph = rdf(terms, PRP)
    assert (PRP, RDFS.label, Literal("platelet rich plasma", lang="en")) in graph
    assert (PRP, RDFS.subClassOf, TREATMENT) in graph
    assert (TREATMENT, RDFS.label, Literal("treatment", lang="en")) in graph
    assert (URIRef(OMO_ABBREVIATION), RDFS.label, Literal("abbreviation", lang="en")) in graph
    # Nothing about terms it does not link to.
    assert not list(graph.triples((NANOFAT, None, None)))
    for subject, predicate, _ in graph:
        if isinstance(subject, URIRef) and subject != PRP:
            assert predicate == RDFS.label, (subject, predicate)


def test_rdf_carries_the_blank_node_closure_of_axioms_and_axiom_annotations(terms):
    prp = rdf(terms, PRP)
    (axiom,) = prp.subjects(OWL.annotatedSource, PRP)
    assert (axiom, SYNONYM_TYPE, URIRef(OMO_ABBREVIATION)) in prp
    assert prp.value(axiom, OWL.annotatedTarget) == Literal("PRP", lang="en")

    nanofat = rdf(terms, NANOFAT)
    restrictions = [o for o in nanofat.objects(NANOFAT, RDFS.subClassOf) if isinstance(o, BNode)]
    assert [
        (nanofat.value(r, OWL.onProperty), nanofat.value(r, OWL.someValuesFrom)) for r in restrictions
    ] == [(HAS_COMPONENT, STEM_CELL)]
    # The inferred superclass is part of the description too.
    assert (NANOFAT, RDFS.subClassOf, STEM_CELL_RICH_TREATMENT) in nanofat

    cell = rdf(terms, CELL)
    (disjoint,) = cell.subjects(RDF.type, OWL.AllDisjointClasses)
    members = list(cell.items(cell.value(disjoint, OWL.members)))
    assert members == [CELL, EXOSOME]


# -- cost and agreement between engines -----------------------------------------------------------


class CountingBackend:
    """Counts the queries a backend is asked."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self.queries = 0

    def query(self, *args, **kwargs):
        self.queries += 1
        return self._backend.query(*args, **kwargs)


def test_a_page_costs_three_queries_and_rdf_one(terms):
    counting = CountingBackend(terms.backend)
    cheap = Terms(counting, terms.index)  # type: ignore[arg-type]
    cheap.describe(str(NANOFAT))
    assert counting.queries == 3
    cheap.rdf(str(NANOFAT))
    assert counting.queries == 4


def test_both_engines_describe_every_term_alike(edge_release):
    memory, reference = (open_backend(d, edge_release) for d in ("memory:", "rdflib:"))
    try:
        fast, slow = Terms(memory), Terms(reference)
        assert [e.iri for e in sorted(fast.index, key=lambda e: e.iri)] == [
            e.iri for e in sorted(slow.index, key=lambda e: e.iri)
        ]
        for iri in fast.index.terms():
            assert fast.describe(iri) == slow.describe(iri), iri
            assert (
                Graph()
                .parse(data=fast.rdf(iri).payload, format="nt")
                .isomorphic(Graph().parse(data=slow.rdf(iri).payload, format="nt"))
            ), iri
    finally:
        memory.close()
        reference.close()


@pytest.mark.parametrize("descriptor", BACKENDS)
def test_the_users_resources_have_pages_but_stay_out_of_the_index(
    request: pytest.FixtureRequest, descriptor: str, edge_release: DataFiles
):
    # The index holds the ontology's terms on every backend (the user's data may hold millions of
    # resources); a resource of the user's data is still described, through the backend.
    files = DataFiles(
        edge_release.asserted, edge_release.full, {"https://example.org/lab": (DATA_DIR / "lab.ttl",)}
    )
    backend = make_backend(descriptor, request)
    load_dataset(backend, files)
    try:
        terms = Terms(backend)
        sample = "https://example.org/lab#sample-1"
        assert sample not in terms.index and str(NANOFAT) in terms.index
        assert terms.describes(sample) and not terms.describes("https://example.org/lab#nothing")
        assert (URIRef(sample), RDF.type, NANOFAT) in Graph().parse(
            data=terms.rdf(sample).payload, format="nt"
        )
        with pytest.raises(UnknownTermError):
            terms.describe("https://example.org/lab#nothing")
        assert not terms.describes("not an IRI")
    finally:
        backend.close()
