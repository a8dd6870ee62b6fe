"""Pictures of a report (page images, tables pasted as images, one tall 长图) read by OCR into blocks.

Shared by the image, DOCX and HTML extractors. Each picture is treated as a scanned page: it goes
through the scanned-PDF OCR path (extractors/pdf/ocr.py: ruling lines found in the picture, text
boxes cut at the rules, the grid rebuilt by pdfplumber's table finder), then the PDF assembly
joins lines into paragraphs and stitches a table continued from one picture to the next, exactly
as for the pages of a PDF.

A picture much taller than wide (a whole report saved as one long image) is cut into pieces the
text detector can read at full resolution (it shrinks its input to `DET_SIDE` pixels): at the
middle of a blank band between text lines or tables, or, inside a table taller than a piece, on
one of its horizontal rules, which then closes the rows above and opens the rows below (the PDF
stitching sees a table broken by a page). A picture is never cut through a row of text or cells.

Pictures are laid on a page of A4 width (595 pt), so that sizes in points mean what they mean in
a PDF, and scaled to the resolution scanned pages are read at (PdfSettings.ocr_dpi): a 120-dpi and a 300-dpi
picture of the same page read alike.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import ExtractionError
from pipeline.intermediate import Paragraph, Table
from pipeline.intermediate import Warning as ExtractWarning

if TYPE_CHECKING:
    from pipeline.settings import ExtractOptions

PAGE_WIDTH = 595.0  # points: A4
MAX_PIECE_RATIO = 1.45  # a piece at most this many times taller than wide (A4 is 1.41)
MIN_PIECE_RATIO = 0.6  # ...and, when it can be cut, at least this tall
MIN_PIXELS = 200_000  # smaller pictures (logos, seals, icons) are not read
MIN_WIDTH = 400
MAX_PIXELS = 120_000_000  # Pillow's own decompression-bomb bound is about this
INK = 170  # grey level below which a pixel is ink (as in pdf/ocr.py)


@dataclass
class Picture:
    """One picture's bytes and the name it goes by (a media part, an <img> src, a file)."""

    name: str
    data: bytes


@dataclass
class PictureSlot:
    """Where a picture stands among a document's blocks, by the name its format gives it (a DOCX
    relationship id, an <img> src); `fill_slots` puts what the picture says in its place."""

    ref: str


# a block as a reader that keeps pictures in place emits it, before `fill_slots`
SlotBlock = Paragraph | Table | PictureSlot


def fill_slots(blocks: list[SlotBlock], resolve: Callable[[str], Picture | None], warnings: list[ExtractWarning],
               options: ExtractOptions | None = None) -> list[Paragraph | Table]:
    """The blocks with each run of pictures replaced by what OCR reads in them.

    Pictures are read when the document has no table of its own (its tables or whole pages are
    pictures); beside text tables they are photos, logos and seals and are left out. A document
    that is only pictures, without the OCR extra, is refused with one line saying what to install.
    """
    slots = [b for b in blocks if isinstance(b, PictureSlot)]
    plain = [b for b in blocks if not isinstance(b, PictureSlot)]
    if not slots:
        return plain
    found = {slot.ref: resolve(slot.ref) for slot in slots}
    readable = {ref for ref, pic in found.items() if pic is not None and _readable_size(pic)}
    if not readable:
        return plain
    if any(isinstance(b, Table) and b.n_rows >= 3 and b.n_cols >= 3 for b in plain):
        warnings.append(ExtractWarning(code="pictures_not_read", message=f"{len(readable)} picture(s) not read: "
                                       "the document has tables of its own"))
        return plain
    if not available():
        raise ExtractionError(f"the report's tables are pictures; {install_hint()}", kind="unsupported")
    out: list[Paragraph | Table] = []
    run: list[Picture] = []
    page = 1
    for block in [*blocks, None]:
        if isinstance(block, PictureSlot):
            if block.ref in readable:
                run.append(found[block.ref])  # type: ignore[arg-type]
            continue
        if run:
            read, n_pages = read_pictures(run, warnings, first_page=page, options=options)
            page += n_pages
            out.extend(read)
            run = []
        if block is not None:
            out.append(block)
    return out


def _readable_size(picture: Picture) -> bool:
    """From the header alone: big enough to hold text worth reading (not a logo, an icon or a seal)."""
    from PIL import Image, UnidentifiedImageError

    try:
        w, h = Image.open(io.BytesIO(picture.data)).size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False
    return w >= MIN_WIDTH and w * h >= MIN_PIXELS


def available() -> bool:
    from extractors.pdf import ocr

    return ocr.available()


def install_hint() -> str:
    from extractors.pdf import ocr

    return f"pictures are read by OCR: `{ocr.INSTALL}`"


def decode(picture: Picture) -> list:
    """The picture's frames (a TIFF may hold several) as greyscale arrays; [] when it is not a picture."""
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(io.BytesIO(picture.data))
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frame = image.convert("RGBA") if image.mode in ("P", "LA", "RGBA") else image
            if frame.mode == "RGBA":  # transparent pixels are the paper
                white = Image.new("RGBA", frame.size, (255, 255, 255, 255))
                frame = Image.alpha_composite(white, frame)
            frames.append(np.asarray(ImageOps.exif_transpose(frame).convert("L")))
        return frames
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return []


def worth_reading(gray) -> bool:
    """Big enough to hold text worth reading: not a logo, an icon, a bullet or a seal."""
    h, w = gray.shape
    return w >= MIN_WIDTH and w * h >= MIN_PIXELS


def cut_tall(gray) -> list:
    """Pieces of a tall picture, each at most MAX_PIECE_RATIO times taller than wide, cut only at blank
    bands or on a table's horizontal rule (kept in both pieces); a normal picture is one piece."""
    import numpy as np

    h, w = gray.shape
    limit = int(MAX_PIECE_RATIO * w)
    if h <= limit:
        return [gray]
    ink = gray < INK
    blank = ~ink.any(axis=1)
    rules = _rule_rows(ink)
    pieces = []
    top = 0
    while h - top > limit:
        low, high = top + int(MIN_PIECE_RATIO * w), top + limit
        cut = _blank_cut(blank, low, high)
        if cut is not None:
            pieces.append(gray[top:cut])
            top = cut
            continue
        rule = _rule_cut(rules, low, high)
        if rule is None:  # neither blank band nor rule: a picture of text with no gaps; cut at the limit
            pieces.append(gray[top:high])
            top = high
            continue
        start, end = rule
        pieces.append(gray[top:end])
        top = start
    pieces.append(gray[top:])
    return [np.ascontiguousarray(p) for p in pieces if p.shape[0] > 4]


def _rule_rows(ink) -> list[tuple[int, int]]:
    """(first, last + 1) of every band of rows holding a horizontal rule at least a third as wide as the picture."""
    import cv2

    w = ink.shape[1]
    mask = cv2.morphologyEx(ink.astype("uint8") * 255, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, w // 3), 1)))
    rows = mask.any(axis=1).nonzero()[0]  # type: ignore[misc]  # cv2's MatLike stub types any() as numpy.bool
    bands: list[tuple[int, int]] = []
    for r in rows.tolist():
        if bands and r <= bands[-1][1]:
            bands[-1] = (bands[-1][0], r + 1)
        else:
            bands.append((r, r + 1))
    return bands


def _blank_cut(blank, low: int, high: int) -> int | None:
    """The middle of a blank band between low and high: the lowest of those nearly as wide as the widest
    (a gap between paragraphs or tables rather than between two lines); None when there is none."""
    bands: list[tuple[int, int]] = []
    r = low
    while r < high:
        if not blank[r]:
            r += 1
            continue
        start = r
        while r < high and blank[r]:
            r += 1
        if r - start >= 3:
            bands.append((start, r))
    if not bands:
        return None
    widest = max(end - start for start, end in bands)
    start, end = [b for b in bands if b[1] - b[0] >= 0.6 * widest][-1]
    return (start + end) // 2


def _rule_cut(rules: list[tuple[int, int]], low: int, high: int) -> tuple[int, int] | None:
    """The lowest horizontal rule between low and high, as (first row, last row + 1)."""
    inside = [band for band in rules if low <= band[0] and band[1] <= high]
    return inside[-1] if inside else None


def at_ocr_resolution(gray, dpi: int):
    """The picture scaled to the resolution scanned PDF pages are read at (an A4 width at ocr.DPI): small
    characters of a 96-150 dpi picture are misread (业 as 亚) and large bold ones pass for rules."""
    import cv2


    h, w = gray.shape
    target = round(PAGE_WIDTH / 72 * dpi)
    if abs(w - target) <= 8:
        return gray
    interpolation = cv2.INTER_CUBIC if target > w else cv2.INTER_AREA
    return cv2.resize(gray, (target, max(1, round(h * target / w))), interpolation=interpolation)


def read_pictures(pictures: list[Picture], warnings: list[ExtractWarning], first_page: int = 1,
                  options: ExtractOptions | None = None) -> tuple[list[Paragraph | Table], int]:
    """The blocks of a run of pictures read one after another as pages (tables stitched across them),
    and the number of pages they made (a tall picture makes several, numbered from `first_page`).

    Without the OCR extra, an ExtractionError naming what to install.
    """
    if not available():
        raise ExtractionError(f"the report is pictures; {install_hint()}", kind="unsupported")
    from extractors.pdf.assemble import assemble
    from extractors.pdf.pages import ocr_page
    from pipeline.settings import ExtractOptions

    options = options or ExtractOptions()
    s = options.pdf

    pages = []
    number = first_page
    for picture in pictures:
        frames = [f for f in decode(picture) if worth_reading(f)]
        for frame in frames:
            for piece in cut_tall(frame):
                piece = at_ocr_resolution(piece, s.ocr_dpi)
                pages.append(ocr_page(piece, number, PAGE_WIDTH, PAGE_WIDTH * piece.shape[0] / piece.shape[1], s,
                                      options.ocr_threads))
                number += 1
    if pages:
        warnings.append(ExtractWarning(code="ocr", message=f"{len(pages)} picture page(s) read by OCR; "
                                                           "check the values"))
    return assemble(pages, s), len(pages)
