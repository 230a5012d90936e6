"""Benchmark the synthetic population generator (reunite.synth) and its file output.

For each size, in a fresh process (so peak memory is that run's own):
  * reunite.synth.generate        the generator itself (vectorised distractors)
  * naive-loop baseline           the same tables sampled one record at a time with
                                  random.choices, as a straightforward generator would
  * write (CSV)                   write_population: validated interchange CSV + truth files
  * read (--read)                 reunite.interchange.read_file of records.csv, compared
Quality columns: share of enquired children found in the registry, and the distortion
shares on true registry records, next to the difficulty's target parameters.

    .venv/bin/python bench/synth.py --sizes 1000,100000,1000000 --enquiries 20000
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import time
from collections.abc import Callable


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _run_generate(
    size: int, enquiries: int, difficulty: str, seed: int, write: bool, read: bool
) -> dict:
    from reunite.interchange import read_file
    from reunite.synth import PARAMS, generate, write_population

    t0 = time.perf_counter()
    pop = generate(records=size, enquiries=enquiries, difficulty=difficulty, seed=seed)
    gen_s = time.perf_counter() - t0
    out = {"gen_s": gen_s, "gen_peak": _peak_gb()}
    if write:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            paths = write_population(pop, tmp)
            out["write_s"] = time.perf_counter() - t0
            if read:
                t0 = time.perf_counter()
                back = read_file(paths["records"], "records")
                out["read_s"] = time.perf_counter() - t0
                out["read_ok"] = back.records == pop.records
    out["peak"] = _peak_gb()
    st = pop.stats()
    p = PARAMS[difficulty]
    out["quality"] = (
        f"in-registry {st['enquired_in_registry_share']:.3f} (target {p.in_registry * 0.97:.3f}); "
        f"adoption {st['adoption_surname_share']:.3f} ({p.adopted}); "
        f"shifted DOB {st['birth_date_shifted_share']:.3f} ({p.birth_shift}); "
        f"{len(pop.truth):,} true pairs"
    )
    return out


def _run_naive(size: int, seed: int) -> dict:
    """Baseline: one record at a time, random.choices per field (no numpy, no caches)."""
    import random
    from datetime import date, timedelta

    from reunite.interchange import InterchangeRecord, PartialDate
    from reunite.synth._data import tables

    t = tables()
    rng = random.Random(seed)
    ru_m, ru_f, rs, pl = t.ru_given["M"], t.ru_given["F"], t.ru_surnames, t.ru_places
    t0 = time.perf_counter()
    out = []
    for i in range(size):
        female = rng.random() < 0.49
        g = ru_f if female else ru_m
        given = rng.choices(g.names, weights=list(g.child_p))[0]
        s = rng.choices(range(len(rs.male)), weights=list(rs.p))[0]
        father = rng.choices(range(len(ru_m.names)), weights=list(ru_m.parent_p))[0]
        city = rng.choices(range(len(pl.city)), weights=list(pl.p))[0]
        birth = date(2005, 1, 1) + timedelta(days=rng.randrange(7305))
        out.append(
            InterchangeRecord(
                record_id=f"R{i:07d}",
                surname=(rs.female if female else rs.male)[s],
                given_name=given,
                patronymic=(ru_m.pat_f if female else ru_m.pat_m)[father],
                sex="F" if female else "M",
                birth_date=PartialDate(birth.year, birth.month, birth.day),
                birth_place=pl.city[city],
                current_region=pl.region[city],
                legal_status=rng.choice(("orphan", "under_guardianship", "unknown")),
            )
        )
    return {"gen_s": time.perf_counter() - t0, "peak": _peak_gb()}


def _in_child(fn: Callable[..., dict], *args: object) -> dict:
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(fn, args)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,100000,1000000")
    ap.add_argument("--enquiries", type=int, default=20000)
    ap.add_argument("--difficulty", default="hard", choices=["easy", "realistic", "hard"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--naive-max",
        type=int,
        default=1_000_000,
        help="skip the naive baseline above this many records",
    )
    ap.add_argument("--no-write", action="store_true", help="skip the CSV writing step")
    ap.add_argument("--read", action="store_true", help="also time reading records.csv back")
    args = ap.parse_args(argv)

    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        first = len(rows)
        r = _in_child(
            _run_generate,
            size,
            args.enquiries,
            args.difficulty,
            args.seed,
            not args.no_write,
            args.read,
        )
        rows.append(
            (f"{size:,}", "reunite.synth.generate", r["gen_s"], r["gen_peak"], r["quality"])
        )
        if "write_s" in r:
            rows.append((f"{size:,}", "write_population (CSV)", r["write_s"], r["peak"], ""))
        if "read_s" in r:
            same = "round trip equal" if r["read_ok"] else "ROUND TRIP DIFFERS"
            rows.append((f"{size:,}", "read_file (records.csv)", r["read_s"], r["peak"], same))
        if size <= args.naive_max:
            n = _in_child(_run_naive, size, args.seed)
            rows.append((f"{size:,}", "naive loop (distractors only)", n["gen_s"], n["peak"], ""))
        for row in rows[first:]:
            print(
                f"  {row[0]:>10} {row[1]:<30} {row[2]:8.2f} s  peak {row[3]:5.2f} GB  {row[4]}",
                flush=True,
            )

    print()
    print(f"Enquiries: {args.enquiries:,}; difficulty: {args.difficulty}; seed: {args.seed}")
    print()
    print("| records | what | time (s) | peak RSS (GB) | quality |")
    print("|---:|---|---:|---:|---|")
    for size, what, secs, peak, quality in rows:
        print(f"| {size} | {what} | {secs:.2f} | {peak:.2f} | {quality} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
