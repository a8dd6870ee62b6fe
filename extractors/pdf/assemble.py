"""PDF pages stitched into one document: running headers dropped, paragraphs and tables joined over breaks.

Each page was read on its own (pdf_pages); only the whole document tells a running header from a
heading (it recurs in the margins of most pages) and the text margins (a last page holding only a
signature must not set its own). A paragraph that runs to the page's end continues at the top of the
next page; a table whose last piece ends a page continues when the next page starts with a piece of
the same columns (pdf_tables lays the pieces end to end and builds one grid). The tolerances are
PdfSettings' (stitch_tolerance, para_*_em, header_margin_ratio).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING

from extractors.pdf import tables as pt
from extractors.pdf.pages import PageContent
from extractors.pdf.stages import GridCell, PageStages, PieceStage
from extractors.pdf.text import Line, is_heading, paragraphs, running_headers
from pipeline.intermediate import Paragraph, Table

if TYPE_CHECKING:
    from extractors.pdf.settings import PdfSettings


@dataclass
class Para:
    """A paragraph of one page, or joined over page breaks, with the margins it was read against."""

    text: str
    heading: int | None
    first: Line
    last: Line
    left: float
    right: float


def assemble(pages: list[PageContent], s: PdfSettings) -> list[Paragraph | Table]:
    """Blocks of all pages in order; running headers dropped, tables and paragraphs joined over breaks."""
    return blocks(stitch(pages, s), s)


def blocks(items: list[Para | pt.Stitched], s: PdfSettings) -> list[Paragraph | Table]:
    """Stitched paragraphs and tables as the intermediate form's blocks."""
    return [pt.to_table(item, s.grid_tolerance) if isinstance(item, pt.Stitched)
            else Paragraph(text=item.text, heading=item.heading, page=item.first.page) for item in items]


def places(items: list[Para | pt.Stitched], tol: float) -> dict[int, tuple[int, int, int, int, int]]:
    """id of every placed cell -> (table, row, col, rowspan, colspan), tables counted in document order."""
    tables = [item for item in items if isinstance(item, pt.Stitched)]
    return {id(c): (t, r, k, rs, cs) for t, st in enumerate(tables) for c, r, k, rs, cs in pt.place(st, tol)}


def record_pieces(stages: list[PageStages], pages: list[PageContent], items: list[Para | pt.Stitched],
                   tol: float) -> None:
    """Each page's table pieces with the grid position every cell got in its stitched table."""
    placed = places(items, tol)
    for rec, page in zip(stages, pages, strict=True):
        rec.pieces = [_piece_stage(p, rec.route, placed) for p in page.pieces]


def _piece_stage(piece: pt.Piece, route: str, placed: dict[int, tuple[int, int, int, int, int]]) -> PieceStage:
    cells = [GridCell((c.x0, c.top, c.x1, c.bottom), c.text, placed.get(id(c))) for c in piece.cells]
    return PieceStage(piece.bbox, "borderless" if piece.borderless else route or "ruled", cells)


def stitch(pages: list[PageContent], s: PdfSettings) -> list[Para | pt.Stitched]:
    """Paragraphs and stitched tables of all pages in reading order (running headers dropped)."""
    _drop_running_headers(pages, s.header_margin_ratio)
    sizes = [ln.size for p in pages for ln in p.lines]
    body_size = median(sizes) if sizes else 10.5
    margins = _margins(pages)
    out: list[Para | pt.Stitched] = []
    prev_last_page = 0
    for page in pages:
        items = _page_blocks(page, body_size, margins, s)
        for i, (_, item) in enumerate(items):
            first_here = i == 0 and prev_last_page == page.number - 1
            _add(out, item, first_here, page.number, s)
        if items:
            prev_last_page = page.number
    return out


def _add(out: list[Para | pt.Stitched], item: Para | pt.Piece, first_here: bool, number: int,
         s: PdfSettings) -> None:
    """Append a page's block, or join it to the last one when it continues it over the page break."""
    last = out[-1] if out else None
    if isinstance(item, pt.Piece):
        if (first_here and isinstance(last, pt.Stitched) and last.pieces[-1].page == number - 1
                and _same_columns(last.pieces[-1], item, s)):
            pt.append(last, item, s.grid_tolerance)
        else:
            out.append(pt.start(item))
    elif first_here and isinstance(last, Para) and _continues(last, item, s):
        out[-1] = Para(last.text + item.text, None, last.first, item.last, last.left, last.right)
    else:
        out.append(item)


def _drop_running_headers(pages: list[PageContent], margin_ratio: float) -> None:
    furniture = running_headers([p.lines for p in pages], [p.height for p in pages], margin_ratio)
    if not furniture:
        return
    for p in pages:
        margin = margin_ratio * p.height
        p.lines = [ln for ln in p.lines if not (
            (ln.bottom < margin or ln.top > p.height - margin) and re.sub(r"\d+", "#", ln.text) in furniture)]


def _margins(pages: list[PageContent]) -> dict[int, tuple[float, float]]:
    """Left and right text margins per page width, from the lines of every page of that width.

    Taken over the whole document so that a last page holding only a signature does not make the
    signature its own margin.
    """
    by_width: dict[int, list[Line]] = {}
    for p in pages:
        by_width.setdefault(round(p.width), []).extend(ln for ln in p.lines if len(ln.text) >= 8)
    return {w: (min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)) for w, lines in by_width.items() if lines}


def _page_blocks(page: PageContent, body_size: float, margins: dict[int, tuple[float, float]],
                 s: PdfSettings) -> list[tuple[float, Para | pt.Piece]]:
    """(top, paragraph | table piece) in reading order for one page."""
    items: list[tuple[float, Para | pt.Piece]] = [(p.bbox[1], p) for p in page.pieces]
    lines = page.lines
    if lines:
        left, right = margins.get(round(page.width)) or (min(ln.x0 for ln in lines), max(ln.x1 for ln in lines))
        # split the flow at tables so that a paragraph never runs across one
        cuts = sorted(p.bbox[1] for p in page.pieces)
        groups: list[list[Line]] = [[] for _ in range(len(cuts) + 1)]
        for ln in sorted(lines, key=lambda ln: ln.top):
            groups[sum(1 for c in cuts if c < ln.top)].append(ln)
        for group in groups:
            for text, head, first, last in paragraphs(group, left, right, body_size, s):
                items.append((first.top, Para(text, head, first, last, left, right)))
    items.sort(key=lambda it: it[0])
    return items


def _continues(prev: Para, nxt: Para, s: PdfSettings) -> bool:
    """A paragraph that ran to the page's end and goes on at the top of the next page."""
    size = max(prev.last.size, nxt.first.size, 1.0)
    return (prev.heading is None and not is_heading(nxt.text)
            and prev.last.x1 >= prev.right - s.para_right_em * size
            and prev.last.x0 <= prev.left + s.para_page_left_em * size
            and nxt.first.x0 <= nxt.left + s.para_left_em * size
            and not prev.text.endswith(("。", "！", "？", "：")))


def _same_columns(a: pt.Piece, b: pt.Piece, s: PdfSettings) -> bool:
    """Same outer edges (ruled), or same left edge (borderless: the right edge follows the numbers)."""
    if a.borderless and b.borderless:
        return abs(a.bbox[0] - b.bbox[0]) <= s.stitch_borderless_tolerance
    tol = s.stitch_tolerance
    return abs(a.bbox[0] - b.bbox[0]) <= tol and abs(a.bbox[2] - b.bbox[2]) <= tol
