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


WIDE_COLUMNS = ("this_period", "cumulative")  # ytd is rare (monthly forms); it stays in the long exports


@cache
def legacy_wide_columns() -> list[str]:
    """`legacy.<field>.this_period` and `.cumulative` for every legacy field: the wide exports' legacy columns."""
    return [f"{f}.{c}" for f in legacy_fields() for c in WIDE_COLUMNS]


def legacy_label(column: str) -> str:
    """A wide column's reader-facing name: the field's first label variant and its column in Chinese."""
    field_id, column_name = column.rsplit(".", 1)
    names = {"this_period": "本期", "cumulative": "历年累计", "ytd": "本年累计"}
    return f"{legacy_fields()[field_id].variants[0]}｜{names.get(column_name, column_name)}"


def glued_cuts(digits: str) -> list[tuple[int, int]]:
    """Every way to cut a run of digits into (this period, cumulative), two cells that ran together in crawler
    text (`346085376`): neither part has a leading zero unless it is 0, and the cumulative since 2008 is never
    below this year's value, unless it is 0 (a cumulative column left unfilled: a real table prints 74 | 0, so
    `740` may be 7 | 40 or 74 | 0). One cut decides; several are left to another year of the same body
    (cumulative of the year before + this period = cumulative)."""
    cuts = []
    for at in range(1, len(digits)):
        head, tail = digits[:at], digits[at:]
        if (len(head) > 1 and head[0] == "0") or (len(tail) > 1 and tail[0] == "0"):
            continue
        if int(tail) >= int(head) or int(tail) == 0:
            cuts.append((int(head), int(tail)))
    return cuts
