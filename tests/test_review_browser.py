"""The review site in a real headless Chromium: index, filters, sorting, a report page's tables.

Needs Debian's `chromium` and playwright-python (no `playwright install`: the system browser is
launched directly); skipped cleanly when either is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from pipeline.inspection.review.site import build_site
    from tests.batchdb import build_batch_db
    from tests.review_corpus import build_review_corpus

    out = tmp_path_factory.mktemp("batch")
    bad = out / "in" / "broken.txt"
    bad.parent.mkdir()
    bad.write_text("这不是年度报告，没有表格。", encoding="utf-8")
    inputs = sorted((ROOT / "samples" / "txt").glob("*.txt")) + sorted((ROOT / "samples" / "txt").glob("*.md"))
    inputs += sorted((ROOT / "samples" / "html").glob("*.htm*"))
    inputs += list(build_review_corpus(out / "corpus").values())
    build_batch_db(inputs + [bad], out)
    _audit(out / "nianbao.sqlite")
    build_site(out)
    return out


def _audit(db: Path) -> None:
    """The findings table `nianbao batch` writes, from each report's own findings (the hand-built database has
    no cross-year table for the job-wide ones)."""
    from pipeline.batch.audit import SEVERITY, report_findings
    from pipeline.report import Report

    con = sqlite3.connect(db)
    con.execute("CREATE TABLE findings (report_id INTEGER, code TEXT, severity TEXT, field TEXT, detail TEXT)")
    for report_id, text in con.execute("SELECT id, json FROM reports ORDER BY id").fetchall():
        con.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?)",
                        [(report_id, code, SEVERITY[code], field, detail)
                         for code, field, detail in report_findings(Report.model_validate_json(text))])
    con.commit()
    con.close()


def _findings(site: Path) -> dict[int, set[str]]:
    con = sqlite3.connect(site / "nianbao.sqlite")
    out: dict[int, set[str]] = {}
    for report_id, code in con.execute("SELECT report_id, code FROM findings"):
        out.setdefault(report_id, set()).add(code)
    return out


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as exc:  # noqa: BLE001
            pytest.skip(f"chromium does not start: {exc}")
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    # nothing may leave the machine: every non-file request fails the test
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert errors == []
    assert all(u.startswith("file://") for u in requests), requests


def _db(site: Path) -> tuple[list[dict], dict[int, dict]]:
    con = sqlite3.connect(site / "nianbao.sqlite")
    con.row_factory = sqlite3.Row
    docs = [dict(r) for r in con.execute("SELECT * FROM documents ORDER BY id")]
    reports = {r["id"]: json.loads(r["json"]) for r in con.execute("SELECT id, json FROM reports")}
    return docs, reports


def _visible(page) -> int:
    return page.locator("#docs tbody tr:not([hidden])").count()


def test_index_lists_every_document(site: Path, page) -> None:
    docs, _ = _db(site)
    page.goto((site / "review" / "index.html").as_uri())
    assert page.locator("#docs tbody tr").count() == len(docs)
    assert _visible(page) == len(docs)
    assert page.locator("#shown").inner_text() == str(len(docs))
    text = page.locator("#docs").inner_text()
    for doc in docs:
        assert Path(doc["path"]).name in text


def test_filters_change_the_rows_shown(site: Path, page) -> None:
    docs, reports = _db(site)
    page.goto((site / "review" / "index.html").as_uri())
    n_failed = sum(d["status"] == "not_a_report" for d in docs)
    page.select_option("#f-status", "not_a_report")
    assert _visible(page) == n_failed == 1
    assert page.locator("#shown").inner_text() == "1"
    page.select_option("#f-status", "")
    n_2019 = sum(1 for d in docs if d["report_id"] and reports[d["report_id"]]["report"]["template"] == "2019")
    page.select_option("#f-template", "2019")
    assert 0 < _visible(page) == n_2019 < len(docs)
    page.select_option("#f-format", "html")
    n_2019_html = sum(1 for d in docs if d["report_id"] and d["format"] == "html"
                      and reports[d["report_id"]]["report"]["template"] == "2019")
    assert _visible(page) == n_2019_html
    page.click("#f-reset")
    assert _visible(page) == len(docs)
    n_some = sum(1 for d in docs if d["report_id"] and any(not c["ok"] for c in reports[d["report_id"]]["checks"]))
    page.select_option("#f-failed", "some")
    assert 0 < _visible(page) == n_some
    page.select_option("#f-failed", "applications.balance")
    assert _visible(page) == sum(1 for d in docs if d["report_id"] and any(
        c["rule"] == "applications.balance" and not c["ok"] for c in reports[d["report_id"]]["checks"]))
    page.select_option("#f-failed", "")
    page.fill("#f-agency", "松江河")
    assert _visible(page) == sum(1 for d in docs if d["report_id"]
                                 and "松江河" in (reports[d["report_id"]]["report"]["agency"] or ""))
    assert "agency=" in page.url  # the filter state is in the URL
    page.click("#f-reset")
    found = _findings(site)
    with_findings = [d for d in docs if found.get(d["report_id"])]
    page.select_option("#f-findings", "some")
    assert 0 < _visible(page) == len(with_findings) < len(docs)
    page.select_option("#f-findings", "none")
    assert _visible(page) == len(docs) - len(with_findings)
    codes = sorted({c for cs in found.values() for c in cs})
    assert codes == sorted(page.locator("#f-findings option").evaluate_all(
        "os => os.map(o => o.value).filter(v => v && !['none', 'some', 'errors'].includes(v))"))
    for code in codes:
        page.select_option("#f-findings", code)
        assert _visible(page) == sum(code in found.get(d["report_id"], ()) for d in docs), code
    assert "findings=" in page.url


def test_headers_sort_the_index(site: Path, page) -> None:
    page.goto((site / "review" / "index.html").as_uri())
    page.click("#docs thead th:nth-child(4)")  # 年度
    years = [t.strip() for t in page.locator("#docs tbody tr td:nth-child(4)").all_inner_texts()]
    numeric = [int(y) for y in years if y]
    assert numeric == sorted(numeric)
    page.click("#docs thead th:nth-child(4)")
    years = [int(t) for t in page.locator("#docs tbody tr td:nth-child(4)").all_inner_texts() if t.strip()]
    assert years == sorted(years, reverse=True)


def test_the_interface_is_chinese_and_the_index_starts_in_region_order(site: Path, page) -> None:
    page.goto((site / "review" / "index.html").as_uri())
    assert page.locator("h1").inner_text() == "政府信息公开工作年度报告 · 复核"
    heads = page.locator("#docs thead th").all_inner_texts()
    assert heads[:4] == ["#", "地区", "报告主体", "年度"]
    regions = [r.get_attribute("data-region") for r in page.locator("#docs tbody tr").all()]
    placed = [r for r in regions if r]
    assert placed == sorted(placed) and regions[:len(placed)] == placed


def test_the_region_and_review_filters(site: Path, page) -> None:
    docs, reports = _db(site)
    page.goto((site / "review" / "index.html").as_uri())
    in_city = sum(1 for d in docs if d["report_id"] and (reports[d["report_id"]]["report"]["body"]["region"]
                                                         or [])[:2] == ["江苏省", "淮安市"])
    page.select_option("#f-region", "江苏省/淮安市")
    assert 0 < _visible(page) == in_city < len(docs)
    page.select_option("#f-region", "江苏省/淮安市/清江浦区")
    assert _visible(page) == 3
    assert "region=" in page.url
    page.click("#f-reset")
    page.select_option("#f-status", "needs_review")
    shown = page.locator("#docs tbody tr:not([hidden]) td:nth-child(7)").all_inner_texts()
    assert shown and set(shown) == {"需复核"}
    names = page.locator("#docs tbody tr:not([hidden]) td.file").all_inner_texts()
    assert any("sparse.txt" in n for n in names) and not any("county_2021" in n for n in names)


def test_a_body_page_charts_its_years(site: Path, page) -> None:
    from tests.review_corpus import COUNTY

    docs, reports = _db(site)
    page.goto((site / "review" / "index.html").as_uri())
    page.click(f'#docs td.body a:has-text("{COUNTY}")')
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == COUNTY
    assert page.locator("#years thead th").all_inner_texts() == ["项目", "2021", "2022", "2023"]
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for i in range(3):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100  # drawn, not collapsed
    new = page.locator('svg[data-chart="new_received"] circle')
    assert new.count() == 3
    by_year = {r["report"]["year"]: r for r in reports.values() if r["report"]["body"]["name"] == COUNTY}
    assert [int(new.nth(i).get_attribute("data-value")) for i in range(3)] == [
        by_year[y]["applications"]["new_received"]["total"] for y in (2021, 2022, 2023)]
    ys = [float(new.nth(i).get_attribute("cy")) for i in range(3)]
    values = [by_year[y]["applications"]["new_received"]["total"] for y in (2021, 2022, 2023)]
    assert sorted(range(3), key=lambda i: -ys[i]) == sorted(range(3), key=lambda i: values[i])  # higher is up
    assert page.locator('svg[data-chart="new_received"] polyline').count() == 1
    page.locator("svg.chart").first.screenshot(path=str(site / "chart.png"))
    assert (site / "chart.png").stat().st_size > 2_000
    if os.environ.get("NIANBAO_UPDATE_DOCS") or not (DOCS / "review-body.png").exists():
        DOCS.mkdir(exist_ok=True)
        page.set_viewport_size({"width": 1000, "height": 640})
        page.screenshot(path=str(DOCS / "review-body.png"))
    assert (DOCS / "review-body.png").stat().st_size < 300_000
    page.click("dl.facts a")  # the region
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "江苏省/淮安市/清江浦区"
    sums = page.locator('#sums tr[data-series="new_received"] td')
    assert [int(sums.nth(i).get_attribute("data-value")) for i in range(3)] == values


def _cell(page, field: str) -> str:
    return page.locator(f'td[data-field="{field}"]').inner_text().strip()


def _shown(value) -> str:
    from pipeline.inspection.review.common import show_value

    return show_value(value)


def test_report_page_shows_the_three_tables_with_the_report_values(site: Path, page) -> None:
    docs, reports = _db(site)
    doc = next(d for d in docs if d["path"].endswith("pipe_2021_broken_balance.txt"))
    report = reports[doc["report_id"]]
    page.goto((site / "review" / "index.html").as_uri())
    page.click(f'#docs a:has-text("{Path(doc["path"]).name}")')
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == report["report"]["title"]
    for table in ("#table-2", "#table-3", "#table-4"):
        assert page.locator(table).is_visible()
    assert page.locator("#table-3 tr[data-row]").count() == 25
    assert page.locator("#table-3 tr[data-row]").first.locator("td").count() == 7
    assert page.locator("#table-4 td[data-field]").count() == 15
    for field in ("applications.new_received.total", "applications.granted.natural_person",
                  "applications.results_total.total", "active_disclosure.regulations.issued",
                  "active_disclosure.fees.amount_10k_yuan", "review_litigation.litigation_after_review.pending"):
        top, row, col = field.split(".")
        assert _cell(page, field) == _shown(report[top][row][col]), field
    failing = page.locator("td.v.fail")
    assert failing.count() > 0
    title = failing.first.get_attribute("title")
    assert "applications.balance" in title and "原文" in title and "表格" in title
    assert page.locator("ul.sources a.source").count() == 1
    shot = site / "review-report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    if os.environ.get("NIANBAO_UPDATE_DOCS") or not (DOCS / "review.png").exists():
        DOCS.mkdir(exist_ok=True)
        page.set_viewport_size({"width": 1100, "height": 820})
        page.screenshot(path=str(DOCS / "review.png"))
    assert (DOCS / "review.png").stat().st_size < 300_000


def test_nulls_are_highlighted(site: Path, page) -> None:
    docs, reports = _db(site)
    doc = next(d for d in docs if d["report_id"] and any(  # a template report (a legacy one has no such tables)
        v is None for top in ("active_disclosure", "applications", "review_litigation")
        for cols in (reports[d["report_id"]].get(top) or {}).values() for v in cols.values()))
    report = reports[doc["report_id"]]
    page.goto((site / "review" / "reports" / f"report-{doc['report_id']}.html").as_uri())
    nulls = [f"{top}.{row}.{col}" for top in ("active_disclosure", "applications", "review_litigation")
             for row, cols in report[top].items() for col, v in cols.items()
             if v is None and not col.endswith("_unit")]
    assert page.locator("td.v.null").count() == len(nulls)
    assert page.locator(f'td[data-field="{nulls[0]}"]').get_attribute("class").split()[:2] == ["v", "null"]
