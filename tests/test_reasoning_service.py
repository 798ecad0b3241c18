"""POST /reason with real HermiT and Pellet on the JVM, /reason/haironto and /qc.

A user ontology that imports HairOnto (resolved to the bundled release, never fetched) and
contradicts it gets a report whose explanation names the disjointness axiom; a job over the
reasoning timeout is killed while the SPARQL endpoint keeps answering.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from haironto.build import QC_FILE, REASONING_FILE
from haironto.namespaces import HAIRONTO
from haironto.reasoning import JobSlots
from haironto.resources import service_dir
from haironto.server import close_app, create_app
from tests.conftest import start_server

pytestmark = pytest.mark.reasoner

CELL = str(HAIRONTO["HAIRONTO_0000100"])
VESICLE = str(HAIRONTO["HAIRONTO_0000208"])
EXOSOME = str(HAIRONTO["HAIRONTO_0000209"])
PRP = str(HAIRONTO["HAIRONTO_0000007"])
GROWTH_FACTOR_RICH = str(HAIRONTO["HAIRONTO_0000003"])
USER = "https://example.org/lab/ontology"
DISJOINT = f"DisjointClasses(<{CELL}> <{VESICLE}>)"

#: A lab's ontology that imports HairOnto and declares one of its samples an exosome and a cell.
SAMPLE_IS_BOTH = f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{USER}> a owl:Ontology ; owl:imports <https://w3id.org/haironto/haironto.owl> .
<https://example.org/lab#sample-17> a owl:NamedIndividual , <{EXOSOME}> , <{CELL}> ;
    rdfs:label "sample 17"@en .
"""
#: The same lab declaring exosome a subclass of cell, in RDF/XML, importing a dated version IRI.
EXOSOME_IS_A_CELL = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xmlns:owl="http://www.w3.org/2002/07/owl#">
  <owl:Ontology rdf:about="{USER}">
    <owl:imports rdf:resource="https://w3id.org/haironto/releases/2026-11-25/haironto-base.owl"/>
  </owl:Ontology>
  <owl:Class rdf:about="{EXOSOME}"><rdfs:subClassOf rdf:resource="{CELL}"/></owl:Class>
</rdf:RDF>
"""
EXOSOME_IS_A_CELL_OWX = f"""<?xml version="1.0"?>
<Ontology xmlns="http://www.w3.org/2002/07/owl#" ontologyIRI="{USER}">
  <Import>https://w3id.org/haironto/haironto-full.owl</Import>
  <SubClassOf><Class IRI="{EXOSOME}"/><Class IRI="{CELL}"/></SubClassOf>
</Ontology>
"""


@pytest.fixture(scope="module")
def reason_app(release, tmp_path_factory) -> Iterator[Flask]:
    application = create_app(
        {
            "TESTING": True,
            "DATA": [str(p) for p in release.asserted],
            "DATA_FULL": [str(p) for p in release.full],
            "REASON_TIMEOUT": 120.0,
            "REASON_LOCK_DIR": str(tmp_path_factory.mktemp("slots")),
            "MAX_CONTENT_LENGTH": 64 * 1024,
        }
    )
    yield application
    close_app(application)


def post(app: Flask, body: str, media_type: str, **params: str):
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    return app.test_client().post(f"/reason{query}", data=body.encode(), content_type=media_type)


def functional(justification) -> set[str]:
    return {axiom["functional"] for axiom in justification}


def test_an_individual_that_is_an_exosome_and_a_cell_is_inconsistent_because_of_the_disjointness(reason_app):
    response = post(reason_app, SAMPLE_IS_BOTH, "text/turtle")
    assert response.status_code == 200, response.get_data(as_text=True)
    report = response.json
    assert report["status"] == "inconsistent" and report["consistent"] is False
    assert report["imports"] == [{"iri": "https://w3id.org/haironto/haironto.owl", "file": "haironto.ttl"}]
    [explanation] = report["explanations"]
    assert explanation["target"] == "inconsistency"
    assert any(DISJOINT in functional(j) for j in explanation["justifications"])
    texts = {axiom["text"] for j in explanation["justifications"] for axiom in j}
    assert "cell DisjointWith extracellular vesicle" in texts and "sample 17 Type exosome" in texts
    assert report["reasoner"]["name"] == "HermiT" and report["reasoner"]["version"].startswith("1.")
    assert report["explainer"]["version"] and report["java"] and report["owlready2"]
    assert report["elapsed"] > 0


def test_exosome_as_a_cell_from_rdf_xml_with_pellet_names_the_unsatisfiable_class(reason_app):
    response = post(reason_app, EXOSOME_IS_A_CELL, "application/rdf+xml", reasoner="pellet")
    assert response.status_code == 200, response.get_data(as_text=True)
    report = response.json
    assert report["status"] == "unsatisfiable classes" and report["consistent"] is True
    assert report["unsatisfiable"] == [{"iri": EXOSOME, "label": "exosome"}]
    assert report["imports"][0]["file"] == "releases/2026-11-25/haironto-base.ttl"
    assert report["reasoner"]["name"] == "Pellet"
    [explanation] = report["explanations"]
    assert explanation["label"] == "exosome"
    assert {f"SubClassOf(<{EXOSOME}> <{CELL}>)", f"SubClassOf(<{EXOSOME}> <{VESICLE}>)", DISJOINT} in [
        functional(j) for j in explanation["justifications"]
    ]


def test_owl_xml_is_read_through_the_owl_api(reason_app):
    response = post(reason_app, EXOSOME_IS_A_CELL_OWX, "application/owl+xml", max_justifications="1")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["unsatisfiable"] == [{"iri": EXOSOME, "label": "exosome"}]
    assert len(response.json["explanations"][0]["justifications"]) == 1


def test_a_consistent_user_ontology_lists_what_the_reasoner_infers(reason_app):
    # Imports the base release (asserted axioms only): HermiT places PRP itself.
    body = f"<{USER}> a <http://www.w3.org/2002/07/owl#Ontology> ; <http://www.w3.org/2002/07/owl#imports> <https://w3id.org/haironto/haironto-base.owl> ."
    report = post(reason_app, body, "text/turtle").json
    assert report["status"] == "consistent" and report["explanations"] == []
    pairs = {(p["subclass"]["iri"], p["superclass"]["iri"]) for p in report["inferred_subclasses"]}
    assert (PRP, GROWTH_FACTOR_RICH) in pairs


@pytest.mark.parametrize(
    ("body", "media_type", "status", "words"),
    [
        ("<urn:a> a <urn:B> .", "text/plain", 415, ["text/turtle", "application/owl+xml"]),
        ("<urn:a> a", "text/turtle", 400, ["does not parse"]),
        ("<rdf:RDF", "application/rdf+xml", 400, ["does not parse"]),
        (
            '{"@context": "https://schema.org/", "@id": "urn:a"}',
            "application/ld+json",
            400,
            ["remote @context", "nothing is fetched"],
        ),
        (
            "<urn:o> <http://www.w3.org/2002/07/owl#imports> <http://127.0.0.1:9/other.owl> .",
            "text/turtle",
            400,
            ["is refused", "nothing is fetched"],
        ),
        (
            "<urn:o> <http://www.w3.org/2002/07/owl#imports> <https://w3id.org/haironto/releases/1999-01-01/haironto.owl> .",
            "text/turtle",
            400,
            ["no release 1999-01-01"],
        ),
    ],
)
def test_bad_documents_are_refused_with_the_reason(reason_app, body, media_type, status, words):
    response = post(reason_app, body, media_type)
    assert response.status_code == status
    assert response.json["status"] == "invalid"
    assert all(word in response.json["error"] for word in words), response.json["error"]


def test_json_ld_with_an_inline_context_is_read(reason_app):
    body = json.dumps(
        {
            "@context": {
                "owl": "http://www.w3.org/2002/07/owl#",
                "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            },
            "@id": EXOSOME,
            "rdfs:subClassOf": {"@id": CELL},
            "@included": [{"@id": USER, "owl:imports": {"@id": "https://w3id.org/haironto/haironto.owl"}}],
        }
    )
    report = post(reason_app, body, "application/ld+json", max_justifications="1").json
    assert report["unsatisfiable"] == [{"iri": EXOSOME, "label": "exosome"}]


def test_a_body_over_the_size_limit_is_413(reason_app):
    response = post(reason_app, "#" * (65 * 1024), "text/turtle")
    assert response.status_code == 413


def test_when_every_slot_is_taken_the_answer_is_503_with_retry_after(reason_app):
    slots = JobSlots(Path(reason_app.config["REASON_LOCK_DIR"]), 1)
    with slots.take() as taken:
        assert taken
        response = post(reason_app, SAMPLE_IS_BOTH, "text/turtle")
    assert response.status_code == 503
    assert response.json["status"] == "busy"
    assert int(response.headers["Retry-After"]) >= 1


def _parent(pid: int) -> int:
    # /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after its ")".
    return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])


def _descends_from_this_test_run(pid: int) -> bool:
    # Only this run's server and its jobs count, not another test run's on the same machine.
    while pid > 1:
        if pid == os.getpid():
            return True
        pid = _parent(pid)
    return False


def _jobs_running() -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            if ("haironto.reasoning" in text or "haironto.explain" in text) and _descends_from_this_test_run(
                int(cmdline.parent.name)
            ):
                found.append(text)
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return found


@pytest.fixture(scope="module")
def short_timeout_server(release, tmp_path_factory) -> Iterator[str]:
    """`haironto serve` with two workers, one reasoning job at a time, and a 2 s reasoning timeout."""
    args = ["--workers", "2", "--ontology", str(release.asserted[0]), "--ontology-full", str(release.full[0])]
    env = {"HAIRONTO_REASON_TIMEOUT": "2", "HAIRONTO_REASON_JOBS": "1"}
    yield from start_server(tmp_path_factory.mktemp("reason-server"), args, env)


def test_a_job_over_the_timeout_is_stopped_while_sparql_keeps_answering(short_timeout_server):
    base = short_timeout_server
    outcome: dict[str, object] = {}

    def reason_job() -> None:
        request = urllib.request.Request(
            base + "/reason", data=SAMPLE_IS_BOTH.encode(), headers={"Content-Type": "text/turtle"}
        )
        start = time.monotonic()
        try:
            urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as error:
            outcome["status"], outcome["body"] = error.code, json.loads(error.read())
        outcome["elapsed"] = time.monotonic() - start

    job = threading.Thread(target=reason_job)
    job.start()
    time.sleep(0.3)  # the job has started: its process is parsing, reasoning, or starting a JVM
    assert _jobs_running(), "the reasoning job should be running now"
    query = base + "/sparql?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    latencies = []
    while job.is_alive() and len(latencies) < 200:
        start = time.monotonic()
        with urllib.request.urlopen(query, timeout=10) as response:
            assert response.status == 200
        latencies.append(time.monotonic() - start)
        time.sleep(0.05)
    job.join(timeout=60)
    assert outcome["status"] == 503, outcome
    assert outcome["body"]["status"] == "timed out" and outcome["body"]["timeout"] == 2
    assert 2 <= outcome["elapsed"] < 10
    # SPARQL answered throughout, fast: one gunicorn worker reasons, the other serves queries.
    assert len(latencies) >= 5
    assert max(latencies) < 1.0, latencies
    print(f"SPARQL during the job: {len(latencies)} queries, max {max(latencies) * 1000:.0f} ms")
    deadline = time.monotonic() + 5
    while _jobs_running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _jobs_running() == [], "the job and its JVMs were killed"


def test_the_release_report_is_the_committed_one_and_consistent(reason_app):
    response = reason_app.test_client().get("/reason/haironto")
    assert response.status_code == 200 and response.mimetype == "application/json"
    committed = json.loads((service_dir() / REASONING_FILE).read_text(encoding="utf-8"))
    assert response.json == committed
    assert committed["status"] == "consistent" and committed["unsatisfiable"] == []
    assert "elapsed" not in committed and "java" not in committed  # byte-stable across machines
    pairs = {(p["subclass"]["label"], p["superclass"]["label"]) for p in committed["inferred_subclasses"]}
    assert ("platelet rich plasma", "growth-factor-rich treatment") in pairs


def test_qc_is_published_as_json_and_html(bundled_app):
    client = bundled_app.test_client()
    response = client.get("/qc")
    assert response.mimetype == "application/json"
    assert response.json == json.loads((service_dir() / QC_FILE).read_text(encoding="utf-8"))
    assert response.json["counts"]["ERROR"] == 0
    page = client.get("/qc", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.mimetype == "text/html" and "QC report" in page.get_data(as_text=True)
    assert "Content-Security-Policy" in page.headers
    assert client.get("/qc", headers={"Accept": "image/png"}).status_code == 406


def test_qc_of_other_data_is_computed_at_start_up(reason_app, release):
    report = reason_app.test_client().get("/qc?format=json").json
    assert report["source"] == str(release.asserted[0])
    assert set(report["counts"]) == {"ERROR", "WARN", "INFO"}
