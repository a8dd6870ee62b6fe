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
from pipeline.inspection.review.common import forget_values, values_of
from pipeline.inspection.review.common import show_value as _fmt
from pipeline.inspection.review.findings import (
    SiteFinding,
    by_year_html,
    code_options,
    codes_of,
    findings_table,
    index_cell,
    read_findings,
)
from pipeline.inspection.review.panels import (
    BodyYears,
    RegionYears,
    body_key,
    body_page,
    group_bodies,
    group_regions,
    region_page,
)
from pipeline.inspection.review.verdict import NEEDS_REVIEW, REVIEW_RULE, STATUS_LABELS, filled_share, verdict
from pipeline.normalise.template import (
    CARRIED_FORWARD,
    FLOW_IN,
    REVIEW_GROUPS,
    REVIEW_PARTS,
    T2_COLUMNS,
    T3_COLUMNS,
)
from pipeline.report import Report

DB_NAME = "nianbao.sqlite"
SECTION_ORDER = "一二三四五六七八九十"
T3_ORG_LABELS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
T3_TOP_ROWS = (*FLOW_IN, CARRIED_FORWARD)  # the rows of 三 outside 本年度办理结果
T4_PART_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
SECTION_NAMES = {"overview": "一、总体情况", "problems": "五、存在的主要问题及改进情况", "other": "六、其他需要报告的事项"}
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
    findings: list[SiteFinding] = field(default_factory=list)  # the audit's, from the findings table


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
        findings = read_findings(con)
    except sqlite3.DatabaseError as exc:
        raise ReviewError(f"findings: {exc}") from None
    finally:
        con.close()
    reports: dict[Any, ReportRow] = {}
    for r in reports_raw:
        try:
            report = Report.model_validate_json(r["json"])
        except Exception:  # noqa: BLE001, S112 - a broken row must not hide the others
            continue
        reports[r["id"]] = ReportRow(r["id"], report, findings=findings.get(r["id"], []))
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
        self.values = values_of(report)
        self.failed = {f for f in self.values if checks_on(f, report.checks)}

    def td(self, field_id: str, extra: str = "") -> str:
        if field_id not in self.values:
            return f'<td class="v na" data-field="{e(field_id)}" title="{e(field_id)}：本模板无此项"{extra}></td>'
        value = self.values[field_id]
        classes = ["v"]
        lines = [field_id]
        prov = self.report.provenance.get(field_id)
        if prov is not None:
            where = f"第 {prov.table} 个表格 第 {prov.row} 行 第 {prov.col} 列"
            if prov.page is not None:
                where += f"，第 {prov.page} 页"
            lines.append(f"原文 {prov.raw!r} — {where}")
            if prov.bbox:
                lines.append("位置框 " + ", ".join(f"{v:.1f}" for v in prov.bbox))
            if prov.row_label:
                lines.append(f"行标签：{prov.row_label}")
            if prov.column:
                lines.append(f"列：{prov.column}")
        else:
            lines.append("无来源单元格")
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


LEGACY_COLUMN_NAMES = {"this_period": "本期", "cumulative": "历年累计", "ytd": "本年累计"}


def legacy_table(report: Report, cells: _Cells) -> str:
    """A pre-2019 report's statistics table, plainly: the rows as read (label as printed, unit), one column per
    value column the table had, then the rows no field names."""
    values = report.legacy_values()
    columns = [c for c in LEGACY_COLUMN_NAMES if any(k.endswith(f".{c}") for k in values)]
    out = ['<table class="tpl legacy" id="table-legacy"><caption>政府信息公开情况统计表（2019年以前）</caption>',
           "<tr><th>指标名称</th><th>计量单位</th>" + "".join(f"<th>{e(LEGACY_COLUMN_NAMES[c])}</th>" for c in columns)
           + "</tr>"]
    for field_id in dict.fromkeys(k.rsplit(".", 1)[0] for k in values):
        node: Any = report.legacy or {}
        for part in field_id.split(".")[1:]:
            node = node.get(part, {})
        prov = next((report.provenance[f"{field_id}.{c}"] for c in columns if f"{field_id}.{c}" in report.provenance),
                    None)
        label = prov.row_label if prov is not None else field_id
        tds = "".join(cells.td(f"{field_id}.{c}") for c in columns)
        out.append(f'<tr><th class="rl" title="{e(field_id)}">{e(label)}</th><td>{e(node.get("unit") or "")}</td>'
                   f"{tds}</tr>")
    for row in report.legacy_unmapped or []:
        tds = "".join(f'<td class="v">{e(v)}</td>' for v in row.values)
        out.append(f'<tr class="unmapped"><th class="rl" title="未对应字段">{e(row.label)}</th><td>{e(row.unit)}</td>'
                   f"{tds}</tr>")
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


def _heading(row: str) -> str:
    """The template heading a table-three row sits under: （六）其他处理 for other_no_correction."""
    return all_fields()[f"applications.{row}.total"].row_label.split(" ", 1)[0]


def application_rows(report: Report) -> list[str]:
    """Table three's rows as the document has them, in fields.tsv order: the template's rows, plus rows of
    the other template that the report holds values for (a mixed table's single （六）其他处理 row, read into
    applications.other.*); such a row replaces the template's rows under the same heading when those are
    all empty, so the page shows one filled row, not three empty sub-rows."""
    fields = all_fields()
    held = report.applications or {}
    template = [r for r in dict.fromkeys(f.split(".")[1] for f in template_fields(report.report.template)
                                         if f.startswith("applications."))]
    extra = [r for r in held if r not in template and f"applications.{r}.total" in fields
             and any(v is not None for v in held[r].values())]
    if not extra:
        return template
    replaced = {_heading(r) for r in extra}
    rows = [r for r in template
            if not (_heading(r) in replaced and all(v is None for v in held.get(r, {}).values()))]
    order = {f: i for i, f in enumerate(fields)}
    return sorted(rows + extra, key=lambda r: order[f"applications.{r}.total"])


def table_three(report: Report, cells: _Cells) -> str:
    fields = all_fields()
    rows = application_rows(report)
    outcome = [r for r in rows if r not in T3_TOP_ROWS]
    out = ['<table class="tpl t3" id="table-3"><caption>三、收到和处理政府信息公开申请情况</caption>',
           f'<tr><th colspan="3" rowspan="3" class="note">{e(BALANCE_NOTE)}</th><th colspan="7">申请人情况</th></tr>',
           '<tr><th rowspan="2">自然人</th><th colspan="5">法人或其他组织</th><th rowspan="2">总计</th></tr>',
           "<tr>" + "".join(f"<th>{e(x)}</th>" for x in T3_ORG_LABELS) + "</tr>"]
    groups: dict[str, int] = {}
    for row in outcome:
        label = fields[f"applications.{row}.total"].row_label
        if " " in label:
            groups[label.split(" ", 1)[0]] = groups.get(label.split(" ", 1)[0], 0) + 1
    opened_outcome = False
    seen_groups: set[str] = set()
    for row in rows:
        label = fields[f"applications.{row}.total"].row_label
        values = "".join(cells.td(f"applications.{row}.{c}") for c in T3_COLUMNS)
        head = ""
        if row in T3_TOP_ROWS:
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


def table_four(report: Report, cells: _Cells) -> str:
    out = ['<table class="tpl t4" id="table-4"><caption>四、政府信息公开行政复议、行政诉讼情况</caption>',
           '<tr><th colspan="5" rowspan="2">行政复议</th><th colspan="10">行政诉讼</th></tr>',
           '<tr><th colspan="5">未经复议直接起诉</th><th colspan="5">复议后起诉</th></tr>',
           "<tr>" + "".join(f"<th>{e(x)}</th>" for _ in REVIEW_GROUPS for x in T4_PART_LABELS) + "</tr>",
           "<tr>" + "".join(cells.td(f"review_litigation.{g}.{p}") for g in REVIEW_GROUPS for p in REVIEW_PARTS) + "</tr>",
           "</table>"]
    return "\n".join(out)


# ---- pages
def _issues_html(report: Report) -> str:
    if not report.issues:
        return '<p class="ok">无问题。</p>'
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
    return ('<table class="checks"><tr><th></th><th>规则</th><th>位置</th><th>应为</th><th>实为</th>'
            f'<th>说明</th></tr>{"".join(rows)}</table>')


def _sections_html(report: Report) -> str:
    parts = []
    for name, text in report.sections.items():
        body = f"<pre>{e(text)}</pre>" if text else '<p class="null">—</p>'
        parts.append(f"<details><summary>{e(SECTION_NAMES.get(name, name))}（{len(text or '')} 字）</summary>{body}</details>")
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
        items.append(f"<li>{link} <span class=\"dim\">{e(doc.format)} · {e(STATUS_LABELS.get(doc.status, doc.status))}</span></li>")
    return f'<ul class="sources">{"".join(items)}</ul>' if items else ""


def report_page(row: ReportRow, batch_dir: Path, page_dir: Path, links: _Links | None = None) -> str:
    report = row.report
    cells = _Cells(report)
    meta = report.report
    n_failed = sum(not c.ok for c in report.checks)
    filled, total = filled_share(report)
    judged = verdict(report)
    body = links.body(report) if links else None
    place = links.region(report) if links else None
    region = "/".join(meta.body.region or ()) or "未定位"
    body_name = meta.body.name or meta.agency or "—"
    facts = [("报告主体", f'<a href="../bodies/{body.page}">{e(body_name)}</a>' if body else e(body_name)),
             ("地区", f'<a href="../regions/{place.page}">{e(region)}</a>' if place else e(region)),
             ("行政区划代码", e(meta.body.region_code or "—")), ("发布机关（标题）", e(meta.agency or "—")),
             ("年度", e(_fmt(meta.year))), ("发布日期", e(meta.published or "—")), ("模板", e(meta.template)),
             ("格式", e(report.source.format)), ("提取器", e(report.source.extractor)),
             ("页数", e(_fmt(report.source.pages))), ("已填写", e(f"{filled}/{total}")),
             ("未通过校验", e(str(n_failed))), ("问题", e(str(len(report.issues)))),
             ("发现", e(f"{len(row.findings)}（错误 {sum(f.error for f in row.findings)}）")),
             ("复核结论", f'<span class="st-{e(judged.status)}">{e(judged.label)}</span>'
                       + (f'（{e("；".join(judged.reasons))}）' if judged.reasons else "")),
             ("sha256", e(report.source.sha256[:16]))]
    facts_html = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in facts)
    return _template("report.html").substitute(
        title=e(meta.title or meta.agency or report.source.path),
        facts=facts_html,
        sources=_source_links(row.documents, batch_dir, page_dir),
        table2=table_two(report, cells) if meta.template != "legacy" else legacy_table(report, cells),
        table3=table_three(report, cells) if meta.template != "legacy" else "",
        table4=table_four(report, cells) if meta.template != "legacy" else "",
        checks=_checks_html(report),
        issues=_issues_html(report),
        findings=findings_table(row.findings),
        n_findings=len(row.findings),
        sections=_sections_html(report),
        report_json=e(report.to_json()),
        n_failed=n_failed,
        n_issues=len(report.issues),
    )


def _failed_rules(report: Report | None) -> list[str]:
    return sorted({c.rule for c in report.checks if not c.ok}) if report else []


def _index_order(doc: DocRow, reports: dict[Any, ReportRow]) -> tuple:
    """Index order: region (unplaced last), body, year, then path."""
    rrow = reports.get(doc.report_id)
    if rrow is None:
        return (2, (), "", 0, doc.path, doc.member or "")
    meta = rrow.report.report
    region = tuple(meta.body.region or ())
    return (0 if region else 1, region, meta.body.name or meta.agency or "", meta.year or 0, doc.path,
            doc.member or "")


@dataclass
class _Links:
    """Where a report's body and region pages are, from the index."""

    bodies: dict[str, BodyYears]
    regions: dict[tuple[str, ...], RegionYears]

    def body(self, report: Report) -> BodyYears | None:
        return self.bodies.get(body_key(report))

    def region(self, report: Report) -> RegionYears | None:
        return self.regions.get(tuple(report.report.body.region or ()))


def _index_row(doc: DocRow, rrow: ReportRow | None, links: _Links, common: str, batch_dir: Path,
               page_dir: Path) -> tuple[str, dict[str, str]]:
    """One index row, and the values its filters choose from."""
    report = rrow.report if rrow else None
    meta = report.report if report else None
    judged = verdict(report, doc.status)
    failed = _failed_rules(report)
    found = rrow.findings if rrow else []
    filled, total = filled_share(report) if report else (0, 0)
    year = str(meta.year) if meta and meta.year else ""
    template = meta.template if meta else ""
    agency = (meta.agency or "") if meta else ""
    region = "/".join(meta.body.region or ()) if meta else ""
    body_name = (meta.body.name or agency) if meta else ""
    href = _source_href(doc, batch_dir, page_dir)
    name = e(_doc_label(doc, common))
    source = f'<a class="source" href="{e(href)}">原文</a>' if href else ""
    full = e(_doc_label(doc))
    report_link = (f'<a href="reports/{report_page_name(rrow.id)}" title="{full}">{name}</a>' if rrow
                   else f'<span title="{full}">{name}</span>')
    error = f'<div class="error">{e(doc.error)}</div>' if doc.error else ""
    ms = sum(x for x in (doc.extract_ms, doc.normalise_ms) if isinstance(x, (int, float)))
    body = links.body(report) if report else None
    body_cell = f'<a href="bodies/{body.page}">{e(body_name)}</a>' if body else e(body_name)
    place = links.region(report) if report else None
    region_cell = f'<a href="regions/{place.page}">{e(region)}</a>' if place else e(region or "未定位")
    why = "；".join(judged.reasons)
    row = (f'<tr data-status="{e(judged.status)}" data-format="{e(doc.format)}" data-template="{e(template)}" '
           f'data-year="{e(year)}" data-region="{e(region)}" data-agency="{e(" ".join(dict.fromkeys((agency, body_name))))}" '
           f'data-failed="{e(" ".join(failed))}" data-findings="{e(" ".join(codes_of(found)))}" '
           f'data-finding-errors="{int(any(f.error for f in found))}">'
           f'<td data-sort="{e(str(doc.id))}">{e(str(doc.id))}</td>'
           f'<td class="region">{region_cell}</td><td class="body">{body_cell}</td><td>{e(year)}</td>'
           f'<td class="file">{report_link} {source}{error}</td>'
           f'<td>{e(doc.format)}</td><td class="st-{e(judged.status)}" title="{e(why)}">{e(judged.label)}</td>'
           f"<td>{e(template)}</td>"
           f'<td data-sort="{filled / total if total else -1:.4f}">{f"{filled}/{total}" if report else ""}</td>'
           f'<td data-sort="{len(failed)}" class="{"fail" if failed else ""}">{e(", ".join(failed))}</td>'
           f'<td data-sort="{len(report.issues) if report else 0}">{len(report.issues) if report else ""}</td>'
           f"{index_cell(found)}"
           f'<td data-sort="{ms:.0f}">{f"{ms:.0f}" if ms else ""}</td></tr>')
    return row, {"status": judged.status, "format": doc.format, "template": template, "year": year,
                 "region": region}


def index_page(docs: list[DocRow], reports: dict[Any, ReportRow], batch_dir: Path, page_dir: Path,
               links: _Links | None = None) -> str:
    links = links or _Links({}, {})
    rows = []
    common = _common_dir(docs)
    choices: dict[str, set[str]] = {k: set() for k in ("status", "format", "template", "year", "failed", "region",
                                                     "findings")}
    for doc in sorted(docs, key=lambda d: _index_order(d, reports)):
        rrow = reports.get(doc.report_id)
        row, values = _index_row(doc, rrow, links, common, batch_dir, page_dir)
        rows.append(row)
        for key, value in values.items():
            if value:
                choices[key].add(value)
        choices["failed"].update(_failed_rules(rrow.report if rrow else None))
        choices["findings"].update(f.code for f in (rrow.findings if rrow else ()))
    for region in list(choices["region"]):  # every level above a body's region filters too
        parts = region.split("/")
        choices["region"].update("/".join(parts[:i]) for i in range(1, len(parts)))

    def options(key: str, labels: dict[str, str], names: dict[str, str] | None = None) -> str:
        opts = "".join(f'<option value="{e(k)}">{e(v)}</option>' for k, v in labels.items())
        names = names or {}
        return opts + "".join(f'<option value="{e(v)}">{e(names.get(v, v))}</option>' for v in sorted(choices[key]))

    region_options = "".join(
        f'<option value="{e(r)}">{"　" * r.count("/")}{e(r.rsplit("/", 1)[-1])}</option>'
        for r in sorted(choices["region"]))
    n_review = sum(1 for d in docs if verdict(reports[d.report_id].report if d.report_id in reports else None,
                                              d.status).status == NEEDS_REVIEW)
    return _template("index.html").substitute(
        n_docs=len(docs),
        n_reports=len(reports),
        n_review=n_review,
        n_bodies=len(links.bodies),
        n_failed_docs=sum(1 for d in docs if d.report_id not in reports),
        status_options=options("status", {"": "全部状态"}, STATUS_LABELS),
        region_options=f'<option value="">全部地区</option>{region_options}',
        format_options=options("format", {"": "全部格式"}),
        template_options=options("template", {"": "全部模板"}),
        year_options=options("year", {"": "全部年度"}),
        failed_options=options("failed", {"": "全部", "none": "无未通过校验", "some": "有未通过校验"}),
        findings_options=code_options(choices["findings"]),
        rows="\n".join(rows),
        common=f" · 路径前缀 <code>{e(common)}</code>" if common else "",
        review_rule=e(REVIEW_RULE),
    )


def _body_findings(body: BodyYears) -> str:
    """The body's findings per year, from the report shown for each year and any further ones."""
    years = [(year, row.findings, f"../reports/{report_page_name(row.id)}") for year, row in body.years.items()]
    years += [(year, row.findings, f"../reports/{report_page_name(row.id)}")
              for year, rows in body.others.items() for row in rows]
    return by_year_html(years)


def build_site(batch_dir: Path, db: Path | None = None) -> Path:
    """Write batch_dir/review/ (index.html, reports/, bodies/, regions/, static/); return the index path."""
    try:
        return _build_site(batch_dir, db)
    finally:
        forget_values()


def _build_site(batch_dir: Path, db: Path | None) -> Path:
    docs, reports = read_batch(db or batch_dir / DB_NAME)
    site = batch_dir / "review"
    pages, body_dir, region_dir, static = site / "reports", site / "bodies", site / "regions", site / "static"
    for folder in (pages, body_dir, region_dir, static):
        folder.mkdir(parents=True, exist_ok=True)
    assets = resources.files("pipeline.inspection.review").joinpath("static")
    for name in ("review.css", "review.js"):
        with resources.as_file(assets.joinpath(name)) as src:
            shutil.copyfile(src, static / name)
    for folder in (pages, body_dir, region_dir):
        for old in folder.glob("*.html"):
            old.unlink()
    bodies = group_bodies(reports.values())
    regions = group_regions(bodies.values())
    links = _Links(bodies, regions)
    for row in reports.values():
        (pages / report_page_name(row.id)).write_text(report_page(row, batch_dir, pages, links), encoding="utf-8")
    for body in bodies.values():
        region = regions.get(tuple(body.region))
        (body_dir / body.page).write_text(body_page(body, lambda r: f"../reports/{report_page_name(r.id)}",
                                                    f"../regions/{region.page}" if region else None,
                                                    _body_findings(body)),
                                          encoding="utf-8")
    for region in regions.values():
        children = [r for p, r in regions.items() if len(p) == len(region.path) + 1 and p[:-1] == region.path]
        parents = [regions[region.path[:i]] for i in range(1, len(region.path)) if region.path[:i] in regions]
        (region_dir / region.page).write_text(
            region_page(region, children, lambda b: f"../bodies/{b.page}", lambda r: r.page, parents),
            encoding="utf-8")
    index = site / "index.html"
    index.write_text(index_page(docs, reports, batch_dir, site, links), encoding="utf-8")
    return index


def report_json_of(page: str) -> dict:
    """The report JSON shown at the foot of a report page."""
    m = re.search(r'<pre id="report-json">(.*?)</pre>', page, re.S)
    return json.loads(html.unescape(m.group(1))) if m else {}
