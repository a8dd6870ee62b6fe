"""DOCX fixtures made the way bodies make their reports, with the truth of a ReportSpec.

2021-template reports fill the real blank national template (template_2021_blank.docx, a WPS-saved
copy of the one the State Council office distributes) with python-docx; 2019-template reports are
built from the fixturegen layout with real merges (`cell.merge`). Variants then rework the XML the
way real reports differ: vertical or spaced header labels, 社会组织, auto-numbered headings, split
tables, labels split over runs, content controls, a layout frame table, tracked changes.
"""

from __future__ import annotations

import copy
import io
import random
import re
from collections.abc import Callable
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.parts.numbering import NumberingPart
from docx.shared import Pt
from docx.table import _Cell

from extractors.grid import place_rows
from tests.fixturegen import ReportSpec

TEMPLATE_2021 = Path(__file__).with_name("template_2021_blank.docx")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_DECL = f'xmlns:w="{W_NS}"'

STATUTE_HEADINGS = ("一、总体情况", "二、行政机关主动公开政府信息情况", "三、行政机关收到和处理政府信息公开申请情况",
                    "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "五、存在的主要问题及改进情况",
                    "六、其他需要报告的事项")

_NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")


# ----- building the document -----------------------------------------------------------------------

def _spec_tables(spec: ReportSpec) -> list[list]:
    return [b for b in spec.blocks if isinstance(b, list)]


def _set_cell_text(cell, text: str) -> None:
    """Replace a cell's text, keeping the first paragraph's properties (alignment, font)."""
    paragraphs = cell.paragraphs
    first = paragraphs[0]
    for p in paragraphs[1:]:
        p._p.getparent().remove(p._p)
    for r in list(first._p):
        if r.tag != qn("w:pPr"):
            first._p.remove(r)
    first.add_run(text)


def _fill_template(spec: ReportSpec) -> docx.document.Document:
    """The blank national template with the spec's values typed into its empty cells."""
    doc = docx.Document(str(TEMPLATE_2021))
    for rows, table in zip(_spec_tables(spec), doc.tables, strict=True):
        cells, _ = place_rows(rows)
        grid, n_cols = _grid(table)
        for c in cells:
            target = grid[c.row * n_cols + c.col]
            if not target.text.strip() and c.text:
                _set_cell_text(target, c.text)
            elif target.text.strip() and "".join(target.text.split()) != "".join(c.text.split()):
                raise AssertionError(f"template label {target.text!r} != layout label {c.text!r}")
    return doc


def _build_from_layout(spec: ReportSpec) -> docx.document.Document:
    """A new document whose tables follow the fixturegen layout, merged with python-docx."""
    doc = docx.Document()
    for rows in _spec_tables(spec):
        cells, _ = place_rows(rows)
        n_rows = len(rows)
        n_cols = max(c.col + c.colspan for c in cells)
        table = doc.add_table(rows=n_rows, cols=n_cols)
        table.style = "Table Grid"
        # w:tc elements by position before any merge: merges never touch each other's cells, so these
        # stay valid, and `table.cell()` (which recomputes the grid on each call) is avoided
        tcs = [list(tr.tc_lst) for tr in table._tbl.tr_lst]
        for c in cells:
            if c.rowspan > 1 or c.colspan > 1:
                end = tcs[c.row + c.rowspan - 1][c.col + c.colspan - 1]
                _Cell(tcs[c.row][c.col], table).merge(_Cell(end, table))
        grid, _ = _grid(table)
        for c in cells:
            grid[c.row * n_cols + c.col].text = c.text
    return doc


def _grid(table) -> tuple[list, int]:
    """The table's cells by grid position, computed once: python-docx's `table.cell(r, c)` recomputes
    the whole grid on every call (~5 ms for table 三)."""
    return table._cells, len(table.columns)


def _rebuild_body(doc: docx.document.Document, spec: ReportSpec) -> None:
    """Body = the spec's blocks in order: title, headings, paragraphs, and the document's tables."""
    body = doc.element.body
    tables = [t._tbl for t in doc.tables]
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    sect = body.find(qn("w:sectPr"))
    next_table = iter(tables)
    first = True
    for block in spec.blocks:
        if isinstance(block, list):
            tbl = next(next_table)
            if sect is not None:
                sect.addprevious(tbl)
            else:
                body.append(tbl)
            continue
        heading = isinstance(block, tuple)
        text = block[1] if heading else block
        p = doc.add_paragraph()
        run = p.add_run(text)
        if heading:
            run.bold = True
            run.font.size = Pt(18 if first else 16)
            run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "黑体")
            if first:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            first = False
        elif block == spec.agency or re.match(r"^\d{4}年\d+月\d+日$", block):
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            p.paragraph_format.first_line_indent = Pt(32)


def build_document(spec: ReportSpec, variants: tuple[str, ...] = ()) -> docx.document.Document:
    """The spec as a python-docx Document, with the named variants applied in order."""
    doc = _fill_template(spec) if spec.template == "2021" else _build_from_layout(spec)
    _rebuild_body(doc, spec)
    for name in variants:
        VARIANTS[name](doc)
    core = doc.core_properties
    core.title = spec.title
    core.author = spec.agency
    return doc


def build_docx(spec: ReportSpec, variants: tuple[str, ...] = (), path: Path | None = None) -> bytes:
    """DOCX bytes of the spec (also written to `path` when given)."""
    buf = io.BytesIO()
    build_document(spec, variants).save(buf)
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


# ----- XML helpers ---------------------------------------------------------------------------------

def _w(tag: str) -> str:
    return qn(f"w:{tag}")


def _cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(_w("t")))


def _body_tables(doc) -> list:
    return [el for el in doc.element.body.iter(_w("tbl"))]


def _find_tc(doc, text: str, table: int | None = None):
    tables = _body_tables(doc)
    for tbl in ([tables[table]] if table is not None else tables):
        for tc in tbl.iter(_w("tc")):
            if _cell_text(tc) == text:
                return tc
    return None


def _set_paragraphs(tc, lines: list[str]) -> None:
    """The cell's text as one paragraph per line, keeping the first paragraph's pPr/rPr."""
    ps = tc.findall(_w("p"))
    proto = ps[0]
    ppr = proto.find(_w("pPr"))
    rpr = proto.find(f"{_w('r')}/{_w('rPr')}")
    for p in ps:
        tc.remove(p)
    for line in lines:
        p = parse_xml(f"<w:p {W_DECL}/>")
        if ppr is not None:
            p.append(copy.deepcopy(ppr))
        r = parse_xml(f"<w:r {W_DECL}/>")
        if rpr is not None:
            r.append(copy.deepcopy(rpr))
        t = parse_xml(f'<w:t {W_DECL} xml:space="preserve"/>')
        t.text = line
        r.append(t)
        p.append(r)
        tc.append(p)


def _set_text(tc, text: str) -> None:
    _set_paragraphs(tc, [text])


# ----- variants -------------------------------------------------------------------------------------

def vertical_header(doc) -> None:
    """Narrow header cells typed one character per line: 自/然/人 with w:br, others as paragraphs."""
    tc = _find_tc(doc, "自然人")
    if tc is not None:
        _set_text(tc, "")
        r = tc.find(f"{_w('p')}/{_w('r')}")
        r.remove(r.find(_w("t")))
        for i, ch in enumerate("自然人"):
            if i:
                r.append(parse_xml(f"<w:br {W_DECL}/>"))
            t = parse_xml(f"<w:t {W_DECL}/>")
            t.text = ch
            r.append(t)
    for label in ("三、本年度办理结果", "申请人情况"):
        tc = _find_tc(doc, label)
        if tc is not None:
            _set_paragraphs(tc, list(label))
    for tbl in _body_tables(doc)[1:2]:
        for tc in tbl.iter(_w("tc")):
            if _cell_text(tc) == "总计":
                _set_paragraphs(tc, ["总", "计"])


def spaced_labels(doc) -> None:
    """Labels padded to align characters: "自 然 人", "总　计", "规  章"."""
    for label, spaced in (("自然人", "自 然 人"), ("商业企业", "商 业 企 业"), ("科研机构", "科 研 机 构"),
                          ("其他", "其　他"), ("规章", "规  章"), ("信息内容", "信 息 内 容"),
                          ("行政许可", "行 政 许 可"), ("（七）总计", "（七）总 计")):
        for tbl in _body_tables(doc):
            for tc in tbl.iter(_w("tc")):
                if _cell_text(tc) == label:
                    _set_text(tc, spaced)
    for tbl in _body_tables(doc)[1:]:
        for tc in tbl.iter(_w("tc")):
            if _cell_text(tc) == "总计":
                _set_text(tc, "总　计")


def social_org(doc) -> None:
    """The column named 社会组织, as many bodies write it."""
    tc = _find_tc(doc, "社会公益组织")
    if tc is not None:
        _set_text(tc, "社会组织")


_NUMBERING_XML = f"""<w:numbering {W_DECL}>
<w:abstractNum w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>
<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="（%2）"/>
<w:lvlJc w:val="left"/><w:suff w:val="nothing"/></w:lvl>
</w:abstractNum>
<w:num w:numId="97"><w:abstractNumId w:val="90"/></w:num>
</w:numbering>"""


def numbered_headings(doc) -> None:
    """Section headings "二、…" typed as a Word list (numFmt chineseCounting, lvlText "%1、")."""
    try:
        numbering = doc.part.numbering_part.element  # python-docx's default template has one
    except NotImplementedError:  # the national template has none, and python-docx cannot create one
        part = NumberingPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, parse_xml(_NUMBERING_XML),
                             doc.part.package)
        doc.part.relate_to(part, RT.NUMBERING)
    else:
        new = parse_xml(_NUMBERING_XML)
        numbering.insert(0, new.find(_w("abstractNum")))
        numbering.append(new.find(_w("num")))
    for p in doc.element.body.findall(_w("p")):
        texts = list(p.iter(_w("t")))
        if not texts or not _NUMBERED.match(texts[0].text or ""):
            continue
        texts[0].text = _NUMBERED.sub("", texts[0].text)
        ppr = p.find(_w("pPr"))
        if ppr is None:
            ppr = parse_xml(f"<w:pPr {W_DECL}/>")
            p.insert(0, ppr)
        ppr.insert(0, parse_xml(f'<w:numPr {W_DECL}><w:ilvl w:val="0"/><w:numId w:val="97"/></w:numPr>'))


def _new_table_like(tbl):
    new = parse_xml(f"<w:tbl {W_DECL}/>")
    for tag in ("tblPr", "tblGrid"):
        el = tbl.find(_w(tag))
        if el is not None:
            new.append(copy.deepcopy(el))
    return new


def _paragraph(text: str = ""):
    p = parse_xml(f"<w:p {W_DECL}><w:r><w:t/></w:r></w:p>")
    p.find(f"{_w('r')}/{_w('t')}").text = text
    return p


def _restart_first_row(tbl) -> None:
    """After a split, cells continuing a vertical merge start a new one, as Word does."""
    tr = tbl.find(_w("tr"))
    for vm in tr.iter(_w("vMerge")):
        vm.set(_w("val"), "restart")


def split_table3(doc) -> None:
    """Table 三 broken in two before （四）无法提供, with "（续表）" between, as at a page break."""
    tbl = _body_tables(doc)[1]
    rows = tbl.findall(_w("tr"))
    at = next(i for i, tr in enumerate(rows) if "本机关不掌握" in _cell_text(tr))
    second = _new_table_like(tbl)
    for tr in rows[at:]:
        second.append(tr)
    _restart_first_row(second)
    tbl.addnext(second)
    tbl.addnext(_paragraph("（续表）"))


def table2_in_four(doc) -> None:
    """Table 二 as one small table per 第二十条 item, separated by empty paragraphs."""
    tbl = _body_tables(doc)[0]
    rows = tbl.findall(_w("tr"))
    starts = [i for i, tr in enumerate(rows) if _cell_text(tr).startswith("第二十条")]
    anchor = tbl
    for a, b in zip(starts[1:], [*starts[2:], len(rows)], strict=True):
        part = _new_table_like(tbl)
        for tr in rows[a:b]:
            part.append(tr)
        gap = _paragraph()
        anchor.addnext(gap)
        gap.addnext(part)
        anchor = part


def split_runs(doc) -> None:
    """Every label typed in pieces: runs of 1–3 characters with changing formatting, proofing marks
    and bookmarks between them, as editing in Word leaves them."""
    rnd = random.Random(7)
    for tbl in _body_tables(doc):
        for r in list(tbl.iter(_w("r"))):
            t = r.find(_w("t"))
            text = t.text if t is not None else None
            if not text or len(text) < 3 or text.strip().lstrip("-").replace(".", "").isdigit():
                continue
            pieces, i = [], 0
            while i < len(text):
                n = rnd.randint(1, 3)
                pieces.append(text[i:i + n])
                i += n
            anchor = r
            for k, piece in enumerate(pieces):
                new = copy.deepcopy(r)
                new.find(_w("t")).text = piece
                new.find(_w("t")).set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                if k % 2:
                    rpr = new.find(_w("rPr"))
                    if rpr is None:
                        rpr = parse_xml(f"<w:rPr {W_DECL}/>")
                        new.insert(0, rpr)
                    rpr.append(parse_xml(f'<w:lang {W_DECL} w:eastAsia="zh-CN"/>'))
                anchor.addnext(new)
                anchor = new
                if k == 0:
                    mark = parse_xml(f'<w:proofErr {W_DECL} w:type="gramStart"/>')
                    anchor.addnext(mark)
                    anchor = mark
                elif k == 1:
                    mark = parse_xml(f'<w:bookmarkStart {W_DECL} w:id="{rnd.randint(1, 9999)}" w:name="b{k}"/>')
                    anchor.addnext(mark)
                    anchor = mark
            r.getparent().remove(r)


def _wrap_sdt(el, level: str):
    sdt = parse_xml(f'<w:sdt {W_DECL}><w:sdtPr><w:alias w:val="{level}"/><w:id w:val="{abs(hash(level)) % 99999}"/>'
                    f"</w:sdtPr><w:sdtContent/></w:sdt>")
    el.addprevious(sdt)
    sdt.find(_w("sdtContent")).append(el)
    return sdt


def sdt_table(doc) -> None:
    """Table 三 inside a block content control, a row of 二 in a row-level one and a value cell in a
    cell-level one (forms distributed by higher offices are built with them)."""
    tables = _body_tables(doc)
    _wrap_sdt(tables[1], "申请情况")
    rows = tables[0].findall(_w("tr"))
    _wrap_sdt(rows[2], "规章行")
    _wrap_sdt(rows[3].findall(_w("tc"))[1], "规范性文件制发")


def nested_layout(doc) -> None:
    """Table 三 placed inside a 1x1 layout table (a box drawn around it), with a unit note in the box."""
    tbl = _body_tables(doc)[1]
    outer = parse_xml(
        f'<w:tbl {W_DECL}><w:tblPr><w:tblW w:w="5000" w:type="pct"/></w:tblPr>'
        '<w:tblGrid><w:gridCol w:w="9000"/></w:tblGrid><w:tr><w:tc><w:tcPr><w:tcW w:w="9000" w:type="dxa"/>'
        "</w:tcPr></w:tc></w:tr></w:tbl>")
    tbl.addprevious(outer)
    tc = outer.find(f"{_w('tr')}/{_w('tc')}")
    tc.append(_paragraph("单位：件"))
    tc.append(tbl)
    tc.append(_paragraph())


def tracked_changes(doc) -> None:
    """Values corrected with Track Changes on: the old number deleted, the right one inserted; plus a
    deleted paragraph in the body."""
    rnd = random.Random(3)
    n = 0
    for tbl in _body_tables(doc):
        for t in list(tbl.iter(_w("t"))):
            if not (t.text or "").isdigit() or rnd.random() > 0.3:
                continue
            r = t.getparent()
            old = copy.deepcopy(r)
            old_t = old.find(_w("t"))
            old_t.tag = _w("delText")
            old_t.text = str(int(t.text) + 11)
            dele = parse_xml(f'<w:del {W_DECL} w:id="{900 + n}" w:author="审核" w:date="2024-01-05T10:00:00Z"/>')
            ins = parse_xml(f'<w:ins {W_DECL} w:id="{1900 + n}" w:author="审核" w:date="2024-01-05T10:00:00Z"/>')
            r.addprevious(dele)
            dele.append(old)
            r.addprevious(ins)
            ins.append(r)
            n += 1
    body = doc.element.body
    first_p = body.find(_w("p"))
    gone = parse_xml(f'<w:p {W_DECL}><w:del w:id="77" w:author="审核" w:date="2024-01-05T10:00:00Z"><w:r>'
                     "<w:delText>本段已删除：2022年度数据另行报送。</w:delText></w:r></w:del></w:p>")
    first_p.addnext(gone)


VARIANTS: dict[str, Callable] = {
    "vertical_header": vertical_header,
    "spaced_labels": spaced_labels,
    "social_org": social_org,
    "numbered_headings": numbered_headings,
    "split_table3": split_table3,
    "table2_in_four": table2_in_four,
    "split_runs": split_runs,
    "sdt_table": sdt_table,
    "nested_layout": nested_layout,
    "tracked_changes": tracked_changes,
}


# ----- tiny documents for grid-level tests ----------------------------------------------------------

def docx_with_body(body_xml: str, extra_parts: dict[str, tuple[str, str, str]] | None = None) -> bytes:
    """A minimal DOCX whose body is `body_xml` (w: prefix bound); `extra_parts` maps a part name to
    (relationship type, content type, xml), e.g. numbering."""
    doc = docx.Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    sect = body.find(qn("w:sectPr"))
    wrapper = parse_xml(f"<w:body {W_DECL}>{body_xml}</w:body>")
    for child in list(wrapper):
        sect.addprevious(child)
    for name, (reltype, ctype, xml) in (extra_parts or {}).items():
        existing = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype == reltype), None)
        if existing is not None:
            existing._element = parse_xml(xml)  # python-docx's default template already has one
        else:
            doc.part.relate_to(NumberingPart(PackURI(name), ctype, parse_xml(xml), doc.part.package), reltype)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
