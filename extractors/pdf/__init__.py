"""PDF extractor: paragraphs and tables in reading order, tables stitched across pages.

Parsing is PDFium's (pdf_pdfium, through pypdfium2, which pdfplumber itself depends on): characters
and ruling edges in pdfplumber's shapes and coordinates, in C and ~25x faster than pdfminer. The
pdfminer route (pdfplumber pages) stays as the fallback for files PDFium refuses, and on request
(NIANBAO_PDF_PARSER=pdfminer); pdf_guard keeps hostile files from hanging it.

Per page: characters are read once; a cheap look at the page's text decides whether table finding
runs at all (only pages naming template labels such as 信息内容 or 本年新收 pay for it). Ruled
tables come from pdfplumber's table finder on the page's edges (cell boxes; pdf_tables turns boxes
into a grid with spans); pages with labels but no ruled table get a word-position table finder
(pdf_borderless), or camelot when installed and asked for. Characters outside tables become lines
and paragraphs (pdf_text), with page numbers and running headers dropped. Pages without a text
layer, or whose text is unreadable ((cid:N) glyph ids, mojibake), are reported and read by OCR
when the optional `ocr` extra is installed (pdf_ocr); a document with nothing readable and no OCR
fails with one line saying how to install it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import median

from extractors.pdf import guard as pdf_guard
from extractors.pdf import tables as pt
from extractors.pdf.text import Line, group_lines, is_heading, is_page_furniture, paragraphs, running_headers
from pipeline.errors import ExtractionError
from pipeline.intermediate import Document, Paragraph, Source, Table
from pipeline.intermediate import Warning as ExtractWarning

NAME = "pdf"
VERSION = "1.1.0"

# words that only appear inside the template's tables: a page without any skips table finding
TABLE_WORDS = ("信息内容", "自然人", "行政复议", "本年新收", "第二十条", "申请人情况", "行政诉讼", "本年制发",
               "处理决定", "予以公开", "结转", "收费金额", "不予公开", "无法提供", "不予处理", "尚未审结")
_SPACE = re.compile(r"\s+")
_CID = re.compile(r"\(cid:\d+\)")
# characters a Chinese report's text layer should not be made of: C0/C1 controls, Latin-1 and
# Latin Extended letters (GBK bytes read as Latin-1), private use, replacement characters
_GARBLED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\u024f\ue000-\uf8ff\ufffd]")
OCR_HINT = "OCR needs `pip install 'nianbao[ocr]'`"

for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).setLevel(logging.ERROR)


@dataclass
class PageContent:
    """What one page holds before stitching: flow lines and table pieces, each with its top."""

    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    pieces: list[pt.Piece] = field(default_factory=list)
    unreadable: str = ""  # "scanned" or "garbled" when the page had no usable text and OCR did not read it


# --- the two parsers behind one page interface -------------------------------------------------------

class _PlumberPage:
    """A pdfplumber (pdfminer) page with the interface of pdf_pdfium.Page."""

    def __init__(self, page, number: int) -> None:
        self.page = page
        self.number = number
        self.width = float(page.width)
        self.height = float(page.height)
        self.unmapped = 0

    def skip_reason(self) -> str | None:
        """Why the page must not be parsed at all (pdfminer would take minutes)."""
        size = pdf_guard.content_bytes(self.page.page_obj)
        if size > pdf_guard.MAX_CONTENT_BYTES:
            return (f"its content streams and the forms they draw amount to more than "
                    f"{pdf_guard.MAX_CONTENT_BYTES // 1_000_000} MB of drawing instructions")
        return None

    def tables_skip_reason(self) -> str | None:
        return None

    @property
    def chars(self) -> list[dict]:
        return self.page.chars

    @property
    def edges(self) -> list[dict]:
        return self.page.edges

    def image_count(self) -> int:
        return len(self.page.images)

    def render_gray(self, dpi: int):
        import numpy as np

        return np.asarray(self.page.to_image(resolution=dpi).original.convert("L"))

    def close(self) -> None:
        self.page.close()


class _PdfiumPage:
    """pdf_pdfium.Page plus the limits; a page over `pdf_guard.MAX_PDFIUM_BYTES` is never loaded."""

    def __init__(self, doc, index: int, cost: int | None) -> None:
        self.number = index + 1
        self._page = None
        if cost is not None and cost > pdf_guard.MAX_PDFIUM_BYTES:
            self.width, self.height = doc.page_size(index)
        else:
            self._page = doc.page(index)
            self.width, self.height = self._page.width, self._page.height

    def skip_reason(self) -> str | None:
        if self._page is None:
            return (f"its content streams and the forms they draw amount to more than "
                    f"{pdf_guard.MAX_PDFIUM_BYTES // 1_000_000} MB of drawing instructions")
        return None

    def tables_skip_reason(self) -> str | None:
        from extractors.pdf.pdfium import MAX_OBJECTS

        if self._page.n_objects > MAX_OBJECTS:
            return f"it holds {self._page.n_objects:,} graphic objects (more than {MAX_OBJECTS:,})"
        if self._page.object_count(MAX_OBJECTS + 1) > MAX_OBJECTS:
            return f"it holds more than {MAX_OBJECTS:,} graphic objects (inside forms)"
        return None

    @property
    def chars(self) -> list[dict]:
        return self._page.chars

    @property
    def unmapped(self) -> int:
        return self._page.unmapped

    @property
    def edges(self) -> list[dict]:
        return self._page.edges

    def image_count(self) -> int:
        return self._page.image_count()

    def render_gray(self, dpi: int):
        return self._page.render_gray(dpi)

    def close(self) -> None:
        if self._page is not None:
            self._page.close()


def _parser() -> str:
    value = os.environ.get("NIANBAO_PDF_PARSER", "pdfium").strip().lower()
    return value if value in ("pdfium", "pdfminer") else "pdfium"


def _open_pdfium(data: bytes):
    """(metadata, number of pages, page factory, closer) with PDFium; None when PDFium cannot read the file."""
    from extractors.pdf import pdfium as pdf_pdfium

    try:
        doc = pdf_pdfium.Document(data)
    except ExtractionError:
        raise
    except Exception:  # not a PDF PDFium can repair: let pdfminer try
        return None
    # what each page would cost PDFium to load, from pdfminer's object layer (None: it cannot tell)
    costs = pdf_guard.page_costs(data) or []
    if len(costs) != doc.n_pages:
        costs = []

    def page(i: int) -> _PdfiumPage:
        return _PdfiumPage(doc, i, costs[i] if costs else None)

    return doc.metadata, doc.n_pages, page, doc.close


def _open_plumber(data: bytes):
    """(metadata, number of pages, page factory, closer) with pdfplumber/pdfminer."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    pdf_guard.install()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages  # forces the page tree to be read
    except Exception as exc:  # pdfminer raises many types; the chain tells which
        chain, seen = [], exc
        while seen is not None:
            chain.append(seen)
            seen = seen.__cause__ or seen.__context__
        text = " ".join(f"{type(e).__name__} {e}" for e in chain)
        if any(isinstance(e, PDFPasswordIncorrect) for e in chain) or "password" in text.lower():
            raise ExtractionError("encrypted PDF (password required)") from None
        if "encrypt" in text.lower():
            raise ExtractionError(f"encrypted PDF that cannot be opened ({type(exc).__name__})") from None
        raise ExtractionError(f"broken PDF that cannot be repaired ({type(exc).__name__}: {exc})"[:200]) from None
    try:
        metadata = pdf.metadata or {}
    except Exception:
        metadata = {}
    return metadata, len(pages), lambda i: _PlumberPage(pages[i], i + 1), pdf.close


def _metadata(info: dict) -> dict[str, str]:
    keys = {"Title": "title", "Author": "author", "Subject": "subject", "Creator": "creator",
            "Producer": "producer", "CreationDate": "created", "ModDate": "modified", "Keywords": "keywords"}
    out: dict[str, str] = {}
    for key, name in keys.items():
        value = info.get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-16" if value.startswith(b"\xfe\xff") else "latin-1", "replace")
        if isinstance(value, str) and value.startswith("ÿþ"):
            value = _utf16le_from_pdfdoc(value)
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        match = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?", value)
        if match and name in ("created", "modified"):
            parts = [int(p) if p else d for p, d in zip(match.groups(), (0, 1, 1, 0, 0, 0), strict=True)]
            with contextlib.suppress(ValueError):
                value = datetime(*parts).isoformat()
        out[name] = value
    return out


def _utf16le_from_pdfdoc(value: str) -> str:
    """A string WPS wrote as UTF-16LE with a byte order mark, which pdfminer decoded as PDFDocEncoding."""
    from pdfminer.utils import PDFDocEncoding

    inverse: dict[str, int] = {}
    for code, ch in enumerate(PDFDocEncoding):
        inverse.setdefault(ch, code)  # undefined codes decode to "\x00" too: keep 0
    try:
        raw = bytes(inverse[ch] for ch in value)
    except (KeyError, ValueError):
        return value
    return raw[2:].decode("utf-16-le", "replace")


def _engine() -> str:
    return os.environ.get("NIANBAO_PDF_ENGINE", "pdfplumber").strip().lower() or "pdfplumber"


def _inside(ch: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return any(x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1 for x0, top, x1, bottom in boxes)


def _ruled_pieces(page, chars: list[dict], number: int) -> list[pt.Piece]:
    """Tables from pdfplumber's table finder (default "lines" settings) on the page's ruling edges."""
    pieces = []
    for bbox, boxes in pt.tables_from_edges(page.edges, (0.0, 0.0, page.width, page.height)):
        piece = pt.piece_from_boxes(boxes, chars, number, bbox)
        if piece.n_cols >= 2 and len(piece.cells) >= 2:  # one column of boxes is a framed text box
            pieces.append(piece)
    return pieces


def _garbled(text: str, visible: str, unmapped: int) -> bool:
    """Whether a page's text is mostly unreadable: (cid:N) glyph ids, unmapped codes, or mojibake."""
    cid = len(_CID.findall(text))
    n = len(visible) - 7 * cid  # "(cid:12)" is one glyph
    bad = cid + unmapped + len(_GARBLED.findall(_CID.sub("", visible)))
    return bad > 0.3 * max(n, 1)


def _read_page(page, number: int, warnings: list[ExtractWarning], engine: str, path: Path) -> PageContent:
    content = PageContent(number, page.width, page.height)
    reason = page.skip_reason()
    if reason:
        warnings.append(ExtractWarning(code="pdf_page_too_complex", page=number,
                                       message=f"page {number} skipped: {reason}"))
        return content
    chars = [c for c in page.chars if c["text"]]
    text = "".join(c["text"] for c in chars)
    visible = _SPACE.sub("", text)
    if len(visible) < 5:
        if page.image_count():
            _unreadable(page, number, content, warnings, "scanned")
        return content
    if _garbled(text, visible, page.unmapped):
        _unreadable(page, number, content, warnings, "garbled")
        return content
    flat = visible.replace("(cid:", "")
    if any(word in flat for word in TABLE_WORDS):
        tables_off = page.tables_skip_reason()
        if tables_off:
            warnings.append(ExtractWarning(code="pdf_page_too_complex", page=number,
                                           message=f"page {number}: tables not looked for: {tables_off}"))
        elif engine == "camelot":
            content.pieces = _camelot_pieces(path, page, chars, number, warnings)
        elif page.edges:
            content.pieces = _ruled_pieces(page, chars, number)
        if not content.pieces and not tables_off:
            from extractors.pdf.borderless import borderless_pieces

            content.pieces = borderless_pieces(chars, number, page.width)
            strong = sum(1 for word in TABLE_WORDS if word in flat) >= 4
            if not content.pieces and engine != "camelot" and strong and page.edges:
                content.pieces = _camelot_pieces(path, page, chars, number, warnings, quiet=True)
    boxes = [p.bbox for p in content.pieces]
    flow = [c for c in chars if not _inside(c, boxes)] if boxes else chars
    content.lines = [ln for ln in group_lines(flow, number) if not is_page_furniture(ln, content.height)]
    return content


def _camelot_pieces(path: Path, page, chars: list[dict], number: int, warnings: list[ExtractWarning],
                    quiet: bool = False) -> list[pt.Piece]:
    try:
        from extractors.pdf import camelot as pdf_camelot
    except ImportError:
        return []
    if not pdf_camelot.available():
        if not quiet:
            warnings.append(ExtractWarning(code="pdf_camelot_missing", page=number,
                                           message="NIANBAO_PDF_ENGINE=camelot but camelot is not installed; "
                                                   "`pip install 'nianbao[camelot]'`"))
        return []
    return pdf_camelot.pieces(path, page, chars, number)


def _unreadable(page, number: int, content: PageContent, warnings: list[ExtractWarning], kind: str) -> None:
    """A page without a text layer ("scanned") or with unreadable text ("garbled"): OCR it when possible."""
    from extractors.pdf import ocr as pdf_ocr

    what = ("has no text layer (scanned)" if kind == "scanned"
            else "has unreadable text (glyph ids without a Unicode map, or mojibake)")
    if not pdf_ocr.available():
        code = "pdf_scanned" if kind == "scanned" else "pdf_cid_text"
        warnings.append(ExtractWarning(code=code, page=number, message=f"page {number} {what}; {OCR_HINT}"))
        content.unreadable = kind
        return
    read = ocr_page(page.render_gray(pdf_ocr.DPI), number, page.width, page.height)
    warnings.append(ExtractWarning(code="pdf_ocr", page=number,
                                   message=f"page {number} {what}; read by OCR, check the values"))
    content.pieces, content.lines = read.pieces, read.lines


def ocr_page(gray, number: int, width: float, height: float) -> PageContent:
    """A page picture (greyscale array) read by OCR: its table pieces and flow lines, as for a text page.
    Also how extractors/pictures.py reads pictures of pages."""
    from extractors.pdf import ocr as pdf_ocr

    content = PageContent(number, width, height)
    chars, content.pieces = pdf_ocr.read_image(gray, number, width, height)
    boxes = [p.bbox for p in content.pieces]
    content.lines = [ln for ln in group_lines([c for c in chars if not _inside(c, boxes)], number)
                     if not is_page_furniture(ln, height)]
    return content


def _margins(pages: list[PageContent]) -> dict[int, tuple[float, float]]:
    """Left and right text margins per page width, from the lines of every page of that width.

    Taken over the whole document so that a last page holding only a signature does not make the
    signature its own margin.
    """
    by_width: dict[int, list[Line]] = {}
    for p in pages:
        by_width.setdefault(round(p.width), []).extend(ln for ln in p.lines if len(ln.text) >= 8)
    return {w: (min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)) for w, lines in by_width.items() if lines}


def _page_blocks(page: PageContent, body_size: float,
                 margins: dict[int, tuple[float, float]]) -> list[tuple[float, object]]:
    """(top, Paragraph-with-lines | Piece) in reading order for one page."""
    items: list[tuple[float, object]] = [(p.bbox[1], p) for p in page.pieces]
    lines = page.lines
    if lines:
        left, right = margins.get(round(page.width)) or (min(ln.x0 for ln in lines), max(ln.x1 for ln in lines))
        # split the flow at tables so that a paragraph never runs across one
        cuts = sorted(p.bbox[1] for p in page.pieces)
        groups: list[list[Line]] = [[] for _ in range(len(cuts) + 1)]
        for ln in sorted(lines, key=lambda ln: ln.top):
            groups[sum(1 for c in cuts if c < ln.top)].append(ln)
        for group in groups:
            for text, head, first, last in paragraphs(group, left, right, body_size):
                items.append((first.top, _Para(text, head, first, last, left, right)))
    items.sort(key=lambda it: it[0])
    return items


@dataclass
class _Para:
    text: str
    heading: int | None
    first: Line
    last: Line
    left: float
    right: float


def _continues(prev: _Para, nxt: _Para) -> bool:
    """A paragraph that ran to the page's end and goes on at the top of the next page."""
    size = max(prev.last.size, nxt.first.size, 1.0)
    return (prev.heading is None and not is_heading(nxt.text)
            and prev.last.x1 >= prev.right - 2.2 * size and prev.last.x0 <= prev.left + 2.5 * size and nxt.first.x0 <= nxt.left + 1.0 * size
            and not prev.text.endswith(("。", "！", "？", "：")))


def extract(path: Path, data: bytes, fmt: str) -> Document:
    from extractors.pdf.pdfium import LOCK

    with LOCK:  # PDFium is used by both routes (pdfplumber renders with it) and is not thread-safe
        return _extract(path, data, fmt)


def _extract(path: Path, data: bytes, fmt: str) -> Document:
    opened = _open_pdfium(data) if _parser() == "pdfium" else None
    if opened is None:
        opened = _open_plumber(data)
    info, n_pages, get_page, close = opened
    warnings: list[ExtractWarning] = []
    engine = _engine()
    pages: list[PageContent] = []
    try:
        metadata = _metadata(info or {})
        for index in range(n_pages):
            number = index + 1
            try:
                page = get_page(index)
            except Exception as exc:
                warnings.append(ExtractWarning(code="pdf_page_error", page=number,
                                               message=f"page {number} could not be read: {type(exc).__name__}"))
                pages.append(PageContent(number, 0.0, 0.0))
                continue
            try:
                pages.append(_read_page(page, number, warnings, engine, path))
            except ExtractionError:
                raise
            except Exception as exc:  # one unreadable page must not lose the others
                warnings.append(ExtractWarning(code="pdf_page_error", page=number,
                                               message=f"page {number} could not be read: {type(exc).__name__}"))
                pages.append(PageContent(number, page.width, page.height))
            finally:
                page.close()
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError(f"broken PDF ({type(exc).__name__}: {exc})"[:200]) from None
    finally:
        close()
    blocks = assemble(pages)
    empty = not any(isinstance(b, Table) or b.text.strip() for b in blocks)
    if empty:
        _refuse_unreadable(pages)
        warnings.append(ExtractWarning(code="pdf_no_text", message="the PDF has no readable text"))
    source = Source.describe(path, data, fmt, NAME, VERSION, pages=n_pages, metadata=metadata)
    return Document(source=source, blocks=blocks, warnings=warnings)


def _refuse_unreadable(pages: list[PageContent]) -> None:
    """Nothing readable came out and some pages needed OCR that is not installed: say so in one line."""
    scanned = sum(1 for p in pages if p.unreadable == "scanned")
    garbled = sum(1 for p in pages if p.unreadable == "garbled")
    if scanned:
        raise ExtractionError(f"scanned PDF: {scanned} of {len(pages)} pages have no text layer; {OCR_HINT}")
    if garbled:
        raise ExtractionError(f"unreadable text layer ((cid:N) glyph ids or mojibake) on {garbled} of "
                              f"{len(pages)} pages; {OCR_HINT}")


def assemble(pages: list[PageContent]) -> list[Paragraph | Table]:
    """Blocks of all pages in order; running headers dropped, tables and paragraphs joined over breaks."""
    furniture = running_headers([p.lines for p in pages], [p.height for p in pages])
    if furniture:
        for p in pages:
            margin = 0.08 * p.height
            p.lines = [ln for ln in p.lines if not (
                (ln.bottom < margin or ln.top > p.height - margin) and re.sub(r"\d+", "#", ln.text) in furniture)]
    sizes = [ln.size for p in pages for ln in p.lines]
    body_size = median(sizes) if sizes else 10.5
    margins = _margins(pages)
    out: list[_Para | pt.Stitched] = []
    prev_last_page = 0
    for page in pages:
        items = _page_blocks(page, body_size, margins)
        for i, (_, item) in enumerate(items):
            last = out[-1] if out else None
            first_here = i == 0 and prev_last_page == page.number - 1
            if isinstance(item, pt.Piece):
                if (first_here and isinstance(last, pt.Stitched) and last.pieces[-1].page == page.number - 1
                        and _same_columns(last.pieces[-1], item)):
                    pt.append(last, item)
                else:
                    out.append(pt.start(item))
            elif first_here and isinstance(last, _Para) and _continues(last, item):
                out[-1] = _Para(last.text + item.text, None, last.first, item.last, last.left, last.right)
            else:
                out.append(item)
        if items:
            prev_last_page = page.number
    blocks: list[Paragraph | Table] = []
    for item in out:
        if isinstance(item, pt.Stitched):
            blocks.append(pt.to_table(item))
        else:
            blocks.append(Paragraph(text=item.text, heading=item.heading, page=item.first.page))
    return blocks


def _same_columns(a: pt.Piece, b: pt.Piece) -> bool:
    """Same outer edges (ruled), or same left edge (borderless: the right edge follows the numbers)."""
    if a.borderless and b.borderless:
        return abs(a.bbox[0] - b.bbox[0]) <= 12
    return abs(a.bbox[0] - b.bbox[0]) <= 8 and abs(a.bbox[2] - b.bbox[2]) <= 8
