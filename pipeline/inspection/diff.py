"""`nianbao diff A B`: two reports side by side, only what differs.

Used to see what a change to an extractor or to labels.tsv did to one document (convert before
and after, diff the two JSONs), or how two renderings of the same report disagree (a DOCX and its
PDF). Inputs may be report JSONs, intermediate JSONs or source documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.report import Report

_MISSING = object()


@dataclass
class Difference:
    kind: str  # metadata | value | section | check | issue
    key: str
    a: Any
    b: Any


@dataclass
class ReportDiff:
    differences: list[Difference] = field(default_factory=list)

    def of(self, kind: str) -> list[Difference]:
        return [d for d in self.differences if d.kind == kind]

    @property
    def fields(self) -> list[str]:
        """Field ids whose values differ."""
        return [d.key for d in self.of("value")]


def _meta(report: Report) -> dict[str, Any]:
    out = {f"report.{k}": v for k, v in report.report.model_dump().items()}
    out.update({f"source.{k}": v for k, v in report.source.model_dump().items() if k != "path"})
    return out


def diff_reports(a: Report, b: Report) -> ReportDiff:
    """Every difference between two reports: metadata, values, section texts, failed checks, issues."""
    out = ReportDiff()
    for kind, left, right in (("metadata", _meta(a), _meta(b)), ("value", a.values(), b.values()),
                              ("section", a.sections, b.sections)):
        for key in list(dict.fromkeys([*left, *right])):
            va, vb = left.get(key, _MISSING), right.get(key, _MISSING)
            same = va == vb and type(va) is type(vb) if va is not None and vb is not None else va is vb
            if not same:
                out.differences.append(Difference(kind, key, va, vb))

    def failed(report: Report) -> dict[str, str]:
        return {f"{c.rule} {c.row or c.column or c.group or ''}".strip(): c.message for c in report.checks if not c.ok}

    def issues(report: Report) -> dict[str, str]:
        return {f"{i.code} {i.field or ''}".strip(): i.message for i in report.issues}

    for kind, left, right in (("check", failed(a), failed(b)), ("issue", issues(a), issues(b))):
        for key in list(dict.fromkeys([*left, *right])):
            if (key in left) != (key in right):
                out.differences.append(Difference(kind, key, left.get(key, _MISSING), right.get(key, _MISSING)))
    return out


def _shown(value: Any, kind: str) -> str:
    if value is _MISSING:
        return "—absent—"
    if value is None:
        return "null"
    if kind == "section" and isinstance(value, str):
        return value if len(value) <= 60 else f"{value[:57]}… ({len(value)} chars)"
    return str(value)


def render(result: ReportDiff, name_a: str, name_b: str, console: Any = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    if not result.differences:
        console.print("[green]no differences[/green]")
        return
    table = Table(title=f"{len(result.differences)} difference(s)", title_justify="left", show_lines=False)
    table.add_column("what", style="dim", no_wrap=True)
    table.add_column("field", no_wrap=True)
    table.add_column(name_a, overflow="fold", style="red")
    table.add_column(name_b, overflow="fold", style="green")
    for d in result.differences:
        table.add_row(d.kind, d.key, _shown(d.a, d.kind), _shown(d.b, d.kind))
    console.print(table, highlight=False)
    counts = ", ".join(f"{len(result.of(k))} {k}" for k in ("metadata", "value", "section", "check", "issue")
                       if result.of(k))
    console.print(f"[dim]{counts}[/dim]")
