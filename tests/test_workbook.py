"""The job's exports for people: the Excel workbook (opened with openpyxl), the database views reports_wide
and panel (queried with sqlite3), and load_job (pandas)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.batch.job import BatchOptions, run_batch
from pipeline.batch.workbook import FAIL_FILL, SHEETS, Column, Sheet, write_workbook
from pipeline.fields import all_fields, wide_fields
from pipeline.legacy_fields import legacy_label
from pipeline.report import Indicators
from tests.review_corpus import COUNTY, FEE, PROCUREMENT, build_review_corpus

SHEET_NAMES = ["报告", "数据", "校验", "问题", "指标", "跨年", "增长", "发现", "跨2019面板", "历年累计"]


@pytest.fixture(scope="module")
def job(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workbook")
    build_review_corpus(root / "in")
    (root / "in" / "notice.txt").write_text("关于做好春节期间安全生产工作的通知\n\n请认真做好值班工作。\n", encoding="utf-8")
    run_batch([root / "in"], BatchOptions(out=root / "job", workers=0, progress=False))
    return root / "job"


@pytest.fixture(scope="module")
def book(job: Path):
    return load_workbook(job / "nianbao.xlsx")


def _db(job: Path) -> sqlite3.Connection:
    return sqlite3.connect(job / "nianbao.sqlite")


def _reports(job: Path) -> dict[int, dict]:
    """documents.id -> report JSON."""
    rows = _db(job).execute("SELECT d.id, r.json FROM documents d JOIN reports r ON r.id = d.report_id")
    return {doc_id: json.loads(text) for doc_id, text in rows}


def _flat(report: dict) -> dict:
    return {f"{top}.{row}.{col}": v for top in ("active_disclosure", "applications", "review_litigation")
            for row, cols in report[top].items() for col, v in cols.items()}


def _table(ws) -> tuple[list[str], list[str], list[list]]:
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[0]), list(rows[1]), [list(r) for r in rows[2:]]


def test_the_workbook_has_a_sheet_per_kind_with_two_header_rows_frozen_and_filtered(book) -> None:
    assert book.sheetnames == SHEET_NAMES
    for ws in book.worksheets:
        labels, ids, rows = _table(ws)
        assert all(labels) and all(ids), ws.title
        assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(labels)), ws.title  # Chinese labels
        assert ws.freeze_panes.endswith("3"), ws.title  # frozen under the two header rows
        assert ws.auto_filter.ref == f"A2:{ws.cell(2, len(ids)).column_letter}{len(rows) + 2}", ws.title
        assert ws["A1"].font.b


def test_the_values_sheet_is_wide_with_fields_tsv_labels_and_numbers_as_numbers(book, job: Path) -> None:
    labels, ids, rows = _table(book["数据"])
    fields = all_fields()
    first = ids.index(next(iter(fields)))
    assert ids[first:] == wide_fields()  # fields.tsv, then legacy.<field>.this_period/.cumulative
    for label, fid in zip(labels[first:], ids[first:], strict=True):
        assert label == (legacy_label(fid) if fid.startswith("legacy.")
                         else f"{fields[fid].row_label}｜{fields[fid].column_label}")
    reports = _reports(job)
    assert len(rows) == len(reports) == 9
    n_numbers = 0
    for row in rows:
        report = reports[row[ids.index("document_id")]]
        values = _flat(report)
        for fid, cell in zip(ids[first:], row[first:], strict=True):
            expected = values.get(fid)
            assert cell == expected, fid
            if isinstance(expected, (int, float)):
                assert type(cell) is type(expected), fid  # 5 is an int cell, 18651.06 a float one
                n_numbers += 1
        assert row[ids.index("year")] == report["report"]["year"]
        assert row[ids.index("body_name")] == report["report"]["body"]["name"]
    assert n_numbers > 1500
    fee_col, amount_col = ids.index("active_disclosure.fees.amount_10k_yuan"), ids.index(
        "active_disclosure.procurement.amount")
    assert FEE in [r[fee_col] for r in rows] and PROCUREMENT in [r[amount_col] for r in rows]


def test_the_reports_sheet_lists_every_document_failures_in_red(book, job: Path) -> None:
    ws = book["报告"]
    labels, ids, rows = _table(ws)
    assert ids[:4] == ["document_id", "path", "member", "status"]
    assert {"body_name", "region_code", "region", "body_level", "body_kind", "body_id"} <= set(ids)
    docs = _db(job).execute("SELECT path, status, error FROM documents ORDER BY path").fetchall()
    assert [(r[1], r[3]) for r in rows] == [(p, s) for p, s, _ in docs]
    for n, row in enumerate(rows, start=3):
        red = ws.cell(n, 1).fill.fgColor.rgb.endswith(FAIL_FILL)
        assert red == (row[3] != "ok")
    notice = next(r for r in rows if r[1].endswith("notice.txt"))
    assert notice[3] == "not_a_report" and notice[4]
    county = next(r for r in rows if r[1].endswith("county_2021.txt"))
    assert county[ids.index("region_code")] == "320812" and county[ids.index("body_name")] == COUNTY


def test_failed_checks_and_cross_year_mismatches_are_highlighted(book, job: Path) -> None:
    for title, ok_column in (("校验", "ok"), ("跨年", "ok")):
        ws = book[title]
        _, ids, rows = _table(ws)
        assert rows, title
        oks = [r[ids.index(ok_column)] for r in rows]
        assert all(isinstance(v, int) for v in oks)
        for n, row in enumerate(rows, start=3):
            assert ws.cell(n, 1).fill.fgColor.rgb.endswith(FAIL_FILL) == (not row[ids.index(ok_column)])
    n_checks = _db(job).execute("SELECT count(*) FROM checks").fetchone()[0]
    assert len(_table(book["校验"])[2]) == n_checks
    n_cross = _db(job).execute("SELECT count(*) FROM cross_year").fetchone()[0]
    assert len(_table(book["跨年"])[2]) == n_cross > 0


def test_the_findings_sheet_holds_audit_csv_errors_in_red(book, job: Path) -> None:
    """`nianbao batch` audits the job at its end: the 发现 sheet has audit.csv's rows, in its order."""
    import csv

    from pipeline.batch.audit import CSV_COLUMNS
    from pipeline.finding_codes import finding_label

    audit = list(csv.reader((job / "audit.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert audit[0] == list(CSV_COLUMNS)
    ws = book["发现"]
    labels, ids, rows = _table(ws)
    assert labels[:7] == ["序号", "报告主体", "发布机关（标题）", "年度", "级别", "发现", "发现代码"]
    as_csv = [[r[ids.index(c)] for c in CSV_COLUMNS] for r in rows]
    assert [["" if v is None else str(v) for v in row] for row in as_csv] == audit[1:]
    codes = {r[ids.index("code")] for r in rows}
    assert {"cross_year_mismatch", "template_outdated"} <= codes and len(rows) == len(audit) - 1 > 0
    ids_of = dict(_db(job).execute("SELECT path, id FROM documents"))
    for n, row in enumerate(rows, start=3):
        error = row[ids.index("severity")] == "error"
        assert error == (row[ids.index("code")] in ("text_table_mismatch", "cross_year_mismatch", "arithmetic"))
        assert ws.cell(n, 1).fill.fgColor.rgb.endswith(FAIL_FILL) == error
        assert row[ids.index("finding")] == finding_label(row[ids.index("code")])
        assert row[0] == ids_of[row[ids.index("path")]]


def test_indicators_are_numbers_formatted_as_percentages(book, job: Path) -> None:
    ws = book["指标"]
    _, ids, rows = _table(ws)
    reports = _reports(job)
    for n, row in enumerate(rows, start=3):
        report = reports[row[0]]
        for name in Indicators.model_fields:
            col = ids.index(name)
            # a ratio keeps 16 significant digits in the file (Excel itself shows 15)
            expected = report["indicators"][name]
            assert row[col] == (None if expected is None else pytest.approx(expected, rel=1e-15))
            if row[col] is not None:
                assert ws.cell(n, col + 1).number_format == "0.0%"
    growth = _table(book["增长"])[2]
    expected = [g for (g,) in _db(job).execute("SELECT growth FROM growth ORDER BY body_id, year")]
    assert len(growth) == len(expected) == 3
    assert [r[6] for r in growth] == [None if g is None else pytest.approx(g, rel=1e-15) for g in expected]


def test_a_sheet_is_one_function_in_a_list(job: Path, tmp_path: Path) -> None:
    def statuses(conn: sqlite3.Connection) -> Sheet:
        rows = conn.execute("SELECT id, status FROM documents ORDER BY id")
        return Sheet("状态", [Column("document_id", "序号"), Column("status", "状态")], rows)

    path = write_workbook(job / "nianbao.sqlite", tmp_path / "x.xlsx", [*SHEETS, statuses])
    book = load_workbook(path)
    assert book.sheetnames == [*SHEET_NAMES, "状态"]
    assert [c.value for c in book["状态"][2]] == ["document_id", "status"]


# ---- views
def test_the_reports_wide_view_holds_every_document_and_every_value(job: Path) -> None:
    conn = _db(job)
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM reports_wide ORDER BY document_id").fetchall()
    assert len(rows) == conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 10
    reports = _reports(job)
    for row in rows:
        if row["document_id"] not in reports:
            assert row["status"] == "not_a_report" and row["applications.new_received.total"] is None
            continue
        report = reports[row["document_id"]]
        for fid in all_fields():
            assert row[fid] == _flat(report).get(fid), fid
        assert row["body_id"] == report["report"]["body"]["id"]
    fee = conn.execute('SELECT "active_disclosure.fees.amount_10k_yuan" FROM reports_wide WHERE path LIKE ?',
                       ("%fee.txt",)).fetchone()[0]
    assert fee == FEE


def test_the_panel_view_has_one_row_per_body_and_year(job: Path) -> None:
    conn = _db(job)
    conn.row_factory = sqlite3.Row
    panel = conn.execute("SELECT * FROM panel ORDER BY body_id, year").fetchall()
    reports = list(_reports(job).values())
    keys = sorted({(r["report"]["body"]["id"], r["report"]["year"]) for r in reports})
    assert [(p["body_id"], p["year"]) for p in panel] == keys
    county = [p for p in panel if p["body_name"] == COUNTY]
    assert [p["year"] for p in county] == [2021, 2022, 2023]
    by_year = {r["report"]["year"]: r for r in reports if r["report"]["body"]["name"] == COUNTY}
    for p in county:
        report = by_year[p["year"]]
        rl = report["review_litigation"]
        assert p["new_received"] == report["applications"]["new_received"]["total"]
        assert p["review_total"] == rl["review"]["total"]
        assert p["litigation_total"] == rl["litigation_direct"]["total"] + rl["litigation_after_review"]["total"]
        assert p["disclosure_rate"] == report["indicators"]["disclosure_rate"]
        assert p["n_reports"] == 1
    growth = [p["new_received_growth"] for p in county]
    n = [p["new_received"] for p in county]
    assert growth == [None, (n[1] - n[0]) / n[0], (n[2] - n[1]) / n[1]]


def test_load_job_gives_dataframes(job: Path) -> None:
    pytest.importorskip("pandas")
    from pipeline.batch.frames import load_job

    frames = load_job(job)
    assert {"reports_wide", "panel", "documents", "reports", "values", "checks", "issues", "cross_year",
            "growth"} <= set(frames)
    assert len(frames["reports_wide"]) == 10
    assert "json" not in frames["reports"].columns
    panel = frames["panel"].set_index(["body_name", "year"])
    assert panel.loc[(COUNTY, 2023), "new_received"] == next(
        r["applications"]["new_received"]["total"] for r in _reports(job).values()
        if r["report"]["body"]["name"] == COUNTY and r["report"]["year"] == 2023)
    assert load_job(job / "nianbao.sqlite").keys() == frames.keys()


def test_a_sheet_stops_at_excels_row_limit_and_says_so(job: Path, tmp_path: Path, monkeypatch) -> None:
    import pipeline.batch.workbook as workbook

    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 6)
    book = load_workbook(write_workbook(job / "nianbao.sqlite", tmp_path / "small.xlsx", [workbook.checks_sheet]))
    rows = list(book["校验"].iter_rows(values_only=True))
    assert len(rows) == 6
    assert "超出 Excel 行数上限" in rows[-1][0] and "nianbao.sqlite" in rows[-1][0]
