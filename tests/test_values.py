"""Cell text -> value, by the spec's value rules."""

from __future__ import annotations

import pytest

from pipeline.normalise.values import chinese_numerals, fit_field, parse_cell


@pytest.mark.parametrize(("raw", "value", "unit"), [
    ("0", 0, None), (" 12 ", 12, None), ("1,234", 1234, None), ("3.50", 3.5, None),
    ("减3", -3, None), ("-8", -8, None), ("+2", 2, None), ("增5", 5, None),
    ("251000元", 251000, "元"), ("160.5964万元", 160.5964, "万元"), ("12件", 12, None),
    ("０１２", 12, None), ("22（其中修订 16 件）", 22, None), ("5 949.088667", 5949.088667, None),
])
def test_numbers(raw: str, value: float, unit: str | None) -> None:
    cell = parse_cell(raw)
    assert cell.value == value and cell.unit == unit and not cell.is_null


@pytest.mark.parametrize("raw", ["", " ", "/", "／", "—", "——", "-", "－", "无", "不涉及", "\u3000", "\xa0"])
def test_blank_tokens_are_null_not_zero(raw: str) -> None:
    cell = parse_cell(raw)
    assert cell.is_null and cell.value is None


@pytest.mark.parametrize("raw", ["规章", "1.属于国家秘密", "（七）总计", "2023年", "第二十条第（一）项"])
def test_labels_are_text(raw: str) -> None:
    cell = parse_cell(raw)
    assert not cell.is_value


# ---- cells that are not one clean number: a value cell with a doubt, never a silent guess
@pytest.mark.parametrize(("raw", "value", "doubt"), [
    ("1297 1300", None, "2 numbers in one cell"),
    ("1297　1300", None, "2 numbers in one cell"),
    ("12件 13件", None, "2 numbers in one cell"),
    ("1297*", 1297, "footnote mark '*' ignored"),
    ("1297①", 1297, "footnote mark '①' ignored"),
    ("1297¹", 1297, "footnote mark '¹' ignored"),
    ("三十四", 34, "written in Chinese numerals"),
    ("一百零五件", 105, "written in Chinese numerals"),
    ("两万三千", 23000, "written in Chinese numerals"),
    ("1234567890123", None, "number over 10^12, too large to be a count or amount"),
    ("123456789012345678901234", None, "number over 10^12, too large to be a count or amount"),
])
def test_odd_value_cells_are_values_with_a_doubt(raw: str, value: int | None, doubt: str) -> None:
    cell = parse_cell(raw)
    assert cell.is_value and cell.value == value and cell.doubt == doubt


@pytest.mark.parametrize("raw", ["0", "1,297", "5 949.088667", "160.5964万元", "减3", "22（其中修订 16 件）"])
def test_clean_numbers_have_no_doubt(raw: str) -> None:
    assert parse_cell(raw).doubt is None


@pytest.mark.parametrize(("text", "value"), [("三十四", 34), ("十", 10), ("十二", 12), ("一百零五", 105),
                                             ("一千零一十", 1010), ("两万三千", 23000), ("〇", 0), ("一二", None),
                                             ("万", None)])
def test_chinese_numerals(text: str, value: int | None) -> None:
    assert chinese_numerals(text) == value


@pytest.mark.parametrize(("value", "field_type", "signed", "fitted", "why"), [
    (34, "int", False, 34, None), (-34, "int", False, None, "negative count"), (-3, "int", True, -3, None),
    (11.8, "int", False, None, "fractional count"), (11.8, "int", True, None, "fractional count"),
    (12.0, "int", False, 12, None), (11.8, "decimal", False, 11.8, None), (3, "decimal", False, 3.0, None),
    (-5.5, "decimal", False, None, "negative amount"),
])
def test_fit_field(value: float, field_type: str, signed: bool, fitted: float | None, why: str | None) -> None:
    got = fit_field(value, field_type, signed)
    assert got == (fitted, why) and type(got[0]) is type(fitted)
