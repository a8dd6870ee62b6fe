"""Pre-2019 statistics tables in crawler text, turned back into tables.

A crawler's `page.txt` writes the table of a 2008–2018 report as one run of text, with the cells
either spaced (`主动公开信息数 条 3460 85376`, one per line) or glued (`主动公开文件数条346085376其中：1、
政府网站公开数条3460853762、政府公报公开数条00`). The rows can still be told apart: a row is its
numbering, a label (legacy-fields.tsv's variants, or any text up to a unit followed by a number), the unit
token, then the values. What cannot be told from the text alone is where one value ends and the next
begins when they are glued; such a run becomes one cell spanning the value columns, and legacy.py cuts it
only when a single cut is possible (legacy_fields.glued_cuts). A glued number's trailing digits that
number the next row (`…3460853762、政府公报公开数`) go to that row when they are the number it expects.

The result is an ordinary Table (label | unit | values) put where the text was, so legacy.py reads it like
a table of any other format.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from pipeline.intermediate import Cell, Document, Paragraph, Table
from pipeline.legacy_fields import legacy_fields
from pipeline.normalise.legacy import fold_label

_QUOTES = set("“”\"'‘’「」")  # never part of a label
_SKIPPED = set(" \t\r\n\u3000\xa0") | _QUOTES  # whitespace is a cell boundary
_HEADER = re.compile(r"指标名称(?:计量单位|单位)?(代码)?")
_COLUMN = re.compile(r"年末统计|(?:19|20)\d\d年度?|数量|本期实际|本期|统计数|历年累计|本年累计")
_UNIT = re.compile(r"人次|万元|条|件|元|个|次|项|人|份|%")
_NUMBERING = re.compile(r"(?:其中[:：]?)?(?:[（(](\d{1,2}|[一二三四五六七八九十]+)[)）][、.．]?|(\d{1,2})[、.．]"
                        r"|[一二三四五六七八九十]+[、.．]|[①-⑳])?")
_LIST_MARK = "、.．"
_DATE_AFTER = re.compile(r"\d+年")
_VALUE_CHAR = re.compile(r"[0-9,.]")
_UNKNOWN_LABEL = re.compile(r"[\u4e00-\u9fff（）、，：“”]+")  # a row no field names: words, no digits or Latin
MAX_LABEL = 40  # characters of an unknown row's label before its unit
MIN_ROWS = 3


@dataclass
class _Squashed:
    """Text without whitespace or quotes, with where each character came from and which ones follow a gap."""
    text: str
    origin: list[int]  # index in the joined original text
    gap_before: list[bool]


def _squash(raw: str) -> _Squashed:
    chars: list[str] = []
    origin: list[int] = []
    gaps: list[bool] = []
    gap = False
    for index, char in enumerate(raw):
        if char in _SKIPPED:
            gap = gap or char not in _QUOTES
            continue
        char = unicodedata.normalize("NFKC", char)
        for piece in char:
            chars.append({"(": "（", ")": "）"}.get(piece, piece))
            origin.append(index)
            gaps.append(gap)
        gap = False
    return _Squashed("".join(chars).replace("其它", "其他"), origin, gaps)


@cache
def _variants() -> list[str]:
    """Every folded label variant, longest first (so 受理依申请公开信息总数 wins over a shorter prefix)."""
    words = {fold_label(v) for spec in legacy_fields().values() for v in spec.variants}
    return sorted((w for w in words if w), key=len, reverse=True)


@dataclass
class _Row:
    label: str
    unit: str
    code: str
    pieces: list[str]  # the values as the text separates them


def _label_at(s: str, at: int) -> int | None:
    """Where a row's label ends: after a known variant, else before the first unit that a number follows."""
    for variant in _variants():
        if s.startswith(variant, at) and (_UNIT.match(s, at + len(variant)) or _value_at(s, at + len(variant))):
            return at + len(variant)
    for match in _UNIT.finditer(s, at + 2, min(len(s), at + MAX_LABEL)):
        if _value_at(s, match.end()):
            return match.start() if _UNKNOWN_LABEL.fullmatch(s, at, match.start()) else None
    return None


def _value_at(s: str, at: int) -> bool:
    return at < len(s) and s[at].isdigit()


def _values(sq: _Squashed, at: int) -> tuple[list[str], int]:
    """The value pieces from `at` (a gap starts a new piece) and where they end."""
    s = sq.text
    pieces: list[str] = []
    end = at
    while end < len(s) and (s[end].isdigit() or (s[end] in ",." and end + 1 < len(s) and s[end + 1].isdigit())):
        if pieces and sq.gap_before[end] and _DATE_AFTER.match(s, end):
            break  # `行政申诉数 条 0 2013年4月3日`: the date under the table is no value
        if not pieces or sq.gap_before[end]:
            pieces.append("")
        pieces[-1] += s[end]
        end += 1
    return pieces, end


def _rows(sq: _Squashed, at: int, has_code: bool) -> tuple[list[_Row], int]:
    """Rows from `at` until the text stops looking like one; and where the last row ended."""
    s = sq.text
    rows: list[_Row] = []
    number: int | None = None  # the list number of the row being read (其中：1、…), None for a top-level row
    carried: int | None = None  # the number the previous row's value run ended in
    end = at
    while at < len(s):
        if carried is not None:
            number, carried = carried, None
        elif (mark := _NUMBERING.match(s, at)) and mark.group():
            digits = mark.group(1) or mark.group(2)
            number = int(digits) if digits and digits.isdigit() else (0 if mark.group().startswith("其中") else number)
            at = mark.end()
        else:
            number = None
        label_end = _label_at(s, at)
        if label_end is None:
            break
        label = s[at:label_end]
        unit = _UNIT.match(s, label_end)
        at = unit.end() if unit else label_end
        code = ""
        if has_code and re.match(r"\d\d", s[at:at + 2]):
            code, at = s[at:at + 2], at + 2
        pieces, values_end = _values(sq, at)
        expected = str((number or 0) + 1)
        if (values_end < len(s) and s[values_end] in _LIST_MARK and pieces and pieces[-1].endswith(expected)
                and (len(pieces[-1]) > len(expected) or len(pieces) > 1)):
            pieces[-1] = pieces[-1][:-len(expected)]
            pieces = [p for p in pieces if p]
            values_end -= len(expected)
            carried = int(expected)
        rows.append(_Row(label, unit.group() if unit else "", code, pieces))
        at = end = values_end
        if carried is not None:
            at += len(expected) + 1  # the number and its mark belong to the next row
    return rows, end


def _table(header: list[str], rows: list[_Row], has_code: bool) -> Table:
    """label | unit | [代码] | one column per header value column; a glued run spans the value columns."""
    first = 3 if has_code else 2
    n_values = len(header) - first
    cells = [Cell(row=0, col=c, text=t) for c, t in enumerate(header)]
    for r, row in enumerate(rows, start=1):
        cells += [Cell(row=r, col=0, text=row.label), Cell(row=r, col=1, text=row.unit)]
        if has_code:
            cells.append(Cell(row=r, col=2, text=row.code))
        if len(row.pieces) == n_values:
            cells += [Cell(row=r, col=first + i, text=p) for i, p in enumerate(row.pieces)]
        elif row.pieces:  # glued, or fewer/more pieces than columns: one cell over them all, cut (or not) later
            cells.append(Cell(row=r, col=first, colspan=n_values, text=" ".join(row.pieces)))
    return Table(n_rows=len(rows) + 1, n_cols=len(header), cells=cells)


def _from_text(raw: str) -> tuple[Table, int, int] | None:
    """The statistics table in `raw` and where it starts and ends in it; None when there is none."""
    sq = _squash(raw)
    for header in _HEADER.finditer(sq.text):
        at = header.end()
        columns = []
        while column := _COLUMN.match(sq.text, at):
            columns.append(column.group())
            at = column.end()
        if not columns:
            continue
        has_code = bool(header.group(1))
        rows, end = _rows(sq, at, has_code)
        if len(rows) < MIN_ROWS:
            continue
        head = ["指标名称", "计量单位", *(["代码"] if has_code else []), *columns]
        start = sq.origin[header.start()]
        stop = sq.origin[end - 1] + 1 if end > 0 else len(raw)
        return _table(head, rows, has_code), start, stop
    return None


def tables_from_text(doc: Document) -> Document:
    """The document with a statistics table written as text (in one paragraph, or over the paragraphs that
    follow its header) put back as a Table between the text before and after it."""
    blocks = doc.blocks
    for index, block in enumerate(blocks):
        if not isinstance(block, Paragraph) or "指" not in block.text or "指标名称" not in re.sub(r"\s", "", block.text):
            continue  # every paragraph of every document passes here: the cheap test first
        following = [block]
        for later in blocks[index + 1:]:
            if not isinstance(later, Paragraph):
                break
            following.append(later)
        joined = "\n".join(p.text for p in following)
        found = _from_text(joined)
        if found is None:
            continue
        table, start, stop = found
        table = table.model_copy(update={"page": block.page})
        before, after = joined[:start], joined[stop:]
        used = len(joined[:stop].split("\n"))  # paragraphs the table reached into
        rest_first = "\n".join(joined[stop:].split("\n")[:1]) if after else ""
        new: list[Paragraph | Table] = []
        if before.strip():
            new.append(Paragraph(text=before.rstrip("\n"), page=block.page))
        new.append(table)
        if rest_first.strip():
            new.append(Paragraph(text=rest_first, page=following[used - 1].page))
        return doc.model_copy(update={"blocks": [*blocks[:index], *new, *blocks[index + used:]]})
    return doc
