"""Small-cell suppression: checked against linear algebra, not against itself."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reunite.stats import suppress_table


def _determined(table, counts) -> list[tuple]:
    """Hidden positions a reader could compute exactly from what is published.

    Unknowns: every hidden cell and total. Equations: each row and column adds up to its
    total, and the totals add up to the grand total. A hidden value is determined iff its
    unit vector lies in the row space of the system restricted to the unknowns.
    """
    rows, columns = len(counts), len(counts[0])
    hidden = sorted(table.suppressed)
    index = {position: k for k, position in enumerate(hidden)}
    equations = []

    def equation(terms: list[tuple[tuple, int]]) -> None:
        vector = np.zeros(len(hidden))
        for position, sign in terms:
            if position in index:
                vector[index[position]] += sign
        equations.append(vector)

    for i in range(rows):
        equation([(("cell", i, j), 1) for j in range(columns)] + [(("row", i), -1)])
    for j in range(columns):
        equation([(("cell", i, j), 1) for i in range(rows)] + [(("column", j), -1)])
    equation([(("row", i), 1) for i in range(rows)] + [(("total",), -1)])
    equation([(("column", j), 1) for j in range(columns)] + [(("total",), -1)])
    matrix = np.array(equations) if hidden else np.zeros((0, 0))
    found = []
    rank = np.linalg.matrix_rank(matrix) if hidden else 0
    for position, k in index.items():
        unit = np.zeros(len(hidden))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(position)
    return found


counts_tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda cols: st.lists(st.lists(st.integers(0, 30), min_size=cols, max_size=cols),
                              min_size=rows, max_size=rows)))


@settings(max_examples=150, deadline=None)
@given(counts_tables, st.booleans())
def test_no_hidden_value_can_be_recomputed(counts: list[list[int]], zeros: bool) -> None:
    table = suppress_table(counts, row_labels=[f"r{i}" for i in range(len(counts))],
                           column_labels=[f"c{j}" for j in range(len(counts[0]))],
                           suppress_zeros=zeros)
    assert _determined(table, counts) == []
    # every small value is hidden, every published value is the true one
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            shown = table.cells[i][j]
            if value < 5 and (zeros or value > 0):
                assert shown is None
            assert shown is None or shown == value
        assert table.row_totals[i] in (None, sum(row))
    assert table.grand_total in (None, sum(map(sum, counts)))


def test_single_small_cell_needs_three_more() -> None:
    table = suppress_table([[20, 30, 2], [40, 50, 60], [70, 80, 90]],
                           row_labels=["a", "b", "c"], column_labels=["x", "y", "z"])
    assert table.primary == {("cell", 0, 2)}
    assert len(table.complementary) == 3  # a 2×2 rectangle of cells
    assert table.row_totals == (52, 150, 240) and table.grand_total == 442
    assert table.as_rows()[1] == ["a", "x", "30", "x", "52"]


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="one count per column"):
        suppress_table([[1, 2], [3]], row_labels=["a", "b"], column_labels=["x", "y"])
    with pytest.raises(ValueError, match="0 or more"):
        suppress_table([[-1]], row_labels=["a"], column_labels=["x"])
    with pytest.raises(ValueError, match="threshold"):
        suppress_table([[1]], row_labels=["a"], column_labels=["x"], threshold=0)


def test_the_checker_catches_primary_suppression_alone() -> None:
    import dataclasses

    counts = [[20, 30, 2], [40, 50, 60]]
    table = suppress_table(counts, row_labels=["a", "b"], column_labels=["x", "y", "z"])
    primary_only = dataclasses.replace(table, complementary=frozenset())
    assert _determined(primary_only, counts) == [("cell", 0, 2)]
