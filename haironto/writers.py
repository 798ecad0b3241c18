"""One writer per serialization format, each byte-for-byte deterministic.

rdflib's RDF/XML, JSON-LD and N-Triples writers follow the store's iteration order and
write random blank-node IDs, so the same graph gives different bytes from one process to
the next. Every writer here therefore starts from
:func:`~haironto.convert.canonical_triples`: blank nodes relabelled from the graph's
structure (RDFC-1.0), triples sorted. pyoxigraph writes triples in the order it is given
them, so it writes RDF/XML, JSON-LD and N-Triples; rdflib writes Turtle, which it orders
itself and where it nests blank nodes and lists the way people read them.

Each writer has ``dumps`` (to a string) and ``dump`` (to a file), the latter built on the former.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.plugins.serializers.turtle import TurtleSerializer

from haironto.convert import canonical_triples, from_oxigraph
from haironto.namespaces import BASE, OBO, OBOINOWL, PREFIX_MAP, VANN

#: Namespaces whose local names are XML names, so RDF/XML can use them for element names.
XML_PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "vann": str(VANN),
    "oboInOwl": str(OBOINOWL),
    "obo": str(OBO),
    "haironto": BASE,
}

#: Prefixes for Turtle: the XML ones plus the OBO-style ones (``CL:0000034``, ``HAIRONTO:0000001``);
#: not ``haironto:``, which would turn the ontology IRI into ``haironto:haironto.owl``.
TURTLE_PREFIXES: dict[str, str] = {
    **{prefix: namespace for prefix, namespace in XML_PREFIXES.items() if prefix != "haironto"},
    **PREFIX_MAP,
    "prov": "http://www.w3.org/ns/prov#",
}


class Writer:
    """Writes a graph in one format; subclasses implement :meth:`dumps`."""

    suffix: ClassVar[str]
    """The file extension, without the dot."""
    media_type: ClassVar[str]
    """The IANA media type of the format."""

    def dumps(self, graph: Graph) -> str:
        """Serialize the graph to a string."""
        raise NotImplementedError

    def dump(self, graph: Graph, path: Path) -> Path:
        """Serialize the graph to a file (UTF-8, ``\\n`` line ends on every platform) and return its path."""
        path.write_text(self.dumps(graph), encoding="utf-8", newline="\n")
        return path


class _HeaderFirstTurtleSerializer(TurtleSerializer):
    # rdflib writes members of its "top classes" first; the rest by reference count, then IRI.
    topClasses = [OWL.Ontology, RDFS.Class]


class TurtleWriter(Writer):
    """Turtle by rdflib, with the project's prefixes bound.

    >>> g = Graph().parse(data="<http://purl.obolibrary.org/obo/CL_0000034> a <urn:C> .", format="turtle")
    >>> "CL:0000034 a <urn:C> ." in TurtleWriter().dumps(g)
    True
    """

    suffix = "ttl"
    media_type = "text/turtle"

    def dumps(self, graph: Graph) -> str:
        canonical = Graph(bind_namespaces="none")
        for prefix, namespace in TURTLE_PREFIXES.items():
            canonical.bind(prefix, namespace)
        for triple in canonical_triples(graph):
            canonical.add(tuple(from_oxigraph(term) for term in triple))
        stream = io.BytesIO()
        _HeaderFirstTurtleSerializer(canonical).serialize(stream, encoding="utf-8")
        return stream.getvalue().decode("utf-8")


class _OxigraphWriter(Writer):
    rdf_format: ClassVar[ox.RdfFormat]

    def dumps(self, graph: Graph) -> str:
        data = ox.serialize(canonical_triples(graph), format=self.rdf_format, prefixes=XML_PREFIXES)
        return data.decode("utf-8")


class RdfXmlWriter(_OxigraphWriter):
    """RDF/XML (the ``.owl`` files) by pyoxigraph, blank nodes as ``rdf:nodeID``.

    >>> g = Graph().parse(data="<urn:a> a <http://www.w3.org/2002/07/owl#Class> .", format="turtle")
    >>> '<owl:Class rdf:about="urn:a">' in RdfXmlWriter().dumps(g)
    True
    """

    suffix = "owl"
    media_type = "application/rdf+xml"
    rdf_format = ox.RdfFormat.RDF_XML


class NTriplesWriter(_OxigraphWriter):
    """Canonical N-Triples by pyoxigraph; the copy handed to the reasoners.

    >>> g = Graph().parse(data="<urn:a> <urn:p> [] .", format="turtle")
    >>> NTriplesWriter().dumps(g)
    '<urn:a> <urn:p> _:c14n0 .\\n'
    """

    suffix = "nt"
    media_type = "application/n-triples"
    rdf_format = ox.RdfFormat.N_TRIPLES


class JsonLdWriter(_OxigraphWriter):
    """JSON-LD (expanded form) by pyoxigraph, indented so that releases diff line by line.

    >>> g = Graph().parse(data='<urn:a> <urn:p> "x" .', format="turtle")
    >>> print(JsonLdWriter().dumps(g), end="")
    [
      {
        "@id": "urn:a",
        "urn:p": [
          {
            "@value": "x"
          }
        ]
      }
    ]
    """

    suffix = "jsonld"
    media_type = "application/ld+json"
    rdf_format = ox.RdfFormat.JSON_LD

    def dumps(self, graph: Graph) -> str:
        # json keeps key and array order, so re-indenting keeps the output deterministic.
        return json.dumps(json.loads(super().dumps(graph)), indent=2, ensure_ascii=False) + "\n"


#: Writers by file extension.
WRITERS: dict[str, Writer] = {
    writer.suffix: writer for writer in (RdfXmlWriter(), TurtleWriter(), JsonLdWriter(), NTriplesWriter())
}
