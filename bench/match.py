"""Matching benchmark: Reunite against two baselines on the same synthetic population.

Systems, all given the same in-memory interchange records:
  exact    exact match on normalised (surname, given name) + full birth date
  generic  Splink with generic settings: Jaro-Winkler NameComparison on the names as
           written, DateOfBirthComparison; no names engine (u by random sampling, EM)
  reunite  reunite.linkage: train (EM on the data) + link, DuckDB

Per system: precision, recall and F1 of the pairs at or above the default threshold,
recall of true pairs within the top 5 candidates of each enquiry, wall time (training
included) and peak resident memory of the process during the run (the population itself
is in memory throughout). Usage:

    .venv/bin/python bench/match.py --sizes 100000,1000000 --enquiries 20000 --difficulty hard
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

THRESHOLD = 0.5
TOP_K = 5


# -- measurement -------------------------------------------------------------------------------
def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakRSS:
    """Samples the resident set size every 20 ms on a thread (DuckDB memory included)."""

    def __enter__(self) -> PeakRSS:
        self.peak = _rss()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, _rss())


@dataclass
class Result:
    system: str
    size: int
    seconds: float
    peak_gb: float
    precision: float
    recall: float
    f1: float
    top5_recall: float
    pairs: int
    note: str = ""


def _scores(
    ranked: dict[str, list[tuple[float, str]]], truth: set[tuple[str, str]]
) -> tuple[float, float, float, float, int]:
    chosen = {(e, r) for e, cands in ranked.items() for p, r in cands if p >= THRESHOLD}
    top = {(e, r) for e, cands in ranked.items() for _, r in cands[:TOP_K]}
    tp = len(chosen & truth)
    precision = tp / len(chosen) if chosen else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(top & truth) / len(truth), len(chosen)


# -- systems -----------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def _name_parts(r: Any) -> tuple[str, str]:
    if r.surname or r.given_name:
        return _norm(r.surname), _norm(r.given_name)
    toks = _norm(r.full_name).split()
    return (toks[0] if toks else "", toks[1] if len(toks) > 1 else "")


def run_exact(enq: list[Any], recs: list[Any]) -> dict[str, list[tuple[float, str]]]:
    index: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for r in recs:
        if r.birth_date.precision == "day":
            index[(*_name_parts(r), str(r.birth_date))].append(r.record_id)
    out: dict[str, list[tuple[float, str]]] = {}
    for e in enq:
        if e.birth_date.precision != "day":
            continue
        hits = index.get((*_name_parts(e), str(e.birth_date)))
        if hits:
            out[e.record_id] = [(1.0, rid) for rid in sorted(hits)][:TOP_K]
    return out


def run_generic(enq: list[Any], recs: list[Any]) -> dict[str, list[tuple[float, str]]]:
    import duckdb
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    def table(rows: list[Any]) -> pa.Table:
        s, g, d, ids = [], [], [], []
        for r in rows:
            sn, gn = _name_parts(r)
            s.append(sn or None)
            g.append(gn or None)
            d.append(str(r.birth_date) if r.birth_date.precision == "day" else None)
            ids.append(r.record_id)
        return pa.table({"unique_id": ids, "first_name": g, "surname": s, "dob": d})

    con = duckdb.connect()
    con.execute("SET lambda_syntax='ENABLE_SINGLE_ARROW'")
    db = DuckDBAPI(connection=con)
    a = db.register(table(enq), dataset_display_name="a_enq")
    b = db.register(table(recs), dataset_display_name="b_rec")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True, invalid_dates_as_null=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("dob"),
            block_on("surname", "first_name"),
        ],
    )
    linker = Linker([a, b], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    pred = linker.inference.predict(threshold_match_probability=0.01).as_pyarrow_table()
    out: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for sl, ul, ur, p in zip(pred["source_dataset_l"].to_pylist(),
                             pred["unique_id_l"].to_pylist(),
                             pred["unique_id_r"].to_pylist(),
                             pred["match_probability"].to_pylist(), strict=True):
        e, r = (ul, ur) if sl == "a_enq" else (ur, ul)
        out[e].append((p, r))
    return {e: sorted(c, key=lambda x: (-x[0], x[1]))[:TOP_K] for e, c in out.items()}


def run_reunite(enq: list[Any], recs: list[Any]) -> dict[str, list[tuple[float, str]]]:
    from reunite.linkage import link, train

    model = train(enq, recs)
    pairs = link(enq, recs, model=model, threshold=0.01, top_k=TOP_K, explain=True)
    out: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for p in pairs:
        out[p.enquiry_id].append((p.probability, p.record_id))
    run_reunite.model = model  # type: ignore[attr-defined]
    return out


SYSTEMS: dict[str, Callable[[list[Any], list[Any]], dict[str, list[tuple[float, str]]]]] = {
    "exact": run_exact,
    "generic": run_generic,
    "reunite": run_reunite,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100000,1000000", help="record counts, comma-separated")
    ap.add_argument("--enquiries", type=int, default=20000)
    ap.add_argument("--difficulty", default="hard", choices=["easy", "realistic", "hard"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--systems", default="exact,generic,reunite")
    ap.add_argument("--counts", action="store_true",
                    help="also report comparisons per blocking rule (10%% sample estimate)")
    args = ap.parse_args(argv)

    from reunite.synth import generate

    results: list[Result] = []
    for size in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        pop = generate(records=size, enquiries=args.enquiries, difficulty=args.difficulty,
                       seed=args.seed)
        gen_s = time.perf_counter() - t0
        print(f"# {size:,} records x {len(pop.enquiries):,} enquiries ({args.difficulty}), "
              f"{len(pop.truth):,} true pairs; generated in {gen_s:.1f} s", flush=True)
        for name in args.systems.split(","):
            gc.collect()
            with PeakRSS() as mem:
                t0 = time.perf_counter()
                ranked = SYSTEMS[name](pop.enquiries, pop.records)
                secs = time.perf_counter() - t0
            p, r, f1, top5, n = _scores(ranked, pop.truth)
            res = Result(name, size, secs, mem.peak / 2**30, p, r, f1, top5, n)
            results.append(res)
            print(f"  {name:<8} {secs:7.1f} s  peak {res.peak_gb:5.2f} GB  P {p:.3f}  "
                  f"R {r:.3f}  F1 {f1:.3f}  top-5 recall {top5:.3f}  ({n:,} pairs >= "
                  f"{THRESHOLD})", flush=True)
            del ranked
        if args.counts and "reunite" in args.systems:
            from reunite.linkage import comparison_counts

            print("  comparisons per blocking rule (estimated from a 10% sample):")
            for c in comparison_counts(pop.enquiries, pop.records, sample=0.1):
                print(f"    {c.rule:<22} {c.comparisons:>14,}  cumulative "
                      f"{c.cumulative:>14,}  {c.description}")
        del pop
        gc.collect()

    print()
    print("| records | system | time (s) | peak memory (GB) | precision | recall | F1 "
          "| top-5 recall |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r.size:,} | {r.system} | {r.seconds:.1f} | {r.peak_gb:.2f} | "
              f"{r.precision:.3f} | {r.recall:.3f} | {r.f1:.3f} | {r.top5_recall:.3f} |")
    print(f"\nthreshold {THRESHOLD}, top {TOP_K}; {os.cpu_count()} cores; python "
          f"{sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
