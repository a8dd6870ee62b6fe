"""The panel across the 2019 break: one row per body and year, 2008 to today, with the series of data/series.tsv
read from the legacy statistics table before the break and from the template's tables after it.

The report shown for a year is the cross-year check's (crossyear.firsts_by_body_year: the first document by
path), so the panel, the cross-year table and the growth table agree on which report a year is. `break_before`
is 1 on the body's first year on a template after legacy years (pipeline.series.break_year), so a reader, a
chart or a regression can tell where the counts change definition.

The rows live in the derived table series_panel (remade with the views at the end of a batch); panel.csv, the
workbook's 跨2019面板 sheet and the series columns of the `panel` view all read that table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from pipeline.batch.crossyear import firsts_by_body_year
from pipeline.series import break_year, bridge_series, era

PANEL_TABLE = "series_panel"
IDENTITY = ("body_id", "body_name", "region_code", "year", "template")


def bridged_columns() -> tuple[str, ...]:
    """What the panel adds to a body's year: its side of the break, the break, and one column per series."""
    return ("era", "break_before", *(s.id for s in bridge_series()))


def panel_columns() -> tuple[str, ...]:
    """The panel's columns: the body, year and template, the bridged columns, and the report shown."""
    return (*IDENTITY, *bridged_columns(), "report_id")


def _series_values(conn: sqlite3.Connection, report_id: int) -> dict[str, object]:
    """The values of one report that some series reads (a count beyond 64 bits, kept as text, reads as unknown)."""
    fields = sorted({f for s in bridge_series() for f in (s.legacy, *s.template)})
    marks = ", ".join("?" * len(fields))
    return {field: value for field, value in conn.execute(
        f'SELECT field, value FROM "values" WHERE report_id = ? AND field IN ({marks})', (report_id, *fields))}


def panel_rows(conn: sqlite3.Connection) -> Iterator[tuple]:
    """The panel's rows, by body key (report.body.id, else the folded agency name) and year."""
    years_of: dict[str, dict[int, int]] = {}
    for (key, year), (report_id, _, _) in firsts_by_body_year(conn).items():
        years_of.setdefault(key, {})[year] = report_id
    series = bridge_series()
    for key in sorted(years_of):
        reports = years_of[key]
        meta = {year: conn.execute("SELECT coalesce(body_name, agency), region_code, template FROM reports "
                                   "WHERE id = ?", (report_id,)).fetchone() for year, report_id in reports.items()}
        first_on_template = break_year({year: m[2] for year, m in meta.items()})
        for year in sorted(reports):
            name, region_code, template = meta[year]
            values = _series_values(conn, reports[year])
            yield (key, name, region_code, year, template, era(template), int(year == first_on_template),
                   *(s.value(template, values) for s in series), reports[year])


def fill_panel(conn: sqlite3.Connection) -> None:
    """(Re)make series_panel from the job's reports (a new series in series.tsv is a new column)."""
    columns = panel_columns()
    rows = list(panel_rows(conn))
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    conn.execute(f"DROP TABLE IF EXISTS {PANEL_TABLE}")
    conn.execute(f"CREATE TABLE {PANEL_TABLE} ({', '.join(columns)}, PRIMARY KEY (body_id, year))")
    conn.executemany(f"INSERT INTO {PANEL_TABLE} VALUES ({', '.join('?' * len(columns))})", rows)
    if began:
        conn.execute("COMMIT")


def select_panel(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """The panel's rows in panel_columns() order, by body and year (no rows when the table is not made yet)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (PANEL_TABLE,)).fetchone() is None:
        return conn.execute("SELECT 1 WHERE 0")
    return conn.execute(f"SELECT {', '.join(panel_columns())} FROM {PANEL_TABLE} ORDER BY body_id, year")
