"""The panel across the 2019 break: one body's reports of 2008–2025 in one batch (pre-2019 statistics tables of
three layouts as GBK portal pages and python-docx documents, 2019 and 2021 template reports as text) give one
row per year in panel.csv, the `panel` view and the workbook's sheet, the series of series.tsv read from the
legacy table before 2019 and from the template after, the break flagged at 2019; the body's review page draws
each series through the break with the marker and lists every year's value. Every value is distinct and non-zero,
so a year read into the wrong row fails."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lhtml
from openpyxl import load_workbook

from pipeline.batch.job import BatchOptions, run_batch
from pipeline.batch.panel import panel_columns
from pipeline.inspection.review.common import show_value
from pipeline.inspection.review.panels import BREAK_LABEL
from pipeline.inspection.review.site import build_site, report_json_of
from pipeline.series import LEGACY, break_year, bridge_series, era
from tests.fixturegen import make_report
from tests.fixturegen.pre2019 import make_legacy, render_docx, render_html
from tests.fixturegen.text_render import render_text

AGENCY = "盱眙县人民政府"
BODY_ID, REGION_CODE = "320830:人民政府", "320830"
LEGACY_YEARS = range(2008, 2019)
TEMPLATE_YEARS = range(2019, 2026)
LAYOUTS = ("L1", "L4", "L3")
NO_LITIGATION_ROW = 2013  # this year's table lacks the 行政诉讼数 row: its value is null, never 0
SEED = 2  # template seeds year + SEED: the series' values of the seven years are distinct (asserted below)


def _template_of(year: int) -> str:
    return "2019" if year < 2021 else "2021"


def _write_corpus(folder: Path) -> dict[int, tuple[str, dict[str, Any]]]:
    """year -> (template, field id -> value) of the report written for it."""
    folder.mkdir(parents=True)
    truth: dict[int, tuple[str, dict[str, Any]]] = {}
    for n, year in enumerate(LEGACY_YEARS):
        omit = frozenset({"legacy.litigation.count"}) if year == NO_LITIGATION_ROW else frozenset()
        spec = make_legacy(LAYOUTS[n % 3], seed=year, agency=AGENCY, year=year, lowest=(year - 2000) * 10_000,
                           omit=omit)
        if n % 2:
            render_docx(spec, folder / f"{year}.docx")
        else:
            (folder / f"{year}.html").write_bytes(render_html(spec))
        truth[year] = (LEGACY, {f"{f}.this_period": v["this_period"] for f, v in spec.expected.items()})
    for year in TEMPLATE_YEARS:
        report = make_report(_template_of(year), seed=year + SEED, agency=AGENCY, year=year)
        (folder / f"{year}.txt").write_text(render_text(report, "tsv"), encoding="utf-8")
        truth[year] = (_template_of(year), report.values)
    return truth


def _expected(truth: dict[int, tuple[str, dict[str, Any]]]) -> dict[int, dict[str, Any]]:
    """year -> series id -> value, from the generators' truth (the terms summed by hand, not by the code)."""
    out = {}
    for year, (template, values) in truth.items():
        if template == LEGACY:
            litigation = values.get("legacy.litigation.count.this_period")
            out[year] = {"applications_received": values["legacy.applications.received.this_period"],
                         "review": values["legacy.review.count.this_period"], "litigation": litigation}
        else:
            out[year] = {"applications_received": values["applications.new_received.total"],
                         "review": values["review_litigation.review.total"],
                         "litigation": values["review_litigation.litigation_direct.total"]
                         + values["review_litigation.litigation_after_review.total"]}
    return out


@pytest.fixture(scope="module")
def job(tmp_path_factory) -> tuple[Path, dict[int, dict[str, Any]]]:
    root = tmp_path_factory.mktemp("panel")
    truth = _write_corpus(root / "in")
    run_batch([root / "in"], BatchOptions(out=root / "job", workers=0, progress=False))
    build_site(root / "job")
    return root / "job", _expected(truth)


def test_the_fixture_values_are_distinct_and_non_zero(job) -> None:
    _, expected = job
    values = [v for year in expected.values() for v in year.values() if v is not None]
    assert len(values) == 18 * 3 - 1 and 0 not in values
    assert len(set(values)) == len(values)
    assert expected[NO_LITIGATION_ROW]["litigation"] is None


def _panel_csv(job_dir: Path) -> list[dict[str, str]]:
    with (job_dir / "panel.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_panel_csv_has_one_row_a_year_with_every_series_exact(job) -> None:
    job_dir, expected = job
    rows = _panel_csv(job_dir)
    assert list(rows[0]) == list(panel_columns())
    assert [int(r["year"]) for r in rows] == list(range(2008, 2026))
    for row in rows:
        year = int(row["year"])
        assert (row["body_id"], row["body_name"], row["region_code"]) == (BODY_ID, AGENCY, REGION_CODE)
        assert row["template"] == (LEGACY if year < 2019 else _template_of(year))
        assert row["era"] == ("pre2019" if year < 2019 else "post2019")
        assert row["break_before"] == ("1" if year == 2019 else "0")
        for series, value in expected[year].items():
            assert row[series] == ("" if value is None else str(value)), (year, series)


def _view(job_dir: Path) -> list[tuple]:
    con = sqlite3.connect(job_dir / "nianbao.sqlite")
    try:
        return con.execute(f"SELECT {', '.join(panel_columns())} FROM panel ORDER BY body_id, year").fetchall()
    finally:
        con.close()


def test_the_view_the_sheet_and_the_csv_agree(job) -> None:
    job_dir, expected = job
    view = _view(job_dir)
    assert [(r[3], *r[7:10]) for r in view] == [
        (y, *(expected[y][s.id] for s in bridge_series())) for y in range(2008, 2026)]
    sheet = load_workbook(job_dir / "nianbao.xlsx")["跨2019面板"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[1]) == list(panel_columns())
    assert rows[0][panel_columns().index("applications_received")] == bridge_series()[0].label
    assert [tuple(r) for r in rows[2:]] == view
    assert [tuple(None if c == "" else c for c in r.values()) for r in _panel_csv(job_dir)] == [
        tuple(None if v is None else str(v) for v in r) for r in view]


def _body_page(job_dir: Path):
    pages = list((job_dir / "review" / "bodies").glob("*.html"))
    assert len(pages) == 1
    return pages[0], lhtml.parse(str(pages[0])).getroot()


def test_the_body_page_draws_each_series_through_the_break(job) -> None:
    job_dir, expected = job
    _, page = _body_page(job_dir)
    for series in bridge_series():
        chart = page.xpath(f"//svg[@data-chart='bridge-{series.id}']")[0]
        points = {int(c.get("data-year")): c.get("data-value") for c in chart.xpath(".//circle")}
        assert points == {y: repr(v[series.id]) for y, v in expected.items() if v[series.id] is not None}
        marker = chart.xpath(".//g[@class='marker']")[0]
        assert marker.get("data-before") == "2019"
        assert marker.text_content() == BREAK_LABEL and BREAK_LABEL.startswith("2019 条例修订")
        x = float(marker.xpath("./line")[0].get("x1"))
        ticks = {t.text: float(t.get("x")) for t in chart.xpath(".//text[@class='tick']")}
        assert ticks["2018"] < x < ticks["2019"]
        lines = chart.xpath(".//polyline")  # one line through 2008–2025 but for the year without the row
        assert len(lines) == (2 if series.id == "litigation" else 1)


def test_the_body_page_lists_every_year_and_links_each_report(job) -> None:
    job_dir, expected = job
    path, page = _body_page(job_dir)
    table = page.xpath("//table[@id='bridge']")[0]
    heads = table.xpath("./thead//th/a")
    assert [int(a.text) for a in heads] == list(range(2008, 2026))
    for a in heads:
        report = report_json_of((path.parent / a.get("href")).read_text(encoding="utf-8"))
        assert report["report"]["year"] == int(a.text)
        assert report["report"]["template"] == (LEGACY if int(a.text) < 2019 else _template_of(int(a.text)))
    assert [th.get("class") for th in table.xpath("./thead//th")][1:] == [
        "break" if y == 2019 else None for y in range(2008, 2026)]
    for series in bridge_series():
        cells = table.xpath(f".//tr[@data-series='{series.id}']/td")
        assert [int(td.get("data-year")) for td in cells] == list(range(2008, 2026))
        for td in cells:
            value = expected[int(td.get("data-year"))][series.id]
            assert td.text_content() == show_value(value)
            assert td.get("data-value") == (None if value is None else repr(value))


def test_break_year_is_the_first_template_year_after_legacy_years() -> None:
    assert break_year({2016: LEGACY, 2017: LEGACY, 2020: "2019", 2021: "2021"}) == 2020  # a gap: still the break
    assert break_year({2019: "2019", 2020: "2019"}) is None
    assert break_year({2015: LEGACY, 2016: LEGACY}) is None
    assert (era(LEGACY), era("2021")) == ("pre2019", "post2019")


def test_a_series_is_null_unless_every_term_is_known() -> None:
    litigation = next(s for s in bridge_series() if s.id == "litigation")
    both = {"review_litigation.litigation_direct.total": 5, "review_litigation.litigation_after_review.total": 8}
    assert litigation.value("2021", both) == 13
    assert litigation.value("2021", {**both, "review_litigation.litigation_after_review.total": None}) is None
    assert litigation.value(LEGACY, both) is None
    assert litigation.value(LEGACY, {"legacy.litigation.count.this_period": 4}) == 4


def test_the_template_only_rows_and_charts_leave_legacy_years_out(job) -> None:
    """The 历年数据对照 key rows read the template's fields: a legacy year has no such row (hatched, never
    '—' 未填写), and the 主要数据走势 charts run over the template years only."""
    job_dir, _ = job
    _, page = _body_page(job_dir)
    for row in page.xpath("//table[@id='years']//tr[@class='key']"):
        for td in row.xpath("./td"):
            year = int(td.get("data-year"))
            assert ("na" in td.get("class").split()) == (year < 2019), (row.get("data-series"), year)
    ticks = {t.text for t in page.xpath("//div[@class='charts']//svg//text[@class='tick']")}
    years = {int(t) for t in ticks if t.isdigit() and len(t) == 4}
    assert years == set(range(2019, 2026))


def test_each_region_page_sums_the_series_through_the_break(job) -> None:
    """The body's region pages (province, city, county) carry the same time line, summed over their one body:
    every year's sum equals the body's value, the break marked at 2019; the template-only sums start in 2019."""
    job_dir, expected = job
    pages = list((job_dir / "review" / "regions").glob("*.html"))
    assert pages
    for path in pages:
        page = lhtml.parse(str(path)).getroot()
        table = page.xpath("//table[@id='bridge']")[0]
        assert [th.get("class") for th in table.xpath("./thead//th")][1:] == [
            "break" if y == 2019 else None for y in range(2008, 2026)]
        for series in bridge_series():
            cells = table.xpath(f".//tr[@data-series='{series.id}']/td")
            got = {int(td.get("data-year")): td.get("data-value") for td in cells}
            assert got == {y: None if v[series.id] is None else repr(v[series.id]) for y, v in expected.items()}
        sums = page.xpath("//table[@id='sums']/thead//th")
        assert [int(th.text) for th in sums[1:]] == list(range(2019, 2026))
