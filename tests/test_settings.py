"""Extraction options: read from the environment in one place, passed to the extractors, set by flags."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractors.pdf.settings import PdfSettings
from pipeline.cli import app
from pipeline.settings import ExtractOptions

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "samples" / "pdf" / "ruled_2021_break_huashu.pdf"
runner = CliRunner()


def test_from_env_reads_every_variable() -> None:
    env = {"NIANBAO_PDF_PARSER": " PDFMiner ", "NIANBAO_PDF_ENGINE": "camelot", "NIANBAO_OCR": "off",
           "NIANBAO_OCR_THREADS": "3", "NIANBAO_SOFFICE": "/opt/lo/soffice", "NIANBAO_SOFFICE_TIMEOUT": "40"}
    assert ExtractOptions.from_env(env) == ExtractOptions(
        pdf_parser="pdfminer", pdf_engine="camelot", ocr=False, ocr_threads=3, soffice="/opt/lo/soffice",
        soffice_timeout=40.0)
    assert ExtractOptions.from_env({}) == ExtractOptions()


def test_from_env_ignores_what_it_cannot_mean_and_flags_win() -> None:
    env = {"NIANBAO_PDF_PARSER": "mupdf", "NIANBAO_PDF_ENGINE": "", "NIANBAO_OCR": "yes",
           "NIANBAO_OCR_THREADS": "many", "NIANBAO_SOFFICE": "", "NIANBAO_SOFFICE_TIMEOUT": "soon"}
    assert ExtractOptions.from_env(env) == ExtractOptions()
    flags = ExtractOptions.from_env({"NIANBAO_PDF_ENGINE": "camelot"}, pdf_engine="pdfplumber", pdf_parser=None)
    assert (flags.pdf_engine, flags.pdf_parser) == ("pdfplumber", "pdfium")


def test_options_validate_and_travel_as_plain_data() -> None:
    with pytest.raises(ValueError, match="unknown PDF engine"):
        ExtractOptions(pdf_engine="tabula")
    with pytest.raises(ValueError, match="parser"):
        ExtractOptions(pdf_parser="mupdf")
    with pytest.raises(ValueError, match="ocr_threads"):
        ExtractOptions(ocr_threads=0)
    options = ExtractOptions(pdf_engine="camelot", ocr_threads=2, pdf=PdfSettings(stitch_tolerance=10.0))
    plain = json.loads(json.dumps(options.to_dict()))
    assert ExtractOptions.from_dict(plain) == options


def test_pdf_settings_are_validated_field_by_field() -> None:
    assert PdfSettings().stitch_tolerance == 8.0 and PdfSettings().garbled_ratio == 0.3
    with pytest.raises(ValueError, match="snap_tolerance.*negative"):
        PdfSettings(snap_tolerance=-1)
    with pytest.raises(ValueError, match="garbled_ratio.*at most 1"):
        PdfSettings(garbled_ratio=1.5)
    with pytest.raises(ValueError, match="whole number"):
        PdfSettings(ocr_dpi=200.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="number"):
        PdfSettings(word_gap_em="wide")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        PdfSettings(no_such_tolerance=1)  # type: ignore[call-arg]


def test_only_pipeline_settings_reads_nianbao_variables() -> None:
    reads = re.compile(r"""(environ\s*(\.get\s*\(|\[)|getenv\s*\()\s*["']NIANBAO_""")
    found = [str(p.relative_to(ROOT)) for folder in ("pipeline", "extractors") for p in (ROOT / folder).rglob("*.py")
             if reads.search(p.read_text(encoding="utf-8"))]
    assert found == []
    assert "NIANBAO_PDF_PARSER" in (ROOT / "pipeline" / "settings.py").read_text(encoding="utf-8")


def _spy_extract(monkeypatch: pytest.MonkeyPatch) -> list[ExtractOptions]:
    import extractors

    seen: list[ExtractOptions] = []
    real = extractors.extract

    def spy(path, fmt=None, max_bytes=None, options=None):
        seen.append(options)
        return real(path, fmt=fmt, max_bytes=max_bytes, options=options)

    monkeypatch.setattr(extractors, "extract", spy)
    return seen


def test_convert_flags_reach_the_extractor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_PDF_PARSER", "pdfminer")
    seen = _spy_extract(monkeypatch)
    result = runner.invoke(app, ["convert", str(PDF), "-o", str(tmp_path), "--engine", "camelot"])
    assert result.exit_code == 0, result.output
    assert (seen[0].pdf_engine, seen[0].pdf_parser) == ("camelot", "pdfminer")  # flag, then environment
    result = runner.invoke(app, ["extract", str(PDF), "-o", str(tmp_path / "x.json"), "--parser", "PDFium"])
    assert result.exit_code == 0, result.output
    assert seen[1].pdf_parser == "pdfium"


def test_unknown_engine_or_parser_is_a_usage_error(tmp_path: Path) -> None:
    for flags in (["--engine", "tabula"], ["--parser", "mupdf"]):
        result = runner.invoke(app, ["convert", str(PDF), "-o", str(tmp_path), *flags])
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1 and flags[1] in result.stderr


def test_convert_with_camelot_reads_the_applications_table() -> None:
    """camelot's lattice finds table 三 here (it misses 二 and misreads 四 on this sample, as it always did)."""
    pytest.importorskip("camelot")
    from tests.helpers import field_mismatches

    truth = json.loads(PDF.with_suffix(".truth.json").read_text(encoding="utf-8"))
    result = runner.invoke(app, ["convert", str(PDF), "--stdout", "--engine", "camelot"])
    assert result.exit_code == 0, result.output
    wrong = field_mismatches(truth["fields"], json.loads(result.stdout))
    assert wrong and not [f for f in wrong if f.startswith("applications.")]


def test_batch_workers_get_the_job_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.batch.job import BatchOptions, run_batch

    seen = _spy_extract(monkeypatch)
    options = ExtractOptions(pdf_parser="pdfminer", pdf=PdfSettings(stitch_tolerance=9.0))
    run_batch([PDF], BatchOptions(out=tmp_path / "job", workers=0, progress=False, extract=options))
    assert seen == [options]  # rebuilt in the worker from the task's plain data
