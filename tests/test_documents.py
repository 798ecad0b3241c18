"""The ontology documents at their IRIs and version IRIs: the bundled release files, and nothing else."""

from __future__ import annotations

from functools import cache
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from haironto.documents import document_names, find_document
from haironto.errors import UnknownDocumentError
from haironto.namespaces import BASE
from haironto.releases import published_releases
from haironto.resources import ontology_dir, releases_dir
from haironto.server import close_app, create_app
from haironto.server.security import CONTENT_SECURITY_POLICY
from tests.transport import FlaskTransport

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
        "/releases/{release}/doc/..%2F..%2F..%2Fpyproject.toml",
        "/releases/{release}/doc/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
        "/releases/{release}/doc%2F..%2Fhaironto-edit.ttl",
        "/releases/{release}/%2Fetc%2Fpasswd",
        "/doc/..%2F..%2Fpyproject.toml",
    ],
)
def test_no_path_reaches_any_other_file(http, attempt):
    reply = http.get(attempt.format(release=version_path("haironto.owl").split("/")[2]))
    if reply.status == 308:  # Werkzeug merges '//' in a path: the merged path must be refused too
        reply = http.get(urlsplit(reply.headers["Location"]).path)
    assert reply.status == 404
    assert b"[build-system]" not in reply.body and b"@prefix" not in reply.body
    assert b"root:" not in reply.body


# -- every published release, file by file --------------------------------------------------------

#: The media type each kind of release file is served with.
MEDIA_TYPES = {
    "owl": "application/rdf+xml",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "tsv": "text/tab-separated-values",
    "xml": "application/xml",
    "html": "text/html",
}
PUBLISHED_FILES = [(r.date, f.relative_to(r.path).as_posix()) for r in published_releases() for f in r.files]


def test_the_first_release_is_published_with_its_catalog_and_documentation():
    assert {"catalog-v001.xml", "doc/index.html", "haironto.owl"} <= {
        name for date, name in PUBLISHED_FILES if date == "2026-11-25"
    }


@pytest.mark.parametrize(("date", "name"), PUBLISHED_FILES)
def test_every_file_of_every_published_release_is_served_at_its_version_iri(http, date, name):
    reply = http.get(f"/releases/{date}/{name}")
    assert reply.status == 200, reply.body[:200]
    assert reply.mimetype == MEDIA_TYPES[name.rsplit(".", 1)[1]]
    assert reply.body == (releases_dir() / date / name).read_bytes()


def test_a_release_serves_its_documentation_at_its_folder(http):
    for release in published_releases():
        reply = http.get(f"/releases/{release.date}/doc/")
        assert reply.status == 200 and reply.mimetype == "text/html"
        assert reply.body == (release.path / "doc" / "index.html").read_bytes()


def test_a_releases_folder_serves_its_releases_files_and_nothing_else(tmp_path, release):
    folder = tmp_path / "releases"
    for date in ("2026-01-01", "2026-02-01"):
        (folder / date / "doc").mkdir(parents=True)
        (folder / date / "haironto.owl").write_text(f"<!-- {date} -->", encoding="utf-8")
        (folder / date / "doc" / "index.html").write_text(f"<p>{date}</p>", encoding="utf-8")
        (folder / date / "notes.txt").write_text("private", encoding="utf-8")
        (folder / date / ".draft.ttl").write_text("private", encoding="utf-8")
    (folder / "2026-03-01").mkdir()  # no haironto.owl: not a published release
    (folder / "2026-03-01" / "haironto.ttl").write_text("private", encoding="utf-8")
    app = create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in release.asserted],
            "RELEASES": str(folder),
            "QUERY_WORKERS": 1,
        }
    )
    try:
        http = FlaskTransport(app.test_client())  # closes the files it was sent
        for date in ("2026-01-01", "2026-02-01"):
            assert http.get(f"/releases/{date}/haironto.owl").body == f"<!-- {date} -->".encode()
            assert http.get(f"/releases/{date}/doc/").body == f"<p>{date}</p>".encode()
            for hidden in ("notes.txt", ".draft.ttl"):
                reply = http.get(f"/releases/{date}/{hidden}")
                assert reply.status == 404 and b"private" not in reply.body
        reply = http.get("/releases/2026-03-01/haironto.ttl")
        assert reply.status == 404 and b"2026-01-01, 2026-02-01" in reply.body
    finally:
        close_app(app)


# -- the HTML documentation ------------------------------------------------------------------------


class _Loads(HTMLParser):
    """Collects what an HTML page would make a browser fetch or run."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.scripts = 0
        self.styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.scripts += tag == "script"
        self.styles += tag == "style"
        if values.get("src") or (tag == "link" and values.get("href")):
            self.fetches.append(f"{tag} {values.get('src') or values.get('href')}")


def test_the_documentation_is_served_at_doc_with_the_page_headers(http):
    reply = http.get("/doc/")
    assert reply.status == 200 and reply.mimetype == "text/html"
    assert reply.body == (ontology_dir() / "doc" / "index.html").read_bytes()
    assert reply.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "same-origin"
    # The policy allows what the page needs: inline style (CSP 'unsafe-inline'), no script, no fetch.
    loads = _Loads()
    loads.feed(reply.text)
    assert loads.styles == 1 and loads.scripts == 0 and loads.fetches == []
    assert "style-src 'self' 'unsafe-inline'" in CONTENT_SECURITY_POLICY


def test_doc_without_its_slash_redirects_to_it(http):
    reply = http.get("/doc")
    assert reply.status in (301, 308) and reply.headers["Location"].endswith("/doc/")


def test_the_documentation_is_404_when_the_build_did_not_write_it(client, monkeypatch, tmp_path):
    monkeypatch.setattr("haironto.server.documents.ontology_dir", lambda: tmp_path)
    reply = FlaskTransport(client).get("/doc/")
    assert reply.status == 404 and b"haironto build" in reply.body


def test_find_document_refuses_unknown_names_and_versions():
    with pytest.raises(UnknownDocumentError, match="haironto.owl, haironto.ttl"):
        find_document("../../etc/passwd")
    with pytest.raises(UnknownDocumentError, match="YYYY-MM-DD"):
        find_document("haironto.owl", "latest")


def test_a_missing_release_file_is_unknown(tmp_path):
    with pytest.raises(UnknownDocumentError, match="haironto build"):
        find_document("haironto.owl", directory=tmp_path)
