"""Benchmark: one pedigree LR (10 people, 3 untyped incl. the missing child) on 23 loci.

    PYTHONPATH=src .venv/bin/python bench/kinship_pedigree.py [--repeats 50]

Target (issue 12): under 50 ms per 23-locus LR. Baseline: the same question through the
pair closed form is not possible (several typed relatives at once), so the table shows the
pedigree path alone, cold (first call, contraction orders searched) and warm (median).
SYNTHETIC frequencies and profiles (gene dropping, seeded). The machine is shared: timings
are pessimistic.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from reunite.kinship import Pedigree, Profile, pedigree_likelihood_ratio, synthetic_frequencies
from reunite.kinship._model import make_genotype
from reunite.kinship._power import _drop

ROWS = [
    ["GF", "", "", "M"], ["GM", "", "", "F"],          # grandparents: GF untyped
    ["FA", "GF", "GM", "M"],                           # missing father: untyped
    ["AU", "GF", "GM", "F"], ["UN", "GF", "GM", "M"],  # aunt, uncle typed
    ["MO", "", "", "F"],                               # mother typed
    ["X", "FA", "MO", "M"],                            # missing child: untyped
    ["SIB", "FA", "MO", "F"],                          # sister typed
    ["W", "", "", "F"], ["CO", "UN", "W", "M"],        # uncle's wife and son typed
]
TYPED = ["GM", "AU", "UN", "MO", "SIB", "W", "CO"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=50)
    args = ap.parse_args()
    import random

    db = synthetic_frequencies()
    loci = db.loci[:23]
    ped = Pedigree.from_rows(ROWS)
    sim = _drop(ped, db, loci, random.Random(3))
    profiles = {pid: Profile(pid, {lo: make_genotype(*g) for lo, g in sim[pid].items()})
                for pid in TYPED}
    profiles["C"] = Profile("C", {lo: make_genotype(*g) for lo, g in sim["X"].items()})
    t0 = time.perf_counter()
    res = pedigree_likelihood_ratio(ped, profiles, db, missing="X", candidate="C")
    cold = time.perf_counter() - t0
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        pedigree_likelihood_ratio(ped, profiles, db, missing="X", candidate="C")
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # process peak RSS
    print("| case | loci | people (untyped) | cold ms | warm median ms | peak RSS MiB | log10 LR |")
    print("|---|---|---|---|---|---|---|")
    print(f"| pedigree LR, true child | {len(loci)} | 10 (3) | {cold * 1e3:.1f} | "
          f"{statistics.median(times) * 1e3:.1f} | {peak / 2**20:.1f} | {res.log10_lr:.2f} |")
    print("target: < 50 ms per LR (issue 12)")


if __name__ == "__main__":
    main()
