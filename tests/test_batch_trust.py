"""Batch data you can trust (issue 13): a value never blocks a job; re-runs follow changed, deleted and
re-spelled inputs; every regular file is sniffed, whatever its name; failures are listed in the exports
and a job with inputs it could not read exits non-zero."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from pathlib import Path

import pytest

from pipeline.batch.job import BatchOptions, run_batch
from pipeline.batch.store import Store
from tests.fixturegen import make_report
from tests.fixturegen.text_render import render_text

HUGE = 123456789012345678901234  # 24 digits: more than SQLite's 64-bit INTEGER holds
AGENCY = "临江市信任镇人民政府"


def report_text(seed: int, year: int = 2023) -> str:
    spec = make_report("2021", seed=seed, agency=AGENCY, year=year)
    return render_text(spec, "tsv")


def poisoned_text(seed: int) -> str:
    """A report whose first applicant cells of 一、本年新收 and 二、上年结转 (which the cross-year check reads)
    hold a 24-digit number (crawler text whose cells ran together)."""
    spec = make_report("2021", seed=seed, agency=AGENCY, year=2023)
    lines = render_text(spec, "tsv").splitlines()
    for label, row_id in (("新收政府信息公开申请数量", "new_received"), ("上年结转政府信息公开申请数量", "carried_over")):
        value = spec.values[f"applications.{row_id}.natural_person"]
        row = next(i for i, line in enumerate(lines) if label in line)
        assert f"\t{value}\t" in lines[row]
        lines[row] = lines[row].replace(f"\t{value}\t", f"\t{HUGE}\t", 1)
    return "\n".join(lines) + "\n"


def _opts(out: Path, **kw) -> BatchOptions:
    return BatchOptions(out=out, workers=kw.pop("workers", 0), progress=False, **kw)


def _wide(job: Path) -> list[dict[str, str]]:
    with (job / "reports_wide.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _jsonl(job: Path) -> list[dict]:
    return [json.loads(line) for line in (job / "reports.jsonl").read_text(encoding="utf-8").splitlines()]


# ---- 1. one cell never blocks a batch
def test_a_huge_number_in_a_cell_never_blocks_the_batch(tmp_path: Path) -> None:
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a_poison.txt").write_text(poisoned_text(32), encoding="utf-8")  # 2023, its 上年结转 checked
    (docs / "b_good.txt").write_text(report_text(31, 2022), encoding="utf-8")  # against this 结转下年度
    (docs / "c_good.txt").write_text(report_text(33, 2024), encoding="utf-8")
    job = tmp_path / "job"
    for _ in range(2):  # a re-run neither dies nor records anything twice
        run_batch([docs], _opts(job))
        conn = sqlite3.connect(job / "nianbao.sqlite")
        rows = dict(conn.execute("SELECT path, status FROM documents"))
        conn.close()
        assert {Path(p).name: s for p, s in rows.items()} == {"a_poison.txt": "ok", "b_good.txt": "ok",
                                                              "c_good.txt": "ok"}
    by_name = {Path(r["path"]).name: r for r in _wide(job)}
    reports = {Path(r["source"]["path"]).name: r for r in _jsonl(job)}
    for row_id in ("new_received", "carried_over"):
        held = reports["a_poison.txt"]["applications"][row_id]["natural_person"]
        assert held in (HUGE, None)  # as read, or null once the normaliser refuses it
        field = f"applications.{row_id}.natural_person"
        assert by_name["a_poison.txt"][field] == ("" if held is None else str(held))  # the CSV says what the report says


def _record(report_values: list[tuple], checks: list[tuple] = (), title: str = "t") -> dict:
    return {"status": "ok", "sha256": "0" * 64, "format": "txt", "report": {
        "agency": AGENCY, "year": 2023, "published": None, "template": "2021", "title": title,
        "n_values": len(report_values), "n_filled": len(report_values), "n_failed_checks": len(checks),
        "json": "{}", "values": report_values, "checks": list(checks), "issues": []}}


def test_the_store_holds_any_number_exactly_and_never_dies_on_a_value(tmp_path: Path) -> None:
    store = Store(tmp_path / "nianbao.sqlite")
    store.begin_run([])
    big = [("applications.new_received.total", HUGE, str(HUGE), None), ("a.b.c", -HUGE, "-", None),
           ("fees.amount_10k_yuan", 1.5, "1.5", None)]
    check = [("applications.row_total", 0, "new_received", "total", None, HUGE + 1, HUGE, "m")]
    assert store.record({"path": "/in/big.txt", "member": "", "size": 1}, _record(big, check))
    assert store.record({"path": "/in/odd.txt", "member": "", "size": 1}, _record([], title="\ud800 lone"))
    assert store.record({"path": "/in/bad.txt", "member": "", "size": 1}, _record([("x.y.z", [1], "[1]", None)]))
    assert store.record({"path": "/in/fine.txt", "member": "", "size": 1}, _record([("x.y.z", 7, "7", None)]))
    store.commit()
    q = store.conn.execute
    assert q('SELECT field, value FROM "values" v JOIN documents d ON d.report_id = v.report_id '
             "WHERE d.path = '/in/big.txt' ORDER BY v.rowid").fetchall() == [
        ("applications.new_received.total", str(HUGE)), ("a.b.c", str(-HUGE)), ("fees.amount_10k_yuan", 1.5)]
    assert q("SELECT found FROM checks").fetchone()[0] == pytest.approx(float(HUGE))
    status, error, report_id = q("SELECT status, error, report_id FROM documents WHERE path = '/in/bad.txt'"
                                 ).fetchone()
    assert status == "error" and error.startswith("cannot store the report:") and report_id is None
    assert q("SELECT status FROM documents WHERE path = '/in/fine.txt'").fetchone()[0] == "ok"
    assert q("SELECT r.title FROM reports r JOIN documents d ON d.report_id = r.id WHERE d.path = '/in/odd.txt'"
             ).fetchone()[0] == "\\xed\\xa0\\x80 lone"  # kept, its bytes escaped
    assert q("SELECT count(*) FROM reports").fetchone()[0] == 3  # nothing half-written is left of bad.txt
    store.close()


def _db(job: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{job / 'nianbao.sqlite'}?mode=ro", uri=True)


def _documents(job: Path) -> dict[str, tuple]:
    """{file name or member: (status, format, error)}."""
    conn = _db(job)
    try:
        rows = conn.execute("SELECT path, member, status, format, error FROM documents").fetchall()
    finally:
        conn.close()
    return {member or Path(path).name: (status, fmt, error) for path, member, status, fmt, error in rows}


def _values(job: Path, name: str) -> dict[str, object]:
    conn = _db(job)
    try:
        rows = conn.execute('SELECT d.path, d.member, v.field, v.value FROM "values" v JOIN documents d '
                            "ON d.report_id = v.report_id").fetchall()
    finally:
        conn.close()
    return {field: value for path, member, field, value in rows if (member or Path(path).name) == name}


# ---- 7. every regular file is sniffed, whatever its name
def test_every_regular_file_is_sniffed_whatever_its_name(tmp_path: Path) -> None:
    from tests.batch_corpus import SAMPLES, zip_bytes

    docx, html = SAMPLES / "docx" / "huashu_2021tpl.docx", SAMPLES / "html" / "portal_gbk_2021_rongcheng.html"
    docs = tmp_path / "crawl"
    docs.mkdir()
    (docs / "content").write_bytes(docx.read_bytes())  # names crawled portals save files under
    (docs / "index.do").write_bytes(html.read_bytes())
    (docs / "noext").write_text(report_text(61), encoding="utf-8")
    (docs / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    inner = zip_bytes([("report", report_text(62, 2022).encode())])
    (docs / "download.aspx").write_bytes(zip_bytes([("file", report_text(63, 2021).encode()),
                                                    ("img", b"GIF89a\x01\x00\x01\x00\x00\x00\x00"),
                                                    ("attachment.bin", inner)]))
    (docs / "dangling").symlink_to(tmp_path / "nowhere")
    (docs / "attach").write_bytes(zip_bytes([]))  # a zip without files: listed, not vanished
    (docs / "renamed.zip").write_bytes(docx.read_bytes())  # a DOCX is a zip too: its content says document
    os.mkfifo(docs / "pipe")  # never opened: reading it would wait for ever
    job = tmp_path / "job"
    run_batch([docs, Path("/dev/zero")], _opts(job))
    found = _documents(job)
    assert {name: status for name, (status, _, _) in found.items()} == {
        "content": "ok", "index.do": "ok", "noext": "ok", "file": "ok", "attachment.bin!/report": "ok",
        "renamed.zip": "ok", "logo.png": "unsupported", "img": "unsupported", "dangling": "unreadable",
        "attach": "empty", "pipe": "unsupported", "zero": "unsupported"}
    assert found["attach"][2] == "archive holds no files"
    assert found["pipe"][2] == "not a regular file (a named pipe)" and found["zero"][2] == "not a regular file (a device)"
    assert found["content"][1] == "docx" and found["index.do"][1] == "html" and found["noext"][1] == "txt"
    assert found["logo.png"][2] == found["img"][2] and found["img"][2].startswith("a picture: not read in a batch")
    assert found["logo.png"][1] == found["img"][1] == "image"
    assert found["dangling"][2] == "broken symbolic link"
    for name, sample in (("content", docx), ("index.do", html)):
        truth = json.loads(sample.with_suffix(".truth.json").read_text(encoding="utf-8"))["fields"]
        assert _values(job, name) == truth, name


def test_a_file_name_in_gbk_bytes_is_converted_listed_and_found_done_again(tmp_path: Path) -> None:
    """A crawl unpacked by a Windows-era tool: file names are GBK bytes, not UTF-8 (os.fsdecode escapes them)."""
    docs = tmp_path / "in"
    docs.mkdir()
    raw = os.fsencode(docs) + b"/" + "年报.txt".encode("gbk")
    with open(raw, "wb") as fh:
        fh.write(report_text(64).encode("utf-8"))
    job = tmp_path / "job"
    for expected in ({"recorded": 1, "skipped": 0, "dropped": 0}, {"recorded": 0, "skipped": 1, "dropped": 0}):
        counts: dict[str, int] = {}
        run_batch([docs], _opts(job), counts=counts)
        assert counts == expected
    shown = os.fsdecode(raw).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    assert [(row["path"], row["status"]) for row in _wide(job)] == [(shown, "ok")]
    assert [line["source"]["path"] for line in _jsonl(job)] == [shown]


# ---- 2. a re-run after changing, deleting and re-spelling inputs equals a fresh job of the current inputs
EXPORTS = ("reports.jsonl", "reports_wide.csv", "values_long.csv")


def _content(job: Path) -> dict[str, list]:
    conn = _db(job)
    try:
        q = conn.execute
        return {
            "documents": sorted(q("SELECT path, member, sha256, format, size, status, error FROM documents")),
            "reports": sorted(q("SELECT d.path, d.member, r.json FROM documents d JOIN reports r "
                                "ON r.id = d.report_id")),
            "values": sorted(q('SELECT d.path, d.member, v.field, v.value, v.raw FROM "values" v JOIN documents d '
                               "ON d.report_id = v.report_id"), key=repr),
            "cross_year": sorted(q("SELECT agency_key, year, column_name, carried_over, prev_carried_forward, ok "
                                   "FROM cross_year")),
            "counts": [q(f"SELECT count(*) FROM {t}").fetchone()[0]
                       for t in ("documents", "reports", '"values"', "checks", "issues")],
        }
    finally:
        conn.close()


def _assert_same_job(job: Path, fresh: Path) -> None:
    assert _content(job) == _content(fresh)
    for name in EXPORTS:
        assert (job / name).read_bytes() == (fresh / name).read_bytes(), name


def test_rerun_after_changing_deleting_and_respelling_equals_a_fresh_job(tmp_path: Path) -> None:
    from tests.batch_corpus import zip_bytes

    docs = tmp_path / "in"
    (docs / "sub").mkdir(parents=True)
    for name, seed, year in (("a.txt", 41, 2021), ("b.txt", 42, 2022), ("c.txt", 43, 2023), ("sub/d.txt", 44, 2024)):
        (docs / name).write_text(report_text(seed, year), encoding="utf-8")
    bundle = docs / "bundle.zip"
    bundle.write_bytes(zip_bytes([("m1.txt", report_text(45, 2019).encode()), ("m2.txt", report_text(46).encode())]))
    job = tmp_path / "job"
    run_batch([docs], _opts(job))
    before = _values(job, "b.txt")

    changed = docs / "b.txt"  # new content, its old modification time put back: only ctime tells
    old = changed.stat()
    changed.write_text(report_text(52, 2022), encoding="utf-8")
    os.utime(changed, ns=(old.st_atime_ns, old.st_mtime_ns))
    (docs / "c.txt").unlink()
    os.utime(docs / "a.txt")  # touched, not changed: not converted again
    bundle.write_bytes(zip_bytes([("m1.txt", report_text(55, 2019).encode()), ("m3.txt", report_text(47).encode())]))
    (tmp_path / "link").symlink_to(docs, target_is_directory=True)
    counts: dict[str, int] = {}
    run_batch([tmp_path / "in" / ".." / "in", tmp_path / "link"], _opts(job), counts=counts)
    assert counts == {"recorded": 3, "skipped": 2 + 5, "dropped": 2}  # b, m1, m3; a, d, then all 5 again; c, m2

    fresh = tmp_path / "fresh"
    run_batch([docs], _opts(fresh))
    _assert_same_job(job, fresh)
    assert _values(job, "b.txt") != before and set(_documents(job)) == {"a.txt", "b.txt", "d.txt", "m1.txt", "m3.txt"}

    # the inputs of a run are the job's inputs: given one file, the job holds that file alone
    run_batch([docs / "a.txt"], _opts(job), counts=counts)
    only = tmp_path / "only"
    run_batch([docs / "a.txt"], _opts(only))
    _assert_same_job(job, only)
    assert counts["dropped"] == 4


# ---- 8. failures are listed in the exports; the exit status says when inputs could not be read
def _cli(*args: str):
    from typer.testing import CliRunner

    from pipeline.cli import app

    return CliRunner().invoke(app, ["batch", *args, "--workers", "0", "--no-progress"])


def test_a_missing_input_is_refused_before_the_job_is_touched(tmp_path: Path) -> None:
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a.txt").write_text(report_text(71), encoding="utf-8")
    job = tmp_path / "job"
    assert _cli(str(docs), "-o", str(job)).exit_code == 0
    before = {name: (job / name).read_bytes() for name in EXPORTS}
    content = _content(job)
    result = _cli(str(docs), str(tmp_path / "in" / "typo.txt"), "-o", str(job))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip() == f"{tmp_path / 'in' / 'typo.txt'}: no such file or directory"
    assert _content(job) == content and {name: (job / name).read_bytes() for name in EXPORTS} == before


def test_failed_documents_are_listed_in_the_exports_with_status_and_reason(tmp_path: Path) -> None:
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a_report.txt").write_text(report_text(72), encoding="utf-8")
    (docs / "b_empty.txt").write_bytes(b"")
    (docs / "c_corrupt.docx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    (docs / "d_notice.txt").write_text("关于做好春节期间安全生产工作的通知\n\n请认真做好节日期间值班值守工作。\n",
                                       encoding="utf-8")
    job = tmp_path / "job"
    result = _cli(str(docs), "-o", str(job))
    assert result.exit_code == 0, result.output  # every input was read; what failed failed by its own nature
    wide = {Path(row["path"]).name: row for row in _wide(job)}
    assert {name: row["status"] for name, row in wide.items()} == {
        "a_report.txt": "ok", "b_empty.txt": "empty", "c_corrupt.docx": "corrupt", "d_notice.txt": "not_a_report"}
    assert wide["a_report.txt"]["reason"] == "" and wide["b_empty.txt"]["reason"] == "empty file"
    assert wide["c_corrupt.docx"]["reason"] and wide["d_notice.txt"]["reason"]
    assert wide["b_empty.txt"]["applications.new_received.total"] == ""  # no values, never a 0
    lines = {Path(line["source"]["path"]).name: line for line in _jsonl(job)}
    assert lines["a_report.txt"]["schema"] == "nianbao.report/1"
    for name in ("b_empty.txt", "c_corrupt.docx", "d_notice.txt"):
        line = lines[name]
        assert line["schema"] == "nianbao.failure/1"
        assert (line["status"], line["reason"]) == (wide[name]["status"], wide[name]["reason"])


def test_exit_status_is_1_when_an_input_cannot_be_read_or_a_bug_of_ours_failed_a_document(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a.txt").write_text(report_text(73), encoding="utf-8")
    (docs / "gone.pdf").symlink_to(tmp_path / "deleted.pdf")
    result = _cli(str(docs), "-o", str(tmp_path / "job1"))
    assert result.exit_code == 1 and "1 unreadable" in result.output and "Traceback" not in result.output
    assert _documents(tmp_path / "job1")["gone.pdf"][:1] == ("unreadable",)

    (docs / "gone.pdf").unlink()

    def bug(*args, **kwargs):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr("pipeline.normalise.normalise", bug)
    result = _cli(str(docs), "-o", str(tmp_path / "job2"))
    assert result.exit_code == 1 and "1 error" in result.output
    assert _documents(tmp_path / "job2")["a.txt"] == ("error", "txt", "internal error: RuntimeError: a bug of ours")
