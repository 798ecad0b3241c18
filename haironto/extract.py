"""``haironto extract``: an import module of HairOnto terms, for reuse in another ontology.

Two styles, as ontology engineers use them (and ROBOT's ``extract`` offers):

- ``mireot`` (Minimum Information to Reference an External Ontology Term): the terms, their
  labels and definitions, and their named ancestors (asserted and, from the primary release,
  inferred) up to an optional upper term, with the subclass links between them. No other
  axioms: small, and safe from unintended inferences, but it keeps no meaning beyond the tree.
- ``star``, ``bot``, ``top``: a syntactic-locality module (Cuenca Grau et al., "Modular reuse of
  ontologies: theory and practice", JAIR 31, 2008), extracted by the OWL API's
  ``SyntacticLocalityModuleExtractor`` (see :mod:`haironto.owlapi`). A locality module keeps
  every axiom the terms need: whatever the source entails about them, the module entails too.
  STAR is the smallest.

The module gets an ontology header of its own: its IRI, ``prov:wasDerivedFrom`` and
``dcterms:source`` the source's version IRI, the source's license, and the seed terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from haironto.artifacts import ontology_iri
from haironto.axioms import compress
from haironto.errors import HairOntoError, UnknownTermError
from haironto.load import load_graph
from haironto.namespaces import BASE, DEFINITION, expand, term_iri
from haironto.resources import ontology_dir
from haironto.writers import WRITERS

PROV = Namespace("http://www.w3.org/ns/prov#")
METHODS = ("mireot", "star", "bot", "top")
#: Output formats: the writers' file extensions.
FORMATS = ("owl", "ttl")
#: The default IRI of a module: the ODK's ``imports/<source>_import.owl`` naming.
DEFAULT_MODULE_IRI = BASE + "imports/haironto_import.owl"


def default_source() -> Path:
    """The ontology modules are extracted from: the primary release, ``ontology/haironto.owl``."""
    return ontology_dir() / "haironto.owl"


def read_terms(path: Path) -> list[str]:
    """Terms from a file: whitespace-separated IDs, CURIEs or IRIs; ``#`` starts a comment.

    Raises:
        HairOntoError: the file cannot be read.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise HairOntoError(f"{path}: cannot read the term list: {error.strerror}") from None
    return [word for line in text.splitlines() for word in line.split("#", 1)[0].split()]


def resolve(graph: Graph, terms: Iterable[str]) -> list[URIRef]:
    """Resolve terms given as IDs, CURIEs or IRIs to entities the graph declares.

    HairOnto IDs (``HAIRONTO_0000007``, ``HAIRONTO:0000007``) and any IRI or known CURIE of an
    entity the graph declares (``RO:0002180``) are accepted.

    Raises:
        UnknownTermError: a term the graph does not declare; the message names it.
    """
    declared = {s for s, kind in graph.subject_objects(RDF.type) if isinstance(s, URIRef)}
    resolved = []
    for term in terms:
        iri = term_iri(term) or (URIRef(expand(term)) if expand(term) else None)
        if iri is None or iri not in declared:
            raise UnknownTermError(f"unknown term {term!r}: not declared in the source ontology")
        if iri not in resolved:
            resolved.append(iri)
    if not resolved:
        raise HairOntoError("no terms given: name terms as arguments or with --file")
    return resolved


def extract(
    terms: Sequence[str],
    *,
    source: Path | None = None,
    graph: Graph | None = None,
    method: str = "star",
    upper: str | None = None,
    module_iri: str = DEFAULT_MODULE_IRI,
) -> Graph:
    """Extract an import module for some terms.

    Args:
        terms: IDs, CURIEs or IRIs.
        source: the ontology to extract from; default: the primary release.
        graph: the ontology to extract from, already loaded (the service keeps its source in
            memory); overrides ``source``. It is only read.
        method: ``mireot``, ``star``, ``bot`` or ``top``.
        upper: for ``mireot``: the upper term; ancestors above it are left out.
        module_iri: the module's ontology IRI.

    Returns:
        The module, with its header.

    Raises:
        UnknownTermError: a term (or the upper term) the source does not declare.
        OwlApiError: a locality method without the OWL API.
        OntologyLoadError: the source cannot be read.
    """
    if method not in METHODS:
        raise HairOntoError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if graph is None:
        graph = load_graph(source or default_source())
    seeds = resolve(graph, terms)
    if method == "mireot":
        top = resolve(graph, [upper])[0] if upper else None
        module = mireot(graph, seeds, top)
    else:
        if upper:
            raise HairOntoError("--upper applies to the mireot method only")
        from haironto.owlapi import locality_module

        module = locality_module(graph, seeds, method, module_iri)
    return _with_header(module, graph, seeds, method, module_iri)


def mireot(graph: Graph, seeds: Sequence[URIRef], upper: URIRef | None = None) -> Graph:
    """The MIREOT module: the seeds and their named ancestors with labels, definitions, parents.

    Classes follow ``rdfs:subClassOf``, properties ``rdfs:subPropertyOf``, individuals their
    named types and those types' ancestors. With ``upper``, only ancestors that are ``upper``
    or below it are kept.
    """
    module = Graph()
    parents_of = {
        kind: _named_parents(graph, predicate)
        for kind, predicate in (("class", RDFS.subClassOf), ("property", RDFS.subPropertyOf))
    }
    keep: set[URIRef] = set()
    edges: set[tuple[URIRef, URIRef, URIRef]] = set()
    for seed in seeds:
        is_property = bool(
            {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
            & set(graph.objects(seed, RDF.type))
        )
        parents = parents_of["property" if is_property else "class"]
        predicate = RDFS.subPropertyOf if is_property else RDFS.subClassOf
        keep.add(seed)
        start = [seed]
        types = [
            t for t in graph.objects(seed, RDF.type) if isinstance(t, URIRef) and t in parents_of["class"]
        ]
        if OWL.NamedIndividual in set(graph.objects(seed, RDF.type)) and types:
            for kind in types:
                edges.add((seed, RDF.type, kind))
            start, parents, predicate = types, parents_of["class"], RDFS.subClassOf
        todo = list(start)
        while todo:
            node = todo.pop()
            if node != seed:
                keep.add(node)
            for parent in parents.get(node, ()):
                if upper is None or parent == upper or upper in _ancestors(parents, parent):
                    edges.add((node, predicate, parent))
                    if parent not in keep:
                        todo.append(parent)
    for entity in keep | {o for _, _, o in edges}:
        for kind in graph.objects(entity, RDF.type):
            if kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
                module.add((entity, RDF.type, kind))
            if kind == OWL.NamedIndividual:
                module.add((entity, RDF.type, kind))
        for predicate in (RDFS.label, DEFINITION):
            for value in graph.objects(entity, predicate):
                module.add((entity, predicate, value))
    for edge in edges:
        module.add(edge)
    module.add((DEFINITION, RDF.type, OWL.AnnotationProperty))
    for value in graph.objects(DEFINITION, RDFS.label):
        module.add((DEFINITION, RDFS.label, value))
    return module


def write(module: Graph, output: Path, output_format: str | None = None) -> Path:
    """Write a module as RDF/XML (``owl``) or Turtle (``ttl``); the format defaults to the extension.

    Raises:
        HairOntoError: an unknown format, or the file cannot be written.
    """
    chosen = output_format or output.suffix.lstrip(".") or "owl"
    if chosen not in FORMATS:
        raise HairOntoError(f"unknown module format {chosen!r}; choose one of {', '.join(FORMATS)}")
    try:
        return WRITERS[chosen].dump(module, output)
    except OSError as error:
        raise HairOntoError(f"cannot write {output}: {error.strerror}") from None


def dumps(module: Graph, output_format: str = "owl") -> str:
    """A module as RDF/XML or Turtle text."""
    if output_format not in FORMATS:
        raise HairOntoError(f"unknown module format {output_format!r}; choose one of {', '.join(FORMATS)}")
    return WRITERS[output_format].dumps(module)


def _named_parents(graph: Graph, predicate: URIRef) -> dict[URIRef, set[URIRef]]:
    parents: dict[URIRef, set[URIRef]] = {}
    for child, parent in graph.subject_objects(predicate):
        if isinstance(child, URIRef) and isinstance(parent, URIRef) and child != parent:
            parents.setdefault(child, set()).add(parent)
    return parents


def _ancestors(parents: dict[URIRef, set[URIRef]], node: URIRef) -> set[URIRef]:
    seen: set[URIRef] = set()
    todo = [node]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _with_header(
    module: Graph, source: Graph, seeds: Sequence[URIRef], method: str, module_iri: str
) -> Graph:
    header = URIRef(module_iri)
    source_header = ontology_iri(source)
    for old in list(module.subjects(RDF.type, OWL.Ontology)):
        for triple in list(module.triples((old, None, None))):
            module.remove(triple)
    version = source.value(source_header, OWL.versionIRI) or source_header
    module.add((header, RDF.type, OWL.Ontology))
    module.add((header, PROV.wasDerivedFrom, version))
    module.add((header, DCTERMS.source, version))
    title = source.value(source_header, DCTERMS.title)
    module.add(
        (
            header,
            DCTERMS.title,
            Literal(
                f"{method.upper() if method != 'mireot' else 'MIREOT'} import module of {title or 'HairOnto'}",
                lang="en",
            ),
        )
    )
    seed_list = ", ".join(compress(str(seed)) for seed in seeds)
    module.add(
        (
            header,
            DCTERMS.description,
            Literal(f"Extracted by haironto extract (method {method}) for the terms {seed_list}.", lang="en"),
        )
    )
    for license_iri in source.objects(source_header, DCTERMS.license):
        module.add((header, DCTERMS.license, license_iri))
    for prop in (DCTERMS.source, DCTERMS.title, DCTERMS.description, DCTERMS.license, PROV.wasDerivedFrom):
        module.add((prop, RDF.type, OWL.AnnotationProperty))
    return module
