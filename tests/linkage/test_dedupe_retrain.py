"""Deduplication within one list, comparison counts, and retraining from review labels."""

from __future__ import annotations

import pytest

from reunite.linkage import (
    TrainingError,
    comparison_counts,
    dedupe,
    link,
    retrain_with_labels,
    score_pairs,
)


def test_dedupe_finds_the_children_registered_twice(population) -> None:
    clusters = dedupe(population.records, threshold=0.9)
    found = {frozenset(c.record_ids) for c in clusters}
    truth = {g for g in population.duplicate_truth if len(g) > 1}
    assert truth, "the synthetic population should hold duplicates"
    hit = sum(1 for g in truth if any(g <= f for f in found))
    assert hit / len(truth) >= 0.6, (hit, len(truth))
    pure = sum(1 for f in found if any(f <= g for g in truth))
    assert pure / len(found) >= 0.7, (pure, len(found))
    for c in clusters:
        assert c.size >= 2 and list(c.record_ids) == sorted(c.record_ids)


def test_comparison_counts_per_rule(population) -> None:
    counts = comparison_counts(population.enquiries, population.records)
    names = [c.rule for c in counts]
    assert names[0] == "dob" and len(set(names)) == len(names)
    assert counts[-1].cumulative == sum(c.comparisons for c in counts)
    # Near-linear: far fewer than all pairs.
    assert counts[-1].cumulative < 0.05 * len(population.enquiries) * len(population.records)


def test_score_pairs_ignores_blocking(population, model) -> None:
    e, r = population.enquiries[0], population.records[-1]
    (g,) = score_pairs(model, [e], [r])
    assert set(g) == {"given_name", "surname", "father", "mother", "sex", "birth_date",
                      "birth_place", "separation_place"}


def test_retraining_from_reviews_moves_weights_the_right_way(population, model) -> None:
    cands = link(population.enquiries, population.records, model=model, threshold=0.2,
                 top_k=3, explain=False)
    labels = [(p.enquiry_id, p.record_id, p.key in population.truth) for p in cands]
    assert any(s for *_, s in labels) and not all(s for *_, s in labels)
    new = retrain_with_labels(model, population.enquiries, population.records, labels)
    assert new.metadata["labels"]["confirmed"] == sum(1 for *_, s in labels if s)
    assert new.metadata["labels"]["rejected"] == sum(1 for *_, s in labels if not s)
    assert len(new.metadata["history"]) == 1
    before = link(population.enquiries, population.records, model=model, threshold=0.5,
                  top_k=5, explain=False)
    after = link(population.enquiries, population.records, model=new, threshold=0.5,
                 top_k=5, explain=False)

    def f1(pairs):
        chosen = {p.key for p in pairs}
        tp = len(chosen & population.truth)
        return 2 * tp / (len(chosen) + len(population.truth))

    assert f1(after) >= f1(before) - 0.01


def test_retraining_refuses_unknown_ids(population, model) -> None:
    with pytest.raises(TrainingError, match="unknown ids"):
        retrain_with_labels(model, population.enquiries, population.records,
                            [("nope", population.records[0].record_id, True)])
    with pytest.raises(TrainingError, match="no labels"):
        retrain_with_labels(model, population.enquiries, population.records, [])
