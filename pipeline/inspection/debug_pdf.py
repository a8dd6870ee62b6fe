"""`nianbao debug FILE.pdf -o DIR`: what the table finder saw, drawn over each page.

A PDF table that reads wrong is nearly always a ruling problem (a missing line, a doubled one, a
cell split by a stray rect). The picture answers it at a glance: pdfplumber's own visual debugging
(`page.to_image().debug_tablefinder()`: ruling edges in red, intersections in blue, found cells
filled), and on top the cells the extractor finally emitted, outlined in green with their
`row,col` (and span) — so a difference between "what pdfplumber found" and "what we made of it"
is visible. `--engine camelot` draws camelot's lattice cells instead, when camelot is installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESOLUTION = 100
RULING = (230, 40, 40)
EXTRACTED = (0, 150, 60)
CAMELOT = (150, 0, 200)


@dataclass
class PageDebug:
    number: int  # 1-based
    png: Path
    tables_found: int  # by the engine's table finder
    cells_extracted: int  # cells the extractor emitted on this page
    notes: list[str] = field(default_factory=list)


def camelot_available() -> bool:
    import warnings

    try:
        with warnings.catch_warnings():  # its pypdf import warns about deprecated ciphers
            warnings.simplefilter("ignore")
            import camelot  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken install (missing ghostscript, cv2) counts as absent
        return False
    return True


def parse_pages(spec: str | None) -> list[int] | None:
    """`1,3-5` -> [1, 3, 4, 5]; None means every page."""
    if not spec:
        return None
    pages: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            pages.extend(range(int(lo), int(hi) + 1))
        else:
            pages.append(int(part))
    return sorted(set(pages))


def _extracted_cells(path: Path, options: Any) -> dict[int, list[Any]]:
    """page -> intermediate cells with a bbox, from the project's own PDF extractor (empty if it fails)."""
    try:
        from extractors import extract
        from pipeline.intermediate import Table

        doc = extract(path, fmt="pdf", options=options)
    except Exception:  # noqa: BLE001 - the picture is still useful without the extractor's cells
        return {}
    out: dict[int, list[Any]] = {}
    for block in doc.blocks:
        if isinstance(block, Table):
            for cell in block.cells:
                if cell.page is not None and cell.bbox is not None:
                    out.setdefault(cell.page, []).append(cell)
    return out


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _label(im: Any, xy: tuple[int, int], text: str, colour: tuple[int, int, int], size: int = 11) -> None:
    """Text on a white box so it stays readable over ruling lines."""
    font = _font(size)
    box = im.draw.textbbox(xy, text, font=font)
    im.draw.rectangle((box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1), fill=(255, 255, 255, 220))
    im.draw.text(xy, text, fill=colour, font=font)


def _draw_cells(im: Any, cells: list[Any], colour: tuple[int, int, int]) -> None:
    for cell in cells:
        x0, top, x1, bottom = im._reproject_bbox(cell.bbox)
        im.draw.rectangle((x0 + 2, top + 2, x1 - 2, bottom - 2), outline=colour + (255,), width=2)
        span = f" {cell.rowspan}x{cell.colspan}" if cell.rowspan > 1 or cell.colspan > 1 else ""
        _label(im, (x0 + 4, top + 3), f"{cell.row},{cell.col}{span}", colour)


def _legend(im: Any, lines: list[tuple[str, tuple[int, int, int]]]) -> None:
    y = 4
    for text, colour in lines:
        _label(im, (6, y), text, colour, size=12)
        y += 16


CamelotBox = tuple[tuple[float, float, float, float], str, tuple[bool, bool, bool, bool]]


def _camelot_cells(path: Path, page_number: int, height: float) -> list[CamelotBox]:
    """(bbox in pdfplumber coordinates, 'table:row,col', which sides are ruled) of camelot's lattice cells."""
    import camelot

    boxes = []
    for t_index, table in enumerate(camelot.read_pdf(str(path), pages=str(page_number), flavor="lattice")):
        for r, row in enumerate(table.cells):
            for c, cell in enumerate(row):
                bbox = (cell.x1, height - cell.y2, cell.x2, height - cell.y1)
                sides = (bool(cell.left), bool(cell.top), bool(cell.right), bool(cell.bottom))
                boxes.append((bbox, f"{t_index}:{r},{c}", sides))
    return boxes


def _draw_camelot(im: Any, boxes: list[CamelotBox]) -> None:
    """Only the ruled sides of each cell, so camelot's spans show as missing inner lines."""
    for bbox, label, (left, top, right, bottom) in boxes:
        x0, y0, x1, y1 = im._reproject_bbox(bbox)
        for ruled, line in ((left, (x0, y0, x0, y1)), (top, (x0, y0, x1, y0)), (right, (x1, y0, x1, y1)),
                            (bottom, (x0, y1, x1, y1))):
            if ruled:
                im.draw.line(line, fill=CAMELOT + (255,), width=2)
        _label(im, (x0 + 3, y1 - 14), label, CAMELOT, size=10)


def debug_pdf(path: Path, out_dir: Path, pages: list[int] | None = None, engine: str = "pdfplumber",
              resolution: int = RESOLUTION, options: Any = None) -> list[PageDebug]:
    """Render each page that has a table (or each page asked for) with the finder's overlay; PNG per page."""
    import pdfplumber

    if engine == "camelot" and not camelot_available():
        raise RuntimeError("camelot is not installed (pip install 'nianbao[camelot]'); use --engine pdfplumber")
    out_dir.mkdir(parents=True, exist_ok=True)
    extracted = _extracted_cells(path, options)
    results: list[PageDebug] = []
    with pdfplumber.open(path) as pdf:
        wanted = pages or list(range(1, len(pdf.pages) + 1))
        for number in wanted:
            if not 1 <= number <= len(pdf.pages):
                continue
            page = pdf.pages[number - 1]
            cells = extracted.get(number, [])
            if engine == "camelot":
                boxes = _camelot_cells(path, number, float(page.height))
                found = len({label.split(":")[0] for _, label, _ in boxes})
            else:
                finder = page.debug_tablefinder()
                found = len(finder.tables)
            if pages is None and not found and not cells:
                continue  # every page was asked for: keep the ones with a table
            im = page.to_image(resolution=resolution)
            legend: list[tuple[str, tuple[int, int, int]]] = [(f"{path.name} page {number}", (0, 0, 0))]
            if engine == "camelot":
                _draw_camelot(im, boxes)
                legend.append((f"camelot lattice: {found} table(s), {len(boxes)} cells (table:row,col)", CAMELOT))
            else:
                im.debug_tablefinder(finder)
                legend.append((f"pdfplumber: {found} table(s), {len(finder.edges)} ruling edges (red), "
                               f"{len(finder.intersections)} intersections (blue), cells filled", RULING))
            if cells:
                _draw_cells(im, cells, EXTRACTED)
                legend.append((f"extractor: {len(cells)} cells (row,col and span)", EXTRACTED))
            _legend(im, legend)
            target = out_dir / f"{path.stem}-p{number:03d}{'-camelot' if engine == 'camelot' else ''}.png"
            im.save(target)
            results.append(PageDebug(number, target, found, len(cells)))
    return results
