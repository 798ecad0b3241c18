"""Paths and IRIs shared by the tests."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

TESTS_DIR = Path(__file__).resolve().parent
DATA_DIR = TESTS_DIR / "data"
REPO_ROOT = TESTS_DIR.parent
SHARED_DIR = REPO_ROOT.parent / "shared"

MINI = DATA_DIR / "mini.ttl"
#: Edge cases for term pages (obsolete term, markup in labels, property, individual, negated claim),
#: loaded together with mini.ttl.
TERMS_EDGE = DATA_DIR / "terms-edge.ttl"
W3ID_HTACCESS = REPO_ROOT / "w3id" / ".htaccess"

# Terms of tests/data/mini.ttl.
HAIRONTO_ = "https://w3id.org/haironto/HAIRONTO_"
TREATMENT = URIRef(HAIRONTO_ + "9000001")
CELL = URIRef(HAIRONTO_ + "9000002")
STEM_CELL = URIRef(HAIRONTO_ + "9000003")
EXOSOME = URIRef(HAIRONTO_ + "9000004")
STEM_CELL_RICH_TREATMENT = URIRef(HAIRONTO_ + "9000005")
NANOFAT = URIRef(HAIRONTO_ + "9000006")
PRP = URIRef(HAIRONTO_ + "9000007")
NANOFAT_CLAIM = URIRef(HAIRONTO_ + "9001001")
# Terms of tests/data/terms-edge.ttl.
OBSOLETE = URIRef(HAIRONTO_ + "9000008")
SCRIPT_LABEL = URIRef(HAIRONTO_ + "9000009")
CULTURED = URIRef(HAIRONTO_ + "9000010")
EVIDENCE = URIRef(HAIRONTO_ + "9000011")
MOUSE = URIRef(HAIRONTO_ + "9000012")
MADE_BY = URIRef(HAIRONTO_ + "9000501")
MAKES = URIRef(HAIRONTO_ + "9000502")
LABORATORY = URIRef(HAIRONTO_ + "9000701")
NEGATED_CLAIM = URIRef(HAIRONTO_ + "9001002")
HAS_COMPONENT = URIRef("http://purl.obolibrary.org/obo/RO_0002180")

#: A query whose work grows as the fourth power of the data: it outlives any test timeout.
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
