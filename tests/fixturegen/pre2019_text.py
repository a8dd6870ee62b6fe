"""Pre-2019 reports as a crawler's page.txt writes them: a few header lines, the body on one line, and the
statistics table with its cells glued (`主动公开文件数条346085376`), spaced, or one cell per line."""

from __future__ import annotations

from tests.fixturegen.pre2019 import LegacySpec

STYLES = ("glued", "spaced", "lines")


def table_text(spec: LegacySpec, style: str) -> str:
    cells = [cell for row in spec.rows for cell in row]
    if style == "glued":
        return "".join(cells)
    if style == "spaced":
        return " ".join(cells)
    if style == "lines":
        return "\n".join(cells)
    raise ValueError(style)


def page_txt(spec: LegacySpec, style: str, published: str | None = None) -> str:
    """The crawler's page.txt: header lines, the body run together, the table in `style`, the signature."""
    published = published or f"{spec.year + 1}-01-20 09:30"
    header = [f"标题: {spec.title}", f"发布时间: {published}", "文号: ", "发布机构: ", "栏目: 政府信息公开年报",
              "==================== 正文 ===================="]
    body = "".join(spec.paragraphs())
    ending = f"{spec.agency}{spec.year + 1}年1月20日"
    joiner = "\n" if style == "lines" else ""
    return "\n".join(header) + "\n" + body + joiner + table_text(spec, style) + joiner + ending + "\n"


# An L4 table as real pages have it (cumulative since 2008 ≥ this year), with the truth of each glued run:
# a pair is cut when exactly one cut is possible, else both values stay null and the digits are kept.
GLUED_L4 = [  # label, unit, this year, cumulative, the only cut (True) or several (False)
    ("主动公开文件数", "条", 3460, 85376, False),
    ("其中：1、政府网站公开数", "条", 3271, 80112, False),
    ("2、政府公报公开数", "条", 0, 12, True),
    ("受理依申请公开信息总数", "条", 7, 12, True),
    ("其中：1、当面申请数", "条", 5, 9, True),
    ("2、网上申请数", "条", 2, 3, True),
    ("3、信函、传真申请数", "条", 0, 0, True),
    ("对申请的答复总数", "条", 16, 125, False),
    ("其中：1、同意公开答复数", "条", 4, 8, True),
    ("2、同意部分公开答复数", "条", 1, 2, True),
    ("3、不予公开答复数", "条", 1, 1, True),
    ("4、其他类型答复数", "条", 0, 0, True),
    ("政府信息公开收费减免金额", "元", 0, 1500, True),
    ("接受行政诉讼、举报数", "件", 1, 3, True),
    ("行政复议数", "件", 2, 5, True),
    ("行政诉讼数", "件", 1, 4, True),
]
GLUED_L4_FIELDS = ["legacy.active.total", "legacy.active.website", "legacy.active.gazette",
                   "legacy.applications.received", "legacy.applications.in_person", "legacy.applications.online",
                   "legacy.applications.letter_or_fax", "legacy.replies.total", "legacy.replies.granted",
                   "legacy.replies.partially_granted", "legacy.replies.refused", "legacy.replies.other",
                   "legacy.fees.amount", "legacy.complaints.count", "legacy.review.count", "legacy.litigation.count"]


def glued_l4(agency: str = "平潭综合实验区", year: int = 2016) -> LegacySpec:
    spec = LegacySpec("L4", agency, year, year)
    spec.rows.append(["指标名称", "计量单位", f"{year}年度", "历年累计"])
    for (label, unit, this, total, _), field_id in zip(GLUED_L4, GLUED_L4_FIELDS, strict=True):
        spec.rows.append([label, unit, str(this), str(total)])
        spec.expected[field_id] = {"this_period": this, "cumulative": total, "unit": unit}
    return spec
