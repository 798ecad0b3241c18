"""The query catalogue parses front matter and binds typed parameters safely."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from haironto.errors import QueryError
from haironto.queries import Param, load_catalogue, parse_query

PARAMETRISED = """#+ summary: Claims about a term
#+ tags: [claims]
#+ params:
#+   term: {type: iri, description: the term}
#+   limit: {type: integer, default: 10}
SELECT ?claim WHERE { ?claim ?p ?term } LIMIT 10
"""


def test_front_matter_is_parsed():
    query = parse_query(PARAMETRISED, "claims-about")
    assert query.summary == "Claims about a term"
    assert query.tags == ("claims",)
    assert [p.name for p in query.params] == ["term", "limit"]


def test_bindings_are_typed_terms_with_defaults():
    query = parse_query(PARAMETRISED, "claims-about")
    values = query.bindings({"term": "HAIRONTO:0000001"})
    assert values["term"] == URIRef("https://w3id.org/haironto/HAIRONTO_0000001")
    assert values["limit"] == Literal(10)


@pytest.mark.parametrize(
    "raw",
    [
        {"term": "> } ; DROP ALL ; #"},
        {"term": "http://x/ bad"},
        {"limit": "ten"},
        {"nope": "1"},
    ],
)
def test_bad_bindings_are_refused(raw):
    with pytest.raises(QueryError):
        parse_query(PARAMETRISED, "claims-about").bindings(raw)


def test_roles_follow_file_names():
    assert parse_query("ASK {}", "no-label-violation").role == "violation"
    assert parse_query("CONSTRUCT {} WHERE {}", "construct-tree").role == "construct"


def test_malformed_front_matter_is_a_query_error():
    with pytest.raises(QueryError, match="front matter"):
        parse_query("#+ summary: [unclosed\nASK {}", "broken")


def test_duplicate_names_are_refused(tmp_path):
    (tmp_path / "qc").mkdir()
    (tmp_path / "a.rq").write_text("ASK {}")
    (tmp_path / "qc" / "a.rq").write_text("ASK {}")
    with pytest.raises(QueryError, match="two queries"):
        load_catalogue(tmp_path)


def test_a_yaml_boolean_default_binds_as_xsd_boolean():
    # `default: true` is a YAML bool; it must bind as "true"^^xsd:boolean, not fail as "True".
    query = parse_query("#+ params:\n#+   flag: {type: boolean, default: true}\nSELECT ?flag {}", "flags")
    assert query.params[0].default == "true"
    assert query.bindings({})["flag"] == Literal(True)


@pytest.mark.parametrize(
    ("type_", "good", "bad"),
    [
        ("integer", ["0", "-7", "+42", "007"], ["", "1.0", "1e3", " 1", "1\n", "one"]),
        ("decimal", ["0.5", "-1", ".5", "5."], ["", "1e3", "abc", "1,5", "NaN"]),
        ("boolean", ["true", "false"], ["True", "1", "yes", ""]),
        (
            "iri",
            ["HAIRONTO:0000001", "CL:0000034", "http://example.org/a#b", "https://w3id.org/x"],
            ["", "nope:1", "urn:x:y", "http://x/a b", "http://x/<y>", 'http://x/"', "CL:0000034\n"],
        ),
    ],
)
def test_each_type_accepts_its_lexical_space_only(type_, good, bad):
    param = Param("p", type_)
    for raw in good:
        param.to_term(raw)
    for raw in bad:
        with pytest.raises(QueryError):
            param.to_term(raw)


def test_with_values_writes_typed_values_the_query_then_parses(backend):
    text = (
        "#+ params:\n#+   text: {type: string, default: 'say \"hi\" } #'}\n#+   n: {type: integer, default: 2}\n"
        "#+   d: {type: decimal, default: 0.5}\n#+   t: {type: iri, default: 'CL:0000034'}\n"
        "SELECT ?text ?n ?d ?t WHERE { } LIMIT 10"
    )
    query = parse_query(text, "values")
    written = query.with_values()
    assert written.startswith(text)  # the file itself, unchanged, then the clause
    (row,) = backend.query(written).terms()
    bound = backend.query(text, bindings=query.bindings({})).terms()
    assert [str(term.value) for term in row] == [str(term.value) for term in bound[0]]
    assert [str(term.value) for term in row] == [
        'say "hi" } #',
        "2",
        "0.5",
        "http://purl.obolibrary.org/obo/CL_0000034",
    ]


def test_with_values_leaves_a_query_without_values_alone():
    assert parse_query("SELECT * {}", "plain").with_values() == "SELECT * {}"
