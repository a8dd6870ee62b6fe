"""PDF fixtures made the way agencies make them: a Word document with merged cells, printed by an office suite.

`build_docx(spec, variant)` writes a DOCX with python-docx (real `cell.merge` spans, optional
repeated header rows via w:tblHeader, borderless tables, a landscape section, filler paragraphs that
push table 三 across a page break); `to_pdf(docx_paths, outdir)` converts them with LibreOffice in
one run, with a private profile so parallel runs never share one. `scan(pdf, out)` turns a PDF
into an image-only one (pages rendered by pypdfium2, wrapped by Pillow), as a scanner would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from extractors.grid import place_rows
from tests.fixturegen import ReportSpec

FONT = "Noto Serif CJK SC"
FILLER = ("坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，"
          "严格执行《中华人民共和国政府信息公开条例》，围绕中心工作，聚焦群众关切，不断提升政务公开质量和实效，"
          "持续优化政府信息公开平台建设，规范依申请公开办理流程，切实保障人民群众的知情权、参与权、表达权和监督权。")


@dataclass
class Variant:
    """How one fixture is laid out."""

    borders: bool = True
    repeat_header: bool = False
    landscape_t3: bool = False
    filler: int = 4  # paragraphs of filler after section 一 (pushes table 三 down the page)
    table_size: float = 9  # points, table text
    body_size: float = 10.5  # points, paragraphs (headings scale with it)
    margin_cm: float = 2.0  # left/right page margins (top/bottom: 0.2 cm more)


def _font(run_or_style, size: float | None = None, bold: bool = False) -> None:
    font = run_or_style.font
    font.name = FONT
    if size:
        font.size = Pt(size)
    font.bold = bold or None
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)


def _widths(n_cols: int, kind: str, text_width: float) -> list[float]:
    if kind == "t3":
        head = [0.9, 2.1, 4.6] if n_cols == 10 else [0.9, 2.1, 4.6][: n_cols - 7]
        rest = (text_width - sum(head)) / 7
        return head + [rest] * 7
    if kind == "t2":
        return [text_width * 0.31] + [text_width * 0.23] * (n_cols - 1)
    return [text_width / n_cols] * n_cols


def _add_table(doc, rows, kind: str, variant: Variant, text_width: float) -> None:
    cells, _ = place_rows(rows)
    n_rows = len(rows)
    n_cols = max(c.col + c.colspan for c in cells)
    table = doc.add_table(rows=n_rows, cols=n_cols)
    if variant.borders:
        table.style = "Table Grid"
    table.autofit = False
    widths = _widths(n_cols, kind, text_width)
    for col, grid_col in zip(table.columns, table._tbl.tblGrid.findall(qn("w:gridCol")), strict=True):
        grid_col.set(qn("w:w"), str(int(Cm(widths[col._index]).twips)))
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Cm(widths[i])
    header_rows = 3 if kind == "t3" else (3 if kind == "t4" else 0)
    if variant.repeat_header and header_rows:
        for r in range(header_rows):
            trpr = table.rows[r]._tr.get_or_add_trPr()
            mark = OxmlElement("w:tblHeader")
            mark.set(qn("w:val"), "true")
            trpr.append(mark)
    label_cols = {"t2": 1, "t3": 3}.get(kind, 0)
    for c in cells:
        target = table.cell(c.row, c.col)
        if c.rowspan > 1 or c.colspan > 1:
            target = target.merge(table.cell(c.row + c.rowspan - 1, c.col + c.colspan - 1))
        target.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        para = target.paragraphs[0]
        label = c.col < label_cols and c.rowspan == 1
        para.alignment = WD_ALIGN_PARAGRAPH.LEFT if label else WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(c.text)
        _font(run, variant.table_size)


def _section(doc, landscape: bool, margin: float = 2.0) -> None:
    from docx.enum.section import WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape, margin)


def _page(section, landscape: bool, margin: float = 2.0) -> None:
    long, short = Cm(29.7), Cm(21.0)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.left_margin = section.right_margin = Cm(margin)
    section.top_margin = section.bottom_margin = Cm(margin + 0.2)


def build_docx(spec: ReportSpec, variant: Variant, out: Path) -> Path:
    doc = Document()
    body = variant.body_size
    _font(doc.styles["Normal"], body)
    _page(doc.sections[0], False, variant.margin_cm)
    portrait_width, landscape_width = 21.0 - 2 * variant.margin_cm, 29.7 - 2 * variant.margin_cm
    tables = iter(("t2", "t3", "t4"))
    heading_count = 0
    for block in spec.blocks:
        if isinstance(block, tuple):
            heading_count += 1
            if variant.landscape_t3 and block[1].startswith("三、"):
                _section(doc, True, variant.margin_cm)
            if variant.landscape_t3 and block[1].startswith("四、"):
                _section(doc, False, variant.margin_cm)
            para = doc.add_paragraph()
            if heading_count == 1:
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(para.add_run(block[1]), body * (16 / 10.5 if heading_count == 1 else 12 / 10.5), bold=True)
            if block[1].startswith("一、"):
                for i in range(variant.filler):
                    p = doc.add_paragraph()
                    p.paragraph_format.first_line_indent = Pt(2 * body)
                    _font(p.add_run(f"（{'一二三四五六七八九十'[i % 10]}）" + FILLER), body)
        elif isinstance(block, str):
            para = doc.add_paragraph()
            signature = block == spec.agency or block.endswith("日") and len(block) < 14
            if signature:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            else:
                para.paragraph_format.first_line_indent = Pt(2 * body)
            _font(para.add_run(block), body)
        else:
            kind = next(tables)
            width = landscape_width if variant.landscape_t3 and kind == "t3" else portrait_width
            _add_table(doc, block, kind, variant, width)
    doc.core_properties.title = spec.title
    doc.save(out)
    return out


def to_pdf(docx_paths: list[Path], outdir: Path, filter_options: str = "", timeout: float = 180) -> list[Path]:
    """Convert DOCX files to PDF in one LibreOffice run with a private profile."""
    target = "pdf" + (f":writer_pdf_Export:{filter_options}" if filter_options else "")
    return office_convert(docx_paths, outdir, target, "pdf", timeout)


def office_convert(paths: list[Path], outdir: Path, target: str, suffix: str, timeout: float = 180) -> list[Path]:
    """Save files as another format (`--convert-to target`: pdf, doc, xls...) in one LibreOffice run with a
    private profile, as a person does with "Save as"; the paths of the files written."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    profile = Path(tempfile.gettempdir()) / f"lo_nianbao_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                        "--convert-to", target, "--outdir", str(outdir), *map(str, paths)],
                       check=True, capture_output=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    written = [outdir / f"{p.stem}.{suffix}" for p in paths]
    missing = [p for p in written if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}")
    return written


def scan(pdf: Path, out: Path, dpi: int = 110, pages: list[int] | None = None) -> Path:
    """An image-only copy of `pdf` (or of its 1-based `pages`): every page rendered by PDFium in grey, no text layer."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        images = []
        for number in pages or range(1, len(doc) + 1):
            page = doc[number - 1]
            images.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            page.close()
    finally:
        doc.close()
    images[0].save(out, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return out
