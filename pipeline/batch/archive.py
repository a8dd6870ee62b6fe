"""Walking batch inputs: files, directories and zip archives (nested, GBK names) as one stream of items.

Archive members are read into memory, never written out under their own names, so a member called
`../../evil.txt` or `/etc/passwd` cannot place anything outside the job directory. Sizes are checked
before reading and again while reading (headers can lie), and a member that inflates more than
`max_ratio` times is refused as a zip bomb. Everything is a generator: the job is never held in memory.
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.limits import DEFAULT_MAX_BYTES

SUFFIX_FORMAT = {  # what a refused file (never sniffed) is recorded as; converted ones get the sniffed format
    ".txt": "txt", ".md": "txt", ".text": "txt", ".docx": "docx", ".doc": "doc", ".wps": "wps", ".rtf": "rtf",
    ".odt": "odt", ".pdf": "pdf", ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".mht": "mhtml", ".mhtml": "mhtml", ".zip": "zip",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".et": "et",
}  # pictures are not walked: in a folder they are mostly not reports, and each costs seconds of OCR
PAGE_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml"})
DOC_SUFFIXES = frozenset(SUFFIX_FORMAT) - {".zip"}
ARCHIVE_SUFFIXES = frozenset({".zip"})
MAX_NESTING = 3
RATIO_MIN_BYTES = 256 * 1024  # below this a high ratio is harmless (a page of blanks compresses well)
MEMBER_SEP = "!/"  # between the levels of a nested archive in `member`


@dataclass
class Limits:
    max_size: int = DEFAULT_MAX_BYTES
    max_ratio: float = 100.0


@dataclass
class Item:
    """One document to convert, or one input refused before conversion (status set)."""

    path: str  # the file on disk (absolute)
    member: str = ""  # inside the archive at `path`; nested levels joined by MEMBER_SEP
    size: int | None = None
    data: bytes | None = None  # archive members only: their bytes
    status: str | None = None  # set when refused while walking
    error: str | None = None
    format: str | None = None

    @property
    def display(self) -> str:
        """How the report's source.path names it."""
        return f"{self.path}{MEMBER_SEP}{self.member}" if self.member else self.path

    @property
    def suffix(self) -> str:
        name = self.member.rsplit(MEMBER_SEP, 1)[-1] if self.member else self.path
        return PurePosixPath(name.replace("\\", "/")).suffix.lower()

    def __post_init__(self) -> None:
        if self.status not in (None, "skip") and self.format is None:
            self.format = SUFFIX_FORMAT.get(self.suffix)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: zips from Chinese Windows tools store GBK without the UTF-8 flag (bit 11)."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gb18030")
    return name.replace("\x00", "")


def is_wanted(name: str) -> bool:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return suffix in DOC_SUFFIXES or suffix in ARCHIVE_SUFFIXES


def _skip_member(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return (not parts or name.endswith(("/", "\\")) or "__MACOSX" in parts
            or parts[-1].startswith("._") or not is_wanted(name))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> tuple[bytes | None, str, str]:
    """(data, status, reason); data is None when refused. Reads at most max_size + 1 bytes."""
    if info.flag_bits & 0x1:
        return None, "encrypted", "password-protected zip member"
    if info.file_size > limits.max_size:
        return None, "too_large", f"member is {info.file_size} bytes, over the {limits.max_size}-byte limit"
    if info.file_size >= RATIO_MIN_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        return None, "too_large", (f"zip bomb refused: {info.compress_size} bytes inflate to {info.file_size} "
                                   f"(ratio over {limits.max_ratio:g})")
    try:
        with zf.open(info) as fh:
            data = fh.read(limits.max_size + 1)
    except NotImplementedError as exc:
        return None, "unsupported", f"zip member uses an unsupported compression: {exc}"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        return None, "corrupt", f"corrupt zip member: {exc}"[:200]
    if len(data) > limits.max_size:
        return None, "too_large", f"member inflates past the {limits.max_size}-byte limit"
    if len(data) >= RATIO_MIN_BYTES and len(data) > limits.max_ratio * max(info.compress_size, 1):
        return None, "too_large", f"zip bomb refused: inflates {len(data) // max(info.compress_size, 1)} times"
    if not data.strip():
        return None, "empty", "empty file"
    return data, "", ""


def _walk_zip(path: str, prefix: str, source: bytes | str, limits: Limits, depth: int,
              done: Callable[[str, str], bool]) -> Iterator[Item]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        yield Item(path, prefix.removesuffix(MEMBER_SEP), status="corrupt", format="zip",
                   error=f"corrupt zip archive: {exc}"[:200])
        return
    with zf:
        for info in zf.infolist():
            name = member_name(info)
            if info.is_dir() or _skip_member(name):
                continue
            member = prefix + name
            if done(path, member):
                yield Item(path, member, status="skip")
                continue
            data, status, reason = _read_member(zf, info, limits)
            if data is None:
                yield Item(path, member, size=info.file_size, status=status, error=reason)
                continue
            if PurePosixPath(name).suffix.lower() in ARCHIVE_SUFFIXES:
                if depth >= MAX_NESTING:
                    yield Item(path, member, size=len(data), status="unsupported", format="zip",
                               error=f"archive nested more than {MAX_NESTING} deep")
                else:
                    yield from _walk_zip(path, member + MEMBER_SEP, data, limits, depth + 1, done)
                continue
            yield Item(path, member, size=len(data), data=data)


AttachmentsOf = Callable[[Path], list[Path]]


def _files(root: Path, attachments_of: AttachmentsOf | None = None,
           linked: frozenset[Path] = frozenset()) -> Iterator[Path]:
    """Documents under a directory in a stable order, without listing the whole tree at once.

    A saved page and what belongs to it are one document: the `<page>_files` folder a browser saves
    beside `<page>.html` (its pictures, often its attachment) is not walked, and the attachments
    `attachments_of(page)` names (a page whose report is a PDF beside it) are not documents of their
    own — the page's conversion reads them.
    """
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    pages = [e for e in entries if e.is_file() and PurePosixPath(e.name).suffix.lower() in PAGE_SUFFIXES]
    stems = {PurePosixPath(e.name).stem for e in pages}
    if attachments_of is not None:
        linked = linked | {p for e in pages for p in attachments_of(Path(e.path))}
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name.endswith(("_files", ".files")) and entry.name[:-6] in stems:
                continue
            yield from _files(Path(entry.path), attachments_of, linked)
        elif entry.is_file() and is_wanted(entry.name) and not (linked and _resolved(entry.path) in linked):
            yield Path(entry.path)


def _resolved(path: str) -> Path | None:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return None


def iter_items(inputs: list[Path], limits: Limits,
               done: Callable[[str, str], bool] = lambda path, member: False,
               attachments_of: AttachmentsOf | None = None) -> Iterator[Item]:
    """Every document under the inputs. `done(path, member)` lets a resumed job skip reading finished ones:
    those come out as status "skip" with no data. `attachments_of(page)`: see _files."""
    for given in inputs:
        if given.is_dir():
            files: Iterator[Path] = _files(given, attachments_of)
        elif given.exists():
            files = iter([given])
        else:
            path = str(given.absolute())
            yield Item(path, status="skip") if done(path, "") else Item(path, status="error", error="no such file")
            continue
        for file in files:
            path = str(file.absolute())
            try:
                size = file.stat().st_size
            except OSError as exc:
                yield Item(path, status="error", error=f"cannot read: {exc.strerror or exc}")
                continue
            if file.suffix.lower() in ARCHIVE_SUFFIXES:
                if done(path, ""):  # refused as a whole by an earlier run (corrupt, too large)
                    yield Item(path, status="skip")
                elif size > limits.max_size:
                    yield Item(path, size=size, format="zip", status="too_large",
                               error=f"archive is {size} bytes, over the {limits.max_size}-byte limit")
                else:
                    yield from _walk_zip(path, "", path, limits, 1, done)
                continue
            if done(path, ""):
                yield Item(path, status="skip")
            elif size == 0:
                yield Item(path, size=0, status="empty", error="empty file")
            elif size > limits.max_size:
                yield Item(path, size=size, status="too_large",
                           error=f"file is {size} bytes, over the {limits.max_size}-byte limit")
            else:
                yield Item(path, size=size)


def count_items(inputs: list[Path]) -> int:
    """About how many items iter_items will give (nested archives count as one): for the progress bar."""
    n = 0
    for given in inputs:
        for file in (_files(given) if given.is_dir() else iter([given])):
            if file.suffix.lower() not in ARCHIVE_SUFFIXES:
                n += 1
                continue
            try:
                with zipfile.ZipFile(file) as zf:
                    n += sum(not i.is_dir() and not _skip_member(member_name(i)) for i in zf.infolist())
            except (zipfile.BadZipFile, OSError, ValueError):
                n += 1
    return n
