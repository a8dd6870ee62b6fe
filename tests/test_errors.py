"""Failure kinds are data: set where an error is raised, mapped to a batch status without reading the message."""

from __future__ import annotations

import ast
import pickle
import zipfile
from pathlib import Path

import pytest

from extractors import extract
from pipeline.batch.task import STATUS_OF_KIND, STATUSES, classify
from pipeline.errors import KINDS, DocumentTimeout, ExtractionError, NianbaoError, NotAReportError

ROOT = Path(__file__).resolve().parents[1]
# what each kind means in the batch's documents.status
EXPECTED_STATUS = {"corrupt": "corrupt", "encrypted": "encrypted", "empty": "empty", "too_large": "too_large",
                   "unsupported": "unsupported", "timeout": "timeout", "unreadable": "unreadable"}


def test_each_kind_maps_to_its_status() -> None:
    assert set(STATUS_OF_KIND) == set(KINDS) == set(EXPECTED_STATUS)
    for kind, status in EXPECTED_STATUS.items():
        assert classify(ExtractionError("whatever", kind=kind)) == status, kind
        assert status in STATUSES


@pytest.mark.parametrize("message", [
    "", "encrypted", "empty file", "no such file", "did not finish within 1 s", "unsupported format 'x'",
    "zip bomb", "password required", "cannot read: Permission denied", "the page holds no text", "加密文件",
])
def test_rewording_a_message_does_not_change_the_status(message: str) -> None:
    """The words that once decided the status (password, empty file, no such file...) decide nothing now."""
    for kind, status in EXPECTED_STATUS.items():
        assert classify(ExtractionError(message, kind=kind)) == status, (message, kind)
    assert classify(ExtractionError(message)) == "corrupt"  # the default kind
    assert classify(NotAReportError(message)) == "not_a_report"
    assert classify(NianbaoError(message)) == "error"
    assert classify(ValueError(message)) == "error"
    assert classify(DocumentTimeout(message)) == "timeout"


def test_an_unknown_kind_is_refused_where_it_is_raised() -> None:
    with pytest.raises(ValueError, match="unknown extraction failure kind 'broken'"):
        ExtractionError("x", kind="broken")  # type: ignore[arg-type]


def test_the_kind_survives_pickling() -> None:
    """Errors can cross process boundaries (multiprocessing, dask); the kind must come along."""
    exc = pickle.loads(pickle.dumps(ExtractionError("secret", kind="encrypted")))
    assert (str(exc), exc.kind) == ("secret", "encrypted")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "hello")
    return path


@pytest.mark.parametrize(("make", "kind"), [
    (lambda d: d / "missing.txt", "unreadable"),
    (lambda d: d, "unreadable"),  # a directory
    (lambda d: _write(d / "e.txt", b" \n"), "empty"),
    (lambda d: _write(d / "b.txt", bytes(range(256)) * 8), "unsupported"),
    (lambda d: _zip(d / "a.zip"), "unsupported"),
    (lambda d: _write(d / "big.txt", b"x" * 5000), "too_large"),
])
def test_extract_sets_the_kind_of_its_own_checks(tmp_path: Path, make, kind: str) -> None:
    with pytest.raises(ExtractionError) as info:
        extract(make(tmp_path), max_bytes=4000)
    assert info.value.kind == kind, str(info.value)


def test_an_unknown_format_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(ExtractionError) as info:
        extract(path, fmt="djvu")
    assert info.value.kind == "unsupported"


def test_every_raise_site_names_its_kind() -> None:
    """The default kind (corrupt) is for callers outside nianbao: ours say what they mean, so that code moved
    between modules keeps its status (an encrypted PDF must not become "corrupt" by omission)."""
    unnamed, seen = [], 0
    for path in sorted([*(ROOT / "extractors").rglob("*.py"), *(ROOT / "pipeline").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ExtractionError":
                seen += 1
                if not any(k.arg == "kind" for k in node.keywords):
                    unnamed.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert unnamed == [] and seen > 40
