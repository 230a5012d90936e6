"""Choose reunite.pprl's bits per field and default threshold by measurement.

Generates a *development* population (seed 2, not the benchmark's seed 1), tokenises it
once, then encodes and links it under candidate schemas and reports, per schema, the best
F1 over thresholds and top-5 recall. Usage:

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


def evaluate(pairs, a_map, b_map, truth, thresholds):  # type: ignore[no-untyped-def]
    rows = [(a_map[p.a_id], b_map[p.b_id], p.score) for p in pairs]
    top5 = {(e, r) for e, r, _ in rows}
    out = []
    for t in thresholds:
        chosen = {(e, r) for e, r, s in rows if s >= t}
        tp = len(chosen & truth)
        prec = tp / len(chosen) if chosen else 0.0
        rec = tp / len(truth)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out.append((t, prec, rec, f1))
    return out, len(top5 & truth) / len(truth)


def with_weights(schema: EncodingSchema, **weights: int) -> EncodingSchema:
    fields = tuple(replace(f, hashes=weights.get(f.name, f.hashes)) for f in schema.fields)
    return replace(schema, fields=fields)


CANDIDATES: dict[str, EncodingSchema] = {
    "default": DEFAULT_SCHEMA,
    "uniform10": with_weights(DEFAULT_SCHEMA, **{f.name: 10 for f in DEFAULT_SCHEMA.fields}),
    "xor_fold": replace(DEFAULT_SCHEMA, hardening=Hardening(xor_fold=True)),
    "flip_0.02": replace(DEFAULT_SCHEMA, hardening=Hardening(flip_probability=0.02)),
    "balanced": replace(DEFAULT_SCHEMA, hardening=Hardening(balanced=True)),
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--enquiries", type=int, default=4000)
    ap.add_argument("--difficulty", default="hard")
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--schemas", default=",".join(CANDIDATES))
    args = ap.parse_args()

    from reunite.synth import generate

    pop = generate(records=args.records, enquiries=args.enquiries,
                   difficulty=args.difficulty, seed=args.seed)
    builder = TokenBuilder(reference_year=2025)
    t0 = time.perf_counter()
    ta = [builder.tokens(r) for r in pop.enquiries]
    tb = [builder.tokens(r) for r in pop.records]
    print(f"tokenised in {time.perf_counter() - t0:.1f} s; {len(pop.truth)} true pairs")
    secret = Secret.generate()
    thresholds = [round(x, 2) for x in np.arange(0.40, 0.86, 0.025)]
    for name in args.schemas.split(","):
        schema = CANDIDATES[name]
        a = encode_tokens(ta, secret, schema, [r.record_id for r in pop.enquiries])
        b = encode_tokens(tb, secret, schema, [r.record_id for r in pop.records])
        t0 = time.perf_counter()
        pairs = link_encodings(a, b, threshold=min(thresholds), top_k=TOP_K)
        secs = time.perf_counter() - t0
        a_map = dict(zip(a.ids, a.record_ids, strict=True))
        b_map = dict(zip(b.ids, b.record_ids, strict=True))
        res, top5 = evaluate(pairs, a_map, b_map, pop.truth, thresholds)
        best = max(res, key=lambda x: x[3])
        print(f"{name:<12} link {secs:5.1f} s  top-5 recall {top5:.3f}  best F1 {best[3]:.3f} "
              f"at {best[0]:.3f} (P {best[1]:.3f} R {best[2]:.3f})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
