"""The dataset the service answers from, assembled once at start-up from the release artifacts.

Layout (the same for every backend):

* named graph :data:`~haironto.namespaces.ASSERTED_GRAPH`: what the editors asserted
  (``haironto-base.ttl``);
* named graph :data:`~haironto.namespaces.INFERRED_GRAPH`: what the reasoner added
  (``haironto-full.ttl`` minus ``haironto-base.ttl``);
* any further named graphs the configuration lists;
* the default graph: the union of those named graphs, materialized, so that a query's own
  ``FROM`` clauses and the protocol's dataset parameters still work exactly as specified
  (pyoxigraph ignores ``FROM`` when asked to treat the default graph as a union);
* named graphs outside the default graph: the published releases, each as published under its
  version IRI, so that a query can target one release (``FROM``, ``GRAPH``) without older
  releases' triples mixing into the default graph.

No entailment happens at query time: the inferred triples are materialized by the build.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from haironto.artifacts import inferred_triples
from haironto.backends.base import QUAD_FORMATS, Backend, Rows, data_format, rdf_format
from haironto.convert import to_oxigraph
from haironto.errors import OntologyLoadError
from haironto.load import load_graph
from haironto.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, ONTOLOGY_IRI
from haironto.resources import ontology_dir

#: The release artifacts the service loads by default, in ``ontology_dir()``.
BASE_FILE = "haironto-base.ttl"
FULL_FILE = "haironto-full.ttl"


@dataclass(frozen=True)
class DataFiles:
    """Which files make up the served dataset."""

    asserted: tuple[Path, ...]
    """Files whose triples form the asserted graph."""
    full: tuple[Path, ...] = ()
    """Files holding asserted plus inferred triples; the inferred graph is their triples not asserted."""
    graphs: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)
    """Further named graphs: graph IRI -> files."""
    releases: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)
    """Named graphs kept out of the default graph (the published releases): graph IRI -> files."""

    @classmethod
    def release(cls, directory: Path | None = None) -> DataFiles:
        """The release artifacts built by ``haironto build`` (``haironto-base.ttl``, ``haironto-full.ttl``).

        >>> DataFiles.release(Path("/r")).asserted
        (PosixPath('/r/haironto-base.ttl'),)
        """
        root = directory or ontology_dir()
        return cls((root / BASE_FILE,), (root / FULL_FILE,))

    def paths(self) -> list[Path]:
        """Every file named, in load order."""
        return [*self.union_paths(), *(p for files in self.releases.values() for p in files)]

    def union_paths(self) -> list[Path]:
        """The files whose triples make up the default graph (every file but the releases')."""
        return [*self.asserted, *self.full, *(p for files in self.graphs.values() for p in files)]

    def check(self) -> None:
        """Fail early, before any parsing, when a file is missing.

        Raises:
            OntologyLoadError: a file does not exist.
        """
        for path in self.paths():
            if not path.is_file():
                hint = (
                    " (run `haironto build`, or pass --ontology)"
                    if path.name in (BASE_FILE, FULL_FILE)
                    else ""
                )
                raise OntologyLoadError(f"{path}: no such file{hint}")


def load_graphs(paths: Iterable[Path]) -> Graph:
    """Parse files into one rdflib graph.

    Raises:
        OntologyLoadError: a file does not parse.
    """
    graph = Graph()
    for path in paths:
        graph += load_graph(path)
    return graph


def _triples(paths: Iterable[Path], *, rename: bool = False) -> list[ox.Triple]:
    triples = []
    for path in paths:
        try:
            quads = ox.parse(
                path=path,
                format=rdf_format(data_format(path)),
                base_iri=path.resolve().as_uri(),
                rename_blank_nodes=rename,
            )
            triples.extend(quad.triple for quad in quads)
        except (SyntaxError, ValueError, OSError) as error:
            raise OntologyLoadError(f"{path}: {error}") from None
    return triples


@functools.lru_cache(maxsize=4)
def _release_graphs(
    asserted: tuple[Path, ...], full: tuple[Path, ...], stamps: tuple[tuple[int, int], ...]
) -> tuple[tuple[ox.Triple, ...], tuple[ox.Triple, ...]]:
    """The asserted and inferred graphs of release files, kept for the next call with the same
    files unchanged (``stamps``: their modification times and sizes): ``haironto serve`` needs
    them to load the dataset and again for the entailment regimes, and they take 0.3 s to make."""
    inferred: tuple[ox.Triple, ...] = ()
    if full:
        # Compared as rdflib graphs so that blank-node axioms and the differing ontology headers
        # of haironto-base and haironto-full are matched by structure (see inferred_triples).
        found = inferred_triples(load_graphs(full), load_graphs(asserted))
        inferred = tuple(ox.Triple(*map(to_oxigraph, t)) for t in found)
    return tuple(_triples(asserted)), inferred


def assemble(files: DataFiles, *, union: bool = True) -> bytes:
    """Build the dataset described by ``files`` as N-Quads (see the module docstring for the layout).

    Args:
        files: the files.
        union: materialize the default graph as the union of the named graphs; a store that
            makes the union at query time (``Backend.holds_data``) gets the named graphs only.

    Raises:
        OntologyLoadError: a file is missing or does not parse.
    """
    files.check()
    stamps = tuple((path.stat().st_mtime_ns, path.stat().st_size) for path in (*files.asserted, *files.full))
    asserted, inferred = _release_graphs(files.asserted, files.full, stamps)
    graphs: dict[str, list[ox.Triple]] = {str(ASSERTED_GRAPH): list(asserted)}
    if files.full:
        graphs[str(INFERRED_GRAPH)] = list(inferred)
    for iri, paths in files.graphs.items():
        graphs.setdefault(iri, []).extend(_triples(paths))
    quads = []
    for iri, triples in graphs.items():
        name = ox.NamedNode(iri)
        quads.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
        if union:
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    for iri, paths in files.releases.items():
        name = ox.NamedNode(iri)
        # A release's files are written like the current ones (canonical blank node labels):
        # fresh labels keep its blank nodes apart from theirs in the one dataset.
        quads.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in _triples(paths, rename=True))
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None
    return data


def load_dataset(backend: Backend, files: DataFiles) -> None:
    """Load the dataset described by ``files`` into a backend, in the layout :func:`assemble` writes.

    The release's graphs go through :func:`assemble` (the inferred graph needs both release files
    compared). The user's files, which may hold millions of triples, are loaded by the engine
    itself, file by file, without a Python object per triple; a backend that materializes the
    default graph then copies each user graph into it (:meth:`Backend.copy_into_default_graph`).

    Raises:
        OntologyLoadError: a file is missing or does not parse.
    """
    files.check()
    union = not backend.holds_data
    release = DataFiles(files.asserted, files.full, releases=files.releases)
    backend.load(assemble(release, union=union), format="nquads")
    for iri, paths in files.graphs.items():
        for path in paths:
            if data_format(path) in QUAD_FORMATS:  # the file's own graph names are dropped, as in assemble
                backend.load(
                    ox.serialize(_triples([path]), format=ox.RdfFormat.N_TRIPLES), iri, format="ntriples"
                )
            else:
                backend.load(path, iri)
        if union:
            backend.copy_into_default_graph(iri)


@dataclass(frozen=True)
class OntologyHeader:
    """What the ontology says about itself, read from its ``owl:Ontology`` header."""

    iri: str
    """The ontology IRI."""
    title: str | None = None
    """``dcterms:title``."""
    description: str | None = None
    """``dcterms:description``."""
    license: str | None = None
    """``dcterms:license`` (an IRI)."""
    version_iri: str | None = None
    """``owl:versionIRI``, stamped by the build."""
    version_info: str | None = None
    """``owl:versionInfo``."""

    @property
    def version(self) -> str | None:
        """The release's version: ``owl:versionInfo``, else the date in ``owl:versionIRI``.

        >>> OntologyHeader("x", version_iri="https://w3id.org/haironto/releases/2026-11-25/haironto.owl").version
        '2026-11-25'
        """
        if self.version_info:
            return self.version_info
        if self.version_iri:
            parts = self.version_iri.rstrip("/").split("/")
            return parts[-2] if len(parts) >= 2 and "releases" in parts else self.version_iri
        return None


HEADER_QUERY = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?ontology ?title ?description ?license ?versionIRI ?versionInfo WHERE {
  ?ontology a owl:Ontology .
  OPTIONAL { ?ontology dcterms:title ?title }
  OPTIONAL { ?ontology dcterms:description ?description }
  OPTIONAL { ?ontology dcterms:license ?license }
  OPTIONAL { ?ontology owl:versionIRI ?versionIRI }
  OPTIONAL { ?ontology owl:versionInfo ?versionInfo }
}
ORDER BY DESC(LANGMATCHES(LANG(?title), "en")) LIMIT 1"""


def read_header(backend: Backend, iri: str | None = None) -> OntologyHeader:
    """Read the ontology header from a loaded backend (empty fields when it has none).

    Args:
        backend: a loaded backend.
        iri: the ontology IRI; by default, whichever ontology the data declares (the release
            artifacts each carry their own: haironto-base.owl for the asserted graph).

    >>> from haironto.backends import get_backend
    >>> backend = get_backend("memory:")
    >>> backend.load(b'''<https://w3id.org/haironto/haironto.owl> a <http://www.w3.org/2002/07/owl#Ontology> ;
    ...     <http://purl.org/dc/terms/title> "T" .''', format="turtle")
    >>> read_header(backend).title
    'T'
    """
    result = backend.query(HEADER_QUERY, bindings={"ontology": URIRef(iri)} if iri else None)
    assert isinstance(result, Rows)
    rows = result.terms()
    if not rows:
        return OntologyHeader(iri or str(ONTOLOGY_IRI))
    values: dict[str, Any] = {
        v: (t.value if t is not None else None) for v, t in zip(result.variables, rows[0], strict=True)
    }
    return OntologyHeader(
        values["ontology"],
        title=values.get("title"),
        description=values.get("description"),
        license=values.get("license"),
        version_iri=values.get("versionIRI"),
        version_info=values.get("versionInfo"),
    )
