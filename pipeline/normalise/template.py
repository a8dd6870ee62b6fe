"""The template's structure, written once: its tables' rows, columns and groups, in order.

The orders come from data/fields.tsv (every field id is `<table>.<row>.<column>`, in template
order), so checks, the run-together cutter, the table reader, `explain`, the review site and the
cross-year check all walk the same template. What fields.tsv cannot tell is the role a row or a
column plays in the template's arithmetic (which rows are the balance rule's flows, which column
is the sum), and the printed column order of table 二; that is written here, once, and checked
against fields.tsv when this module is imported, so a change to the TSV cannot silently disagree.
Table 四 has one row whose cells are grouped; here its groups stand in the row slot of the field id
(`review_litigation.<group>.<part>`), as in fields.tsv.
"""

from __future__ import annotations

from functools import cache

from pipeline.fields import TABLE_PREFIX, all_fields

TEMPLATES = tuple(sorted({t for f in all_fields().values() for t in f.templates}))  # 2019, 2021
TOTAL = "total"  # table 三's last column and each table 四 group's last part: the sum of the others

# Table 三's balance rule (一+二 = 三（七）+四): what comes in, what went out. The TSV names the rows
# but not these roles; _check() holds them to the TSV's first two and last two rows of table 三.
FLOW_IN = ("new_received", "carried_over")  # 一、本年新收 and 二、上年结转
FLOW_OUT = ("results_total", "carried_forward")  # 三（七）总计 and 四、结转下年度继续办理
FLOW_ROWS = FLOW_IN + FLOW_OUT
NEW_RECEIVED = FLOW_IN[0]  # 一、本年新收: what the indicators and the growth series count
CARRIED_OVER = FLOW_IN[1]  # this year's 上年结转 should equal last year's 结转下年度
RESULTS_TOTAL = FLOW_OUT[0]  # （七）总计: the sum of the outcome rows
CARRIED_FORWARD = FLOW_OUT[1]

# Table 二's columns as the templates print them (the TSV lists a row's fields shared by both
# templates first, so its order is not the printed one); _check() holds it to the TSV's set.
T2_COLUMNS = ("issued", "repealed", "in_force", "created", "published", "total_public",
              "previous_year_items", "change", "decisions", "amount_10k_yuan", "items", "amount")


@cache
def _cells(table: str) -> tuple[tuple[str, str, frozenset[str]], ...]:
    """(row, column, templates) of every field of a table ('t2', 't3', 't4'), in fields.tsv order."""
    prefix = TABLE_PREFIX[table] + "."
    return tuple((row, column, f.templates) for f in all_fields().values() if f.id.startswith(prefix)
                 for row, column in [f.id[len(prefix):].split(".", 1)])


@cache
def rows_of(table: str, template: str | None = None) -> tuple[str, ...]:
    """The row keys of a table on a template (None: on either), in fields.tsv order: the printed order
    for tables 三 and 四; table 二's rows shared by both templates come first."""
    return tuple(dict.fromkeys(r for r, _, t in _cells(table) if template is None or template in t))


@cache
def columns_of(table: str, row: str, template: str | None = None) -> tuple[str, ...]:
    """The column keys of one row on a template (None: on either), in fields.tsv order."""
    return tuple(c for r, c, t in _cells(table) if r == row and (template is None or template in t))


@cache
def row_templates(table: str, row: str) -> frozenset[str]:
    """The templates every field of the row is on: {'2019'} for 2019's （六）其他处理, both for most rows
    of 三; none for a table 二 row whose columns differ between the templates (规章)."""
    sets = [t for r, _, t in _cells(table) if r == row]
    return frozenset.intersection(*sets) if sets else frozenset()


def outcome_rows(template: str) -> tuple[str, ...]:
    """Table 三's outcome rows (三（一）…（六）): the rows （七）总计 sums, in template order."""
    return tuple(r for r in rows_of("t3", template) if r not in FLOW_ROWS)


def _same_columns(table: str) -> tuple[str, ...]:
    """The columns every row of the table has, in order (tables 三 and 四 are regular grids)."""
    shapes = {columns_of(table, row) for row in rows_of(table)}
    if len(shapes) != 1:
        raise RuntimeError(f"fields.tsv: the rows of {table} have different columns: {sorted(shapes)}")
    return shapes.pop()


T3_COLUMNS = _same_columns("t3")  # the six applicant columns, then 总计
APPLICANT_COLUMNS = T3_COLUMNS[:-1]  # 自然人, then the five 法人或其他组织
REVIEW_GROUPS = rows_of("t4")  # 行政复议, 未经复议直接起诉, 复议后起诉
REVIEW_PARTS = _same_columns("t4")  # each group's four results, then 总计
REVIEW_RESULTS = REVIEW_PARTS[:-1]  # 结果维持, 结果纠正, 其他结果, 尚未审结
REVIEW_DECIDED = REVIEW_RESULTS[:3]  # the results of decided cases: 维持, 纠正, 其他
REVIEW_CORRECTED = REVIEW_RESULTS[1]  # 结果纠正
NATURAL_PERSON = APPLICANT_COLUMNS[0]  # 自然人


def _check() -> None:
    """The roles written above hold in fields.tsv (raises on a TSV this module no longer fits)."""
    problems = []
    if T3_COLUMNS[-1] != TOTAL or REVIEW_PARTS[-1] != TOTAL:
        problems.append(f"the sum column is not last: {T3_COLUMNS}, {REVIEW_PARTS}")
    for template in TEMPLATES:
        rows = rows_of("t3", template)
        if rows[:2] != FLOW_IN or rows[-2:] != FLOW_OUT:
            problems.append(f"table 三 on {template} does not open with {FLOW_IN} and close with {FLOW_OUT}")
    t2 = {c for row in rows_of("t2") for c in columns_of("t2", row) if not c.endswith("_unit")}
    if t2 != set(T2_COLUMNS):
        problems.append(f"table 二's columns {sorted(t2)} are not T2_COLUMNS {T2_COLUMNS}")
    if problems:
        raise RuntimeError("pipeline/normalise/template.py no longer fits fields.tsv: " + "; ".join(problems))


_check()
