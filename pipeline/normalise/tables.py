"""Reading the three template tables out of whatever tables the extractor found.

Tables are never recognised by position or count: every row of every table is read as one stream,
in document order, so a table cut by a page break, split into pieces, or merged with its neighbour
reads the same. Each row is a header (its cells name columns), a data row (its label names a
template row and its trailing cells are values), or neither. Values go to columns by the grid
position under the header when that is consistent, else in order. Rows whose label was lost are
placed afterwards by their neighbours, with an issue, never silently.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pipeline.fields import TABLE_PREFIX, Field, all_fields
from pipeline.intermediate import Cell, Document, Table
from pipeline.normalise.headers import HeaderTree, Node
from pipeline.normalise.labels import Label, LabelTable, fold, labels
from pipeline.normalise.template import REVIEW_GROUPS, REVIEW_PARTS, TOTAL, row_templates, rows_of
from pipeline.normalise.values import CellValue, fit_field, parse_cell

HEADER_KINDS = ("column", "colgroup", "span", "ignore")
T4_CELLS = len(REVIEW_GROUPS) * len(REVIEW_PARTS)  # table 四's one data row (table 三's rows have seven)


@dataclass
class Placed:
    """One value put into one field, with where it came from."""

    field: str
    value: int | float | str | None
    raw: str
    block: int
    row: int
    col: int
    page: int | None
    bbox: tuple[float, float, float, float] | None
    row_label: str  # the row's label text as read
    column_label: str
    variant: str = ""  # the labels.tsv variant that named the row
    method: str = ""  # position (under its header cell), header (laid out by the template's header tree),
    # order, or neighbours (label lost)
    scheme: str = ""  # the column layout (labels.tsv context) the value was read with


@dataclass
class Finding:
    level: str
    code: str
    message: str
    field: str | None = None


@dataclass
class _PendingRow:
    """A table 三 data row whose label matched nothing."""

    block: int
    row: int
    label: str
    values: list[tuple[Cell, CellValue]]


@dataclass
class TableReading:
    """Everything the reader found: values, template evidence, issues."""

    placed: dict[str, Placed] = field(default_factory=dict)
    evidence: Counter = field(default_factory=Counter)  # "t2:2019", "t3:2021"... -> rows/headers seen
    findings: list[Finding] = field(default_factory=list)
    tables_seen: set[str] = field(default_factory=set)  # t2 / t3 / t4


@dataclass
class _Row:
    cells: list[Cell]
    text_cells: list[Cell]
    values: list[tuple[Cell, CellValue]]
    label: str  # folded text of the label cells


def _split_row(cells: list[Cell]) -> _Row:
    """The row's label (its text cells) and the value cells after the last of them.

    A cell in Chinese numerals (`三十四`) is a value after the label, but before it (or in a row
    with no other text) it may be the row's number (`一`), so there it stays text, as it always was.
    """
    parsed = [(c, parse_cell(c.text)) for c in cells]
    last_text = max((i for i, (_, p) in enumerate(parsed) if not p.is_value or p.spelled), default=-1)
    last_label = max((i for i, (_, p) in enumerate(parsed) if not p.is_value), default=-1)
    if last_label >= 0:
        last_text = last_label
    text_cells = [c for c, p in parsed[: last_text + 1] if not p.is_value or p.spelled]
    label = fold("".join(c.text for c in text_cells))
    return _Row(cells, text_cells, parsed[last_text + 1 :], label)


class _Schemes:
    """Column schemes (header layouts) and the columns each has, from the label table."""

    def __init__(self, table: LabelTable):
        self.columns: dict[str, list[str]] = {}
        self.groups: dict[str, list[str]] = {}
        self.template: dict[str, str] = {}
        for lab in table.labels:
            if lab.kind == "column":
                cols = self.columns.setdefault(lab.scheme, [])
                if lab.key not in cols:
                    cols.append(lab.key)
                if lab.template != "*":
                    self.template[lab.scheme] = lab.template
            elif lab.kind == "colgroup":
                groups = self.groups.setdefault(lab.scheme, [])
                if lab.key not in groups:
                    groups.append(lab.key)

    def canonical(self, scheme: str) -> list[str]:
        """The value columns of a scheme in template order (group.column for grouped schemes)."""
        cols = self.columns[scheme]
        groups = self.groups.get(scheme)
        return [f"{g}.{c}" for g in groups for c in cols] if groups else list(cols)

    def table_of(self, scheme: str) -> str:
        return scheme[:2]


class TableReader:
    """Reads the template's values out of a document's tables."""

    def __init__(self) -> None:
        self.labels = labels()
        self.fields = all_fields()
        self.schemes = _Schemes(self.labels)
        self.t3_order = rows_of("t3")  # both templates' rows: a lost label is placed between its neighbours
        self.reading = TableReading()
        self._scheme: str | None = None  # scheme of the last header
        self._group: str | None = None  # open group of table 三
        self._colmaps: dict[str, dict[int, str]] = {}
        self._groupmaps: dict[str, dict[int, str]] = {}
        self._n_cols: int | None = None
        self._t3_sequence: list[str | _PendingRow] = []
        self._group_keys = {lab.key for lab in self.labels.of("group")}
        self._trees = {s: HeaderTree(s, self.labels) for s in self.schemes.columns}
        self._header_cells: dict[str, list[tuple[Node, int]]] = {}  # header cells (and columns) in document order
        self._header_done: set[str] = set()  # schemes whose header was followed by data
        self._inferred: set[str] = set()  # schemes whose columns were laid out by the header tree
        self._ordered: set[str] = set()  # tables with values placed in the template's column order
        self._layouts: dict[str, list[str] | None] = {}  # scheme -> leaves of its header cells laid out

    # ---- public
    def read(self, doc: Document) -> TableReading:
        for index, block in enumerate(doc.blocks):
            if isinstance(block, Table):
                self._read_table(index, block)
        self._place_pending_rows()
        return self.reading

    # ---- per table and row
    def _read_table(self, block: int, table: Table) -> None:
        if table.n_cols != self._n_cols:  # header positions only carry over to a same-shaped piece
            self._colmaps, self._groupmaps = {}, {}
        self._n_cols = table.n_cols
        for r, cells in enumerate(table.rows()):
            if cells:
                self._read_row(block, r, _split_row(cells))

    def _read_row(self, block: int, r: int, row: _Row) -> None:
        header = self._header_scheme(row)
        label, group = self._strip_groups(row.label)
        row_label = self._row_label(label, group) if label else None
        named_row = row_label is not None and row_label.key != "-"
        has_values = any(not v.is_null for _, v in row.values)
        split = self._split_collapsed(row) if header and header[1] >= 2 and has_values else None
        if split is not None:  # header words, a row label and values flattened into one row
            row, header = split, None
            label, group = self._strip_groups(row.label)
            row_label = self._row_label(label, group) if label else None
            named_row = row_label is not None and row_label.key != "-"
        if group is not None:
            self._group = group
        if header and ((header[1] >= 2 and not (named_row and has_values)) or (not named_row and not has_values)):
            self._take_header(header[0], row)
            return
        if row_label is not None and not named_row:
            return
        if row_label is None and group is not None:
            if row.values and f"applications.{group}.{TOTAL}" in self.fields:
                named_by = self.labels.best(row.label, "group", accept=lambda lab: lab.key == group)
                self._take_data(block, r, row, "t3", group, named_by.variant if named_by else "")
            elif has_values:
                self._finding("info", "subtotal_row", f"row '{row.label}' is a group subtotal, not a template row")
            return
        if row_label is not None:
            if row_label.table == "t3" and row_label.key.split("_")[0] not in self._group_keys:
                self._group = None  # a top-level row of 三 closes the open group
            if row.values:
                self._take_data(block, r, row, row_label.table, row_label.key, row_label.variant)
            return
        if has_values:
            self._take_unlabelled(block, r, row)

    def _is_header_cell(self, folded: str) -> bool:
        """A cell that names a column rather than a row (`总计` alone is a header; `（七）总计` a row)."""
        if any(lab.variant == folded for lab in self.labels.of(*HEADER_KINDS)):
            return True
        column = self.labels.best(folded, *HEADER_KINDS)
        row = self.labels.best(folded, "row", "group")
        return column is not None and (row is None or len(column.variant) > len(row.variant))

    def _split_collapsed(self, row: _Row) -> _Row | None:
        """Take the header out of a row that also carries values; return the rest, or None."""
        header_cells = [c for c in row.text_cells if self._is_header_cell(fold(c.text))]
        if len(header_cells) < 2:
            return None
        header_ids = {id(c) for c in header_cells}
        header_row = _Row(row.cells, header_cells, [], "")
        found = self._header_scheme(header_row)
        if found is None:
            return None
        self._take_header(found[0], header_row)
        label_cells = [c for c in row.text_cells if id(c) not in header_ids]
        return _Row(row.cells, label_cells, row.values, fold("".join(c.text for c in label_cells)))

    def _header_scheme(self, row: _Row) -> tuple[str, int] | None:
        """(scheme, number of cells naming a column) when the row's cells name columns."""
        votes: dict[str, set[str]] = {}
        matched_cells = 0
        for cell in row.text_cells:
            found = self.labels.all_longest(fold(cell.text), *HEADER_KINDS)
            matched_cells += bool(found)
            for lab in found:
                votes.setdefault(lab.scheme, set()).add(f"{lab.kind}:{lab.key}")
        if not votes:
            return None
        def strength(scheme: str) -> tuple[int, bool, int]:
            named = len({v for v in votes[scheme] if not v.startswith("ignore")})
            current = scheme == self._scheme
            # a header spread over several rows stays in its scheme: the current one gets a bonus
            return named + (1 if named and current else 0), current, len(votes[scheme])

        best = max(votes, key=strength)
        return best, matched_cells

    def _take_header(self, scheme: str, row: _Row) -> None:
        if scheme not in self.schemes.columns:  # only ignorable words: keep the scheme we had
            return
        self._scheme = scheme
        self.reading.tables_seen.add(self.schemes.table_of(scheme))
        if scheme in self.schemes.template:
            self.reading.evidence[f"{self.schemes.table_of(scheme)}:{self.schemes.template[scheme]}"] += 1
        colmap = self._colmaps.setdefault(scheme, {})
        groupmap = self._groupmaps.setdefault(scheme, {})
        if scheme in self._header_done:  # a new header after data: a new table or a repeated header
            self._header_done.discard(scheme)
            self._header_cells[scheme] = []
        run = self._header_cells.setdefault(scheme, [])
        self._layouts.pop(scheme, None)
        for cell in row.text_cells:
            # the longest label over all header kinds: `法人或其他组织` is a span, not the column `其他`
            found = [lab for lab in self.labels.all_longest(fold(cell.text), *HEADER_KINDS) if lab.scheme == scheme]
            if not found or found[0].kind == "ignore":
                continue
            lab = found[0]
            run.append((Node(lab.kind, lab.key), cell.col))
            if lab.kind == "span":
                continue
            target = colmap if lab.kind == "column" else groupmap
            for c in range(cell.col, cell.col + cell.colspan):
                target[c] = lab.key

    def _strip_groups(self, label: str) -> tuple[str, str | None]:
        """The label without group words (（三）不予公开 …) and ignorable words, and the group named."""
        group = None
        for lab in self.labels.of("group"):
            if lab.variant in label:
                group = group or lab.key
                label = label.replace(lab.variant, "")
        for lab in self.labels.of("strip"):
            label = label.replace(lab.variant, "")
        return label, group

    def _row_label(self, label: str, group: str | None = None) -> Label | None:
        def fits(lab: Label) -> bool:
            return lab.needs_group is None or lab.needs_group == (group or self._group)

        return self.labels.best(label, "row", accept=fits)

    # ---- data rows
    def _take_data(self, block: int, r: int, row: _Row, table: str, key: str, variant: str) -> None:
        self.reading.tables_seen.add(table)
        if table == "t3":
            self._t3_sequence.append(key)
            scheme = "t3"
        else:
            fitted = self._scheme_for_t2(key, row)
            if fitted is None:
                self._finding("warning", "no_columns", f"row '{row.label}': no column layout fits its values")
                return
            scheme = fitted
        only = row_templates(table, key)
        if len(only) == 1:  # a row that exists in one template only is evidence for it
            self.reading.evidence[f"{table}:{next(iter(only))}"] += 1
        self._place_row(block, r, row.values, table, key, scheme, row.label, variant)

    def _scheme_for_t2(self, key: str, row: _Row) -> str | None:
        allowed = [s for s in self.schemes.columns if s.startswith("t2") and self._columns_for(key, s)]
        if self._scheme in allowed:
            return self._scheme
        count = _count(row.values)
        exact = [s for s in allowed if len(self._columns_for(key, s)) == count]
        pool = exact or allowed
        if not pool:
            return None
        leaning = "2019" if self.reading.evidence["t2:2019"] > self.reading.evidence["t2:2021"] else "2021"
        return next((s for s in pool if self.schemes.template.get(s) == leaning), pool[0])

    def _columns_for(self, key: str, scheme: str) -> list[str]:
        prefix = TABLE_PREFIX[self.schemes.table_of(scheme)]
        return [c for c in self.schemes.canonical(scheme) if f"{prefix}.{key}.{c}" in self.fields]

    def _take_unlabelled(self, block: int, r: int, row: _Row) -> None:
        n_values = _count(row.values)
        if self._scheme == "t4" or n_values >= T4_CELLS - 2:  # two of 四's cells may be lost
            if self._scheme != "t4":
                self._finding("warning", "header_missing", "table 四 values found without its header")
            self.reading.tables_seen.add("t4")
            placed = self.reading.placed
            if any(placed[f].value is not None for f in placed if f.startswith("review_litigation.")):
                self._finding("warning", "duplicate_row", "a second table 四 data row was ignored")
                return
            self._place_row(block, r, row.values, "t4", "", "t4", row.label, "")
        elif self._scheme == "t3" or self.reading.tables_seen & {"t3"}:
            self._t3_sequence.append(_PendingRow(block, r, row.label, row.values))
        else:
            self._finding("info", "unknown_row", f"row '{row.label or '(no label)'}' matches no template row")

    def _place_row(self, block: int, r: int, values: list[tuple[Cell, CellValue]], table: str, key: str,
                   scheme: str, label_text: str, variant: str, method: str | None = None) -> None:
        prefix = TABLE_PREFIX[table]
        columns = self._columns_for(key, scheme) if table != "t4" else self.schemes.canonical("t4")
        where = f"{'table ' + {'t2': '二', 't3': '三', 't4': '四'}[table]} row '{label_text or 'values'}'"
        self._header_done.add(scheme)
        pairs = self._positional(values, scheme, columns)
        by_tree = self._by_header_tree(values, scheme, columns, pairs)
        if by_tree is not None:
            pairs, method = by_tree, method or "header"
        elif pairs is not None:
            method = method or "position"
        else:
            pairs, method = self._in_order(values, columns, where), method or "order"
            if table in ("t3", "t4") and method == "order" and table not in self._ordered:
                self._ordered.add(table)
                self._finding("info", "columns_by_order",
                              f"table {'三' if table == 't3' else '四'}: no header gave the values' columns; "
                              "they were placed in the template's column order")
        any_value = any(v.value is not None for _, (_, v) in pairs.items())
        for column, (cell, value) in pairs.items():
            field_id = f"{prefix}.{key}.{column}" if key else f"{prefix}.{column}"
            spec = self.fields.get(field_id)
            if spec is None:
                continue
            previous = self.reading.placed.get(field_id)
            if previous is not None and (previous.value is not None or not any_value):
                continue  # the first real value wins; a later blank never erases it
            number = self._fitted(field_id, spec, value)
            unit_field = f"{field_id}_unit"
            if spec.type == "decimal" and value.unit == "元" and "10k_yuan" in field_id and number is not None:
                self._finding("warning", "unit_converted", f"{field_id}: '{value.raw}' in 元, converted to 万元",
                              field_id)
                number = number / 10000
            if value.annotated:
                self._finding("info", "annotated_value", f"{field_id}: note after the number ignored: '{value.raw}'",
                              field_id)
            where_from = (value.raw, block, cell.row, cell.col, cell.page, cell.bbox, label_text, column, variant,
                          method, scheme)
            self.reading.placed[field_id] = Placed(field_id, number, *where_from)
            if unit_field in self.fields:
                self.reading.placed[unit_field] = Placed(unit_field, value.unit, *where_from)

    def _fitted(self, field_id: str, spec: Field, value: CellValue) -> int | float | None:
        """The cell's value as the field holds it; an issue naming the field when it is not one clean number."""
        number, doubt = value.value, value.doubt
        if number is not None:
            number, unfit = fit_field(number, spec.type, spec.signed)
            doubt = "; ".join(filter(None, (doubt, unfit)))
        if doubt:
            outcome = "left null" if number is None else f"read as {number}"
            self._finding("warning", "odd_value", f"{field_id}: '{value.raw.strip()}': {doubt}, {outcome}",
                          field_id)
        return number

    def _positional(self, values: list[tuple[Cell, CellValue]], scheme: str,
                    columns: list[str]) -> dict[str, tuple[Cell, CellValue]] | None:
        """Values by the header's column positions, when every value sits under a distinct column."""
        colmap = self._colmaps.get(scheme)
        if not colmap:
            return None
        groupmap = self._groupmaps.get(scheme, {})
        out: dict[str, tuple[Cell, CellValue]] = {}
        for cell, value in values:
            key = colmap.get(cell.col)
            if key is not None and scheme in self.schemes.groups:
                group = groupmap.get(cell.col)
                key = f"{group}.{key}" if group else None
            if key is None or key not in columns:
                if value.is_null and not cell.text.strip():
                    continue
                return None
            if key in out:
                if (value.is_null and not cell.text.strip()) or cell.text.strip() == out[key][0].text.strip():
                    continue  # a blank placeholder, or a merged value repeated by the converter
                return None
            out[key] = (cell, value)
        if not any(v.value is not None for _, v in out.values()) and len(out) < len(columns):
            return None
        return out

    def _by_header_tree(self, values: list[tuple[Cell, CellValue]], scheme: str, columns: list[str],
                        positional: dict[str, tuple[Cell, CellValue]] | None
                        ) -> dict[str, tuple[Cell, CellValue]] | None:
        """Values by the header laid out again from its cells' document order, when the positions
        the text gave cannot be trusted: none fit, or they order the columns against the tree."""
        tree = self._trees.get(scheme)
        if tree is None or not tree.has_structure:
            return None
        if scheme not in self._layouts:  # laid out once per header, not per row
            self._layouts[scheme] = tree.lay_out(self._header_cells.get(scheme, []))
        leaves = self._layouts[scheme]
        if leaves is None:
            return None
        leaves = [c for c in leaves if c in columns]
        if positional is not None:
            by_position = sorted(positional, key=lambda k: positional[k][0].col)
            if by_position == [c for c in leaves if c in positional]:
                return None  # the positions agree with the tree: they are the better evidence
        trimmed = _trim(values, len(leaves))
        if len(trimmed) != len(leaves):
            return None
        if scheme not in self._inferred:
            self._inferred.add(scheme)
            name = {"t3": "三", "t4": "四"}.get(self.schemes.table_of(scheme), scheme)
            self._finding("warning", "columns_inferred",
                          f"table {name}: its header cells came without their grid positions (one cell per line "
                          f"or flattened rows); columns placed by laying out the template's header tree: "
                          f"{', '.join(leaves)}")
        return dict(zip(leaves, trimmed, strict=True))

    def _in_order(self, values: list[tuple[Cell, CellValue]], columns: list[str],
                  where: str) -> dict[str, tuple[Cell, CellValue]]:
        n = len(columns)
        trimmed = _trim(values, n)
        if len(trimmed) > n:
            self._finding("warning", "extra_cells", f"{where} has {len(trimmed)} values, template has {n}; "
                          f"kept the first {n}")
            trimmed = trimmed[:n]
        elif len(trimmed) < n:
            self._finding("warning", "missing_cells", f"{where} has {len(trimmed)} values, template has {n}; "
                          "the rest are null")
        return dict(zip(columns, trimmed, strict=False))

    # ---- rows whose label was lost
    def _place_pending_rows(self) -> None:
        seq = self._t3_sequence
        placed_keys = {f.split(".")[1] for f, p in self.reading.placed.items()
                       if f.startswith("applications.") and p.value is not None}
        # the nearest recognised row before and after each position, in one pass each way (a junk
        # table can hold thousands of unlabelled rows)
        before_at: list[str | None] = []
        last: str | None = None
        for item in seq:
            before_at.append(last)
            last = item if isinstance(item, str) else last
        after_at: list[str | None] = [None] * len(seq)
        last = None
        for i in range(len(seq) - 1, -1, -1):
            after_at[i] = last
            entry = seq[i]
            last = entry if isinstance(entry, str) else last
        for i, item in enumerate(seq):
            if not isinstance(item, _PendingRow):
                continue
            before, after = before_at[i], after_at[i]
            lo = self.t3_order.index(before) + 1 if before else 0
            hi = self.t3_order.index(after) if after else len(self.t3_order)
            candidates = [k for k in self.t3_order[lo:hi] if k not in placed_keys]
            if len(candidates) == 1:
                key = candidates[0]
                self._finding("warning", "row_label_lost",
                              f"row labelled '{item.label or '(none)'}' placed as applications.{key} "
                              f"by its position between {before or 'start'} and {after or 'end'}",
                              f"applications.{key}")
                self._place_row(item.block, item.row, item.values, "t3", key, "t3", item.label, "", "neighbours")
                placed_keys.add(key)
            else:
                self._finding("warning", "row_unplaced",
                              f"table 三 row '{item.label or '(no label)'}' with values matches no template row")

    def _finding(self, level: str, code: str, message: str, field_id: str | None = None) -> None:
        self.reading.findings.append(Finding(level, code, message, field_id))


def _trim(values: list[tuple[Cell, CellValue]], n: int) -> list[tuple[Cell, CellValue]]:
    """Drop blank cells at either end (merge placeholders) while there are more cells than columns."""
    out = list(values)
    while len(out) > n and out and not out[0][0].text.strip():
        out.pop(0)
    while len(out) > n and out and not out[-1][0].text.strip():
        out.pop()
    return out


def _count(values: list[tuple[Cell, CellValue]]) -> int:
    """How many values a row really has: its non-blank cells, or all of them when all are blank."""
    return sum(1 for cell, _ in values if cell.text.strip()) or len(values)


def read_tables(doc: Document) -> TableReading:
    return TableReader().read(doc)
