"""Linking enquiries with records: quality on synthetic data, identity drift, ordering,
exclusions, incremental runs and explanations."""

from __future__ import annotations

import dataclasses

import pytest

from reunite.interchange import InterchangeRecord, PartialDate
from reunite.linkage import (
    CandidatePair,
    Incremental,
    LinkageError,
    LinkageModel,
    link,
)
from reunite.linkage._engine import _probability


@pytest.fixture(scope="module")
def candidates(population, model) -> list[CandidatePair]:
    return link(population.enquiries, population.records, model=model, threshold=0.01,
                top_k=5)


def test_quality_on_a_realistic_population(population, candidates) -> None:
    truth = population.truth
    top5 = {p.key for p in candidates}
    chosen = {p.key for p in candidates if p.probability >= 0.5}
    top5_recall = len(top5 & truth) / len(truth)
    precision = len(chosen & truth) / len(chosen)
    recall = len(chosen & truth) / len(truth)
    assert top5_recall >= 0.93, top5_recall
    assert precision >= 0.85, precision
    assert recall >= 0.80, recall


def test_output_sorted_by_enquiry_then_probability(candidates) -> None:
    keys = [(p.enquiry_id, -p.match_weight, p.record_id) for p in candidates]
    assert keys == sorted(keys)
    per: dict[str, list[CandidatePair]] = {}
    for p in candidates:
        per.setdefault(p.enquiry_id, []).append(p)
    assert max(len(v) for v in per.values()) <= 5
    for v in per.values():
        assert [p.rank for p in v] == list(range(1, len(v) + 1))


def test_threshold_and_top_k_are_respected(population, model) -> None:
    pairs = link(population.enquiries[:100], population.records, model=model, threshold=0.9,
                 top_k=1)
    assert all(p.probability >= 0.9 for p in pairs)
    assert len({p.enquiry_id for p in pairs}) == len(pairs)


def test_explanation_adds_up_to_the_match_weight(candidates, model) -> None:
    import math

    prior_weight = math.log2(model.prior / (1 - model.prior))
    for p in candidates[:200]:
        assert len(p.explanation) == 8
        total = prior_weight + sum(e.weight for e in p.explanation)
        assert total == pytest.approx(p.match_weight, abs=0.05)
        assert p.probability == pytest.approx(_probability(p.match_weight), abs=1e-4)
    text = candidates[0].explanation_text()
    assert "birth date:" in text and "given name:" in text


def test_excluded_pairs_never_come_back_and_free_their_place(population, model) -> None:
    enquiries = population.enquiries[:150]
    first = link(enquiries, population.records, model=model, threshold=0.01, top_k=1)
    rejected = {p.key for p in first}
    again = link(enquiries, population.records, model=model, threshold=0.01, top_k=1,
                 exclude_pairs=rejected)
    assert not rejected & {p.key for p in again}
    # An enquiry whose best candidate was rejected gets its second-best instead.
    second = link(enquiries, population.records, model=model, threshold=0.01, top_k=2)
    runners_up = {p.key for p in second if p.rank == 2}
    assert runners_up == {p.key for p in again}


def test_incremental_run_equals_the_new_part_of_a_full_run(population, model) -> None:
    enq, recs = population.enquiries[:200], population.records
    new_e, new_r = enq[150:], recs[2500:]
    full = {p.key: p.match_weight for p in link(enq, recs, model=model, threshold=0.05,
                                                top_k=None, explain=False)}
    new_ids = Incremental(frozenset(e.record_id for e in new_e),
                          frozenset(r.record_id for r in new_r))
    inc = {p.key: p.match_weight for p in link(enq, recs, model=model, threshold=0.05,
                                               top_k=None, only_new=new_ids, explain=False)}
    expected = {k: w for k, w in full.items()
                if k[0] in new_ids.enquiry_ids or k[1] in new_ids.record_ids}
    assert inc.keys() == expected.keys()
    # Same scores too: term frequencies come from the whole lists, not from each part.
    for key, weight in inc.items():
        assert weight == pytest.approx(full[key], abs=1e-9)


def test_incremental_run_with_a_few_new_rows_scores_like_a_full_run(population, model) -> None:
    # A few new rows against many: one pre-filtered Splink run instead of two.
    enq, recs = population.enquiries[:300], population.records
    new_ids = Incremental(frozenset(e.record_id for e in enq[:3]),
                          frozenset(r.record_id for r in recs[:3]))
    full = {p.key: p.match_weight for p in link(enq, recs, model=model, threshold=0.05,
                                                top_k=None, explain=False)}
    inc = {p.key: p.match_weight for p in link(enq, recs, model=model, threshold=0.05,
                                               top_k=None, only_new=new_ids, explain=False)}
    expected = {k: w for k, w in full.items()
                if k[0] in new_ids.enquiry_ids or k[1] in new_ids.record_ids}
    assert expected and inc.keys() == expected.keys()
    for key, weight in inc.items():
        assert weight == pytest.approx(full[key], abs=1e-9)


def _child_pair() -> tuple[InterchangeRecord, InterchangeRecord]:
    enquiry = InterchangeRecord(
        record_id="E-DRIFT", surname="Коваленко", given_name="Олександр",
        patronymic="Миколайович", sex="M", birth_date=PartialDate(2014, 3, 12),
        birth_place="Маріуполь", separation_place="Маріуполь",
        separation_date=PartialDate(2022, 4),
        mother_name="Коваленко Марія Іванівна", father_name="Коваленко Микола Петрович",
    )
    # Re-registered in Russia: Russified given name, adoptive surname and patronymic, new
    # birthplace; only the birth date and the mother's name are still true.
    record = InterchangeRecord(
        record_id="R-DRIFT", full_name="Смирнов Александр Сергеевич", sex="M",
        birth_date=PartialDate(2014, 3, 12), birth_place="г. Ростов-на-Дону",
        mother_name="Коваленко Мария Ивановна", current_region="Ростовская область",
        legal_status="adopted",
    )
    return enquiry, record


def test_identity_drift_still_reaches_the_candidates(population, model) -> None:
    enquiry, record = _child_pair()
    pairs = link([*population.enquiries, enquiry], [*population.records, record], model=model,
                 threshold=0.0, top_k=5)
    mine = [p for p in pairs if p.enquiry_id == "E-DRIFT"]
    assert "R-DRIFT" in [p.record_id for p in mine]
    drift = next(p for p in mine if p.record_id == "R-DRIFT")
    labels = {e.field: e.level_label for e in drift.explanation}
    assert labels["birth date"] == "exact"
    assert labels["given name"].startswith("same name")
    assert labels["mother's name"] == "same given name and surname"
    assert labels["surname"] == "different surnames"


def test_day_and_month_swapped_is_explained(population, model) -> None:
    enquiry, record = _child_pair()
    record = dataclasses.replace(record, full_name="Коваленко Александр Николаевич",
                                 birth_date=PartialDate(2014, 12, 3))
    pairs = link([enquiry], [*population.records[:500], record], model=model, threshold=0.0,
                 top_k=3)
    best = pairs[0]
    assert best.record_id == "R-DRIFT"
    labels = {e.field: e.level_label for e in best.explanation}
    assert labels["birth date"] == "day and month swapped"
    assert labels["patronymic / father"] == "father's name agrees"
    assert best.probability > 0.9


def test_spelling_variants_match_across_scripts(population, model) -> None:
    enquiry = InterchangeRecord(record_id="E-LAT", surname="Kovalchuk", given_name="Mariia",
                                sex="F", birth_date=PartialDate(2012, 7, 1),
                                mother_name="Kovalchuk Olena")
    record = InterchangeRecord(record_id="R-CYR", surname="Ковальчук", given_name="Мария",
                               sex="F", birth_date=PartialDate(2012, 7, 1),
                               mother_name="Ковальчук Елена")
    pairs = link([enquiry], [*population.records[:500], record], model=model, threshold=0.0,
                 top_k=1)
    assert pairs[0].record_id == "R-CYR"
    assert pairs[0].probability > 0.9


def test_bad_arguments_are_refused(population, model: LinkageModel) -> None:
    with pytest.raises(LinkageError, match="threshold"):
        link(population.enquiries, population.records, model=model, threshold=1.5)
    with pytest.raises(LinkageError, match="top_k"):
        link(population.enquiries, population.records, model=model, top_k=0)
    with pytest.raises(LinkageError, match="twice"):
        link(population.enquiries[:2] * 2, population.records, model=model)
    with pytest.raises(LinkageError, match="backend"):
        link(population.enquiries, population.records, model=model, backend="oracle")
    assert link([], population.records, model=model) == []
