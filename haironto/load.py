"""Loading an ontology file (the edit source or a release artifact) into an rdflib graph."""

from __future__ import annotations

import warnings
from pathlib import Path

from rdflib import Graph
from rdflib.util import guess_format

from haironto.errors import OntologyLoadError
from haironto.resources import edit_file


def load_graph(path: Path | str | None = None) -> Graph:
    """Parse an ontology file into a graph, choosing the parser from the file name.

    Args:
        path: a Turtle, RDF/XML (``.owl``), JSON-LD or N-Triples file; default: the edit file.

    Returns:
        The parsed graph.

    Raises:
        OntologyLoadError: the file is missing, has an unknown extension, or does not parse;
            the message names the file and repeats the parser's own message.

    >>> from haironto.resources import ontology_dir
    >>> load_graph(ontology_dir() / "no-such-file.ttl")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    haironto.errors.OntologyLoadError: ...no-such-file.ttl: no such file
    """
    path = Path(path) if path is not None else edit_file()
    if not path.is_file():
        raise OntologyLoadError(f"{path}: no such file")
    rdf_format = guess_format(str(path))
    if rdf_format is None:
        raise OntologyLoadError(f"{path}: unknown RDF format; use .ttl, .owl, .rdf, .jsonld or .nt")
    graph = Graph()
    try:
        with warnings.catch_warnings():
            # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph; not ours to fix.
            warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
            graph.parse(path, format=rdf_format)
    # rdflib's parsers raise whatever their underlying reader raises (BadSyntax, SAXParseException,
    # JSONDecodeError, even IndexError on a truncated Turtle file), so the boundary catches them all.
    except Exception as error:
        message = " ".join(str(error).split()) or type(error).__name__
        raise OntologyLoadError(f"{path}: cannot parse as {rdf_format}: {message}") from error
    return graph
