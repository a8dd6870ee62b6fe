"""OCR for scanned PDF pages (optional: `pip install nianbao[ocr]`, i.e. rapidocr-onnxruntime).

rapidocr's wheel ships its detection and recognition models, so this runs offline. Each recognised
text box becomes evenly spaced pseudo-characters in PDF coordinates; the same line, paragraph and
word-position table code as for born-digital pages then reads them (a scan has no vector ruling
lines, so tables are rebuilt from where the words stand). Slow (seconds per page on a CPU): used
only for pages without a text layer.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache

from extractors.pdf_tables import Piece

DPI = 150


def available() -> bool:
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@lru_cache(maxsize=1)
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def boxes_to_chars(results: list, scale: float) -> list[dict]:
    """rapidocr results ([quad, text, score]) as pdfplumber-like character dicts in PDF points."""
    chars: list[dict] = []
    for quad, text, _score in results or []:
        text = str(text).strip()
        if not text:
            continue
        xs = [p[0] * scale for p in quad]
        ys = [p[1] * scale for p in quad]
        x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
        step = (x1 - x0) / len(text)
        size = bottom - top
        for i, ch in enumerate(text):
            chars.append({"text": ch, "x0": x0 + i * step, "x1": x0 + (i + 1) * step, "top": top, "bottom": bottom,
                          "size": size, "upright": True})
    return chars


def read_page(page, number: int) -> tuple[list[dict], list[Piece]]:
    """Pseudo-characters and word-position tables of one scanned page."""
    import numpy as np

    from extractors.pdf_borderless import borderless_pieces

    image = page.to_image(resolution=DPI).original.convert("RGB")
    results, _ = _engine()(np.asarray(image))
    chars = boxes_to_chars(results, 72.0 / DPI)
    return chars, borderless_pieces(chars, number, float(page.width))
