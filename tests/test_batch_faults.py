"""Faults mid-batch: kill -9 at random points, a full disk, a read-only job directory.

Every interrupted job must leave a consistent database (whole documents only: no orphan or duplicated
rows) and, run again, end equal to an uninterrupted run, compared by content (ids, timings and worker
names left out). Real mounts (a tiny tmpfs, a read-only bind mount) are used when running as root;
otherwise those tests skip and the in-process ENOSPC simulations still run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline.batch.task
from pipeline.batch.job import BatchError, BatchOptions, run_batch
from pipeline.batch.store import Store
from tests.batch_corpus import ROOT, build_mixed
from tests.fixturegen import make_report
from tests.fixturegen.text_render import render_text

MAX_SIZE = 300_000
SEED = 20261123
N_KILLS = 4


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("faults")
    build_mixed(root, MAX_SIZE, dev_limit=12)
    (root / "docs" / "crossyear").mkdir()
    for year, seed in ((2022, 21), (2023, 22)):
        spec = make_report("2021", seed=seed, agency="临江市故障镇人民政府", year=year)
        (root / "docs" / "crossyear" / f"{year}.txt").write_text(render_text(spec, "tsv"), encoding="utf-8")
    return [root / "docs", root / "bundle.zip", root / "locked.zip", root / "broken.zip"]


@pytest.fixture(scope="module")
def clean(inputs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "job"
    run_batch(inputs, BatchOptions(out=out, workers=2, max_size=MAX_SIZE, progress=False))
    return out


def content(job: Path) -> dict[str, list]:
    """Every table by content: rows keyed by their document's (path, member), ids/timings/workers left out,
    duplicates kept (sorted lists, not sets), plus counts that expose orphans."""
    conn = sqlite3.connect(f"file:{job / 'nianbao.sqlite'}?mode=ro", uri=True)
    try:
        q = conn.execute
        doc = "SELECT d.path || '|' || d.member FROM documents d WHERE d.report_id = x.{}"
        out = {
            "documents": q("SELECT path, member, sha256, format, size, status, error FROM documents").fetchall(),
            "reports": q("SELECT d.path, d.member, r.sha256, r.agency, r.year, r.published, r.template, r.title, "
                         "r.n_values, r.n_filled, r.n_failed_checks, r.json FROM reports r "
                         "JOIN documents d ON d.report_id = r.id").fetchall(),
            "values": q('SELECT d.path, d.member, v.field, v.value, v.raw, v.null_reason FROM "values" v '
                        "JOIN documents d ON d.report_id = v.report_id").fetchall(),
            "checks": q("SELECT d.path, d.member, c.rule, c.ok, c.row, c.column_name, c.group_name, c.expected, "
                        "c.found, c.message FROM checks c JOIN documents d ON d.report_id = c.report_id").fetchall(),
            "issues": q("SELECT d.path, d.member, i.level, i.code, i.field, i.message FROM issues i "
                        "JOIN documents d ON d.report_id = i.report_id").fetchall(),
            "cross_year": q("SELECT x.agency_key, x.year, x.prev_year, x.column_name, x.carried_over, "
                            "x.prev_carried_forward, x.ok, x.agency, "
                            f"({doc.format('report_id')}), ({doc.format('prev_report_id')}) FROM cross_year x"
                            ).fetchall(),
            "counts": [q(f"SELECT count(*) FROM {t}").fetchone()[0]
                       for t in ("documents", "reports", '"values"', "checks", "issues", "cross_year")],
        }
        return {k: sorted(v, key=repr) if k != "counts" else v for k, v in out.items()}
    finally:
        conn.close()


def assert_consistent(job: Path) -> int:
    """Whole documents only: every report belongs to exactly one document and has all its rows. Returns
    the number of documents."""
    conn = sqlite3.connect(f"file:{job / 'nianbao.sqlite'}?mode=ro", uri=True)
    try:
        q = conn.execute
        assert q("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert q("SELECT count(*) FROM (SELECT path, member FROM documents GROUP BY 1, 2 HAVING count(*) > 1)"
                 ).fetchone()[0] == 0
        assert q("SELECT count(*) FROM reports WHERE id NOT IN (SELECT report_id FROM documents "
                 "WHERE report_id IS NOT NULL)").fetchone()[0] == 0
        assert q("SELECT count(*) FROM documents WHERE report_id IS NOT NULL AND report_id NOT IN "
                 "(SELECT id FROM reports)").fetchone()[0] == 0
        assert q("SELECT count(*) FROM (SELECT report_id FROM documents WHERE report_id IS NOT NULL "
                 "GROUP BY 1 HAVING count(*) > 1)").fetchone()[0] == 0
        for table in ('"values"', "checks", "issues"):
            assert q(f"SELECT count(*) FROM {table} WHERE report_id NOT IN (SELECT id FROM reports)").fetchone()[0] == 0
        assert q('SELECT count(*) FROM reports r WHERE n_values != (SELECT count(*) FROM "values" v '
                 "WHERE v.report_id = r.id)").fetchone()[0] == 0
        assert q("SELECT count(*) FROM reports r WHERE n_failed_checks != (SELECT count(*) FROM checks c "
                 "WHERE c.report_id = r.id AND c.ok = 0)").fetchone()[0] == 0
        return q("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        conn.close()


def _cmd(inputs: list[Path], job: Path, workers: int = 2) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "batch", *map(str, inputs), "-o", str(job),
            "--workers", str(workers), "--max-size", str(MAX_SIZE), "--no-progress"]


def _n_documents(job: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{job / 'nianbao.sqlite'}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


# ---- kill -9 at random points, several times, then resume
def test_random_kill_9s_then_resume_equal_an_uninterrupted_run(inputs, clean: Path, tmp_path: Path) -> None:
    job = tmp_path / "job"
    total = len(content(clean)["documents"])
    rng = random.Random(SEED)
    # the first kill at a random moment of start-up or walking, the others once a random number of
    # documents is in (increasing, never the last few: the job must still be running), plus a random delay
    plan: list[tuple[str, float]] = [("time", rng.uniform(0.05, 1.0))]
    plan += [("docs", t) for t in sorted(rng.sample(range(2, total - 3), N_KILLS - 1))]
    kills: list[str] = []
    for kind, when in plan:
        before = _n_documents(job)
        proc = subprocess.Popen(_cmd(inputs, job), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kind == "time":
            time.sleep(when)
            where = f"{when:.2f} s after start ({before} documents in)"
        else:
            target = min(max(int(when), before + 2), total - 3)
            deadline = time.monotonic() + 60
            while proc.poll() is None and _n_documents(job) < target and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.03))
            where = f"at {_n_documents(job)} documents"
        if proc.poll() is None:
            proc.kill()
            kills.append(where)
        proc.wait()
        if (job / "nianbao.sqlite").exists():
            assert_consistent(job)
    print(f"kill -9 x{len(kills)} of {total} documents: {kills}")
    assert len(kills) == N_KILLS, kills  # every round really interrupted the job
    rerun = subprocess.run(_cmd(inputs, job), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert assert_consistent(job) == total
    assert content(job) == content(clean)
    for name in ("reports_wide.csv", "values_long.csv", "reports.jsonl"):
        assert (job / name).read_bytes() == (clean / name).read_bytes(), name
    assert not list((job / "cache").rglob("*.tmp"))


# ---- a full disk, simulated in-process (runs everywhere)
def test_database_full_stops_with_one_line_and_resumes(inputs, clean: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    job = tmp_path / "job"
    real_insert = Store._insert_report
    calls = [0]

    def full_after_some(self, sha256, rec):
        calls[0] += 1
        if calls[0] > 7:
            raise sqlite3.OperationalError("database or disk is full")
        return real_insert(self, sha256, rec)

    monkeypatch.setattr(Store, "_insert_report", full_after_some)
    from pipeline.cli import app

    args = ["batch", *map(str, inputs), "-o", str(job), "--workers", "0", "--max-size", str(MAX_SIZE),
            "--no-progress"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    line = _one_line_error(result.output)
    assert "no space left on device" in line and str(job) in line and "resume" in line
    assert 0 < assert_consistent(job) < len(content(clean)["documents"])
    monkeypatch.setattr(Store, "_insert_report", real_insert)
    run_batch(inputs, BatchOptions(out=job, workers=0, max_size=MAX_SIZE, progress=False))
    assert content(job) == content(clean)


def test_cache_write_failure_stops_the_job_without_recording_the_document(inputs, clean: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    job = tmp_path / "job"
    real_replace = os.replace
    calls = [0]

    def enospc(src, dst, *args, **kwargs):
        if str(dst).endswith(".json") and "intermediate" in str(dst):
            calls[0] += 1
            if calls[0] > 5:
                raise OSError(errno.ENOSPC, "No space left on device", str(src))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(pipeline.batch.task.os, "replace", enospc)
    with pytest.raises(BatchError, match="No space left on device.*resume"):
        run_batch(inputs, BatchOptions(out=job, workers=0, max_size=MAX_SIZE, progress=False))
    n = assert_consistent(job)
    assert 0 < n < len(content(clean)["documents"])
    conn = sqlite3.connect(job / "nianbao.sqlite")
    assert conn.execute("SELECT count(*) FROM documents WHERE status NOT IN ('ok', 'not_a_report', 'empty', "
                        "'too_large', 'encrypted', 'corrupt')").fetchone()[0] == 0  # no document blamed
    conn.close()
    assert not list((job / "cache").rglob("*.tmp"))
    monkeypatch.setattr(pipeline.batch.task.os, "replace", real_replace)
    run_batch(inputs, BatchOptions(out=job, workers=0, max_size=MAX_SIZE, progress=False))
    assert content(job) == content(clean)


# ---- real mounts (root only): a tiny tmpfs that fills up, a read-only bind mount
def _mount(*args: str) -> None:
    proc = subprocess.run(["mount", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount ({proc.stderr.strip()})")


@contextlib.contextmanager
def _mounted(target: Path, *args: str) -> Iterator[None]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount")
    target.mkdir(parents=True, exist_ok=True)
    _mount(*args, str(target))
    try:
        yield
    finally:
        if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _job_bytes(job: Path) -> int:
    return sum(p.stat().st_size for p in job.rglob("*") if p.is_file())


@pytest.mark.parametrize("fraction", [0.15, 0.5, 0.85])
def test_full_disk_gives_one_line_keeps_the_database_and_resumes(inputs, clean: Path, tmp_path: Path,
                                                                 fraction: float) -> None:
    """The job directory on a tmpfs too small for it: the disk fills while caching, while writing the
    database, or while exporting, depending on its size."""
    disk = tmp_path / "disk"
    size_kb = max(256, int(_job_bytes(clean) * fraction) // 1024)
    with _mounted(disk, "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs"):
        job = disk / "job"
        run = subprocess.run(_cmd(inputs, job), cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert run.returncode == 1, run.stderr
        line = _one_line_error(run.stderr)
        assert "no space left on device" in line.lower() and "resume" in line, line
        n = assert_consistent(job) if (job / "nianbao.sqlite").exists() else 0
        print(f"{size_kb} kB disk: {n} documents kept; {line}")
        subprocess.run(["mount", "-o", "remount,size=256m", str(disk)], check=True)
        rerun = subprocess.run(_cmd(inputs, job), cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        assert content(job) == content(clean)
        assert not list((job / "cache").rglob("*.tmp"))


def test_read_only_output_dir_gives_one_line(inputs, clean: Path, tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    shutil.copytree(clean, ro / "done")
    before = content(ro / "done")
    with _mounted(ro, "--bind", "-o", "ro", str(ro)):
        if os.access(ro, os.W_OK) and not _is_read_only(ro):
            pytest.skip("the bind mount is not read-only")
        for job in (ro / "new", ro / "done"):  # a new job, and a finished one run again
            run = subprocess.run(_cmd(inputs, job), cwd=ROOT, capture_output=True, text=True, timeout=60)
            assert run.returncode == 1, run.stderr
            line = _one_line_error(run.stderr)
            assert "cannot write here" in line and "Read-only file system" in line and str(ro) in line, line
        status = subprocess.run([sys.executable, "-m", "pipeline.cli", "batch", "--status", str(ro / "done")],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert status.returncode == 0 and "documents by status" in status.stdout, status.stderr
        assert content(ro / "done") == before


def _is_read_only(path: Path) -> bool:
    try:
        (path / ".probe").write_bytes(b"")
    except OSError as exc:
        return exc.errno == errno.EROFS
    (path / ".probe").unlink()
    return False
