"""Writers: every format parses back to the same graph, in rdflib, pyoxigraph and owlready2, byte-stable."""

from __future__ import annotations

import io
import json
import random

import owlready2
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from haironto.writers import WRITERS

RDFLIB_FORMATS = {"owl": "xml", "ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}
OXIGRAPH_FORMATS = {
    "owl": ox.RdfFormat.RDF_XML,
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
}


def owlready_graph(path) -> Graph:
    """What owlready2 reads from a file, written back out as N-Triples and parsed by rdflib."""
    world = owlready2.World()
    try:
        world.get_ontology(path.as_uri()).load()
        buffer = io.BytesIO()
        world.save(buffer, format="ntriples")
    finally:
        world.close()
    graph = Graph()
    for s, p, o in Graph().parse(data=buffer.getvalue().decode("utf-8"), format="nt"):
        if s == URIRef("http://anonymous"):  # owlready2's own placeholder ontology
            continue
        if isinstance(o, Literal) and o.datatype == XSD.string:  # RDF 1.1: the same literal
            o = Literal(str(o))
        graph.add((s, p, o))
    return graph


def without_trailing_slashes(graph: Graph) -> Graph:
    return Graph().parse(
        data=graph.serialize(format="nt").replace("/> ", "> ").replace("/>\n", ">\n"), format="nt"
    )


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_output_parses_back_in_rdflib_to_the_same_graph(mini, suffix):
    text = WRITERS[suffix].dumps(mini)
    assert isomorphic(Graph().parse(data=text, format=RDFLIB_FORMATS[suffix]), mini)


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_output_parses_back_in_pyoxigraph(mini, suffix):
    text = WRITERS[suffix].dumps(mini)
    triples = list(ox.parse(text.encode("utf-8"), format=OXIGRAPH_FORMATS[suffix]))
    assert len(triples) == len(mini)


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_dump_writes_what_dumps_returns(mini, suffix, tmp_path):
    path = WRITERS[suffix].dump(mini, tmp_path / f"mini.{suffix}")
    assert path.read_bytes() == WRITERS[suffix].dumps(mini).encode("utf-8")


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_bytes_depend_only_on_the_graph(mini, suffix):
    # Same triples, added in another order, with other blank-node IDs.
    triples = list(Graph().parse(data=mini.serialize(format="nt"), format="nt"))
    random.Random(7).shuffle(triples)
    shuffled = Graph()
    for triple in triples:
        shuffled.add(triple)
    assert WRITERS[suffix].dumps(shuffled) == WRITERS[suffix].dumps(mini)


def test_owlready2_reads_ntriples_losslessly(mini, tmp_path):
    path = WRITERS["nt"].dump(mini, tmp_path / "mini.nt")
    assert isomorphic(owlready_graph(path), mini)


def test_owlready2_reads_every_axiom_of_the_rdfxml(mini, tmp_path):
    path = WRITERS["owl"].dump(mini, tmp_path / "mini.owl")
    read = owlready_graph(path)
    # owlready2's RDF/XML reader cuts the final "/" of IRIs (here the licence,
    # .../licenses/by/4.0/); that is why the reasoners get N-Triples. All else is intact.
    assert not isomorphic(read, mini)
    assert isomorphic(without_trailing_slashes(read), without_trailing_slashes(mini))


def test_turtle_uses_the_project_prefixes(mini):
    text = WRITERS["ttl"].dumps(mini)
    assert "@prefix HAIRONTO: <https://w3id.org/haironto/HAIRONTO_> ." in text
    assert "skos:exactMatch CL:0000034" in text


def test_header_comes_first(mini):
    iri = "https://w3id.org/haironto/haironto.owl"
    turtle = WRITERS["ttl"].dumps(mini).split("\n\n")
    assert turtle[1].startswith(f"<{iri}> a owl:Ontology ;")
    rdfxml = WRITERS["owl"].dumps(mini).splitlines()
    assert rdfxml[2].strip() == f'<owl:Ontology rdf:about="{iri}">'
    assert json.loads(WRITERS["jsonld"].dumps(mini))[0]["@id"] == iri
