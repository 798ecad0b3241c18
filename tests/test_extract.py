"""``haironto extract``: MIREOT and syntactic-locality (OWL API) import modules, checked by HermiT."""

from __future__ import annotations

import owlready2
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from haironto.cli import main
from haironto.extract import extract, write
from haironto.namespaces import DEFINITION, HAIRONTO, version_iri
from haironto.reason import reason
from haironto.resources import ontology_dir

PROV = Namespace("http://www.w3.org/ns/prov#")
BASE_RELEASE = ontology_dir() / "haironto-base.owl"
SEEDS = ["HAIRONTO:0000010", "HAIRONTO_0000007", "https://w3id.org/haironto/HAIRONTO_0000103"]
EXOSOME_TREATMENT, PRP, STEM_CELL = (HAIRONTO[f"HAIRONTO_{n}"] for n in ("0000010", "0000007", "0000103"))
GROWTH_FACTOR_RICH = HAIRONTO["HAIRONTO_0000003"]
REGENERATIVE = HAIRONTO["HAIRONTO_0000002"]
HAIR_LOSS_TREATMENT = HAIRONTO["HAIRONTO_0000001"]


@pytest.fixture(scope="module")
def star() -> Graph:
    # From the base release: the asserted axioms only, so that what HermiT infers in the module
    # is inferred there, not copied from the materialized full release.
    return extract(SEEDS, source=BASE_RELEASE, method="star")


@pytest.mark.reasoner
def test_a_star_module_loads_in_owlready2_and_hermit_finds_it_consistent(star, tmp_path):
    path = write(star, tmp_path / "module.owl")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    assert str(onto.search_one(iri=str(PRP)).label.first()) == "platelet rich plasma"
    world.close()
    report = reason(star, "hermit")
    assert report.consistent and not report.unsatisfiable, report.to_text()
    # PRP is asserted only as a regenerative treatment with growth factors and no cells; the
    # module keeps the axioms that put it under growth-factor-rich treatment.
    assert (PRP, RDFS.subClassOf, GROWTH_FACTOR_RICH) not in star
    inferred = {(URIRef(sub.iri), URIRef(sup.iri)) for sub, sup in report.inferred_subclasses}
    assert (PRP, GROWTH_FACTOR_RICH) in inferred
    assert (EXOSOME_TREATMENT, GROWTH_FACTOR_RICH) in inferred


def test_a_locality_module_is_smaller_than_the_source_and_star_is_within_bot(star):
    source = Graph().parse(BASE_RELEASE)
    bot = extract(SEEDS, source=BASE_RELEASE, method="bot")
    top = extract(SEEDS, source=BASE_RELEASE, method="top")
    classes = {
        name: {c for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
        for name, g in (("star", star), ("bot", bot), ("top", top), ("source", source))
    }
    assert classes["star"] <= classes["bot"] < classes["source"]
    assert classes["star"] <= classes["top"]
    # The seeds' definitions (the defined class and its restriction) are in.
    assert GROWTH_FACTOR_RICH in classes["star"]
    assert (GROWTH_FACTOR_RICH, OWL.equivalentClass, None) in star


def test_the_module_header_records_the_source_version(star):
    header = URIRef("https://w3id.org/haironto/imports/haironto_import.owl")
    assert list(star.subjects(RDF.type, OWL.Ontology)) == [header]
    source_version = version_iri("2026.11.25", "haironto-base.owl")
    assert star.value(header, PROV.wasDerivedFrom) == source_version
    assert star.value(header, DCTERMS.source) == source_version
    assert str(star.value(header, DCTERMS.license)) == "https://creativecommons.org/licenses/by/4.0/"


def test_mireot_keeps_terms_labels_definitions_and_ancestors_only():
    module = extract(["HAIRONTO:0000010"], method="mireot")
    classes = set(module.subjects(RDF.type, OWL.Class))
    # From the primary release: the inferred parent is there too.
    assert classes == {EXOSOME_TREATMENT, GROWTH_FACTOR_RICH, REGENERATIVE, HAIR_LOSS_TREATMENT}
    for cls in classes:
        assert module.value(cls, RDFS.label) is not None and module.value(cls, DEFINITION) is not None
    assert (EXOSOME_TREATMENT, RDFS.subClassOf, GROWTH_FACTOR_RICH) in module
    assert not list(module.subjects(RDF.type, OWL.Restriction))
    upper = extract(["HAIRONTO:0000010"], method="mireot", upper="HAIRONTO:0000002")
    assert set(upper.subjects(RDF.type, OWL.Class)) == classes - {HAIR_LOSS_TREATMENT}


def test_cli_extract_reads_a_term_file_and_writes_both_formats(runner, tmp_path):
    terms = tmp_path / "terms.txt"
    terms.write_text("# seeds\nHAIRONTO:0000010  # exosome treatment\nHAIRONTO:0000007\n", encoding="utf-8")
    for fmt in ("owl", "ttl"):
        out = tmp_path / f"module.{fmt}"
        args = ["extract", "--file", str(terms), "--method", "mireot", "--output", str(out)]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        graph = Graph().parse(out, format="xml" if fmt == "owl" else "turtle")
        assert {EXOSOME_TREATMENT, PRP} <= set(graph.subjects(RDF.type, OWL.Class))


def test_cli_extract_of_an_unknown_term_is_one_line_and_exit_2(runner):
    result = runner.invoke(main, ["extract", "HAIRONTO:0000010", "HAIRONTO:0009999"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "HAIRONTO:0009999" in result.stderr
    assert runner.invoke(main, ["extract"]).exit_code == 2
