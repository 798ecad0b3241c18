"""The query UI in a real browser: headless Chromium on the live server, with no way out.

Chromium is required, not optional (``.ci/run`` installs it; ``apt-get install chromium``). The
test opens the UI on the real server on loopback, checks that YASGUI started with the curated
queries as tabs, runs a query through it, drives the autocompleters (the ones YASGUI ships would
call prefix.cc and the LOV API), and then asserts that every request the page made went to the
server itself, that the page's CSP was never violated and that no script error was thrown.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from rdflib import RDFS, Graph

from tests.browser import Browser, find_chromium, launch
from tests.test_api import CURATED

pytestmark = pytest.mark.browser

#: Runs in the page before its own scripts: records every CSP violation the browser reports.
CSP_RECORDER = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)
TAB_NAMES = "haironto.yasgui.persistentConfig.getTabs().map(id => haironto.yasgui.getTab(id).getName())"
LABELS = "SELECT ?term ?label WHERE { ?term <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
#: The longest the whole test may take, browser start included.
BUDGET = 30


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.fail("the browser test needs Chromium: apt-get install chromium (.ci/run installs it)")
    return path


def type_and_complete(browser: Browser, text: str) -> None:
    """Put ``text`` in the current editor, cursor at its end, and ask for completions (Ctrl-Space)."""
    browser.evaluate(
        "(() => { const y = haironto.yasgui.getTab().getYasqe();"
        f" y.setValue({json.dumps(text)}); y.focus(); y.setCursor(y.lastLine(), 1e9); y.autocomplete(); }})()"
    )


def test_the_query_ui_works_offline(chromium: str, live_server: str, mini: Graph, tmp_path: Path):
    started = time.monotonic()
    with launch(chromium, tmp_path) as browser:
        browser.open_page()
        browser.send("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_RECORDER})
        browser.send("Page.navigate", {"url": f"{live_server}/sparql#example=missing-label-violation"})
        browser.wait_for("window.haironto !== undefined && document.querySelector('.yasqe') !== null")

        # The competency questions are open as tabs, and the QC rule the link asked for.
        competency = sorted(name for name in CURATED if not name.endswith("-violation"))
        assert browser.evaluate(TAB_NAMES) == [*competency, "missing-label-violation"]
        assert browser.evaluate("haironto.yasgui.getTab().getName()") == "missing-label-violation"
        assert browser.evaluate("haironto.yasgui.getTab().getEndpoint()") == f"{live_server}/sparql"

        # A query runs against this server and its rows are drawn.
        browser.evaluate(
            f"(() => {{ const y = haironto.yasgui.getTab().getYasqe(); y.setValue({json.dumps(LABELS)});"
            " y.query(); })()"
        )
        expected = len(set(mini.subject_objects(RDFS.label)))
        drawn = browser.wait_for("document.querySelectorAll('.yasr table tbody tr').length")
        assert drawn == expected
        bindings = "haironto.yasgui.getTab().getYasr().results.getBindings().length"
        assert browser.evaluate(bindings) == expected

        # Prefixes complete from the service's own list (YASGUI would ask prefix.cc) ...
        type_and_complete(browser, "PREFIX NCBITax")
        hints = browser.wait_for(
            "Array.from(document.querySelectorAll('.CodeMirror-hint')).map(h => h.textContent)"
        )
        assert hints == ["NCBITaxon: <http://purl.obolibrary.org/obo/NCBITaxon_>"]
        # ... and class and property positions ask nobody (YASGUI would ask the LOV API).
        type_and_complete(
            browser, "PREFIX owl: <http://www.w3.org/2002/07/owl#>\nSELECT * WHERE { ?s a owl:Cla"
        )
        type_and_complete(browser, "SELECT * WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#lab")
        time.sleep(1)
        browser.screenshot(tmp_path / "ui.png")

        requests = browser.requested_urls()
        posts = [
            p["request"]["url"]
            for m, p in browser.events
            if m == "Network.requestWillBeSent" and p["request"]["method"] == "POST"
        ]
        assert posts == [f"{live_server}/sparql"]
        elsewhere = [url for url in requests if not url.startswith((f"{live_server}/", "data:"))]
        assert elsewhere == [], "the page reached beyond the server"
        assert browser.evaluate("window.__csp") == []
        errors = [p for m, p in browser.events if m == "Runtime.exceptionThrown"]
        assert errors == []
        failed = [
            p["entry"] for m, p in browser.events if m == "Log.entryAdded" and p["entry"]["level"] == "error"
        ]
        assert failed == []
    assert time.monotonic() - started < BUDGET


def test_the_documentation_renders_under_its_policy(chromium: str, live_server: str, tmp_path: Path):
    with launch(chromium, tmp_path) as browser:
        browser.open_page()
        browser.send("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_RECORDER})
        browser.send("Page.navigate", {"url": f"{live_server}/doc/#HAIRONTO_0000007"})
        browser.wait_for("document.readyState === 'complete' && document.querySelector('h1') !== null")
        # The page's own inline stylesheet applied (60rem of 16 px): the policy let it in.
        assert browser.evaluate("getComputedStyle(document.body).maxWidth") == "960px"
        assert browser.evaluate("document.getElementById('HAIRONTO_0000007').querySelector('h3').textContent")
        assert browser.evaluate("window.__csp") == []
        elsewhere = [url for url in browser.requested_urls() if not url.startswith(f"{live_server}/")]
        assert elsewhere == [], "the documentation loads nothing from elsewhere"
