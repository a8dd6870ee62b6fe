"""The normaliser on hand-made intermediate documents: labels, positions, templates, issues."""

from __future__ import annotations

import pytest

from pipeline.errors import NotAReportError
from pipeline.intermediate import Cell, Document, Paragraph, Source, table_from_cells
from pipeline.normalise import normalise
from pipeline.normalise.labels import fold, labels

SOURCE = Source(path="x.txt", sha256="0" * 64, size=1, format="txt", extractor="test", extractor_version="0")


def rows_table(rows: list[list[str]]):
    cells = [Cell(row=r, col=c, text=t) for r, row in enumerate(rows) for c, t in enumerate(row)]
    return table_from_cells(cells)


def doc(*blocks) -> Document:
    return Document(source=SOURCE, blocks=list(blocks))


T3_HEADER = [["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]


def test_labels_fold_spaces_width_breaks_and_quotes() -> None:
    assert fold("（三）不 予\n公开 3. 危及\"三安全一稳定\"") == fold("(三)不予公开3.危及“三安全一稳定”")


def test_every_label_variant_is_reachable() -> None:
    table = labels()
    for lab in table.labels:
        if lab.kind in ("row", "column"):
            found = table.all_longest(lab.variant, lab.kind)
            assert lab in found, f"{lab} is shadowed by {found}"


def test_aliases_and_typos_match() -> None:
    rows = T3_HEADER + [
        ["一、本年新收政府信息公开申请数量", "1", "2", "3", "4", "5", "6", "21"],
        ["（三）不予公开 2.其他法律行政止公开", "7", "8", "9", "10", "11", "12", "57"],
        ["5.属于三类内容事务信息", "13", "14", "15", "16", "17", "18", "93"],
    ]
    rows[0][4] = "社会组织"
    report = normalise(doc(rows_table(rows)))
    values = report.values()
    assert values["applications.new_received.social_welfare_org"] == 4
    assert values["applications.denied_prohibited_by_law.research_institution"] == 9
    assert values["applications.denied_internal_affairs.total"] == 93


def test_a_row_with_a_lost_label_is_placed_by_position_with_an_issue() -> None:
    rows = T3_HEADER + [
        ["一、本年新收政府信息公开申请数量"] + ["1"] * 7,
        ["二、上年结转政府信息公开申请数量"] + ["2"] * 7,
        ["三、本"] + ["3"] * 7,
        ["（二）部分公开"] + ["4"] * 7,
    ]
    report = normalise(doc(rows_table(rows)))
    assert report.values()["applications.granted.natural_person"] == 3
    assert [i.code for i in report.issues if i.code == "row_label_lost"] == ["row_label_lost"]


def test_extra_values_are_trimmed_with_an_issue() -> None:
    header = [["行政复议", "", "", "", "", "行政诉讼"], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]]
    values = [[str(i) for i in range(1, 17)]]
    report = normalise(doc(rows_table(header + values)))
    got = report.values()
    assert got["review_litigation.review.upheld"] == 1
    assert got["review_litigation.litigation_after_review.total"] == 15
    assert any(i.code == "extra_cells" for i in report.issues)


def test_blank_cells_are_null_never_zero_and_checks_skip_them() -> None:
    rows = T3_HEADER + [["一、本年新收政府信息公开申请数量", "5", "", "/", "—", "无", "0", "5"]]
    report = normalise(doc(rows_table(rows)))
    got = report.values()
    assert got["applications.new_received.commercial_enterprise"] is None
    assert got["applications.new_received.research_institution"] is None
    assert got["applications.new_received.other_org"] == 0
    assert report.provenance["applications.new_received.natural_person"].raw == "5"
    assert all(c.ok for c in report.checks)


@pytest.mark.parametrize(("header", "template"), [
    (["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], "2021"),
    (["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"], "2019"),
])
def test_template_is_decided_by_table_labels(header: list[str], template: str) -> None:
    paragraph = Paragraph(text="根据国办公开办函〔2019〕60号要求")  # the cited notice never decides
    table = rows_table([header, ["规章", "1", "2", "3"], ["规范性文件", "4", "5", "6"]])
    report = normalise(doc(paragraph, table))
    assert report.report.template == template
    key = "issued" if template == "2021" else "created"
    assert report.values()[f"active_disclosure.normative_documents.{key}"] == 4


def test_row_total_failure_names_row_and_both_amounts() -> None:
    rows = T3_HEADER + [["（一）予以公开", "1", "1", "1", "1", "1", "1", "7"]]
    failing = [c for c in normalise(doc(rows_table(rows))).checks if not c.ok]
    assert len(failing) == 1
    assert (failing[0].rule, failing[0].row, failing[0].expected, failing[0].found) == (
        "applications.row_total", "granted", 6, 7)


def test_a_document_without_template_tables_is_not_a_report() -> None:
    news = doc(Paragraph(text="一、总体情况"), Paragraph(text="二、主动公开政府信息情况"),
               rows_table([["日期", "事项"], ["1月", "会议"]]))
    with pytest.raises(NotAReportError, match="not an annual report table set"):
        normalise(news)


@pytest.mark.parametrize("heading", ["五、存在的主要问题及改进情况", "5、 存在的主要问题及改进情况",
                                     "五、政府信息公开工作存在的主要问题及改进情况", "存在的主要问题及改进情况",
                                     "### 五、存在问题和改进措施"])
def test_section_heading_variants(heading: str) -> None:
    from extractors.text import parse

    blocks = parse([heading.strip("# "), "一是公开不够及时。", "六、其他需要报告的事项", "无。"])
    t3 = rows_table(T3_HEADER + [["一、本年新收政府信息公开申请数量"] + ["1"] * 6 + ["6"]])
    report = normalise(doc(*blocks, t3))
    assert report.sections["problems"] == "一是公开不够及时。"
    assert report.sections["other"] == "无。"


def test_subheads_are_not_sections() -> None:
    report = normalise(doc(Paragraph(text="一、总体情况"), Paragraph(text="（二）依申请公开"),
                           Paragraph(text="全年收到申请3件。"), rows_table(T3_HEADER)))
    assert report.sections["overview"] == "（二）依申请公开\n全年收到申请3件。"


def _odd(report, field_id: str) -> list[str]:
    return [i.message for i in report.issues if i.code == "odd_value" and i.field == field_id]


def test_odd_cells_give_what_is_safe_or_null_and_an_issue_naming_the_field() -> None:
    rows = T3_HEADER + [["一、本年新收政府信息公开申请数量", "1297 1300", "1297*", "三十四", "-34", "11.8",
                         "1234567890123", "5"]]
    report = normalise(doc(rows_table(rows)))
    got = {k.split(".")[-1]: v for k, v in report.values().items() if k.startswith("applications.new_received.")}
    assert got == {"natural_person": None, "commercial_enterprise": 1297, "research_institution": 34,
                   "social_welfare_org": None, "legal_service_org": None, "other_org": None, "total": 5}
    prefix = "applications.new_received."
    assert _odd(report, prefix + "natural_person") == [
        f"{prefix}natural_person: '1297 1300': 2 numbers in one cell, left null"]
    assert _odd(report, prefix + "commercial_enterprise") == [
        f"{prefix}commercial_enterprise: '1297*': footnote mark '*' ignored, read as 1297"]
    assert _odd(report, prefix + "research_institution") == [
        f"{prefix}research_institution: '三十四': written in Chinese numerals, read as 34"]
    assert _odd(report, prefix + "social_welfare_org") == [f"{prefix}social_welfare_org: '-34': negative count, left null"]
    assert _odd(report, prefix + "legal_service_org") == [f"{prefix}legal_service_org: '11.8': fractional count, left null"]
    assert _odd(report, prefix + "other_org") == [
        f"{prefix}other_org: '1234567890123': number over 10^12, too large to be a count or amount, left null"]
    assert _odd(report, prefix + "total") == []
    # every odd cell is traced to itself, null or not
    assert [report.provenance[prefix + c].col for c in ("natural_person", "commercial_enterprise",
                                                        "research_institution", "social_welfare_org")] == [1, 2, 3, 4]
    assert report.provenance[prefix + "natural_person"].raw == "1297 1300"


def test_signed_and_decimal_fields_keep_negative_and_fractional_values() -> None:
    rows = [["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"], ["行政许可", "12", "-3", "45"],
            ["行政处罚", "7", "2.5", "-9"]]
    report = normalise(doc(rows_table(rows)))
    got = report.values()
    assert (got["active_disclosure.licensing.previous_year_items"], got["active_disclosure.licensing.change"],
            got["active_disclosure.licensing.decisions"]) == (12, -3, 45)
    assert got["active_disclosure.penalties.change"] is None and got["active_disclosure.penalties.decisions"] is None
    assert _odd(report, "active_disclosure.licensing.change") == []
    assert _odd(report, "active_disclosure.penalties.change") == [
        "active_disclosure.penalties.change: '2.5': fractional count, left null"]
    assert _odd(report, "active_disclosure.penalties.decisions") == [
        "active_disclosure.penalties.decisions: '-9': negative count, left null"]


def test_a_row_number_in_chinese_numerals_stays_part_of_the_label() -> None:
    rows = T3_HEADER + [["一", "本年新收政府信息公开申请数量", "1", "2", "3", "4", "5", "6", "21"],
                        ["二", "上年结转政府信息公开申请数量", "7", "十", "9", "10", "11", "12", "59"]]
    report = normalise(doc(rows_table(rows)))
    got = report.values()
    assert got["applications.new_received.natural_person"] == 1 and got["applications.new_received.total"] == 21
    assert got["applications.carried_over.commercial_enterprise"] == 10
    assert [i.field for i in report.issues if i.code == "odd_value"] == ["applications.carried_over.commercial_enterprise"]


@pytest.mark.parametrize(("col", "column", "raw"), [(1, "natural_person", "1297 1300"), (2, "commercial_enterprise", "1297*"),
                                                    (3, "research_institution", "三十四")])
def test_explain_shows_the_odd_cell_itself(col: int, column: str, raw: str) -> None:
    from pipeline.inspection.explain import explain

    rows = T3_HEADER + [["一、本年新收政府信息公开申请数量", "1297 1300", "1297*", "三十四", "4", "5", "6", "7"]]
    document = doc(rows_table(rows))
    exp = explain(normalise(document), document, f"applications.new_received.{column}")
    assert (exp.provenance.row, exp.provenance.col, exp.provenance.raw) == (1, col, raw)
    assert exp.header is not None and exp.header[0].col == col
    assert [i.code for i in exp.issues] == ["odd_value"]
