"""Rebuild the bundled model: ``python -m reunite.linkage._build_default_model``.

Trains on a seeded synthetic population (``reunite.synth``, realistic level) so that
small lists, which are too small for EM, still get a sensible model. Rerun it whenever
the comparison spec or the names engine's keys change.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reunite.linkage import train
from reunite.synth import generate

TARGET = Path(__file__).with_name("data") / "default_model.json"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=60_000)
    ap.add_argument("--enquiries", type=int, default=6_000)
    ap.add_argument("--seed", type=int, default=20260)
    ap.add_argument("--out", type=Path, default=TARGET)
    args = ap.parse_args(argv)
    pop = generate(records=args.records, enquiries=args.enquiries, difficulty="realistic",
                   seed=args.seed)
    model = train(pop.enquiries, pop.records, seed=args.seed, progress=print)
    model.metadata["trained_on"]["population"] = (
        f"reunite.synth realistic, {args.records} records x {args.enquiries} enquiries, "
        f"seed {args.seed}"
    )
    model.save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
