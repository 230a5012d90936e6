"""The generator: sizes, determinism, truth bookkeeping and distributions by difficulty."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from reunite.interchange import InterchangeRecord
from reunite.synth import (
    AS_OF,
    PARAMS,
    Population,
    SynthError,
    demo_people,
    generate,
)
from reunite.synth._data import tables


def _key(r: InterchangeRecord) -> tuple:
    return tuple(r.to_row("enquiries").values()) + tuple(r.to_row("records").values())


def test_same_seed_same_population() -> None:
    a = generate(records=1500, enquiries=300, difficulty="hard", seed=3)
    b = generate(records=1500, enquiries=300, difficulty="hard", seed=3)
    assert a.records == b.records and a.enquiries == b.enquiries
    assert a.truth == b.truth and a.duplicate_truth == b.duplicate_truth
    assert a.children == b.children
    c = generate(records=1500, enquiries=300, difficulty="hard", seed=4)
    assert c.records != a.records and c.truth != a.truth


@pytest.mark.parametrize(
    ("records", "enquiries"), [(1000, 100), (200, 60), (50, 400), (0, 10), (10, 0), (0, 0), (1, 1)]
)
def test_exact_sizes_and_id_formats(records: int, enquiries: int) -> None:
    pop = generate(records=records, enquiries=enquiries, seed=1)
    assert len(pop.records) == records and len(pop.enquiries) == enquiries
    assert [r.record_id for r in pop.records] == [f"R{i:07d}" for i in range(1, records + 1)]
    assert [e.record_id for e in pop.enquiries] == [f"E{i:06d}" for i in range(1, enquiries + 1)]
    assert sum(len(c.record_ids) for c in pop.children) <= records


def test_bad_arguments() -> None:
    with pytest.raises(SynthError, match="difficulty"):
        generate(records=10, enquiries=10, difficulty="medium")  # type: ignore[arg-type]
    with pytest.raises(SynthError, match="records"):
        generate(records=-1, enquiries=10)
    with pytest.raises(SynthError, match="enquiries"):
        generate(records=1, enquiries=10**7)
    with pytest.raises(SynthError, match="seed"):
        generate(records=1, enquiries=1, seed=-2)


def test_truth_pairs_exist_and_belong_to_one_child(pop: Population) -> None:
    enq = {e.record_id for e in pop.enquiries}
    rec = {r.record_id for r in pop.records}
    assert pop.truth and all(e in enq and r in rec for e, r in pop.truth)
    by_enq, by_rec = pop.child_by_enquiry(), pop.child_by_record()
    assert all(by_enq[e] is by_rec[r] for e, r in pop.truth)
    expected = {(e, r) for c in pop.children for e in c.enquiry_ids for r in c.record_ids}
    assert pop.truth == expected
    # every enquiry and every true record is accounted for exactly once
    assert sorted(by_enq) == sorted(enq)
    assert len(by_rec) == sum(len(c.record_ids) for c in pop.children)


def test_duplicates(pop: Population) -> None:
    by_rec = pop.child_by_record()
    assert pop.duplicate_truth
    for group in pop.duplicate_truth:
        assert len(group) >= 2
        assert len({id(by_rec[r]) for r in group}) == 1
    tagged = sum("duplicate" in c.distortions[r] for c in pop.children for r in c.record_ids)
    assert tagged == sum(len(g) - 1 for g in pop.duplicate_truth)


def test_share_in_registry_is_high_but_not_total(pops: dict[str, Population]) -> None:
    for difficulty, p in pops.items():
        share = p.stats()["enquired_in_registry_share"]
        target = PARAMS[difficulty].in_registry  # type: ignore[index]
        assert 0.6 < share < 1.0
        assert abs(share - target * 0.97) < 0.06, (difficulty, share)


def test_some_children_have_two_enquiries(pop: Population) -> None:
    counts = Counter(len(c.enquirers) for c in pop.children if c.enquirers)
    assert counts[2] > 0 and set(counts) <= {1, 2}
    for c in pop.children:
        assert len({e.relationship for e in c.enquirers}) == len(c.enquirers)


def _share(pop: Population, tag: str) -> float:
    tags = [t for c in pop.children for r in c.record_ids for t in c.distortions[r]]
    return tags.count(tag) / sum(len(c.record_ids) for c in pop.children)


@pytest.mark.parametrize(
    "tag",
    ["adoption_surname", "birth_date_shifted", "surname_translated", "birthplace_missing"],
)
def test_distortions_grow_with_difficulty(pops: dict[str, Population], tag: str) -> None:
    easy, realistic, hard = (_share(pops[d], tag) for d in ("easy", "realistic", "hard"))
    assert easy < realistic < hard, (easy, realistic, hard)


def test_distortion_shares_match_parameters(pops: dict[str, Population]) -> None:
    for difficulty, p in pops.items():
        params = PARAMS[difficulty]  # type: ignore[index]
        assert abs(_share(p, "adoption_surname") - params.adopted) < 0.03
        assert abs(_share(p, "birth_date_shifted") - params.birth_shift) < 0.03
        # given names: translated, letter-for-letter or kept; "russified" only counts the
        # names whose translation differs from their letters (Микола → Николай)
        kept = _share(p, "given_kept")
        assert abs(kept - (1 - params.given_translated - params.given_letter)) < 0.05
        assert _share(p, "given_russified") > 0.15


def test_latin_enquiries_by_difficulty(pops: dict[str, Population]) -> None:
    def latin_share(p: Population) -> float:
        latin = sum(
            bool(re.fullmatch(r"[A-Za-z' -]*", e.surname + e.given_name + e.full_name))
            for e in p.enquiries
        )
        return latin / len(p.enquiries)

    shares = [latin_share(pops[d]) for d in ("easy", "realistic", "hard")]
    assert shares == sorted(shares) and 0.02 < shares[0] and shares[2] < 0.35


def test_records_agree_with_ground_truth(pop: Population) -> None:
    recs = {r.record_id: r for r in pop.records}
    enqs = {e.record_id: e for e in pop.enquiries}
    for c in pop.children:
        for rid in c.record_ids:
            r, tags = recs[rid], c.distortions[rid]
            if not {"birth_date_shifted", "birth_date_partial"} & set(tags):
                assert r.birth_date.to_date() == c.birth_date
            if "adoption_surname" not in tags and "full_name_only" not in tags:
                assert r.surname and r.surname[0] in "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЮЯЫЭ"
            assert r.legal_status == c.legal_status
            assert not set(r.surname + r.given_name + r.patronymic) & set("іїєґІЇЄҐ") or (
                "given_kept" in tags
            )
        for eid in c.enquiry_ids:
            e, tags = enqs[eid], c.distortions[eid]
            if not any(
                t.startswith(("latin", "russian", "typo_surname", "full_name")) for t in tags
            ):
                assert e.surname == c.surname
            if not any(t.startswith("birth_date") for t in tags):
                assert e.birth_date.to_date() == c.birth_date
            if "birth_date_missing" in tags:
                assert e.estimated_age is not None and abs(e.estimated_age - c.age_on(AS_OF)) <= 1


def test_adopted_children_have_russian_names_and_birthplaces(pop: Population) -> None:
    ru_surnames = set(tables().ru_surnames.male) | set(tables().ru_surnames.female)
    recs = {r.record_id: r for r in pop.records}
    adopted = [c for c in pop.children if c.legal_status == "adopted" and c.record_ids]
    assert adopted
    for c in adopted:
        assert c.name_changed and c.birthplace_changed and c.citizenship != "UA"
        for rid in c.record_ids:
            r = recs[rid]
            surname = r.surname or r.full_name.split()[0]
            if "typo" not in c.distortions[rid]:
                assert surname in ru_surnames or any(
                    s.replace("ё", "е") == surname for s in ru_surnames
                )
            assert r.birth_place.startswith("г. ")


def test_siblings_and_twins(pop: Population) -> None:
    families: dict[str, list] = {}
    for c in pop.children:
        families.setdefault(c.family_id, []).append(c)
    multi = [f for f in families.values() if len(f) > 1]
    assert len(multi) > 50
    for fam in multi:
        assert len({c.mother_name for c in fam}) == 1
        assert len({c.birth_place for c in fam}) == 1
        assert len({(c.sex, c.given_name) for c in fam}) == len(fam)
    twins = [c for c in pop.children if c.is_twin]
    assert twins
    for c in twins:
        pair = [x for x in families[c.family_id] if x.is_twin]
        assert len(pair) == 2 and pair[0].birth_date == pair[1].birth_date


def test_dates_are_plausible(pop: Population) -> None:
    for c in pop.children:
        assert c.birth_date < c.separation_date <= AS_OF
        assert 0 <= (c.separation_date - c.birth_date).days // 365 <= 18
    for r in pop.records:
        d = r.birth_date.to_date()
        assert d is None or d <= AS_OF


def test_contacts_are_fictional(pop: Population) -> None:
    pattern = re.compile(
        r"\+380 00 \d{3} \d{2} \d{2}|\+44 7700 900\d{3}|family\.c\d{7}\.\d@example\.org"
    )
    assert all(pattern.fullmatch(e.enquirer_contact) for e in pop.enquiries)


def test_distractors_are_mostly_russian(pop: Population) -> None:
    true_ids = {r for c in pop.children for r in c.record_ids}
    others = [r for r in pop.records if r.record_id not in true_ids]
    assert len(others) == pop.counts["confuser_records"] + pop.counts["russian_distractor_records"]
    ru = set(tables().ru_surnames.male) | set(tables().ru_surnames.female)
    ru |= {s.replace("ё", "е") for s in ru}
    share = sum(r.surname in ru for r in others) / len(others)
    assert 0.7 < share < 0.95  # some Russian children carry Ukrainian-type surnames


def test_demo_people() -> None:
    demo = demo_people(seed=2)
    assert len(demo.records) == 200 and len(demo.enquiries) == 60 and demo.difficulty == "easy"
    assert demo.truth
    child = next(c for c in demo.children if c.enquirers and c.record_ids)
    assert child.enquirers[0].name and child.enquirers[0].relationship
    assert child.consent_for_tracing in (True, False)


def test_generator_does_not_use_the_names_engine() -> None:
    src = Path(__file__).parents[2] / "src" / "reunite" / "synth"
    imports = re.compile(r"^\s*(from|import)\s+reunite\.names\b", re.MULTILINE)
    for path in src.rglob("*.py"):
        assert not imports.search(path.read_text(encoding="utf-8")), path


def test_deterministic_across_processes_and_hash_seeds() -> None:
    """No set or hash ordering leaks into the output: same seed, same bytes, any process."""
    code = (
        "import hashlib\n"
        "from reunite.synth import generate\n"
        "pop = generate(records=800, enquiries=150, difficulty='hard', seed=9)\n"
        "h = hashlib.sha256()\n"
        "for r in pop.records + pop.enquiries: h.update(repr(r).encode())\n"
        "h.update(repr(sorted(pop.truth)).encode()); h.update(repr(pop.children).encode())\n"
        "print(h.hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(  # noqa: S603 - our own fixed code, current interpreter
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_some_families_write_in_russian(pop: Population) -> None:
    enqs = {e.record_id: e for e in pop.enquiries}
    russian = [
        (c, enqs[e]) for c in pop.children for e in c.enquiry_ids if "russian" in c.distortions[e]
    ]
    assert 0.03 < len(russian) / len(pop.enquiries) < 0.09
    for _c, e in russian:
        text = e.surname + e.given_name + e.patronymic + e.full_name + e.birth_place
        assert not set(text) & set("іїєґІЇЄҐ"), text
        assert e.enquirer_relationship in {
            "мать",
            "отец",
            "бабушка",
            "дедушка",
            "тётя",
            "дядя",
            "сестра",
            "брат",
        }
