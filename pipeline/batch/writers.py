"""Writers: reports as JSON lines, long and wide CSV, from any stream of reports or from a batch database.

The row builders take plain report dicts (`json.loads(report.to_json())`) so that `nianbao convert`
can write the same files as `nianbao batch`. Every file is written to a temporary name and renamed,
so a killed export never leaves half a file; CSVs carry a BOM so that Excel opens them as UTF-8.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pipeline.batch.panel import panel_columns, select_panel
from pipeline.fields import TOPS, wide_fields
from pipeline.report import Indicators, legacy_flat

BODY_COLUMNS = ("body_name", "region_code", "region", "body_level", "body_kind", "body_id")
INDICATORS = tuple(Indicators.model_fields)
META_COLUMNS = ("path", "member", "status", "reason", "sha256", "agency", "year", "published", "template", "title",
                "n_filled", "n_failed_checks", *BODY_COLUMNS, *INDICATORS)
FAILURE_SCHEMA = "nianbao.failure/1"  # the reports.jsonl line of an input that gave no report
LONG_COLUMNS = ("path", "member", "sha256", "agency", "year", "template", "field", "value", "raw", "null_reason",
                "body_id")
GROWTH_COLUMNS = ("body_id", "body_name", "year", "prev_year", "new_received", "prev_new_received", "growth")
CONTINUITY_COLUMNS = ("body_id", "body_name", "year", "prev_year", "field", "prev_cumulative", "this_period",
                      "cumulative", "ok", "report_id", "prev_report_id")


@contextmanager
def atomic_text(path: Path, bom: bool = False) -> Iterator[IO[str]]:
    """A text file that appears under its name only once completely written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def cell(value: Any) -> str:
    """A value as CSV text: null is empty, never 0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def flat_values(report: dict[str, Any]) -> dict[str, Any]:
    """Field id -> value of a report dict."""
    out = {f"{top}.{row}.{col}": v for top in TOPS for row, cols in (report.get(top) or {}).items()
           for col, v in cols.items()}
    return out | legacy_flat(report.get("legacy") or {})


def wide_header() -> list[str]:
    return [*META_COLUMNS, *wide_fields()]


def wide_row(report: dict[str, Any], path: str = "", member: str = "") -> list[str]:
    """One report as a reports_wide.csv row: metadata, then every field of fields.tsv in order, then the
    legacy columns."""
    meta = report.get("report") or {}
    values = flat_values(report)
    filled = sum(v is not None for v in values.values())
    failed = sum(not c.get("ok", True) for c in report.get("checks") or [])
    body = meta.get("body") or {}
    region = body.get("region")
    indicators = report.get("indicators") or {}
    head = [path or (report.get("source") or {}).get("path", ""), member, "ok", "",
            (report.get("source") or {}).get("sha256", ""), meta.get("agency"), meta.get("year"),
            meta.get("published"), meta.get("template"), meta.get("title"), filled, failed,
            body.get("name"), body.get("region_code"), "/".join(region) if region else None, body.get("level"),
            body.get("kind"), body.get("id"), *(indicators.get(i) for i in INDICATORS)]
    return [cell(v) for v in head] + [cell(values.get(f)) for f in wide_fields()]


def long_rows(report: dict[str, Any], path: str = "", member: str = "") -> Iterator[list[str]]:
    """One report as values_long.csv rows: one per field it holds."""
    meta = report.get("report") or {}
    source = report.get("source") or {}
    prov = report.get("provenance") or {}
    body_id = (meta.get("body") or {}).get("id")
    for field, value in flat_values(report).items():
        raw = (prov.get(field) or {}).get("raw")
        reason = None if value is not None else ("blank_cell" if field in prov else "not_found")
        yield [cell(v) for v in (path or source.get("path", ""), member, source.get("sha256"), meta.get("agency"),
                                 meta.get("year"), meta.get("template"), field, value, raw, reason, body_id)]


def write_jsonl(reports: Iterable[str | dict[str, Any]], path: Path) -> int:
    """One compact report JSON per line; returns how many."""
    n = 0
    with atomic_text(path) as fh:
        for report in reports:
            text = report if isinstance(report, str) else json.dumps(report, ensure_ascii=False, separators=(",", ":"))
            fh.write(text.replace("\n", " ") + "\n")
            n += 1
    return n


def write_wide_csv(rows: Iterable[list[str]], path: Path) -> None:
    with atomic_text(path, bom=True) as fh:
        writer = csv.writer(fh)
        writer.writerow(wide_header())
        writer.writerows(rows)


def write_long_csv(rows: Iterable[list[str]], path: Path) -> None:
    with atomic_text(path, bom=True) as fh:
        writer = csv.writer(fh)
        writer.writerow(LONG_COLUMNS)
        writer.writerows(rows)


def failure_line(path: str, member: str, sha256: str | None, fmt: str | None, status: str,
                 reason: str | None) -> dict[str, Any]:
    """The reports.jsonl line of an input that gave no report: so that every input has a line."""
    display = f"{path}!/{member}" if member else path
    return {"schema": FAILURE_SCHEMA, "source": {"path": display, "sha256": sha256, "format": fmt},
            "status": status, "reason": reason}


# ---- from a batch database (streamed, in SQL order; rows built from the tables, not the report JSON).
# Every document is listed in reports.jsonl and reports_wide.csv, those without a report too (with their
# status and reason); values_long.csv holds values, so only reports.
_CELL = "CASE WHEN typeof({0}) = 'real' AND {0} = CAST({0} AS INTEGER) THEN CAST({0} AS INTEGER) ELSE {0} END"
_DOCS = "FROM documents d JOIN reports r ON r.id = d.report_id"
_ALL_DOCS = "FROM documents d LEFT JOIN reports r ON r.id = d.report_id"


def _db_json(conn: sqlite3.Connection) -> Iterator[str | dict[str, Any]]:
    cur = conn.cursor()
    cur.execute(f"SELECT r.json, d.path, d.member, d.sha256, d.format, d.status, d.error {_ALL_DOCS} "
                "ORDER BY d.path, d.member")
    for text, *doc in cur:
        yield text if text is not None else failure_line(*doc)


def _db_long(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """values_long.csv rows as the database gives them: csv writes NULL as an empty cell, and the SQL turns
    integral reals into integers, as `cell` does."""
    return conn.execute(f"SELECT d.path, d.member, r.sha256, r.agency, {_CELL.format('r.year')}, r.template, "
                        f'v.field, {_CELL.format("v.value")}, v.raw, v.null_reason, r.body_id {_DOCS} '
                        'JOIN "values" v ON v.report_id = r.id ORDER BY d.path, d.member, v.rowid')


def _db_wide(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """reports_wide.csv rows: the report's metadata columns, then its values placed in fields.tsv order."""
    fields = wide_fields()
    index = {f: i for i, f in enumerate(fields)}
    reports = conn.cursor()
    extra = ", ".join(f"r.{c}" for c in (*BODY_COLUMNS, *INDICATORS))
    reports.execute(f"SELECT r.id, d.path, d.member, d.status, d.error, d.sha256, r.agency, r.year, r.published, "
                    f"r.template, r.title, r.n_filled, r.n_failed_checks, {extra} {_ALL_DOCS} ORDER BY d.path, d.member")
    for report_id, *head in reports:
        row = [cell(v) for v in head] + [""] * len(fields)
        if report_id is None:
            yield row
            continue
        offset = len(head)
        for field, value in conn.execute('SELECT field, value FROM "values" WHERE report_id = ?', (report_id,)):
            i = index.get(field)
            if i is not None:
                row[offset + i] = cell(value)
        yield row


def _db_growth(conn: sqlite3.Connection) -> Iterator[list[str]]:
    for row in conn.execute(f"SELECT {', '.join(GROWTH_COLUMNS)} FROM growth ORDER BY body_id, year"):
        yield [cell(v) for v in row]


def write_growth_csv(rows: Iterable[list[str]], path: Path) -> None:
    with atomic_text(path, bom=True) as fh:
        writer = csv.writer(fh)
        writer.writerow(GROWTH_COLUMNS)
        writer.writerows(rows)


def write_panel_csv(conn: sqlite3.Connection, path: Path) -> None:
    """panel.csv: one row per body and year across the 2019 break (batch/panel.py)."""
    with atomic_text(path, bom=True) as fh:
        writer = csv.writer(fh)
        writer.writerow(panel_columns())
        writer.writerows([cell(v) for v in row] for row in select_panel(conn))


def _db_continuity(conn: sqlite3.Connection) -> Iterator[list[str]]:
    for row in conn.execute(f"SELECT {', '.join(CONTINUITY_COLUMNS)} FROM legacy_continuity ORDER BY body_id, year, rowid"):
        yield [cell(v) for v in row]


def write_rows_csv(columns: tuple[str, ...], rows: Iterable[list[str]], path: Path) -> None:
    with atomic_text(path, bom=True) as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)


EXPORT_VERSION = 5  # bump when what the exports hold changes: a finished job's exports are then remade
EXPORT_DATA = ("fields.tsv", "legacy-fields.tsv", "series.tsv")  # data files whose lines are export columns


def export_data_digest() -> str:
    """A digest of the data files the exports' columns come from: a new series or field (one line in a TSV)
    remakes a finished job's exports on its next run, as a new EXPORT_VERSION does."""
    import hashlib
    from importlib import resources

    digest = hashlib.sha256()
    for name in EXPORT_DATA:
        digest.update(resources.files("pipeline").joinpath("data", name).read_bytes())
    return digest.hexdigest()[:16]


def export_paths(out_dir: Path) -> dict[str, Path]:
    return {"jsonl": out_dir / "reports.jsonl", "long": out_dir / "values_long.csv",
            "wide": out_dir / "reports_wide.csv", "growth": out_dir / "growth.csv",
            "panel": out_dir / "panel.csv", "legacy_continuity": out_dir / "legacy_continuity.csv"}


def export_db(db: Path, out_dir: Path) -> dict[str, Path]:
    """reports.jsonl, values_long.csv, reports_wide.csv, growth.csv (new applications year on year, per
    body), panel.csv (the series across the 2019 break) and legacy_continuity.csv (pre-2019 历年累计 across a
    body's years) from a batch database (re-creatable any time)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        paths = export_paths(out_dir)
        write_jsonl(_db_json(conn), paths["jsonl"])
        write_long_csv(_db_long(conn), paths["long"])
        write_wide_csv(_db_wide(conn), paths["wide"])
        write_growth_csv(_db_growth(conn), paths["growth"])
        write_panel_csv(conn, paths["panel"])
        write_rows_csv(CONTINUITY_COLUMNS, _db_continuity(conn), paths["legacy_continuity"])
        return paths
    finally:
        conn.close()
