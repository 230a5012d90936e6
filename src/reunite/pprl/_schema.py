"""The encoding schema: which canonical keys go into the Bloom filter, with how many bits.

Every field is a set of *tokens* built from the names engine's canonical keys (never raw
strings), each token setting ``hashes`` bit positions drawn by keyed random hashing. The
number of positions per field is its weight in the Dice coefficient: a field that is
strong evidence (the given-name id, the surname key, the full birth date) sets more bits
than weak evidence (sex, the region of separation). The default counts were chosen by
measurement (``bench/pprl_tune.py``; docs/pprl.md, "Field weights").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

#: Version of the token definitions and of the hashing. Encodings of different versions
#: never meet: the mediator refuses to compare them.
SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of the encoding: its name, what it holds and its bits per token."""

    name: str
    hashes: int
    description: str


#: Fields in encoding order. Bits per token (``hashes``) from ``bench/pprl_tune.py``.
DEFAULT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("given_id", 24, "given-name ids (Олександр, Александр, Sasha → oleksandr)"),
    FieldSpec("given_grams", 2, "bigrams of the given-name id, or of its Latin key if unknown"),
    FieldSpec("surname_key", 24, "surname keys across scripts and gender forms, aliases included"),
    FieldSpec("surname_grams", 2, "bigrams of the surname key (typos, near spellings)"),
    FieldSpec("surname_sound", 10, "Daitch–Mokotoff-style code of the surname"),
    FieldSpec("father_id", 30, "father's given-name ids from the patronymic or father's name"),
    FieldSpec("mother", 10, "mother's given-name ids and surname key"),
    FieldSpec("sex", 4, "sex (M/F)"),
    FieldSpec("birth_year", 16, "birth year, or the years an estimated age allows"),
    FieldSpec("birth_year_near", 8, "two overlapping two-year buckets (a year off still meets)"),
    FieldSpec("birth_month", 16, "birth year and month"),
    FieldSpec("birth_day", 24, "full birth date"),
    FieldSpec("birth_daymonth", 10, "year with the unordered day/month pair (swapped dates)"),
    FieldSpec("birth_place", 20, "gazetteer id of the birthplace"),
    FieldSpec("birth_region", 8, "oblast of the birthplace"),
    FieldSpec("separation_region", 3, "oblast of the separation place and current region"),
)


@dataclass(frozen=True, slots=True)
class Hardening:
    """Measures against frequency and pattern-mining attacks (docs/pprl.md, "Hardening").

    ``xor_fold``: fold the filter in half by XOR (Schnell & Borgs 2016, XOR-folding).
    ``flip_probability``: permanent randomised response (Schnell & Borgs 2016), with the
    flips keyed by the secret and the record's tokens, so that encoding the same record
    twice gives the same filter and the noise cannot be averaged away.
    ``balanced``: append the complement and permute under the secret (Schnell & Borgs
    2016): every filter then has the same number of ones.
    """

    xor_fold: bool = False
    flip_probability: float = 0.0
    balanced: bool = False


#: XOR-fold 2048 -> 1024 bits and 2 % keyed random flips: measured to cost about 0.006 F1
#: against the unhardened filter (bench/pprl_tune.py).
DEFAULT_HARDENING = Hardening(xor_fold=True, flip_probability=0.02)


@dataclass(frozen=True, slots=True)
class EncodingSchema:
    """Bloom filter length (before hardening), fields and hardening."""

    bits: int = 2048
    fields: tuple[FieldSpec, ...] = DEFAULT_FIELDS
    hardening: Hardening = field(default_factory=lambda: DEFAULT_HARDENING)
    version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if self.bits < 64 or self.bits & (self.bits - 1):
            raise ValueError("bits must be a power of two, at least 64")
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError("field names must be unique")
        if any(f.hashes < 0 or f.hashes > 256 for f in self.fields):
            raise ValueError("hashes per field must be 0-256")
        if not 0.0 <= self.hardening.flip_probability < 0.5:
            raise ValueError("flip_probability must be in [0, 0.5)")

    @property
    def output_bits(self) -> int:
        """Length of the encoded filter after folding and balancing."""
        n = self.bits // 2 if self.hardening.xor_fold else self.bits
        return n * 2 if self.hardening.balanced else n

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def as_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "bits": self.bits,
            "fields": [asdict(f) for f in self.fields],
            "hardening": asdict(self.hardening),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> EncodingSchema:
        fields_data = data["fields"]
        hard = data.get("hardening") or {}
        assert isinstance(fields_data, list) and isinstance(hard, dict)
        return cls(
            bits=int(data["bits"]),  # type: ignore[call-overload]
            fields=tuple(FieldSpec(str(f["name"]), int(f["hashes"]), str(f.get("description", "")))
                         for f in fields_data),
            hardening=Hardening(**hard),
            version=int(data["version"]),  # type: ignore[call-overload]
        )

    def digest(self) -> str:
        """A short digest of everything that changes the bits (not the descriptions)."""
        core = {
            "version": self.version,
            "bits": self.bits,
            "fields": [[f.name, f.hashes] for f in self.fields],
            "hardening": asdict(self.hardening),
        }
        raw = json.dumps(core, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


DEFAULT_SCHEMA = EncodingSchema()
