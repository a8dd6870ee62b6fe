"""Extractors: one module per source format, each turning a file into the intermediate form.

`extract(path)` sniffs the format from the bytes (the extension only breaks ties) and calls the
extractor for it. Extractor modules are imported lazily so that text conversion and `--help` never
pay for python-docx, lxml or pdfplumber.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from pipeline.errors import ExtractionError
from pipeline.intermediate import Document
from pipeline.limits import read_limited

# format -> module that reads it; every module has NAME, VERSION and extract(path, data, fmt)
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

_BY_SUFFIX = {
    ".txt": "txt", ".md": "txt", ".text": "txt", ".csv": "txt", ".tsv": "txt",
    ".docx": "docx", ".doc": "doc", ".wps": "wps", ".rtf": "rtf", ".odt": "odt",
    ".pdf": "pdf", ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".mht": "mhtml", ".mhtml": "mhtml",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path, head: bytes) -> str:
    """The format of a file, decided by its content first and its name second."""
    suffix = path.suffix.lower()
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE_MAGIC):
        return "wps" if suffix == ".wps" else "doc"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in head or suffix == ".docx":
            return "docx"
        if b"opendocument.text" in head or suffix == ".odt":
            return "odt"
        return "zip"
    lowered = head[:4096].lower()
    if b"mime-version:" in lowered and (b"multipart/related" in lowered or suffix in (".mht", ".mhtml")):
        return "mhtml"
    stripped = lowered.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml")) or any(
        tag in lowered for tag in (b"<html", b"<body", b"<table", b"<div", b"<p>", b"<p ", b"<meta")
    ):
        return "html"
    guessed = _BY_SUFFIX.get(suffix)
    if guessed in ("txt", None):
        if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ExtractionError("binary file of unknown type")
        return "txt"
    return guessed


def extract(path: str | Path, fmt: str | None = None, max_bytes: int | None = None) -> Document:
    """Read one file into the intermediate form; raises ExtractionError with a one-line reason.

    max_bytes: at most this many bytes are read, from any file (a pipe, /dev/zero, standard input as
    `-`); more is refused (every extractor holds the whole file).
    """
    path = Path(path)
    try:
        data = read_limited(path, max_bytes)
    except IsADirectoryError:
        raise ExtractionError("is a directory") from None
    except FileNotFoundError:
        raise ExtractionError("no such file") from None
    except OSError as exc:
        raise ExtractionError(f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise ExtractionError("empty file")
    fmt = fmt or sniff(path, data[:8192])
    if fmt == "zip":
        raise ExtractionError("a zip archive, not a document (use `nianbao batch` for archives)")
    module_name = EXTRACTORS.get(fmt)
    if module_name is None:
        raise ExtractionError(f"unsupported format {fmt!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ExtractionError(f"the {fmt} extractor is not available: {exc}") from None
    return module.extract(path, data, fmt)
