"""Plain text and Markdown: paragraphs and the table grids that other converters left in the text.

Converters flatten tables in a handful of ways, all seen in real reports:
- tab-separated rows, merged cells as empty strings (Word "save as text", PDF-to-Markdown);
- one cell per line behind a tab, a blank line between rows, and a cell's own line breaks as
  untabbed lines (Tika / textract from DOCX);
- `a | b | c |` rows, `| a | b |` Markdown tables (merged cells repeated), with or without a
  `| --- |` rule; ragged `| ||` filler;
- one cell per line ending in ` |`, rows separated by a lone `|` or `||` line.
Each run of such lines becomes one Table whose cells sit at the positions the text gives them; the
normaliser copes with the shifts that flattening causes. Everything else is a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.cells import looks_like_value, looks_numeric
from pipeline.intermediate import Cell, Document, Paragraph, Source, Table, Warning

if TYPE_CHECKING:
    from pipeline.settings import ExtractOptions

NAME = "text"
VERSION = "1.0"

_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
_BOLD = re.compile(r"\*\*(.*?)\*\*")
_NUMBERED = re.compile(r"^\s*([一二三四五六七八九十]+|\d{1,2})[、.．]\s*\S{4,}")


def decode(data: bytes) -> tuple[str, list[Warning]]:
    """Bytes to text: BOMs, UTF-8, GB18030 (a superset of GBK/GB2312), then charset detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best), [Warning(code="encoding_guessed", message=f"decoded as {best.encoding}")]
    except Exception:  # noqa: BLE001 - detection is a best effort; fall through to replacement
        pass
    return data.decode("utf-8", errors="replace"), [
        Warning(code="undecodable_bytes", message="some bytes could not be decoded and were replaced")
    ]


def extract(path: Path, data: bytes, fmt: str = "txt", options: ExtractOptions | None = None) -> Document:
    text, warnings = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    blocks = parse(text.split("\n"))
    source = Source.describe(path, data, "txt", NAME, VERSION)
    return Document(source=source, blocks=blocks, warnings=warnings)


# ---- line kinds
# A template row is a label and at most ~10 values; longer lines and rows are prose, junk or hostile,
# and splitting them into millions of cells would only exhaust memory.
MAX_ROW_LINE = 4096
MAX_ROW_CELLS = 64


def _is_blank(line: str) -> bool:
    return not line.strip() and "\t" not in line


def _is_one_cell(line: str) -> bool:
    """A Tika-style cell line: one leading tab and nothing else tab-separated."""
    return line.startswith("\t") and line.count("\t") == 1


def _is_tsv(line: str) -> bool:
    if len(line) > MAX_ROW_LINE or "\t" not in line.strip("\n") or _is_one_cell(line):
        return False
    return bool(line.replace("\t", "").strip() or line.count("\t") > 1)


def _is_pipe(line: str) -> bool:
    s = line.strip()
    return bool(s) and len(s) <= MAX_ROW_LINE and "|" in s and (s.startswith("|") or s.endswith("|") or " | " in s)


def parse(lines: list[str]) -> list[Paragraph | Table]:
    """Split lines into paragraphs and table regions, in order."""
    blocks: list[Paragraph | Table] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if _is_blank(line):
            i += 1
        elif len(line) > MAX_ROW_LINE:
            blocks.append(_paragraph(line))
            i += 1
        elif _is_one_cell(line):
            i = _one_cell_region(lines, i, blocks)
        elif _is_tsv(line):
            rows, i = _rows_while(lines, i, lambda ln: ln.split("\t") if _is_tsv(ln) else None)
            _add_table(blocks, rows)
        elif _is_pipe(line):
            i = _pipe_region(lines, i, blocks)
        elif _spaced_row(line):
            rows, i = _rows_while(lines, i, _spaced_row)
            _add_table(blocks, rows)
        else:
            j = _cell_stream_region(lines, i, blocks)
            if j == i:
                blocks.append(_paragraph(line))
                j = i + 1
            i = j
    return blocks


def _rows_while(lines: list[str], i: int, row_of: Callable[[str], list[str] | None]) -> tuple[list[list[str]], int]:
    """The rows of consecutive lines from i that `row_of` reads as rows, and the index after them."""
    rows: list[list[str]] = []
    while i < len(lines) and (row := row_of(lines[i])) is not None:
        rows.append(row)
        i += 1
    return rows, i


_SPACED = re.compile(r"^(?P<label>.*?[^\d\s.,/\-])?\s*(?P<nums>(?:-?[\d.,]+|/)(?:\s+(?:-?[\d.,]+|/)){2,})\s*$")


def _spaced_row(line: str) -> list[str] | None:
    """`四、结转下年度继续办理 0 0 0 0 0 0 0` (PDF text): a label, then three or more numbers."""
    if len(line) > MAX_ROW_LINE:
        return None
    match = _SPACED.match(line.strip())
    if not match or "\t" in line:
        return None
    label = (match["label"] or "").strip()
    if label.endswith(("。", "，", ",", "：", ":")) or len(label) > 60:
        return None
    return ([label] if label else []) + match["nums"].split()


def _stream_rows(cells: list[str]) -> list[list[str]]:
    """Cells that lost their row boundaries: a text cell after a value starts a new row."""
    rows: list[list[str]] = []
    row: list[str] = []
    for cell in cells:
        if row and not looks_like_value(cell) and looks_like_value(row[-1]):  # a label after values
            rows.append(row)
            row = []
        row.append(cell)
    if row:
        rows.append(row)
    return rows


def _cell_stream_region(lines: list[str], i: int, blocks: list[Paragraph | Table]) -> int:
    """Cells one per paragraph, separated by blank lines (web pages copied as text).

    Accepted as a table only when the run of short paragraphs holds several numbers.
    """
    cells: list[str] = []
    current: list[str] = []
    j, n = i, len(lines)
    while j < n:
        line = lines[j]
        if _is_blank(line):
            if current:
                cells.append("\n".join(current))
                current = []
        else:
            text = line.strip()
            if len(text) > 60 or text.endswith(("。", "；")) or "\t" in line or _is_pipe(line):
                break
            current.append(text)
        j += 1
    if current:
        cells.append("\n".join(current))
    if sum(1 for c in cells if c.strip() and looks_like_value(c)) < 6:
        return i
    while j > i and _is_blank(lines[j - 1]):
        j -= 1
    _add_table(blocks, _stream_rows(cells))
    return j


def _paragraph(line: str) -> Paragraph:
    text = line.strip()
    level = None
    match = _HEADING.match(text)
    if match:
        level, text = len(match.group(1)), match.group(2)
    text = _BOLD.sub(r"\1", text).strip()
    return Paragraph(text=text, heading=level)


def _one_cell_region(lines: list[str], i: int, blocks: list[Paragraph | Table]) -> int:
    """Rows of tab-prefixed cells separated by blank lines; untabbed lines continue the last cell."""
    rows: list[list[str]] = []
    row: list[str] = []
    n = len(lines)
    after_blank = False
    while i < n:
        line = lines[i]
        if _is_one_cell(line):
            if after_blank and row:
                rows.append(row)
                row = []
            row.append(line[1:].strip())
            after_blank = False
        elif _is_blank(line):
            after_blank = True
        elif _is_tsv(line) or _is_pipe(line):
            break
        else:
            text = line.strip()
            nxt = next((ln for ln in lines[i + 1 : i + 4] if not _is_blank(ln)), "")
            fragment = len(text) <= 20 and not _NUMBERED.match(text)
            if not after_blank and row and fragment:
                row[-1] = f"{row[-1]}\n{text}" if row[-1] else text
            elif fragment and _is_one_cell(nxt):
                if row:
                    rows.append(row)
                row = [text]
                after_blank = False
            else:
                break
        i += 1
    if row:
        rows.append(row)
    _add_table(blocks, rows)
    return i


def _pipe_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def _pipe_region(lines: list[str], i: int, blocks: list[Paragraph | Table]) -> int:
    """`a | b |` rows; runs of single-cell `x |` lines are a stream of cells (see _stream_rows)."""
    rows: list[list[str]] = []
    pending: list[str] = []  # single cells whose rows were flattened
    n = len(lines)

    def flush() -> None:
        rows.extend(_stream_rows(pending))
        pending.clear()

    while i < n:
        line = lines[i]
        if _is_blank(line):
            # a blank line inside a pipe table is common; the table ends at prose
            nxt = next((ln for ln in lines[i + 1 : i + 3] if not _is_blank(ln)), "")
            if not _is_pipe(nxt):
                break
            i += 1
            continue
        if not _is_pipe(line):
            break
        if _MD_RULE.match(line):
            i += 1
            continue
        cells = _pipe_cells(line)
        if line.strip() == "|":  # an empty cell of a one-cell-per-line table
            pending.append("")
        elif all(not c for c in cells):  # spacer: `||`, `|||` ends a row
            flush()
        elif len(cells) == 1 or (len(cells) > 1 and all(not c for c in cells[1:]) and line.strip().endswith("|")
                                 and not line.strip().startswith("|") and _looks_single(lines, i)):
            pending.append(cells[0])
        else:
            flush()
            rows.append(_drop_ragged(cells))
        i += 1
    flush()
    _add_table(blocks, rows)
    return i


def _looks_single(lines: list[str], i: int) -> bool:
    """Whether line i belongs to a one-cell-per-line run (its neighbours are single cells too)."""
    near = [ln for ln in lines[max(0, i - 2) : i + 3] if _is_pipe(ln)]
    return sum(1 for ln in near if len([c for c in _pipe_cells(ln) if c]) <= 1) >= 3


def _drop_ragged(cells: list[str]) -> list[str]:
    """Trailing empty filler cells (`| ||`) carry nothing."""
    while len(cells) > 1 and not cells[-1]:
        cells.pop()
    return cells


def _add_table(blocks: list[Paragraph | Table], rows: list[list[str]]) -> None:
    rows = [r[:MAX_ROW_CELLS] for r in rows if any(c.strip() for c in r) or len(r) > 1]
    if not rows:
        return
    if len(rows) == 1 and len(rows[0]) <= 1:
        blocks.append(Paragraph(text=rows[0][0] if rows[0] else ""))
        return
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        c = 0
        for span, text in _merge_repeats(row):
            cells.append(Cell(row=r, col=c, colspan=span, text=text))
            c += span
    n_cols = max((cell.col + cell.colspan for cell in cells), default=0)
    blocks.append(Table(n_rows=len(rows), n_cols=n_cols, cells=cells))


def _merge_repeats(row: list[str]) -> list[tuple[int, str]]:
    """Markdown renderers repeat a merged cell's text in every column it spans: merge them back.

    Numbers are never merged: two equal values side by side are two cells.
    """
    out: list[tuple[int, str]] = []
    for text in row:
        text = text.strip()
        if out and text and out[-1][1] == text and not looks_numeric(text):
            out[-1] = (out[-1][0] + 1, text)
        else:
            out.append((1, text))
    return out
