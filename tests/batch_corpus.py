"""Mixed batch corpora for tests/test_batch.py and tests/bench/batch.py: good documents of every
format at hand, the bad files a real crawl brings (empty, corrupt, junk, oversized, not a report), and
zip archives as Chinese Windows tools write them (GBK names, nested zips), hostile members included.
"""

from __future__ import annotations

import io
import random
import shutil
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
DEV = ROOT.parent / "shared" / "corpus" / "dev"
GOOD_SUFFIXES = {".txt", ".md", ".docx", ".html", ".htm"}
NOT_A_REPORT = "关于做好春节期间安全生产工作的通知\n\n各村、各单位：\n请认真做好节日期间值班值守工作。\n".encode()


def good_files(dev_limit: int | None = None, with_pdf: int = 0) -> list[Path]:
    """Sample and dev documents that convert (no .doc: LibreOffice takes seconds; PDFs only on request)."""
    files = sorted(p for p in SAMPLES.rglob("*") if p.suffix.lower() in GOOD_SUFFIXES)
    if DEV.is_dir():
        # the dev_* reports: the dev2_* long-tail cases (pictures, attachments) are tested where they are read
        dev = sorted(p for p in DEV.glob("dev_*") if p.suffix.lower() in GOOD_SUFFIXES)
        files += dev[:dev_limit] if dev_limit is not None else dev
        files += sorted(DEV.glob("*.pdf"))[:with_pdf]
    return files


def zip_bytes(members: list[tuple[str, bytes]], gbk: bool = False, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip; with gbk=True non-ASCII names are stored in GBK without the UTF-8 flag, as WinRAR/360 do."""
    placeholders: dict[bytes, bytes] = {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for i, (name, data) in enumerate(members):
            if gbk and not name.isascii():
                raw = name.encode("gbk")
                fake = f"{i:0{len(raw)}d}"[-len(raw):].encode()
                fake = (b"~" * len(raw) + fake)[-len(raw):]
                placeholders[fake] = raw
                name = fake.decode()
            zf.writestr(name, data)
    out = buf.getvalue()
    for fake, raw in placeholders.items():
        out = out.replace(fake, raw)
    return out


def with_comment(docx: bytes, comment: bytes = b"copy") -> bytes:
    """The same DOCX with a zip comment: other bytes, same document."""
    buf = io.BytesIO(docx)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.comment = comment
    return buf.getvalue()


def encrypted_member_zip(name: str, data: bytes) -> bytes:
    """A zip whose one member has the 'encrypted' flag (bit 0) set, as a password-protected member has.

    zipfile cannot write one, so the flag is set on the ZipInfo before the central directory is written
    and in the local header at its recorded offset (searching the bytes for a header signature would
    hit one inside the member's data, e.g. a DOCX's own zip headers). Checked before returning."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(name, data)
        info = zf.infolist()[0]
        info.flag_bits |= 0x1  # the central directory is written from this at close
    out = bytearray(buf.getvalue())
    assert out[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    out[info.header_offset + 6] |= 0x1
    with zipfile.ZipFile(io.BytesIO(bytes(out))) as zf:
        assert all(i.flag_bits & 0x1 for i in zf.infolist()), "encrypted flag not set"
    return bytes(out)


def build_mixed(root: Path, max_size: int = 300_000, dev_limit: int | None = 24) -> dict[str, str]:
    """root/docs (a tree) and root/bundle.zip; returns {(relative name or member): expected status}
    for the bad inputs (good ones are all 'ok')."""
    docs = root / "docs"
    (docs / "sub").mkdir(parents=True)
    good = good_files(dev_limit)
    for i, path in enumerate(good):
        target = (docs / "sub" if i % 3 else docs) / f"{i:03d}_{path.name}"
        shutil.copyfile(path, target)
    first_txt = next(p for p in good if p.suffix == ".txt")
    shutil.copyfile(first_txt, docs / "copy_of_first.txt")  # identical bytes: extracted once
    (docs / "empty.txt").write_bytes(b"")
    (docs / "corrupt.docx").write_bytes(b"PK\x03\x04" + random.Random(2).randbytes(2000))
    (docs / "junk.pdf").write_bytes(random.Random(1).randbytes(5000))
    (docs / "notice.txt").write_bytes(NOT_A_REPORT)
    (docs / "big.txt").write_bytes(first_txt.read_bytes() * (max_size // first_txt.stat().st_size + 2))
    (docs / "truth.json").write_text("{}", encoding="utf-8")  # not a report: sniffed (as text) and listed

    html = next(p for p in good if p.suffix in (".html", ".htm"))
    docx = next(p for p in good if p.suffix == ".docx")
    texts = [p for p in good if p.suffix == ".txt"][:4]
    # members differ from the files in docs/ by a byte, so that they are extracted, not found in the cache
    inner = zip_bytes([("内层/报告甲.html", html.read_bytes() + b"\n"), ("b.docx", with_comment(docx.read_bytes()))],
                      gbk=True)
    members = [
        ("年报/2023年度报告.txt", texts[1].read_bytes() + b"\n"),  # GBK name
        ("plain/a.txt", texts[2].read_bytes() + b"\n"),
        ("nested.zip", inner),
        ("../../evil.txt", texts[3].read_bytes() + b"\n"),
        ("bomb.txt", b"\x20" * (max_size - 1000)),  # under the size limit, but a ratio of ~1000
        ("empty.md", b""),
        ("huge.txt", b"x" * (max_size + 10)),
        ("notes/readme.json", b"{}"),  # not a report
    ]
    (root / "bundle.zip").write_bytes(zip_bytes(members, gbk=True))
    (root / "locked.zip").write_bytes(encrypted_member_zip("secret.txt", texts[0].read_bytes()))
    (root / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    return {
        "empty.txt": "empty", "corrupt.docx": "corrupt", "junk.pdf": "corrupt", "notice.txt": "not_a_report",
        "big.txt": "too_large", "truth.json": "not_a_report", "notes/readme.json": "not_a_report", "bomb.txt": "too_large", "empty.md": "empty", "huge.txt": "too_large",
        "secret.txt": "encrypted", "broken.zip": "corrupt", "../../evil.txt": "ok",
        "年报/2023年度报告.txt": "ok", "nested.zip!/内层/报告甲.html": "ok", "nested.zip!/b.docx": "ok",
    }
