"""The audit's findings on the review site: read from the job database's `findings` table (written by
`nianbao batch` at the end of a job and by `nianbao audit`), shown per report, per body and year, and as a
filter of the index. Read by column name, like the rest of the site, and never through pipeline.batch."""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.finding_codes import FINDING_CODES, SEVERITY_LABELS, finding_label

e = html.escape


@dataclass(frozen=True)
class SiteFinding:
    code: str
    severity: str
    field: str
    detail: str

    @property
    def error(self) -> bool:
        return self.severity == "error"


def read_findings(con: sqlite3.Connection) -> dict[Any, list[SiteFinding]]:
    """Findings per report id, in the audit's order; {} for a job never audited (no findings table)."""
    if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'findings'").fetchone():
        return {}
    out: dict[Any, list[SiteFinding]] = {}
    for report_id, code, severity, field_id, detail in con.execute(
            "SELECT report_id, code, severity, field, detail FROM findings ORDER BY rowid"):
        if report_id is not None:
            out.setdefault(report_id, []).append(SiteFinding(code, severity, field_id or "", detail or ""))
    return out


def codes_of(findings: Iterable[SiteFinding]) -> list[str]:
    """The distinct codes, in the audit's order (errors first)."""
    order = {code: i for i, code in enumerate(FINDING_CODES)}
    return sorted({f.code for f in findings}, key=lambda c: (order.get(c, len(order)), c))


def findings_table(findings: Sequence[SiteFinding]) -> str:
    """The findings of one report as a table, errors highlighted like failed checks."""
    if not findings:
        return '<p class="ok">无发现。</p>'
    rows = "".join(
        f'<tr class="{"fail" if f.error else "warn"}"><td>{e(SEVERITY_LABELS.get(f.severity, f.severity))}</td>'
        f"<td>{e(finding_label(f.code))} <code>{e(f.code)}</code></td><td><code>{e(f.field)}</code></td>"
        f"<td>{e(f.detail)}</td></tr>" for f in findings)
    return (f'<table class="findings"><tr><th>级别</th><th>发现</th><th>字段</th><th>说明</th></tr>{rows}</table>')


def code_options(codes: Iterable[str]) -> str:
    """The index's 发现 filter: any / none / some, then one option per code found in the job."""
    fixed = (("", "全部"), ("none", "无发现"), ("some", "有发现"), ("errors", "有错误"))
    return "".join(f'<option value="{v}">{e(label)}</option>' for v, label in fixed) + "".join(
        f'<option value="{e(c)}">{e(finding_label(c))}（{e(c)}）</option>' for c in codes_of(
            SiteFinding(c, "", "", "") for c in codes))


def index_cell(findings: Sequence[SiteFinding]) -> str:
    """The index's 发现 column: the count, red when an error is among them, the codes on hover."""
    n_errors = sum(f.error for f in findings)
    title = "、".join(finding_label(c) for c in codes_of(findings))
    return (f'<td data-sort="{len(findings)}" class="{"fail" if n_errors else ""}" title="{e(title)}">'
            f'{len(findings) if findings else ""}</td>')


def by_year_html(years: Iterable[tuple[int, Sequence[SiteFinding], str]]) -> str:
    """A body's findings per year (year, findings, link to the year's report page), latest year first."""
    parts = []
    for year, findings, href in sorted(years, key=lambda t: -t[0]):
        parts.append(f'<h3><a href="{e(href)}">{year} 年</a>（{len(findings)} 项）</h3>{findings_table(findings)}')
    return "".join(parts) or '<p class="ok">无发现。</p>'
