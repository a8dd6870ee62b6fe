"""Batch data you can trust (issue 13): a value never blocks a job; re-runs follow changed, deleted and
re-spelled inputs; every regular file is sniffed, whatever its name; failures are listed in the exports
and a job with inputs it could not read exits non-zero."""

from __future__ import annotations

import csv
import json
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
