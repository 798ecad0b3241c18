"""``haironto mappings``: the ontology's external mappings as an SSSOM TSV mapping set.

One row per mapping triple of a HairOnto term (``skos:exactMatch``, ``skos:closeMatch``,
``skos:broadMatch`` ..., ``oboInOwl:hasDbXref``), with the predicate the ontology states (a
closeMatch stays a closeMatch). Labels of the external terms and their source come from the
verified reference table the mappings were taken from (``ontology/reference/xrefs.sssom.tsv``);
nothing is invented: no author, no confidence, no date. Every mapping was curated by hand
against that table, hence ``semapv:ManualMappingCuration``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from haironto.artifacts import ontology_iri
from haironto.check import _read_tsv
from haironto.diff import MAPPING_PREDICATES, english, terms
from haironto.namespaces import BASE, PREFIX_MAP, compress
from haironto.resources import ontology_dir
from haironto.writers import TURTLE_PREFIXES

#: The file name of the mapping set among the release artifacts.
MAPPINGS_FILE = "haironto-mappings.sssom.tsv"
JUSTIFICATION = "semapv:ManualMappingCuration"
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "object_source",
)
#: Prefixes the mapping set declares besides the ontology's own (SSSOM needs each CURIE's prefix).
EXTRA_PREFIXES = {
    "skos": TURTLE_PREFIXES["skos"],
    "semapv": "https://w3id.org/semapv/vocab/",
    "obo": "http://purl.obolibrary.org/obo/",
}


@dataclass(frozen=True, order=True)
class Mapping:
    """One row of the mapping set."""

    subject_id: str
    """The HairOnto term's CURIE."""
    predicate_id: str
    """The mapping predicate's CURIE, as the ontology states it."""
    object_id: str
    """The external term's CURIE."""
    subject_label: str = ""
    """The HairOnto term's English label."""
    object_label: str = ""
    """The external term's label, from the verified reference table."""
    object_source: str = ""
    """The external ontology, from the reference table (e.g. ``obo:cl.owl``)."""


def mappings(graph: Graph, references: Path | None = None) -> list[Mapping]:
    """The mapping rows of an ontology, sorted.

    Args:
        graph: the ontology.
        references: the folder of ``xrefs.sssom.tsv``; default: ``ontology/reference/``.
    """
    table = {}
    for row in _read_tsv((references or ontology_dir() / "reference") / "xrefs.sssom.tsv", ("object_id",)):
        if row.get("verified") == "yes":
            table.setdefault(row["object_id"], row)
    rows = []
    for term in terms(graph):
        for predicate in MAPPING_PREDICATES:
            for target in graph.objects(term, predicate):
                object_id = compress(str(target))
                known = table.get(object_id, {})
                rows.append(
                    Mapping(
                        subject_id=compress(str(term)),
                        predicate_id=_curie(predicate),
                        object_id=object_id,
                        subject_label=english(graph, term, RDFS.label),
                        object_label=known.get("object_label", ""),
                        object_source=known.get("object_source", ""),
                    )
                )
    return sorted(rows)


def dumps(graph: Graph, version_iri: str = "", references: Path | None = None) -> str:
    """The mapping set as SSSOM TSV: YAML metadata in ``#`` lines, then the table.

    Args:
        graph: the ontology; its ``dcterms:license`` becomes the set's license.
        version_iri: the release's version IRI; the set's ID is the file's IRI beside it.
        references: the folder of the reference table.
    """
    rows = mappings(graph, references)
    used = {row.object_id.split(":", 1)[0] for row in rows} | {"HAIRONTO"}
    prefixes = {prefix: PREFIX_MAP[prefix] for prefix in sorted(used) if prefix in PREFIX_MAP}
    prefixes.update(EXTRA_PREFIXES)
    header = ontology_iri(graph) if _has_header(graph) else None
    license_iri = graph.value(header, DCTERMS.license) if header is not None else None
    release_folder = version_iri.rsplit("/", 1)[0] + "/" if version_iri else BASE
    lines = ["# curie_map:"]
    lines += [f"#   {prefix}: {prefixes[prefix]}" for prefix in sorted(prefixes, key=str.lower)]
    lines += [
        f"# mapping_set_id: {release_folder}{MAPPINGS_FILE}",
        "# mapping_set_title: HairOnto mappings to external ontologies",
        "# mapping_set_description: The skos mappings and database cross-references of HairOnto terms, "
        "each taken with its predicate from a verified row of the project's reference table.",
    ]
    if version_iri:
        lines.append(f"# mapping_set_version: {version_iri.rstrip('/').split('/')[-2]}")
    if license_iri is not None:
        lines.append(f"# license: {license_iri}")
    if header is not None:
        lines.append(f"# subject_source: {header}")
    if version_iri:
        lines.append(f"# subject_source_version: {version_iri}")
    lines.append("\t".join(COLUMNS))
    for row in rows:
        cells = {**row.__dict__, "mapping_justification": JUSTIFICATION}
        lines.append("\t".join(cells[column] for column in COLUMNS))
    return "\n".join(lines) + "\n"


def dump(graph: Graph, path: Path, version_iri: str = "", references: Path | None = None) -> Path:
    """Write :func:`dumps` to a file and return its path."""
    path.write_text(dumps(graph, version_iri, references), encoding="utf-8", newline="\n")
    return path


def _curie(predicate: URIRef) -> str:
    for prefix, namespace in (("skos", EXTRA_PREFIXES["skos"]), ("oboInOwl", PREFIX_MAP["oboInOwl"])):
        if str(predicate).startswith(namespace):
            return f"{prefix}:{str(predicate)[len(namespace) :]}"
    return str(predicate)


def _has_header(graph: Graph) -> bool:
    return len(set(graph.subjects(RDF.type, OWL.Ontology))) == 1
