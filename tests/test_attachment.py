"""A saved page whose report is an attachment beside it: converted as one report naming both files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractors import extract
from pipeline import convert
from pipeline.batch.archive import Limits, iter_items
from pipeline.batch.task import page_attachments
from pipeline.errors import ExtractionError
from tests.fixturegen import make_report
from tests.fixturegen.docx_builder import build_docx
from tests.helpers import field_mismatches

AGENCY = "宁安市渤海镇人民政府"


@pytest.fixture(scope="module")
def report_docx(tmp_path_factory) -> tuple[Path, object]:
    spec = make_report("2021", seed=71, agency=AGENCY, year=2023)
    path = tmp_path_factory.mktemp("att") / "report.docx"
    build_docx(spec, (), path)
    return path, spec


def _page(folder: Path, href: str, title: str, info: str = "") -> Path:
    from tests.fixturegen.media_builder import attachment_page

    return attachment_page(title, href, folder, "page", agency=AGENCY if info else "", published=info)


@pytest.mark.parametrize("where", ["files", "beside", "relative"])
def test_attachment_is_the_report(report_docx, tmp_path, where: str) -> None:
    source, spec = report_docx
    name = f"{spec.title}.docx"
    target = {"files": tmp_path / "page_files" / name, "beside": tmp_path / name,
              "relative": tmp_path / "upload" / "2024" / name}[where]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    href = {"files": f"page_files/{name}", "beside": f"/zwgk/upload/{name}",  # the portal's own path
            "relative": f"upload/2024/{name}"}[where]
    page = _page(tmp_path, href, spec.title)
    report = convert(page)
    data = report.model_dump(by_alias=True)
    assert field_mismatches(spec.values, data) == {}
    for key in ("template", "year", "agency", "published"):
        assert data["report"][key] == getattr(spec, key), key
    src = data["source"]
    assert (src["path"], src["format"]) == (str(page), "html")
    assert src["attachment"]["path"] == str(target.resolve()) and src["attachment"]["format"] == "docx"
    assert any(i["code"] == "extract.attachment" and i["level"] == "info" for i in data["issues"])


def test_page_metadata_fills_what_the_attachment_lacks(report_docx, tmp_path) -> None:
    """The attachment has no title line and no 落款: title, agency and date come from the page."""
    import docx

    source, spec = report_docx
    document = docx.Document(str(source))
    body = [p for p in document.paragraphs if p.text.strip()]
    for p in (body[0], body[-2], body[-1]):  # the title, the signature and its date
        p._element.getparent().remove(p._element)
    files = tmp_path / "page_files"
    files.mkdir()
    document.save(files / "附件1.docx")
    page = _page(tmp_path, "page_files/附件1.docx", spec.title, info="2024-02-03")
    data = convert(page).model_dump(by_alias=True)
    assert field_mismatches(spec.values, data) == {}
    assert (data["report"]["title"], data["report"]["agency"], data["report"]["year"]) == (
        spec.title, spec.agency, spec.year)
    assert data["report"]["published"] == "2024-02-03"


def test_missing_attachment_is_one_line_naming_it(tmp_path) -> None:
    page = _page(tmp_path, "page_files/某镇2023年政府信息公开工作年度报告.pdf", "某镇2023年政府信息公开工作年度报告")
    with pytest.raises(ExtractionError) as info:
        extract(page)
    message = str(info.value)
    assert "某镇2023年政府信息公开工作年度报告.pdf" in message and "\n" not in message


def test_links_never_leave_the_page_folder(report_docx, tmp_path) -> None:
    """`../secret.docx` and absolute paths are not followed, even when the file exists there."""
    source, spec = report_docx
    outside = tmp_path / "secret.docx"
    shutil.copy(source, outside)
    inner = tmp_path / "site"
    for href in ("../secret.docx", str(outside), "../../../../etc/passwd.pdf", "file:///etc/passwd.pdf"):
        page = _page(inner, href, spec.title)
        with pytest.raises(ExtractionError, match="not beside it"):
            extract(page)


def test_an_html_attachment_is_not_followed(tmp_path) -> None:
    page = _page(tmp_path, "page_files/report.pdf", "某镇2023年政府信息公开工作年度报告")
    (tmp_path / "page_files").mkdir()
    shutil.copy(page, tmp_path / "page_files" / "report.pdf")  # a failed download: the page itself
    with pytest.raises(ExtractionError, match="web page, not the report"):
        extract(page)


def test_batch_walk_yields_the_page_not_its_attachment(report_docx, tmp_path) -> None:
    source, spec = report_docx
    shutil.copy(source, tmp_path / "report.docx")  # beside the page
    _page(tmp_path, "report.docx", spec.title)
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(source, other / "standalone.docx")  # a document of its own
    (tmp_path / "saved_files").mkdir()
    (tmp_path / "saved_files" / "scan.pdf").write_bytes(b"%PDF-1.4\n")  # the saved page's own folder
    (tmp_path / "saved.html").write_text("<html><body><p>一个页面</p></body></html>", encoding="utf-8")
    names = sorted(Path(item.path).name for item in iter_items([tmp_path], Limits(),
                                                                  attachments_of=page_attachments))
    assert names == ["page.html", "saved.html", "standalone.docx"]
    # without the page, the same walk finds the attachment as a document
    assert "report.docx" in {Path(i.path).name for i in iter_items([tmp_path], Limits())}


def test_a_batch_converts_a_page_again_when_only_its_attachment_changed(report_docx, tmp_path) -> None:
    """The page's report is read from its attachment: replacing the attachment alone (a corrected upload) must
    not leave the job with the old numbers; a re-run with nothing changed converts nothing."""
    import json

    from pipeline.batch.job import BatchOptions, run_batch

    source, spec = report_docx
    other = make_report("2021", seed=72, agency=AGENCY, year=2023)
    assert other.values != spec.values
    corrected = tmp_path / "corrected.docx"
    build_docx(other, (), corrected)
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(source, folder / "report.docx")
    _page(folder, "report.docx", spec.title)
    out = tmp_path / "job"

    def reports() -> list[dict]:
        lines = (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def run() -> dict[str, int]:
        counts: dict[str, int] = {}
        run_batch([folder], BatchOptions(out=out, workers=0, progress=False), counts=counts)
        return counts

    assert run()["recorded"] == 1
    assert field_mismatches(spec.values, reports()[0]) == {}
    assert run() == {**run(), "recorded": 0}  # nothing changed: nothing converted
    shutil.copy(corrected, folder / "report.docx")  # the page itself is untouched
    assert run()["recorded"] == 1
    [report] = reports()
    assert field_mismatches(other.values, report) == {}
