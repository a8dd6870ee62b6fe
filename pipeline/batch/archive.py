"""Walking batch inputs: files, directories and zip archives (nested, GBK names) as one stream of items.

Every regular file is an item whatever its name (crawled portals save reports as `content`, `index.do`,
`download.aspx`): whether it is a zip to walk is decided by its content, and its format by the worker's
sniffing; what cannot be read (a broken link, a named pipe, an unreadable directory) is an item with a
status and a reason, never left out. Paths are canonical (os.path.realpath), so a file reached by two
spellings is one document.

Archive members are read into memory, never written out under their own names, so a member called
`../../evil.txt` or `/etc/passwd` cannot place anything outside the job directory. Sizes are checked
before reading and again while reading (headers can lie), and a member that inflates more than
`max_ratio` times is refused as a zip bomb. Everything is a generator: the job is never held in memory.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from stat import S_ISBLK, S_ISCHR, S_ISFIFO, S_ISREG, S_ISSOCK

from pipeline.formats import ARCHIVE_SUFFIXES, SUFFIX_FORMAT
from pipeline.limits import DEFAULT_MAX_BYTES

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; the end record of an empty zip
OFFICE_MARKERS = frozenset({"[Content_Types].xml", "mimetype"})  # OOXML (docx), OpenDocument (odt): documents
HEAD_BYTES = 8192
PAGE_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml"})
AttachmentsOf = Callable[[Path], list[Path]]
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

    path: str  # the file on disk (canonical: absolute, symlinks resolved)
    member: str = ""  # inside the archive at `path`; nested levels joined by MEMBER_SEP
    size: int | None = None
    data: bytes | None = None  # archive members only: their bytes
    status: str | None = None  # set when refused while walking
    error: str | None = None
    format: str | None = None
    stat: str | None = None  # the file's stat signature (of the archive, for members): see Store.unchanged_file
    attachments: tuple[str, ...] = ()  # a saved page's: the documents it converts from (their bytes count as its)

    @property
    def display(self) -> str:
        """How the report's source.path names it."""
        return f"{self.path}{MEMBER_SEP}{self.member}" if self.member else self.path

    @property
    def suffix(self) -> str:
        name = self.member.rsplit(MEMBER_SEP, 1)[-1] if self.member else self.path
        return PurePosixPath(name.replace("\\", "/")).suffix.lower()

    def __post_init__(self) -> None:
        """A refused input is never sniffed: it is recorded under the format its name says."""
        if self.status not in (None, "skip") and self.format is None:
            self.format = "zip" if self.suffix in ARCHIVE_SUFFIXES else SUFFIX_FORMAT.get(self.suffix)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: zips from Chinese Windows tools store GBK without the UTF-8 flag (bit 11)."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gb18030")
    return name.replace("\x00", "")


def _skip_member(name: str) -> bool:
    """Directories and macOS archive metadata (__MACOSX/, ._name: resource forks of the other members)."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return not parts or name.endswith(("/", "\\")) or "__MACOSX" in parts or parts[-1].startswith("._")


def _suffix(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def open_archive(name: str, head: bytes, source: bytes | str) -> tuple[zipfile.ZipFile | None, str]:
    """Decide from the content whether a file is a zip archive to walk, whatever its name (crawled portals
    save them as `download.aspx`): (the open archive, ""), or (None, "") for a document (DOCX, ODT and
    other office files are zips too, and are converted), or (None, reason) for a file named .zip that
    cannot be read as one."""
    named_zip = _suffix(name) in ARCHIVE_SUFFIXES
    if not head.startswith(ZIP_MAGIC):
        return None, "corrupt zip archive: not a zip file" if named_zip else ""
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return None, f"corrupt zip archive: {exc}"[:200] if named_zip else ""
    if OFFICE_MARKERS & set(zf.namelist()):  # a .docx renamed .zip is still a document
        zf.close()
        return None, ""
    return zf, ""


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


def _walk_zip(path: str, prefix: str, zf: zipfile.ZipFile, limits: Limits, depth: int, stat: str,
              done: Callable[[str, str, str], bool]) -> Iterator[Item]:
    """Every member of an open archive, nested archives (recognised by content) walked in place; an
    archive without files is one item, so that it does not vanish from the job."""
    with zf:
        infos = [info for info in zf.infolist() if not info.is_dir() and not _skip_member(member_name(info))]
        if not infos:
            member = prefix.removesuffix(MEMBER_SEP)
            if not done(path, member, stat):
                yield Item(path, member, status="empty", format="zip", error="archive holds no files", stat=stat)
            else:
                yield Item(path, member, status="skip")
        for info in infos:
            name = member_name(info)
            member = prefix + name
            if done(path, member, stat):
                yield Item(path, member, status="skip")
                continue
            data, status, reason = _read_member(zf, info, limits)
            if data is None:
                yield Item(path, member, size=info.file_size, status=status, error=reason, stat=stat)
                continue
            inner, reason = open_archive(name, data[:HEAD_BYTES], data)
            if reason:
                yield Item(path, member, size=len(data), status="corrupt", format="zip", error=reason, stat=stat)
            elif inner is None:
                yield Item(path, member, size=len(data), data=data, stat=stat)
            elif depth >= MAX_NESTING:
                inner.close()
                yield Item(path, member, size=len(data), status="unsupported", format="zip", stat=stat,
                           error=f"archive nested more than {MAX_NESTING} deep")
            else:
                yield from _walk_zip(path, member + MEMBER_SEP, inner, limits, depth + 1, stat, done)


def _walk_dir(root: Path, attachments_of: AttachmentsOf | None = None,
              linked: frozenset[Path] = frozenset()) -> Iterator[tuple[Path, str | None]]:
    """(entry, None) for everything under a directory but directories, in a stable order, without listing
    the whole tree at once; (entry, reason) for what cannot be walked (never dropped in silence).

    A saved page and what belongs to it are one document: the `<page>_files` folder a browser saves
    beside `<page>.html` (its pictures, often its attachment) is not walked, and the attachments
    `attachments_of(page)` names (a page whose report is a PDF beside it) are not documents of their
    own: the page's conversion reads them.
    """
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        yield root, f"cannot read the directory: {exc.strerror or exc}"
        return
    pages = [e for e in entries if e.is_file() and PurePosixPath(e.name).suffix.lower() in PAGE_SUFFIXES]
    stems = {PurePosixPath(e.name).stem for e in pages}
    if attachments_of is not None:
        linked = linked | {p for e in pages for p in attachments_of(Path(e.path))}
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if not (entry.name.endswith(("_files", ".files")) and entry.name[:-6] in stems):
                    yield from _walk_dir(Path(entry.path), attachments_of, linked)
                continue
            if entry.is_symlink() and entry.is_dir():
                yield Path(entry.path), "a symbolic link to a directory, not followed (give it as an input)"
                continue
        except OSError as exc:
            yield Path(entry.path), f"cannot read: {exc.strerror or exc}"
            continue
        if linked and _resolved(entry.path) in linked:
            continue
        yield Path(entry.path), None


def _resolved(path: str) -> Path | None:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return None


def _signature(st: os.stat_result) -> str:
    """What changes whenever a file's content does (ctime cannot be set back, unlike mtime)."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def _candidates(inputs: list[Path], attachments_of: AttachmentsOf | None = None
                ) -> Iterator[tuple[Path, str | None]]:
    for given in inputs:
        if given.is_dir():
            yield from _walk_dir(given, attachments_of)
        else:
            yield given, None


def canonical(path: Path) -> str:
    """One name per file however it was reached (`in/../in`, a symlinked folder); a broken link keeps its own."""
    real = os.path.realpath(path)
    return real if os.path.exists(real) else os.path.abspath(path)


def _page_attachments(path: str, attachments_of: AttachmentsOf | None) -> tuple[tuple[str, ...], str]:
    """A saved page's attachments and their stat signatures: replacing a page's attachment changes the page's
    document as much as editing the page does (its report is read from it)."""
    if attachments_of is None or PurePosixPath(path).suffix.lower() not in PAGE_SUFFIXES:
        return (), ""
    found, signatures = [], []
    for attachment in attachments_of(Path(path)):
        try:
            signatures.append(_signature(os.stat(attachment)))
        except OSError:
            continue
        found.append(str(attachment))
    return tuple(found), "".join(f"+{s}" for s in signatures)


def _file_item(file: Path, limits: Limits, done: Callable[[str, str, str], bool],
               attachments_of: AttachmentsOf | None = None) -> Iterator[Item]:
    """The items of one file: itself, or the members of the archive it is (decided by content)."""
    path = canonical(file)
    try:
        st = os.stat(path)
    except OSError as exc:
        reason = "broken symbolic link" if os.path.islink(file) else f"cannot read: {exc.strerror or exc}"
        yield Item(path, status="unreadable", error=reason)
        return
    if not S_ISREG(st.st_mode):
        yield Item(path, status="unsupported", error=f"not a regular file ({_kind(st.st_mode)})")
        return
    attachments, attached_stats = _page_attachments(path, attachments_of)
    stat = _signature(st) + attached_stats
    if done(path, "", stat):  # a document, or an archive refused as a whole, unchanged since an earlier run
        yield Item(path, status="skip")
        return
    if st.st_size == 0:
        yield Item(path, size=0, status="empty", error="empty file", stat=stat)
        return
    if st.st_size > limits.max_size:
        yield Item(path, size=st.st_size, status="too_large", stat=stat,
                   error=f"file is {st.st_size} bytes, over the {limits.max_size}-byte limit")
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        yield Item(path, status="unreadable", error=f"cannot read: {exc.strerror or exc}", stat=stat)
        return
    zf, reason = open_archive(path, head, path)
    if reason:
        yield Item(path, size=st.st_size, status="corrupt", format="zip", error=reason, stat=stat)
    elif zf is None:
        yield Item(path, size=st.st_size, stat=stat, attachments=attachments)
    else:
        yield from _walk_zip(path, "", zf, limits, 1, stat, done)


def _kind(mode: int) -> str:
    return ("a named pipe" if S_ISFIFO(mode) else "a socket" if S_ISSOCK(mode)
            else "a device" if S_ISCHR(mode) or S_ISBLK(mode) else "not a file")


def iter_items(inputs: list[Path], limits: Limits,
               done: Callable[[str, str, str], bool] = lambda path, member, stat: False,
               attachments_of: AttachmentsOf | None = None) -> Iterator[Item]:
    """Every regular file under the inputs, whatever its name: documents, or archives (by content) walked
    into their members; what cannot be read is an item with a status, never left out. Paths are
    canonical (os.path.realpath). `done(path, member, stat)` lets a re-run skip reading files unchanged
    since it recorded them: those come out as status "skip" with no data. `attachments_of(page)`: the
    documents a saved page converts from (see _walk_dir)."""
    if attachments_of is not None:
        attachments_of = functools.cache(attachments_of)  # the walk and the item both ask of each page
    for file, problem in _candidates(inputs, attachments_of):
        if problem is not None:
            status = "unsupported" if problem.startswith("a symbolic link") else "unreadable"
            yield Item(os.path.abspath(file), status=status, error=problem)
        elif not os.path.lexists(file):
            yield Item(os.path.abspath(file), status="unreadable", error="no such file or directory")
        else:
            yield from _file_item(file, limits, done, attachments_of)


def count_items(inputs: list[Path]) -> int:
    """About how many items iter_items will give (nested archives count as one): for the progress bar."""
    n = 0
    for file, problem in _candidates(inputs):
        n += 1
        if problem is not None:
            continue
        try:
            with open(file, "rb") as fh:
                if not fh.read(4).startswith(ZIP_MAGIC):
                    continue
            with zipfile.ZipFile(file) as zf:
                names = [member_name(i) for i in zf.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            continue
        if not OFFICE_MARKERS & set(names):
            n += sum(not _skip_member(name) for name in names) - 1
    return n
