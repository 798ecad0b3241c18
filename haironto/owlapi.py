"""The OWL API (Java) from Python, through JPype: syntactic-locality modules and the OWL 2 DL profile checker.

Module extraction and profile checking are the OWL API's own code, the code ROBOT's ``extract``
and ``validate-profile`` call (``SyntacticLocalityModuleExtractor`` with ``ModuleType``
STAR/BOT/TOP; ``OWL2DLProfile``), not a re-implementation. The jars come from Debian's
``libowlapi-java`` (OWL API 5.1.20) in ``/usr/share/java`` (``HAIRONTO_JAVA_LIBS`` overrides the
folder); JPype (PyPI ``JPype1``, the ``owlapi`` extra) starts the JVM inside this process, once,
on first use.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from haironto.errors import HairOntoError
from haironto.reason import find_java
from haironto.writers import RdfXmlWriter

#: The jars the OWL API needs from Debian's libowlapi-java and its dependencies (no versions: the
#: unversioned names are Debian's symlinks). slf4j-nop silences the OWL API's logging.
JARS = (
    "owlapi-distribution",
    "guava",
    "caffeine",
    "commons-io",
    "commons-codec",
    "commons-rdf-api",
    "hppcrt",
    "jsr305",
    "atinject-jsr330-api",
    "xz",
    "slf4j-api",
    "slf4j-nop",
    "rdf4j-model",
    "rdf4j-model-api",
    "rdf4j-model-vocabulary",
    "rdf4j-rio-api",
    "rdf4j-rio-datatypes",
    "rdf4j-rio-languages",
    "rdf4j-util",
)
OWLAPI_MISSING = (
    "the OWL API is not installed: apt-get install libowlapi-java (Debian), "
    "or set HAIRONTO_JAVA_LIBS to a folder holding its jars"
)
JPYPE_MISSING = "JPype is not installed: pip install 'haironto[owlapi]'"

#: Module types by the name the CLI uses (ROBOT's names).
MODULE_TYPES = ("star", "bot", "top")


class OwlApiError(HairOntoError):
    """The OWL API cannot be started (no JPype, no jars, no Java) or failed on an ontology."""


def java_libs() -> Path:
    """The folder holding the OWL API's jars."""
    return Path(os.environ.get("HAIRONTO_JAVA_LIBS", "/usr/share/java"))


def classpath() -> list[str]:
    """The jar files, checked to exist.

    Raises:
        OwlApiError: a jar is missing; the message says how to install the OWL API.
    """
    folder = java_libs()
    jars = [folder / f"{name}.jar" for name in JARS]
    missing = [jar.name for jar in jars if not jar.is_file()]
    if missing:
        raise OwlApiError(f"{OWLAPI_MISSING} (missing in {folder}: {', '.join(missing)})")
    return [str(jar) for jar in jars]


def _jvm() -> Any:
    """Start the JVM with the OWL API on its class path (once per process) and return ``jpype``."""
    try:
        import jpype
        import jpype.imports  # noqa: F401  (enables ``from org... import``)
    except ImportError:
        raise OwlApiError(JPYPE_MISSING) from None
    if not jpype.isJVMStarted():
        jars = classpath()
        java = Path(find_java()).resolve()
        # libjvm sits under the Java home: <home>/lib/server/libjvm.so (Java 9+).
        candidates = [java.parent.parent / "lib" / "server" / "libjvm.so"]
        jvm = next((str(c) for c in candidates if c.is_file()), None) or jpype.getDefaultJVMPath()
        jpype.startJVM(jvm, classpath=jars, convertStrings=False)
    return jpype


def _load(graph: Graph) -> tuple[Any, Any]:
    """Load a graph into a fresh OWL API manager; return (manager, ontology)."""
    _jvm()
    from org.semanticweb.owlapi.apibinding import OWLManager  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.io import StringDocumentSource  # type: ignore[import-not-found]

    manager = OWLManager.createOWLOntologyManager()
    try:
        ontology = manager.loadOntologyFromOntologyDocument(StringDocumentSource(RdfXmlWriter().dumps(graph)))
    except Exception as error:  # Java exceptions surface as JException subclasses
        raise OwlApiError(f"the OWL API cannot read the ontology: {error}") from None
    return manager, ontology


@dataclass(frozen=True)
class ProfileViolation:
    """One violation of the OWL 2 DL profile found by the OWL API."""

    kind: str
    """The OWL API's violation class, e.g. ``UseOfReservedVocabularyForClassIRI``."""
    message: str
    """The OWL API's description, naming the axiom."""


def dl_profile_violations(graph: Graph) -> list[ProfileViolation]:
    """Check a graph against the OWL 2 DL profile with the OWL API's ``OWL2DLProfile``.

    Returns:
        The violations, sorted; empty when the ontology is in OWL 2 DL.

    Raises:
        OwlApiError: the OWL API is missing or cannot read the graph.
    """
    _, ontology = _load(graph)
    from org.semanticweb.owlapi.profiles import OWL2DLProfile  # type: ignore[import-not-found]

    report = OWL2DLProfile().checkOntology(ontology)
    found = {ProfileViolation(str(v.getClass().getSimpleName()), str(v)) for v in report.getViolations()}
    return sorted(found, key=lambda v: (v.kind, v.message))


def locality_module(graph: Graph, seeds: Iterable[URIRef], module_type: str, module_iri: str) -> Graph:
    """Extract a syntactic-locality module with the OWL API, as ROBOT's ``extract`` does.

    Args:
        graph: the source ontology.
        seeds: the seed signature: classes, properties or individuals of the graph.
        module_type: ``star`` (fixpoint of BOT and TOP, the smallest), ``bot`` or ``top``.
        module_iri: the IRI the OWL API gives the module (the caller rewrites the header).

    Returns:
        The module's axioms (and the annotations of its entities) as RDF.

    Raises:
        OwlApiError: the OWL API is missing or fails.
    """
    if module_type not in MODULE_TYPES:
        raise OwlApiError(f"unknown module type {module_type!r}; choose one of {', '.join(MODULE_TYPES)}")
    jpype = _jvm()
    manager, ontology = _load(graph)
    from java.io import ByteArrayOutputStream  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.formats import RDFXMLDocumentFormat  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.model import IRI  # type: ignore[import-not-found]
    from uk.ac.manchester.cs.owlapi.modularity import (  # type: ignore[import-not-found]
        ModuleType,
        SyntacticLocalityModuleExtractor,
    )

    factory = manager.getOWLDataFactory()
    signature = jpype.JClass("java.util.HashSet")()
    for seed in seeds:
        signature.add(_entity(graph, factory, IRI.create(str(seed)), seed))
    kind = {"star": ModuleType.STAR, "bot": ModuleType.BOT, "top": ModuleType.TOP}[module_type]
    axioms = SyntacticLocalityModuleExtractor(manager, ontology, kind).extract(signature)
    module = manager.createOntology(axioms, IRI.create(module_iri))
    buffer = ByteArrayOutputStream()
    manager.saveOntology(module, RDFXMLDocumentFormat(), buffer)
    return Graph().parse(data=str(buffer.toString("UTF-8")), format="xml")


def _entity(graph: Graph, factory: Any, iri: Any, seed: URIRef) -> Any:
    kinds = set(graph.objects(seed, RDF.type))
    if OWL.ObjectProperty in kinds:
        return factory.getOWLObjectProperty(iri)
    if OWL.DatatypeProperty in kinds:
        return factory.getOWLDataProperty(iri)
    if OWL.AnnotationProperty in kinds:
        return factory.getOWLAnnotationProperty(iri)
    if OWL.NamedIndividual in kinds and OWL.Class not in kinds:
        return factory.getOWLNamedIndividual(iri)
    return factory.getOWLClass(iri)
