"""Paths and IRIs shared by the tests."""

from __future__ import annotations

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
DATA_DIR = TESTS_DIR / "data"
REPO_ROOT = TESTS_DIR.parent
SHARED_DIR = REPO_ROOT.parent / "shared"

MINI = DATA_DIR / "mini.ttl"

#: Terms of tests/data/mini.ttl that tests refer to.
FIXTURE = "https://w3id.org/haironto/HAIRONTO_"
CELL = FIXTURE + "9000002"
STEM_CELL = FIXTURE + "9000003"
NANOFAT = FIXTURE + "9000006"

#: A query whose work grows as the fourth power of the data: it outlives any test timeout.
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
