"""Walking a WordprocessingML body into paragraphs and tables, in the order a reader meets them.

Works on the lxml tree of document.xml, not on python-docx objects: python-docx lists all
paragraphs and all tables separately, repeats a merged cell at every grid position it covers and
does not see into content controls or text boxes. Here:

- blocks come in body order, descending into content controls (w:sdt), w:customXml and text boxes
  (w:txbxContent, emitted as blocks right after the paragraph that anchors them);
- a table's grid comes from w:gridSpan, w:vMerge (restart/continue), legacy w:hMerge and
  w:gridBefore/w:gridAfter; each merged cell appears once with its spans, as written;
- a table nested in a cell is emitted as its own Table right after the outer table, and the outer
  cell's text leaves it out. A table that is only a frame (a single cell, or a single column whose
  cells hold tables) is unwrapped: its content is emitted in place of it;
- in text, w:br/w:cr become "\\n", paragraphs of a cell are joined with "\\n", tracked insertions are
  kept and deletions dropped, hidden (w:vanish) runs, ruby (pinyin) annotations and field instructions
  are skipped, and Word's
  automatic numbering is rendered into the paragraph ("三、收到和处理政府信息公开申请情况").
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from lxml import etree

from extractors.docx.numbering import Numbering
from extractors.docx.package import parse_xml
from extractors.pictures import PictureSlot, SlotBlock
from pipeline.intermediate import Cell, Paragraph, Table
from pipeline.intermediate import Warning as ExtractWarning

MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PICTURE_IDS = etree.XPath(  # DrawingML pictures and legacy VML ones
    ".//a:blip/@r:embed | .//v:imagedata/@r:id",
    namespaces={"a": "http://schemas.openxmlformats.org/drawingml/2006/main", "r": R_NS,
                "v": "urn:schemas-microsoft-com:vml"})
_FALSE = ("0", "false", "off")
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)


@dataclass
class StyleInfo:
    name: str = ""
    based_on: str | None = None
    outline: int | None = None
    num_id: str | None = None
    ilvl: int | None = None


@dataclass
class Styles:
    """Paragraph styles: what a paragraph inherits for its heading level and its list numbering."""

    by_id: dict[str, StyleInfo] = field(default_factory=dict)
    default: str | None = None

    @classmethod
    def parse(cls, xml: bytes | None, w: str) -> Styles:
        styles = cls()
        if not xml:
            return styles
        root = parse_xml(_paragraph_styles(xml))
        for st in root.iter(w + "style"):
            if st.get(w + "type", "paragraph") != "paragraph":
                continue
            sid = st.get(w + "styleId", "")
            info = StyleInfo()
            name = st.find(w + "name")
            info.name = (name.get(w + "val", "") if name is not None else "").strip()
            based = st.find(w + "basedOn")
            info.based_on = based.get(w + "val") if based is not None else None
            ppr = st.find(w + "pPr")
            if ppr is not None:
                lvl = ppr.find(w + "outlineLvl")
                if lvl is not None:
                    info.outline = _int(lvl.get(w + "val"), 9)
                numpr = ppr.find(w + "numPr")
                if numpr is not None:
                    nid, il = numpr.find(w + "numId"), numpr.find(w + "ilvl")
                    info.num_id = nid.get(w + "val") if nid is not None else None
                    info.ilvl = _int(il.get(w + "val"), 0) if il is not None else None
            styles.by_id[sid] = info
            if st.get(w + "default") in ("1", "true", "on"):
                styles.default = sid
        return styles

    def chain(self, sid: str | None) -> list[StyleInfo]:
        out: list[StyleInfo] = []
        seen: set[str] = set()
        sid = sid or self.default
        while sid and sid not in seen and sid in self.by_id and len(out) < 20:
            seen.add(sid)
            info = self.by_id[sid]
            out.append(info)
            sid = info.based_on
        return out

    def heading(self, sid: str | None) -> int | None:
        for info in self.chain(sid):
            if info.outline is not None:
                return info.outline + 1 if info.outline < 9 else None
            m = _HEADING_NAME.match(info.name)
            if m:
                return int(m.group(1))
            if info.name.lower() in ("title", "标题"):
                return 1
        return None

    def numbering(self, sid: str | None) -> tuple[str | None, int | None]:
        num_id: str | None = None
        ilvl: int | None = None
        for info in self.chain(sid):
            if num_id is None and info.num_id is not None:
                num_id = info.num_id
            if ilvl is None and info.ilvl is not None:
                ilvl = info.ilvl
        return num_id, ilvl


_STYLE_BLOCK = re.compile(rb'<w:style [^>]*w:type="paragraph".*?</w:style>', re.S)


def _paragraph_styles(xml: bytes) -> bytes:
    """Only the paragraph styles of styles.xml: the part is often ~350 KB of latent and table styles,
    and parsing it whole would cost a third of the time budget."""
    start = xml.find(b"<w:styles")
    end = xml.find(b">", start)
    if start < 0 or end < 0:
        return xml  # an unusual prefix: parse it all
    return xml[: end + 1] + b"".join(_STYLE_BLOCK.findall(xml)) + b"</w:styles>"


MAX_GRID_SPAN = 63  # Word's own limit on table columns; a larger span or gridBefore is corrupt or hostile


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _span(value: str | None, default: int) -> int:
    """A span or skipped-column count, bounded so that a hostile value cannot blow up the grid."""
    return min(max(0, _int(value, default)), MAX_GRID_SPAN)


@dataclass
class _Placed:
    row: int
    col: int
    colspan: int
    text: str
    rowspan: int = 1


class BodyReader:
    """Turns the children of w:body (or any block container) into intermediate-form blocks."""

    def __init__(self, ns: str, styles: Styles, numbering: Numbering, pictures: bool = False) -> None:
        w = f"{{{ns}}}"
        self.w = w
        self.pictures = pictures  # emit a PictureSlot where a body paragraph holds a picture
        self.styles = styles
        self.numbering = numbering
        self.warnings: list[ExtractWarning] = []
        self.n_tables = 0
        t = {name: w + name for name in (
            "p", "r", "t", "tab", "ptab", "br", "cr", "noBreakHyphen", "softHyphen", "sym", "del", "moveFrom",
            "delText", "instrText", "delInstrText", "pPr", "rPr", "fldChar", "txbxContent", "tbl", "tr", "tc",
            "sdt", "sdtContent", "sdtPr", "sdtEndPr", "customXml", "customXmlPr", "ins", "moveTo", "tcPr",
            "trPr", "tblGrid", "gridCol", "gridSpan", "vMerge", "hMerge", "gridBefore", "gridAfter", "vanish",
            "numPr", "numId", "ilvl", "pStyle", "outlineLvl", "altChunk", "footnoteReference",
            "endnoteReference", "commentReference", "annotationRef", "tblPr", "smartTagPr", "bookmarkStart", "rt")}
        self.t = t
        self._skip = {t[k] for k in ("del", "moveFrom", "delText", "instrText", "delInstrText", "pPr", "rPr",
                                     "fldChar", "sdtPr", "sdtEndPr", "customXmlPr", "smartTagPr",
                                     "footnoteReference", "endnoteReference", "commentReference",
                                     "annotationRef", "tbl", "rt")}
        self._skip.add(f"{{{MC_NS}}}Fallback")  # the Choice branch holds the same content
        self._complex = [t[k] for k in ("del", "moveFrom", "vanish", "txbxContent", "sym", "instrText",
                                        "footnoteReference", "endnoteReference", "rt")] + [f"{{{MC_NS}}}Fallback"]
        self._t_tag = t["t"]
        self._plain = {t["t"]: "", t["tab"]: "\t", t["ptab"]: "\t", t["br"]: "\n", t["cr"]: "\n",
                       t["noBreakHyphen"]: "-"}
        self._wrappers = {t["sdt"], t["sdtContent"], t["customXml"], t["ins"], t["moveTo"],
                          f"{{{MC_NS}}}AlternateContent", f"{{{MC_NS}}}Choice"}

    # ----- block containers -------------------------------------------------------------------------

    def blocks(self, container: etree._Element) -> list[SlotBlock]:
        """Paragraphs and tables of a container (w:body, w:sdtContent, w:txbxContent, a frame cell), and
        the pictures of body paragraphs where they stand (when asked for)."""
        out: list[SlotBlock] = []
        t = self.t
        for child in container:
            tag = child.tag
            if tag == t["p"]:
                boxes: list[etree._Element] = []
                text = self.paragraph_text(child, boxes)
                if text.strip():
                    out.append(Paragraph(text=text, heading=self.heading_level(child)))
                if self.pictures:
                    out.extend(PictureSlot(str(rid)) for rid in _PICTURE_IDS(child))
                for box in boxes:
                    out.extend(self.blocks(box))
            elif tag == t["tbl"]:
                out.extend(self.table(child))
            elif tag in self._wrappers:
                out.extend(self.blocks(child))
            elif tag == t["altChunk"]:
                self.warn("alt_chunk", "an embedded altChunk document (HTML/RTF import) was not read")
        return out

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(ExtractWarning(code=code, message=message))

    # ----- paragraphs -------------------------------------------------------------------------------

    def paragraph_text(self, p: etree._Element, boxes: list[etree._Element]) -> str:
        """The paragraph as shown: its list number, then its visible runs; text boxes go to `boxes`."""
        parts: list[str] = []
        label = self.number_label(p)
        if label:
            parts.append(label)
        if next(p.iter(*self._complex), None) is None:
            # the common case, walked in C: no deletions, hidden runs, text boxes or symbols
            plain = self._plain
            for el in p.iter(*plain):
                if el.tag == self._t_tag:
                    if el.text:
                        parts.append(el.text)
                else:
                    parts.append(plain[str(el.tag)])
        else:
            self._runs(p, parts, boxes)
        text = "".join(parts)
        return text if len(parts) > 1 or not label else ""

    def _runs(self, el: etree._Element, out: list[str], boxes: list[etree._Element]) -> None:
        t = self.t
        for ch in el:
            tag = ch.tag
            if tag == t["t"]:
                if ch.text:
                    out.append(ch.text)
            elif tag == t["r"]:
                rpr = ch.find(t["rPr"])
                if rpr is not None:
                    vanish = rpr.find(t["vanish"])
                    if vanish is not None and vanish.get(self.w + "val") not in _FALSE:
                        continue
                self._runs(ch, out, boxes)
            elif tag in self._skip or not isinstance(tag, str):
                continue
            elif tag == t["tab"] or tag == t["ptab"]:
                out.append("\t")
            elif tag == t["br"] or tag == t["cr"]:
                out.append("\n")
            elif tag == t["noBreakHyphen"]:
                out.append("-")
            elif tag == t["softHyphen"]:
                continue
            elif tag == t["sym"]:
                code = ch.get(self.w + "char", "")
                with contextlib.suppress(ValueError):
                    out.append(chr(int(code, 16) - (0xF000 if int(code, 16) >= 0xF000 else 0)))
            elif tag == t["txbxContent"]:
                boxes.append(ch)
            else:  # hyperlink, smartTag, ins, moveTo, sdt, fldSimple, drawing, AlternateContent...
                self._runs(ch, out, boxes)

    def _ppr_num(self, p: etree._Element) -> tuple[str | None, int | None, str | None]:
        t = self.t
        ppr = p.find(t["pPr"])
        num_id: str | None = None
        ilvl: int | None = None
        style: str | None = None
        if ppr is not None:
            ps = ppr.find(t["pStyle"])
            style = ps.get(self.w + "val") if ps is not None else None
            numpr = ppr.find(t["numPr"])
            if numpr is not None:
                nid, il = numpr.find(t["numId"]), numpr.find(t["ilvl"])
                num_id = nid.get(self.w + "val") if nid is not None else None
                ilvl = _int(il.get(self.w + "val"), 0) if il is not None else None
        return num_id, ilvl, style

    def number_label(self, p: etree._Element) -> str:
        if not self.numbering.levels:
            return ""
        num_id, ilvl, style = self._ppr_num(p)
        if num_id is None or ilvl is None:
            s_num, s_ilvl = self.styles.numbering(style)
            num_id = num_id if num_id is not None else s_num
            ilvl = ilvl if ilvl is not None else s_ilvl
        if num_id is None:
            return ""
        return self.numbering.render(num_id, ilvl or 0)

    def heading_level(self, p: etree._Element) -> int | None:
        ppr = p.find(self.t["pPr"])
        style = None
        if ppr is not None:
            lvl = ppr.find(self.t["outlineLvl"])
            if lvl is not None:
                n = _int(lvl.get(self.w + "val"), 9)
                return n + 1 if n < 9 else None
            ps = ppr.find(self.t["pStyle"])
            style = ps.get(self.w + "val") if ps is not None else None
        return self.styles.heading(style)

    # ----- tables -----------------------------------------------------------------------------------

    def _children(self, el: etree._Element, want: str) -> list[etree._Element]:
        """`want` children of a table or row, looking through sdt/customXml/ins wrappers."""
        out: list[etree._Element] = []
        for ch in el:
            if ch.tag == want:
                out.append(ch)
            elif ch.tag in self._wrappers:
                out.extend(self._children(ch, want))
        return out

    def _val(self, parent: etree._Element | None, tag: str) -> str | None:
        if parent is None:
            return None
        el = parent.find(self.t[tag])
        if el is None:
            return None
        return el.get(self.w + "val", "")

    def _merge_props(self, tc: etree._Element) -> tuple[int, str | None, str | None]:
        """gridSpan, vMerge and hMerge of a cell, in one pass over its w:tcPr."""
        span, vmerge, hmerge = 1, None, None
        tcpr = tc.find(self.t["tcPr"])
        if tcpr is not None:
            val = self.w + "val"
            for el in tcpr:
                tag = el.tag
                if tag == self.t["gridSpan"]:
                    span = max(1, _span(el.get(val), 1))
                elif tag == self.t["vMerge"]:
                    vmerge = el.get(val, "")
                elif tag == self.t["hMerge"]:
                    hmerge = el.get(val, "")
        return span, vmerge, hmerge

    def cell_content(self, tc: etree._Element, nested: list[SlotBlock]) -> str:
        """A cell's paragraphs joined with "\\n"; its nested tables and text boxes go to `nested`."""
        lines: list[str] = []
        t = self.t
        stack = [iter(tc)]
        while stack:
            for ch in stack[-1]:
                if ch.tag == t["p"]:
                    boxes: list[etree._Element] = []
                    text = self.paragraph_text(ch, boxes)
                    if text:
                        lines.append(text)
                    for box in boxes:
                        nested.extend(self.blocks(box))
                elif ch.tag == t["tbl"]:
                    nested.extend(self.table(ch))
                elif ch.tag in self._wrappers:
                    stack.append(iter(ch))
                    break
            else:
                stack.pop()
        return "\n".join(lines)

    def _is_frame(self, rows: list[list[etree._Element]]) -> bool:
        """A table used as a box around content rather than as a grid of data."""
        cells = [tc for row in rows for tc in row]
        if len(cells) == 1:
            return True
        return all(len(row) == 1 for row in rows) and any(
            tc.find(".//" + self.t["tbl"]) is not None for tc in cells)

    def table(self, tbl: etree._Element) -> list[SlotBlock]:
        """The table as one Table block (plus the tables nested in it), or a frame's content."""
        t = self.t
        rows_el = [tr for tr in self._children(tbl, t["tr"])
                   if (props := tr.find(t["trPr"])) is None or props.find(t["del"]) is None]
        cells_el = [self._children(tr, t["tc"]) for tr in rows_el]
        if self._is_frame(cells_el):
            out: list[SlotBlock] = []
            for row in cells_el:
                for tc in row:
                    out.extend(self.blocks(tc))
            return out
        self.n_tables += 1
        label = f"table {self.n_tables}"
        grid = tbl.find(t["tblGrid"])
        grid_cols = len(grid.findall(t["gridCol"])) if grid is not None else 0
        if grid is None or not grid_cols:
            self.warn("no_table_grid", f"{label}: no w:tblGrid, columns taken from the rows")

        placed: list[_Placed] = []
        nested: list[SlotBlock] = []
        open_v: dict[int, _Placed] = {}  # grid column -> the cell whose vertical merge is open there
        widths: list[int] = []
        orphans = 0
        for r, (tr, tcs) in enumerate(zip(rows_el, cells_el, strict=True)):
            trpr = tr.find(t["trPr"])
            col = _span(self._val(trpr, "gridBefore"), 0)
            last: _Placed | None = None
            for tc in tcs:
                span, vmerge, hmerge = self._merge_props(tc)
                if hmerge is not None and hmerge != "restart" and last is not None:
                    last.colspan += span
                    col += span
                    continue
                if vmerge is not None and vmerge != "restart":
                    owner = open_v.get(col)
                    if owner is not None and owner.row + owner.rowspan == r:
                        owner.rowspan += 1
                        self.cell_content(tc, nested)  # content of a continued cell is not shown
                        col += span
                        last = None
                        continue
                    orphans += 1
                cell = _Placed(row=r, col=col, colspan=span, text=self.cell_content(tc, nested))
                for c in range(col, col + span):
                    open_v.pop(c, None)
                if vmerge is not None:
                    open_v[col] = cell
                placed.append(cell)
                last = cell
                col += span
            widths.append(col + _span(self._val(trpr, "gridAfter"), 0))
        if orphans:
            self.warn("vmerge_without_start", f"{label}: {orphans} cell(s) continue a vertical merge that "
                      "does not start above them; read as new cells")
        if grid_cols and any(width != grid_cols for width in widths):
            bad = sum(1 for width in widths if width != grid_cols)
            self.warn("ragged_rows", f"{label}: {bad} of {len(widths)} rows do not fill the "
                      f"{grid_cols} grid columns")
        elif not grid_cols and len(set(widths)) > 1:
            self.warn("ragged_rows", f"{label}: rows have different widths {sorted(set(widths))}")
        table = _to_table(placed, len(rows_el))
        if nested:
            self.warn("nested_table", f"{label}: {len(nested)} block(s) nested in cells, emitted after the table")
        return [table, *nested]


def _to_table(placed: list[_Placed], n_rows: int) -> Table:
    """The Table; spans are kept as the source wrote them, as the HTML extractor does, so that the same
    table gives the same grid from either format (a piece of a split table keeps its colspan 3)."""
    cells = [Cell(row=c.row, col=c.col, rowspan=max(1, min(c.rowspan, n_rows - c.row)), colspan=c.colspan,
                  text=c.text) for c in placed]
    n_cols = max((c.col + c.colspan for c in cells), default=0)
    return Table(n_rows=n_rows, n_cols=n_cols, cells=cells)
