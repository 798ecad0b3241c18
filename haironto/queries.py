"""The query catalogue: every curated SPARQL file of queries/, parsed once, read by the CLI, server and tests.

A query file is plain SPARQL whose first lines are ``#+ `` comments holding YAML
front matter (the grlc convention), so the file stays valid SPARQL::

    #+ summary: Which treatments are growth-factor rich?
    #+ tags: [treatments, competency]
    #+ params:
    #+   treatment: {type: iri, description: a treatment class}
    SELECT ...

The file name tells the role: ``*-violation.rq`` must return no rows on the
released ontology, ``construct-*.rq`` builds a graph, anything else is a report.
Parameters are SPARQL variables of the query; they are bound as RDF terms at
execution time, never pasted into the query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from haironto.errors import QueryError
from haironto.formats import GRAPH, RESULTS
from haironto.namespaces import PREFIX_MAP, expand
from haironto.resources import queries_dir

FRONT_MATTER_MARK = "#+"
PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean")
#: Severity levels of a violation query, most severe first (as in ROBOT report).
LEVELS = ("ERROR", "WARN", "INFO")

#: What the API accepts in an IRI, as the engine's IRI parser (RFC 3987) accepts it: printable
#: ASCII other than ``<>"{}|^`\\`` and brackets, ``%`` only as ``%HH``; a host without ``:@/?#``,
#: a numeric port, then a path and query, and at most one ``#``. The ontology's IRIs and those it
#: maps to (OBO, MeSH, ...) are all of this form; other IRIs can be percent-encoded.
_PATH_CHAR = r"(?:%[0-9A-Fa-f]{2}|[!$&-;=?-Z_a-z~])"
_HOST_CHAR = r"(?:%[0-9A-Fa-f]{2}|[!$&-.0-9;=A-Z_a-z~])"
#: The raw values each non-string type accepts, as regular expressions over the whole value. They
#: are written in the dialect Python and ECMAScript share, so the API's OpenAPI document states
#: exactly the rule :meth:`Param.to_term` enforces. Numbers follow the XSD lexical spaces.
#: An absolute http(s) IRI, as an ``iri`` parameter accepts it.
IRI_PATTERN = rf"^https?://{_HOST_CHAR}*(?::[0-9]*)?(?:[/?]{_PATH_CHAR}*)?(?:#{_PATH_CHAR}*)?$"
#: A CURIE with one of the project's prefixes (:data:`haironto.namespaces.PREFIX_MAP`).
CURIE_PATTERN = rf"^(?:{'|'.join(map(re.escape, PREFIX_MAP))}):{_PATH_CHAR}*$"
PATTERNS: dict[str, str] = {
    "iri": f"(?:{IRI_PATTERN})|(?:{CURIE_PATTERN})",
    "integer": r"^[+-]?[0-9]+$",
    "decimal": r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$",
    "boolean": r"^(?:true|false)$",
}
_DATATYPES = {"integer": XSD.integer, "decimal": XSD.decimal, "boolean": XSD.boolean}


def _check_iri(name: str, iri: str) -> None:
    """Refuse what the engine's IRI parser would refuse, before the value reaches the engine.

    Raises:
        QueryError: ``iri`` is not an absolute IRI by RFC 3987.
    """
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise QueryError(f"parameter {name!r} needs an IRI or known CURIE, got {iri!r} ({error})") from None


@dataclass(frozen=True)
class Param:
    """A typed parameter of a curated query."""

    name: str
    """The SPARQL variable it binds, without the ``?``."""
    type: str = "string"
    """One of ``iri``, ``string``, ``integer``, ``decimal``, ``boolean``."""
    description: str = ""
    """What the parameter means, for the API documentation."""
    default: str | None = None
    """The value used when the caller gives none; None makes the parameter optional and unbound."""

    @property
    def pattern(self) -> str | None:
        """The regular expression a raw value must match, or None for a string (anything goes).

        >>> import re
        >>> bool(re.fullmatch(Param("n", "integer").pattern, "-3")), bool(re.fullmatch(Param("n", "integer").pattern, "3.0"))
        (True, False)
        """
        return PATTERNS.get(self.type)

    def to_term(self, raw: str) -> Node:
        """Convert a raw string from a URL or command line into an RDF term of the declared type.

        Raises:
            QueryError: the value does not fit the type.

        >>> Param("n", "integer").to_term("3")
        rdflib.term.Literal('3', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
        >>> Param("t", "iri").to_term("CL:0000034")
        rdflib.term.URIRef('http://purl.obolibrary.org/obo/CL_0000034')
        """
        if self.type == "string":
            return Literal(raw)
        # Checked before rdflib sees the value: rdflib logs a traceback for every ill-typed literal
        # and reads "1e3" as a decimal, which XSD does not allow.
        if self.pattern is None or re.fullmatch(self.pattern, raw) is None:
            wanted = {"iri": "an IRI or known CURIE", "integer": "an integer"}.get(
                self.type, f"a {self.type}"
            )
            raise QueryError(f"parameter {self.name!r} needs {wanted}, got {raw!r}")
        if self.type == "iri":
            iri = expand(raw)
            if iri is None:  # pragma: no cover - the pattern admits known prefixes only
                raise QueryError(f"parameter {self.name!r} needs an IRI or known CURIE, got {raw!r}")
            _check_iri(self.name, iri)
            return URIRef(iri)
        return Literal(raw, datatype=_DATATYPES[self.type])

    def json_default(self) -> str | int | float | bool | None:
        """The default as the JSON value of the parameter's type (for API documents), or None.

        >>> Param("n", "integer", default="10").json_default(), Param("b", "boolean", default="true").json_default()
        (10, True)
        """
        if self.default is None:
            return None
        if self.type == "integer":
            return int(self.default)
        if self.type == "decimal":
            return float(self.default)
        if self.type == "boolean":
            return self.default == "true"
        return self.default


@dataclass(frozen=True)
class Query:
    """A curated query file with its metadata."""

    name: str
    """The file name without ``.rq``; also the query's name in the REST API."""
    text: str
    """The whole file, front matter included (comments are valid SPARQL)."""
    summary: str = ""
    """One line: the competency question the query answers."""
    description: str = ""
    """Longer explanation, including where the answer comes from in the source article."""
    tags: tuple[str, ...] = ()
    """Free keywords for grouping in the API and UI."""
    params: tuple[Param, ...] = ()
    """Typed parameters, bound at execution time."""
    level: str = "ERROR"
    """For a violation query: how grave a returned row is, one of :data:`LEVELS`."""
    path: Path | None = field(default=None, compare=False)
    """The file the query was read from."""

    @property
    def kind(self) -> str:
        """The kind of answer: :data:`~haironto.formats.GRAPH` for a ``construct-`` query, else
        :data:`~haironto.formats.RESULTS` (SELECT or ASK), which decides the formats it can be sent in."""
        return GRAPH if self.role == "construct" else RESULTS

    @property
    def role(self) -> str:
        """``violation`` (must return nothing), ``construct``, or ``report``."""
        if self.name.endswith("-violation"):
            return "violation"
        if self.name.startswith("construct-"):
            return "construct"
        return "report"

    def bindings(self, raw: dict[str, str]) -> dict[str, Node]:
        """Turn raw parameter values into typed RDF terms, applying defaults.

        Raises:
            QueryError: an unknown parameter, or a value that does not fit its type.
        """
        known = {p.name: p for p in self.params}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise QueryError(f"query {self.name!r} has no parameter {', '.join(unknown)}")
        values: dict[str, Node] = {}
        for name, param in known.items():
            value = raw.get(name, param.default)
            if value is not None:
                values[name] = param.to_term(value)
        return values

    def with_values(self, raw: dict[str, str] | None = None) -> str:
        """The query text with its parameters' values written in a trailing ``VALUES`` clause.

        This is the query as a person edits it (the query UI shows it): the values, defaults
        included, are visible and changeable. Programs bind with :meth:`bindings` instead. Each
        value is first typed by :meth:`bindings`, then written in SPARQL syntax by rdflib, so a
        value can never change the query's structure. SPARQL joins a trailing ``VALUES`` after
        grouping and before ordering and ``LIMIT``; as parameters are projected, that keeps the
        rows whose parameter has the value, as binding it would.

        Raises:
            QueryError: as :meth:`bindings`.

        >>> q = parse_query("#+ params:\\n#+   n: {type: integer, default: 2}\\nSELECT ?n {}", "two")
        >>> print(q.with_values(), end="")
        #+ params:
        #+   n: {type: integer, default: 2}
        SELECT ?n {}
        VALUES ?n { 2 }
        >>> q.with_values({"n": "5"}).endswith("VALUES ?n { 5 }\\n")
        True
        """
        values = self.bindings(dict(raw or {}))
        if not values:
            return self.text
        names = " ".join(f"?{name}" for name in values)
        terms = " ".join(_sparql_term(term) for term in values.values())
        clause = (
            f"VALUES ?{next(iter(values))} {{ {terms} }}"
            if len(values) == 1
            else f"VALUES ({names}) {{ ({terms}) }}"
        )
        return self.text.rstrip("\n") + "\n" + clause + "\n"


def _sparql_term(term: Node) -> str:
    """A term in SPARQL syntax: integers, booleans and dotted decimals bare, the rest as rdflib writes them.

    >>> _sparql_term(Literal("7", datatype=XSD.integer)), _sparql_term(Literal("5.", datatype=XSD.decimal))
    ('7', '"5"^^<http://www.w3.org/2001/XMLSchema#decimal>')
    """
    if isinstance(term, Literal):
        lexical = str(term)
        if term.datatype in (XSD.integer, XSD.boolean) or (term.datatype == XSD.decimal and "." in lexical):
            return lexical
    return term.n3()


def parse_query(text: str, name: str, path: Path | None = None) -> Query:
    """Parse a query file's text into a :class:`Query`.

    >>> q = parse_query("#+ summary: Count classes\\n#+ tags: [qc]\\nSELECT (COUNT(*) AS ?n) {}", "count")
    >>> q.summary, q.tags, q.role
    ('Count classes', ('qc',), 'report')
    >>> parse_query("#+ level: WARN\\nASK {}", "odd-violation").level
    'WARN'
    """
    header = []
    for line in text.splitlines():
        if not line.startswith(FRONT_MATTER_MARK):
            break
        header.append(line[len(FRONT_MATTER_MARK) :].removeprefix(" "))
    try:
        meta: dict[str, Any] = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as error:
        raise QueryError(f"{path or name}: malformed front matter: {error}") from error
    params = []
    for pname, spec in (meta.get("params") or {}).items():
        spec = spec or {}
        ptype = spec.get("type", "string")
        if ptype not in PARAM_TYPES:
            raise QueryError(f"{path or name}: parameter {pname!r} has unknown type {ptype!r}")
        default = spec.get("default")
        if isinstance(default, bool):  # YAML reads `default: true` as a bool; str() would give "True"
            default = "true" if default else "false"
        params.append(
            Param(pname, ptype, spec.get("description", ""), None if default is None else str(default))
        )
    level = str(meta.get("level", LEVELS[0]))
    if level not in LEVELS:
        raise QueryError(f"{path or name}: level must be one of {', '.join(LEVELS)}, got {level!r}")
    return Query(
        name=name,
        text=text,
        summary=str(meta.get("summary", "")),
        description=str(meta.get("description", "")),
        tags=tuple(meta.get("tags") or ()),
        params=tuple(params),
        level=level,
        path=path,
    )


def load_catalogue(directory: Path | None = None) -> dict[str, Query]:
    """Read every ``.rq`` file under a folder (default: the bundled queries/), keyed by name.

    Quality-control queries in ``qc/`` are included; their names carry no folder.
    """
    root = directory or queries_dir()
    catalogue = {}
    for path in sorted(root.rglob("*.rq")):
        query = parse_query(path.read_text(encoding="utf-8"), path.stem, path)
        if query.name in catalogue:
            raise QueryError(f"two queries are named {query.name!r}: {catalogue[query.name].path} and {path}")
        catalogue[query.name] = query
    return catalogue


def get_query(name: str, directory: Path | None = None) -> Query:
    """Return one curated query by name.

    Raises:
        QueryError: no query has that name.
    """
    catalogue = load_catalogue(directory)
    try:
        return catalogue[name]
    except KeyError:
        raise QueryError(f"no curated query named {name!r}; known: {', '.join(catalogue)}") from None
