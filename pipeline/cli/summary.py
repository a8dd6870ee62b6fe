"""The table `nianbao convert --summary` prints: one line per file."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from pipeline.report import Report


def print_summary(rows: list[tuple[str, Report | None, str | None]]) -> None:
    """rows: (path, report or None, error or None)."""
    files = [os.path.abspath(p) for p, _, _ in rows if p != "-"]
    common = os.path.commonpath(files) if len(files) > 1 else ""
    rows = [(os.path.relpath(os.path.abspath(p), common) if common and p != "-" else p, r, e) for p, r, e in rows]
    failures = any(report is None for _, report, _ in rows)
    table = Table(title="nianbao convert", show_lines=False)
    for name in ("file", "status", "template", "year", "agency", "filled", "failed checks") + ("reason",) * failures:
        table.add_column(name, overflow="fold")
    for path, report, error in rows:
        if report is None:
            table.add_row(path, "[red]failed[/red]", "", "", "", "", "", f"[red]{error}[/red]")
            continue
        values = report.values()
        filled = sum(v is not None for v in values.values())
        failing = sorted({c.rule for c in report.checks if not c.ok})
        table.add_row(path, "ok", report.report.template, str(report.report.year or ""), report.report.agency or "",
                      f"{filled}/{len(values)}", ", ".join(failing) or "-", *([""] * failures))
    Console(width=None if sys.stdout.isatty() else 160).print(table)
