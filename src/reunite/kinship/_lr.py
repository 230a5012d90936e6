"""Likelihood ratios for one claimed relationship (pairs) and for trios."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from reunite.kinship._formulas import Mutation, pair_lr, trio_terms
from reunite.kinship._loci import KNOWN_LOCI, locus_key
from reunite.kinship._model import (
    FrequencyDatabase,
    Genotype,
    Profile,
    allele_value,
    get_relationship,
)
from reunite.kinship._result import KinshipResult, LocusResult
from reunite.kinship.exceptions import KinshipInputError, Problem

MutationRates = float | Mapping[str, float] | None
DEFAULT_MUTATION_RANGE = 0.1
MIN_LOCI_WARNING = 10
_ORDER = {locus_key(n): i for i, n in enumerate(KNOWN_LOCI)}


def _check_common(
    theta: float, min_frequency: float | None, mutation_range: float
) -> None:
    if not (0.0 <= theta <= 0.25) or math.isnan(theta):
        raise KinshipInputError(f"theta must be between 0 and 0.25, got {theta}")
    if min_frequency is not None and not (0.0 < min_frequency < 1.0):
        raise KinshipInputError(f"minimum frequency must be in (0, 1), got {min_frequency}")
    if not 0.0 <= mutation_range < 1.0:
        raise KinshipInputError(f"mutation range must be in [0, 1), got {mutation_range}")


def mutation_for(
    locus: str, rates: MutationRates, mutation_range: float
) -> Mutation | None:
    """The mutation model at ``locus`` (``None`` = no mutation model).

    ``rates`` is one rate for every locus or a mapping locus → rate; ``"*"`` in the mapping
    is the default for loci not named.
    """
    if rates is None:
        return None
    if isinstance(rates, Mapping):
        by_key = {locus_key(k): float(v) for k, v in rates.items() if k != "*"}
        rate = by_key.get(locus_key(locus), rates.get("*"))
        if rate is None:
            raise KinshipInputError(
                Problem("no mutation rate given for this locus (add it or a '*' default)",
                        locus=locus))
    else:
        rate = float(rates)
    if not 0.0 <= rate < 1.0 or math.isnan(rate):
        raise KinshipInputError(Problem(f"mutation rate must be in [0, 1), got {rate}",
                                        locus=locus))
    return Mutation(rate, mutation_range) if rate > 0 else None


def _mutation_assumption(rates: MutationRates, mutation_range: float) -> object:
    if rates is None:
        return None
    if isinstance(rates, Mapping):
        return {"model": "stepwise", "rates": dict(rates), "range": mutation_range}
    return {"model": "stepwise", "rate": float(rates), "range": mutation_range}


class _LocusAlleles:
    """Local allele indexing for one locus: frequency and repeat-value lookup arrays."""

    def __init__(self, locus: str, db: FrequencyDatabase, floor: float, alleles: list[str]):
        self.alleles = sorted(set(alleles), key=allele_value)
        self.index = {a: i for i, a in enumerate(self.alleles)}
        self.p = np.array([db.frequency(locus, a, floor) for a in self.alleles])
        self.v = np.array([allele_value(a) for a in self.alleles])
        self.notes: list[str] = []
        key = db.resolve_locus(locus)
        table = db.frequencies[key] if key is not None else {}
        for a in self.alleles:
            if a not in table:
                self.notes.append(f"allele {a} not in database: minimum frequency {floor:g} used")
            elif table[a] < floor:
                self.notes.append(f"allele {a} rarer than the minimum: frequency {floor:g} used "
                                  f"instead of {table[a]:g}")

    def idx(self, g: Genotype) -> tuple[np.ndarray, np.ndarray]:
        return np.array([self.index[g[0]]]), np.array([self.index[g[1]]])


def _fmt(g: Genotype | None) -> str:
    return "–" if g is None else f"{g[0]}/{g[1]}"


def _ordered_loci(*profiles: Profile) -> list[str]:
    seen: dict[str, str] = {}
    for p in profiles:
        for locus in list(p.genotypes) + sorted(p.dropped):
            seen.setdefault(locus_key(locus), locus)
    return sorted(seen.values(), key=lambda n: (_ORDER.get(locus_key(n), 999), n))


def _genotype(p: Profile, locus: str) -> Genotype | None:
    if locus in p.genotypes:
        return p.genotypes[locus]
    key = locus_key(locus)
    for name, g in p.genotypes.items():
        if locus_key(name) == key:
            return g
    return None


def _check_in_db(loci: list[str], db: FrequencyDatabase, who: str) -> None:
    missing = [Problem(f"locus typed in {who} is missing from frequency database "
                       f"{db.name!r}", locus=locus) for locus in loci if locus not in db]
    if missing:
        raise KinshipInputError(missing)


def _assumptions(db: FrequencyDatabase, floor: float, theta: float, rates: MutationRates,
                 mutation_range: float, extra: dict[str, object]) -> dict[str, object]:
    return {
        "frequency_database": db.name,
        "frequency_database_synthetic": db.synthetic,
        "theta": theta,
        "theta_correction": "Balding–Nichols (NRC II 1996, 4.10)" if theta > 0 else None,
        "mutation": _mutation_assumption(rates, mutation_range),
        "min_frequency": floor,
        "loci_independent": True,
        **extra,
    }


def likelihood_ratio(
    a: Profile,
    b: Profile,
    relationship: str,
    freqs: FrequencyDatabase,
    *,
    theta: float = 0.0,
    mutation_rate: MutationRates = None,
    mutation_range: float = DEFAULT_MUTATION_RANGE,
    min_frequency: float | None = None,
) -> KinshipResult:
    """LR that ``a`` and ``b`` have ``relationship`` rather than being unrelated.

    Per locus LR = κ0 + κ1·R1 + κ2·R2 (see :mod:`reunite.kinship._formulas`), combined as a
    product over the loci typed in both people. ``theta`` applies the Balding–Nichols
    correction; ``mutation_rate`` (one rate or locus → rate) enables the stepwise
    mutation model for parent–child, with ``a`` the parent; it is not applied to other
    relationships, whose κ0 > 0 means no locus can exclude them. Alleles missing from the
    database, and rarer ones, get ``min_frequency`` (default: the database's).
    """
    rel = get_relationship(relationship)
    if rel.name == "unrelated":
        raise KinshipInputError("'unrelated' is the alternative hypothesis; choose a relationship"
                                " to test against it")
    if a.person_id == b.person_id:
        raise KinshipInputError(f"profile {a.person_id!r} is compared with itself")
    _check_common(theta, min_frequency, mutation_range)
    floor = freqs.default_min_frequency if min_frequency is None else min_frequency
    kappa = rel.kappa_float
    use_mutation = kappa == (0.0, 1.0, 0.0)
    loci = _ordered_loci(a, b)
    both = [locus for locus in loci if _genotype(a, locus) and _genotype(b, locus)]
    if not both:
        raise KinshipInputError(f"profiles {a.person_id!r} and {b.person_id!r} have no typed "
                                "locus in common")
    _check_in_db(both, freqs, "both profiles")
    rows: list[LocusResult] = []
    combined = 1.0
    for locus in loci:
        ga, gb = _genotype(a, locus), _genotype(b, locus)
        shown = {"a": _fmt(ga), "b": _fmt(gb)}
        if ga is None or gb is None:
            who = "a" if ga is None else "b"
            who = f"{who} and b" if ga is None and gb is None else who
            rows.append(LocusResult(locus, shown, None, f"not typed in {who}: not used"))
            continue
        la = _LocusAlleles(locus, freqs, floor, [*ga, *gb])
        a1, a2 = la.idx(ga)
        b1, b2 = la.idx(gb)
        mutation = mutation_for(locus, mutation_rate, mutation_range) if use_mutation else None
        lr = float(pair_lr(a1, a2, b1, b2, la.p, la.v, kappa, theta, mutation)[0])
        notes = list(la.notes)
        if use_mutation:
            plain = float(pair_lr(a1, a2, b1, b2, la.p, la.v, kappa, theta, None)[0])
            if plain == 0.0:
                notes.insert(0, "inconsistent: mutation model applied" if lr > 0
                             else "exclusion: no allele shared")
        rows.append(LocusResult(locus, shown, lr, "; ".join(notes)))
        combined *= lr
    warnings = _pair_warnings(a, b, rows)
    if mutation_rate is not None and not use_mutation:
        warnings.append(f"mutation model not applied: {rel.name} has κ0 > 0, so no locus can "
                        "exclude it")
    return KinshipResult(
        kind="pair",
        relationship=rel.name,
        hypothesis=rel.proposition(a.person_id, b.person_id),
        alternative=f"{a.person_id} and {b.person_id} are unrelated",
        subjects={"a": a.person_id, "b": b.person_id},
        loci=rows,
        combined_lr=combined,
        assumptions=_assumptions(freqs, floor, theta, mutation_rate if use_mutation else None,
                                 mutation_range, {"kappa": list(kappa)}),
        warnings=warnings,
    )


def _pair_warnings(a: Profile, b: Profile, rows: list[LocusResult]) -> list[str]:
    out: list[str] = []
    used = [r for r in rows if r.used]
    if len(used) < MIN_LOCI_WARNING:
        out.append(f"only {len(used)} loci compared: the result rests on a partial profile")
    if used and all(r.genotypes["a"] == r.genotypes["b"] for r in used):
        out.append(
            f"{a.person_id} and {b.person_id} have identical genotypes at all {len(used)} "
            "compared loci: identical twins or the same person sampled twice; autosomal STRs "
            "cannot tell twins apart, and a kinship LR between them is not meaningful"
        )
    return out


def trio_likelihood_ratio(
    child: Profile,
    known_parent: Profile,
    alleged_parent: Profile,
    freqs: FrequencyDatabase,
    *,
    alleged: str = "father",
    theta: float = 0.0,
    mutation_rate: MutationRates = None,
    mutation_range: float = DEFAULT_MUTATION_RANGE,
    min_frequency: float | None = None,
) -> KinshipResult:
    """Paternity (or maternity) index of ``alleged_parent`` given the child and known parent.

    H1: the alleged parent and the known parent are the child's parents; H2: the known
    parent and an unrelated person are. ``alleged`` is ``"father"`` or ``"mother"`` and
    only sets the wording. Where the known parent is not typed, the locus falls back to the
    duo (parent–child) formula. A locus where the child and the known parent are
    incompatible (without a mutation model) is reported and left out of the product.
    """
    if alleged not in {"father", "mother"}:
        raise KinshipInputError(f"alleged must be 'father' or 'mother', got {alleged!r}")
    ids = [child.person_id, known_parent.person_id, alleged_parent.person_id]
    if len(set(ids)) < 3:
        raise KinshipInputError(f"the child, known parent and alleged parent must be three "
                                f"different profiles, got {ids}")
    _check_common(theta, min_frequency, mutation_range)
    floor = freqs.default_min_frequency if min_frequency is None else min_frequency
    known = "mother" if alleged == "father" else "father"
    loci = _ordered_loci(child, alleged_parent, known_parent)
    usable = [lo for lo in loci if _genotype(child, lo) and _genotype(alleged_parent, lo)]
    if not usable:
        raise KinshipInputError("the child and the alleged parent have no typed locus in common")
    _check_in_db(usable, freqs, "the child and the alleged parent")
    rows: list[LocusResult] = []
    combined = 1.0
    warnings: list[str] = []
    for locus in loci:
        gc, gm, gf = (_genotype(p, locus) for p in (child, known_parent, alleged_parent))
        shown = {"child": _fmt(gc), f"{known}": _fmt(gm), f"alleged_{alleged}": _fmt(gf)}
        if gc is None or gf is None:
            missing = "the child" if gc is None else f"the alleged {alleged}"
            rows.append(LocusResult(locus, shown, None, f"not typed in {missing}: not used"))
            continue
        la = _LocusAlleles(locus, freqs, floor, [*gc, *gf, *(gm or ())])
        mutation = mutation_for(locus, mutation_rate, mutation_range)
        c1, c2 = la.idx(gc)
        f1, f2 = la.idx(gf)
        notes = list(la.notes)
        if gm is None:
            lr = float(pair_lr(f1, f2, c1, c2, la.p, la.v, (0.0, 1.0, 0.0), theta, mutation)[0])
            plain = float(pair_lr(f1, f2, c1, c2, la.p, la.v, (0.0, 1.0, 0.0), theta)[0])
            notes.insert(0, f"{known} not typed: duo formula used")
        else:
            m1, m2 = la.idx(gm)
            num, den = trio_terms(c1, c2, m1, m2, f1, f2, la.p, la.v, theta, mutation)
            if den[0] == 0.0:
                rows.append(LocusResult(locus, shown, None, f"inconsistent with the {known} "
                                        "(no shared allele): not used"))
                warnings.append(f"{locus}: the child shares no allele with the stated {known}; "
                                "check the samples or use a mutation model")
                continue
            lr = float(num[0] / den[0])
            pn, pd = trio_terms(c1, c2, m1, m2, f1, f2, la.p, la.v, theta, None)
            plain = float(pn[0] / pd[0]) if pd[0] > 0 else 0.0
        if plain == 0.0:
            notes.insert(0, "inconsistent: mutation model applied" if lr > 0
                         else f"exclusion: the alleged {alleged} cannot have passed on "
                         "the obligate allele")
        rows.append(LocusResult(locus, shown, lr, "; ".join(notes)))
        combined *= lr
    used = [r for r in rows if r.used]
    if len(used) < MIN_LOCI_WARNING:
        warnings.append(f"only {len(used)} loci compared: the result rests on a partial profile")
    return KinshipResult(
        kind="trio",
        relationship=f"trio-{'paternity' if alleged == 'father' else 'maternity'}",
        hypothesis=f"{alleged_parent.person_id} is the {alleged} of {child.person_id} "
        f"(with {known_parent.person_id} the {known})",
        alternative=f"an unrelated person is the {alleged} of {child.person_id}",
        subjects={"child": child.person_id, known: known_parent.person_id,
                  f"alleged_{alleged}": alleged_parent.person_id},
        loci=rows,
        combined_lr=combined,
        assumptions=_assumptions(freqs, floor, theta, mutation_rate, mutation_range, {}),
        warnings=warnings,
    )
