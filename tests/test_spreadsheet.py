"""extractors.spreadsheet: XLSX workbooks (openpyxl) and XLS through LibreOffice Calc, every field exact."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from extractors import extract, sniff
from extractors.spreadsheet import cell_text
from pipeline import convert
from pipeline.errors import ExtractionError
from pipeline.intermediate import Paragraph, Table
from tests.fixturegen import make_report
from tests.fixturegen.media_builder import build_xlsx
from tests.helpers import field_mismatches

SPECS = {
    "onesheet2021": (dict(template="2021", seed=61, agency="泰来县塔子城镇人民政府", year=2023), "onesheet"),
    "sheets2019": (dict(template="2019", seed=62, agency="榆树市五棵树镇人民政府", year=2020), "sheets"),
    "nulls2021": (dict(template="2021", seed=63, agency="通河县凤山镇人民政府", year=2022, nulls=4), "onesheet"),
}


def _has_calc() -> bool:
    return shutil.which("soffice") is not None and Path("/usr/lib/libreoffice/program/libsclo.so").exists()


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    out = tmp_path_factory.mktemp("xlsx")
    built = {}
    for name, (opts, layout) in SPECS.items():
        spec = make_report(**opts)
        built[name] = (build_xlsx(spec, out / f"{name}.xlsx", layout), spec)
    return built


def _assert_exact(path: Path, spec) -> None:
    data = convert(path).model_dump(by_alias=True)
    assert field_mismatches(spec.values, data) == {}
    for key in ("template", "year", "agency"):
        assert data["report"][key] == getattr(spec, key), key
    assert data["report"]["title"] == spec.title
    assert not [c for c in data["checks"] if not c["ok"]]


@pytest.mark.parametrize("name", list(SPECS))
def test_workbook_every_field(workbooks, name: str) -> None:
    path, spec = workbooks[name]
    _assert_exact(path, spec)


def test_title_row_is_a_paragraph_and_merges_are_spans(workbooks) -> None:
    path, spec = workbooks["onesheet2021"]
    doc = extract(path)
    assert doc.source.format == "xlsx" and doc.source.extractor == "spreadsheet"
    assert isinstance(doc.blocks[0], Paragraph) and doc.blocks[0].text == spec.title
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 3
    t3 = {c.text: c for c in tables[1].cells}
    assert (t3["申请人情况"].rowspan, t3["申请人情况"].colspan) == (1, 7)
    assert t3["法人或其他组织"].colspan == 5 and t3["自然人"].rowspan == 2
    assert t3["三、本年度办理结果"].rowspan == 22
    assert tables[1].n_cols == 10 and tables[2].n_cols == 15


def test_numbers_stored_as_floats_read_as_counts() -> None:
    assert cell_text(3.0) == "3"
    assert cell_text(58.42) == "58.42"
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(-1.0) == "-1"
    assert cell_text("  行政许可 ") == "行政许可"
    assert cell_text(None) == ""


def test_sniffed_by_content(workbooks, tmp_path) -> None:
    path, _ = workbooks["sheets2019"]
    renamed = tmp_path / "report.bin"
    shutil.copy(path, renamed)
    assert sniff(renamed, renamed.read_bytes()[:8192]) == "xlsx"


def test_broken_workbook_is_one_line(tmp_path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(ExtractionError) as info:
        extract(bad)
    assert "\n" not in str(info.value)


@pytest.mark.skipif(not _has_calc(), reason="LibreOffice Calc (libreoffice-calc) not installed")
def test_xls_through_libreoffice(workbooks, tmp_path) -> None:
    """The workbook saved as Excel 97 .xls by LibreOffice (as WPS/Excel users publish it), and as .et."""
    path, spec = workbooks["onesheet2021"]
    with tempfile.TemporaryDirectory(prefix="nianbao-test-lo-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", "xls", "--outdir", str(tmp_path), str(path)],
                       check=True, capture_output=True, timeout=180)
    xls = tmp_path / f"{path.stem}.xls"
    assert sniff(xls, xls.read_bytes()[:8192]) == "xls"
    _assert_exact(xls, spec)
    doc = extract(xls)
    assert doc.source.format == "xls" and doc.source.metadata.get("converted_by") == "LibreOffice"
