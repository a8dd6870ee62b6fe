"""PDF extraction: generated reports printed by LibreOffice (every field exact), the real PDFs, the dev corpus.

Fixtures are DOCX files with real merges converted in ONE LibreOffice run per session (a few seconds).
Tests needing LibreOffice skip when it is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractors import extract
from pipeline import convert
from pipeline.errors import ExtractionError
from pipeline.intermediate import Paragraph, Table
from pipeline.settings import ExtractOptions, PdfSettings
from tests.fixturegen import ReportSpec, make_report
from tests.fixturegen.pdf_builder import Variant, build_docx, scan, to_pdf
from tests.helpers import field_mismatches, flatten

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REAL = SHARED / "real"
DEV = SHARED / "dev"

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")

CASES: dict[str, tuple[dict, Variant]] = {
    "ruled_break": ({"template": "2021", "seed": 21, "agency": "临江市桦树镇人民政府"}, Variant(filler=9)),
    "ruled_header": ({"template": "2021", "seed": 22, "agency": "抚松县松江河镇人民政府", "nulls": 3,
                      "break_rule": "balance"}, Variant(repeat_header=True, filler=10)),
    "borderless": ({"template": "2021", "seed": 23, "agency": "五常市滨江街道办事处"}, Variant(borders=False, filler=4)),
    "landscape": ({"template": "2021", "seed": 24, "agency": "宁陕县梅子镇人民政府", "year": 2024},
                  Variant(landscape_t3=True, filler=2)),
    "tpl2019": ({"template": "2019", "seed": 25, "agency": "宝鸡市凤县人民政府", "year": 2020}, Variant(filler=3)),
    # small type: the title and all three tables on page 1 (the page the OCR test scans)
    "compact": ({"template": "2021", "seed": 41, "agency": "长白县八道沟镇人民政府"},
                Variant(filler=0, table_size=7, body_size=8, margin_cm=1.2)),
}


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, tuple[Path, ReportSpec]]:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed")
    out = tmp_path_factory.mktemp("pdf_fixtures")
    specs = {name: make_report(**opts) for name, (opts, _) in CASES.items()}
    docs = [build_docx(specs[name], variant, out / f"{name}.docx") for name, (_, variant) in CASES.items()]
    pdfs = to_pdf(docs, out)
    return {name: (path, specs[name]) for name, path in zip(CASES, pdfs, strict=True)}


@needs_soffice
@pytest.mark.parametrize("name", list(CASES))
def test_generated_pdf_every_field(built, name: str) -> None:
    path, spec = built[name]
    data = convert(path).model_dump(by_alias=True)
    assert field_mismatches(spec.values, data) == {}
    assert len(flatten(data)) >= len(spec.values)
    for key in ("template", "year", "agency", "published"):
        assert data["report"][key] == getattr(spec, key), key
    failing = {c["rule"] for c in data["checks"] if not c["ok"]}
    assert failing == set(spec.expect_failing)


@needs_soffice
@pytest.mark.parametrize("name", ["ruled_break", "ruled_header", "borderless", "landscape"])
def test_table_three_is_one_table_across_pages(built, name: str) -> None:
    path, _ = built[name]
    tables = [b for b in extract(path).blocks if isinstance(b, Table)]
    assert len(tables) == 3
    t3 = tables[1]
    assert len({c.page for c in t3.cells}) == 2, "fixture should put table 三 across a page break"
    if name == "borderless":  # header lines become rows of their own
        assert 28 <= t3.n_rows <= 32 and t3.n_cols >= 10
    else:
        assert t3.n_rows == 28 and t3.n_cols == 10
    labels = [c.text.replace("\n", "") for c in t3.cells]
    assert sum("申请人情况" in t for t in labels) == 1  # a repeated header band is dropped
    assert any(t.startswith("四、结转下年度继续办理") for t in labels)


@needs_soffice
def test_spans_recovered_from_geometry(built) -> None:
    path, _ = built["ruled_break"]
    t3 = [b for b in extract(path).blocks if isinstance(b, Table)][1]
    by_text = {c.text.replace("\n", ""): c for c in t3.cells}
    assert (by_text["申请人情况"].colspan, by_text["申请人情况"].rowspan) == (7, 1)
    assert by_text["法人或其他组织"].colspan == 5
    assert by_text["自然人"].rowspan == 2
    assert by_text["三、本年度办理结果"].rowspan == 22
    assert by_text["一、本年新收政府信息公开申请数量"].colspan == 3
    for cell in t3.cells:
        assert cell.page is not None and cell.bbox is not None


@needs_soffice
def test_no_page_numbers_or_spaces_between_cjk(built) -> None:
    path, spec = built["ruled_break"]
    doc = extract(path)
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert texts[0] == spec.title
    assert any(t.startswith("三、收到和处理") for t in texts)
    assert all(" " not in t.replace("\n", "") for b in doc.blocks if isinstance(b, Table) for t in
               (c.text for c in b.cells))


@needs_soffice
def test_scanned_pdf_without_ocr_fails_with_install_hint(built, tmp_path) -> None:
    path, _ = built["tpl2019"]
    scanned = scan(path, tmp_path / "scanned.pdf", dpi=60)
    with pytest.raises(ExtractionError) as info:
        extract(scanned, options=ExtractOptions(ocr=False))
    message = str(info.value)
    assert "\n" not in message and "scanned PDF" in message
    assert info.value.kind == "unsupported"  # not corrupt: OCR would read it
    assert "pip install 'nianbao[ocr]'" in message
    # the command line, with the extra hidden by the environment: one line `path: reason`, exit 1
    run = _convert_cli(scanned, tmp_path / "out", env={"NIANBAO_OCR": "off"})
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [f"{scanned}: {message}"]


def test_ocr_unavailable_when_import_fails(monkeypatch) -> None:
    import sys

    from extractors.pdf import ocr as pdf_ocr

    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import raises ImportError
    assert not pdf_ocr.available()


needs_ocr = pytest.mark.skipif(not __import__("extractors.pdf.ocr", fromlist=["available"]).available(),
                               reason="the ocr extra (rapidocr-onnxruntime) is not installed")


@needs_soffice
@needs_ocr
def test_scanned_page_read_by_ocr(built, tmp_path) -> None:
    """Page 1 of the compact report (title and tables 二, 三, 四) rendered at 200 dpi, image only."""
    path, spec = built["compact"]
    scanned = scan(path, tmp_path / "scanned.pdf", dpi=200, pages=[1])
    start = time.perf_counter()
    data = convert(scanned).model_dump(by_alias=True)
    spent = time.perf_counter() - start
    assert field_mismatches(spec.values, data) == {}, f"OCR took {spent:.1f} s"
    assert (data["report"]["title"], data["report"]["year"], data["report"]["agency"]) == (
        spec.title, spec.year, spec.agency)
    assert any(i["code"].endswith("pdf_ocr") for i in data["issues"])


def _strip_tounicode(path: Path, out: Path) -> Path:
    """A copy whose fonts lose their ToUnicode maps: text extracts as glyph ids ((cid:N))."""
    data = path.read_bytes()
    assert b"/ToUnicode" in data
    out.write_bytes(data.replace(b"/ToUnicode", b"/ToUnicodX"))
    return out


@needs_soffice
@pytest.mark.parametrize("parser", ["pdfium", "pdfminer"])
def test_cid_text_is_detected_and_routed_to_ocr(built, tmp_path, monkeypatch, parser: str) -> None:
    from extractors.pdf import ocr as pdf_ocr

    options = ExtractOptions(pdf_parser=parser)
    path, _ = built["tpl2019"]
    garbled = _strip_tounicode(path, tmp_path / "cid.pdf")
    monkeypatch.setattr(pdf_ocr, "available", lambda: False)
    with pytest.raises(ExtractionError, match=r"unreadable text layer .*pip install 'nianbao\[ocr\]'") as info:
        extract(garbled, options=options)
    assert info.value.kind == "unsupported"
    calls: list[tuple[int, tuple]] = []

    def fake_ocr(gray, number, width, height, settings, n_threads=None, rec=None):
        calls.append((number, gray.shape))
        return [], []

    monkeypatch.setattr(pdf_ocr, "available", lambda: True)
    monkeypatch.setattr(pdf_ocr, "read_image", fake_ocr)
    doc = extract(garbled, options=options)
    assert [n for n, _ in calls] == list(range(1, (doc.source.pages or 0) + 1))
    assert all(shape[0] > 1500 for _, shape in calls)  # rendered at OCR resolution
    assert [w.code for w in doc.warnings].count("pdf_ocr") == len(calls)


def test_garbled_text_heuristic() -> None:
    from extractors.pdf.pages import _garbled

    def check(text: str, unmapped: int = 0) -> bool:
        return _garbled(text, text.replace(" ", ""), unmapped, PdfSettings().garbled_ratio)

    assert check("(cid:12)(cid:345)(cid:7)(cid:88)信息")
    assert check("Õþ¸®ÐÅÏ¢¹«¿ª¹¤×÷Äê¶È±¨¸æ")  # GBK read as Latin-1
    assert check("\x01\x04\x05\x06\x07\x08", unmapped=6)
    assert not check("临江市桦树镇人民政府2023年政府信息公开工作年度报告")
    assert not check("本年新收 2345 件，other 12 (cid:3)")


def test_cjk_spacing_and_furniture() -> None:
    from extractors.pdf.text import Line, clean_cjk
    from extractors.pdf.text import is_page_furniture as furniture

    def is_page_furniture(line: Line, height: float) -> bool:
        return furniture(line, height, PdfSettings().page_number_margin_ratio)

    assert clean_cjk("信 息 内 容  2024 年") == "信息内容 2024 年"
    assert clean_cjk("第二十条 第（一）项") == "第二十条第（一）项"
    for text in ("- 3 -", "— 4 —", "第 3 页", "第3页 共6页", "-12-", "3/6"):
        assert is_page_furniture(Line(280, 800, 300, 810, text, 10), 842), text
    assert not is_page_furniture(Line(280, 400, 300, 410, "- 3 -", 10), 842)
    assert not is_page_furniture(Line(80, 800, 300, 810, "2024年1月10日", 10), 842)


def test_not_a_pdf_and_broken(tmp_path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200)
    with pytest.raises(ExtractionError) as info:
        extract(bad)
    assert info.value.kind == "corrupt"


@needs_soffice
def test_broken_xref_is_repaired(built, tmp_path) -> None:
    path, spec = built["ruled_break"]
    data = bytearray(path.read_bytes())
    pos = data.rfind(b"startxref")
    data[pos:] = b"startxref\n999999\n%%EOF\n"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(bytes(data))
    values = flatten(convert(broken).model_dump(by_alias=True))
    assert values["applications.new_received.total"] == spec.values["applications.new_received.total"]


@pytest.fixture(scope="session")
def encrypted(tmp_path_factory) -> dict[str, Path]:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed")
    out = tmp_path_factory.mktemp("pdf_encrypted")
    spec = make_report("2021", seed=31)
    result = {}
    for name, options in (
        ("user_pw", '{"EncryptFile":{"type":"boolean","value":"true"},'
                    '"DocumentOpenPassword":{"type":"string","value":"secret"}}'),
        ("owner_only", '{"RestrictPermissions":{"type":"boolean","value":"true"},'
                       '"PermissionPassword":{"type":"string","value":"owner"},'
                       '"Printing":{"type":"long","value":"0"}}'),
    ):
        docx = build_docx(spec, Variant(filler=0), out / f"{name}.docx")
        result[name] = to_pdf([docx], out, filter_options=options)[0]
    result["spec"] = spec  # type: ignore[assignment]
    return result


@needs_soffice
def test_encrypted_pdfs(encrypted) -> None:
    assert b"/Encrypt" in encrypted["user_pw"].read_bytes()
    with pytest.raises(ExtractionError, match=r"encrypted PDF \(password required\)") as info:
        extract(encrypted["user_pw"])
    assert info.value.kind == "encrypted"
    owner_only = encrypted["owner_only"]
    assert b"/Encrypt" in owner_only.read_bytes()
    values = flatten(convert(owner_only).model_dump(by_alias=True))
    spec = encrypted["spec"]
    assert values["applications.results_total.total"] == spec.values["applications.results_total.total"]


# --- hostile PDFs (tests/fuzz/generators.py): each ends in seconds with one line, never a hang ----------

NIANBAO = Path(sys.executable).with_name("nianbao")


def _convert_cli(path: Path, out: Path, env: dict | None = None, timeout: float = 60,
                 memory: int | None = None) -> subprocess.CompletedProcess:
    """`nianbao convert` in a subprocess; `memory` bytes of address space at most (a regression fails, not the machine)."""
    import os
    import resource

    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([str(NIANBAO), "convert", str(path), "-o", str(out)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, preexec_fn=limit)


def _forms_drawing_forms(levels: int = 3, fan: int = 100) -> bytes:
    """4 KB whose page draws a form that draws a form `fan` times, `levels` deep: 10^6 forms of 40 lines."""
    generators = pytest.importorskip("tests.fuzz.generators")
    stream = generators._stream
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", generators._FONT,
               b"", stream(generators._text_ops(["Report"]) + b"\n/F Do\n"),
               stream(b"0.5 w 10 10 m 500 10 l S\n" * 40, b"/Type /XObject /Subtype /Form /BBox [0 0 600 800] ")]
    for level in range(levels):
        objects.append(stream(b"/F Do\n" * fan, b"/Type /XObject /Subtype /Form /BBox [0 0 600 800] "
                                               b"/Resources << /XObject << /F %d 0 R >> >> " % (6 + level)))
    objects[3] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> "
                  b"/XObject << /F %d 0 R >> >> /Contents 5 0 R >>" % len(objects))
    return generators.pdf_from_objects(objects)


@pytest.mark.parametrize("parser", ["pdfium", "pdfminer"])
@pytest.mark.parametrize("generator", ["pdf_reference_loop", "pdf_huge_content", "forms_drawing_forms"])
def test_hostile_pdf_ends_with_one_line(tmp_path, generator: str, parser: str) -> None:
    generators = pytest.importorskip("tests.fuzz.generators")
    path = tmp_path / f"{generator}.pdf"
    path.write_bytes(_forms_drawing_forms() if generator == "forms_drawing_forms" else getattr(generators, generator)())
    # a hang shows as subprocess.TimeoutExpired, a blow-up as a MemoryError or a kill; the bounds are loose
    # for loaded machines (typical: under 1 s and 150 MB)
    run = _convert_cli(path, tmp_path / "out", env={"NIANBAO_PDF_PARSER": parser}, timeout=60, memory=2 << 30)
    assert "Traceback" not in run.stderr + run.stdout
    if run.returncode == 0:
        assert (tmp_path / "out" / f"{path.name}.json").exists()
    else:
        assert run.returncode == 1
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{path}: "), run.stderr


def test_pdfminer_reference_cycle_resolves_to_default() -> None:
    from pdfminer.pdftypes import PDFObjRef, resolve1

    from extractors.pdf import guard as pdf_guard

    pdf_guard.install()

    class Doc:  # objects 6 -> 7 -> 6, and 8 -> 9 (a plain chain)
        objs = {6: None, 7: None, 9: 42}

        def getobj(self, objid):
            return {6: PDFObjRef(self, 7), 7: PDFObjRef(self, 6), 8: PDFObjRef(self, 9), 9: 42}[objid]

    doc = Doc()
    assert resolve1(PDFObjRef(doc, 6), default="none") == "none"
    assert resolve1(PDFObjRef(doc, 8)) == 42


@pytest.mark.timeout(120)
def test_huge_page_keeps_its_text(tmp_path) -> None:
    """PDFium parses 170,000 line segments in well under a second; pdfminer would take a minute: it skips the page."""
    generators = pytest.importorskip("tests.fuzz.generators")
    path = tmp_path / "huge.pdf"
    path.write_bytes(generators.pdf_huge_content(megabytes=4).replace(b"(Report)", b"(Report-2023)"))
    doc = extract(path)
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)] == ["Report-2023"]


def test_too_many_graphic_objects_skip_table_finding(monkeypatch) -> None:
    from extractors.pdf import pdfium as pdf_pdfium

    if not (REAL / "pdf_03_huaian2024.pdf").exists():
        pytest.skip("../shared/corpus/real not present")
    monkeypatch.setattr(pdf_pdfium, "MAX_OBJECTS", 10)
    doc = extract(REAL / "pdf_03_huaian2024.pdf")
    assert not any(isinstance(b, Table) for b in doc.blocks)
    skipped = [w for w in doc.warnings if w.code == "pdf_page_too_complex"]
    assert skipped and all("tables not looked for" in w.message for w in skipped)
    assert any("淮安市人民政府" in b.text for b in doc.blocks if isinstance(b, Paragraph))


# --- real PDFs -------------------------------------------------------------------------------------

needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/corpus/real not present")


def _real(name: str) -> dict:
    return convert(REAL / name).model_dump(by_alias=True)


@needs_real
def test_real_huaian_2024() -> None:
    data = _real("pdf_03_huaian2024.pdf")
    v = flatten(data)
    ap = "applications"
    assert [v[f"{ap}.new_received.{c}"] for c in ("natural_person", "commercial_enterprise", "research_institution",
                                                  "social_welfare_org", "legal_service_org", "other_org", "total")] \
        == [3001, 53, 0, 0, 61, 4, 3119]
    assert v[f"{ap}.carried_over.total"] == 34
    assert v[f"{ap}.results_total.total"] == 3050
    assert v[f"{ap}.carried_forward.total"] == 103
    rl = [v[f"review_litigation.{g}.{c}"] for g in ("review", "litigation_direct", "litigation_after_review")
          for c in ("upheld", "corrected", "other", "pending", "total")]
    assert rl == [72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20]
    assert v[f"{ap}.unavailable_not_held.total"] == 769  # the row right at the page break
    assert v[f"{ap}.other_other.total"] == 110
    assert data["report"]["year"] == 2024 and data["report"]["agency"] == "淮安市人民政府"
    assert all(c["ok"] for c in data["checks"])


@needs_real
def test_real_hongze_2024() -> None:
    data = _real("pdf_02_hongze2024.pdf")
    v = flatten(data)
    rl = [v[f"review_litigation.{g}.{c}"] for g in ("review", "litigation_direct", "litigation_after_review")
          for c in ("upheld", "corrected", "other", "pending", "total")]
    assert rl == [1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3]
    assert v["applications.new_received.total"] == 95
    assert v["active_disclosure.licensing.decisions"] == 9487
    assert v["active_disclosure.penalties.decisions"] == 2776
    assert v["active_disclosure.fees.amount_10k_yuan"] == 7545
    assert data["report"]["year"] == 2024


@needs_real
def test_real_hongze_2023_source_totals_are_wrong() -> None:
    data = _real("pdf_01_hongze2023.pdf")
    v = flatten(data)
    assert (v["review_litigation.review.upheld"], v["review_litigation.review.corrected"],
            v["review_litigation.review.total"]) == (10, 1, 0)
    assert v["review_litigation.litigation_after_review.upheld"] == 5
    failing = {c["rule"] for c in data["checks"] if not c["ok"]}
    assert failing == {"review_litigation.total"}


@needs_real
def test_real_vertical_label_and_stitching() -> None:
    doc = extract(REAL / "pdf_03_huaian2024.pdf")
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 3
    t3 = tables[1]
    vertical = next(c for c in t3.cells if c.text.startswith("三、\n本\n年"))
    assert vertical.rowspan == 22 and vertical.col == 0
    assert {c.page for c in t3.cells} == {4, 5}
    assert any(c.text == "（四）无\n法提供" and c.rowspan == 3 for c in t3.cells)
    paragraphs = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert not any(t.strip("-— ").isdigit() for t in paragraphs)


SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "pdf"


def _rotated_upright(src: Path, out: Path) -> Path:
    """Each page drawn turned 90° inside a form XObject on a page with /Rotate 90: it displays upright.

    The way some converters print landscape sections; exercises the /Rotate transform and nested forms.
    """
    import pypdfium2 as pdfium

    source, target = pdfium.PdfDocument(str(src)), pdfium.PdfDocument.new()
    for i in range(len(source)):
        width, height = source[i].get_size()
        obj = source.page_as_xobject(i, target).as_pageobject()
        obj.transform(pdfium.PdfMatrix(0, 1, -1, 0, height, 0))
        page = target.new_page(height, width)
        page.insert_obj(obj)
        page.gen_content()
        page.set_rotation(90)
    target.save(str(out))
    return out


@pytest.mark.parametrize("parser", ["pdfium", "pdfminer"])
def test_rotated_pages_every_field(tmp_path, parser: str) -> None:
    import json

    sample = SAMPLES / "ruled_2021_break_huashu.pdf"
    truth = json.loads(sample.with_suffix(".truth.json").read_text(encoding="utf-8"))
    rotated = _rotated_upright(sample, tmp_path / "rotated.pdf")
    data = convert(rotated, options=ExtractOptions(pdf_parser=parser)).model_dump(by_alias=True)
    assert field_mismatches(truth["fields"], data) == {}
    assert data["report"]["agency"] == truth["agency"]


AGREE = sorted(REAL.glob("pdf_*.pdf")) + sorted(SAMPLES.glob("*.pdf"))


@pytest.mark.parametrize("path", AGREE, ids=[f"{p.parent.name}/{p.stem}" for p in AGREE])
def test_pdfium_and_pdfminer_parsers_agree(path: Path) -> None:
    """PDFium's characters and edges stand in for pdfminer's: the same report, metadata included."""
    def run(parser: str) -> dict:
        data = convert(path, options=ExtractOptions(pdf_parser=parser)).model_dump(by_alias=True)
        data.pop("provenance")  # bboxes differ by font descents (PDFium's where pdfminer reads 0)
        data["source"].pop("extractor", None)
        return data

    assert run("pdfium") == run("pdfminer")


def test_recorded_stages_stay_out_of_the_intermediate_form() -> None:
    from extractors.pdf import extract as extract_pdf

    path = SAMPLES / "ruled_2021_break_huashu.pdf"
    data = path.read_bytes()
    stages: list = []
    recorded = extract_pdf(path, data, "pdf", ExtractOptions(), stages=stages)
    assert recorded.to_json() == extract_pdf(path, data, "pdf", ExtractOptions()).to_json()
    assert [(s.number, s.route) for s in stages] == [(1, ""), (2, "ruled"), (3, "ruled")]
    ruling = stages[1].ruling
    assert ruling is not None and ruling.edges and ruling.intersections and len(ruling.tables) == 2
    placed = sum(len(s.placed) for s in stages)
    assert placed == sum(len(b.cells) for b in recorded.blocks if isinstance(b, Table))


def test_tolerances_are_passed_down() -> None:
    """A stitch tolerance below the pieces' offset leaves the break unstitched: the setting reaches assemble."""
    path = SAMPLES / "ruled_2021_break_huashu.pdf"

    def n_tables(settings: PdfSettings) -> int:
        doc = extract(path, options=ExtractOptions(pdf=settings))
        return sum(isinstance(b, Table) for b in doc.blocks)

    assert n_tables(PdfSettings()) == 3
    assert n_tables(PdfSettings(stitch_tolerance=0.0)) > 3


# --- dev corpus -----------------------------------------------------------------------------------

DEV_PDFS = sorted(DEV.glob("dev_*.pdf")) if DEV.exists() else []


@pytest.mark.parametrize("path", DEV_PDFS, ids=[p.stem for p in DEV_PDFS])
def test_dev_pdfs_exact(path: Path) -> None:
    import json

    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    data = convert(path).model_dump(by_alias=True)
    assert field_mismatches(truth["fields"], data) == {}


def test_table_pages_only_pay_for_table_finding(monkeypatch) -> None:
    if not DEV_PDFS:
        pytest.skip("dev corpus not present")
    from extractors.pdf import pages

    calls: list[int] = []
    original = pages._ruled_pieces

    def counting(reading, chars):
        calls.append(reading.number)
        return original(reading, chars)

    monkeypatch.setattr(pages, "_ruled_pieces", counting)
    doc = extract(DEV_PDFS[0])
    assert 0 < len(calls) < (doc.source.pages or 0) + 1
    assert 1 not in calls or any(isinstance(b, Table) and b.page == 1 for b in doc.blocks)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_camelot_lattice_reads_cjk_rows(built) -> None:
    pytest.importorskip("camelot")
    from extractors.pdf import camelot as pdf_camelot

    path, spec = built["ruled_break"]
    pieces = pdf_camelot.table_rows(path, pages="2")
    flat = [row for table in pieces for row in table]
    row = next(r for r in flat if r and r[0].replace("\n", "").startswith("一、本年新收"))
    values = [int(x) for x in row if x.strip().isdigit()]
    assert values[-1] == spec.values["applications.new_received.total"]
