"""Names of everything the dataset describes, read once from a backend: labels, synonyms, types.

A term page shows the labels of the terms it links to, and an unknown term gets a hint made of
the labels close to what was asked; both need every label at hand. The index holds only those
few facts for each IRI that is the subject of a triple (a few hundred for HairOnto) and is built
with two queries, so a server process builds it once at start-up.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from curies import Converter

from haironto.backends.base import OUTPUT_PREFIXES, Backend, Rows
from haironto.errors import MalformedTermError, UnknownTermError
from haironto.namespaces import ASSERTED_GRAPH, BASE, INFERRED_GRAPH, OBOINOWL, PREFIX, TERM_ID, VANN, expand

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
#: oboInOwl synonym properties, by the scope they give a synonym.
SYNONYM_SCOPES: dict[str, str] = {
    str(OBOINOWL.hasExactSynonym): "exact",
    str(OBOINOWL.hasRelatedSynonym): "related",
    str(OBOINOWL.hasBroadSynonym): "broad",
    str(OBOINOWL.hasNarrowSynonym): "narrow",
}

#: How a term ID is written; said to a client that sent a malformed one.
ID_FORMAT = (
    f"a {PREFIX} term ID is '{PREFIX}_' followed by seven digits, e.g. {PREFIX}_0000007 "
    f"(CURIE {PREFIX}:0000007, IRI {BASE}{PREFIX}_0000007)"
)

#: Display names of the W3C vocabulary terms that claims and axioms use as relations.
VOCABULARY_LABELS: dict[str, str] = {
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "is a",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": "is a sub-property of",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "is an instance of",
    "http://www.w3.org/2002/07/owl#equivalentClass": "is equivalent to",
    "http://www.w3.org/2002/07/owl#disjointWith": "is disjoint with",
    "http://www.w3.org/2002/07/owl#sameAs": "is the same as",
    "http://www.w3.org/2002/07/owl#Thing": "Thing",
    "http://www.w3.org/2002/07/owl#Nothing": "Nothing",
    "http://www.w3.org/2000/01/rdf-schema#comment": "comment",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": "see also",
    "http://www.w3.org/2002/07/owl#versionInfo": "version",
    "http://purl.org/dc/terms/source": "source",
}

_DISPLAY = Converter.from_prefix_map({**OUTPUT_PREFIXES, "vann": str(VANN)})

_SUBJECTS = "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"
_NAMES = f"""SELECT ?s ?p ?o WHERE {{
  ?s ?p ?o .
  FILTER(isIRI(?s))
  FILTER(?p IN (<{RDFS_LABEL}>, <{RDF_TYPE}>, <{OWL_DEPRECATED}>, {", ".join(f"<{p}>" for p in SYNONYM_SCOPES)}))
}}"""


def curie(iri: str) -> str:
    """The shortest usual name of an IRI: a CURIE when a prefix is known, else the IRI.

    >>> curie("https://w3id.org/haironto/HAIRONTO_0000007"), curie("http://www.w3.org/2002/07/owl#Class")
    ('HAIRONTO:0000007', 'owl:Class')
    """
    return _DISPLAY.compress(iri) or iri


@dataclass(frozen=True)
class Entry:
    """What the index knows about one IRI."""

    iri: str
    """The IRI."""
    label: str | None = None
    """Its ``rdfs:label`` (English preferred), if it has one."""
    label_language: str | None = None
    """The language tag of :attr:`label`."""
    synonyms: tuple[str, ...] = ()
    """Its oboInOwl synonyms, every scope."""
    types: frozenset[str] = frozenset()
    """Its ``rdf:type`` IRIs."""
    deprecated: bool = False
    """True when it is ``owl:deprecated true``."""

    @property
    def curie(self) -> str:
        """The IRI as a CURIE when a prefix is known."""
        return curie(self.iri)

    @property
    def name(self) -> str:
        """What to call it: its label, else its CURIE."""
        return self.label or self.curie


@dataclass
class _Draft:
    labels: list[tuple[str, str | None]] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    deprecated: bool = False

    def entry(self, iri: str) -> Entry:
        # One label per term is the convention; when there are several, English and then the
        # alphabetically first win, so the choice does not depend on the engine's order.
        labels = sorted(self.labels, key=lambda item: (item[1] not in ("en", None), item[1] or "", item[0]))
        label, language = labels[0] if labels else (None, None)
        return Entry(
            iri, label, language, tuple(sorted(set(self.synonyms))), frozenset(self.types), self.deprecated
        )


class TermIndex:
    """Labels, synonyms, types and deprecation of every IRI that is the subject of a triple.

    Args:
        entries: the entries, one per IRI.
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._entries = {entry.iri: entry for entry in entries}
        # Lower-cased label or synonym -> IRIs that have it, for look-ups and hints.
        self._names: dict[str, set[str]] = {}
        for entry in self._entries.values():
            for name in (entry.label, *entry.synonyms):
                if name:
                    self._names.setdefault(name.casefold(), set()).add(entry.iri)

    @classmethod
    def build(cls, backend: Backend) -> TermIndex:
        """Read the index from a loaded backend with two queries.

        >>> from haironto.backends import get_backend
        >>> backend = get_backend("memory:")
        >>> backend.load(b'<https://w3id.org/haironto/HAIRONTO_9000001> '
        ...     b'<http://www.w3.org/2000/01/rdf-schema#label> "treatment"@en .', str(ASSERTED_GRAPH), format="turtle")
        >>> TermIndex.build(backend).label("https://w3id.org/haironto/HAIRONTO_9000001")
        'treatment'
        """
        # The release's graphs, the ontology's terms, on every backend: the user's data may hold
        # millions of resources (at 10^7 triples an index of the whole dataset took 2.8 GB in each
        # worker, and a 404's suggestions compared the text with every name). Other IRIs the
        # dataset describes still get pages (Terms.describes).
        graphs = (str(ASSERTED_GRAPH), str(INFERRED_GRAPH))
        drafts: dict[str, _Draft] = {}
        for (subject,) in _rows(backend, _SUBJECTS, graphs):
            drafts[subject.value] = _Draft()
        for subject, predicate, value in _rows(backend, _NAMES, graphs):
            draft = drafts.setdefault(subject.value, _Draft())
            if predicate.value == RDFS_LABEL:
                draft.labels.append((value.value, getattr(value, "language", None)))
            elif predicate.value == RDF_TYPE:
                draft.types.add(value.value)
            elif predicate.value == OWL_DEPRECATED:
                draft.deprecated = draft.deprecated or value.value in ("true", "1")
            else:
                draft.synonyms.append(value.value)
        return cls(draft.entry(iri) for iri, draft in drafts.items())

    def __contains__(self, iri: object) -> bool:
        return iri in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, iri: str) -> Entry | None:
        """The entry of an IRI, or None when the dataset does not describe it."""
        return self._entries.get(iri)

    def label(self, iri: str) -> str:
        """What to call an IRI on a page: its label, a display name for W3C terms, else its CURIE."""
        entry = self._entries.get(iri)
        if entry is not None and entry.label:
            return entry.label
        return VOCABULARY_LABELS.get(iri) or curie(iri)

    def terms(self) -> list[str]:
        """Every IRI of the ontology's own namespace (``HAIRONTO_nnnnnnn``), sorted."""
        prefix = f"{BASE}{PREFIX}_"
        return sorted(iri for iri in self._entries if iri.startswith(prefix))

    # -- resolving what a client asked for ------------------------------------------------------

    def resolve_id(self, term_id: str) -> str:
        """Resolve a term ID (``HAIRONTO_0000007``) to the IRI of a term the dataset describes.

        Raises:
            MalformedTermError: the ID does not have the form of a term ID.
            UnknownTermError: no term has this ID; the error carries the closest IDs.
        """
        if not TERM_ID.match(term_id):
            raise MalformedTermError(f"{term_id!r} is not a term ID: {ID_FORMAT}")
        iri = BASE + term_id
        if iri not in self._entries:
            raise UnknownTermError(
                f"{PREFIX}:{term_id[len(PREFIX) + 1 :]} is not a term of this ontology", self.suggest(term_id)
            )
        return iri

    def resolve(self, reference: str) -> str:
        """Resolve what a client typed to the IRI of a term the dataset describes.

        Args:
            reference: a term ID (``HAIRONTO_0000007``), a CURIE (``HAIRONTO:0000007``,
                ``RO:0002180``), an IRI, or a label or synonym that names exactly one term.

        Raises:
            MalformedTermError: it is written as a HairOnto ID but not with seven digits.
            UnknownTermError: it names no term (or a label names several); the error carries
                the terms whose labels, synonyms or IDs are closest.
        """
        text = reference.strip()
        own_id = _own_id(text)
        if own_id is not None:
            return self.resolve_id(own_id)
        iri = expand(text) if ":" in text else None
        if iri is not None and iri in self._entries:
            return iri
        named = sorted(self._names.get(text.casefold(), ()))
        if len(named) == 1:
            return named[0]
        if named:
            raise UnknownTermError(f"{text!r} is a label or synonym of {len(named)} terms", tuple(named))
        if iri is not None:
            local = iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            raise UnknownTermError(f"{iri} is not described by this ontology", self.suggest(local))
        raise UnknownTermError(
            f"no term has the ID, CURIE, IRI, label or synonym {text!r}", self.suggest(text)
        )

    def suggest(self, text: str, limit: int = 5) -> tuple[str, ...]:
        """The IRIs of up to ``limit`` terms whose label, synonym, ID or CURIE is close to ``text``.

        Names that contain the text come first (shortest first), then names that difflib finds
        similar. Obsolete terms come last.
        """
        wanted = text.strip().casefold()
        if not wanted:
            return ()
        names = dict(self._names)
        for entry in self._entries.values():
            for alias in (entry.iri.rsplit("/", 1)[-1], entry.curie):
                names.setdefault(alias.casefold(), set()).add(entry.iri)
        ranked: list[str] = sorted((n for n in names if wanted in n), key=lambda n: (len(n), n))
        ranked += difflib.get_close_matches(wanted, list(names), n=limit * 2, cutoff=0.6)
        found: list[str] = []
        for name in ranked:
            for iri in sorted(names[name]):
                if iri not in found:
                    found.append(iri)
        found.sort(key=lambda iri: self._entries[iri].deprecated)
        return tuple(found[:limit])


def _own_id(text: str) -> str | None:
    # A reference written in the ontology's own ID scheme (any case of the prefix), as an ID, a
    # CURIE or an IRI, becomes the ID ``HAIRONTO_<local>`` so that a malformed one can be named.
    for start in (f"{BASE}{PREFIX}_", f"{PREFIX}_", f"{PREFIX}:"):
        if text[: len(start)].casefold() == start.casefold():
            return f"{PREFIX}_{text[len(start) :]}"
    return None


def _rows(backend: Backend, query: str, graphs: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    result = backend.query(query, default_graph_uris=graphs)
    assert isinstance(result, Rows)
    return result.terms()
