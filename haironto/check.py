"""The QC report: rows of (level, rule, subject, property, value), in the style of ROBOT report.

Most rules are SPARQL files, ``queries/qc/<rule>-violation.rq``, read through the query
catalogue: each returns one row per problem (``?entity ?property ?value``) and its front
matter gives the rule's ``level``. What SPARQL cannot see is checked here in Python: that
every external ID and every reused RO/BFO/IAO/OMO/oboInOwl IRI is a verified row of the
reference tables in ``ontology/reference/``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from curies import Converter
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS
from rdflib.term import Node

from haironto.convert import from_oxigraph, to_quads
from haironto.deprecation import history_problems
from haironto.errors import OntologyLoadError, QueryError
from haironto.formats import REPORT_FORMATS
from haironto.load import load_graph
from haironto.namespaces import BASE, OBOINOWL, PREFIX_MAP, TERM_ID, expand
from haironto.queries import LEVELS, Query, load_catalogue
from haironto.resources import edit_file, ontology_dir
from haironto.writers import TURTLE_PREFIXES

#: Rules checked in Python (the SPARQL ones are in queries/qc/): name -> (level, summary).
PYTHON_RULES: dict[str, tuple[str, str]] = {
    "xref-unknown": ("ERROR", "a mapping or cross-reference target is not in xrefs.sssom.tsv"),
    "xref-unverified": ("ERROR", "a mapping or cross-reference target has only verified=no rows"),
    "xref-predicate-mismatch": ("ERROR", "a mapping's target is verified, but with another predicate"),
    "relation-unknown": ("ERROR", "an RO, BFO, IAO, OMO or oboInOwl IRI is not in relations.tsv"),
    "relation-unverified": ("ERROR", "an RO, BFO, IAO, OMO or oboInOwl IRI is a verified=no row"),
    "deleted-id": ("ERROR", "an ID of the previous release is no longer declared (obsolete it instead)"),
    "reused-id": ("ERROR", "a published ID changed kind, or an obsolete ID is live again"),
}

#: The mapping predicates whose targets must be verified rows with the same predicate.
MAPPING_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
#: A database cross-reference claims no match strength, so any verified row of its target will do.
DBXREF = OBOINOWL.hasDbXref
#: Namespaces whose IRIs must be rows of relations.tsv.
RELATION_NAMESPACES = tuple(PREFIX_MAP[prefix] for prefix in ("RO", "BFO", "IAO", "OMO", "oboInOwl"))

_DISPLAY = Converter.from_prefix_map(TURTLE_PREFIXES)
# SSSOM predicate CURIEs (skos:exactMatch ...) are outside the ontology's own prefix map.
_SSSOM_PREDICATES = Converter.from_prefix_map({"skos": str(SKOS), "oboInOwl": str(OBOINOWL)})

HEADER = ("Level", "Rule Name", "Subject", "Property", "Value")


@dataclass(frozen=True)
class Violation:
    """One row of the report."""

    level: str
    """``ERROR``, ``WARN`` or ``INFO``."""
    rule: str
    """The rule's name: a query name without ``-violation``, or a key of :data:`PYTHON_RULES`."""
    subject: str
    """The entity at fault, as a CURIE where a prefix is known."""
    property: str = ""
    """The property involved, if any."""
    value: str = ""
    """The value involved, if any."""

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """Most severe first, then by rule, subject, property and value."""
        return (LEVELS.index(self.level), self.rule, self.subject, self.property, self.value)


@dataclass(frozen=True)
class Report:
    """The result of a check: every violation found, most severe first."""

    violations: tuple[Violation, ...] = ()
    """The rows, sorted."""
    source: str = field(default="", compare=False)
    """The file checked, for messages."""

    def count(self, level: str) -> int:
        """How many rows have this level."""
        return sum(1 for violation in self.violations if violation.level == level)

    def fails(self, fail_on: str = "ERROR") -> bool:
        """True when a row is at ``fail_on`` or more severe.

        >>> report = Report((Violation("WARN", "label-language", "HAIRONTO:0000001"),))
        >>> report.fails("ERROR"), report.fails("WARN")
        (False, True)
        """
        threshold = LEVELS.index(fail_on)
        return any(LEVELS.index(violation.level) <= threshold for violation in self.violations)

    def summary(self) -> str:
        """One line of counts.

        >>> Report().summary()
        '0 errors, 0 warnings, 0 infos'
        """
        return f"{self.count('ERROR')} errors, {self.count('WARN')} warnings, {self.count('INFO')} infos"

    def to_tsv(self) -> str:
        """Tab-separated, with ROBOT report's header.

        >>> tsv = Report((Violation("ERROR", "missing-label", "HAIRONTO:0000001", "rdfs:label"),)).to_tsv()
        >>> for line in tsv.splitlines():
        ...     print(line.split("\\t"))
        ['Level', 'Rule Name', 'Subject', 'Property', 'Value']
        ['ERROR', 'missing-label', 'HAIRONTO:0000001', 'rdfs:label', '']
        """
        rows = [HEADER, *((v.level, v.rule, v.subject, v.property, v.value) for v in self.violations)]
        return "\n".join("\t".join(_one_line(cell) for cell in row) for row in rows) + "\n"

    def to_markdown(self) -> str:
        """A Markdown table, for issues and pull requests."""
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        for v in self.violations:
            cells = (v.level, v.rule, v.subject, v.property, v.value)
            lines.append("| " + " | ".join(_one_line(cell).replace("|", "\\|") for cell in cells) + " |")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """JSON: the file, the counts per level and the rows."""
        data = {
            "source": self.source,
            "counts": {level: self.count(level) for level in LEVELS},
            "violations": [asdict(v) for v in self.violations],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def format(self, output_format: str) -> str:
        """Render as ``tsv``, ``md`` or ``json``."""
        return {"tsv": self.to_tsv, "md": self.to_markdown, "json": self.to_json}[output_format]()


#: Output formats of :meth:`Report.format`.
FORMATS = REPORT_FORMATS


@dataclass(frozen=True)
class ReferenceTables:
    """The verified reference tables, indexed for look-up by IRI."""

    xrefs: dict[str, dict[str, bool]]
    """External IRI -> {predicate IRI: verified} from xrefs.sssom.tsv."""
    relations: dict[str, bool]
    """Property or value IRI -> verified, from relations.tsv."""

    @classmethod
    def load(cls, directory: Path | None = None) -> ReferenceTables:
        """Read ``xrefs.sssom.tsv`` and ``relations.tsv`` (default: ``ontology/reference/``).

        Raises:
            OntologyLoadError: a table is missing or lacks a column the check needs.
        """
        folder = directory or ontology_dir() / "reference"
        xrefs: dict[str, dict[str, bool]] = {}
        for row in _read_tsv(folder / "xrefs.sssom.tsv", ("predicate_id", "object_id", "verified")):
            obj, predicate = expand(row["object_id"]), _SSSOM_PREDICATES.expand(row["predicate_id"])
            if obj and predicate:
                verified = xrefs.setdefault(obj, {}).get(predicate, False)
                xrefs[obj][predicate] = verified or row["verified"] == "yes"
        relations: dict[str, bool] = {}
        for row in _read_tsv(folder / "relations.tsv", ("iri", "verified")):
            relations[row["iri"]] = relations.get(row["iri"], False) or row["verified"] == "yes"
        return cls(xrefs, relations)


def _read_tsv(path: Path, needed: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            # SSSOM puts its metadata in leading '#' lines; the table starts after them.
            rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    except OSError as error:
        raise OntologyLoadError(f"{path}: cannot read the reference table: {error.strerror}") from None
    missing = [column for column in needed if rows and column not in rows[0]]
    if not rows or missing:
        raise OntologyLoadError(f"{path}: not a reference table (missing {', '.join(missing) or 'rows'})")
    return rows


def check(
    path: Path | None = None,
    *,
    queries: Path | None = None,
    references: Path | None = None,
    previous: Path | None = None,
) -> Report:
    """Load an ontology file and check it.

    Args:
        path: the file to check; default: the edit file. Release artifacts work too.
        queries: the folder of ``*-violation.rq`` files; default: the bundled queries.
        references: the folder of the reference tables; default: ``ontology/reference/``.
        previous: the previous release (any artifact with the asserted axioms); when given,
            the ``deleted-id`` and ``reused-id`` rules compare the file with it.

    Raises:
        OntologyLoadError: the file or a reference table cannot be read.
        QueryError: a violation query is malformed.
    """
    path = path or edit_file()
    before = load_graph(previous) if previous is not None else None
    report = check_graph(load_graph(path), queries=queries, references=references, previous=before)
    return Report(report.violations, source=str(path))


def check_graph(
    graph: Graph,
    *,
    queries: Path | None = None,
    references: Path | None = None,
    previous: Graph | None = None,
) -> Report:
    """Check a graph against every violation query and Python rule (and the previous release, if given).

    >>> from rdflib import Graph
    >>> g = Graph().parse(data="<https://w3id.org/haironto/HAIRONTO_1> a <urn:x> .", format="turtle")
    >>> [(v.rule, v.subject) for v in check_graph(g).violations]
    [('malformed-id', 'https://w3id.org/haironto/HAIRONTO_1')]
    """
    tables = ReferenceTables.load(references)
    # pyoxigraph runs the queries: on a 23,500-triple ontology the whole check took 31 s with
    # rdflib's SPARQL engine (UNION and FILTER NOT EXISTS over every triple), 1.2 s with pyoxigraph.
    store = ox.Store()
    store.extend(to_quads(graph))
    violations: list[Violation] = []
    for query in load_catalogue(queries).values():
        if query.role == "violation":
            violations.extend(_run_violation_query(graph, store, query))
    violations.extend(_check_xrefs(graph, tables))
    violations.extend(_check_relations(graph, tables))
    if previous is not None:
        for problem in history_problems(graph, previous):
            violations.append(
                _python_violation(graph, problem.rule, problem.term, None, Literal(problem.detail))
            )
    return Report(tuple(sorted(set(violations), key=Violation.sort_key)))


def _run_violation_query(graph: Graph, store: ox.Store, query: Query) -> Iterator[Violation]:
    rule = query.name.removesuffix("-violation")
    try:
        solutions = store.query(query.text)
    except SyntaxError as error:
        raise QueryError(f"{query.path or query.name}: {error}") from None
    if not isinstance(solutions, ox.QuerySolutions) or "entity" not in [v.value for v in solutions.variables]:
        raise QueryError(
            f"{query.path or query.name}: a violation query must SELECT ?entity ?property ?value"
        )
    for solution in solutions:
        cells = [solution[name] for name in ("entity", "property", "value")]
        entity, prop, value = (None if cell is None else from_oxigraph(cell) for cell in cells)
        yield Violation(
            level=query.level,
            rule=rule,
            subject=_display(graph, entity),
            property=_display(graph, prop),
            value=_display(graph, value),
        )


def _check_xrefs(graph: Graph, tables: ReferenceTables) -> Iterator[Violation]:
    for predicate in (*MAPPING_PREDICATES, DBXREF):
        for subject, target in graph.subject_objects(predicate):
            # oboInOwl:hasDbXref values are usually CURIE strings, the skos mappings IRIs.
            iri = expand(str(target)) if isinstance(target, Literal) else str(target)
            rows = tables.xrefs.get(iri or "", {})
            verified = {p for p, ok in rows.items() if ok}
            if not rows:
                rule = "xref-unknown"
            elif predicate == DBXREF:
                rule = "" if verified else "xref-unverified"
            elif str(predicate) in verified:
                rule = ""
            elif verified and str(predicate) not in rows:
                rule = "xref-predicate-mismatch"
            else:
                rule = "xref-unverified"
            if rule:
                yield _python_violation(graph, rule, subject, predicate, target)


def _check_relations(graph: Graph, tables: ReferenceTables) -> Iterator[Violation]:
    used = {node for triple in graph for node in triple if isinstance(node, URIRef)}
    for iri in sorted(used):
        if str(iri).startswith(RELATION_NAMESPACES):
            verified = tables.relations.get(str(iri))
            if verified is None:
                yield _python_violation(graph, "relation-unknown", iri)
            elif not verified:
                yield _python_violation(graph, "relation-unverified", iri)


def _python_violation(
    graph: Graph, rule: str, subject: Node, prop: Node | None = None, value: Node | None = None
) -> Violation:
    return Violation(
        PYTHON_RULES[rule][0], rule, _display(graph, subject), _display(graph, prop), _display(graph, value)
    )


def _display(graph: Graph, node: Node | None) -> str:
    """A cell of the report: a CURIE, a literal's text, or the named entity a blank node belongs to."""
    if node is None:
        return ""
    if isinstance(node, BNode):
        node = _named_owner(graph, node)
    if isinstance(node, URIRef):
        # A malformed HairOnto IRI is shown whole: as a CURIE it would look like a real ID.
        if str(node).startswith(BASE) and not TERM_ID.match(str(node)[len(BASE) :]):
            return str(node)
        return _DISPLAY.compress(str(node)) or str(node)
    if isinstance(node, Literal):
        return f"{node}@{node.language}" if node.language else str(node)
    kind = graph.value(node, RDF.type)
    return f"anonymous {_display(graph, kind)}" if kind else "anonymous node"


def _named_owner(graph: Graph, node: BNode) -> Node:
    """The named entity whose axiom a blank node is part of, or the node itself if it has none.

    Walks up the triples that point at the node (a restriction inside an intersection
    inside an equivalence ...); an axiom annotation belongs to its ``owl:annotatedSource``.
    """
    seen: set[Node] = set()
    todo: list[Node] = [node]
    while todo:
        current = todo.pop(0)
        if isinstance(current, URIRef):
            return current
        if current in seen:
            continue
        seen.add(current)
        source = graph.value(current, OWL.annotatedSource)
        if source is not None:
            todo.append(source)
        todo.extend(sorted(graph.subjects(None, current)))
    return node


def _one_line(text: str) -> str:
    return " ".join(text.split("\t")).replace("\n", " ")
