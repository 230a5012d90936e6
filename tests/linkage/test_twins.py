"""The twin rule: a twin (same birth date, same parents, another given name) is never
proposed as the child sought, and the child's own candidate is flagged as having a twin."""

from __future__ import annotations

import itertools

import pytest

from reunite import names
from reunite.interchange import InterchangeRecord, PartialDate
from reunite.linkage import CandidatePair, LinkageModel, link
from reunite.linkage._engine import FLAG_HAS_TWIN, FLAG_SIBLING_OF_CANDIDATE
from reunite.synth import Population, generate


@pytest.fixture(scope="module")
def twin_population() -> Population:
    # Many twin families, so the cross pairs number in the hundreds.
    return generate(records=3000, enquiries=600, difficulty="realistic", seed=23,
                    twin_share=0.8)


@pytest.fixture(scope="module")
def twin_candidates(twin_population: Population, model: LinkageModel) -> list[CandidatePair]:
    # The default threshold (0.5): what is proposed as probably the same child.
    return link(twin_population.enquiries, twin_population.records, model=model)


def _given_ids(record: InterchangeRecord) -> frozenset[str]:
    given = record.given_name or names.parse_name(text=record.full_name).given or ""
    return names.given_name_ids(given) if given else frozenset()


def _cross_pairs(pop: Population) -> set[tuple[str, str]]:
    """(enquiry of one twin, record of the other twin) for every twin pair in which both
    given names as written are names (not misspelt beyond recognition) and not the same
    name, and the twin's record was not renamed on adoption (new surname and patronymic:
    nothing left to tell it from the child)."""
    enquiries = {e.record_id: e for e in pop.enquiries}
    records = {r.record_id: r for r in pop.records}
    by_family: dict[str, list] = {}
    for c in pop.children:
        if c.is_twin:
            by_family.setdefault(c.family_id, []).append(c)
    out = set()
    for twins in by_family.values():
        for a, b in itertools.permutations(twins, 2):
            for eid in a.enquiry_ids:
                for rid in b.record_ids:
                    if "given_replaced" in b.distortions[rid]:
                        continue
                    e_ids, r_ids = _given_ids(enquiries[eid]), _given_ids(records[rid])
                    if e_ids and r_ids and not e_ids & r_ids:
                        out.add((eid, rid))
    return out


def test_twins_are_never_proposed_as_the_same_child(twin_population, twin_candidates) -> None:
    cross = _cross_pairs(twin_population)
    assert len(cross) >= 100, len(cross)  # the test has something to check
    proposed = {p.key for p in twin_candidates}
    assert not proposed & cross, sorted(proposed & cross)[:5]


def test_the_childs_own_record_is_still_found_and_flagged(twin_population,
                                                          twin_candidates) -> None:
    cross = _cross_pairs(twin_population)
    twin_records_of = {}
    for eid, rid in cross:
        twin_records_of.setdefault(eid, set()).add(rid)
    truth = twin_population.truth
    found = [p for p in twin_candidates if p.key in truth and p.enquiry_id in twin_records_of]
    assert len(found) >= 50
    flagged = [p for p in found if FLAG_HAS_TWIN in p.flags]
    # Most twins' records meet their twin in blocking (same birth date) and get flagged.
    assert len(flagged) >= 0.8 * len(found), (len(flagged), len(found))
    for p in flagged:
        assert set(p.related) <= {r for _, r in cross} | {r for r in p.related}
        assert p.record_id not in p.related


def _twins() -> tuple[InterchangeRecord, InterchangeRecord, InterchangeRecord]:
    enquiry = InterchangeRecord(
        record_id="E-YAKIV", surname="Ковальчук", given_name="Яків", patronymic="Сергійович",
        sex="M", birth_date=PartialDate(2015, 6, 2), birth_place="Маріуполь",
        mother_name="Ковальчук Олена Петрівна", father_name="Ковальчук Сергій Іванович",
    )
    yakiv = InterchangeRecord(
        record_id="R-YAKOV", full_name="Ковальчук Яков Сергеевич", sex="M",
        birth_date=PartialDate(2015, 6, 2), birth_place="Мариуполь",
        mother_name="Ковальчук Елена Петровна",
    )
    ostap = InterchangeRecord(
        record_id="R-OSTAP", full_name="Ковальчук Остап Сергеевич", sex="M",
        birth_date=PartialDate(2015, 6, 2), birth_place="Мариуполь",
        mother_name="Ковальчук Елена Петровна",
    )
    return enquiry, yakiv, ostap


def test_demo_twin_is_ruled_out_and_explained(population, model) -> None:
    enquiry, yakiv, ostap = _twins()
    records = [*population.records[:1000], yakiv, ostap]
    pairs = link([enquiry], records, model=model, threshold=0.0, top_k=None)
    by_record = {p.record_id: p for p in pairs}
    assert by_record["R-YAKOV"].rank == 1 and by_record["R-YAKOV"].probability > 0.9
    assert by_record["R-YAKOV"].flags == (FLAG_HAS_TWIN,)
    assert by_record["R-YAKOV"].related == ("R-OSTAP",)
    twin = by_record["R-OSTAP"]
    assert twin.probability < 1e-5
    assert "sibling rule" in {e.field for e in twin.explanation}
    assert FLAG_SIBLING_OF_CANDIDATE in twin.flags and twin.related == ("R-YAKOV",)
    # The explanation still adds up to the (capped) weight.
    import math
    prior_weight = math.log2(model.prior / (1 - model.prior))
    assert prior_weight + sum(e.weight for e in twin.explanation) == pytest.approx(
        twin.match_weight, abs=0.05)
    # At the default threshold only the child itself is proposed.
    default = link([enquiry], records, model=model)
    assert [p.record_id for p in default] == ["R-YAKOV"]


def test_twin_alone_in_the_registry_is_not_proposed(population, model) -> None:
    enquiry, _, ostap = _twins()
    pairs = link([enquiry], [*population.records[:1000], ostap], model=model, threshold=0.01)
    assert "R-OSTAP" not in {p.record_id for p in pairs}


def test_russified_name_of_the_same_child_is_not_a_twin(population, model) -> None:
    enquiry, yakiv, _ = _twins()
    pairs = link([enquiry], [*population.records[:1000], yakiv], model=model)
    assert pairs and pairs[0].record_id == "R-YAKOV" and not pairs[0].flags
