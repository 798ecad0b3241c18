"""``GET /extract`` over HTTP: the import modules of ``haironto extract``, from the served ontology
(issue 6, item 2: "The same through the service").

Most tests run against ``haironto serve`` on loopback with the bundled release; what a module must
hold is read from the source files with rdflib, and the module itself is compared with what the
library function the CLI calls extracts.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import owlready2
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from haironto.extract import DEFAULT_MODULE_IRI, extract
from haironto.namespaces import HAIRONTO
from haironto.reason import reason
from haironto.releases import published_releases
from haironto.resources import ontology_dir
from tests.conftest import start_server
from tests.data import PRP
from tests.transport import LiveTransport, Reply, Transport

PROV = Namespace("http://www.w3.org/ns/prov#")
PRIMARY = ontology_dir() / "haironto.owl"
#: A handful of terms, as an ID, a CURIE and an IRI.
SEEDS = ["HAIRONTO_0000007", "HAIRONTO:0000010", "https://w3id.org/haironto/HAIRONTO_0000103"]
SEED_IRIS = {HAIRONTO[f"HAIRONTO_{n}"] for n in ("0000007", "0000010", "0000103")}
EXOSOME_TREATMENT = HAIRONTO["HAIRONTO_0000010"]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Transport]:
    """`haironto serve` with the bundled release, one worker."""
    for base in start_server(tmp_path_factory.mktemp("extract-server"), ["--workers", "1"], {}):
        yield LiveTransport(base)


def get(http: Transport, accept: str | None = None, **params: str) -> Reply:
    return http.get("/extract", params=params, headers={"Accept": accept} if accept else None)


def module_of(reply: Reply) -> Graph:
    assert reply.status == 200, reply.text
    syntax = {"text/turtle": "turtle", "application/rdf+xml": "xml"}[reply.mimetype]
    return Graph().parse(data=reply.body, format=syntax)


def version_of(path: Path) -> URIRef:
    """The version IRI a source file states (its one ontology header's)."""
    graph = Graph().parse(path)
    (header,) = graph.subjects(RDF.type, OWL.Ontology)
    return graph.value(header, OWL.versionIRI)


def ancestors(graph: Graph, term: URIRef) -> set[URIRef]:
    """The named superclasses of a term in a source file."""
    found = set(graph.transitive_objects(term, RDFS.subClassOf)) - {term}
    return {a for a in found if isinstance(a, URIRef)}


# -- the bundled release --------------------------------------------------------------------------


def test_a_star_module_is_the_clis_and_records_the_source_version_iri(bundled):
    reply = get(bundled, "text/turtle", terms=",".join(SEEDS), method="star")
    module = module_of(reply)
    assert reply.mimetype == "text/turtle"
    assert isomorphic(module, extract(SEEDS, method="star"))
    (header,) = module.subjects(RDF.type, OWL.Ontology)
    assert header == URIRef(DEFAULT_MODULE_IRI)
    assert module.value(header, PROV.wasDerivedFrom) == version_of(PRIMARY)
    assert module.value(header, DCTERMS.source) == version_of(PRIMARY)
    # A locality module keeps the seeds' logical axioms, not only their labels.
    source = Graph().parse(PRIMARY)
    for seed in SEED_IRIS:
        assert module.value(seed, RDFS.label) == source.value(seed, RDFS.label)
        assert set(source.objects(seed, RDFS.subClassOf)) and set(module.objects(seed, RDFS.subClassOf))


@pytest.mark.reasoner
def test_a_module_from_the_service_loads_in_owlready2_and_hermit_finds_it_consistent(bundled, tmp_path):
    reply = get(bundled, terms=" ".join(SEEDS), method="bot")  # no Accept: RDF/XML, as the CLI writes
    assert reply.mimetype == "application/rdf+xml"
    assert 'filename="haironto_import.owl"' in reply.headers["Content-Disposition"]
    path = tmp_path / "haironto_import.owl"
    path.write_bytes(reply.body)
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    source = Graph().parse(PRIMARY)
    for seed in SEED_IRIS:
        assert str(onto.search_one(iri=str(seed)).label.first()) == str(source.value(seed, RDFS.label))
    world.close()
    report = reason(Graph().parse(data=reply.body, format="xml"), "hermit")
    assert report.consistent and not report.unsatisfiable, report.to_text()


def test_a_mireot_module_holds_the_terms_and_their_ancestors_up_to_upper(bundled):
    source = Graph().parse(PRIMARY)
    above = ancestors(source, EXOSOME_TREATMENT)
    assert len(above) >= 2
    module = module_of(get(bundled, terms="HAIRONTO:0000010", method="mireot", format="ttl"))
    assert set(module.subjects(RDF.type, OWL.Class)) == {EXOSOME_TREATMENT, *above}
    assert not set(module.subjects(RDF.type, OWL.Restriction))
    for term in above:
        assert module.value(term, RDFS.label) == source.value(term, RDFS.label)
    # The highest named ancestor is left out when the one below it is the upper term.
    top = next(a for a in above if not ancestors(source, a) & above)
    upper = next(
        a for a in above if a != top and top in ancestors(source, a) and ancestors(source, a) <= {top}
    )
    bounded = module_of(
        get(bundled, terms="HAIRONTO:0000010", method="mireot", upper=str(upper), format="ttl")
    )
    assert set(bounded.subjects(RDF.type, OWL.Class)) == {EXOSOME_TREATMENT, *above} - {top}


def test_a_module_of_a_published_release_records_that_releases_version_iri(bundled):
    for release in published_releases():
        module = module_of(
            get(bundled, "application/rdf+xml", terms="HAIRONTO:0000007", release=release.date)
        )
        (header,) = module.subjects(RDF.type, OWL.Ontology)
        assert module.value(header, PROV.wasDerivedFrom) == version_of(release.path / "haironto.owl")
        assert str(module.value(header, PROV.wasDerivedFrom)).startswith(release.iri)
    reply = get(bundled, terms="HAIRONTO:0000007", release="2000-01-01")
    assert reply.status == 404 and "2000-01-01" in reply.text
    assert all(release.date in reply.text for release in published_releases())


def test_a_long_term_list_may_be_posted_and_the_module_iri_chosen(bundled):
    own = "http://purl.obolibrary.org/obo/myonto/imports/haironto_import.owl"
    body = urllib.parse.urlencode(
        {"terms": "\n".join(SEEDS), "method": "mireot", "module-iri": own, "format": "turtle"}
    ).encode()
    reply = bundled.post("/extract", body=body, content_type="application/x-www-form-urlencoded")
    module = module_of(reply)
    assert list(module.subjects(RDF.type, OWL.Ontology)) == [URIRef(own)]
    assert SEED_IRIS <= set(module.subjects(RDF.type, OWL.Class))


@pytest.mark.parametrize(
    ("params", "accept", "status", "says"),
    [
        ({"terms": "HAIRONTO:0000007,HAIRONTO:0999999"}, None, 404, "HAIRONTO:0999999"),
        ({"terms": "http://example.org/not-here", "method": "mireot"}, None, 404, "example.org/not-here"),
        (
            {"terms": "HAIRONTO:0000007", "method": "mireot", "upper": "HAIRONTO:0999999"},
            None,
            404,
            "0999999",
        ),
        ({"terms": "HAIRONTO:0000007", "method": "slme"}, None, 400, "mireot, star, bot, top"),
        ({"terms": " , "}, None, 400, "terms="),
        ({}, None, 400, "terms="),
        ({"terms": "HAIRONTO:0000007", "upper": "HAIRONTO:0000001"}, None, 400, "method=mireot"),
        ({"terms": "HAIRONTO:0000007", "format": "obo"}, None, 400, "owl, rdfxml, ttl, turtle"),
        ({"terms": "HAIRONTO:0000007"}, "text/html", 406, "text/turtle"),
        ({"terms": "HAIRONTO:0000007", "module-iri": "imports x.owl"}, None, 400, "module-iri"),
    ],
)
def test_a_bad_request_is_a_clear_4xx(bundled, params, accept, status, says):
    reply = get(bundled, accept, **params)
    assert reply.status == status and reply.mimetype == "text/plain"
    assert says in reply.text and "Traceback" not in reply.text


def test_a_list_of_more_terms_than_a_module_needs_is_refused_before_any_work(bundled):
    body = urllib.parse.urlencode({"terms": ",".join(f"HAIRONTO:{n:07d}" for n in range(501))}).encode()
    reply = bundled.post("/extract", body=body, content_type="application/x-www-form-urlencoded")
    assert reply.status == 400 and "501 terms: at most 500" in reply.text


# -- other data -----------------------------------------------------------------------------------


def test_a_service_of_other_data_extracts_from_that_data(http, release):
    """The fixture release, served with --data: the module is of its terms, with its header."""
    served = release.asserted[0]
    module = module_of(get(http, "text/turtle", terms=str(PRP), method="mireot"))
    assert module.value(PRP, RDFS.label) == Graph().parse(served).value(PRP, RDFS.label)
    (header,) = module.subjects(RDF.type, OWL.Ontology)
    assert module.value(header, PROV.wasDerivedFrom) == version_of(served)
    # A term of the bundled release, not of this data:
    assert get(http, terms="HAIRONTO:0000010").status == 404


def test_the_landing_pages_example_extracts_a_module(bundled):
    page = bundled.get("/").text
    (example,) = re.findall(r"curl -H 'Accept: text/turtle' '([^']+)'", html.unescape(page))
    target = urllib.parse.urlsplit(example)
    assert target.path == "/extract"
    reply = bundled.get(f"{target.path}?{target.query}", headers={"Accept": "text/turtle"})
    assert SEED_IRIS & set(module_of(reply).subjects(RDF.type, OWL.Class))


def test_without_the_owl_api_a_locality_module_is_503_naming_the_fix_and_mireot_still_works(
    release, tmp_path_factory
):
    folder = tmp_path_factory.mktemp("no-owlapi")
    args = ["--workers", "1", "--ontology", str(release.asserted[0])]
    env = {"HAIRONTO_JAVA_LIBS": str(folder)}  # a folder without the OWL API's jars
    for base in start_server(folder, args, env):
        server = LiveTransport(base)
        reply = get(server, terms=str(PRP), method="star")
        assert reply.status == 503 and "libowlapi-java" in reply.text and "method=mireot" in reply.text
        assert PRP in set(module_of(get(server, terms=str(PRP), method="mireot")).subjects())
