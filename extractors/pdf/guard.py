"""Limits that keep hostile PDFs from hanging the reading (pdfminer's interpreter, PDFium's page loading).

Two mechanisms, both cheap:

- Reference cycles. pdfminer resolves an indirect reference with `while isinstance(x, PDFObjRef):
  x = x.resolve()`, in `resolve1`, `resolve_all` and pdfplumber's own copy. An object whose value
  is a reference to itself (`6 0 obj 6 0 R endobj`), or a ring of such objects, makes that loop
  spin forever. The loop cannot be checked from outside before it runs (pdfminer resolves the
  trailer's /Root and /Info inside `PDFDocument.__init__`), so `PDFObjRef.resolve` — the one method
  every one of those loops calls — is replaced, once, by a version that follows a chain of
  references itself and answers the caller's default (as for a missing object) when the chain
  comes back to an object it has seen. Non-cyclic chains resolve exactly as before.
- Page size. pdfminer interprets a page's content stream in pure Python (about 3 MB a second
  here, less on a loaded machine), and PDFium, though 20x faster, expands every form XObject a page
  draws into objects in memory: a 4 KB file whose forms draw forms 100 times over, three deep,
  makes PDFium take 13 GB and minutes. `page_costs` estimates, from pdfminer's object layer only
  (no content interpretation), the bytes of drawing instructions each page amounts to: its content
  streams plus, for every `/Name Do` in them, the cost of that form, recursively (a form drawing
  itself counts as over any limit). Decompression stops at the limit, so a small stream that
  inflates to gigabytes costs nothing. The caller skips a page over the limit with a warning:
  `MAX_CONTENT_BYTES` before pdfminer parses it, `MAX_PDFIUM_BYTES` before PDFium loads it. Real
  annual report pages carry < 50 KB.
"""

from __future__ import annotations

import io
import re
import zlib
from collections import Counter

MAX_CONTENT_BYTES = 1_000_000
MAX_PDFIUM_BYTES = 8_000_000
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")
_MAX_CHAIN = 64  # longer chains of bare references do not occur in real files

_installed = False


def install() -> None:
    """Make pdfminer's reference resolution stop at cycles (idempotent)."""
    global _installed
    if _installed:
        return
    from pdfminer.pdftypes import PDFObjectNotFound, PDFObjRef

    def resolve(self: PDFObjRef, default: object = None) -> object:
        seen = {self.objid}
        ref = self
        while True:
            assert ref.doc is not None, "pdfminer gives every parsed reference its document"
            try:
                obj = ref.doc.getobj(ref.objid)
            except PDFObjectNotFound:
                return default
            if not isinstance(obj, PDFObjRef):
                return obj
            if obj.objid in seen or len(seen) >= _MAX_CHAIN:
                return default  # a reference loop: nothing is there
            seen.add(obj.objid)
            ref = obj

    resolve.__doc__ = "PDFObjRef.resolve that stops at reference cycles (nianbao extractors.pdf.guard)."
    PDFObjRef.resolve = resolve  # type: ignore[method-assign]
    _installed = True


def _data(stream, limit: int) -> bytes:
    """A stream's decoded bytes, stopping just past `limit` for Flate (the usual filter)."""
    from pdfminer.psparser import LIT

    if stream.data is not None:
        return stream.data
    filters = [f for f, _ in stream.get_filters()]
    raw = stream.rawdata or b""
    if not filters:
        return raw
    if filters in ([LIT("FlateDecode")], [LIT("Fl")]):
        try:
            return zlib.decompressobj().decompress(raw, limit + 1)
        except zlib.error:
            return raw
    return stream.get_data() or b""


class _Costs:
    """Drawing-instruction bytes of pages and forms, memoised per form for one document."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.forms: dict[int, int] = {}

    def stream(self, data: bytes, resources, stack: frozenset) -> int:
        from pdfminer.pdftypes import PDFObjRef, PDFStream, dict_value, resolve1
        from pdfminer.psparser import LIT

        total = len(data)
        if total > self.limit:
            return total
        names = Counter(_DO.findall(data))
        if not names:
            return total
        xobjects = dict_value(resolve1(dict_value(resources).get("XObject"))) if resources else {}
        for name, uses in names.items():
            ref = xobjects.get(name.decode("latin-1"))
            objid = ref.objid if isinstance(ref, PDFObjRef) else None
            form = resolve1(ref)
            if not isinstance(form, PDFStream) or form.get("Subtype") is not LIT("Form"):
                continue
            if objid is not None and objid in stack:
                return self.limit + 1  # a form that draws itself
            cost = self.forms.get(objid) if objid is not None else None
            if cost is None:
                inner = form.get("Resources") or resources
                cost = self.stream(_data(form, self.limit), resolve1(inner),
                                   stack | ({objid} if objid is not None else set()))
                if objid is not None:
                    self.forms[objid] = cost
            total += uses * cost
            if total > self.limit:
                return total
        return total

    def page(self, page_obj) -> int:
        from pdfminer.pdftypes import PDFStream, resolve1

        parts = []
        size = 0
        for ref in page_obj.contents or []:
            stream = resolve1(ref)
            if isinstance(stream, PDFStream):
                parts.append(_data(stream, self.limit - size))
                size += len(parts[-1])
                if size > self.limit:
                    return size
        return self.stream(b"\n".join(parts), page_obj.resources, frozenset())


def content_bytes(page_obj, limit: int = MAX_CONTENT_BYTES) -> int:
    """Bytes of drawing instructions of a pdfminer page, forms expanded, counted up to just past `limit`."""
    try:
        return _Costs(limit).page(page_obj)
    except RecursionError:
        return limit + 1


def page_costs(data: bytes, limit: int = MAX_PDFIUM_BYTES) -> list[int] | None:
    """`content_bytes` of every page, read with pdfminer's object layer; None when pdfminer cannot read the file."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    install()
    try:
        doc = PDFDocument(PDFParser(io.BytesIO(data)))
        costs = _Costs(limit)
        out = []
        for page in PDFPage.create_pages(doc):
            try:
                out.append(costs.page(page))
            except RecursionError:
                out.append(limit + 1)
            except Exception:  # a damaged page: PDFium may still read it
                out.append(0)
        return out
    except Exception:
        return None
