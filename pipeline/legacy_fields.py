"""The pre-2019 statistics-table indicators (data/legacy-fields.tsv, a copy of the spec's).

Label matching is data: a new label variant is one more `·`-separated word on a line of the file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

LEGACY_COLUMNS = ("this_period", "cumulative", "ytd")


@dataclass(frozen=True)
class LegacyField:
    id: str
    parent: str | None
    unit: str
    variants: tuple[str, ...]


@cache
def legacy_fields() -> dict[str, LegacyField]:
    """Every legacy field id in file order."""
    text = resources.files("pipeline").joinpath("data/legacy-fields.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {
        r["field"]: LegacyField(r["field"], r["parent"] or None, r["unit"], tuple(v for v in r["variants"].split("·") if v))
        for r in csv.DictReader(lines, delimiter="\t")
    }
