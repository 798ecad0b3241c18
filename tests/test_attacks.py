"""Attacks a public endpoint receives, refused with a 4xx and nothing executed (issue 5, item 3).

These extend the protocol tests (``test_sparql_protocol.py`` refuses five update forms and one
SERVICE; ``test_documents.py`` refuses path traversal on the documents; ``test_term_pages.py``
escapes a fixture's labels on term pages): every form of SPARQL Update, SERVICE in every
spelling, dataset IRIs that must never be dereferenced, entity attacks in the XML ``/reason``
parses, requests over the size limits, markup in every HTML view, traversal on every route
that takes a path, and the security headers of every HTML page a crawler can reach.

Network: only listeners on 127.0.0.1 that the tests open themselves, to prove that nothing
connects to them. Private addresses are checked at the policy level, never contacted.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
from flask import Flask
from markupsafe import escape

from haironto.backends.policy import check_no_service
from haironto.errors import QueryRefusedError
from haironto.server import close_app, create_app
from tests.conftest import MAX_BODY
from tests.hostile import send
from tests.transport import LiveTransport

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@contextmanager
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A loopback socket that records whether anything connected; yields its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sock.setblocking(False)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", sock


def nothing_connected(sock: socket.socket) -> bool:
    try:
        sock.accept()[0].close()
    except BlockingIOError:
        return True
    return False


def triples(base: str) -> int:
    answer = send(base, "GET", "/sparql?" + urlencode({"query": COUNT}), headers={"Accept": "text/csv"})
    assert answer.status == 200, answer.body
    return int(answer.body.decode().split()[-1])


# -- SPARQL Update in every form ------------------------------------------------------------------

UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "INSERT DATA { GRAPH <https://w3id.org/haironto/graph/asserted> { <urn:a> <urn:b> 1 } }",
    "DELETE DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 'changed' } WHERE { ?s ?p ?o }",
    "WITH <https://w3id.org/haironto/graph/asserted> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "INSERT { ?s <urn:p> ?o } USING <https://w3id.org/haironto/graph/asserted> WHERE { ?s ?p ?o }",
    "LOAD <{url}/data.ttl>",
    "LOAD SILENT <{url}/data.ttl> INTO GRAPH <urn:g>",
    "LOAD <file:///etc/passwd>",
    "CLEAR ALL",
    "CLEAR SILENT DEFAULT",
    "CLEAR GRAPH <https://w3id.org/haironto/graph/asserted>",
    "DROP ALL",
    "DROP SILENT NAMED",
    "DROP GRAPH <https://w3id.org/haironto/graph/inferred>",
    "CREATE GRAPH <urn:new>",
    "CREATE SILENT GRAPH <urn:new>",
    "ADD DEFAULT TO <urn:g>",
    "MOVE <https://w3id.org/haironto/graph/asserted> TO DEFAULT",
    "COPY SILENT DEFAULT TO <https://w3id.org/haironto/graph/inferred>",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> } ; DROP ALL",
    "PREFIX : <urn:> INSERT DATA { :a :b :c } ; LOAD <{url}/x> ; CLEAR ALL",
    "iNsErT dAtA { <urn:a> <urn:b> <urn:c> }",
    "drop all",
    "# SELECT * WHERE { ?s ?p ?o }\nDROP ALL",
    "DROP # a comment where a keyword would be\n ALL",
    "BASE <urn:> DELETE WHERE { ?s ?p ?o }",
]

#: Ways to send a text, each as (name, method, how the text travels).
DELIVERIES = ["get-query", "get-update", "form-query", "form-update", "direct-query", "direct-update"]


def deliver(base: str, how: str, text: str):
    if how == "get-query":
        return send(base, "GET", "/sparql?" + urlencode({"query": text}))
    if how == "get-update":
        return send(base, "GET", "/sparql?" + urlencode({"update": text}))
    if how == "form-query":
        return send(
            base, "POST", "/sparql", headers={"Content-Type": FORM}, body=urlencode({"query": text}).encode()
        )
    if how == "form-update":
        return send(
            base, "POST", "/sparql", headers={"Content-Type": FORM}, body=urlencode({"update": text}).encode()
        )
    if how == "direct-query":
        return send(base, "POST", "/sparql", headers={"Content-Type": DIRECT}, body=text.encode())
    return send(base, "POST", "/sparql", headers={"Content-Type": UPDATE}, body=text.encode())


def test_every_form_of_update_is_refused_and_nothing_changes(live_server):
    before = triples(live_server)
    with listener() as (url, sock):
        for template in UPDATES:
            text = template.replace("{url}", url)
            for how in DELIVERIES:
                answer = deliver(live_server, how, text)
                assert answer.status == 403, (how, text, answer.status, answer.body)
                assert b"read-only" in answer.body
        assert nothing_connected(sock)  # LOAD fetched nothing
    assert triples(live_server) == before


@pytest.mark.parametrize(
    "text",
    [
        "ASK {} ; DROP ALL",  # a query, then an update
        "DROP ALL ; SELECT * {}",
        "\\u0044ROP ALL",  # a codepoint escape is no keyword: refused as malformed
        "INSERT DATA { <urn:a> <urn:b> <urn:c> } INSERT DATA",
    ],
)
def test_mixtures_of_queries_and_updates_are_refused(live_server, text):
    before = triples(live_server)
    for how in DELIVERIES:
        answer = deliver(live_server, how, text)
        assert answer.status in (400, 403), (how, text, answer.status, answer.body)
    assert triples(live_server) == before


# -- SERVICE (server-side request forgery) ----------------------------------------------------------

SERVICES = [
    "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <{url}/sparql> { ?s ?p ?o } }",
    "select * where { service <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?e { <{url}/sparql> } SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z OPTIONAL { SERVICE <{url}/sparql> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } } } }",
    "ASK { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    "PREFIX e: <{url}/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE # comment\n <{url}/sparql> { ?s ?p ?o } }",
]


def test_service_in_every_spelling_is_refused_and_nothing_is_contacted(live_server):
    with listener() as (url, sock):
        for template in SERVICES:
            text = template.replace("{url}", url)
            for how in ("get-query", "form-query", "direct-query"):
                answer = deliver(live_server, how, text)
                assert answer.status == 400, (how, text, answer.status, answer.body)
                assert b"SERVICE" in answer.body
            api = send(live_server, "GET", "/api/queries")  # the service goes on meanwhile
            assert api.status == 200
        assert nothing_connected(sock)


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://10.0.0.1/sparql",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://[::1]:8890/sparql",
        "http://localhost/sparql",
        "http://0x7f000001/",
        "gopher://127.0.0.1:25/",
        "file:///etc/passwd",
    ],
)
def test_service_to_private_addresses_is_refused_by_the_policy(endpoint):
    # Checked where the decision is made, without the engine, so no address is ever contacted.
    with pytest.raises(QueryRefusedError, match="SERVICE"):
        check_no_service(f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}")


# -- dataset IRIs are names, never addresses ---------------------------------------------------------


def test_from_and_dataset_parameters_are_never_dereferenced(live_server):
    with listener() as (url, sock):
        for target in ("file:///etc/passwd", f"{url}/data.ttl", "file:///proc/self/environ"):
            for query, params in [
                (f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}", {}),
                (f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
                ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": target}),
                ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": target}),
            ]:
                fields = urlencode({"query": query, **params})
                answer = send(live_server, "GET", f"/sparql?{fields}", headers={"Accept": "text/csv"})
                assert answer.status == 200, answer.body
                assert answer.body.strip().count(b"\n") == 0  # the header only: an empty graph
                assert b"root:" not in answer.body
        assert nothing_connected(sock)


def test_the_rdflib_engine_does_not_dereference_from_either(backend):
    answer = backend.query("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", results_format="tsv")
    assert answer.count == 0 and b"root:" not in answer.payload


# -- XML entity attacks on POST /reason ------------------------------------------------------------

RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"'


def rdf_xml(dtd: str, label: str) -> str:
    return (
        f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{dtd}]><rdf:RDF {RDF}><rdf:Description rdf:about="urn:a">'
        f"<rdfs:label>{label}</rdfs:label></rdf:Description></rdf:RDF>"
    )


def owl_xml(dtd: str, label: str) -> str:
    return (
        f'<?xml version="1.0"?><!DOCTYPE Ontology [{dtd}]><Ontology xmlns="http://www.w3.org/2002/07/owl#" '
        f'ontologyIRI="urn:o"><Declaration><Class IRI="urn:{label}"/></Declaration></Ontology>'
    )


LAUGHS = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))


@pytest.mark.parametrize("write", [rdf_xml, owl_xml], ids=["rdf-xml", "owl-xml"])
@pytest.mark.parametrize(
    ("dtd", "use", "words"),
    [
        ('<!ENTITY x SYSTEM "file:///etc/passwd">', "&x;", "external entity"),
        ('<!ENTITY x SYSTEM "{url}/secret">', "&x;", "external entity"),
        ('<!ENTITY % p SYSTEM "{url}/evil.dtd"> %p;', "a", "external entity"),
        ('<!ENTITY x PUBLIC "-//A//B" "{url}/x">', "&x;", "external entity"),
        (LAUGHS, "&l9;", "other entities"),
        ('<!ENTITY a "' + "x" * 30_000 + '">', "&a;" * 1000, "entity bomb|amplification"),
    ],
    ids=["file", "http", "parameter", "public", "billion-laughs", "quadratic"],
)
def test_xml_entity_attacks_on_reason_are_400_and_nothing_is_read(reason_client, write, dtd, use, words):
    with listener() as (url, sock):
        body = write(dtd.replace("{url}", url), use)
        media_type = "application/rdf+xml" if write is rdf_xml else "application/owl+xml"
        response = reason_client.post("/reason", data=body.encode(), content_type=media_type)
        assert response.status_code == 400, response.json
        assert re.search(words, response.json["error"]), response.json["error"]
        assert "root:" not in response.get_data(as_text=True)
        assert nothing_connected(sock)


def test_entities_protege_writes_are_still_read(reason_client):
    dtd = '<!ENTITY rdfs "http://www.w3.org/2000/01/rdf-schema#">'
    body = rdf_xml(dtd, "a label").replace("<rdfs:label>", '<rdfs:label rdf:datatype="&rdfs;Literal">')
    from haironto.reasoning import parse_document

    graph = parse_document(body.encode(), "application/rdf+xml")
    assert len(graph) == 1  # what /reason then reasons over (the reasoner tests cover that part)


@pytest.fixture(scope="module")
def reason_client(release, tmp_path_factory):
    application = create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in release.asserted],
            "DATA_FULL": [str(p) for p in release.full],
            "REASON_TIMEOUT": 30.0,
            "REASON_LOCK_DIR": str(tmp_path_factory.mktemp("slots")),
            "MAX_CONTENT_LENGTH": MAX_BODY,
        }
    )
    yield application.test_client()
    close_app(application)


# -- sizes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/sparql", DIRECT),
        ("POST", "/sparql", FORM),
        ("POST", "/sparql", UPDATE),
        ("POST", "/reason", "text/turtle"),
        ("POST", "/reason", "application/rdf+xml"),
    ],
)
def test_bodies_over_the_limit_are_413_on_every_route_that_reads_one(live_server, method, path, content_type):
    answer = send(
        live_server, method, path, headers={"Content-Type": content_type}, body=b"#" * (MAX_BODY + 1)
    )
    assert answer.status == 413, answer.body
    assert send(live_server, "GET", "/health").status == 200


@pytest.mark.parametrize(
    "target",
    [
        "/sparql?query=" + quote("ASK { ?s ?p '" + "x" * 9000 + "' }"),
        "/api/queries/claims-about-term?term=" + "x" * 9000,
        "/HAIRONTO_" + "0" * 9000,
        "/term/" + "a" * 9000,
        "/static/" + "a" * 9000,
        "/sparql?" + "&".join(f"a{i}=1" for i in range(1200)),
    ],
    ids=["query", "api", "term", "lookup", "static", "fields"],
)
def test_query_strings_and_paths_over_the_limit_are_4xx(live_server, target):
    answer = send(live_server, "GET", target)
    assert 400 <= answer.status < 500, answer.status  # 414 from gunicorn, or the app's 400/404
    assert b"Traceback" not in answer.body


def test_too_many_parameters_are_400_not_parsed(live_server):
    fields = "&".join(f"default-graph-uri=urn:{i}" for i in range(1001))
    answer = send(
        live_server,
        "POST",
        "/sparql",
        headers={"Content-Type": FORM},
        body=f"query=ASK{{}}&{fields}".encode(),
    )
    assert answer.status == 400 and b"malformed" in answer.body


# -- markup in every HTML view -------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def hostile_app(release, tmp_path_factory) -> Iterator[Flask]:
    """A service whose ontology title and curated query carry markup, as an editor's slip or an attack would."""
    folder = tmp_path_factory.mktemp("hostile-site")
    queries = folder / "queries"
    queries.mkdir()
    (queries / "markup.rq").write_text(
        f"#+ summary: Markup {SCRIPT} in a summary\n"
        f"#+ description: And {IMG} in a description\n"
        "#+ tags: [x]\n"
        "#+ params:\n"
        f"#+   text: {{type: string, description: 'a {SCRIPT}', default: '{IMG}'}}\n"
        "SELECT ?text WHERE { }\n",
        encoding="utf-8",
    )
    title = folder / "title.ttl"
    title.write_text(
        '<https://w3id.org/haironto/haironto.owl> <http://purl.org/dc/terms/title> "HairOnto '
        + SCRIPT.replace("'", "\\'")
        + '"@en .\n',
        encoding="utf-8",
    )
    application = create_app(
        {
            "TESTING": True,
            "DATA": [*(str(p) for p in release.asserted), str(title)],
            "DATA_FULL": [*(str(p) for p in release.full), str(title)],
            "QUERIES": str(queries),
        }
    )
    yield application
    close_app(application)


@pytest.mark.parametrize(
    "path", ["/", "/sparql", "/api/queries", "/qc?format=html", "/HAIRONTO_9000007", "/term/x%3Cscript%3E"]
)
def test_markup_in_titles_queries_and_parameters_is_escaped_on_every_page(hostile_app, path):
    response = hostile_app.test_client().get(path, headers={"Accept": BROWSER})
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert "<script>alert" not in html and "<img src=x" not in html
    if path in ("/", "/sparql", "/api/queries"):  # the pages that show the title or the query
        assert str(escape(SCRIPT)) in html or json.dumps(SCRIPT)[1:-1].replace("<", "\\u003c") in html


def test_the_api_listing_returns_markup_as_json_data_not_html(hostile_app):
    response = hostile_app.test_client().get("/api/queries", headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    [entry] = response.json["queries"]
    assert SCRIPT in entry["summary"]  # data, for the client to escape where it renders it
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# -- traversal --------------------------------------------------------------------------------------

TRAVERSALS = [
    "../pyproject.toml",
    "..%2fpyproject.toml",
    "%2e%2e/pyproject.toml",
    "%2e%2e%2f%2e%2e%2fpyproject.toml",
    "..%5cpyproject.toml",
    "..\\..\\pyproject.toml",
    "%252e%252e%252fpyproject.toml",
    "....//....//pyproject.toml",
    "..%00/pyproject.toml",
    "haironto.css%00.txt",
    "%c0%ae%c0%ae/pyproject.toml",
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "yasgui/../../../pyproject.toml",
    "yasgui/..%2f..%2f..%2fpyproject.toml",
]
SECRETS = (b"[build-system]", b"root:x:", b"@prefix", b"import ")


@pytest.mark.parametrize(
    "prefix", ["/static/", "/term/", "/HAIRONTO_", "/releases/2026-11-25/", "/doc/", "/api/queries/", "/"]
)
def test_no_traversal_reaches_a_file(live_server, prefix):
    for attempt in TRAVERSALS:
        answer = send(live_server, "GET", prefix + attempt)
        assert answer.status in (400, 404, 308), (prefix + attempt, answer.status)
        assert not any(secret in answer.body for secret in SECRETS), prefix + attempt


def test_a_static_file_is_served_but_not_its_neighbours(live_server):
    assert send(live_server, "GET", "/static/haironto.css").status == 200
    assert send(live_server, "GET", "/static/../__init__.py").status == 404
    assert send(live_server, "GET", "/static/%2e%2e/__init__.py").status == 404


# -- security headers on every HTML page ------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value:
                self.hrefs.append(value)


def test_every_html_page_a_crawler_reaches_carries_the_security_headers(edge_live_server):
    # From the landing page, every link of this origin, as a browser asks for it; error pages too.
    seeds = ["/", "/sparql", "/api/queries", "/qc", "/HAIRONTO_9999999", "/term/nothing", "/term?iri=urn:x"]
    seen: set[str] = set()
    queue = list(seeds)
    pages = 0
    while queue and len(seen) < 400:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        answer = send(edge_live_server, "GET", path, headers={"Accept": BROWSER})
        mimetype = answer.headers.get("content-type", "").split(";")[0]
        if mimetype != "text/html":
            continue
        pages += 1
        headers = answer.headers
        policy = headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in policy and "default-src" in policy, path
        assert "'unsafe-eval'" not in policy and not re.search(r"script-src[^;]*'unsafe-inline'", policy), (
            path
        )
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("x-frame-options") == "DENY", path
        for href in Links(answer.body.decode("utf-8", "replace")).hrefs:
            url = urlsplit(urljoin(edge_live_server + path, href))
            if url.netloc == urlsplit(edge_live_server).netloc and url.scheme == "http":
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    assert pages >= 20, pages  # the landing page, the UI, the catalogue, QC and every term page


def test_json_and_rdf_answers_are_nosniff_too(live_server):
    for path in (
        "/health",
        "/api/openapi.json",
        "/sparql?query=ASK%7B%7D",
        "/haironto.owl",
        "/static/haironto.css",
    ):
        answer = LiveTransport(live_server).get(path)
        assert answer.headers["X-Content-Type-Options"] == "nosniff", path
