"""Entailment regimes a query may choose: simple (none), RDFS, and OWL 2 RL; closures materialized once.

A regime other than simple entailment is served by materialization: the closure of the
release under the regime's rules is computed once (for the bundled release, by ``haironto
build``, as ``ontology/service/haironto-<regime>.ttl``; for other data, once when the service
starts), loaded as a dataset of its own, and a query that asks for the regime is evaluated
against that dataset. Nothing is inferred per request.

The closures are computed by owlrl (RDFLib's implementation of the RDFS rules and of the OWL 2
RL/RDF rules), without the axiomatic triples (``rdf:_1 a rdfs:ContainerMembershipProperty`` and
the like) that would add no answer about the ontology. owlrl reports a contradiction it finds
(an OWL RL rule whose conclusion is ``false``, e.g. an individual of two disjoint classes) not by
failing but by adding an error message to the graph (``[] a err:ErrorMessage ; err:error "..."``,
``err:`` = ``http://www.daml.org/2002/03/agents/agent-ont#``). They stay in the closure, where a
query finds them, and :func:`materialize` returns them too, so that the service says so in its
description and in a response header rather than hiding them; the build refuses a release whose
closure has any.

How these relate to the W3C regimes (https://www.w3.org/TR/sparql11-entailment/): ``rdfs`` is
named by ``http://www.w3.org/ns/entailment/RDFS``; ``owl-rl`` by
``http://www.w3.org/ns/entailment/OWL-RDF-Based`` with the OWL 2 RL profile
(``http://www.w3.org/ns/owl-profile/RL``): the OWL 2 RL/RDF rules are sound for the RDF-Based
Semantics and complete for ontologies in the RL profile. Answers are those of the materialized
closure, so the regimes' restrictions on answers (for example on blank nodes) are not applied.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from haironto.convert import to_oxigraph
from haironto.errors import HairOntoError, OntologyLoadError
from haironto.namespaces import BASE
from haironto.resources import service_dir
from haironto.writers import TurtleWriter

ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
OWL_PROFILE = Namespace("http://www.w3.org/ns/owl-profile/")
#: Where owlrl writes its inconsistency messages.
OWLRL_ERRORS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")


@dataclass(frozen=True)
class Regime:
    """An entailment regime a query may ask for."""

    name: str
    """What the ``entailment`` request parameter says: ``none``, ``rdfs`` or ``owl-rl``."""
    iri: str
    """The W3C entailment regime IRI."""
    title: str
    """One line for people."""
    profile: str | None = None
    """The OWL 2 profile IRI the regime is restricted to, if any."""

    @property
    def graph(self) -> URIRef | None:
        """The named graph holding the regime's closure; None for simple entailment.

        >>> REGIMES["owl-rl"].graph
        rdflib.term.URIRef('https://w3id.org/haironto/graph/entailed/owl-rl')
        """
        return None if self.name == NONE else URIRef(f"{BASE}graph/entailed/{self.name}")

    def closure_file(self, directory: Path | None = None) -> Path:
        """The file of the release's closure under this regime (``ontology/service/haironto-rdfs.ttl``).

        Args:
            directory: the folder of the service files; by default the bundled ``ontology/service/``.

        >>> REGIMES["rdfs"].closure_file(Path("/o")).as_posix()
        '/o/haironto-rdfs.ttl'
        """
        return (directory or service_dir()) / f"haironto-{self.name}.ttl"


NONE = "none"
#: The regimes, by request parameter value; ``none`` (simple entailment) is the default.
REGIMES: dict[str, Regime] = {
    regime.name: regime
    for regime in (
        Regime(NONE, str(ENTAILMENT.Simple), "simple entailment: the triples as stored"),
        Regime("rdfs", str(ENTAILMENT.RDFS), "RDFS entailment, materialized by owlrl's RDFS rules"),
        Regime(
            "owl-rl",
            str(ENTAILMENT["OWL-RDF-Based"]),
            "OWL 2 RDF-Based Semantics restricted to the OWL 2 RL profile, materialized by the "
            "OWL 2 RL/RDF rules (owlrl)",
            profile=str(OWL_PROFILE.RL),
        ),
    )
}
#: The regimes that need a closure, in the order the service offers them.
MATERIALIZED = tuple(name for name in REGIMES if name != NONE)


class UnknownRegimeError(HairOntoError):
    """A request names an entailment regime the service does not offer."""


def find_regime(name: str | None, offered: Iterable[str] = REGIMES) -> Regime:
    """The regime a request asks for; no name is simple entailment.

    Raises:
        UnknownRegimeError: the name is not one of ``offered``; the message lists them.

    >>> find_regime(None).iri
    'http://www.w3.org/ns/entailment/Simple'
    >>> find_regime("owl")
    Traceback (most recent call last):
    ...
    haironto.entailment.UnknownRegimeError: unknown entailment regime 'owl'; valid: none, rdfs, owl-rl
    """
    offered = list(offered)
    if name is None or name == NONE:
        return REGIMES[NONE]
    if name not in offered or name not in REGIMES:
        raise UnknownRegimeError(f"unknown entailment regime {name!r}; valid: {', '.join(offered)}")
    return REGIMES[name]


@dataclass(frozen=True)
class Closure:
    """A graph closed under a regime's rules."""

    regime: Regime
    """The regime."""
    graph: Graph
    """Every triple of the input plus every triple the rules entail (and owlrl's error messages)."""
    errors: tuple[str, ...]
    """owlrl's inconsistency messages, sorted; empty when the rules found no contradiction."""
    elapsed: float = 0.0
    """Seconds the materialization took."""


def materialize(graph: Graph, regime: Regime | str) -> Closure:
    """Close a copy of ``graph`` under a regime's rules with owlrl.

    >>> g = Graph().parse(format="turtle", data='''
    ...     @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...     <urn:exosome> rdfs:subClassOf <urn:vesicle> . <urn:x> a <urn:exosome> .''')
    >>> closure = materialize(g, "rdfs")
    >>> (URIRef("urn:x"), RDF.type, URIRef("urn:vesicle")) in closure.graph, closure.errors
    (True, ())
    """
    import owlrl

    chosen = REGIMES[regime] if isinstance(regime, str) else regime
    semantics = {"rdfs": owlrl.RDFS_Semantics, "owl-rl": owlrl.OWLRL_Semantics}.get(chosen.name)
    if semantics is None:
        raise UnknownRegimeError(f"regime {chosen.name!r} needs no materialization")
    closed = Graph()
    for triple in graph:
        closed.add(triple)
    start = time.perf_counter()
    owlrl.DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    elapsed = time.perf_counter() - start
    # The rules also derive generalized triples (a literal as subject), which RDF cannot hold.
    for triple in [t for t in closed if isinstance(t[0], Literal) or not isinstance(t[1], URIRef)]:
        closed.remove(triple)
    return Closure(chosen, closed, error_messages(closed), elapsed)


def error_messages(graph: Graph) -> tuple[str, ...]:
    """owlrl's inconsistency messages in a closure, sorted.

    >>> g = Graph().parse(format="turtle", data='''
    ...     @prefix err: <http://www.daml.org/2002/03/agents/agent-ont#> .
    ...     [] a err:ErrorMessage ; err:error "disjoint classes share x" .''')
    >>> error_messages(g)
    ('disjoint classes share x',)
    """
    messages = graph.subjects(RDF.type, OWLRL_ERRORS.ErrorMessage)
    return tuple(
        sorted(str(text) for message in messages for text in graph.objects(message, OWLRL_ERRORS.error))
    )


def write_closures(graph: Graph, folder: Path) -> list[Path]:
    """Write the closure of ``graph`` under every materialized regime, as canonical Turtle, to ``folder``.

    Raises:
        HairOntoError: the rules found a contradiction (the release would not be consistent).
        OSError: the folder cannot be written.
    """
    written = []
    for name in MATERIALIZED:
        closure = materialize(graph, name)
        if closure.errors:
            raise HairOntoError(
                f"the {name} closure of the release is inconsistent: {'; '.join(closure.errors)}"
            )
        written.append(TurtleWriter().dump(closure.graph, REGIMES[name].closure_file(folder)))
    return written


def closure_triples(source: Path | Graph) -> list[ox.Triple]:
    """A closure's triples for pyoxigraph, from its file or a graph; blank nodes get fresh labels.

    Fresh labels keep a closure's blank nodes apart from those of the asserted graph's file,
    which the canonical writer labels the same way (``_:c14n0`` ...).

    Raises:
        OntologyLoadError: the file is missing or does not parse.
    """
    if isinstance(source, Graph):
        return [ox.Triple(*map(to_oxigraph, triple)) for triple in source]
    try:
        quads = ox.parse(path=source, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
        return [quad.triple for quad in quads]
    except (SyntaxError, ValueError, OSError) as error:
        raise OntologyLoadError(f"{source}: {error}") from None


def regime_dataset(simple: bytes, regime: Regime, closure: list[ox.Triple]) -> bytes:
    """The dataset a query under ``regime`` is evaluated against, as N-Quads.

    Args:
        simple: the simple-entailment dataset (:func:`haironto.dataset.assemble`).
        regime: the regime.
        closure: the closure of the simple dataset's default graph under the regime.

    Returns:
        The simple dataset's named graphs unchanged, the closure as the named graph
        :attr:`Regime.graph`, and the closure as the default graph.
    """
    assert regime.graph is not None
    quads = [q for q in ox.parse(simple, format=ox.RdfFormat.N_QUADS) if q.graph_name != ox.DefaultGraph()]
    name = ox.NamedNode(str(regime.graph))
    for triple in closure:
        quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, name))
        quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph()))
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None
    return data
