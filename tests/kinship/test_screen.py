"""Screening: same numbers as the pairwise API, same ranking as brute force."""

from __future__ import annotations

import math

import pytest

from reunite.kinship import (
    CODIS_CORE_20,
    KinshipInputError,
    Profile,
    likelihood_ratio,
    screen,
    simulate_screening,
)

LOCI = [*CODIS_CORE_20, "SE33"]


@pytest.fixture(scope="module")
def pop(synth):
    return simulate_screening(synth, 16, 24, seed=11, loci=LOCI, drop_rate=0.1,
                              related={"parent-child": 3, "full-siblings": 2,
                                       "half-siblings": 2, "first-cousins": 1})


def brute_force(pop, db, rels, top, min_lr, min_loci, **kw):
    """Per-pair reference implementation with the public pairwise API."""
    out = {}
    for cid, c in pop.children.items():
        scored = []
        for rid, r in pop.references.items():
            common = set(c.genotypes) & set(r.genotypes)
            if len(common) < min_loci:
                continue
            vals = {}
            for rel in rels:
                res = likelihood_ratio(r, c, rel, db, **kw)
                vals[rel] = res.log10_lr if res.log10_lr is not None else -math.inf
            best = max(vals.values())
            if best >= math.log10(min_lr):
                scored.append((best, rid))
        scored.sort(key=lambda t: (-t[0], t[1]))
        out[cid] = scored[:top]
    return out


@pytest.mark.parametrize("kw", [{}, {"theta": 0.02, "mutation_rate": 0.002}])
def test_screen_matches_brute_force(pop, synth, kw):
    rels = ["parent-child", "full-siblings", "half-siblings", "first-cousins"]
    hits = screen(pop.children, pop.references, synth, relationships=rels, top=3, min_lr=2.0,
                  min_loci=10, block_children=5, block_references=7, **kw)
    expected = brute_force(pop, synth, rels, 3, 2.0, 10, **kw)
    got: dict[str, list[tuple[float, str]]] = {}
    for h in hits:
        got.setdefault(h.child_id, []).append((h.log10_lr, h.reference_id))
    for cid, rows in expected.items():
        mine = got.get(cid, [])
        assert [r for _, r in mine] == [r for _, r in rows] or \
            [round(v, 9) for v, _ in mine] == [round(v, 9) for v, _ in rows]
        for (v1, _), (v2, _) in zip(mine, rows, strict=True):
            assert v1 == pytest.approx(v2, abs=1e-9)
    # ranked overall, best first
    values = [h.log10_lr for h in hits]
    assert values == sorted(values, reverse=True)


def test_pruning_by_kth_best_loses_nothing(synth):
    # 600 references: beyond the warm-up block, so later blocks are pruned against each
    # child's current k-th best. Keeping every reference (top = all) cannot prune that way.
    pop = simulate_screening(synth, 12, 600, seed=21, loci=LOCI, drop_rate=0.05,
                             related={"full-siblings": 2, "half-siblings": 2})
    pruned = screen(pop.children, pop.references, synth, top=3, min_lr=0.001,
                    block_references=50)
    full = screen(pop.children, pop.references, synth, top=600, min_lr=0.001)
    best: dict[str, list] = {}
    for h in full:
        best.setdefault(h.child_id, []).append(h)
    expected = [h.to_dict() for rows in best.values() for h in rows[:3]]
    key = lambda d: (-d["log10_lr"], d["child_id"], d["reference_id"])  # noqa: E731
    assert sorted((h.to_dict() for h in pruned), key=key) == sorted(expected, key=key)


def test_screen_values_equal_pairwise_api(pop, synth):
    hits = screen(pop.children, pop.references, synth, top=2)
    for h in hits[:15]:
        for label, value in h.log10_by_relationship.items():
            res = likelihood_ratio(pop.references[h.reference_id], pop.children[h.child_id],
                                   label.split("/")[0], synth)
            assert (value is None and res.log10_lr is None) or value == pytest.approx(
                res.log10_lr, abs=1e-9)
        assert h.loci_compared == len(set(pop.children[h.child_id].genotypes)
                                      & set(pop.references[h.reference_id].genotypes))


def test_planted_close_relatives_rank_first(synth):
    pop = simulate_screening(synth, 150, 400, seed=3, loci=LOCI,
                             related={"parent-child": 6, "full-siblings": 6})
    hits = screen(pop.children, pop.references, synth, top=1, min_lr=1000)
    found = {(h.child_id, h.reference_id): h for h in hits}
    # Every planted pair is its child's best candidate. (Unrelated pairs above 1000 exist
    # too among 60,000 pairs scored by their best of four relationships: screening ranks,
    # it does not verify.)
    assert set(pop.truth) <= set(found)
    for pair, rel in pop.truth.items():
        assert found[pair].relationship == rel


def test_second_degree_relationships_are_reported_together(pop, synth):
    hits = screen(pop.children, pop.references, synth,
                  relationships=["half-siblings", "grandparent", "avuncular"], top=1)
    assert {h.relationship for h in hits} == {"half-siblings/grandparent/avuncular"}


def test_threads_give_the_same_answer(pop, synth):
    one = screen(pop.children, pop.references, synth, workers=1, block_children=4)
    two = screen(pop.children, pop.references, synth, workers=2, block_children=4)
    assert [h.to_dict() for h in one] == [h.to_dict() for h in two]


def test_same_person_in_both_sets_is_not_compared_with_itself(synth):
    pop = simulate_screening(synth, 30, 30, seed=2, related={"parent-child": 1})
    refs = dict(pop.references)
    dup = next(iter(pop.children.values()))
    refs[dup.person_id] = dup
    hits = screen(pop.children, refs, synth, top=3)
    assert all(h.child_id != h.reference_id for h in hits)
    # the same genotypes under another ID are flagged as identical (same person or twins)
    refs["TWIN"] = Profile("TWIN", dup.genotypes)
    hits = screen(pop.children, refs, synth, top=3)
    twin = next(h for h in hits if h.reference_id == "TWIN")
    assert twin.child_id == dup.person_id and twin.identical and twin.to_dict()["identical"]
    assert not any(h.identical for h in hits if h.reference_id != "TWIN")


def test_progress_and_stats(pop, synth):
    seen = []
    stats: dict[str, int] = {}
    screen(pop.children, pop.references, synth, progress=seen.append, stats=stats,
           block_children=5, block_references=10)
    assert sum(seen) == len(pop.children) * len(pop.references) == stats["pairs"]
    assert 0 < stats["exact"] <= stats["pairs"]


def test_claimed_relationships_restrict_what_a_reference_is_scored_for(synth):
    pop = simulate_screening(synth, 20, 40, seed=9, loci=LOCI,
                             related={"parent-child": 2, "full-siblings": 2})
    (pc_child, pc_ref), (fs_child, fs_ref) = [
        next(k for k, v in pop.truth.items() if v == rel)
        for rel in ("parent-child", "full-siblings")]
    claims = {pc_ref: "first-cousins", fs_ref: ["full-siblings", "grandparent"]}
    hits = screen(pop.children, pop.references, synth, top=40, min_lr=1e-9, claims=claims)
    by_pair = {(h.child_id, h.reference_id): h for h in hits}
    h = by_pair[(pc_child, pc_ref)]
    assert h.relationship == "first-cousins" and list(h.log10_by_relationship) == [
        "first-cousins"]
    expected = likelihood_ratio(pop.references[pc_ref], pop.children[pc_child],
                                "first-cousins", synth).log10_lr
    assert h.log10_lr == pytest.approx(expected, abs=1e-9)
    h = by_pair[(fs_child, fs_ref)]
    assert set(h.log10_by_relationship) == {"full-siblings", "grandparent"}
    assert h.relationship == max(h.log10_by_relationship, key=h.log10_by_relationship.get)
    # unclaimed references keep every relationship
    other = next(h for h in hits if h.reference_id not in claims)
    assert set(other.log10_by_relationship) == {"parent-child", "full-siblings",
                                                "half-siblings/grandparent/avuncular",
                                                "first-cousins"}
    with pytest.raises(KinshipInputError, match="no profile"):
        screen(pop.children, pop.references, synth, claims={"R-NOPE": "parent-child"})
    with pytest.raises(KinshipInputError, match="unknown relationship"):
        screen(pop.children, pop.references, synth, claims={pc_ref: "second-cousins"})


def test_screen_bad_input(synth, toy_db):
    a = Profile.from_alleles("A", {"FGA": ("22", "23")})
    b = Profile.from_alleles("B", {"FGA": ("22", "24")})
    with pytest.raises(KinshipInputError, match="at least one"):
        screen({}, {"B": b}, synth)
    with pytest.raises(KinshipInputError, match="missing from frequency database"):
        screen({"A": a}, {"B": b}, toy_db)
    with pytest.raises(KinshipInputError, match="top"):
        screen({"A": a}, {"B": b}, synth, top=0)
    with pytest.raises(KinshipInputError, match="no relationship"):
        screen({"A": a}, {"B": b}, synth, relationships=["unrelated"])
