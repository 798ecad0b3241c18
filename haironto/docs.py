"""HTML documentation of the whole ontology: one self-contained page, byte-identical from run to run.

Written by ``haironto build`` to ``ontology/doc/index.html`` (and into each release), for the
service to serve at ``/doc``. Every class, object, data and annotation property and named
individual (the claims included) has a section with its label, IRI, definition, synonyms,
mappings, logical axioms in a Manchester-like syntax (with links), and, for an obsolete term,
the notice and its replacement.

Why not pyLODE: on the Python versions this project supports (3.10+), pyLODE 3.4.1 fails at
import (it reads a ``pyproject.toml`` its wheel lacks) and 3.4.2 and later need Python 3.12;
3.2 and 3.3 crash on an intersection that holds a complement (growth-factor-rich treatment's
definition); 3.1.4 runs, but leaves out named individuals and orders the operands of an
intersection by object identity, so its output changes between runs and the build would no
longer be deterministic. ontospy 2.7 renders individuals but stamps the time on every page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from haironto.artifacts import ontology_iri
from haironto.axioms import CHARACTERISTICS, DECLARATION_TYPES, LOGICAL_PREDICATES, compress, render
from haironto.diff import MAPPING_PREDICATES, deprecated, english
from haironto.namespaces import (
    BASE,
    DEFINITION,
    DEFINITION_SOURCE,
    OBOINOWL,
    TERM_ID,
    TERM_REPLACED_BY,
    VANN,
)

#: The folder (beside the artifacts) the documentation is written to, and its page.
DOC_DIR = "doc"
DOC_PAGE = "index.html"

SECTIONS = (
    ("classes", "Classes", OWL.Class),
    ("object-properties", "Object properties", OWL.ObjectProperty),
    ("data-properties", "Data properties", OWL.DatatypeProperty),
    ("annotation-properties", "Annotation properties", OWL.AnnotationProperty),
    ("individuals", "Named individuals", OWL.NamedIndividual),
)
SYNONYMS = (
    (OBOINOWL.hasExactSynonym, "exact"),
    (OBOINOWL.hasRelatedSynonym, "related"),
    (OBOINOWL.hasBroadSynonym, "broad"),
    (OBOINOWL.hasNarrowSynonym, "narrow"),
)
HEADER_FIELDS = (
    (DCTERMS.description, "Description"),
    (OWL.versionIRI, "Version IRI"),
    (OWL.versionInfo, "Version"),
    (DCTERMS.license, "License"),
    (DCTERMS.creator, "Creator"),
    (DCTERMS.created, "Created"),
    (DCTERMS.modified, "Modified"),
    (DCTERMS.source, "Source"),
    (VANN.preferredNamespacePrefix, "Preferred prefix"),
    (VANN.preferredNamespaceUri, "Namespace"),
    (RDFS.comment, "Comment"),
)
#: Annotations shown in their own rows; every other annotation is listed under "Annotations".
_SHOWN = {RDFS.label, DEFINITION, DEFINITION_SOURCE, OWL.deprecated, TERM_REPLACED_BY, OBOINOWL.consider}
_SHOWN |= {predicate for predicate, _ in SYNONYMS} | set(MAPPING_PREDICATES)


@dataclass
class Entry:
    """One entity's section of the page."""

    anchor: str
    label: str
    iri: str
    obsolete: bool = False
    replaced_by: list[Markup] = field(default_factory=list)
    consider: list[Markup] = field(default_factory=list)
    definition: str = ""
    rows: list[tuple[str, list[Markup]]] = field(default_factory=list)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
code, .iri { font-family: ui-monospace, monospace; font-size: 0.9em; }
section.entity { border-top: 1px solid #ccc; padding: 0.5rem 0; }
section.obsolete h3 { color: #8a1c1c; text-decoration: line-through; }
.notice { background: #fdecea; border-left: 4px solid #8a1c1c; padding: 0.3rem 0.6rem; }
dl { display: grid; grid-template-columns: 12rem 1fr; gap: 0.2rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; }
</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="iri">{{ iri }}</p>
<dl>
{% for name, values in header %}<dt>{{ name }}</dt><dd>{{ values | join(", ") }}</dd>
{% endfor %}</dl>
<nav><h2>Contents</h2><ul>
{% for anchor, name, entries in sections %}<li><a href="#{{ anchor }}">{{ name }}</a> ({{ entries | length }})</li>
{% endfor %}</ul></nav>
</header>
<main>
{% for anchor, name, entries in sections %}<h2 id="{{ anchor }}">{{ name }}</h2>
{% for e in entries %}<section class="entity{% if e.obsolete %} obsolete{% endif %}" id="{{ e.anchor }}">
<h3>{{ e.label }}</h3>
<p class="iri">{{ e.iri }}</p>
{% if e.obsolete %}<p class="notice">Obsolete: do not use this term.{% if e.replaced_by %} Replaced by {{ e.replaced_by | join(", ") }}.{% endif %}{% if e.consider %} Consider {{ e.consider | join(", ") }}.{% endif %}</p>
{% endif %}{% if e.definition %}<p>{{ e.definition }}</p>
{% endif %}{% if e.rows %}<dl>
{% for name, values in e.rows %}<dt>{{ name }}</dt><dd>{{ values | join("<br>" | safe) }}</dd>
{% endfor %}</dl>
{% endif %}</section>
{% endfor %}{% endfor %}</main>
</body>
</html>
"""


def dumps(graph: Graph) -> str:
    """The documentation page of an ontology."""
    header_iri = ontology_iri(graph)
    environment = Environment(autoescape=select_autoescape(default=True), keep_trailing_newline=True)

    def link(iri: URIRef) -> Markup:
        label = english(graph, iri, RDFS.label)
        if _anchor(iri) and _declared(graph, iri):
            return Markup('<a href="#{}">{}</a>').format(_anchor(iri), label or compress(str(iri)))
        text = f"{label} ({compress(str(iri))})" if label else compress(str(iri))
        if str(iri).startswith(("http://", "https://")):
            return Markup('<a href="{}">{}</a>').format(str(iri), text)
        return Markup("{}").format(text)

    def value(node) -> Markup:
        if isinstance(node, URIRef):
            return link(node)
        if isinstance(node, Literal):
            return Markup("{}").format(str(node))
        return Markup(render(graph, node, name=link, literal=lambda lit: html.escape(str(lit))))

    header = [(name, _rendered(value, graph.objects(header_iri, p))) for p, name in HEADER_FIELDS]
    sections = []
    for anchor, name, kind in SECTIONS:
        entities = [e for e in graph.subjects(RDF.type, kind) if isinstance(e, URIRef) and _anchor(e)]
        entries = [_entry(graph, e, value) for e in entities]
        sections.append((anchor, name, sorted(entries, key=lambda e: (e.label.lower(), e.iri))))
    title = english(graph, header_iri, DCTERMS.title) or str(header_iri)
    page = environment.from_string(PAGE).render(
        title=title, iri=str(header_iri), header=[h for h in header if h[1]], sections=sections
    )
    return page


def dump(graph: Graph, folder: Path) -> Path:
    """Write the page to ``folder/index.html`` (the folder is created) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DOC_PAGE
    path.write_text(dumps(graph), encoding="utf-8", newline="\n")
    return path


def _entry(graph: Graph, entity: URIRef, value) -> Entry:
    def values(predicate) -> list[Markup]:
        return _rendered(value, graph.objects(entity, predicate))

    entry = Entry(
        anchor=_anchor(entity),
        label=english(graph, entity, RDFS.label) or compress(str(entity)),
        iri=str(entity),
        obsolete=deprecated(graph, entity),
        replaced_by=values(TERM_REPLACED_BY),
        consider=values(OBOINOWL.consider),
        definition=english(graph, entity, DEFINITION),
    )
    rows = entry.rows
    for predicate, name in SYNONYMS:
        if values(predicate):
            rows.append((f"{name.capitalize()} synonyms", values(predicate)))
    for predicate, name in LOGICAL_PREDICATES.items():
        if values(predicate):
            rows.append((name, values(predicate)))
    types = [v for v in graph.objects(entity, RDF.type) if v not in DECLARATION_TYPES]
    if types:
        label = "Characteristics" if all(t in CHARACTERISTICS for t in types) else "Types"
        rows.append((label, _rendered(value, types)))
    subclasses = [s for s in graph.subjects(RDFS.subClassOf, entity) if isinstance(s, URIRef)]
    if subclasses:
        rows.append(("Subclasses", _rendered(value, subclasses)))
    for predicate in MAPPING_PREDICATES:
        if values(predicate):
            rows.append((compress(str(predicate)), values(predicate)))
    if values(DEFINITION_SOURCE):
        rows.append(("Definition source", values(DEFINITION_SOURCE)))
    others = sorted(
        {
            p
            for p in graph.predicates(entity)
            if p not in _SHOWN and p not in LOGICAL_PREDICATES and p != RDF.type
        },
        key=lambda p: (english(graph, p, RDFS.label) or compress(str(p))).lower(),
    )
    for predicate in others:
        rows.append((english(graph, predicate, RDFS.label) or compress(str(predicate)), values(predicate)))
    return entry


def anchor(iri: str) -> str:
    """The fragment of an entity's section on the page: its term ID; empty for an IRI not of HairOnto.

    >>> anchor("https://w3id.org/haironto/HAIRONTO_0000007"), anchor("http://purl.obolibrary.org/obo/CL_0000034")
    ('HAIRONTO_0000007', '')
    """
    return _anchor(URIRef(iri))


def _anchor(iri: URIRef) -> str:
    local = str(iri)[len(BASE) :] if str(iri).startswith(BASE) else ""
    return local if TERM_ID.match(local) else ""


def _declared(graph: Graph, iri: URIRef) -> bool:
    return any(kind in DECLARATION_TYPES for kind in graph.objects(iri, RDF.type))


def _rendered(value, nodes) -> list[Markup]:
    # Sorted by their text, so that blank-node class expressions come out in a stable order too.
    return sorted({value(node) for node in nodes}, key=str)
