"""What every page of the review site shares: exact value text and the page templates."""

from __future__ import annotations

import html
import math
from decimal import Decimal
from importlib import resources
from string import Template
from typing import Any

e = html.escape


def show_value(value: Any) -> str:
    """A value exactly as the report holds it: 18651.06 stays 18651.06 and 75394432.52 never becomes
    7.53944e+07 (the shortest text that reads back as the same float, without an exponent); null is —."""
    if value is None:
        return "—"
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value)


def show_percent(value: float | None) -> str:
    """A ratio as a percentage for charts and summaries (the exact ratio stays in the data attributes)."""
    return "—" if value is None else f"{value * 100:.1f}%"


_VALUES: dict[int, tuple[Any, dict[str, Any]]] = {}


def values_of(report: Any) -> dict[str, Any]:
    """report.values(), computed once per report while a site is built (each page reads them several
    times; the entry holds the report, so its id is not reused meanwhile)."""
    hit = _VALUES.get(id(report))
    if hit is None or hit[0] is not report:
        hit = _VALUES[id(report)] = (report, report.values())
    return hit[1]


def forget_values() -> None:
    _VALUES.clear()


def page_template(name: str) -> Template:
    return Template(resources.files("pipeline.inspection.review").joinpath(f"templates/{name}")
                    .read_text(encoding="utf-8"))
