"""The query catalogue parses front matter and binds typed parameters safely."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from haironto.errors import QueryError
from haironto.queries import load_catalogue, parse_query

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
