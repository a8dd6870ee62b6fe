"""Render a ReportSpec as text the way real converters flatten Word tables.

Layouts: `tsv` (Word "save as text": merged positions as empty strings), `tika` (one cell per line
behind a tab, blank line between rows, cell line breaks kept), `pipe` (`a | b |`, only the cells
that start in the row), `mdtable` (Markdown, merged text repeated in every spanned column),
`mdpdf` (PDF-to-Markdown: `#` headings, `**bold**`, tab rows, the long table cut by a blank line).
`crawler` (a crawler's get_text(): every text node of the page joined with nothing between, so the
cells of a row run together; not in LAYOUTS because some runs cannot be cut apart unambiguously).
"""

from __future__ import annotations

from extractors.grid import RawCell, place_rows

LAYOUTS = ("tsv", "tika", "pipe", "mdtable", "mdpdf")


def _grid(rows: list[list[RawCell]]) -> list[list[tuple[str, bool]]]:
    """Every grid position: (text, is the cell's own top-left position)."""
    cells, _ = place_rows(rows)
    n_cols = max(c.col + c.colspan for c in cells)
    grid = [[("", False)] * n_cols for _ in rows]
    for c in cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                grid[r][k] = (c.text, r == c.row and k == c.col)
    return grid


def _table(rows: list[list[RawCell]], layout: str) -> list[str]:
    grid = _grid(rows)
    out: list[str] = []
    if layout in ("tsv", "mdpdf"):
        for i, row in enumerate(grid):
            out.append("\t".join(text.replace("\n", "") if own else "" for text, own in row))
            if layout == "mdpdf" and len(grid) > 20 and i == len(grid) // 2:
                out.append("")  # the page break a PDF converter leaves inside the long table
    elif layout == "tika":
        for row in rows:
            for cell in row:
                out.append("\t" + cell.text)
            out.append("")
    elif layout == "pipe":
        for row in rows:
            out.append(" | ".join(c.text.replace("\n", "") for c in row) + " |")
    elif layout == "mdtable":
        for i, row in enumerate(grid):
            out.append("| " + " | ".join(text.replace("\n", "") for text, _ in row) + " |")
            if i == 0:
                out.append("|" + " --- |" * len(row))
    return out


def render_text(spec, layout: str) -> str:
    """The whole report in one text layout."""
    if layout == "crawler":
        return _crawler(spec)
    lines: list[str] = []
    for block in spec.blocks:
        if isinstance(block, tuple):
            text = block[1]
            lines.append(("## " + text) if layout in ("mdpdf", "mdtable") else text)
        elif isinstance(block, str):
            lines.append(block)
        else:
            if layout == "tika":  # Tika stacks header words one character per line
                block = [[RawCell("\n".join(c.text) if c.text == "自然人" else c.text, c.rowspan, c.colspan)
                          for c in row] for row in block]
            lines.extend(_table(block, layout))
        if layout in ("mdpdf", "mdtable", "tika"):
            lines.append("")
    return "\n".join(lines) + "\n"


def _crawler(spec) -> str:
    """Headings, paragraphs and every cell's text in document order, joined into one line."""
    parts: list[str] = []
    for block in spec.blocks:
        if isinstance(block, tuple):
            parts.append(block[1])
        elif isinstance(block, str):
            parts.append(block)
        else:
            parts.extend(c.text.replace("\n", "") for row in block for c in row)
    return "".join(parts) + "\n"
