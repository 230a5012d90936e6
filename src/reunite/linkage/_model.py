"""The trained model: prior plus m/u per comparison level, saved as versioned JSON."""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from reunite.linkage import _spec
from reunite.linkage.exceptions import ModelError

FORMAT = "reunite-linkage-model"
FORMAT_VERSION = 1
LinkType = Literal["link_only", "dedupe_only"]

# Floors: u for a level never met among random pairs; m for a level trained to ~0.
U_FLOOR = 1e-5
M_FLOOR = 0.005


@dataclass(frozen=True, slots=True)
class LevelParams:
    label: str
    m: float
    u: float

    @property
    def weight(self) -> float:
        """Match weight in bits: log2(m / u)."""
        return math.log2(self.m / self.u)


@dataclass(slots=True)
class LinkageModel:
    """A Fellegi–Sunter model for Reunite's comparisons, independent of the back-end.

    ``prior`` is the probability that two random records (one per side) are the same
    child; ``levels`` maps each comparison to its non-null levels, strongest first.
    ``metadata`` records how and on what the model was trained.
    """

    prior: float
    levels: dict[str, tuple[LevelParams, ...]]
    link_type: LinkType = "link_only"
    metadata: dict[str, Any] = field(default_factory=dict)
    spec_version: int = _spec.SPEC_VERSION

    def __post_init__(self) -> None:
        if not 0.0 < self.prior < 1.0:
            raise ModelError(f"prior must be in (0, 1), got {self.prior!r}")
        if self.spec_version != _spec.SPEC_VERSION:
            raise ModelError(
                f"model was built for comparison spec {self.spec_version}, this Reunite "
                f"uses {_spec.SPEC_VERSION}: retrain it"
            )
        for f in _spec.FIELDS:
            got = self.levels.get(f.name)
            if got is None:
                raise ModelError(f"model has no parameters for comparison {f.name!r}")
            if tuple(p.label for p in got) != f.level_labels:
                raise ModelError(f"model levels of {f.name!r} do not match this Reunite")

    # -- Splink ----------------------------------------------------------------------------
    def settings(
        self, *, link_type: LinkType | None = None, blocking_rules: list[Any] | None = None
    ) -> Any:
        """A Splink ``SettingsCreator`` with this model's parameters fixed."""

        comps = []
        for f in _spec.FIELDS:
            params = self.levels[f.name]
            comps.append(
                f.creator().configure(
                    m_probabilities=[p.m for p in params],
                    u_probabilities=[p.u for p in params],
                )
            )
        return settings_creator(comps, link_type or self.link_type, self.prior, blocking_rules)

    @classmethod
    def from_splink(
        cls, model_dict: dict[str, Any], *, link_type: LinkType, metadata: dict[str, Any]
    ) -> LinkageModel:
        """Read the parameters out of ``linker.misc.save_model_to_json()``."""
        by_name = {c["output_column_name"]: c for c in model_dict["comparisons"]}
        levels: dict[str, tuple[LevelParams, ...]] = {}
        for f in _spec.FIELDS:
            comp = by_name.get(f.name)
            if comp is None:
                raise ModelError(f"Splink model lacks comparison {f.name!r}")
            non_null = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
            if len(non_null) != len(f.level_labels):
                raise ModelError(f"Splink model has unexpected levels for {f.name!r}")
            levels[f.name] = _fill_missing(
                f.level_labels,
                [lv.get("m_probability") for lv in non_null],
                [lv.get("u_probability") for lv in non_null],
            )
        prior = float(model_dict["probability_two_random_records_match"])
        return cls(prior=prior, levels=levels, link_type=link_type, metadata=metadata)

    # -- JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "spec_version": self.spec_version,
            "link_type": self.link_type,
            "probability_two_random_records_match": self.prior,
            "comparisons": {
                name: [
                    {"label": p.label, "m_probability": p.m, "u_probability": p.u}
                    for p in params
                ]
                for name, params in self.levels.items()
            },
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkageModel:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelError("not a Reunite linkage model (missing format marker)")
        if data.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"model format version {data.get('format_version')!r} is not supported "
                f"(this Reunite reads version {FORMAT_VERSION})"
            )
        try:
            levels = {
                name: tuple(
                    LevelParams(str(lv["label"]), float(lv["m_probability"]),
                                float(lv["u_probability"]))
                    for lv in params
                )
                for name, params in data["comparisons"].items()
            }
            return cls(
                prior=float(data["probability_two_random_records_match"]),
                levels=levels,
                link_type=data.get("link_type", "link_only"),
                metadata=dict(data.get("metadata") or {}),
                spec_version=int(data["spec_version"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"model file is malformed: {exc}") from exc

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model as JSON atomically (temp file + rename)."""
        target = Path(path)
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=False)
        fd, tmp = tempfile.mkstemp(prefix=".model-", suffix=".json", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LinkageModel:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ModelError(f"cannot read model {path}: {exc.strerror or exc}") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(f"model {path} is not valid JSON: {exc}") from exc
        return cls.from_dict(data)

    # -- reading ---------------------------------------------------------------------------
    def weight(self, field_name: str, label: str) -> float:
        for p in self.levels[field_name]:
            if p.label == label:
                return p.weight
        raise KeyError((field_name, label))

    def weights_table(self) -> list[tuple[str, str, float, float, float]]:
        """(field, level, m, u, weight) rows, for docs and ``--explain-model`` output."""
        return [
            (name, p.label, p.m, p.u, p.weight)
            for name, params in self.levels.items()
            for p in params
        ]


def _fill_missing(
    labels: tuple[str, ...], ms: list[float | None], us: list[float | None]
) -> tuple[LevelParams, ...]:
    """Make every level usable: neutral where untrained, bounded penalties.

    A level with no trained m (never seen in an EM block) gets m = u, i.e. about weight
    0: no evidence either way (exactly 0 when the whole field is untrained). Every m is
    floored at ``M_FLOOR`` so that no single field can veto a pair by more than about
    log2(1/M_FLOOR) bits: identity drift (a new surname, a new birthplace) must lower a
    true pair's score, not erase it.
    """
    u = [max(float(x), U_FLOOR) if x is not None else None for x in us]
    known_u = [x for x in u if x is not None]
    u_fill = min(known_u) if known_u else U_FLOOR
    u2 = [x if x is not None else u_fill for x in u]
    if all(mx is None for mx in ms):
        m2 = list(u2)  # an untrained field is neutral
    else:
        m2 = [
            max(float(mx) if mx is not None else ux, M_FLOOR)
            for mx, ux in zip(ms, u2, strict=True)
        ]
    sm, su = sum(m2), sum(u2)
    return tuple(
        LevelParams(lab, mi / sm, ui / su) for lab, mi, ui in zip(labels, m2, u2, strict=True)
    )


def settings_creator(
    comps: list[Any],
    link_type: LinkType,
    prior: float | None,
    blocking_rules: list[Any] | None = None,
) -> Any:
    from splink import SettingsCreator

    kwargs: dict[str, Any] = {}
    if prior is not None:
        kwargs["probability_two_random_records_match"] = prior
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=comps,
        blocking_rules_to_generate_predictions=(
            blocking_rules
            if blocking_rules is not None
            else [r.creator() for r in _spec.BLOCKING_RULES]  # type: ignore[misc]  # Splink accepts SQL strings too
        ),
        retain_matching_columns=True,  # the only way to get gamma_* (levels) back
        retain_intermediate_calculation_columns=True,
        max_iterations=25,
        em_convergence=0.0001,
        **kwargs,
    )


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
