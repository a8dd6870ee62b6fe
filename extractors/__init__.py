"""Extractors: one module per source format, each turning a file into the intermediate form.

`extract(path)` sniffs the format from the bytes (the extension only breaks ties) and calls the
extractor for it with the extraction options (pipeline.settings.ExtractOptions; read from the
environment here when the caller gives none). Extractor modules are imported lazily so that text
conversion and `--help` never pay for python-docx, lxml or pdfplumber; `extractors_version()` (what
the batch keys its cache by) reads their VERSIONs without importing them.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pipeline.errors import ExtractionError
from pipeline.formats import SUFFIX_FORMAT
from pipeline.limits import read_limited

if TYPE_CHECKING:  # pydantic is not loaded by sniff() or extractors_version()
    from pipeline.intermediate import Document

if TYPE_CHECKING:
    from pipeline.settings import ExtractOptions


class Extractor(Protocol):
    """What every extractor module provides (a module, checked structurally)."""

    NAME: str
    VERSION: str

    def extract(self, path: Path, data: bytes, fmt: str, options: ExtractOptions | None = None) -> Document: ...


# format -> module that reads it (an Extractor)
EXTRACTORS: dict[str, str] = {
    "txt": "extractors.text",
    "docx": "extractors.docx",
    "doc": "extractors.legacy",
    "wps": "extractors.legacy",
    "rtf": "extractors.legacy",
    "odt": "extractors.legacy",
    "pdf": "extractors.pdf",
    "html": "extractors.html",
    "mhtml": "extractors.html",
}


@functools.cache
def extractors_version() -> str:
    """Every extractor module's VERSION in one string ("docx-1.0.0+html-1.0.0+..."), to key cached
    extractions by: a bump of any of them (legacy reads through docx) makes older extractions stale."""
    modules = sorted(set(EXTRACTORS.values()))
    return "+".join(f"{m.rsplit('.', 1)[-1]}-{module_version(m)}" for m in modules)


def module_version(module: str) -> str:
    """A module's `VERSION = "..."` read from its source, so that the batch never imports the extractors
    (and what they import) to learn it; imported only when the source does not say it literally."""
    spec = importlib.util.find_spec(module)
    if spec is not None and spec.origin and spec.origin.endswith(".py"):
        for node in ast.parse(Path(spec.origin).read_bytes()).body:
            if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["VERSION"]
                    and isinstance(node.value, ast.Constant)):
                return str(node.value.value)
    return str(importlib.import_module(module).VERSION)


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"  # ODF's first member, stored


# --- spreadsheets and pictures ------------------------------------------------------------------------
EXTRACTORS.update({"xlsx": "extractors.spreadsheet", "xls": "extractors.spreadsheet",
                   "et": "extractors.spreadsheet", "image": "extractors.image"})
_PICTURE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a")
_WORKBOOK_STREAM = "Workbook".encode("utf-16-le")


def _sniff_media(suffix: str, head: bytes) -> str | None:
    """Spreadsheets and pictures by content (BMP and the OLE .xls/.et also by name), else None."""
    if head.startswith(_PICTURE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith(b"BM") and suffix == ".bmp":
        return "image"
    if head.startswith(_OLE_MAGIC) and (suffix in (".xls", ".et", ".xlsx", ".xlsm") or _WORKBOOK_STREAM in head):
        return "et" if suffix == ".et" else "xls"
    if head.startswith(b"PK\x03\x04") and (b"xl/" in head or (suffix in (".xlsx", ".xlsm") and b"word/" not in head)):
        return "xlsx"
    return None
# ------------------------------------------------------------------------------------------------------


def sniff(path: Path, head: bytes) -> str:
    """The format of a file, decided by its content first and its name second.

    So a .doc or an .odt saved under the name .docx goes to the extractor that reads it, and no
    extractor has to hand files on to another.
    """
    media = _sniff_media(path.suffix.lower(), head)
    if media:
        return media
    by_name = SUFFIX_FORMAT.get(path.suffix.lower())
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE_MAGIC):
        return "wps" if by_name == "wps" else "doc"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(head, by_name)
    lowered = head[:4096].lower()
    if b"mime-version:" in lowered and (b"multipart/related" in lowered or by_name == "mhtml"):
        return "mhtml"
    stripped = lowered.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml")) or any(
        tag in lowered for tag in (b"<html", b"<body", b"<table", b"<div", b"<p>", b"<p ", b"<meta")
    ):
        return "html"
    if by_name in ("txt", None):
        if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ExtractionError("binary file of unknown type", kind="unsupported")
        return "txt"
    return by_name


def _sniff_zip(head: bytes, by_name: str | None) -> str:
    """A zip's format: an OpenDocument text, a Word document, or (neither in its first members) its name's."""
    if _ODT_MIMETYPE in head[:100]:
        return "odt"
    if b"word/" in head:
        return "docx"
    if b"opendocument.text" in head:
        return "odt"
    return by_name if by_name in ("docx", "odt") else "zip"


def extract(path: str | Path, fmt: str | None = None, max_bytes: int | None = None,
            options: ExtractOptions | None = None) -> Document:
    """Read one file into the intermediate form; raises ExtractionError with a one-line reason.

    max_bytes: at most this many bytes are read, from any file (a pipe, /dev/zero, standard input as
    `-`); more is refused (every extractor holds the whole file).
    options: how to extract; None reads them from the environment now (ExtractOptions.from_env()).
    """
    path = Path(path)
    try:
        data = read_limited(path, max_bytes)
    except IsADirectoryError:
        raise ExtractionError("is a directory", kind="unreadable") from None
    except FileNotFoundError:
        raise ExtractionError("no such file", kind="unreadable") from None
    except OSError as exc:
        raise ExtractionError(f"cannot read: {exc.strerror or exc}", kind="unreadable") from None
    if not data.strip():
        raise ExtractionError("empty file", kind="empty")
    fmt = fmt or sniff(path, data[:8192])
    if fmt == "zip":
        raise ExtractionError("a zip archive, not a document (use `nianbao batch` for archives)",
                              kind="unsupported")
    module_name = EXTRACTORS.get(fmt)
    if module_name is None:
        raise ExtractionError(f"unsupported format {fmt!r}", kind="unsupported")
    try:
        module: Extractor = importlib.import_module(module_name)
    except ImportError as exc:
        raise ExtractionError(f"the {fmt} extractor is not available: {exc}", kind="unsupported") from None
    if options is None:
        from pipeline.settings import ExtractOptions

        options = ExtractOptions.from_env()
    return module.extract(path, data, fmt, options)
