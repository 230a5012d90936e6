"""The saved model: JSON round trip, versioning, and parameter hygiene."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reunite.linkage import FIELDS, LinkageModel, ModelError, default_model
from reunite.linkage._model import M_FLOOR, _fill_missing


def test_round_trip_keeps_every_parameter(model: LinkageModel, tmp_path) -> None:
    path = model.save(tmp_path / "model.json")
    loaded = LinkageModel.load(path)
    assert loaded.prior == model.prior
    assert loaded.levels == model.levels
    assert loaded.metadata == model.metadata
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temp file left


def test_saved_json_is_versioned_with_training_metadata(model: LinkageModel, tmp_path) -> None:
    data = json.loads(model.save(tmp_path / "m.json").read_text(encoding="utf-8"))
    assert data["format"] == "reunite-linkage-model"
    assert data["format_version"] == 1
    meta = data["metadata"]
    assert meta["trained_on"] == {"left_records": 400, "right_records": 3000}
    assert meta["splink_version"] == "5.0.0"
    assert any(s["ok"] for s in meta["em_sessions"])
    assert 0 < data["probability_two_random_records_match"] < 1


def test_prior_comes_from_the_data(model: LinkageModel, population) -> None:
    # About one true pair per enquiry among |E| x |R| pairs: the prior must be near that.
    expected = len(population.truth) / (len(population.enquiries) * len(population.records))
    assert expected / 5 < model.prior < expected * 5


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="other"), "not a Reunite linkage model"),
        (lambda d: d.update(format_version=99), "format version"),
        (lambda d: d.update(spec_version=99), "retrain"),
        (lambda d: d["comparisons"].pop("surname"), "surname"),
        (lambda d: d.update(probability_two_random_records_match=2.0), "prior"),
        (lambda d: d["comparisons"]["sex"][0].pop("m_probability"), "malformed"),
    ],
)
def test_bad_model_files_are_refused(model: LinkageModel, tmp_path, mutate, message) -> None:
    data = model.to_dict()
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        LinkageModel.load(path)


def test_unreadable_model_file(tmp_path) -> None:
    with pytest.raises(ModelError, match="cannot read"):
        LinkageModel.load(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid JSON"):
        LinkageModel.load(tmp_path / "x.json")


def test_bundled_default_model_loads() -> None:
    m = default_model()
    assert {f.name for f in FIELDS} == set(m.levels)
    # Agreement on a strong field must count for a match, disagreement against.
    assert m.weight("birth_date", "exact") > 3
    assert m.weight("given_name", "different names") < 0


probs = st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0))


@given(st.integers(min_value=2, max_value=8).flatmap(
    lambda n: st.tuples(st.lists(probs, min_size=n, max_size=n),
                        st.lists(probs, min_size=n, max_size=n))))
def test_fill_missing_always_gives_usable_levels(mu) -> None:
    ms, us = mu
    labels = tuple(f"l{i}" for i in range(len(ms)))
    levels = _fill_missing(labels, ms, us)
    assert math.isclose(sum(p.m for p in levels), 1.0)
    assert math.isclose(sum(p.u for p in levels), 1.0)
    for p, m_raw in zip(levels, ms, strict=True):
        assert 0 < p.m <= 1 and 0 < p.u <= 1
        assert math.isfinite(p.weight)
        # No single field can veto a pair by more than the m floor allows.
        assert p.weight > math.log2(M_FLOOR / 1.0) - 8
        if m_raw is None and all(m is None for m in ms):
            assert abs(p.weight) < 1e-6  # untrained field: no evidence either way
