"""Value types: alleles, profiles, frequency databases and relationships."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from reunite.kinship.exceptions import KinshipInputError, Problem

_ALLELE = re.compile(r"^(\d{1,3})(?:\.(\d))?$")

Genotype = tuple[str, str]
"""An unordered genotype stored as two canonical allele strings, smaller value first."""


def parse_allele(text: str) -> str:
    """Return the canonical form of an STR allele designation, or raise ``ValueError``.

    Alleles are repeat counts, optionally with a one-digit microvariant suffix giving the
    extra base pairs of an incomplete repeat (``9.3`` at TH01, ``22.2`` at FGA). Leading
    zeros and a ``.0`` suffix are dropped, so ``"09"``, ``"9.0"`` and ``"9"`` are equal.
    Non-numeric designations (``X``, ``OL``, ``<5``) are rejected: an LR needs a frequency
    for a specific allele.
    """
    s = text.strip()
    m = _ALLELE.match(s)
    if not m:
        raise ValueError(f"allele {text!r} is not a repeat number such as 12 or 9.3")
    whole = int(m.group(1))
    frac = m.group(2)
    if whole == 0 or whole > 199:
        raise ValueError(f"allele {text!r} is outside the plausible range 1–199 repeats")
    if frac and frac != "0":
        return f"{whole}.{frac}"
    return str(whole)


def allele_value(allele: str) -> float:
    """Numeric repeat value of a canonical allele (``9.3`` → 9.3), for ordering and steps."""
    return float(allele)


def make_genotype(a: str, b: str) -> Genotype:
    """Return the canonical unordered genotype of two canonical alleles."""
    return (a, b) if allele_value(a) <= allele_value(b) else (b, a)


@dataclass(frozen=True, slots=True)
class Profile:
    """A person's STR profile.

    ``genotypes`` maps canonical locus names to genotypes; ``dropped`` lists loci that the
    lab attempted but could not type (empty alleles), which are simply not compared.
    ``amelogenin`` keeps the sex marker if the file had one (``"X"``, ``"XY"``); it is
    never used in a likelihood ratio.
    """

    person_id: str
    genotypes: Mapping[str, Genotype]
    dropped: frozenset[str] = frozenset()
    amelogenin: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "genotypes", MappingProxyType(dict(self.genotypes)))

    def __hash__(self) -> int:
        return hash((self.person_id, frozenset(self.genotypes.items()), self.dropped,
                     self.amelogenin))

    @classmethod
    def from_alleles(
        cls, person_id: str, alleles: Mapping[str, tuple[str | int | float, str | int | float]]
    ) -> Profile:
        """Build a profile from ``{locus: (allele1, allele2)}``, validating every allele.

        Locus names are taken as given (use :func:`read_profiles` for name checks).
        """
        problems: list[Problem] = []
        genotypes: dict[str, Genotype] = {}
        for locus, pair in alleles.items():
            if len(pair) != 2:
                problems.append(
                    Problem(f"expected 2 alleles, got {len(pair)}", locus=locus,
                            person_id=person_id)
                )
                continue
            try:
                a, b = (parse_allele(str(x)) for x in pair)
            except ValueError as exc:
                problems.append(Problem(str(exc), locus=locus, person_id=person_id))
                continue
            genotypes[locus] = make_genotype(a, b)
        if problems:
            raise KinshipInputError(problems)
        return cls(person_id, genotypes)

    @property
    def loci(self) -> list[str]:
        return list(self.genotypes)

    def __len__(self) -> int:
        return len(self.genotypes)


@dataclass(frozen=True, slots=True)
class FrequencyDatabase:
    """Allele frequencies per locus, as supplied by a lab (or the synthetic demo set).

    ``sample_size`` (number of people typed) sets the default minimum allele frequency
    5/(2N), as recommended by NRC II (1996) for rare and unseen alleles; without it
    the default is 0.001. ``synthetic`` marks made-up data that must never support a real
    conclusion; reports print it prominently.
    """

    name: str
    frequencies: Mapping[str, Mapping[str, float]]
    sample_size: int | None = None
    synthetic: bool = False
    description: str = ""
    _keys: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        from reunite.kinship._loci import locus_key

        frozen = {
            locus: MappingProxyType(dict(alleles)) for locus, alleles in self.frequencies.items()
        }
        object.__setattr__(self, "frequencies", MappingProxyType(frozen))
        keys = {locus_key(locus): locus for locus in frozen}
        keys.update({locus: locus for locus in frozen})  # exact spelling: no normalising
        object.__setattr__(self, "_keys", keys)

    @property
    def loci(self) -> list[str]:
        return list(self.frequencies)

    @property
    def default_min_frequency(self) -> float:
        if self.sample_size:
            return 5.0 / (2.0 * self.sample_size)
        return 0.001

    def resolve_locus(self, locus: str) -> str | None:
        """Return the database's own spelling of ``locus`` (tolerant matching) or ``None``."""
        from reunite.kinship._loci import locus_key

        found = self._keys.get(locus)
        return found if found is not None else self._keys.get(locus_key(locus))

    def __contains__(self, locus: object) -> bool:
        return isinstance(locus, str) and self.resolve_locus(locus) is not None

    def frequency(self, locus: str, allele: str, min_frequency: float | None = None) -> float:
        """Frequency of ``allele`` at ``locus``, raised to ``min_frequency`` if lower or unseen."""
        floor = self.default_min_frequency if min_frequency is None else min_frequency
        key = self.resolve_locus(locus)
        if key is None:
            raise KinshipInputError(
                Problem(f"locus is not in frequency database {self.name!r}", locus=locus)
            )
        return max(self.frequencies[key].get(allele, 0.0), floor)

    def is_observed(self, locus: str, allele: str) -> bool:
        key = self.resolve_locus(locus)
        return key is not None and allele in self.frequencies[key]


@dataclass(frozen=True, slots=True)
class Relationship:
    """A pairwise relationship and its IBD coefficients (κ0, κ1, κ2).

    κi is the probability that the two people share i alleles identical by descent at an
    unlinked autosomal locus (K. Lange, "Applied Probability", Table 5.1; Thompson 1975).
    """

    name: str
    kappa: tuple[Fraction, Fraction, Fraction]
    description: str  # a proposition template with {a} and {b}

    def proposition(self, a: str, b: str) -> str:
        """The claim in words, e.g. "M01 is a parent of C07"."""
        return self.description.format(a=a, b=b)

    def __post_init__(self) -> None:
        if sum(self.kappa) != 1 or min(self.kappa) < 0:
            raise ValueError(f"IBD coefficients of {self.name} must be ≥ 0 and sum to 1")

    @property
    def kappa_float(self) -> tuple[float, float, float]:
        return (float(self.kappa[0]), float(self.kappa[1]), float(self.kappa[2]))

    @property
    def kinship_coefficient(self) -> Fraction:
        """θ-kinship φ = κ1/4 + κ2/2 (probability two random alleles are IBD)."""
        return self.kappa[1] / 4 + self.kappa[2] / 2


def _rel(name: str, k0: str, k1: str, k2: str, description: str) -> Relationship:
    return Relationship(name, (Fraction(k0), Fraction(k1), Fraction(k2)), description)


RELATIONSHIPS: Mapping[str, Relationship] = MappingProxyType(
    {
        r.name: r
        for r in (
            _rel("parent-child", "0", "1", "0", "{a} is a parent of {b}"),
            _rel("full-siblings", "1/4", "1/2", "1/4", "{a} and {b} are full siblings"),
            _rel("half-siblings", "1/2", "1/2", "0", "{a} and {b} are half siblings"),
            _rel("grandparent", "1/2", "1/2", "0", "{a} is a grandparent of {b}"),
            _rel("avuncular", "1/2", "1/2", "0", "{a} is an uncle or aunt of {b}"),
            _rel("first-cousins", "3/4", "1/4", "0", "{a} and {b} are first cousins"),
            _rel("unrelated", "1", "0", "0", "{a} and {b} are unrelated"),
        )
    }
)

#: Relationships a claim can be tested for (everything except the alternative itself).
CLAIMABLE: tuple[str, ...] = tuple(n for n in RELATIONSHIPS if n != "unrelated")


def get_relationship(name: str) -> Relationship:
    """Look a relationship up by name (accepting ``_`` for ``-`` and any case)."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    aliases = {
        "parent": "parent-child", "child": "parent-child", "siblings": "full-siblings",
        "full-sibling": "full-siblings", "half-sibling": "half-siblings",
        "grandparent-grandchild": "grandparent", "uncle": "avuncular", "aunt": "avuncular",
        "first-cousin": "first-cousins", "cousins": "first-cousins",
    }  # fmt: skip
    key = aliases.get(key, key)
    if key not in RELATIONSHIPS:
        raise KinshipInputError(
            f"unknown relationship {name!r}; expected one of: {', '.join(RELATIONSHIPS)}"
        )
    return RELATIONSHIPS[key]


def same_kappa_groups(names: Iterable[str]) -> list[tuple[tuple[float, float, float], list[str]]]:
    """Group relationship names with identical κ (they give identical LRs on unlinked loci)."""
    groups: dict[tuple[float, float, float], list[str]] = {}
    for n in names:
        rel = get_relationship(n)
        groups.setdefault(rel.kappa_float, []).append(rel.name)
    return list(groups.items())


def finite_log10(x: float) -> float | None:
    """log10 of a non-negative number, ``None`` for zero (an exclusion)."""
    return math.log10(x) if x > 0 else None
