"""Pre-2019 statistics tables in every format a body published them in: the python-docx report printed to
PDF and saved as DOC by LibreOffice; the table alone as a workbook (openpyxl .xlsx, and .xls saved by
LibreOffice Calc); a GBK portal page whose table is only the workbook attached beside it; the table as a
picture (a PNG of it, and pasted into the report's DOCX), read by OCR. Every mapped value, its column
(this_period, cumulative, ytd) and its unit exact, template "legacy" and the table's year."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractors import pictures
from pipeline import convert
from pipeline.report import Report
from tests.fixturegen.pdf_builder import office_convert
from tests.fixturegen.pre2019 import (
    LegacySpec,
    make_legacy,
    render_attachment_page,
    render_docx,
    render_docx_with_picture,
    render_xlsx,
    table_picture,
)

pytestmark = pytest.mark.needs_soffice
needs_ocr = pytest.mark.skipif(not pictures.available(), reason="the ocr extra (rapidocr-onnxruntime) is not installed")

# each layout once: one value column (L1), 数量 with refusal reasons (L3), a table year other than the
# title's with 历年累计 (L4), the Gansu form with 代码 and 本期实际 | 本年累计 (L6)
SPECS = {
    "L1": dict(seed=101, year=2012),
    "L3": dict(seed=103, year=2011),
    "L4": dict(seed=104, year=2016, table_year=2015),
    "L6": dict(seed=106, year=2016, agency="定西市安定区农牧局"),
}


def _spec(layout: str) -> LegacySpec:
    return make_legacy(layout, **SPECS[layout])  # type: ignore[arg-type]


def _folded(label: str) -> str:
    return "".join(label.split())


def assert_exact(report: Report, spec: LegacySpec, wrapped: bool = False) -> None:
    """Template, the table's year, every value in its column, every unit, and the rows no field names."""
    assert report.report.template == "legacy"
    assert report.report.year == spec.table_year
    expected = {f"{f}.{col}": v for f, entry in spec.expected.items() for col, v in entry.items() if col != "unit"}
    assert report.legacy_values() == expected
    units = {}
    for field_id in spec.expected:
        node = report.legacy
        for part in field_id.split(".")[1:]:
            node = node[part]
        units[field_id] = node["unit"]
    assert units == {f: e["unit"] for f, e in spec.expected.items()}
    unmapped = [r.model_dump() for r in report.legacy_unmapped]
    if wrapped:  # a label read from a PDF or a picture keeps the line breaks of its narrow cell
        unmapped = [{**r, "label": _folded(r["label"])} for r in unmapped]
    assert unmapped == spec.unmapped


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Each layout's report as DOCX, printed to PDF and saved as DOC; its table as XLSX and saved as XLS
    (one LibreOffice run per target format)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("pre2019-office")
    docx = {}
    xlsx = {}
    for layout in SPECS:
        spec = _spec(layout)
        docx[layout] = out / f"{layout}.docx"
        render_docx(spec, docx[layout])
        xlsx[layout] = render_xlsx(spec, out / f"{layout}.xlsx")
    pdf = office_convert(list(docx.values()), out, "pdf", "pdf")
    doc = office_convert(list(docx.values()), out, "doc:MS Word 97", "doc")
    xls = office_convert(list(xlsx.values()), out, "xls:MS Excel 97", "xls")
    return {"pdf": dict(zip(SPECS, pdf, strict=True)), "doc": dict(zip(SPECS, doc, strict=True)),
            "xlsx": xlsx, "xls": dict(zip(SPECS, xls, strict=True))}


CASES = [(fmt, layout) for fmt in ("pdf", "doc", "xlsx", "xls") for layout in SPECS]


@pytest.mark.parametrize(("fmt", "layout"), CASES, ids=[f"{f}-{la}" for f, la in CASES])
def test_every_value_in_each_office_format(office, fmt: str, layout: str) -> None:
    path = office[fmt][layout]
    report = convert(path)
    assert report.source.format == fmt
    assert_exact(report, _spec(layout), wrapped=fmt == "pdf")


def test_a_workbook_names_the_year_in_its_title_row(office) -> None:
    """年末统计 names no year: the table's title row above it does (…2012年政府信息公开情况统计表)."""
    report = convert(office["xlsx"]["L1"])
    assert report.report.year == SPECS["L1"]["year"]
    assert not [i for i in report.issues if i.code == "legacy.year_differs"]


@pytest.mark.parametrize(("layout", "fmt"), [("L1", "xls"), ("L6", "xlsx")])
def test_a_page_whose_table_is_an_attached_workbook(office, tmp_path, layout: str, fmt: str) -> None:
    """The page is the report (title, sections, 落款); its 统计表 only the workbook beside it."""
    spec = _spec(layout)
    workbook = tmp_path / f"{spec.table_year}年政府信息公开情况统计表.{fmt}"
    shutil.copy(office[fmt][layout], workbook)
    page = render_attachment_page(spec, tmp_path, workbook)
    report = convert(page)
    assert_exact(report, spec)
    data = report.model_dump(by_alias=True)
    assert (data["source"]["path"], data["source"]["format"]) == (str(page), "html")
    assert data["source"]["attachment"]["path"] == str(workbook.resolve())
    assert data["source"]["attachment"]["format"] == fmt
    assert (data["report"]["title"], data["report"]["agency"]) == (spec.title, spec.agency)
    assert data["report"]["published"] == f"{spec.year + 1}-01-20"
    assert "公开内容还需进一步丰富" in (data["sections"]["problems"] or "")  # the page's own text is kept


@pytest.fixture(scope="module")
def table_pictures(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("pre2019-pictures")
    return {layout: (out, table_picture(_spec(layout), out)) for layout in SPECS}


@needs_ocr
@pytest.mark.parametrize("layout", ["L1", "L4"])
def test_a_png_of_the_table(table_pictures, layout: str) -> None:
    out, picture = table_pictures[layout]
    path = out / f"{layout}.png"
    picture.save(path)  # type: ignore[attr-defined]
    report = convert(path)
    assert report.source.format == "image"
    assert_exact(report, _spec(layout), wrapped=True)


@needs_ocr
@pytest.mark.parametrize("layout", ["L3", "L6"])
def test_a_docx_with_the_table_as_a_picture(table_pictures, layout: str) -> None:
    out, picture = table_pictures[layout]
    spec = _spec(layout)
    report = convert(render_docx_with_picture(spec, picture, out / f"{layout}-picture.docx"))
    assert_exact(report, spec, wrapped=True)
    assert report.report.title == spec.title and report.report.agency == spec.agency
    assert any(i.code == "extract.ocr" for i in report.issues)
