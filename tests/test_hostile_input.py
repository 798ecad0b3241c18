"""Hostile input over real HTTP (issue 5, item 1): no request makes the service fail.

Two generators send requests to a live ``haironto serve`` on 127.0.0.1:

* schemathesis, from the service's own OpenAPI document (every operation of ``/api``);
* a hypothesis fuzzer for everything the document does not describe: ``/sparql`` (GET, form and
  direct POST, update), term pages and look-ups, the ontology documents, ``/reason``, ``/qc``,
  static files, the landing page, health and metrics, and paths that exist nowhere. Queries are
  curated queries mutated token by token, random text, huge or deeply nested; parameters,
  headers (``Accept`` above all), bodies and their encodings (invalid UTF-8, UTF-16, over the
  size limit) are random and mutated.

Every answer must be a 2xx, 3xx or 4xx, or one of the 503s the service means to give (a query
over its time, memory or answer-size limit, every worker busy), never with a traceback; at the
end ``/health`` still answers. The default run sends a sample of a few hundred requests; ``pytest
-m slow`` sends at least 10,000 (``HAIRONTO_FUZZ_REPORT=FILE`` writes the tally as JSON). The
sample is derandomized, so a default run is the same every time; the slow run draws afresh.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from haironto.queries import load_catalogue
from haironto.resources import queries_dir
from tests.hostile import INTENDED_503, Tally, classify, send, serve

# A failing example carries a body of up to 256 KiB: hypothesis warns that printing it is costly,
# which the suite's warnings-as-errors would turn into the failure reported instead of the real one.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
)

#: Requests the slow run sends in all; the default run sends a sample.
SLOW_TOTAL = 10_000
TALLY = Tally()
#: Requests sent by each generator.
SOURCES: Counter[str] = Counter()

#: The limits of the server under attack: small, so that the generators reach them.
TIMEOUT = 3
MAX_BODY = 64 * 1024


@pytest.fixture(scope="module")
def target(release, tmp_path_factory) -> str:
    args = ["--workers", "2", "--timeout", str(TIMEOUT), "--max-rows", "50"]
    args += ["--ontology", str(release.asserted[0]), "--ontology-full", str(release.full[0])]
    env = {
        "HAIRONTO_MAX_CONTENT_LENGTH": str(MAX_BODY),
        "HAIRONTO_QUERY_MEMORY": "256",
        "HAIRONTO_REASON_TIMEOUT": "10",
    }
    with serve(tmp_path_factory.mktemp("hostile"), args, env) as server:
        yield server.base


# -- what requests are made of ------------------------------------------------------------------

CURATED = [query.text for query in load_catalogue(queries_dir()).values()]
TOKENS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ".",
    ";",
    ",",
    "*",
    "?x",
    "$y",
    "_:b",
    "a",
    "FILTER",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "GRAPH",
    "SERVICE",
    "SERVICE <http://127.0.0.1:9/>",
    "\\u0053ERVICE",
    "BIND",
    "VALUES",
    "GROUP BY",
    "ORDER BY",
    "LIMIT 99999999999999999999",
    "OFFSET -1",
    'REGEX(?x, "(a+)+$")',
    "GROUP_CONCAT(?x)",
    "CONCAT(?x, ?x)",
    "<file:///etc/passwd>",
    "FROM <file:///etc/passwd>",
    "<http://127.0.0.1:9/>",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "LOAD <http://127.0.0.1:9/>",
    "CLEAR ALL",
    ";",
    '"""',
    "'",
    '"',
    "\\",
    "#",
    "<",
    ">",
    "^^",
    "@en",
    "\x00",
    "\ud7ff",
    "\U0001f600",
    "PREFIX : <",
    "BASE <javascript:alert(1)>",
    "1e999999",
    "-0",
    "NaN",
    "(((((",
    "{{{{{",
    "?s (<urn:p>|^<urn:p>)* ?o",
    "?s ?p ?o . ?a ?b ?c . ?d ?e ?f",
]
ACCEPTS = [
    "",
    "*/*",
    "text/html",
    "application/json",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "image/png",
    "text/*;q=0.1, */*;q=0",
    "application/json;q=abc",
    ";;;,,,",
    "*/*;q=1e9",
    "text/html, x" * 200,
]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/sparql-query",
    "application/sparql-update",
    "application/sparql-query; charset=utf-16",
    "application/sparql-query; charset=latin-1",
    "application/x-www-form-urlencoded; charset=utf-8",
    "text/turtle",
    "application/rdf+xml",
    "application/ld+json",
    "application/owl+xml",
    "application/n-triples",
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "text/plain",
    "",
    ";",
    "application/sparql-query; charset=",
]
PARAMS = [
    "query",
    "update",
    "format",
    "timeout",
    "entailment",
    "default-graph-uri",
    "named-graph-uri",
    "iri",
    "reasoner",
    "max_justifications",
    "term",
    "footnote",
    "using-graph-uri",
    "terms",
    "method",
    "upper",
    "release",
    "module-iri",
]
PATHS = [
    "/sparql",
    "/sparql",
    "/sparql",
    "/",
    "/health",
    "/metrics",
    "/qc",
    "/reason",
    "/reason/haironto",
    "/extract",
    "/doc/",
    "/doc/{}",
    "/api/queries",
    "/api/openapi.json",
    "/ui/prefixes.json",
    "/HAIRONTO_9000007",
    "/HAIRONTO_9000006.ttl",
    "/HAIRONTO_{}",
    "/HAIRONTO_{}.{}",
    "/term/{}",
    "/term",
    "/haironto.owl",
    "/haironto-base.ttl",
    "/releases/{}/{}",
    "/releases/2026-11-25/haironto.owl",
    "/static/{}",
    "/static/haironto.css",
    "/static/yasgui/{}",
    "/{}",
    "/api/queries/{}",
]
SEGMENTS = [
    "..",
    "%2e%2e",
    "%2e%2e%2f%2e%2e%2fpyproject.toml",
    "..%2f..%2f..%2fetc%2fpasswd",
    "..\\..\\",
    "%5c..%5c..",
    "%00",
    "a%00b",
    "%ff%fe",
    "%c3%28",
    "%",
    "%zz",
    "HAIRONTO_9000007",
    "PRP",
    "HAIRONTO:9000007",
    "<script>alert(1)</script>",
    "x" * 5000,
    "9999999",
    "0000000.rdf",
    "haironto.owl/../../pyproject.toml",
    "//etc/passwd",
    "%252e%252e",
    "\u00e9",
    "COM1",
]


def mutate(text: str, draw: st.DrawFn) -> str:
    """A few edits to a text: delete, duplicate or insert tokens."""
    for _ in range(draw(st.integers(0, 4))):
        if not text:
            text = draw(st.sampled_from(TOKENS))
            continue
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        edit = draw(st.sampled_from(["delete", "duplicate", "insert", "insert"]))
        if edit == "delete":
            text = text[:start] + text[end:]
        elif edit == "duplicate":
            text = text[:end] + text[start:end] + text[end:]
        else:
            text = text[:start] + " " + draw(st.sampled_from(TOKENS)) + " " + text[start:]
    return text


def nested(depth: int, kind: str) -> str:
    """A query nested ``depth`` deep in groups, parentheses, collections or blank nodes."""
    if kind == "group":
        return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth
    if kind == "paren":
        return "ASK { FILTER(" + "(" * depth + "1" + ")" * depth + ") }"
    if kind == "collection":
        return "ASK { ?s <urn:p> " + "(" * depth + "1" + ")" * depth + " }"
    return "ASK { ?s <urn:p> " + "[ <urn:p> " * depth + "1" + " ]" * depth + " }"


@st.composite
def query_texts(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "random", "nested", "huge", "tokens"]))
    if kind == "mutated":
        return mutate(draw(st.sampled_from(CURATED)), draw)
    if kind == "random":
        return draw(st.text(max_size=300))
    if kind == "nested":
        return nested(
            draw(st.sampled_from([10, 63, 65, 200, 10_000])),
            draw(st.sampled_from(["group", "paren", "collection", "bnode"])),
        )
    if kind == "huge":
        return "ASK { ?s ?p " + repr("x" * draw(st.sampled_from([10_000, 70_000]))) + " }"
    return " ".join(draw(st.lists(st.sampled_from(TOKENS), max_size=30)))


@st.composite
def values(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["query", "text", "token", "number", "segment"]))
    if kind == "query":
        return draw(query_texts())
    if kind == "text":
        return draw(st.text(max_size=80))
    if kind == "token":
        return draw(st.sampled_from(TOKENS))
    if kind == "number":
        return draw(st.sampled_from(["0", "-1", "1e309", "nan", "inf", "0.001", "3", "99999999999999999999"]))
    return draw(st.sampled_from(SEGMENTS))


def encode_query_string(fields: list[tuple[str, str]], raw: bool) -> str:
    if raw:  # as a client might mangle it: unescaped, then escaped only where HTTP forbids bytes
        text = "&".join(f"{k}={v}" for k, v in fields)
        return quote(text, safe="!$&'()*+,;=:@/?%[]{}<>|^`\"\\")
    return urlencode(fields)


@st.composite
def bodies(draw: st.DrawFn, content_type: str) -> bytes | None:
    kind = draw(
        st.sampled_from(["none", "query", "form", "binary", "invalid utf-8", "utf-16", "huge", "xml"])
    )
    if kind == "none":
        return None
    if kind == "query":
        return draw(query_texts()).encode("utf-8", "surrogatepass")
    if kind == "form":
        return urlencode(draw(st.lists(st.tuples(st.sampled_from(PARAMS), values()), max_size=4))).encode(
            "utf-8", "surrogatepass"
        )
    if kind == "binary":
        return draw(st.binary(max_size=500))
    if kind == "invalid utf-8":
        return b"query=ASK%20%7B%7D%ff&" + draw(st.binary(max_size=50)) + b"\xc3\x28\xed\xa0\x80"
    if kind == "utf-16":
        return draw(query_texts()).encode("utf-16", "surrogatepass")
    if kind == "huge":
        return b"ASK {} #" + b"x" * draw(st.sampled_from([MAX_BODY - 20, MAX_BODY + 1, 4 * MAX_BODY]))
    return draw(st.sampled_from(XML_BODIES))


#: RDF/XML a fuzzer may post to /reason: entities in every form the parsers must not expand.
XML_BODIES = [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:a">'
    b"<rdf:value>&x;</rdf:value></rdf:Description></rdf:RDF>",
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
    b"<r>&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;</r>",
    b"<not-xml",
]


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes | None]:
    """One request: method, target, headers, body."""
    path = draw(st.sampled_from(PATHS))
    while "{}" in path:
        path = path.replace("{}", quote(draw(st.sampled_from(SEGMENTS)), safe="%/\\:"), 1)
    method = draw(
        st.sampled_from(
            ["GET", "GET", "GET", "POST", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "FOO"]
        )
    )
    if path == "/reason" and method == "POST" and draw(st.integers(0, 9)) > 0:
        method = "GET"  # reasoning jobs start a JVM each: a few in a run, not thousands
    fields = draw(st.lists(st.tuples(st.sampled_from(PARAMS) | st.text(max_size=10), values()), max_size=4))
    target = path
    if fields:
        target += "?" + encode_query_string(fields, draw(st.booleans()))
    headers: dict[str, str] = {}
    accept = draw(st.sampled_from([*ACCEPTS, None]))
    if accept is not None:
        headers["Accept"] = accept
    content_type = draw(st.sampled_from([*CONTENT_TYPES, None]))
    if content_type is not None:
        headers["Content-Type"] = content_type
    for name in draw(
        st.lists(
            st.sampled_from(
                [
                    "If-None-Match",
                    "If-Modified-Since",
                    "Origin",
                    "Range",
                    "Accept-Encoding",
                    "X-Forwarded-For",
                    "Cookie",
                ]
            ),
            max_size=3,
        )
    ):
        headers[name] = draw(
            st.sampled_from(
                [
                    'W/"x"',
                    "*",
                    "Thu, 01 Jan 1970 00:00:00 GMT",
                    "garbage",
                    "bytes=0-1,5-",
                    "gzip, br, *;q=0",
                    "http://evil.example",
                    "",
                    "1.2.3.4, ::1",
                ]
            )
        )
    body = draw(bodies(content_type or "")) if method in ("POST", "PUT", "PATCH") else None
    return method, target, headers, body


def check(base: str, method: str, target: str, headers: dict[str, str], body: bytes | None) -> None:
    answer = send(base, method, target, headers=headers, body=body)
    kind = TALLY.add(answer, f"{method} {target} {headers} {body[:200] if body else body!r}")
    SOURCES["a hypothesis fuzzer of every route"] += 1
    assert not kind.startswith("FAIL"), kind


def fuzzer(examples: int, derandomize: bool):
    """A test that sends ``examples`` generated requests."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=derandomize,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=requests())
    def test(target, request):
        method, path, headers, body = request
        check(target, method, path, headers, body)

    return test


test_no_request_makes_the_service_fail = fuzzer(200, derandomize=True)
test_no_request_of_ten_thousand_makes_the_service_fail = pytest.mark.slow(
    fuzzer(SLOW_TOTAL * 3 // 4, derandomize=False)
)


# -- schemathesis, from the OpenAPI document ----------------------------------------------------


@pytest.fixture(scope="module")
def openapi(target):
    return schemathesis.openapi.from_url(f"{target}/api/openapi.json")


#: Operations in the document: the curated queries and the listing.
API_OPERATIONS = 30


def api_fuzzer(examples: int, derandomize: bool):
    """A test that runs schemathesis with ``examples`` cases per operation of the API.

    Each operation's cases come from its strategy, driven by hypothesis here: schemathesis 4's
    own pytest integration (``from_fixture``) reads a private attribute that pytest 9 removed.
    """

    def test(openapi):
        operations = [result.ok() for result in openapi.get_all_operations()]
        assert len(operations) >= 10  # the document was read

        for operation in operations:

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=derandomize,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def run(case):
                response = case.call(timeout=30)
                request = f"{case.method} {case.formatted_path} {case.query} {case.headers}"
                kind = TALLY.add(_Answer(response.status_code, response.content), request)
                SOURCES["schemathesis, against the served OpenAPI document"] += 1
                assert not kind.startswith("FAIL"), kind
                # The document's own promises too: statuses, media types, headers, the results' schema.
                # Its 5xx check is left to classify() above, which knows the intended 503s.
                case.validate_response(response, excluded_checks=[not_a_server_error])

            run()

    return test


test_every_api_operation_survives_schemathesis = api_fuzzer(4, derandomize=True)
test_every_api_operation_survives_ten_thousand_cases = pytest.mark.slow(
    api_fuzzer(SLOW_TOTAL // 3 // API_OPERATIONS + 1, derandomize=False)
)


class _Answer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body, self.error = status, body, ""


# -- after the attack ---------------------------------------------------------------------------


def after_the_attack(target: str, least: int) -> None:
    started = time.monotonic()
    health = send(target, "GET", "/health", timeout=10)
    elapsed = time.monotonic() - started
    assert health.status == 200, classify(health)  # no worker hangs
    assert TALLY.failed == 0, TALLY.failures
    # Every class of answer is one the service means to give.
    allowed = {"2xx", "3xx", "4xx", *(f"503 {reason}" for reason in INTENDED_503)}
    assert set(TALLY.classes) <= allowed, TALLY.classes
    assert TALLY.total >= least, TALLY.total
    report = os.environ.get("HAIRONTO_FUZZ_REPORT")
    if report:
        tally = {
            "requests": TALLY.total,
            "sources": dict(SOURCES),
            "classes": dict(TALLY.classes),
            "health_seconds": round(elapsed, 3),
        }
        Path(report).write_text(json.dumps(tally, indent=2) + "\n", encoding="utf-8")


def test_afterwards_the_service_answers_and_nothing_failed(target):
    after_the_attack(target, 200)


@pytest.mark.slow
def test_after_ten_thousand_requests_the_service_answers_and_nothing_failed(target):
    after_the_attack(target, SLOW_TOTAL)
