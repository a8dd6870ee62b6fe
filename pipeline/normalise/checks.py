"""The template's own arithmetic rules (spec: Checks), over the flat field values.

Each failure names where (row, column or group) and both amounts. A rule over a null cell is
skipped, not failed, and the passing entry says how many places it skipped.
"""

from __future__ import annotations

from typing import Any

from pipeline.normalise.template import (
    FLOW_IN,
    FLOW_OUT,
    FLOW_ROWS,
    RESULTS_TOTAL,
    REVIEW_GROUPS,
    REVIEW_PARTS,
    T3_COLUMNS,
)
from pipeline.report import Check

# Within one row, consecutive runs of cells whose last is the sum of the others: table 三's seven
# columns (row_total), table 四's three groups of five (review_litigation.total).
ROW_SUM_RUNS = {"t3": (len(T3_COLUMNS),), "t4": tuple(len(REVIEW_PARTS) for _ in REVIEW_GROUPS)}


def _numbers(values: dict, keys: list[str]) -> list[float] | None:
    found: list[Any] = [values.get(k) for k in keys]
    if any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in found):
        return None
    return found


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def run_checks(values: dict) -> list[Check]:
    """All four rules; one entry per failure, one passing entry per rule otherwise."""
    checks: list[Check] = []
    skipped: dict[str, int] = {}
    rows = list(dict.fromkeys(k.split(".")[1] for k in values if k.startswith("applications.")))
    outcome_rows = [r for r in rows if r not in FLOW_ROWS]

    def fail(rule: str, expected: float, found: float, message: str, **where: str) -> None:
        checks.append(Check(rule=rule, ok=False, expected=expected, found=found, message=message, **where))

    for row in rows:
        nums = _numbers(values, [f"applications.{row}.{c}" for c in T3_COLUMNS])
        if nums is None:
            skipped["applications.row_total"] = skipped.get("applications.row_total", 0) + 1
        elif not _close(sum(nums[:-1]), nums[-1]):
            fail("applications.row_total", sum(nums[:-1]), nums[-1],
                 f"row {row}: 总计 {nums[-1]:g} but the six applicant columns sum to {sum(nums[:-1]):g}", row=row)
    for col in T3_COLUMNS:
        nums = _numbers(values, [f"applications.{r}.{col}" for r in [*outcome_rows, RESULTS_TOTAL]])
        if nums is None:
            skipped["applications.results_total"] = skipped.get("applications.results_total", 0) + 1
        elif not _close(sum(nums[:-1]), nums[-1]):
            fail("applications.results_total", sum(nums[:-1]), nums[-1],
                 f"column {col}: （七）总计 {nums[-1]:g} but the outcome rows sum to {sum(nums[:-1]):g}", column=col)
        came = _numbers(values, [f"applications.{r}.{col}" for r in FLOW_IN])
        went = _numbers(values, [f"applications.{r}.{col}" for r in FLOW_OUT])
        if came is None or went is None:
            skipped["applications.balance"] = skipped.get("applications.balance", 0) + 1
        elif not _close(sum(came), sum(went)):
            fail("applications.balance", sum(came), sum(went),
                 f"column {col}: 一+二 = {sum(came):g} but 三（七）+四 = {sum(went):g}", column=col)
    for group in REVIEW_GROUPS:
        nums = _numbers(values, [f"review_litigation.{group}.{p}" for p in REVIEW_PARTS])
        if nums is None:
            skipped["review_litigation.total"] = skipped.get("review_litigation.total", 0) + 1
        elif not _close(sum(nums[:-1]), nums[-1]):
            fail("review_litigation.total", sum(nums[:-1]), nums[-1],
                 f"{group}: 总计 {nums[-1]:g} but the four results sum to {sum(nums[:-1]):g}", group=group)
    failing = {c.rule for c in checks}
    for rule in ("applications.row_total", "applications.results_total", "applications.balance",
                 "review_litigation.total"):
        if rule not in failing:
            note = f"; skipped {skipped[rule]} place(s) with null cells" if rule in skipped else ""
            checks.append(Check(rule=rule, ok=True, message=f"holds{note}"))
    return checks
