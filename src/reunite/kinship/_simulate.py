"""Seeded simulation of related and unrelated STR profiles (tests, demo, benchmark).

Genotypes are simulated down small pedigrees by Mendelian transmission from founders whose
alleles are drawn from a frequency database (Hardy–Weinberg, unlinked loci). An optional
stepwise mutation moves a transmitted allele one repeat up or down (if that allele exists
in the database).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reunite.kinship._model import FrequencyDatabase, Profile, allele_value, get_relationship
from reunite.kinship.exceptions import KinshipInputError

# Pedigrees: person -> (father, mother) or None for a founder; and the pair to return.
_PEDIGREES: dict[str, tuple[dict[str, tuple[str, str] | None], tuple[str, str]]] = {
    "parent-child": ({"F": None, "M": None, "C": ("F", "M")}, ("F", "C")),
    "full-siblings": ({"F": None, "M": None, "C1": ("F", "M"), "C2": ("F", "M")},
                      ("C1", "C2")),
    "half-siblings": ({"F": None, "M1": None, "M2": None, "C1": ("F", "M1"),
                       "C2": ("F", "M2")}, ("C1", "C2")),
    "grandparent": ({"G1": None, "G2": None, "P": ("G1", "G2"), "X": None, "C": ("P", "X")},
                    ("G1", "C")),
    "avuncular": ({"G1": None, "G2": None, "P": ("G1", "G2"), "U": ("G1", "G2"), "X": None,
                   "C": ("P", "X")}, ("U", "C")),
    "first-cousins": ({"G1": None, "G2": None, "P": ("G1", "G2"), "U": ("G1", "G2"),
                       "X": None, "Y": None, "C1": ("P", "X"), "C2": ("U", "Y")},
                      ("C1", "C2")),
    "unrelated": ({"A": None, "B": None}, ("A", "B")),
}


@dataclass
class _Locus:
    name: str
    alleles: list[str]
    p: np.ndarray
    up: np.ndarray  # index of the allele one repeat higher (or itself)
    down: np.ndarray


def _shift(pos: dict[str, int], allele: str, step: int) -> int:
    """Index of the allele ``step`` repeats away, or of ``allele`` itself if there is none."""
    v = allele_value(allele) + step
    cand = f"{v:g}" if v != int(v) else str(int(v))
    return pos.get(cand, pos[allele])


def _locus_tables(db: FrequencyDatabase, loci: Sequence[str]) -> list[_Locus]:
    out = []
    for locus in loci:
        key = db.resolve_locus(locus)
        if key is None:
            raise KeyError(f"locus {locus} is not in {db.name}")
        table = db.frequencies[key]
        alleles = sorted(table, key=allele_value)
        p = np.array([table[a] for a in alleles], dtype=np.float64)
        pos = {a: i for i, a in enumerate(alleles)}
        up = np.array([_shift(pos, a, 1) for a in alleles])
        down = np.array([_shift(pos, a, -1) for a in alleles])
        out.append(_Locus(key, alleles, p / p.sum(), up, down))
    return out


class Simulator:
    """Draws genotypes for whole pedigrees at once, as allele-index arrays (n × 2) per locus."""

    def __init__(self, freqs: FrequencyDatabase, loci: Sequence[str] | None = None,
                 *, seed: int | np.random.Generator = 0, mutation_rate: float = 0.0):
        self.freqs = freqs
        self.loci = _locus_tables(freqs, loci if loci is not None else freqs.loci)
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.mutation_rate = mutation_rate

    def founders(self, n: int) -> list[np.ndarray]:
        return [self.rng.choice(len(lo.p), size=(n, 2), p=lo.p) for lo in self.loci]

    def child(self, father: list[np.ndarray], mother: list[np.ndarray]) -> list[np.ndarray]:
        out = []
        for lo, f, m in zip(self.loci, father, mother, strict=True):
            n = f.shape[0]
            pick_f = f[np.arange(n), self.rng.integers(0, 2, n)]
            pick_m = m[np.arange(n), self.rng.integers(0, 2, n)]
            g = np.stack([self._mutate(lo, pick_f), self._mutate(lo, pick_m)], axis=1)
            out.append(g)
        return out

    def _mutate(self, lo: _Locus, alleles: np.ndarray) -> np.ndarray:
        if self.mutation_rate <= 0:
            return alleles
        hit = self.rng.random(alleles.shape[0]) < self.mutation_rate
        up = self.rng.random(alleles.shape[0]) < 0.5
        moved = np.where(up, lo.up[alleles], lo.down[alleles])
        return np.where(hit, moved, alleles)

    def pedigree(self, relationship: str, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Simulate ``n`` independent pedigrees; return the genotype arrays of the pair."""
        people, pair = _PEDIGREES[get_relationship(relationship).name]
        done: dict[str, list[np.ndarray]] = {}
        for person, parents in people.items():
            done[person] = self.founders(n) if parents is None else self.child(
                done[parents[0]], done[parents[1]])
        return done[pair[0]], done[pair[1]]

    def trio(self, n: int) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """Simulate ``n`` (child, mother, father) trios."""
        father, mother = self.founders(n), self.founders(n)
        return self.child(father, mother), mother, father

    def profiles(self, arrays: list[np.ndarray], ids: Sequence[str]) -> list[Profile]:
        """Turn genotype arrays into :class:`Profile` objects."""
        names = [lo.name for lo in self.loci]
        out = []
        for row, pid in enumerate(ids):
            g = {}
            for lo, name, arr in zip(self.loci, names, arrays, strict=True):
                a, b = lo.alleles[arr[row, 0]], lo.alleles[arr[row, 1]]
                g[name] = (a, b) if allele_value(a) <= allele_value(b) else (b, a)
            out.append(Profile(pid, g))
        return out


def simulate_pair(
    relationship: str,
    freqs: FrequencyDatabase,
    *,
    seed: int | np.random.Generator = 0,
    loci: Sequence[str] | None = None,
    ids: tuple[str, str] = ("A", "B"),
    mutation_rate: float = 0.0,
) -> tuple[Profile, Profile]:
    """Simulate one pair of people with ``relationship`` (``unrelated`` allowed).

    For parent-child, grandparent and avuncular the first profile is the elder.
    """
    sim = Simulator(freqs, loci, seed=seed, mutation_rate=mutation_rate)
    a, b = sim.pedigree(relationship, 1)
    return sim.profiles(a, [ids[0]])[0], sim.profiles(b, [ids[1]])[0]


def simulate_trio(
    freqs: FrequencyDatabase,
    *,
    seed: int | np.random.Generator = 0,
    loci: Sequence[str] | None = None,
    ids: tuple[str, str, str] = ("child", "mother", "father"),
    mutation_rate: float = 0.0,
) -> tuple[Profile, Profile, Profile]:
    """Simulate a (child, mother, father) trio."""
    sim = Simulator(freqs, loci, seed=seed, mutation_rate=mutation_rate)
    c, m, f = sim.trio(1)
    return (sim.profiles(c, [ids[0]])[0], sim.profiles(m, [ids[1]])[0],
            sim.profiles(f, [ids[2]])[0])


@dataclass(frozen=True)
class ScreeningPopulation:
    """Children and references with a known truth: ``truth`` maps (child, ref) → relationship."""

    children: dict[str, Profile]
    references: dict[str, Profile]
    truth: dict[tuple[str, str], str]


def simulate_screening(
    freqs: FrequencyDatabase,
    n_children: int,
    n_references: int,
    *,
    related: dict[str, int] | None = None,
    loci: Sequence[str] | None = None,
    seed: int = 0,
    drop_rate: float = 0.0,
) -> ScreeningPopulation:
    """Simulate a screening set: mostly unrelated people plus planted related pairs.

    ``related`` gives how many child–reference pairs of each relationship to plant
    (default: 10 parent–child, 5 full siblings, 5 half siblings). ``drop_rate`` removes
    that fraction of loci at random from each profile (degraded samples).
    """
    related = {"parent-child": 10, "full-siblings": 5, "half-siblings": 5} if related is None \
        else related
    n_planted = sum(related.values())
    if n_planted > min(n_children, n_references):
        raise KinshipInputError(f"cannot plant {n_planted} related pairs among {n_children} "
                                f"children and {n_references} references")
    sim = Simulator(freqs, loci, seed=seed)
    kids = sim.founders(n_children)
    refs = sim.founders(n_references)
    truth: dict[tuple[str, str], str] = {}
    width_c, width_r = len(str(n_children)), len(str(n_references))
    cid = [f"C{i:0{width_c}d}" for i in range(n_children)]
    rid = [f"R{i:0{width_r}d}" for i in range(n_references)]
    ci = sim.rng.permutation(n_children)[:n_planted]
    ri = sim.rng.permutation(n_references)[:n_planted]
    k = 0
    for rel, count in related.items():
        if count == 0:
            continue
        elder, younger = sim.pedigree(rel, count)
        for j in range(count):
            for li in range(len(sim.loci)):
                refs[li][ri[k + j]] = elder[li][j]
                kids[li][ci[k + j]] = younger[li][j]
            truth[(cid[ci[k + j]], rid[ri[k + j]])] = get_relationship(rel).name
        k += count
    children = {p.person_id: p for p in sim.profiles(kids, cid)}
    references = {p.person_id: p for p in sim.profiles(refs, rid)}
    if drop_rate > 0:
        children = {k: _drop(p, drop_rate, sim.rng) for k, p in children.items()}
        references = {k: _drop(p, drop_rate, sim.rng) for k, p in references.items()}
    return ScreeningPopulation(children, references, truth)


def _drop(p: Profile, rate: float, rng: np.random.Generator) -> Profile:
    keep = {k: g for k, g in p.genotypes.items() if rng.random() >= rate}
    if not keep:
        first = next(iter(p.genotypes))
        keep = {first: p.genotypes[first]}
    return Profile(p.person_id, keep, frozenset(set(p.genotypes) - set(keep)))
