"""Reasoning over a user's ontology (which may import HairOnto) as a job: parse, resolve imports, reason, explain.

This is what ``POST /reason`` runs, and what ``haironto build`` runs on the release for
``/reason/haironto``. A job runs in a process of its own (``python -m haironto.reasoning``) in a
session of its own, so that at the deadline the job, the JVM of its reasoner and that of its
explanation are killed together (:func:`run_isolated`). :class:`JobSlots` bounds how many jobs run
at once across every process of a server (file locks), so reasoning cannot take every worker.

Imports are never fetched: an ``owl:imports`` of a HairOnto ontology IRI
(``https://w3id.org/haironto/haironto.owl``, ``haironto-base.owl`` ...) or of a version IRI of a
published release (``https://w3id.org/haironto/releases/YYYY-MM-DD/haironto.owl``) is resolved to
the bundled file; any other import is refused (:class:`ImportRefusedError`).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from haironto.errors import HairOntoError, ReasonerError
from haironto.explain import (
    IN_JOB,
    MAX_JUSTIFICATIONS,
    ReasonerTimeout,
    hermit_version,
    pellet_version,
    run_child,
)
from haironto.namespaces import BASE
from haironto.reason import REASONER_NAMES, REASONERS, ReasonerReport, find_java, reason

#: Media types a job accepts, with the rdflib parser of each (OWL/XML goes through the OWL API).
MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/owl+xml": "owlxml",
}
#: The report's name for each outcome.
CONSISTENT, INCONSISTENT, UNSATISFIABLE, TIMED_OUT, BUSY, INVALID = (
    "consistent",
    "inconsistent",
    "unsatisfiable classes",
    "timed out",
    "busy",
    "invalid",
)
_RELEASE_IRI = re.compile(re.escape(BASE) + r"releases/(\d{4}-\d{2}-\d{2})/([A-Za-z0-9.-]+)$")


class DocumentError(HairOntoError):
    """The ontology sent for reasoning cannot be read: wrong media type, or a parser error."""


class ImportRefusedError(DocumentError):
    """An ``owl:imports`` that is not HairOnto: nothing is fetched from the network."""


# -- reading the document --------------------------------------------------------------------------


def parse_document(data: bytes, media_type: str) -> Graph:
    """Parse an ontology document of one of :data:`MEDIA_TYPES`.

    Raises:
        DocumentError: an unknown media type, bytes that are not UTF-8, a JSON-LD context that
            would be fetched, or the parser's own message.

    >>> len(parse_document(b"<urn:a> a <urn:B> .", "text/turtle"))
    1
    >>> parse_document(b"<urn:a> a", "text/turtle")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    haironto.reasoning.DocumentError: the text/turtle document does not parse: ...
    """
    parser = MEDIA_TYPES.get(media_type)
    if parser is None:
        raise DocumentError(f"cannot read {media_type!r}; send one of: {', '.join(MEDIA_TYPES)}")
    if parser in ("xml", "owlxml"):
        check_xml(data)
    if parser == "owlxml":
        return _parse_owl_xml(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentError(f"the document is not UTF-8: {error}") from None
    if parser == "json-ld":
        _refuse_remote_contexts(text)
    try:
        return Graph().parse(data=text, format=parser, publicID="urn:haironto:document")
    except Exception as error:  # rdflib's parsers raise many unrelated types
        message = " ".join(str(error).split()) or type(error).__name__
        raise DocumentError(f"the {media_type} document does not parse: {message}") from None


#: How many characters an XML document may expand to (text and attribute values, every entity
#: replaced): this many times its own size, and at least :data:`XML_EXPANSION_FLOOR`.
XML_EXPANSION = 10
XML_EXPANSION_FLOOR = 1 << 20
_ENTITY_REFERENCE = re.compile(r"&[^#\s;]+;")


def check_xml(data: bytes) -> None:
    """Refuse XML that would make a parser read files or the network, or multiply entities.

    RDF/XML and OWL/XML may declare entities in their DTD (Protege writes
    ``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``), so entities as such are allowed; what is
    refused is an external entity (``SYSTEM`` or ``PUBLIC``: a file or URL to read), an entity
    defined through other entities (the nesting behind "billion laughs"), and a document whose
    text expands past :data:`XML_EXPANSION` times its size (one big entity used many times).
    expat, which rdflib's RDF/XML parser runs on, reads no external entity and stops billion
    laughs past 8 MiB of output; but rdflib gathers text one expat callback at a time, so even
    those 8 MiB in three-byte pieces kept a job busy for minutes. This pass runs expat alone,
    with no work per piece beyond a count, before any parser sees the document.

    Raises:
        DocumentError: one of the above (XML that is not well-formed is left to its parser).

    >>> check_xml(b'<!DOCTYPE r [<!ENTITY owl "http://www.w3.org/2002/07/owl#">]><r a="&owl;Class"/>')
    >>> check_xml(b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')
    Traceback (most recent call last):
    ...
    haironto.reasoning.DocumentError: the XML declares the external entity 'x' (file:///etc/passwd); nothing is read from files or the network: inline its value
    """
    import pyexpat

    budget = max(XML_EXPANSION_FLOOR, XML_EXPANSION * len(data))
    used = 0

    def spend(size: int) -> None:
        nonlocal used
        used += size
        if used > budget:
            raise DocumentError(
                f"the XML expands past {budget} characters once its entities are replaced "
                f"({XML_EXPANSION} times its size); refused as an entity bomb"
            )

    def entity(
        name: str, _parameter: int, value: str | None, _base: Any, system: Any, public: Any, _n: Any
    ) -> None:
        if system is not None or public is not None:
            raise DocumentError(
                f"the XML declares the external entity {name!r} ({system or public}); nothing is read "
                "from files or the network: inline its value"
            )
        if value and _ENTITY_REFERENCE.search(value):
            raise DocumentError(
                f"the XML entity {name!r} is defined through other entities; refused (entity expansion attack)"
            )

    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = entity
    parser.CharacterDataHandler = lambda text: spend(len(text))
    parser.StartElementHandler = lambda _name, attributes: spend(sum(map(len, attributes.values())))
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError:
        # Not well-formed: the document's own parser fails at the same place, and says so in the
        # words every other format's error uses. Everything before that place was checked above.
        return


def _refuse_remote_contexts(text: str) -> None:
    """rdflib's JSON-LD parser would fetch a context given by URL: refuse those before parsing."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise DocumentError(f"the application/ld+json document does not parse: {error}") from None

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import") and _names_a_url(value):
                    raise DocumentError(
                        "the JSON-LD document refers to a remote @context; nothing is fetched "
                        "from the network: inline the context"
                    )
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)


def _names_a_url(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return any(isinstance(item, str) for item in value)
    return False


def _parse_owl_xml(data: bytes) -> Graph:
    """OWL/XML through the OWL API 3 that ships with Pellet, in a child process (see haironto.explain)."""
    answer = run_child(
        [sys.executable, "-m", "haironto.explain", "--owl-xml"],
        json.dumps({"owlxml": base64.b64encode(data).decode("ascii"), "java_home": _java_home()}).encode(),
        60.0,
    )
    if "error" in answer:
        raise DocumentError(f"the application/owl+xml document does not parse: {answer['error']}")
    graph = Graph().parse(data=answer["turtle"], format="turtle")
    for iri in answer["imports"]:
        graph.add((URIRef(answer["ontology"] or "urn:haironto:document"), OWL.imports, URIRef(iri)))
    return graph


def _java_home() -> str:
    return str(Path(find_java()).resolve().parent.parent)


# -- imports -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedImport:
    """An ``owl:imports`` and the bundled file it was resolved to."""

    iri: str
    """The imported IRI, as the document gives it."""
    file: str
    """The bundled file read instead: ``haironto.ttl`` or ``releases/2026-11-25/haironto.ttl``."""


def resolve_imports(graph: Graph) -> tuple[Graph, list[ResolvedImport]]:
    """Merge the HairOnto ontologies a graph imports into it; drop every ``owl:imports``.

    Raises:
        ImportRefusedError: an import that is not a HairOnto ontology or version IRI.
    """
    merged = Graph()
    for triple in graph:
        merged.add(triple)
    resolved: list[ResolvedImport] = []
    todo = sorted({o for o in graph.objects(None, OWL.imports)})
    seen: set[str] = set()
    while todo:
        iri = str(todo.pop(0))
        if iri in seen:
            continue
        seen.add(iri)
        path, shown = _bundled_file(iri)
        imported = Graph().parse(path)
        resolved.append(ResolvedImport(iri, shown))
        for header in imported.subjects(RDF.type, OWL.Ontology):
            todo += sorted(imported.objects(header, OWL.imports))
            imported.remove((header, None, None))  # one ontology header: the user's
        for triple in imported:
            merged.add(triple)
    merged.remove((None, OWL.imports, None))  # nothing downstream may try to fetch them
    return merged, resolved


def _bundled_file(iri: str) -> tuple[Path, str]:
    from haironto.documents import document_names
    from haironto.releases import published_releases
    from haironto.resources import ontology_dir

    names = [name for name in document_names() if name.endswith((".owl", ".ttl", ".jsonld"))]
    refused = (
        f"owl:imports <{iri}> is refused: only HairOnto's ontology IRIs ({BASE}haironto.owl, "
        f"haironto-base.owl, haironto-full.owl) and the version IRIs of its releases are imported "
        "(from the bundled files); nothing is fetched from the network"
    )
    if iri.startswith(BASE) and iri[len(BASE) :] in names:
        name = iri[len(BASE) :]
        return ontology_dir() / _turtle(name), _turtle(name)
    found = _RELEASE_IRI.match(iri)
    if found and found.group(2) in names:
        date, name = found.groups()
        for release in published_releases():
            if release.date == date and (release.path / _turtle(name)).is_file():
                return release.path / _turtle(name), f"releases/{date}/{_turtle(name)}"
        dates = ", ".join(r.date for r in published_releases())
        raise ImportRefusedError(f"owl:imports <{iri}>: no release {date} is published (published: {dates})")
    raise ImportRefusedError(refused)


def _turtle(name: str) -> str:
    return name.rsplit(".", 1)[0] + ".ttl"


# -- the report --------------------------------------------------------------------------------------


@functools.cache
def java_version() -> str:
    """The version of the Java runtime the reasoners run on, as ``java -version`` prints it."""
    try:
        result = subprocess.run([find_java(), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired, ReasonerError):
        return "unknown"
    found = re.search(r'version "([^"]+)"', result.stderr)
    return found.group(1) if found else "unknown"


def reasoner_version(reasoner: str) -> str:
    """The version of HermiT or Pellet, from the jars owlready2 ships."""
    return hermit_version() if reasoner == "hermit" else pellet_version()


def report_json(
    report: ReasonerReport, imports: list[ResolvedImport] = (), *, runtime: bool = True
) -> dict[str, Any]:
    """A reasoner report as the JSON the service answers with.

    Args:
        report: the reasoner's report, explanations included.
        imports: the imports resolved to bundled files.
        runtime: add what varies from machine to machine and run to run (elapsed seconds, the
            versions of Java and owlready2); the committed report of the release leaves them out
            so that it is byte-stable.
    """
    status = CONSISTENT if report.ok else INCONSISTENT if not report.consistent else UNSATISFIABLE
    data: dict[str, Any] = {
        "status": status,
        "consistent": report.consistent,
        "unsatisfiable": [asdict(entity) for entity in report.unsatisfiable],
        "offending_individuals": [asdict(entity) for entity in report.offending_individuals],
        "explanations": [asdict(explanation) for explanation in report.explanations],
        "inferred_subclasses": [
            {"subclass": asdict(sub), "superclass": asdict(sup)} for sub, sup in report.inferred_subclasses
        ],
        "imports": [asdict(item) for item in imports],
        "reasoner": {"name": REASONER_NAMES[report.reasoner], "version": reasoner_version(report.reasoner)},
        "explainer": {"name": "Pellet (PelletExplanation)", "version": pellet_version()},
    }
    for explanation in data["explanations"]:
        for justification in explanation["justifications"]:
            for axiom in justification:
                axiom["entities"] = [{"iri": iri, "label": label} for iri, label in axiom["entities"]]
    if runtime:
        data["owlready2"] = importlib.metadata.version("owlready2")
        data["java"] = java_version()
        data["elapsed"] = round(report.elapsed, 3)
    return data


def run_job(
    data: bytes, media_type: str, *, reasoner: str = "hermit", max_justifications: int = MAX_JUSTIFICATIONS
) -> dict[str, Any]:
    """Parse, resolve imports, reason and explain, in this process; return the JSON report.

    Raises:
        DocumentError: the document cannot be read, or imports something other than HairOnto.
        ReasonerError: no Java, an unknown reasoner, or the reasoner failed.
    """
    if reasoner not in REASONERS:
        raise ReasonerError(f"unknown reasoner {reasoner!r}; choose one of {', '.join(REASONERS)}")
    graph, imports = resolve_imports(parse_document(data, media_type))
    report = reason(graph, reasoner, explain_problems=True, max_justifications=max_justifications)
    return report_json(report, imports)


def run_isolated(
    data: bytes,
    media_type: str,
    *,
    timeout: float,
    reasoner: str = "hermit",
    max_justifications: int = MAX_JUSTIFICATIONS,
) -> dict[str, Any]:
    """:func:`run_job` in a process of its own, killed with everything it started at ``timeout``.

    Raises:
        ReasonerTimeout: the job ran past ``timeout`` and was killed.
        DocumentError, ReasonerError: as :func:`run_job`.
    """
    request = {
        "data": base64.b64encode(data).decode("ascii"),
        "media_type": media_type,
        "reasoner": reasoner,
        "max_justifications": max_justifications,
    }
    start = time.monotonic()
    answer = run_child(
        [sys.executable, "-m", "haironto.reasoning"], json.dumps(request).encode(), timeout, env={IN_JOB: "1"}
    )
    if "error" in answer:
        kind = DocumentError if answer["error"] == "document" else ReasonerError
        raise kind(answer["message"])
    answer["elapsed"] = round(time.monotonic() - start, 3)
    return answer


def _child() -> None:  # pragma: no cover - runs in the job process, exercised through run_isolated()
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        answer = run_job(
            base64.b64decode(request["data"]),
            request["media_type"],
            reasoner=request["reasoner"],
            max_justifications=int(request["max_justifications"]),
        )
    except DocumentError as error:
        answer = {"error": "document", "message": str(error)}
    except HairOntoError as error:
        answer = {"error": "reasoner", "message": str(error)}
    replies.write(json.dumps(answer))
    replies.flush()


# -- how many jobs at once ---------------------------------------------------------------------------


class JobSlots:
    """At most ``count`` jobs at once among every process that shares ``folder`` (gunicorn's workers).

    Each slot is a file locked with ``flock`` while a job runs; the kernel releases the lock when
    its holder ends, so a killed worker never leaks a slot.

    >>> import tempfile
    >>> slots = JobSlots(Path(tempfile.mkdtemp()), 1)
    >>> with slots.take() as first, slots.take() as second:
    ...     first, second
    (True, False)
    """

    def __init__(self, folder: Path, count: int) -> None:
        if count < 1:
            raise HairOntoError(f"reasoning needs at least one job slot, got {count}")
        folder.mkdir(parents=True, exist_ok=True)
        self.count = count
        self._paths = [folder / f"slot-{index}.lock" for index in range(count)]

    @contextlib.contextmanager
    def take(self) -> Iterator[bool]:
        """Take a free slot for the ``with`` block; yields False (at once) when none is free."""
        for path in self._paths:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            try:
                yield True
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
                os.close(descriptor)
            return
        yield False


__all__ = [
    "BUSY",
    "INVALID",
    "MEDIA_TYPES",
    "TIMED_OUT",
    "DocumentError",
    "ImportRefusedError",
    "JobSlots",
    "ReasonerTimeout",
    "parse_document",
    "report_json",
    "resolve_imports",
    "run_isolated",
    "run_job",
]

if __name__ == "__main__":
    _child()
