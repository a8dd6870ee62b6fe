"""The review site's HTML on a real batch: values shown exactly, a mixed table's （六） row as the document has
it, the 需复核 rule, the index order and filters' choices, body pages (years side by side, SVG charts) and
region pages (bodies summed per year). The browser tests are in test_review_browser.py."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from lxml import html as lhtml

from pipeline.batch.job import BatchOptions, run_batch
from pipeline.inspection.review.common import show_value
from pipeline.inspection.review.site import build_site
from pipeline.inspection.review.verdict import MIN_FILLED_SHARE
from tests.review_corpus import COUNTY, FEE, HUAIAN, PROCUREMENT, build_review_corpus


@pytest.fixture(scope="module")
def job(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("review")
    paths = build_review_corpus(root / "in")
    bad = root / "in" / "notice.txt"
    bad.write_text("关于做好春节期间安全生产工作的通知\n\n各村、各单位：请认真做好值班工作。\n", encoding="utf-8")
    run_batch([root / "in"], BatchOptions(out=root / "job", workers=0, progress=False))
    build_site(root / "job")
    assert len(paths) == 9
    return root / "job"


def _reports(job: Path) -> dict[str, tuple[int, dict]]:
    """file stem -> (report id, report JSON)."""
    con = sqlite3.connect(job / "nianbao.sqlite")
    rows = con.execute("SELECT d.path, r.id, r.json FROM documents d JOIN reports r ON r.id = d.report_id")
    return {Path(p).stem: (rid, json.loads(text)) for p, rid, text in rows}


def _page(job: Path, *parts: str):
    return lhtml.parse(str(job.joinpath("review", *parts))).getroot()


def _report_page(job: Path, stem: str):
    return _page(job, "reports", f"report-{_reports(job)[stem][0]}.html")


def _cell(page, field: str) -> str:
    return page.xpath(f"//td[@data-field='{field}']")[0].text_content().strip()


def test_show_value_is_exact() -> None:
    assert show_value(18651.06) == "18651.06"
    assert show_value(75394432.52) == "75394432.52"
    assert show_value(1e16) == "10000000000000000"
    assert show_value(0.1 + 0.2) == "0.30000000000000004"  # what the report holds, not a rounding of it
    assert show_value(338.0) == "338" and show_value(7) == "7" and show_value(None) == "—"


def test_fees_and_amounts_are_shown_as_written(job: Path) -> None:
    assert _reports(job)["fee"][1]["active_disclosure"]["fees"]["amount_10k_yuan"] == FEE
    assert _cell(_report_page(job, "fee"), "active_disclosure.fees.amount_10k_yuan") == "18651.06"
    report = _reports(job)["procurement"][1]
    assert report["active_disclosure"]["procurement"] == {**report["active_disclosure"]["procurement"],
                                                           "amount": PROCUREMENT, "amount_unit": "元"}
    assert _cell(_report_page(job, "procurement"), "active_disclosure.procurement.amount") == "75394432.52 元"


def test_every_value_cell_shows_the_report_value_exactly(job: Path) -> None:
    for stem, (_, report) in _reports(job).items():
        page = _report_page(job, stem)
        for td in page.xpath("//td[@data-field]"):
            top, row, col = td.get("data-field").split(".")
            value = report[top].get(row, {}).get(col, "absent")
            if value == "absent":
                assert "na" in td.get("class")
                continue
            unit = report[top][row].get(f"{col}_unit")
            expected = show_value(value) + (f" {unit}" if unit and value is not None else "")
            assert td.text_content().strip() == expected, (stem, td.get("data-field"))


def test_a_mixed_table_shows_its_single_other_row(job: Path) -> None:
    report = _reports(job)["mixed"][1]
    other = report["applications"]["other"]
    assert all(v is not None for v in other.values())
    page = _report_page(job, "mixed")
    rows = page.xpath("//table[@id='table-3']//tr[@data-row]")
    names = [r.get("data-row") for r in rows]
    assert "other" in names
    assert not {"other_no_correction", "other_fee_unpaid", "other_other"} & set(names)
    assert len(rows) == 25 - 3 + 1
    row = rows[names.index("other")]
    assert "（六）其他处理" in row.text_content()
    assert [td.text_content().strip() for td in row.xpath("td")] == [str(other[c]) for c in (
        "natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total")]
    # a plain 2021 report keeps its three sub-rows
    plain = [r.get("data-row") for r in _report_page(job, "fee").xpath("//table[@id='table-3']//tr[@data-row]")]
    assert {"other_no_correction", "other_fee_unpaid", "other_other"} <= set(plain) and "other" not in plain


def _index_rows(job: Path) -> dict[str, object]:
    index = _page(job, "index.html")
    return {Path(tr.xpath("td[@class='file']//@title")[0]).stem: tr for tr in index.xpath("//table[@id='docs']/tbody/tr")}


def test_a_sparse_report_needs_review_and_a_full_one_does_not(job: Path) -> None:
    report = _reports(job)["sparse"][1]
    values = [v for top in ("active_disclosure", "applications", "review_litigation")
              for cols in report[top].values() for k, v in cols.items() if not k.endswith("_unit")]
    assert sum(v is not None for v in values) / len(values) < MIN_FILLED_SHARE
    assert not any(not c["ok"] for c in report["checks"])  # converted cleanly, yet mostly empty
    rows = _index_rows(job)
    assert rows["sparse"].get("data-status") == "needs_review"
    assert rows["sparse"].xpath("td[7]")[0].text_content() == "需复核"
    assert "仅填写" in rows["sparse"].xpath("td[7]/@title")[0]
    assert rows["county_2021"].get("data-status") == "ok"
    assert rows["county_2021"].xpath("td[7]")[0].text_content() == "通过"
    assert rows["notice"].get("data-status") == "not_a_report"
    statuses = _page(job, "index.html").xpath("//select[@id='f-status']/option/@value")
    assert {"ok", "needs_review", "not_a_report"} <= set(statuses)
    facts = _report_page(job, "sparse").xpath("//dl[@class='facts']")[0].text_content()
    assert "需复核" in facts


def test_the_index_is_in_region_body_year_order_with_region_filters(job: Path) -> None:
    index = _page(job, "index.html")
    rows = index.xpath("//table[@id='docs']/tbody/tr")
    keys = [(tr.get("data-region"), tr.xpath("td[3]")[0].text_content(), tr.get("data-year")) for tr in rows]
    placed = [k for k in keys if k[0]]
    assert placed == sorted(placed)
    assert keys[-1][0] == ""  # the notice has no region: last
    county = [k for k in keys if k[1] == COUNTY]
    assert [k[2] for k in county] == ["2021", "2022", "2023"]
    assert county[0][0] == "江苏省/淮安市/清江浦区"
    regions = index.xpath("//select[@id='f-region']/option/@value")
    assert {"江苏省", "江苏省/淮安市", "江苏省/淮安市/清江浦区"} <= set(regions)
    assert index.xpath("//table[@id='docs']/thead//th/text()")[:4] == ["#", "地区", "报告主体", "年度"]


def _body_page(job: Path, name: str):
    index = _page(job, "index.html")
    href = next(a.get("href") for a in index.xpath("//td[@class='body']/a") if a.text_content() == name)
    return _page(job, *href.split("/"))


def test_a_body_page_sets_its_years_side_by_side_with_charts(job: Path) -> None:
    reports = _reports(job)
    page = _body_page(job, COUNTY)
    assert page.xpath("//h1")[0].text_content() == COUNTY
    assert [th.text_content() for th in page.xpath("//table[@id='years']/thead//th")] == ["项目", "2021", "2022", "2023"]
    expected = [reports[f"county_{y}"][1]["applications"]["new_received"]["total"] for y in (2021, 2022, 2023)]
    row = page.xpath("//table[@id='years']//tr[@data-series='new_received']/td")
    assert [td.text_content() for td in row] == [str(v) for v in expected]
    charts = {svg.get("data-chart"): svg for svg in page.xpath("//*[local-name()='svg']")}
    assert set(charts) == {"new_received", "disclosure_rate", "review_litigation"}
    points = charts["new_received"].xpath(".//*[local-name()='circle']")
    assert [(p.get("data-year"), p.get("data-value")) for p in points] == [
        (str(y), str(v)) for y, v in zip((2021, 2022, 2023), expected, strict=True)]
    rates = [float(p.get("data-value")) for p in charts["disclosure_rate"].xpath(".//*[local-name()='circle']")]
    assert rates == [reports[f"county_{y}"][1]["indicators"]["disclosure_rate"] for y in (2021, 2022, 2023)]
    series = {p.get("data-series") for p in charts["review_litigation"].xpath(".//*[local-name()='circle']")}
    assert series == {"行政复议", "行政诉讼"}
    lit = [p for p in charts["review_litigation"].xpath(".//*[local-name()='circle']") if p.get("data-series") == "行政诉讼"]
    rl = [reports[f"county_{y}"][1]["review_litigation"] for y in (2021, 2022, 2023)]
    assert [int(p.get("data-value")) for p in lit] == [
        r["litigation_direct"]["total"] + r["litigation_after_review"]["total"] for r in rl]
    fee_row = page.xpath("//table[@id='years']//tr[@data-field='active_disclosure.fees.amount_10k_yuan']/td")
    assert [td.text_content() for td in fee_row] == [
        show_value(reports[f"county_{y}"][1]["active_disclosure"]["fees"]["amount_10k_yuan"]) for y in (2021, 2022, 2023)]


def test_a_region_page_sums_its_bodies_per_year(job: Path) -> None:
    reports = _reports(job)
    page = _body_page(job, HUAIAN)
    href = page.xpath("//dl[@class='facts']//a")[0].get("href")
    region = _page(job, "bodies", *href.split("/"))
    assert region.xpath("//h1")[0].text_content() == "江苏省/淮安市"
    # its bodies: every report in 淮安市, the city government and the districts and counties
    in_city = {stem: r for stem, (_, r) in reports.items()
               if (r["report"]["body"]["region"] or [])[:2] == ["江苏省", "淮安市"]}
    assert {"county_2021", "huaian_2022", "fee", "mixed", "sparse"} <= set(in_city)
    sums = region.xpath("//table[@id='sums']")[0]
    years = [th.text_content() for th in sums.xpath("thead//th")][1:]
    assert years == sorted({str(r["report"]["year"]) for r in in_city.values()})
    for td in sums.xpath(".//tr[@data-series='new_received']/td"):
        year = int(td.get("data-year"))
        total = sum(r["applications"]["new_received"]["total"] for r in in_city.values()
                    if r["report"]["year"] == year)
        assert int(td.get("data-value")) == total
    for td in sums.xpath(".//tr[@data-series='bodies']/td"):
        year = int(td.get("data-year"))
        assert int(td.get("data-value")) == sum(1 for r in in_city.values() if r["report"]["year"] == year)
    assert region.xpath("//*[local-name()='svg'][@data-chart='new_received']")
    parents = region.xpath("//nav/a")
    assert [a.text_content() for a in parents] == ["← 全部文件", "江苏省"]
    province = _page(job, "regions", parents[1].get("href"))
    assert province.xpath("//h1")[0].text_content() == "江苏省"
    children = [a.text_content() for a in region.xpath("//ul[@class='children']//a")]
    assert "清江浦区" in children and "淮阴区" in children


def test_pages_use_no_network(job: Path) -> None:
    for page in (job / "review").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text


def _report_text(year: int, seed: int, sentence: str | None = None) -> str:
    from tests.fixturegen import make_report
    from tests.fixturegen.text_render import render_text

    spec = make_report("2021", seed=seed, year=year, agency="临江市桦树镇人民政府")
    if sentence:
        spec.blocks.insert(spec.blocks.index(spec.blocks[2]) + 1, sentence)
    return render_text(spec, "tsv")


def test_a_report_whose_prose_contradicts_its_table_shows_the_finding(tmp_path: Path) -> None:
    """The audit runs at the end of `nianbao batch`; the report page lists its findings (code in Chinese beside
    the code id, severity, field, detail; errors in red), the index counts them and filters by code, and the
    body page lists them per year."""
    from tests.fixturegen import make_report

    new = make_report("2021", seed=23, year=2023, agency="临江市桦树镇人民政府").values["applications.new_received.total"]
    src = tmp_path / "in"
    src.mkdir()
    (src / "2022.txt").write_text(_report_text(2022, 22), encoding="utf-8")
    (src / "2023.txt").write_text(_report_text(2023, 23, f"2023年，我镇共收到政府信息公开申请{new + 7}件。"),
                                  encoding="utf-8")
    job = tmp_path / "job"
    run_batch([src], BatchOptions(out=job, workers=0, progress=False))
    build_site(job)
    page = _report_page(job, "2023")
    rows = page.xpath("//table[@class='findings']//tr[td]")
    mismatch = [r for r in rows if "text_table_mismatch" in r.text_content()]
    assert len(mismatch) == 1 and mismatch[0].get("class") == "fail"
    severity, code, field, detail = (td.text_content().strip() for td in mismatch[0].xpath("td"))
    assert (severity, code, field) == ("错误", "正文与表格数字不一致 text_table_mismatch",
                                       "applications.new_received.total")
    assert f"prose says {new + 7}, table {new}" in detail
    con = sqlite3.connect(job / "nianbao.sqlite")
    stored = con.execute("SELECT count(*) FROM findings f JOIN documents d ON d.report_id = f.report_id "
                         "WHERE d.path LIKE '%2023.txt'").fetchone()[0]
    assert len(rows) == stored
    assert f"审查发现（{stored}）" in page.text_content()
    index = _page(job, "index.html")
    by_file = {tr.xpath("td[5]")[0].text_content().split()[0]: tr for tr in index.xpath("//table[@id='docs']/tbody/tr")}
    header = [th.text_content() for th in index.xpath("//table[@id='docs']/thead/tr/th")]
    column = header.index("发现")
    row = by_file["2023.txt"]
    assert "text_table_mismatch" in row.get("data-findings").split() and row.get("data-finding-errors") == "1"
    assert row.xpath("td")[column].text_content() == str(stored)
    assert "text_table_mismatch" not in by_file["2022.txt"].get("data-findings").split()
    options = index.xpath("//select[@id='f-findings']/option/@value")
    assert options[:4] == ["", "none", "some", "errors"] and "text_table_mismatch" in options
    body = _page(job, "bodies", index.xpath("//td[@class='body']/a/@href")[0].split("/")[-1])
    years = [h.text_content() for h in body.xpath("//h3")]
    assert years[0].startswith(f"2023 年（{stored} 项）") and years[1].startswith("2022 年")
    assert "text_table_mismatch" in body.text_content()
