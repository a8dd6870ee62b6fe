"""Cell text -> value, by the spec's value rules."""

from __future__ import annotations

import pytest

from pipeline.normalise.values import parse_cell


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
