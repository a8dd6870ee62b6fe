"""`nianbao audit JOB`: what a disclosure office checks in its bodies' reports beyond the arithmetic.

Findings (spec: report-schema.md, "Audit"), `error` for numbers that contradict each other, `warning` for
form. Per report: text_table_mismatch (a statement the normaliser read in the prose, report.statements, that the
table contradicts), published_late, template_outdated, section_missing / section_empty, fee_not_stated,
arithmetic. Across a body's years: problems_boilerplate (section 五 nearly last year's),
cross_year_mismatch (the job's cross_year table) and, for pre-2019 reports, legacy_continuity_mismatch (the
job's legacy_continuity table: last year's 历年累计 plus this year's value is not this year's 历年累计).

The findings go to the job's database (table `findings`, one row per finding with its report id: the
review site and the workbook read them there) and to JOB/audit.csv. `report_findings(report)` gives one
report's own findings without a job.
"""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.finding_codes import FINDING_CODES
from pipeline.report import SECTION_KEYS, Report, SectionOutline

if TYPE_CHECKING:
    from pipeline.batch.store import Store

SEVERITY = {code: severity for code, (severity, _) in FINDING_CODES.items()}
AUDIT_CSV = "audit.csv"
CSV_COLUMNS = ("path", "member", "agency", "year", "code", "severity", "field", "detail")
SECTION_NAMES = dict(zip(SECTION_KEYS, ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                                        "四、行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                                        "六、其他需要报告的事项"), strict=True))
FEE_WORDS = re.compile(r"处理费|收费|收取.{0,10}费|费用")
BOILERPLATE_RATIO = 0.9  # section 五 this close to last year's is a copy with a few words changed
BOILERPLATE_MIN_CHARS = 40  # shorter texts (无。) are alike by nature; section_empty speaks of them


@dataclass(frozen=True)
class Finding:
    report_id: int | None
    path: str
    member: str
    agency: str | None
    year: int | None
    code: str
    severity: str
    field: str
    detail: str
    body_id: str | None = None
    body_name: str | None = None

    def csv_row(self) -> list[str]:
        return ["" if v is None else str(v) for v in (self.path, self.member, self.agency, self.year, self.code,
                                                      self.severity, self.field, self.detail)]


def _quote(sentence: str, limit: int = 80) -> str:
    return f"«{sentence[:limit]}{'…' if len(sentence) > limit else ''}»"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def text_table_mismatches(report: Report) -> list[tuple[str, str]]:
    """(field, detail) for every statement of the prose that the table contradicts; one per field and value."""
    values = report.values()
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, int]] = set()
    for statement in report.statements:
        found = statement.disagreement(values)
        if found is None or (found[0], statement.value) in seen:
            continue
        field, table = found
        seen.add((field, statement.value))
        where = SECTION_NAMES.get(statement.section or "", statement.section or "?")
        out.append((field, f"prose says {statement.value}, table {_number(table)} "
                                     f"(section {where}: {_quote(statement.sentence)})"))
    return out


def deadline(year: int) -> str:
    """The day a year's report is due: 31 January since the 2019 条例 (art. 49), 31 March under the 2007
    one (art. 31), which still governed the reports on 2008–2018."""
    return f"{year + 1}-01-31" if year >= 2019 else f"{year + 1}-03-31"


def _late(report: Report) -> list[tuple[str, str]]:
    meta = report.report
    if meta.year is None or not meta.published:
        return []
    due = deadline(meta.year)
    return [("report.published", f"published {meta.published}, after the deadline {due}")] \
        if meta.published > due else []


def _template(report: Report) -> list[tuple[str, str]]:
    meta = report.report
    if meta.year is None or meta.year < 2021:
        return []
    if meta.template == "2019":
        return [("report.template", f"a {meta.year} report on the 2019 template")]
    if any(issue.code == "template_mixed" for issue in report.issues):
        return [("report.template", f"a {meta.year} report mixing the 2019 and 2021 templates")]
    return []


def _sections(report: Report) -> list[tuple[str, str, str]]:
    """(code, field, detail) for every required section absent or without content."""
    found: dict[str, SectionOutline] = {span.key: span for span in report.outline}
    out = []
    for key in SECTION_KEYS:
        span = found.get(key)
        if span is None and _table_read(report, key):
            continue  # its table is there: the heading was lost in extraction (a PDF heading read into the table)
        if span is None:
            out.append(("section_missing", f"sections.{key}", f"no heading for {SECTION_NAMES[key]}"))
        elif not span.paragraphs and not span.tables:
            out.append(("section_empty", f"sections.{key}", f"nothing under the heading {_quote(span.heading, 40)}"))
    return out


SECTION_TABLES = {"active": "active_disclosure", "applications": "applications", "review": "review_litigation"}


def _table_read(report: Report, key: str) -> bool:
    """A value was read from the table of section 二, 三 or 四."""
    top = SECTION_TABLES.get(key)
    return top is not None and any(v is not None for row in getattr(report, top).values() for v in row.values())


def _fee(report: Report) -> list[tuple[str, str]]:
    meta = report.report
    on_2021_form = meta.year >= 2021 if meta.year is not None else meta.template == "2021"
    text = report.sections.get("other") or ""
    has_six = any(span.key == "other" for span in report.outline)  # if not, section_missing says it
    if not on_2021_form or not has_six or FEE_WORDS.search(text):
        return []
    return [("sections.other", "section 六 says nothing about 信息处理费")]


def report_findings(report: Report) -> list[tuple[str, str, str]]:
    """(code, field, detail) of one report's own findings, errors first."""
    if report.report.template == "legacy":  # the 2019 template's sections and form do not apply, its deadline does
        return [("arithmetic", c.rule, c.message) for c in report.checks if not c.ok] + [
            ("published_late", f, d) for f, d in _late(report)]
    read_prose = not predates_audit(report)
    out = [("text_table_mismatch", f, d) for f, d in text_table_mismatches(report)] if read_prose else []
    out += [("arithmetic", c.rule, c.message) for c in report.checks if not c.ok]
    out += [("published_late", f, d) for f, d in _late(report)]
    out += [("template_outdated", f, d) for f, d in _template(report)]
    if read_prose:
        out += _sections(report)
        out += [("fee_not_stated", f, d) for f, d in _fee(report)]
    return out


def predates_audit(report: Report) -> bool:
    """A report normalised before sections had an outline and statements were read (an older job): its
    sections and statements cannot be judged (`nianbao batch -o JOB --renormalise` reads them)."""
    return "outline" not in report.model_fields_set


def similarity(a: str, b: str) -> float:
    """How alike two texts are (difflib ratio over characters, spaces ignored), 0 … 1."""
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass
class _Doc:
    report_id: int
    path: str
    member: str
    agency: str | None
    year: int | None
    body_id: str | None
    body_name: str | None

    def finding(self, code: str, field: str, detail: str) -> Finding:
        return Finding(self.report_id, self.path, self.member, self.agency, self.year, code, SEVERITY[code], field,
                       detail, self.body_id, self.body_name)


def _documents(conn: sqlite3.Connection) -> list[tuple[_Doc, str]]:
    rows = conn.execute(
        "SELECT r.id, d.path, d.member, r.agency, r.year, r.body_id, coalesce(r.body_name, r.agency), r.json "
        "FROM documents d JOIN reports r ON d.report_id = r.id WHERE r.json IS NOT NULL ORDER BY d.path, d.member")
    return [(_Doc(*row[:7]), row[7]) for row in rows]


def _boilerplate(conn: sqlite3.Connection, docs: dict[int, _Doc], problems: dict[int, str]) -> list[Finding]:
    from pipeline.batch.crossyear import firsts_by_body_year

    firsts = firsts_by_body_year(conn)
    out = []
    for (key, year), (report_id, *_) in sorted(firsts.items()):
        prev = firsts.get((key, year - 1))
        this, last = problems.get(report_id, ""), problems.get(prev[0], "") if prev else ""
        if not prev or report_id not in docs or min(len(this), len(last)) < BOILERPLATE_MIN_CHARS:
            continue
        ratio = similarity(this, last)
        if ratio >= BOILERPLATE_RATIO:
            last_doc = docs.get(prev[0])
            out.append(docs[report_id].finding(
                "problems_boilerplate", "sections.problems",
                f"section 五 is {ratio:.0%} the same as the {year - 1} report"
                f"{f' ({last_doc.path})' if last_doc else ''}"))
    return out


def _cross_year(conn: sqlite3.Connection, docs: dict[int, _Doc]) -> list[Finding]:
    out = []
    for report_id, prev_year, column, over, forward, prev_id in conn.execute(
            "SELECT report_id, prev_year, column_name, carried_over, prev_carried_forward, prev_report_id "
            "FROM cross_year WHERE ok = 0 ORDER BY report_id, column_name"):
        if report_id not in docs:
            continue
        prev = docs.get(prev_id)
        out.append(docs[report_id].finding(
            "cross_year_mismatch", f"applications.carried_over.{column}",
            f"上年结转 {_number(over)}, but the {prev_year} report's 结转下年度 is {_number(forward)}"
            f"{f' ({prev.path})' if prev else ''}"))
    return out


def _legacy_continuity(conn: sqlite3.Connection, docs: dict[int, _Doc]) -> list[Finding]:
    out = []
    for report_id, prev_year, field_id, prev, this, cumulative, prev_id in conn.execute(
            "SELECT report_id, prev_year, field, prev_cumulative, this_period, cumulative, prev_report_id "
            "FROM legacy_continuity WHERE ok = 0 ORDER BY report_id, rowid"):
        if report_id not in docs:
            continue
        last = docs.get(prev_id)
        out.append(docs[report_id].finding(
            "legacy_continuity_mismatch", f"{field_id}.cumulative",
            f"历年累计 {_number(cumulative)}, but the {prev_year} report's 历年累计 {_number(prev)} + this year's "
            f"{_number(this)} = {_number(prev + this)}{f' ({last.path})' if last else ''}"))
    return out


def findings_for_job(db: Path) -> list[Finding]:
    """Every finding of a job's reports, per document in path order (one report may back several documents)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        docs: dict[int, _Doc] = {}
        problems: dict[int, str] = {}
        out: list[Finding] = []
        for doc, text in _documents(conn):
            report = Report.model_validate(json.loads(text))
            docs.setdefault(doc.report_id, doc)
            problems[doc.report_id] = report.sections.get("problems") or ""
            out += [doc.finding(code, field, detail) for code, field, detail in report_findings(report)]
        out += _cross_year(conn, docs)
        out += _legacy_continuity(conn, docs)
        out += _boilerplate(conn, docs, problems)
    finally:
        conn.close()
    order = {code: i for i, code in enumerate(SEVERITY)}
    return sorted(out, key=lambda f: (f.path, f.member, f.severity != "error", order[f.code]))


def write_audit_csv(findings: list[Finding], path: Path) -> None:
    import csv

    from pipeline.batch.writers import atomic_text

    with atomic_text(path, bom=True) as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(f.csv_row() for f in findings)


def audit_job(job: Path) -> list[Finding]:
    """Audit the job in this directory: the findings table of its database and JOB/audit.csv."""
    from pipeline.batch.store import Store

    store = Store(job / "nianbao.sqlite")
    try:
        return audit_store(store, job)
    finally:
        store.close()


def audit_store(store: Store, job: Path) -> list[Finding]:
    """Audit a job whose database is open (`nianbao batch` does at the end of a run, so the findings, audit.csv
    and the workbook's sheet always match the job): the findings table, then JOB/audit.csv."""
    store.commit()
    findings = findings_for_job(store.path)
    store.replace_findings([astuple(f) for f in findings])
    write_audit_csv(findings, job / AUDIT_CSV)
    return findings


def stored_findings(db: Path) -> list[Finding]:
    """The findings the last `nianbao audit` stored in the job's database (for the workbook's sheet and the
    review site, which read them without re-auditing); [] when the job was never audited."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'findings'").fetchone():
            return []
        return [Finding(*row) for row in conn.execute(
            "SELECT report_id, path, member, agency, year, code, severity, field, detail, body_id, body_name "
            "FROM findings ORDER BY rowid")]
    finally:
        conn.close()


def findings_by_report(db: Path) -> dict[int, list[Finding]]:
    """The stored findings per report id (what the review site shows on a report's page)."""
    out: dict[int, list[Finding]] = {}
    for finding in stored_findings(db):
        if finding.report_id is not None:
            out.setdefault(finding.report_id, []).append(finding)
    return out


def reports_predating_audit(db: Path) -> int:
    """How many of the job's reports were normalised before statements were read (see predates_audit)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM reports WHERE json IS NOT NULL AND json NOT LIKE '%\"outline\"%'"
                            ).fetchone()[0]
    finally:
        conn.close()
