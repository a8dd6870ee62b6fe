"""`nianbao batch`: statuses, resumability after kill -9, --renormalise, exports, cross-year, dask, the pool."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.batch.crossyear import agency_key
from pipeline.batch.job import BatchOptions, run_batch
from pipeline.batch.pool import KillablePool
from pipeline.batch.writers import META_COLUMNS
from pipeline.fields import wide_fields
from tests.batch_corpus import ROOT, build_mixed
from tests.fixturegen import make_report
from tests.fixturegen.text_render import render_text

MAX_SIZE = 300_000
AGENCY = "临江市试点镇人民政府"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], dict[str, str], dict[int, dict]]:
    root = tmp_path_factory.mktemp("corpus")
    expected = build_mixed(root, MAX_SIZE)
    years = {}
    (root / "docs" / "crossyear").mkdir()
    for year, seed in ((2022, 11), (2023, 12)):
        spec = make_report("2021", seed=seed, agency=AGENCY, year=year)
        (root / "docs" / "crossyear" / f"{year}.txt").write_text(render_text(spec, "tsv"), encoding="utf-8")
        years[year] = spec.values
    inputs = [root / "docs", root / "bundle.zip", root / "locked.zip", root / "broken.zip"]
    return inputs, expected, years


def _opts(out: Path, **kw) -> BatchOptions:
    return BatchOptions(out=out, workers=kw.pop("workers", 2), max_size=MAX_SIZE, progress=False, **kw)


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted run: what every other run must equal."""
    out = tmp_path_factory.mktemp("clean")
    run_batch(corpus[0], _opts(out))
    return out


def snapshot(job: Path) -> dict[str, list]:
    """The job's documents and values (ids and timings left out), sorted; duplicates kept so they show."""
    conn = sqlite3.connect(job / "nianbao.sqlite")
    try:
        docs = conn.execute("SELECT path, member, sha256, format, size, status, error FROM documents").fetchall()
        values = conn.execute('SELECT d.path, d.member, v.field, v.value, v.raw, v.null_reason FROM documents d '
                              'JOIN "values" v ON v.report_id = d.report_id').fetchall()
        reports = conn.execute("SELECT d.path, d.member, r.json FROM documents d JOIN reports r "
                               "ON r.id = d.report_id").fetchall()
        orphans = conn.execute("SELECT count(*) FROM reports WHERE id NOT IN "
                               "(SELECT report_id FROM documents WHERE report_id IS NOT NULL)").fetchone()[0]
        return {"documents": sorted(docs, key=repr), "values": sorted(values, key=repr),
                "reports": sorted(reports), "orphan_reports": [orphans]}
    finally:
        conn.close()


def _statuses(job: Path) -> dict[str, str]:
    conn = sqlite3.connect(job / "nianbao.sqlite")
    rows = conn.execute("SELECT path, member, status FROM documents").fetchall()
    conn.close()
    return {member or Path(path).name: status for path, member, status in rows}


def test_every_input_gets_one_row_with_the_right_status(clean: Path, corpus) -> None:
    statuses = _statuses(clean)
    for name, status in corpus[1].items():
        assert statuses.get(name) == status, name
    bad = set(corpus[1]) | {"copy_of_first.txt"}
    assert {n: s for n, s in statuses.items() if n not in bad and s != "ok"} == {}
    snap = snapshot(clean)
    keys = [(d[0], d[1]) for d in snap["documents"]]
    assert len(keys) == len(set(keys)) and snap["orphan_reports"] == [0]
    conn = sqlite3.connect(clean / "nianbao.sqlite")
    errors = dict(conn.execute("SELECT member, error FROM documents WHERE member IN ('bomb.txt', 'huge.txt')"))
    assert "zip bomb" in errors["bomb.txt"] and "limit" in errors["huge.txt"]
    assert not (clean.parent / "evil.txt").exists() and not (clean.parent.parent / "evil.txt").exists()
    member = conn.execute("SELECT d.path, d.extract_ms, r.json FROM documents d JOIN reports r ON r.id = d.report_id "
                          "WHERE d.member = 'nested.zip!/b.docx'").fetchone()
    assert member[1] is not None  # extracted from the member's bytes, not found in the cache
    assert json.loads(member[2])["source"]["path"] == f"{member[0]}!/nested.zip!/b.docx"


def test_identical_files_are_extracted_once(clean: Path) -> None:
    conn = sqlite3.connect(clean / "nianbao.sqlite")
    rows = conn.execute("SELECT d.sha256, count(*), count(d.extract_ms) FROM documents d WHERE status = 'ok' "
                        "GROUP BY sha256 HAVING count(*) > 1").fetchall()
    assert rows, "the corpus holds a copy of a file"
    assert all(extracted == 1 for _, _, extracted in rows)
    n_cached = len(list((clean / "cache" / "intermediate").rglob("*.json")))
    n_distinct = conn.execute("SELECT count(DISTINCT sha256) FROM documents WHERE status IN "
                              "('ok', 'not_a_report')").fetchone()[0]
    assert n_cached == n_distinct
    assert not list((clean / "cache" / "intermediate").rglob("*.tmp")) and not (clean / "tmp").exists()


def test_exports_wide_csv_has_bom_and_the_field_order(clean: Path) -> None:
    raw = (clean / "reports_wide.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == [*META_COLUMNS, *wide_fields()]  # fields.tsv, then the legacy columns
    conn = sqlite3.connect(clean / "nianbao.sqlite")
    n_reports = conn.execute("SELECT count(*) FROM documents WHERE report_id IS NOT NULL").fetchone()[0]
    n_documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert len(rows) - 1 == n_documents  # every input, those without a report too
    assert sum(row[2] == "ok" for row in rows[1:]) == n_reports
    lines = [json.loads(line) for line in (clean / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == n_documents
    assert sum(line["schema"] == "nianbao.report/1" for line in lines) == n_reports
    assert all(line["schema"] == "nianbao.failure/1" and line["status"] != "ok" and line["reason"]
               for line in lines if line["schema"] != "nianbao.report/1")
    long = (clean / "values_long.csv").read_bytes()
    assert long.startswith(b"\xef\xbb\xbf")
    n_values = conn.execute('SELECT count(*) FROM "values"').fetchone()[0]
    assert len(long.decode("utf-8-sig").splitlines()) - 1 == n_values


def test_cross_year_mismatch_is_found(clean: Path, corpus) -> None:
    years = corpus[2]
    conn = sqlite3.connect(clean / "nianbao.sqlite")
    rows = conn.execute("SELECT column_name, carried_over, prev_carried_forward, ok FROM cross_year "
                        "WHERE agency_key = ? AND year = 2023", (agency_key(AGENCY),)).fetchall()
    assert len(rows) == 7
    for column, over, forward, ok in rows:
        assert over == years[2023][f"applications.carried_over.{column}"]
        assert forward == years[2022][f"applications.carried_forward.{column}"]
        assert ok == (over == forward)
    assert any(not ok for *_, ok in rows)
    assert agency_key(" 临江市 试点镇人民政府。") == agency_key(AGENCY)


def test_kill_9_then_resume_equals_an_uninterrupted_run(clean: Path, corpus, tmp_path: Path) -> None:
    job = tmp_path / "job"
    cmd = [sys.executable, "-m", "pipeline.cli", "batch", *map(str, corpus[0]), "-o", str(job),
           "--workers", "1", "--max-size", str(MAX_SIZE), "--no-progress"]
    total = len(snapshot(clean)["documents"])
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            conn = sqlite3.connect(f"file:{job / 'nianbao.sqlite'}?mode=ro", uri=True)
            done = conn.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
            conn.close()
        except sqlite3.Error:
            done = 0
        if done >= 8:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    interrupted = snapshot(job)["documents"]
    assert 8 <= len(interrupted) < total, "killed mid-way"
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert snapshot(job) == snapshot(clean)


def test_renormalise_rebuilds_reports_without_extracting(clean: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    job = tmp_path / "job"
    shutil.copytree(clean, job)
    conn = sqlite3.connect(job / "nianbao.sqlite")
    conn.execute('DELETE FROM "values" WHERE report_id = (SELECT min(report_id) FROM documents)')
    conn.commit()
    conn.close()
    assert snapshot(job) != snapshot(clean)

    def no_extraction(*args, **kwargs):
        raise AssertionError("--renormalise must not extract")

    monkeypatch.setattr("extractors.extract", no_extraction)
    run_batch([], _opts(job, workers=0), renormalise=True)
    assert snapshot(job) == snapshot(clean)
    assert (job / "reports_wide.csv").read_bytes() == (clean / "reports_wide.csv").read_bytes()


@pytest.mark.parametrize("written_by", ["current", "older", "unversioned"])
def test_a_cache_written_by_other_extractors_is_not_used(tmp_path: Path, written_by: str) -> None:
    """A job resumed after an upgrade: what older extractors cached (under another version, or in the
    layout from before versions) is extracted again; what these extractors cached is used (the control)."""
    import hashlib

    from extractors import extract, extractors_version
    from pipeline.batch.task import cache_path
    from tests.batch_corpus import NOT_A_REPORT

    report = tmp_path / "in" / "report.txt"
    report.parent.mkdir()
    report.write_text(render_text(make_report("2021", seed=7, agency=AGENCY), "tsv"), encoding="utf-8")
    notice = tmp_path / "notice.txt"
    notice.write_bytes(NOT_A_REPORT)
    stale = extract(notice).to_json(indent=None)  # what the cache holds: not this report at all
    sha = hashlib.sha256(report.read_bytes()).hexdigest()
    job, cache = tmp_path / "job", tmp_path / "job" / "cache" / "intermediate"
    target = {"current": cache_path(cache, sha), "older": cache_path(cache, sha, "text-0.9"),
              "unversioned": cache / sha[:2] / f"{sha}.json"}[written_by]
    assert extractors_version() in str(cache_path(cache, sha))
    target.parent.mkdir(parents=True)
    target.write_text(stale, encoding="utf-8")
    run_batch([report.parent], _opts(job, workers=0))
    conn = sqlite3.connect(job / "nianbao.sqlite")
    status, extract_ms = conn.execute("SELECT status, extract_ms FROM documents").fetchone()
    conn.close()
    if written_by == "current":
        assert (status, extract_ms) == ("not_a_report", None)
    else:
        assert status == "ok" and extract_ms is not None
        assert cache_path(cache, sha).is_file() and target.read_text(encoding="utf-8") == stale


def test_a_cache_written_with_other_extraction_options_is_not_used(tmp_path: Path) -> None:
    """The same bytes extracted with another --parser (or engine, or PDF tolerance) are another extraction:
    a job run with other options extracts again instead of reusing what the defaults cached."""
    import hashlib

    from extractors import extract
    from pipeline.batch.task import cache_path
    from pipeline.settings import ExtractOptions
    from tests.batch_corpus import NOT_A_REPORT

    report = tmp_path / "in" / "report.txt"
    report.parent.mkdir()
    report.write_text(render_text(make_report("2021", seed=8, agency=AGENCY), "tsv"), encoding="utf-8")
    notice = tmp_path / "notice.txt"
    notice.write_bytes(NOT_A_REPORT)
    sha = hashlib.sha256(report.read_bytes()).hexdigest()
    job, cache = tmp_path / "job", tmp_path / "job" / "cache" / "intermediate"
    defaults = cache_path(cache, sha)
    defaults.parent.mkdir(parents=True)
    defaults.write_text(extract(notice).to_json(indent=None), encoding="utf-8")  # not this report at all
    other = ExtractOptions(pdf_parser="pdfminer")
    assert cache_path(cache, sha, options=other.to_dict()) != defaults
    run_batch([report.parent], _opts(job, workers=0, extract=other))
    conn = sqlite3.connect(job / "nianbao.sqlite")
    status, extract_ms = conn.execute("SELECT status, extract_ms FROM documents").fetchone()
    conn.close()
    assert status == "ok" and extract_ms is not None


def test_the_extractors_version_is_known_without_importing_them() -> None:
    """The batch keys its cache by every extractor's VERSION at start, before any document: reading them
    must not import the extractors (pdfplumber, lxml, pydantic), yet must say what importing them says."""
    import importlib

    from extractors import EXTRACTORS

    probe = ("import sys, extractors; print(extractors.extractors_version()); "
             "print(sorted(m for m in sys.modules if m.startswith(('extractors.', 'pdfplumber', 'pdfminer', "
             "'lxml', 'pydantic', 'pypdfium2'))))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    version, imported = run.stdout.splitlines()
    assert imported == "[]", imported
    modules = sorted(set(EXTRACTORS.values()))
    assert version == "+".join(f"{m.split('.')[-1]}-{importlib.import_module(m).VERSION}" for m in modules)


def test_status_command_summarises_a_job(clean: Path) -> None:
    from pipeline.cli import app

    result = CliRunner().invoke(app, ["batch", "--status", str(clean)])
    assert result.exit_code == 0, result.output
    for word in ("too_large", "not_a_report", "encrypted", "failed checks", "slowest", "cross-year", "试点镇"):
        assert word in result.output


def test_dask_run_equals_the_local_run(clean: Path, corpus, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        run_batch(corpus[0], _opts(tmp_path / "dask", executor="dask", scheduler=client))
    assert snapshot(tmp_path / "dask") == snapshot(clean)


# ---- the pool: a hung task is killed and its worker replaced; a dying worker is replaced too
def _misbehave(task: dict) -> dict:
    if task["do"] == "hang":
        time.sleep(60)
    if task["do"] == "die":
        os._exit(3)
    return {"status": "ok", "pid": os.getpid()}


def test_pool_kills_hung_tasks_and_replaces_dead_workers() -> None:
    pool = KillablePool(_misbehave, workers=2, timeout=1.0, depth=1)
    try:
        t0 = time.monotonic()
        pool.submit("hang", {"do": "hang"})
        pool.submit("die", {"do": "die"})
        results: dict = {}
        while len(results) < 2:
            results.update(pool.poll(0.2))
        assert results["hang"]["status"] == "timeout" and results["die"]["status"] == "error"
        assert "exit code 3" in results["die"]["error"]
        assert time.monotonic() - t0 < 10
        for i in range(2):
            pool.submit(i, {"do": "work"})
        while len(results) < 4:
            results.update(pool.poll(0.2))
        assert results[0]["status"] == results[1]["status"] == "ok"
    finally:
        pool.close()


def test_pool_tasks_queued_behind_a_hung_or_dying_task_are_not_lost() -> None:
    pool = KillablePool(_misbehave, workers=1, timeout=1.0, depth=2)
    try:
        results: dict = {}
        for first in ("hang", "die"):
            pool.submit(first, {"do": first})
            pool.submit(f"after-{first}", {"do": "work"})  # sent to the same worker, behind it (unless it died)
            deadline = time.monotonic() + 15
            while f"after-{first}" not in results and time.monotonic() < deadline:
                results.update(pool.poll(0.2))
        assert results["hang"]["status"] == "timeout" and results["die"]["status"] == "error"
        assert "exit code 3" in results["die"]["error"]
        assert results["after-hang"]["status"] == results["after-die"]["status"] == "ok"
        assert pool.inflight() == 0
    finally:
        pool.close()


def test_a_rerun_that_changes_nothing_keeps_the_exports(clean: Path, corpus, tmp_path: Path) -> None:
    job = tmp_path / "job"
    shutil.copytree(clean, job)
    stamps = {p.name: p.stat().st_mtime_ns for p in job.glob("*.csv")}
    counts: dict[str, int] = {}
    run_batch(corpus[0], _opts(job, workers=0), counts=counts)
    assert counts == {"recorded": 0, "skipped": len(snapshot(clean)["documents"]), "dropped": 0}
    assert {p.name: p.stat().st_mtime_ns for p in job.glob("*.csv")} == stamps
    extra = tmp_path / "extra.txt"
    extra.write_bytes(next(corpus[0][0].rglob("*.txt")).read_bytes() + b"\n\n")
    run_batch([*corpus[0], extra], _opts(job, workers=0))
    lines = (job / "reports_wide.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == len((clean / "reports_wide.csv").read_text(encoding="utf-8-sig").splitlines()) + 1


def test_a_new_line_in_an_export_data_file_remakes_the_exports(clean: Path, corpus, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A series or a field is one line in a TSV: after such an edit a re-run that converts nothing still
    remakes the exports (the panel would otherwise keep its old columns), and a re-run after that is instant."""
    from pipeline.batch import writers

    job = tmp_path / "job"
    shutil.copytree(clean, job)
    run_batch(corpus[0], _opts(job, workers=0))
    stamps = {p.name: p.stat().st_mtime_ns for p in job.glob("*.csv")}
    monkeypatch.setattr(writers, "export_data_digest", lambda: "a-new-series-line")
    run_batch(corpus[0], _opts(job, workers=0))
    remade = {p.name: p.stat().st_mtime_ns for p in job.glob("*.csv")}
    assert all(remade[name] > stamp for name, stamp in stamps.items())
    run_batch(corpus[0], _opts(job, workers=0))
    assert {p.name: p.stat().st_mtime_ns for p in job.glob("*.csv")} == remade
