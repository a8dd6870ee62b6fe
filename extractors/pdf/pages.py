"""PDF pages: the two parsers behind one page interface, and one page read into flow lines and table pieces.

PDFium (pdf_pdfium) parses by default; pdfplumber/pdfminer stays as the fallback for files PDFium
refuses, and on request (ExtractOptions.pdf_parser "pdfminer"), with pdf_guard keeping hostile files
from hanging it. Both are wrapped as a `Page` (characters and ruling edges in pdfplumber's shapes and
top-down coordinates, a picture for OCR, and why a page must be skipped), so reading a page does not
care which parser made it.

Reading a page: characters are read once; a cheap look at the text decides whether table finding runs
at all (only pages naming template labels such as 信息内容 or 本年新收 pay for it). Ruled tables come
from pdfplumber's table finder on the page's edges (pdf_tables), or camelot's lattice when asked for;
pages with labels and no ruled table get the word-position finder (pdf_borderless). Characters outside
tables become lines (pdf_text). Pages without a text layer, or whose text is unreadable ((cid:N) glyph
ids, mojibake), are read by OCR when the `ocr` extra is installed and allowed (pdf_ocr).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from extractors.pdf import guard as pdf_guard
from extractors.pdf import tables as pt
from extractors.pdf.stages import PageStages
from extractors.pdf.text import Line, group_lines, is_page_furniture
from pipeline.errors import ExtractionError
from pipeline.intermediate import Warning as ExtractWarning

if TYPE_CHECKING:
    from extractors.pdf import pdfium as pdf_pdfium
    from extractors.pdf.settings import PdfSettings
    from pipeline.settings import ExtractOptions

# words that only appear inside the template's tables, or a pre-2019 统计表 (whose continuation on the next
# page may name nothing of the template: 当面申请数, 同意公开答复数…): a page without any skips table finding
TABLE_WORDS = ("信息内容", "自然人", "行政复议", "本年新收", "第二十条", "申请人情况", "行政诉讼", "本年制发",
               "处理决定", "予以公开", "结转", "收费金额", "不予公开", "无法提供", "不予处理", "尚未审结",
               "计量单位", "申请数", "答复数", "答复总数", "公开信息数")
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

class Page(Protocol):
    """One page, whichever parser read it: characters and edges as pdfplumber shapes them."""

    number: int
    width: float
    height: float

    @property
    def chars(self) -> list[dict]: ...
    @property
    def edges(self) -> list[dict]: ...
    @property
    def unmapped(self) -> int: ...
    def skip_reason(self) -> str | None: ...
    def tables_skip_reason(self) -> str | None: ...
    def image_count(self) -> int: ...
    def render_gray(self, dpi: int): ...
    def close(self) -> None: ...


class Opened(NamedTuple):
    """An open PDF: its information dictionary, page count, a page factory (0-based) and a closer."""

    info: dict
    n_pages: int
    page: Callable[[int], Page]
    close: Callable[[], None]


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
        self._page: pdf_pdfium.Page | None = None
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

    @property
    def _loaded(self) -> pdf_pdfium.Page:
        """The PDFium page; callers ask skip_reason() first, so a skipped page never gets here."""
        assert self._page is not None, "a skipped page was read"
        return self._page

    def tables_skip_reason(self) -> str | None:
        from extractors.pdf.pdfium import MAX_OBJECTS

        if self._loaded.n_objects > MAX_OBJECTS:
            return f"it holds {self._loaded.n_objects:,} graphic objects (more than {MAX_OBJECTS:,})"
        if self._loaded.object_count(MAX_OBJECTS + 1) > MAX_OBJECTS:
            return f"it holds more than {MAX_OBJECTS:,} graphic objects (inside forms)"
        return None

    @property
    def chars(self) -> list[dict]:
        return self._loaded.chars

    @property
    def unmapped(self) -> int:
        return self._loaded.unmapped

    @property
    def edges(self) -> list[dict]:
        return self._loaded.edges

    def image_count(self) -> int:
        return self._loaded.image_count()

    def render_gray(self, dpi: int):
        return self._loaded.render_gray(dpi)

    def close(self) -> None:
        if self._page is not None:
            self._page.close()


def open_pdf(data: bytes, parser: str) -> Opened:
    """The document with the parser asked for; PDFium falls back to pdfminer for files it cannot read."""
    opened = _open_pdfium(data) if parser == "pdfium" else None
    return opened if opened is not None else _open_plumber(data)


def _open_pdfium(data: bytes) -> Opened | None:
    """The document opened with PDFium; None when PDFium cannot read the file."""
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

    return Opened(doc.metadata, doc.n_pages, page, doc.close)


def _open_plumber(data: bytes) -> Opened:
    """The document opened with pdfplumber/pdfminer."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    pdf_guard.install()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages  # forces the page tree to be read
    except Exception as exc:  # pdfminer raises many types; the chain tells which
        chain: list[BaseException] = []
        seen: BaseException | None = exc
        while seen is not None:
            chain.append(seen)
            seen = seen.__cause__ or seen.__context__
        text = " ".join(f"{type(e).__name__} {e}" for e in chain)
        if any(isinstance(e, PDFPasswordIncorrect) for e in chain) or "password" in text.lower():
            raise ExtractionError("encrypted PDF (password required)", kind="encrypted") from None
        if "encrypt" in text.lower():
            raise ExtractionError(f"encrypted PDF that cannot be opened ({type(exc).__name__})",
                                  kind="encrypted") from None
        raise ExtractionError(f"broken PDF that cannot be repaired ({type(exc).__name__}: {exc})"[:200],
                              kind="corrupt") from None
    try:
        metadata = pdf.metadata or {}
    except Exception:
        metadata = {}
    return Opened(metadata, len(pages), lambda i: _PlumberPage(pages[i], i + 1), pdf.close)


# --- metadata ------------------------------------------------------------------------------------------

def metadata(info: dict) -> dict[str, str]:
    """The information dictionary as the intermediate form's metadata (dates in ISO form)."""
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
                year, month, day, hour, minute, second = parts
                value = datetime(year, month, day, hour, minute, second).isoformat()
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


# --- pages ----------------------------------------------------------------------------------------------

def read_pages(opened: Opened, warnings: list[ExtractWarning], options: ExtractOptions, path: Path,
               stages: list[PageStages] | None) -> list[PageContent]:
    """Every page read on its own; a page that cannot be read is an empty page and a warning. `stages`
    receives one PageStages per page when given."""
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
        rec = None
        if stages is not None:
            rec = PageStages(number, page.width, page.height)
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


def _page_error(number: int, exc: Exception) -> ExtractWarning:
    return ExtractWarning(code="pdf_page_error", page=number,
                          message=f"page {number} could not be read: {type(exc).__name__}")


# --- one page --------------------------------------------------------------------------------------------

@dataclass
class _Reading:
    """One page being read: what every step needs, where it reports, and where it records (rec: only when
    the caller asked for stages)."""

    page: Page
    number: int
    options: ExtractOptions
    path: Path
    warnings: list[ExtractWarning]
    rec: PageStages | None

    @property
    def s(self) -> PdfSettings:
        return self.options.pdf

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(ExtractWarning(code=code, page=self.number, message=message))

    def route(self, name: str, note: str = "") -> None:
        if self.rec is not None:
            self.rec.route, self.rec.note = name, note or self.rec.note


def read_page(page: Page, number: int, warnings: list[ExtractWarning], options: ExtractOptions,
              path: Path, rec: PageStages | None = None) -> PageContent:
    """The page's flow lines and table pieces; warnings say what was skipped or read by OCR."""
    r = _Reading(page, number, options, path, warnings, rec)
    content = PageContent(number, page.width, page.height)
    reason = page.skip_reason()
    if reason:
        r.warn("pdf_page_too_complex", f"page {number} skipped: {reason}")
        r.route("", f"skipped: {reason}")
        return content
    chars = [c for c in page.chars if c["text"]]
    text = "".join(c["text"] for c in chars)
    visible = _SPACE.sub("", text)
    if len(visible) < r.s.min_text_chars:
        if page.image_count():
            _unreadable(r, content, "scanned")
        return content
    if _garbled(text, visible, page.unmapped, r.s.garbled_ratio):
        _unreadable(r, content, "garbled")
        return content
    flat = visible.replace("(cid:", "")
    if any(word in flat for word in TABLE_WORDS):
        content.pieces = _table_pieces(r, chars, flat)
    content.lines = _flow_lines(chars, content.pieces, number, content.height, r.s)
    return content


def _table_pieces(r: _Reading, chars: list[dict], flat: str) -> list[pt.Piece]:
    """Tables of a page naming template labels: ruled ones, else borderless ones, else camelot's quietly."""
    tables_off = r.page.tables_skip_reason()
    if tables_off:
        r.warn("pdf_page_too_complex", f"page {r.number}: tables not looked for: {tables_off}")
        r.route("", f"tables not looked for: {tables_off}")
        return []
    camelot = r.options.pdf_engine == "camelot"
    pieces: list[pt.Piece] = []
    if camelot:
        pieces = _camelot_pieces(r, chars)
    elif r.page.edges:
        pieces = _ruled_pieces(r, chars)
    if pieces:
        return pieces
    from extractors.pdf.borderless import borderless_pieces

    r.route("borderless")
    pieces = borderless_pieces(chars, r.number, r.page.width, r.s, r.rec.borderless if r.rec else None)
    strong = sum(1 for word in TABLE_WORDS if word in flat) >= 4
    if not pieces and not camelot and strong and r.page.edges:
        pieces = _camelot_pieces(r, chars, quiet=True)
    return pieces


def _flow_lines(chars: list[dict], pieces: list[pt.Piece], number: int, height: float,
                s: PdfSettings) -> list[Line]:
    """Lines of the characters outside the tables, page numbers dropped."""
    boxes = [p.bbox for p in pieces]
    flow = [c for c in chars if not _inside(c, boxes)] if boxes else chars
    return [ln for ln in group_lines(flow, number, s.column_gap_em)
            if not is_page_furniture(ln, height, s.page_number_margin_ratio)]


def _inside(ch: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return any(x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1 for x0, top, x1, bottom in boxes)


def _ruled_pieces(r: _Reading, chars: list[dict]) -> list[pt.Piece]:
    """Tables from pdfplumber's table finder ("lines" strategies, our tolerances) on the page's ruling edges."""
    r.route("ruled")
    page, s = r.page, r.s
    pieces = []
    for bbox, boxes in pt.tables_from_edges(page.edges, (0.0, 0.0, page.width, page.height), s, r.rec):
        piece = pt.piece_from_boxes(boxes, chars, r.number, bbox, s)
        if piece.n_cols(s.grid_tolerance) >= 2 and len(piece.cells) >= 2:  # one column of boxes: a text box
            pieces.append(piece)
    return pieces


def _garbled(text: str, visible: str, unmapped: int, ratio: float) -> bool:
    """Whether a page's text is mostly unreadable: (cid:N) glyph ids, unmapped codes, or mojibake."""
    cid = len(_CID.findall(text))
    n = len(visible) - 7 * cid  # "(cid:12)" is one glyph
    bad = cid + unmapped + len(_GARBLED.findall(_CID.sub("", visible)))
    return bad > ratio * max(n, 1)


def _camelot_pieces(r: _Reading, chars: list[dict], quiet: bool = False) -> list[pt.Piece]:
    try:
        from extractors.pdf import camelot as pdf_camelot
    except ImportError:
        return []
    if not pdf_camelot.available():
        if not quiet:
            r.warn("pdf_camelot_missing", "the camelot engine was asked for but camelot is not installed; "
                                          "`pip install 'nianbao[camelot]'`")
        return []
    r.route("camelot")
    return pdf_camelot.pieces(r.path, r.page, chars, r.number, r.s, r.rec.camelot if r.rec else None)


def ocr_page(gray, number: int, width: float, height: float, s: PdfSettings,
             n_threads: int | None = None) -> PageContent:
    """A picture of a page (a greyscale array) read by OCR into table pieces and flow lines, as a scanned
    page is: how extractors/pictures.py reads pictures of pages."""
    from extractors.pdf import ocr as pdf_ocr

    content = PageContent(number, width, height)
    chars, content.pieces = pdf_ocr.read_image(gray, number, width, height, s, n_threads=n_threads)
    content.lines = _flow_lines(chars, content.pieces, number, height, s)
    return content


def _unreadable(r: _Reading, content: PageContent, kind: str) -> None:
    """A page without a text layer ("scanned") or with unreadable text ("garbled"): OCR it when possible."""
    from extractors.pdf import ocr as pdf_ocr

    what = ("has no text layer (scanned)" if kind == "scanned"
            else "has unreadable text (glyph ids without a Unicode map, or mojibake)")
    if not (r.options.ocr and pdf_ocr.available()):
        code = "pdf_scanned" if kind == "scanned" else "pdf_cid_text"
        r.warn(code, f"page {r.number} {what}; {OCR_HINT}")
        r.route("", f"{kind}: no OCR")
        content.unreadable = kind
        return
    r.route("ocr")
    gray = r.page.render_gray(r.s.ocr_dpi)
    chars, pieces = pdf_ocr.read_image(gray, r.number, r.page.width, r.page.height, r.s,
                                       n_threads=r.options.ocr_threads, rec=r.rec)
    r.warn("pdf_ocr", f"page {r.number} {what}; read by OCR, check the values")
    content.pieces = pieces
    content.lines = _flow_lines(chars, pieces, r.number, content.height, r.s)
