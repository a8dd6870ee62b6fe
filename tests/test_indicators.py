"""Indicators (spec: "Indicators"): each equals its formula, computed here from the dev corpus truth files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import convert
from pipeline.normalise.indicators import compute

DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
TRUTHS = sorted(DEV.glob("dev_*.truth.json")) if DEV.is_dir() else []
DENIED = ("state_secret", "prohibited_by_law", "security_stability", "third_party_rights", "internal_affairs",
          "process_information", "enforcement_files", "administrative_query")
UNAVAILABLE = ("not_held", "needs_creation", "unclear")


def _rate(numerator: float | None, denominator: float | None) -> float | None:
    return None if numerator is None or denominator is None or denominator == 0 else numerator / denominator


def _total(values: dict, ids: list[str]) -> float | None:
    terms = [values.get(i) for i in ids]
    return None if any(t is None for t in terms) else sum(terms)


def spec_indicators(values: dict) -> dict:
    """The spec's table, written out term by term."""
    a = "applications."
    r = values.get(a + "results_total.total")
    review = [f"review_litigation.review.{c}" for c in ("upheld", "corrected", "other")]
    litigation = [f"review_litigation.{g}.{c}" for g in ("litigation_direct", "litigation_after_review")
                  for c in ("upheld", "corrected", "other")]
    return {
        "disclosure_rate": _rate(_total(values, [a + "granted.total", a + "partially_granted.total"]), r),
        "denial_rate": _rate(_total(values, [f"{a}denied_{d}.total" for d in DENIED]), r),
        "unavailable_rate": _rate(_total(values, [f"{a}unavailable_{u}.total" for u in UNAVAILABLE]), r),
        "review_correction_rate": _rate(values.get("review_litigation.review.corrected"), _total(values, review)),
        "litigation_correction_rate": _rate(
            _total(values, ["review_litigation.litigation_direct.corrected",
                            "review_litigation.litigation_after_review.corrected"]), _total(values, litigation)),
        "natural_person_share": _rate(values.get(a + "new_received.natural_person"),
                                      values.get(a + "new_received.total")),
    }


@pytest.mark.parametrize("truth_path", TRUTHS, ids=[p.name.split(".")[0] for p in TRUTHS])
def test_indicators_equal_their_formulas_on_the_dev_corpus(truth_path: Path) -> None:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    expected = spec_indicators(truth["fields"])
    got = convert(DEV / truth["file"]).indicators.model_dump()
    assert got == pytest.approx(expected)
    assert any(v is not None for v in expected.values())


def test_a_zero_denominator_or_a_null_term_gives_null() -> None:
    values = {"applications.results_total.total": 0, "applications.granted.total": 0,
              "applications.partially_granted.total": 0, "applications.new_received.natural_person": 3,
              "applications.new_received.total": 4, "review_litigation.review.upheld": 2,
              "review_litigation.review.corrected": None, "review_litigation.review.other": 1}
    got = compute(values).model_dump()
    assert got == {"disclosure_rate": None, "denial_rate": None, "unavailable_rate": None,
                   "review_correction_rate": None, "litigation_correction_rate": None, "natural_person_share": 0.75}


def test_indicators_on_distinct_values() -> None:
    values = {f"applications.denied_{d}.total": i + 1 for i, d in enumerate(DENIED)}  # 1..8: 36
    values |= {f"applications.unavailable_{u}.total": 10 * (i + 1) for i, u in enumerate(UNAVAILABLE)}  # 60
    values |= {"applications.results_total.total": 200, "applications.granted.total": 70,
               "applications.partially_granted.total": 11}
    for group, (upheld, corrected, other) in {"review": (5, 3, 2), "litigation_direct": (7, 1, 4),
                                              "litigation_after_review": (6, 2, 0)}.items():
        values |= {f"review_litigation.{group}.upheld": upheld, f"review_litigation.{group}.corrected": corrected,
                   f"review_litigation.{group}.other": other}
    got = compute(values).model_dump()
    assert got == {"disclosure_rate": 81 / 200, "denial_rate": 36 / 200, "unavailable_rate": 60 / 200,
                   "review_correction_rate": 3 / 10, "litigation_correction_rate": 3 / 20,
                   "natural_person_share": None}
