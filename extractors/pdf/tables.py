"""PDF tables: cell boxes into a grid with spans, and tables continued across pages stitched together.

pdfplumber's `find_tables()` gives each cell's box and no notion of merging. A merged cell is simply
a box that covers several columns or rows of the table's grid, so the grid is the distinct x and y
edges of all boxes, and a cell's span is how many grid steps its box covers.

A table broken by a page is several pieces; they are laid end to end in one virtual coordinate
system (each piece's y shifted to follow the previous one), after dropping a repeated header band
and joining the two halves of cells cut by the break (a row that breaks across pages, or a merged
group label such as "（四）无/法提供"). The grid is then built once over all pieces, so column
indexes agree everywhere. Box edges closer than `tol` (PdfSettings.grid_tolerance) are one grid line.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extractors.pdf.stages import RulingStage
from extractors.pdf.text import group_lines
from pipeline.intermediate import Cell, Table

if TYPE_CHECKING:
    from extractors.pdf.settings import PdfSettings
    from extractors.pdf.stages import PageStages

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in points, top-down


@dataclass
class PCell:
    """A cell box on one page; `vtop`/`vbottom` place it in the stitched table's virtual space."""

    x0: float
    top: float
    x1: float
    bottom: float
    page: int
    text: str = ""
    vtop: float = 0.0
    vbottom: float = 0.0
    text_top: float | None = None
    text_bottom: float | None = None
    size: float = 10.0


@dataclass
class Piece:
    """One table as found on one page."""

    page: int
    bbox: tuple[float, float, float, float]
    cells: list[PCell]
    borderless: bool = False

    def n_cols(self, tol: float) -> int:
        return max(0, len(cluster([c.x0 for c in self.cells] + [c.x1 for c in self.cells], tol)) - 1)


@dataclass
class Stitched:
    """Pieces of one logical table, already in virtual coordinates."""

    pieces: list[Piece] = field(default_factory=list)
    cells: list[PCell] = field(default_factory=list)
    bottom: float = 0.0

    @property
    def page(self) -> int:
        return self.pieces[0].page


def cluster(values: list[float], tol: float) -> list[float]:
    """Sorted distinct values, those within `tol` of the previous one folded into it (mean)."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def nearest(edges: list[float], v: float) -> int:
    i = bisect_right(edges, v)
    if i == 0:
        return 0
    if i == len(edges):
        return len(edges) - 1
    return i if edges[i] - v < v - edges[i - 1] else i - 1


def fill_text(cells: list[PCell], chars: list[dict], page: int, s: PdfSettings) -> None:
    """Give each cell the text of the characters whose centre lies in its box (lines joined by "\\n")."""
    if not cells:
        return
    xs = cluster([c.x0 for c in cells] + [c.x1 for c in cells], s.grid_tolerance)
    ys = cluster([c.top for c in cells] + [c.bottom for c in cells], s.grid_tolerance)
    slot: dict[tuple[int, int], int] = {}
    for i, c in enumerate(cells):
        r0, r1 = nearest(ys, c.top), nearest(ys, c.bottom)
        c0, c1 = nearest(xs, c.x0), nearest(xs, c.x1)
        for r in range(r0, max(r1, r0 + 1)):
            for k in range(c0, max(c1, c0 + 1)):
                slot[(r, k)] = i
    owned: list[list[dict]] = [[] for _ in cells]
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if not (xs[0] <= cx <= xs[-1] and ys[0] <= cy <= ys[-1]):
            continue
        r, k = bisect_right(ys, cy) - 1, bisect_right(xs, cx) - 1
        at = slot.get((min(r, len(ys) - 2), min(k, len(xs) - 2)))
        if at is not None:
            owned[at].append(ch)
    for cell, mine in zip(cells, owned, strict=True):
        lines = group_lines(mine, page, s.column_gap_em)
        cell.text = "\n".join(ln.text for ln in lines)
        if lines:
            cell.text_top, cell.text_bottom = lines[0].top, lines[-1].bottom
            cell.size = max(ln.size for ln in lines)


class _EdgePage:
    """What pdfplumber's TableFinder reads from a page under the "lines" strategies: edges and a bbox."""

    def __init__(self, edges: list[dict], bbox: tuple[float, float, float, float]) -> None:
        self.edges = edges
        self.bbox = bbox


def finder_settings(s: PdfSettings) -> dict[str, float]:
    """pdfplumber's TableSettings ("lines" strategies) from ours."""
    return {"snap_tolerance": s.snap_tolerance, "join_tolerance": s.join_tolerance,
            "edge_min_length": s.edge_min_length, "intersection_tolerance": s.intersection_tolerance}


def table_finder(edges: list[dict], bbox: Box, s: PdfSettings) -> Any:
    """pdfplumber's TableFinder (snap, join, intersections, cells, tables) on ruling edges we found ourselves;
    its attributes are its stages."""
    from pdfplumber.table import TableFinder

    return TableFinder(_EdgePage(edges, bbox), finder_settings(s))  # type: ignore[arg-type]


def tables_from_edges(edges: list[dict], bbox: Box, s: PdfSettings,
                      rec: PageStages | None = None) -> list[tuple[Box, list[Box]]]:
    """(table bbox, cell boxes) per table pdfplumber's finder sees in the edges, top-down coordinates;
    `rec` keeps the finder's stages."""
    finder = table_finder(edges, bbox, s)
    if rec is not None:
        rec.ruling = RulingStage.of(finder)
    return [(tuple(t.bbox), [tuple(c) for c in t.cells]) for t in finder.tables]


def piece_from_boxes(boxes: list[Box], chars: list[dict], page: int, bbox: Box, s: PdfSettings) -> Piece:
    cells = [PCell(x0, top, x1, bottom, page) for x0, top, x1, bottom in boxes]
    fill_text(cells, chars, page, s)
    return Piece(page=page, bbox=bbox, cells=cells)


def _bands(cells: list[PCell], tol: float) -> list[float]:
    return cluster([c.top for c in cells] + [c.bottom for c in cells], tol)


def _row_signature(cells: list[PCell], top: float, bottom: float, tol: float) -> list[str] | None:
    """Texts of the cells inside [top, bottom] in reading order; None when a cell crosses `bottom`."""
    inside = [c for c in cells if c.top >= top - tol and c.top < bottom - tol]
    if any(c.bottom > bottom + tol for c in inside):
        return None
    return [c.text.replace("\n", "") for c in sorted(inside, key=lambda c: (round(c.top), c.x0))]


def _same_x(a: PCell, b: PCell, tol: float = 5.0) -> bool:
    return abs(a.x0 - b.x0) <= tol and abs(a.x1 - b.x1) <= tol


def start(piece: Piece) -> Stitched:
    top = piece.bbox[1]
    for c in piece.cells:
        c.vtop, c.vbottom = c.top - top, c.bottom - top
    st = Stitched(pieces=[piece], cells=list(piece.cells))
    st.bottom = piece.bbox[3] - top
    return st


def header_rows_to_drop(first: Piece, nxt: Piece, tol: float) -> float | None:
    """The y where a repeated header band of `nxt` ends (its rows equal the table's first rows)."""
    ys1, ys2 = _bands(first.cells, tol), _bands(nxt.cells, tol)
    for k in range(1, min(5, len(ys1), len(ys2))):
        sig2 = _row_signature(nxt.cells, ys2[0], ys2[k], tol)
        if sig2 is None:
            continue
        sig1 = _row_signature(first.cells, ys1[0], ys1[k], tol)
        if sig1 is not None and sig1 == sig2 and any(sig2):
            return ys2[k]
        return None
    return None


def append(st: Stitched, piece: Piece, tol: float) -> None:
    """Lay `piece` under the stitched table, joining cells the page break cut in two."""
    cut = header_rows_to_drop(st.pieces[0], piece, tol)
    top = cut if cut is not None else piece.bbox[1]
    cells = [c for c in piece.cells if c.top >= top - tol]
    for c in cells:
        c.vtop, c.vbottom = c.top - top + st.bottom, c.bottom - top + st.bottom
    upper = [c for c in st.cells if abs(c.vbottom - st.bottom) <= tol]
    lower = [c for c in cells if abs(c.vtop - st.bottom) <= tol]
    ys = _bands(cells, tol)
    first_row_bottom = ys[1] if len(ys) > 1 else st.bottom
    lower_row = sorted([c for c in lower if abs(c.bottom - first_row_bottom) <= tol], key=lambda c: c.x0)
    upper_row_bottom = max((c.vtop for c in upper), default=st.bottom)
    upper_row = [c for c in upper if abs(c.vtop - upper_row_bottom) <= tol]
    pairs = [(a, b) for b in lower for a in upper if _same_x(a, b)]
    merged: set[int] = set()
    if _row_is_continuation(upper_row, lower_row):
        for a, b in pairs:
            if b in lower_row and a in upper_row:
                _join(a, b)
                merged.add(id(b))
    for a, b in pairs:
        if id(b) in merged:
            continue
        spans = (a.vtop < upper_row_bottom - tol) or (b.bottom > first_row_bottom + tol)
        if spans and _split_cell(a, b):
            _join(a, b)
            merged.add(id(b))
    st.cells.extend(c for c in cells if id(c) not in merged)
    st.pieces.append(piece)
    st.bottom = max(c.vbottom for c in st.cells)


def _row_is_continuation(upper_row: list[PCell], lower_row: list[PCell]) -> bool:
    """Whether the first row on the new page is the rest of the last row on the old one.

    It is when its first cell is empty under a filled one (the label fitted on the old page), or
    when only its first cell has text and every value above it is filled (the label's tail).
    """
    aligned = sorted(((a, b) for b in lower_row for a in upper_row if _same_x(a, b)), key=lambda p: p[1].x0)
    if len(aligned) < 2:
        return False
    (a0, b0), rest = aligned[0], aligned[1:]
    if a0.text and not b0.text:
        return True
    return all(a.text for a, _ in rest) and not any(b.text for _, b in rest)


def _split_cell(a: PCell, b: PCell) -> bool:
    """A merged cell cut by the break: one half empty, or its text runs into the break from both sides."""
    if not a.text or not b.text:
        return True
    if a.text_bottom is None or b.text_top is None:
        return False
    near = 1.3 * max(a.size, b.size)
    return a.bottom - a.text_bottom <= near and b.text_top - b.top <= near


def _join(a: PCell, b: PCell) -> None:
    a.text = "\n".join(t for t in (a.text, b.text) if t)
    a.vbottom = max(a.vbottom, b.vbottom)


def place(st: Stitched, tol: float) -> list[tuple[PCell, int, int, int, int]]:
    """The grid: distinct edges of all boxes; each cell at its top-left with its spans (row, col, rowspan,
    colspan). A cell whose top-left another already covers is not placed."""
    cells = st.cells
    xs = cluster([c.x0 for c in cells] + [c.x1 for c in cells], tol)
    ys = cluster([c.vtop for c in cells] + [c.vbottom for c in cells], tol)
    out: list[tuple[PCell, int, int, int, int]] = []
    taken: set[tuple[int, int]] = set()
    for c in sorted(cells, key=lambda c: (c.vtop, c.x0)):
        r0, r1 = nearest(ys, c.vtop), nearest(ys, c.vbottom)
        c0, c1 = nearest(xs, c.x0), nearest(xs, c.x1)
        if (r0, c0) in taken:
            continue
        rowspan, colspan = max(1, r1 - r0), max(1, c1 - c0)
        taken.update((r, k) for r in range(r0, r0 + rowspan) for k in range(c0, c0 + colspan))
        out.append((c, r0, c0, rowspan, colspan))
    return out


def to_table(st: Stitched, tol: float) -> Table:
    """The stitched table as the intermediate form's grid of cells."""
    out = [Cell(row=r, col=k, rowspan=rs, colspan=cs, text=c.text, page=c.page,
                bbox=(round(c.x0, 2), round(c.top, 2), round(c.x1, 2), round(c.bottom, 2)))
           for c, r, k, rs, cs in place(st, tol)]
    n_rows = max((c.row + c.rowspan for c in out), default=0)
    n_cols = max((c.col + c.colspan for c in out), default=0)
    return Table(n_rows=n_rows, n_cols=n_cols, cells=out, page=st.page)
