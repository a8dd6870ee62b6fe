"""The field list of the standard report schema (data/fields.tsv, a copy of the spec's)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

TOPS = ("active_disclosure", "applications", "review_litigation")
TABLE_PREFIX = {"t2": "active_disclosure", "t3": "applications", "t4": "review_litigation"}


@dataclass(frozen=True)
class Field:
    id: str
    templates: frozenset[str]
    row_label: str
    column_label: str
    type: str  # int | decimal | text

    @property
    def signed(self) -> bool:
        """The 2019 本年增/减: the one count that may be negative."""
        return "增/减" in self.column_label


@cache
def all_fields() -> dict[str, Field]:
    """Every field id in fields.tsv order."""
    text = resources.files("pipeline").joinpath("data/fields.tsv").read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines(), delimiter="\t")
    return {
        r["field"]: Field(r["field"], frozenset(r["templates"].split(",")), r["row_label"], r["column_label"], r["type"])
        for r in reader
    }


@cache
def template_fields(template: str) -> list[str]:
    """The field ids a report on this template holds, in fields.tsv order."""
    return [f.id for f in all_fields().values() if template in f.templates]


def wide_fields() -> list[str]:
    """The value columns of a wide export: fields.tsv in order, then each legacy field's this_period and
    cumulative (legacy-fields.tsv), so that pre-2019 and later reports share one sheet."""
    from pipeline.legacy_fields import legacy_wide_columns

    return [*all_fields(), *legacy_wide_columns()]
