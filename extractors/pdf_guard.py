"""Limits that keep hostile PDFs from hanging the pdfminer-based reading.

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
  here, less on a loaded machine), so a page of megabytes of drawing operators takes minutes. `content_bytes` measures the
  decoded content streams of a page (decompression stops at the limit, so a small compressed
  stream that inflates to gigabytes costs nothing), and the caller skips a page above
  `MAX_CONTENT_BYTES` with a warning. Real annual report pages carry < 50 KB.
"""

from __future__ import annotations

import zlib

MAX_CONTENT_BYTES = 1_000_000
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

    resolve.__doc__ = "PDFObjRef.resolve that stops at reference cycles (nianbao extractors.pdf_guard)."
    PDFObjRef.resolve = resolve  # type: ignore[method-assign]
    _installed = True


def content_bytes(page_obj, limit: int = MAX_CONTENT_BYTES) -> int:
    """Decoded size of a pdfminer page's content streams, counted up to just past `limit`."""
    from pdfminer.pdftypes import PDFStream, resolve1
    from pdfminer.psparser import LIT

    total = 0
    for ref in page_obj.contents or []:
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream):
            continue
        if stream.data is not None:
            total += len(stream.data)
        else:
            filters = [f for f, _ in stream.get_filters()]
            raw = stream.rawdata or b""
            if not filters:
                total += len(raw)
            elif filters == [LIT("FlateDecode")] or filters == [LIT("Fl")]:
                try:
                    total += len(zlib.decompressobj().decompress(raw, limit - total + 1))
                except zlib.error:
                    total += len(raw)
            else:
                total += len(stream.get_data() or b"")
        if total > limit:
            break
    return total
