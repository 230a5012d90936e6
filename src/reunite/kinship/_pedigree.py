"""Pedigrees: file format, validation and exact pedigree likelihoods per locus.

A pedigree is a list of people ``(id, father, mother, sex)``; founders have neither parent.
The likelihood of the typed members' genotypes at one locus is an exact sum over the
alleles of every untyped member, computed as a tensor contraction (variable elimination,
the same sum as Elston–Stewart peeling) with :func:`numpy.einsum`:

* every person has two allele variables, paternal and maternal;
* a founder allele has probability ``p_x`` (θ = 0), or all founder alleles together follow
  the Balding–Nichols urn (θ > 0; one joint factor, so θ is limited to small pedigrees);
* a child's paternal allele ``c`` comes from the father's ``(x, y)`` with probability
  ``(T(x→c) + T(y→c)) / 2``, ``T`` the engine's transmission (identity or stepwise
  mutation, :func:`reunite.kinship._formulas.transmit`); likewise from the mother. The
  gamete of an untyped founder is a population draw (the mutation model is taken as
  stationary there, as the pair and trio closed forms assume);
* a typed person contributes the indicator that ``{paternal, maternal}`` is the typed pair.

Without mutation the alleles are the ones observed at the locus plus one lumped "other"
allele carrying the remaining frequency, which is exact (nobody typed carries it, and the
Balding–Nichols urn is linear in counts and frequencies, so merging alleles is exact too).
With mutation every allele of the frequency table takes part, since an untyped member's
allele can mutate into an observed one. Untyped members without typed descendants are
pruned first: they do not change the likelihood.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reunite.kinship._formulas import Mutation, transmit
from reunite.kinship._lr import (
    DEFAULT_MUTATION_RANGE,
    MutationRates,
    _assumptions,
    _check_common,
    _check_in_db,
    _fmt,
    _genotype,
    _LocusAlleles,
    _ordered_loci,
    mutation_for,
)
from reunite.kinship._model import FrequencyDatabase, Genotype, Profile
from reunite.kinship._result import KinshipResult, LocusResult
from reunite.kinship.exceptions import KinshipInputError, Problem

#: Largest joint table of founder alleles built when θ > 0 (entries).
MAX_THETA_TABLE = 4_000_000
#: einsum has 52 index letters, two per person.
MAX_PEOPLE = 26
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SEX = {"m": "M", "male": "M", "1": "M", "f": "F", "female": "F", "2": "F"}


@dataclass(frozen=True, slots=True)
class Person:
    """One member of a pedigree; ``father``/``mother`` are ``None`` for a founder."""

    person_id: str
    father: str | None
    mother: str | None
    sex: str  # "M" or "F"

    @property
    def is_founder(self) -> bool:
        return self.father is None


@dataclass(frozen=True, slots=True)
class Pedigree:
    """A validated pedigree: people in an order where parents come before children."""

    people: tuple[Person, ...]

    @property
    def ids(self) -> list[str]:
        return [p.person_id for p in self.people]

    def person(self, person_id: str) -> Person:
        for p in self.people:
            if p.person_id == person_id:
                return p
        raise KinshipInputError(f"person {person_id!r} is not in the pedigree")

    def __contains__(self, person_id: object) -> bool:
        return any(p.person_id == person_id for p in self.people)

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[str]], *, first_row: int = 2) -> Pedigree:
        """Validate rows ``(id, father, mother, sex)``; ``first_row`` numbers the first one.

        Empty, ``0`` or ``NA`` parents mean "founder". Every problem is reported with its row.
        """
        problems: list[Problem] = []
        people: dict[str, Person] = {}
        row_of: dict[str, int] = {}
        for n, row in enumerate(rows, start=first_row):
            cells = [c.strip() for c in row] + [""] * (4 - len(row))
            if not any(cells):
                continue
            pid, father, mother, sex_text = cells[:4]
            if not pid:
                problems.append(Problem("empty id", row=n, column="id"))
                continue
            if pid in people:
                problems.append(Problem(f"id also used on row {row_of[pid]}", row=n,
                                        person_id=pid))
                continue
            sex = _SEX.get(sex_text.lower())
            if sex is None:
                problems.append(Problem(f"sex {sex_text!r} is not M or F", row=n,
                                        column="sex", person_id=pid))
                sex = "M"
            f = None if father.upper() in {"", "0", "NA"} else father
            m = None if mother.upper() in {"", "0", "NA"} else mother
            if (f is None) != (m is None):
                problems.append(Problem("give both parents or neither (add the unknown parent "
                                        "as an untyped founder)", row=n, person_id=pid))
            if pid in {f, m}:
                problems.append(Problem("is their own parent", row=n, person_id=pid))
            people[pid] = Person(pid, f, m, sex)
            row_of[pid] = n
        for pid, p in people.items():
            for role, parent, want in (("father", p.father, "M"), ("mother", p.mother, "F")):
                if parent is None or parent == pid:
                    continue
                if parent not in people:
                    problems.append(Problem(f"{role} {parent!r} is not a person in the "
                                            "pedigree", row=row_of[pid], column=role,
                                            person_id=pid))
                elif people[parent].sex != want:
                    word = "female" if want == "M" else "male"
                    problems.append(Problem(f"{role} {parent!r} is {word} (row "
                                            f"{row_of[parent]})", row=row_of[pid],
                                            column=role, person_id=pid))
        if problems:
            raise KinshipInputError(problems)
        ordered: list[Person] = []
        placed: set[str] = set()
        pending = list(people.values())
        while pending:
            ready = [p for p in pending if p.father is None
                     or (p.father in placed and p.mother in placed)]
            if not ready:
                raise KinshipInputError([
                    Problem("is their own ancestor (the parent links form a cycle)",
                            row=row_of[p.person_id], person_id=p.person_id) for p in pending
                    if _own_ancestor(p.person_id, people)
                ] or [Problem("the parent links form a cycle")])
            for p in ready:
                ordered.append(p)
                placed.add(p.person_id)
            pending = [p for p in pending if p.person_id not in placed]
        if not ordered:
            raise KinshipInputError("the pedigree has no people")
        return cls(tuple(ordered))

    def with_person(self, person: Person) -> Pedigree:
        return Pedigree((*self.people, person))

    def ancestors(self, person_id: str) -> set[str]:
        by_id = {p.person_id: p for p in self.people}
        out: set[str] = set()
        stack = [person_id]
        while stack:
            p = by_id[stack.pop()]
            for parent in (p.father, p.mother):
                if parent is not None and parent not in out:
                    out.add(parent)
                    stack.append(parent)
        return out


def _own_ancestor(pid: str, people: Mapping[str, Person]) -> bool:
    seen: set[str] = set()
    stack = [q for q in (people[pid].father, people[pid].mother) if q]
    while stack:
        q = stack.pop()
        if q == pid:
            return True
        if q in seen or q not in people:
            continue
        seen.add(q)
        stack.extend(x for x in (people[q].father, people[q].mother) if x)
    return False


def read_pedigree(source: str | Path) -> Pedigree:
    """Read a pedigree CSV with header ``id,father,mother,sex`` (see ``docs/kinship.md``)."""
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise KinshipInputError(f"cannot read pedigree file: {exc}", source=str(path)) from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise KinshipInputError("the pedigree file is empty", source=str(path))
    header = [c.strip().lower() for c in rows[0]]
    want = ["id", "father", "mother", "sex"]
    if [h for h in header if h] != want:
        raise KinshipInputError(Problem(f"header must be {','.join(want)}, got "
                                        f"{','.join(rows[0])}", row=1), source=str(path))
    try:
        return Pedigree.from_rows(rows[1:], first_row=2)
    except KinshipInputError as exc:
        raise KinshipInputError(exc.problems, source=str(path)) from None


# --- likelihood -------------------------------------------------------------------------


def _prune(ped: Pedigree, typed: set[str]) -> list[Person]:
    """People that matter: the typed ones and their ancestors (others sum out to 1)."""
    keep = set(typed)
    for pid in typed:
        keep |= ped.ancestors(pid)
    return [p for p in ped.people if p.person_id in keep]


def _founder_theta_table(n: int, p: np.ndarray, theta: float) -> np.ndarray:
    """Balding–Nichols joint probability of ``n`` founder alleles, shape (S,)*n."""
    s = len(p)
    grid = np.indices((s,) * n).reshape(n, -1)
    prob = np.ones(grid.shape[1])
    for k in range(n):
        m = np.zeros(grid.shape[1])
        for j in range(k):
            m += grid[j] == grid[k]
        prob *= (m * theta + (1.0 - theta) * p[grid[k]]) / (1.0 + (k - 1) * theta)
    return prob.reshape((s,) * n)


def locus_likelihood(
    people: Sequence[Person],
    typed: Mapping[str, tuple[int, int]],
    p: np.ndarray,
    v: np.ndarray,
    theta: float = 0.0,
    mutation: Mutation | None = None,
) -> float:
    """Exact likelihood of the typed genotypes (allele indices) for pruned ``people``."""
    if len(people) > MAX_PEOPLE:
        raise KinshipInputError(f"pedigree too large for exact summation ({len(people)} "
                                f"people that matter, at most {MAX_PEOPLE})")
    s = len(p)
    idx = np.arange(s)
    t = transmit(idx[:, None], idx[None, :], v, mutation)  # T[x, c]
    trans = 0.5 * (t[:, None, :] + t[None, :, :])  # [x, y, c]
    eye = np.eye(s)
    plain = 0.5 * (eye[:, None, :] + eye[None, :, :])
    by_id = {pp.person_id: pp for pp in people}

    def from_parent(parent: str) -> np.ndarray:
        # The mutation model is taken as stationary for an untyped founder's gamete (it
        # is a population draw), as the pair and trio closed forms assume.
        if by_id[parent].is_founder and parent not in typed:
            return plain
        return trans

    # A typed person's allele variables range over their own alleles only (one or two
    # values), which keeps every factor small; untyped people range over all S alleles.
    full = np.arange(s)
    dom: dict[str, np.ndarray] = {}
    var = {}
    for i, person in enumerate(people):
        var[person.person_id] = (_LETTERS[2 * i], _LETTERS[2 * i + 1])
        g = typed.get(person.person_id)
        dom[person.person_id] = full if g is None else np.array(sorted(set(g)))
    operands: list[np.ndarray] = []
    subs: list[str] = []
    founders = [pp for pp in people if pp.is_founder]
    if theta > 0.0:
        n = 2 * len(founders)
        if s ** n > MAX_THETA_TABLE:
            raise KinshipInputError(
                f"θ > 0 with {len(founders)} founders and {s} alleles needs a table of "
                f"{s}^{n} entries; use θ = 0 for this pedigree or fewer untyped founders")
        table = _founder_theta_table(n, p, theta)
        axes = [dom[f.person_id] for f in founders for _ in (0, 1)]
        operands.append(table[np.ix_(*axes)])
        subs.append("".join(var[f.person_id][0] + var[f.person_id][1] for f in founders))
    for person in people:
        pid = person.person_id
        pat, mat = var[pid]
        d = dom[pid]
        if person.is_founder:
            if theta == 0.0:
                operands += [p[d], p[d]]
                subs += [pat, mat]
        else:
            assert person.father is not None and person.mother is not None
            fa, ma = var[person.father], var[person.mother]
            df, dm = dom[person.father], dom[person.mother]
            operands += [from_parent(person.father)[np.ix_(df, df, d)],
                         from_parent(person.mother)[np.ix_(dm, dm, d)]]
            subs += [fa[0] + fa[1] + pat, ma[0] + ma[1] + mat]
        if pid in typed:
            a, b = typed[pid]
            ev = np.zeros((len(d), len(d)))
            ia, ib = int(np.searchsorted(d, a)), int(np.searchsorted(d, b))
            ev[ia, ib] = ev[ib, ia] = 1.0
            operands.append(ev)
            subs.append(pat + mat)
    expr = ",".join(subs) + "->"
    key = (expr, tuple(op.shape for op in operands))
    path = _PATHS.get(key)
    if path is None:  # finding a contraction order costs more than contracting
        path = np.einsum_path(expr, *operands, optimize="greedy")[0]
        if len(_PATHS) < 4096:
            _PATHS[key] = path
    return float(np.einsum(expr, *operands, optimize=path))


_PATHS: dict[tuple[str, tuple[tuple[int, ...], ...]], list[object]] = {}


def _locus_alleles(locus: str, db: FrequencyDatabase, floor: float, observed: list[str],
                   mutation: Mutation | None) -> tuple[_LocusAlleles, np.ndarray, np.ndarray]:
    """Allele set, frequencies and repeat values for the summation (see module docstring)."""
    key = db.resolve_locus(locus)
    pool = list(observed)
    if mutation is not None and key is not None:
        pool += list(db.frequencies[key])
    la = _LocusAlleles(locus, db, floor, pool)
    rest = max(0.0, 1.0 - float(la.p.sum()))
    # The lumped "other" allele: never typed, and never reached by a mutation step.
    p = np.append(la.p, rest)
    v = np.append(la.v, -1e6)
    return la, p, v


def pedigree_likelihood_ratio(
    pedigree: Pedigree,
    profiles: Mapping[str, Profile],
    freqs: FrequencyDatabase,
    *,
    missing: str,
    candidate: str,
    theta: float = 0.0,
    mutation_rate: MutationRates = None,
    mutation_range: float = DEFAULT_MUTATION_RANGE,
    min_frequency: float | None = None,
) -> KinshipResult:
    """LR that ``candidate`` is the pedigree's ``missing`` person rather than unrelated.

    H1: the candidate's profile sits at ``missing``; H2: ``missing`` is untyped and the
    candidate is an unrelated founder. Profiles of people in the pedigree are the typed
    references; other profiles are ignored. A locus counts when the candidate and at least
    one reference are typed at it.
    """
    _check_common(theta, min_frequency, mutation_range)
    if missing not in pedigree:
        raise KinshipInputError(f"missing person {missing!r} is not in the pedigree")
    if missing in profiles:
        raise KinshipInputError(Problem("the missing person has a profile; the missing "
                                        "person must be untyped", person_id=missing))
    if candidate not in profiles:
        raise KinshipInputError(f"candidate {candidate!r} has no profile")
    if candidate in pedigree:
        raise KinshipInputError(Problem("the candidate is already a member of the pedigree; "
                                        "give the candidate's own id, not a pedigree id",
                                        person_id=candidate))
    refs = {pid: profiles[pid] for pid in pedigree.ids if pid in profiles}
    if not refs:
        raise KinshipInputError("no member of the pedigree has a profile")
    cand = profiles[candidate]
    floor = freqs.default_min_frequency if min_frequency is None else min_frequency
    ped_h2 = pedigree.with_person(Person(candidate, None, None, "M"))
    loci = _ordered_loci(cand, *refs.values())
    usable = [lo for lo in loci if _genotype(cand, lo)
              and any(_genotype(r, lo) for r in refs.values())]
    if not usable:
        raise KinshipInputError("the candidate and the references have no typed locus in "
                                "common")
    _check_in_db(usable, freqs, "the candidate and the references")
    rows: list[LocusResult] = []
    combined = 1.0
    for locus in loci:
        gc = _genotype(cand, locus)
        geno: dict[str, Genotype] = {}
        for pid, prof in refs.items():
            g = _genotype(prof, locus)
            if g is not None:
                geno[pid] = g
        shown = {candidate: _fmt(gc), **{pid: _fmt(_genotype(r, locus))
                                         for pid, r in refs.items()}}
        if gc is None or not geno:
            who = "the candidate" if gc is None else "any reference"
            rows.append(LocusResult(locus, shown, None, f"not typed in {who}: not used"))
            continue
        mutation = mutation_for(locus, mutation_rate, mutation_range)
        observed = [a for g in [gc, *geno.values()] for a in g]
        la, p, v = _locus_alleles(locus, freqs, floor, observed, mutation)
        typed = {pid: (la.index[g[0]], la.index[g[1]]) for pid, g in geno.items()}
        cg = (la.index[gc[0]], la.index[gc[1]])
        h1_typed = {**typed, missing: cg}
        h2_typed = {**typed, candidate: cg}
        h1 = locus_likelihood(_prune(pedigree, set(h1_typed)), h1_typed, p, v, theta,
                              mutation)
        h2 = locus_likelihood(_prune(ped_h2, set(h2_typed)), h2_typed, p, v, theta,
                              mutation)
        if h2 == 0.0:
            rows.append(LocusResult(locus, shown, None, "the references are inconsistent "
                                    "with the pedigree at this locus: not used"))
            continue
        lr = h1 / h2
        notes = list(la.notes)
        if lr == 0.0:
            notes.insert(0, "exclusion: the candidate's genotype is impossible at this "
                         "position")
        rows.append(LocusResult(locus, shown, lr, "; ".join(notes)))
        combined *= lr
    warnings = [f"{r.locus}: {r.note}" for r in rows
                if r.note.startswith("the references are inconsistent")]
    used = [r for r in rows if r.used]
    if len(used) < 10:
        warnings.append(f"only {len(used)} loci compared: the result rests on a partial "
                        "profile")
    return KinshipResult(
        kind="pedigree",
        relationship="pedigree",
        hypothesis=f"{candidate} is {missing} in the family pedigree",
        alternative=f"{candidate} is unrelated to the family",
        subjects={"candidate": candidate, "missing": missing,
                  **{f"reference {pid}": pid for pid in refs}},
        loci=rows,
        combined_lr=combined,
        assumptions=_assumptions(freqs, floor, theta, mutation_rate, mutation_range,
                                 {"pedigree": [[q.person_id, q.father, q.mother, q.sex]
                                               for q in pedigree.people]}),
        warnings=warnings,
    )


def log10_or_none(x: float) -> float | None:
    return math.log10(x) if x > 0 else None


@dataclass(frozen=True, slots=True)
class Family:
    """A family searching for one missing person: its pedigree and typed references."""

    name: str
    pedigree: Pedigree
    missing: str
    references: Mapping[str, Profile]


@dataclass(frozen=True, slots=True)
class Assignment:
    """One joint answer: family name → candidate id (``None``: not among the candidates)."""

    matches: Mapping[str, str | None]
    lr: float  # against "every candidate unrelated to every family"
    posterior: float  # with a flat prior over the assignments listed


def joint_assignment(
    families: Sequence[Family],
    candidates: Mapping[str, Profile],
    freqs: FrequencyDatabase,
    **options: object,
) -> list[Assignment]:
    """Every way of giving each family at most one candidate (a candidate to at most one
    family), ranked by LR, as dvir's ``jointDVI`` does for disaster victims.

    The families are unrelated to each other and the loci independent, so with θ = 0 the
    joint LR of an assignment is the product of its pedigree LRs (each family's missing
    person independently). θ > 0 links families through the shared population and is not
    supported here.
    """
    import itertools

    if options.get("theta", 0.0):
        raise KinshipInputError("joint assignment uses θ = 0 (families treated as "
                                "independent)")
    names = [f.name for f in families]
    if len(set(names)) != len(names):
        raise KinshipInputError("family names must be distinct")
    pair_lr: dict[tuple[str, str], float] = {}
    for fam in families:
        for cid, prof in candidates.items():
            res = pedigree_likelihood_ratio(fam.pedigree, {**fam.references, cid: prof}, freqs,
                                            missing=fam.missing, candidate=cid,
                                            **options)  # type: ignore[arg-type]
            pair_lr[(fam.name, cid)] = res.combined_lr
    choices: list[list[str | None]] = [[None, *candidates] for _ in families]
    found: list[tuple[dict[str, str | None], float]] = []
    for combo in itertools.product(*choices):
        chosen = [c for c in combo if c is not None]
        if len(set(chosen)) != len(chosen):
            continue
        lr = 1.0
        for fam, chosen_id in zip(families, combo, strict=True):
            if chosen_id is not None:
                lr *= pair_lr[(fam.name, chosen_id)]
        found.append(({f.name: c for f, c in zip(families, combo, strict=True)}, lr))
    total = sum(lr for _, lr in found)
    found.sort(key=lambda x: -x[1])
    return [Assignment(m, lr, lr / total if total > 0 else 0.0) for m, lr in found]
