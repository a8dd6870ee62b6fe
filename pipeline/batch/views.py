"""Views in the job's database, so that sqlite3, Datasette or DuckDB users query a job directly.

    reports_wide   one row per document (failed ones too, with status and error): its metadata, body,
                   indicators, then one column per field of fields.tsv named by its field id
                   (SELECT "applications.new_received.total" FROM reports_wide)
    panel          one row per body and year (body_id, year): the body, the report shown for that year
                   (the first document by path, as the cross-year table chooses; n_reports says how many
                   there were), its key counts, indicators and year-on-year growth of new applications,
                   then the panel across the 2019 break (batch/panel.py): era, break_before and one column
                   per series of series.tsv, which legacy (2008–2018) reports fill too
    legacy_continuity_years   one row per body and pre-2019 year with a year before it: how many fields'
                   历年累计 could be checked against last year's (table legacy_continuity) and how many fail

The database stays the source of truth: the views and the table they read, values_wide ("values" pivoted,
a column per field), are remade at the end of every batch that changed the database (a new field in
fields.tsv is a new column).
"""

from __future__ import annotations

import sqlite3

from pipeline.batch.panel import PANEL_TABLE, bridged_columns, fill_panel
from pipeline.fields import wide_fields
from pipeline.normalise.template import (
    CARRIED_FORWARD,
    CARRIED_OVER,
    NEW_RECEIVED,
    RESULTS_TOTAL,
    REVIEW_CORRECTED,
    REVIEW_GROUPS,
    TOTAL,
)
from pipeline.report import Indicators

INDICATORS = tuple(Indicators.model_fields)
BODY_COLUMNS = ("body_name", "region_code", "region", "body_level", "body_kind", "body_id")
# panel column -> the field ids summed into it (all must be known, else null)
PANEL_COUNTS = {
    **{row: (f"applications.{row}.{TOTAL}",) for row in (NEW_RECEIVED, CARRIED_OVER, RESULTS_TOTAL)},
    "granted": (f"applications.granted.{TOTAL}",),
    "partially_granted": (f"applications.partially_granted.{TOTAL}",),
    CARRIED_FORWARD: (f"applications.{CARRIED_FORWARD}.{TOTAL}",),
    "review_total": (f"review_litigation.{REVIEW_GROUPS[0]}.{TOTAL}",),
    "review_corrected": (f"review_litigation.{REVIEW_GROUPS[0]}.{REVIEW_CORRECTED}",),
    "litigation_total": tuple(f"review_litigation.{g}.{TOTAL}" for g in REVIEW_GROUPS[1:]),
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def fill_values_wide(conn: sqlite3.Connection) -> None:
    """values_wide: one row per report, a column per field, pivoted from "values" (derived, like growth; a
    view pivoting 200 fields in SQL costs ~10 ms a report on every query, this table nothing)."""
    fields = wide_fields()
    index = {f: i for i, f in enumerate(fields)}
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    conn.execute("DROP TABLE IF EXISTS values_wide")
    conn.execute(f"CREATE TABLE values_wide (report_id INTEGER PRIMARY KEY, {', '.join(map(_quote, fields))})")
    insert = f"INSERT INTO values_wide VALUES ({', '.join('?' * (len(fields) + 1))})"
    batch: list[list] = []
    row: list | None = None
    for report_id, field_id, value in conn.execute('SELECT report_id, field, value FROM "values" ORDER BY report_id'):
        if row is None or row[0] != report_id:
            if row is not None:
                batch.append(row)
            row = [report_id, *([None] * len(fields))]
            if len(batch) >= 500:
                conn.executemany(insert, batch)
                batch = []
        i = index.get(field_id)
        if i is not None:
            row[i + 1] = value
    if row is not None:
        batch.append(row)
    conn.executemany(insert, batch)
    if began:
        conn.execute("COMMIT")


def reports_wide_sql() -> str:
    pivot = ", ".join(f"w.{_quote(f)}" for f in wide_fields())
    meta = ", ".join(f"r.{c}" for c in ("agency", "year", "published", "template", "title", "n_values",
                                         "n_filled", "n_failed_checks", *BODY_COLUMNS, *INDICATORS))
    return (f"CREATE VIEW reports_wide AS SELECT d.id AS document_id, d.path, d.member, d.status, d.error, "
            f"d.format, d.sha256, r.id AS report_id, {meta},\n  {pivot}\n"
            "FROM documents d LEFT JOIN reports r ON r.id = d.report_id LEFT JOIN values_wide w ON w.report_id = r.id")


def _value_of(fields: tuple[str, ...]) -> str:
    terms = [f"w.{_quote(f)}" for f in fields]
    return " + ".join(terms)  # NULL when any term is NULL


def panel_sql() -> str:
    bridged = ", ".join(f"s.{c}" for c in bridged_columns())
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
  g.growth AS new_received_growth,
  {bridged}
FROM ranked p LEFT JOIN values_wide w ON w.report_id = p.report_id
  LEFT JOIN growth g ON g.body_id = p.body_id AND g.year = p.year
  LEFT JOIN {PANEL_TABLE} s ON s.report_id = p.report_id
WHERE p.rank = 1"""


LEGACY_CONTINUITY_YEARS = """CREATE VIEW legacy_continuity_years AS
SELECT body_id, body_name, year, prev_year, report_id, prev_report_id, count(*) AS n_checked,
  sum(ok = 0) AS n_failed
FROM legacy_continuity GROUP BY body_id, year, prev_year, report_id, prev_report_id"""


def create_views(conn: sqlite3.Connection) -> None:
    """(Re)fill values_wide and series_panel and (re)create the views reports_wide and panel in the job's
    database."""
    fill_values_wide(conn)
    fill_panel(conn)
    conn.execute("DROP VIEW IF EXISTS reports_wide")
    conn.execute("DROP VIEW IF EXISTS panel")
    conn.execute(reports_wide_sql())
    conn.execute(panel_sql())
    conn.execute("DROP VIEW IF EXISTS legacy_continuity_years")
    conn.execute(LEGACY_CONTINUITY_YEARS)
