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


def page_template(name: str) -> Template:
    return Template(resources.files("pipeline.inspection.review").joinpath(f"templates/{name}")
                    .read_text(encoding="utf-8"))
