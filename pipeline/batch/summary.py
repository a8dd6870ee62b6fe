"""What `nianbao batch` shows: the progress bar while it runs, and the job summary (also `--status`).

The summary is read from the database, so it describes the whole job, resumed runs included.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from pipeline.batch.writers import cell


class RateColumn(ProgressColumn):
    """Documents per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None and task.elapsed and task.completed:  # e.g. after the total was corrected at the end
            speed = task.completed / task.elapsed
        return Text("-- doc/s" if speed is None else f"{speed:.1f} doc/s", style="progress.data.speed")


def progress_bar() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    RateColumn(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=False)


def _table(title: str, columns: list[str], rows: list[tuple]) -> Table:
    table = Table(title=title, title_justify="left")
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(cell(v) for v in row))
    return table


MAX_ROWS = 20  # of the cross-year mismatches shown; all of them are in the cross_year table


def connect_ro(db: Path) -> sqlite3.Connection:
    """Read-only, also when the job directory itself is read-only (no -shm file can be made there)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM documents").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        conn = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    return conn


# statuses that are not the document's own nature (corrupt, encrypted, not a report...): the job exits 1
FAILING_STATUSES = ("unreadable", "error")


def failures(db: Path) -> dict[str, int]:
    """How many documents of the job ended in a FAILING_STATUSES status, by status."""
    conn = connect_ro(db)
    try:
        marks = ", ".join("?" * len(FAILING_STATUSES))
        return dict(conn.execute(f"SELECT status, count(*) FROM documents WHERE status IN ({marks}) "
                                 "GROUP BY status ORDER BY status", FAILING_STATUSES).fetchall())
    finally:
        conn.close()


def summary_tables(db: Path) -> list[Table]:
    conn = connect_ro(db)
    try:
        q = conn.execute
        formats = [r[0] for r in q("SELECT DISTINCT coalesce(format, '?') FROM documents ORDER BY 1")]
        by_status = q("SELECT status, coalesce(format, '?'), count(*) FROM documents GROUP BY 1, 2").fetchall()
        grid: dict[str, dict[str, int]] = {}
        for status, fmt, n in by_status:
            grid.setdefault(status, {})[fmt] = n
        rows = [(status, *(counts.get(f, "") for f in formats), sum(counts.values()))
                for status, counts in sorted(grid.items(), key=lambda kv: -sum(kv[1].values()))]
        total = q("SELECT count(*) FROM documents").fetchone()[0]
        if len(rows) > 1:
            rows.append(("all", *(sum(c.get(f, 0) for c in grid.values()) for f in formats), total))
        tables = [_table("documents by status and format", ["status", *formats, "total"], rows)]
        reasons = q("SELECT status, error, count(*), min(path || CASE WHEN member != '' THEN '!/' || member "
                    "ELSE '' END) FROM documents WHERE status != 'ok' GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 "
                    f"LIMIT {MAX_ROWS + 1}").fetchall()
        if reasons:
            if len(reasons) > MAX_ROWS:
                reasons = [*reasons[:MAX_ROWS], ("…", "more in the documents table", "", "")]
            tables.append(_table("not converted, by reason", ["status", "reason", "documents", "e.g."], reasons))
        failed = q("SELECT rule, count(*), count(DISTINCT c.report_id) FROM checks c JOIN documents d "
                   "ON d.report_id = c.report_id WHERE ok = 0 GROUP BY rule ORDER BY 2 DESC").fetchall()
        tables.append(_table("failed checks by rule", ["rule", "failures", "reports"], failed or [("-", 0, 0)]))
        slow = q("SELECT path, member, format, status, round(coalesce(extract_ms, 0) + coalesce(normalise_ms, 0)) "
                 "AS ms FROM documents ORDER BY ms DESC LIMIT 5").fetchall()
        tables.append(_table("slowest documents", ["path", "member", "format", "status", "ms"], slow))
        bad = q("SELECT agency, prev_year, year, column_name, prev_carried_forward, carried_over FROM cross_year "
                "WHERE ok = 0 ORDER BY agency, year, column_name").fetchall()
        n_pairs = q("SELECT count(DISTINCT coalesce(body_id, agency_key) || '/' || year) FROM cross_year").fetchone()[0]
        n_bad = q("SELECT count(DISTINCT coalesce(body_id, agency_key) || '/' || year) FROM cross_year "
                  "WHERE ok = 0").fetchone()[0]
        if len(bad) > MAX_ROWS:
            bad = [*bad[:MAX_ROWS], (f"… {len(bad) - MAX_ROWS} more rows in the cross_year table", "", "", "", "", "")]
        tables.append(_table(f"cross-year check: {n_bad} of {n_pairs} consecutive-year pairs mismatch "
                             "(上年结转 vs last year's 结转下年度)",
                             ["agency", "prev year", "year", "column", "prev carried_forward", "carried_over"],
                             bad or [("-", "", "", "", "", "")]))
        return tables
    finally:
        conn.close()


def print_summary(db: Path) -> None:
    console = Console(width=None if sys.stdout.isatty() else 160)
    for table in summary_tables(db):
        console.print(table)
