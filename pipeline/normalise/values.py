"""Cell text -> number or null, by the spec's value rules.

Empty, `/`, `—`, `-`, `无`, `不涉及` mean "no value" (null), never 0. Units written in the cell
(`251000元`, `160.5964万元`, `12件`, `2笔`) are parsed off; `减3` is -3; thousands separators are dropped.
A cell that is none of these is text (a label), which is how the normaliser tells labels from values.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

NULL_TOKENS = frozenset({"", "/", "//", "\\", "-", "--", "—", "——", "–", "―", "无", "空", "不涉及", "暂无",
                         "x", "X", "×", "null", "N/A", "n/a", "NA"})
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b]+")
_NUMBER = re.compile(
    r"^(?P<sign>[+\-]|减少?|增加?|减|增)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<unit>万元|元|件|笔|个|项|条|次|人|家|份|宗)?(?P<rest>.*)$"
)
# what may follow a number without making the cell text: an annotation in brackets
_ANNOTATION = re.compile(r"^[(（\[【].*[)）\]】]$")


@dataclass(frozen=True)
class CellValue:
    """What a cell holds: a number, a deliberate blank, or text."""

    raw: str
    value: int | float | None
    unit: str | None = None
    is_null: bool = False  # an empty or "no value" token
    annotated: bool = False  # a bracketed note followed the number

    @property
    def is_value(self) -> bool:
        return self.is_null or self.value is not None


@lru_cache(maxsize=8192)
def parse_cell(raw: str) -> CellValue:
    """Classify one cell's text."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", raw or ""))
    if text in NULL_TOKENS or set(text) <= {"-", "—", "/", "\\", "－", "─"}:
        return CellValue(raw, None, is_null=True)
    match = _NUMBER.match(text)
    if not match:
        return CellValue(raw, None)
    rest = match["rest"]
    if rest and not _ANNOTATION.match(rest):
        return CellValue(raw, None)
    number_text = match["num"].replace(",", "")
    value: int | float = float(number_text) if "." in number_text else int(number_text)
    sign = match["sign"] or ""
    if sign == "-" or sign.startswith("减"):
        value = -value
    unit = match["unit"] if match["unit"] in ("万元", "元") else None
    return CellValue(raw, value, unit=unit, annotated=bool(rest))


def as_field_type(value: int | float, field_type: str) -> int | float:
    """Integers stay integers; a decimal field always holds a float."""
    if field_type == "decimal":
        return float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
