"""`nianbao explain FILE FIELD`: why one field holds the value it holds.

Everything a reviewer asks about a suspicious number, in one place: the value and the raw cell
text, where the cell is (table ordinal, row, col, page, bbox), the row label as written and the
label-table variant it matched, the header cell that named the column, the whole source row, and
every issue and failed check that touches the field.

The normaliser records the row label text and the column key; the matched variant and the header
cell are re-derived here from labels.tsv and the table (marked "derived"), so this module never
reaches into the table reader's internals.
"""

from __future__ import annotations

import dataclasses  # dataclasses.field, since Explanation has an attribute named field
import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.fields import all_fields
from pipeline.intermediate import Cell, Document, Table
from pipeline.normalise.labels import Label, fold, labels
from pipeline.normalise.template import FLOW_ROWS, RESULTS_TOTAL
from pipeline.report import Check, Issue, Provenance, Report, Statement


def load_report(path: Path) -> tuple[Report, Document | None]:
    """A report from a report JSON, an intermediate JSON or a source document (converted here)."""
    from pipeline.normalise import normalise

    if path.suffix.lower() == ".json":
        data = json.loads(path.read_bytes())
        schema = data.get("schema") if isinstance(data, dict) else None
        if schema == "nianbao.report/1":
            return Report.model_validate(data), None
        if str(schema).startswith("nianbao.intermediate/"):
            doc = Document.model_validate(data)
            return normalise(doc), doc
    from extractors import extract
    from pipeline.limits import DEFAULT_MAX_BYTES

    doc = extract(path, max_bytes=DEFAULT_MAX_BYTES)
    return normalise(doc), doc


def checks_on(field_id: str, checks: list[Check]) -> list[Check]:
    """The failed checks whose arithmetic includes this field."""
    parts = field_id.split(".")
    if len(parts) != 3:
        return []
    top, row, col = parts
    out = []
    for check in checks:
        if check.ok:
            continue
        if check.rule == "applications.row_total" and top == "applications":
            hit = check.row == row
        elif check.rule == "applications.results_total" and top == "applications":
            hit = check.column == col and (row not in FLOW_ROWS or row == RESULTS_TOTAL)  # outcome rows, （七）
        elif check.rule == "applications.balance" and top == "applications":
            hit = check.column == col and row in FLOW_ROWS
        elif check.rule == "review_litigation.total" and top == "review_litigation":
            hit = check.group == row
        else:
            hit = False
        if hit:
            out.append(check)
    return out


def issues_on(field_id: str, issues: list[Issue]) -> list[Issue]:
    """Issues naming this field, its row (e.g. `applications.granted`) or its unit field."""
    return [i for i in issues if i.field and (field_id == i.field or field_id.startswith(i.field + ".")
                                               or i.field == field_id + "_unit")]


def matched_row_variant(row_label: str, field_id: str) -> Label | None:
    """The labels.tsv row (or group) variant inside the row's label text that names this field's row."""
    top, row_key = field_id.split(".")[:2]
    if top == "review_litigation" or not row_key:
        return None
    table = labels()
    text = fold(row_label)
    for lab in table.of("strip"):
        text = text.replace(lab.variant, "")
    best = table.best(text, "row", accept=lambda lab: lab.key == row_key)
    if best is None:  # rows named by their group alone (2019's （六）其他处理)
        best = table.best(text, "group", accept=lambda lab: lab.key == row_key)
    return best


def header_cell(table: Table, prov: Provenance, field_id: str) -> tuple[Cell, Label] | None:
    """The nearest cell above the value, covering its column, whose text names the field's column."""
    return _label_above(table, prov, "column", prov.column.split(".")[-1] or field_id.split(".")[-1])


def group_cell(table: Table, prov: Provenance, field_id: str) -> tuple[Cell, Label] | None:
    """For table 四: the header cell above the value naming its group (行政复议, 复议后起诉…)."""
    return _label_above(table, prov, "colgroup", field_id.split(".")[1])


def _label_above(table: Table, prov: Provenance, kind: str, key: str) -> tuple[Cell, Label] | None:
    """The nearest cell above the value, covering its column, holding a `kind` label for `key`."""
    found = None
    for cell in table.cells:
        if cell.row >= prov.row or not (cell.col <= prov.col < cell.col + cell.colspan):
            continue
        lab = labels().best(fold(cell.text), kind, accept=lambda lab: lab.key == key)
        if lab is not None and (found is None or cell.row > found[0].row):
            found = (cell, lab)
    return found


@dataclass
class Explanation:
    """What `explain` prints, as data (tests and the review site read it too)."""

    field: str
    known: bool
    template: str
    value: Any = None
    in_report: bool = False
    row_label_spec: str = ""
    column_label_spec: str = ""
    provenance: Provenance | None = None
    variant: Label | None = None
    header: tuple[Cell, Label] | None = None
    group: tuple[Cell, Label] | None = None
    source_row: list[Cell] = dataclasses.field(default_factory=list)
    issues: list[Issue] = dataclasses.field(default_factory=list)
    checks: list[Check] = dataclasses.field(default_factory=list)
    suggestions: list[str] = dataclasses.field(default_factory=list)
    # what the prose says, with (reading, the table's number) when the table contradicts it
    statements: list[tuple[Statement, tuple[str, float] | None]] = dataclasses.field(default_factory=list)

    @property
    def placement(self) -> str:
        """How the value was placed: the normaliser's own record, else as far as the document shows it."""
        if self.provenance is None:
            return "not placed: no table cell was read into this field"
        method = self.provenance.method
        if method:
            return {"position": f"by position, under the header cell that names the column (scheme "
                                f"{self.provenance.scheme})",
                    "order": f"in order: the row's values taken left to right (scheme {self.provenance.scheme})",
                    "header": "by the header tree: the header cells' document order laid out as the template "
                              f"nests them, the text having lost their positions (scheme {self.provenance.scheme})",
                    "neighbours": "row placed by its neighbours (its label matched no template row)"}.get(method, method)
        if any(i.code == "row_label_lost" for i in self.issues):
            return "row placed by its neighbours (its label matched no template row)"
        if self.header is not None:
            return "by position, under the header cell that names the column"
        return "in order (no header cell above the value names this column)"


def explain(report: Report, doc: Document | None, field_id: str) -> Explanation:
    fields = all_fields()
    spec = fields.get(field_id)
    values = report.values()
    out = Explanation(field=field_id, known=spec is not None, template=report.report.template)
    if spec is None and field_id.startswith("legacy."):
        return _explain_legacy(report, doc, field_id, out)
    if spec is None:
        out.suggestions = difflib.get_close_matches(field_id, list(fields), n=5, cutoff=0.6)
        return out
    out.row_label_spec, out.column_label_spec = spec.row_label, spec.column_label
    out.in_report = field_id in values
    out.value = values.get(field_id)
    out.issues = issues_on(field_id, report.issues)
    out.checks = checks_on(field_id, report.checks)
    out.statements = [(s, s.disagreement(values)) for s in statements_on(field_id, report.statements)]
    prov = report.provenance.get(field_id)
    out.provenance = prov
    if prov is None:
        return out
    out.variant = matched_row_variant(prov.row_label, field_id)
    if doc is not None and 0 <= prov.block < len(doc.blocks) and isinstance(table := doc.blocks[prov.block], Table):
        out.source_row = table.rows()[prov.row] if prov.row < table.n_rows else []
        out.header = header_cell(table, prov, field_id)
        if field_id.startswith("review_litigation."):
            out.group = group_cell(table, prov, field_id)
    return out


def _explain_legacy(report: Report, doc: Document | None, field_id: str, out: Explanation) -> Explanation:
    """A pre-2019 statistics-table value (legacy.<field>.<this_period|cumulative|ytd>): its row's label
    variants (legacy-fields.tsv), the cell it came from and its source row."""
    from pipeline.legacy_fields import LEGACY_COLUMNS, legacy_fields

    base, _, column = field_id.rpartition(".")
    spec = legacy_fields().get(base)
    if spec is None or column not in LEGACY_COLUMNS:
        wanted = [f"{f}.{c}" for f in legacy_fields() for c in LEGACY_COLUMNS]
        out.suggestions = difflib.get_close_matches(field_id, wanted, n=5, cutoff=0.6)
        return out
    out.known = True
    out.row_label_spec, out.column_label_spec = " · ".join(spec.variants), column
    values = report.values()
    out.in_report = field_id in values
    out.value = values.get(field_id)
    out.issues = issues_on(base, report.issues)
    out.checks = [c for c in report.checks if c.row == base and not c.ok]
    prov = out.provenance = report.provenance.get(field_id)
    # provenance.variant names the legacy-fields.tsv variant (no labels.tsv Label here)
    if prov is not None and doc is not None and 0 <= prov.block < len(doc.blocks) \
            and isinstance(table := doc.blocks[prov.block], Table):
        out.source_row = table.rows()[prov.row] if prov.row < table.n_rows else []
    return out


def render(exp: Explanation, console: Any = None) -> None:
    """Print an Explanation with rich."""
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    console = console or Console()
    if not exp.known:
        console.print(f"[red]{exp.field}[/red]: not a field of the report schema", highlight=False)
        if exp.suggestions:
            console.print("did you mean: " + ", ".join(exp.suggestions), highlight=False)
        return
    grid = RichTable.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()

    def line(name: str, value: Any, style: str = "") -> None:
        grid.add_row(name, Text(str(value), style=style))

    value_style = "bold red" if exp.checks else "bold yellow" if exp.value is None else "bold green"
    line("field", exp.field, "bold")
    line("template row", exp.row_label_spec)
    line("template column", exp.column_label_spec)
    if not exp.in_report:
        line("value", f"not in a {exp.template}-template report", "dim")
    else:
        line("value", "null" if exp.value is None else exp.value, value_style)
    p = exp.provenance
    if p is not None:
        line("raw cell text", repr(p.raw))
        where = f"table {p.table} (block {p.block}), row {p.row}, col {p.col}"
        line("cell", where)
        line("page", p.page if p.page is not None else "-")
        line("bbox", ", ".join(f"{v:.1f}" for v in p.bbox) if p.bbox else "-")
        line("row label", p.row_label or "(none)")
        if p.variant:
            v = exp.variant
            detail = f" ({v.kind} {v.key!r}, context {v.context}, template {v.template})" if v else ""
            line("matched variant", f"'{p.variant}'{detail}")
        elif exp.variant is not None:
            v = exp.variant
            line("matched variant", f"{v.kind} {v.key!r} ← '{v.variant}' (context {v.context}, template "
                                    f"{v.template}) [derived]")
        elif exp.field.startswith("review_litigation."):
            line("matched variant", "— (table 四's data row has no label: its group header names it)")
        else:
            line("matched variant", "none: no label variant of this row is in the label text", "yellow")
        line("column", p.column or "-")
        if exp.header is not None:
            cell, lab = exp.header
            line("header cell", f"row {cell.row}, col {cell.col}"
                                f"{f'–{cell.col + cell.colspan - 1}' if cell.colspan > 1 else ''}: "
                                f"'{cell.text}' ← variant '{lab.variant}' (scheme {lab.scheme}) [derived]")
        if exp.group is not None:
            cell, lab = exp.group
            line("group cell", f"row {cell.row}, col {cell.col}: '{cell.text}' ← variant '{lab.variant}' [derived]")
        line("placed", exp.placement)
    else:
        line("placed", exp.placement, "yellow")
    console.print(grid, highlight=False)
    if exp.source_row and p is not None:
        row = RichTable(title=f"source row {p.row} of table {p.table}", title_justify="left", show_lines=False)
        for cell in exp.source_row:
            span = f" ⟨{cell.rowspan}×{cell.colspan}⟩" if cell.rowspan > 1 or cell.colspan > 1 else ""
            row.add_column(f"c{cell.col}{span}", style="bold reverse" if cell.col == p.col else "",
                           overflow="fold", max_width=30)
        row.add_row(*[c.text for c in exp.source_row])
        console.print(row, highlight=False)
    for issue in exp.issues:
        colour = {"error": "red", "warning": "yellow"}.get(issue.level, "blue")
        console.print(f"[{colour}]{issue.level} {issue.code}[/{colour}]: {issue.message}", highlight=False)
    for check in exp.checks:
        console.print(f"[red]check {check.rule} fails[/red]: {check.message}", highlight=False)
    for statement, found in exp.statements:
        said = f"prose, section {statement.section}: «{statement.sentence}» says {statement.value}"
        if found is None:
            console.print(f"[green]{said}: agrees with the table[/green]", highlight=False)
        else:
            reading, table = found
            read_as = f" (read as {reading})" if reading != exp.field else ""
            console.print(f"[red]text_table_mismatch[/red]: {said}{read_as}, the table {table:g}", highlight=False)
    if not exp.issues and not exp.checks and all(found is None for _, found in exp.statements):
        console.print("[green]no issue and no failed check on this field[/green]")


def statements_on(field_id: str, statements: list[Statement]) -> list[Statement]:
    """The prose statements one of whose readings holds this field."""
    return [s for s in statements if any(field_id in reading.split("+") for reading in (s.field, *s.also))]


def explain_prefix(report: Report, prefix: str) -> list[str]:
    """Field ids under a row or table prefix (`applications.granted`), for a short listing."""
    return [f for f in report.values() if f.startswith(prefix.rstrip(".") + ".")]
