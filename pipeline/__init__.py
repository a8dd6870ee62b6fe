"""nianbao's pipeline: intermediate form -> standard report -> writers.

    from pipeline import convert
    report = convert("report.docx")     # a pipeline.report.Report (pydantic)
    report.model_dump()                 # the same as a plain dict

Heavy modules load on first use, so importing the package stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import NianbaoError
from pipeline.limits import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from pipeline.report import Report
    from pipeline.settings import ExtractOptions

__all__ = ["convert"]


def convert(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES, options: ExtractOptions | None = None) -> Report:
    """Extract and normalise one file (`-`: standard input), reading at most max_bytes of it.

    Raises pipeline.errors.NianbaoError with a one-line reason; its `path` names the file.
    `report.model_dump()` gives the report as a dict, `report.to_json()` as the JSON the CLI writes.
    options: how to extract (pipeline.settings.ExtractOptions); None reads them from the environment.
    """
    from extractors import extract
    from pipeline.normalise import normalise

    try:
        return normalise(extract(path, max_bytes=max_bytes, options=options))
    except NianbaoError as exc:
        if exc.path is None:
            exc.path = str(path)
            exc.add_note(f"file: {path}")
        raise
