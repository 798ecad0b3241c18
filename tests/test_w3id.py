"""w3id/.htaccess: every IRI of the ontology redirects to a route the service answers.

The RewriteRules are read with a regular expression and applied the way mod_rewrite applies
them in a per-directory .htaccess (the path relative to ``https://w3id.org/haironto/``, first
matching rule wins), then the target is requested from the service on the bundled release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from haironto.documents import document_names
from haironto.namespaces import BASE
from haironto.releases import published_releases
from haironto.resources import ontology_dir
from tests.data import W3ID_HTACCESS

RULE = re.compile(r"^RewriteRule\s+(\S+)\s+(\S+)(?:\s+\[([^\]]*)\])?\s*$")
ENV = re.compile(r"%\{ENV:(\w+)\}")


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    target: str
    flags: dict[str, str]


def read_rules() -> tuple[dict[str, str], list[Rule]]:
    """The variables the file sets with [E=NAME:VALUE], and its redirecting rules in order."""
    variables: dict[str, str] = {}
    rules: list[Rule] = []
    for line in W3ID_HTACCESS.read_text(encoding="utf-8").splitlines():
        match = RULE.match(line.strip())
        if not match:
            continue
        pattern, target, flag_text = match.groups()
        flags = dict(flag.partition("=")[::2] for flag in (flag_text or "").split(","))
        if target == "-" and "E" in flags:
            name, _, value = flags["E"].partition(":")
            variables[name] = value
        else:
            rules.append(Rule(re.compile(pattern), target, flags))
    return variables, rules


def redirect(relative: str) -> tuple[str, str] | None:
    """The (status, target URL) the rules give a path under https://w3id.org/haironto/, or None."""
    variables, rules = read_rules()
    found = next(((rule, m) for rule in rules if (m := rule.pattern.search(relative))), None)
    if found is None:
        return None
    rule, match = found
    target = ENV.sub(lambda m: variables[m.group(1)], rule.target)
    target = re.sub(r"\$(\d)", lambda m: match.group(int(m.group(1))) or "", target)
    return rule.flags.get("R", ""), target


def ontology_terms() -> list[str]:
    """Every term ID of the bundled ontology, read from the release file itself."""
    graph = Graph().parse(ontology_dir() / "haironto.ttl")
    prefix = BASE + "HAIRONTO_"
    return sorted(
        {str(s)[len(BASE) :] for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(prefix)}
    )


def release_date() -> str:
    graph = Graph().parse(ontology_dir() / "haironto.ttl")
    version_iri = str(graph.value(URIRef(BASE + "haironto.owl"), OWL.versionIRI))
    return version_iri[len(BASE) :].split("/")[1]


@pytest.fixture(scope="module")
def service_base() -> str:
    variables, _ = read_rules()
    (base,) = variables.values()
    assert urlsplit(base).scheme == "https" and not base.endswith("/")
    return base


def served(client, target: str, base: str, accept: str) -> int:
    assert target.startswith(base + "/"), target
    with client.get(target[len(base) :], headers={"Accept": accept}) as response:  # closes served files
        return response.status_code


def test_the_file_names_one_deployment_base(service_base):
    _, rules = read_rules()
    assert rules and all(rule.target.startswith("%{ENV:HAIRONTO_SERVICE}/") for rule in rules)


def test_every_term_redirects_with_303_to_a_route_that_answers(bundled_app, service_base):
    client = bundled_app.test_client()
    terms = ontology_terms()
    assert len(terms) > 250  # the whole ontology, not a sample
    for term in terms:
        status, target = redirect(term)
        assert status == "303", term
        assert served(client, target, service_base, "text/turtle") == 200, term


@pytest.mark.parametrize("extension", ["html", "ttl", "nt", "rdf", "jsonld"])
def test_a_term_with_an_extension_redirects_to_that_representation(bundled_app, service_base, extension):
    status, target = redirect(f"HAIRONTO_0000007.{extension}")
    assert status == "303" and target == f"{service_base}/HAIRONTO_0000007.{extension}"
    assert served(bundled_app.test_client(), target, service_base, "*/*") == 200


def test_every_document_redirects_at_its_ontology_and_version_iri(bundled_app, service_base):
    client = bundled_app.test_client()
    date = release_date()
    for name in document_names():
        for iri_path in (name, f"releases/{date}/{name}"):
            status, target = redirect(iri_path)
            assert status == "302", iri_path
            assert target == f"{service_base}/{iri_path}"
            assert served(client, target, service_base, "*/*") == 200, iri_path


def test_every_file_of_every_published_release_and_the_documentation_redirect(bundled_app, service_base):
    client = bundled_app.test_client()
    paths = ["doc/"]
    for release in published_releases():
        paths += [f"releases/{release.date}/{f.relative_to(release.path).as_posix()}" for f in release.files]
        paths.append(f"releases/{release.date}/doc/")
    assert "releases/2026-11-25/catalog-v001.xml" in paths
    for iri_path in paths:
        status, target = redirect(iri_path)
        assert status == "302" and target == f"{service_base}/{iri_path}", iri_path
        assert served(client, target, service_base, "*/*") == 200, iri_path
    assert redirect("doc") == ("302", f"{service_base}/doc/")


@pytest.mark.parametrize(
    "relative",
    [
        "doc/../haironto-edit.ttl",
        "releases/2026-11-25/doc/x.html",
        "HAIRONTO_123",
        "HAIRONTO_00000070",
        "HAIRONTO_0000007/x",
        "HAIRONTO_0000007.exe",
        "haironto-edit.ttl",
        "releases/latest/haironto.owl",
        "releases/2026-11-25/../../haironto.owl",
        "x/HAIRONTO_0000007",
    ],
)
def test_nothing_else_matches_a_rule(relative):
    assert redirect(relative) is None
