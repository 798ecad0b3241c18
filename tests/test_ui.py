"""The pages (issue 3, item 6): the query UI on ``GET /sparql`` for browsers, and the landing page.

Offline by construction: every asset a page references is served by the service itself (parsed
out of the HTML and fetched), YASGUI's files are the published ones (checksums), and the pages
carry a Content Security Policy that allows this origin only. The browser test
(``test_ui_browser.py``) then loads the UI in Chromium.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from rdflib import Graph as RdfGraph
from rdflib.namespace import DCTERMS

from haironto.dataset import DataFiles
from haironto.namespaces import PREFIX_MAP
from haironto.releases import published_releases
from haironto.resources import ontology_dir
from tests.data import REPO_ROOT
from tests.test_api import BROWSER_ACCEPT, CURATED, as_strings, rows
from tests.transport import Reply, Transport

YASGUI_DIR = REPO_ROOT / "server" / "static" / "yasgui"


@dataclass
class Page(HTMLParser):
    """The tags of an HTML page, with their attributes, and the text of each script element."""

    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    scripts: list[tuple[dict[str, str], str]] = field(default_factory=list)
    source: str = ""

    def __post_init__(self) -> None:
        super().__init__()
        self._script: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script, self._text = attributes, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None

    def urls(self) -> list[str]:
        """Every URL the page refers to: what it loads and what it links."""
        return [
            value
            for _, attrs in self.tags
            for key, value in attrs.items()
            if key in ("src", "href", "action")
        ]

    def loaded(self) -> list[str]:
        """The URLs a browser fetches on its own when it opens the page."""
        found = [attrs["src"] for tag, attrs in self.tags if "src" in attrs]
        found += [attrs["href"] for tag, attrs in self.tags if tag == "link"]
        return found


def parse(reply: Reply) -> Page:
    assert reply.status == 200 and reply.mimetype == "text/html", reply.text[:300]
    page = Page(source=reply.text)
    page.feed(reply.text)
    return page


def ui_page(http: Transport) -> Reply:
    return http.get("/sparql", headers={"Accept": BROWSER_ACCEPT})


def ui_config(page: Page) -> dict:
    (config,) = [text for attrs, text in page.scripts if attrs.get("id") == "haironto-ui-config"]
    return json.loads(config)


def same_origin(url: str, page_url: str) -> bool:
    absolute = urlsplit(urljoin(page_url, url))
    origin = urlsplit(page_url)
    return (absolute.scheme, absolute.netloc) == (origin.scheme, origin.netloc)


# -- the query UI -------------------------------------------------------------------------------


def test_browsers_asking_the_endpoint_get_the_query_ui(http: Transport):
    page = parse(ui_page(http))
    assert ("div", {"id": "yasgui"}) in page.tags
    sources = [attrs.get("src", "") for tag, attrs in page.tags if tag == "script"]
    assert any(src.endswith("/yasgui/yasgui.min.js") for src in sources)


def test_head_of_the_ui_is_its_headers(http: Transport):
    reply = http.request("HEAD", "/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert reply.status == 200 and reply.mimetype == "text/html" and reply.body == b""
    assert "Content-Security-Policy" in reply.headers


def test_the_ui_loads_only_assets_of_its_own_origin(http: Transport):
    reply = ui_page(http)
    page = parse(reply)
    loaded = page.loaded()
    assert len(loaded) >= 4  # YASGUI's script and stylesheet, ours, the icon
    expected_type = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    for url in loaded:
        assert same_origin(url, http.endpoint), url
        asset = http.get(urlsplit(urljoin(http.endpoint, url)).path)
        assert asset.status == 200, url
        suffix = url[url.rfind(".") :]
        assert asset.mimetype == expected_type[suffix], url
        assert asset.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_runs(http: Transport):
    page = parse(ui_page(http))
    for attrs, text in page.scripts:
        assert "src" in attrs or attrs.get("type") == "application/json", (attrs, text[:80])
    assert not any(key.startswith("on") for _, attrs in page.tags for key in attrs)


def test_the_ui_targets_this_endpoint_with_a_relative_url(http: Transport):
    config = ui_config(parse(ui_page(http)))
    assert not urlsplit(config["endpoint"]).netloc, "a path, resolved against the page's own URL"
    assert urljoin(http.endpoint, config["endpoint"]) == http.endpoint
    prefixes = http.get(urlsplit(urljoin(http.endpoint, config["prefixes"])).path)
    assert prefixes.status == 200
    assert PREFIX_MAP.items() <= json.loads(prefixes.body).items()


def test_the_ui_offers_every_curated_query(http: Transport):
    page = parse(ui_page(http))
    examples = ui_config(page)["examples"]
    assert {e["name"] for e in examples} == set(CURATED)
    buttons = [
        attrs["data-example"] for tag, attrs in page.tags if tag == "button" and "data-example" in attrs
    ]
    assert sorted(buttons) == sorted(CURATED)
    for example in examples:
        assert example["open"] is not example["name"].endswith("-violation")
        assert example["summary"] and escape(example["summary"]) in page.source


def test_every_example_runs_on_the_endpoint(http: Transport):
    for example in ui_config(parse(ui_page(http)))["examples"]:
        reply = http.post("/sparql", body=example["query"].encode(), content_type="application/sparql-query")
        assert reply.status == 200, (example["name"], reply.text)


def test_an_example_answers_what_the_api_answers_by_default(release_client: FlaskClient):
    # The UI writes parameter defaults in a trailing VALUES clause; the API binds them. Same rows.
    page = Page()
    page.feed(release_client.get("/sparql", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True))
    examples = {e["name"]: e["query"] for e in ui_config(page)["examples"]}
    checked = 0
    for name, text in examples.items():
        ui = release_client.post("/sparql", data=text.encode(), content_type="application/sparql-query")
        api = release_client.get(f"/api/queries/{name}")
        ui_rows = rows(Reply(ui.status_code, ui.headers, ui.get_data()))
        assert as_strings(ui_rows) == as_strings(rows(Reply(api.status_code, api.headers, api.get_data())))
        checked += bool(ui_rows)
    assert checked >= len([n for n in CURATED if not n.endswith("-violation")]) - 1


@pytest.mark.parametrize("name", ["claims-about-term", "claims-by-footnote"])
def test_an_example_shows_its_default_values_to_edit(http: Transport, name):
    examples = {e["name"]: e["query"] for e in ui_config(parse(ui_page(http)))["examples"]}
    last = examples[name].rstrip().splitlines()[-1]
    assert last.startswith("VALUES ?")
    reply = http.post("/sparql", body=examples[name].encode(), content_type="application/sparql-query")
    assert reply.status == 200


# -- the bundled YASGUI ---------------------------------------------------------------------------


def test_yasgui_files_are_the_published_ones_with_their_license():
    version = (YASGUI_DIR / "VERSION").read_text().strip()
    assert version in (YASGUI_DIR / "README.md").read_text()
    for line in (YASGUI_DIR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((YASGUI_DIR / name).read_bytes()).hexdigest() == digest, name
    assert "MIT License" in (YASGUI_DIR / "LICENSE.txt").read_text()
    assert "jQuery" in (YASGUI_DIR / "yasgui.min.js.LICENSE.txt").read_text()
    assert not list(YASGUI_DIR.glob("*.map")) and not (YASGUI_DIR / "node_modules").exists()


def test_the_served_yasgui_is_the_bundled_file(http: Transport):
    reply = http.get("/static/yasgui/yasgui.min.js")
    assert reply.status == 200 and reply.body == (YASGUI_DIR / "yasgui.min.js").read_bytes()


# -- the landing page ---------------------------------------------------------------------------


def test_the_landing_page_says_what_is_served(http: Transport, release: DataFiles):
    reply = http.get("/")
    header = RdfGraph().parse(release.asserted[0])
    assert str(next(header.objects(None, DCTERMS.title))) in reply.text
    assert str(next(header.objects(None, DCTERMS.description))) in reply.text
    assert "2026-11-25" in reply.text  # the release's version IRI (tests/conftest.py)
    triples = len(RdfGraph().parse(release.full[0]))
    assert f"{triples:,} triples" in reply.text


def test_the_landing_page_links_everything(http: Transport):
    page = parse(http.get("/"))
    paths = {urlsplit(urljoin(http.endpoint, url)).path: url for url in page.urls()}
    for path in ("/sparql", "/api/queries", "/api/openapi.json", "/health"):
        assert path in paths, path
    description = [url for url in page.urls() if urlsplit(url).path.endswith("/sparql") and "format=" in url]
    assert description, "a link to the service description"
    for url in page.urls():
        if not same_origin(url, http.endpoint):
            continue
        target = urlsplit(urljoin(http.endpoint, url))
        reply = http.get(target.path + (f"?{target.query}" if target.query else ""))
        assert reply.status == 200, url
    sd = urlsplit(urljoin(http.endpoint, description[0]))
    assert http.get(f"{sd.path}?{sd.query}").mimetype == "text/turtle"


def test_the_landing_page_links_the_documentation_mappings_and_releases(http: Transport):
    page = parse(http.get("/"))
    paths = {urlsplit(urljoin(http.endpoint, url)).path for url in page.urls()}
    assert {"/doc/", "/haironto-mappings.sssom.tsv"} <= paths
    for release in published_releases():
        assert {
            f"/releases/{release.date}/doc/",
            f"/releases/{release.date}/haironto.owl",
            f"/releases/{release.date}/haironto-mappings.sssom.tsv",
        } <= paths
    mappings = http.get("/haironto-mappings.sssom.tsv")
    assert mappings.mimetype == "text/tab-separated-values"
    assert mappings.body == (ontology_dir() / "haironto-mappings.sssom.tsv").read_bytes()


def test_the_landing_page_names_each_release_graph_when_they_are_loaded(bundled_app, client: FlaskClient):
    served = bundled_app.test_client().get("/").get_data(as_text=True)
    other = client.get("/").get_data(as_text=True)  # other data: the releases' files, not their graphs
    for release in published_releases():
        assert release.version_iri in served and release.version_iri in other
    assert "named graph of the endpoint" in served and "named graph of the endpoint" not in other


# -- security headers -----------------------------------------------------------------------------

PAGES = [
    ("/", {}),
    ("/doc/", {}),
    ("/sparql", {"Accept": BROWSER_ACCEPT}),
    ("/api/queries", {"Accept": BROWSER_ACCEPT}),
]


@pytest.mark.parametrize(("path", "headers"), PAGES)
def test_pages_allow_only_their_own_origin(http: Transport, path, headers):
    reply = http.get(path, headers=headers)
    assert reply.mimetype == "text/html"
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in reply.headers["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"], "no inline script, no eval"
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    for sources in policy.values():
        for source in sources:
            assert source in ("'self'", "'none'", "'unsafe-inline'", "data:"), source
    assert "'unsafe-inline'" not in [s for d, v in policy.items() if d != "style-src" for s in v]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/queries", {}),
        ("/api/openapi.json", {}),
        ("/health", {}),
        ("/static/haironto-ui.js", {}),
        ("/api/queries/nope", {}),
        ("/sparql", {"Accept": "text/turtle"}),
    ],
)
def test_every_answer_is_nosniff(http: Transport, path, headers):
    assert http.get(path, headers=headers).headers["X-Content-Type-Options"] == "nosniff"


def test_ui_config_cannot_break_out_of_its_script_element(client: FlaskClient, monkeypatch):
    # Query texts go into the page as JSON inside <script>; a "</script>" in one must stay text.
    from haironto.server import catalogue

    original = catalogue.get_catalogue

    def with_hostile_summary():
        real = original()
        first = next(iter(real.queries.values()))
        hostile = type(first)(**{**first.__dict__, "summary": "</script><script>alert(1)</script>"})
        return catalogue.Catalogue({**real.queries, first.name: hostile}, real.fingerprint)

    monkeypatch.setattr("haironto.server.ui.get_catalogue", with_hostile_summary)
    page = Page()
    page.feed(client.get("/sparql", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True))
    assert [attrs.get("src") for attrs, _ in page.scripts if "src" in attrs]
    assert all("src" in attrs or attrs.get("type") == "application/json" for attrs, _ in page.scripts)
    assert any(e["summary"].startswith("</script>") for e in ui_config(page)["examples"])


def test_ui_example_results_are_typed_rdf(http: Transport):
    # The examples are SPARQL the endpoint evaluates, not text to display: a typed answer comes back.
    examples = {e["name"]: e["query"] for e in ui_config(parse(ui_page(http)))["examples"]}
    reply = http.post(
        "/sparql", body=examples["abbreviations"].encode(), content_type="application/sparql-query"
    )
    (solution,) = ox.parse_query_results(reply.body, ox.QueryResultsFormat.JSON)
    assert solution["abbreviation"] == ox.Literal("PRP", language="en")
