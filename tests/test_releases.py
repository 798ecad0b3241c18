"""``haironto release``: dated immutable releases, the changelog from the diff, the published list,
the Protege catalog and the HTML documentation."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from haironto import __version__
from haironto.artifacts import ARTIFACTS, release_date
from haironto.cli import main
from haironto.errors import HairOntoError
from haironto.namespaces import BASE, IAO
from haironto.releases import (
    CATALOG,
    ReleaseExistsError,
    catalog_path,
    catalog_xml,
    latest_release,
    make_release,
    published_releases,
)
from haironto.resources import ontology_dir, releases_dir
from tests.data import EXOSOME, MINI, PRP, REPO_ROOT

CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
FIRST = "2026-11-25"


def catalog_entries(path: Path) -> dict[str, str]:
    root = ET.parse(path).getroot()
    return {uri.get("name"): uri.get("uri") for uri in root.iter(f"{CATALOG_NS}uri")}


def test_the_first_release_is_published_and_listed():
    releases = published_releases()
    assert [r.date for r in releases][:1] == [FIRST]
    first = releases[0]
    assert first.path == releases_dir() / FIRST
    names = {p.relative_to(first.path).as_posix() for p in first.files}
    for artifact in ARTIFACTS:
        for suffix in ("owl", "ttl", "jsonld"):
            assert f"{artifact.name}.{suffix}" in names
    assert {"haironto-mappings.sssom.tsv", "doc/index.html", CATALOG} <= names
    graph = Graph().parse(first.artifact("haironto", "ttl"))
    assert graph.value(ARTIFACTS[-1].ontology_iri, OWL.versionIRI).startswith(first.iri)
    assert latest_release() == releases[-1]
    assert latest_release(before=FIRST) is None


def test_the_committed_build_is_the_published_release_of_its_version():
    # Two different files must never carry one version IRI: once a version is released, the source
    # may change only after the version is bumped.
    date = release_date(__version__)
    release = next((r for r in published_releases() if r.date == date), None)
    if release is None:
        assert all(r.date < date for r in published_releases()), "the package version is older than a release"
        return
    built = sorted(
        p.relative_to(ontology_dir())
        for p in ontology_dir().glob("haironto*.*")
        if p.name != "haironto-edit.ttl"
    )
    assert len(built) == 10
    for name in [*built, Path("doc/index.html")]:
        assert (release.path / name).read_bytes() == (ontology_dir() / name).read_bytes(), (
            f"ontology/{name} differs from the published release {date}: bump the version in pyproject.toml"
        )


def test_every_catalog_entry_points_to_an_existing_file():
    for catalog in [catalog_path(), *(r.path / CATALOG for r in published_releases())]:
        entries = catalog_entries(catalog)
        assert entries, catalog
        for name, uri in entries.items():
            target = (catalog.parent / uri).resolve()
            assert target.is_file(), f"{catalog}: {name} -> {uri}"
            assert name.startswith(BASE)
    source = catalog_entries(catalog_path())
    assert source[f"{BASE}haironto.owl"] == "haironto.owl"
    assert source[f"{BASE}releases/{FIRST}/haironto.owl"] == f"../releases/{FIRST}/haironto.owl"


def test_the_committed_catalog_lists_every_published_release():
    expected = catalog_xml(ontology_dir(), published_releases())
    assert catalog_path().read_text(encoding="utf-8") == expected, (
        "run haironto release, or rebuild the catalog"
    )


@pytest.fixture
def fixture_releases(tmp_path):
    """A releases folder, a changelog and a catalog folder for releases of mini.ttl."""
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## Unreleased\n\n### Added\n- the fixture\n", encoding="utf-8")
    catalog = tmp_path / "ontology"
    catalog.mkdir()
    return tmp_path / "releases", changelog, catalog


@pytest.mark.reasoner
def test_release_publishes_then_refuses_to_overwrite_and_diffs_the_next(fixture_releases, tmp_path, mini):
    root, changelog, catalog = fixture_releases
    first = make_release(
        "2026-11-25", root, edit=MINI, changelog=changelog, catalog_folder=catalog, version="2026.11.25"
    )
    assert first.ok and first.previous is None
    published = {p: p.read_bytes() for p in (root / "2026-11-25").rglob("*") if p.is_file()}
    text = changelog.read_text(encoding="utf-8")
    assert text.index("## Unreleased") < text.index("## 2026-11-25") < text.index("- the fixture")
    assert "First release" in text

    with pytest.raises(ReleaseExistsError, match="already published"):
        make_release("2026-11-25", root, edit=MINI, version="2026.11.25")
    assert {p: p.read_bytes() for p in (root / "2026-11-25").rglob("*") if p.is_file()} == published

    # The next release obsoletes exosome the OBO way and relabels PRP.
    drop_disjointness(mini)  # the disjointness axiom names exosome
    mini.remove((EXOSOME, RDFS.label, None))
    mini.add((EXOSOME, RDFS.label, Literal("obsolete exosome", lang="en")))
    mini.add((EXOSOME, OWL.deprecated, Literal(True)))
    mini.add((EXOSOME, IAO["0100001"], PRP))
    mini.add((EXOSOME, IAO["0000231"], IAO["0000227"]))
    mini.remove((PRP, RDFS.label, None))
    mini.add((PRP, RDFS.label, Literal("platelet-rich plasma", lang="en")))
    edit = tmp_path / "edit.ttl"
    mini.serialize(edit, format="turtle")
    second = make_release(
        "2026-12-01", root, edit=edit, changelog=changelog, catalog_folder=catalog, version="2026.12.01"
    )
    assert second.ok and second.previous.date == "2026-11-25"
    assert [t.id for t in second.diff.obsoleted] == ["HAIRONTO:9000004"]
    text = changelog.read_text(encoding="utf-8")
    section = text[text.index("## 2026-12-01") : text.index("## 2026-11-25")]
    assert (
        "#### Obsoleted terms\n\n- HAIRONTO:9000004 obsolete exosome (replaced by HAIRONTO:9000007)"
        in section
    )
    assert '- HAIRONTO:9000007: "platelet rich plasma" -> "platelet-rich plasma"' in section
    assert [r.date for r in published_releases(root)] == ["2026-11-25", "2026-12-01"]
    entries = catalog_entries(catalog / CATALOG)
    assert entries[f"{BASE}releases/2026-12-01/haironto.owl"] == "../releases/2026-12-01/haironto.owl"
    assert entries[f"{BASE}releases/2026-11-25/haironto.owl"] == "../releases/2026-11-25/haironto.owl"


@pytest.mark.reasoner
def test_a_release_that_deletes_a_published_id_is_stopped(fixture_releases, tmp_path, mini):
    root, changelog, catalog = fixture_releases
    assert make_release("2026-11-25", root, edit=MINI, version="2026.11.25").ok
    graph = Graph()
    for triple in mini:
        if PRP not in triple:
            graph.add(triple)
    edit = tmp_path / "edit.ttl"
    graph.serialize(edit, format="turtle")
    result = make_release("2026-12-01", root, edit=edit, version="2026.12.01")
    assert not result.ok
    assert "deleted-id\tHAIRONTO:9000007" in result.to_text()
    assert not (root / "2026-12-01").exists() and not list(root.glob(".*partial"))


def test_the_release_date_is_the_package_version(tmp_path):
    with pytest.raises(HairOntoError, match=r'set version = "2026.12.02" in pyproject.toml'):
        make_release("2026-12-02", tmp_path, edit=MINI, version="2026.11.25")
    for malformed in ("25/11/2026", "2026-13-45"):
        with pytest.raises(HairOntoError, match="not YYYY-MM-DD"):
            make_release(malformed, tmp_path, edit=MINI, version="2026.11.25")


def test_cli_release_refuses_to_overwrite_with_exit_1(runner, tmp_path):
    date = release_date(__version__)
    (tmp_path / date).mkdir()
    (tmp_path / date / "haironto.owl").write_text("published", encoding="utf-8")
    result = runner.invoke(main, ["release", "--date", date, "--output", str(tmp_path), "--edit", str(MINI)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"haironto: release {date} is already published")
    assert (tmp_path / date / "haironto.owl").read_text(encoding="utf-8") == "published"


def test_the_documentation_names_every_entity_and_marks_obsolete_terms(mini, tmp_path):
    from haironto import docs

    page = docs.dumps(Graph().parse(ontology_dir() / "haironto.ttl"))
    graph = Graph().parse(ontology_dir() / "haironto.ttl")
    for kind in (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.NamedIndividual,
    ):
        for entity in graph.subjects(RDF.type, kind):
            if str(entity).startswith(BASE + "HAIRONTO_"):
                assert f'id="{str(entity)[len(BASE) :]}"' in page, entity
    assert page == (ontology_dir() / "doc" / "index.html").read_text(encoding="utf-8")
    # An obsolete term says so and links its replacement.
    mini.add((EXOSOME, OWL.deprecated, Literal(True)))
    mini.add((EXOSOME, IAO["0100001"], PRP))
    section = docs.dumps(mini).split('id="HAIRONTO_9000004"', 1)[1].split("</section>", 1)[0]
    assert re.search(
        r'Obsolete: do not use this term\. Replaced by <a href="#HAIRONTO_9000007">platelet rich plasma</a>',
        section,
    )


def test_the_changelog_has_a_section_per_published_release():
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for release in published_releases():
        assert f"\n## {release.date}\n" in changelog


def drop_disjointness(graph: Graph) -> None:
    """Remove the owl:AllDisjointClasses axioms with their member lists."""
    for axiom in list(graph.subjects(RDF.type, OWL.AllDisjointClasses)):
        node = graph.value(axiom, OWL.members)
        graph.remove((axiom, None, None))
        while node is not None and node != RDF.nil:
            following = graph.value(node, RDF.rest)
            graph.remove((node, None, None))
            node = following
