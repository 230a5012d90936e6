"""Screening: every child profile against every reference profile, ranked by LR.

Why lookup tables: the per-locus LR depends only on the two genotypes, so for each locus
and each distinct κ the engine evaluates the same formulas as :func:`likelihood_ratio`
once for every possible genotype pair (at most a few hundred thousand) and stores log10 LR.

Two passes per block of children × references:

1. Bound pass. A packed int16 copy of the tables (log10 LR × scale, rounded up) holds
   every relationship's value in one 8-byte record, so each locus costs one integer add
   (the table index), one gather and one int16 add for all relationships at once, about
   4–5 ns per pair and locus. The sum over loci is an upper bound of each relationship's
   exact log10 LR.
2. Exact pass. Only pairs whose bound reaches the child's current k-th best (and
   ``min_lr``) are recomputed in float64 from the exact tables and merged into the child's
   ranking: under 1 % of pairs once a small warm-up block has set the k-th best scores.

The ranking is therefore exactly what a per-pair computation would give. Memory is
bounded by the block sizes (about 60 MB per worker with the defaults); blocks of children
run on a thread pool, and NumPy releases the GIL in ``take`` and in arithmetic.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from reunite.kinship._formulas import pair_lr
from reunite.kinship._loci import KNOWN_LOCI, locus_key
from reunite.kinship._lr import DEFAULT_MUTATION_RANGE, MutationRates, _check_common, mutation_for
from reunite.kinship._model import (
    CLAIMABLE,
    FrequencyDatabase,
    Profile,
    allele_value,
    get_relationship,
    same_kappa_groups,
)
from reunite.kinship.exceptions import KinshipInputError, Problem

DEFAULT_SCREEN_RELATIONSHIPS: tuple[str, ...] = CLAIMABLE
_ORDER = {locus_key(n): i for i, n in enumerate(KNOWN_LOCI)}


@dataclass(frozen=True, slots=True)
class ScreenHit:
    """One ranked candidate: the best-supported relationship for a child–reference pair.

    Relationships with identical κ (half siblings, grandparent, avuncular) give identical
    LRs on unlinked loci, so they are reported together as one label joined by ``/``.
    """

    child_id: str
    reference_id: str
    relationship: str
    log10_lr: float | None
    loci_compared: int
    log10_by_relationship: dict[str, float | None]
    identical: bool = False  # same genotype at every compared locus: same person or twins

    @property
    def lr(self) -> float:
        if self.log10_lr is None:
            return 0.0
        return math.inf if self.log10_lr > 308 else 10.0 ** self.log10_lr

    def to_dict(self) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "reference_id": self.reference_id,
            "relationship": self.relationship,
            "lr": self.lr if math.isfinite(self.lr) else None,
            "log10_lr": self.log10_lr,
            "loci_compared": self.loci_compared,
            "log10_by_relationship": dict(self.log10_by_relationship),
            "identical": self.identical,
        }


@dataclass
class _Tables:
    loci: list[str]
    groups: list[str]
    sizes: list[int]  # G + 1 per locus (last code = not typed)
    log64: list[list[np.ndarray]]  # [locus][group] flat log10 LR, index child_g * size + ref_g


def _encode(profiles: Sequence[Profile], loci: list[str], index: list[dict[str, int]],
            sizes: list[int]) -> np.ndarray:
    keys = [locus_key(lo) for lo in loci]
    out = np.empty((len(profiles), len(loci)), dtype=np.int32)
    for li, size in enumerate(sizes):
        out[:, li] = size - 1
    for row, p in enumerate(profiles):
        by_key = {locus_key(k): g for k, g in p.genotypes.items()}
        for li, key in enumerate(keys):
            g = by_key.get(key)
            if g is not None:
                i, j = sorted((index[li][g[0]], index[li][g[1]]))
                out[row, li] = j * (j + 1) // 2 + i
    return out


def _build_tables(
    loci: list[str], allele_lists: list[list[str]], freqs: FrequencyDatabase, floor: float,
    groups: list[tuple[tuple[float, float, float], list[str]]], theta: float,
    mutation_rate: MutationRates, mutation_range: float,
) -> _Tables:
    log64: list[list[np.ndarray]] = []
    sizes = []
    for locus, alleles in zip(loci, allele_lists, strict=True):
        n = len(alleles)
        p = np.array([freqs.frequency(locus, a, floor) for a in alleles])
        v = np.array([allele_value(a) for a in alleles])
        j, i = np.nonzero(np.tril(np.ones((n, n), dtype=bool)))  # i <= j, code j(j+1)/2 + i
        order = np.argsort(j * (j + 1) // 2 + i)
        g1, g2 = i[order], j[order]
        size = len(g1) + 1
        sizes.append(size)
        child1, ref1 = np.repeat(g1, len(g1)), np.tile(g1, len(g1))
        child2, ref2 = np.repeat(g2, len(g2)), np.tile(g2, len(g2))
        per64 = []
        for kappa, _names in groups:
            mutation = (mutation_for(locus, mutation_rate, mutation_range)
                        if kappa == (0.0, 1.0, 0.0) else None)
            lr = pair_lr(ref1, ref2, child1, child2, p, v, kappa, theta, mutation)
            with np.errstate(divide="ignore"):
                lg = np.log10(lr).reshape(len(g1), len(g1))
            full = np.zeros((size, size))
            full[:-1, :-1] = lg
            per64.append(full.ravel())
        log64.append(per64)
    return _Tables(loci, ["/".join(n) for _, n in groups], sizes, log64)


def screen(
    children: Mapping[str, Profile] | Sequence[Profile],
    references: Mapping[str, Profile] | Sequence[Profile],
    freqs: FrequencyDatabase,
    *,
    relationships: Sequence[str] = DEFAULT_SCREEN_RELATIONSHIPS,
    top: int = 5,
    min_lr: float = 1.0,
    min_loci: int = 8,
    theta: float = 0.0,
    mutation_rate: MutationRates = None,
    mutation_range: float = DEFAULT_MUTATION_RANGE,
    min_frequency: float | None = None,
    block_children: int = 256,
    block_references: int = 8192,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    stats: dict[str, int] | None = None,
    claims: Mapping[str, str | Sequence[str]] | None = None,
) -> list[ScreenHit]:
    """Compare every child with every reference and rank the most likely relatives.

    For each pair, the log10 LR of each requested relationship against unrelated is the
    sum over loci typed in both (the same formulas as :func:`likelihood_ratio`, references
    taken as the elder/parent side for the mutation model). The pair is scored by its
    best-supported relationship; for each child the ``top`` references with LR ≥
    ``min_lr`` and at least ``min_loci`` loci in common are kept. Rows come back sorted by
    LR, highest first. ``progress`` is called with the number of pairs just finished;
    ``stats``, if given, receives counts (pairs, pairs computed exactly after the bound).

    ``claims`` maps a reference ID to the relationship(s) that relative states (a mother
    giving a sample claims ``parent-child``); such a reference is scored for its claim
    only, which avoids ranking it by a relationship nobody asserted. References not in
    ``claims`` are scored for every relationship in ``relationships``.
    """
    kids = list(children.values()) if isinstance(children, Mapping) else list(children)
    refs = list(references.values()) if isinstance(references, Mapping) else list(references)
    if not kids or not refs:
        raise KinshipInputError("screening needs at least one child and one reference profile")
    if top < 1:
        raise KinshipInputError(f"top must be at least 1, got {top}")
    if not min_lr > 0:
        raise KinshipInputError(f"min_lr must be positive, got {min_lr}")
    _check_common(theta, min_frequency, mutation_range)
    claimed: dict[str, list[str]] = {}
    for rid, rels in (claims or {}).items():
        names = [rels] if isinstance(rels, str) else list(rels)
        claimed[rid] = [get_relationship(n).name for n in names]
        if not names or "unrelated" in claimed[rid]:
            raise KinshipInputError(f"claim for reference {rid!r} must name a relationship")
    all_names = list(dict.fromkeys([get_relationship(n).name for n in relationships]
                                   + [n for names in claimed.values() for n in names]))
    groups = same_kappa_groups(all_names)
    groups = [(k, n) for k, n in groups if k != (1.0, 0.0, 0.0)]
    if not groups:
        raise KinshipInputError("no relationship to screen for")
    requested = {get_relationship(n).name for n in relationships}
    ref_ids = {p.person_id for p in refs}
    unknown = sorted(set(claimed) - ref_ids)
    if unknown:
        raise KinshipInputError([Problem("claim names a reference that has no profile",
                                         person_id=rid) for rid in unknown])
    default_row = np.array([bool(requested & set(n)) for _, n in groups])
    allowed = np.tile(default_row, (len(refs), 1))
    for i, p in enumerate(refs):
        if p.person_id in claimed:
            allowed[i] = [bool(set(claimed[p.person_id]) & set(n)) for _, n in groups]
    masked_refs = [np.flatnonzero(~allowed[:, k]) for k in range(len(groups))]
    floor = freqs.default_min_frequency if min_frequency is None else min_frequency

    # Loci and alleles actually present; every typed locus must be in the database.
    seen: dict[str, set[str]] = {}
    missing: dict[str, str] = {}
    for p in kids + refs:
        for locus, g in p.genotypes.items():
            db_locus = freqs.resolve_locus(locus)
            if db_locus is None:
                missing.setdefault(locus, p.person_id)
                continue
            seen.setdefault(db_locus, set()).update(g)
    if missing:
        raise KinshipInputError([
            Problem(f"locus is missing from frequency database {freqs.name!r} (first seen in "
                    f"{pid!r})", locus=locus) for locus, pid in missing.items()])
    loci = sorted(seen, key=lambda n: (_ORDER.get(locus_key(n), 999), n))
    allele_lists = [sorted(set(freqs.frequencies[lo]) | seen[lo], key=allele_value)
                    for lo in loci]
    index = [{a: i for i, a in enumerate(al)} for al in allele_lists]
    tables = _build_tables(loci, allele_lists, freqs, floor, groups, theta, mutation_rate,
                           mutation_range)
    codes_c = _encode(kids, loci, index, tables.sizes)
    codes_r = _encode(refs, loci, index, tables.sizes)
    codes_r_t = np.ascontiguousarray(codes_r.T)  # locus-major: contiguous rows per locus
    sizes = np.array(tables.sizes)
    typed_c = (codes_c != sizes - 1).astype(np.float32)
    typed_r = (codes_r != sizes - 1).astype(np.float32)
    ref_pos = {p.person_id: i for i, p in enumerate(refs)}
    self_ref = np.array([ref_pos.get(p.person_id, -1) for p in kids])
    threshold = math.log10(min_lr)
    top = min(top, len(refs))
    best_val = np.full((len(kids), top), -np.inf)
    best_ref = np.full((len(kids), top), -1, dtype=np.int64)
    lock = threading.Lock()
    counts = {"pairs": 0, "exact": 0}

    # Packed bound tables: for each locus one record of `width` int16 values (one per κ
    # group, padded) per genotype pair, so one 8-byte `take` fetches every relationship.
    # Values are log10 LR × scale rounded UP (and -inf clamped to -limit), so the int16
    # sum over loci is an upper bound of the exact sum: a pair whose bound misses a
    # child's current k-th best cannot belong in its top list and is skipped; the others
    # are recomputed exactly in float64. The scale keeps any sum of len(loci) values
    # inside int16.
    width = 1 if len(groups) == 1 else 2 if len(groups) == 2 else 4
    limit = 32767 // max(1, len(loci))
    finite_max = max(
        (float(np.max(np.abs(t[np.isfinite(t)]), initial=0.0)) for per in tables.log64
         for t in per), default=1.0)
    scale = limit / max(finite_max, 0.5)
    packed = []
    for per in tables.log64:
        cols = [np.clip(np.ceil(t * scale), -limit, limit).astype(np.int16) for t in per]
        cols += [np.full_like(cols[0], -limit)] * (width - len(per))
        packed.append(np.ascontiguousarray(np.stack(cols, axis=1)).view(f"V{2 * width}").ravel())
    codes_c_t = np.ascontiguousarray(codes_c.T)

    def exact(ci: np.ndarray, ri: np.ndarray) -> np.ndarray:
        vals = np.zeros((len(groups), len(ci)))
        for li in range(len(loci)):
            flat = codes_c_t[li][ci] * tables.sizes[li] + codes_r_t[li][ri]
            for k in range(len(groups)):
                vals[k] += tables.log64[li][k][flat]
        return vals

    local = threading.local()
    capacity = block_children * max(block_references, min(len(refs), max(4 * top, 256)))

    def work_buffers(nc: int, nr: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-thread scratch arrays, allocated once and reused for every block.

        Allocating fresh tens of megabytes per block made two threads slower than one:
        the page faults serialise on the process's memory map.
        """
        if not hasattr(local, "acc"):
            local.acc = np.empty(capacity * width, dtype=np.int16)
            local.idx = np.empty(capacity, dtype=np.int32)
            local.buf = np.empty(capacity, dtype=packed[0].dtype)
        n = nc * nr
        return (local.acc[: n * width].reshape(nc, nr, width), local.idx[:n].reshape(nc, nr),
                local.buf[:n].reshape(nc, nr))

    def run_block(c0: int) -> None:
        c1 = min(c0 + block_children, len(kids))
        rows = codes_c[c0:c1]
        nc = c1 - c0
        bv = np.full((nc, top), -np.inf)
        br = np.full((nc, top), -1, dtype=np.int64)
        offsets = [(rows[:, li] * tables.sizes[li])[:, None] for li in range(len(loci))]
        # A small first block sets each child's k-th best score early, so the bound prunes
        # most pairs of the large blocks that follow.
        warm = min(len(refs), max(4 * top, 256))
        starts = [0, *range(warm, len(refs), block_references)]
        for r0 in starts:
            r1 = min(len(refs), warm if r0 == 0 else r0 + block_references)
            nr = r1 - r0
            acc, idx, buf = work_buffers(nc, nr)
            acc.fill(0)
            view = buf.view(np.int16).reshape(nc, nr, width)
            for li in range(len(loci)):
                np.add(offsets[li], codes_r_t[li, None, r0:r1], out=idx)
                np.take(packed[li], idx, out=buf)
                acc += view
            for k, cols in enumerate(masked_refs):
                inside = cols[(cols >= r0) & (cols < r1)] - r0
                if len(inside):
                    acc[:, inside, k] = np.iinfo(np.int16).min
            score = acc[:, :, 0]
            for k in range(1, width):
                score = np.maximum(score, acc[:, :, k])
            floor_now = np.maximum(threshold, bv.min(axis=1))
            floor_q = np.where(np.isfinite(floor_now), np.floor(floor_now * scale), -1e9)
            ci, rj = np.nonzero(score >= floor_q[:, None])
            del score
            with lock:
                counts["pairs"] += nc * nr
                counts["exact"] += len(ci)
            if len(ci):
                gc, gr = ci + c0, rj + r0
                every = exact(gc, gr)
                every[~allowed[gr].T] = -np.inf
                vals = every.max(axis=0)
                nloci = (typed_c[gc] * typed_r[gr]).sum(axis=1)
                ok = (vals >= threshold) & (nloci >= min_loci) & (self_ref[gc] != gr)
                ci, gr, vals = ci[ok], gr[ok], vals[ok]
                if len(ci):
                    cuts = np.flatnonzero(np.diff(ci)) + 1
                    for part_c, part_r, part_v in zip(np.split(ci, cuts), np.split(gr, cuts),
                                                      np.split(vals, cuts), strict=True):
                        i = part_c[0]
                        cand_v = np.concatenate([bv[i], part_v])
                        cand_r = np.concatenate([br[i], part_r])
                        keep = np.argsort(-cand_v, kind="stable")[:top]
                        bv[i], br[i] = cand_v[keep], cand_r[keep]
            if progress is not None:
                with lock:
                    progress(nc * nr)
        best_val[c0:c1] = bv
        best_ref[c0:c1] = br

    starts = range(0, len(kids), block_children)
    n_workers = max(1, workers or os.cpu_count() or 1)
    if n_workers == 1:
        for c0 in starts:
            run_block(c0)
    else:
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            for fut in [pool.submit(run_block, c0) for c0 in starts]:
                fut.result()

    if stats is not None:
        stats.update(counts)
    # Exact (float64) per-relationship values for the kept pairs.
    ci, slot = np.nonzero(np.isfinite(best_val))
    ri = best_ref[ci, slot]
    final = np.zeros((len(groups), len(ci)))
    for li in range(len(loci)):
        flat = codes_c[ci, li] * tables.sizes[li] + codes_r[ri, li]
        for k in range(len(groups)):
            final[k] += tables.log64[li][k][flat]
    nloci = (typed_c[ci] * typed_r[ri]).sum(axis=1).astype(int)
    both = (typed_c[ci] * typed_r[ri]) > 0
    same = ((codes_c[ci] == codes_r[ri]) | ~both).all(axis=1) & (nloci > 0)
    hits = []
    for n in range(len(ci)):
        ok = allowed[ri[n]]
        vals = np.where(ok, final[:, n], -np.inf)
        k = int(np.argmax(vals))
        rid = refs[ri[n]].person_id
        chosen = set(claimed.get(rid, requested))
        labels = ["/".join(x for x in names if x in chosen) for _, names in groups]
        by_rel = {labels[g]: (float(vals[g]) if np.isfinite(vals[g]) else None)
                  for g in range(len(groups)) if ok[g]}
        hits.append(ScreenHit(kids[ci[n]].person_id, rid, labels[k],
                              float(vals[k]) if np.isfinite(vals[k]) else None, int(nloci[n]),
                              by_rel, bool(same[n])))
    hits.sort(key=lambda h: (-(h.log10_lr if h.log10_lr is not None else -math.inf),
                             h.child_id, h.reference_id))
    return hits
