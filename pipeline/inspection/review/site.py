"""Build the review site of a batch: DIR/review/index.html and one page per report.

Input is the batch's SQLite database (contract: `documents` and `reports`, `reports.json` the full
report JSON), read with plain sqlite3 and only by column name, so extra columns never break it.
Report pages lay the three tables out like the official template, so a reviewer compares them
with the source by eye: values in place, nulls and failed checks highlighted, provenance in each
cell's title (hover), issues listed, and a link to the source file. Pages are string templates
filled with escaped text; CSS and JS are copied beside them (no CDN, works from file://).
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from pipeline.fields import Field, all_fields, template_fields
from pipeline.inspection.explain import checks_on, issues_on
from pipeline.normalise.template import (
    APPLICANT_COLUMNS,
    FLOW_ROWS,
    RESULTS_TOTAL,
    REVIEW_GROUPS,
    REVIEW_PARTS,
    T2_COLUMNS,
    T3_COLUMNS,
    TOTAL,
    outcome_rows,
    rows_of,
)
from pipeline.report import Report

DB_NAME = "nianbao.sqlite"
SECTION_ORDER = "一二三四五六七八九十"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


class ReviewError(Exception):
    """A one-line reason the site cannot be built."""


e = html.escape


# ---- reading the batch
@dataclass
class DocRow:
    """One row of `documents`, with its report when it has one."""

    id: Any
    path: str
    member: str | None
    format: str
    status: str
    error: str | None
    size: int | None
    extract_ms: float | None
    normalise_ms: float | None
    report_id: Any
    sha256: str | None = None


@dataclass
class ReportRow:
    id: Any
    report: Report
    documents: list[DocRow] = field(default_factory=list)


def _rows(con: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    try:
        cur = con.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - fixed table names
    except sqlite3.DatabaseError as exc:
        raise ReviewError(f"{table}: {exc}") from None
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def read_batch(db: Path) -> tuple[list[DocRow], dict[Any, ReportRow]]:
    """Documents in id order and reports by id, from the batch database."""
    if not db.is_file():
        raise ReviewError(f"no batch database at {db} (run `nianbao batch` first)")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        docs_raw, reports_raw = _rows(con, "documents"), _rows(con, "reports")
    finally:
        con.close()
    reports: dict[Any, ReportRow] = {}
    for r in reports_raw:
        try:
            report = Report.model_validate_json(r["json"])
        except Exception:  # noqa: BLE001, S112 - a broken row must not hide the others
            continue
        reports[r["id"]] = ReportRow(r["id"], report)
    docs = []
    for d in sorted(docs_raw, key=lambda d: (d.get("id") is None, d.get("id"))):
        doc = DocRow(id=d.get("id"), path=str(d.get("path") or ""), member=d.get("member") or None,
                     format=str(d.get("format") or ""), status=str(d.get("status") or ""), error=d.get("error"),
                     size=d.get("size"), extract_ms=d.get("extract_ms"), normalise_ms=d.get("normalise_ms"),
                     report_id=d.get("report_id"), sha256=d.get("sha256"))
        docs.append(doc)
        if doc.report_id in reports:
            reports[doc.report_id].documents.append(doc)
    return docs, reports


# ---- small helpers
def _template(name: str) -> Template:
    return Template(resources.files("pipeline.inspection.review").joinpath(f"templates/{name}").read_text(encoding="utf-8"))


def report_page_name(report_id: Any) -> str:
    return f"report-{re.sub(r'[^A-Za-z0-9_-]', '_', str(report_id))}.html"


def _source_href(doc: DocRow, batch_dir: Path, page_dir: Path) -> str | None:
    """A link from page_dir to the source file (relative when it exists, so the tree can move)."""
    path = Path(doc.path)
    candidates = [path] if path.is_absolute() else [batch_dir / path, Path.cwd() / path]
    for candidate in candidates:
        if candidate.exists():
            return Path(os.path.relpath(candidate.resolve(), page_dir.resolve())).as_posix()
    return None


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _column_label(spec: Field, template: str) -> str:
    label = spec.column_label
    if "／" in label:  # "本年处理决定数量（2021）／处理决定数量（2019）"
        parts = [p for p in label.split("／") if f"（{template}）" in p] or label.split("／")[:1]
        label = parts[0].replace(f"（{template}）", "")
    return re.sub(r"（数值[^）]*）", "", label)


class _Cells:
    """Renders value cells of one report: value, null/failed/issue classes, provenance title."""

    def __init__(self, report: Report):
        self.report = report
        self.values = report.values()
        self.failed = {f for f in self.values if checks_on(f, report.checks)}

    def td(self, field_id: str, extra: str = "") -> str:
        if field_id not in self.values:
            return f'<td class="v na" data-field="{e(field_id)}" title="{e(field_id)}: not in this template"{extra}></td>'
        value = self.values[field_id]
        classes = ["v"]
        lines = [field_id]
        prov = self.report.provenance.get(field_id)
        if prov is not None:
            where = f"table {prov.table}, row {prov.row}, col {prov.col}"
            if prov.page is not None:
                where += f", page {prov.page}"
            lines.append(f"raw {prov.raw!r} — {where}")
            if prov.bbox:
                lines.append("bbox " + ", ".join(f"{v:.1f}" for v in prov.bbox))
            if prov.row_label:
                lines.append(f"row label: {prov.row_label}")
            if prov.column:
                lines.append(f"column: {prov.column}")
        else:
            lines.append("no source cell")
        if value is None:
            classes.append("null")
        for check in checks_on(field_id, self.report.checks):
            classes.append("fail")
            lines.append(f"✗ {check.rule}: {check.message}")
        issues = issues_on(field_id, self.report.issues)
        if issues:
            classes.append("issue")
            lines += [f"⚠ {i.code}: {i.message}" for i in issues]
        unit = self.values.get(f"{field_id}_unit")
        text = _fmt(value) + (f" {unit}" if unit and value is not None else "")
        return (f'<td class="{" ".join(dict.fromkeys(classes))}" data-field="{e(field_id)}" '
                f'title="{e(chr(10).join(lines))}"{extra}>{e(text)}</td>')


# ---- the three tables
def table_two(report: Report, cells: _Cells) -> str:
    template = report.report.template
    fields = all_fields()
    sections: dict[str, dict[str, list[str]]] = {}
    for fid in template_fields(template):
        if not fid.startswith("active_disclosure.") or fid.endswith("_unit"):
            continue
        row, col = fid.split(".")[1:]
        sections.setdefault(field_sections().get(fid, ""), {}).setdefault(row, []).append(col)
    order = {c: i for i, c in enumerate(T2_COLUMNS)}
    width = max((len({c for cols in rows.values() for c in cols}) for rows in sections.values()), default=1)
    out = ['<table class="tpl t2" id="table-2"><caption>二、主动公开政府信息情况</caption>']
    for section, rows in sorted(sections.items(), key=lambda kv: _section_key(kv[0])):
        columns = sorted({c for cols in rows.values() for c in cols}, key=lambda c: order.get(c, 99))
        out.append(f'<tr class="sec"><th colspan="{width + 1}">{e(section.split(" ", 1)[-1])}</th></tr>')
        spans = [1] * len(columns)
        spans[-1] += width - len(columns)
        first_row = next(iter(rows))
        heads = "".join(
            f'<th colspan="{s}">{e(_column_label(fields[f"active_disclosure.{_row_with(rows, c, first_row)}.{c}"], template))}</th>'
            for c, s in zip(columns, spans, strict=True))
        out.append(f"<tr><th>信息内容</th>{heads}</tr>")
        for row in rows:
            label = fields[f"active_disclosure.{row}.{rows[row][0]}"].row_label
            tds = "".join(cells.td(f"active_disclosure.{row}.{c}", f' colspan="{s}"' if s > 1 else "")
                          for c, s in zip(columns, spans, strict=True))
            out.append(f'<tr><th class="rl">{e(label)}</th>{tds}</tr>')
    out.append("</table>")
    return "\n".join(out)


@cache
def field_sections() -> dict[str, str]:
    """field id -> its template section (fields.tsv's `section` column, e.g. 二 第二十条第（一）项)."""
    text = resources.files("pipeline").joinpath("data/fields.tsv").read_text(encoding="utf-8")
    return {r["field"]: r.get("section") or "" for r in csv.DictReader(text.splitlines(), delimiter="\t")}


def _row_with(rows: dict[str, list[str]], column: str, default: str) -> str:
    return next((r for r, cols in rows.items() if column in cols), default)


def _section_key(section: str) -> tuple[int, str]:
    m = re.search(r"第（(.)）项", section)
    return (SECTION_ORDER.index(m.group(1)) if m and m.group(1) in SECTION_ORDER else 99, section)


def table_three(report: Report, cells: _Cells) -> str:
    template = report.report.template
    fields = all_fields()
    rows = rows_of("t3", template)
    outcome = [*outcome_rows(template), RESULTS_TOTAL]  # the rows under 三、本年度办理结果
    labels = [fields[f"applications.{RESULTS_TOTAL}.{c}"].column_label for c in T3_COLUMNS]
    out = ['<table class="tpl t3" id="table-3"><caption>三、收到和处理政府信息公开申请情况</caption>',
           f'<tr><th colspan="3" rowspan="3" class="note">{e(BALANCE_NOTE)}</th>'
           f'<th colspan="{len(T3_COLUMNS)}">申请人情况</th></tr>',
           f'<tr><th rowspan="2">{e(labels[0])}</th><th colspan="{len(APPLICANT_COLUMNS) - 1}">法人或其他组织</th>'
           f'<th rowspan="2">{e(labels[-1])}</th></tr>',
           "<tr>" + "".join(f"<th>{e(x)}</th>" for x in labels[1:-1]) + "</tr>"]
    groups: dict[str, int] = {}
    for row in outcome:
        label = fields[f"applications.{row}.{TOTAL}"].row_label
        if " " in label:
            groups[label.split(" ", 1)[0]] = groups.get(label.split(" ", 1)[0], 0) + 1
    opened_outcome = False
    seen_groups: set[str] = set()
    for row in rows:
        label = fields[f"applications.{row}.{TOTAL}"].row_label
        values = "".join(cells.td(f"applications.{row}.{c}") for c in T3_COLUMNS)
        head = ""
        if row in FLOW_ROWS and row != RESULTS_TOTAL:  # 一、二、四: rows of their own
            head = f'<th colspan="3" class="rl">{e(label)}</th>'
        else:
            if not opened_outcome:
                head += f'<th rowspan="{len(outcome)}" class="vert">三、本年度办理结果</th>'
                opened_outcome = True
            label = label.replace("三、本年度办理结果", "")
            if " " in label:
                group, leaf = label.split(" ", 1)
                if group not in seen_groups:
                    seen_groups.add(group)
                    head += f'<th rowspan="{groups[group]}" class="grp">{e(group)}</th>'
                head += f'<th class="rl">{e(leaf)}</th>'
            else:
                head += f'<th colspan="2" class="rl">{e(label)}</th>'
        out.append(f'<tr data-row="{e(row)}">{head}{values}</tr>')
    out.append("</table>")
    return "\n".join(out)


def _review_group_heads() -> str:
    """Table 四's two header rows of groups, from fields.tsv's row labels: 行政复议 spans both rows,
    行政诉讼 stands over 未经复议直接起诉 and 复议后起诉."""
    fields, width = all_fields(), len(REVIEW_PARTS)
    heads = [fields[f"review_litigation.{g}.{TOTAL}"].row_label.split(" ") for g in REVIEW_GROUPS]
    nested = [h for h in heads if len(h) == 2]
    top = "".join(f'<th colspan="{width}" rowspan="2">{e(h[0])}</th>' for h in heads if len(h) == 1)
    top += f'<th colspan="{width * len(nested)}">{e(nested[0][0])}</th>' if nested else ""
    return f"<tr>{top}</tr>\n<tr>" + "".join(f'<th colspan="{width}">{e(h[1])}</th>' for h in nested) + "</tr>"


def table_four(report: Report, cells: _Cells) -> str:
    fields = all_fields()
    parts = [fields[f"review_litigation.{REVIEW_GROUPS[0]}.{p}"].column_label for p in REVIEW_PARTS]
    out = ['<table class="tpl t4" id="table-4"><caption>四、政府信息公开行政复议、行政诉讼情况</caption>',
           _review_group_heads(),
           "<tr>" + "".join(f"<th>{e(x)}</th>" for _ in REVIEW_GROUPS for x in parts) + "</tr>",
           "<tr>" + "".join(cells.td(f"review_litigation.{g}.{p}") for g in REVIEW_GROUPS for p in REVIEW_PARTS)
           + "</tr>",
           "</table>"]
    return "\n".join(out)


# ---- pages
def _issues_html(report: Report) -> str:
    if not report.issues:
        return '<p class="ok">No issues.</p>'
    items = "".join(
        f'<li class="{e(i.level)}"><b>{e(i.level)}</b> <code>{e(i.code)}</code>'
        f'{f" <code>{e(i.field)}</code>" if i.field else ""}: {e(i.message)}</li>' for i in report.issues)
    return f'<ul class="issues">{items}</ul>'


def _checks_html(report: Report) -> str:
    rows = []
    for c in sorted(report.checks, key=lambda c: c.ok):
        where = c.row or c.column or c.group or ""
        rows.append(f'<tr class="{"ok" if c.ok else "fail"}"><td>{"✓" if c.ok else "✗"}</td><td><code>{e(c.rule)}</code></td>'
                    f"<td>{e(where)}</td><td>{e(_fmt(c.expected) if not c.ok else '')}</td>"
                    f"<td>{e(_fmt(c.found) if not c.ok else '')}</td><td>{e(c.message)}</td></tr>")
    return ('<table class="checks"><tr><th></th><th>rule</th><th>where</th><th>expected</th><th>found</th>'
            f'<th>message</th></tr>{"".join(rows)}</table>')


def _sections_html(report: Report) -> str:
    parts = []
    for name, text in report.sections.items():
        body = f"<pre>{e(text)}</pre>" if text else '<p class="null">—</p>'
        parts.append(f"<details><summary>{e(name)} ({len(text or '')} chars)</summary>{body}</details>")
    return "".join(parts)


def _doc_label(doc: DocRow, common: str = "") -> str:
    path = os.path.relpath(doc.path, common) if common else doc.path
    return path + (f" › {doc.member}" if doc.member else "")


def _common_dir(docs: list[DocRow]) -> str:
    """The folder all document paths share, so the index shows short names (full path on hover)."""
    paths = [d.path for d in docs if d.path]
    if len(paths) < 2 or len({os.path.isabs(p) for p in paths}) != 1:
        return ""
    try:
        common = os.path.commonpath(paths)
    except ValueError:
        return ""
    return os.path.dirname(common) if common in paths else common


def _source_links(docs: list[DocRow], batch_dir: Path, page_dir: Path) -> str:
    items = []
    for doc in docs:
        href = _source_href(doc, batch_dir, page_dir)
        label = e(_doc_label(doc))
        link = f'<a class="source" href="{e(href)}">{label}</a>' if href else f'<span class="source">{label}</span>'
        items.append(f"<li>{link} <span class=\"dim\">{e(doc.format)} · {e(doc.status)}</span></li>")
    return f'<ul class="sources">{"".join(items)}</ul>' if items else ""


def report_page(row: ReportRow, batch_dir: Path, page_dir: Path) -> str:
    report = row.report
    cells = _Cells(report)
    meta = report.report
    values = cells.values
    n_filled = sum(v is not None for v in values.values())
    n_failed = sum(not c.ok for c in report.checks)
    facts = [("agency", meta.agency), ("year", meta.year), ("published", meta.published),
             ("template", meta.template), ("format", report.source.format), ("extractor", report.source.extractor),
             ("pages", report.source.pages), ("values", f"{n_filled}/{len(values)} filled"),
             ("failed checks", n_failed), ("issues", len(report.issues)), ("sha256", report.source.sha256[:16])]
    facts_html = "".join(f"<dt>{e(k)}</dt><dd>{e(_fmt(v) if v is not None else '—')}</dd>" for k, v in facts)
    body = _template("report.html").substitute(
        title=e(meta.title or meta.agency or report.source.path),
        facts=facts_html,
        sources=_source_links(row.documents, batch_dir, page_dir),
        table2=table_two(report, cells),
        table3=table_three(report, cells),
        table4=table_four(report, cells),
        checks=_checks_html(report),
        issues=_issues_html(report),
        sections=_sections_html(report),
        report_json=e(report.to_json()),
        n_failed=n_failed,
        n_issues=len(report.issues),
    )
    return body


def _failed_rules(report: Report | None) -> list[str]:
    return sorted({c.rule for c in report.checks if not c.ok}) if report else []


def index_page(docs: list[DocRow], reports: dict[Any, ReportRow], batch_dir: Path, page_dir: Path) -> str:
    rows = []
    common = _common_dir(docs)
    choices: dict[str, set[str]] = {k: set() for k in ("status", "format", "template", "year", "failed")}
    for doc in docs:
        rrow = reports.get(doc.report_id)
        report = rrow.report if rrow else None
        meta = report.report if report else None
        failed = _failed_rules(report)
        values = report.values() if report else {}
        filled = sum(v is not None for v in values.values())
        year = str(meta.year) if meta and meta.year else ""
        template = meta.template if meta else ""
        agency = (meta.agency or "") if meta else ""
        for key, value in (("status", doc.status), ("format", doc.format), ("template", template), ("year", year)):
            if value:
                choices[key].add(value)
        choices["failed"].update(failed)
        href = _source_href(doc, batch_dir, page_dir)
        name = e(_doc_label(doc, common))
        source = f'<a class="source" href="{e(href)}">src</a>' if href else ""
        full = e(_doc_label(doc))
        report_link = (f'<a href="reports/{report_page_name(rrow.id)}" title="{full}">{name}</a>' if rrow
                       else f'<span title="{full}">{name}</span>')
        error = f'<div class="error">{e(doc.error)}</div>' if doc.error else ""
        ms = sum(x for x in (doc.extract_ms, doc.normalise_ms) if isinstance(x, (int, float)))
        rows.append(
            f'<tr data-status="{e(doc.status)}" data-format="{e(doc.format)}" data-template="{e(template)}" '
            f'data-year="{e(year)}" data-agency="{e(agency)}" data-failed="{e(" ".join(failed))}">'
            f'<td data-sort="{e(str(doc.id))}">{e(str(doc.id))}</td>'
            f"<td class=\"file\">{report_link} {source}{error}</td>"
            f'<td>{e(doc.format)}</td><td class="st-{e(doc.status)}">{e(doc.status)}</td><td>{e(template)}</td>'
            f"<td>{e(agency)}</td><td>{e(year)}</td>"
            f'<td data-sort="{filled}">{f"{filled}/{len(values)}" if report else ""}</td>'
            f'<td data-sort="{len(failed)}" class="{"fail" if failed else ""}">{e(", ".join(failed))}</td>'
            f'<td data-sort="{len(report.issues) if report else 0}">{len(report.issues) if report else ""}</td>'
            f'<td data-sort="{ms:.0f}">{f"{ms:.0f}" if ms else ""}</td></tr>')

    def options(key: str, labels: dict[str, str] | None = None) -> str:
        base = labels or {}
        opts = "".join(f'<option value="{e(k)}">{e(v)}</option>' for k, v in base.items())
        return opts + "".join(f'<option value="{e(v)}">{e(v)}</option>' for v in sorted(choices[key]))

    return _template("index.html").substitute(
        n_docs=len(docs),
        n_reports=len(reports),
        n_failed_docs=sum(1 for d in docs if d.report_id not in reports),
        status_options=options("status", {"": "any status"}),
        format_options=options("format", {"": "any format"}),
        template_options=options("template", {"": "any template"}),
        year_options=options("year", {"": "any year"}),
        failed_options=options("failed", {"": "any checks", "none": "no failed check", "some": "≥1 failed check"}),
        rows="\n".join(rows),
        common=f" · under <code>{e(common)}</code>" if common else "",
    )


def build_site(batch_dir: Path, db: Path | None = None) -> Path:
    """Write batch_dir/review/ (index.html, reports/*.html, static/); return the index path."""
    docs, reports = read_batch(db or batch_dir / DB_NAME)
    site = batch_dir / "review"
    pages = site / "reports"
    static = site / "static"
    pages.mkdir(parents=True, exist_ok=True)
    static.mkdir(parents=True, exist_ok=True)
    assets = resources.files("pipeline.inspection.review").joinpath("static")
    for name in ("review.css", "review.js"):
        with resources.as_file(assets.joinpath(name)) as src:
            shutil.copyfile(src, static / name)
    for old in pages.glob("report-*.html"):
        old.unlink()
    for row in reports.values():
        (pages / report_page_name(row.id)).write_text(report_page(row, batch_dir, pages), encoding="utf-8")
    index = site / "index.html"
    index.write_text(index_page(docs, reports, batch_dir, site), encoding="utf-8")
    return index


def report_json_of(page: str) -> dict:
    """The report JSON shown at the foot of a report page."""
    m = re.search(r'<pre id="report-json">(.*?)</pre>', page, re.S)
    return json.loads(html.unescape(m.group(1))) if m else {}
