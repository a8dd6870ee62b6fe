"""`nianbao debug FILE.pdf -o DIR`: the PDF extractor's own stages, drawn over each page.

A PDF table that reads wrong is nearly always a ruling problem (a missing line, a doubled one, a cell
split by a stray rect) or, without rules, a gap problem (two words read as one cell). The picture
answers it at a glance, and it draws what the extractor recorded while extracting (extractors.pdf.stages,
like pdfplumber's TableFinder attributes), so it cannot drift from the code:

- ruled pages: pdfplumber's table finder as the extractor ran it, on the extractor's own edges (PDFium's
  or pdfminer's): ruling edges after snapping and joining in red, intersections in blue, tables' cells
  filled, as pdfplumber's `debug_tablefinder` draws them;
- borderless pages: the words by kind (values orange, labels teal, headers purple), the column and row
  edges the table was cut along (grey) and the row anchors (grey dots);
- `--engine camelot`: camelot's lattice cells, only their ruled sides, so spans show as missing lines;
- on top, the cells the extractor emitted from the page, outlined in green with their `row,col` (and
  span), and the cells it dropped in grey (a repeated header, the lower half of a cell cut by the break,
  a cell whose grid position another already took).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extractors.pdf.stages import BorderlessRegion, CamelotCell, PageStages, PieceStage, RulingStage
    from pipeline.settings import ExtractOptions

RESOLUTION = 100
RULING = (230, 40, 40)
EXTRACTED = (0, 150, 60)
DROPPED = (150, 150, 150)
CAMELOT = (150, 0, 200)
GRID = (90, 90, 90)
WORDS = {"num": (230, 120, 0), "label": (0, 140, 140), "head": (140, 60, 200)}
ROUTES = {"ruled": "ruled tables (pdfplumber's finder on the page's edges)", "camelot": "camelot lattice",
          "borderless": "no ruled table: word positions", "ocr": "no usable text layer: read by OCR",
          "": "tables not looked for (no template words on the page)"}


@dataclass
class PageDebug:
    number: int  # 1-based
    png: Path
    tables_found: int  # by the finder the extractor used on this page
    cells_extracted: int  # cells the extractor emitted from this page (drawn in green)
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


def record_stages(path: Path, options: ExtractOptions) -> tuple[list[PageStages], str]:
    """The extractor's stages per page, and why it failed ("" when it did not): a failed extraction still
    leaves the pages it read, and their picture is still useful."""
    from extractors.pdf import extract

    stages: list[PageStages] = []
    try:
        extract(path, path.read_bytes(), "pdf", options, stages=stages)
    except Exception as exc:  # noqa: BLE001 - draw what was recorded; say why the rest is missing
        return stages, " ".join(str(exc).split())
    return stages, ""


# --- drawing ---------------------------------------------------------------------------------------------

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


def _legend(im: Any, lines: list[tuple[str, tuple[int, int, int]]]) -> None:
    y = 4
    for text, colour in lines:
        _label(im, (6, y), text, colour, size=12)
        y += 16


def _draw_ruling(im: Any, ruling: RulingStage) -> str:
    """pdfplumber's debug_tablefinder, on the finder the extractor ran."""
    for _, cells in ruling.tables:
        im.draw_rects(cells, fill=(0, 0, 255, 50), stroke=(255, 0, 0, 200), stroke_width=1)
    im.draw_lines(ruling.edges, stroke=(255, 0, 0, 200), stroke_width=1)
    for point in ruling.intersections:
        im.draw_circle(point, radius=3, fill=(0, 0, 0, 0), stroke=(0, 0, 255, 200))
    return (f"pdfplumber: {len(ruling.tables)} table(s), {len(ruling.edges)} ruling edges (red), "
            f"{len(ruling.intersections)} intersections (blue), cells filled")


def _draw_borderless(im: Any, regions: list[BorderlessRegion]) -> str:
    """Each word-position table: its words by kind, the edges it was cut along, its row anchors."""
    for region in regions:
        left, right, top, bottom = region.columns[0], region.columns[-1], region.rows[0], region.rows[-1]
        for x in region.columns:
            im.draw_line([(x, top), (x, bottom)], stroke=GRID + (200,), stroke_width=1)
        for y in region.rows:
            im.draw_line([(left, y), (right, y)], stroke=GRID + (200,), stroke_width=1)
        for y in region.anchors:
            im.draw_circle((left - 4, y), radius=2, fill=GRID + (255,), stroke=GRID + (255,))
        for box, _, kind in region.words:
            colour = WORDS.get(kind, GRID)
            im.draw_rect(box, fill=colour + (40,), stroke=colour + (255,), stroke_width=1)
    words = sum(len(r.words) for r in regions)
    return (f"borderless: {len(regions)} table(s), {words} words (values orange, labels teal, headers purple), "
            f"column and row edges grey, row anchors dots")


def _draw_camelot(im: Any, cells: list[CamelotCell]) -> str:
    """Only the ruled sides of each cell, so camelot's spans show as missing inner lines."""
    for cell in cells:
        x0, y0, x1, y1 = im._reproject_bbox(cell.bbox)
        left, top, right, bottom = cell.sides
        for ruled, line in ((left, (x0, y0, x0, y1)), (top, (x0, y0, x1, y0)), (right, (x1, y0, x1, y1)),
                            (bottom, (x0, y1, x1, y1))):
            if ruled:
                im.draw.line(line, fill=CAMELOT + (255,), width=2)
        _label(im, (x0 + 3, y1 - 14), cell.label, CAMELOT, size=10)
    found = len({c.label.split(":")[0] for c in cells})
    return f"camelot lattice: {found} table(s), {len(cells)} cells (table:row,col)"


def _draw_pieces(im: Any, pieces: list[PieceStage]) -> tuple[int, int]:
    """The piece cells: placed ones green with row,col (and span), dropped ones grey. (placed, dropped)."""
    placed = dropped = 0
    for piece in pieces:
        for cell in piece.cells:
            x0, top, x1, bottom = im._reproject_bbox(cell.box)
            if cell.place is None:
                dropped += 1
                im.draw.rectangle((x0 + 3, top + 3, x1 - 3, bottom - 3), outline=DROPPED + (255,), width=1)
                continue
            placed += 1
            _, row, col, rowspan, colspan = cell.place
            im.draw.rectangle((x0 + 2, top + 2, x1 - 2, bottom - 2), outline=EXTRACTED + (255,), width=2)
            span = f" {rowspan}x{colspan}" if rowspan > 1 or colspan > 1 else ""
            _label(im, (x0 + 4, top + 3), f"{row},{col}{span}", EXTRACTED)
    return placed, dropped


def draw_page(im: Any, rec: PageStages, title: str) -> int:
    """Every recorded stage of one page over its picture, with a legend; returns the cells drawn as emitted."""
    legend: list[tuple[str, tuple[int, int, int]]] = [
        (f"{title} page {rec.number}: {rec.note or ROUTES.get(rec.route, rec.route)}", (0, 0, 0))]
    if rec.ruling is not None:
        legend.append((_draw_ruling(im, rec.ruling), RULING))
    if rec.borderless:
        legend.append((_draw_borderless(im, rec.borderless), GRID))
    if rec.camelot:
        legend.append((_draw_camelot(im, rec.camelot), CAMELOT))
    placed, dropped = _draw_pieces(im, rec.pieces)
    if placed or dropped:
        more = f"; {dropped} dropped (grey)" if dropped else ""
        legend.append((f"extractor: {placed} cells (row,col and span){more}", EXTRACTED))
    _legend(im, legend)
    return placed


def debug_pdf(path: Path, out_dir: Path, pages: list[int] | None = None, options: ExtractOptions | None = None,
              resolution: int = RESOLUTION) -> list[PageDebug]:
    """Each page with a table (or each page asked for) drawn with the extractor's stages; a PNG per page.

    options: how to extract (None: the defaults); `pdf_engine` "camelot" draws camelot's lattice.
    """
    import pdfplumber

    from extractors.pdf.stages import PageStages
    from pipeline.settings import ExtractOptions

    options = options or ExtractOptions()
    if options.pdf_engine == "camelot" and not camelot_available():
        raise RuntimeError("camelot is not installed (pip install 'nianbao[camelot]'); use --engine pdfplumber")
    out_dir.mkdir(parents=True, exist_ok=True)
    stages, failure = record_stages(path, options)
    recorded = {rec.number: rec for rec in stages}
    suffix = "-camelot" if options.pdf_engine == "camelot" else ""
    results: list[PageDebug] = []
    with pdfplumber.open(path) as pdf:
        for number in pages or range(1, len(pdf.pages) + 1):
            if not 1 <= number <= len(pdf.pages):
                continue
            rec = recorded.get(number) or PageStages(number, 0.0, 0.0, note=f"not read: {failure or 'no stages'}")
            if pages is None and not rec.tables_found and not rec.placed:
                continue  # every page was asked for: keep the ones with a table
            im = pdf.pages[number - 1].to_image(resolution=resolution)
            drawn = draw_page(im, rec, path.name)
            target = out_dir / f"{path.stem}-p{number:03d}{suffix}.png"
            im.save(target)
            notes = [n for n in (rec.note, failure) if n]
            results.append(PageDebug(number, target, rec.tables_found, drawn, notes))
    return results
