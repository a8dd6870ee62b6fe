"""Real pre-2019 pages of the Pingtan portal (tests/data/pingtan_zone: the zone's own column, 2011–2025, as the
crawler saved them: page.txt whole, and for 2015 and 2016 the statistics table's element of page.html)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import convert

ZONE = Path(__file__).parent / "data" / "pingtan_zone"


def _page(report_id: str) -> Path:
    return next(ZONE.glob(f"*/{report_id}_*/page.txt"))


def _html_twin(table: Path, title: str, tmp_path: Path) -> Path:
    """The page's statistics table as page.html has it (its <td> cells apart), in a page with its title."""
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
                    f"{table.read_text(encoding='utf-8')}</body></html>", encoding="utf-8")
    return page


# Read off the tables by hand: (this year, cumulative) of 主动公开文件数 and 政府网站公开数, the two rows
# whose cells page.txt glues into digits that can be cut more than one way.
ACTIVE = {"80445": (2015, "294981916", (2949, 81916)), "80485": (2016, "346085376", (3460, 85376))}


@pytest.mark.parametrize("report_id", sorted(ACTIVE))
def test_page_html_cells_give_what_the_glued_text_cannot(report_id: str, tmp_path: Path) -> None:
    """Both renderings of one real report: page.txt leaves the glued 主动公开 pairs null (digits kept), page.html
    gives them; every value page.txt does decide equals page.html's."""
    year, digits, pair = ACTIVE[report_id]
    text = convert(_page(report_id))
    html = convert(_html_twin(_page(report_id).with_name("table.html"), text.report.title or "", tmp_path))
    for report in (text, html):
        assert (report.report.template, report.report.year) == ("legacy", year)
    for field_id in ("legacy.active.total", "legacy.active.website"):
        assert text.legacy_entry(field_id)["glued"] == digits
        assert (text.legacy_entry(field_id)["this_period"], text.legacy_entry(field_id)["cumulative"]) == (None, None)
        assert (html.legacy_entry(field_id)["this_period"], html.legacy_entry(field_id)["cumulative"]) == pair
        assert "glued" not in html.legacy_entry(field_id)
    text_values, html_values = text.legacy_values(), html.legacy_values()
    assert set(text_values) == set(html_values) and len(text_values) == 32
    decided = {k: v for k, v in text_values.items() if v is not None}
    assert len(decided) == 28 and decided == {k: html_values[k] for k in decided}


# The series as printed, read by hand: 受理依申请公开信息总数 (2011–2018) / 本年新收 (2019–), 行政复议, 行政诉讼
# (table 四's 总计s). 2012's 2121 is glued (21 | 21 or 2 | 121): 2011's cumulative 0 decides 21 | 21, which
# 2013's 7 | 28 confirms.
ZONE_PANEL = {
    2011: ("legacy", 0, 0, 0), 2012: ("legacy", 21, 0, 0), 2013: ("legacy", 7, 0, 0), 2014: ("legacy", 1, 0, 0),
    2015: ("legacy", 0, 0, 0), 2016: ("legacy", 0, 0, 0), 2017: ("legacy", 0, 0, 0), 2018: ("legacy", 0, 0, 0),
    2019: ("2019", 23, 0, 0), 2020: ("2019", 21, 0, 0), 2021: ("2021", 70, 3, 12), 2022: ("2021", 74, 2, 1),
    2023: ("2021", 81, 2, 7), 2024: ("2021", 218, 7, 19), 2025: ("2021", 154, 36, 9),
}


def test_the_real_zone_column_is_one_panel_from_2011_to_2025_with_the_break_marked(tmp_path: Path) -> None:
    """The portal's own column as one batch: one body (350128:人民政府), one row a year, the series drawn
    through the 2019 break, which is marked on 2019 alone."""
    import csv

    from pipeline.batch.job import BatchOptions, run_batch

    run_batch([ZONE], BatchOptions(out=tmp_path / "job", workers=0, progress=False))
    with open(tmp_path / "job" / "panel.csv", encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["body_id"] == "350128:人民政府"]
    got = {int(r["year"]): (r["template"], int(r["applications_received"]), int(r["review"]), int(r["litigation"]))
           for r in rows}
    assert got == ZONE_PANEL
    assert [int(r["year"]) for r in rows if r["break_before"] == "1"] == [2019]
