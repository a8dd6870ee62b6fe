"""Whether a reader can take a document's numbers as they stand (通过) or must look at it first (需复核).

A converted document is not "ok" just because it converted: one with 9 of its 200 values filled, or
whose template arithmetic fails, needs a person. The rule is deliberately simple so that the index can
say it in one line:

    需复核 (needs_review) when any template check failed, an error-level issue was raised, or fewer than
    MIN_FILLED_SHARE of the template's values are filled (null cells: blank, "/", "—", "无").

Documents without a report keep their batch status (not_a_report, corrupt, timeout, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.inspection.review.common import values_of
from pipeline.report import Report

MIN_FILLED_SHARE = 0.5
OK, NEEDS_REVIEW = "ok", "needs_review"
REVIEW_RULE = (f"需复核：有未通过的模板校验、有错误级问题，或已填写的数值不足 {MIN_FILLED_SHARE:.0%}"
               "（空白、“/”、“—”、“无”均为未填写）")

# what each status is called in the interface (the code stays in data attributes and filters)
STATUS_LABELS = {
    OK: "通过", NEEDS_REVIEW: "需复核", "not_a_report": "非年报", "corrupt": "文件损坏", "encrypted": "已加密",
    "empty": "空文件", "too_large": "文件过大", "unsupported": "格式不支持", "timeout": "超时", "error": "程序错误",
}


@dataclass(frozen=True)
class Verdict:
    status: str  # ok | needs_review | the batch status of a document without a report
    reasons: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


def filled_share(report: Report) -> tuple[int, int]:
    """(filled, total) of the report's values; unit fields (text beside an amount) are not values."""
    values = {f: v for f, v in values_of(report).items() if not f.endswith("_unit")}
    return sum(v is not None for v in values.values()), len(values)


def verdict(report: Report | None, doc_status: str = OK) -> Verdict:
    """The review status of one document (see the module docstring for the rule)."""
    if report is None or doc_status != OK:
        return Verdict(doc_status or "error")
    reasons = []
    failed = sorted({c.rule for c in report.checks if not c.ok})
    if failed:
        reasons.append(f"{len(failed)} 项校验未通过")
    errors = [i for i in report.issues if i.level == "error"]
    if errors:
        reasons.append(f"{len(errors)} 个错误级问题")
    filled, total = filled_share(report)
    if total and filled / total < MIN_FILLED_SHARE:
        reasons.append(f"仅填写 {filled}/{total} 项（低于 {MIN_FILLED_SHARE:.0%}）")
    return Verdict(NEEDS_REVIEW if reasons else OK, tuple(reasons))
