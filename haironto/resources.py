"""Where the bundled ontology and queries live, in a wheel and in a source checkout alike."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(installed_name: str, source_name: str) -> Path:
    # A wheel carries the folder as package data inside haironto/; an editable
    # install or a plain checkout has it at the repository root.
    installed = _PACKAGE / installed_name
    return installed if installed.is_dir() else _PACKAGE.parent / source_name


def ontology_dir() -> Path:
    """The folder holding the ontology source and its release artifacts."""
    return _data_dir("ontology", "ontology")


def queries_dir() -> Path:
    """The folder holding the curated SPARQL queries (``*.rq``)."""
    return _data_dir("queries_data", "queries")


def edit_file() -> Path:
    """The hand-edited ontology source, the only ontology file a person edits."""
    return ontology_dir() / "haironto-edit.ttl"


def releases_dir() -> Path:
    """The folder of published releases, one ``YYYY-MM-DD`` folder each."""
    return _data_dir("releases_data", "releases")


#: The folder, inside ``ontology/``, of what ``haironto build`` derives for the service beside the
#: release files: the entailment closures, the reasoning report and the QC report.
SERVICE_DIR = "service"


def service_dir() -> Path:
    """The folder of the service files derived from the release (``ontology/service/``)."""
    return ontology_dir() / SERVICE_DIR
