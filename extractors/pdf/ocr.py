"""OCR for scanned PDF pages (optional: `pip install 'nianbao[ocr]'`: rapidocr-onnxruntime, pypdfium2).

rapidocr's wheel ships its detection and recognition models, so this runs offline. A page is
rendered at PdfSettings.ocr_dpi, then:

1. Ruling lines are found in the picture (long thin runs of ink, by morphological opening with
   OpenCV, which rapidocr depends on) and turned into pdfplumber-style edges in PDF points; the
   cell boxes come from pdfplumber's own table finder on those edges, as for a born-digital page.
2. The lines are erased, rapidocr detects the text boxes, and every box that crosses a ruling line
   is cut there (the detector happily joins "2170" and "11590" standing either side of a thin
   rule); each piece is then recognised on its own.
3. Each recognised piece becomes evenly spaced pseudo-characters in PDF coordinates, so the same
   cell filling, line and paragraph code as for born-digital pages reads them. Without ruling
   lines, the word-position table finder (pdf_borderless) rebuilds the table.

Slow (seconds per page on a CPU): used only for pages without a usable text layer.
"""

from __future__ import annotations

import importlib
import os
from functools import lru_cache
from typing import TYPE_CHECKING

from extractors.pdf.tables import Piece, piece_from_boxes, tables_from_edges

if TYPE_CHECKING:
    from extractors.pdf.settings import PdfSettings
    from extractors.pdf.stages import PageStages

INSTALL = "pip install 'nianbao[ocr]'"


def available() -> bool:
    """Whether rapidocr can be imported (ExtractOptions.ocr decides whether it is used)."""
    try:
        importlib.import_module("rapidocr_onnxruntime")
        importlib.import_module("cv2")
    except ImportError:
        return False
    return True


def threads(configured: int | None) -> int:
    """The threads OCR runs with: as configured (ExtractOptions.ocr_threads), else half the CPUs, at most 4."""
    if configured:
        return max(1, configured)
    return max(1, min(4, (os.cpu_count() or 2) // 2))


@lru_cache(maxsize=2)
def _engine(threads: int, detect_side: int):
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, print_verbose=False,
                      max_side_len=detect_side)
    # rapidocr pads every crop of a batch to at least 320x48; table cells hold a few digits, so a
    # 96-pixel floor halves recognition time with the same text (wider crops keep their width)
    shape = getattr(engine.text_rec, "rec_image_shape", None)
    if isinstance(shape, list) and len(shape) == 3:
        engine.text_rec.rec_image_shape = [shape[0], shape[1], 96]
    return engine


def ruling_edges(gray, scale: float, ink_level: int) -> list[dict]:
    """Horizontal and vertical ruling lines of a greyscale page picture as edges in PDF points."""
    import cv2

    ink = ((gray < ink_level) * 255).astype("uint8")
    h, w = ink.shape
    # a vertical rule is longer than a character's stroke: a fiftieth of a page's height, and never less
    # than that of a portrait page as wide (a table pasted as a picture is short, but its characters are
    # as tall as a page's once laid on the page's width)
    tallest_stroke = max(25, h // 50, w // 36)
    edges: list[dict] = []
    for orient, size in (("h", (max(25, w // 30), 1)), ("v", (1, tallest_stroke))):
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size))
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for x, y, bw, bh, _area in stats[1:n]:
            if orient == "h" and bh <= 12:
                mid = (y + bh / 2) * scale
                x0, x1 = x * scale, (x + bw) * scale
                edges.append({"object_type": "line", "orientation": "h", "x0": x0, "x1": x1, "top": mid,
                              "bottom": mid, "doctop": mid, "width": x1 - x0, "height": 0.0})
            elif orient == "v" and bw <= 12:
                mid = (x + bw / 2) * scale
                top, bottom = y * scale, (y + bh) * scale
                edges.append({"object_type": "line", "orientation": "v", "x0": mid, "x1": mid, "top": top,
                              "bottom": bottom, "doctop": top, "width": 0.0, "height": bottom - top})
    return _table_rules(edges, w * scale)


def _table_rules(edges: list[dict], width: float) -> list[dict]:
    """The edges that are table rules, not strokes of large bold characters (a title's 一 or 丨 is a
    thick run of ink too): horizontal rules at least an eighth of the page wide, the vertical ones
    touching them, and shorter horizontal ones touching those (a rule broken in the scan)."""
    tol = 3.0
    horizontal = [e for e in edges if e["orientation"] == "h"]
    long_h = [e for e in horizontal if e["x1"] - e["x0"] >= width / 8]

    def touch(v: dict, h: dict) -> bool:
        return (h["x0"] - tol <= v["x0"] <= h["x1"] + tol) and (v["top"] - tol <= h["top"] <= v["bottom"] + tol)

    vertical = [v for v in edges if v["orientation"] == "v" and any(touch(v, h) for h in long_h)]
    kept_h = [h for h in horizontal if h in long_h or any(touch(v, h) for v in vertical)]
    return kept_h + vertical


def _erase_lines(gray, edges: list[dict], scale: float):
    """A copy of the picture with the ruling lines painted white (they confuse the recogniser)."""
    out = gray.copy()
    pad = 2
    for e in edges:
        x0, x1 = int(e["x0"] / scale) - pad, int(e["x1"] / scale) + pad + 1
        y0, y1 = int(e["top"] / scale) - pad, int(e["bottom"] / scale) + pad + 1
        out[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = 255
    return out


def _cut(box: tuple[int, int, int, int], edges: list[dict], scale: float, ink) -> list[tuple[int, int, int, int]]:
    """A text box (pixels) cut wherever a ruling line crosses it, each piece shrunk to the ink it holds.

    The detector's boxes are grown around the text, so they often reach over a rule by a few
    pixels: the piece beyond the rule then holds no ink (lines are erased) and disappears.
    """
    x0, y0, x1, y1 = box
    xs, ys = [], []
    for e in edges:
        if e["orientation"] == "v":
            x = e["x0"] / scale
            if x0 < x < x1 and e["top"] / scale < (y0 + y1) / 2 < e["bottom"] / scale:
                xs.append(int(x))
        else:
            y = e["top"] / scale
            if y0 < y < y1 and e["x0"] / scale < (x0 + x1) / 2 < e["x1"] / scale:
                ys.append(int(y))
    cols = [x0, *sorted(set(xs)), x1]
    rows = [y0, *sorted(set(ys)), y1]
    out = []
    for top, bottom in zip(rows, rows[1:], strict=False):
        for left, right in zip(cols, cols[1:], strict=False):
            region = ink[max(0, top):max(0, bottom), max(0, left):max(0, right)]
            if region.sum() < 12:  # a few stray pixels
                continue
            rr = region.any(axis=1).nonzero()[0]
            cc = region.any(axis=0).nonzero()[0]
            a, b = max(0, left) + int(cc[0]), max(0, left) + int(cc[-1]) + 1
            c, d = max(0, top) + int(rr[0]), max(0, top) + int(rr[-1]) + 1
            if d - c >= 4:
                out.extend(_split_ink((a, c, b, d), ink))
    return out


def _bands(mask) -> list[tuple[int, int]]:
    """(start, end) of the runs of True in a 1-d boolean array."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, v in enumerate(mask.tolist()):
        if v and start is None:
            start = i
        elif not v and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(mask)))
    return runs


def _split_ink(box: tuple[int, int, int, int], ink, depth: int = 0) -> list[tuple[int, int, int, int]]:
    """A box the detector drew around two stacked lines (公益 over 组织 in a narrow cell) or across a
    wide gap (letter-spaced 组　织, 服　务) split into its lines and runs: the recogniser reads such
    gaps as ':[' or '·'. A blank band splits when the ink on both sides is a third of the box tall
    (so the strokes of 二 or 三 stay together); a blank gap of columns when it is wider than 0.6 of a
    line's height."""
    x0, y0, x1, y1 = box
    region = ink[y0:y1, x0:x1]
    h = y1 - y0
    if depth > 6 or h < 8 or not region.any():
        return [box]
    rows = _bands(region.any(axis=1))
    for (_, end), (start, _) in zip(rows, rows[1:], strict=False):
        above, below = region[:end].any(axis=1).nonzero()[0], region[start:].any(axis=1).nonzero()[0]
        if len(above) and len(below) and above[-1] - above[0] + 1 >= h / 3 and below[-1] - below[0] + 1 >= h / 3:
            cut = (end + start) // 2
            return (_split_ink(_shrink((x0, y0, x1, y0 + cut), ink), ink, depth + 1)
                    + _split_ink(_shrink((x0, y0 + cut, x1, y1), ink), ink, depth + 1))
    cols = _bands(region.any(axis=0))
    for (_, end), (start, _) in zip(cols, cols[1:], strict=False):
        if start - end > 0.6 * h:
            cut = (end + start) // 2
            return (_split_ink(_shrink((x0, y0, x0 + cut, y1), ink), ink, depth + 1)
                    + _split_ink(_shrink((x0 + cut, y0, x1, y1), ink), ink, depth + 1))
    return [box]


def _shrink(box: tuple[int, int, int, int], ink) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    region = ink[y0:y1, x0:x1]
    rr, cc = region.any(axis=1).nonzero()[0], region.any(axis=0).nonzero()[0]
    if not len(rr):
        return box
    return x0 + int(cc[0]), y0 + int(rr[0]), x0 + int(cc[-1]) + 1, y0 + int(rr[-1]) + 1


def _separate_lines(boxes: list[tuple[int, int, int, int]], ink) -> list[tuple[int, int, int, int]]:
    """Boxes of stacked lines (two lines of a narrow cell, "商业" over "企业") that overlap, parted at the
    blank row between them: the detector grows each box past its line, and the strokes of the
    line above at the top of a crop turn 企业 into 企亚."""
    out = [list(b) for b in boxes]
    order = sorted(range(len(out)), key=lambda i: out[i][1])
    for n, i in enumerate(order):
        a = out[i]
        for j in order[n + 1:]:
            b = out[j]
            if b[1] >= a[3]:
                if b[1] > a[3] + (a[3] - a[1]):
                    break
                continue
            left, right = max(a[0], b[0]), min(a[2], b[2])
            if right - left < 0.5 * min(a[2] - a[0], b[2] - b[0]) or b[3] <= a[3]:
                continue  # side by side, or one inside the other
            rows = ink[b[1]:a[3], left:right].any(axis=1)
            blank = (~rows).nonzero()[0]
            cut = b[1] + (int(blank[len(blank) // 2]) if len(blank) else (a[3] - b[1]) // 2)
            a[3], b[1] = cut, cut
    return _separate_runs([tuple(b) for b in out if b[3] - b[1] >= 4], ink)  # type: ignore[misc]


def _separate_runs(boxes: list[tuple[int, int, int, int]], ink) -> list[tuple[int, int, int, int]]:
    """Boxes side by side on one line that overlap (组 and 织 of a letter-spaced 组　织), parted at the
    blank column between them: a crop holding a sliver of the neighbour reads as 组: and [织."""
    out = [list(b) for b in boxes]
    order = sorted(range(len(out)), key=lambda i: out[i][0])
    for n, i in enumerate(order):
        a = out[i]
        for j in order[n + 1:]:
            b = out[j]
            if b[0] >= a[2]:
                break
            top, bottom = max(a[1], b[1]), min(a[3], b[3])
            if bottom - top < 0.5 * min(a[3] - a[1], b[3] - b[1]) or b[2] <= a[2]:
                continue  # different lines, or one inside the other
            cols = ink[min(a[1], b[1]):max(a[3], b[3]), b[0]:a[2]].any(axis=0)
            blank = (~cols).nonzero()[0]
            cut = b[0] + (int(blank[len(blank) // 2]) if len(blank) else (a[2] - b[0]) // 2)
            a[2], b[0] = cut, cut
    return [tuple(b) for b in out if b[2] - b[0] >= 2]  # type: ignore[misc]


def _missed_cells(cells: list[tuple[float, float, float, float]], boxes: list[tuple[int, int, int, int]], ink,
                  scale: float) -> list[tuple[int, int, int, int]]:
    """Boxes for the ink of table cells in which the detector found no text: it passes over a lone
    small digit (a "2" between two rules) that the recogniser reads without trouble."""
    centres = [((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in boxes]
    out: list[tuple[int, int, int, int]] = []
    for x0, top, x1, bottom in cells:
        a, b = int(x0 / scale) + 3, int(x1 / scale) - 3  # inside the rules (erased with a 2-pixel pad)
        c, d = int(top / scale) + 3, int(bottom / scale) - 3
        if b - a < 4 or d - c < 4 or any(a <= cx <= b and c <= cy <= d for cx, cy in centres):
            continue
        region = ink[c:d, a:b]
        if region.sum() < 12:  # an empty cell, or a few stray pixels
            continue
        out.extend(_split_ink(_shrink((a, c, b, d), ink), ink))
    return [box for box in out if box[3] - box[1] >= 4]


def _recognise(engine, image, boxes: list[tuple[int, int, int, int]]) -> list[tuple[str, float]]:
    """Each box's text, recognised from a tight crop with a white margin of a third of its height."""
    import numpy as np

    crops = []
    for x0, y0, x1, y1 in boxes:
        pad = max(3, (y1 - y0) // 3)
        crop = np.full((y1 - y0 + 2 * pad, x1 - x0 + 2 * pad, 3), 255, dtype=image.dtype)
        crop[pad:pad + y1 - y0, pad:pad + x1 - x0] = image[y0:y1, x0:x1]
        crops.append(crop)
    if not crops:
        return []
    results, _ = engine.text_rec(crops)
    return [(str(text), float(score)) for text, score, *_ in results]


def boxes_to_chars(items: list[tuple[tuple[float, float, float, float], str]]) -> list[dict]:
    """(box in PDF points, text) pieces as pdfplumber-like characters spread evenly over each box."""
    chars: list[dict] = []
    for (x0, top, x1, bottom), raw in items:
        text = raw.strip()
        if not text:
            continue
        step = (x1 - x0) / len(text)
        size = bottom - top
        for i, ch in enumerate(text):
            chars.append({"text": ch, "x0": x0 + i * step, "x1": x0 + (i + 1) * step, "top": top, "bottom": bottom,
                          "size": size, "upright": True})
    return chars


def read_image(gray, number: int, width: float, height: float, settings: PdfSettings,
               n_threads: int | None = None, rec: PageStages | None = None) -> tuple[list[dict], list[Piece]]:
    """Pseudo-characters and tables of one scanned page given as a greyscale array (rows, cols);
    `rec` keeps the table finders' stages."""
    import numpy as np

    engine = _engine(threads(n_threads), settings.ocr_detect_side)
    scale = width / gray.shape[1]  # PDF points per pixel
    edges = ruling_edges(gray, scale, settings.ocr_ink_level)
    clean = _erase_lines(gray, edges, scale)
    rgb = np.stack([clean] * 3, axis=-1)
    quads, _ = engine(rgb, use_det=True, use_cls=False, use_rec=False)
    ink = clean < settings.ocr_ink_level
    boxes: list[tuple[int, int, int, int]] = []
    for quad in quads or []:
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        boxes.extend(_cut((int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1), edges, scale, ink))
    boxes = _separate_lines(boxes, ink)
    tables = tables_from_edges(edges, (0.0, 0.0, width, height), settings, rec)
    boxes += _missed_cells([c for _, cells in tables for c in cells], boxes, ink, scale)
    texts = _recognise(engine, rgb, boxes)
    items = [((x0 * scale, y0 * scale, x1 * scale, y1 * scale), text)
             for (x0, y0, x1, y1), (text, score) in zip(boxes, texts, strict=True) if score >= settings.ocr_min_score]
    chars = boxes_to_chars(items)
    pieces = []
    for bbox, cells in tables:
        piece = piece_from_boxes(cells, chars, number, bbox, settings)
        if piece.n_cols(settings.grid_tolerance) >= 2 and len(piece.cells) >= 2:
            pieces.append(piece)
    if not pieces:
        from extractors.pdf.borderless import borderless_pieces

        pieces = borderless_pieces(chars, number, width, settings, rec.borderless if rec is not None else None)
    return chars, pieces
