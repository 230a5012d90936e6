"""Shared fixtures: a secret, a token builder, and a helper to encode one record."""

from __future__ import annotations

import numpy as np
import pytest

from reunite.interchange import InterchangeRecord, PartialDate
from reunite.pprl import Encoding, Secret, TokenBuilder, encode_tokens


@pytest.fixture(scope="session")
def secret() -> Secret:
    return Secret(b"reunite-test-secret-0123456789ab")


@pytest.fixture(scope="session")
def builder() -> TokenBuilder:
    return TokenBuilder(reference_year=2025)


def record(rid: str = "R1", **kw: object) -> InterchangeRecord:
    if isinstance(kw.get("birth_date"), str):
        kw["birth_date"] = PartialDate.parse(str(kw["birth_date"]))
    return InterchangeRecord(record_id=rid, **kw)  # type: ignore[arg-type]


def dice(x: np.ndarray, y: np.ndarray) -> float:
    bx, by = np.unpackbits(x), np.unpackbits(y)
    total = int(bx.sum() + by.sum())
    return 2 * int((bx & by).sum()) / total if total else 0.0


def encode_one(builder: TokenBuilder, secret: Secret, rec: InterchangeRecord) -> np.ndarray:
    enc: Encoding = encode_tokens([builder.tokens(rec)], secret, record_ids=[rec.record_id])
    return enc.filters[0]
