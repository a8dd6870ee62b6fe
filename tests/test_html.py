"""extractors.html: portal pages, Word/LibreOffice HTML and .mht archives into paragraphs and tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import extract
from extractors.html.decode import decode_html
from pipeline import convert
from pipeline.errors import ExtractionError
from pipeline.intermediate import Paragraph, Table
from tests.fixturegen import html_builder as hb
from tests.fixturegen import make_report
from tests.helpers import field_mismatches

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DEV_HTML = sorted((SHARED / "dev").glob("dev_*.html"))
REAL = SHARED / "real"


def read(tmp_path: Path, markup: str | bytes, name: str = "page.html"):
    path = tmp_path / name
    path.write_bytes(markup.encode("utf-8") if isinstance(markup, str) else markup)
    return extract(path)


def tables(doc) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def paragraphs(doc) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def grid(table: Table) -> list[list[str | None]]:
    """Each position's text where a cell starts, None where it is covered by a span."""
    g: list[list[str | None]] = [[None] * table.n_cols for _ in range(table.n_rows)]
    for c in table.cells:
        g[c.row][c.col] = c.text
    return g


# ----- tables --------------------------------------------------------------------------------------

def test_spans_missing_cells_and_overruns(tmp_path: Path) -> None:
    doc = read(tmp_path, """<table>
      <tr><td rowspan="2">A</td><td colspan="2">B</td></tr>
      <tr><td>1</td><td>2</td></tr>
      <tr><td>C</td><td>3</td></tr>
      <tr><td>D</td><td colspan="5">4</td></tr>
      <tr><td rowspan="9">E</td><td>5</td><td>6</td></tr>
    </table>""")
    (t,) = tables(doc)
    assert (t.n_rows, t.n_cols) == (5, 3)
    assert grid(t) == [["A", "B", None], [None, "1", "2"], ["C", "3", None], ["D", "4", None], ["E", "5", "6"]]
    spans = {c.text: (c.rowspan, c.colspan) for c in t.cells}
    assert spans["4"] == (1, 2)  # colspan 5 clipped to the table's 3 columns
    assert spans["E"] == (1, 1)  # rowspan 9 clipped to the last row
    assert {w.code for w in doc.warnings} == {"span_clipped"}


def test_th_thead_tfoot_and_unclosed_cells(tmp_path: Path) -> None:
    doc = read(tmp_path, """<table><tfoot><tr><td>合计<td>9</tfoot>
      <thead><tr><th>项目<th>数量</thead>
      <tbody><tr><td>甲<td>4<tr><td>乙<td>5
    </table><p>表后""")
    (t,) = tables(doc)
    assert grid(t) == [["项目", "数量"], ["甲", "4"], ["乙", "5"], ["合计", "9"]]
    assert paragraphs(doc) == ["表后"]


def test_cell_text_runs_breaks_and_blanks(tmp_path: Path) -> None:
    doc = read(tmp_path, """<table><tr>
      <td><span style="font-family:宋体">本年</span><font face="仿宋">制发</font><b>件数</b></td>
      <td>结果<br/>纠正</td>
      <td><p>社会</p><p>公益</p>\n<p>&nbsp;</p><p>组织</p></td>
      <td>&nbsp;\u3000 12 &nbsp;</td>
      <td><p>&nbsp;</p></td>
      <td>三、本年度\n     办理结果</td>
    </tr></table>""")
    (t,) = tables(doc)
    assert [c.text for c in t.cells] == ["本年制发件数", "结果\n纠正", "社会\n公益\n组织", "12", "", "三、本年度办理结果"]


def test_paragraphs_br_headings_and_whitespace(tmp_path: Path) -> None:
    doc = read(tmp_path, """<body><h1>某县2023年政府信息公开工作年度报告</h1>
      <p>\u3000\u3000第一行<br>第二行</p><div>中文在源码里
      换行，English
      words stay apart</div><h3>一、总体情况</h3><p>&nbsp;</p></body>""")
    assert [(b.text, b.heading) for b in doc.blocks] == [
        ("某县2023年政府信息公开工作年度报告", 1), ("第一行", None), ("第二行", None),
        ("中文在源码里换行，English words stay apart", None), ("一、总体情况", 3)]


def test_nested_layout_tables_emit_only_the_data_tables(tmp_path: Path) -> None:
    doc = read(tmp_path, """<table class="outer"><tr><td>
      <p>二、主动公开政府信息情况</p>
      <table><tr><td>规章</td><td>1</td><td>2</td><td>3</td></tr></table>
      <table><tr><td><table><tr><td>行政许可</td><td>7</td></tr></table></td></tr></table>
      <p>落款</p></td></tr></table>""")
    assert [(t.n_rows, t.n_cols) for t in tables(doc)] == [(1, 4), (1, 2)]
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Table", "Paragraph"]


def test_rowspan_zero_and_bad_span_attributes(tmp_path: Path) -> None:
    doc = read(tmp_path, """<table><tr><td rowspan="0">A</td><td colspan="x">B</td><td colspan="2;">C</td></tr>
      <tr><td>1</td><td>2</td><td>3</td></tr></table>""")
    (t,) = tables(doc)
    assert grid(t) == [["A", "B", "C", None], [None, "1", "2", "3"]]


# ----- the page around the report ------------------------------------------------------------------

CHROME = ("无障碍浏览", "当前位置", "政府信息公开指南", "索", "分享到", "打印本页", "相关信息", "主办", "ICP",
          "中国政府网", "统计代码", "请输入关键字", "访问次数", "欢迎访问", "全站搜索")


@pytest.mark.parametrize("container", ["TRS_Editor", "zoom", "UCAP-CONTENT", "plain"])
def test_portal_chrome_is_left_out(tmp_path: Path, container: str) -> None:
    spec = make_report("2021", seed=31, agency="东山区审计局")
    doc = read(tmp_path, hb.portal_page(spec, seed=31, container=container, nested=container == "zoom"))
    texts = paragraphs(doc)
    assert texts[0] == spec.title
    assert texts[-2:] == [spec.agency, "{}年{}月{}日".format(*map(int, spec.published.split("-")))]
    assert not [t for t in texts if any(word in t for word in CHROME)]
    assert [(t.n_rows, t.n_cols) for t in tables(doc)] == [(14, 4), (28, 10), (4, 15)]
    assert doc.source.metadata["ArticleTitle"] == spec.title
    assert doc.source.metadata["PubDate"].startswith(spec.published)
    assert doc.source.metadata["ContentSource"] == spec.agency
    assert doc.source.metadata["title"] == f"{spec.title}_{hb.SITE}"


def test_word_html_list_numbers_hidden_text_and_helper_rows(tmp_path: Path) -> None:
    spec = make_report("2019", seed=32, agency="西河乡人民政府", year=2019)
    doc = read(tmp_path, hb.word_html(spec, seed=32).encode("gbk"), "report.htm")
    texts = paragraphs(doc)
    assert "一、 总体情况" in texts  # the number from <![if !supportLists]> survives
    assert not [t for t in texts if "隐藏文字" in t]  # mso-hide:all
    assert [(t.n_rows, t.n_cols) for t in tables(doc)] == [(18, 4), (26, 10), (4, 15)]  # no zero-height row
    assert doc.source.metadata["encoding"] == "gb18030"


def test_bad_input_is_a_one_line_error(tmp_path: Path) -> None:
    for markup in (b"<html><body><script>var a = '\xe4\xb8\xad';</script></body></html>",
                   b"<html>\x00\x01\x02\x00binary</html>", b"<div>" * 3000 + b"x" + b"</div>" * 3000,
                   b"<table><tr><td>" * 3000 + b"x"):
        with pytest.raises(ExtractionError):
            read(tmp_path, markup)


def test_unclosed_fonts_nesting_past_libxml2_default_depth(tmp_path: Path) -> None:
    doc = read(tmp_path, "<font>" * 600 + "<p>正文</p><table><tr><td>1</td><td>2</td></tr></table><p>尾</p>")
    assert paragraphs(doc) == ["正文", "尾"] and len(tables(doc)) == 1


# ----- encodings -----------------------------------------------------------------------------------

TEXT = "镕城镇人民政府：王堃、李喆。本年度办理结果"


@pytest.mark.parametrize(("declared", "codec", "warning"), [
    ("gb2312", "gbk", None),  # gb2312 declared, GBK-only characters used
    ("gbk", "gb18030", None),
    ("utf-8", "utf-8", None),
    (None, "utf-8", None),
    (None, "gbk", "encoding_guessed"),
    ("utf-8", "gbk", "encoding_mismatch"),  # a browser saved the page as GBK but kept the meta
    ("gb2312", "utf-8", "encoding_mismatch"),
    ("big5", "big5", None),
    ("x-unknown-charset", "utf-8", "unknown_charset"),
])
def test_encodings(tmp_path: Path, declared: str | None, codec: str, warning: str | None) -> None:
    text = "鎮人民政府：本年度辦理結果，行政復議" if codec == "big5" else TEXT
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">' if declared else ""
    doc = read(tmp_path, f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>".encode(codec))
    assert paragraphs(doc) == [text]
    assert {w.code for w in doc.warnings} == ({warning} if warning else set())


def test_bom_and_undecodable_bytes(tmp_path: Path) -> None:
    for codec in ("utf-16", "utf-8-sig"):  # both write a BOM
        assert paragraphs(read(tmp_path, '<meta charset="gbk"><p>中文</p>'.encode(codec))) == ["中文"]
    doc = read(tmp_path, b'<meta charset="gb2312"><p>' + "中文".encode("gbk") + b"\xff\xff\xff\xff</p>")
    assert paragraphs(doc)[0].startswith("中文")
    assert [w.code for w in doc.warnings] == ["encoding_replaced"]
    decoded = decode_html(b"<p>\x80\x81\x82\xfe\xff\xfe\xff</p>" * 3)
    assert decoded.text.startswith("<p>") and decoded.warnings


# ----- MHTML ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("page_charset", "part_charset", "cte"), [
    ("utf-8", None, "quoted-printable"),  # Chrome / Edge
    ("gb2312", "gb2312", "base64"),  # IE / Word
    ("utf-8", "gbk", "base64"),  # the part's charset is wrong: the bytes win
])
def test_mhtml(tmp_path: Path, page_charset: str, part_charset: str | None, cte: str) -> None:
    spec = make_report("2021", seed=33, agency="镕城镇人民政府")
    page = hb.portal_page(spec, seed=33, charset=page_charset).encode("gbk" if page_charset != "utf-8" else "utf-8")
    path = tmp_path / "page.mht"
    path.write_bytes(hb.mhtml(page, charset=part_charset, encoding=cte, subject=spec.title))
    doc = extract(path)
    assert doc.source.format == "mhtml"
    assert paragraphs(doc)[0] == spec.title
    assert len(tables(doc)) == 3
    assert doc.source.metadata["mhtml_subject"] == spec.title
    assert doc.source.metadata["url"].startswith("http://www.linjiang.gov.cn/")
    report = convert(path).model_dump()
    assert field_mismatches(spec.values, report) == {}


def test_mhtml_without_a_page(tmp_path: Path) -> None:
    path = tmp_path / "x.mht"
    path.write_bytes(b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n'
                     b"--b\r\nContent-Type: image/png\r\n\r\nxx\r\n--b--\r\n")
    with pytest.raises(ExtractionError, match="no text/html part") as info:
        extract(path)
    assert info.value.kind == "empty"


# ----- end to end: every field of generated pages ---------------------------------------------------

def _pages():
    """(id, file name, bytes, spec): the renderers over both templates, encodings and quirks."""
    cases = []
    s = make_report("2021", seed=41, agency="镕城镇人民政府", year=2023, nulls=6)
    cases.append(("gbk-gb2312-trs", "a.html", hb.portal_page(s, seed=41, charset="gb2312",
                                                              extra_paragraph="联系人：王堃、李喆。").encode("gbk"), s))
    s = make_report("2019", seed=42, agency="青石县民政局", year=2020)
    cases.append(("utf8-zoom-2019-unclosed-nested", "b.html",
                  hb.portal_page(s, seed=42, container="zoom", unclosed=True, nested=True).encode(), s))
    s = make_report("2021", seed=43, agency="白桦县交通运输局", year=2022, break_rule="balance")
    cases.append(("utf8-unnamed-container", "c.shtml", hb.portal_page(s, seed=43, container="plain").encode(), s))
    s = make_report("2021", seed=44, agency="东山区审计局", year=2024, break_rule="results_total")
    cases.append(("ucap-gbk-unclosed", "d.htm", hb.portal_page(s, seed=44, container="UCAP-CONTENT", charset="gbk",
                                                               unclosed=True).encode("gbk"), s))
    s = make_report("2021", seed=45, agency="喆阳街道办事处", year=2021)
    cases.append(("thead-2021", "e.html", hb.thead_page(s, seed=45).encode(), s))
    s = make_report("2019", seed=46, agency="北岭镇人民政府", year=2019, nulls=3)
    cases.append(("thead-2019", "f.html", hb.thead_page(s, seed=46).encode(), s))
    s = make_report("2021", seed=47, agency="南湖街道办事处", year=2023)
    cases.append(("word-2021", "g.htm", hb.word_html(s, seed=47).encode("gbk"), s))
    s = make_report("2019", seed=48, agency="西河乡人民政府", year=2020, break_rule="review_total")
    cases.append(("word-2019", "h.htm", hb.word_html(s, seed=48).encode("gbk"), s))
    s = make_report("2021", seed=49, agency="堃山县人民政府办公室", year=2023)
    cases.append(("mhtml-ie-gbk", "i.mht", hb.mhtml(hb.portal_page(s, seed=49, charset="gbk").encode("gbk"),
                                                     charset="gbk", encoding="base64"), s))
    return cases


PAGES = _pages()


def assert_converts_exactly(path: Path, spec) -> None:
    report = convert(path).model_dump()
    assert field_mismatches(spec.values, report) == {}
    for key in ("template", "year", "agency", "published"):
        assert report["report"][key] == getattr(spec, key), key
    assert {c["rule"] for c in report["checks"] if not c["ok"]} == set(spec.expect_failing)


@pytest.mark.parametrize(("name", "data", "spec"), [c[1:] for c in PAGES], ids=[c[0] for c in PAGES])
def test_generated_pages_convert_exactly(tmp_path: Path, name: str, data: bytes, spec) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert_converts_exactly(path, spec)


@pytest.mark.skipif(hb.soffice() is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("template", ["2021", "2019"])
def test_libreoffice_html_export_converts_exactly(tmp_path: Path, template: str) -> None:
    spec = make_report(template, seed=51, agency="抚松县松江河镇人民政府", year=2022 if template == "2021" else 2020)
    path = tmp_path / "lo.html"
    path.write_bytes(hb.libreoffice_html(spec))
    assert "LibreOffice" in extract(path).source.metadata.get("generator", "")
    assert_converts_exactly(path, spec)


# ----- the shared corpus: real pages and the dev set ------------------------------------------------

needs_shared = pytest.mark.skipif(not REAL.is_dir(), reason="../shared corpus not available")

T4 = [f"review_litigation.{g}.{c}" for g in ("review", "litigation_direct", "litigation_after_review")
      for c in ("upheld", "corrected", "other", "pending", "total")]


def flat(path: Path) -> tuple[dict, dict]:
    from tests.helpers import flatten

    report = convert(path).model_dump()
    return report["report"], flatten(report)


@needs_shared
def test_real_shanghai_fragment() -> None:
    path = REAL / "html_01_shanghai_bgt2019_fragment.html"
    doc = extract(path)
    assert [(t.n_rows, t.n_cols) for t in tables(doc)] == [(18, 5), (26, 10), (4, 15)]
    t2 = grid(tables(doc)[0])
    assert t2[1][1] == "本年新\n制作数量" and t2[17][3] == "251000元"
    meta, v = flat(path)
    assert meta["template"] == "2019" and meta["year"] == 2019
    assert v["active_disclosure.procurement.amount"] == 251000 and v["active_disclosure.procurement.amount_unit"] == "元"
    assert [v[f"applications.{r}.total"] for r in ("new_received", "carried_over", "results_total", "carried_forward")] \
        == [859, 18, 805, 72]
    assert v["applications.granted.total"] is None  # 总计 left blank in the source
    assert [v[k] for k in T4] == [5, None, None, 2, 7, 8, None, None, 1, 9] + [None] * 5


@needs_shared
@pytest.mark.parametrize(("name", "year", "t4", "extra"), [
    ("html_02_pingtan_2024", 2024, [2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19],
     {"active_disclosure.fees.amount_10k_yuan": 18651.06, "active_disclosure.normative_documents.in_force": 440}),
    ("html_03_pingtan_2025", 2025, [25, 3, 8, 0, 36, 3, 3, 0, 0, 6, 3, 0, 0, 0, 3],
     {"active_disclosure.fees.amount_10k_yuan": 4166.241619, "applications.new_received.natural_person": 151,
      "applications.new_received.commercial_enterprise": 3, "applications.new_received.total": 154,
      "applications.unavailable_not_held.total": 50, "applications.results_total.total": 148,
      "applications.carried_forward.total": 6}),
    ("html_04_pingtan_2019", 2019, [0] * 15,
     {"applications.new_received.total": 23, "applications.granted.total": 7, "applications.partially_granted.total": 1,
      "applications.unavailable_not_held.total": 7, "applications.unavailable_unclear.total": 5,
      "applications.rejected_duplicate.total": 3, "applications.results_total.total": 23,
      "active_disclosure.fees.previous_year_items": 35, "active_disclosure.procurement.items": 135,
      "active_disclosure.procurement.amount": 75394432.52,
      "active_disclosure.other_services.previous_year_items": 10, "active_disclosure.regulations.created": 0}),
])
def test_real_pingtan_pages(name: str, year: int, t4: list[int], extra: dict) -> None:
    path = REAL / f"{name}.html"
    doc = extract(path)
    assert len(tables(doc)) == 3
    assert doc.source.metadata["ArticleTitle"] == f"平潭综合实验区{year}年度政府信息公开工作年度报告"
    texts = paragraphs(doc)
    assert not [t for t in texts if "当前位置" in t or "分享" in t or "版权所有" in t or "网站标识码" in t]
    meta, v = flat(path)
    assert (meta["year"], meta["template"]) == (year, "2019" if year == 2019 else "2021")
    assert [v[k] for k in T4] == t4
    assert {k: v[k] for k in extra} == extra


@pytest.mark.skipif(not DEV_HTML, reason="../shared dev corpus not available")
@pytest.mark.parametrize("path", DEV_HTML, ids=[p.stem for p in DEV_HTML])
def test_dev_pages_convert_exactly(path: Path) -> None:
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    report = convert(path).model_dump()
    assert field_mismatches(truth["fields"], report) == {}
    for key in ("template", "year", "agency", "published"):
        assert str(report["report"][key]) == str(truth[key]), key


def test_dates_shown_on_the_page_become_metadata(tmp_path: Path) -> None:
    doc = read(tmp_path, "<p>某局2019年政府信息公开工作年度报告</p><p>发布日期：2020-01-31</p><p>正文</p>")
    assert doc.source.metadata["发布日期"] == "2020-01-31"
    doc = read(tmp_path, '<meta name="PubDate" content="2024-01-26 10:22"><div class="info">发布时间：2024-01-26</div>')
    assert doc.source.metadata["PubDate"] == "2024-01-26 10:22" and doc.source.metadata["发布时间"] == "2024-01-26"
