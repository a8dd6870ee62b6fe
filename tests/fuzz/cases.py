"""Fuzz cases: the special inputs of `generators`, then seeded mutations of the samples of every format.

A case is (name, suffix, bytes factory); `build_cases(n, seed)` gives the same list for the same
arguments, so a failing case can be regenerated from its name and the seed.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.generators import SPECIALS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIRS = [ROOT / "samples", ROOT.parent / "shared" / "corpus" / "dev"]
FORMATS = {".txt": "txt", ".md": "txt", ".docx": "docx", ".doc": "doc", ".pdf": "pdf", ".html": "html",
           ".htm": "html", ".mht": "html", ".mhtml": "html", ".rtf": "doc", ".odt": "doc", ".wps": "doc"}
WRONG_SUFFIXES = [".docx", ".pdf", ".html", ".txt", ".htm", ".md", ".mht", ".doc", ".odt", ".rtf", ".xyz", ""]
# share of the random cases per source format; LibreOffice cases (doc) are slow, so few
WEIGHTS = {"docx": 30, "html": 25, "pdf": 20, "txt": 22, "doc": 3}


@dataclass
class Case:
    name: str
    suffix: str
    make: Callable[[], bytes]
    kind: str  # the generator or mutation, for the counts by kind


def sources() -> dict[str, list[Path]]:
    """Sample files by format (truth JSONs and manifests excluded)."""
    out: dict[str, list[Path]] = {}
    for base in SAMPLE_DIRS:
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            fmt = FORMATS.get(path.suffix.lower())
            if fmt and path.is_file() and path.stat().st_size < 20_000_000:
                out.setdefault(fmt, []).append(path)
    return out


# ------------------------------------------------------------------------------------------ byte-level

def truncate(data: bytes, rng: random.Random) -> bytes:
    cut = rng.choice([rng.randrange(0, 16), rng.randrange(len(data) + 1), len(data) - rng.randrange(1, 64)])
    return data[: max(0, cut)]


def flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 2, 5, 20, 200])):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8) if rng.random() < 0.5 else rng.randrange(1, 256)
    return bytes(out)


def zero_range(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    size = rng.randrange(1, max(2, len(data) // 4))
    return data[:start] + b"\x00" * min(size, len(data) - start) + data[start + size:]


def delete_range(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randrange(1, max(2, len(data) // 3)):]


def duplicate_range(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    chunk = data[start:start + rng.randrange(1, 4096)]
    return data[:start] + chunk * rng.randrange(2, 50) + data[start:]


def insert_junk(data: bytes, rng: random.Random) -> bytes:
    pos = rng.randrange(len(data) + 1)
    junk = rng.choice([rng.randbytes(rng.randrange(1, 2048)), "\u202e\ufeff\u0000\ud7ff\U0010ffff表格".encode(
        "utf-8", "surrogatepass"), b"\xff\xfe\x00\x00", b"<table><tr><td>", b"]]>", b"%PDF-1.4", b"PK\x03\x04"])
    return data[:pos] + junk + data[pos:]


BYTE_OPS = [truncate, flip, zero_range, delete_range, duplicate_range, insert_junk]

# ------------------------------------------------------------------------------------------- zip level


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _zip(members: list[tuple[zipfile.ZipInfo | str, bytes]], stored: bool = False) -> bytes:
    buf = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buf, "w", method) as zf:
        for info, body in members:
            name = info if isinstance(info, str) else info.filename
            zf.writestr(name, body)
    return buf.getvalue()


def zip_shuffle(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    rng.shuffle(members)
    return _zip(members, stored=rng.random() < 0.3)


def zip_drop(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    names = [i.filename for i, _ in members]
    wanted = [n for n in ("word/document.xml", "word/numbering.xml", "word/styles.xml", "_rels/.rels",
                          "[Content_Types].xml", "word/_rels/document.xml.rels", "docProps/core.xml") if n in names]
    doomed = rng.choice(wanted or names)
    return _zip([(i, b) for i, b in members if i.filename != doomed])


def _xml_member(members: list[tuple[zipfile.ZipInfo, bytes]], rng: random.Random) -> int:
    names = [i.filename for i, _ in members]
    if "word/document.xml" in names and rng.random() < 0.7:
        return names.index("word/document.xml")
    xml = [k for k, n in enumerate(names) if n.endswith((".xml", ".rels"))]
    return rng.choice(xml or list(range(len(names))))


def zip_corrupt_member(data: bytes, rng: random.Random) -> bytes:
    """A byte-level mutation of one XML part, re-zipped so that the zip itself is valid."""
    members = _members(data)
    k = _xml_member(members, rng)
    info, body = members[k]
    members[k] = (info, rng.choice(BYTE_OPS)(body, rng))
    return _zip(members)


_TAG = re.compile(rb"<[^<>]{1,200}>")


def zip_tag_surgery(data: bytes, rng: random.Random) -> bytes:
    """Delete or duplicate random tags of one XML part (malformed, or valid with odd structure)."""
    members = _members(data)
    k = _xml_member(members, rng)
    info, body = members[k]
    members[k] = (info, tag_surgery(body, rng))
    return _zip(members)


def zip_dup_member(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    k = _xml_member(members, rng)
    return _zip([*members, (members[k][0].filename, rng.randbytes(64))])


ZIP_OPS = [zip_shuffle, zip_drop, zip_corrupt_member, zip_tag_surgery, zip_dup_member]

# ---------------------------------------------------------------------------------------- markup/text


def tag_surgery(data: bytes, rng: random.Random) -> bytes:
    tags = list(_TAG.finditer(data))
    if not tags:
        return flip(data, rng)
    out = bytearray()
    chosen = {rng.randrange(len(tags)) for _ in range(rng.choice([1, 3, 10, 100]))}
    last = 0
    for idx, match in enumerate(tags):
        if idx in chosen:
            out += data[last:match.start()]
            out += match.group() * rng.choice([0, 0, 2, 50])
            last = match.end()
    out += data[last:]
    return bytes(out)


def reencode(data: bytes, rng: random.Random) -> bytes:
    """The same text in another encoding, with or without its declaration."""
    text = data.decode("utf-8", "replace")
    codec = rng.choice(["gb18030", "big5", "utf-16-le", "utf-16", "utf-32", "shift_jis", "latin-1"])
    if rng.random() < 0.5:
        text = re.sub(r"charset\s*=\s*[\"']?[\w-]+", f"charset={rng.choice(['gbk', 'utf-8', 'bogus-1'])}", text)
    return text.encode(codec, "replace")


def shuffle_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    if rng.random() < 0.5:
        rng.shuffle(lines)
    else:
        lines = [ln for ln in lines if rng.random() < 0.7]
    return b"\n".join(lines)


def digit_noise(data: bytes, rng: random.Random) -> bytes:
    """Replace digits with random numbers, huge numbers, negatives and full-width digits."""
    repl = [b"-1", b"99999999999999999999999", b"\xef\xbc\x91", b"1e308", b"NaN", b"", b"0.000001", b"\xe5\x87\x8f3"]
    return re.sub(rb"\d+", lambda m: rng.choice(repl) if rng.random() < 0.3 else m.group(), data)


TEXT_OPS = [tag_surgery, reencode, shuffle_lines, digit_noise]

# ---------------------------------------------------------------------------------------------- PDF


def pdf_surgery(data: bytes, rng: random.Random) -> bytes:
    """Break the PDF's structure: xref, trailer, stream lengths, endobj, object numbers."""
    choice = rng.randrange(5)
    if choice == 0:
        return data[: data.rfind(b"xref")] if b"xref" in data else data[: len(data) // 2]
    if choice == 1:
        return data.replace(b"startxref", b"startxrex")
    if choice == 2:
        return re.sub(rb"/Length \d+", lambda m: b"/Length %d" % rng.choice([0, 1, 10**9, -5]), data, count=5)
    if choice == 3:
        return data.replace(b"endobj", b"", rng.randrange(1, 20))
    return re.sub(rb"(\d+) 0 R", lambda m: b"%d 0 R" % rng.randrange(1, 10) if rng.random() < 0.2 else m.group(),
                  data)


# ------------------------------------------------------------------------------------------ the cases

OPS_BY_FORMAT: dict[str, list[Callable[[bytes, random.Random], bytes]]] = {
    "docx": BYTE_OPS + ZIP_OPS * 3,
    "html": BYTE_OPS + TEXT_OPS * 2,
    "txt": BYTE_OPS + TEXT_OPS,
    "pdf": BYTE_OPS + [pdf_surgery] * 4,
    "doc": [flip, truncate, zero_range, insert_junk],
}


def _mutation(path: Path, ops: list[Callable[[bytes, random.Random], bytes]], seed: int) -> Callable[[], bytes]:
    def make() -> bytes:
        rng = random.Random(seed)
        data = path.read_bytes()
        for op in ops:
            try:
                data = op(data, rng)
            except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, KeyError, OSError, RuntimeError,
                    NotImplementedError):  # a previous op broke the zip, so a zip-level op cannot read it
                data = flip(data, rng)
        return data

    return make


def build_cases(n: int, seed: int = 0, specials: bool = True) -> list[Case]:
    """The special cases (if asked), then seeded random mutations of the samples up to n cases."""
    cases: list[Case] = []
    if specials:
        for name, (suffix, gen) in SPECIALS.items():
            cases.append(Case(f"{len(cases):04d}_special_{name}", suffix, gen, f"special:{name}"))
    by_format = sources()
    formats = [f for f in WEIGHTS if by_format.get(f)]
    rng = random.Random(seed)
    while len(cases) < n:
        fmt = rng.choices(formats, weights=[WEIGHTS[f] for f in formats])[0]
        path = rng.choice(by_format[fmt])
        pool = OPS_BY_FORMAT[fmt]
        ops = [rng.choice(pool) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        suffix = path.suffix
        kind = f"{fmt}:{'+'.join(op.__name__ for op in ops)}"
        if rng.random() < 0.08 and fmt != "doc":
            suffix = rng.choice(WRONG_SUFFIXES)
            kind = f"{fmt}:wrong_ext"
        stem = re.sub(r"[^\w]+", "_", path.stem)[:24]
        cases.append(Case(f"{len(cases):04d}_{fmt}_{ops[0].__name__}_{stem}", suffix,
                          _mutation(path, ops, rng.randrange(2**32)), kind))
    return cases[:n]
