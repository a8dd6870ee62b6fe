"""The audit's finding codes (spec: report-schema.md, "Audit"): severity and Chinese name of each, in the
order findings are listed (errors first). Shared so that the batch's audit and workbook and the review site
(which never imports the batch) name findings alike."""

from __future__ import annotations

FINDING_CODES: dict[str, tuple[str, str]] = {
    "text_table_mismatch": ("error", "正文与表格数字不一致"),
    "cross_year_mismatch": ("error", "上年结转与上年报告不一致"),
    "arithmetic": ("error", "表格勾稽关系不符"),
    "published_late": ("warning", "逾期发布"),
    "template_outdated": ("warning", "未使用新版模板"),
    "section_missing": ("warning", "缺少必备章节"),
    "section_empty": ("warning", "章节无内容"),
    "fee_not_stated": ("warning", "未说明信息处理费"),
    "problems_boilerplate": ("warning", "问题与改进照抄上年"),
    "legacy_continuity_mismatch": ("warning", "历年累计与上年不衔接"),
}
SEVERITY_LABELS = {"error": "错误", "warning": "提示"}


def finding_label(code: str) -> str:
    """A code's Chinese name, the code itself when unknown (a newer audit's code)."""
    return FINDING_CODES.get(code, ("", code))[1]
