"""Cross-year check: this year's 上年结转 (carried_over) should equal last year's 结转下年度 (carried_forward).

Only possible in a batch, where one body's reports for consecutive years meet. Agencies are matched by
name with spaces and punctuation removed (full-width forms folded): `临江市 桦树镇人民政府` and
`临江市桦树镇人民政府` are one body; a different name is a different body, never guessed.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata

COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total")
_NOT_NAME = re.compile(r"[\W_]+")


def agency_key(name: str | None) -> str:
    """The agency name with spaces and punctuation stripped; '' when unknown."""
    if not name:
        return ""
    return _NOT_NAME.sub("", unicodedata.normalize("NFKC", name))


def _number(value: object) -> int | float | None:
    """A stored value as a number: the store keeps integers beyond 64 bits as their decimal text."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return value if isinstance(value, int | float) else None


def _flows(conn: sqlite3.Connection, report_id: int) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {"carried_over": {}, "carried_forward": {}}
    for field, value in conn.execute(
            'SELECT field, value FROM "values" WHERE report_id=? AND (field LIKE \'applications.carried_over.%\' '
            "OR field LIKE 'applications.carried_forward.%')", (report_id,)):
        _, row, col = field.split(".")
        out[row][col] = _number(value)
    return out


def cross_year_rows(conn: sqlite3.Connection) -> list[tuple]:
    """(agency_key, year, prev_year, column, carried_over, prev_carried_forward, ok, agency, report_id,
    prev_report_id) for every column where both numbers are known; one report per body and year: that of
    the first document by path and member, so that the choice does not depend on the order documents
    finished in (workers, resumed runs)."""
    firsts: dict[tuple[str, int], tuple[int, str]] = {}
    for report_id, agency, year in conn.execute(
            "SELECT r.id, r.agency, r.year FROM reports r JOIN documents d ON d.report_id = r.id "
            "WHERE r.agency IS NOT NULL AND r.year IS NOT NULL ORDER BY d.path, d.member, r.id"):
        key = agency_key(agency)
        if key:
            firsts.setdefault((key, int(year)), (report_id, agency))
    rows = []
    for (key, year), (report_id, agency) in sorted(firsts.items()):
        prev = firsts.get((key, year - 1))
        if prev is None:
            continue
        this, last = _flows(conn, report_id), _flows(conn, prev[0])
        for col in COLUMNS:
            over, forward = this["carried_over"].get(col), last["carried_forward"].get(col)
            if over is None or forward is None:
                continue
            rows.append((key, year, year - 1, col, over, forward, int(abs(over - forward) < 1e-9), agency,
                         report_id, prev[0]))
    return rows
