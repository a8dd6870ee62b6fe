"""Cell text -> number or null, by the spec's value rules.

Empty, `/`, `—`, `-`, `无`, `不涉及` mean "no value" (null), never 0. Units written in the cell
(`251000元`, `160.5964万元`, `12件`, `2笔`) are parsed off; `减3` is -3; thousands separators are dropped.

A cell that is not one clean number but plainly holds a value (two numbers `1297 1300`, a footnote
mark `1297*`, Chinese numerals `三十四`, a number too large to be a count) is still a value cell, with
`doubt` saying why: its value is what can be read safely, or None, and the normaliser records an issue
naming the field. Whether a number fits its field (a negative or fractional count) is `fit_field`'s
question, since only the field's type tells. Any other cell is text (a label), which is how the
normaliser tells labels from values.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

NULL_TOKENS = frozenset({"", "/", "//", "\\", "-", "--", "—", "——", "–", "―", "无", "空", "不涉及", "暂无",
                         "x", "X", "×", "null", "N/A", "n/a", "NA"})
MAX_COUNT = 10**12  # larger is an ID number or cells run together, never a count or an amount in 元
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b]+")
_UNITS = r"万元|元|件|笔|个|项|条|次|人|家|份|宗"
_NUMBER = re.compile(
    r"^(?P<sign>[+\-]|减少?|增加?|减|增)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    rf"(?P<unit>{_UNITS})?(?P<rest>.*)$"
)
# a number whose thousands are separated by spaces (`5 949.088667`), as opposed to two numbers
_SPACED_THOUSANDS = re.compile(r"^\d{1,3}(?: \d{3})+(?:\.\d+)?$")
# what may follow a number without making the cell text: an annotation in brackets
_ANNOTATION = re.compile(r"^[(（\[【].*[)）\]】]$")
# footnote marks after a number; looked for before NFKC, which would turn `①` and `¹` into digits
_FOOTNOTE = re.compile(r"[*＊※†‡#＃\u00b9\u00b2\u00b3\u2070-\u2079\u2460-\u2473\u2776-\u277f]+$")
_DIGITS = {"〇": 0, "零": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
           "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_LARGE_UNITS = {"万": 10**4, "亿": 10**8}
_NUMERALS = re.compile(rf"^(?P<num>[{''.join(_DIGITS)}{''.join(_SMALL_UNITS)}{''.join(_LARGE_UNITS)}]+)"
                       rf"(?P<unit>{_UNITS})?$")


@dataclass(frozen=True)
class CellValue:
    """What a cell holds: a number, a deliberate blank, or text."""

    raw: str
    value: int | float | None
    unit: str | None = None
    is_null: bool = False  # an empty or "no value" token
    annotated: bool = False  # a bracketed note followed the number
    doubt: str | None = None  # why this value cell is not one clean number (value: what is safe, or None)
    spelled: bool = False  # Chinese numerals: a value after a row's label, but alone it may number a row

    @property
    def is_value(self) -> bool:
        return self.is_null or self.value is not None or self.doubt is not None


@lru_cache(maxsize=8192)
def parse_cell(raw: str) -> CellValue:
    """Classify one cell's text."""
    stripped = (raw or "").strip()
    text = _SPACES.sub("", unicodedata.normalize("NFKC", stripped))
    if text in NULL_TOKENS or set(text) <= {"-", "—", "/", "\\", "－", "─"}:
        return CellValue(raw, None, is_null=True)
    spaced = _SPACES.sub(" ", unicodedata.normalize("NFKC", stripped))
    if " " in spaced and not _SPACED_THOUSANDS.match(spaced) and all(
            _clean_number(token) is not None for token in spaced.split(" ")):
        return CellValue(raw, None, doubt=f"{len(spaced.split())} numbers in one cell")
    mark = _FOOTNOTE.search(stripped)
    if mark and mark.start() > 0:
        marked = parse_cell(stripped[: mark.start()])
        if marked.value is not None and marked.doubt is None:
            return CellValue(raw, marked.value, unit=marked.unit, doubt=f"footnote mark '{mark.group()}' ignored")
    if numerals := _NUMERALS.match(text):
        spelled = chinese_numerals(numerals["num"])
        if spelled is not None:
            return _bounded(CellValue(raw, spelled, doubt="written in Chinese numerals", spelled=True))
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
    return _bounded(CellValue(raw, value, unit=unit, annotated=bool(rest)))


def _clean_number(token: str) -> int | float | None:
    """A token that is a number and nothing else (a unit allowed)."""
    match = _NUMBER.match(token)
    return None if match is None or match["rest"] else float(match["num"].replace(",", ""))


def _bounded(cell: CellValue) -> CellValue:
    if cell.value is not None and abs(cell.value) > MAX_COUNT:
        return CellValue(cell.raw, None, doubt="number over 10^12, too large to be a count or amount")
    return cell


def chinese_numerals(text: str) -> int | None:
    """`三十四` -> 34, `一百零五` -> 105, `两万三千` -> 23000, `一二` -> None (not a well-formed number)."""
    if text[0] in _LARGE_UNITS:
        return None
    total, section, digit = 0, 0, None
    for char in text:
        if char in _DIGITS and _DIGITS[char] == 0 and (total or section):
            continue  # 一百零五: 零 only marks a skipped place
        if char in _DIGITS:
            if digit is not None:
                return None  # two digits in a row: not how a number is written
            digit = _DIGITS[char]
        elif char in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[char]
            digit = None
        else:
            total = (total + section + (digit or 0)) * _LARGE_UNITS[char]
            section, digit = 0, None
    return total + section + (digit or 0)


def fit_field(value: int | float, field_type: str, signed: bool = False) -> tuple[int | float | None, str | None]:
    """(the value as the field holds it, or None; why not, or None).

    Counts are non-negative integers, the 2019 本年增/减 (`signed`) may be negative, decimal fields
    are non-negative and may be fractional. A number that breaks its field's rule is not guessed at.
    """
    if field_type == "decimal":
        return (None, "negative amount") if value < 0 else (float(value), None)
    if isinstance(value, float) and not value.is_integer():
        return None, "fractional count"
    if value < 0 and not signed:
        return None, "negative count"
    return int(value), None
