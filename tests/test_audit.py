"""nianbao audit: prose statements against the tables, and the form findings, on generated reports and the
dev corpus (the dev2_m* reports whose prose contradicts a table; published_late from the truth files)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractors import extract
from pipeline.batch.audit import (
    findings_by_report,
    findings_for_job,
    report_findings,
    similarity,
    stored_findings,
)
from pipeline.cli import app
from pipeline.normalise import normalise
from pipeline.normalise.statements import chinese_number
from pipeline.report import Report
from tests.fixturegen import make_report
from tests.fixturegen.text_render import render_text

DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
needs_dev = pytest.mark.skipif(not DEV.is_dir(), reason="the shared dev corpus is not here")

NEW, OVER, FORWARD = "applications.new_received.total", "applications.carried_over.total", \
    "applications.carried_forward.total"
GRANTED, REVIEW = "applications.granted.total", "review_litigation.review.total"
LITIGATION = "review_litigation.litigation_direct.total+review_litigation.litigation_after_review.total"
NORMATIVE, PENALTIES, LICENSING = ("active_disclosure.normative_documents.issued",
                                   "active_disclosure.penalties.decisions", "active_disclosure.licensing.decisions")

# (field the words speak of, the sentence with {n}, the section it goes in)
PHRASINGS = [
    (NEW, "{y}年，我镇共收到政府信息公开申请{n}件，所有申请均在法定期限内答复。", "overview"),
    (NEW, "本年度共受理信息公开申请{n}宗。", "overview"),
    (NEW, "全年新收政府信息公开申请{cn}个，均按时办结。", "applications"),
    (NEW, "本机关 全年 办理 依申请公开申请 {n} 件。", "applications"),
    (OVER, "{y}年，我镇共收到政府信息公开申请{new}件，上年结转{n}件。", "overview"),
    (FORWARD, "本年共收到政府信息公开申请{new}件，结转下年度继续办理{n}件。", "overview"),
    (GRANTED, "对收到的申请，其中予以公开{n}件。", "applications"),
    (GRANTED, "在办结的申请中，同意公开答复{n}件。", "applications"),
    (REVIEW, "{y}年，我镇因政府信息公开工作被申请行政复议{n}件。", "overview"),
    (REVIEW, "全年被申请行政复议{cn}起。", "overview"),
    (LITIGATION, "我镇被提起行政诉讼{n}件。", "overview"),
    (NORMATIVE, "全年新制定规范性文件{n}件。", "overview"),
    (NORMATIVE, "本年度印发行政规范性文件{cn}件，均已公开。", "overview"),
    (PENALTIES, "全年作出行政处罚决定{n}件。", "overview"),
    (LICENSING, "依法作出行政许可决定{n}个。", "overview"),
]

# numbers about something else: another year, a wider or narrower body, a sub-count, no table counterpart
NOT_COMPARED = [
    "上年度共收到政府信息公开申请{w}件。",
    "{py}年，我镇共收到政府信息公开申请{w}件。",
    "全县各部门共收到政府信息公开申请{w}件。",
    "镇党政办公室受理政府信息公开申请{w}件。",
    "其中，上年结转{w}件为企业申请。",
    "全年主动公开政府信息{w}条，收取信息处理费{w}元。",
    "申请数量同比增长，较上年收到政府信息公开申请{w}件有所增加。",
    "部分公开{w}件，不予公开{w}件。",
    "主动公开市政府和市政府办公厅行政规范性文件{w}件，人事任免文件{w}件。",
    "主动公开市政府规章13件（含新制定{w}件，修改4件，废止4件）。",
    "清理并集中发布现行有效行政规范性文件{w}件。",
    "市政府办公厅代表市政府共受理政府信息公开申请{w}件，申请数量较去年回落12.3%。",
    "全年共举办新闻发布会{w}场，市政府领导出席{w}人次。",
    "被申请行政复议和提起行政诉讼共{w}件。",
]


def to_chinese(n: int) -> str:
    """12200 -> 一万二千二百 (the way reports spell numbers out)."""
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"
    out, zero = "", False
    for value, name in ((10000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if value == 10000 and d:
            out += to_chinese(d) + name
            continue
        if d:
            out += ("零" if zero and out else "") + digits[d] + name
            zero = False
        elif out:
            zero = True
    return out


def table_number(field: str, values: dict) -> int:
    return sum(values[f] for f in field.split("+"))


def report_with(tmp_path: Path, sentences: list[tuple[str, str]], seed: int = 3, template: str = "2021",
                **kwargs) -> Report:
    """A generated report (text, as Word saves it) with extra sentences at the start of their sections."""
    spec = make_report(template, seed=seed, **kwargs)
    heads = {"overview": spec.blocks[2], "applications": spec.blocks[6]}
    for section, sentence in reversed(sentences):
        spec.blocks.insert(spec.blocks.index(heads[section]) + 1, sentence)
    path = tmp_path / f"r{len(list(tmp_path.iterdir()))}.txt"
    path.write_text(render_text(spec, "tsv"), encoding="utf-8")
    return normalise(extract(path))


def mismatches(report: Report) -> list[str]:
    return [field for code, field, _ in report_findings(report) if code == "text_table_mismatch"]


def fill(template: str, values: dict, field: str, n: int, year: int = 2023) -> str:
    return template.format(n=n, cn=to_chinese(n), y=year, py=year - 1, new=values[NEW], w=n)


def test_chinese_numerals():
    for n in (0, 7, 10, 15, 34, 100, 105, 2776, 12200, 30004, 99999):
        assert chinese_number(to_chinese(n)) == n, n
    assert chinese_number("两千") == 2000 and chinese_number("一二") is None


@pytest.mark.parametrize(("field", "template", "section"), PHRASINGS, ids=[p[1][:12] for p in PHRASINGS])
def test_statement_agreeing_and_contradicting(tmp_path, field, template, section):
    values = make_report("2021", seed=3).values
    right = table_number(field, values)
    wrong = right + 7
    agreeing = report_with(tmp_path, [(section, fill(template, values, field, right))])
    assert [s.field for s in agreeing.statements if s.field == field] == [field]
    assert mismatches(agreeing) == []
    contradicting = report_with(tmp_path, [(section, fill(template, values, field, wrong))])
    assert mismatches(contradicting) == [field]
    (code, _, detail), = [f for f in report_findings(contradicting) if f[0] == "text_table_mismatch"]
    assert f"prose says {wrong}, table {right}" in detail


def test_all_statements_together(tmp_path):
    """A report stating every quantity rightly raises nothing; the same with every number off raises each."""
    values = make_report("2021", seed=3).values
    seen: set[str] = set()
    kinds = [p for p in PHRASINGS if not (p[0] in seen or seen.add(p[0]))]
    right = [(s, fill(t, values, f, table_number(f, values))) for f, t, s in kinds]
    assert mismatches(report_with(tmp_path, right)) == []
    wrong = [(s, fill(t, values, f, table_number(f, values) + 11)) for f, t, s in kinds]
    assert sorted(mismatches(report_with(tmp_path, wrong))) == sorted({f for f, _, _ in kinds})


def test_2019_template_field(tmp_path):
    """新制定规范性文件 is `created` on the 2019 form: the finding names the field the report has."""
    created = make_report("2019", seed=3, year=2020).values["active_disclosure.normative_documents.created"]
    right = report_with(tmp_path, [("overview", f"全年新制定规范性文件{created}件。")], template="2019", year=2020)
    wrong = report_with(tmp_path, [("overview", f"全年新制定规范性文件{created + 5}件。")], template="2019", year=2020)
    assert mismatches(right) == [] and mismatches(wrong) == ["active_disclosure.normative_documents.created"]


def test_readings_that_count_more(tmp_path):
    """共收到申请 N may count last year's too, 予以公开 N the partly granted too: no finding then."""
    values = make_report("2021", seed=3).values
    both = values[NEW] + values[OVER]
    granted = values[GRANTED] + values["applications.partially_granted.total"]
    report = report_with(tmp_path, [("overview", f"本年度共受理政府信息公开申请{both}件。"),
                                    ("applications", f"对收到的申请，其中予以公开{granted}件。")])
    assert len(report.statements) == 2 and mismatches(report) == []


@pytest.mark.parametrize("template", NOT_COMPARED)
def test_numbers_about_something_else_are_not_compared(tmp_path, template):
    values = make_report("2021", seed=3).values
    report = report_with(tmp_path, [("overview", fill(template, values, NEW, 9999))])
    assert report.statements == [] and mismatches(report) == []


def test_form_findings(tmp_path):
    late = report_with(tmp_path, [], published="2024-02-01")
    on_time = report_with(tmp_path, [], published="2024-01-31")
    assert [f for f in report_findings(late) if f[0] == "published_late"]
    assert not [f for f in report_findings(on_time) if f[0] == "published_late"]
    assert not [f for f in report_findings(on_time) if f[0] in ("fee_not_stated", "section_missing",
                                                                 "section_empty", "template_outdated")]

    spec = make_report("2019", seed=4, year=2022)
    heading_five = next(i for i, b in enumerate(spec.blocks) if b == ("heading", "五、存在的主要问题及改进情况"))
    del spec.blocks[heading_five + 1]  # 五 left empty
    spec.blocks[heading_five + 2] = "本年度工作平稳有序。"  # 六 says nothing about fees
    path = tmp_path / "old.txt"
    path.write_text(render_text(spec, "tsv"), encoding="utf-8")
    codes = {(code, field) for code, field, _ in report_findings(normalise(extract(path)))}
    assert ("template_outdated", "report.template") in codes
    assert ("section_empty", "sections.problems") in codes
    assert ("fee_not_stated", "sections.other") in codes

    spec = make_report("2021", seed=5)
    lost = ("heading", "五、存在的主要问题及改进情况"), ("heading", "二、主动公开政府信息情况")
    spec.blocks = [b for b in spec.blocks if b not in lost]
    path = tmp_path / "no5.txt"
    path.write_text(render_text(spec, "tsv"), encoding="utf-8")
    codes = {(code, field) for code, field, _ in report_findings(normalise(extract(path)))}
    assert ("section_missing", "sections.problems") in codes
    assert ("section_missing", "sections.active") not in codes  # its table is there: only the heading was lost

    spec = make_report("2021", seed=6)
    spec.blocks = [b for b in spec.blocks if b != ("heading", "六、其他需要报告的事项")]
    path = tmp_path / "no6.txt"
    path.write_text(render_text(spec, "tsv"), encoding="utf-8")
    codes = {(code, field) for code, field, _ in report_findings(normalise(extract(path)))}
    assert ("section_missing", "sections.other") in codes
    assert not [c for c in codes if c[0] == "fee_not_stated"]  # no section 六: section_missing says it all


def test_report_from_before_the_audit(tmp_path):
    """A report normalised before outlines and statements existed: its sections are not judged missing."""
    values = make_report("2021", seed=3).values
    report = report_with(tmp_path, [("overview", fill(PHRASINGS[0][1], values, NEW, values[NEW] + 7))],
                         published="2024-02-03")
    data = json.loads(report.to_json())
    del data["outline"], data["statements"]
    old = Report.model_validate(data)
    assert [code for code, _, _ in report_findings(old)] == ["published_late"]
    assert [code for code, _, _ in report_findings(report)] == ["text_table_mismatch", "published_late"]


def run_job(tmp_path: Path, files: list[Path]) -> Path:
    from pipeline.batch.job import BatchOptions, run_batch

    job = tmp_path / "job"
    run_batch(files, BatchOptions(out=job, workers=0, progress=False))
    return job


def test_audit_job_cli(tmp_path):
    """Two years of one body: section 五 copied and the carried-over numbers not meeting; audit.csv, the
    findings table and --summary."""
    src = tmp_path / "src"
    src.mkdir()
    agency = "临江市桦树镇人民政府"
    problems = ("一是政策解读的形式还比较单一，图解、视频等解读占比不高；二是依申请公开答复的规范性有待加强。"
                "下一步，我镇将加强业务培训，丰富解读形式，提升答复质量。")
    for year in (2022, 2023):
        spec = make_report("2021", seed=year - 2000, year=year, agency=agency)
        at = spec.blocks.index(("heading", "五、存在的主要问题及改进情况")) + 1
        spec.blocks[at] = problems.replace("下一步", f"{year + 1}年")
        (src / f"{year}.txt").write_text(render_text(spec, "tsv"), encoding="utf-8")
    last = make_report("2021", seed=22, year=2022, agency=agency).values
    this = make_report("2021", seed=23, year=2023, agency=agency).values
    job = run_job(tmp_path, [src])
    batch_csv = (job / "audit.csv").read_bytes()  # the batch audits at its end
    (job / "nianbao.xlsx").unlink()
    result = CliRunner().invoke(app, ["audit", str(job), "--summary"])
    assert result.exit_code == 0, result.output
    raw = (job / "audit.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert raw == batch_csv
    from openpyxl import load_workbook

    sheet = list(load_workbook(job / "nianbao.xlsx")["发现"].iter_rows(min_row=3, values_only=True))
    assert [(r[6], r[7]) for r in sheet] == [(r["code"], r["field"]) for r in rows]
    assert list(rows[0]) == ["path", "member", "agency", "year", "code", "severity", "field", "detail"]
    boiler = [r for r in rows if r["code"] == "problems_boilerplate"]
    assert [(r["year"], r["severity"], r["field"]) for r in boiler] == [("2023", "warning", "sections.problems")]
    alike = similarity(problems.replace("下一步", "2023年"), problems.replace("下一步", "2024年"))
    assert f"section 五 is {alike:.0%} the same as the 2022 report" in boiler[0]["detail"] and alike > 0.9
    cross = {r["field"] for r in rows if r["code"] == "cross_year_mismatch"}
    expected = {f"applications.carried_over.{col}" for col in ("natural_person", "commercial_enterprise",
                                                               "research_institution", "social_welfare_org",
                                                               "legal_service_org", "other_org", "total")
                if this[f"applications.carried_over.{col}"] != last[f"applications.carried_forward.{col}"]}
    assert cross == expected and expected
    assert agency in result.output and "problems_boilerplate" in result.output
    import sqlite3

    con = sqlite3.connect(job / "nianbao.sqlite")
    assert con.execute("SELECT count(*) FROM findings").fetchone()[0] == len(rows)
    assert findings_for_job(job / "nianbao.sqlite") == stored_findings(job / "nianbao.sqlite")
    by_report = findings_by_report(job / "nianbao.sqlite")
    assert sum(len(found) for found in by_report.values()) == len(rows)
    assert {f.year for found in by_report.values() for f in found} == {2023}  # the 2022 report is clean


def test_audit_no_job(tmp_path):
    result = CliRunner().invoke(app, ["audit", str(tmp_path)])
    assert result.exit_code == 1 and "no batch job here" in result.output


@needs_dev
def test_dev_mismatch_reports():
    """dev2_m*: found on the field of the truth file and no other; dev2_m_ok_*: nothing."""
    for truth_path in sorted(DEV.glob("dev2_m*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        report = normalise(extract(DEV / truth["file"]))
        assert mismatches(report) == truth.get("expect_text_table", []), truth["file"]


@needs_dev
def test_dev_published_late_from_truths():
    """Every dev text, HTML and DOCX report that converts: published_late exactly when the truth's date is
    after 31 January of the following year."""
    checked = late = 0
    for truth_path in sorted(DEV.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        path = DEV / truth["file"]
        if path.suffix not in (".txt", ".html", ".docx", ".md") or truth["file"].startswith(("dev2_a", "dev2_i")):
            continue
        report = normalise(extract(path))
        expected = bool(truth.get("published") and truth.get("year")
                        and truth["published"] > f"{truth['year'] + 1}-01-31")
        found = any(code == "published_late" for code, _, _ in report_findings(report))
        assert found == expected, truth["file"]
        checked, late = checked + 1, late + expected
    assert checked > 50 and late > 10


@needs_dev
def test_explain_shows_the_statement():
    result = CliRunner().invoke(app, ["explain", str(DEV / "dev2_m01.txt"), NEW])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "text_table_mismatch" in text and "says 100, the table 97" in text
    assert "no issue and no failed check" not in text
