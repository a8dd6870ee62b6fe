"""Across years: this year's 上年结转 (carried_over) should equal last year's 结转下年度 (carried_forward),
and how a body's new applications grew.

Only possible in a batch, where one body's reports for consecutive years meet. Reports are matched by
report.body.id (pipeline.bodies): `洪泽区人民政府` in 2023 and `淮安市洪泽区人民政府` in 2024 are both
`320813:人民政府`. A report without a body id (a database written before bodies existed) is matched by
its agency name with spaces and punctuation removed (full-width forms folded).
"""

from __future__ import annotations

import sqlite3

from pipeline.bodies import fold
from pipeline.normalise.template import CARRIED_FORWARD, CARRIED_OVER, NEW_RECEIVED, T3_COLUMNS, TOTAL


def agency_key(name: str | None) -> str:
    """The agency name with spaces and punctuation stripped; '' when unknown."""
    return fold(name)


def stored_number(value: object) -> int | float | None:
    """A stored value as a number: the store keeps integers beyond 64 bits as their decimal text."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _flows(conn: sqlite3.Connection, report_id: int) -> dict[str, dict[str, float | None]]:
    """{CARRIED_OVER: {column: value}, CARRIED_FORWARD: {...}} of one report."""
    out: dict[str, dict[str, float | None]] = {CARRIED_OVER: {}, CARRIED_FORWARD: {}}
    for field, value in conn.execute(
            'SELECT field, value FROM "values" WHERE report_id=? AND (field LIKE ? OR field LIKE ?)',
            (report_id, f"applications.{CARRIED_OVER}.%", f"applications.{CARRIED_FORWARD}.%")):
        _, row, col = field.split(".")
        out[row][col] = stored_number(value)
    return out


def firsts_by_body_year(conn: sqlite3.Connection) -> dict[tuple[str, int], tuple[int, str, str]]:
    """(body key, year) -> (report id, agency, agency key) of the first document by path and member, so that
    the choice does not depend on the order documents finished in (workers, resumed runs)."""
    firsts: dict[tuple[str, int], tuple[int, str, str]] = {}
    for report_id, agency, year, body_id in conn.execute(
            "SELECT r.id, coalesce(r.body_name, r.agency), r.year, r.body_id FROM reports r "
            "JOIN documents d ON d.report_id = r.id WHERE r.year IS NOT NULL ORDER BY d.path, d.member, r.id"):
        key = body_id or agency_key(agency)
        if key:
            firsts.setdefault((key, int(year)), (report_id, agency, agency_key(agency)))
    return firsts


def cross_year_rows(conn: sqlite3.Connection) -> list[tuple]:
    """(agency_key, year, prev_year, column, carried_over, prev_carried_forward, ok, agency, report_id,
    prev_report_id, body_id) for every column where both numbers are known; one report per body and year."""
    firsts = firsts_by_body_year(conn)
    rows = []
    for (key, year), (report_id, agency, name_key) in sorted(firsts.items()):
        prev = firsts.get((key, year - 1))
        if prev is None:
            continue
        this, last = _flows(conn, report_id), _flows(conn, prev[0])
        for col in T3_COLUMNS:
            over, forward = this[CARRIED_OVER].get(col), last[CARRIED_FORWARD].get(col)
            if over is None or forward is None:
                continue
            rows.append((name_key, year, year - 1, col, over, forward, int(abs(over - forward) < 1e-9), agency,
                         report_id, prev[0], key))
    return rows


def _new_received(conn: sqlite3.Connection, report_id: int) -> float | None:
    row = conn.execute('SELECT value FROM "values" WHERE report_id=? AND field=?',
                       (report_id, f"applications.{NEW_RECEIVED}.{TOTAL}")).fetchone()
    return None if row is None else row[0]


def growth_rows(conn: sqlite3.Connection) -> list[tuple]:
    """(body_id, year, prev_year, new_received, prev_new_received, growth, name, report_id, prev_report_id)
    for every body with reports of consecutive years; growth is (this − last) / last, null when last year's
    number is unknown or 0."""
    firsts = firsts_by_body_year(conn)
    rows = []
    for (key, year), (report_id, agency, _) in sorted(firsts.items()):
        prev = firsts.get((key, year - 1))
        if prev is None:
            continue
        this, last = _new_received(conn, report_id), _new_received(conn, prev[0])
        growth = (this - last) / last if this is not None and last else None
        rows.append((key, year, year - 1, this, last, growth, agency, report_id, prev[0]))
    return rows
