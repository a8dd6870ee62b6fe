"""A body's pre-2019 years in one job: 历年累计 continuity (table legacy_continuity, its CSV, view, sheet and audit
warning) and leaves whose two cells ran together (`glued`) settled by the body's other years."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import sqlite3
from pathlib import Path

import pytest

from pipeline import convert
from pipeline.batch.job import BatchOptions, Job, run_batch
from pipeline.batch.legacy_years import CONFLICT, CUT
from pipeline.batch.task import legacy_checks, report_record
from pipeline.batch.writers import CONTINUITY_COLUMNS
from pipeline.legacy_fields import glued_cuts, legacy_fields
from pipeline.report import Report
from pipeline.report import legacy_leaves as leaves
from tests.fixturegen.pre2019 import LAYOUTS, make_legacy, render_html

FIELDS = [f for _, _, f in LAYOUTS["L4"]["rows"] if f]
Pair = tuple[int | None, int | None]


def series(seed: int, years: list[int]) -> dict[int, dict[str, Pair]]:
    """year -> field -> (this period, cumulative) of one body, the cumulative running on from year to year,
    every number of a year's table distinct and non-zero."""
    rng = random.Random(seed)
    while True:
        cumulative = dict(zip(FIELDS, rng.sample(range(10_000, 60_000), len(FIELDS)), strict=True))
        out: dict[int, dict[str, Pair]] = {}
        for year in years:
            this = dict(zip(FIELDS, rng.sample(range(11, 999), len(FIELDS)), strict=True))
            cumulative = {f: cumulative[f] + this[f] for f in FIELDS}
            out[year] = {f: (this[f], cumulative[f]) for f in FIELDS}
        if all(len({n for pair in table.values() for n in pair}) == 2 * len(FIELDS) for table in out.values()):
            return out
        seed += 1


def page(agency: str, year: int, values: dict[str, Pair]) -> bytes:
    """A GBK portal page of an L4 table (年度 | 历年累计) holding these values (None: a blank cell)."""
    spec = make_legacy("L4", seed=year, agency=agency, year=year)
    by_label = {label: field_id for label, _, field_id in LAYOUTS["L4"]["rows"]}
    for row in spec.rows[1:]:
        field_id = by_label[row[0]]
        if field_id in values:
            row[2:] = ["" if v is None else str(v) for v in values[field_id]]
    return render_html(spec)


def report_of(tmp: Path, agency: str, year: int, values: dict[str, Pair], glued: tuple[str, ...] = ()) -> Report:
    """The page converted, then (until the crawler-text reader is at hand) each `glued` field made as that
    reader leaves a row whose cut is not unique: its digits kept, both values null, an issue."""
    path = tmp / f"{agency}{year}.html"
    path.write_bytes(page(agency, year, values))
    data = json.loads(convert(path).to_json())
    for field_id in glued:
        leaf = leaf_of(data, field_id)
        leaf["glued"] = f"{leaf['this_period']}{leaf['cumulative']}"
        leaf["this_period"] = leaf["cumulative"] = None
        for column in ("this_period", "cumulative"):
            data["provenance"].pop(f"{field_id}.{column}")
        data["issues"].append({"level": "warning", "code": "legacy.glued", "field": field_id,
                               "message": f"{field_id}: {leaf['glued']} has several cuts"})
    if glued:  # the checks as the reader makes them, without the glued values
        data["checks"], warning = legacy_checks(dict(leaves(data["legacy"])))
        data["issues"] = [i for i in data["issues"] if i["code"] != "checks_failed"] + warning
    return Report.model_validate(data)


def leaf_of(report: dict, field_id: str) -> dict:
    node = report["legacy"]
    for part in field_id.split(".")[1:]:
        node = node[part]
    return node


def record_and_finish(out: Path, reports: dict[str, Report]) -> Path:
    """A job holding these reports (as `nianbao batch` records a converted document), finished."""
    job = Job(BatchOptions(out=out, workers=0, progress=False))
    try:
        job.store.begin_run(["/in"])
        for name, report in reports.items():
            path, sha = f"/in/{name}.html", hashlib.sha256(report.to_json().encode()).hexdigest()
            if job.store.unchanged_content(path, "", sha, None):  # as `nianbao batch` skips it
                continue
            job.store.record({"path": path, "member": "", "size": 1, "stat": None, "sha256": sha},
                             {"status": "ok", "format": "html", "report": report_record(report)})
        job.store.drop_unreached()
        job.finish()
    finally:
        job.close()
    return out / "nianbao.sqlite"


def stored(db: Path, name: str) -> dict:
    conn = sqlite3.connect(db)
    (text,) = conn.execute("SELECT r.json FROM reports r JOIN documents d ON d.report_id = r.id WHERE d.path = ?",
                           (f"/in/{name}.html",)).fetchone()
    return json.loads(text)


def rows_of(db: Path, name: str, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    return conn.execute(sql.format(report="(SELECT report_id FROM documents WHERE path = ?)"),
                        (f"/in/{name}.html",)).fetchall()


TOTAL = "legacy.active.total"
DIGITS = "346085376"  # 3 | 46085376, 34 | 6085376 or 3460 | 85376: only another year can tell


def glued_values(rest: dict[str, Pair], this_period: int, cumulative: int) -> dict[str, Pair]:
    return {**rest, TOTAL: (this_period, cumulative)}


@pytest.fixture(scope="module")
def settled(tmp_path_factory) -> Path:
    """Five bodies of 平潭县:
    交通局 2014–2016: 2015's 主动公开 glued (3460 | 85376), settled by 2014's cumulative 81916; 2016's this period
      is blank, so 2014 alone decides;
    教育局 2014–2015: 2014 glued, no 2013, settled by 2015 (85976 − 600 = 85376);
    财政局 2014–2016: 2015 and 2016 glued, 2015 settled by 2014 (82916 + 2460 = 85376), then, in the next
      round, 2016 by 2015 (785383: 7 | 85383, not 78 | 5383);
    民政局 2014–2015: 2015 glued, 2014's cumulative 90000 fits no cut: a conflict, left null;
    卫生局 2015 alone, glued: stays glued."""
    tmp = tmp_path_factory.mktemp("settled")
    base = series(7, [2014, 2015, 2016])
    reports = {
        "jt2014": report_of(tmp, "平潭县交通局", 2014, glued_values(base[2014], 916, 81916)),
        "jt2015": report_of(tmp, "平潭县交通局", 2015, glued_values(base[2015], 3460, 85376), glued=(TOTAL,)),
        "jt2016": report_of(tmp, "平潭县交通局", 2016, glued_values(base[2016], None, 85999)),  # type: ignore[arg-type]
        "jy2014": report_of(tmp, "平潭县教育局", 2014, glued_values(base[2014], 3460, 85376), glued=(TOTAL,)),
        "jy2015": report_of(tmp, "平潭县教育局", 2015, glued_values(base[2015], 600, 85976)),
        "cz2014": report_of(tmp, "平潭县财政局", 2014, glued_values(base[2014], 2376, 82916)),
        "cz2015": report_of(tmp, "平潭县财政局", 2015, glued_values(base[2015], 2460, 85376), glued=(TOTAL,)),
        "cz2016": report_of(tmp, "平潭县财政局", 2016, glued_values(base[2016], 7, 85383), glued=(TOTAL,)),
        "mz2014": report_of(tmp, "平潭县民政局", 2014, glued_values(base[2014], 1234, 90000)),
        "mz2015": report_of(tmp, "平潭县民政局", 2015, glued_values(base[2015], 3460, 85376), glued=(TOTAL,)),
        "ws2015": report_of(tmp, "平潭县卫生局", 2015, glued_values(base[2015], 3460, 85376), glued=(TOTAL,)),
    }
    return record_and_finish(tmp / "job", reports)


def test_glued_cuts_of_the_fixtures_are_ambiguous_on_their_own() -> None:
    assert glued_cuts(DIGITS) == [(3, 46085376), (34, 6085376), (3460, 85376)]
    assert glued_cuts("246085376") == [(2, 46085376), (24, 6085376), (2460, 85376)]
    assert glued_cuts("785383") == [(7, 85383), (78, 5383)]


def test_the_year_before_settles_a_glued_leaf(settled: Path) -> None:
    report = stored(settled, "jt2015")
    assert leaf_of(report, TOTAL) == {"this_period": 3460, "cumulative": 85376, "unit": "条"}
    own = [i for i in report["issues"] if i["code"] in (CUT, CONFLICT)]
    assert own == [{"level": "info", "code": CUT, "field": TOTAL,
                    "message": "346085376 cut as 3460 | 85376 by the body's other years: "
                               "the 2014 report's cumulative 81916 + 3460 = 85376"}]
    values = rows_of(settled, "jt2015", 'SELECT field, value, null_reason FROM "values" WHERE report_id = {report} '
                                        "AND field LIKE 'legacy.active.total.%'")
    assert values == [(f"{TOTAL}.this_period", 3460, None), (f"{TOTAL}.cumulative", 85376, None)]
    issues = rows_of(settled, "jt2015", "SELECT level, code, field, message FROM issues WHERE report_id = {report} "
                                        f"AND code = '{CUT}'")
    assert issues == [("info", CUT, TOTAL, own[0]["message"])]
    (n_filled,) = rows_of(settled, "jt2015", "SELECT n_filled FROM reports WHERE id = {report}")[0]
    assert n_filled == 2 * len(FIELDS)


def test_the_year_after_settles_a_glued_leaf(settled: Path) -> None:
    report = stored(settled, "jy2014")
    assert leaf_of(report, TOTAL) == {"this_period": 3460, "cumulative": 85376, "unit": "条"}
    assert [i["message"] for i in report["issues"] if i["code"] == CUT] == [
        "346085376 cut as 3460 | 85376 by the body's other years: "
        "the 2015 report's cumulative 85976 − its this period 600 = 85376"]


def test_a_settled_year_settles_the_next_one(settled: Path) -> None:
    first, second = stored(settled, "cz2015"), stored(settled, "cz2016")
    assert leaf_of(first, TOTAL) == {"this_period": 2460, "cumulative": 85376, "unit": "条"}
    assert leaf_of(second, TOTAL) == {"this_period": 7, "cumulative": 85383, "unit": "条"}
    assert [i["message"] for i in second["issues"] if i["code"] == CUT] == [
        "785383 cut as 7 | 85383 by the body's other years: the 2015 report's cumulative 85376 + 7 = 85383"]


def test_no_fitting_cut_is_a_conflict_left_null(settled: Path) -> None:
    report = stored(settled, "mz2015")
    assert leaf_of(report, TOTAL) == {"this_period": None, "cumulative": None, "unit": "条", "glued": DIGITS}
    assert [(i["level"], i["field"], i["message"]) for i in report["issues"] if i["code"] == CONFLICT] == [
        ("warning", TOTAL, "no cut of 346085376 (3 | 46085376, 34 | 6085376, 3460 | 85376) agrees with the 2014 "
                           "report's cumulative 90000; left null")]
    assert not [i for i in report["issues"] if i["code"] == CUT]
    values = rows_of(settled, "mz2015", 'SELECT value FROM "values" WHERE report_id = {report} '
                                        "AND field LIKE 'legacy.active.total.%'")
    assert values == [(None,), (None,)]
    assert rows_of(settled, "mz2015", "SELECT level FROM issues WHERE report_id = {report} "
                                      f"AND code = '{CONFLICT}'") == [("warning",)]


def test_a_leaf_no_other_year_decides_stays_glued(settled: Path) -> None:
    report = stored(settled, "ws2015")
    assert leaf_of(report, TOTAL) == {"this_period": None, "cumulative": None, "unit": "条", "glued": DIGITS}
    assert not [i for i in report["issues"] if i["code"] in (CUT, CONFLICT)]


def test_the_exports_agree_with_the_settled_values(settled: Path) -> None:
    job = settled.parent
    lines = [json.loads(line) for line in (job / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    by_path = {line["source"]["path"]: line for line in lines}
    assert all(leaf_of(r, TOTAL)["this_period"] is not None for p, r in by_path.items()
               if p.endswith(("jt2015.html", "jy2014.html", "cz2015.html", "cz2016.html")))
    long = list(csv.DictReader((job / "values_long.csv").read_text(encoding="utf-8-sig").splitlines()))
    jt = {r["field"]: r["value"] for r in long if r["path"] == "/in/jt2015.html"}
    assert (jt[f"{TOTAL}.this_period"], jt[f"{TOTAL}.cumulative"]) == ("3460", "85376")
    wide = list(csv.DictReader((job / "reports_wide.csv").read_text(encoding="utf-8-sig").splitlines()))
    cz = next(r for r in wide if r["path"] == "/in/cz2016.html")
    assert (cz[f"{TOTAL}.this_period"], cz[f"{TOTAL}.cumulative"]) == ("7", "85383")


def test_continuity_rows_use_the_settled_values(settled: Path) -> None:
    conn = sqlite3.connect(settled)
    rows = conn.execute("SELECT body_id, year, prev_year, prev_cumulative, this_period, cumulative, ok "
                        "FROM legacy_continuity WHERE field = ? ORDER BY body_id, year", (TOTAL,)).fetchall()
    assert rows == [("350128:交通局", 2015, 2014, 81916, 3460, 85376, 1),
                    ("350128:教育局", 2015, 2014, 85376, 600, 85976, 1),
                    ("350128:财政局", 2015, 2014, 82916, 2460, 85376, 1),
                    ("350128:财政局", 2016, 2015, 85376, 7, 85383, 1)]


def test_finishing_again_gives_the_same_database(settled: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "job"
    shutil.copytree(settled.parent, copy)
    (copy / ".exported").unlink()  # finish does everything again
    job = Job(BatchOptions(out=copy, workers=0, progress=False))
    try:
        job.finish()
    finally:
        job.close()
    assert dump(copy / "nianbao.sqlite") == dump(settled)


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    return [line for line in conn.iterdump() if "INSERT INTO \"runs\"" not in line]


def test_a_report_converted_again_is_settled_again_and_its_neighbour_follows(settled: Path, tmp_path: Path) -> None:
    """jt2014 converted again with another cumulative: jt2015's old cut is taken back and a new one made,
    as a fresh job given the same inputs would."""
    tmp = tmp_path / "in"
    tmp.mkdir()
    base = series(7, [2014, 2015, 2016])
    reports = {
        "jt2014": report_of(tmp, "平潭县交通局", 2014, glued_values(base[2014], 918, 6085342)),
        "jt2015": report_of(tmp, "平潭县交通局", 2015, glued_values(base[2015], 3460, 85376), glued=(TOTAL,)),
        "jt2016": report_of(tmp, "平潭县交通局", 2016, glued_values(base[2016], None, 85999)),  # type: ignore[arg-type]
    }
    first = record_and_finish(tmp_path / "job", reports)
    assert leaf_of(stored(first, "jt2015"), TOTAL)["this_period"] == 34  # 6085342 + 34 = 6085376
    reports["jt2014"] = report_of(tmp, "平潭县交通局", 2014, glued_values(base[2014], 916, 81916))
    again = record_and_finish(tmp_path / "job", reports)
    report = stored(again, "jt2015")
    assert leaf_of(report, TOTAL) == {"this_period": 3460, "cumulative": 85376, "unit": "条"}
    assert [i["message"] for i in report["issues"] if i["code"] in (CUT, CONFLICT)] == [
        "346085376 cut as 3460 | 85376 by the body's other years: the 2014 report's cumulative 81916 + 3460 = 85376"]
    fresh = record_and_finish(tmp_path / "fresh", reports)
    assert stored(fresh, "jt2015") == report


# ---- continuity from pages converted by `nianbao batch`
@pytest.fixture(scope="module")
def continuity_job(tmp_path_factory) -> Path:
    """平潭县交通局 2014–2016 as portal pages; 2016's 行政复议数 cumulative is 5 too high."""
    root = tmp_path_factory.mktemp("continuity")
    (root / "in").mkdir()
    values = series(3, [2014, 2015, 2016])
    this, cumulative = values[2016]["legacy.review.count"]
    values[2016]["legacy.review.count"] = (this, cumulative + 5)  # type: ignore[operator]
    for year, table in values.items():
        (root / "in" / f"jt{year}.html").write_bytes(page("平潭县交通局", year, table))
    run_batch([root / "in"], BatchOptions(out=root / "job", workers=0, progress=False))
    return root / "job"


def test_continuity_rows_are_exact(continuity_job: Path) -> None:
    values = series(3, [2014, 2015, 2016])
    conn = sqlite3.connect(continuity_job / "nianbao.sqlite")
    rows = conn.execute("SELECT body_id, body_name, year, prev_year, field, prev_cumulative, this_period, cumulative, "
                        "ok FROM legacy_continuity ORDER BY year, rowid").fetchall()
    expected = []
    in_file_order = [f for f in legacy_fields() if f in FIELDS]  # legacy-fields.tsv's order, as the wide columns
    for year in (2015, 2016):
        for field_id in in_file_order:
            this, cumulative = values[year][field_id]
            ok = 1
            if year == 2016 and field_id == "legacy.review.count":
                cumulative, ok = cumulative + 5, 0  # type: ignore[operator]
            expected.append(("350128:交通局", "平潭县交通局", year, year - 1, field_id,
                             values[year - 1][field_id][1], this, cumulative, ok))
    assert rows == expected
    view = conn.execute("SELECT year, prev_year, n_checked, n_failed FROM legacy_continuity_years ORDER BY year")
    assert view.fetchall() == [(2015, 2014, len(FIELDS), 0), (2016, 2015, len(FIELDS), 1)]


def test_a_continuity_break_is_an_audit_warning(continuity_job: Path) -> None:
    values = series(3, [2014, 2015, 2016])
    prev, (this, cumulative) = values[2015]["legacy.review.count"][1], values[2016]["legacy.review.count"]
    audit = list(csv.DictReader((continuity_job / "audit.csv").read_text(encoding="utf-8-sig").splitlines()))
    found = [r for r in audit if r["code"] == "legacy_continuity_mismatch"]
    assert [(r["path"].rsplit("/", 1)[1], r["year"], r["severity"], r["field"]) for r in found] == [
        ("jt2016.html", "2016", "warning", "legacy.review.count.cumulative")]
    assert found[0]["detail"] == (f"历年累计 {cumulative + 5}, but the 2015 report's 历年累计 {prev} + this year's "  # type: ignore[operator]
                                  f"{this} = {cumulative} ({(continuity_job.parent / 'in' / 'jt2015.html').resolve()})")
    conn = sqlite3.connect(continuity_job / "nianbao.sqlite")
    assert conn.execute("SELECT body_id, year, severity FROM findings WHERE code = 'legacy_continuity_mismatch'"
                        ).fetchall() == [("350128:交通局", 2016, "warning")]


def test_the_csv_and_the_sheet_carry_the_rows(continuity_job: Path) -> None:
    from openpyxl import load_workbook

    from pipeline.batch.workbook import FAIL_FILL

    conn = sqlite3.connect(continuity_job / "nianbao.sqlite")
    db_rows = conn.execute(f"SELECT {', '.join(CONTINUITY_COLUMNS)} FROM legacy_continuity ORDER BY year, rowid"
                           ).fetchall()
    lines = list(csv.reader((continuity_job / "legacy_continuity.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0] == list(CONTINUITY_COLUMNS)
    assert lines[1:] == [["" if v is None else str(int(v) if isinstance(v, float) else v) for v in row]
                         for row in db_rows]
    ws = load_workbook(continuity_job / "nianbao.xlsx")["历年累计"]
    sheet = [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    ids = [c.value for c in ws[2]]
    assert len(sheet) == len(db_rows) == 2 * len(FIELDS)
    for n, (row, db_row) in enumerate(zip(sheet, db_rows, strict=True), start=3):
        assert [row[ids.index(c)] for c in CONTINUITY_COLUMNS] == list(db_row)
        assert ws.cell(n, 1).fill.fgColor.rgb.endswith(FAIL_FILL) == (not row[ids.index("ok")])
    failed = [r for r in sheet if not r[ids.index("ok")]]
    assert [(r[ids.index("field")], r[ids.index("label")]) for r in failed] == [("legacy.review.count", "行政复议数")]


# ---- end to end from crawler text: the legacy reader leaves a pair glued, the batch cuts it
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "txt"


@pytest.fixture(scope="module")
def zone_job(tmp_path_factory) -> Path:
    """平潭综合实验区's real pages of 2014 (spaced), 2015 and 2016 (glued: 主动公开 `294981916`, `346085376`)."""
    out = tmp_path_factory.mktemp("zone") / "job"
    run_batch([SAMPLES / f"real_pingtan_{year}_zone_page.txt" for year in (2014, 2015, 2016)],
              BatchOptions(out=out, workers=0, progress=False))
    return out


def _zone(job: Path) -> dict[int, dict]:
    conn = sqlite3.connect(job / "nianbao.sqlite")
    return {year: json.loads(text) for year, text in conn.execute("SELECT year, json FROM reports")}


def test_real_glued_pages_are_cut_by_the_years_before_them(zone_job: Path) -> None:
    """2015's 294981916 is 2949 | 81916 by 2014's cumulative 78967; then 2016's 346085376 is 3460 | 85376 by
    2015's, as the printed tables say."""
    reports = _zone(zone_job)
    for year, (this, cumulative), before in ((2015, (2949, 81916), 78967), (2016, (3460, 85376), 81916)):
        digits = f"{this}{cumulative}"
        for field_id in ("legacy.active.total", "legacy.active.website"):
            assert leaf_of(reports[year], field_id) == {"this_period": this, "cumulative": cumulative, "unit": "条"}
            assert [i["message"] for i in reports[year]["issues"] if i["code"] == CUT and i["field"] == field_id] == [
                f"{digits} cut as {this} | {cumulative} by the body's other years: the {year - 1} report's "
                f"cumulative {before} + {this} = {cumulative}"]
        assert not [i for i in reports[year]["issues"] if i["code"] == CONFLICT]
    wide = list(csv.DictReader((zone_job / "reports_wide.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert sorted((r["year"], r["legacy.active.total.this_period"], r["legacy.active.total.cumulative"]) for r in wide) \
        == [("2014", "2543", "78967"), ("2015", "2949", "81916"), ("2016", "3460", "85376")]


def test_a_cut_makes_the_parts_checks_it_completes(zone_job: Path) -> None:
    """主动公开 (2949 | 81916 in 2015) is 网站 (the same) + 政府公报 (0 | 0): two legacy.parts checks the glued text
    could not make, in the report and in the checks table alike."""
    report = _zone(zone_job)[2015]
    active = [(c["column"], c["expected"], c["found"], c["ok"]) for c in report["checks"]
              if c["row"] == "legacy.active.total"]
    assert active == [("this_period", 2949, 2949, True), ("cumulative", 81916, 81916, True)]
    conn = sqlite3.connect(zone_job / "nianbao.sqlite")
    rows = conn.execute("SELECT c.column_name, c.expected, c.found, c.ok FROM checks c JOIN reports r "
                        "ON r.id = c.report_id WHERE r.year = 2015 AND c.row = 'legacy.active.total'").fetchall()
    assert rows == [("this_period", 2949, 2949, 1), ("cumulative", 81916, 81916, 1)]
    assert conn.execute("SELECT count(*) FROM checks c JOIN reports r ON r.id = c.report_id WHERE r.year = 2015"
                        ).fetchone()[0] == len(report["checks"])


def test_real_pages_whose_cumulative_falls_back_fail_continuity(zone_job: Path) -> None:
    """The 2016 table prints 0 cumulative applications where 2015's printed 1: those rows fail, nothing changes."""
    conn = sqlite3.connect(zone_job / "nianbao.sqlite")
    rows = conn.execute("SELECT year, field, prev_cumulative, this_period, cumulative FROM legacy_continuity "
                        "WHERE ok = 0 ORDER BY year, rowid").fetchall()
    assert rows == [(2016, f, 1, 0, 0) for f in ("legacy.applications.received", "legacy.applications.letter_or_fax",
                                                 "legacy.replies.total", "legacy.replies.granted")]
    counts = conn.execute("SELECT year, count(*), sum(ok) FROM legacy_continuity GROUP BY year").fetchall()
    assert counts == [(2015, 16, 16), (2016, 16, 12)]
    assert conn.execute("SELECT year, field FROM findings WHERE code = 'legacy_continuity_mismatch' ORDER BY rowid"
                        ).fetchall() == [(2016, f"{f}.cumulative") for _, f, *_ in rows]
    assert leaf_of(_zone(zone_job)[2016], "legacy.applications.received") == {
        "this_period": 0, "cumulative": 0, "unit": "条"}


def test_generated_glued_text_is_cut_in_a_chain(tmp_path: Path) -> None:
    """2015 as a portal page, 2016 and 2017 as crawler text with every pair glued and several cuts each:
    2016 is cut by 2015, then 2017 by 2016; every value exact."""
    from tests.fixturegen.pre2019 import LegacySpec
    from tests.fixturegen.pre2019_text import page_txt

    values = series(5, [2015, 2016, 2017])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "jt2015.html").write_bytes(page("平潭县交通局", 2015, values[2015]))
    for year in (2016, 2017):
        spec = LegacySpec("L4", "平潭县交通局", year, year)
        spec.rows.append(["指标名称", "计量单位", f"{year}年度", "历年累计"])
        spec.rows += [[label, unit, *map(str, values[year][f])] for label, unit, f in LAYOUTS["L4"]["rows"] if f]
        (tmp_path / "in" / f"jt{year}.txt").write_text(page_txt(spec, "glued"), encoding="utf-8")
    run_batch([tmp_path / "in"], BatchOptions(out=tmp_path / "job", workers=0, progress=False))
    reports = _zone(tmp_path / "job")
    for year in (2016, 2017):
        several = [f for f in FIELDS if len(glued_cuts("".join(map(str, values[year][f])))) > 1]
        assert len(several) > 10
        assert {f: (leaf_of(reports[year], f)["this_period"], leaf_of(reports[year], f)["cumulative"])
                for f in FIELDS} == values[year]
        assert sorted(i["field"] for i in reports[year]["issues"] if i["code"] == CUT) == sorted(several)
        assert not [i for i in reports[year]["issues"] if i["code"] == CONFLICT]
    conn = sqlite3.connect(tmp_path / "job" / "nianbao.sqlite")
    assert conn.execute("SELECT count(*), sum(ok) FROM legacy_continuity").fetchone() == (2 * len(FIELDS),) * 2


def test_renormalised_reports_are_settled_again(zone_job: Path, tmp_path: Path) -> None:
    """`nianbao batch --renormalise` makes every report again from the cache, glued as the text reads: the
    finish cuts them again, to the same database content."""
    import shutil

    copy = tmp_path / "job"
    shutil.copytree(zone_job, copy)
    run_batch([SAMPLES / f"real_pingtan_{year}_zone_page.txt" for year in (2014, 2015, 2016)],
              BatchOptions(out=copy, workers=0, progress=False), renormalise=True)
    assert _zone(copy) == _zone(zone_job)
    query = ("SELECT r.year, v.field, v.value, v.raw, v.null_reason FROM \"values\" v JOIN reports r "
             "ON r.id = v.report_id ORDER BY r.year, v.rowid")
    assert sqlite3.connect(copy / "nianbao.sqlite").execute(query).fetchall() == \
        sqlite3.connect(zone_job / "nianbao.sqlite").execute(query).fetchall()
    for table in ("legacy_continuity", "legacy_settled"):
        count = f"SELECT count(*) FROM {table}"
        assert sqlite3.connect(copy / "nianbao.sqlite").execute(count).fetchone() == \
            sqlite3.connect(zone_job / "nianbao.sqlite").execute(count).fetchone()


# ---- the zone's whole column on the Pingtan portal, 2011–2025, as the crawler saved it
ZONE_COLUMN = Path(__file__).resolve().parent / "data" / "pingtan_zone"


def test_the_real_zone_column_is_cut_where_its_years_agree_and_left_null_where_they_do_not(tmp_path: Path) -> None:
    """19 real pages and 2 saved tables (16 legacy reports, all of body 350128:人民政府 but the 地方税务局's and the
    two bare tables'), 18 glued pairs. Cut: 2011 by
    2012 (425 | 1516: the 2011 prose says 主动公开政府信息425条), 2012 by 2011 and 2013 (2026 | 3542: its prose says
    2026条), 2015 and 2016 in a chain. Conflicts, left null: 2013 (2012's cumulative says 1853 | 5395, 2014's
    table restarts its cumulative at 78967) and 2017 (its cumulative restarts at 10037). 2018 stays glued: 2017
    is null and 2019 is on the template."""
    run_batch([ZONE_COLUMN], BatchOptions(out=tmp_path / "job", workers=0, progress=False))
    conn = sqlite3.connect(tmp_path / "job" / "nianbao.sqlite")
    found: dict[tuple[str, str], object] = {}
    for path, text in conn.execute("SELECT d.path, r.json FROM documents d JOIN reports r ON r.id = d.report_id "
                                   "WHERE r.template = 'legacy'"):
        page_id = Path(path).parent.name.split("_")[0]
        report = json.loads(text)
        codes = {i["field"]: i["code"] for i in report["issues"] if i["code"] in (CUT, CONFLICT)}
        for field_id, leaf in leaves(report["legacy"]):
            if field_id in codes:
                found[(page_id, field_id)] = (codes[field_id], leaf["this_period"], leaf["cumulative"])
            elif "glued" in leaf:
                found[(page_id, field_id)] = ("glued", leaf["glued"])
    active, website = "legacy.active.total", "legacy.active.website"
    assert found == {
        ("80716", active): (CUT, 425, 1516), ("80716", website): (CUT, 418, 1509),
        ("80725", active): (CUT, 2026, 3542), ("80725", website): (CUT, 1795, 3304),
        ("80725", "legacy.applications.received"): (CUT, 21, 21),
        ("80725", "legacy.applications.in_person"): (CUT, 18, 18),
        ("80725", "legacy.replies.total"): (CUT, 21, 21), ("80725", "legacy.replies.granted"): (CUT, 17, 17),
        ("80754", active): (CONFLICT, None, None), ("80754", website): (CONFLICT, None, None),
        ("80445", active): (CUT, 2949, 81916), ("80445", website): (CUT, 2949, 81916),
        ("80485", active): (CUT, 3460, 85376), ("80485", website): (CUT, 3460, 85376),
        ("80506", active): (CONFLICT, None, None), ("80506", website): (CONFLICT, None, None),
        ("80529", active): ("glued", "206912106"), ("80529", website): ("glued", "206912106"),
    }
    assert conn.execute("SELECT year, count(*), sum(ok) FROM legacy_continuity WHERE body_id = '350128:人民政府' "
                        "GROUP BY year").fetchall() == [(2012, 17, 17), (2013, 15, 15), (2014, 11, 3), (2015, 16, 16),
                                                        (2016, 16, 12), (2017, 13, 13), (2018, 13, 13)]
