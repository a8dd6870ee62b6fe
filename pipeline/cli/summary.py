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
    common = os.path.commonpath([p for p, _, _ in rows]) if len(rows) > 1 else ""
    rows = [(os.path.relpath(p, common) if common else p, r, e) for p, r, e in rows]
    table = Table(title="nianbao convert", show_lines=False)
    for name in ("file", "template", "year", "agency", "filled", "failed checks"):
        table.add_column(name, overflow="fold")
    for path, report, error in rows:
        if report is None:
            table.add_row(path, "[red]error[/red]", "", "", "", f"[red]{error}[/red]")
            continue
        values = report.values()
        filled = sum(v is not None for v in values.values())
        failing = sorted({c.rule for c in report.checks if not c.ok})
        table.add_row(path, report.report.template, str(report.report.year or ""), report.report.agency or "",
                      f"{filled}/{len(values)}", ", ".join(failing) or "-")
    Console(width=None if sys.stdout.isatty() else 160).print(table)
