"""camelot as a second table engine (optional: `pip install nianbao[camelot]`, camelot-py==1.0.9).

Used when ExtractOptions.pdf_engine is "camelot", or when pdfplumber finds no table on a page that names the
template's labels. Only camelot's cell boxes are taken (lattice, from the ruling lines it sees in
the rendered page); the text is filled from pdfplumber's characters by the same code as for
pdfplumber's boxes. Pin 1.0.9: 2.0.0's lattice puts CJK text one row off on PDFs whose CJK fonts
declare Ascent 0/Descent 0 (LibreOffice's), which would matter if we used its text.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.pdf.stages import CamelotCell
from extractors.pdf.tables import Piece, piece_from_boxes

if TYPE_CHECKING:
    from extractors.pdf.settings import PdfSettings


def available() -> bool:
    return importlib.util.find_spec("camelot") is not None


def _tables(path: Path, pages: str):
    import camelot

    return camelot.read_pdf(str(path), pages=pages, flavor="lattice", suppress_stdout=True)


def table_rows(path: Path, pages: str = "1") -> list[list[list[str]]]:
    """camelot's own text grid per table (for comparing engines)."""
    return [t.df.values.tolist() for t in _tables(path, pages)]


def pieces(path: Path, page, chars: list[dict], number: int, settings: PdfSettings,
           rec: list[CamelotCell] | None = None) -> list[Piece]:
    """Tables on one page as Pieces: camelot's cell boxes (PDF space, y up) turned to top-down; `rec`
    keeps camelot's grid cells with their ruled sides."""
    height = float(page.height)
    out = []
    try:
        found = _tables(path, str(number))
    except Exception:  # camelot fails on odd pages; the caller falls back to pdfplumber's result
        return []
    if rec is not None:
        rec.extend(_lattice(found, height))
    for table in found:
        grid_boxes: set[tuple[float, float, float, float]] = set()
        for row in table.cells:
            for cell in row:
                # camelot splits merged cells into grid cells with shared-edge flags; rebuild each merge
                grid_boxes.add((round(cell.x1, 1), round(height - cell.y2, 1), round(cell.x2, 1), round(height - cell.y1, 1)))
        merged = _merge_spanned(table, height)
        boxes = merged or sorted(grid_boxes)
        x0s = [b[0] for b in boxes]
        tops = [b[1] for b in boxes]
        x1s = [b[2] for b in boxes]
        bottoms = [b[3] for b in boxes]
        bbox = (min(x0s), min(tops), max(x1s), max(bottoms))
        piece = piece_from_boxes(list(boxes), chars, number, bbox, settings)
        if piece.n_cols(settings.grid_tolerance) >= 2:
            out.append(piece)
    return out


def _lattice(found, height: float) -> list[CamelotCell]:
    """camelot's grid cells, top-down, labelled table:row,col, with which sides are ruled."""
    return [CamelotCell((cell.x1, height - cell.y2, cell.x2, height - cell.y1), f"{t}:{r},{c}",
                        (bool(cell.left), bool(cell.top), bool(cell.right), bool(cell.bottom)))
            for t, table in enumerate(found) for r, row in enumerate(table.cells) for c, cell in enumerate(row)]


def _merge_spanned(table, height: float) -> list[tuple[float, float, float, float]]:
    """Grid cells joined where camelot reports no ruling line between them (its `right`/`bottom` flags)."""
    rows = table.cells
    n_rows, n_cols = len(rows), len(rows[0]) if rows else 0
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    boxes: dict[tuple[int, int], list[float]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            cell = rows[r][c]
            if c > 0 and not rows[r][c - 1].right and (r, c - 1) in owner:
                key = owner[(r, c - 1)]
            elif r > 0 and not rows[r - 1][c].bottom and (r - 1, c) in owner:
                key = owner[(r - 1, c)]
            else:
                key = (r, c)
                boxes[key] = [cell.x1, height - cell.y2, cell.x2, height - cell.y1]
            owner[(r, c)] = key
            box = boxes[key]
            box[0], box[1] = min(box[0], cell.x1), min(box[1], height - cell.y2)
            box[2], box[3] = max(box[2], cell.x2), max(box[3], height - cell.y1)
    return [(b[0], b[1], b[2], b[3]) for b in boxes.values()]
