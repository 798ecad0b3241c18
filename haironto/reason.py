"""Consistency, unsatisfiable classes and inferred subclass axioms, by HermiT or Pellet on a real JVM.

The reasoners come with owlready2. Each run gets a fresh :class:`owlready2.World` and an
N-Triples copy of the graph in a temporary folder: N-Triples, because owlready2's RDF/XML
reader drops the trailing ``/`` of every IRI (measured: ``dcterms:license <.../by/4.0/>``
came back as ``<.../by/4.0>``), while its N-Triples reader gives back exactly what it was given.

When the ontology is inconsistent the reasoners say only that; :func:`reason` then names
the offenders itself: it reasons over the TBox alone (individuals removed) to list the
unsatisfiable classes, and either names the individuals asserted to be of such a class or
searches the individuals for a smallest set that makes the TBox inconsistent.

Asked to (``explain=True``), it adds the justifications of each problem: the minimal sets of
axioms that cause it, computed by Pellet's explanation service (see :mod:`haironto.explain`).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import owlready2
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from haironto.errors import ReasonerError
from haironto.explain import MAX_JUSTIFICATIONS, Explanation, explain, label_of
from haironto.writers import NTriplesWriter

JAVA_MISSING = (
    "no Java runtime found: HermiT and Pellet run on the JVM; "
    "install one (apt-get install default-jre-headless) or set JAVA_HOME"
)

#: owlready2's reasoner entry points, by the name the CLI uses.
REASONERS: dict[str, Callable[..., None]] = {
    "hermit": owlready2.sync_reasoner_hermit,
    "pellet": owlready2.sync_reasoner_pellet,
}
REASONER_NAMES = {"hermit": "HermiT", "pellet": "Pellet"}

# Where owlready2 puts what a reasoner infers (its own spelling).
_INFERENCES_ONTOLOGY = "http://inferrences/"


@dataclass(frozen=True, order=True)
class Entity:
    """A named entity in a report: its IRI and English label."""

    iri: str
    """The full IRI."""
    label: str = ""
    """The ``rdfs:label`` (English preferred); empty when it has none."""

    def __str__(self) -> str:
        return f"{self.label} <{self.iri}>" if self.label else f"<{self.iri}>"


@dataclass(frozen=True)
class ReasonerReport:
    """What one reasoner found in one ontology."""

    reasoner: str
    """``hermit`` or ``pellet``."""
    consistent: bool
    """False when the ontology has no model (for example an individual of two disjoint classes)."""
    unsatisfiable: tuple[Entity, ...] = ()
    """Named classes that can have no instances (equivalent to ``owl:Nothing``)."""
    inferred_subclasses: tuple[tuple[Entity, Entity], ...] = ()
    """Direct ``(subclass, superclass)`` pairs between named classes that the source does not assert."""
    offending_individuals: tuple[Entity, ...] = ()
    """On an inconsistent ontology: individuals that make it inconsistent."""
    explanations: tuple[Explanation, ...] = ()
    """When asked for: the justifications of the inconsistency, or of each unsatisfiable class."""
    elapsed: float = field(default=0.0, compare=False)
    """Wall-clock seconds, Java start-up included (explanations included)."""

    @property
    def ok(self) -> bool:
        """True when the ontology is consistent and every named class is satisfiable."""
        return self.consistent and not self.unsatisfiable

    def inferred_graph(self) -> Graph:
        """The inferred subclass axioms as ``rdfs:subClassOf`` triples.

        >>> report = ReasonerReport("hermit", True, inferred_subclasses=((Entity("urn:a"), Entity("urn:b")),))
        >>> [t.n3() for t in next(iter(report.inferred_graph()))]
        ['<urn:a>', '<http://www.w3.org/2000/01/rdf-schema#subClassOf>', '<urn:b>']
        """
        graph = Graph()
        for sub, sup in self.inferred_subclasses:
            graph.add((URIRef(sub.iri), RDFS.subClassOf, URIRef(sup.iri)))
        return graph

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary, with ``ok`` added."""
        return {**asdict(self), "ok": self.ok}

    def to_text(self) -> str:
        """A few lines for a terminal, every entity by label with its IRI.

        >>> print(ReasonerReport("hermit", True, unsatisfiable=(Entity("urn:x", "exosome"),)).to_text())
        HermiT: consistent, 1 unsatisfiable class, 0 inferred subclass axioms (0.0 s)
          unsatisfiable: exosome <urn:x>
        """
        name = REASONER_NAMES.get(self.reasoner, self.reasoner)
        state = "consistent" if self.consistent else "INCONSISTENT"
        unsat = len(self.unsatisfiable)
        lines = [
            f"{name}: {state}, {unsat} unsatisfiable class{'es' if unsat != 1 else ''}, "
            f"{len(self.inferred_subclasses)} inferred subclass axioms ({self.elapsed:.1f} s)"
        ]
        lines += [f"  unsatisfiable: {entity}" for entity in self.unsatisfiable]
        lines += [f"  offending individual: {entity}" for entity in self.offending_individuals]
        lines += [f"  inferred: {sub} SubClassOf {sup}" for sub, sup in self.inferred_subclasses]
        lines += [explanation.to_text() for explanation in self.explanations]
        return "\n".join(lines)


def find_java() -> str:
    """Return the ``java`` executable: ``$JAVA_HOME/bin/java`` when set, else ``java`` on the PATH.

    Raises:
        ReasonerError: neither exists; the message says how to install one.

    >>> Path(find_java()).name in ("java", "java.exe")
    True
    """
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / ("java.exe" if os.name == "nt" else "java")
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("java")
    if found:
        return found
    raise ReasonerError(JAVA_MISSING)


def reason(
    graph: Graph,
    reasoner: str = "hermit",
    *,
    explain_problems: bool = False,
    max_justifications: int = MAX_JUSTIFICATIONS,
) -> ReasonerReport:
    """Run a reasoner over a graph.

    Args:
        graph: the ontology, asserted axioms only.
        reasoner: ``hermit`` or ``pellet``.
        explain_problems: add the justifications of the inconsistency or of each unsatisfiable
            class (Pellet's explanation service; one more JVM run, only when there is a problem).
        max_justifications: justifications per problem, at most.

    Returns:
        The report; on an inconsistent ontology it names the unsatisfiable classes of the
        TBox and the individuals that cause the clash.

    Raises:
        ReasonerError: no Java, an unknown reasoner, or the reasoner failed on the JVM.

    >>> graph = Graph().parse(format="turtle", data='''
    ...     @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ...     @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...     <urn:plant> a owl:Class ; rdfs:label "plant"@en .
    ...     <urn:animal> a owl:Class ; owl:disjointWith <urn:plant> .
    ...     <urn:tree> a owl:Class ; rdfs:subClassOf <urn:plant> , <urn:animal> ; rdfs:label "tree"@en .
    ... ''')
    >>> report = reason(graph, "hermit")
    >>> report.consistent, [str(entity) for entity in report.unsatisfiable]
    (True, ['tree <urn:tree>'])
    """
    if reasoner not in REASONERS:
        raise ReasonerError(f"unknown reasoner {reasoner!r}; choose one of {', '.join(REASONERS)}")
    owlready2.JAVA_EXE = find_java()
    start = time.perf_counter()
    inferred = _classify(graph, reasoner)
    if inferred is not None:
        unsat = _unsatisfiable(inferred)
        subclasses = _inferred_subclasses(inferred, unsat)
        explanations = ()
        if explain_problems and unsat:
            found = explain(
                graph,
                inconsistent=False,
                unsatisfiable=[str(c) for c in unsat],
                max_justifications=max_justifications,
            )
            explanations = tuple(found)
        return ReasonerReport(
            reasoner=reasoner,
            consistent=True,
            unsatisfiable=tuple(sorted(_entity(graph, iri) for iri in unsat)),
            inferred_subclasses=tuple(
                sorted((_entity(graph, sub), _entity(graph, sup)) for sub, sup in subclasses)
            ),
            explanations=explanations,
            elapsed=time.perf_counter() - start,
        )
    unsat, offenders = _explain_inconsistency(graph, reasoner)
    explanations = ()
    if explain_problems:
        explanations = tuple(explain(graph, inconsistent=True, max_justifications=max_justifications))
    return ReasonerReport(
        reasoner=reasoner,
        consistent=False,
        unsatisfiable=tuple(sorted(_entity(graph, iri) for iri in unsat)),
        offending_individuals=tuple(sorted(_entity(graph, iri) for iri in offenders)),
        explanations=explanations,
        elapsed=time.perf_counter() - start,
    )


def reason_all(graph: Graph, reasoners: Iterable[str], **options: object) -> list[ReasonerReport]:
    """Run several reasoners over one graph, one report each (``options`` as for :func:`reason`)."""
    return [reason(graph, name, **options) for name in reasoners]  # type: ignore[arg-type]


def _classify(graph: Graph, reasoner: str) -> Graph | None:
    """Return what the reasoner adds to the graph, or None when the graph is inconsistent."""
    with tempfile.TemporaryDirectory(prefix="haironto-reason-") as folder:
        source = NTriplesWriter().dump(graph, Path(folder) / "ontology.nt")
        world = owlready2.World()
        try:
            # owlready2 warns about Python-side naming (duplicate names, MRO); none of it matters here.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", owlready2.OwlReadyWarning)
                world.get_ontology(source.as_uri()).load()
                REASONERS[reasoner](world, debug=0)
            buffer = io.BytesIO()
            world.get_ontology(_INFERENCES_ONTOLOGY).save(buffer, format="ntriples")
        except owlready2.OwlReadyInconsistentOntologyError:
            return None
        except owlready2.OwlReadyJavaError as error:
            raise ReasonerError(_java_failure(reasoner, str(error))) from None
        except owlready2.OwlReadyOntologyParsingError as error:
            raise ReasonerError(f"owlready2 cannot read the ontology: {error}") from None
        finally:
            world.close()
    return Graph().parse(data=buffer.getvalue().decode("utf-8"), format="nt")


def _java_failure(reasoner: str, message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    detail = next(
        (line for line in lines if "Exception" in line or "Error" in line), lines[-1] if lines else ""
    )
    hint = ""
    if "UnsupportedClassVersionError" in detail:
        hint = " (this Java is older than the reasoner's jars need; install a newer one or set JAVA_HOME)"
    return f"{REASONER_NAMES[reasoner]} failed on the JVM: {detail}{hint}"


def _unsatisfiable(inferred: Graph) -> set[URIRef]:
    unsat = set()
    for a, b in inferred.subject_objects(OWL.equivalentClass):
        if b == OWL.Nothing and isinstance(a, URIRef):
            unsat.add(a)
        elif a == OWL.Nothing and isinstance(b, URIRef):
            unsat.add(b)
    unsat.discard(OWL.Nothing)
    return unsat


def _inferred_subclasses(inferred: Graph, unsat: set[URIRef]) -> set[tuple[URIRef, URIRef]]:
    # owlready2 records only parents the world did not already hold, and the reasoners
    # report direct parents only, so what is left are direct, non-asserted axioms.
    return {
        (sub, sup)
        for sub, sup in inferred.subject_objects(RDFS.subClassOf)
        if isinstance(sub, URIRef)
        and isinstance(sup, URIRef)
        and sup != OWL.Thing
        and sub not in unsat
        and not str(sub).startswith(str(OWL))
    }


def _individuals(graph: Graph) -> list[URIRef]:
    classes = set(graph.subjects(RDF.type, OWL.Class))
    individuals = set(graph.subjects(RDF.type, OWL.NamedIndividual))
    individuals |= {s for s, o in graph.subject_objects(RDF.type) if o in classes}
    return sorted(i for i in individuals if isinstance(i, URIRef))


def _abox_triples(graph: Graph, individual: URIRef) -> set[tuple]:
    """The triples about an individual, with the blank nodes they lead to (negative assertions ...)."""
    triples: set[tuple] = set()
    todo = [individual]
    while todo:
        node = todo.pop()
        for triple in graph.triples((node, None, None)):
            if triple not in triples:
                triples.add(triple)
                if isinstance(triple[2], BNode):
                    todo.append(triple[2])
    return triples


def _explain_inconsistency(graph: Graph, reasoner: str) -> tuple[set[URIRef], list[URIRef]]:
    """Name what makes the graph inconsistent: TBox-unsatisfiable classes and offending individuals."""
    individuals = _individuals(graph)
    abox = {individual: _abox_triples(graph, individual) for individual in individuals}
    tbox = Graph()
    removed = set().union(*abox.values())
    for triple in graph:
        if triple not in removed:
            tbox.add(triple)
    tbox_inferred = _classify(tbox, reasoner)
    if tbox_inferred is None:
        # The classes alone have no model (for example owl:Thing made empty); no individual is to blame.
        return set(), []
    unsat = _unsatisfiable(tbox_inferred)
    typed_unsat = [i for i in individuals if set(graph.objects(i, RDF.type)) & unsat]
    if typed_unsat:
        return unsat, typed_unsat

    def consistent(chosen: Sequence[URIRef]) -> bool:
        trial = Graph()
        for triple in tbox:
            trial.add(triple)
        for individual in chosen:
            for triple in abox[individual]:
                trial.add(triple)
        return _classify(trial, reasoner) is not None

    return unsat, _smallest_conflict(individuals, [], consistent)


def _smallest_conflict(
    candidates: Sequence[URIRef], background: Sequence[URIRef], consistent: Callable[[Sequence], bool]
) -> list[URIRef]:
    """Shrink ``candidates`` to a smallest subset that is inconsistent together with ``background``.

    Divide and conquer (QuickXplain): one reasoner run per halving, so an offender among
    n individuals costs about 2 log2(n) runs rather than n.
    """
    if len(candidates) <= 1:
        return list(candidates)
    half = len(candidates) // 2
    left, right = candidates[:half], candidates[half:]
    if not consistent([*background, *left]):
        return _smallest_conflict(left, background, consistent)
    if not consistent([*background, *right]):
        return _smallest_conflict(right, background, consistent)
    # The clash needs individuals from both halves.
    from_left = _smallest_conflict(left, [*background, *right], consistent)
    from_right = _smallest_conflict(right, [*background, *from_left], consistent)
    return from_left + from_right


def _entity(graph: Graph, iri: URIRef) -> Entity:
    return Entity(str(iri), label_of(graph, str(iri)))
