"""Pre-2019 reports (template "legacy"): the statistics table read into `legacy`, in generated layouts of
pre2019_layouts.md (L1 one column 年末统计, L4 year + 历年累计, L3 数量 with refusal reasons and consultation
rows) as GBK portal pages and python-docx documents, every value exact."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import jsonschema
import pytest

from pipeline import convert
from pipeline.errors import NotAReportError
from pipeline.intermediate import Cell, Document, Paragraph, Source, table_from_cells
from pipeline.normalise import normalise
from pipeline.normalise.legacy import fold_label, resolve
from pipeline.report import Report, report_json_schema
from tests.fixturegen.pre2019 import (
    LAYOUTS,
    LegacySpec,
    make_legacy,
    render_docx,
    render_html,
    write_rendered,
)

CASES = [(layout, render) for layout in LAYOUTS for render in ("html", "docx")]


def _convert(tmp_path, spec: LegacySpec, render: str) -> Report:
    return convert(write_rendered(spec, tmp_path, render))


@pytest.mark.parametrize(("layout", "render"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_every_value_of_each_layout_is_exact(tmp_path, layout: str, render: str) -> None:
    spec = make_legacy(layout, seed=len(layout) * 7 + ord(layout[-1]), year=2014)
    report = _convert(tmp_path, spec, render)
    assert report.report.template == "legacy"
    assert report.report.year == 2014
    values = report.legacy_values()
    expected = {f"{f}.{col}": v for f, entry in spec.expected.items() for col, v in entry.items() if col != "unit"}
    assert values == expected
    for field_id, entry in spec.expected.items():
        node = report.legacy
        for part in field_id.split(".")[1:]:
            node = node[part]
        assert node["unit"] == entry["unit"]
    assert [r.model_dump() for r in report.legacy_unmapped] == spec.unmapped
    for key in values:
        assert report.provenance[key].raw.strip() == str(values[key])


def test_a_legacy_report_has_no_template_tables_and_validates(tmp_path) -> None:
    report = _convert(tmp_path, make_legacy("L4", seed=5), "html")
    data = json.loads(report.to_json())
    for top in ("active_disclosure", "applications", "review_litigation"):
        assert top not in data
    assert data["legacy"]["active"]["total"]["unit"] == "条"
    jsonschema.validate(data, report_json_schema())
    assert report.indicators.disclosure_rate is None
    assert report.sections["overview"]


def test_the_table_year_wins_and_an_issue_names_the_title_year(tmp_path) -> None:
    report = _convert(tmp_path, make_legacy("L4", seed=6, year=2016, table_year=2015), "html")
    assert report.report.year == 2015
    assert [i for i in report.issues if i.code == "legacy.year_differs"]


def test_parts_check_reports_sub_rows_that_do_not_add_up(tmp_path) -> None:
    spec = make_legacy("L1", seed=8)
    report = _convert(tmp_path, spec, "docx")
    parts = {(c.row, c.column): c for c in report.checks if c.rule == "legacy.parts"}
    v = spec.expected
    website, gazette = v["legacy.active.website"]["this_period"], v["legacy.active.gazette"]["this_period"]
    check = parts[("legacy.active.total", "this_period")]
    assert (check.expected, check.found) == (v["legacy.active.total"]["this_period"], website + gazette)
    assert check.ok is False  # random values never add up: a failed warning-level check, values kept


def test_numbering_is_stripped_and_other_resolved_by_its_parent() -> None:
    assert fold_label("其中：1．网站公开") == "网站公开"
    assert fold_label("（1）当面申请数") == "当面申请数"
    assert fold_label("“信息不存在”数") == "信息不存在数"
    assert resolve("其他", ["legacy.replies.refused", "legacy.refusal_reasons.secret"]).id == "legacy.refusal_reasons.other"
    assert resolve("其他", ["legacy.consultation.total", "legacy.consultation.phone"]).id == "legacy.consultation.other"
    assert resolve("其他", []) is None


def _doc_with(title: str, *blocks) -> Document:
    return Document(source=Source(path="x.html", sha256="0" * 64, size=1, format="html", extractor="t",
                                  extractor_version="1"), blocks=[Paragraph(text=title), *blocks])


def test_a_pre2019_report_without_a_statistics_table_is_a_legacy_report_with_an_issue() -> None:
    """A 2012 report whose only table names nothing known: a report all the same (who reported, when),
    its table absent and an issue saying so; a named spreadsheet attachment is pointed to."""
    cells = [Cell(row=r, col=c, text=t) for r, row in enumerate([["项目", "数量"], ["会议", "3"], ["培训", "4"]])
             for c, t in enumerate(row)]
    report = normalise(_doc_with("某局2012年政府信息公开工作年度报告", table_from_cells(cells)))
    assert (report.report.template, report.report.year, report.legacy) == ("legacy", 2012, {})
    assert [i.code for i in report.issues if i.code.startswith("legacy.")] == ["legacy.table_missing"]
    report = normalise(_doc_with("某局2016年度政府信息公开报告",
                                 Paragraph(text="附件：某局2016年政府信息公开情况统计表.xls")))
    missing = [i.message for i in report.issues if i.code == "legacy.table_missing"]
    assert len(missing) == 1 and "某局2016年政府信息公开情况统计表.xls" in missing[0]


def test_a_document_that_is_no_report_is_still_refused() -> None:
    cells = [Cell(row=r, col=c, text=t) for r, row in enumerate([["项目", "数量"], ["会议", "3"], ["培训", "4"]])
             for c, t in enumerate(row)]
    with pytest.raises(NotAReportError):
        normalise(_doc_with("某局关于2012年政务公开工作要点落实情况的函", table_from_cells(cells)))
    with pytest.raises(NotAReportError):
        normalise(_doc_with("某局2020年政府信息公开工作年度报告", table_from_cells(cells)))


def test_a_batch_of_legacy_and_template_reports_reaches_every_output(tmp_path) -> None:
    """The values reach the database, the wide exports carry legacy.<field>.this_period/.cumulative, the
    workbook, the review site and the audit take a legacy report beside a 2021 one."""
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from pipeline.cli import app
    from tests.fixturegen import make_report
    from tests.fixturegen.docx_builder import build_docx

    inputs = tmp_path / "in"
    inputs.mkdir()
    specs = {"l4.html": make_legacy("L4", seed=31, year=2015), "l1.docx": make_legacy("L1", seed=32, year=2012)}
    (inputs / "l4.html").write_bytes(render_html(specs["l4.html"]))
    render_docx(specs["l1.docx"], inputs / "l1.docx")
    build_docx(make_report("2021", seed=33), path=inputs / "t2021.docx")
    job = tmp_path / "job"
    runner = CliRunner()
    result = runner.invoke(app, ["batch", str(inputs), "-o", str(job), "-j", "1", "--no-progress"])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(job / "nianbao.sqlite")
    for name, spec in specs.items():
        got = dict(conn.execute('SELECT v.field, v.value FROM "values" v JOIN reports r ON r.id = v.report_id '
                                "JOIN documents d ON d.report_id = r.id WHERE d.path LIKE ?", (f"%{name}",)))
        want = {f"{f}.{c}": v for f, entry in spec.expected.items() for c, v in entry.items() if c != "unit"}
        assert got == want
        wide = dict(conn.execute('SELECT "legacy.active.total.this_period", template FROM reports_wide '
                                 "WHERE path LIKE ?", (f"%{name}",)).fetchall())
        assert wide == {spec.expected["legacy.active.total"]["this_period"]: "legacy"}
    with (job / "reports_wide.csv").open(encoding="utf-8-sig") as fh:
        rows = {Path(r["path"]).name: r for r in csv.DictReader(fh)}
    l4 = specs["l4.html"].expected
    assert rows["l4.html"]["legacy.review.count.cumulative"] == str(l4["legacy.review.count"]["cumulative"])
    assert rows["t2021.docx"]["legacy.review.count.cumulative"] == ""
    sheet = load_workbook(job / "nianbao.xlsx", read_only=True)["数据"]
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert "主动公开信息数｜本期" in header
    assert runner.invoke(app, ["review", str(job)]).exit_code == 0
    pages = "".join(p.read_text(encoding="utf-8") for p in (job / "review" / "reports").glob("*.html"))
    assert pages.count('id="table-legacy"') == 2
    result = runner.invoke(app, ["audit", str(job)])
    assert result.exit_code == 0, result.output
    with (job / "audit.csv").open(encoding="utf-8-sig") as fh:
        legacy_codes = {r["code"] for r in csv.DictReader(fh) if r["path"].endswith(("l4.html", "l1.docx"))}
    assert legacy_codes <= {"arithmetic"}


def test_explain_names_the_cell_of_a_legacy_value(tmp_path) -> None:
    from pipeline.inspection.explain import explain

    spec = make_legacy("L4", seed=41)
    path = tmp_path / "l4.html"
    path.write_bytes(render_html(spec))
    from extractors import extract

    doc = extract(path)
    exp = explain(normalise(doc), doc, "legacy.review.count.cumulative")
    assert exp.known and exp.value == spec.expected["legacy.review.count"]["cumulative"]
    assert [c.text for c in exp.source_row][:2] == ["行政复议数", "件"]
    assert not explain(normalise(doc), doc, "legacy.review.cout.cumulative").known


def test_a_title_row_inside_the_table_is_not_its_header(tmp_path) -> None:
    spec = make_legacy("L1", seed=42, year=2010)
    path = tmp_path / "titled.html"
    path.write_bytes(render_html(spec, title_row=True))
    report = convert(path)
    assert report.report.template == "legacy" and report.report.year == 2010
    assert report.legacy_values() == {f"{f}.this_period": e["this_period"] for f, e in spec.expected.items()}


def test_a_legacy_report_is_late_after_31_march_under_the_2007_regulation() -> None:
    """Reports on 2008–2018 were due by 31 March (2007 条例 art. 31), not 31 January: the real 2011 report
    of 经济发展局 published on 16 May 2012 is late, the zone's 2014 one of 2 January 2015 is not, and a 2011
    report of 20 March 2012 is on time."""
    from pipeline.batch.audit import report_findings

    samples = Path(__file__).parents[1] / "samples" / "txt"
    late = convert(samples / "real_pingtan_2011_jjf_page.txt")
    assert late.report.published == "2012-05-16"
    assert [d for c, _, d in report_findings(late) if c == "published_late"] == [
        "published 2012-05-16, after the deadline 2012-03-31"]
    assert not [c for c, _, _ in report_findings(convert(samples / "real_pingtan_2014_zone_page.txt"))
                if c == "published_late"]
    march = late.model_copy(update={"report": late.report.model_copy(update={"published": "2012-03-20"})})
    assert not [c for c, _, _ in report_findings(march) if c == "published_late"]
