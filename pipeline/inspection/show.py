"""`nianbao extract FILE --show`: the intermediate form drawn in the terminal.

Debugging an extractor means seeing its grid, not reading JSON: every block in reading order, each
table as a ruled grid with row and column indices, a merged cell's text once at its top-left and its
covered positions marked (`←` covered from the left, `↑` from above, `↖` both), and the page of every
row so a table stitched across pages shows where it was cut.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from pipeline.intermediate import Cell, Document, Paragraph, Table

LEFT, UP, BOTH, HOLE = "←", "↑", "↖", "·"


def grid_marks(table: Table) -> list[list[Cell | str]]:
    """Every grid position: the Cell that starts there, a continuation mark, or HOLE (no cell covers it).

    Kept separate from drawing so the review site and tests can use the same reading of spans.
    """
    grid: list[list[Cell | str]] = [[HOLE] * table.n_cols for _ in range(table.n_rows)]
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        for r in range(cell.row, min(cell.row + cell.rowspan, table.n_rows)):
            for c in range(cell.col, min(cell.col + cell.colspan, table.n_cols)):
                if (r, c) == (cell.row, cell.col):
                    grid[r][c] = cell
                elif grid[r][c] == HOLE:
                    grid[r][c] = UP if c == cell.col else LEFT if r == cell.row else BOTH
    return grid


def _cell_text(cell: Cell, width: int) -> Text:
    text = cell.text.replace("\n", "⏎")
    if len(text) > width:
        text = text[: width - 1] + "…"
    out = Text(text or "∅", style="" if cell.text.strip() else "dim")
    if cell.rowspan > 1 or cell.colspan > 1:
        out.append(f" ⟨{cell.rowspan}×{cell.colspan}⟩", style="magenta")
    return out


def table_renderable(table: Table, title: str = "", max_text: int = 24) -> RichTable:
    """A rich grid of one intermediate table: indices on both axes, spans drawn as continuation marks."""
    pages = {c.page for c in table.cells if c.page is not None}
    grid = grid_marks(table)
    out = RichTable(title=title, title_justify="left", show_lines=True, pad_edge=False,
                    header_style="bold cyan")
    out.add_column("r", style="bold cyan", justify="right", no_wrap=True)
    for c in range(table.n_cols):
        out.add_column(str(c), overflow="fold", max_width=max_text + 6)
    rows = table.rows()
    for r, marks in enumerate(grid):
        label = str(r)
        if len(pages) > 1:  # a stitched table: say which page each row is on
            row_pages = sorted({c.page for c in rows[r] if c.page is not None})
            if row_pages:
                label += f"\np{','.join(map(str, row_pages))}"
        drawn = [Text(m, style="dim yellow") if isinstance(m, str) else _cell_text(m, max_text) for m in marks]
        out.add_row(label, *drawn)
    return out


def _table_title(table: Table, block: int, ordinal: int) -> str:
    pages = sorted({c.page for c in table.cells if c.page is not None} | ({table.page} if table.page else set()))
    where = ""
    if len(pages) == 1:
        where = f", page {pages[0]}"
    elif pages:
        where = f", pages {pages[0]}–{pages[-1]}"
    spans = sum(1 for c in table.cells if c.rowspan > 1 or c.colspan > 1)
    return (f"[bold]table {ordinal}[/bold] (block {block}): {table.n_rows} rows × {table.n_cols} cols, "
            f"{len(table.cells)} cells, {spans} spanning{where}")


def show_document(doc: Document, console: Console | None = None, max_text: int = 24) -> None:
    """Print every block of `doc` in order: paragraphs as one line each, tables as grids."""
    console = console or Console()
    src = doc.source
    console.rule(f"[bold]{src.path}[/bold]")
    console.print(f"format [bold]{src.format}[/bold] · extractor {src.extractor} {src.extractor_version} · "
                  f"{src.size} bytes · pages {src.pages if src.pages is not None else '-'} · sha256 {src.sha256[:12]}")
    for key, value in src.metadata.items():
        console.print(f"  [dim]{key}[/dim] {value}", highlight=False)
    ordinal = 0
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Paragraph):
            tag = f"h{block.heading}" if block.heading else "¶"
            page = f" p{block.page}" if block.page is not None else ""
            line = Text(f"[{index}] {tag}{page} ", style="dim")
            line.append(block.text.replace("\n", "⏎"), style="bold" if block.heading else "")
            console.print(line, highlight=False)
        else:
            ordinal += 1
            console.print()
            console.print(table_renderable(block, _table_title(block, index, ordinal), max_text), highlight=False)
            console.print()
    if doc.warnings:
        console.rule("[yellow]extractor warnings[/yellow]")
        for w in doc.warnings:
            page = f" (page {w.page})" if w.page is not None else ""
            console.print(f"[yellow]{w.code}[/yellow]{page}: {w.message}", highlight=False)
    console.print(f"[dim]{len(doc.blocks)} blocks, {ordinal} tables, {len(doc.warnings)} warnings[/dim]")
