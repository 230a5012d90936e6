"""How reunite.pprl's bits per field, hardening and decision rule were chosen.

Generates a *development* population (``reunite.synth`` hard level, seed 2, not the
benchmark's seed 1), tokenises it once, then encodes and links it under each candidate
schema and prints, per schema, top-5 recall, the best F1 with a plain Dice threshold, and
the best F1 with the margin rule (Dice ≥ t and within d of the record's best candidate),
with the t and d that gave it. Usage:

    PYTHONPATH=src .venv/bin/python bench/pprl_tune.py [--records 20000 --enquiries 4000]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from reunite.pprl import (
    DEFAULT_SCHEMA,
    EncodingSchema,
    Hardening,
    Secret,
    TokenBuilder,
    encode_tokens,
    link_encodings,
)

TOP_K = 5
UNHARDENED = replace(DEFAULT_SCHEMA, bits=1024, hardening=Hardening())


def with_weights(schema: EncodingSchema, **weights: int) -> EncodingSchema:
    fields = tuple(replace(f, hashes=weights.get(f.name, f.hashes)) for f in schema.fields)
    return replace(schema, fields=fields)


#: The first guess (names 40 bits a token, bigrams 4, father 20, dates 16/12/16, place 10/4)
FIRST_GUESS = with_weights(UNHARDENED, given_id=40, given_grams=4, surname_key=40,
                           surname_grams=4, father_id=20, birth_month=12, birth_day=16,
                           birth_place=10, birth_region=4)

CANDIDATES: dict[str, EncodingSchema] = {
    "uniform 10 bits, 1024": with_weights(UNHARDENED, **{f.name: 10 for f in UNHARDENED.fields}),
    "first guess, 1024": FIRST_GUESS,
    "first guess, names 30": with_weights(FIRST_GUESS, given_id=30, surname_key=30),
    "first guess, bigrams 8": with_weights(FIRST_GUESS, given_grams=8, surname_grams=8),
    "first guess, sound 20": with_weights(FIRST_GUESS, surname_sound=20),
    "first guess, sex 12": with_weights(FIRST_GUESS, sex=12),
    "first guess, mother 20": with_weights(FIRST_GUESS, mother=20),
    "chosen weights, 1024": UNHARDENED,
    "chosen, mother 20": with_weights(UNHARDENED, mother=20),
    "chosen, year 24 / near 12": with_weights(UNHARDENED, birth_year=24, birth_year_near=12),
    "chosen, separation 8": with_weights(UNHARDENED, separation_region=8),
    "chosen, XOR-fold 1024->512": replace(UNHARDENED, hardening=Hardening(xor_fold=True)),
    "chosen, flips 0.02": replace(UNHARDENED, hardening=Hardening(flip_probability=0.02)),
    "chosen, flips 0.05": replace(UNHARDENED, hardening=Hardening(flip_probability=0.05)),
    "chosen, balanced 2048": replace(UNHARDENED, hardening=Hardening(balanced=True)),
    "chosen, 2048 XOR-fold": replace(UNHARDENED, bits=2048, hardening=Hardening(xor_fold=True)),
    "default (2048, XOR-fold, flips 0.02)": DEFAULT_SCHEMA,
}


def evaluate(rows: list[tuple[str, str, float, float]], truth: set[tuple[str, str]]
             ) -> tuple[float, tuple[float, float, float, float, float], float]:
    top5 = len({(e, r) for e, r, *_ in rows} & truth) / len(truth)
    results = []
    for t in np.arange(0.40, 0.90, 0.025):
        for d in (1.0, 0.1, 0.05, 0.03):
            chosen = {(e, r) for e, r, s, best in rows if s >= t and s >= best - d}
            tp = len(chosen & truth)
            p = tp / len(chosen) if chosen else 0.0
            r = tp / len(truth)
            results.append((2 * p * r / (p + r) if p + r else 0.0, float(t), d, p, r))
    plain = max(x[0] for x in results if x[2] == 1.0)
    return top5, max(results), plain


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--enquiries", type=int, default=4000)
    ap.add_argument("--difficulty", default="hard")
    ap.add_argument("--seed", type=int, default=2)
    args = ap.parse_args()

    from reunite.synth import generate

    pop = generate(records=args.records, enquiries=args.enquiries,
                   difficulty=args.difficulty, seed=args.seed)  # type: ignore[arg-type]
    builder = TokenBuilder(reference_year=2025)
    t0 = time.perf_counter()
    ta = [builder.tokens(r) for r in pop.enquiries]
    tb = [builder.tokens(r) for r in pop.records]
    print(f"tokenised in {time.perf_counter() - t0:.1f} s; {len(pop.truth)} true pairs")
    secret = Secret.generate()
    print("| schema | top-5 recall | best F1, Dice threshold | best F1, threshold + margin "
          "| t | d | P | R |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, schema in CANDIDATES.items():
        a = encode_tokens(ta, secret, schema, [r.record_id for r in pop.enquiries])
        b = encode_tokens(tb, secret, schema, [r.record_id for r in pop.records])
        pairs = link_encodings(a, b, threshold=0.3, top_k=TOP_K, margin=None)
        am = dict(zip(a.ids, a.record_ids, strict=True))
        bm = dict(zip(b.ids, b.record_ids, strict=True))
        best: dict[str, float] = {}
        for p in pairs:
            best[p.a_id] = max(best.get(p.a_id, 0.0), p.score)
        rows = [(am[p.a_id], bm[p.b_id], p.score, best[p.a_id]) for p in pairs]
        top5, (f1, t, d, prec, rec), plain = evaluate(rows, pop.truth)
        print(f"| {name} | {top5:.3f} | {plain:.3f} | {f1:.3f} | {t:.3f} | {d} | {prec:.3f} "
              f"| {rec:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
