"""Generated pre-2019 reports (统计表 layouts of pre2019_layouts.md) with distinct non-zero values, rendered as a
GBK portal page and as a DOCX made with python-docx, and the values each row must read into."""

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
}
ROLE_OF = {"年末统计": "this_period", "数量": "this_period", "历年累计": "cumulative", "{year}年度": "this_period"}


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
    return spec


def render_html(spec: LegacySpec, title_row: bool = False) -> bytes:
    """A portal page in GBK: the prose as <p>, the table with one <td><p><span> per cell (and, with
    `title_row`, the table's title in a first row spanning it, as some pages put it)."""
    caption = (f'<tr><td colspan="{len(spec.rows[0])}">{html.escape(spec.agency)}{spec.table_year}年政府信息公开情况统计表'
               "</td></tr>\n") if title_row else ""
    rows = caption + "\n".join("<tr>" + "".join(f"<td><p><span>{html.escape(c)}</span></p></td>" for c in row) + "</tr>"
                     for row in spec.rows)
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in spec.paragraphs())
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
            f"<title>{html.escape(spec.title)}</title></head><body><div class=\"article\">{body}\n"
            f"<table border=\"1\">{rows}</table>\n<p>{html.escape(spec.agency)}</p><p>{spec.year + 1}年1月20日</p>"
            "</div></body></html>")
    return page.encode("gbk")


def render_docx(spec: LegacySpec, path: Path) -> None:
    """The same report as Word saves it (python-docx)."""
    import docx

    document = docx.Document()
    for index, text in enumerate(spec.paragraphs()):
        document.add_heading(text, level=1) if index == 0 else document.add_paragraph(text)
    table = document.add_table(rows=len(spec.rows), cols=len(spec.rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(spec.rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph(spec.agency)
    document.add_paragraph(f"{spec.year + 1}年1月20日")
    document.save(str(path))
