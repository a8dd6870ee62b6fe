"""Extraction options: one frozen value handed to every extractor, and the one reader of NIANBAO_* variables.

Extractors never look at os.environ: they get an ExtractOptions. The command line builds it with
`ExtractOptions.from_env(**flags)` (environment, then flags); `extractors.extract` and
`pipeline.convert` called without options read the environment there, at the call. A batch reads it
once and sends it to its workers as plain data (`to_dict`/`from_dict`): tasks cross process and dask
boundaries. The PDF extractor's named tolerances ride along as `pdf` (extractors.pdf.settings).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from extractors.pdf.settings import PdfSettings

PDF_PARSERS = ("pdfium", "pdfminer")
PDF_ENGINES = ("pdfplumber", "camelot")
SOFFICE_TIMEOUT = 120.0
_OFF = ("0", "off", "no", "false")

__all__ = ["PDF_ENGINES", "PDF_PARSERS", "ExtractOptions", "PdfSettings"]


@dataclass(frozen=True)
class ExtractOptions:
    """How to extract: which PDF parser and table engine, OCR, LibreOffice, and the PDF tolerances."""

    pdf_parser: str = "pdfium"
    """PDF parsing: "pdfium" (C, fast) or "pdfminer" (pdfplumber's; also the fallback for files PDFium refuses).
    Environment: NIANBAO_PDF_PARSER."""
    pdf_engine: str = "pdfplumber"
    """Ruled tables: "pdfplumber" (its table finder on the parsed ruling edges) or "camelot" (its lattice,
    the camelot extra). Environment: NIANBAO_PDF_ENGINE."""
    ocr: bool = True
    """Read pages without a usable text layer by OCR when the ocr extra is installed. NIANBAO_OCR=off."""
    ocr_threads: int | None = None
    """Threads for OCR; None: half the CPUs, at most 4. NIANBAO_OCR_THREADS."""
    soffice: str | None = None
    """LibreOffice binary for .doc/.wps/.rtf/.odt; None: soffice or libreoffice on PATH. NIANBAO_SOFFICE."""
    soffice_timeout: float = SOFFICE_TIMEOUT
    """Seconds one LibreOffice conversion may take. NIANBAO_SOFFICE_TIMEOUT."""
    pdf: PdfSettings = field(default_factory=PdfSettings)
    """The PDF extractor's named tolerances."""

    def __post_init__(self) -> None:
        if self.pdf_parser not in PDF_PARSERS:
            raise ValueError(f"unknown PDF parser {self.pdf_parser!r} (choose {' or '.join(PDF_PARSERS)})")
        if self.pdf_engine not in PDF_ENGINES:
            raise ValueError(f"unknown PDF engine {self.pdf_engine!r} (choose {' or '.join(PDF_ENGINES)})")
        if self.ocr_threads is not None and (isinstance(self.ocr_threads, bool) or not isinstance(self.ocr_threads, int)
                                             or self.ocr_threads < 1):
            raise ValueError(f"ocr_threads must be a whole number of at least 1, not {self.ocr_threads!r}")
        if not self.soffice_timeout > 0:
            raise ValueError(f"soffice_timeout must be positive seconds, not {self.soffice_timeout!r}")
        if not isinstance(self.pdf, PdfSettings):
            raise ValueError("pdf must be a PdfSettings")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ExtractOptions:
        """Options from the NIANBAO_* variables (unset or unusable ones keep the default), then `overrides`
        (a command line's flags; None means the flag was not given)."""
        values = _from_environment(os.environ if environ is None else environ)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able) for a batch task."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExtractOptions:
        return cls(**{**data, "pdf": PdfSettings(**data.get("pdf", {}))})


def _from_environment(env: Mapping[str, str]) -> dict[str, Any]:
    """The options the environment sets; values it cannot mean are ignored, as they always were."""
    out: dict[str, Any] = {}
    parser = env.get("NIANBAO_PDF_PARSER", "").strip().lower()
    if parser in PDF_PARSERS:
        out["pdf_parser"] = parser
    engine = env.get("NIANBAO_PDF_ENGINE", "").strip().lower()
    if engine in PDF_ENGINES:
        out["pdf_engine"] = engine
    if env.get("NIANBAO_OCR", "").strip().lower() in _OFF:
        out["ocr"] = False
    threads = env.get("NIANBAO_OCR_THREADS", "").strip()
    if threads.isdigit():
        out["ocr_threads"] = max(1, int(threads))
    if env.get("NIANBAO_SOFFICE"):
        out["soffice"] = env["NIANBAO_SOFFICE"]
    try:
        timeout = float(env.get("NIANBAO_SOFFICE_TIMEOUT", ""))
    except ValueError:
        timeout = 0.0
    if timeout > 0:
        out["soffice_timeout"] = timeout
    return out
