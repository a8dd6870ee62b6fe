"""Standalone pictures (PNG, JPEG, TIFF, BMP, GIF, WebP): a page, a table or a whole report as one tall
长图, read by OCR (extractors/pictures.py) into the intermediate form. Without the OCR extra the
file is refused with one line saying what to install."""

from __future__ import annotations

from pathlib import Path

from extractors.pictures import Picture, decode, read_pictures
from pipeline.errors import ExtractionError
from pipeline.intermediate import Document, Source
from pipeline.intermediate import Warning as ExtractWarning
from pipeline.settings import ExtractOptions

NAME = "image"
VERSION = "1.0.0"


def extract(path: Path, data: bytes, fmt: str, options: ExtractOptions | None = None) -> Document:
    picture = Picture(path.name, data)
    from extractors import pictures

    if not pictures.available():
        raise ExtractionError(f"a picture; {pictures.install_hint()}", kind="unsupported")
    frames = decode(picture)
    if not frames:
        raise ExtractionError("not a picture that can be decoded (corrupt or truncated)", kind="corrupt")
    warnings: list[ExtractWarning] = []
    blocks, _ = read_pictures([picture], warnings, options=options)
    if not blocks:
        raise ExtractionError("no text found in the picture", kind="empty")
    h, w = frames[0].shape
    source = Source.describe(path, data, fmt, NAME, VERSION, pages=len(frames),
                             metadata={"pixels": f"{w}x{h}"})
    return Document(source=source, blocks=blocks, warnings=warnings)
