"""A batch database like `nianbao batch` writes (the CONTRACT schema), built from converted samples.

Lets the review site be tested before and independently of the batch command: same tables and
columns (`documents`, `reports` with the full report JSON, plus `values`, `checks`, `issues`).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

from pipeline import convert
from pipeline.errors import NianbaoError, NotAReportError

SCHEMA = """
CREATE TABLE documents (id INTEGER PRIMARY KEY, path TEXT, member TEXT, sha256 TEXT, format TEXT, size INTEGER,
                        status TEXT, error TEXT, extract_ms REAL, normalise_ms REAL, report_id INTEGER);
CREATE TABLE reports (id INTEGER PRIMARY KEY, sha256 TEXT, agency TEXT, year INTEGER, published TEXT,
                      template TEXT, title TEXT, n_values INTEGER, n_filled INTEGER, n_failed_checks INTEGER,
                      json TEXT);
CREATE TABLE "values" (report_id INTEGER, field TEXT, value, raw TEXT, null_reason TEXT);
CREATE TABLE checks (report_id INTEGER, rule TEXT, ok INTEGER, row TEXT, column_name TEXT, group_name TEXT,
                     expected REAL, found REAL, message TEXT);
CREATE TABLE issues (report_id INTEGER, level TEXT, code TEXT, field TEXT, message TEXT);
"""


def build_batch_db(paths: list[Path], out_dir: Path) -> Path:
    """Convert every path and write out_dir/nianbao.sqlite; failures become documents with an error."""
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "nianbao.sqlite"
    db.unlink(missing_ok=True)
    con = sqlite3.connect(db)
    con.executescript(SCHEMA)
    for path in paths:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        start = time.perf_counter()
        try:
            report = convert(path)
        except NianbaoError as exc:
            con.execute("INSERT INTO documents (path, member, sha256, format, size, status, error, extract_ms, "
                        "normalise_ms, report_id) VALUES (?, '', ?, ?, ?, ?, ?, ?, NULL, NULL)",
                        (str(path), sha, path.suffix.lstrip(".") or "txt", len(data),
                         "not_a_report" if isinstance(exc, NotAReportError) else "error", str(exc),
                         (time.perf_counter() - start) * 1000))
            continue
        ms = (time.perf_counter() - start) * 1000
        values = report.values()
        failed = sum(not c.ok for c in report.checks)
        meta = report.report
        cur = con.execute(
            "INSERT INTO reports (sha256, agency, year, published, template, title, n_values, n_filled, "
            "n_failed_checks, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (sha, meta.agency, meta.year, meta.published, meta.template, meta.title, len(values),
             sum(v is not None for v in values.values()), failed, report.to_json()))
        report_id = cur.lastrowid
        con.execute("INSERT INTO documents (path, member, sha256, format, size, status, error, extract_ms, "
                    "normalise_ms, report_id) VALUES (?, '', ?, ?, ?, 'ok', NULL, ?, ?, ?)",
                    (str(path), sha, report.source.format, len(data), ms * 0.8, ms * 0.2, report_id))
        for field_id, value in values.items():
            prov = report.provenance.get(field_id)
            con.execute('INSERT INTO "values" VALUES (?, ?, ?, ?, NULL)',
                        (report_id, field_id, value, prov.raw if prov else None))
        for c in report.checks:
            con.execute("INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (report_id, c.rule, int(c.ok), c.row, c.column, c.group, c.expected, c.found, c.message))
        for i in report.issues:
            con.execute("INSERT INTO issues VALUES (?, ?, ?, ?, ?)", (report_id, i.level, i.code, i.field, i.message))
    con.commit()
    con.close()
    return db
