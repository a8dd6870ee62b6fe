"""Formats: content decides before the name, one suffix table serves every reader of names, and the
dispatch has no import cycle (legacy reads through the DOCX reader, never the other way round)."""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

import pytest

from extractors import docx as docx_extractor
from extractors import sniff
from pipeline.batch.archive import Limits as ArchiveLimits
from pipeline.batch.archive import iter_items
from pipeline.cli.inputs import collect
from pipeline.errors import ExtractionError
from pipeline.formats import ARCHIVE_SUFFIXES, SUFFIX_FORMAT
from tests.fixturegen import make_report
from tests.fixturegen.docx_builder import build_docx

ROOT = Path(__file__).resolve().parents[1]
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600


def _zip(members: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members):
            zf.writestr(name, data, zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


ODT = _zip([("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")], stored_first=True)


@pytest.mark.parametrize(("name", "head", "fmt"), [
    ("a.docx", OLE, "doc"),  # a Word 97 file saved under a .docx name
    ("a.doc", OLE, "doc"),
    ("a.wps", OLE, "wps"),
    ("a.docx", ODT, "odt"),  # an OpenDocument text under a .docx name
    ("a.zip", ODT, "odt"),
    ("a.odt", b"PK\x03\x04" + b"\0" * 26 + b"word/document.xml", "docx"),  # the content wins over the name
    ("a.docx", _zip([("hello.txt", b"hi")]), "docx"),  # nothing in the zip decides: the name does
    ("a.zip", _zip([("hello.txt", b"hi")]), "zip"),
    ("a.txt", b"%PDF-1.7\n", "pdf"),
])
def test_content_decides_before_the_name(name: str, head: bytes, fmt: str) -> None:
    assert sniff(Path(name), head) == fmt


@pytest.mark.parametrize("suffix", sorted(SUFFIX_FORMAT))
def test_the_name_breaks_ties_from_the_one_table(suffix: str) -> None:
    assert sniff(Path(f"report{suffix.upper()}"), "纯文本，无从判断".encode()) == SUFFIX_FORMAT[suffix]


def test_the_docx_extractor_refuses_an_ole_file_instead_of_forwarding_it(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="OLE compound file") as info:
        docx_extractor.extract(tmp_path / "a.docx", OLE, "docx")
    assert info.value.kind == "unsupported"
    with pytest.raises(ExtractionError, match="OpenDocument") as info:
        docx_extractor.extract(tmp_path / "a.docx", ODT, "docx")
    assert info.value.kind == "unsupported"


def test_directories_yield_every_file_whose_content_is_a_document(tmp_path: Path) -> None:
    """`convert -r` and the batch sniff every regular file, whatever its name: a DOCX is a document under
    any suffix; the batch walks the zip's member, convert counts the zip as not a document."""
    docx = build_docx(make_report("2021", seed=3))
    for suffix in sorted(set(SUFFIX_FORMAT) | {".json", ".png", ".xlsx"}):
        (tmp_path / "d" / suffix[1:]).mkdir(parents=True)
        (tmp_path / "d" / suffix[1:] / f"a{suffix}").write_bytes(docx)
    for suffix in ARCHIVE_SUFFIXES:
        (tmp_path / "d" / f"a{suffix}").write_bytes(_zip([("a.docx", docx)]))
    found = collect([tmp_path / "d"], recursive=True)
    convert = {item.path.suffix for item in found.documents}
    batch = {Path(it.path).suffix for it in iter_items([tmp_path / "d"], ArchiveLimits())}
    assert convert == set(SUFFIX_FORMAT) | {".png", ".xlsx"} and batch == set(SUFFIX_FORMAT) | {".json"} | ARCHIVE_SUFFIXES
    assert {path.suffix for path, _ in found.not_documents} == {".json"} | ARCHIVE_SUFFIXES
    assert [i.path.suffix for i in collect([tmp_path / "d" / "csv" / "a.csv"], recursive=False).documents] == [".csv"]


def _imports(path: Path) -> set[str]:
    """The modules a file imports (at any depth: lazy imports inside functions count)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_imports_go_one_way() -> None:
    """DOCX never reaches legacy (no cycle); extractors read only pipeline's contracts; the batch takes the
    suffix table from pipeline.formats and reaches the extractors through task.py alone."""
    for path in (ROOT / "extractors" / "docx").glob("*.py"):
        assert not {m for m in _imports(path) if m.startswith("extractors.legacy")}, path
    rooms = ("pipeline.normalise", "pipeline.batch", "pipeline.inspection", "pipeline.cli")
    for path in (ROOT / "extractors").rglob("*.py"):
        assert not {m for m in _imports(path) if m.startswith(rooms)}, path
    for path in (ROOT / "pipeline" / "batch").rglob("*.py"):
        if path.name != "task.py":
            assert not {m for m in _imports(path) if m == "extractors" or m.startswith("extractors.")}, path
