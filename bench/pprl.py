"""PPRL benchmark: reunite.pprl against CLK baselines and the clear-text matcher.

One run, the same synthetic populations (``reunite.synth``, seed 1) at each difficulty:

  clk-raw     the CLK construction of clkhash with the schema clkhash ships
              (``clkhash/data/randomnames-schema-v2.json``: 1024 bits, keys by HKDF-SHA256,
              keyed BLAKE2b "blakeHash"; NAME freetext bigrams, 15 bits per token; DOB
              "YYYY/MM/DD" positional unigrams, 30 bits; GENDER 60 bits) on the names as
              written; Dice and top-k by anonlink
  clk-latin   the same after writing every name in one Latin scheme (KMU 2010) in lower case
  reunite     reunite.pprl: keyed Bloom filters of the names engine's canonical keys,
              hardened (XOR-fold, keyed random flips), anonlink Dice, default threshold
  clear-text  reunite.linkage (``reunite match``): training + linking on the names in clear

clkhash itself is not installed (it pins cryptography<41 and mypy_extensions<0.5, see
docs/pprl.md), so its construction is re-implemented here, step by step as in clkhash
0.18.3 (``comparators.NgramComparison``, ``bloomfilter.blake_hash_token``,
``key_derivation.hkdf``). The CLK baselines are scored at the threshold that is best for
them *on this very data* (an optimistic bound for them); reunite.pprl at its fixed default
decision rule chosen on another seed (bench/pprl_tune.py: Dice ≥ 0.575 and within 0.1 of
the record's best candidate; top-5 recall counts its five best candidates either way); the
clear-text matcher at p ≥ 0.5.

Time is the whole system (encoding both lists, then linking; training for the clear-text
matcher); "linking" is the mediator's part alone. Wall time and CPU time of this process are
both given: on a shared machine wall time mostly measures the other jobs (CPU time counts
every thread of the process). Peak memory is the process's resident set during the
system's run (the population itself is included). Usage:

    PYTHONPATH=src .venv/bin/python bench/pprl.py --records 100000 --enquiries 20000 \
        --difficulties realistic,hard
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import hmac
import os
import struct
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

TOP_K = 5


# -- measurement -------------------------------------------------------------------------------
def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakRSS:
    def __enter__(self) -> PeakRSS:
        self.peak = _rss()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, _rss())


@dataclass
class Result:
    difficulty: str
    system: str
    seconds: float
    cpu_seconds: float
    link_seconds: float
    link_cpu: float
    peak_gb: float
    threshold: str
    precision: float
    recall: float
    f1: float
    top5: float


Ranked = dict[str, list[tuple[float, str]]]


def score(ranked: Ranked, truth: set[tuple[str, str]], threshold: float
          ) -> tuple[float, float, float, float]:
    chosen = {(e, r) for e, c in ranked.items() for s, r in c if s >= threshold}
    top = {(e, r) for e, c in ranked.items() for _, r in c[:TOP_K]}
    tp = len(chosen & truth)
    p = tp / len(chosen) if chosen else 0.0
    r = tp / len(truth)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1, len(top & truth) / len(truth)


# -- clkhash's CLK construction -----------------------------------------------------------
def hkdf(secret: bytes, num_keys: int, salt: bytes, info: bytes, key_size: int = 64
         ) -> list[bytes]:
    """RFC 5869 HKDF-SHA256, as clkhash.key_derivation.hkdf."""
    prk = hmac.new(salt, secret, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < num_keys * key_size:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return [okm[i * key_size:(i + 1) * key_size] for i in range(num_keys)]


def bigrams(word: str) -> list[str]:
    """clkhash NgramComparison(n=2): one space of padding at each end."""
    if not word:
        return []
    w = f" {word} "
    return [w[i:i + 2] for i in range(len(w) - 1)]


def positional_unigrams(word: str) -> list[str]:
    return [f"{i + 1} {c}" for i, c in enumerate(word)]


class ClkEncoder:
    """clkhash's CLK: per field, every token sets ``k`` bits drawn from keyed BLAKE2b."""

    L = 1024
    # (tokenizer, bits per token) as in randomnames-schema-v2.json
    FIELDS: Sequence[tuple[str, Callable[[str], list[str]], int]] = (
        ("name", bigrams, 15),
        ("dob", positional_unigrams, 30),
        ("gender", lambda s: [s] if s else [], 60),
    )

    def __init__(self, secret: bytes) -> None:
        self.keys = hkdf(secret, len(self.FIELDS), salt=b"reunite-bench-salt",
                         info=b"schema_example")
        self._cache: dict[tuple[int, str], np.ndarray] = {}

    def _positions(self, field: int, token: str, k: int) -> np.ndarray:
        hit = self._cache.get((field, token))
        if hit is None:
            shorts: list[int] = []
            for i in range((k + 31) // 32):
                digest = hashlib.blake2b(token.encode("utf-8"), key=self.keys[field],
                                         salt=str(i).encode()).digest()
                shorts.extend(struct.unpack("32H", digest))
            hit = np.array([s % self.L for s in shorts[:k]], dtype=np.int64)
            self._cache[(field, token)] = hit
        return hit

    def encode(self, rows: Sequence[tuple[str, str, str]]) -> np.ndarray:
        bits = np.zeros((len(rows), self.L), dtype=bool)
        for n, row in enumerate(rows):
            parts = [self._positions(f, t, k)
                     for f, ((_, tok, k), value) in enumerate(zip(self.FIELDS, row, strict=True))
                     for t in tok(value)]
            if parts:
                bits[n, np.concatenate(parts)] = True
        return np.packbits(bits, axis=1)


def clk_rows(records: Sequence[Any], latin: bool) -> list[tuple[str, str, str]]:
    from reunite.names import transliterate

    rows = []
    for r in records:
        name = " ".join(p for p in (r.given_name, r.surname) if p) or r.full_name
        if latin:
            # Cyrillic in one official scheme (KMU 2010); Latin as it is; lower case
            name = transliterate(name, "uk_kmu_2010").lower()
        bd = r.birth_date
        dob = f"{bd.year:04d}/{bd.month:02d}/{bd.day:02d}" if bd.day is not None else ""
        rows.append((name, dob, r.sex if r.sex in ("M", "F") else ""))
    return rows


def anonlink_topk(a: np.ndarray, b: np.ndarray, threshold: float) -> tuple[np.ndarray, ...]:
    from anonlink.similarities import dice_coefficient
    from bitarray import bitarray

    def bits(m: np.ndarray) -> list[bitarray]:
        out = []
        for row in m:
            x = bitarray()
            x.frombytes(row.tobytes())
            out.append(x)
        return out

    bb = bits(b)
    sims_all, ia_all, ib_all = [], [], []
    for s in range(0, len(a), 2000):
        sims, (ia, ib) = dice_coefficient([bits(a[s:s + 2000]), bb], threshold, TOP_K)
        sims_all.append(np.frombuffer(sims, dtype=np.float64))
        ia_all.append(np.frombuffer(ia, dtype=np.uint32).astype(np.int64) + s)
        ib_all.append(np.frombuffer(ib, dtype=np.uint32).astype(np.int64))
    return np.concatenate(sims_all), np.concatenate(ia_all), np.concatenate(ib_all)


def run_clk(enq: Sequence[Any], recs: Sequence[Any], latin: bool) -> tuple[Ranked, float, float]:
    enc = ClkEncoder(b"benchmark-secret-not-for-real-use")
    a = enc.encode(clk_rows(enq, latin))
    b = enc.encode(clk_rows(recs, latin))
    t0, c0 = time.perf_counter(), time.process_time()
    sims, ia, ib = anonlink_topk(a, b, 0.3)
    link_s, link_c = time.perf_counter() - t0, time.process_time() - c0
    ranked: Ranked = {}
    for s, i, j in zip(sims.tolist(), ia.tolist(), ib.tolist(), strict=True):
        ranked.setdefault(enq[i].record_id, []).append((s, recs[j].record_id))
    return ({e: sorted(c, key=lambda x: (-x[0], x[1]))[:TOP_K] for e, c in ranked.items()},
            link_s, link_c)


def run_reunite_pprl(enq: Sequence[Any], recs: Sequence[Any]) -> tuple[Ranked, float, float]:
    """Ranked candidates without the margin (for top-5 recall), scores marked 0 where the
    default decision rule (threshold and margin) does not propose the pair."""
    from reunite.pprl import Secret, TokenBuilder, encode, link_encodings, select_pairs

    secret = Secret.generate()
    builder = TokenBuilder()
    a = encode(enq, secret, builder=builder)
    b = encode(recs, secret, builder=builder)
    t0, c0 = time.perf_counter(), time.process_time()
    pairs = link_encodings(a, b, threshold=0.3, margin=None)
    link_s, link_c = time.perf_counter() - t0, time.process_time() - c0
    proposed = {(p.a_id, p.b_id) for p in select_pairs(pairs)}
    am = dict(zip(a.ids, a.record_ids, strict=True))
    bm = dict(zip(b.ids, b.record_ids, strict=True))
    ranked: Ranked = {}
    for p in pairs:
        s = p.score if (p.a_id, p.b_id) in proposed else 0.0
        ranked.setdefault(am[p.a_id], []).append((s, bm[p.b_id]))
    return ranked, link_s, link_c


def run_clear(enq: Sequence[Any], recs: Sequence[Any]) -> tuple[Ranked, float, float]:
    from reunite.linkage import link, train

    model = train(enq, recs)
    t0, c0 = time.perf_counter(), time.process_time()
    pairs = link(enq, recs, model=model, threshold=0.01, top_k=TOP_K)
    link_s, link_c = time.perf_counter() - t0, time.process_time() - c0
    ranked: Ranked = {}
    for p in pairs:
        ranked.setdefault(p.enquiry_id, []).append((p.probability, p.record_id))
    return ranked, link_s, link_c


def best_threshold(ranked: Ranked, truth: set[tuple[str, str]]) -> float:
    grid = [round(x, 3) for x in np.arange(0.30, 1.0001, 0.025)]
    return max(grid, key=lambda t: score(ranked, truth, t)[2])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--enquiries", type=int, default=20_000)
    ap.add_argument("--difficulties", default="realistic,hard")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--systems", default="clk-raw,clk-latin,reunite,clear-text")
    args = ap.parse_args(argv)

    from reunite import names
    from reunite.pprl import DEFAULT_THRESHOLD
    from reunite.synth import generate

    names.warm_up()
    results: list[Result] = []
    for difficulty in args.difficulties.split(","):
        pop = generate(records=args.records, enquiries=args.enquiries, difficulty=difficulty,
                       seed=args.seed)  # type: ignore[arg-type]
        print(f"# {args.records:,} records x {args.enquiries:,} enquiries ({difficulty}), "
              f"{len(pop.truth):,} true pairs", flush=True)
        for system in args.systems.split(","):
            gc.collect()
            with PeakRSS() as mem:
                t0, c0 = time.perf_counter(), time.process_time()
                if system == "clk-raw":
                    ranked, link_s, link_c = run_clk(pop.enquiries, pop.records, latin=False)
                elif system == "clk-latin":
                    ranked, link_s, link_c = run_clk(pop.enquiries, pop.records, latin=True)
                elif system == "reunite":
                    ranked, link_s, link_c = run_reunite_pprl(pop.enquiries, pop.records)
                elif system == "clear-text":
                    ranked, link_s, link_c = run_clear(pop.enquiries, pop.records)
                else:
                    raise SystemExit(f"unknown system {system}")
                secs, cpu = time.perf_counter() - t0, time.process_time() - c0
            if system.startswith("clk"):
                t = best_threshold(ranked, pop.truth)
                label = f"{t:.3f} (best for it)"
            elif system == "reunite":
                t, label = DEFAULT_THRESHOLD, f"{DEFAULT_THRESHOLD} (default)"
            else:
                t, label = 0.5, "p ≥ 0.5 (default)"
            p, r, f1, top5 = score(ranked, pop.truth, t)
            res = Result(difficulty, system, secs, cpu, link_s, link_c, mem.peak / 2**30, label,
                         p, r, f1, top5)
            results.append(res)
            print(f"  {system:<10} {secs:7.1f} s, CPU {cpu:7.1f} s (link {link_s:6.1f} s, CPU "
                  f"{link_c:6.1f} s)  peak "
                  f"{res.peak_gb:5.2f} GB  P {p:.3f} R {r:.3f} F1 {f1:.3f} top-5 {top5:.3f}  "
                  f"threshold {label}", flush=True)
            del ranked
        del pop
        gc.collect()

    print()
    print("| level | system | time (s) | CPU (s) | linking (s) | linking CPU (s) "
          "| peak memory (GB) | threshold | precision | recall | F1 | top-5 recall |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r.difficulty} | {r.system} | {r.seconds:.1f} | {r.cpu_seconds:.1f} | "
              f"{r.link_seconds:.1f} | {r.link_cpu:.1f} | "
              f"{r.peak_gb:.2f} | {r.threshold} | {r.precision:.3f} | {r.recall:.3f} | "
              f"{r.f1:.3f} | {r.top5:.3f} |")
    print(f"\n{args.records:,} records x {args.enquiries:,} enquiries, seed {args.seed}, top "
          f"{TOP_K}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; python "
          f"{sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
