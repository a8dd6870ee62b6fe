"""Build realistic annual reports with known values, in a format-neutral layout.

`make_report(...)` returns a ReportSpec: metadata, the truth for every field (non-zero and distinct
where the template's arithmetic allows, so a shifted row or column fails), and the document as a
list of blocks: headings and paragraphs as strings, tables as rows of `RawCell` with the spans of
the official template. The DOCX, HTML and PDF fixture builders only render these blocks.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from extractors.grid import RawCell

FIELDS_TSV = Path(__file__).resolve().parents[2] / "pipeline" / "data" / "fields.tsv"

APPLICANT_COLS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                  "legal_service_org", "other_org", "total"]
APPLICANT_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
OUTCOMES_COMMON = [
    ("granted", "（一）予以公开", None),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("denied_state_secret", "1.属于国家秘密", "（三）不予公开"),
    ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", "（三）不予公开"),
    ("denied_security_stability", "3.危及“三安全一稳定”", "（三）不予公开"),
    ("denied_third_party_rights", "4.保护第三方合法权益", "（三）不予公开"),
    ("denied_internal_affairs", "5.属于三类内部事务信息", "（三）不予公开"),
    ("denied_process_information", "6.属于四类过程性信息", "（三）不予公开"),
    ("denied_enforcement_files", "7.属于行政执法案卷", "（三）不予公开"),
    ("denied_administrative_query", "8.属于行政查询事项", "（三）不予公开"),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息", "（四）无法提供"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作", "（四）无法提供"),
    ("unavailable_unclear", "3.补正后申请内容仍不明确", "（四）无法提供"),
    ("rejected_petition", "1.信访举报投诉类申请", "（五）不予处理"),
    ("rejected_duplicate", "2.重复申请", "（五）不予处理"),
    ("rejected_publication", "3.要求提供公开出版物", "（五）不予处理"),
    ("rejected_excessive", "4.无正当理由大量反复申请", "（五）不予处理"),
    ("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", "（五）不予处理"),
]
OTHER_2021 = [
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（六）其他处理"),
    ("other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "（六）其他处理"),
    ("other_other", "3.其他", "（六）其他处理"),
]
OTHER_2019 = [("other", "（六）其他处理", None)]
REVIEW_GROUPS = ["review", "litigation_direct", "litigation_after_review"]
REVIEW_COLS = ["upheld", "corrected", "other", "pending", "total"]
REVIEW_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def field_ids(template: str) -> list[str]:
    with FIELDS_TSV.open(encoding="utf-8") as fh:
        return [r["field"] for r in csv.DictReader(fh, delimiter="\t") if template in r["templates"].split(",")]


def outcome_rows(template: str, mixed: bool = False) -> list[tuple[str, str, str | None]]:
    return OUTCOMES_COMMON + (OTHER_2021 if template == "2021" and not mixed else OTHER_2019)


def make_values(template: str = "2021", seed: int = 0, nulls: int = 0,
                break_rule: str | None = None, mixed: bool = False) -> dict[str, int | float | str | None]:
    """Every field of the template, non-zero and distinct, obeying the four rules unless told otherwise.

    `nulls` blanks that many applicant cells (the checks then skip those rows/columns);
    `break_rule` makes one rule fail on purpose: row_total, results_total, balance or review_total.
    """
    rnd = random.Random(seed)
    pool = rnd.sample(range(2, 400), 300)
    take = iter(pool)
    v: dict[str, int | float | str | None] = {}
    ad = "active_disclosure"
    if template == "2021":
        for row in ("regulations", "normative_documents"):
            for col in ("issued", "repealed", "in_force"):
                v[f"{ad}.{row}.{col}"] = next(take)
        for row in ("licensing", "penalties", "enforcement"):
            v[f"{ad}.{row}.decisions"] = next(take) * 7
        v[f"{ad}.fees.amount_10k_yuan"] = round(next(take) + rnd.randint(1, 99) / 100, 2)
    else:
        for row in ("regulations", "normative_documents"):
            for col in ("created", "published", "total_public"):
                v[f"{ad}.{row}.{col}"] = next(take)
        for row in ("licensing", "other_services", "penalties", "enforcement"):
            v[f"{ad}.{row}.previous_year_items"] = next(take)
            v[f"{ad}.{row}.change"] = next(take) * (-1 if row == "penalties" else 1)
            v[f"{ad}.{row}.decisions"] = next(take) * 5
        v[f"{ad}.fees.previous_year_items"] = next(take)
        v[f"{ad}.fees.change"] = -next(take)
        v[f"{ad}.procurement.items"] = next(take)
        v[f"{ad}.procurement.amount"] = float(next(take) * 1000 + 500)
        v[f"{ad}.procurement.amount_unit"] = "元"
    ap = "applications"
    six = APPLICANT_COLS[:-1]
    small = iter(rnd.sample(range(1, 400), 399))
    col_sum = dict.fromkeys(six, 0)
    for key, _, _ in outcome_rows(template, mixed):
        row = {c: next(small) if rnd.random() < 0.45 else rnd.randint(1, 9) for c in six}
        for c in six:
            v[f"{ap}.{key}.{c}"] = row[c]
            col_sum[c] += row[c]
        v[f"{ap}.{key}.total"] = sum(row.values())
    carried_over = {c: rnd.randint(1, 9) for c in six}
    carried_forward = {c: rnd.randint(1, 9) for c in six}
    for c in six:
        v[f"{ap}.results_total.{c}"] = col_sum[c]
        v[f"{ap}.carried_over.{c}"] = carried_over[c]
        v[f"{ap}.carried_forward.{c}"] = carried_forward[c]
        v[f"{ap}.new_received.{c}"] = col_sum[c] + carried_forward[c] - carried_over[c]
    for key in ("results_total", "carried_over", "carried_forward", "new_received"):
        v[f"{ap}.{key}.total"] = sum(v[f"{ap}.{key}.{c}"] for c in six)
    rl = "review_litigation"
    for g in REVIEW_GROUPS:
        parts = [next(take) % 40 + 1 for _ in range(4)]
        for c, x in zip(REVIEW_COLS[:4], parts, strict=True):
            v[f"{rl}.{g}.{c}"] = x
        v[f"{rl}.{g}.total"] = sum(parts)
    if break_rule == "row_total":
        # one applicant moved between two rows' cells: only those two rows' totals stop adding up
        col = max(six, key=lambda c: v[f"{ap}.partially_granted.{c}"])
        v[f"{ap}.granted.{col}"] += 1
        v[f"{ap}.partially_granted.{col}"] -= 1
    elif break_rule == "results_total":
        # a consistent row whose column sums no longer reach （七）; the balance kept by the received side
        # (taking 3 off 结转下年度 could make a count negative, which no report can hold)
        v[f"{ap}.results_total.natural_person"] += 3
        v[f"{ap}.results_total.total"] += 3
        v[f"{ap}.new_received.natural_person"] += 3
        v[f"{ap}.new_received.total"] += 3
    elif break_rule == "balance":
        v[f"{ap}.carried_over.commercial_enterprise"] += 2
        v[f"{ap}.carried_over.total"] += 2
    elif break_rule == "review_total":
        v[f"{rl}.review.total"] += 1
    for i, key in enumerate(k for k in list(v) if k.startswith(f"{ap}.") and ".total" not in k):
        if i >= nulls:
            break
        v[key] = None
    if mixed:
        for key, _, _ in OTHER_2021:
            for c in APPLICANT_COLS:
                v[f"{ap}.{key}.{c}"] = None
    expected_ids = set(field_ids(template)) | ({f"{ap}.other.{c}" for c in APPLICANT_COLS} if mixed else set())
    assert set(v) == expected_ids, expected_ids ^ set(v)
    return v


def cell_text(value: int | float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def _c(text: str, rowspan: int = 1, colspan: int = 1) -> RawCell:
    return RawCell(text=text, rowspan=rowspan, colspan=colspan)


def table_active(v: dict, template: str) -> list[list[RawCell]]:
    """Table 二 exactly as the template lays it out (4 columns in 2021, 5 in 2019)."""
    ad = "active_disclosure"
    t = lambda k: cell_text(v[f"{ad}.{k}"])  # noqa: E731
    if template == "2021":
        return [
            [_c("第二十条第（一）项", colspan=4)],
            [_c("信息内容"), _c("本年制发件数"), _c("本年废止件数"), _c("现行有效件数")],
            [_c("规章"), _c(t("regulations.issued")), _c(t("regulations.repealed")), _c(t("regulations.in_force"))],
            [_c("行政规范性文件"), _c(t("normative_documents.issued")), _c(t("normative_documents.repealed")),
             _c(t("normative_documents.in_force"))],
            [_c("第二十条第（五）项", colspan=4)],
            [_c("信息内容"), _c("本年处理决定数量", colspan=3)],
            [_c("行政许可"), _c(t("licensing.decisions"), colspan=3)],
            [_c("第二十条第（六）项", colspan=4)],
            [_c("信息内容"), _c("本年处理决定数量", colspan=3)],
            [_c("行政处罚"), _c(t("penalties.decisions"), colspan=3)],
            [_c("行政强制"), _c(t("enforcement.decisions"), colspan=3)],
            [_c("第二十条第（八）项", colspan=4)],
            [_c("信息内容"), _c("本年收费金额（单位：万元）", colspan=3)],
            [_c("行政事业性收费"), _c(t("fees.amount_10k_yuan"), colspan=3)],
        ]
    items = ["上一年项目数量", "本年增/减", "处理决定数量"]

    def item_row(label: str, key: str) -> list[RawCell]:
        return [_c(label), _c(t(f"{key}.previous_year_items")), _c(t(f"{key}.change")), _c(t(f"{key}.decisions"))]

    unit = v.get(f"{ad}.procurement.amount_unit") or ""
    return [
        [_c("第二十条第（一）项", colspan=4)],
        [_c("信息内容"), _c("本年新制作数量"), _c("本年新公开数量"), _c("对外公开总数量")],
        [_c("规章"), _c(t("regulations.created")), _c(t("regulations.published")), _c(t("regulations.total_public"))],
        [_c("规范性文件"), _c(t("normative_documents.created")), _c(t("normative_documents.published")),
         _c(t("normative_documents.total_public"))],
        [_c("第二十条第（五）项", colspan=4)],
        [_c("信息内容")] + [_c(x) for x in items],
        item_row("行政许可", "licensing"),
        item_row("其他对外管理服务事项", "other_services"),
        [_c("第二十条第（六）项", colspan=4)],
        [_c("信息内容")] + [_c(x) for x in items],
        item_row("行政处罚", "penalties"),
        item_row("行政强制", "enforcement"),
        [_c("第二十条第（八）项", colspan=4)],
        [_c("信息内容"), _c("上一年项目数量"), _c("本年增/减", colspan=2)],
        [_c("行政事业性收费"), _c(t("fees.previous_year_items")), _c(t("fees.change"), colspan=2)],
        [_c("第二十条第（九）项", colspan=4)],
        [_c("信息内容"), _c("采购项目数量"), _c("采购总金额", colspan=2)],
        [_c("政府集中采购"), _c(t("procurement.items")), _c(t("procurement.amount") + unit, colspan=2)],
    ]


def table_applications(v: dict, template: str, mixed: bool = False) -> list[list[RawCell]]:
    """Table 三 with the template's header block and rowspans (22 result rows in 2021, 20 in 2019)."""
    ap = "applications"

    def values(key: str) -> list[RawCell]:
        return [_c(cell_text(v[f"{ap}.{key}.{c}"])) for c in APPLICANT_COLS]

    outcomes = outcome_rows(template, mixed)
    rows: list[list[RawCell]] = [
        [_c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
         _c("申请人情况", colspan=7)],
        [_c("自然人", rowspan=2), _c("法人或其他组织", colspan=5), _c("总计", rowspan=2)],
        [_c(x) for x in APPLICANT_LABELS[1:6]],
        [_c("一、本年新收政府信息公开申请数量", colspan=3)] + values("new_received"),
        [_c("二、上年结转政府信息公开申请数量", colspan=3)] + values("carried_over"),
    ]
    n_results = len(outcomes) + 1
    seen_groups: set[str] = set()
    for i, (key, label, group) in enumerate(outcomes):
        row: list[RawCell] = []
        if i == 0:
            row.append(_c("三、本年度办理结果", rowspan=n_results))
        if group is None:
            row.append(_c(label, colspan=2))
        else:
            if group not in seen_groups:
                seen_groups.add(group)
                row.append(_c(group, rowspan=sum(1 for o in outcomes if o[2] == group)))
            row.append(_c(label))
        rows.append(row + values(key))
    rows.append([_c("（七）总计", colspan=2)] + values("results_total"))
    rows.append([_c("四、结转下年度继续办理", colspan=3)] + values("carried_forward"))
    return rows


def table_review(v: dict) -> list[list[RawCell]]:
    """Table 四: 15 columns under a two-level header."""
    rl = "review_litigation"
    return [
        [_c("行政复议", colspan=5), _c("行政诉讼", colspan=10)],
        [_c(x, rowspan=2) for x in REVIEW_LABELS] + [_c("未经复议直接起诉", colspan=5), _c("复议后起诉", colspan=5)],
        [_c(x) for x in REVIEW_LABELS] * 2,
        [_c(cell_text(v[f"{rl}.{g}.{c}"])) for g in REVIEW_GROUPS for c in REVIEW_COLS],
    ]


@dataclass
class ReportSpec:
    agency: str
    year: int
    published: str
    template: str
    values: dict
    blocks: list = field(default_factory=list)  # str (paragraph), ("heading", str) or list[list[RawCell]]
    expect_failing: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"


RULE_NAMES = {"row_total": "applications.row_total", "results_total": "applications.results_total",
              "balance": "applications.balance", "review_total": "review_litigation.total"}


def make_report(template: str = "2021", seed: int = 0, agency: str = "临江市桦树镇人民政府", year: int = 2023,
                published: str | None = None, nulls: int = 0, break_rule: str | None = None,
                headings: tuple[str, ...] | None = None, mixed: bool = False) -> ReportSpec:
    """A whole report: title, the six sections, the three tables, the signature and date."""
    values = make_values(template, seed, nulls, break_rule, mixed)
    published = published or f"{year + 1}-01-{10 + seed % 18:02d}"
    y, m, d = published.split("-")
    heads = headings or ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                         "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                         "六、其他需要报告的事项")
    spec = ReportSpec(agency, year, published, template, values,
                      expect_failing=[RULE_NAMES[break_rule]] if break_rule else [])
    spec.blocks = [
        ("heading", spec.title),
        f"本报告根据《中华人民共和国政府信息公开条例》编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        ("heading", heads[0]),
        f"{year}年，{agency}坚持以公开为常态、不公开为例外，全年主动公开政府信息{seed + 120}条。",
        ("heading", heads[1]),
        table_active(values, template),
        ("heading", heads[2]),
        table_applications(values, template, mixed),
        ("heading", heads[3]),
        table_review(values),
        ("heading", heads[4]),
        "一是公开内容不够全面；二是政策解读形式单一。下一步将加强培训，提升公开质量。",
        ("heading", heads[5]),
        "本年度未收取信息处理费。",
        agency,
        f"{int(y)}年{int(m)}月{int(d)}日",
    ]
    return spec
