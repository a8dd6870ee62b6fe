"""PDF extractor: paragraphs and tables in reading order, tables stitched across pages.

Each page is read on its own (pages: PDFium or pdfminer behind one page interface; ruled tables by
pdfplumber's table finder on the page's edges, or camelot; borderless ones from word positions; OCR
for pages without readable text), then the pages are stitched (assemble: running headers dropped,
paragraphs and tables joined over page breaks). How is set by the ExtractOptions passed in: parser,
table engine, OCR, and the named tolerances of extractors.pdf.settings. A document with nothing
readable and no OCR fails with one line saying how to install it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import ExtractionError
from pipeline.intermediate import Document, Source, Table
from pipeline.intermediate import Warning as ExtractWarning

if TYPE_CHECKING:
    from extractors.pdf.pages import Opened, PageContent
    from pipeline.settings import ExtractOptions

NAME = "pdf"
VERSION = "1.1.0"


def extract(path: Path, data: bytes, fmt: str, options: ExtractOptions | None = None) -> Document:
    """The PDF as the intermediate form (options: None for the defaults)."""
    from extractors.pdf.pdfium import LOCK
    from pipeline.settings import ExtractOptions

    with LOCK:  # PDFium is used by both routes (pdfplumber renders with it) and is not thread-safe
        return _extract(path, data, fmt, options or ExtractOptions())


def _extract(path: Path, data: bytes, fmt: str, options: ExtractOptions) -> Document:
    from extractors.pdf.assemble import assemble
    from extractors.pdf.pages import metadata, open_pdf

    opened = open_pdf(data, options.pdf_parser)
    warnings: list[ExtractWarning] = []
    try:
        info = metadata(opened.info or {})
        pages = _read_pages(opened, warnings, options, path)
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError(f"broken PDF ({type(exc).__name__}: {exc})"[:200]) from None
    finally:
        opened.close()
    blocks = assemble(pages)
    if not any(isinstance(b, Table) or b.text.strip() for b in blocks):
        _refuse_unreadable(pages)
        warnings.append(ExtractWarning(code="pdf_no_text", message="the PDF has no readable text"))
    source = Source.describe(path, data, fmt, NAME, VERSION, pages=opened.n_pages, metadata=info)
    return Document(source=source, blocks=blocks, warnings=warnings)


def _read_pages(opened: Opened, warnings: list[ExtractWarning], options: ExtractOptions,
                path: Path) -> list[PageContent]:
    """Every page read on its own; a page that cannot be read is an empty page and a warning."""
    from extractors.pdf.pages import PageContent, read_page

    pages: list[PageContent] = []
    for index in range(opened.n_pages):
        number = index + 1
        try:
            page = opened.page(index)
        except Exception as exc:
            warnings.append(_page_error(number, exc))
            pages.append(PageContent(number, 0.0, 0.0))
            continue
        try:
            pages.append(read_page(page, number, warnings, options, path))
        except ExtractionError:
            raise
        except Exception as exc:  # one unreadable page must not lose the others
            warnings.append(_page_error(number, exc))
            pages.append(PageContent(number, page.width, page.height))
        finally:
            page.close()
    return pages


def _page_error(number: int, exc: Exception) -> ExtractWarning:
    return ExtractWarning(code="pdf_page_error", page=number,
                          message=f"page {number} could not be read: {type(exc).__name__}")


def _refuse_unreadable(pages: list[PageContent]) -> None:
    """Nothing readable came out and some pages needed OCR that is not installed: say so in one line."""
    from extractors.pdf.pages import OCR_HINT

    scanned = sum(1 for p in pages if p.unreadable == "scanned")
    garbled = sum(1 for p in pages if p.unreadable == "garbled")
    if scanned:
        raise ExtractionError(f"scanned PDF: {scanned} of {len(pages)} pages have no text layer; {OCR_HINT}")
    if garbled:
        raise ExtractionError(f"unreadable text layer ((cid:N) glyph ids or mojibake) on {garbled} of "
                              f"{len(pages)} pages; {OCR_HINT}")

