"""Seeded synthetic research data around the ontology, streamed to N-Triples, of any size.

What a lab would add to HairOnto: studies that test the ontology's treatments (the subjects of
its claims), cohorts of patients with a condition, measurements of hair density at time points,
and claims of the ontology's own shape (``HAIRONTO_0000401`` with subject, relation, object,
evidence type and footnote) that cite the studies. Terms come from the bundled release, so the
curated queries of ``queries/`` find the synthetic claims beside the article's.

The file is written line by line (nothing is held in memory but the ontology's term lists), so
10^7 triples take a few hundred MB of disk and a minute, and the same seed gives the same bytes.

    .venv/bin/python bench/scale_data.py 1000000 /tmp/data-1e6.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import pyoxigraph as ox

from haironto.dataset import DataFiles, assemble
from haironto.namespaces import (
    CLAIM,
    CLAIM_OBJECT,
    CLAIM_RELATION,
    CLAIM_SUBJECT,
    FOOTNOTE,
    HAS_EVIDENCE_TYPE,
    HEDGING,
    IN_CONDITION,
    REPORTED_BY_STUDY,
    STUDY_ORGANISM,
)

DATA = "https://example.org/lab/"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: Triples one study brings on average: the study (5), two cohorts with three measurements each (34), two claims (about 15).
PER_STUDY = 54


def ontology_terms() -> dict[str, list[str]]:
    """Treatments, claim objects, relations, evidence types, organisms and conditions used by the article's claims."""
    store = ox.Store()
    store.load(assemble(DataFiles.release(), union=False), format=ox.RdfFormat.N_QUADS)

    def values(prop: object) -> list[str]:
        rows = store.query(
            f"SELECT DISTINCT ?v WHERE {{ GRAPH ?g {{ ?c <{prop}> ?v }} FILTER(isIRI(?v)) }} ORDER BY ?v"
        )
        return [row["v"].value for row in rows]

    return {
        "subject": values(CLAIM_SUBJECT),
        "object": values(CLAIM_OBJECT),
        "relation": values(CLAIM_RELATION),
        "evidence": values(HAS_EVIDENCE_TYPE),
        "organism": values(STUDY_ORGANISM),
        "condition": values(IN_CONDITION),
    }


def generate(triples: int, output: Path, seed: int = 42) -> int:
    """Write about ``triples`` triples to ``output``; return how many were written.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "d.nt"
    >>> n = generate(2000, path)
    >>> 1500 < n < 2500 and n == len(path.read_bytes().splitlines())
    True
    """
    rng = random.Random(seed)
    terms = ontology_terms()
    written = 0
    studies = max(triples // PER_STUDY, 1)
    with output.open("w", encoding="utf-8", buffering=1 << 20) as out:
        lines: list[str] = []

        def add(s: str, p: str, o: str) -> None:
            lines.append(f"{s} {p} {o} .\n")

        for n in range(studies):
            study = f"<{DATA}study/{n}>"
            treatment = f"<{rng.choice(terms['subject'])}>"
            add(study, TYPE, f"<{DATA}Study>")
            add(study, LABEL, f'"Study {n} of {rng.choice(["PRP", "exosomes", "SVF", "nanofat"])}"@en')
            add(study, f"<{DATA}tests>", treatment)
            add(study, f"<{DATA}year>", f'"{rng.randint(2005, 2026)}"^^<{XSD}integer>')
            add(study, f"<{STUDY_ORGANISM}>", f"<{rng.choice(terms['organism'])}>")
            for k in range(2):
                cohort = f"<{DATA}study/{n}/cohort/{k}>"
                add(study, f"<{DATA}cohort>", cohort)
                add(cohort, TYPE, f"<{DATA}Cohort>")
                add(cohort, f"<{DATA}size>", f'"{rng.randint(8, 400)}"^^<{XSD}integer>')
                add(cohort, f"<{IN_CONDITION}>", f"<{rng.choice(terms['condition'])}>")
                add(cohort, f"<{DATA}arm>", '"treatment"' if k == 0 else '"placebo"')
                for week in (0, 12, 24):
                    m = f"<{DATA}study/{n}/cohort/{k}/m/{week}>"
                    add(m, TYPE, f"<{DATA}Measurement>")
                    add(m, f"<{DATA}of>", cohort)
                    add(m, f"<{DATA}week>", f'"{week}"^^<{XSD}integer>')
                    add(m, f"<{DATA}hairDensity>", f'"{rng.uniform(80, 220):.1f}"^^<{XSD}decimal>')
            for c in range(2):
                claim = f"<{DATA}study/{n}/claim/{c}>"
                add(claim, TYPE, f"<{CLAIM}>")
                add(claim, f"<{CLAIM_SUBJECT}>", treatment)
                add(claim, f"<{CLAIM_RELATION}>", f"<{rng.choice(terms['relation'])}>")
                add(claim, f"<{CLAIM_OBJECT}>", f"<{rng.choice(terms['object'])}>")
                add(claim, f"<{HAS_EVIDENCE_TYPE}>", f"<{rng.choice(terms['evidence'])}>")
                add(claim, f"<{REPORTED_BY_STUDY}>", study)
                add(claim, f"<{FOOTNOTE}>", f'"{rng.randint(1, 5)}"^^<{XSD}integer>')
                if rng.random() < 0.5:
                    add(claim, f"<{HEDGING}>", f'"{rng.choice(["may", "seem to", "could"])}"@en')
            if len(lines) >= 100_000:
                out.writelines(lines)
                written += len(lines)
                lines.clear()
        out.writelines(lines)
        written += len(lines)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("triples", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    print(generate(args.triples, args.output, args.seed), file=sys.stderr)


if __name__ == "__main__":
    main()
