"""``haironto build``: parse, check, reason, then write every release artifact in every format.

The order is the ODK's: a QC error or a reasoner problem stops the build before anything
is written, so the release folder never holds a half-built release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from haironto import __version__, docs, mappings
from haironto.artifacts import ARTIFACTS, EXPORT_FORMATS, artifact_graph, release_date
from haironto.check import Report, check_graph
from haironto.entailment import write_closures
from haironto.errors import HairOntoError
from haironto.load import load_graph
from haironto.reason import ReasonerReport, reason
from haironto.reasoning import report_json
from haironto.resources import SERVICE_DIR, edit_file, ontology_dir
from haironto.writers import WRITERS

#: The reasoner whose inferences go into the full release (the ODK's default, too).
BUILD_REASONER = "hermit"
#: The reasoning report of the release (served at /reason/haironto) and its QC report (at /qc),
#: in ``ontology/service/``.
REASONING_FILE = "haironto-reasoning.json"
QC_FILE = "haironto-qc.json"


@dataclass(frozen=True)
class BuildResult:
    """What a build did, step by step."""

    qc: Report
    """The QC report on the source."""
    reasoning: ReasonerReport | None = None
    """The reasoner's report; None when QC errors stopped the build first."""
    files: tuple[Path, ...] = ()
    """The files written; empty when the build stopped."""

    @property
    def ok(self) -> bool:
        """True when every step passed and the artifacts were written."""
        return bool(self.files)

    def to_text(self) -> str:
        """The build log: QC summary and rows, reasoner report, files written."""
        lines = [f"QC: {self.qc.summary()}"]
        if self.qc.violations:
            lines.append(self.qc.to_tsv().rstrip("\n"))
        if self.qc.fails("ERROR"):
            return "\n".join([*lines, "build stopped: QC errors"])
        if self.reasoning is not None:
            lines.append(self.reasoning.to_text())
            if not self.reasoning.ok:
                return "\n".join(
                    [*lines, "build stopped: the ontology is inconsistent or has unsatisfiable classes"]
                )
        if self.files:
            lines.append(f"wrote {len(self.files)} files to {self.files[0].parent}:")
            lines += [f"  {path.relative_to(self.files[0].parent).as_posix()}" for path in self.files]
        return "\n".join(lines)


def build(
    edit: Path | None = None,
    output: Path | None = None,
    *,
    version: str = __version__,
    previous: Path | None = None,
) -> BuildResult:
    """Build the release artifacts from the edit file.

    Args:
        edit: the ontology source; default: ``ontology/haironto-edit.ttl``.
        output: the folder to write to; default: ``ontology/``.
        version: the CalVer package version stamped into the headers.
        previous: an artifact of the previous release; when given, QC also fails on IDs the
            source deleted or reused (see :func:`haironto.deprecation.history_problems`).

    Returns:
        The result; ``result.ok`` is False when QC errors or the reasoner stopped the build.

    Raises:
        OntologyLoadError: the source cannot be read.
        ReasonerError: the reasoner cannot run (no Java).
        HairOntoError: the version is not a date, or the output folder cannot be written.
    """
    # A bad version or output folder fails before the slow steps, not after.
    release_date(version)
    output = _writable_folder(output or ontology_dir())
    asserted = load_graph(edit or edit_file())
    qc = check_graph(asserted, previous=load_graph(previous) if previous is not None else None)
    if qc.fails("ERROR"):
        return BuildResult(qc)
    reasoning = reason(asserted, BUILD_REASONER, explain_problems=True)
    if not reasoning.ok:
        return BuildResult(qc, reasoning)
    files = write_release(asserted, reasoning.inferred_graph(), output, version)
    files += write_service_files(asserted, reasoning, qc, output / SERVICE_DIR, version)
    return BuildResult(qc, reasoning, tuple(files))


def write_service_files(
    asserted: Graph, reasoning: ReasonerReport, qc: Report, folder: Path, version: str
) -> list[Path]:
    """Write what the service derives from the release, once per release rather than per start:
    the RDFS and OWL 2 RL closures of the primary artifact (``haironto-rdfs.ttl``,
    ``haironto-owl-rl.ttl``), the reasoning report served at ``/reason/haironto``
    (``haironto-reasoning.json``) and the QC report served at ``/qc`` (``haironto-qc.json``).

    Nothing in them depends on the machine or the clock (no timings, no Java version), so a
    rebuild gives the same bytes.

    Raises:
        HairOntoError: the folder cannot be written, or a closure finds a contradiction.
    """
    primary = ARTIFACTS[-1]
    _writable_folder(folder)
    release_iri = str(primary.version_iri(version))
    try:
        written = write_closures(
            artifact_graph(asserted, reasoning.inferred_graph(), primary, version), folder
        )
        report = {"release": release_iri, **report_json(reasoning, runtime=False)}
        written.append(_dump_json(report, folder / REASONING_FILE))
        base_iri = str(ARTIFACTS[0].version_iri(version))
        written.append(
            _dump_json(json.loads(Report(qc.violations, source=base_iri).to_json()), folder / QC_FILE)
        )
    except OSError as error:
        raise HairOntoError(f"cannot write the service files to {folder}: {error.strerror}") from None
    return written


def _dump_json(data: object, path: Path) -> Path:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    return path


def write_release(asserted: Graph, inferred: Graph, output: Path, version: str) -> list[Path]:
    """Write every artifact of :data:`~haironto.artifacts.ARTIFACTS` in every export format, then
    the mapping set (SSSOM TSV) and the HTML documentation of the primary artifact.

    Args:
        asserted: the source's axioms.
        inferred: the inferred axioms for the ``full`` artifacts.
        output: the folder to write to; created if missing.
        version: the CalVer package version stamped into the headers.

    Returns:
        The paths written: artifacts in build then format order, the mapping set, the documentation.

    Raises:
        HairOntoError: the folder cannot be created or written.
    """
    written = []
    _writable_folder(output)
    try:
        for artifact in ARTIFACTS:
            graph = artifact_graph(asserted, inferred, artifact, version)
            for suffix in EXPORT_FORMATS:
                written.append(WRITERS[suffix].dump(graph, output / f"{artifact.name}.{suffix}"))
        # The primary artifact (the last one) is what the mapping set and the documentation describe.
        version_iri = str(ARTIFACTS[-1].version_iri(version))
        written.append(mappings.dump(graph, output / mappings.MAPPINGS_FILE, version_iri))
        written.append(docs.dump(graph, output / docs.DOC_DIR))
    except OSError as error:
        raise HairOntoError(f"cannot write the release to {output}: {error.strerror}") from None
    return written


def _writable_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HairOntoError(f"cannot write the release to {folder}: {error.strerror}") from None
    return folder
