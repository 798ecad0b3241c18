"""HairOnto's identifiers as plain strings: its namespace, its ID prefix and the CURIE prefix map.

Apart from :mod:`haironto.namespaces`, which makes rdflib terms of them and re-exports them, so that
code that needs only the strings (the store loader behind ``haironto load``) starts without rdflib.
"""

from __future__ import annotations

BASE = "https://w3id.org/haironto/"
PREFIX = "HAIRONTO"

#: CURIE prefixes used by the ontology and its cross-references (OBO Foundry and Bioregistry spellings).
PREFIX_MAP: dict[str, str] = {
    PREFIX: BASE + "HAIRONTO_",
    "BFO": "http://purl.obolibrary.org/obo/BFO_",
    "RO": "http://purl.obolibrary.org/obo/RO_",
    "IAO": "http://purl.obolibrary.org/obo/IAO_",
    "OMO": "http://purl.obolibrary.org/obo/OMO_",
    "CL": "http://purl.obolibrary.org/obo/CL_",
    "UBERON": "http://purl.obolibrary.org/obo/UBERON_",
    "GO": "http://purl.obolibrary.org/obo/GO_",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "ECO": "http://purl.obolibrary.org/obo/ECO_",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "PR": "http://purl.obolibrary.org/obo/PR_",
    "MAXO": "http://purl.obolibrary.org/obo/MAXO_",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "NCBITaxon": "http://purl.obolibrary.org/obo/NCBITaxon_",
    "HGNC": "http://identifiers.org/hgnc/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
}
