"""The spec's indicators: ratios researchers and offices compare across bodies and years.

Each is computed from the report's own values, exactly as the spec's table says; null when a term is null
(or absent) or the denominator is 0. The summed rows are found by their field ids, so a row the template
adds (denied_*, unavailable_*) is summed without a change here.
"""

from __future__ import annotations

from typing import Any

from pipeline.fields import all_fields
from pipeline.normalise.template import (
    NATURAL_PERSON,
    NEW_RECEIVED,
    RESULTS_TOTAL,
    REVIEW_CORRECTED,
    REVIEW_DECIDED,
    REVIEW_GROUPS,
    TOTAL,
)
from pipeline.report import Indicators

RESULTS = f"applications.{RESULTS_TOTAL}.{TOTAL}"
# table 四's first group is 行政复议, the other two the lawsuits (direct, and after a review)
_CORRECTION_GROUPS = {"review_correction_rate": REVIEW_GROUPS[:1], "litigation_correction_rate": REVIEW_GROUPS[1:]}


def _sum(values: dict[str, Any], fields: list[str]) -> float | None:
    terms: list[Any] = [values.get(f) for f in fields]
    if not terms or any(t is None for t in terms):
        return None
    return sum(terms)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _rows(values: dict[str, Any], prefix: str) -> list[str]:
    """`applications.<prefix>*.total` ids of fields.tsv that the report holds."""
    return [f for f in all_fields() if f.startswith(f"applications.{prefix}") and f.endswith(".total")
            and f in values]


def compute(values: dict[str, Any]) -> Indicators:
    """values: field id -> value (a report's own fields, those of its template)."""
    results = values.get(RESULTS)
    out: dict[str, float | None] = {
        "disclosure_rate": _ratio(_sum(values, ["applications.granted.total",
                                                "applications.partially_granted.total"]), results),
        "denial_rate": _ratio(_sum(values, _rows(values, "denied_")), results),
        "unavailable_rate": _ratio(_sum(values, _rows(values, "unavailable_")), results),
        "natural_person_share": _ratio(values.get(f"applications.{NEW_RECEIVED}.{NATURAL_PERSON}"),
                                       values.get(f"applications.{NEW_RECEIVED}.{TOTAL}")),
    }
    for indicator, groups in _CORRECTION_GROUPS.items():
        corrected = _sum(values, [f"review_litigation.{g}.{REVIEW_CORRECTED}" for g in groups])
        decided = _sum(values, [f"review_litigation.{g}.{c}" for g in groups for c in REVIEW_DECIDED])
        out[indicator] = _ratio(corrected, decided)
    return Indicators(**out)
