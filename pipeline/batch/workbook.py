"""The job's Excel workbook, DIR/nianbao.xlsx, for disclosure offices.

One sheet per kind of thing: 报告 (every document, failed ones too, with its metadata and body), 数据 (each
report's values laid out wide, a column per field), 校验 (the template checks, failures in red), 问题
(issues), 指标 (indicators), 跨年 (this year's 上年结转 against last year's 结转下年度, mismatches in red) and
增长 (new applications year on year), 发现 (the audit's findings, as JOB/audit.csv, errors in red),
跨2019面板 (each body's years 2008 to today, the series of series.tsv drawn through the 2019 break, marked) and
历年累计 (pre-2019 reports: last year's 历年累计 plus this year's value against this year's, breaks in red).
Every sheet has two header rows, the Chinese label above the field id (fields.tsv gives the labels of the
values), frozen under the headers, with filters on; numbers are stored as numbers (integral values as
integers, ratios formatted as percentages).

Adding a sheet is one function `(sqlite3.Connection) -> Sheet` appended to SHEETS (an audit's findings
sheet is one). Rows are streamed from the database in SQL order (openpyxl's write-only mode), so a large
job's workbook does not sit in memory; the file appears under its name only once completely written.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.batch.panel import panel_columns, select_panel
from pipeline.fields import all_fields, wide_fields
from pipeline.finding_codes import finding_label
from pipeline.legacy_fields import legacy_fields, legacy_label
from pipeline.report import Indicators
from pipeline.series import bridge_series

WORKBOOK_NAME = "nianbao.xlsx"
FAIL_FILL = "FDE2E1"
FAIL_FONT = "C62828"
PERCENT = "0.0%"
EXCEL_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class Column:
    id: str  # the field id or column name (second header row)
    label: str  # the Chinese label (first header row)
    number_format: str | None = None
    width: float | None = None


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    failed: Callable[[Sequence[Any]], bool] | None = None  # rows drawn in red
    frozen_columns: int = 0  # identity columns kept in view when scrolling right
    notes: list[str] = field(default_factory=list)


SheetBuilder = Callable[[sqlite3.Connection], Sheet]

DOC_COLUMNS = (Column("document_id", "序号", width=7), Column("path", "文件路径", width=40),
               Column("member", "压缩包内文件", width=16))
BODY = (Column("body_name", "报告主体", width=28), Column("region_code", "行政区划代码", width=11),
        Column("region", "所属地区", width=24), Column("body_level", "层级", width=8),
        Column("body_kind", "主体类型", width=10), Column("body_id", "主体标识", width=20))
INDICATOR_LABELS = {"disclosure_rate": "公开率", "denial_rate": "不予公开率", "unavailable_rate": "无法提供率",
                    "review_correction_rate": "行政复议纠错率", "litigation_correction_rate": "行政诉讼纠错率",
                    "natural_person_share": "自然人申请占比"}
INDICATORS = tuple(Column(i, INDICATOR_LABELS.get(i, i), PERCENT, 11) for i in Indicators.model_fields)


def number(value: Any) -> Any:
    """A database value as a spreadsheet cell: integral reals as integers, everything else as it is."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _select(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> Iterator[Sequence[Any]]:
    cur = conn.cursor()
    cur.execute(sql, params)
    yield from cur


# ---- the sheets
def reports_sheet(conn: sqlite3.Connection) -> Sheet:
    columns = (*DOC_COLUMNS, Column("status", "状态", width=12), Column("error", "原因", width=30),
               Column("format", "格式", width=7), Column("agency", "发布机关（标题）", width=24),
               Column("year", "年度", width=7), Column("published", "发布日期", width=11),
               Column("template", "模板", width=7), Column("title", "标题", width=40), *BODY,
               Column("n_values", "数值项数"), Column("n_filled", "已填写项数"),
               Column("n_failed_checks", "未通过校验数"), Column("sha256", "sha256", width=20))
    names = ", ".join(("d.id", "d.path", "d.member", "d.status", "d.error", "d.format",
                       *(f"r.{c.id}" for c in columns[6:-1]), "d.sha256"))
    rows = _select(conn, f"SELECT {names} FROM documents d LEFT JOIN reports r ON r.id = d.report_id "
                         "ORDER BY d.path, d.member")
    return Sheet("报告", columns, rows, failed=lambda row: row[3] != "ok", frozen_columns=2)


def _field_label(field_id: str) -> str:
    if field_id.startswith("legacy."):
        return legacy_label(field_id)
    spec = all_fields()[field_id]
    return f"{spec.row_label}｜{spec.column_label}"


def _wide_rows(conn: sqlite3.Connection, head: Sequence[str], fields: list[str]) -> Iterator[list[Any]]:
    index = {f: i for i, f in enumerate(fields)}
    reports = conn.cursor()
    reports.execute(f"SELECT r.id, {', '.join(head)} FROM documents d JOIN reports r ON r.id = d.report_id "
                    "ORDER BY d.path, d.member")
    for report_id, *meta in reports:
        row = [*meta, *([None] * len(fields))]
        for field_id, value in conn.execute('SELECT field, value FROM "values" WHERE report_id = ?', (report_id,)):
            i = index.get(field_id)
            if i is not None:
                row[len(meta) + i] = value
        yield row


def values_sheet(conn: sqlite3.Connection) -> Sheet:
    fields = wide_fields()
    meta = (Column("document_id", "序号", width=7), Column("body_name", "报告主体", width=28),
            Column("region_code", "行政区划代码", width=11), Column("year", "年度", width=7),
            Column("template", "模板", width=7), Column("path", "文件路径", width=30))
    head = ("d.id", "r.body_name", "r.region_code", "r.year", "r.template", "d.path")
    columns = (*meta, *(Column(f, _field_label(f), width=14) for f in fields))
    return Sheet("数据", columns, _wide_rows(conn, head, fields), frozen_columns=4)


def checks_sheet(conn: sqlite3.Connection) -> Sheet:
    columns = (Column("document_id", "序号", width=7), Column("body_name", "报告主体", width=28),
               Column("year", "年度", width=7), Column("rule", "校验规则", width=26), Column("ok", "通过（1/0）"),
               Column("row", "行", width=16), Column("column_name", "列", width=16), Column("group_name", "组", width=14),
               Column("expected", "应为"), Column("found", "实为"), Column("message", "说明", width=50),
               Column("path", "文件路径", width=30))
    rows = _select(conn, "SELECT d.id, r.body_name, r.year, c.rule, c.ok, c.row, c.column_name, c.group_name, "
                         "c.expected, c.found, c.message, d.path FROM documents d JOIN reports r ON r.id = d.report_id "
                         "JOIN checks c ON c.report_id = r.id ORDER BY d.path, d.member, c.rowid")
    return Sheet("校验", columns, rows, failed=lambda row: not row[4], frozen_columns=3)


def issues_sheet(conn: sqlite3.Connection) -> Sheet:
    columns = (Column("document_id", "序号", width=7), Column("body_name", "报告主体", width=28),
               Column("year", "年度", width=7), Column("level", "级别", width=8), Column("code", "问题代码", width=22),
               Column("field", "字段", width=36), Column("message", "说明", width=60),
               Column("path", "文件路径", width=30))
    rows = _select(conn, "SELECT d.id, r.body_name, r.year, i.level, i.code, i.field, i.message, d.path "
                         "FROM documents d JOIN reports r ON r.id = d.report_id JOIN issues i ON i.report_id = r.id "
                         "ORDER BY d.path, d.member, i.rowid")
    return Sheet("问题", columns, rows, failed=lambda row: row[3] == "error", frozen_columns=3)


def indicators_sheet(conn: sqlite3.Connection) -> Sheet:
    columns = (Column("document_id", "序号", width=7), *BODY[:3], Column("year", "年度", width=7), *INDICATORS,
               Column("path", "文件路径", width=30))
    names = ", ".join(("d.id", "r.body_name", "r.region_code", "r.region", "r.year",
                       *(f"r.{c.id}" for c in INDICATORS), "d.path"))
    rows = _select(conn, f"SELECT {names} FROM documents d JOIN reports r ON r.id = d.report_id "
                         "ORDER BY r.region_code, r.body_name, r.year, d.path")
    return Sheet("指标", columns, rows, frozen_columns=2)


def cross_year_sheet(conn: sqlite3.Connection) -> Sheet:
    columns = (Column("body_id", "主体标识", width=20), Column("agency", "报告主体", width=28),
               Column("year", "年度", width=7), Column("prev_year", "上一年度", width=9),
               Column("column_name", "申请人类别", width=22), Column("carried_over", "本年上年结转"),
               Column("prev_carried_forward", "上年结转下年度"), Column("ok", "一致（1/0）"),
               Column("report_id", "本年报告编号"), Column("prev_report_id", "上年报告编号"))
    rows = _select(conn, "SELECT body_id, agency, year, prev_year, column_name, carried_over, prev_carried_forward, "
                         "ok, report_id, prev_report_id FROM cross_year ORDER BY body_id, year, column_name")
    return Sheet("跨年", columns, rows, failed=lambda row: not row[7], frozen_columns=2)


def growth_sheet(conn: sqlite3.Connection) -> Sheet:
    columns = (Column("body_id", "主体标识", width=20), Column("body_name", "报告主体", width=28),
               Column("year", "年度", width=7), Column("prev_year", "上一年度", width=9),
               Column("new_received", "本年新收申请"), Column("prev_new_received", "上年新收申请"),
               Column("growth", "增长率", PERCENT))
    rows = _select(conn, "SELECT body_id, body_name, year, prev_year, new_received, prev_new_received, growth "
                         "FROM growth ORDER BY body_id, year")
    return Sheet("增长", columns, rows, frozen_columns=2)


def legacy_continuity_sheet(conn: sqlite3.Connection) -> Sheet:
    """Pre-2019 reports: last year's 历年累计 plus this year's value against this year's 历年累计, per field."""
    columns = (Column("body_id", "主体标识", width=20), Column("body_name", "报告主体", width=28),
               Column("year", "年度", width=7), Column("prev_year", "上一年度", width=9),
               Column("field", "指标", width=30), Column("label", "指标名称", width=24),
               Column("prev_cumulative", "上年历年累计"), Column("this_period", "本年数"),
               Column("cumulative", "本年历年累计"), Column("ok", "衔接（1/0）"),
               Column("report_id", "本年报告编号"), Column("prev_report_id", "上年报告编号"))
    rows = _select(conn, "SELECT body_id, body_name, year, prev_year, field, prev_cumulative, this_period, "
                         "cumulative, ok, report_id, prev_report_id FROM legacy_continuity ORDER BY body_id, year, rowid")
    names = {f: spec.variants[0] for f, spec in legacy_fields().items()}  # the field's label as tables print it
    labelled = ([*row[:5], names.get(row[4], row[4]), *row[5:]] for row in rows)
    return Sheet("历年累计", columns, labelled, failed=lambda row: not row[9], frozen_columns=2)


def _finding_rows(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    for *head, code, severity, field_id, detail, path, member, body_id in rows:
        yield [*head, severity, finding_label(code), code, field_id, detail, path,
               member, body_id]


def findings_sheet(conn: sqlite3.Connection) -> Sheet:
    """One row per finding of the job's audit, in audit.csv's order (`nianbao batch` and `nianbao audit` write
    both from the findings table)."""
    columns = (Column("document_id", "序号", width=7), Column("body_name", "报告主体", width=28),
               Column("agency", "发布机关（标题）", width=24), Column("year", "年度", width=7),
               Column("severity", "级别", width=8), Column("finding", "发现", width=22),
               Column("code", "发现代码", width=22), Column("field", "字段", width=34), Column("detail", "说明", width=70),
               Column("path", "文件路径", width=30), Column("member", "压缩包内文件", width=16),
               Column("body_id", "主体标识", width=20))
    rows = _select(conn, "SELECT d.id, f.body_name, f.agency, f.year, f.code, f.severity, f.field, f.detail, "
                         "f.path, f.member, f.body_id FROM findings f LEFT JOIN documents d "
                         "ON d.path = f.path AND coalesce(d.member, '') = coalesce(f.member, '') ORDER BY f.rowid")
    return Sheet("发现", columns, _finding_rows(rows), failed=lambda row: row[4] == "error",
                 frozen_columns=2)


PANEL_LABELS = {"body_id": "主体标识", "body_name": "报告主体", "region_code": "行政区划代码", "year": "年度",
                "template": "模板", "era": "时期（2019年前后）", "break_before": "模板更替（1：本年起用新模板）",
                "report_id": "报告编号"}


def panel_sheet(conn: sqlite3.Connection) -> Sheet:
    """The panel across the 2019 break (batch/panel.py): one row per body and year, the series' labels from
    series.tsv."""
    labels = PANEL_LABELS | {s.id: s.label for s in bridge_series()}
    columns = [Column(c, labels[c], width=28 if c == "body_name" else None) for c in panel_columns()]
    return Sheet("跨2019面板", columns, select_panel(conn), frozen_columns=2)


SHEETS: list[SheetBuilder] = [reports_sheet, values_sheet, checks_sheet, issues_sheet, indicators_sheet,
                              cross_year_sheet, growth_sheet, findings_sheet, panel_sheet, legacy_continuity_sheet]


# ---- writing
def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _write_sheet(book: Any, sheet: Sheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = book.create_sheet(sheet.title)
    last = _column_letter(len(sheet.columns))
    for i, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[_column_letter(i)].width = column.width or max(10, min(24, len(column.label) * 2))
    ws.freeze_panes = f"{_column_letter(sheet.frozen_columns + 1)}3"
    bold, grey = Font(bold=True), Font(color="6B7280", size=9)
    head_fill = PatternFill("solid", fgColor="EEF1F5")
    wrap = Alignment(wrap_text=True, vertical="top")
    labels, ids = [], []
    for column in sheet.columns:
        label, fid = WriteOnlyCell(ws, column.label), WriteOnlyCell(ws, column.id)
        label.font, label.fill, label.alignment = bold, head_fill, wrap
        fid.font, fid.fill = grey, head_fill
        labels.append(label)
        ids.append(fid)
    ws.append(labels)
    ws.append(ids)
    fail_fill, fail_font = PatternFill("solid", fgColor=FAIL_FILL), Font(color=FAIL_FONT)
    formats = [c.number_format for c in sheet.columns]
    n = 2
    styled = any(formats)
    for row in sheet.rows:
        if n >= EXCEL_MAX_ROWS - 1:  # Excel opens no more rows: say so in the last one
            ws.append([f"超出 Excel 行数上限 {EXCEL_MAX_ROWS}，其余行见 nianbao.sqlite（{sheet.title}）"])
            n += 1
            break
        failed = sheet.failed is not None and sheet.failed(row)
        if not failed and not styled:  # plain values: several times faster than cell objects
            ws.append([number(v) for v in row])
            n += 1
            continue
        cells = []
        for value, fmt in zip(row, formats, strict=True):
            cell = WriteOnlyCell(ws, number(value))
            if fmt and isinstance(value, (int, float)):
                cell.number_format = fmt
            if failed:
                cell.fill, cell.font = fail_fill, fail_font
            cells.append(cell)
        ws.append(cells)
        n += 1
    ws.auto_filter.ref = f"A2:{last}{n}"


def write_workbook(db: Path, path: Path, sheets: Sequence[SheetBuilder] = SHEETS) -> Path:
    """Write the workbook of a job's database to path (atomically); returns path."""
    from openpyxl import Workbook

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        book = Workbook(write_only=True)
        for build in sheets:
            _write_sheet(book, build(conn))
        book.save(tmp)
        os.replace(tmp, path)
        return path
    finally:
        conn.close()
        tmp.unlink(missing_ok=True)
