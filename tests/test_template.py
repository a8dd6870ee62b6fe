"""pipeline.normalise.template: the template's orders equal fields.tsv's, and nothing else spells them."""

from __future__ import annotations

import csv
import io
import re
import tokenize
from pathlib import Path

from pipeline.normalise import template as t
from pipeline.normalise.labels import labels

ROOT = Path(__file__).resolve().parents[1]
# the batch database's cross_year table names its columns after the rows (store.py's schema): a contract
DB_COLUMN_NAMES = {("pipeline/batch/summary.py", "carried_over"), ("pipeline/batch/writers.py", "new_received"),
                   ("pipeline/batch/workbook.py", "carried_over"), ("pipeline/batch/workbook.py", "new_received")}


def _tsv() -> list[tuple[str, str, str, set[str]]]:
    """(table prefix, row, column, templates) of every fields.tsv line, read here without pipeline.fields."""
    text = (ROOT / "pipeline/data/fields.tsv").read_text(encoding="utf-8")
    return [(*r["field"].split(".", 2), set(r["templates"].split(",")))
            for r in csv.DictReader(io.StringIO(text), delimiter="\t")]


def _ordered(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def test_rows_follow_fields_tsv():
    tsv = _tsv()
    for table, prefix in (("t2", "active_disclosure"), ("t3", "applications"), ("t4", "review_litigation")):
        assert t.rows_of(table) == _ordered(r for p, r, _, _ in tsv if p == prefix)
        for template in ("2019", "2021"):
            assert t.rows_of(table, template) == _ordered(r for p, r, _, ts in tsv if p == prefix and template in ts)


def test_columns_and_groups_follow_fields_tsv():
    tsv = _tsv()
    for row in t.rows_of("t3"):
        assert tuple(c for p, r, c, _ in tsv if p == "applications" and r == row) == t.T3_COLUMNS
    assert t.T3_COLUMNS[:2] == ("natural_person", "commercial_enterprise") and t.T3_COLUMNS[-1] == "total"
    assert t.T3_COLUMNS[:6] == t.APPLICANT_COLUMNS
    assert _ordered(r for p, r, _, _ in tsv if p == "review_litigation") == t.REVIEW_GROUPS
    assert tuple(c for p, r, c, _ in tsv if p == "review_litigation" and r == "review") == t.REVIEW_PARTS
    assert t.REVIEW_RESULTS == ("upheld", "corrected", "other", "pending")
    t2 = {c for p, _, c, _ in tsv if p == "active_disclosure" and not c.endswith("_unit")}
    assert set(t.T2_COLUMNS) == t2 and len(t.T2_COLUMNS) == len(t2)


def test_roles_sit_where_the_template_puts_them():
    for template in ("2019", "2021"):
        rows = t.rows_of("t3", template)
        assert rows == (*t.FLOW_IN, *t.outcome_rows(template), *t.FLOW_OUT)
    assert "other" in t.outcome_rows("2019") and "other_other" not in t.outcome_rows("2019")
    assert "other_no_correction" in t.outcome_rows("2021") and "other" not in t.outcome_rows("2021")
    assert t.row_templates("t3", "other") == {"2019"} and t.row_templates("t3", "granted") == {"2019", "2021"}
    assert t.row_templates("t2", "licensing") == {"2019"}  # 上一年项目数量 and 本年增/减 are 2019's only
    assert t.row_templates("t2", "regulations") == frozenset()  # each template has columns of its own
    assert t.row_templates("t3", "no_such_row") == frozenset()


def test_label_table_lists_columns_in_template_order():
    """The table reader takes its column order from labels.tsv: it must be the template's."""
    cols = {"t3": [], "t4": []}
    groups: list[str] = []
    for lab in labels().labels:
        if lab.kind == "column" and lab.scheme in cols and lab.key not in cols[lab.scheme]:
            cols[lab.scheme].append(lab.key)
        elif lab.kind == "colgroup" and lab.scheme == "t4" and lab.key not in groups:
            groups.append(lab.key)
    assert tuple(cols["t3"]) == t.T3_COLUMNS
    assert tuple(cols["t4"]) == t.REVIEW_PARTS
    assert tuple(groups) == t.REVIEW_GROUPS


def _string_literals(path: Path) -> list[str]:
    with path.open("rb") as f:
        return [tok.string.strip("\"'") for tok in tokenize.tokenize(f.readline) if tok.type == tokenize.STRING]


def test_template_names_are_spelled_only_in_template_py():
    """`grep natural_person pipeline/` finds data files only: every module takes the orders from template.py."""
    words = (*t.APPLICANT_COLUMNS, "litigation_direct", "litigation_after_review", "upheld")
    pattern = re.compile(r"\b(" + "|".join(words) + r")\b")
    flows = set(t.FLOW_ROWS)
    offenders = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        if path.name == "template.py" and path.parent.name == "normalise":
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
        rel = str(path.relative_to(ROOT))
        offenders += [f"{rel}: {s!r}" for s in _string_literals(path) if s in flows and (rel, s) not in DB_COLUMN_NAMES]
    assert offenders == []
