"""The same model gives the same candidate pairs on Spark (local mode) as on DuckDB."""

from __future__ import annotations

import pytest

from reunite.linkage import java_available, link

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(not java_available(), reason="no Java runtime: the Spark backend "
                       "needs Java 17 (scripts/install-java.sh)"),
]


def test_spark_equals_duckdb(population, model) -> None:
    pytest.importorskip("pyspark")
    enquiries = population.enquiries[:50]
    records = population.records[:800]
    duck = link(enquiries, records, model=model, threshold=0.05, top_k=5, backend="duckdb")
    spark = link(enquiries, records, model=model, threshold=0.05, top_k=5, backend="spark")
    assert duck, "the sample should produce candidates"
    assert [p.key for p in spark] == [p.key for p in duck]
    for a, b in zip(duck, spark, strict=True):
        assert a.match_weight == pytest.approx(b.match_weight, abs=1e-6)
        assert [e.level_label for e in a.explanation] == [e.level_label for e in b.explanation]
