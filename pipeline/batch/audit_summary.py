"""`nianbao audit JOB --summary`: one table per body of its findings, the worst bodies first."""

from __future__ import annotations

import sys
from collections import Counter

from rich.console import Console
from rich.table import Table

from pipeline.batch.audit import SEVERITY, Finding

COLOURS = {"error": "red", "warning": "yellow"}


def _body(finding: Finding) -> str:
    return finding.body_name or finding.agency or finding.body_id or finding.path


def _worst_first(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """Bodies by errors, then warnings, then name; within a body errors first, then by year."""
    bodies: dict[str, list[Finding]] = {}
    for finding in findings:
        bodies.setdefault(_body(finding), []).append(finding)
    order = {code: i for i, code in enumerate(SEVERITY)}

    def weight(item: tuple[str, list[Finding]]) -> tuple:
        counts = Counter(f.severity for f in item[1])
        return -counts["error"], -counts["warning"], item[0]

    return [(name, sorted(found, key=lambda f: (f.severity != "error", order[f.code], f.year or 0, f.field)))
            for name, found in sorted(bodies.items(), key=weight)]


def print_audit_summary(findings: list[Finding], console: Console | None = None) -> None:
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    if not findings:
        console.print("no findings")
        return
    for name, found in _worst_first(findings):
        counts = Counter(f.severity for f in found)
        table = Table(title=f"{name}: {counts['error']} errors, {counts['warning']} warnings", title_justify="left")
        for column in ("year", "severity", "code", "field", "detail", "file"):
            table.add_column(column, overflow="fold")
        for f in found:
            colour = COLOURS[f.severity]
            table.add_row(str(f.year or ""), f"[{colour}]{f.severity}[/{colour}]", f.code, f.field, f.detail,
                          f.path + (f"!{f.member}" if f.member else ""))
        console.print(table)
    totals = Counter(f.code for f in findings)
    console.print("findings: " + ", ".join(f"{code} {totals[code]}" for code in SEVERITY if totals[code]))
