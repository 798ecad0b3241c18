"""The serializations the library and the service write, declared once as data.

Each :class:`Format` names the bytes a backend result can be turned into. The server
negotiates among their media types, the CLI takes their short names; the bytes
themselves always come from the engine's own serializer (see
:meth:`haironto.backends.base.Result.serialize`).
"""

from __future__ import annotations

from dataclasses import dataclass

RESULTS = "results"
"""The kind of format that holds SELECT solutions or an ASK boolean."""
GRAPH = "graph"
"""The kind of format that holds the triples of a CONSTRUCT or DESCRIBE."""


@dataclass(frozen=True)
class Format:
    """A serialization of query results or of an RDF graph."""

    name: str
    """The short name used by the ``format`` parameter and ``--format`` option."""
    media_type: str
    """The canonical IANA media type."""
    kind: str
    """:data:`RESULTS` or :data:`GRAPH`."""
    extension: str
    """The usual file extension, without the dot."""
    iri: str
    """The format's IRI in the W3C "Unique URIs for file formats" registry (used by service descriptions)."""
    aliases: tuple[str, ...] = ()
    """Other media types clients use to ask for the same bytes, in order of preference."""

    @property
    def media_types(self) -> tuple[str, ...]:
        """The canonical media type followed by its aliases.

        >>> FORMATS["json"].media_types
        ('application/sparql-results+json', 'application/json')
        """
        return (self.media_type, *self.aliases)


# Order matters: the first format of a kind is the default when a client accepts anything.
_W3 = "http://www.w3.org/ns/formats/"
_ALL = (
    Format(
        "json",
        "application/sparql-results+json",
        RESULTS,
        "srj",
        _W3 + "SPARQL_Results_JSON",
        ("application/json",),
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        RESULTS,
        "srx",
        _W3 + "SPARQL_Results_XML",
        ("application/xml", "text/xml"),
    ),
    Format("csv", "text/csv", RESULTS, "csv", _W3 + "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", RESULTS, "tsv", _W3 + "SPARQL_Results_TSV"),
    Format("turtle", "text/turtle", GRAPH, "ttl", _W3 + "Turtle", ("application/x-turtle",)),
    Format("ntriples", "application/n-triples", GRAPH, "nt", _W3 + "N-Triples", ("text/plain",)),
    Format("rdfxml", "application/rdf+xml", GRAPH, "rdf", _W3 + "RDF_XML", ("application/xml", "text/xml")),
    Format("jsonld", "application/ld+json", GRAPH, "jsonld", _W3 + "JSON-LD", ("application/json",)),
)

#: Every format by short name.
FORMATS: dict[str, Format] = {f.name: f for f in _ALL}


def formats_of(kind: str) -> tuple[Format, ...]:
    """The formats of one kind, default first.

    >>> [f.name for f in formats_of(RESULTS)]
    ['json', 'xml', 'csv', 'tsv']
    """
    return tuple(f for f in _ALL if f.kind == kind)


def find_format(name_or_media_type: str, kind: str) -> Format | None:
    """Look a format of one kind up by short name, extension or media type (parameters ignored).

    >>> find_format("text/turtle; charset=utf-8", GRAPH).name
    'turtle'
    >>> find_format("application/json", GRAPH).name
    'jsonld'
    >>> find_format("turtle", RESULTS) is None
    True
    """
    wanted = name_or_media_type.split(";")[0].strip().lower()
    for fmt in formats_of(kind):
        if wanted in (fmt.name, fmt.extension, *fmt.media_types):
            return fmt
    return None


#: The formats of the QC report (``haironto check --format``).
REPORT_FORMATS = ("tsv", "md", "json")
