"""``haironto diff``: the semantic difference between two releases, term by term.

Not a line diff: two files that say the same thing in another order or with other blank-node
IDs have no difference. A term is a HAIRONTO IRI declared as a class, property or individual;
for each the diff reports whether it was added, removed, obsoleted (``owl:deprecated`` became
true) or brought back, a changed English label or definition (``IAO:0000115``), and the logical
axioms (see :mod:`haironto.axioms`) and mappings (SKOS, ``oboInOwl:hasDbXref``) added or removed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from haironto.axioms import DECLARATION_TYPES, compress, declared_properties, logical_axioms
from haironto.load import load_graph
from haironto.namespaces import BASE, DEFINITION, OBOINOWL, TERM_ID, TERM_REPLACED_BY

#: Predicates of mappings to other ontologies.
MAPPING_PREDICATES = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
    OBOINOWL.hasDbXref,
)

#: Output formats of :meth:`Diff.format`.
FORMATS = ("md", "json")


@dataclass(frozen=True)
class Term:
    """A term named in the diff."""

    id: str
    """The CURIE, e.g. ``HAIRONTO:0000007``."""
    label: str
    """The English label (the new one where it changed)."""


@dataclass(frozen=True)
class Change:
    """A changed value of a term: its label or its definition."""

    id: str
    """The term's CURIE."""
    label: str
    """The term's (new) label."""
    old: str
    """The value in the old release."""
    new: str
    """The value in the new release."""


@dataclass(frozen=True)
class Delta:
    """What was added to and removed from one term's axioms or mappings."""

    id: str
    """The term's CURIE."""
    label: str
    """The term's (new) label."""
    added: tuple[str, ...] = ()
    """Rendered axioms or mappings that only the new release has, sorted."""
    removed: tuple[str, ...] = ()
    """Rendered axioms or mappings that only the old release has, sorted."""


@dataclass(frozen=True)
class Diff:
    """The semantic difference between an old and a new release."""

    old_version: str = ""
    """The old release's ``owl:versionIRI`` (empty when it has none)."""
    new_version: str = ""
    """The new release's ``owl:versionIRI`` (empty when it has none)."""
    added: tuple[Term, ...] = ()
    """Terms only the new release declares."""
    removed: tuple[Term, ...] = ()
    """Terms only the old release declares (a QC error: IDs are never deleted)."""
    obsoleted: tuple[Term, ...] = ()
    """Terms deprecated in the new release but not in the old one."""
    revived: tuple[Term, ...] = ()
    """Terms deprecated in the old release but not in the new one (a QC error: reuse)."""
    relabelled: tuple[Change, ...] = ()
    """Terms whose English label changed."""
    redefined: tuple[Change, ...] = ()
    """Terms whose definition changed."""
    axioms: tuple[Delta, ...] = ()
    """Terms whose logical axioms changed."""
    mappings: tuple[Delta, ...] = ()
    """Terms whose mappings changed."""
    replaced_by: dict[str, str] = field(default_factory=dict, compare=False)
    """For obsoleted terms: CURIE -> the CURIE of the term that replaces it."""

    @property
    def empty(self) -> bool:
        """True when the two releases say the same about every term."""
        return not any(
            (
                self.added,
                self.removed,
                self.obsoleted,
                self.revived,
                self.relabelled,
                self.redefined,
                self.axioms,
                self.mappings,
            )
        )

    def counts(self) -> dict[str, int]:
        """How many terms fall in each section."""
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "obsoleted": len(self.obsoleted),
            "revived": len(self.revived),
            "relabelled": len(self.relabelled),
            "redefined": len(self.redefined),
            "axioms changed": len(self.axioms),
            "mappings changed": len(self.mappings),
        }

    def summary(self) -> str:
        """One line of counts.

        >>> Diff().summary()
        'no semantic changes'
        >>> Diff(added=(Term("HAIRONTO:0000001", "x"),)).summary()
        '1 added'
        """
        parts = [f"{count} {name}" for name, count in self.counts().items() if count]
        return ", ".join(parts) if parts else "no semantic changes"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        data = asdict(self)
        data["counts"] = self.counts()
        return data

    def to_json(self) -> str:
        """The diff as indented JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self, heading: str = "###") -> str:
        """The diff as Markdown, one section per kind of change, for a changelog.

        Args:
            heading: the Markdown heading level of the sections.
        """
        lines = [f"Compared with {self.old_version or 'the old release'}: {self.summary()}."]

        def section(title: str, items: list[str]) -> None:
            if items:
                lines.extend(["", f"{heading} {title}", "", *items])

        section("Added terms", [f"- {t.id} {t.label}" for t in self.added])
        section("Removed terms", [f"- {t.id} {t.label}" for t in self.removed])
        section(
            "Obsoleted terms",
            [
                f"- {t.id} {t.label}"
                + (f" (replaced by {self.replaced_by[t.id]})" if t.id in self.replaced_by else "")
                for t in self.obsoleted
            ],
        )
        section("Terms no longer obsolete", [f"- {t.id} {t.label}" for t in self.revived])
        section("Relabelled terms", [f'- {c.id}: "{c.old}" -> "{c.new}"' for c in self.relabelled])
        section(
            "Changed definitions",
            [f'- {c.id} {c.label}: "{c.old}" -> "{c.new}"' for c in self.redefined],
        )
        for title, deltas in (("Changed logical axioms", self.axioms), ("Changed mappings", self.mappings)):
            items = []
            for delta in deltas:
                items.append(f"- {delta.id} {delta.label}")
                items += [f"  - added: `{text}`" for text in delta.added]
                items += [f"  - removed: `{text}`" for text in delta.removed]
            section(title, items)
        return "\n".join(lines) + "\n"

    def format(self, output_format: str) -> str:
        """Render as ``md`` or ``json``."""
        return {"md": self.to_markdown, "json": self.to_json}[output_format]()


def diff_files(old: Path, new: Path) -> Diff:
    """Load two release files and diff them.

    Raises:
        OntologyLoadError: a file is missing or does not parse.
    """
    return diff_graphs(load_graph(old), load_graph(new))


def diff_graphs(old: Graph, new: Graph) -> Diff:
    """The semantic difference between two ontologies.

    >>> old = Graph().parse(format="turtle", data='''
    ...   @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...   <https://w3id.org/haironto/HAIRONTO_0000001> a owl:Class ; rdfs:label "cure"@en .''')
    >>> new = Graph().parse(format="turtle", data='''
    ...   @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...   <https://w3id.org/haironto/HAIRONTO_0000001> a owl:Class ; rdfs:label "treatment"@en .''')
    >>> diff_graphs(old, new).relabelled
    (Change(id='HAIRONTO:0000001', label='treatment', old='cure', new='treatment'),)
    """
    old_terms, new_terms = terms(old), terms(new)
    old_props, new_props = declared_properties(old), declared_properties(new)

    def label(term: URIRef) -> str:
        return english(new, term, RDFS.label) or english(old, term, RDFS.label)

    def entry(term: URIRef) -> Term:
        return Term(compress(str(term)), label(term))

    common = sorted(old_terms & new_terms)
    obsoleted = [t for t in common if deprecated(new, t) and not deprecated(old, t)]
    replaced_by = {}
    for term in obsoleted:
        replacement = new.value(term, TERM_REPLACED_BY)
        if replacement is not None:
            replaced_by[compress(str(term))] = compress(str(replacement))
    relabelled, redefined, axioms, mappings = [], [], [], []
    for term in common:
        for predicate, changes in ((RDFS.label, relabelled), (DEFINITION, redefined)):
            before, after = english(old, term, predicate), english(new, term, predicate)
            if before != after:
                changes.append(Change(compress(str(term)), label(term), before, after))
        before_axioms = logical_axioms(old, term, old_props)
        after_axioms = logical_axioms(new, term, new_props)
        if before_axioms != after_axioms:
            axioms.append(_delta(term, label(term), before_axioms, after_axioms))
        before_maps, after_maps = _mappings(old, term), _mappings(new, term)
        if before_maps != after_maps:
            mappings.append(_delta(term, label(term), before_maps, after_maps))
    return Diff(
        old_version=_version(old),
        new_version=_version(new),
        added=tuple(entry(t) for t in sorted(new_terms - old_terms)),
        removed=tuple(entry(t) for t in sorted(old_terms - new_terms)),
        obsoleted=tuple(entry(t) for t in obsoleted),
        revived=tuple(entry(t) for t in common if deprecated(old, t) and not deprecated(new, t)),
        relabelled=tuple(relabelled),
        redefined=tuple(redefined),
        axioms=tuple(axioms),
        mappings=tuple(mappings),
        replaced_by=replaced_by,
    )


def terms(graph: Graph) -> set[URIRef]:
    """The HAIRONTO terms a graph declares (classes, properties, individuals)."""
    found = set()
    for subject, kind in graph.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and kind in DECLARATION_TYPES and kind != OWL.Ontology:
            local = str(subject)[len(BASE) :] if str(subject).startswith(BASE) else ""
            if TERM_ID.match(local):
                found.add(subject)
    return found


def deprecated(graph: Graph, term: URIRef) -> bool:
    """True when the term carries ``owl:deprecated true``."""
    return any(value.toPython() is True for value in graph.objects(term, OWL.deprecated))


def english(graph: Graph, term: URIRef, predicate: URIRef) -> str:
    """The term's value for a predicate, English preferred; several are joined with `` | ``."""
    values = [v for v in graph.objects(term, predicate) if isinstance(v, Literal)]
    chosen = [v for v in values if v.language == "en"] or values
    return " | ".join(sorted(str(v) for v in chosen))


def _mappings(graph: Graph, term: URIRef) -> set[str]:
    return {
        f"{compress(str(predicate))} {compress(str(target))}"
        for predicate in MAPPING_PREDICATES
        for target in graph.objects(term, predicate)
    }


def _delta(term: URIRef, label: str, before: set[str], after: set[str]) -> Delta:
    return Delta(compress(str(term)), label, tuple(sorted(after - before)), tuple(sorted(before - after)))


def _version(graph: Graph) -> str:
    for ontology in sorted(graph.subjects(RDF.type, OWL.Ontology)):
        version = graph.value(ontology, OWL.versionIRI)
        if version is not None:
            return str(version)
    return ""
