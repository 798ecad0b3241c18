"""A seeded synthetic dataset around the fixture ontology's classes, of any size.

Treatments (subclasses of mini.ttl's "treatment") have cells (subclasses of "cell") as
components, and claims (mini.ttl's "claim") link a treatment to a cell class with a footnote,
as the real ontology's claims do. Used by the differential backend tests and by
``bench/engine_comparison.py``, so both measure the same shapes of data.
"""

from __future__ import annotations

import random

HAIRONTO = "https://w3id.org/haironto/HAIRONTO_"
TREATMENT = HAIRONTO + "9000001"
CELL = HAIRONTO + "9000002"
CLAIM = HAIRONTO + "0000401"
CLAIM_SUBJECT = HAIRONTO + "0000601"
CLAIM_RELATION = HAIRONTO + "0000602"
CLAIM_OBJECT = HAIRONTO + "0000603"
FOOTNOTE = HAIRONTO + "0000608"
HAS_COMPONENT = "http://purl.obolibrary.org/obo/RO_0002180"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
#: Triples the generator writes per treatment, on average (type, label, components, one claim).
TRIPLES_PER_TREATMENT = 12

#: The two queries the engine benchmark times; the differential tests run them too.
JOIN = f"""SELECT ?treatment ?claim ?cellClass WHERE {{
  ?claim a <{CLAIM}> ; <{CLAIM_SUBJECT}> ?treatment ; <{CLAIM_OBJECT}> ?cellClass .
  ?treatment <{HAS_COMPONENT}> ?cell .
  ?cell a ?cellClass .
  ?cellClass <{SUBCLASS}> <{CELL}> .
}}"""
AGGREGATE = f"""SELECT ?kind (COUNT(?claim) AS ?claims) (SUM(?note) AS ?notes) (MAX(?note) AS ?last) WHERE {{
  ?claim <{CLAIM_SUBJECT}> ?treatment ; <{FOOTNOTE}> ?note .
  ?treatment a ?kind .
}} GROUP BY ?kind"""


def synthetic_ntriples(triples: int, seed: int = 42) -> bytes:
    """About ``triples`` triples of treatments, cells and claims, the same for the same seed.

    >>> data = synthetic_ntriples(1000)
    >>> 800 < data.count(b"\\n") < 1200 and data == synthetic_ntriples(1000)
    True
    """
    rng = random.Random(seed)
    lines: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        lines.append(f"<{s}> <{p}> {o} .")

    treatments = max(triples // TRIPLES_PER_TREATMENT, 1)
    kinds = [f"{HAIRONTO}8{k:06d}" for k in range(max(treatments // 50, 2))]
    cell_kinds = [f"{HAIRONTO}7{k:06d}" for k in range(max(treatments // 50, 2))]
    for kind in kinds:
        add(kind, SUBCLASS, f"<{TREATMENT}>")
        add(kind, LABEL, f'"treatment kind {kind[-6:]}"@en')
    for kind in cell_kinds:
        add(kind, SUBCLASS, f"<{CELL}>")
        add(kind, LABEL, f'"cell kind {kind[-6:]}"@en')
    cells = [f"http://example.org/cell/{c}" for c in range(treatments)]
    for cell in cells:
        add(cell, TYPE, f"<{rng.choice(cell_kinds)}>")
    for t in range(treatments):
        treatment = f"http://example.org/treatment/{t}"
        add(treatment, TYPE, f"<{rng.choice(kinds)}>")
        add(treatment, LABEL, f'"treatment {t}"@en')
        for cell in rng.sample(cells, min(3, len(cells))):
            add(treatment, HAS_COMPONENT, f"<{cell}>")
        claim = f"http://example.org/claim/{t}"
        add(claim, TYPE, f"<{CLAIM}>")
        add(claim, CLAIM_SUBJECT, f"<{treatment}>")
        add(claim, CLAIM_RELATION, f"<{HAS_COMPONENT}>")
        add(claim, CLAIM_OBJECT, f"<{rng.choice(cell_kinds)}>")
        add(claim, FOOTNOTE, f'"{rng.randint(1, 5)}"^^<http://www.w3.org/2001/XMLSchema#integer>')
    return ("\n".join(lines) + "\n").encode()
