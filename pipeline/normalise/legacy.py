"""Pre-2019 statistics tables (政府信息公开情况统计表): rows named by legacy-fields.tsv, columns by their header.

A legacy table is 指标名称 | 计量单位 | one value column (年末统计, 2016年度, 数量, 本期实际) | often 历年累计 or
本年累计. Rows are matched by their label after the numbering is stripped; 其他/其它 (several parents share
them) are resolved by the rows they sit under. Rows that match nothing are kept, never dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from pipeline.intermediate import Cell, Document, Table
from pipeline.legacy_fields import LEGACY_COLUMNS, LegacyField, glued_cuts, legacy_fields
from pipeline.normalise.values import parse_cell

MIN_MAPPED_ROWS = 3  # fewer matched rows than this is not a statistics table
HEADER_ROWS = 10  # the column header is among the first rows: under a title, a period, a form's header block
# 1．/1、/（1）/一、 and, in OCR text, 1· (· read for ．), 1丶 (丶 for 、), a bare 1 or 01 before the label (the 、
# lost; a row code) and stray punctuation before it (a rule's fleck read as ':')
_NUMBERING = re.compile(r"^(?:其中[:：]?|[（(][0-9一二三四五六七八九十]+[)）][、.．·]?|[0-9]+[、.．:：·]"
                        r"|[0-9]{1,2}(?=[^0-9.．年])|[一二三四五六七八九十]+[、.．]|[:：;；,，、.．·]+)")
_QUOTES = re.compile(r"[\s“”\"'‘’「」*]")  # and a footnote's *
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
# the table's caption naming its year: …2014年政府信息公开情况统计表, or a form's period line 2016年12月
_CAPTION_YEAR = re.compile(r"((?:19|20)\d\d)\s*年度?[^。，,；;]{0,40}统计报?表|^((?:19|20)\d\d)\s*年\s*(?:[0-9-—～~]{1,5}\s*月)?$")
_COLUMN_NUMBERS = frozenset("甲乙丙丁")  # a form's row under its header numbering the columns: 甲 乙 丙 1 2
_COLUMN_ROLES = (("cumulative", re.compile(r"历年累计")), ("ytd", re.compile(r"本年累计")),
                 ("this_period", re.compile(r"年末统计|(?:19|20)\d\d\s*年|数量|本期实际|本期|统计数")))


def fold_label(text: str) -> str:
    """The label as legacy-fields.tsv spells its variants: no spaces, quotes or numbering."""
    label = _QUOTES.sub("", unicodedata.normalize("NFKC", text or "").replace("(", "（").replace(")", "）"))
    label = label.replace("其它", "其他").replace("丶", "、")  # 丶 is how OCR reads a 、
    while (stripped := _NUMBERING.sub("", label)) != label:
        label = stripped
    return label


@cache
def _by_variant() -> dict[str, tuple[LegacyField, ...]]:
    out: dict[str, list[LegacyField]] = {}
    for spec in legacy_fields().values():
        for variant in spec.variants:
            out.setdefault(fold_label(variant), []).append(spec)
    return {k: tuple(v) for k, v in out.items()}


def _ancestors(field_id: str) -> list[str]:
    chain, fields = [], legacy_fields()
    while field_id:
        chain.append(field_id)
        field_id = fields[field_id].parent or ""
    return chain


def resolve(label: str, matched: list[str]) -> LegacyField | None:
    """The field a folded label names; a label several fields share goes to the one whose parent is the
    nearest row above (or that row's ancestor)."""
    candidates = _by_variant().get(label, ())
    if len(candidates) == 1:
        return candidates[0]
    for previous in reversed(matched):
        chain = _ancestors(previous)
        for candidate in candidates:
            if candidate.parent in chain:
                return candidate
    return None


@dataclass
class LegacyCell:
    value: int | float | None
    raw: str
    row: int
    col: int


@dataclass
class LegacyRow:
    label: str
    unit: str
    cells: dict[str, LegacyCell]  # column role -> cell
    raw_values: list[str]
    glued: str | None = None  # digits of one cell over this_period and cumulative that no single cut splits
    problem: str | None = None  # why a cell over several columns was left null
    span: tuple[Cell, list[str]] | None = None  # a cell over several value columns, and their roles


@dataclass
class LegacyReading:
    block: int
    year: int | None
    values: dict[str, dict[str, object]] = field(default_factory=dict)  # field id -> this_period/... + unit
    unmapped: list[dict[str, object]] = field(default_factory=list)
    cells: dict[str, LegacyCell] = field(default_factory=dict)  # "legacy.x.y.column" -> cell
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # field id -> (label, folded)
    findings: list[tuple[str, str | None, str]] = field(default_factory=list)  # (code, field, message)


def _header(table: Table) -> tuple[int, dict[int, str], int | None, int | None] | None:
    """(header row, value column -> role, unit column, the year the header names), or None."""
    for index, row in enumerate(table.rows()[:HEADER_ROWS]):
        roles: dict[int, str] = {}
        unit_col, year = None, None
        if len(row) < 2:  # a title row spanning the table (…2015年政府信息公开情况统计表) is no header
            continue
        for cell in row[1:]:  # the first column holds the labels (指标名称)
            text = unicodedata.normalize("NFKC", cell.text).replace(" ", "")
            if ":" in text:  # a form's field above the table (报出日期：2017年1月5日), no column header
                continue
            if "单位" in text and unit_col is None:
                unit_col = cell.col
                continue
            for role, pattern in _COLUMN_ROLES:
                if pattern.search(text) and role not in roles.values():
                    roles[cell.col] = role
                    if role == "this_period" and (m := _YEAR.search(text)):
                        year = int(m[1])
                    break
        if roles:
            return index, roles, unit_col, year
    return None


def _number(text: str) -> int | float | None:
    value = parse_cell(text).value
    return int(value) if isinstance(value, float) and value.is_integer() and "." not in text else value


def _read_row(row: list[Cell], roles: dict[int, str], unit_col: int | None) -> LegacyRow:
    first_value = min(roles)
    label_end = unit_col if unit_col is not None else first_value
    label = "".join(c.text for c in row if c.col < label_end)
    unit = "".join(c.text for c in row if c.col == unit_col).strip() if unit_col is not None else ""
    out = LegacyRow(label.strip(), unit, {}, [])
    for cell in row:
        covered = [roles[c] for c in range(cell.col, cell.col + cell.colspan) if c in roles]
        if not covered:
            continue
        out.raw_values.append(cell.text.strip())
        if len(covered) == 1:
            out.cells[covered[0]] = LegacyCell(_number(cell.text), cell.text, cell.row, cell.col)
        else:
            out.span = (cell, covered)
    return out


def _pair_digits(item: LegacyRow) -> str | None:
    """The digits of a cell over this period and cumulative, when it is one run of digits."""
    if item.span is None:
        return None
    cell, covered = item.span
    digits = cell.text.strip()
    return digits if covered == ["this_period", "cumulative"] and digits.isdigit() else None


def _one_value_per_row(items: list[LegacyRow]) -> bool:
    """Whether a table's runs under two value columns are single values rather than pairs run together:
    most of its rows with values hold a run that cannot be a pair at all (`0`, `2`, `50`), so the text left
    one of the columns empty throughout."""
    runs = [d for item in items if (d := _pair_digits(item)) is not None]
    with_values = sum(bool(item.cells or item.span) for item in items)
    return bool(runs) and sum(not glued_cuts(d) for d in runs) * 2 > with_values


def _settle_span(item: LegacyRow, one_value: bool) -> None:
    """One cell over several value columns: text whose cells ran together. Cut when exactly one cut is
    possible (this period, cumulative); otherwise both stay null and the digits are kept for the batch."""
    if item.span is None:
        return
    cell, covered = item.span
    digits = cell.text.strip()
    pair = _pair_digits(item)
    cuts = glued_cuts(pair) if pair is not None and not one_value else []
    if len(cuts) == 1:
        for role, value in zip(covered, cuts[0], strict=True):
            item.cells[role] = LegacyCell(value, digits, cell.row, cell.col)
        return
    for role in covered:
        item.cells[role] = LegacyCell(None, digits, cell.row, cell.col)
    if cuts:
        item.glued = digits
    elif one_value:
        item.problem = (f"'{digits}' is the row's only value under {' and '.join(covered)}: the table gives one "
                        "value a row under two columns, and which column it belongs to is not known")
    elif pair is not None:
        item.problem = (f"'{digits}' is the only number under this period and cumulative: one cell is empty or the "
                        "two ran together, and no cut fits (cumulative ≥ this period, or 0)")
    else:
        item.problem = f"'{digits}' is one cell over the columns {', '.join(covered)} and cannot be split"


def _entry(item: LegacyRow, field_id: str, columns: list[str], reading: LegacyReading) -> dict[str, object]:
    """A mapped row's {column: value, unit[, glued]}, its cells and its findings recorded in `reading`."""
    entry: dict[str, object] = dict.fromkeys(columns)
    if item.problem:
        reading.findings.append(("legacy.value", field_id, f"{field_id}: {item.problem}; left null"))
    if item.glued:
        entry["glued"] = item.glued
        cuts = glued_cuts(item.glued)
        shown = ", ".join(f"{a} | {b}" for a, b in cuts[:4]) + (", …" if len(cuts) > 4 else "")
        reading.findings.append(("legacy.glued", field_id, (
            f"{field_id}: '{item.glued}' is this period and cumulative run together and can be cut more than "
            f"one way ({shown}); left null for the body's other years to decide")))
    for role, cell in item.cells.items():
        entry[role] = cell.value
        reading.cells[f"{field_id}.{role}"] = cell
        if cell.value is None and not (item.glued or item.problem) and not parse_cell(cell.raw).is_null:
            reading.findings.append(("legacy.value", field_id,
                                     f"{field_id} {role}: '{cell.raw.strip()}' is not one clean number"))
    entry["unit"] = item.unit or None
    this, total = entry.get("this_period"), entry.get("cumulative")
    if isinstance(this, int | float) and isinstance(total, int | float) and total < this:
        reading.findings.append(("legacy.cumulative_below", field_id, (
            f"{field_id}: the cumulative since 2008 ({total:g}) is below this year's value ({this:g}), as printed "
            "(a cumulative column left unfilled?)")))
    return entry


def read_table(table: Table, block: int) -> LegacyReading | None:
    """One table read as a legacy statistics table; None when it is not one."""
    header = _header(table)
    if header is None:
        return None
    head_index, roles, unit_col, year = header
    reading = LegacyReading(block=block, year=year)
    matched: list[str] = []
    items = [_read_row(row, roles, unit_col) for row in table.rows()[head_index + 1:] if row]
    one_value = _one_value_per_row(items)
    for item in items:
        _settle_span(item, one_value)
        folded = fold_label(item.label)
        if not folded or folded in _COLUMN_NUMBERS:
            continue
        spec = resolve(folded, matched)
        if spec is None or spec.id in reading.values:
            if spec is not None:
                reading.findings.append(("legacy.duplicate_row", spec.id,
                                         f"a second row for {spec.id} ({item.label}) kept in legacy_unmapped"))
            reading.unmapped.append({"label": item.label, "unit": item.unit, "values": item.raw_values})
            continue
        matched.append(spec.id)
        entry = _entry(item, spec.id, [r for r in LEGACY_COLUMNS if r in roles.values()], reading)
        reading.values[spec.id] = entry
        reading.labels[spec.id] = (item.label, folded)
    return reading if len(reading.values) >= MIN_MAPPED_ROWS else None


def read_legacy(doc: Document) -> LegacyReading | None:
    """The document's statistics table: the table with the most rows mapped, or None."""
    best: LegacyReading | None = None
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Table):
            reading = read_table(block, index)
            if reading and (best is None or len(reading.values) > len(best.values)):
                best = reading
    if best is not None and best.year is None:
        best.year = _caption_year(doc, best.block)
    return best


def _caption_year(doc: Document, block: int) -> int | None:
    """The year the table's caption names, when its header does not (年末统计, 本期实际): the table's own
    title row, else the lines just above it (a workbook's title row, a form's period line)."""
    table = doc.blocks[block]
    texts = [row[0].text for row in table.rows()[:2] if len(row) == 1] if isinstance(table, Table) else []
    for previous in reversed(doc.blocks[max(0, block - 4):block]):
        if isinstance(previous, Table):
            break
        texts.append(previous.text)
    for text in texts:
        if match := _CAPTION_YEAR.search(unicodedata.normalize("NFKC", text).strip()):
            return int(match[1] or match[2])
    return None


def nest_legacy(values: dict[str, dict[str, object]]) -> dict[str, object]:
    """Field ids (legacy.a.b) -> nested objects by the id's parts, without the leading `legacy`."""
    out: dict[str, object] = {}
    for field_id, entry in values.items():
        node = out
        parts = field_id.split(".")[1:]
        for part in parts[:-1]:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        node[parts[-1]] = entry
    return out


def parts_checks(values: dict[str, dict[str, object]]) -> list[tuple[str, str, float, float, bool]]:
    """(parent, column, parent's value, sum of its sub-rows, ok) for every parent with sub-rows present.
    Real tables contradict themselves: a failure is a warning, never a reason to change a value."""
    children: dict[str, list[str]] = {}
    for field_id in values:
        parent = legacy_fields()[field_id].parent
        if parent and parent in values:
            children.setdefault(parent, []).append(field_id)
    out: list[tuple[str, str, float, float, bool]] = []
    for parent, kids in children.items():
        for column in LEGACY_COLUMNS:
            whole = values[parent].get(column)
            parts = [values[k].get(column) for k in kids]
            numbers = [p for p in parts if isinstance(p, int | float)]
            if not isinstance(whole, int | float) or len(numbers) < len(parts):
                continue
            total = float(sum(numbers))
            out.append((parent, column, float(whole), total, abs(total - whole) < 1e-9))
    return out
