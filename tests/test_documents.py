"""The ontology documents at their IRIs and version IRIs: the bundled release files, and nothing else."""

from __future__ import annotations

from functools import cache

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from haironto.documents import document_names, find_document
from haironto.errors import UnknownDocumentError
from haironto.namespaces import BASE
from haironto.resources import ontology_dir

#: Each release format with its media type and the rdflib parser that reads it.
FORMATS = {
    "owl": ("application/rdf+xml", "xml"),
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
}
RELEASE_FILES = sorted(p.name for p in ontology_dir().glob("haironto*.*") if p.name != "haironto-edit.ttl")
RDF_FILES = [name for name in RELEASE_FILES if not name.endswith(".tsv")]


@cache
def version_path(name: str) -> str:
    """The path of a document's version IRI, read from the document's own header."""
    graph = Graph().parse(ontology_dir() / name)
    (ontology,) = graph.subjects(RDF.type, OWL.Ontology)
    version_iri = str(graph.value(ontology, OWL.versionIRI))
    assert version_iri.startswith(BASE)
    return "/" + version_iri[len(BASE) :]


def test_the_mapping_set_is_served_as_tsv(http):
    reply = http.get("/haironto-mappings.sssom.tsv")
    assert reply.status == 200 and reply.mimetype == "text/tab-separated-values"
    assert reply.body == (ontology_dir() / "haironto-mappings.sssom.tsv").read_bytes()


def test_the_documents_are_the_release_files():
    assert sorted(document_names()) == RELEASE_FILES


@pytest.mark.parametrize("name", RDF_FILES)
def test_each_release_file_is_served_at_its_ontology_iri(http, name):
    reply = http.get(f"/{name}")
    media_type, parser = FORMATS[name.rsplit(".", 1)[1]]
    assert reply.status == 200 and reply.mimetype == media_type
    assert reply.body == (ontology_dir() / name).read_bytes()
    graph = Graph().parse(data=reply.body, format=parser)
    assert (URIRef(BASE + name.rsplit(".", 1)[0] + ".owl"), RDF.type, OWL.Ontology) in graph
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["haironto.owl", "haironto-base.ttl", "haironto-full.jsonld"])
def test_a_release_file_is_served_at_its_version_iri(http, name):
    reply = http.get(version_path(name).rsplit("/", 1)[0] + f"/{name}")
    assert reply.status == 200
    assert reply.body == (ontology_dir() / name).read_bytes()


def test_the_version_iri_path_of_the_owl_file_is_served(http):
    # The path comes from the document's own owl:versionIRI, so the route and the header agree.
    assert http.get(version_path("haironto.owl")).status == 200


@pytest.mark.parametrize("version", ["1999-01-01", "2026-11-24", "latest", "2026-1-1"])
def test_another_version_is_404_naming_the_release_there_is(http, version):
    reply = http.get(f"/releases/{version}/haironto.owl")
    assert reply.status == 404 and reply.mimetype == "text/plain"
    release = version_path("haironto.owl").split("/")[2]
    assert release in reply.text and version in reply.text


@pytest.mark.parametrize(
    "attempt",
    [
        "/haironto-edit.ttl",
        "/README.md",
        "/releases/{release}/haironto-edit.ttl",
        "/releases/{release}/..%2F..%2Fpyproject.toml",
        "/releases/{release}/%2e%2e%2fpyproject.toml",
        "/releases/..%2F..%2F/haironto.owl",
        "/releases/{release}/reference%2Fxrefs.sssom.tsv",
        "/haironto.owl%2F..%2F..%2Fpyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/releases/{release}/haironto.owl/../../../pyproject.toml",
    ],
)
def test_no_path_reaches_any_other_file(http, attempt):
    reply = http.get(attempt.format(release=version_path("haironto.owl").split("/")[2]))
    assert reply.status == 404
    assert b"[build-system]" not in reply.body and b"@prefix" not in reply.body


def test_find_document_refuses_unknown_names_and_versions():
    with pytest.raises(UnknownDocumentError, match="haironto.owl, haironto.ttl"):
        find_document("../../etc/passwd")
    with pytest.raises(UnknownDocumentError, match="YYYY-MM-DD"):
        find_document("haironto.owl", "latest")


def test_a_missing_release_file_is_unknown(tmp_path):
    with pytest.raises(UnknownDocumentError, match="haironto build"):
        find_document("haironto.owl", directory=tmp_path)
