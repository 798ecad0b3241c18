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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from haironto.errors import QueryError
from haironto.namespaces import expand
from haironto.resources import queries_dir

FRONT_MATTER_MARK = "#+"
PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean")
#: Severity levels of a violation query, most severe first (as in ROBOT report).
LEVELS = ("ERROR", "WARN", "INFO")


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

    def to_term(self, raw: str) -> Node:
        """Convert a raw string from a URL or command line into an RDF term of the declared type.

        Raises:
            QueryError: the value does not fit the type.

        >>> Param("n", "integer").to_term("3")
        rdflib.term.Literal('3', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
        >>> Param("t", "iri").to_term("CL:0000034")
        rdflib.term.URIRef('http://purl.obolibrary.org/obo/CL_0000034')
        """
        if self.type == "iri":
            iri = expand(raw)
            if iri is None or any(c in iri for c in ' <>"{}|\\^`'):
                raise QueryError(f"parameter {self.name!r} needs an IRI or known CURIE, got {raw!r}")
            return URIRef(iri)
        if self.type == "string":
            return Literal(raw)
        datatype = {"integer": XSD.integer, "decimal": XSD.decimal, "boolean": XSD.boolean}[self.type]
        literal = Literal(raw, datatype=datatype)
        if literal.ill_typed or (self.type == "boolean" and raw not in ("true", "false")):
            raise QueryError(f"parameter {self.name!r} needs a {self.type}, got {raw!r}")
        return literal


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
