"""Public data classes of the generator: the ground truth and the generated population."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from reunite.interchange import InterchangeRecord

Difficulty = Literal["easy", "realistic", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "realistic", "hard")

#: Reference date of every population: ages and "current" facts are as of this day, so a
#: seed gives the same data whatever day it is run.
AS_OF = date(2025, 12, 31)


@dataclass(frozen=True)
class Enquirer:
    """A relative who wrote a tracing request (enquiry) for a child."""

    enquiry_id: str
    name: str
    relationship: str  # mother, father, grandmother, grandfather, aunt, uncle, sister, brother
    contact: str  # fictional: +380 00 … (no such operator code), +44 7700 900… or example.org


@dataclass
class SyntheticChild:
    """One separated Ukrainian child as they really are (the ground truth).

    Names are the true Ukrainian ones (surname in the child's gender form); the registry
    records and enquiries are distorted renderings of them. ``distortions`` maps each
    enquiry and registry id of this child to the tags of what was changed.
    """

    child_id: str
    family_id: str  # sibling group: children of one family share it
    sex: str
    surname: str
    given_name: str
    patronymic: str
    birth_date: date
    birth_place: str
    birth_oblast: str
    mother_name: str
    father_name: str
    is_twin: bool
    separation_date: date
    separation_place: str
    institution: str
    current_region: str
    legal_status: str
    citizenship: str  # "UA", or "UA, RU" / "RU" after Russian naturalisation
    name_changed: bool
    birthplace_changed: bool
    citizenship_changed: bool
    consent_for_tracing: bool
    russian_name: str = ""  # full name in the registry (main record), "" if not there
    enquirers: list[Enquirer] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)
    distortions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    @property
    def enquiry_ids(self) -> list[str]:
        return [e.enquiry_id for e in self.enquirers]

    @property
    def in_registry(self) -> bool:
        return bool(self.record_ids)

    @property
    def personal_status_altered(self) -> bool:
        return self.name_changed or self.birthplace_changed or self.citizenship_changed

    def age_on(self, day: date = AS_OF) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


@dataclass
class Population:
    """A generated population with known truth.

    ``truth`` holds (enquiry_id, record_id) pairs of the same child (a child with two
    enquiries and two registry records gives four pairs); ``duplicate_truth`` holds the
    groups of registry ids that are one child.
    """

    enquiries: list[InterchangeRecord]
    records: list[InterchangeRecord]
    truth: set[tuple[str, str]]
    duplicate_truth: set[frozenset[str]]
    children: list[SyntheticChild]
    difficulty: Difficulty = "realistic"
    seed: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def child_by_enquiry(self) -> dict[str, SyntheticChild]:
        return {e.enquiry_id: c for c in self.children for e in c.enquirers}

    def child_by_record(self) -> dict[str, SyntheticChild]:
        return {r: c for c in self.children for r in c.record_ids}

    def stats(self) -> dict[str, float]:
        """Shares a test or a benchmark report wants to see (see docs/synth.md)."""
        enquired = [c for c in self.children if c.enquirers]
        in_reg = [c for c in enquired if c.in_registry]
        tags = [t for c in self.children for rid in c.record_ids for t in c.distortions[rid]]
        n_true_records = sum(len(c.record_ids) for c in self.children)

        def share(tag: str) -> float:
            return tags.count(tag) / n_true_records if n_true_records else 0.0

        return {
            "enquiries": len(self.enquiries),
            "records": len(self.records),
            "children": len(self.children),
            "enquired_children": len(enquired),
            "enquired_in_registry_share": len(in_reg) / len(enquired) if enquired else 0.0,
            "truth_pairs": len(self.truth),
            "duplicate_groups": len(self.duplicate_truth),
            "given_russified_share": share("given_russified"),
            "adoption_surname_share": share("adoption_surname"),
            "birth_date_shifted_share": share("birth_date_shifted"),
            **{k: float(v) for k, v in self.counts.items()},
        }
