"""PDF extractor: paragraphs and tables in reading order, tables stitched across pages.

Each page is read on its own (pages: PDFium or pdfminer behind one page interface; ruled tables by
pdfplumber's table finder on the page's edges, or camelot; borderless ones from word positions; OCR
for pages without readable text), then the pages are stitched (assemble: running headers dropped,
paragraphs and tables joined over page breaks). How is set by the ExtractOptions passed in: parser,
table engine, OCR, and the named tolerances of extractors.pdf.settings. A document with nothing
readable and no OCR fails with one line saying how to install it. On request the extractor records
its stages per page (extractors.pdf.stages), which `nianbao debug` draws.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import ExtractionError
from pipeline.intermediate import Document, Source, Table
from pipeline.intermediate import Warning as ExtractWarning

if TYPE_CHECKING:
    from extractors.pdf.pages import PageContent
    from extractors.pdf.stages import PageStages
    from pipeline.settings import ExtractOptions

NAME = "pdf"
VERSION = "1.1.0"


def extract(path: Path, data: bytes, fmt: str, options: ExtractOptions | None = None,
            stages: list[PageStages] | None = None) -> Document:
    """The PDF as the intermediate form (options: None for the defaults).

    stages: a list to receive one PageStages per page (what the table finders saw, where each cell
    went); filled as pages are read, so a failed extraction leaves what was recorded. None records nothing.
    """
    from extractors.pdf.pdfium import LOCK
    from pipeline.settings import ExtractOptions

    with LOCK:  # PDFium is used by both routes (pdfplumber renders with it) and is not thread-safe
        return _extract(path, data, fmt, options or ExtractOptions(), stages)


def _extract(path: Path, data: bytes, fmt: str, options: ExtractOptions, stages: list[PageStages] | None
             ) -> Document:
    from extractors.pdf.assemble import blocks as to_blocks
    from extractors.pdf.assemble import record_pieces, stitch
    from extractors.pdf.pages import metadata, open_pdf, read_pages

    opened = open_pdf(data, options.pdf_parser)
    warnings: list[ExtractWarning] = []
    try:
        info = metadata(opened.info or {})
        pages = read_pages(opened, warnings, options, path, stages)
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError(f"broken PDF ({type(exc).__name__}: {exc})"[:200], kind="corrupt") from None
    finally:
        opened.close()
    items = stitch(pages, options.pdf)
    blocks = to_blocks(items, options.pdf)
    if stages is not None:
        record_pieces(stages, pages, items, options.pdf.grid_tolerance)
    if not any(isinstance(b, Table) or b.text.strip() for b in blocks):
        _refuse_unreadable(pages)
        warnings.append(ExtractWarning(code="pdf_no_text", message="the PDF has no readable text"))
    source = Source.describe(path, data, fmt, NAME, VERSION, pages=opened.n_pages, metadata=info)
    return Document(source=source, blocks=blocks, warnings=warnings)


def _refuse_unreadable(pages: list[PageContent]) -> None:
    """Nothing readable came out and some pages needed OCR that is not installed: say so in one line."""
    from extractors.pdf.pages import OCR_HINT

    scanned = sum(1 for p in pages if p.unreadable == "scanned")
    garbled = sum(1 for p in pages if p.unreadable == "garbled")
    if scanned:
        raise ExtractionError(f"scanned PDF: {scanned} of {len(pages)} pages have no text layer; {OCR_HINT}",
                              kind="unsupported")
    if garbled:
        raise ExtractionError(f"unreadable text layer ((cid:N) glyph ids or mojibake) on {garbled} of "
                              f"{len(pages)} pages; {OCR_HINT}", kind="unsupported")

