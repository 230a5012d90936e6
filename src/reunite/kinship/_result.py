"""The result of a kinship calculation, its verbal scale and posterior probability."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reunite.kinship.exceptions import KinshipInputError

#: ENFSI Guideline for Evaluative Reporting in Forensic Science (2015), verbal equivalents
#: of the likelihood ratio (its table of verbal equivalents): lower bound of each
#: band and the wording of the support it gives the first proposition.
VERBAL_SCALE_SOURCE = (
    "ENFSI Guideline for Evaluative Reporting in Forensic Science (2015), "
    "verbal equivalents of the likelihood ratio"
)
_BANDS: tuple[tuple[float, str], ...] = (
    (1_000_000, "extremely strong support"),
    (10_000, "very strong support"),
    (1_000, "strong support"),
    (100, "moderately strong support"),
    (10, "moderate support"),
    (2, "weak support"),
)


def verbal_scale(lr: float, claim: str = "the claimed relationship holds",
                 alternative: str = "the people are unrelated") -> str:
    """Describe an LR on the ENFSI (2015) verbal scale, in either direction.

    An LR of zero is an exclusion, not a point on the scale.
    """
    if lr == 0.0:
        return f"Exclusion: the profiles are incompatible with the proposition that {claim}."
    if math.isnan(lr):
        return "No conclusion: the likelihood ratio is undefined."
    favoured, other, x = (claim, alternative, lr) if lr >= 1 else (alternative, claim, 1 / lr)
    for lower, words in _BANDS:
        if x >= lower:
            return (f"The DNA results provide {words} for the proposition that {favoured} "
                    f"rather than that {other}.")
    return "The DNA results do not support either proposition over the other (LR about 1)."


@dataclass(frozen=True, slots=True)
class LocusResult:
    """One row of the per-locus table."""

    locus: str
    genotypes: dict[str, str]
    lr: float | None
    note: str = ""

    @property
    def used(self) -> bool:
        return self.lr is not None

    def to_dict(self) -> dict[str, Any]:
        return {"locus": self.locus, "genotypes": dict(self.genotypes), "lr": self.lr,
                "log10_lr": _log10(self.lr), "note": self.note}


def _log10(x: float | None) -> float | None:
    if x is None or x <= 0 or math.isnan(x):
        return None
    return math.log10(x)


@dataclass(frozen=True, slots=True)
class KinshipResult:
    """A likelihood ratio for a claimed relationship against the people being unrelated.

    ``loci`` holds every locus looked at, including those not used (with the reason in
    ``note`` and ``lr`` None). ``combined_lr`` is the product over used loci (independent,
    unlinked loci assumed). ``excluded`` is True when some locus gives LR 0, which happens
    only without a mutation model (or for a relationship with κ0 = 0, e.g. parent–child).
    """

    kind: str  # "pair" or "trio"
    relationship: str
    hypothesis: str
    alternative: str
    subjects: dict[str, str]
    loci: list[LocusResult]
    combined_lr: float
    assumptions: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def log10_lr(self) -> float | None:
        """log10 of the combined LR; ``None`` for an exclusion (LR 0)."""
        return _log10(self.combined_lr)

    @property
    def excluded(self) -> bool:
        return self.combined_lr == 0.0

    @property
    def loci_used(self) -> int:
        return sum(1 for r in self.loci if r.used)

    @property
    def inconsistent_loci(self) -> list[str]:
        """Loci where the genotypes break Mendel's rules for the claim (LR 0 or mutation)."""
        return [r.locus for r in self.loci if r.note.startswith(("exclusion", "inconsistent"))]

    @property
    def verbal(self) -> str:
        return verbal_scale(self.combined_lr, self.hypothesis, self.alternative)

    def posterior(self, prior: float) -> float:
        """Posterior probability of the claim for a prior probability in (0, 1).

        Posterior odds = LR × prior odds (Bayes' theorem in odds form).
        """
        if not 0.0 < prior < 1.0:
            raise ValueError(f"prior must be strictly between 0 and 1, got {prior}")
        if self.combined_lr == 0.0:
            return 0.0
        if math.isinf(self.combined_lr):
            return 1.0
        odds = self.combined_lr * prior / (1.0 - prior)
        return odds / (1.0 + odds)

    def to_dict(self, *, prior: float | None = 0.5) -> dict[str, Any]:
        """A JSON-ready dict (no NaN or infinity): per-locus rows, combined LR, verdict."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "relationship": self.relationship,
            "hypothesis": self.hypothesis,
            "alternative": self.alternative,
            "subjects": dict(self.subjects),
            "loci": [r.to_dict() for r in self.loci],
            "loci_used": self.loci_used,
            "combined_lr": self.combined_lr,
            "log10_lr": self.log10_lr,
            "excluded": self.excluded,
            "inconsistent_loci": self.inconsistent_loci,
            "verbal": self.verbal,
            "verbal_scale": VERBAL_SCALE_SOURCE,
            "assumptions": dict(self.assumptions),
            "warnings": list(self.warnings),
        }
        if prior is not None:
            out["posterior"] = {"prior": prior, "probability": self.posterior(prior)}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KinshipResult:
        """Rebuild a result from :meth:`to_dict` output (e.g. stored JSON, to re-render a PDF)."""
        try:
            return cls(
                kind=str(data["kind"]),
                relationship=str(data["relationship"]),
                hypothesis=str(data["hypothesis"]),
                alternative=str(data["alternative"]),
                subjects={str(k): str(v) for k, v in data["subjects"].items()},
                loci=[LocusResult(str(r["locus"]), {str(k): str(v) for k, v in
                                                    r["genotypes"].items()},
                                  None if r["lr"] is None else float(r["lr"]),
                                  str(r.get("note", ""))) for r in data["loci"]],
                combined_lr=float(data["combined_lr"]),
                assumptions=dict(data["assumptions"]),
                warnings=[str(w) for w in data.get("warnings", [])],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise KinshipInputError(f"not a stored kinship result: {exc!r}") from exc
