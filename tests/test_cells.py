"""extractors.cells: the extractors' one "looks like a value" layout hint, beside the normaliser's value rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.cells import looks_like_value, looks_numeric
from pipeline.normalise.values import parse_cell


@pytest.mark.parametrize("text", ["12", " 0 ", "1,234", "1，234", "-3", "－3", "−3", "—3", "+3", "减3", "增 3",
                                  "160.5964", "160.5万元", "251000元", "12件", "3 件", "5%", "3条", "3个"])
def test_numbers_look_numeric(text: str) -> None:
    assert looks_numeric(text)


@pytest.mark.parametrize("text", ["", "自然人", "1.", "2.其他法律行政法规禁止公开", "2024.1.5", "2020-02-07",
                                  "- 3 -", "—5—", "/3", "13条，确保公开内容真实", "2020年1月5日", "12（注）"])
def test_labels_dates_and_page_numbers_do_not(text: str) -> None:
    assert not looks_numeric(text)


@pytest.mark.parametrize("text", ["", "  ", "/", "／", "—", "——", "-", "－", "无", "不涉及", "7"])
def test_blank_tokens_and_numbers_are_values(text: str) -> None:
    assert looks_like_value(text)


def test_labels_are_not_values() -> None:
    assert not looks_like_value("（一）予以公开") and not looks_like_value("总计")


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["", "-", "减"]), st.sampled_from(["", "件", "元"]))
def test_a_plain_count_is_a_value_to_both(n: int, sign: str, unit: str) -> None:
    """The hint never takes a count the spec's value rule reads for a label: no cell is split off its row."""
    for text in (f"{sign}{n}{unit}", f"{sign}{n:,}{unit}", f"{sign}{n}.5{unit}"):
        assert looks_numeric(text) and parse_cell(text).value is not None, text
