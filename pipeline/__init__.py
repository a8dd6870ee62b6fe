"""nianbao's pipeline: intermediate form -> standard report -> writers.

    from pipeline import convert
    report = convert("report.docx")     # a pipeline.report.Report

Heavy modules load on first use, so importing the package stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.report import Report
    from pipeline.settings import ExtractOptions

__all__ = ["convert"]


def convert(path: str | Path, max_bytes: int | None = None, options: ExtractOptions | None = None) -> Report:
    """Extract and normalise one file; raises pipeline.errors.NianbaoError with a one-line reason.

    options: how to extract (pipeline.settings.ExtractOptions); None reads them from the environment.
    """
    from extractors import extract
    from pipeline.normalise import normalise

    return normalise(extract(path, max_bytes=max_bytes, options=options))
