"""Reports as spreadsheets, as pictures and as attachments, made the way such files occur in the wild.

- `build_xlsx`: an openpyxl workbook (what Excel/WPS save): a title row, the three tables with the
  template's merged cells, numbers stored as numbers (whole ones as floats, as Excel does: 3.0);
  on one sheet separated by blank rows, or one table per sheet.
- `page_pictures`: a report rendered by LibreOffice to PDF, each page rendered to a picture by PDFium
  (what "save as picture" or a screenshot tool gives); `docx_of_pictures` pastes them into a DOCX
  with python-docx; `saved_page` writes a portal page of <img> tags and its `_files` folder;
  `tall_picture` stacks them into one long JPEG (a 长图).
- `attachment_page`: a portal page whose only content is `附件：…年度报告.pdf` linking the report.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

from extractors.grid import RawCell, place_rows
from tests.fixturegen import ReportSpec


def _value(text: str) -> float | int | str:
    """A cell as a spreadsheet stores it: numbers as numbers, whole ones mostly as floats (3.0)."""
    try:
        number = float(text)
    except ValueError:
        return text
    if number.is_integer():
        return float(number) if int(number) % 2 else int(number)
    return number


def _write_table(sheet, rows: list[list[RawCell]], top: int, left: int = 1) -> int:
    """Place the table's cells on the sheet with their merges; the next free row."""
    cells, _ = place_rows(rows)
    for c in cells:
        sheet.cell(row=top + c.row, column=left + c.col, value=_value(c.text) if c.text else None)
        if c.rowspan > 1 or c.colspan > 1:
            sheet.merge_cells(start_row=top + c.row, start_column=left + c.col,
                              end_row=top + c.row + c.rowspan - 1, end_column=left + c.col + c.colspan - 1)
    return top + len(rows)


def build_xlsx(spec: ReportSpec, path: Path, layout: str = "onesheet") -> Path:
    """The three tables of the report in a workbook, with the report's title on top."""
    import openpyxl

    tables = [b for b in spec.blocks if isinstance(b, list)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "年度报告" if layout == "onesheet" else "表二"
    sheet.cell(row=1, column=1, value=spec.title)
    row = 3
    for n, table in enumerate(tables):
        if layout == "sheets" and n:
            sheet = book.create_sheet(["表二", "表三", "表四"][n])
            row = 1
        row = _write_table(sheet, table, row) + 2
    book.save(path)
    return path


def page_pictures(pdf: Path, dpi: int = 150) -> list:
    """Every page of the PDF as a picture (PIL image, RGB), as PDFium renders it."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def docx_of_pictures(images: list, path: Path) -> Path:
    """A DOCX whose pages are pictures, one per paragraph, pasted at the text width (python-docx)."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    for image in images:
        document.add_picture(io.BytesIO(_png(image)), width=Cm(16))
    document.save(path)
    return path


def saved_page(title: str, images: list, folder: Path, stem: str, published: str, agency: str) -> Path:
    """A portal page saved whole: the report is <img> tags pointing into `<stem>_files/`."""
    files = folder / f"{stem}_files"
    files.mkdir(parents=True, exist_ok=True)
    tags = []
    for n, image in enumerate(images, 1):
        name = f"W0{20240110 + n}.png"
        (files / name).write_bytes(_png(image))
        tags.append(f'<p style="text-align:center"><img src="{stem}_files/{name}" width="600" border="0"/></p>')
    (files / "logo.png").write_bytes(_png(images[0].resize((120, 40))))  # site chrome, not the report
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body><div class="header"><img src="{stem}_files/logo.png"/><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div>
<div class="article"><h1>{html.escape(title)}</h1>
<div class="info">发布时间：{published}　来源：{html.escape(agency)}</div>
<div class="TRS_Editor">{''.join(tags)}</div></div>
<div class="footer">主办单位：{html.escape(agency)}</div></body></html>"""
    path = folder / f"{stem}.html"
    path.write_text(page, encoding="utf-8")
    return path


def tall_picture(images: list, path: Path, width: int = 993) -> Path:
    """The pages stacked into one long JPEG, as a 长图 export or a long screenshot gives."""
    from PIL import Image

    scaled = [im.resize((width, round(im.height * width / im.width))) for im in images]
    tall = Image.new("RGB", (width, sum(im.height for im in scaled)), "white")
    y = 0
    for im in scaled:
        tall.paste(im, (0, y))
        y += im.height
    tall.save(path, "JPEG", quality=90)
    return path


def attachment_page(title: str, href: str, folder: Path, stem: str, agency: str = "",
                    published: str = "") -> Path:
    """A portal notice whose report is an attachment: `附件：<a href=…>…</a>` and no table."""
    info = f'<div class="info">发布时间：{published}　发布机构：{html.escape(agency)}</div>' if published else ""
    page = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="ArticleTitle" content="{html.escape(title)}"><title>{html.escape(title)}</title></head>
<body><div class="nav"><a href="/">网站首页</a> <a href="/zwgk/">政务公开</a></div>
<div class="content"><h2>{html.escape(title)}</h2>{info}
<p>根据《中华人民共和国政府信息公开条例》规定，现将{html.escape(title)}予以公布。</p>
<p>附件：<a href="{html.escape(href)}">{html.escape(Path(href).name)}</a></p></div>
<div class="share">分享到：</div></body></html>"""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.html"
    path.write_text(page, encoding="utf-8")
    return path
