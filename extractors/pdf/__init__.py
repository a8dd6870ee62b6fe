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
    from extractors.pdf.assemble import Para
    from extractors.pdf.pages import Opened, PageContent
    from extractors.pdf.stages import PageStages
    from extractors.pdf.tables import Stitched
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
    from extractors.pdf.assemble import stitch
    from extractors.pdf.pages import metadata, open_pdf

    opened = open_pdf(data, options.pdf_parser)
    warnings: list[ExtractWarning] = []
    try:
        info = metadata(opened.info or {})
        pages = _read_pages(opened, warnings, options, path, stages)
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError(f"broken PDF ({type(exc).__name__}: {exc})"[:200]) from None
    finally:
        opened.close()
    items = stitch(pages, options.pdf)
    blocks = to_blocks(items, options.pdf)
    if stages is not None:
        _record_pieces(stages, pages, items, options.pdf.grid_tolerance)
    if not any(isinstance(b, Table) or b.text.strip() for b in blocks):
        _refuse_unreadable(pages)
        warnings.append(ExtractWarning(code="pdf_no_text", message="the PDF has no readable text"))
    source = Source.describe(path, data, fmt, NAME, VERSION, pages=opened.n_pages, metadata=info)
    return Document(source=source, blocks=blocks, warnings=warnings)


def _read_pages(opened: Opened, warnings: list[ExtractWarning], options: ExtractOptions, path: Path,
                stages: list[PageStages] | None) -> list[PageContent]:
    """Every page read on its own; a page that cannot be read is an empty page and a warning."""
    from extractors.pdf.pages import PageContent, read_page
    from extractors.pdf.stages import PageStages

    pages: list[PageContent] = []
    for index in range(opened.n_pages):
        number = index + 1
        try:
            page = opened.page(index)
        except Exception as exc:
            warnings.append(_page_error(number, exc))
            pages.append(PageContent(number, 0.0, 0.0))
            if stages is not None:
                stages.append(PageStages(number, 0.0, 0.0, note="could not be read"))
            continue
        rec = PageStages(number, page.width, page.height) if stages is not None else None
        if stages is not None:
            stages.append(rec)
        try:
            pages.append(read_page(page, number, warnings, options, path, rec))
        except ExtractionError:
            raise
        except Exception as exc:  # one unreadable page must not lose the others
            warnings.append(_page_error(number, exc))
            pages.append(PageContent(number, page.width, page.height))
        finally:
            page.close()
    return pages


def _record_pieces(stages: list[PageStages], pages: list[PageContent], items: list[Para | Stitched],
                   tol: float) -> None:
    """Each page's table pieces with the grid position every cell got in its stitched table."""
    from extractors.pdf.assemble import places
    from extractors.pdf.stages import GridCell, PieceStage

    placed = places(items, tol)
    for rec, page in zip(stages, pages, strict=True):
        rec.pieces = [PieceStage(p.bbox, "borderless" if p.borderless else rec.route or "ruled",
                                 [GridCell((c.x0, c.top, c.x1, c.bottom), c.text, placed.get(id(c))) for c in p.cells])
                      for p in page.pieces]


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

