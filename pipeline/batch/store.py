"""The batch database, DIR/nianbao.sqlite: schema and writes.

The tables and columns below are a contract (the review site reads them); columns may be added,
never renamed or dropped. A document and everything derived from it (its report, values, checks,
issues) go in one transaction, so a killed job leaves whole documents or none; a documents row
exists only once its document is final, which is what a resumed job skips by.

Documents are committed in small batches (COMMIT_EVERY documents or COMMIT_SECONDS, whichever comes
first), each document inside its own savepoint: per-document commits cost more than the conversion
of a text report on a slow disk, and a kill loses at most one batch of whole documents (redone from
the cache on resume).

Values are stored as the report holds them: a number too large for SQLite's 64-bit INTEGER is stored as
its decimal text (exact; REAL would silently round it), and a document whose rows SQLite still refuses
is recorded with status "error" and the reason, so that no value can stop a job.

Which documents a job holds: each converting run is a row of `runs`; every document it reaches (converted
or found unchanged) gets that run's id in documents.run, and at the end of the run the documents it did
not reach (deleted, renamed, or not among this run's inputs) are dropped, so the database and exports
describe exactly the inputs of the last finished run. documents.stat (size, mtime, ctime, inode of the
file, or of the archive holding the member) lets a re-run skip unchanged files without reading them.

"values" (about 200 rows a report) has one index, by report: an index by field too made every document's
write three times slower, for queries nobody runs in a batch (reports_wide.csv has a column per field).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.report import Indicators

INDICATORS = tuple(Indicators.model_fields)

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  member TEXT NOT NULL DEFAULT '',
  sha256 TEXT,
  format TEXT,
  size INTEGER,
  status TEXT NOT NULL,
  error TEXT,
  extract_ms REAL,
  normalise_ms REAL,
  report_id INTEGER,
  worker TEXT,
  rss_kb INTEGER,
  stat TEXT,
  run INTEGER,
  UNIQUE(path, member)
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  started TEXT NOT NULL,
  inputs TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value
);
CREATE INDEX IF NOT EXISTS documents_sha ON documents(sha256);
CREATE INDEX IF NOT EXISTS documents_status ON documents(status);
CREATE TABLE IF NOT EXISTS reports (
  id INTEGER PRIMARY KEY,
  sha256 TEXT,
  agency TEXT,
  year INTEGER,
  published TEXT,
  template TEXT,
  title TEXT,
  n_values INTEGER,
  n_filled INTEGER,
  n_failed_checks INTEGER,
  json TEXT
);
CREATE INDEX IF NOT EXISTS reports_agency_year ON reports(agency, year);
CREATE TABLE IF NOT EXISTS "values" (
  report_id INTEGER NOT NULL,
  field TEXT NOT NULL,
  value,
  raw TEXT,
  null_reason TEXT
);
CREATE INDEX IF NOT EXISTS values_report ON "values"(report_id);
DROP INDEX IF EXISTS values_field;
CREATE TABLE IF NOT EXISTS checks (
  report_id INTEGER NOT NULL,
  rule TEXT,
  ok INTEGER,
  row TEXT,
  column_name TEXT,
  group_name TEXT,
  expected REAL,
  found REAL,
  message TEXT
);
CREATE INDEX IF NOT EXISTS checks_report ON checks(report_id);
CREATE TABLE IF NOT EXISTS issues (
  report_id INTEGER NOT NULL,
  level TEXT,
  code TEXT,
  field TEXT,
  message TEXT
);
CREATE INDEX IF NOT EXISTS issues_report ON issues(report_id);
CREATE TABLE IF NOT EXISTS growth (
  body_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  prev_year INTEGER NOT NULL,
  new_received REAL,
  prev_new_received REAL,
  growth REAL,
  body_name TEXT,
  report_id INTEGER,
  prev_report_id INTEGER
);
CREATE TABLE IF NOT EXISTS findings (
  report_id INTEGER,
  path TEXT,
  member TEXT,
  agency TEXT,
  year INTEGER,
  code TEXT NOT NULL,
  severity TEXT NOT NULL,
  field TEXT,
  detail TEXT,
  body_id TEXT,
  body_name TEXT
);
CREATE INDEX IF NOT EXISTS findings_report ON findings(report_id);
CREATE TABLE IF NOT EXISTS cross_year (
  agency_key TEXT NOT NULL,
  year INTEGER NOT NULL,
  prev_year INTEGER NOT NULL,
  column_name TEXT NOT NULL,
  carried_over REAL,
  prev_carried_forward REAL,
  ok INTEGER,
  agency TEXT,
  report_id INTEGER,
  prev_report_id INTEGER
);
CREATE TABLE IF NOT EXISTS legacy_continuity (
  body_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  prev_year INTEGER NOT NULL,
  field TEXT NOT NULL,
  prev_cumulative REAL,
  this_period REAL,
  cumulative REAL,
  ok INTEGER,
  body_name TEXT,
  report_id INTEGER,
  prev_report_id INTEGER
);
CREATE TABLE IF NOT EXISTS legacy_settled (
  report_id INTEGER PRIMARY KEY,
  original TEXT NOT NULL
);
"""

# columns added to a table after its first release, created in older databases when they are opened
ADDED_COLUMNS = {
    "reports": (("body_name", "TEXT"), ("region_code", "TEXT"), ("region", "TEXT"), ("body_level", "TEXT"),
                ("body_kind", "TEXT"), ("body_id", "TEXT"), ("body_source", "TEXT"), ("site", "TEXT"),
                *((name, "REAL") for name in INDICATORS)),
    "cross_year": (("body_id", "TEXT"),),
    "documents": (("stat", "TEXT"), ("run", "INTEGER")),
}  # added to jobs made before them
BODY_COLUMNS = ("body_name", "region_code", "region", "body_level", "body_kind", "body_id")
COMMIT_EVERY = 32
COMMIT_SECONDS = 0.5
DOCUMENT_COLUMNS = ("path", "member", "sha256", "format", "size", "status", "error", "extract_ms",
                    "normalise_ms", "report_id", "worker", "rss_kb", "stat", "run")
INT64 = (-(1 << 63), (1 << 63) - 1)
# what SQLite raises on a value it cannot bind (not on a full disk or a broken file: those stop the job)
VALUE_ERRORS = (OverflowError, ValueError, TypeError, UnicodeError, sqlite3.InterfaceError, sqlite3.DataError,
                sqlite3.IntegrityError, sqlite3.ProgrammingError)


def sql_value(value: Any) -> Any:
    """A value SQLite can hold, losing nothing: an integer beyond 64 bits or a Decimal becomes its exact
    decimal text; text with surrogates (a file name in GBK bytes, a lone surrogate) keeps its bytes as
    \\x escapes instead of making SQLite refuse the row."""
    if isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return storable_text(value)
    return value


def storable_text(text: str) -> str:
    """Text as UTF-8 can hold it: surrogates (from a file name in GBK bytes, os.fsdecode's escapes, or a
    lone one) become \\x escapes of their bytes; any other text is returned as it is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape" if _escaped_bytes(text) else "surrogatepass"
                           ).decode("utf-8", "backslashreplace")
    return text


def _escaped_bytes(text: str) -> bool:
    """Only os.fsdecode's escapes (U+DC80..U+DCFF), no other surrogate."""
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in text)


def sql_rows(report_id: int | None, rows: list[tuple]) -> list[tuple]:
    head = () if report_id is None else (report_id,)
    return [(*head, *(sql_value(v) for v in row)) for row in rows]


class Store:
    """One connection to a job's database (the client's: workers never write here)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, timeout=60, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA wal_autocheckpoint=10000")  # fewer, larger checkpoints (each one syncs)
        self.conn.executescript(SCHEMA)
        self._add_columns()
        self.run: int | None = None  # the converting run in progress (begin_run)
        self._batch = 0
        self._batch_started = 0.0

    def _add_columns(self) -> None:
        for table, columns in ADDED_COLUMNS.items():
            have = {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in have:
                    self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        self.conn.execute("CREATE INDEX IF NOT EXISTS reports_body_year ON reports(body_id, year)")

    def close(self) -> None:
        """Commit the whole documents of the open batch if possible, else roll them back; never raises
        (it runs while an error is on its way out; a lost batch is redone by the next run)."""
        try:
            self.commit()
        except sqlite3.Error:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
        with suppress(sqlite3.Error):
            self.conn.close()

    # ---- transactions: one savepoint per document, one commit per small batch
    @contextmanager
    def _document(self) -> Iterator[None]:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self._batch, self._batch_started = 0, time.monotonic()
        self.conn.execute("SAVEPOINT doc")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:  # SQLite may have rolled the whole transaction back (disk full)
                with suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK TO doc")
                    self.conn.execute("RELEASE doc")
            raise
        self.conn.execute("RELEASE doc")
        self._batch += 1
        self.commit_if_due()

    def commit_if_due(self) -> None:
        if self.conn.in_transaction and (self._batch >= COMMIT_EVERY
                                         or time.monotonic() - self._batch_started >= COMMIT_SECONDS):
            self.commit()

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    # ---- reading
    def signature(self) -> list[int]:
        """Changes whenever a document or report is added, replaced or dropped: a generation counted up by
        every such write (a deleted row's id can come back, so ids and counts alone could repeat)."""
        return [self._generation(), *self.conn.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT coalesce(max(id), 0) FROM documents), "
            "(SELECT count(*) FROM reports), (SELECT coalesce(max(id), 0) FROM reports)").fetchone()]

    def _generation(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return 0 if row is None else int(row[0])

    def _bump(self) -> None:
        self.conn.execute("INSERT INTO meta (key, value) VALUES ('generation', 1) "
                          "ON CONFLICT(key) DO UPDATE SET value = value + 1")

    # ---- runs: which documents are the job's current inputs
    def begin_run(self, inputs: list[str]) -> int:
        """A new converting run; the documents it reaches are marked with its id."""
        with self._document():
            cur = self.conn.execute("INSERT INTO runs (started, inputs) VALUES (datetime('now'), ?)",
                                    (json.dumps(inputs, ensure_ascii=False),))
        self.commit()
        run = cur.lastrowid
        assert run is not None  # an INSERT always sets it
        self.run = run
        return run

    def _mark(self, where: str, args: tuple, stat: str | None = None) -> bool:
        with self._document():
            cur = self.conn.execute(f"UPDATE documents SET run = ?, stat = coalesce(?, stat) WHERE {where}",
                                    (self.run, stat, *map(sql_value, args)))
        return cur.rowcount > 0

    def unchanged_file(self, path: str, member: str, stat: str) -> bool:
        """Done already, judged by the file's stat signature (no reading); marks it as reached by this run."""
        return self._mark("path = ? AND member = ? AND stat = ?", (path, member, stat))

    def unchanged_content(self, path: str, member: str, sha256: str, stat: str | None) -> bool:
        """Done already with these very bytes (the file was touched, not changed); marks it as reached."""
        return self._mark("path = ? AND member = ? AND sha256 = ?", (path, member, sha256), stat)

    def drop_unreached(self) -> int:
        """At the end of a finished run: drop the documents it did not reach (and their reports)."""
        with self._document():
            gone = self.conn.execute("SELECT id, report_id FROM documents WHERE run IS NOT ?", (self.run,)).fetchall()
            for doc_id, report_id in gone:
                self._drop(doc_id, report_id)
        self.commit()
        return len(gone)

    def failure_of(self, sha256: str) -> dict[str, Any] | None:
        """An earlier extraction failure of the same bytes (timeouts included), to copy instead of retrying."""
        row = self.conn.execute(
            "SELECT status, error, format FROM documents WHERE sha256=? AND status NOT IN ('ok', 'not_a_report') "
            "AND report_id IS NULL LIMIT 1", (sha256,)).fetchone()
        return None if row is None else {"status": row[0], "error": row[1], "format": row[2]}

    # ---- writing
    def _insert_report(self, sha256: str | None, rec: dict[str, Any]) -> int:
        columns = ("sha256", "agency", "year", "published", "template", "title", "n_values", "n_filled",
                   "n_failed_checks", "json", *BODY_COLUMNS, "body_source", "site", *INDICATORS)
        row = {**rec, "sha256": sha256, "body_source": "document" if rec.get("body_id") else None}
        cur = self.conn.execute(f"INSERT INTO reports ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                                sql_rows(None, [tuple(row.get(c) for c in columns)])[0])
        report_id = cur.lastrowid
        assert report_id is not None
        self._insert_rows(report_id, rec)
        return report_id

    def _insert_rows(self, report_id: int, rec: dict[str, Any]) -> None:
        """A report's values, checks and issues rows."""
        self.conn.executemany('INSERT INTO "values" (report_id, field, value, raw, null_reason) VALUES (?,?,?,?,?)',
                              sql_rows(report_id, rec["values"]))
        self.conn.executemany(
            "INSERT INTO checks (report_id, rule, ok, row, column_name, group_name, expected, found, message) "
            "VALUES (?,?,?,?,?,?,?,?,?)", sql_rows(report_id, rec["checks"]))
        self.conn.executemany("INSERT INTO issues (report_id, level, code, field, message) VALUES (?,?,?,?,?)",
                              sql_rows(report_id, rec["issues"]))

    def _delete_report(self, report_id: int) -> None:
        for table in ('"values"', "checks", "issues", "legacy_settled"):
            self.conn.execute(f"DELETE FROM {table} WHERE report_id=?", (report_id,))
        self.conn.execute("DELETE FROM reports WHERE id=?", (report_id,))

    def _drop(self, doc_id: int, report_id: int | None) -> None:
        if report_id is not None:
            self._delete_report(report_id)
        self.conn.execute("DELETE FROM documents WHERE id=?", (doc_id,))
        self._bump()

    def record(self, doc: dict[str, Any], result: dict[str, Any]) -> bool:
        """One finished document (doc: path, member, size, stat; result: what the worker said), atomically;
        it replaces the row an earlier run left for the same path and member (its content changed).
        False when this run recorded it already (named twice: the first is kept). A report SQLite refuses
        is recorded as status "error" with the reason: one document never stops the job."""
        try:
            return self._record(doc, result)
        except VALUE_ERRORS as exc:
            reason = " ".join(f"cannot store the report: {type(exc).__name__}: {exc}".split())[:300]
            failed = {"status": "error", "error": reason, "format": result.get("format"), "sha256": result.get("sha256")}
            return self._record(doc, failed)

    def _record(self, doc: dict[str, Any], result: dict[str, Any]) -> bool:
        with self._document():
            old = self.conn.execute("SELECT id, report_id, run FROM documents WHERE path=? AND member=?",
                                    (sql_value(doc["path"]), sql_value(doc.get("member", "")))).fetchone()
            if old is not None and self.run is not None and old[2] == self.run:
                return False
            if old is not None:
                self._drop(old[0], old[1])
            report_id = None
            if result.get("report"):
                report_id = self._insert_report(result.get("sha256") or doc.get("sha256"), result["report"])
            row = {**doc, **{k: result[k] for k in DOCUMENT_COLUMNS if result.get(k) is not None}, "report_id": report_id}
            row["sha256"] = result.get("sha256") or doc.get("sha256")
            row["run"] = self.run
            self.conn.execute(
                f"INSERT INTO documents ({', '.join(DOCUMENT_COLUMNS)}) VALUES ({', '.join('?' * len(DOCUMENT_COLUMNS))})",
                sql_rows(None, [tuple(row.get(c) for c in DOCUMENT_COLUMNS)])[0])
            self._bump()
        return True

    def replace(self, doc_id: int, result: dict[str, Any]) -> None:
        """A document normalised again (--renormalise): its old report goes, the new one comes, atomically."""
        try:
            self._replace(doc_id, result)
        except VALUE_ERRORS as exc:
            reason = " ".join(f"cannot store the report: {type(exc).__name__}: {exc}".split())[:300]
            self._replace(doc_id, {"status": "error", "error": reason, "normalise_ms": result.get("normalise_ms")})

    def _replace(self, doc_id: int, result: dict[str, Any]) -> None:
        with self._document():
            old = self.conn.execute("SELECT report_id, sha256 FROM documents WHERE id=?", (doc_id,)).fetchone()
            if old and old[0] is not None:
                self._delete_report(old[0])
            report_id = self._insert_report(old[1], result["report"]) if result.get("report") else None
            self.conn.execute("UPDATE documents SET status=?, error=?, normalise_ms=?, report_id=? WHERE id=?",
                              (result["status"], result.get("error"), result.get("normalise_ms"), report_id, doc_id))
            self._bump()

    def replace_cross_year(self, rows: list[tuple]) -> None:
        with self._document():
            self.conn.execute("DELETE FROM cross_year")
            self.conn.executemany(
                "INSERT INTO cross_year (agency_key, year, prev_year, column_name, carried_over, "
                "prev_carried_forward, ok, agency, report_id, prev_report_id, body_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                sql_rows(None, rows))
        self.commit()

    def replace_findings(self, rows: list[tuple]) -> None:
        """The audit's findings (pipeline.batch.audit), all at once: an audit re-run replaces them."""
        with self._document():
            self.conn.execute("DELETE FROM findings")
            self.conn.executemany(
                "INSERT INTO findings (report_id, path, member, agency, year, code, severity, field, detail, "
                "body_id, body_name) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        self.commit()

    def replace_growth(self, rows: list[tuple]) -> None:
        with self._document():
            self.conn.execute("DELETE FROM growth")
            self.conn.executemany(
                "INSERT INTO growth (body_id, year, prev_year, new_received, prev_new_received, growth, body_name, "
                "report_id, prev_report_id) VALUES (?,?,?,?,?,?,?,?,?)", rows)
        self.commit()

    def settle_legacy(self, rewrites: list[tuple[int, dict[str, Any]]], settled: list[tuple[int, str]],
                      continuity: list[tuple]) -> None:
        """The legacy reports the job's other years settled (pipeline.batch.legacy_years), in one transaction:
        each rewritten report (its JSON, counts, values, checks and issues rows, from report_record), what they
        held as converted (table legacy_settled, to put it back next time) and the continuity rows."""
        with self._document():
            for report_id, rec in rewrites:
                self.conn.execute("UPDATE reports SET json=?, n_values=?, n_filled=?, n_failed_checks=? WHERE id=?",
                                  (rec["json"], rec["n_values"], rec["n_filled"], rec["n_failed_checks"], report_id))
                for table in ('"values"', "checks", "issues"):
                    self.conn.execute(f"DELETE FROM {table} WHERE report_id=?", (report_id,))
                self._insert_rows(report_id, rec)
            self.conn.execute("DELETE FROM legacy_settled")
            self.conn.executemany("INSERT INTO legacy_settled (report_id, original) VALUES (?,?)", settled)
            self.conn.execute("DELETE FROM legacy_continuity")
            self.conn.executemany(
                "INSERT INTO legacy_continuity (body_id, year, prev_year, field, prev_cumulative, this_period, "
                "cumulative, ok, body_name, report_id, prev_report_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                sql_rows(None, continuity))
        self.commit()

    def update_body(self, report_id: int, body: dict[str, Any], source: str, report_json: str) -> None:
        """A body the batch settled (pipeline.batch.bodies): its columns, and the report JSON that says so."""
        with self._document():
            self.conn.execute(
                f"UPDATE reports SET {', '.join(f'{c}=?' for c in BODY_COLUMNS)}, body_source=?, json=? WHERE id=?",
                [*(body_columns(body)[c] for c in BODY_COLUMNS), source, report_json, report_id])
            self.conn.execute("INSERT INTO issues (report_id, level, code, field, message) VALUES (?,?,?,?,?)",
                              (report_id, "info", "body_inferred", None, source))


def body_columns(body: dict[str, Any]) -> dict[str, Any]:
    """report.body as the reports table's columns (region as its names joined by /)."""
    region = body.get("region")
    return {"body_name": body.get("name"), "region_code": body.get("region_code"),
            "region": "/".join(region) if region else None, "body_level": body.get("level"),
            "body_kind": body.get("kind"), "body_id": body.get("id")}
