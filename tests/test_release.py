"""Issue 2 on the real ontology: the committed release is what the source builds, it passes the QC
report, real HermiT and Pellet find it consistent and infer the article's taxonomy, and injected
contradictions are caught with the offending classes named.

https://w3id.org/haironto issue 2
"""

from __future__ import annotations

import functools
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from haironto import __version__
from haironto.artifacts import ARTIFACTS
from haironto.build import build
from haironto.check import check
from haironto.namespaces import HAIRONTO, ONTOLOGY_IRI, RO, version_iri
from haironto.reason import reason
from haironto.resources import edit_file, ontology_dir, service_dir
from tests.data import REPO_ROOT, SHARED_DIR

RELEASE_FILES = sorted(p.name for p in ontology_dir().glob("haironto*.*") if p.name != "haironto-edit.ttl")
#: What the build derives for the service: the entailment closures, the reasoning and QC reports.
SERVICE_FILES = sorted(f"service/{p.name}" for p in service_dir().glob("haironto*.*"))
#: Everything the build writes, documentation and service files included, by path relative to the folder.
BUILT_FILES = sorted([*RELEASE_FILES, "doc/index.html", *SERVICE_FILES])


def term(number: str) -> URIRef:
    return HAIRONTO[f"HAIRONTO_{number}"]


@functools.cache
def edit_graph() -> Graph:
    return Graph().parse(edit_file())


def edited(*triples) -> Graph:
    graph = Graph()
    for triple in edit_graph():
        graph.add(triple)
    for triple in triples:
        graph.add(triple)
    return graph


@pytest.mark.reasoner
def test_committed_release_is_what_the_source_builds(tmp_path):
    result = build(edit_file(), tmp_path)
    assert result.ok, result.to_text()
    built = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert built == BUILT_FILES
    for name in built:
        assert (tmp_path / name).read_bytes() == (ontology_dir() / name).read_bytes(), (
            f"ontology/{name} is stale: run `haironto build`"
        )


def test_release_headers_are_stamped_with_the_dated_version():
    for artifact in ARTIFACTS:
        graph = Graph().parse(ontology_dir() / f"{artifact.name}.ttl")
        iri = artifact.ontology_iri
        assert (iri, RDF.type, OWL.Ontology) in graph
        assert graph.value(iri, OWL.versionIRI) == version_iri(__version__, f"{artifact.name}.owl")
        assert str(graph.value(iri, OWL.versionInfo)) == str(version_iri(__version__)).split("/")[-2]


def test_the_edit_file_passes_the_qc_report():
    report = check(edit_file())
    assert not report.fails("WARN"), report.format("tsv")


@pytest.mark.parametrize("name", [n for n in RELEASE_FILES if n.endswith(".ttl")])
def test_each_release_artifact_passes_the_qc_report(name):
    report = check(ontology_dir() / name)
    assert not report.fails("ERROR"), report.format("tsv")


@pytest.mark.parametrize("artifact", [a.name for a in ARTIFACTS])
def test_every_serialization_parses_everywhere_and_says_the_same(artifact):
    graphs = [Graph().parse(ontology_dir() / f"{artifact}.{ext}") for ext in ("ttl", "owl", "jsonld")]
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])
    for ext, fmt in (
        ("ttl", ox.RdfFormat.TURTLE),
        ("owl", ox.RdfFormat.RDF_XML),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ):
        store = ox.Store()
        store.load(path=str(ontology_dir() / f"{artifact}.{ext}"), format=fmt)
        assert len(store) == len(graphs[0]), ext
    world = owlready2.World()
    onto = world.get_ontology(f"file://{ontology_dir() / f'{artifact}.owl'}").load()
    assert str(onto.search_one(iri=str(term("0000007"))).label.first()) == "platelet rich plasma"
    world.close()


def test_primary_release_is_the_full_one_under_its_own_iri():
    full = Graph().parse(ontology_dir() / "haironto-full.ttl")
    primary = Graph().parse(ontology_dir() / "haironto.ttl")
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in primary
    assert len(full) == len(primary)
    base = Graph().parse(ontology_dir() / "haironto-base.ttl")
    inferred = {t for t in full if t not in base and t[1] == RDFS.subClassOf}
    # PRP is asserted only as a regenerative treatment; the reasoner places it.
    assert (term("0000007"), RDFS.subClassOf, term("0000003")) in inferred


@pytest.mark.reasoner
@pytest.mark.parametrize("reasoner", ["hermit", "pellet"])
def test_real_reasoners_find_the_ontology_consistent_and_infer_the_taxonomy(reasoner):
    report = reason(edit_graph(), reasoner)
    assert report.consistent and not report.unsatisfiable, report.to_text()
    inferred = {(child.label, parent.label) for child, parent in report.inferred_subclasses}
    # The article's two classes, filled in by the reasoner from the defined classes (footnote 1).
    for child, parent in [
        ("platelet rich plasma", "growth-factor-rich treatment"),
        ("exosome treatment", "growth-factor-rich treatment"),
        ("nanofat", "adult stem cell treatment"),
        ("Wharton's jelly-derived stem cell treatment", "perinatal stem cell treatment"),
        ("placental stem cell", "perinatal stem cell"),
        ("vascular endothelial growth factor secretion", "growth factor secretion"),
    ]:
        assert (child, parent) in inferred, (child, parent)


@pytest.mark.reasoner
def test_an_exosome_declared_a_cell_is_named_unsatisfiable():
    # "They are not the cells themselves": exosomes are extracellular vesicles, disjoint with cell.
    report = reason(edited((term("0000209"), RDFS.subClassOf, term("0000100"))))
    assert not report.ok
    assert "exosome" in {entity.label for entity in report.unsatisfiable}


@pytest.mark.reasoner
def test_stem_cells_in_a_growth_factor_rich_treatment_are_caught():
    # "Growth Factor Rich Treatments (i.e. NO cells)": PRP with a stem cell component is contradictory.
    restriction = URIRef("urn:test:restriction")
    graph = edited(
        (term("0000007"), RDFS.subClassOf, restriction),
        (restriction, RDF.type, OWL.Restriction),
        (restriction, OWL.onProperty, RO["0002180"]),
        (restriction, OWL.someValuesFrom, term("0000103")),
    )
    # A URIRef restriction is not OWL; make it a blank node as a user would write it.
    graph = Graph().parse(
        data=graph.serialize(format="nt").replace("<urn:test:restriction>", "_:r"), format="nt"
    )
    report = reason(graph)
    assert "platelet rich plasma" in {entity.label for entity in report.unsatisfiable}


@pytest.mark.reasoner
def test_a_cell_both_adult_and_perinatal_makes_the_ontology_inconsistent_and_is_named():
    individual = URIRef("https://example.org/test/my-cell")
    graph = edited(
        (individual, RDF.type, OWL.NamedIndividual),
        (individual, RDFS.label, Literal("my cell", lang="en")),
        (individual, RDF.type, term("0000108")),  # adipose-derived stem cell (adult)
        (individual, RDF.type, term("0000114")),  # Wharton's jelly stem cell (perinatal, inferred)
    )
    report = reason(graph)
    assert not report.consistent
    assert "my cell" in {entity.label for entity in report.offending_individuals}


def test_reference_tables_match_the_shared_copies():
    shared = SHARED_DIR / "reference"
    if not shared.exists():
        pytest.skip(f"shared reference folder not found at {shared}")
    for name in ("xrefs.sssom.tsv", "relations.tsv"):
        assert (REPO_ROOT / "ontology" / "reference" / name).read_bytes() == (shared / name).read_bytes()


def test_release_files_are_listed_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for name in RELEASE_FILES:
        assert name in readme, name


def test_the_ontology_folder_holds_only_known_files():
    expected = {*RELEASE_FILES, "haironto-edit.ttl", "README.md", "reference", "doc", "service"}
    assert {p.name for p in Path(ontology_dir()).iterdir()} <= expected | {"catalog-v001.xml"}


def test_served_dataset_separates_asserted_from_inferred_on_the_real_release():
    from haironto.backends import get_backend
    from haironto.dataset import DataFiles, load_dataset, read_header
    from haironto.namespaces import INFERRED_GRAPH

    backend = get_backend("memory:")
    load_dataset(backend, DataFiles.release())
    rows = backend.query(f"SELECT DISTINCT ?p WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}").terms()
    # Only the reasoner's subclass axioms: no ontology header of haironto-full leaks in as "inferred".
    assert [row[0].value for row in rows] == [str(RDFS.subClassOf)]
    header = read_header(backend)
    assert header.license == "https://creativecommons.org/licenses/by/4.0/"
    assert header.version == str(version_iri(__version__)).split("/")[-2]
    backend.close()
