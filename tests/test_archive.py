"""Walking batch inputs: directories, zips (GBK names, nesting), hostile members, size and ratio limits."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline.batch.archive import Limits, count_items, iter_items, member_name
from tests.batch_corpus import encrypted_member_zip, zip_bytes

LIMITS = Limits(max_size=300_000, max_ratio=100)


def _items(paths: list[Path], limits: Limits = LIMITS, done=lambda p, m, s: False) -> dict[str, object]:
    return {(it.member or Path(it.path).name): it for it in iter_items(paths, limits, done)}


def test_gbk_member_names_are_decoded_and_utf8_names_kept(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.zip"
    gbk.write_bytes(zip_bytes([("年报/报告.txt", b"a"), ("ascii.txt", b"b")], gbk=True))
    with zipfile.ZipFile(gbk) as zf:
        raw = zf.infolist()[0]
        assert not raw.flag_bits & 0x800 and raw.filename != "年报/报告.txt"  # what zipfile alone gives
        assert member_name(raw) == "年报/报告.txt"
    utf8 = tmp_path / "utf8.zip"
    utf8.write_bytes(zip_bytes([("年报/报告.txt", b"a")]))
    assert set(_items([gbk])) == {"年报/报告.txt", "ascii.txt"}
    assert set(_items([utf8])) == {"年报/报告.txt"}


def test_nested_zips_are_walked_and_members_named_by_their_path(tmp_path: Path) -> None:
    inner = zip_bytes([("deep.zip", zip_bytes([("c.txt", b"c")])), ("b.html", b"<p>b</p>")])
    (tmp_path / "outer.zip").write_bytes(zip_bytes([("a.txt", b"a"), ("inner.zip", inner)]))
    items = _items([tmp_path / "outer.zip"])
    assert set(items) == {"a.txt", "inner.zip!/b.html", "inner.zip!/deep.zip!/c.txt"}
    assert items["inner.zip!/deep.zip!/c.txt"].data == b"c"
    assert items["inner.zip!/deep.zip!/c.txt"].display.endswith("outer.zip!/inner.zip!/deep.zip!/c.txt")
    assert count_items([tmp_path / "outer.zip"]) == 2  # nested archives count once (progress estimate)


def test_hostile_and_oversized_members_are_refused_without_reading_them_whole(tmp_path: Path) -> None:
    members = [("../../evil.txt", b"evil"), ("/abs/name.txt", b"abs"), ("nul\x00.txt", b"nul"),
               ("bomb.txt", b"\x00" * 290_000), ("huge.txt", b"x" * 300_001), ("empty.txt", b"  \n"),
               ("image.png", b"\x89PNG"), ("__MACOSX/._a.txt", b"junk")]
    (tmp_path / "h.zip").write_bytes(zip_bytes(members))
    (tmp_path / "locked.zip").write_bytes(encrypted_member_zip("secret.txt", b"s"))
    items = _items([tmp_path / "h.zip", tmp_path / "locked.zip"])
    assert items["../../evil.txt"].data == b"evil" and items["../../evil.txt"].status is None
    assert items["/abs/name.txt"].data == b"abs"
    assert not any("\x00" in name for name in items)  # a NUL byte never reaches a member name
    assert items["bomb.txt"].status == "too_large" and "zip bomb" in items["bomb.txt"].error
    assert items["huge.txt"].status == "too_large" and items["huge.txt"].data is None
    assert items["empty.txt"].status == "empty"
    assert items["secret.txt"].status == "encrypted"
    assert items["image.png"].data == b"\x89PNG"  # every member is sniffed by the worker, whatever its name
    assert "__MACOSX/._a.txt" not in items  # macOS archive metadata
    assert not (tmp_path.parent / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()


def test_directories_files_and_broken_inputs(tmp_path: Path) -> None:
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "d" / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "d" / "e" / "b.docx").write_bytes(b"PK")
    (tmp_path / "d" / "e" / "b.truth.json").write_text("{}", encoding="utf-8")
    (tmp_path / "d" / "empty.txt").write_bytes(b"")
    (tmp_path / "d" / "big.txt").write_bytes(b"x" * 300_001)
    (tmp_path / "d" / "broken.zip").write_bytes(b"PK\x03\x04 nope")
    items = _items([tmp_path / "d", tmp_path / "missing.txt"])
    assert set(items) == {"a.txt", "b.docx", "b.truth.json", "empty.txt", "big.txt", "broken.zip", "missing.txt"}
    assert items["empty.txt"].status == "empty"
    assert items["big.txt"].status == "too_large"
    assert items["broken.zip"].status == "corrupt" and "corrupt zip" in items["broken.zip"].error
    assert items["missing.txt"].status == "unreadable" and items["missing.txt"].error == "no such file or directory"
    assert Path(items["a.txt"].path).is_absolute() and items["a.txt"].data is None  # files stay on disk


def test_done_documents_are_skipped_before_being_read(tmp_path: Path) -> None:
    (tmp_path / "z.zip").write_bytes(zip_bytes([("a.txt", b"a"), ("b.txt", b"b")]))
    items = _items([tmp_path / "z.zip"], done=lambda path, member, stat: member == "a.txt")
    assert items["a.txt"].status == "skip" and items["a.txt"].data is None
    assert items["b.txt"].data == b"b"
