"""Dice similarity of two parties' encodings and the best candidates per record of side A.

The similarity is anonlink's popcount Dice coefficient (C++, one pass over all pairs, no
blocking key that could leak); when anonlink is missing, the same computation runs in NumPy
(``np.bitwise_count`` on packed 64-bit words). Both return, for every record of side A,
its ``top_k`` records of side B with Dice ≥ ``threshold``, best first.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from reunite.pprl._encode import Encoding
from reunite.pprl.exceptions import IncompatibleEncodingsError

#: Default Dice threshold and candidates per record (see docs/pprl.md, "Threshold").
DEFAULT_THRESHOLD = 0.575
DEFAULT_TOP_K = 5
#: A candidate more than this below its record's best candidate is dropped: the true
#: record is nearly always the best one, and the runners-up are mostly namesakes.
DEFAULT_MARGIN = 0.1
_CHUNK = 1000

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Pair:
    """A candidate pair: pseudonyms of both sides, Dice score, rank within A's candidates."""

    a_id: str
    b_id: str
    score: float
    rank: int


def check_compatible(a: Encoding, b: Encoding) -> None:
    """Raise :class:`IncompatibleEncodingsError` unless ``a`` and ``b`` can be compared."""
    if a.secret_fingerprint != b.secret_fingerprint:
        raise IncompatibleEncodingsError(
            "the two encodings were made with different secrets (fingerprints "
            f"{a.secret_fingerprint[:8]}… and {b.secret_fingerprint[:8]}…); both parties must "
            "encode with the same shared secret"
        )
    if a.schema.version != b.schema.version:
        raise IncompatibleEncodingsError(
            f"schema versions differ ({a.schema.version} and {b.schema.version}); both parties "
            "must encode with the same version of Reunite"
        )
    if a.schema.field_names != b.schema.field_names:
        only_a = sorted(set(a.schema.field_names) - set(b.schema.field_names))
        only_b = sorted(set(b.schema.field_names) - set(a.schema.field_names))
        raise IncompatibleEncodingsError(
            "the field sets differ"
            + (f"; only in A: {', '.join(only_a)}" if only_a else "")
            + (f"; only in B: {', '.join(only_b)}" if only_b else "")
            + ("; same fields in another order" if not (only_a or only_b) else "")
        )
    if a.schema.digest() != b.schema.digest():
        raise IncompatibleEncodingsError(
            "the encodings use different bits per field, filter lengths or hardening "
            f"(schema {a.schema.digest()} vs {b.schema.digest()}); encode both with the same "
            "settings"
        )


def _have_anonlink() -> bool:
    # anonlink 0.15 uses mypy_extensions.TypedDict, which warns on import; harmless here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import anonlink.similarities  # noqa: F401
        except ImportError:
            return False
    return True


def _dice_anonlink(a: np.ndarray, b_bits: list, threshold: float,
                   k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from anonlink.similarities import dice_coefficient
    from bitarray import bitarray

    a_bits = []
    for row in a:
        ba = bitarray()
        ba.frombytes(row.tobytes())
        a_bits.append(ba)
    sims, (ia, ib) = dice_coefficient([a_bits, b_bits], threshold, k)
    return (np.frombuffer(sims, dtype=np.float64).copy(),
            np.frombuffer(ia, dtype=np.uint32).astype(np.int64),
            np.frombuffer(ib, dtype=np.uint32).astype(np.int64))


def _dice_numpy(a: np.ndarray, b: np.ndarray, b_pop: np.ndarray, threshold: float,
                k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a64 = np.ascontiguousarray(a).view(np.uint64)
    b64 = np.ascontiguousarray(b).view(np.uint64)
    a_pop = np.bitwise_count(a64).sum(axis=1, dtype=np.int64)
    sims_out, ia_out, ib_out = [], [], []
    for start in range(0, len(a64), 64):
        block = a64[start:start + 64]
        inter = np.bitwise_count(block[:, None, :] & b64[None, :, :]).sum(axis=2, dtype=np.int64)
        denom = a_pop[start:start + 64, None] + b_pop[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            dice = np.where(denom > 0, 2.0 * inter / np.maximum(denom, 1), 0.0)
        kk = min(k, dice.shape[1])
        top = np.argpartition(-dice, kk - 1, axis=1)[:, :kk]
        for r in range(len(block)):
            cols = top[r]
            vals = dice[r, cols]
            keep = vals >= threshold
            sims_out.append(vals[keep])
            ia_out.append(np.full(int(keep.sum()), start + r, dtype=np.int64))
            ib_out.append(cols[keep].astype(np.int64))
    if not sims_out:
        empty = np.zeros(0)
        return empty, empty.astype(np.int64), empty.astype(np.int64)
    return np.concatenate(sims_out), np.concatenate(ia_out), np.concatenate(ib_out)


def link_encodings(
    a: Encoding,
    b: Encoding,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    top_k: int = DEFAULT_TOP_K,
    margin: float | None = DEFAULT_MARGIN,
    engine: str = "auto",
    workers: int = 2,
    progress: Progress | None = None,
) -> list[Pair]:
    """Candidate pairs: for each record of ``a``, up to ``top_k`` records of ``b`` with Dice
    ≥ ``threshold``, sorted by A's pseudonym order then score (best first).

    ``margin``: drop candidates scoring more than this below the record's best one
    (``None`` keeps all ``top_k``). ``engine``: "anonlink", "numpy" or "auto" (anonlink
    when installed).
    """
    check_compatible(a, b)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be between 0 and 1")
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    use_anonlink = (engine == "anonlink" or engine == "auto") and _have_anonlink()
    if engine == "anonlink" and not use_anonlink:
        raise ValueError("anonlink is not installed (pip install anonlink==0.15.3)")
    if engine not in ("auto", "anonlink", "numpy"):
        raise ValueError(f"unknown engine {engine!r}")
    n_a = len(a)
    if n_a == 0 or len(b) == 0:
        return []
    chunks = [(s, a.filters[s:s + _CHUNK]) for s in range(0, n_a, _CHUNK)]
    if use_anonlink:
        from bitarray import bitarray

        b_list = []
        for row in b.filters:
            ba = bitarray()
            ba.frombytes(row.tobytes())
            b_list.append(ba)

        def run(chunk: tuple[int, np.ndarray]) -> tuple[int, tuple[np.ndarray, ...]]:
            return chunk[0], _dice_anonlink(chunk[1], b_list, threshold, top_k)
    else:
        b_pop = np.bitwise_count(np.ascontiguousarray(b.filters).view(np.uint64)).sum(
            axis=1, dtype=np.int64)

        def run(chunk: tuple[int, np.ndarray]) -> tuple[int, tuple[np.ndarray, ...]]:
            return chunk[0], _dice_numpy(chunk[1], b.filters, b_pop, threshold, top_k)

    pairs: list[Pair] = []
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for start, (sims, ia, ib) in pool.map(run, chunks):
            order = np.lexsort((ib, -sims, ia))
            last, rank, best = -1, 0, 0.0
            for j in order:
                i_a = int(ia[j]) + start
                if i_a != last:
                    rank, best, last = 0, float(sims[j]), i_a
                if margin is not None and float(sims[j]) < best - margin:
                    continue
                rank += 1
                pairs.append(Pair(a.ids[i_a], b.ids[int(ib[j])], round(float(sims[j]), 6), rank))
            done += min(_CHUNK, n_a - start)
            if progress is not None:
                progress(done, n_a)
    return pairs


def select_pairs(pairs: list[Pair], *, threshold: float = DEFAULT_THRESHOLD,
                 margin: float | None = DEFAULT_MARGIN) -> list[Pair]:
    """The decision rule of :func:`link_encodings` applied afterwards: keep pairs scoring at
    least ``threshold`` and within ``margin`` of their record's best score (ranks renumbered).
    Lets one run with ``threshold`` low and ``margin=None`` serve both ranking and decisions."""
    best: dict[str, float] = {}
    for p in pairs:
        best[p.a_id] = max(best.get(p.a_id, 0.0), p.score)
    kept: list[Pair] = []
    rank: dict[str, int] = {}
    for p in sorted(pairs, key=lambda p: (p.a_id, -p.score, p.b_id)):
        if p.score < threshold or (margin is not None and p.score < best[p.a_id] - margin):
            continue
        rank[p.a_id] = rank.get(p.a_id, 0) + 1
        kept.append(Pair(p.a_id, p.b_id, p.score, rank[p.a_id]))
    return kept


def greedy_one_to_one(pairs: list[Pair]) -> list[Pair]:
    """Keep each record in at most one pair, best scores first (a greedy solver, as
    anonlink's ``greedy_solve``). Useful when both lists hold each child at most once."""
    used_a: set[str] = set()
    used_b: set[str] = set()
    kept: list[Pair] = []
    for p in sorted(pairs, key=lambda p: (-p.score, p.a_id, p.b_id)):
        if p.a_id in used_a or p.b_id in used_b:
            continue
        used_a.add(p.a_id)
        used_b.add(p.b_id)
        kept.append(Pair(p.a_id, p.b_id, p.score, 1))
    return sorted(kept, key=lambda p: (p.a_id, -p.score))
