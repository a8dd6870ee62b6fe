"""The series that run through the 2019 break (data/series.tsv): one number per report, read from the legacy
statistics table before 2019 and from the template's tables after, so a body's panel spans 2008 to today.

A new series is one line of the file. The batch's panel export and the review site's time line both read
a report's value through `BridgeSeries.value` and place the break with `break_year`, so they cannot disagree.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pipeline.fields import all_fields
from pipeline.legacy_fields import legacy_wide_columns

LEGACY = "legacy"  # report.template of a 2008–2018 report


@dataclass(frozen=True)
class BridgeSeries:
    id: str
    label: str
    legacy: str  # legacy.<field>.this_period
    template: tuple[str, ...]  # fields.tsv ids, summed

    def fields_for(self, template: str | None) -> tuple[str, ...]:
        """The field ids a report on this template holds the series in."""
        return (self.legacy,) if template == LEGACY else self.template

    def value(self, template: str | None, values: Mapping[str, Any]) -> float | None:
        """The series on one report (values: field id -> value); null when any term is unknown."""
        terms = [values.get(f) for f in self.fields_for(template)]
        numbers = [t for t in terms if isinstance(t, int | float) and not isinstance(t, bool)]
        return sum(numbers) if len(numbers) == len(terms) else None


@cache
def bridge_series() -> tuple[BridgeSeries, ...]:
    """Every series in file order; raises when a line names a field neither field list has."""
    text = resources.files("pipeline").joinpath("data/series.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    out = tuple(BridgeSeries(r["series"], r["label"], r["legacy"], tuple(r["template"].split("+")))
                for r in csv.DictReader(lines, delimiter="\t"))
    unknown = [f for s in out for f in s.template if f not in all_fields()]
    unknown += [s.legacy for s in out if s.legacy not in legacy_wide_columns()]
    if unknown:
        raise RuntimeError(f"data/series.tsv names fields no field list has: {sorted(set(unknown))}")
    return out


def era(template: str | None) -> str:
    """`pre2019` for a report on the legacy table, `post2019` for one on a template."""
    return "pre2019" if template == LEGACY else "post2019"


def break_year(templates: Mapping[int, str | None]) -> int | None:
    """The year the body's reports leave the legacy table: its first year on a template after a legacy year
    (year -> the template of the report shown for it); None when the body has no such pair."""
    first_legacy = min((y for y, t in templates.items() if t == LEGACY), default=None)
    after = [y for y, t in templates.items() if t != LEGACY and first_legacy is not None and y > first_legacy]
    return min(after, default=None)
