"""Legacy formats through LibreOffice: .doc/.wps/.rtf/.odt and a .docx that is really a .doc, in
parallel; timeouts kill the whole process group; a missing soffice says how to install it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from multiprocessing.pool import ThreadPool
from pathlib import Path

import pytest

from extractors import extract, legacy
from pipeline.errors import ExtractionError
from tests.fixturegen import make_report
from tests.fixturegen.docx_builder import build_docx
from tests.helpers import field_mismatches

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")


def soffice_convert(paths: list[Path], target: str, outdir: Path) -> None:
    """Convert fixtures the way a body's office suite saves them (one soffice run for many files)."""
    with tempfile.TemporaryDirectory(prefix="nianbao-test-lo-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", target, "--outdir", str(outdir), *map(str, paths)],
                       check=True, capture_output=True, timeout=180)


@pytest.fixture(scope="module")
def legacy_files(tmp_path_factory):
    """Three reports saved as .doc, one as .rtf and one as .odt, with their specs."""
    work = tmp_path_factory.mktemp("legacy")
    specs = {
        "a2021": (make_report("2021", seed=21, agency="汤原县民政局"), ()),
        "b2019": (make_report("2019", seed=22, year=2020, agency="抚松县松江河镇人民政府"), ()),
        "c2021": (make_report("2021", seed=23, agency="武义县汀祖镇人民政府"),
                  ("vertical_header", "split_table3", "numbered_headings")),
        "d2021": (make_report("2021", seed=24), ("spaced_labels", "social_org")),
        "e2019": (make_report("2019", seed=25, year=2019), ("table2_in_four",)),
    }
    for name, (spec, variants) in specs.items():
        build_docx(spec, variants, work / f"{name}.docx")
    batches = [([work / f"{n}.docx" for n in ("a2021", "b2019", "c2021")], "doc"),
               ([work / "d2021.docx"], "rtf"), ([work / "e2019.docx"], "odt")]
    with ThreadPool(3) as pool:
        pool.starmap(soffice_convert, [(paths, target, work) for paths, target in batches])
    return work, {name: spec for name, (spec, _) in specs.items()}


@pytest.fixture(scope="module")
def parallel_results(legacy_files):
    """Three extractions at once (own profile each): a .doc, a Kingsoft-style .wps and a .docx that
    is really an OLE .doc."""
    work, _ = legacy_files
    wps = work / "b2019.wps"
    shutil.copy(work / "b2019.doc", wps)
    fake = work / "c2021_really_doc.docx"
    shutil.copy(work / "c2021.doc", fake)
    jobs = [(work / "a2021.doc", "a2021", "doc"), (wps, "b2019", "wps"), (fake, "c2021", "doc")]

    def run(job):
        path, name, fmt = job
        return path, name, fmt, extract(path)

    with ThreadPool(3) as pool:
        return pool.map(run, jobs)


@needs_soffice
def test_doc_wps_and_fake_docx_in_parallel(legacy_files, parallel_results):
    """All three read, every field right, the source keeps the original format and bytes."""
    from pipeline.normalise import normalise

    _, specs = legacy_files
    results = parallel_results
    for path, name, fmt, doc in results:
        assert doc.source.format == fmt and doc.source.extractor == "legacy", path.name
        assert doc.source.sha256 and doc.source.size == path.stat().st_size
        assert doc.source.metadata.get("converted_by") == "LibreOffice"
        spec = specs[name]
        assert doc.source.metadata.get("title") == spec.title
        report = normalise(doc).model_dump()
        assert field_mismatches(spec.values, report) == {}, path.name
    texts = [b.text for b in results[2][3].blocks if b.kind == "paragraph"]
    assert "三、收到和处理政府信息公开申请情况" in texts  # numbering survives the round trip


@needs_soffice
@pytest.mark.parametrize("name, suffix", [("d2021", "rtf"), ("e2019", "odt")])
def test_rtf_and_odt(legacy_files, name, suffix):
    from pipeline import convert

    work, specs = legacy_files
    report = convert(work / f"{name}.{suffix}").model_dump()
    assert report["source"]["format"] == suffix
    assert field_mismatches(specs[name].values, report) == {}


@needs_soffice
def test_doc_grid_spans(parallel_results):
    doc = parallel_results[0][3]
    t3 = [b for b in doc.blocks if b.kind == "table"][1]
    (results,) = [c for c in t3.cells if c.text == "三、本年度办理结果"]
    assert (t3.n_rows, t3.n_cols, results.rowspan) == (28, 10, 22)


@needs_soffice
def test_corrupt_doc_is_an_extraction_error(tmp_path):
    bad = tmp_path / "broken.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096))
    with pytest.raises(ExtractionError, match="could not convert") as info:
        extract(bad)
    assert info.value.kind == "corrupt"  # the message names "password-protected" as a possibility: not the kind


@needs_soffice
def test_timeout_kills_the_process_group(tmp_path, monkeypatch):
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def spy(*args, **kwargs):
        made.append(real_mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", spy)
    data = build_docx(make_report("2021", seed=5))
    with pytest.raises(ExtractionError, match="did not finish") as info:
        legacy.convert_to_docx(data, "doc", timeout=0.3)
    assert info.value.kind == "timeout"
    assert made
    leftovers = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and made[0].encode() in (proc / "cmdline").read_bytes():
                leftovers.append(proc.name)
        except OSError:
            continue
    assert leftovers == []


def test_missing_soffice_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("NIANBAO_SOFFICE", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    with pytest.raises(ExtractionError, match="apt-get install --no-install-recommends libreoffice-writer") as info:
        extract(path)
    assert info.value.kind == "unsupported"


def test_encrypted_ooxml_refused_without_soffice(tmp_path):
    path = tmp_path / "secret.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(ExtractionError, match="password-protected") as info:
        extract(path)
    assert info.value.kind == "encrypted"
