"""Placing cells with spans on a grid, the way HTML and Word lay out tables.

Rows list their cells left to right; a cell lands in the first column not already covered by a
rowspan from a row above. Spans that overrun the table are clipped. Shared by the HTML and DOCX
extractors so that both produce exactly the same grid for the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.intermediate import BBox, Cell, Table


@dataclass
class RawCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None
    bbox: BBox | None = None


def place_rows(rows: list[list[RawCell]], max_cols: int | None = None) -> tuple[list[Cell], list[str]]:
    """Cells at their grid positions, and warnings about spans that had to be clipped."""
    covered: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    warnings: list[str] = []
    n_rows = len(rows)
    for r, row in enumerate(rows):
        c = 0
        for raw in row:
            while (r, c) in covered:
                c += 1
            rowspan = max(1, raw.rowspan)
            colspan = max(1, raw.colspan)
            if r + rowspan > n_rows:
                warnings.append(f"row {r} col {c}: rowspan {rowspan} overruns the table, clipped")
                rowspan = n_rows - r
            if max_cols is not None and c + colspan > max_cols:
                colspan = max(1, max_cols - c)
            for dr in range(rowspan):
                for dc in range(colspan):
                    covered.add((r + dr, c + dc))
            cells.append(
                Cell(row=r, col=c, rowspan=rowspan, colspan=colspan, text=raw.text, page=raw.page, bbox=raw.bbox)
            )
            c += colspan
    return cells, warnings


def build_table(rows: list[list[RawCell]], page: int | None = None) -> tuple[Table, list[str]]:
    cells, warnings = place_rows(rows)
    n_cols = max((c.col + c.colspan for c in cells), default=0)
    return Table(n_rows=len(rows), n_cols=n_cols, cells=cells, page=page), warnings


def overrun_width(cells: list[Cell]) -> int | None:
    """The table's real column count when some colspan runs past it, else None (nothing to clip).

    HTML widens a table for an overrunning colspan; in saved reports such a span is a typo
    (colspan=12 in a 10-column table). A column in which no cell starts exists only because of
    such a span, so the real width ends at the rightmost column where some cell starts; pass it
    back to place_rows(max_cols=...) to clip.
    """
    width = max((c.col + 1 for c in cells), default=0)
    return width if any(c.col + c.colspan > width for c in cells) else None
