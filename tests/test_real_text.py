"""Real text renderings from ../shared/corpus/real: the values visible in each excerpt come out right.

The excerpts are cut mid-table, so each test checks what the file actually shows (MANIFEST.tsv).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import convert

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
pytestmark = pytest.mark.skipif(not REAL.exists(), reason="needs ../shared")

APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total"]


def row(prefix: str, *numbers: int) -> dict:
    return {f"applications.{prefix}.{c}": n for c, n in zip(APPLICANTS, numbers, strict=True)}


def review(*numbers: int) -> dict:
    groups = ["review", "litigation_direct", "litigation_after_review"]
    cols = ["upheld", "corrected", "other", "pending", "total"]
    return {f"review_litigation.{g}.{c}": numbers[i * 5 + j] for i, g in enumerate(groups) for j, c in enumerate(cols)}


EXPECTED = {
    "txt_03": {"active_disclosure.regulations.issued": None, "active_disclosure.normative_documents.in_force": 0,
               "active_disclosure.licensing.decisions": 0},
    "txt_08": {**row("new_received", 58, 7, 0, 0, 1, 0, 66), **row("partially_granted", 16, 1, 0, 0, 0, 0, 17),
               "active_disclosure.normative_documents.in_force": 25},
    "txt_09": {**row("carried_forward", 0, 0, 0, 0, 0, 0, 0), **review(*[0] * 15)},
    "txt_10": review(*[0] * 15),
    "txt_12": {"active_disclosure.penalties.decisions": 1472, "applications.new_received.total": 1},
    "txt_15": {"active_disclosure.regulations.created": 0, "active_disclosure.other_services.decisions": 0},
    "txt_17": {"active_disclosure.licensing.previous_year_items": 33,
               "active_disclosure.penalties.previous_year_items": 36,
               "active_disclosure.other_services.previous_year_items": 4,
               "active_disclosure.other_services.change": 0, "active_disclosure.other_services.decisions": 16},
    "txt_18": {"active_disclosure.licensing.previous_year_items": 8, "active_disclosure.licensing.change": 5,
               "active_disclosure.licensing.decisions": 93, "active_disclosure.penalties.previous_year_items": 90,
               "active_disclosure.enforcement.change": 4, "active_disclosure.enforcement.decisions": None,
               "active_disclosure.normative_documents.total_public": 19},
    "txt_19": {"active_disclosure.licensing.decisions": 330, "active_disclosure.penalties.decisions": 1311,
               "active_disclosure.enforcement.decisions": 126},
    "txt_22": {"active_disclosure.normative_documents.issued": 0, "applications.new_received.total": 0},
    # crawler get_text(): cells run together, cut apart by the template's column counts and arithmetic
    "txt_23": {**row("new_received", 80, 1, 0, 0, 0, 0, 81), **row("granted", 22, 0, 0, 0, 0, 0, 22),
               **row("partially_granted", 19, 1, 0, 0, 0, 0, 20), **row("unavailable_not_held", 31, 0, 0, 0, 0, 0, 31),
               **row("other_other", 1, 0, 0, 0, 0, 0, 1), **row("results_total", 80, 1, 0, 0, 0, 0, 81),
               **review(1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2),
               "active_disclosure.regulations.in_force": 0, "active_disclosure.licensing.decisions": 2629,
               "active_disclosure.penalties.decisions": 1330, "active_disclosure.enforcement.decisions": 54,
               "active_disclosure.fees.amount_10k_yuan": 5949.088667,
               "active_disclosure.normative_documents.issued": None},  # 77132470: no unique cut
    "txt_24": {**row("new_received", 20, 0, 0, 0, 0, 1, 21), **row("granted", 6, 0, 0, 0, 0, 1, 7),
               **row("other", 4, 0, 0, 0, 0, 0, 4), **row("results_total", 20, 0, 0, 0, 0, 1, 21),
               **review(*[0] * 15), "active_disclosure.regulations.total_public": 7,
               "active_disclosure.fees.previous_year_items": 35, "active_disclosure.fees.change": -15},
    "txt_25": {**row("new_received", 32, 2, 0, 0, 0, 0, 34), **row("results_total", 33, 2, 0, 0, 0, 0, 35),
               "applications.carried_over.total": 2, "applications.carried_forward.natural_person": 1,
               "active_disclosure.normative_documents.issued": 13,
               "active_disclosure.normative_documents.in_force": 55},
    "txt_26": {**row("new_received", 1259, 36, 0, 0, 0, 0, 1295), **row("carried_over", 170, 15, 0, 0, 4, 0, 189),
               **row("results_total", 1139, 48, 0, 0, 4, 0, 1191),
               **row("carried_forward", 290, 3, 0, 0, 0, 0, 293),
               **review(40, 0, 10, 5, 55, 2, 0, 4, 6, 12, 6, 0, 9, 7, 22)},
}
TEMPLATES = {"txt_04": "2019", "txt_11": "2019", "txt_13": "2019", "txt_14": "2019", "txt_15": "2019",
             "txt_17": "2019", "txt_18": "2019", "txt_08": "2021", "txt_22": "2021", "txt_26": "2021",
             "txt_23": "2021", "txt_24": "2019"}


def _file(prefix: str) -> Path:
    return next(REAL.glob(prefix + "_*"))


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_visible_values(prefix: str) -> None:
    got = convert(_file(prefix)).values()
    wrong = {k: (v, got.get(k, "<missing>")) for k, v in EXPECTED[prefix].items() if got.get(k, "<missing>") != v}
    assert wrong == {}


@pytest.mark.parametrize("prefix", sorted(TEMPLATES))
def test_template_from_labels(prefix: str) -> None:
    assert convert(_file(prefix)).report.template == TEMPLATES[prefix]


def test_metadata_from_a_crawlers_labelled_lines() -> None:
    meta = convert(_file("txt_23")).report
    assert (meta.title, meta.agency, meta.year, meta.published) == (
        "平潭综合实验区2023年度政府信息公开工作年度报告", "平潭综合实验区", 2023, "2024-03-08")


def test_metadata_from_two_line_titles() -> None:
    meta = convert(_file("txt_26")).report
    assert (meta.agency, meta.year) == ("上海市人民政府办公厅", 2025)
    meta = convert(_file("txt_15")).report
    assert (meta.agency, meta.year) == ("抚松县松江河镇人民政府", 2020)


def test_stripped_tables_are_not_a_report() -> None:
    from pipeline.errors import NotAReportError

    with pytest.raises(NotAReportError):
        convert(_file("txt_21"))
