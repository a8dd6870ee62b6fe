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


# ---- renderings of a saved portal page (tests/fixturegen/html_builder.portal_page), as tools write them

# how a one-cell-per-line converter ends a table row; `paragraphs`: no pipes, a blank line after every
# cell (a page copied from a browser, txt_15, txt_22)
ROW_MARKS = ("bare", "lead", "spacer", "blank", "paragraphs")
CN_DIGITS = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1..31 in Chinese numerals (十八, 二十, 三十一)."""
    tens, ones = divmod(n, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "") + (CN_DIGITS[ones] if ones else "")


def chinese_date(iso: str, first_month: str = "一") -> str:
    """`2024-01-18` as a 落款 writes it: 二〇二四年一月十八日 (or 元月 for January)."""
    y, m, d = (int(x) for x in iso.split("-"))
    month = first_month if m == 1 else _cn_number(m)
    return "".join(CN_DIGITS[int(c)] for c in str(y)) + f"年{month}月{_cn_number(d)}日"


def _page_tree(page: str):
    import lxml.html

    return lxml.html.fromstring(page)


def _text_of(element) -> str:
    return " ".join(t.strip() for t in element.itertext() if t.strip()).replace("\xa0", " ").strip()


def _table_lines(table, rows: str) -> list[str]:
    """Every <td> of every <tr> on its own line, ending ` |`, rows marked as `rows` says."""
    out: list[str] = []
    for tr in table.iter("tr"):
        if rows == "lead":
            out.append("|")
        if rows == "paragraphs":
            out.extend(f"{_text_of(td)}\n" for td in tr if td.tag in ("td", "th"))
            continue
        out.extend(_text_of(td) + " |" for td in tr if td.tag in ("td", "th"))
        if rows == "spacer":
            out.append("|" * 2)
        elif rows == "blank":
            out.append("")
    return out


_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "li", "table", "form", "ul", "td")


def _block_lines(element, rows: str) -> list[str]:
    """A page's blocks in document order: text blocks as lines, tables one cell per line."""
    if element.tag == "table" and not element.xpath(".//table|.//div|.//ul"):
        return _table_lines(element, rows)
    if element.tag == "table":  # a layout table: its cells hold blocks of the page
        return [line for td in element.xpath("./tr/td|./tbody/tr/td") for line in _block_lines(td, rows)]
    inner = [child for child in element if isinstance(child.tag, str) and child.tag in _BLOCKS]
    if not inner:
        text = _text_of(element)
        return [text] if text else []
    out: list[str] = []
    head = (element.text or "").strip()
    if head:
        out.append(head)
    for child in element:
        if not isinstance(child.tag, str) or child.tag in ("script", "style"):
            continue
        if child.tag in _BLOCKS:
            out.extend(_block_lines(child, rows))
        else:
            text = _text_of(child)
            if text:
                out.append(text)
    return out


def render_onecell(page: str, rows: str = "bare", whole_page: bool = False) -> str:
    """A portal page as a crawler's one-cell-per-line converter writes it (txt_03, txt_06, txt_14, txt_17,
    txt_20): paragraphs as lines, every table cell on its own line ending ` |`, spanning header cells in
    document order. `whole_page` keeps the page around the report (nav, 发布时间, print bar, related links,
    footer); else only the report's container."""
    root = _page_tree(page)
    if not whole_page:
        root = root.xpath('//div[contains(@class,"TRS_Editor")]')[0]
    else:
        root = root.xpath("//body")[0]
        for hidden in root.xpath('.//*[contains(@style,"display:none")]|.//script|.//style'):
            hidden.getparent().remove(hidden)
    return "\n".join(_block_lines(root, rows)) + "\n"


def render_spaced_crawler(page: str) -> str:
    """A crawler's page.txt (txt_23, txt_24): labelled lines from the page's metadata, then the report's
    text with every run of whitespace (the newlines between <td>s included) made one space."""
    root = _page_tree(page)
    meta = {m.get("name"): m.get("content") for m in root.xpath("//meta[@name]")}
    body = root.xpath('//div[contains(@class,"TRS_Editor")]')[0]
    head = [f"标题: {meta.get('ArticleTitle', '')}", f"发布时间: {meta.get('PubDate', '')}",
            f"发布机构: {meta.get('ContentSource', '')}", "栏目: 政府信息公开年报", "=" * 20 + " 正文 " + "=" * 20]
    return "\n".join(head) + "\n" + " ".join(body.text_content().split()) + "\n"


def with_page_marks(text: str, title: str, every: int = 35, style: str = "dash", break_before: str = "") -> str:
    """Text cut into pages the way PDF and flipbook text marks them: `- 4 -` at a page's foot (dash),
    or `Page 8 - <title>` and `P. 8` at its head (flipbook); every `every` lines, and before the line
    `break_before` (a page that ends between the 落款's name and its date)."""
    lines = text.rstrip("\n").split("\n")
    starts = set(range(0, len(lines), every)) | ({lines.index(break_before)} if break_before in lines else set())
    bounds = sorted(starts)
    out: list[str] = []
    for n, (start, end) in enumerate(zip(bounds, [*bounds[1:], len(lines)], strict=True), 1):
        if style == "flipbook":
            out += [f"Page {n} - {title}", f"P. {n}"]
        out += lines[start:end]
        if style == "dash":
            out.append(f"- {n} -")
    return "\n".join(out) + "\n"
