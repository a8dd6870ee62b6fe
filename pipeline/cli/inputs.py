"""What `nianbao convert` reads and where each report goes.

Every regular file under a directory is looked at, whatever its name (crawled portals save documents
as `content`, `index.do`, `download.aspx`): its format is sniffed from its first bytes, and a file that
is no document is listed, never dropped in silence. Output names are distinct by construction: one
input's report never overwrites another's.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.limits import STDIN

NAME_MAX = 255  # bytes in one file name on every common file system
_HEAD = 8192
_SUFFIX = ".json"


@dataclass
class Input:
    """One document to convert, and where its report goes."""

    path: Path
    name: Path  # the report's path under the output directory


@dataclass
class Inputs:
    """What the command line named: documents, files that are none, directories not walked."""

    documents: list[Input] = field(default_factory=list)
    not_documents: list[tuple[Path, str]] = field(default_factory=list)  # files under a directory, and why not
    directories: list[Path] = field(default_factory=list)  # directories named without --recursive


def not_a_document(path: Path) -> str | None:
    """Why a file found in a directory is not a document (its content says so), or None."""
    from extractors import EXTRACTORS, sniff
    from pipeline.errors import ExtractionError

    if not path.is_file():
        return "not a regular file"  # a pipe, a socket, a device or a broken link: never read from a walk
    if path.suffix.lower() == _SUFFIX:
        return "JSON"
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD)
        fmt = sniff(path, head)
    except ExtractionError as exc:
        return str(exc)
    except OSError:
        return None  # unreadable: converting it says why, as a failure of its own
    if fmt == "image":  # in a folder mostly logos and photos, and each costs seconds of OCR
        return "a picture (name it to read it by OCR)"
    return None if fmt in EXTRACTORS else f"a {fmt} file"


def collect(paths: list[Path], recursive: bool) -> Inputs:
    """The documents among `paths` (directories walked when recursive), each with a distinct report name."""
    found = Inputs()
    wanted: list[tuple[Path, Path]] = []
    for path in paths:
        if str(path) == STDIN:
            wanted.append((path, Path("stdin")))
        elif path.is_dir():
            if not recursive:
                found.directories.append(path)
                continue
            for child in sorted(p for p in path.rglob("*") if not p.is_dir()):
                if (why := not_a_document(child)) is not None:
                    found.not_documents.append((child, why))
                else:
                    wanted.append((child, child.relative_to(path)))
        else:
            wanted.append((path, Path(path.name)))
    found.documents = _distinct_names(_once(wanted))
    return found


def _once(wanted: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """Each file once, however many ways it was named (a/x.pdf, ./a/x.pdf, a directory and a file in it)."""
    seen: set[str] = set()
    out = []
    for path, rel in wanted:
        key = STDIN if str(path) == STDIN else os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append((path, rel))
    return out


def _distinct_names(wanted: list[tuple[Path, Path]]) -> list[Input]:
    """`<name>.json`, or `<name>.<hash>.json` for every input whose name another input also has.

    The hash is of the input's resolved path, so a name does not depend on the order of the arguments
    and the same input gets the same report name in every run.
    """
    def plain(rel: Path) -> str:
        return os.path.normcase(str(rel.with_name(rel.name + _SUFFIX)))

    counts: dict[str, int] = {}
    for _, rel in wanted:
        counts[plain(rel)] = counts.get(plain(rel), 0) + 1
    out = []
    for path, rel in wanted:
        tag = _short_hash(STDIN if str(path) == STDIN else os.path.realpath(path)) if counts[plain(rel)] > 1 else ""
        out.append(Input(path, rel.with_name(report_name(rel.name, tag))))
    return out


def report_name(name: str, tag: str = "") -> str:
    """`name[.tag].json`, shortened with a hash of the whole name when it would pass NAME_MAX bytes."""
    ending = (f".{tag}" if tag else "") + _SUFFIX
    if len((name + ending).encode()) <= NAME_MAX:
        return name + ending
    ending = f"~{_short_hash(name)}{ending}"
    room = NAME_MAX - len(ending.encode())
    cut = name.encode()[:room].decode("utf-8", errors="ignore")
    return cut + ending


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]
