"""Term IRIs dereference: HTML pages and RDF by content negotiation, 404 with hints, 406, safe pages.

Every test runs twice (fixture ``edge_http``): through Flask's test client and over real HTTP
against `haironto serve` on loopback, on mini.ttl plus the edge cases of terms-edge.ttl.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from haironto.namespaces import BASE
from haironto.resources import ontology_dir
from tests.data import (
    CELL,
    HAS_COMPONENT,
    LABORATORY,
    MADE_BY,
    NANOFAT,
    NEGATED_CLAIM,
    OBSOLETE,
    PRP,
    SCRIPT_LABEL,
    STEM_CELL_RICH_TREATMENT,
)
from tests.transport import Reply

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
#: Graph formats: media type, the rdflib parser that reads it back, the file extension.
RDF_FORMATS = [
    ("text/turtle", "turtle", "ttl"),
    ("application/n-triples", "nt", "nt"),
    ("application/rdf+xml", "xml", "rdf"),
    ("application/ld+json", "json-ld", "jsonld"),
]
PRP_LABEL = Literal("platelet rich plasma", lang="en")


def path(iri: URIRef) -> str:
    """The service's path for a term IRI: its last segment under the service's base URL."""
    return "/" + str(iri).rsplit("/", 1)[1]


BLOCKS = {
    "p",
    "li",
    "dt",
    "dd",
    "th",
    "td",
    "tr",
    "h1",
    "h2",
    "h3",
    "blockquote",
    "section",
    "header",
    "footer",
}


class Page(HTMLParser):
    """The text and the links of an HTML page, as a browser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: dict[str, str] = {}  # href -> link text
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._text: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []
        self.feed(html)
        self.text = re.sub(r"\s+", " ", "".join(self._text))

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in BLOCKS:  # a browser starts a new line or cell: keep the words apart
            self._text.append(" ")
        if tag == "a":
            self._href, self._link_text = dict(attrs).get("href"), []

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self._text.append(" ")
        if tag == "a" and self._href is not None:
            self.links[self._href] = "".join(self._link_text).strip()
            self._href = None

    def handle_data(self, data):
        self._text.append(data)
        if self._href is not None:
            self._link_text.append(data)


def page(reply: Reply) -> Page:
    assert reply.status == 200, reply.text
    assert reply.mimetype == "text/html"
    return Page(reply.text)


def parse(reply: Reply, parser: str) -> Graph:
    return Graph().parse(data=reply.body, format=parser)


# -- HTML ------------------------------------------------------------------------------------------


def test_a_browser_gets_the_page_of_a_term(edge_http):
    prp = page(edge_http.get(path(PRP), headers={"Accept": BROWSER}))
    assert "platelet rich plasma" in prp.text and "HAIRONTO:9000007" in prp.text
    assert str(PRP) in prp.text
    assert "A treatment made from the patient's own blood platelets." in prp.text
    assert prp.links["/HAIRONTO_9000001"] == "treatment"  # the parent, linked on this service
    # The abbreviation is marked as such.
    assert any(tag == "abbr" and attrs.get("title") == "abbreviation" for tag, attrs in prp.tags)


@pytest.mark.parametrize("accept", [None, "*/*", "text/html", "application/xhtml+xml"])
def test_html_is_the_default(edge_http, accept):
    reply = edge_http.get(path(PRP), headers={"Accept": accept} if accept else None)
    assert reply.status == 200 and reply.mimetype == "text/html"


def test_a_page_shows_parents_children_axioms_and_which_were_inferred(edge_http):
    nanofat = page(edge_http.get(path(NANOFAT)))
    assert nanofat.links[path(STEM_CELL_RICH_TREATMENT)] == "stem-cell-rich treatment"
    assert "SubClassOf has component some stem cell" in nanofat.text
    assert "SubClassOf stem-cell-rich treatment inferred" in nanofat.text
    assert "SubClassOf treatment" in nanofat.text and "SubClassOf treatment inferred" not in nanofat.text
    rich = page(edge_http.get(path(STEM_CELL_RICH_TREATMENT)))
    assert "EquivalentTo treatment and (has component some stem cell)" in rich.text
    assert "Children nanofat HAIRONTO:9000006 inferred" in rich.text
    cell = page(edge_http.get(path(CELL)))
    assert "DisjointClasses cell, exosome" in cell.text
    assert cell.links[path(LABORATORY)] == "a laboratory"  # an instance


def test_terms_of_other_vocabularies_link_to_their_page_here(edge_http):
    nanofat = page(edge_http.get(path(NANOFAT)))
    href = next(h for h, text in nanofat.links.items() if text == "has component")
    assert href.startswith("/term?iri=")
    described = page(edge_http.get(href))
    assert "has component" in described.text and str(HAS_COMPONENT) in described.text


def test_a_page_lists_the_claims_about_the_term(edge_http):
    nanofat = page(edge_http.get(path(NANOFAT)))
    assert "Claims about this term (2)" in nanofat.text
    assert "not nanofat has component exosome" in nanofat.text
    assert "Nanofat may not contain exosomes." in nanofat.text
    for fact in (
        "hedging “may”",
        "negated yes",
        "evidence animal study evidence",
        "organism mouse",
        "footnote 2",
    ):
        assert fact in nanofat.text
    assert nanofat.links[path(NEGATED_CLAIM)] == "HAIRONTO:9001002"


def test_a_claim_page_has_its_full_record(edge_http):
    claim = page(edge_http.get(path(NEGATED_CLAIM)))
    for row in (
        "claim subject nanofat",
        "claim relation has component",
        "claim object exosome",
        "has evidence type animal study evidence",
        "study organism mouse",
        "hedging may",
        "is negated true",
        "footnote number 2",
    ):
        assert row in claim.text


def test_mappings_link_to_the_external_terms(edge_http):
    stem_cell = page(edge_http.get("/HAIRONTO_9000003"))
    assert stem_cell.links["http://purl.obolibrary.org/obo/CL_0000034"] == "CL:0000034"
    assert "exact CL:0000034 skos:exactMatch" in stem_cell.text


def test_properties_and_individuals_get_pages(edge_http):
    made_by = page(edge_http.get(path(MADE_BY)))
    for axiom in ("Domain treatment or cell", "Range cell", "Characteristics Transitive", "InverseOf makes"):
        assert axiom in made_by.text
    lab = page(edge_http.get(path(LABORATORY)))
    assert "Facts price 2000.5" in lab.text and "Known only from the article." in lab.text


def test_an_obsolete_term_says_so_and_links_its_replacement(edge_http):
    obsolete = page(edge_http.get(path(OBSOLETE)))
    assert "Obsolete." in obsolete.text
    assert "Term replaced by: platelet rich plasma" in obsolete.text
    assert obsolete.links[path(PRP)] == "platelet rich plasma"
    # oboInOwl:consider, in the notice too, linked to the term's page.
    assert "Consider: nanofat." in obsolete.text
    assert obsolete.links[path(NANOFAT)] == "nanofat"


# -- RDF -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("media_type", "parser", "extension"), RDF_FORMATS)
def test_each_rdf_format_by_accept_parses_back_with_the_label(edge_http, media_type, parser, extension):
    reply = edge_http.get(path(PRP), headers={"Accept": media_type})
    assert reply.status == 200 and reply.mimetype == media_type
    assert (PRP, RDFS.label, PRP_LABEL) in parse(reply, parser)


@pytest.mark.parametrize(("media_type", "parser", "extension"), RDF_FORMATS)
def test_each_rdf_format_by_extension_and_by_format_parameter(edge_http, media_type, parser, extension):
    by_extension = edge_http.get(f"{path(PRP)}.{extension}", headers={"Accept": BROWSER})
    assert by_extension.status == 200 and by_extension.mimetype == media_type
    assert (PRP, RDFS.label, PRP_LABEL) in parse(by_extension, parser)
    by_parameter = edge_http.get(path(PRP), params={"format": extension}, headers={"Accept": BROWSER})
    assert by_parameter.status == 200 and by_parameter.mimetype == media_type
    assert by_parameter.body == by_extension.body


def test_html_by_extension_wins_over_accept(edge_http):
    reply = edge_http.get(f"{path(PRP)}.html", headers={"Accept": "text/turtle"})
    assert reply.status == 200 and reply.mimetype == "text/html"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html;q=0.5, text/turtle;q=0.9", "text/turtle"),
        ("application/rdf+xml;q=0.2, application/ld+json;q=0.8", "application/ld+json"),
        ("text/turtle;q=0.1, text/html", "text/html"),
        ("application/n-triples, */*;q=0.1", "application/n-triples"),
    ],
)
def test_accept_q_values_are_honoured(edge_http, accept, expected):
    reply = edge_http.get(path(PRP), headers={"Accept": accept})
    assert reply.status == 200 and reply.mimetype == expected


def test_rdf_holds_the_blank_node_closure_and_linked_labels(edge_http):
    graph = parse(edge_http.get(path(NANOFAT), headers={"Accept": "text/turtle"}), "turtle")
    restrictions = [o for o in graph.objects(NANOFAT, RDFS.subClassOf) if not isinstance(o, URIRef)]
    assert len(restrictions) == 1
    assert (HAS_COMPONENT, RDFS.label, Literal("has component", lang="en")) in graph
    assert (STEM_CELL_RICH_TREATMENT, RDFS.subClassOf, None) not in graph  # not its own triples


def test_json_ld_is_json(edge_http):
    reply = edge_http.get(path(PRP), headers={"Accept": "application/ld+json"})
    assert isinstance(json.loads(reply.text), list | dict)


@pytest.mark.parametrize(
    "headers",
    [{"Accept": "image/png"}, {"Accept": "application/sparql-results+json"}, {"Accept": "text/csv"}],
)
def test_nothing_acceptable_is_406_with_the_supported_list(edge_http, headers):
    reply = edge_http.get(path(PRP), headers=headers)
    assert reply.status == 406 and reply.mimetype == "text/plain"
    for media_type in ("text/html", *(m for m, _, _ in RDF_FORMATS)):
        assert media_type in reply.text


def test_an_unknown_format_parameter_is_406(edge_http):
    reply = edge_http.get(path(PRP), params={"format": "pdf"})
    assert reply.status == 406 and "text/turtle" in reply.text


@pytest.mark.parametrize("suffix", ["", ".ttl"])
def test_answers_vary_on_accept(edge_http, suffix):
    for reply in (edge_http.get(path(PRP) + suffix), edge_http.get("/HAIRONTO_9999999" + suffix)):
        assert "accept" in reply.headers.get("Vary", "").lower()


# -- look-ups --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lookup",
    [
        "/term/HAIRONTO:9000007",
        "/term/HAIRONTO_9000007",
        "/term/PRP",
        "/term/platelet%20rich%20plasma",
        "/term?iri=https%3A%2F%2Fw3id.org%2Fhaironto%2FHAIRONTO_9000007",
        "/term?iri=HAIRONTO%3A9000007",
    ],
)
def test_look_ups_see_other_the_terms_page(edge_http, lookup):
    reply = edge_http.get(lookup)
    assert reply.status == 303
    assert reply.headers["Location"].endswith("/HAIRONTO_9000007")


def test_a_look_up_keeps_the_requested_format(edge_http):
    reply = edge_http.get("/term/PRP", params={"format": "ttl"})
    assert reply.status == 303 and reply.headers["Location"].endswith("/HAIRONTO_9000007?format=ttl")


def test_an_iri_of_another_vocabulary_is_served_by_iri(edge_http):
    reply = edge_http.get("/term", params={"iri": str(HAS_COMPONENT)}, headers={"Accept": "text/turtle"})
    assert reply.status == 200
    assert (HAS_COMPONENT, RDFS.label, Literal("has component", lang="en")) in parse(reply, "turtle")
    by_curie = edge_http.get("/term/RO:0002180")
    assert by_curie.status == 303 and "/term?iri=" in by_curie.headers["Location"]


# -- not found -------------------------------------------------------------------------------------


def test_an_unknown_term_is_404_with_a_search_hint_as_a_page(edge_http):
    reply = edge_http.get("/term/platelet%20rich%20plasm", headers={"Accept": BROWSER})
    assert reply.status == 404 and reply.mimetype == "text/html"
    hint = Page(reply.text)
    assert hint.links[path(PRP)] == "platelet rich plasma"


def test_an_unknown_term_is_404_with_a_search_hint_as_text(edge_http):
    reply = edge_http.get("/term/platelet%20rich%20plasm", headers={"Accept": "text/plain"})
    assert reply.status == 404 and reply.mimetype == "text/plain"
    assert "Did you mean" in reply.text and "HAIRONTO:9000007  platelet rich plasma" in reply.text


@pytest.mark.parametrize(
    "unknown", ["/HAIRONTO_9999999", "/HAIRONTO_9999999.ttl", "/term?iri=https%3A%2F%2Fexample.org%2Fx"]
)
def test_an_unknown_iri_is_404(edge_http, unknown):
    reply = edge_http.get(unknown, headers={"Accept": "text/turtle"})
    assert reply.status == 404 and reply.mimetype == "text/plain"


@pytest.mark.parametrize(
    "malformed", ["/HAIRONTO_12", "/HAIRONTO_abcdefg", "/HAIRONTO_", "/HAIRONTO_900000712"]
)
@pytest.mark.parametrize("accept", [BROWSER, "text/plain"])
def test_a_malformed_id_is_404_with_the_id_format_explained(edge_http, malformed, accept):
    reply = edge_http.get(malformed, headers={"Accept": accept})
    assert reply.status == 404
    assert "seven digits" in (Page(reply.text).text if accept == BROWSER else reply.text)


def test_an_unknown_extension_is_404_naming_the_extensions(edge_http):
    reply = edge_http.get(path(PRP) + ".pdf", headers={"Accept": "text/plain"})
    assert reply.status == 404
    assert all(f"HAIRONTO_9000007.{e}" in reply.text for e in ("html", "ttl", "nt", "rdf", "jsonld"))


def test_a_look_up_without_a_term_is_404_explaining_how_to_ask(edge_http):
    reply = edge_http.get("/term", headers={"Accept": "text/plain"})
    assert reply.status == 404 and "/term?iri=" in reply.text


# -- safety ----------------------------------------------------------------------------------------


def test_labels_and_values_are_escaped(edge_http):
    reply = edge_http.get(path(SCRIPT_LABEL), headers={"Accept": BROWSER})
    assert reply.status == 200
    html = reply.text
    for injected in ("<script>alert(1)</script>", "<b>definition</b>", "<img src=x onerror=alert(3)>"):
        assert injected not in html
        assert str(escape(injected)) in html
    assert "<script" not in html.lower()
    assert not any(
        (attrs.get("href") or "").lower().startswith("javascript:") for _, attrs in Page(html).tags
    )
    assert "javascript:alert(4)" in Page(html).text  # the mapping is shown, as text only
    assert "javascript:alert(6)" in Page(html).text  # so is an annotation's value
    assert Page(html).text.count("<script>alert(1)</script>") >= 2  # title and heading, as text


def test_what_a_client_typed_is_escaped_on_the_404_page(edge_http):
    reply = edge_http.get("/term/%3Cscript%3Ealert(5)%3C%2Fscript%3E", headers={"Accept": BROWSER})
    assert reply.status == 404
    assert "<script>alert(5)" not in reply.text and str(escape("<script>alert(5)")) in reply.text


@pytest.mark.parametrize(
    ("where", "accept"), [(path(PRP), BROWSER), ("/HAIRONTO_9999999", BROWSER), (path(PRP), "text/turtle")]
)
def test_security_headers(edge_http, where, accept):
    reply = edge_http.get(where, headers={"Accept": accept})
    policy = reply.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy and "unsafe-inline" not in policy
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["X-Frame-Options"] == "DENY"


def test_pages_work_offline_under_their_own_policy(edge_http):
    prp = page(edge_http.get(path(PRP), headers={"Accept": BROWSER}))
    assert not any(tag in ("script", "style", "iframe", "img") for tag, _ in prp.tags)
    assert not any("style" in attrs for _, attrs in prp.tags)  # inline styles would be blocked
    (stylesheet,) = [a["href"] for tag, a in prp.tags if tag == "link" and a.get("rel") == "stylesheet"]
    assert stylesheet.startswith("/")  # the service's own ('self'), never a CDN
    css = edge_http.get(stylesheet)
    assert css.status == 200 and css.mimetype == "text/css" and "url(" not in css.text


# -- links to the documentation -------------------------------------------------------------------


def test_each_term_page_of_the_release_links_its_section_of_the_documentation(bundled_app):
    client = bundled_app.test_client()
    doc = (ontology_dir() / "doc" / "index.html").read_text(encoding="utf-8")
    sections = set(re.findall(r'<section class="entity[^"]*" id="([^"]+)"', doc))
    graph = Graph().parse(ontology_dir() / "haironto.ttl")
    terms = sorted({str(s) for s in graph.subjects(RDF.type, None) if str(s).startswith(f"{BASE}HAIRONTO_")})
    assert len(terms) > 250
    for iri in terms:
        local = iri[len(BASE) :]
        page = client.get(f"/{local}", headers={"Accept": "text/html"}).get_data(as_text=True)
        links = re.findall(r'href="/doc/#([^"]+)"', page)
        assert links == [local], iri
        assert local in sections, iri


def test_term_pages_of_other_data_do_not_link_the_release_documentation(edge_http):
    page = edge_http.get(f"/{PRP[len(BASE) :]}", headers={"Accept": "text/html"})
    assert page.status == 200 and "/doc/#" not in page.text
