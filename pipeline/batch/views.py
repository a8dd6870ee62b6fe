"""Views in the job's database, so that sqlite3, Datasette or DuckDB users query a job directly.

    reports_wide   one row per document (failed ones too, with status and error): its metadata, body,
                   indicators, then one column per field of fields.tsv named by its field id
                   (SELECT "applications.new_received.total" FROM reports_wide)
    panel          one row per body and year (body_id, year): the body, the report shown for that year
                   (the first document by path, as the cross-year table chooses; n_reports says how many
                   there were), its key counts, indicators and year-on-year growth of new applications

The database stays the source of truth: the views are remade at the end of every batch (a new field in
fields.tsv is a new column), never stored data.
"""

from __future__ import annotations

import sqlite3

from pipeline.fields import all_fields
from pipeline.report import Indicators

INDICATORS = tuple(Indicators.model_fields)
BODY_COLUMNS = ("body_name", "region_code", "region", "body_level", "body_kind", "body_id")
# panel column -> the field ids summed into it (all must be known, else null)
PANEL_COUNTS = {
    "new_received": ("applications.new_received.total",),
    "carried_over": ("applications.carried_over.total",),
    "results_total": ("applications.results_total.total",),
    "granted": ("applications.granted.total",),
    "partially_granted": ("applications.partially_granted.total",),
    "carried_forward": ("applications.carried_forward.total",),
    "review_total": ("review_litigation.review.total",),
    "review_corrected": ("review_litigation.review.corrected",),
    "litigation_total": ("review_litigation.litigation_direct.total",
                         "review_litigation.litigation_after_review.total"),
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def reports_wide_sql() -> str:
    pivot = ",\n  ".join(f"max(CASE WHEN v.field = {_literal(f)} THEN v.value END) AS {_quote(f)}"
                         for f in all_fields())
    meta = ", ".join(f"r.{c}" for c in ("agency", "year", "published", "template", "title", "n_values",
                                         "n_filled", "n_failed_checks", *BODY_COLUMNS, *INDICATORS))
    return (f"CREATE VIEW reports_wide AS SELECT d.id AS document_id, d.path, d.member, d.status, d.error, "
            f"d.format, d.sha256, r.id AS report_id, {meta},\n  {pivot}\n"
            'FROM documents d LEFT JOIN reports r ON r.id = d.report_id LEFT JOIN "values" v ON v.report_id = r.id '
            "GROUP BY d.id")


def _value_of(fields: tuple[str, ...]) -> str:
    terms = [f'(SELECT value FROM "values" v WHERE v.report_id = p.report_id AND v.field = {_literal(f)})'
             for f in fields]
    return terms[0] if len(terms) == 1 else " + ".join(terms)  # NULL when any term is NULL


def panel_sql() -> str:
    counts = ",\n  ".join(f"{_value_of(fields)} AS {name}" for name, fields in PANEL_COUNTS.items())
    indicators = ", ".join(f"p.{c}" for c in INDICATORS)
    return f"""CREATE VIEW panel AS
WITH ranked AS (
  SELECT r.id AS report_id, r.body_id, r.year, r.body_name, r.region_code, r.region, r.body_level, r.body_kind,
         r.agency, r.template, d.path, d.member, {", ".join(f"r.{c}" for c in INDICATORS)},
         row_number() OVER (PARTITION BY r.body_id, r.year ORDER BY d.path, d.member, r.id) AS rank,
         count(*) OVER (PARTITION BY r.body_id, r.year) AS n_reports
  FROM reports r JOIN documents d ON d.report_id = r.id
  WHERE r.body_id IS NOT NULL AND r.year IS NOT NULL)
SELECT p.body_id, p.year, p.body_name, p.region_code, p.region, p.body_level, p.body_kind, p.agency, p.template,
  p.report_id, p.path, p.member, p.n_reports,
  {counts},
  {indicators},
  g.growth AS new_received_growth
FROM ranked p LEFT JOIN growth g ON g.body_id = p.body_id AND g.year = p.year
WHERE p.rank = 1"""


def create_views(conn: sqlite3.Connection) -> None:
    """(Re)create reports_wide and panel in the job's database."""
    conn.execute("DROP VIEW IF EXISTS reports_wide")
    conn.execute("DROP VIEW IF EXISTS panel")
    conn.execute(reports_wide_sql())
    conn.execute(panel_sql())
