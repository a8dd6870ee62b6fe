"""Reports whose pages or tables are pictures, read by OCR: a DOCX of page pictures, a saved page of
<img> tags with its _files folder, one tall JPEG (长图); every field exact, and a tall picture is
never cut through a line of text or a table row."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from extractors import extract, sniff
from extractors import pictures as pic
from pipeline import convert
from pipeline.errors import ExtractionError
from tests.fixturegen import make_report
from tests.fixturegen.media_builder import docx_of_pictures, page_pictures, saved_page, tall_picture
from tests.fixturegen.pdf_builder import Variant, build_docx, to_pdf
from tests.helpers import field_mismatches

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
needs_ocr = pytest.mark.skipif(not pic.available(), reason="the ocr extra (rapidocr-onnxruntime) is not installed")

SPECS = {
    "t2021": dict(template="2021", seed=81, agency="嫩江市霍龙门乡人民政府", year=2023),
    "t2019": dict(template="2019", seed=82, agency="安图县亮兵镇人民政府", year=2020),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Each report rendered by LibreOffice to PDF and its pages to 150-dpi pictures by PDFium."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed")
    out = tmp_path_factory.mktemp("pictures")
    specs = {name: make_report(**opts) for name, opts in SPECS.items()}
    docs = [build_docx(spec, Variant(), out / f"{name}.docx") for name, spec in specs.items()]
    pdfs = to_pdf(docs, out)
    return out, {name: (page_pictures(pdf, dpi=150), specs[name]) for name, pdf in zip(specs, pdfs, strict=True)}


def _assert_exact(path, spec) -> dict:
    data = convert(path).model_dump(by_alias=True)
    assert field_mismatches(spec.values, data) == {}
    for key in ("template", "year", "agency", "published"):
        assert data["report"][key] == getattr(spec, key), key
    assert data["report"]["title"] == spec.title
    assert not [c for c in data["checks"] if not c["ok"]]
    # the prose read from the pictures feeds the sections as in any other format
    assert "坚持以公开为常态" in (data["sections"]["overview"] or "")
    assert "政策解读形式单一" in (data["sections"]["problems"] or "")
    return data


@needs_soffice
@needs_ocr
def test_docx_of_page_pictures(rendered) -> None:
    out, built = rendered
    images, spec = built["t2021"]
    path = docx_of_pictures(images, out / "pictures.docx")
    data = _assert_exact(path, spec)
    assert data["source"]["format"] == "docx"
    assert any(i["code"] == "extract.ocr" for i in data["issues"])


@needs_soffice
@needs_ocr
def test_saved_page_of_img_tags(rendered) -> None:
    out, built = rendered
    images, spec = built["t2021"]
    page = saved_page(spec.title, images, out / "site", "content_123", spec.published, spec.agency)
    _assert_exact(page, spec)


@needs_soffice
@needs_ocr
def test_tall_picture_of_a_whole_report(rendered) -> None:
    out, built = rendered
    images, spec = built["t2019"]
    path = tall_picture(images, out / "changtu.jpg")
    assert sniff(path, path.read_bytes()[:8192]) == "image"
    data = _assert_exact(path, spec)
    assert data["source"]["format"] == "image"


def _ruled_page(width: int = 800, rows: int = 70) -> np.ndarray:
    """Text lines, then a ruled table far taller than a piece may be, then more text lines."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (width, 200 + rows * 30 + 200), 255)
    draw = ImageDraw.Draw(image)
    for y in (40, 80, 120):
        draw.rectangle((60, y, width - 60, y + 16), fill=0)  # a line of text, as a block of ink
    top = 200
    for r in range(rows + 1):
        draw.line((40, top + r * 30, width - 40, top + r * 30), fill=0, width=2)
    for x in (40, 300, width - 40):
        draw.line((x, top, x, top + rows * 30), fill=0, width=2)
    for r in range(rows):
        draw.rectangle((320, top + r * 30 + 9, 360, top + r * 30 + 21), fill=0)  # a number in each row
    for y in (top + rows * 30 + 60, top + rows * 30 + 100):
        draw.rectangle((60, y, width - 60, y + 16), fill=0)
    return np.asarray(image)


@needs_ocr  # the cutting uses OpenCV, which comes with the extra
def test_tall_picture_cut_only_between_lines_or_on_rules() -> None:
    gray = _ruled_page()
    pieces = pic.cut_tall(gray)
    assert len(pieces) >= 2
    assert all(p.shape[0] <= pic.MAX_PIECE_RATIO * gray.shape[1] for p in pieces)
    ink = gray < pic.INK
    y = 0
    for piece, nxt in zip(pieces, pieces[1:], strict=False):
        end = y + piece.shape[0]
        # the next piece starts either at the cut (a blank row) or back on the rule the cut was made on
        overlap = next(k for k in range(0, 8) if np.array_equal(gray[end - k:end - k + nxt.shape[0]], nxt))
        start = end - overlap
        if overlap == 0:
            assert not ink[end].any(), f"cut through ink at row {end}"
        else:
            assert all(ink[r, 45:gray.shape[1] - 45].all() for r in range(start, end)), "overlap is not a rule"
        y = start
    assert sum(p.shape[0] for p in pieces) >= gray.shape[0]


def test_small_pictures_are_not_read() -> None:
    assert not pic.worth_reading(np.zeros((40, 120), dtype=np.uint8))  # a logo
    assert not pic.worth_reading(np.zeros((300, 300), dtype=np.uint8))  # a seal
    assert pic.worth_reading(np.zeros((1754, 1241), dtype=np.uint8))  # a page


@needs_soffice
def test_without_ocr_one_line_says_what_to_install(rendered, monkeypatch) -> None:
    from extractors.pdf import ocr as pdf_ocr

    out, built = rendered
    images, spec = built["t2021"]
    monkeypatch.setattr(pdf_ocr, "available", lambda: False)
    for path in (docx_of_pictures(images[:1], out / "one.docx"), tall_picture(images[:1], out / "one.jpg")):
        with pytest.raises(ExtractionError) as info:
            extract(path)
        message = str(info.value)
        assert "pip install 'nianbao[ocr]'" in message and "\n" not in message
