"""Loading ontology files: every failure is an OntologyLoadError that names the file."""

from __future__ import annotations

import pytest

from haironto.errors import OntologyLoadError
from haironto.load import load_graph
from tests.data import MINI, STEM_CELL


def test_turtle_is_loaded():
    graph = load_graph(MINI)
    assert (STEM_CELL, None, None) in graph


def test_missing_file_is_named(tmp_path):
    missing = tmp_path / "absent.ttl"
    with pytest.raises(OntologyLoadError, match="absent.ttl: no such file"):
        load_graph(missing)


def test_parse_error_names_the_file_and_the_parser_message(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;; ex:d .\nex:e ex:f\n")
    with pytest.raises(OntologyLoadError) as caught:
        load_graph(broken)
    message = str(caught.value)
    assert message.startswith(f"{broken}: cannot parse as turtle: ")
    assert len(message) > len(f"{broken}: cannot parse as turtle: ")  # the parser's own words follow
    assert "\n" not in message


def test_broken_rdfxml_is_a_load_error(tmp_path):
    broken = tmp_path / "broken.owl"
    broken.write_text("<rdf:RDF")
    with pytest.raises(OntologyLoadError, match="broken.owl: cannot parse as xml"):
        load_graph(broken)


def test_unknown_extension_is_refused(tmp_path):
    odd = tmp_path / "ontology.docx"
    odd.write_text("")
    with pytest.raises(OntologyLoadError, match="unknown RDF format"):
        load_graph(odd)
