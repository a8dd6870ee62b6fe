"""Spreadsheets (.xlsx; .xls and Kingsoft .et through LibreOffice): sheets into paragraphs and tables.

Some bodies publish the statistics tables as an Excel attachment: the three tables on one sheet
separated by blank rows, or one per sheet, merged header cells, numbers stored as numbers and a
title row on top. openpyxl reads the workbook (merged ranges and typed cell values; cached formula
results with data_only). Each sheet is cut into regions at fully blank rows (a merged range keeps
the rows it covers together); a region whose rows each hold one text cell (unmerged, or merged
across its row as a centred title is) is prose (paragraphs: the title, a note), anything else is a
table whose merged ranges become spans and whose numbers are written as a person would type them
(3.0 is "3", 0.5 stays "0.5").
Legacy .xls/.et are converted to .xlsx by LibreOffice with the legacy extractor's machinery.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ExtractionError
from pipeline.intermediate import Cell, Document, Paragraph, Source, Table
from pipeline.intermediate import Warning as ExtractWarning
from pipeline.settings import ExtractOptions

NAME = "spreadsheet"
VERSION = "1.0.0"

MAX_CELLS = 200_000  # per sheet: a report's tables hold a few hundred; more is a data dump or hostile
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100


@dataclass
class _Merge:
    top: int
    left: int
    bottom: int
    right: int


def extract(path: Path, data: bytes, fmt: str, options: ExtractOptions | None = None) -> Document:
    warnings: list[ExtractWarning] = []
    xlsx = data
    if fmt in ("xls", "et") or data[:4] == b"\xd0\xcf\x11\xe0":
        from extractors import legacy

        options = options or ExtractOptions()
        xlsx = legacy.convert(data, fmt if fmt in ("xls", "et") else "xls", "xlsx", options.soffice_timeout,
                              options.soffice)
        warnings.append(ExtractWarning(code="converted", message=f"{fmt} read through a LibreOffice "
                                                                 "conversion to XLSX"))
    blocks, metadata, sheet_warnings = read_xlsx(xlsx)
    warnings.extend(sheet_warnings)
    if not blocks:
        raise ExtractionError("the workbook holds no cells with text", kind="empty")
    if xlsx is not data:
        metadata["converted_by"] = "LibreOffice"
    source = Source.describe(path, data, fmt, NAME, VERSION, metadata=metadata)
    return Document(source=source, blocks=blocks, warnings=warnings)


def _check_package(data: bytes) -> None:
    """Refuse what is not a zip, is encrypted, or inflates like a zip bomb, before openpyxl reads it."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ExtractionError("the workbook is password-protected (encrypted)", kind="encrypted")
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ExtractionError(f"not a valid XLSX (zip): {exc}", kind="corrupt") from None
    for info in infos:
        if info.flag_bits & 0x1:
            raise ExtractionError("the workbook is encrypted", kind="encrypted")
        if info.file_size > MAX_PART_BYTES or (
                info.file_size > 4 * 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size)):
            raise ExtractionError(f"part {info.filename} inflates to {info.file_size:,} bytes (a zip bomb?)",
                                  kind="too_large")
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise ExtractionError("not an Excel workbook: the zip has no xl/workbook.xml", kind="unsupported")


def read_xlsx(data: bytes) -> tuple[list[Paragraph | Table], dict[str, str], list[ExtractWarning]]:
    """Blocks of every visible sheet in order, the workbook's properties, and warnings."""
    _check_package(data)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises many types for broken parts
        raise ExtractionError(f"broken XLSX ({type(exc).__name__}: {exc})"[:200], kind="corrupt") from None
    blocks: list[Paragraph | Table] = []
    warnings: list[ExtractWarning] = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            warnings.append(ExtractWarning(code="hidden_sheet", message=f"sheet {sheet.title!r} is hidden; not read"))
            continue
        if (sheet.max_row or 0) * (sheet.max_column or 0) > MAX_CELLS:
            warnings.append(ExtractWarning(code="sheet_too_large",
                                           message=f"sheet {sheet.title!r} spans more than {MAX_CELLS:,} cells; "
                                                   "not read"))
            continue
        blocks.extend(_sheet_blocks(sheet))
    return blocks, _properties(book), warnings


def _properties(book) -> dict[str, str]:
    props = book.properties
    out: dict[str, str] = {}
    for key, value in (("title", props.title), ("author", props.creator), ("subject", props.subject),
                       ("created", props.created), ("modified", props.modified)):
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        if isinstance(value, str) and value.strip():
            out[key] = value.strip()
    out["sheets"] = " | ".join(s.title for s in book.worksheets)
    return out


def cell_text(value: object) -> str:
    """A cell's value as it reads: whole numbers without ".0", dates as ISO dates, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(value, ".12g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _sheet_blocks(sheet) -> list[Paragraph | Table]:
    """The sheet cut into regions at blank rows, each region a table or paragraphs."""
    values: dict[tuple[int, int], str] = {}
    for row in sheet.iter_rows():
        for cell in row:
            text = cell_text(cell.value)
            if text and hasattr(cell, "column"):  # MergedCell has no value of its own
                values[(cell.row, cell.column)] = text
    merges = [_Merge(m.min_row, m.min_col, m.max_row, m.max_col) for m in sheet.merged_cells.ranges]
    if not values:
        return []
    occupied = {r for r, _ in values} | {r for m in merges for r in range(m.top, m.bottom + 1)}
    blocks: list[Paragraph | Table] = []
    region: list[int] = []
    for r in range(1, max(occupied) + 2):
        if r in occupied:
            region.append(r)
            continue
        if region:
            blocks.extend(_region_blocks(region, values, merges))
            region = []
    return blocks


def _region_blocks(rows: list[int], values: dict[tuple[int, int], str],
                   merges: list[_Merge]) -> list[Paragraph | Table]:
    top, bottom = rows[0], rows[-1]
    inside = [m for m in merges if top <= m.top <= bottom]
    cols_of = {r: sorted(c for (rr, c) in values if rr == r) for r in rows}
    merged_anchor = {(m.top, m.left) for m in inside}
    out: list[Paragraph | Table] = []
    # leading title-like rows: one unmerged text cell, nothing else in the row
    first = 0
    while (first < len(rows) and len(cols_of[rows[first]]) == 1
           and (rows[first], cols_of[rows[first]][0]) not in merged_anchor
           and not any(m.top <= rows[first] <= m.bottom for m in inside)):
        out.append(Paragraph(text=values[(rows[first], cols_of[rows[first]][0])]))
        first += 1
    rest = rows[first:]
    if not rest:
        return out
    # rows of one text cell each are prose, also when merged across (a centred title): never a table of one column
    if all(len(cols_of[r]) <= 1 for r in rest) and all(m.top == m.bottom for m in inside):
        out.extend(Paragraph(text=values[(r, cols_of[r][0])]) for r in rest if cols_of[r])
        return out
    out.append(_table(rest, values, inside))
    return out


def _table(rows: list[int], values: dict[tuple[int, int], str], merges: list[_Merge]) -> Table:
    """A grid with one cell per position not covered by a merge; merged ranges as spans."""
    top, bottom = rows[0], rows[-1]
    used = [c for (r, c) in values if top <= r <= bottom] + [c for m in merges for c in (m.left, m.right)]
    left, right = min(used), max(used)
    covered: dict[tuple[int, int], _Merge] = {}
    for m in merges:
        for r in range(m.top, m.bottom + 1):
            for c in range(m.left, m.right + 1):
                covered[(r, c)] = m
    cells: list[Cell] = []
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            merge = covered.get((r, c))
            if merge is not None and (merge.top, merge.left) != (r, c):
                continue
            rowspan = min(merge.bottom, bottom) - r + 1 if merge else 1
            colspan = merge.right - c + 1 if merge else 1
            cells.append(Cell(row=r - top, col=c - left, rowspan=rowspan, colspan=colspan,
                              text=values.get((r, c), "")))
    return Table(n_rows=bottom - top + 1, n_cols=right - left + 1, cells=cells)
