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
