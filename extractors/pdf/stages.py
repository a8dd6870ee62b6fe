"""What the PDF extractor did on each page, kept on request so that a picture can show it (`nianbao debug`).

Like pdfplumber's TableFinder attributes (edges, intersections, cells, tables) and camelot's `parse`:
the stages are the extractor's own values, recorded where it computes them, so a picture drawn from
them cannot drift from the code. Per page: how tables were looked for, the ruling edges pdfplumber's
finder used (after snapping and joining) with its intersections, cells and tables; for borderless
pages the words by kind with the column and row edges and the row anchors; camelot's lattice cells;
and every table piece with the grid position each of its cells got once the pages were stitched.

Recording is off unless the caller hands `extractors.pdf.extract` a list to fill (`stages=[]`); then
each page appends one PageStages. Nothing here reaches the intermediate JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in points, top-down (pdfplumber's)


@dataclass
class RulingStage:
    """pdfplumber's TableFinder on the page's ruling edges (or, for OCR, the edges seen in the picture)."""

    edges: list[dict]  # as the finder used them: snapped, joined, short ones dropped
    intersections: list[tuple[float, float]]
    cells: list[Box]  # every cell the intersections close
    tables: list[tuple[Box, list[Box]]]  # (bbox, cells) of each table the cells group into

    @classmethod
    def of(cls, finder: Any) -> RulingStage:
        return cls(edges=list(finder.edges), intersections=[tuple(p) for p in finder.intersections],
                   cells=[tuple(c) for c in finder.cells],
                   tables=[(tuple(t.bbox), [tuple(c) for c in t.cells]) for t in finder.tables])


@dataclass
class BorderlessRegion:
    """One table rebuilt from word positions: its words by kind, its grid edges and its row anchors."""

    words: list[tuple[Box, str, str]]  # (box, text, kind: num, label or head)
    columns: list[float]  # x of the column edges: label sub-columns, then value columns
    rows: list[float]  # y of the row edges
    anchors: list[float]  # y of each row's anchor (a line of numbers, a header, a label of its own)


@dataclass
class CamelotCell:
    """One cell of camelot's lattice grid, with which of its sides are ruled (merged cells miss some)."""

    bbox: Box
    label: str  # "table:row,col" in camelot's grid
    sides: tuple[bool, bool, bool, bool]  # left, top, right, bottom ruled


@dataclass
class GridCell:
    """A cell of a table piece and where it went: its stitched table and grid position (None: dropped, as a
    repeated header, the lower half of a cell joined across the page break, or a cell whose grid position
    another cell already took)."""

    box: Box
    text: str
    place: tuple[int, int, int, int, int] | None = None  # table (0-based, among the document's), row, col,
    #                                                      rowspan, colspan


@dataclass
class PieceStage:
    """One table as found on this page, before stitching."""

    bbox: Box
    kind: str  # ruled, camelot, borderless or ocr
    cells: list[GridCell] = field(default_factory=list)


@dataclass
class PageStages:
    """Everything the extractor recorded for one page."""

    number: int
    width: float
    height: float
    route: str = ""  # how tables were looked for: "" (not: no template words), ruled, camelot, borderless, ocr
    note: str = ""  # why a page or its tables were skipped, when they were
    ruling: RulingStage | None = None
    borderless: list[BorderlessRegion] = field(default_factory=list)
    camelot: list[CamelotCell] = field(default_factory=list)
    pieces: list[PieceStage] = field(default_factory=list)

    @property
    def tables_found(self) -> int:
        """Tables the route's finder found on this page (before the extractor kept or dropped them)."""
        if self.route == "camelot":
            return len({c.label.split(":")[0] for c in self.camelot})
        if self.borderless:
            return len(self.borderless)
        return len(self.ruling.tables) if self.ruling else 0

    @property
    def placed(self) -> list[GridCell]:
        """The cells the extractor emitted from this page (those with a grid position)."""
        return [c for p in self.pieces for c in p.cells if c.place is not None]
