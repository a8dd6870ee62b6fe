"""The plain-text extractor: encodings, layouts, and the real text renderings in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import extract
from pipeline import convert
from pipeline.errors import NianbaoError
from tests.fixturegen import make_report
from tests.fixturegen.text_render import (
    LAYOUTS,
    ROW_MARKS,
    chinese_date,
    render_onecell,
    render_spaced_crawler,
    render_text,
    with_page_marks,
)
from tests.helpers import field_mismatches, flatten

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("template", ["2021", "2019"])
def test_every_layout_every_field(tmp_path: Path, layout: str, template: str) -> None:
    spec = make_report(template, seed=len(layout) * 7 + int(template), agency="镕堃喆镇人民政府")
    path = tmp_path / f"r.{layout}.txt"
    path.write_text(render_text(spec, layout), encoding="utf-8")
    report = convert(path)
    assert field_mismatches(spec.values, report.model_dump()) == {}
    assert (report.report.template, report.report.year, report.report.agency) == (template, spec.year, spec.agency)


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_run_together_cells_are_cut_exactly_or_left_null(tmp_path: Path, template: str) -> None:
    """A crawler's text with every cell glued to the next: a value is the true one or null, never wrong.

    Distinct multi-digit values make many runs ambiguous; each null must carry the issue that says so.
    """
    exact = tables = 0
    for seed in range(4):
        spec = make_report(template, seed=seed)
        path = tmp_path / f"crawler{seed}.txt"
        path.write_text(render_text(spec, "crawler"), encoding="utf-8")
        report = convert(path)
        got = flatten(report.model_dump())
        wrong = {k: (v, got.get(k)) for k, v in spec.values.items() if got.get(k) not in (None, v)}
        assert wrong == {}
        assert report.report.template == template
        t34 = [k for k in spec.values if k.startswith(("applications.", "review_litigation."))]
        exact += sum(got.get(k) == spec.values[k] for k in t34)
        tables += len(t34)
        if any(got.get(k) is None for k in spec.values):
            assert any(i.code == "run_together_ambiguous" for i in report.issues)
    assert exact / tables >= 0.4, f"{exact}/{tables} values of tables 三 and 四 cut apart"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    spec = make_report("2021", seed=5, agency="喆镕乡人民政府" if encoding != "gbk" else "金华乡人民政府")
    path = tmp_path / "r.txt"
    path.write_bytes(render_text(spec, "tsv").encode(encoding))
    report = convert(path)
    assert report.report.agency == spec.agency
    assert field_mismatches(spec.values, report.model_dump()) == {}


def test_undecodable_bytes_never_crash(tmp_path: Path) -> None:
    spec = make_report("2021", seed=6)
    data = render_text(spec, "tsv").encode("utf-8")
    path = tmp_path / "r.txt"
    path.write_bytes(data[:200] + b"\xff\xfe\xfa" + data[200:])
    doc = extract(path)
    assert doc.blocks


@pytest.mark.skipif(not REAL.exists(), reason="needs ../shared")
@pytest.mark.parametrize("path", sorted(REAL.glob("txt_*")), ids=lambda p: p.name[:6])
def test_real_text_renderings_never_crash(path: Path) -> None:
    try:
        convert(path)
    except NianbaoError as exc:
        assert "\n" not in str(exc)


# ---- issue 14: one cell per line, cells apart by single spaces, 落款 past page debris, page markers

def _spec_and_page(template: str, seed: int, **options):
    from tests.fixturegen.html_builder import portal_page

    spec = make_report(template, seed=seed, agency=options.pop("agency", "镕堃喆镇人民政府"), **options)
    return spec, portal_page(spec, seed=seed)


def _convert_text(tmp_path: Path, text: str):
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    return convert(path)


def _assert_exact(spec, report) -> None:
    assert field_mismatches(spec.values, report.model_dump()) == {}
    meta = report.report
    assert (meta.template, meta.year, meta.agency, meta.published) == (
        spec.template, spec.year, spec.agency, spec.published)


@pytest.mark.parametrize("rows", ROW_MARKS)
@pytest.mark.parametrize("template", ["2021", "2019"])
def test_one_cell_per_line_header_cells_in_document_order(tmp_path: Path, template: str, rows: str) -> None:
    """`自然人`, `法人或其他组织`, `总计`, then `商业企业`…: the header tree places table 三's columns (and
    四's), with an issue saying the placement was inferred; distinct values fail any permutation."""
    spec, page = _spec_and_page(template, seed=40 + ROW_MARKS.index(rows))
    report = _convert_text(tmp_path, render_onecell(page, rows))
    _assert_exact(spec, report)
    inferred = [i.message for i in report.issues if i.code == "columns_inferred"]
    assert any(m.startswith("table 三") for m in inferred) and any(m.startswith("table 四") for m in inferred)
    assert all(c.ok for c in report.checks)


def test_failed_checks_after_an_inferred_placement_say_so(tmp_path: Path) -> None:
    spec, page = _spec_and_page("2021", seed=47, break_rule="balance")
    report = _convert_text(tmp_path, render_onecell(page, "bare"))
    assert field_mismatches(spec.values, report.model_dump()) == {}
    assert {c.rule for c in report.checks if not c.ok} == {"applications.balance"}
    explained = [i.message for i in report.issues if i.code == "checks_failed"]
    assert len(explained) == 1 and "table 三" in explained[0] and "header tree" in explained[0]


def test_header_tree_lays_out_cells_that_lost_their_positions() -> None:
    from pipeline.normalise.headers import HeaderTree, Node
    from pipeline.normalise.labels import labels

    tree = HeaderTree("t3", labels())
    span = next(lab.key for lab in labels().of("span") if lab.scheme == "t3")
    leaves = ["commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org",
              "other_org"]
    flat = [Node("column", "natural_person"), Node("span", span), Node("column", "total"),
            *(Node("column", c) for c in leaves)]
    expected = ["natural_person", *leaves, "total"]
    assert tree.lay_out([(node, i) for i, node in enumerate(flat)]) == expected
    # a converter that put 总计 on the row above: the columns the text gave order the row
    skewed = [(flat[2], 9), (flat[0], 2), (flat[1], 3), *((node, 3 + i) for i, node in enumerate(flat[3:]))]
    assert tree.lay_out(skewed) == expected
    assert tree.lay_out([(node, i) for i, node in enumerate(flat[:-1])]) is None  # a header cell missing


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_cells_apart_by_single_spaces(tmp_path: Path, template: str) -> None:
    """A crawler's page.txt whose cells are apart by one space (`规范性文件 6 4 11`), a unit in a cell
    (`政府集中采购 274笔 363500元`): every field exact, none glued and left null."""
    for seed in (50, 51):
        spec, _ = _spec_and_page(template, seed=seed, agency="平潭综合实验区管委会")
        if template == "2019":  # the count written with its unit, as some bodies do
            for row in spec.blocks[5]:
                if row[0].text == "政府集中采购":
                    row[1] = type(row[1])(row[1].text + "笔", row[1].rowspan, row[1].colspan)
        from tests.fixturegen.html_builder import portal_page

        text = render_spaced_crawler(portal_page(spec, seed=seed))
        assert (" 笔" not in text) and (template == "2021" or "笔 " in text)
        report = _convert_text(tmp_path, text)
        _assert_exact(spec, report)
        assert not [i for i in report.issues if i.code == "run_together_ambiguous"]


def test_spaced_cells_keep_a_reports_own_failing_sums(tmp_path: Path) -> None:
    """A row whose 总计 does not add up is still its spaced cells: never a glued cut that happens to sum."""
    from tests.fixturegen.html_builder import portal_page

    spec = make_report("2021", seed=0, break_rule="row_total")
    report = _convert_text(tmp_path, render_spaced_crawler(portal_page(spec, seed=0)))
    assert field_mismatches(spec.values, report.model_dump()) == {}
    assert "applications.row_total" in {c.rule for c in report.checks if not c.ok}
    assert any(i.code == "checks_failed" for i in report.issues)


@pytest.mark.parametrize("rows", ROW_MARKS)
@pytest.mark.parametrize("template", ["2021", "2019"])
def test_signature_in_chinese_numerals_past_page_debris(tmp_path: Path, template: str, rows: str) -> None:
    """A whole saved page as text: the 落款 date (二〇二四年一月十二日, 元月) wins over the page's later
    发布时间 though share bars, 【打印本页】【关闭窗口】, related links and the footer follow it."""
    import dataclasses

    from tests.fixturegen.html_builder import portal_page

    seed = 60 + ROW_MARKS.index(rows)
    spec = make_report(template, seed=seed, agency="镕堃喆镇人民政府")
    spec.blocks[-1] = chinese_date(spec.published, "元" if seed % 2 else "一")
    page = portal_page(dataclasses.replace(spec, published=f"{spec.year + 1}-02-{seed % 20 + 3:02d}"), seed=seed)
    text = render_onecell(page, rows, whole_page=True)
    assert text.index("关闭窗口") > text.rindex("〇")  # debris after the 落款 date
    _assert_exact(spec, _convert_text(tmp_path, text))


@pytest.mark.parametrize("style", ["flipbook", "dash"])
def test_page_markers_never_inside_the_agency(tmp_path: Path, style: str) -> None:
    spec = make_report("2021", seed=70, agency="威海市文登区信访局")
    date_line = spec.blocks[-1]
    text = with_page_marks(render_text(spec, "tsv" if style == "flipbook" else "pipe"), spec.title, every=23,
                           style=style, break_before=date_line)
    assert text.startswith("Page 1 - ") if style == "flipbook" else "- 3 -" in text
    _assert_exact(spec, _convert_text(tmp_path, text))


@pytest.mark.parametrize(("line", "iso"), [("二〇二一年一月十八日", "2021-01-18"), ("二○二一年元月八日", "2021-01-08"),
                                           ("二〇二三年十二月三十一日", "2023-12-31"), ("2024年1月9日", "2024-01-09"),
                                           ("二〇二一年十三月一日", None)])
def test_signature_dates(line: str, iso: str | None) -> None:
    from pipeline.normalise.metadata import _date_of

    assert _date_of(line) == iso
