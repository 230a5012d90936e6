"""Small-cell suppression for published tables of counts.

Primary suppression hides every cell (totals included) below the threshold. Complementary
suppression then hides more cells until no hidden cell can be worked out exactly from the
published ones and the row, column and grand totals.

Why this works: a table with its totals is a network. Rows and columns are nodes, plus one
node for the totals row and one for the totals column; every cell, row total, column total
and the grand total is an edge, and each node says "the edges here add up". Once the
published values are subtracted, the hidden values must satisfy those sums; a hidden value
is fixed by them exactly when its edge is a *bridge* of the graph of hidden edges (every
other hidden edge lies on a cycle, along which values can shift without changing any sum).
So we look for hidden bridges and, for each, hide the cheapest path that closes a cycle
through it (smallest counts first, interior cells before totals), with networkx.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

__all__ = ["Position", "SuppressedTable", "recoverable", "suppress_table"]

#: ("cell", row, column), ("row", row), ("column", column) or ("total",)
Position = tuple[str, ...] | tuple[str, int] | tuple[str, int, int]

SUPPRESSED_MARK = "x"

_TOTALS_ROW = ("T", "row")      # node paired with every column (column totals)
_TOTALS_COLUMN = ("T", "col")   # node paired with every row (row totals)


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts ready to publish: ``None`` marks a suppressed value."""

    title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    grand_total: int | None
    threshold: int
    primary: frozenset[Position]
    complementary: frozenset[Position]

    @property
    def suppressed(self) -> frozenset[Position]:
        return self.primary | self.complementary

    def as_rows(self, *, row_header: str = "", total_label: str = "Total",
                mark: str = SUPPRESSED_MARK) -> list[list[str]]:
        """Header row, one row per row label, and a totals row, as text (``mark`` = hidden).

        Primary and complementary suppressions look the same: telling them apart would
        say which hidden values are the small ones.
        """
        def show(value: int | None) -> str:
            return mark if value is None else str(value)

        rows = [[row_header, *self.column_labels, total_label]]
        for label, cells, total in zip(self.row_labels, self.cells, self.row_totals,
                                       strict=True):
            rows.append([label, *(show(v) for v in cells), show(total)])
        rows.append([total_label, *(show(v) for v in self.column_totals),
                     show(self.grand_total)])
        return rows


def _edges(rows: int, columns: int) -> dict[Position, tuple[object, object]]:
    edges: dict[Position, tuple[object, object]] = {}
    for i in range(rows):
        for j in range(columns):
            edges[("cell", i, j)] = (("r", i), ("c", j))
        edges[("row", i)] = (("r", i), _TOTALS_COLUMN)
    for j in range(columns):
        edges[("column", j)] = (_TOTALS_ROW, ("c", j))
    edges[("total",)] = (_TOTALS_ROW, _TOTALS_COLUMN)
    return edges


def _values(counts: Sequence[Sequence[int]]) -> dict[Position, int]:
    values: dict[Position, int] = {}
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            values[("cell", i, j)] = value
        values[("row", i)] = sum(row)
    columns = len(counts[0]) if counts else 0
    for j in range(columns):
        values[("column", j)] = sum(row[j] for row in counts)
    values[("total",)] = sum(sum(row) for row in counts)
    return values


def recoverable(rows: int, columns: int, hidden: set[Position] | frozenset[Position]
                ) -> set[Position]:
    """The hidden positions whose value follows exactly from everything published."""
    edges = _edges(rows, columns)
    graph = nx.Graph()
    for position in hidden:
        graph.add_edge(*edges[position], position=position)
    return {graph.edges[edge]["position"] for edge in nx.bridges(graph)}


def suppress_table(
    counts: Sequence[Sequence[int]],
    *,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    threshold: int = 5,
    suppress_zeros: bool = True,
    title: str = "",
) -> SuppressedTable:
    """Suppress small cells of a table of counts (rows × columns) and its totals.

    Every value (cell or total) below ``threshold`` is hidden (zeros too unless
    ``suppress_zeros`` is false: a published zero can itself disclose something), then
    complementary cells until nothing hidden can be recomputed from the totals.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    if len(counts) != len(row_labels) or not counts:
        raise ValueError("need one row of counts per row label, and at least one row")
    if any(len(row) != len(column_labels) for row in counts) or not column_labels:
        raise ValueError("every row needs one count per column label, and at least one column")
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for row in counts
           for v in row):
        raise ValueError("counts must be whole numbers, 0 or more")
    rows, columns = len(counts), len(column_labels)
    values = _values(counts)
    edges = _edges(rows, columns)

    def small(value: int) -> bool:
        return value < threshold and (suppress_zeros or value > 0)

    primary = {position for position, value in values.items() if small(value)}
    hidden = set(primary)
    everything = nx.Graph()
    for position, (a, b) in edges.items():
        everything.add_edge(a, b, position=position)

    def cost(position: Position) -> float:
        if position in hidden:
            return 0.0
        kind = position[0]
        penalty = {"cell": 0.0, "row": 10_000.0, "column": 10_000.0, "total": 1_000_000.0}
        return 1.0 + values[position] + penalty[kind]

    while True:
        bridges = sorted(recoverable(rows, columns, hidden))
        if not bridges:
            break
        position = bridges[0]
        a, b = edges[position]
        graph = everything.copy()
        graph.remove_edge(a, b)
        path = nx.shortest_path(graph, a, b,
                                weight=lambda u, v, data: cost(data["position"]))
        for u, v in itertools.pairwise(path):
            hidden.add(graph.edges[u, v]["position"])

    def shown(position: Position) -> int | None:
        return None if position in hidden else values[position]

    return SuppressedTable(
        title=title,
        row_labels=tuple(row_labels),
        column_labels=tuple(column_labels),
        cells=tuple(tuple(shown(("cell", i, j)) for j in range(columns)) for i in range(rows)),
        row_totals=tuple(shown(("row", i)) for i in range(rows)),
        column_totals=tuple(shown(("column", j)) for j in range(columns)),
        grand_total=shown(("total",)),
        threshold=threshold,
        primary=frozenset(primary),
        complementary=frozenset(hidden - primary),
    )


