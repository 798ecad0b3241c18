"""The API's OpenAPI 3.1 document: valid, generated from the catalogue, and true to the service.

Validity is checked by ``openapi-spec-validator``; truth by asking the service for what the
document promises (each media type, each parameter pattern) and by validating real answers
against the document's own schemas.
"""

from __future__ import annotations

import copy
import json
import re
from urllib.parse import urlsplit

import jsonschema
import pytest
from flask.testing import FlaskClient
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from haironto.formats import GRAPH, RESULTS, formats_of
from tests.test_api import CURATED, front_matter
from tests.transport import Transport

#: The mapping the issue asks for: a front-matter type to the JSON Schema type of its value.
JSON_TYPES = {
    "iri": "string",
    "string": "string",
    "integer": "integer",
    "decimal": "number",
    "boolean": "boolean",
}


def get_document(http: Transport) -> dict:
    reply = http.get("/api/openapi.json")
    assert reply.status == 200 and reply.mimetype == "application/json"
    return json.loads(reply.body)


@pytest.fixture(scope="module")
def document(release_app) -> dict:
    return release_app.test_client().get("/api/openapi.json").get_json()


def schema_validator(document: dict, name: str) -> jsonschema.Draft202012Validator:
    """A validator for one of the document's component schemas (references resolved in the document)."""
    root = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return jsonschema.Draft202012Validator(root)


def test_the_document_is_valid_openapi_3_1(http: Transport):
    document = get_document(http)
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_the_validator_does_reject_a_broken_document(document):
    # The check above means something only if this validator refuses what is wrong.
    broken = copy.deepcopy(document)
    operation = broken["paths"]["/api/queries/claims-by-footnote"]["get"]
    del operation["parameters"][0]["in"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken, cls=OpenAPIV31SpecValidator)


def test_every_curated_query_is_a_path_with_its_parameters(document):
    paths = document["paths"]
    assert {p.removeprefix("/api/queries/") for p in paths if p.startswith("/api/queries/")} == set(CURATED)
    for name, path in CURATED.items():
        meta = front_matter(path)
        operation = paths[f"/api/queries/{name}"]["get"]
        assert operation["operationId"] == name
        assert operation["summary"] == meta["summary"]
        assert operation["tags"] == meta.get("tags", [])
        declared = meta.get("params") or {}
        own = [p for p in operation["parameters"] if "$ref" not in p]
        assert [p["name"] for p in own] == list(declared)
        for parameter in own:
            spec = declared[parameter["name"]]
            assert parameter["in"] == "query" and parameter["required"] is False
            assert parameter["schema"]["type"] == JSON_TYPES[spec["type"]]
            if "default" in spec:
                assert parameter["schema"]["default"] == spec["default"]  # typed as YAML typed it
            if spec.get("description"):
                assert spec["description"] in parameter["description"]
            if spec["type"] == "iri":
                kinds = parameter["schema"]["anyOf"]
                assert {"format": "uri"}.items() <= kinds[0].items() and "pattern" in kinds[1]
        shared = {p["$ref"].rsplit("/", 1)[1] for p in operation["parameters"] if "$ref" in p}
        assert shared == {"format", "timeout"}


def test_media_types_are_those_the_service_answers_with(document, release_client: FlaskClient):
    for name in CURATED:
        content = document["paths"][f"/api/queries/{name}"]["get"]["responses"]["200"]["content"]
        assert set(content) == {f.media_type for f in formats_of(RESULTS)}
        for media_type in content:
            reply = release_client.get(f"/api/queries/{name}", headers={"Accept": media_type})
            assert reply.status_code == 200 and reply.mimetype == media_type


def test_a_construct_query_lists_graph_media_types(test_app):
    # tests/data/queries holds a construct- query; the document is generated, so it appears.
    document = test_app.test_client().get("/api/openapi.json").get_json()
    validate(document, cls=OpenAPIV31SpecValidator)
    content = document["paths"]["/api/queries/construct-labels"]["get"]["responses"]["200"]["content"]
    assert set(content) == {f.media_type for f in formats_of(GRAPH)}
    echo = document["paths"]["/api/queries/echo"]["get"]["parameters"]
    assert {p["name"]: p["schema"]["type"] for p in echo if "$ref" not in p} == {
        "text": "string",
        "count": "integer",
        "ratio": "number",
        "flag": "boolean",
        "term": "string",
    }
    assert [p["schema"].get("default") for p in echo if p.get("name") == "flag"] == [True]


@pytest.mark.parametrize(
    "value",
    [
        "HAIRONTO:0000007",
        "CL:0000034",
        "NCBITaxon:10090",
        "https://w3id.org/haironto/HAIRONTO_0000007",
        "http://example.org/x#y",
        "haironto:0000007",
        "XX:1",
        "urn:isbn:123",
        "ftp://example.org/",
        "http://example.org/a b",
        "http://example.org/<x>",
        "HAIRONTO:0000007\n",
        "",
    ],
)
def test_the_iri_pattern_is_the_rule_the_api_applies(document, release_client: FlaskClient, value):
    schema = next(
        p["schema"]
        for p in document["paths"]["/api/queries/claims-about-term"]["get"]["parameters"]
        if p.get("name") == "term"
    )
    # The patterns are anchored (^...$), so ECMAScript's search means Python's fullmatch (Python's
    # search would let $ match before a final newline, ECMAScript's does not).
    documented = any(re.fullmatch(kind["pattern"], value) for kind in schema["anyOf"])
    reply = release_client.get("/api/queries/claims-about-term", query_string={"term": value})
    assert reply.status_code == (200 if documented else 400), reply.get_data(as_text=True)


def test_answers_validate_against_the_documents_schemas(document, release_client: FlaskClient):
    listing = release_client.get("/api/queries").get_json()
    schema_validator(document, "Catalogue").validate(listing)
    results = release_client.get("/api/queries/claims-about-term").get_json()
    assert results["results"]["bindings"]
    schema_validator(document, "SparqlResults").validate(results)
    with pytest.raises(jsonschema.ValidationError):
        schema_validator(document, "SparqlResults").validate(
            {"head": {}, "results": {"bindings": [{"x": {}}]}}
        )


def test_the_server_url_is_where_the_api_answers(http: Transport):
    document = get_document(http)
    (server,) = document["servers"]
    base = urlsplit(server["url"])
    reply = http.get(base.path + "/api/queries/abbreviations")
    assert reply.status == 200
    if hasattr(http, "base"):  # the real server: the URL names the host and port it listens on
        assert server["url"] == http.base
