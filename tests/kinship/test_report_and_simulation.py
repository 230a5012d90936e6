"""PDF report (real PDF, Cyrillic names survive) and the seeded simulator."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pytest
from pypdf import PdfReader

from reunite.kinship import (
    CODIS_CORE_20,
    likelihood_ratio,
    report_pdf,
    simulate_pair,
    simulate_trio,
    synthetic_frequencies,
    trio_likelihood_ratio,
)
from reunite.kinship._io import read_frequencies
from reunite.kinship._synthetic import generate_synthetic_frequencies


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_report_with_cyrillic_labels(synth):
    child, mother, father = simulate_trio(synth, seed=8, ids=("C-07", "M-01", "F-03"))
    result = trio_likelihood_ratio(child, mother, father, synth, theta=0.01,
                                   mutation_rate=0.002)
    data = report_pdf(result, title="Звіт: перевірка спорідненості",
                      subject_labels={"C-07": "Марія Ґонтар", "mother": "Олена Ґонтар",
                                      "F-03": "Їгор Єременко"},
                      priors=(0.5, 0.1), generated_at=datetime(2026, 5, 1, tzinfo=UTC),
                      case_reference="UA-2026-0001")
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in ("Звіт: перевірка спорідненості", "Марія Ґонтар", "Олена Ґонтар",
                     "Їгор Єременко", "SYNTHETIC", "D3S1358", "SE33", "UA-2026-0001",
                     "ENFSI", "0.002", "Balding", "prior of 0.1"):
        assert expected in text, expected
    for row in result.loci:
        assert row.locus in text


def test_pdf_report_for_an_exclusion(synth):
    a, b = simulate_pair("unrelated", synth, seed=5)
    result = likelihood_ratio(a, b, "parent-child", synth)
    assert result.excluded
    text = pdf_text(report_pdf(result, title="Exclusion case"))
    assert "0 (exclusion)" in text and "Exclusion" in text


def test_shipped_database_is_the_seeded_generator_output_and_labelled_synthetic():
    shipped = synthetic_frequencies()
    assert shipped.synthetic and "SYNTHETIC" in shipped.name
    generated = generate_synthetic_frequencies()
    assert {k: dict(v) for k, v in shipped.frequencies.items()} == {
        k: dict(v) for k, v in generated.frequencies.items()}
    for locus in (*CODIS_CORE_20, "Penta D", "Penta E", "SE33"):
        assert sum(shipped.frequencies[locus].values()) == pytest.approx(1.0, abs=1e-9)
    assert "9.3" in shipped.frequencies["TH01"]


def test_shipped_csv_reads_with_metadata():
    from importlib import resources

    path = resources.files("reunite.kinship").joinpath("data/synthetic_frequencies.csv")
    with path.open(encoding="utf-8") as fh:
        head = fh.read(300)
    assert "synthetic: true" in head and "not real population data" in head
    db = read_frequencies(io.StringIO(path.read_text(encoding="utf-8")))
    assert db.sample_size == 1000


@pytest.mark.parametrize(
    ("rel", "share_two", "share_none"),
    # Expected fraction of loci with 2 / 0 alleles IBD is κ2 / κ0; identity in state is at
    # least that, so check loose bounds over many loci.
    [("parent-child", None, 0.0), ("full-siblings", 0.25, 0.25), ("unrelated", None, None)],
)
def test_simulated_pairs_follow_mendel(synth, rel, share_two, share_none):
    rng = np.random.default_rng(1)
    none = 0
    total = 0
    for _ in range(40):
        a, b = simulate_pair(rel, synth, seed=rng)
        for locus, ga in a.genotypes.items():
            gb = b.genotypes[locus]
            total += 1
            if not set(ga) & set(gb):
                none += 1
    if share_none == 0.0:
        assert none == 0  # a parent and child always share an allele (no mutation)
    elif share_none is not None:
        # IBD-0 loci may still share alleles by chance, so the no-sharing rate is below κ0
        assert 0.05 < none / total < share_none + 0.05


def test_simulation_is_seeded(synth):
    assert simulate_pair("full-siblings", synth, seed=42) == simulate_pair(
        "full-siblings", synth, seed=42)
    assert simulate_pair("full-siblings", synth, seed=42) != simulate_pair(
        "full-siblings", synth, seed=43)


def test_true_relatives_score_higher_than_unrelated_on_average(synth):
    rng = np.random.default_rng(7)
    for rel in ("parent-child", "full-siblings", "half-siblings", "first-cousins"):
        related = [likelihood_ratio(*simulate_pair(rel, synth, seed=rng), rel, synth,
                                    mutation_rate=0.002).log10_lr or -99 for _ in range(25)]
        unrelated = [likelihood_ratio(*simulate_pair("unrelated", synth, seed=rng), rel,
                                      synth, mutation_rate=0.002).log10_lr or -99
                     for _ in range(25)]
        assert np.median(related) > 0 > np.median(unrelated), rel


def test_mutated_parent_child_is_not_excluded_with_model(synth):
    # Simulated with a high mutation rate: some loci are inconsistent; with the model the
    # LR stays positive and the loci are named.
    for seed in range(30):
        a, b = simulate_pair("parent-child", synth, seed=seed, mutation_rate=0.05)
        plain = likelihood_ratio(a, b, "parent-child", synth)
        if plain.excluded:
            withm = likelihood_ratio(a, b, "parent-child", synth, mutation_rate=0.002)
            assert withm.combined_lr > 0 and withm.inconsistent_loci
            assert all("mutation model applied" in r.note for r in withm.loci
                       if r.locus in withm.inconsistent_loci)
            return
    pytest.fail("no mutated pair simulated")
