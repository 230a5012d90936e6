"""Statistics helpers: small-cell suppression for public exports and SVG charts.

``suppress_table`` hides every count below a threshold (5 by default) and the
complementary cells that would let it be recomputed from the totals; ``bar_chart_svg`` and
``line_chart_svg`` draw charts server-side (no JavaScript, CSP-safe). No Django import.

>>> table = suppress_table([[12, 3], [9, 14]], row_labels=["UA→RU", "RU→UA"],
...                        column_labels=["girls", "boys"])
>>> table.cells
((None, None), (None, None))
"""

from reunite.stats._charts import PALETTE, bar_chart_svg, line_chart_svg, nice_ticks
from reunite.stats._suppression import (
    SUPPRESSED_MARK,
    Position,
    SuppressedTable,
    recoverable,
    suppress_table,
)

__all__ = [
    "PALETTE",
    "SUPPRESSED_MARK",
    "Position",
    "SuppressedTable",
    "bar_chart_svg",
    "line_chart_svg",
    "nice_ticks",
    "recoverable",
    "suppress_table",
]
