"""The DOCX extractor: grids with exact spans, body order, content controls, frames, numbering, bad
input; and end to end, every field of generated reports in every real-world variant."""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
import zipfile
from pathlib import Path

import pytest

from extractors import extract
from extractors.docx import read_docx
from extractors.docx.numbering import chinese_count, format_number
from pipeline.errors import ExtractionError
from pipeline.intermediate import Paragraph, Table
from tests.fixturegen import make_report
from tests.fixturegen.docx_builder import (
    STATUTE_HEADINGS,
    TEMPLATE_2021,
    VARIANTS,
    W_DECL,
    build_docx,
    docx_with_body,
)
from tests.helpers import field_mismatches

DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
DEV_DOCX = sorted(DEV.glob("dev_*.docx")) if DEV.is_dir() else []
NUMBERING_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
NUMBERING_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"


def tables(doc) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def paragraphs(doc) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def cell_at(table: Table, row: int, col: int):
    """The cell covering grid position (row, col)."""
    for c in table.cells:
        if c.row <= row < c.row + c.rowspan and c.col <= col < c.col + c.colspan:
            return c
    return None


def assert_tiles(table: Table) -> None:
    """Every grid position is covered by exactly one cell."""
    seen: dict[tuple[int, int], int] = {}
    for c in table.cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                seen[(r, k)] = seen.get((r, k), 0) + 1
    assert all(v == 1 for v in seen.values()), [k for k, v in seen.items() if v > 1]
    assert len(seen) == table.n_rows * table.n_cols


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def table_xml(rows: str, grid: int | None = 3) -> str:
    cols = "".join('<w:gridCol w:w="1000"/>' for _ in range(grid or 0))
    return f"<w:tbl><w:tblPr/>{'<w:tblGrid>' + cols + '</w:tblGrid>' if grid else ''}{rows}</w:tbl><w:p/>"


def tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


# ----- the real blank template ------------------------------------------------------------------------

def test_blank_template_spans():
    doc = extract(TEMPLATE_2021)
    t2, t3, t4 = tables(doc)
    assert (t2.n_rows, t2.n_cols) == (14, 4)
    assert (t3.n_rows, t3.n_cols) == (28, 10)
    assert (t4.n_rows, t4.n_cols) == (4, 15)
    for t in (t2, t3, t4):
        assert_tiles(t)
    results = cell_at(t3, 5, 0)
    assert results.text == "三、本年度办理结果" and (results.row, results.rowspan, results.colspan) == (5, 22, 1)
    corner = cell_at(t3, 0, 0)
    assert (corner.rowspan, corner.colspan) == (3, 3) and corner.text.startswith("（本列数据的勾稽关系")
    assert cell_at(t3, 0, 3).text == "申请人情况" and cell_at(t3, 0, 3).colspan == 7
    assert cell_at(t3, 2, 4).text == "商业\n企业"  # two paragraphs in one cell
    assert cell_at(t3, 7, 1).text == "（三）不予公开" and cell_at(t3, 7, 1).rowspan == 8
    assert cell_at(t3, 23, 1).text == "（六）其他处理" and cell_at(t3, 23, 1).rowspan == 3
    assert cell_at(t2, 6, 1).colspan == 3
    assert [c.rowspan for c in t4.rows()[1][:5]] == [2] * 5
    assert doc.source.metadata["author"] and doc.source.metadata["modified"].startswith("2025")


def test_body_order_interleaves_headings_and_tables(tmp_path):
    spec = make_report("2021", seed=1)
    doc = extract(write(tmp_path, "r.docx", build_docx(spec)))
    kinds = [(b.kind, b.text[:4] if isinstance(b, Paragraph) else b.n_rows) for b in doc.blocks]
    order = [k for k in kinds if k[0] == "table" or k[1][:2] in ("二、", "三、", "四、", "五、")]
    assert order == [("paragraph", "二、主动"), ("table", 14), ("paragraph", "三、收到"), ("table", 28),
                     ("paragraph", "四、政府"), ("table", 4), ("paragraph", "五、存在")]
    assert doc.blocks[0].text == spec.title
    assert doc.source.metadata["title"] == spec.title and doc.source.metadata["author"] == spec.agency


def test_filled_2021_values_in_place(tmp_path):
    spec = make_report("2021", seed=2)
    t3 = tables(extract(write(tmp_path, "r.docx", build_docx(spec))))[1]
    assert cell_at(t3, 3, 3).text == str(spec.values["applications.new_received.natural_person"])
    assert cell_at(t3, 27, 9).text == str(spec.values["applications.carried_forward.total"])


def test_2019_layout_merges(tmp_path):
    spec = make_report("2019", seed=2, year=2020)
    t2, t3, t4 = tables(extract(write(tmp_path, "r.docx", build_docx(spec))))
    assert (t2.n_rows, t2.n_cols, t3.n_rows, t3.n_cols, t4.n_cols) == (18, 4, 26, 10, 15)
    for t in (t2, t3, t4):
        assert_tiles(t)
    assert cell_at(t3, 5, 0).rowspan == 20
    assert cell_at(t3, 23, 1).text == "（六）其他处理" and cell_at(t3, 23, 1).colspan == 2


# ----- variants at grid level -----------------------------------------------------------------------

def variant_doc(tmp_path, variant: str, template: str = "2021"):
    spec = make_report(template, seed=4, year=2023 if template == "2021" else 2020)
    return spec, extract(write(tmp_path, f"{variant}.docx", build_docx(spec, (variant,))))


def test_line_breaks_and_cell_paragraphs(tmp_path):
    _, doc = variant_doc(tmp_path, "vertical_header")
    t3 = tables(doc)[1]
    assert cell_at(t3, 1, 3).text == "自\n然\n人"  # w:br
    assert cell_at(t3, 5, 0).text == "\n".join("三、本年度办理结果")  # one paragraph per character
    assert cell_at(t3, 1, 9).text == "总\n计"


def test_split_runs_rejoined(tmp_path):
    _, doc = variant_doc(tmp_path, "split_runs")
    t2, t3, _ = tables(doc)
    assert [c.text for c in t2.rows()[1]] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert cell_at(t3, 15, 2).text == "1.本机关不掌握相关政府信息"


def test_content_controls(tmp_path):
    spec, doc = variant_doc(tmp_path, "sdt_table")
    t2, t3, t4 = tables(doc)
    assert (t2.n_rows, t3.n_rows, t3.n_cols) == (14, 28, 10)
    assert [c.text for c in t2.rows()[2]] == ["规章"] + [
        str(spec.values[f"active_disclosure.regulations.{k}"]) for k in ("issued", "repealed", "in_force")]
    assert cell_at(t2, 3, 1).text == str(spec.values["active_disclosure.normative_documents.issued"])
    assert_tiles(t2)
    assert cell_at(t3, 5, 0).rowspan == 22


def test_frame_table_unwrapped(tmp_path):
    _, doc = variant_doc(tmp_path, "nested_layout")
    assert [t.n_rows for t in tables(doc)] == [14, 28, 4]
    texts = [(b.kind, b.text if isinstance(b, Paragraph) else b.n_rows) for b in doc.blocks]
    i = texts.index(("paragraph", "单位：件"))
    assert texts[i - 1][1].startswith("三、") and texts[i + 1] == ("table", 28)


def test_nested_table_in_data_table(tmp_path):
    inner = table_xml("<w:tr>" + tc("a") + tc("b") + "</w:tr>", grid=2).replace("<w:p/>", "")
    rows = ("<w:tr>" + tc("x") + tc("y") + tc("z") + "</w:tr>"
            "<w:tr>" + tc("1") + f"<w:tc><w:p><w:r><w:t>before</w:t></w:r></w:p>{inner}<w:p/></w:tc>" + tc("3")
            + "</w:tr>")
    doc = extract(write(tmp_path, "n.docx", docx_with_body(table_xml(rows))))
    outer, nested = tables(doc)
    assert (outer.n_rows, outer.n_cols) == (2, 3) and cell_at(outer, 1, 1).text == "before"
    assert [c.text for c in nested.cells] == ["a", "b"]
    assert "nested_table" in [w.code for w in doc.warnings]


def test_split_table3_and_table2_in_four(tmp_path):
    _, doc = variant_doc(tmp_path, "split_table3")
    shapes = [(t.n_rows, t.n_cols) for t in tables(doc)]
    assert shapes == [(14, 4), (15, 10), (13, 10), (4, 15)]
    second = tables(doc)[2]
    assert cell_at(second, 0, 1).text == "（四）无法提供" and cell_at(second, 0, 0).rowspan == 12
    assert "（续表）" in paragraphs(doc)
    _, doc = variant_doc(tmp_path, "table2_in_four")
    assert [(t.n_rows, t.n_cols) for t in tables(doc)][:4] == [(4, 4), (3, 4), (4, 4), (3, 4)]
    assert cell_at(tables(doc)[1], 2, 1).colspan == 3


def test_tracked_changes(tmp_path):
    spec, doc = variant_doc(tmp_path, "tracked_changes")
    assert not any("本段已删除" in p for p in paragraphs(doc))
    t3 = tables(doc)[1]
    ap = "applications"
    keys = ["new_received", "carried_over"]
    cols = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
            "legal_service_org", "other_org", "total"]
    for r, key in enumerate(keys, start=3):
        assert [cell_at(t3, r, c).text for c in range(3, 10)] == [str(spec.values[f"{ap}.{key}.{c}"]) for c in cols]


def test_numbered_headings(tmp_path):
    _, doc = variant_doc(tmp_path, "numbered_headings")
    heads = [p for p in paragraphs(doc) if p.endswith(("情况", "事项"))]
    assert heads[:3] == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]
    assert "六、其他需要报告的事项" in heads
    _, doc = variant_doc(tmp_path, "numbered_headings", "2019")  # python-docx's own numbering part
    assert "四、政府信息公开行政复议、行政诉讼情况" in paragraphs(doc)


def test_numbering_levels_restart_and_formats(tmp_path):
    numbering = f"""<w:numbering {W_DECL}>
<w:abstractNum w:abstractNumId="1">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="%1、"/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/>
  <w:suff w:val="nothing"/></w:lvl>
 <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/>
  <w:suff w:val="nothing"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="9"/><w:numFmt w:val="ideographDigital"/>
 <w:lvlText w:val="第%1条"/><w:suff w:val="space"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="2"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="11"/>
 </w:lvlOverride></w:num>
</w:numbering>"""

    def p(text: str, num: int, lvl: int = 0) -> str:
        return (f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>'
                f"<w:r><w:t>{text}</w:t></w:r></w:p>")

    body = (p("总体情况", 1) + p("主动公开", 1, 1) + p("依申请公开", 1, 1) + p("细目", 1, 2) + p("主动公开情况", 1)
            + p("规章", 1, 1) + p("条文", 2) + p("条文", 2) + p("第十一", 3) + "<w:p><w:r><w:t>plain</w:t></w:r></w:p>")
    data = docx_with_body(body, {"/word/numbering.xml": (NUMBERING_RT, NUMBERING_CT, numbering)})
    doc = extract(write(tmp_path, "num.docx", data))
    assert paragraphs(doc) == ["一、总体情况", "（一）主动公开", "（二）依申请公开", "1.细目", "二、主动公开情况",
                               "（一）规章", "第九条 条文", "第一〇条 条文", "十一、第十一", "plain"]


def test_number_formats():
    assert [chinese_count(n) for n in (1, 9, 10, 11, 20, 21, 99, 100, 101, 110, 1000, 1005)] == [
        "一", "九", "十", "十一", "二十", "二十一", "九十九", "一百", "一百零一", "一百一十", "一千", "一千零五"]
    assert format_number(3, "decimal") == "3"
    assert format_number(12, "ideographDigital") == "一二"
    assert format_number(4, "upperRoman") == "IV" and format_number(28, "lowerLetter") == "bb"
    assert format_number(2, "decimalEnclosedCircle") == "②" and format_number(3, "chineseLegalSimplified") == "叁"
    assert format_number(2, "ideographTraditional") == "乙" and format_number(5, "decimalFullWidth") == "５"


# ----- malformed tables and bad input ----------------------------------------------------------------

def test_grid_before_after_and_hmerge(tmp_path):
    rows = ('<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>' + tc("b1") + tc("b2") + "</w:tr>"
            '<w:tr><w:trPr><w:gridAfter w:val="2"/></w:trPr>' + tc("a1") + "</w:tr>"
            "<w:tr>" + tc("h1", '<w:hMerge w:val="restart"/>') + tc("", "<w:hMerge/>") + tc("h3") + "</w:tr>")
    doc = extract(write(tmp_path, "g.docx", docx_with_body(table_xml(rows))))
    (t,) = tables(doc)
    assert (t.n_rows, t.n_cols) == (3, 3)
    got = {(c.row, c.col): (c.text, c.colspan) for c in t.cells}
    assert got == {(0, 1): ("b1", 1), (0, 2): ("b2", 1), (1, 0): ("a1", 1), (2, 0): ("h1", 2), (2, 2): ("h3", 1)}
    assert not doc.warnings


def test_missing_grid_ragged_rows_and_orphan_vmerge(tmp_path):
    rows = ("<w:tr>" + tc("a") + tc("b") + tc("c") + "</w:tr>"
            "<w:tr>" + tc("d") + tc("e") + "</w:tr>"
            "<w:tr>" + tc("f") + tc("", "<w:vMerge/>") + tc("g") + tc("h") + "</w:tr>")
    doc = extract(write(tmp_path, "m.docx", docx_with_body(table_xml(rows, grid=None))))
    (t,) = tables(doc)
    assert (t.n_rows, t.n_cols) == (3, 4)
    assert cell_at(t, 2, 1).text == "" and cell_at(t, 2, 3).text == "h"
    codes = {w.code for w in doc.warnings}
    assert {"no_table_grid", "ragged_rows", "vmerge_without_start"} <= codes
    doc = extract(write(tmp_path, "r.docx", docx_with_body(table_xml(rows, grid=3))))
    assert "ragged_rows" in {w.code for w in doc.warnings}


def test_spans_kept_as_written(tmp_path):
    """Columns where no cell starts are kept: the same table in HTML gives the same grid."""
    rows = ("<w:tr>" + tc("a", '<w:gridSpan w:val="2"/>') + tc("b", '<w:gridSpan w:val="2"/>') + "</w:tr>"
            "<w:tr>" + tc("c", '<w:gridSpan w:val="2"/>') + tc("d") + tc("e") + "</w:tr>")
    (t,) = tables(extract(write(tmp_path, "s.docx", docx_with_body(table_xml(rows, grid=4)))))
    assert (t.n_cols, [(c.col, c.colspan) for c in t.cells]) == (4, [(0, 2), (2, 2), (0, 2), (2, 1), (3, 1)])


def test_hidden_text_fields_and_textbox(tmp_path):
    body = ('<w:p><w:r><w:t>可见</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            '<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox><w:txbxContent>'
            '<w:p><w:r><w:t>框内文字</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>')
    doc = extract(write(tmp_path, "h.docx", docx_with_body(body)))
    assert paragraphs(doc) == ["可见3", "框内文字"]


def test_heading_levels_ruby_and_deleted_rows(tmp_path):
    body = ('<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>一、总体情况</w:t></w:r></w:p>'
            '<w:p><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>（一）主动公开</w:t></w:r></w:p>'
            '<w:p><w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>guī</w:t></w:r></w:rt>'
            '<w:rubyBase><w:r><w:t>规</w:t></w:r></w:rubyBase></w:ruby></w:r><w:r><w:t>定</w:t></w:r></w:p>'
            + table_xml("<w:tr>" + tc("keep") + tc("this") + "</w:tr><w:tr><w:trPr><w:del w:id=\"1\" "
                        'w:author="a"/></w:trPr>' + tc("gone") + tc("too") + "</w:tr>", grid=2))
    doc = extract(write(tmp_path, "h.docx", docx_with_body(body)))
    heads = [(b.text, b.heading) for b in doc.blocks if isinstance(b, Paragraph)]
    assert heads == [("一、总体情况", 1), ("（一）主动公开", 2), ("规定", None)]
    (t,) = tables(doc)
    assert [c.text for c in t.cells] == ["keep", "this"]


@pytest.mark.parametrize("data, reason", [
    (b"PK\x03\x04 not really a zip at all" * 10, "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "OLE"),
])
def test_bad_input_read_docx(data, reason):
    with pytest.raises(ExtractionError, match=reason):
        read_docx(data)


def test_bad_packages(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ExtractionError, match="main document") as info:
        extract(write(tmp_path, "nodoc.docx", buf.getvalue()))
    assert info.value.kind == "corrupt"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document><unclosed>")
    with pytest.raises(ExtractionError, match="broken XML") as info:
        extract(write(tmp_path, "badxml.docx", buf.getvalue()))
    assert info.value.kind == "corrupt"
    good = build_docx(make_report("2021"))
    with pytest.raises(ExtractionError):
        extract(write(tmp_path, "truncated.docx", good[: len(good) // 2]))


def test_mutated_documents_never_raise_anything_but_extraction_error():
    """Bit flips, truncations and nonsense attribute values: a Document or an ExtractionError."""
    base = build_docx(make_report("2021", seed=1), ("numbered_headings", "sdt_table", "vertical_header"))
    parts = {n: zipfile.ZipFile(io.BytesIO(base)).read(n) for n in zipfile.ZipFile(io.BytesIO(base)).namelist()}
    rnd = random.Random(0)
    for _ in range(150):
        mode = rnd.choice(["flip", "trunc", "attr"])
        if mode == "flip":
            data = bytearray(base)
            for _ in range(rnd.randint(1, 20)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
            data = bytes(data)
        elif mode == "trunc":
            data = base[: rnd.randrange(len(base))]
        else:
            name = rnd.choice(["word/document.xml", "word/numbering.xml"])
            xml = re.sub(r'w:val="[^"]*"', lambda m: rnd.choice(
                [m.group(0)] * 6 + ['w:val="-1"', 'w:val="abc"', 'w:val="99999"', 'w:val=""', 'w:val="%9、"']),
                parts[name].decode())
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as zf:
                for n, d in parts.items():
                    zf.writestr(n, xml.encode() if n == name else d)
            data = buf.getvalue()
        with contextlib.suppress(ExtractionError):
            read_docx(data)


# ----- the dev corpus ---------------------------------------------------------------------------------

@pytest.mark.skipif(not DEV_DOCX, reason="shared dev corpus not present")
def test_dev_corpus_grids():
    for path in DEV_DOCX:
        doc = extract(path)
        ts = tables(doc)
        assert len(ts) >= 3, path.name
        for t in ts:
            assert_tiles(t)
        assert {t.n_cols for t in ts} <= {4, 10, 15}, path.name
        results = [c for t in ts for c in t.cells if "".join(c.text.split()) == "三、本年度办理结果"]
        assert results and results[0].rowspan in (20, 22) or len(ts) > 3, path.name


# ----- end to end through the normaliser --------------------------------------------------------------

CASES = [("2021", ()), ("2019", ())] + [(t, (v,)) for t in ("2021", "2019") for v in VARIANTS] + [
    ("2021", ("statute",)), ("2019", ("statute",)),
    ("2021", ("vertical_header", "spaced_labels", "social_org", "numbered_headings", "split_table3",
              "table2_in_four", "split_runs", "sdt_table", "tracked_changes")),
]


@pytest.mark.parametrize("template, variants", CASES, ids=lambda x: "+".join(x) if isinstance(x, tuple) else x)
def test_convert_every_field(tmp_path, template, variants):
    from pipeline import convert

    headings = STATUTE_HEADINGS if "statute" in variants else None
    spec = make_report(template, seed=len(variants) * 7 + len("".join(variants)), headings=headings,
                       year=2023 if template == "2021" else 2020)
    path = write(tmp_path, "report.docx", build_docx(spec, tuple(v for v in variants if v != "statute")))
    report = convert(path).model_dump()
    assert field_mismatches(spec.values, report) == {}
    meta = report["report"]
    assert (meta["template"], meta["year"], meta["agency"], meta["published"]) == (
        spec.template, spec.year, spec.agency, spec.published)


@pytest.mark.skipif(not DEV_DOCX, reason="shared dev corpus not present")
@pytest.mark.parametrize("path", DEV_DOCX, ids=lambda p: p.stem)
def test_dev_corpus_convert(path):
    from pipeline import convert

    truth = json.loads(path.with_name(f"{path.stem}.truth.json").read_text(encoding="utf-8"))
    report = convert(path).model_dump()
    assert field_mismatches(truth["fields"], report) == {}
