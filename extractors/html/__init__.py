"""HTML and MHTML pages: the report's paragraphs and tables in reading order, without the site chrome.

What people save from portals is a whole page: header, nav, breadcrumbs, share buttons, related
links and a footer around the report. The report's container is found by content — the deepest
element holding nearly all of the page's non-link CJK text and every numeric table — and the names
portals use (TRS_Editor, #zoom, #UCAP-CONTENT, article, .content) only lower the bar for it. Inside
it, link lists, nav/aside/footer and share/print bars are still skipped.

lxml's HTML parser (libxml2) is used directly rather than through BeautifulSoup: it recovers the same
broken markup (unclosed <td>/<tr>/<p>) and is many times faster. For speed, block boundaries and <br>
are first marked in the tree with a private-use character, so that the text of a paragraph or a cell
is one C-level text_content() call split on the marker, not a Python walk over every <span>.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from extractors.cells import looks_numeric
from extractors.grid import RawCell, overrun_width, place_rows
from extractors.html.decode import decode_html
from extractors.html.mhtml import html_part
from extractors.html.text import MARK, clean, lines, weight
from extractors.pictures import PictureSlot
from pipeline.errors import ExtractionError
from pipeline.intermediate import Block, Document, Paragraph, Source, Table, Warning

if TYPE_CHECKING:
    from pipeline.settings import ExtractOptions

NAME = "html"
VERSION = "1.0.0"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# elements whose content is never shown as text (head, scripts, form controls, embedded objects)
_SKIP = ("head", "script", "style", "noscript", "template", "title", "meta", "link", "iframe", "frame",
         "object", "embed", "svg", "canvas", "select", "button", "input", "textarea", "map", "audio",
         "video", "xml", "base", "param")
_HIDDEN_HINT = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden|\shidden[\s>=/]", re.I)
_HIDDEN = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden", re.I)
_TEXT = etree.XPath("string()")  # an element's text, descendants included, in C
_FIND_HIDDEN = etree.XPath(
    '//*[@hidden]|//*[contains(@style,"isplay") or contains(@style,"ISPLAY") or contains(@style,"hide")'
    ' or contains(@style,"HIDE") or contains(@style,"isibility") or contains(@style,"ISIBILITY")]')
# elements that end a line: a paragraph in the flow, a line inside a cell
_BLOCK = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
          "pre", "section", "article", "header", "footer", "nav", "aside", "main", "figure", "figcaption",
          "address", "center", "form", "fieldset", "legend", "hr", "caption", "details", "summary",
          "table", "tr", "td", "th")
# blocks that may hold other blocks (walked child by child); the rest are read whole
_CONTAINERS = frozenset(("div", "section", "article", "main", "center", "form", "fieldset", "blockquote",
                         "ul", "ol", "dl", "header", "footer", "nav", "aside", "figure", "details", "body"))
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_NO_DESCENT = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "a", "b", "strong"))
_CHROME_TAGS = frozenset(("nav", "aside", "footer"))
_CHROME_NAMES = frozenset(
    ["nav", "navbar", "menu", "submenu", "breadcrumb", "breadcrumbs", "crumb", "crumbs", "bread", "position", "location", "share", "bdshare", "bdsharebuttonbox", "fenxiang", "footer", "foot", "sidebar", "related", "xgxx", "xglj", "xgwz", "pagination", "pager", "print", "dayin", "toolbar", "tools", "qrcode", "ewm", "search", "login", "topbar", "copyright", "friendlink", "links"])
_CONTENT_NAMES = frozenset(("trs", "editor", "zoom", "ucap", "content", "article", "detail", "zw",
                            "textcontent", "view", "main"))
_VISIBLE_DATE = re.compile(r"(发布日期|发布时间)\s*[：:]\s*(\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2})")
_VISIBLE_BODY = re.compile(r"(发布机构|发文机关|信息来源|来源)\s*[：:]\s*([^\s　|｜:：]{2,40})")
_NAME_SPLIT = re.compile(r"[\s_\-]+")
_DIGITS = re.compile(r"\s*(\d+)")


def extract(path: Path, data: bytes, fmt: str, options: ExtractOptions | None = None) -> Document:
    """The page (or the page inside an .mht archive) as paragraphs and tables."""
    metadata: dict[str, str] = {}
    transport_charset = None
    page_bytes = data
    if fmt == "mhtml":
        part = html_part(data)
        page_bytes, transport_charset = part.data, part.charset
        metadata.update(part.metadata)
    if b"\x00" in page_bytes[:4096] and not page_bytes.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionError("binary data, not an HTML page", kind="unsupported")
    decoded = decode_html(page_bytes, transport_charset)
    warnings = [Warning(code=code, message=msg) for code, msg in decoded.warnings]
    root, truncated = _parse(decoded.text)
    if truncated:
        warnings.append(Warning(code="truncated", message="elements nest too deeply; the rest of the page is lost"))
    metadata.update(page_metadata(root))
    metadata["encoding"] = decoded.encoding
    _prune(root, may_hide=bool(_HIDDEN_HINT.search(decoded.text)))
    visible = _text(root)
    for label, date in _VISIBLE_DATE.findall(visible):
        metadata.setdefault(label, date)  # "发布日期：2020-01-31" shown on the page, when no meta says it
    for label, body in _VISIBLE_BODY.findall(visible):
        metadata.setdefault(label, body)  # "来源：安乐乡人民政府"
    reader = _Reader(root, metadata.get("ArticleTitle") or metadata.get("title") or "")
    try:
        blocks = reader.read()
    except RecursionError:  # tables nested inside tables a thousand deep
        raise ExtractionError("the page is nested too deeply to read", kind="corrupt") from None
    warnings.extend(Warning(code=c, message=m) for c, m in reader.warnings)
    source = Source.describe(path, data, fmt, NAME, VERSION, metadata=metadata)
    if fmt == "html" and not any(isinstance(b, Table) for b in blocks):  # the report may be an attachment
        from extractors.html import attachment

        where = reader.container if attachment.document_links(reader.container) else reader.body
        found, missing = attachment.find_attachment(path, where)
        if found is not None:
            page_doc = Document(source=source, blocks=[b for b in blocks if not isinstance(b, PictureSlot)],
                                warnings=warnings)
            return attachment.read_attachment(path, found, page_doc, options)
    else:
        missing = None
    if any(isinstance(b, PictureSlot) for b in blocks):  # the report may be <img> tags: read them by OCR
        from extractors.html import resources
        from extractors.pictures import Picture, fill_slots

        def resolve(src: str) -> Picture | None:
            picture = resources.read(path, src)
            return Picture(src[:200], picture) if picture else None

        content = fill_slots(blocks, resolve, warnings, options)
    else:
        content = [b for b in blocks if not isinstance(b, PictureSlot)]  # none there: only narrows the type
    if missing and not any(isinstance(b, Table) for b in content):
        raise attachment.missing(path, missing)
    if not content:
        if truncated:
            raise ExtractionError("elements nest too deeply to read the page", kind="corrupt")
        raise ExtractionError("the page holds no text", kind="empty")
    return Document(source=source, blocks=content, warnings=warnings)


def attachments(path: Path, data: bytes) -> list[Path]:
    """The documents a saved page links that lie beside it (its report when it has no table of its own).
    For a batch, which converts the page and must not convert those a second time."""
    decoded = decode_html(data, None)
    root, _ = _parse(decoded.text)
    _prune(root, may_hide=bool(_HIDDEN_HINT.search(decoded.text)))
    body = root.find("body")
    body = body if body is not None else root
    if any(t for t in body.iter("table") if not _is_layout(t) and _numeric(t)):
        return []
    from extractors.html.attachment import linked_files

    return linked_files(path, body)


# control characters that libxml2's HTML parser keeps but lxml refuses when the tree is edited
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _parse(text: str) -> tuple[etree._Element, bool]:
    """The document tree, and whether libxml2 gave up on nesting deeper than it allows (the rest of
    the page is then lost). The text is re-encoded as UTF-8 so that no <meta charset> can override it."""
    # huge_tree: past 256 levels (unclosed <font>s do that) libxml2 would otherwise drop the rest of the page
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = etree.fromstring(_NOT_XML_CHARS.sub("", text).encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}", kind="corrupt") from None
    if root is None:
        raise ExtractionError("unparseable HTML", kind="corrupt")
    return root, any("Excessive depth" in e.message for e in parser.error_log)


def page_metadata(root: etree._Element) -> dict[str, str]:
    """<title> and every <meta name|property=... content=...> (ArticleTitle, PubDate, ContentSource...)."""
    out: dict[str, str] = {}
    title = root.find(".//title")
    if title is not None and (text := clean(_text(title))):
        out["title"] = text
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip()
        content = clean(meta.get("content") or "")
        if name and content and name not in out and len(out) < 60:
            out[name] = content[:1000]
    return out


def _prune(root: etree._Element, may_hide: bool) -> None:
    """Drop what a browser never shows (keeping the text that follows it), then mark line ends."""
    doomed = list(root.iter(*_SKIP))
    if may_hide:
        doomed += [el for el in _FIND_HIDDEN(root)
                   if el.get("hidden") is not None or _HIDDEN.search(el.get("style") or "")]
    for el in doomed:
        _drop(el)
    for el in root.iter(*_BLOCK, "br"):
        if el.tag != "br":
            el.text = MARK + el.text if el.text else MARK
        el.tail = MARK + el.tail if el.tail else MARK


def _drop(el: etree._Element) -> None:
    """Remove an element but keep the text that follows it (its tail) in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _text(el: etree._Element) -> str:
    return str(_TEXT(el))


# ---------------------------------------------------------------------------------------------- structure

def _names(el: etree._Element) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return set(_NAME_SPLIT.split(raw)) - {""} if raw.strip() else set()


def _span(value: str | None, limit: int) -> int:
    """A rowspan/colspan attribute as browsers read it: leading digits, else 1."""
    if not value:
        return 1
    if value.isdigit():
        return min(int(value), limit)
    match = _DIGITS.match(value)
    return min(int(match.group(1)), limit) if match else 1


def _table_rows(table: etree._Element) -> list[etree._Element]:
    """The table's own <tr>s (not those of nested tables), thead/tbody in source order, tfoot last."""
    rows: list[etree._Element] = []
    foot: list[etree._Element] = []
    for child in table:
        tag = child.tag
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            (foot if tag == "tfoot" else rows).extend(r for r in child if r.tag == "tr")
    return rows + foot


def _row_cells(tr: etree._Element) -> list[etree._Element]:
    return [c for c in tr if c.tag in ("td", "th")]


def _helper_row(tr: etree._Element) -> bool:
    """Word's zero-height <tr> of empty cells (in <![if !supportMisalignedColumns]>): not a table row."""
    return tr.get("height") == "0" and not clean(_text(tr))


def _is_layout(table: etree._Element) -> bool:
    """A table used for page layout: one holding other tables, or a single column of content."""
    if table.find(".//table") is not None:
        return True
    rows = _table_rows(table)
    return bool(rows) and all(len(_row_cells(tr)) <= 1 for tr in rows)


def _numeric(table: etree._Element) -> bool:
    """A data table with at least three number-only cells: a report table, never chrome."""
    found = 0
    for tr in _table_rows(table):
        for cell in _row_cells(tr):
            if looks_numeric(clean(_text(cell))):
                found += 1
                if found >= 3:
                    return True
    return False


def _table_holders(body: etree._Element, tag: str = "table") -> set[etree._Element]:
    """Every element with a <table> (or another `tag`) below it, found in one upward pass per table."""
    holders: set[etree._Element] = set()
    for table in body.iter(tag):
        node = table.getparent()
        while node is not None and node not in holders:
            holders.add(node)
            node = node.getparent()
    return holders


class _Reader:
    def __init__(self, root: etree._Element, title: str = "") -> None:
        self.title = title
        body = root.find("body")
        self.body = body if body is not None else root
        self.numeric = {t for t in self.body.iter("table") if not _is_layout(t) and _numeric(t)}
        self.holders = _table_holders(self.body)
        # without tables of its own, the report may be pictures: <img> tags become PictureSlots in place
        self.pictures = not self.numeric and self.body.find(".//img") is not None
        self.img_holders = _table_holders(self.body, "img") if self.pictures else set()
        self.blocks: list[Block | PictureSlot] = []
        self.warnings: list[tuple[str, str]] = []
        self.parts: list[str] = []
        self.level: int | None = None
        self.container = self.body

    def read(self) -> list[Block | PictureSlot]:
        self.container = self.choose_container()
        self._lead_title()
        self.walk_children(self.container)
        self.flush()
        return self.blocks

    # -- measures (C-level text_content, so a few calls per level stay cheap)

    def own_weight(self, el: etree._Element) -> int:
        """CJK text under el that is not link text."""
        return weight(_text(el)) - sum(weight(_text(a)) for a in el.iter("a"))

    def tables_in(self, el: etree._Element) -> int:
        return sum(1 for t in el.iter("table") if t in self.numeric) if self.numeric else 0

    def link_dense(self, el: etree._Element) -> bool:
        """Mostly link text and several links: a menu, a related-links list, a footer link table."""
        anchors = list(el.iter("a"))
        if len(anchors) < 3:
            return False
        link = sum(weight(_text(a)) for a in anchors)
        other = weight(_text(el)) - link
        return link > 0 and link >= 1.5 * other and not self.tables_in(el)

    # -- the container

    def choose_container(self) -> etree._Element:
        """Descend from <body> while one child holds nearly all the text and every numeric table."""
        node, node_weight, node_tables = self.body, self.own_weight(self.body), len(self.numeric)
        while True:
            kids = [(self.own_weight(k), k) for k in node if isinstance(k.tag, str)]
            if not kids:
                return node
            best_weight, best = max(kids, key=lambda wk: wk[0])
            share = 0.6 if _names(best) & _CONTENT_NAMES else 0.8
            if (best_weight <= 0 or best_weight < share * node_weight or best.tag in _NO_DESCENT
                    or (best.tag == "table" and not _is_layout(best))
                    or (node_tables and self.tables_in(best) < node_tables)):
                return node
            node, node_weight = best, best_weight

    def _lead_title(self) -> None:
        """The article title when the page keeps it outside the content container (h1.title,
        div.article_title): the nearest preceding title-like element that reads like a report title."""
        node: etree._Element | None = self.container
        hops = 0
        while node is not None and node is not self.body and hops < 8:
            for sib in node.itersiblings(preceding=True):
                if not isinstance(sib.tag, str):
                    continue
                is_title = sib.tag in ("h1", "h2", "h3") or any("title" in n for n in _names(sib))
                text = clean(_text(sib)) if is_title else ""
                if text and len(text) <= 120 and ("报告" in text or (self.title and self.title.startswith(text))):
                    self.blocks.append(Paragraph(text=text, heading=_HEADINGS.get(sib.tag, 1)))
                    return
            node, hops = node.getparent(), hops + 1

    # -- the flow of paragraphs

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)

    def flush(self) -> None:
        """End the pending text: each marked line becomes a paragraph (a title repeated is dropped)."""
        if not self.parts:
            return
        text, self.parts = "".join(self.parts), []
        for line in lines(text):
            last = self.blocks[-1] if self.blocks else None
            if isinstance(last, Paragraph) and last.heading and last.text.replace(" ", "") == line.replace(" ", ""):
                continue
            self.blocks.append(Paragraph(text=line, heading=self.level))

    def walk_children(self, root: etree._Element) -> None:
        """Read root's content in order. Iterative: unclosed <font>s nest thousands deep in real pages."""
        self.add(root.text)
        stack: list[tuple[Iterator[etree._Element], etree._Element | None]] = [(iter(root), None)]
        while stack:
            children, owner = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if owner is not None:
                    self.add(owner.tail)
                continue
            if isinstance(child.tag, str) and self.visit(child):
                self.add(child.text)
                stack.append((iter(child), child))
            else:
                self.add(child.tail)

    def visit(self, el: etree._Element) -> bool:
        """Read el unless it must be gone through child by child (then True)."""
        tag = el.tag
        if tag == "table":
            self.flush()
            self.table(el)
            return False
        if tag == "img" and self.pictures:
            src = el.get("src") or el.get("data-src") or el.get("data-original") or ""
            if src.strip():
                self.flush()
                self.blocks.append(PictureSlot(src.strip()))
            return False
        if tag in _BLOCK and self._is_chrome(el):
            self.flush()
            return False
        if tag in _CONTAINERS or el in self.holders or el in self.img_holders:
            return True  # may hold tables, headings or chrome: go block by block
        if tag in _HEADINGS:
            self.flush()
            self.level = _HEADINGS[tag]
            self.add(_text(el))
            self.flush()
            self.level = None
            return False
        self.add(_text(el))  # a paragraph or an inline run: read whole, line marks and all
        return False

    def _is_chrome(self, el: etree._Element) -> bool:
        """Navigation, share/print bars, related links — but never anything holding a report table."""
        if el.tag in _CHROME_TAGS or _names(el) & _CHROME_NAMES:
            return not self.tables_in(el)
        return el.tag in ("div", "ul", "ol", "dl", "section", "header") and self.link_dense(el)

    # -- tables

    def table(self, table: etree._Element) -> None:
        if self.link_dense(table):
            return
        if _is_layout(table):
            for tr in _table_rows(table):
                for cell in _row_cells(tr):
                    self.walk_children(cell)
                    self.flush()
            return
        for child in table:
            if child.tag == "caption":
                self.add(_text(child))
        self.flush()
        rows = [tr for tr in _table_rows(table) if not _helper_row(tr)]
        raw_rows: list[list[RawCell]] = []
        for r, tr in enumerate(rows):
            raw_row = []
            for cell in _row_cells(tr):
                rowspan = _span(cell.get("rowspan"), 65534)
                raw_row.append(RawCell(text="\n".join(lines(_text(cell))),
                                       rowspan=rowspan if rowspan > 0 else len(rows) - r,
                                       colspan=max(1, _span(cell.get("colspan"), 1000))))
            raw_rows.append(raw_row)
        if not any(c.text for row in raw_rows for c in row):
            return
        cells, clipped = place_rows(raw_rows)
        width = overrun_width(cells)
        if width is not None:
            cells, clipped = place_rows(raw_rows, max_cols=width)
        n_table = sum(isinstance(b, Table) for b in self.blocks) + 1
        self.warnings.extend(("span_clipped", f"table {n_table}: {m}") for m in clipped)
        if width is not None:
            self.warnings.append(("span_clipped", f"table {n_table}: colspan past column {width} clipped"))
        n_cols = max((c.col + c.colspan for c in cells), default=0)
        self.blocks.append(Table(n_rows=len(raw_rows), n_cols=n_cols, cells=cells))
