"""Every term of the real ontology dereferences, as a page and as Turtle.

The term IRIs and their labels are read from the bundled release file with rdflib, not from the
service, so a term the service failed to index would show up here.
"""

from __future__ import annotations

import pytest
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from haironto.namespaces import BASE
from haironto.resources import ontology_dir


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_dir() / "haironto.ttl")


def test_every_term_of_the_ontology_dereferences_in_html_and_turtle(bundled_app, ontology):
    client = bundled_app.test_client()
    terms = sorted(
        {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(BASE + "HAIRONTO_")}
    )
    assert len(terms) > 250
    for term in terms:
        label = ontology.value(term, RDFS.label)
        assert isinstance(label, Literal), term
        path = "/" + term[len(BASE) :]
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200, term
        assert f"<h1>{escape(label)}</h1>" in page.get_data(as_text=True), term
        turtle = client.get(path, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200, term
        assert (term, RDFS.label, label) in Graph().parse(data=turtle.get_data(), format="turtle"), term
