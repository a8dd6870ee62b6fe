"""The Gansu/定西 monthly statistics form (L6 of pre2019_layouts.md: 指标名称 | 计量单位 | 代码 | 本期实际 | 本年累计
under a header block), and the label folding that OCR readings of the numbering need."""

from __future__ import annotations

import sqlite3

import pytest

from pipeline import convert
from pipeline.normalise.legacy import fold_label
from pipeline.report import Report
from tests.fixturegen.pre2019 import LegacySpec, make_legacy, render_html, write_rendered


def _convert(tmp_path, spec: LegacySpec, render: str) -> Report:
    return convert(write_rendered(spec, tmp_path, render))


@pytest.mark.parametrize("render", ["html", "docx"])
def test_the_gansu_form_code_column_and_header_block(tmp_path, render: str) -> None:
    """L6: the 代码 column (01–35) is neither a value nor part of the label, the 甲 乙 丙 1 2 row under the
    header is no data row, the form's header block above the table (in the page's table, or as lines
    above it) is no header; 本期实际 → this_period, 本年累计 → ytd."""
    spec = make_legacy("L6", seed=61, year=2016, agency="定西市安定区农牧局")
    report = _convert(tmp_path, spec, render)
    assert report.report.template == "legacy" and report.report.year == 2016
    assert report.legacy_values() == {f"{f}.{c}": v for f, e in spec.expected.items() for c, v in e.items()
                                      if c != "unit"}
    assert report.legacy_unmapped == []
    assert {c for entry in report.legacy["active"].values() for c in entry} == {"this_period", "ytd", "unit"}
    total = report.provenance["legacy.active.total.ytd"]
    assert (total.row_label, total.column) == ("主动公开信息数", "ytd")
    assert report.provenance["legacy.complaints.first_handling.this_period"].variant == "对本部门首次处理不满意的行政申诉数"
    codes = {f"{n:02d}" for n in range(1, 36)}
    assert not codes & {p.raw.strip() for p in report.provenance.values()}


def test_ocr_readings_of_the_numbering_fold_away() -> None:
    assert fold_label("其中：1丶政府网站\n公开数") == "政府网站公开数"
    assert fold_label("其中：1政府网站公开数") == "政府网站公开数"
    assert fold_label("2·政府公报公开") == "政府公报公开"
    assert fold_label(":\n正式受理政府信息公开申请\n数") == "正式受理政府信息公开申请数"
    assert fold_label("3丶信函丶传真申请数") == "信函、传真申请数"
    assert fold_label("01主动公开信息数") == "主动公开信息数"
    assert fold_label("(5)“免予公开范围1”数") == "免予公开范围1数"
    assert fold_label("其中：对本部门首次处理不满意的行政申诉数 *") == "对本部门首次处理不满意的行政申诉数"


def test_ytd_reaches_the_long_exports(tmp_path) -> None:
    """本年累计 is in the database's values (the long form); the wide columns are this_period and cumulative."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    inputs = tmp_path / "in"
    inputs.mkdir()
    spec = make_legacy("L6", seed=62, year=2015, agency="定西市安定区农牧局")
    (inputs / "l6.html").write_bytes(render_html(spec))
    result = CliRunner().invoke(app, ["batch", str(inputs), "-o", str(tmp_path / "job"), "-j", "1", "--no-progress"])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(tmp_path / "job" / "nianbao.sqlite")
    got = dict(conn.execute('SELECT field, value FROM "values" WHERE field LIKE \'legacy.%.ytd\''))
    assert got == {f"{f}.ytd": e["ytd"] for f, e in spec.expected.items()}
