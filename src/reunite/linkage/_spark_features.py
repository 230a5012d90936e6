"""Name features computed on the Spark executors, not in the driver.

With ``backend="spark"`` the records are sent to the cluster as plain columns and each
executor runs the names engine on its own partitions (``mapInArrow``), with its own
per-string caches; the features never pass through the driver's Python process, which
only receives the scored candidate pairs. Each output row carries ``computed_by`` (the
executor's Python process id and working directory), so a run can show where its features
were computed (``bench/spark_cluster.py``). The executors need ``reunite`` importable
(installed, or on ``spark.executorEnv.PYTHONPATH``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any

import pyarrow as pa

from reunite.linkage._features import FEATURE_SCHEMA, FeatureBuilder

#: The record fields the features use, as plain columns (dates split into parts).
RAW_SCHEMA = pa.schema([
    ("record_id", pa.string()), ("surname", pa.string()), ("given_name", pa.string()),
    ("patronymic", pa.string()), ("full_name", pa.string()),
    ("other_names", pa.list_(pa.string())), ("father_name", pa.string()),
    ("mother_name", pa.string()), ("sex", pa.string()), ("birth_place", pa.string()),
    ("separation_place", pa.string()), ("current_region", pa.string()),
    ("birth_year", pa.int32()), ("birth_month", pa.int32()), ("birth_day", pa.int32()),
    ("estimated_age", pa.int32()), ("separation_year", pa.int32()),
])  # fmt: skip
COMPUTED_BY = "computed_by"
OUT_SCHEMA = FEATURE_SCHEMA.append(pa.field(COMPUTED_BY, pa.string()))


def raw_table(records: Iterable[Any]) -> pa.Table:
    """The records as plain columns, ready to be sent to the cluster."""
    rows = [
        {
            "record_id": r.record_id, "surname": r.surname, "given_name": r.given_name,
            "patronymic": r.patronymic, "full_name": r.full_name,
            "other_names": list(r.other_names), "father_name": r.father_name,
            "mother_name": r.mother_name, "sex": r.sex, "birth_place": r.birth_place,
            "separation_place": r.separation_place, "current_region": r.current_region,
            "birth_year": r.birth_date.year, "birth_month": r.birth_date.month,
            "birth_day": r.birth_date.day, "estimated_age": r.estimated_age,
            "separation_year": r.separation_date.year,
        }
        for r in records
    ]  # fmt: skip
    return pa.Table.from_pylist(rows, schema=RAW_SCHEMA)


def _records(batch: pa.RecordBatch) -> list[Any]:
    out = []
    for row in batch.to_pylist():
        out.append(SimpleNamespace(
            record_id=row["record_id"], surname=row["surname"] or "",
            given_name=row["given_name"] or "", patronymic=row["patronymic"] or "",
            full_name=row["full_name"] or "", other_names=tuple(row["other_names"] or ()),
            father_name=row["father_name"] or "", mother_name=row["mother_name"] or "",
            sex=row["sex"] or "", birth_place=row["birth_place"] or "",
            separation_place=row["separation_place"] or "",
            current_region=row["current_region"] or "",
            birth_date=SimpleNamespace(year=row["birth_year"], month=row["birth_month"],
                                       day=row["birth_day"]),
            estimated_age=row["estimated_age"],
            separation_date=SimpleNamespace(year=row["separation_year"]),
        ))  # fmt: skip
    return out


def feature_batches(
    batches: Iterator[pa.RecordBatch], reference_year: int | None
) -> Iterator[pa.RecordBatch]:
    """Runs on an executor: raw record batches in, feature batches out."""
    builder = FeatureBuilder(reference_year)
    where = f"pid {os.getpid()} in {os.getcwd()}"
    for batch in batches:
        table = builder.table(_records(batch))
        table = table.append_column(COMPUTED_BY, pa.array([where] * table.num_rows,
                                                          type=pa.string()))  # fmt: skip
        yield from table.to_batches()


def feature_frame(spark: Any, records: Iterable[Any], *, reference_year: int | None = None,
                  partitions: int | None = None) -> Any:
    """A Spark DataFrame of the records' features, computed on the executors.

    Keeps the ``computed_by`` column; drop it before handing the frame to Splink.
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    raw = spark.createDataFrame(raw_table(records).to_pandas(types_mapper=None))
    parts = partitions or max(2, spark.sparkContext.defaultParallelism)
    year = reference_year
    return raw.repartition(parts).mapInArrow(
        lambda batches: feature_batches(batches, year), from_arrow_schema(OUT_SCHEMA)
    )
