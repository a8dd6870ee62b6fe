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


KINDS = ("metadata", "value", "section", "check", "issue")
SHOWN_CELLS = 60  # terminal columns a long value may take before it is elided (a CJK character takes two)
MIN_CELLS = 16


def _shown(value: Any, cells: int = SHOWN_CELLS) -> str:
    """A value on one line, at most `cells` columns wide: long texts elided with their length, ⏎ for newlines."""
    from rich.cells import cell_len

    if value is _MISSING:
        return "—absent—"
    if value is None:
        return "null"
    text = str(value).replace("\r\n", "\n").replace("\n", "⏎")
    if cell_len(text) <= cells:
        return text
    suffix = f"… ({len(text)} chars)"
    room, cut = cells - len(suffix), 0
    while cut < len(text) and cell_len(text[: cut + 1]) <= room:
        cut += 1
    return text[: max(cut, 1)] + suffix


def to_json(result: ReportDiff, name_a: str, name_b: str) -> dict[str, Any]:
    """The differences as data: `a`/`b` are left out where that report lacks the key (null is null)."""
    def entry(d: Difference) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": d.kind, "key": d.key}
        out.update({side: v for side, v in (("a", d.a), ("b", d.b)) if v is not _MISSING})
        return out

    return {"a": name_a, "b": name_b, "same": not result.differences,
            "counts": {k: len(result.of(k)) for k in KINDS if result.of(k)},
            "differences": [entry(d) for d in result.differences]}


def render(result: ReportDiff, name_a: str, name_b: str, console: Any = None) -> None:
    """One line per difference, grouped by kind: `key  A → B`, ids whole, long values elided.

    Lines are never wrapped (ids stay greppable when piped); on a terminal, values are shortened
    further so that each line fits its width.
    """
    from rich.console import Console
    from rich.text import Text

    console = console or Console(soft_wrap=True, highlight=False)
    if not result.differences:
        console.print("no differences", style="green")
        return
    console.print(Text.assemble(("--- ", "red"), (name_a, "red")))
    console.print(Text.assemble(("+++ ", "green"), (name_b, "green")))
    width = console.width if console.is_terminal else None
    for kind in KINDS:
        found = result.of(kind)
        if not found:
            continue
        console.print(Text(f"{kind} ({len(found)})", style="bold"))
        key_width = max(len(d.key) for d in found)
        # on a terminal, the room left on the line for the two values; piped, a fixed length
        cells = max(MIN_CELLS, min(SHOWN_CELLS, (width - key_width - 7) // 2)) if width else SHOWN_CELLS
        for d in found:
            console.print(Text.assemble("  ", (d.key.ljust(key_width), "cyan"), "  ", (_shown(d.a, cells), "red"),
                                        " → ", (_shown(d.b, cells), "green")))
    counts = ", ".join(f"{len(result.of(k))} {k}" for k in KINDS if result.of(k))
    console.print(Text(f"{len(result.differences)} difference(s): {counts}", style="dim"))

