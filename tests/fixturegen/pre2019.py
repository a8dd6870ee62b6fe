"""Generated pre-2019 reports (统计表 layouts of pre2019_layouts.md) with distinct non-zero values, and the values
each row must read into. Rendered as a GBK portal page and as a DOCX made with python-docx (and from that DOCX,
by LibreOffice, PDF and DOC); the table alone as a workbook (openpyxl; .xls by LibreOffice Calc), as the
attachment of a portal page, or as a picture (pasted into a DOCX, or a PNG of its own)."""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from pathlib import Path

# (label as printed, unit, field id or None for a row no field names)
LAYOUTS: dict[str, dict] = {
    "L1": {"columns": ["年末统计"], "year_in_header": False, "rows": [
        ("主动公开信息数", "条", "legacy.active.total"),
        ("其中：1．网站公开", "条", "legacy.active.website"),
        ("2．政府公报公开", "条", "legacy.active.gazette"),
        ("受理依申请公开信息总数", "条", "legacy.applications.received"),
        ("其中：1．当面申请数", "条", "legacy.applications.in_person"),
        ("2．传真申请数", "条", "legacy.applications.fax"),
        ("3．电子邮件申请数", "条", "legacy.applications.email"),
        ("4．网上申请数", "条", "legacy.applications.online"),
        ("5．信函申请数", "条", "legacy.applications.letter"),
        ("6．其它形式申请数", "条", "legacy.applications.other_channel"),
        ("对申请的答复总数", "条", "legacy.replies.total"),
        ("其中：1．同意公开答复数", "条", "legacy.replies.granted"),
        ("2．同意部分公开答复数", "条", "legacy.replies.partially_granted"),
        ("3．否决公开答复总数", "条", "legacy.replies.refused"),
        ("行政复议数", "件", "legacy.review.count"),
        ("行政诉讼数", "件", "legacy.litigation.count"),
        ("行政申诉数", "件", "legacy.complaints.count"),
    ]},
    "L4": {"columns": ["{year}年度", "历年累计"], "year_in_header": True, "rows": [
        ("主动公开文件数", "条", "legacy.active.total"),
        ("其中：1、政府网站公开数", "条", "legacy.active.website"),
        ("2、政府公报公开数", "条", "legacy.active.gazette"),
        ("受理依申请公开信息总数", "条", "legacy.applications.received"),
        ("其中：1、当面申请数", "条", "legacy.applications.in_person"),
        ("2、网上申请数", "条", "legacy.applications.online"),
        ("3、信函、传真申请数", "条", "legacy.applications.letter_or_fax"),
        ("对申请的答复总数", "条", "legacy.replies.total"),
        ("其中：1、同意公开答复数", "条", "legacy.replies.granted"),
        ("2、同意部分公开答复数", "条", "legacy.replies.partially_granted"),
        ("3、不予公开答复数", "条", "legacy.replies.refused"),
        ("4、其他类型答复数", "条", "legacy.replies.other"),
        ("政府信息公开收费减免金额", "元", "legacy.fees.amount"),
        ("接受行政诉讼、举报数", "件", "legacy.complaints.count"),
        ("行政复议数", "件", "legacy.review.count"),
        ("行政诉讼数", "件", "legacy.litigation.count"),
        ("政府信息公开培训人次", "人次", None),
    ]},
    "L3": {"columns": ["数量"], "year_in_header": False, "rows": [
        ("主动公开信息数", "条", "legacy.active.total"),
        ("正式受理政府信息公开申请数", "件", "legacy.applications.received"),
        ("其中（1）在办", "件", "legacy.applications.pending"),
        ("（2）办结", "件", "legacy.applications.concluded"),
        ("其中（1）同意提供", "件", "legacy.replies.granted"),
        ("（2）拒绝提供", "件", "legacy.replies.refused"),
        ("其中（1）信息不存在", "件", "legacy.refusal_reasons.not_exist"),
        ("（2）信息涉密", "件", "legacy.refusal_reasons.secret"),
        ("（3）信息描述不清", "件", "legacy.refusal_reasons.unclear"),
        ("（4）超出合理需要", "件", "legacy.refusal_reasons.excessive"),
        ("（5）第三方不同意", "件", "legacy.refusal_reasons.third_party"),
        ("（6）其他", "件", "legacy.refusal_reasons.other"),
        ("政府信息公开查询点数", "个", "legacy.query_points.count"),
        ("政府信息咨询数", "件", "legacy.consultation.total"),
        ("其中（1）公开电话", "件", "legacy.consultation.phone"),
        ("（2）服务窗口", "件", "legacy.consultation.window"),
        ("（3）网络信箱（论坛）", "件", "legacy.consultation.online"),
        ("（4）其他", "件", "legacy.consultation.other"),
        ("受理政府信息公开工作行政复议数", "件", "legacy.review.count"),
        ("收到政府信息公开工作行政诉讼数", "件", "legacy.litigation.count"),
    ]},
    # Gansu/定西 monthly form (统计报表): a 代码 column, a row numbering the columns (甲 乙 丙 1 2) under the
    # header, 本期实际 | 本年累计, and the form's header block above the table
    "L6": {"columns": ["本期实际", "本年累计"], "year_in_header": False, "codes": True, "rows": [
        ("主动公开信息数", "条", "legacy.active.total"),
        ("其中：全文电子化的主动公开信息数", "条", "legacy.active.fulltext_electronic"),
        ("新增的行政规范性文件数", "条", "legacy.active.normative_docs"),
        ("提供服务类信息数", "条", "legacy.active.service_info"),
        ("网站专栏页面访问量", "人次", "legacy.website.visits"),
        ("现场接待人数", "人次", "legacy.consultation.window"),
        ("网上咨询数", "人次", "legacy.consultation.online"),
        ("咨询电话接听数", "人次", "legacy.consultation.phone"),
        ("依申请公开信息目录数", "条", "legacy.applications.catalogue_items"),
        ("申请总数", "条", "legacy.applications.received"),
        ("其中：1.当面申请数", "条", "legacy.applications.in_person"),
        ("2.传真申请数", "条", "legacy.applications.fax"),
        ("3.电子邮件申请数", "条", "legacy.applications.email"),
        ("4.网上申请数", "条", "legacy.applications.online"),
        ("5.信函申请数", "条", "legacy.applications.letter"),
        ("6.其他形式申请数", "条", "legacy.applications.other_channel"),
        ("对申请的答复总数", "条", "legacy.replies.total"),
        ("其中：1.同意公开答复数", "条", "legacy.replies.granted"),
        ("2.同意部分公开答复数", "条", "legacy.replies.partially_granted"),
        ("3.否决公开答复总数", "条", "legacy.replies.refused"),
        ("其中：(1)“非《规定》所指政府信息”数", "条", "legacy.refusal_reasons.not_gov_info"),
        ("(2)“信息不存在”数", "条", "legacy.refusal_reasons.not_exist"),
        ("(3)“非本部门掌握”数", "条", "legacy.refusal_reasons.not_held"),
        ("(4)“申请内容不明确”数", "条", "legacy.refusal_reasons.unclear"),
        *((f"({n + 4})“免予公开范围{n}”数", "条", f"legacy.refusal_reasons.exempt_{n}") for n in range(1, 7)),
        ("(11)其它原因", "条", "legacy.refusal_reasons.other"),
        ("行政复议数", "件", "legacy.review.count"),
        ("行政诉讼数", "件", "legacy.litigation.count"),
        ("行政申诉数", "件", "legacy.complaints.count"),
        ("其中：对本部门首次处理不满意的行政申诉数 *", "件", "legacy.complaints.first_handling"),
    ]},
}
ROLE_OF = {"年末统计": "this_period", "数量": "this_period", "历年累计": "cumulative", "{year}年度": "this_period",
           "本期实际": "this_period", "本年累计": "ytd"}


@dataclass
class LegacySpec:
    layout: str
    agency: str
    year: int
    table_year: int
    rows: list[list[str]] = field(default_factory=list)  # the table as printed, header first
    expected: dict[str, dict] = field(default_factory=dict)  # field id -> {this_period, cumulative, ytd?, unit}
    unmapped: list[dict] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    @property
    def form_header(self) -> list[list[str]]:
        """The header block a statistics form (统计报表, L6) prints above its table: caption, period, and
        the reporting unit's fields two to a line; nothing for the other layouts."""
        if not LAYOUTS[self.layout].get("codes"):
            return []
        return [["定西市政府信息公开情况统计报表"], [f"{self.table_year}年12月"],
                [f"01 单位名称：{self.agency}", "单位负责人：王建国"],
                ["02 地区及部门编号：621102", "单位盖章："],
                ["03 单位法人代码：01389246-7", "填 报 人：李华"],
                ["04 主管单位名称：定西市人民政府办公室", "联系电话：0932-8213456"],
                ["05 主管单位法人代码：01389001-2", f"报出日期：{self.table_year + 1}年1月10日"]]

    @property
    def caption(self) -> str:
        """The table's own title, as a workbook or a picture of the table carries it."""
        return f"{self.agency}{self.table_year}年政府信息公开情况统计表"

    def paragraphs(self) -> list[str]:
        return [
            self.title,
            f"根据《中华人民共和国政府信息公开条例》，特公布本机关{self.year}年度政府信息公开工作年度报告。",
            "一、概述",
            f"{self.year}年，本机关认真贯彻落实《条例》，政府信息公开工作有序开展。",
            "二、主动公开政府信息情况",
            "本年度通过政府网站主动公开政府信息。",
            "三、政府信息依申请公开工作情况",
            "依申请公开工作依法办理。",
            "四、政府信息公开的收费及减免情况",
            "未收取费用。",
            "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
            "详见附表。",
            "六、政府信息公开工作存在的主要问题及改进情况",
            "公开内容还需进一步丰富。",
            "七、附表：政府信息公开情况统计表",
        ]


def make_legacy(layout: str, seed: int = 0, agency: str = "平潭县交通局", year: int = 2014,
                table_year: int | None = None, lowest: int = 3, omit: frozenset[str] = frozenset()) -> LegacySpec:
    """A report of one layout by `agency` on `year`, without the rows of the fields in `omit`; every value
    distinct and non-zero, drawn from [lowest, lowest + 8997) (disjoint ranges keep one body's years apart:
    a value read into the wrong year fails)."""
    spec = LegacySpec(layout, agency, year, table_year or year)
    conf = LAYOUTS[layout]
    columns = [c.format(year=spec.table_year) for c in conf["columns"]]
    roles = [ROLE_OF[c] for c in conf["columns"]]
    rng = random.Random(seed)
    pool = rng.sample(range(lowest, lowest + 8997), len(conf["rows"]) * len(columns))
    spec.rows.append(["指标名称", "计量单位", *columns])
    for label, unit, field_id in (r for r in conf["rows"] if r[2] not in omit):
        values = [pool.pop() for _ in columns]
        spec.rows.append([label, unit, *map(str, values)])
        if field_id is None:
            spec.unmapped.append({"label": label, "unit": unit, "values": list(map(str, values))})
        else:
            spec.expected[field_id] = {**dict(zip(roles, values, strict=True)), "unit": unit}
    if conf.get("codes"):
        _code_rows(spec)
    return spec


def _code_rows(spec: LegacySpec) -> None:
    """A statistics form's 代码 column after the unit (the rows coded 01, 02…) and, under the header, the row
    numbering the columns (甲 乙 丙 1 2)."""
    header, *rows = spec.rows
    values = len(header) - 2
    spec.rows = [[*header[:2], "代码", *header[2:]], ["甲", "乙", "丙", *(str(n) for n in range(1, values + 1))],
                 *([*row[:2], f"{number:02d}", *row[2:]] for number, row in enumerate(rows, 1))]


def render_html(spec: LegacySpec, title_row: bool = False) -> bytes:
    """A portal page in GBK: the prose as <p>, the table with one <td><p><span> per cell (and, with
    `title_row`, the table's title in a first row spanning it, as some pages put it)."""
    width = len(spec.rows[0])
    caption = (f'<tr><td colspan="{width}">{html.escape(spec.caption)}</td></tr>\n') if title_row else ""
    caption += "".join(_form_row(cells, width) for cells in spec.form_header)  # a form's block, in the table
    rows = caption + "\n".join("<tr>" + "".join(f"<td><p><span>{html.escape(c)}</span></p></td>" for c in row) + "</tr>"
                     for row in spec.rows)
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in spec.paragraphs())
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
            f"<title>{html.escape(spec.title)}</title></head><body><div class=\"article\">{body}\n"
            f"<table border=\"1\">{rows}</table>\n<p>{html.escape(spec.agency)}</p><p>{spec.year + 1}年1月20日</p>"
            "</div></body></html>")
    return page.encode("gbk")


def _form_row(cells: list[str], width: int) -> str:
    """One line of a form's header block as a table row: one cell across, or two sharing the width."""
    spans = [width] if len(cells) == 1 else [width - width // 2, width // 2]
    return "<tr>" + "".join(f'<td colspan="{n}">{html.escape(text)}</td>' for n, text in zip(spans, cells, strict=True)) \
        + "</tr>\n"


def render_docx(spec: LegacySpec, path: Path) -> None:
    """The same report as Word saves it (python-docx); a form's header block as lines above the table."""
    import docx

    document = docx.Document()
    for index, text in enumerate(spec.paragraphs()):
        document.add_heading(text, level=1) if index == 0 else document.add_paragraph(text)
    for cells in spec.form_header:
        document.add_paragraph("　　".join(cells))
    _add_table(document, spec.rows)
    document.add_paragraph(spec.agency)
    document.add_paragraph(f"{spec.year + 1}年1月20日")
    document.save(str(path))


def _add_table(document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text


def render_xlsx(spec: LegacySpec, path: Path) -> Path:
    """The table alone in a workbook (openpyxl), as bodies attached it: its title merged across the top, a
    blank row, the table with numbers stored as numbers (whole ones as floats, as Excel does: 3.0)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "统计表"
    sheet.cell(row=1, column=1, value=spec.caption)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(spec.rows[0]))
    for r, row in enumerate(spec.rows, 3):
        for c, text in enumerate(row, 1):
            sheet.cell(row=r, column=c, value=float(text) if text.isdigit() and c > 2 else text)
    book.save(path)
    return path


def render_attachment_page(spec: LegacySpec, folder: Path, workbook: Path) -> Path:
    """A portal page in GBK with the report's text whose statistics table is only the workbook attached
    beside it (`附件：…统计表.xls`, linked by the portal's own path)."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in spec.paragraphs())
    link = f'<p>附件：<a href="/zwgk/upload/{html.escape(workbook.name)}">{html.escape(workbook.name)}</a></p>'
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
            f"<title>{html.escape(spec.title)}</title></head><body><div class=\"article\">{body}\n{link}\n"
            f"<p>{html.escape(spec.agency)}</p><p>{spec.year + 1}年1月20日</p></div></body></html>")
    path = folder / "page.html"
    path.write_bytes(page.encode("gbk"))
    return path


def table_picture(spec: LegacySpec, folder: Path, dpi: int = 150):
    """The table as a picture (PIL image): its caption and the table in a python-docx document printed by
    LibreOffice, the page rendered by PDFium at `dpi` and cut to the ink, as a screenshot of it is."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt
    from PIL import ImageOps

    from tests.fixturegen.media_builder import page_pictures
    from tests.fixturegen.pdf_builder import to_pdf

    document = docx.Document()
    document.styles["Normal"].font.size = Pt(10)  # a form is laid out to fit its page
    section = document.sections[0]
    section.top_margin = section.bottom_margin = Cm(1.5)
    document.add_paragraph(spec.caption)
    _add_table(document, spec.rows)
    table = document.tables[0]
    table.autofit = False
    widths = [Cm(6.5)] + [Cm(9.5 / (len(spec.rows[0]) - 1))] * (len(spec.rows[0]) - 1)
    for grid_col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        grid_col.set(qn("w:w"), str(int(width.twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    source = folder / f"{spec.layout}-table.docx"
    document.save(str(source))
    page = page_pictures(to_pdf([source], folder)[0], dpi=dpi)[0]
    left, top, right, bottom = ImageOps.invert(page.convert("L")).getbbox()
    margin = dpi // 8
    return page.crop((left - margin, top - margin, right + margin, bottom + margin))


def render_docx_with_picture(spec: LegacySpec, picture, path: Path) -> Path:
    """The report's text in a python-docx document with the table pasted as a picture where it belongs."""
    import io

    import docx
    from docx.shared import Cm

    document = docx.Document()
    for index, text in enumerate(spec.paragraphs()):
        document.add_heading(text, level=1) if index == 0 else document.add_paragraph(text)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    buffer.seek(0)
    document.add_picture(buffer, width=Cm(15))
    document.add_paragraph(spec.agency)
    document.add_paragraph(f"{spec.year + 1}年1月20日")
    document.save(str(path))
    return path


def write_rendered(spec: LegacySpec, folder: Path, render: str) -> Path:
    """The report written in `folder` as a GBK portal page (`html`) or a python-docx file (`docx`)."""
    path = folder / f"{spec.layout}.{render}"
    if render == "html":
        path.write_bytes(render_html(spec))
    else:
        render_docx(spec, path)
    return path
