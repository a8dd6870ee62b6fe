"""Pre-2019 statistics tables in crawler text (page.txt): glued, spaced and one cell per line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import convert
from pipeline.legacy_fields import glued_cuts
from tests.fixturegen.pre2019 import make_legacy
from tests.fixturegen.pre2019_text import GLUED_L4, GLUED_L4_FIELDS, STYLES, glued_l4, page_txt


def _values(report) -> dict:
    return report.legacy_values()


def _expected(spec) -> dict:
    return {f"{f}.{k}": v for f, d in spec.expected.items() for k, v in d.items() if k != "unit"}


def _write(tmp_path: Path, spec, style: str) -> Path:
    path = tmp_path / f"{spec.layout}_{style}.txt"
    path.write_text(page_txt(spec, style), encoding="utf-8")
    return path


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("layout", ["L1", "L3"])
def test_one_value_column_is_exact_in_every_rendering(tmp_path: Path, layout: str, style: str) -> None:
    """With one value column the unit and the row numbers alone cut the text, glued or not."""
    spec = make_legacy(layout, seed=11)
    report = convert(_write(tmp_path, spec, style))
    assert report.report.template == "legacy"
    assert report.report.year == spec.table_year
    assert report.report.published == f"{spec.year + 1}-01-20"
    assert _values(report) == _expected(spec)
    units = {f: d["unit"] for f, d in spec.expected.items()}
    assert {f: report.legacy_entry(f)["unit"] for f in units} == units
    assert not [i for i in report.issues if i.code.startswith("legacy.") and i.code != "legacy.parts"]


@pytest.mark.parametrize("style", ["spaced", "lines"])
def test_two_value_columns_apart_are_exact(tmp_path: Path, style: str) -> None:
    spec = make_legacy("L4", seed=12)
    report = convert(_write(tmp_path, spec, style))
    assert report.report.template == "legacy"
    assert _values(report) == _expected(spec)
    assert [r.model_dump() for r in report.legacy_unmapped or []] == spec.unmapped


def test_glued_pairs_are_cut_only_when_one_cut_is_possible(tmp_path: Path) -> None:
    """`主动公开文件数条346085376` could be 3|46085376, 34|6085376 or 3460|85376: null, the digits kept, an
    issue naming the field. `受理…总数条712` can only be 7|12. A run's last digit that numbers the next row
    (`…条582、同意部分…`) goes to that row."""
    spec = glued_l4()
    report = convert(_write(tmp_path, spec, "glued"))
    assert report.report.template == "legacy" and report.report.year == 2016
    values = _values(report)
    glued_issues = {i.field for i in report.issues if i.code == "legacy.glued"}
    for (_, unit, this, total, unique), field_id in zip(GLUED_L4, GLUED_L4_FIELDS, strict=True):
        digits = f"{this}{total}"
        assert (len(glued_cuts(digits)) == 1) == unique, field_id  # the fixture's own claim holds
        got = (values[f"{field_id}.this_period"], values[f"{field_id}.cumulative"])
        entry = report.legacy_entry(field_id)
        assert entry["unit"] == unit
        if unique:
            assert got == (this, total), field_id
            assert "glued" not in entry and field_id not in glued_issues
        else:
            assert got == (None, None), field_id
            assert entry["glued"] == digits and field_id in glued_issues


def test_a_real_pingtan_page_txt() -> None:
    """The zone's 2016 report as the crawler wrote it (page.txt, its table's cells glued)."""
    path = Path(__file__).parents[1] / "samples" / "txt" / "real_pingtan_2016_zone_page.txt"
    report = convert(path)
    assert (report.report.template, report.report.year, report.report.published) == ("legacy", 2016, "2017-01-18")
    values = _values(report)
    assert report.legacy_entry("legacy.active.total")["glued"] == "346085376"
    assert report.legacy_entry("legacy.active.website")["glued"] == "346085376"
    zeros = [f for f in GLUED_L4_FIELDS if f not in ("legacy.active.total", "legacy.active.website")]
    assert {f"{f}.{c}": values[f"{f}.{c}"] for f in zeros for c in ("this_period", "cumulative")} == {
        f"{f}.{c}": 0 for f in zeros for c in ("this_period", "cumulative")}
    assert not report.legacy_unmapped


def test_one_value_under_two_columns_is_never_cut(tmp_path: Path) -> None:
    """`2017年 | 历年累计` over rows that each print one value (`主动公开文件数条148 … 受理…总数条2`): most runs
    cannot be a pair, so none is cut (148 is not 1 | 48): null, with an issue giving the printed value."""
    spec = glued_l4(year=2017)
    singles = [148, 148, 0, 2, 0, 1, 1, 2, 0, 1, 0, 1, 0, 0, 0, 0]
    for row, value in zip(spec.rows[1:], singles, strict=True):
        row[2:] = [str(value)]
    report = convert(_write(tmp_path, spec, "glued"))
    assert report.report.template == "legacy"
    assert set(_values(report).values()) == {None}
    problems = {i.field: i.message for i in report.issues if i.code == "legacy.value"}
    assert set(problems) == set(GLUED_L4_FIELDS)
    assert "'148' is the row's only value" in problems["legacy.active.total"]


def test_a_cumulative_left_unfilled_is_never_cut_into_a_guess(tmp_path: Path) -> None:
    """A real table prints 主动公开文件数 74 | 0 (the cumulative column unfilled): glued, `740` is 7 | 40 or
    74 | 0, so it stays null; where the cells are apart, 74 | 0 is read with an issue that the cumulative is
    below this year's value."""
    spec = glued_l4(year=2016)
    spec.rows[1][2:] = ["74", "0"]
    glued = convert(_write(tmp_path, spec, "glued"))
    assert glued.legacy_entry("legacy.active.total") == {
        "this_period": None, "cumulative": None, "glued": "740", "unit": "条"}
    spaced = convert(_write(tmp_path, spec, "spaced"))
    assert spaced.legacy_entry("legacy.active.total") == {"this_period": 74, "cumulative": 0, "unit": "条"}
    assert [i.field for i in spaced.issues if i.code == "legacy.cumulative_below"] == ["legacy.active.total"]


def test_a_date_under_the_table_is_no_value(tmp_path: Path) -> None:
    """`行政申诉数 条 0 2013年4月3日`: the signature's date, spaced after the last row, is not a second cell."""
    spec = make_legacy("L1", seed=13)
    path = tmp_path / "page.txt"
    path.write_text(page_txt(spec, "spaced").replace(f"{spec.agency}{spec.year + 1}年1月20日",
                                                     f" {spec.year + 1}年1月20日"), encoding="utf-8")
    report = convert(path)
    assert _values(report) == _expected(spec)
    assert not [i for i in report.issues if i.code == "legacy.value"]


def test_one_empty_cell_in_a_spaced_table_of_pairs_leaves_that_row_null(tmp_path: Path) -> None:
    """The zone's 2013 table prints 政府公报公开 with its 历年累计 cell empty (`条 0` among `条 0 0` rows): which
    cell the 0 is in cannot be told, so that row is null with an issue and the others are read."""
    spec = make_legacy("L4", seed=14)
    spec.rows[3][2:] = ["0"]  # 2、政府公报公开数: this year's cell only
    report = convert(_write(tmp_path, spec, "spaced"))
    values = _values(report)
    expected = _expected(spec)
    expected["legacy.active.gazette.this_period"] = expected["legacy.active.gazette.cumulative"] = None
    assert values == expected
    problems = {i.field: i.message for i in report.issues if i.code == "legacy.value"}
    assert list(problems) == ["legacy.active.gazette"] and "'0' is the only number" in problems["legacy.active.gazette"]
