"""Justifications: the minimal sets of axioms that make an ontology inconsistent or a class unsatisfiable.

Computed by Pellet's own explanation service (``com.clarkparsia.owlapi.explanation.PelletExplanation``:
glass-box tracing inside Pellet's tableau, then Reiter's hitting-set tree for further
justifications), the code behind ``pellet explain`` and Protege's Pellet explanations. The jars
are the Pellet 2.3.1 and OWL API 3.4.3 that owlready2 ships (the same Pellet as
``haironto reason --reasoner pellet``); JPype drives them in-process.

Measured on the real ontology with exosome declared a subclass of cell (both justifications,
JVM start-up excluded): Pellet 0.4 s; the OWL API's black-box generator
(``BlackBoxExplanation`` with ``HSTExplanationGenerator``) over HermiT 1.3.8 1.6 s, and the
black-box generator finds nothing for an inconsistent ontology (owl:Thing is in no axiom's
signature, so it never leaves the first expansion step) where Pellet explains it in 0.3 s.

Why a child process: a JVM started by JPype lives as long as the Python process and keeps the
class path it started with. :mod:`haironto.owlapi` starts one with the OWL API 5 of Debian, whose
classes clash with Pellet's OWL API 3, so each explanation runs in ``python -m haironto.explain``,
which also makes it killable at a deadline (with the JVM inside it).

Each axiom of a justification comes back in OWL functional syntax (with IRIs) and as RDF (the
OWL API's own mapping, as Turtle), which is rendered here with :mod:`haironto.manchester` and
the labels of the ontology: "exosome SubClassOf extracellular vesicle".
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import owlready2
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from haironto.axioms import CHARACTERISTICS, DECLARATION_TYPES, LOGICAL_PREDICATES
from haironto.errors import ReasonerError
from haironto.manchester import Renderer, plain
from haironto.writers import NTriplesWriter

#: Justifications computed per problem (an unsatisfiable class, or the inconsistency) at most.
MAX_JUSTIFICATIONS = 5
#: Unsatisfiable classes explained at most, in IRI order; the report says when more were left out.
MAX_CLASSES = 20
#: Seconds an explanation run may take, JVM start included, before it is killed.
DEFAULT_TIMEOUT = 120.0
#: The JVM's heap for Pellet (owlready2 gives its reasoners 2000 MB).
JVM_HEAP = "-Xmx1g"

INCONSISTENCY = "inconsistency"

_OWLREADY = Path(owlready2.__file__).resolve().parent
_NAMESPACES = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")


def pellet_jars() -> list[Path]:
    """The jars of the Pellet that owlready2 ships (Pellet, its OWL API 3, Jena ...)."""
    return sorted((_OWLREADY / "pellet").glob("*.jar"))


@cache
def pellet_version() -> str:
    """Pellet's version, from its jar's name.

    >>> pellet_version()
    '2.3.1'
    """
    for jar in pellet_jars():
        found = re.fullmatch(r"pellet-(\d[\d.]*)\.jar", jar.name)
        if found:
            return found.group(1)
    return "unknown"


@cache
def hermit_version() -> str:
    """HermiT's version, from the manifest of the jar owlready2 ships.

    >>> hermit_version().startswith("1.")
    True
    """
    try:
        with zipfile.ZipFile(_OWLREADY / "hermit" / "HermiT.jar") as jar:
            manifest = jar.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return "unknown"
    found = re.search(r"^Implementation-Version:\s*(\S+)", manifest, re.MULTILINE)
    return found.group(1) if found else "unknown"


@dataclass(frozen=True)
class Axiom:
    """One axiom of a justification."""

    text: str
    """A Manchester-like line with labels: ``exosome SubClassOf extracellular vesicle``."""
    functional: str
    """OWL 2 functional syntax with full IRIs, as the OWL API writes it."""
    entities: tuple[tuple[str, str], ...] = ()
    """The named entities the axiom mentions, as ``(IRI, label)`` pairs sorted by IRI."""


@dataclass(frozen=True)
class Explanation:
    """Why one thing is wrong: the justifications found for it."""

    target: str
    """:data:`INCONSISTENCY`, or the IRI of an unsatisfiable class."""
    label: str
    """The class's label (empty for the inconsistency or a class without one)."""
    justifications: tuple[tuple[Axiom, ...], ...]
    """Minimal sets of axioms, each enough on its own; smallest first."""

    def to_text(self) -> str:
        """Lines for a terminal.

        >>> axiom = Axiom("exosome SubClassOf cell", "SubClassOf(<urn:e> <urn:c>)")
        >>> print(Explanation("urn:e", "exosome", ((axiom,),)).to_text())
          why exosome <urn:e> is unsatisfiable:
            justification 1 of 1:
              exosome SubClassOf cell
        """
        what = (
            "why the ontology is inconsistent"
            if self.target == INCONSISTENCY
            else f"why {self.label + ' ' if self.label else ''}<{self.target}> is unsatisfiable"
        )
        lines = [f"  {what}:"]
        if not self.justifications:
            lines.append("    (no justification found)")
        for index, justification in enumerate(self.justifications, 1):
            lines.append(f"    justification {index} of {len(self.justifications)}:")
            lines += [f"      {axiom.text}" for axiom in justification]
        return "\n".join(lines)


def label_of(graph: Graph, iri: str) -> str:
    """An entity's English label in ``graph`` (any label if none is English); empty when it has none."""
    labels = list(graph.objects(URIRef(iri), RDFS.label))
    english = sorted(str(label) for label in labels if getattr(label, "language", None) == "en")
    chosen = english or sorted(str(label) for label in labels)
    return chosen[0] if chosen else ""


def explain(
    graph: Graph,
    *,
    inconsistent: bool,
    unsatisfiable: Sequence[str] = (),
    max_justifications: int = MAX_JUSTIFICATIONS,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[Explanation]:
    """Explain an inconsistency, or each unsatisfiable class, with Pellet's justifications.

    Args:
        graph: the ontology (its imports already merged in: nothing is fetched).
        inconsistent: explain the inconsistency (the classes are then not explained: in an
            inconsistent ontology every class is unsatisfiable).
        unsatisfiable: IRIs of the unsatisfiable classes to explain (at most :data:`MAX_CLASSES`).
        max_justifications: justifications per problem, at most.
        timeout: seconds before the run is killed.

    Returns:
        One explanation per problem, in the order asked.

    Raises:
        ReasonerError: no Java, Pellet failed, or the run passed ``timeout``.
    """
    from haironto.reason import find_java

    targets = [INCONSISTENCY] if inconsistent else sorted(unsatisfiable)[:MAX_CLASSES]
    if not targets:
        return []
    java = Path(find_java()).resolve()
    request = {
        "ntriples": NTriplesWriter().dumps(graph),
        "targets": targets,
        "max": max_justifications,
        "java_home": str(java.parent.parent),
    }
    answer = run_child([sys.executable, "-m", "haironto.explain"], json.dumps(request).encode(), timeout)
    if "error" in answer:
        raise ReasonerError(f"Pellet's explanation failed: {answer['error']}")
    label = labels_in(graph)
    return [
        Explanation(
            target=item["target"],
            label="" if item["target"] == INCONSISTENCY else label(item["target"]),
            justifications=_sorted_justifications(
                tuple(_axiom(raw, label) for raw in justification) for justification in item["justifications"]
            ),
        )
        for item in answer["explanations"]
    ]


def labels_in(graph: Graph) -> Callable[[str], str]:
    """A cached labeller for the entities of ``graph``."""
    return cache(lambda iri: label_of(graph, iri))


def _sorted_justifications(justifications: Iterable[tuple[Axiom, ...]]) -> tuple[tuple[Axiom, ...], ...]:
    ordered = [tuple(sorted(set(j), key=lambda a: (a.text, a.functional))) for j in justifications]
    return tuple(sorted(set(ordered), key=lambda j: (len(j), [a.text for a in j])))


#: Set in the environment of a reasoning job (see haironto.reasoning): helpers then stay in the
#: job's process group, which is killed as a whole at the job's deadline.
IN_JOB = "HAIRONTO_REASONING_JOB"


def run_child(
    command: list[str],
    data: bytes,
    timeout: float,
    *,
    env: dict[str, str] | None = None,
    own_group: bool | None = None,
) -> dict[str, Any]:
    """Run a helper process, feed it ``data``, read one JSON object back from its stdout.

    Args:
        command: the helper's command line.
        data: its standard input.
        timeout: seconds before it is killed.
        env: variables added to this process's environment.
        own_group: start it in a session of its own and kill the whole group (the helper and the
            JVM or reasoner it started) at the deadline; by default unless this process is a
            reasoning job, whose own group is killed as a whole.

    Raises:
        ReasonerTimeout: the helper ran past ``timeout`` and was killed.
        ReasonerError: it died, or printed no JSON.
    """
    if own_group is None:
        own_group = os.environ.get(IN_JOB) != "1"
    environment = {**os.environ, **(env or {})}
    package_root = str(Path(__file__).resolve().parents[1])
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, environment.get("PYTHONPATH")]))
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=own_group,
        env=environment,
    )
    try:
        out, err = process.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(process, own_group)
        raise ReasonerTimeout(f"stopped after {timeout:g} s") from None
    except BaseException:
        kill(process, own_group)
        raise
    try:
        return json.loads(out.decode("utf-8"))
    except ValueError:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ReasonerError(
            f"the helper process ended with code {process.returncode}: {' / '.join(tail) or 'no output'}"
        ) from None


class ReasonerTimeout(ReasonerError):
    """A reasoning or explanation run passed its time limit and was killed."""


def kill(process: subprocess.Popen, group: bool = True) -> None:
    """Kill a helper (with its whole group when it leads one: the JVMs it started), then reap it."""
    try:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


# -- rendering -------------------------------------------------------------------------------------


def _axiom(raw: dict[str, Any], label: Callable[[str], str]) -> Axiom:
    graph = Graph().parse(data=raw["turtle"], format="turtle")
    entities = tuple(sorted((iri, label(iri)) for iri in raw["signature"] if not iri.startswith(_NAMESPACES)))
    text = axiom_text(graph, lambda iri: label(iri) or _short(iri)) or raw["functional"]
    return Axiom(text=text, functional=raw["functional"], entities=entities)


def _short(iri: str) -> str:
    from haironto.axioms import compress

    return compress(iri)


def axiom_text(graph: Graph, label: Callable[[str], str]) -> str:
    """Render the one axiom held in ``graph`` (its RDF mapping) as a Manchester-like line.

    >>> g = Graph().parse(format="turtle", data='''
    ...     @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ...     [] a owl:AllDisjointClasses ; owl:members ( <urn:cell> <urn:vesicle> ) .''')
    >>> axiom_text(g, {"urn:cell": "cell", "urn:vesicle": "extracellular vesicle"}.__getitem__)
    'DisjointClasses: cell, extracellular vesicle'
    """
    renderer = Renderer(graph, label)
    nested = {o for o in graph.objects() if isinstance(o, BNode)}
    lines = []
    for s, p, o in sorted(graph, key=lambda t: (t[1], t[0], t[2])):
        if isinstance(s, BNode) and s in nested:
            continue  # part of a class expression or list rendered from above
        if p == RDF.type and o in (OWL.AllDisjointClasses, OWL.AllDifferent, OWL.AllDisjointProperties):
            members = graph.value(s, OWL.members) or graph.value(s, OWL.distinctMembers)
            keyword = {
                OWL.AllDisjointClasses: "DisjointClasses",
                OWL.AllDifferent: "DifferentIndividuals",
                OWL.AllDisjointProperties: "DisjointProperties",
            }[o]
            items = list(Collection(graph, members)) if members is not None else []
            lines.append(f"{keyword}: {plain(renderer.render_list(items))}")
            continue
        if p == RDF.type and (o in DECLARATION_TYPES or o in (OWL.Restriction, OWL.Axiom)):
            continue
        if isinstance(s, BNode) and p not in LOGICAL_PREDICATES:
            continue  # the structure of an anonymous subject (a GCI's class expression)
        subject = plain(renderer.render(s))
        if p == RDF.type and o in CHARACTERISTICS:
            lines.append(f"{subject} Characteristics: {o.fragment.removesuffix('Property')}")
        elif p == RDF.type:
            lines.append(f"{subject} Type {plain(renderer.render(o))}")
        elif p in LOGICAL_PREDICATES:
            obj = (
                renderer.render_list(renderer.members(o))
                if p == OWL.propertyChainAxiom
                else renderer.render(o)
            )
            keyword = "SubPropertyChain" if p == OWL.propertyChainAxiom else LOGICAL_PREDICATES[p]
            lines.append(f"{subject} {keyword} {plain(obj)}")
        else:
            lines.append(f"{subject} {plain(renderer.render(p))} {plain(renderer.render(o))}")
    return "; ".join(lines)


# -- the child process -----------------------------------------------------------------------------


def _child() -> None:  # pragma: no cover - runs in the helper process, exercised through explain()
    """Read a request on stdin, start Pellet on a JVM, write the justifications as JSON on stdout."""
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # whatever Java prints goes to stderr
    try:
        answer = _owl_xml_in_jvm(request) if "--owl-xml" in sys.argv else _explain_in_jvm(request)
    except Exception as error:  # Java exceptions surface as JException subclasses
        answer = {"error": f"{type(error).__name__}: {error}".splitlines()[0]}
    replies.write(json.dumps(answer))
    replies.flush()


def _start_jvm(java_home: str) -> None:  # pragma: no cover - see _child
    import jpype
    import jpype.imports  # noqa: F401  (enables ``from org... import``)

    libjvm = Path(java_home) / "lib" / "server" / "libjvm.so"
    jvm = str(libjvm) if libjvm.is_file() else jpype.getDefaultJVMPath()
    jpype.startJVM(jvm, JVM_HEAP, classpath=[str(jar) for jar in pellet_jars()], convertStrings=False)


def _owl_xml_in_jvm(request: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover - see _child
    """Convert OWL/XML to Turtle with the OWL API; its imports are taken out first, never fetched."""
    import base64
    import xml.etree.ElementTree as ElementTree

    owl = "{http://www.w3.org/2002/07/owl#}"
    try:
        root = ElementTree.fromstring(base64.b64decode(request["owlxml"]))
    except ElementTree.ParseError as error:
        return {"error": f"not well-formed XML: {error}"}
    if root.tag != f"{owl}Ontology":
        return {"error": f"the root element is {root.tag}, not owl:Ontology"}
    imports = [element.text.strip() for element in root.findall(f"{owl}Import") if element.text]
    for element in root.findall(f"{owl}Import"):
        root.remove(element)
    _start_jvm(request["java_home"])
    from org.coode.owlapi.turtle import TurtleOntologyFormat  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.apibinding import OWLManager  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.io import (  # type: ignore[import-not-found]
        StringDocumentSource,
        StringDocumentTarget,
    )

    manager = OWLManager.createOWLOntologyManager()
    ontology = manager.loadOntologyFromOntologyDocument(
        StringDocumentSource(ElementTree.tostring(root, encoding="unicode"))
    )
    target = StringDocumentTarget()
    manager.saveOntology(ontology, TurtleOntologyFormat(), target)
    iri = ontology.getOntologyID().getOntologyIRI()
    return {
        "turtle": str(target.toString()),
        "imports": imports,
        "ontology": str(iri.toString()) if iri is not None else None,
    }


def _explain_in_jvm(request: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover - see _child
    _start_jvm(request["java_home"])
    from com.clarkparsia.owlapi.explanation import PelletExplanation  # type: ignore[import-not-found]
    from com.clarkparsia.pellet.owlapiv3 import PelletReasonerFactory  # type: ignore[import-not-found]
    from org.coode.owlapi.turtle import TurtleOntologyFormat  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.apibinding import OWLManager  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.io import (  # type: ignore[import-not-found]
        StringDocumentSource,
        StringDocumentTarget,
    )
    from org.semanticweb.owlapi.model import IRI  # type: ignore[import-not-found]

    manager = OWLManager.createOWLOntologyManager()
    ontology = manager.loadOntologyFromOntologyDocument(StringDocumentSource(request["ntriples"]))
    PelletExplanation.setup()
    reasoner = PelletReasonerFactory.getInstance().createNonBufferingReasoner(ontology)
    explainer = PelletExplanation(reasoner)
    factory = manager.getOWLDataFactory()
    rendered: dict[Any, dict[str, Any]] = {}

    def render(axiom: Any) -> dict[str, Any]:
        axiom = axiom.getAxiomWithoutAnnotations()
        if axiom not in rendered:
            single = OWLManager.createOWLOntologyManager()
            holder = single.createOntology()
            single.addAxiom(holder, axiom)
            target = StringDocumentTarget()
            single.saveOntology(holder, TurtleOntologyFormat(), target)
            rendered[axiom] = {
                "functional": str(axiom.toString()),
                "turtle": str(target.toString()),
                "signature": sorted(str(e.getIRI().toString()) for e in axiom.getSignature()),
            }
        return rendered[axiom]

    explanations = []
    for target in request["targets"]:
        if target == INCONSISTENCY:
            found = explainer.getInconsistencyExplanations(int(request["max"]))
        else:
            found = explainer.getUnsatisfiableExplanations(
                factory.getOWLClass(IRI.create(target)), int(request["max"])
            )
        explanations.append(
            {"target": target, "justifications": [[render(axiom) for axiom in j] for j in found]}
        )
    return {"explanations": explanations}


if __name__ == "__main__":
    _child()
