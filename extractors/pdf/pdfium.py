"""PDFium (pypdfium2, a dependency of pdfplumber) as the PDF parser: characters and ruling edges.

pdfminer, under pdfplumber, interprets content streams in pure Python: about 80 ms for a page of
a typical report, nearly all of the extractor's time. PDFium parses the same page in C in about
3 ms. This module reads with PDFium what the extractor needs from a page, in pdfplumber's shapes
and coordinates (top-left origin, y down, the MediaBox and /Rotate applied as pdfminer does), so
that everything downstream (pdfplumber's own table finder included, see
pdf_tables.tables_from_edges) runs unchanged:

- characters: text, x0, x1, top, bottom, size, upright, as pdfminer makes them: x0 at the
  origin, bottom at the baseline plus the font's descent, top one font size above; x1 is the
  right edge of PDFium's "loose" box (the advance). Where the font descriptor declares a descent,
  this is pdfminer's box to the rounding; where it declares 0 (LibreOffice's fonts), PDFium's
  descent is the font's real one, so boxes sit ~0.12 em lower than pdfminer's (the test suite
  compares both parsers' reports). Whitespace, including what PDFium generates, is dropped: lines
  are rebuilt from gaps. Loose boxes PDFium gets wrong (200 pt wide on some WPS files) are
  rebuilt from the origin.
- edges: every axis-parallel segment of every painted path, including paths inside form
  XObjects, as pdfplumber derives them from pdfminer's lines, rects and curves (Bézier control
  points skipped, closed subpaths closed).
- `unmapped`: characters PDFium could not map to Unicode (no ToUnicode, what pdfminer shows as
  "(cid:N)"), so unreadable text is detected per page.

`MAX_OBJECTS` bounds the graphic objects of a page whose edges are read (table finding is
quadratic in edges; a hostile page may hold a million line segments); a page above it keeps its
text and loses its tables, with a warning.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

from pipeline.errors import ExtractionError

# PDFium is not thread-safe (pypdfium2's documentation says so): one document at a time per process,
# whatever thread asks (dask workers run tasks in threads)
LOCK = threading.RLock()

MAX_OBJECTS = 20_000
MAX_CHARS = 40_000  # characters read from one page (a dense A4 page has < 3,000)


def _raw():
    import pypdfium2.raw as raw

    return raw


@dataclass
class _Box:
    """MediaBox and rotation, and the pdfminer device transform they imply."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotation: int

    @property
    def width(self) -> float:
        return (self.y1 - self.y0) if self.rotation in (90, 270) else (self.x1 - self.x0)

    @property
    def height(self) -> float:
        return (self.x1 - self.x0) if self.rotation in (90, 270) else (self.y1 - self.y0)

    def ctm(self) -> tuple[float, float, float, float, float, float]:
        """pdfminer's PDFPageInterpreter.process_page matrix for this box and rotation."""
        x0, y0, x1, y1 = self.x0, self.y0, self.x1, self.y1
        if self.rotation == 90:
            return (0, -1, 1, 0, -y0, x1)
        if self.rotation == 180:
            return (-1, 0, 0, -1, x1, y1)
        if self.rotation == 270:
            return (0, 1, -1, 0, y1, -x0)
        return (1, 0, 0, 1, -x0, -y0)


def _mul(m: tuple, n: tuple) -> tuple:
    """m then n (PDF row-vector convention, as pdfminer's mult_matrix(m, n))."""
    a, b, c, d, e, f = m
    a1, b1, c1, d1, e1, f1 = n
    return (a * a1 + b * c1, a * b1 + b * d1, c * a1 + d * c1, c * b1 + d * d1,
            e * a1 + f * c1 + e1, e * b1 + f * d1 + f1)


class Page:
    """One page read by PDFium, with pdfplumber-shaped characters and edges (both read lazily)."""

    def __init__(self, pdf, index: int) -> None:
        raw = _raw()
        self.number = index + 1
        self._page = pdf[index]
        left, bottom, right, top = self._page.get_mediabox()
        rotation = self._page.get_rotation() % 360
        self.box = _Box(min(left, right), min(bottom, top), max(left, right), max(bottom, top),
                        rotation if rotation in (90, 180, 270) else 0)
        self.width = float(self.box.width)
        self.height = float(self.box.height)
        # pdfplumber adds the origin of its (rotated, inverted) MediaBox back to coordinates
        if self.box.rotation in (90, 270):
            self._dx, self._dtop = self.box.y0, -self.box.x0
        else:
            self._dx, self._dtop = self.box.x0, -self.box.y0
        self._ctm = self.box.ctm()
        self.n_objects = raw.FPDFPage_CountObjects(self._page.raw)
        self._chars: list[dict] | None = None
        self._edges: list[dict] | None = None
        self.unmapped = 0
        self.truncated = False
        self._descents: dict[int | None, float] = {}

    # --- coordinates ---------------------------------------------------------------------------

    def _device(self, x: float, y: float) -> tuple[float, float]:
        """PDF user space to pdfplumber's (x, top)."""
        a, b, c, d, e, f = self._ctm
        dx, dy = a * x + c * y + e, b * x + d * y + f
        return dx + self._dx, self.height - dy + self._dtop

    # --- characters ----------------------------------------------------------------------------

    @property
    def chars(self) -> list[dict]:
        if self._chars is None:
            self._chars = self._read_chars()
        return self._chars

    def _read_chars(self) -> list[dict]:
        """The page's characters; about 10 µs each (ctypes calls), so per-object values are cached."""
        raw = _raw()
        textpage = self._page.get_textpage()
        try:
            tp = textpage.raw
            n = raw.FPDFText_CountChars(tp)
            if n > MAX_CHARS:
                self.truncated = True
                n = MAX_CHARS
            if n <= 0:
                return []
            text = textpage.get_text_range(0, n)
            if len(text) != n:  # surrogate pairs: one code per character instead
                text = "".join(chr(raw.FPDFText_GetUnicode(tp, i) or 0xFFFE) for i in range(n))
            rect = raw.FS_RECTF()
            m = raw.FS_MATRIX()
            ox, oy = ctypes.c_double(), ctypes.c_double()
            left, right, low, high = (ctypes.c_double() for _ in range(4))
            a0, b0, c0, d0, e0, f0 = self._ctm
            dx, dtop, page_h = self._dx, self._dtop, self.height
            rot = (a0, b0, c0, d0, 0, 0)
            objects: dict[int | None, tuple] = {}
            out: list[dict] = []
            kept: list[int] = []
            for i, ch in enumerate(text):
                # whitespace (including the spaces and line ends PDFium generates) is never used:
                # lines are rebuilt from gaps, as from pdfminer's characters
                if ch.isspace() or ch in "\x00\ufffe\uffff":
                    continue
                obj = raw.FPDFText_GetTextObject(tp, i)
                key = ctypes.c_void_p.from_buffer(obj).value if obj else None
                info = objects.get(key)
                if info is None:
                    raw.FPDFText_GetMatrix(tp, i, m)
                    size = raw.FPDFText_GetFontSize(tp, i)
                    a, b, c, d, _, _ = _mul((m.a, m.b, m.c, m.d, 0, 0), rot)
                    upright = a * d > 0 and b * c <= 0
                    straight = upright and b == 0 and c == 0
                    height = size * abs(d)
                    descent = self._descent(raw, obj) * height if straight else 0.0
                    info = objects[key] = (upright, straight, height, descent)
                upright, straight, height, descent = info
                if not raw.FPDFText_GetLooseCharBox(tp, i, rect):
                    continue
                xa = a0 * rect.left + c0 * rect.bottom + e0 + dx
                ta = page_h - (b0 * rect.left + d0 * rect.bottom + f0) + dtop
                xb = a0 * rect.right + c0 * rect.top + e0 + dx
                tb = page_h - (b0 * rect.right + d0 * rect.top + f0) + dtop
                x0, x1 = (xa, xb) if xa <= xb else (xb, xa)
                if straight:
                    # pdfminer's box: from the origin, baseline + the font's descent, up by the font
                    # size. PDFium's loose box also covers ink overhanging the origin (the left edge
                    # of 情 sits 0.2 pt early) and, for some fonts, its bottom varies from glyph to
                    # glyph, so only its right edge (the advance) is kept
                    raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
                    x0 = a0 * ox.value + c0 * oy.value + e0 + dx
                    baseline = page_h - (b0 * ox.value + d0 * oy.value + f0) + dtop
                    bottom = baseline - descent
                    if x1 - x0 > 3 * height or x1 <= x0:
                        # a loose box PDFium got wrong (seen on WPS files: 200 pt wide): the advance of
                        # a CJK character is one em; other characters end where their ink ends
                        raw.FPDFText_GetCharBox(tp, i, left, right, low, high)
                        ink_right = a0 * right.value + c0 * oy.value + e0 + dx
                        x1 = x0 + height if ord(ch) >= 0x2E80 else max(ink_right, x0 + 0.25 * height)
                    top = bottom - height
                    size = height
                else:  # rotated or skewed text: PDFium's box as it stands
                    top, bottom = (ta, tb) if ta <= tb else (tb, ta)
                    size = bottom - top
                out.append({"text": ch, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                            "size": size, "upright": upright})
                kept.append(i)
            self.unmapped = self._unmapped(raw, tp, kept)
            return out
        finally:
            textpage.close()

    @staticmethod
    def _unmapped(raw, tp, kept: list[int], sample: int = 64) -> int:
        """How many characters PDFium could not map to Unicode, estimated from an even sample."""
        if not kept:
            return 0
        step = max(1, len(kept) // sample)
        picked = kept[::step]
        errors = sum(1 for i in picked if raw.FPDFText_HasUnicodeMapError(tp, i) == 1)
        return round(errors * len(kept) / len(picked))

    def _descent(self, raw, obj) -> float:
        """The descent of a text object's font, per unit of font size (negative), cached per font."""
        font = raw.FPDFTextObj_GetFont(obj) if obj else None
        if not font:
            return 0.0
        key = ctypes.c_void_p.from_buffer(font).value
        per_em = self._descents.get(key)
        if per_em is None:
            value = ctypes.c_float()
            ok = raw.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), value)
            per_em = value.value / 1000.0 if ok else 0.0
            self._descents[key] = per_em
        return per_em

    # --- images and edges ----------------------------------------------------------------------

    def _objects(self, limit: int | None = None):
        """(object, type, matrix of its form or None) for the page's objects, form XObjects opened.

        Walks at most `limit` objects (default MAX_OBJECTS), nested ones included: a hostile page
        may hold a million of them, at the top level or inside one form.
        """
        raw = _raw()
        limit = MAX_OBJECTS if limit is None else limit
        m = raw.FS_MATRIX()
        visited = 0
        # (is a form, handle, next index, count, matrix of the form)
        stack: list[tuple[bool, object, int, int, tuple | None]] = [(False, self._page.raw, 0, self.n_objects, None)]
        while stack:
            is_form, handle, index, count, parent = stack.pop()
            while index < count:
                if visited >= limit:
                    return
                obj = (raw.FPDFFormObj_GetObject if is_form else raw.FPDFPage_GetObject)(handle, index)
                index += 1
                visited += 1
                if not obj:
                    continue
                kind = raw.FPDFPageObj_GetType(obj)
                if kind == raw.FPDF_PAGEOBJ_FORM:
                    raw.FPDFPageObj_GetMatrix(obj, m)
                    own = (m.a, m.b, m.c, m.d, m.e, m.f)
                    stack.append((is_form, handle, index, count, parent))
                    stack.append((True, obj, 0, max(0, raw.FPDFFormObj_CountObjects(obj)),
                                  _mul(own, parent) if parent else own))
                    break
                yield obj, kind, parent

    def object_count(self, limit: int) -> int:
        """Graphic objects on the page, those inside forms included, counted up to `limit`."""
        return sum(1 for _ in self._objects(limit))

    def image_count(self) -> int:
        raw = _raw()
        return sum(1 for _, kind, _ in self._objects() if kind == raw.FPDF_PAGEOBJ_IMAGE)

    @property
    def edges(self) -> list[dict]:
        if self._edges is None:
            self._edges = self._read_edges()
        return self._edges

    def _read_edges(self) -> list[dict]:
        raw = _raw()
        m = raw.FS_MATRIX()
        x, y = ctypes.c_float(), ctypes.c_float()
        edges: list[dict] = []
        for obj, kind, parent in self._objects():
            if kind != raw.FPDF_PAGEOBJ_PATH:
                continue
            raw.FPDFPageObj_GetMatrix(obj, m)
            own = (m.a, m.b, m.c, m.d, m.e, m.f)
            a, b, c, d, e, f = _mul(own, parent) if parent else own
            subpaths: list[list[tuple[float, float]]] = []
            bezier = 0
            for k in range(raw.FPDFPath_CountSegments(obj)):
                seg = raw.FPDFPath_GetPathSegment(obj, k)
                if not seg or not raw.FPDFPathSegment_GetPoint(seg, x, y):
                    continue
                point = self._device(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
                kind_s = raw.FPDFPathSegment_GetType(seg)
                if kind_s == raw.FPDF_SEGMENT_MOVETO or not subpaths:
                    subpaths.append([point])
                    bezier = 0
                elif kind_s == raw.FPDF_SEGMENT_BEZIERTO:
                    bezier += 1
                    if bezier % 3 == 0:  # the end point; the two before are control points
                        subpaths[-1].append(point)
                else:
                    subpaths[-1].append(point)
                if raw.FPDFPathSegment_GetClose(seg) and subpaths[-1][-1] != subpaths[-1][0]:
                    subpaths[-1].append(subpaths[-1][0])
            for pts in subpaths:
                for (px, pt), (qx, qt) in zip(pts, pts[1:], strict=False):
                    edge = _edge(px, pt, qx, qt)
                    if edge is not None:
                        edges.append(edge)
        return edges

    # --- pictures ------------------------------------------------------------------------------

    def render_gray(self, dpi: int):
        """The page as a greyscale numpy array (rows, columns) at `dpi`, rotation applied."""
        bitmap = self._page.render(scale=dpi / 72.0, grayscale=True)
        array = bitmap.to_numpy()
        return array[..., 0].copy() if array.ndim == 3 else array.copy()

    def close(self) -> None:
        self._page.close()


def _edge(px: float, pt: float, qx: float, qt: float, tol: float = 1e-3) -> dict | None:
    if abs(pt - qt) <= tol and abs(px - qx) > tol:
        x0, x1 = min(px, qx), max(px, qx)
        return {"object_type": "line", "orientation": "h", "x0": x0, "x1": x1, "top": pt, "bottom": pt,
                "doctop": pt, "width": x1 - x0, "height": 0.0}
    if abs(px - qx) <= tol and abs(pt - qt) > tol:
        top, bottom = min(pt, qt), max(pt, qt)
        return {"object_type": "line", "orientation": "v", "x0": px, "x1": px, "top": top, "bottom": bottom,
                "doctop": top, "width": 0.0, "height": bottom - top}
    return None


class Document:
    """A PDF opened by PDFium: its metadata and pages."""

    def __init__(self, data: bytes) -> None:
        import pypdfium2 as pdfium

        raw = _raw()
        try:
            self._pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == raw.FPDF_ERR_PASSWORD:
                raise ExtractionError("encrypted PDF (password required)", kind="encrypted") from None
            if getattr(exc, "err_code", None) == raw.FPDF_ERR_SECURITY:
                raise ExtractionError("encrypted PDF that cannot be opened (unsupported security handler)",
                                      kind="encrypted") from None
            raise
        self.n_pages = len(self._pdf)

    @property
    def metadata(self) -> dict:
        try:
            return dict(self._pdf.get_metadata_dict(skip_empty=True))
        except Exception:  # damaged Info dictionaries are not worth failing for
            return {}

    def page(self, index: int) -> Page:
        return Page(self._pdf, index)

    def page_size(self, index: int) -> tuple[float, float]:
        """Width and height of a page (rotation applied) without loading it."""
        width, height = self._pdf.get_page_size(index)
        return float(width), float(height)

    def close(self) -> None:
        self._pdf.close()
