"""Seeing what an extractor did: extract --show, explain, diff, debug (PDF overlays), the review site's HTML."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.intermediate import Cell, Document, table_from_cells

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "txt"
SEED = SAMPLES / "004_3cdf18e5691f1457.txt"
REAL = ROOT.parent / "shared" / "corpus" / "real"
HUAIAN = REAL / "pdf_03_huaian2024.pdf"
DOCS = ROOT / "docs"
runner = CliRunner()


def _recorded(doc: Document) -> str:
    from pipeline.inspection.show import show_document

    console = Console(record=True, width=220, file=open(os.devnull, "w"))  # noqa: SIM115 - closed with console
    show_document(doc, console)
    return console.export_text()


# ---- extract --show
def test_grid_marks_draw_spans_as_continuations() -> None:
    from pipeline.inspection.show import BOTH, HOLE, LEFT, UP, grid_marks

    cells = [Cell(row=0, col=0, rowspan=2, colspan=2, text="合并"), Cell(row=0, col=2, text="a"),
             Cell(row=1, col=2, text="b"), Cell(row=2, col=0, text="c"), Cell(row=2, col=1, rowspan=1, text="d")]
    table = table_from_cells(cells)
    table.n_cols = 4  # a position no cell covers
    marks = grid_marks(table)
    assert marks[0][0].text == "合并"
    assert (marks[0][1], marks[1][0], marks[1][1]) == (LEFT, UP, BOTH)
    assert marks[0][3] == HOLE
    assert marks[2][1].text == "d"


def test_show_draws_a_docx_table_with_merged_cells(tmp_path: Path) -> None:
    import docx

    from extractors import extract

    d = docx.Document()
    d.add_paragraph("某某乡人民政府2023年政府信息公开工作年度报告")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "第二十条第（一）项"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "竖合并"
    t.cell(1, 1).text, t.cell(1, 2).text, t.cell(2, 1).text, t.cell(2, 2).text = "1", "2", "3", "4"
    path = tmp_path / "merged.docx"
    d.save(path)
    text = _recorded(extract(path))
    assert "某某乡人民政府2023年政府信息公开工作年度报告" in text
    assert "table 1 (block 1): 3 rows × 3 cols" in text
    assert "第二十条第（一）项 ⟨1×3⟩" in text and "竖合并 ⟨2×1⟩" in text
    lines = text.splitlines()
    first_row = next(ln for ln in lines if "第二十条" in ln)
    assert first_row.count("←") == 2  # the merged text once, its covered positions as continuations
    below = next(ln for ln in lines if re.match(r"^\W*2\W", ln))
    assert "↑" in below and "3" in below and "4" in below


def test_show_via_cli_on_a_text_sample_prints_every_block() -> None:
    result = runner.invoke(app, ["extract", str(SEED), "--show"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "[0] h1 绥滨县北山乡人民政府" in result.output and "[24] ¶ 2024年1月9日" in result.output
    assert result.output.count("table ") >= 3 and "三、本" in result.output
    assert "blocks," in result.output and '"schema"' not in result.output  # the grid, not JSON


def test_show_gives_the_page_of_each_row_of_a_stitched_pdf_table() -> None:
    if not HUAIAN.exists():
        pytest.skip("shared real corpus not present")
    from extractors import extract

    text = _recorded(extract(HUAIAN))
    assert "pages 3–4" in text and "p4" in text


# ---- explain
@pytest.fixture(scope="module")
def seed_report():
    from pipeline.inspection.explain import load_report

    return load_report(SEED)


def test_explain_a_row_placed_by_position_shows_the_issue(seed_report) -> None:
    from pipeline.inspection.explain import explain

    exp = explain(*seed_report, "applications.granted.total")
    assert exp.value == 0 and exp.provenance.raw == "0"
    assert (exp.provenance.table, exp.provenance.row, exp.provenance.col) == (2, 5, 7)
    assert exp.provenance.row_label == "三、本"
    assert exp.variant is None  # the label text names no template row
    assert [i.code for i in exp.issues] == ["row_label_lost"]
    assert "neighbours" in exp.placement
    assert exp.header is not None and exp.header[0].text == "总计"
    assert [c.text for c in exp.source_row][0] == "三、本"


def test_explain_a_labelled_value_names_its_variant_and_header(seed_report) -> None:
    from pipeline.inspection.explain import explain

    exp = explain(*seed_report, "applications.new_received.natural_person")
    p = exp.provenance
    assert (p.table, p.row, p.col, p.raw) == (2, 3, 1, "0")
    assert exp.variant is not None and exp.variant.key == "new_received" and exp.variant.variant in p.row_label
    assert exp.header[0].text == "自然人" and exp.header[1].key == "natural_person"
    assert exp.issues == [] and exp.checks == []
    exp = explain(*seed_report, "applications.partially_granted.total")
    assert (exp.provenance.table, exp.provenance.row, exp.provenance.col) == (3, 0, 9)
    assert exp.variant.key == "partially_granted"


def test_explain_cli_prints_value_raw_cell_and_issue() -> None:
    result = runner.invoke(app, ["explain", str(SEED), "applications.granted.total"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "raw cell text    '0'" in out
    assert "table 2 (block 15), row 5, col 7" in out
    assert "row_label_lost" in out and "三、本" in out


def test_explain_a_failed_check_and_a_report_json(tmp_path: Path) -> None:
    src = SAMPLES / "pipe_2021_broken_balance.txt"
    out = tmp_path / "r.json"
    assert runner.invoke(app, ["convert", str(src), "--stdout"]).exit_code == 0
    out.write_text(runner.invoke(app, ["convert", str(src), "--stdout"]).stdout, encoding="utf-8")
    result = runner.invoke(app, ["explain", str(out), "applications.new_received.total"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "check applications.balance fails" in result.output


def test_explain_unknown_field_suggests_and_exits_2() -> None:
    result = runner.invoke(app, ["explain", str(SEED), "applications.grantd.total"])
    assert result.exit_code == 2
    assert "applications.granted.total" in result.output


def test_explain_a_row_prefix_lists_its_fields() -> None:
    result = runner.invoke(app, ["explain", str(SEED), "applications.granted"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert result.output.count("field            applications.granted.") == 7


# ---- diff
def test_diff_lists_exactly_the_changed_fields(tmp_path: Path) -> None:
    from pipeline.inspection.diff import diff_reports
    from pipeline.report import Report

    a = tmp_path / "a.json"
    a.write_text(runner.invoke(app, ["convert", str(SEED), "--stdout"]).stdout, encoding="utf-8")
    data = json.loads(a.read_text(encoding="utf-8"))
    data["applications"]["granted"]["total"] = 7
    data["active_disclosure"]["fees"]["amount_10k_yuan"] = None
    data["review_litigation"]["review"]["upheld"] = 3
    data["report"]["agency"] = "别的乡人民政府"
    b = tmp_path / "b.json"
    b.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = diff_reports(Report.model_validate_json(a.read_text()), Report.model_validate(data))
    assert sorted(result.fields) == ["active_disclosure.fees.amount_10k_yuan", "applications.granted.total",
                                     "review_litigation.review.upheld"]
    assert [d.key for d in result.of("metadata")] == ["report.agency"]
    assert diff_reports(Report.model_validate(data), Report.model_validate(data)).differences == []

    cli = runner.invoke(app, ["diff", str(a), str(b)], env={"COLUMNS": "200"})
    assert cli.exit_code == 1, cli.output  # like diff(1): they differ
    for field in result.fields:
        assert field in cli.output
    assert "applications.new_received.total" not in cli.output
    assert "别的乡人民政府" in cli.output


def test_diff_converts_documents_first() -> None:
    result = runner.invoke(app, ["diff", str(SEED), str(SAMPLES / "003_94c66d917836ad80.txt")],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "report.agency" in result.output and "木金乡人民政府" in result.output


def test_diff_of_identical_reports_says_so() -> None:
    result = runner.invoke(app, ["diff", str(SEED), str(SEED)])
    assert result.exit_code == 0 and "no differences" in result.output


def _two_reports(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "a.json"
    a.write_text(runner.invoke(app, ["convert", str(SEED), "--stdout"]).stdout, encoding="utf-8")
    data = json.loads(a.read_text(encoding="utf-8"))
    data["applications"]["granted"]["total"] = 7
    data["active_disclosure"]["fees"]["amount_10k_yuan"] = None
    data["report"]["agency"] = "别的乡人民政府" * 10
    data["sections"]["overview"] = "总体情况。" * 200
    data["issues"].append({"level": "warning", "code": "odd_value", "field": "applications.granted.total",
                           "message": "applications.granted.total: '7*': footnote mark '*' ignored, read as 7"})
    b = tmp_path / "b.json"
    b.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return a, b


def test_diff_exit_status_is_like_diff1(tmp_path: Path) -> None:
    a, b = _two_reports(tmp_path)
    assert runner.invoke(app, ["diff", str(a), str(a)]).exit_code == 0
    assert runner.invoke(app, ["diff", str(a), str(b)]).exit_code == 1
    missing = runner.invoke(app, ["diff", str(a), str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and missing.stderr.strip() == f"{tmp_path / 'nope.json'}: cannot read: No such file or directory"


def test_diff_json_is_machine_readable(tmp_path: Path) -> None:
    a, b = _two_reports(tmp_path)
    result = runner.invoke(app, ["diff", str(a), str(b), "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert (out["a"], out["b"], out["same"]) == (str(a), str(b), False)
    assert out["counts"] == {"metadata": 1, "value": 2, "section": 1, "issue": 1}
    by_key = {d["key"]: d for d in out["differences"]}
    assert by_key["applications.granted.total"]["b"] == 7
    assert by_key["active_disclosure.fees.amount_10k_yuan"]["b"] is None
    assert by_key["sections.overview" if "sections.overview" in by_key else "overview"]["b"] == "总体情况。" * 200
    issue = by_key["odd_value applications.granted.total"]
    assert "a" not in issue and issue["b"].startswith("applications.granted.total: '7*'")  # absent, not null
    same = json.loads(runner.invoke(app, ["diff", str(a), str(a), "--json"]).stdout)
    assert same == {"a": str(a), "b": str(a), "same": True, "counts": {}, "differences": []}


@pytest.mark.parametrize("terminal", [True, False])
def test_diff_is_one_line_per_difference_at_80_columns_or_piped(tmp_path: Path, terminal: bool) -> None:
    import io

    from rich.cells import cell_len
    from rich.console import Console

    from pipeline.inspection.diff import diff_reports, render
    from pipeline.report import Report

    a, b = _two_reports(tmp_path)
    result = diff_reports(Report.model_validate_json(a.read_text()), Report.model_validate_json(b.read_text()))
    buffer = io.StringIO()
    render(result, "a.json", "b.json", Console(file=buffer, width=80, force_terminal=terminal, soft_wrap=True,
                                                color_system=None))
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 2 + 4 + len(result.differences) + 1  # ---/+++, one header per kind, the count
    for d in result.differences:
        assert sum(line.lstrip().startswith(d.key) for line in lines) == 1
    overview = next(line for line in lines if line.lstrip().startswith("overview"))
    assert "(1000 chars)" in overview
    if terminal:
        assert max(cell_len(line) for line in lines) <= 80


# ---- debug
def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.skipif(not HUAIAN.exists(), reason="shared real corpus not present")
def test_debug_renders_each_page_with_a_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["debug", str(HUAIAN), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pngs = sorted(tmp_path.glob("*.png"))
    names = [p.name for p in pngs]
    assert {"pdf_03_huaian2024-p003.png", "pdf_03_huaian2024-p004.png", "pdf_03_huaian2024-p005.png"} <= set(names)
    assert "pdf_03_huaian2024-p002.png" not in names  # no table there
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 5000 for p in pngs)
    assert len({_hash(p) for p in pngs}) == len(pngs)
    assert "cells extracted" in result.output
    if os.environ.get("NIANBAO_UPDATE_DOCS") or not (DOCS / "debug-overlay.png").exists():
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "pdf_03_huaian2024-p004.png", DOCS / "debug-overlay.png")
    assert (DOCS / "debug-overlay.png").stat().st_size < 300_000


@pytest.mark.skipif(not HUAIAN.exists(), reason="shared real corpus not present")
def test_debug_pages_option_and_the_overlay_differs_from_the_plain_page(tmp_path: Path) -> None:
    import pdfplumber

    result = runner.invoke(app, ["debug", str(HUAIAN), "--pages", "4,5", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["pdf_03_huaian2024-p004.png",
                                                              "pdf_03_huaian2024-p005.png"]
    from PIL import Image

    with pdfplumber.open(HUAIAN) as pdf:
        plain = pdf.pages[3].to_image(resolution=100).original.convert("RGB")
    drawn = Image.open(tmp_path / "pdf_03_huaian2024-p004.png").convert("RGB")
    assert drawn.size == plain.size
    px = drawn.tobytes()
    red = sum(1 for i in range(0, len(px), 3) if px[i] > 200 and px[i + 1] < 90 and px[i + 2] < 90)
    assert red > 500  # ruling edges drawn in red


def test_debug_refuses_what_it_cannot_draw(tmp_path: Path) -> None:
    result = runner.invoke(app, ["debug", str(SEED), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "not a PDF" in result.output
    result = runner.invoke(app, ["debug", str(SEED), "--pages", "x", "-o", str(tmp_path)])
    assert result.exit_code == 2
    from pipeline.inspection.debug_pdf import camelot_available

    if not camelot_available():
        result = runner.invoke(app, ["debug", str(HUAIAN), "--engine", "camelot", "-o", str(tmp_path)])
        assert result.exit_code == 1
        assert len(result.output.strip().splitlines()) == 1 and "camelot is not installed" in result.output


@pytest.mark.skipif(not HUAIAN.exists(), reason="shared real corpus not present")
def test_debug_with_camelot_when_installed(tmp_path: Path) -> None:
    from pipeline.inspection.debug_pdf import camelot_available

    if not camelot_available():
        pytest.skip("camelot not installed")
    result = runner.invoke(app, ["debug", str(HUAIAN), "--pages", "4", "--engine", "camelot", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    camelot_png = tmp_path / "pdf_03_huaian2024-p004-camelot.png"
    assert camelot_png.exists() and "2 table(s) found" in result.output
    runner.invoke(app, ["debug", str(HUAIAN), "--pages", "4", "-o", str(tmp_path)])
    assert _hash(camelot_png) != _hash(tmp_path / "pdf_03_huaian2024-p004.png")


PDF_SAMPLES = ROOT / "samples" / "pdf"


def _cells_per_page(path: Path) -> dict[int, int]:
    from collections import Counter

    from extractors import extract
    from pipeline.intermediate import Table

    doc = extract(path)
    return dict(Counter(c.page for b in doc.blocks if isinstance(b, Table) for c in b.cells))


def _pixels(png: Path, test) -> int:
    from PIL import Image

    px = Image.open(png).convert("RGB").tobytes()
    return sum(1 for i in range(0, len(px), 3) if test(px[i], px[i + 1], px[i + 2]))


@pytest.mark.parametrize("name", ["borderless_2019_fengxian", "ruled_2021_break_huashu"])
def test_debug_draws_the_cells_the_extractor_emitted(tmp_path: Path, name: str) -> None:
    """The green cells are the extracted tables' cells, page by page: drawn from the extractor's own stages."""
    path = PDF_SAMPLES / f"{name}.pdf"
    result = runner.invoke(app, ["debug", str(path), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    drawn = {int(m[1]): int(m[2]) for m in re.finditer(r"page (\d+): \d+ table\(s\) found, (\d+) cells", result.output)}
    assert drawn == _cells_per_page(path) and drawn


def test_debug_of_a_borderless_pdf_shows_words_columns_and_rows(tmp_path: Path) -> None:
    from pipeline.inspection.debug_pdf import record_stages
    from pipeline.settings import ExtractOptions

    path = PDF_SAMPLES / "borderless_2019_fengxian.pdf"
    stages, failure = record_stages(path, ExtractOptions())
    assert failure == "" and [s.route for s in stages] == ["borderless"] * 3
    region = stages[1].borderless[-1]
    assert len(region.columns) >= 11 and len(region.rows) >= 20 and len(region.anchors) == len(region.rows) - 1
    assert {kind for _, _, kind in region.words} == {"num", "label", "head"}
    assert stages[1].ruling is None  # no ruled table: nothing of pdfplumber's finder to draw

    result = runner.invoke(app, ["debug", str(path), "--pages", "2", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    png = tmp_path / "borderless_2019_fengxian-p002.png"
    orange = _pixels(png, lambda r, g, b: r > 200 and 90 < g < 150 and b < 60)  # value words
    grey = _pixels(png, lambda r, g, b: 70 < r < 120 and abs(r - g) < 12 and abs(g - b) < 12)  # grid edges
    red = _pixels(png, lambda r, g, b: r > 200 and g < 90 and b < 90)
    assert orange > 500 and grey > 1000 and red < 50


def test_parse_pages() -> None:
    from pipeline.inspection.debug_pdf import parse_pages

    assert parse_pages("1,3-5,3") == [1, 3, 4, 5]
    assert parse_pages(None) is None


# ---- review site (HTML; the browser tests are in test_review_browser.py)
@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    from tests.batchdb import build_batch_db

    out = tmp_path_factory.mktemp("batch")
    bad = out / "in" / "not_a_report.txt"
    bad.parent.mkdir()
    bad.write_text("这不是年度报告。", encoding="utf-8")
    build_batch_db(sorted(SAMPLES.glob("*.txt"))[:6] + [bad], out)
    return out


def test_review_writes_an_index_and_one_page_per_report(batch: Path) -> None:
    import sqlite3

    from lxml import html as lhtml

    from pipeline.inspection.review.common import show_value

    result = runner.invoke(app, ["review", str(batch)])
    assert result.exit_code == 0, result.output
    site = batch / "review"
    index = lhtml.parse(str(site / "index.html")).getroot()
    rows = index.xpath("//table[@id='docs']/tbody/tr")
    con = sqlite3.connect(batch / "nianbao.sqlite")
    paths = [p for (p,) in con.execute("SELECT path FROM documents ORDER BY id")]
    reports = dict(con.execute("SELECT id, json FROM reports"))
    assert len(rows) == len(paths) == 7
    assert [r.get("data-status") for r in rows].count("not_a_report") == 1
    assert (site / "static" / "review.css").exists() and (site / "static" / "review.js").exists()
    assert "http://" not in (site / "index.html").read_text() and "https://" not in (site / "index.html").read_text()
    for report_id, text in reports.items():
        page = lhtml.parse(str(site / "reports" / f"report-{report_id}.html")).getroot()
        data = json.loads(text)
        for td in page.xpath("//td[@data-field]"):
            top, row, col = td.get("data-field").split(".")
            value = data[top].get(row, {}).get(col, "absent")
            if value == "absent":
                assert "na" in td.get("class")
                continue
            shown = td.text_content().strip()
            assert shown == show_value(value)
            assert td.get("title").startswith(td.get("data-field"))
        assert len(page.xpath("//table[@id='table-3']//tr[@data-row]")) == 25
        assert len(page.xpath("//table[@id='table-4']//td[@data-field]")) == 15
        source = page.xpath("//a[@class='source']")[0].get("href")
        assert (site / "reports" / source).resolve().exists()


def test_review_without_a_database_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(tmp_path)])
    assert result.exit_code == 1
    assert "no batch database" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("blocked", ["review", "review/static", "review/reports"])
def test_review_on_an_unwritable_job_is_one_line(batch: Path, tmp_path: Path, blocked: str) -> None:
    job = tmp_path / "job"
    job.mkdir()
    shutil.copy(batch / "nianbao.sqlite", job / "nianbao.sqlite")
    (job / blocked).parent.mkdir(parents=True, exist_ok=True)
    (job / blocked).write_text("a file where the site wants a folder")  # what root meets where chmod cannot stop it
    result = runner.invoke(app, ["review", str(job)])
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{job}: cannot write the review site {job / blocked}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_review_on_a_read_only_job_is_one_line(batch: Path, tmp_path: Path) -> None:
    job = tmp_path / "job"
    job.mkdir()
    shutil.copy(batch / "nianbao.sqlite", job / "nianbao.sqlite")
    job.chmod(0o500)
    try:
        result = runner.invoke(app, ["review", str(job)])
    finally:
        job.chmod(0o700)
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "cannot write the review site" in result.stderr


def test_review_reads_what_nianbao_batch_writes(tmp_path: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("pipeline.cli.batch") is None:
        pytest.skip("nianbao batch not available")
    from lxml import html as lhtml

    inputs = [str(p) for p in sorted(SAMPLES.glob("*.txt"))[:3]]
    result = runner.invoke(app, ["batch", *inputs, "-o", str(tmp_path), "-j", "0"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["review", str(tmp_path)])
    assert result.exit_code == 0, result.output
    index = lhtml.parse(str(tmp_path / "review" / "index.html")).getroot()
    assert len(index.xpath("//table[@id='docs']/tbody/tr")) == 3
    assert len(list((tmp_path / "review" / "reports").glob("report-*.html"))) == 3
