"""Files a saved page refers to (its pictures, its attachment), found where browsers and people put them.

"Save page, complete" writes `page.html` and a `page_files/` folder and rewrites every src to it;
a page saved by hand keeps the portal's own paths (`/upload/2024/W0201.png`, an absolute URL) and
the files lie beside it or in that folder. A reference is looked up:

1. at the relative path it names, from the page's folder;
2. by its file name in the page's `<stem>_files` (or `<stem>.files`) folder;
3. by its file name beside the page.

Nothing outside the page's folder tree is ever read: a path that resolves outside it (`../../etc/
passwd`, a symlink pointing away, an absolute path) is not followed.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

MAX_FILE_BYTES = 100 * 1024 * 1024


def candidates(page: Path, ref: str) -> list[Path]:
    """Where `ref` may lie, in the order looked at; every one inside the page's folder tree."""
    ref = ref.strip()
    if not ref or ref.startswith(("data:", "#", "javascript:", "mailto:")):
        return []
    parts = urlsplit(ref)
    raw_path = unquote(parts.path).replace("\\", "/")
    name = PurePosixPath(raw_path).name
    folder = page.parent
    out: list[Path] = []
    if not parts.scheme and not parts.netloc and raw_path and not raw_path.startswith("/"):
        out.append(folder / raw_path)
    if name:
        out += [folder / f"{page.stem}_files" / name, folder / f"{page.stem}.files" / name, folder / name]
    root = folder.resolve()
    safe: list[Path] = []
    for path in out:
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            continue
        if resolved.is_relative_to(root) and resolved not in safe:
            safe.append(resolved)
    return safe


def find(page: Path, ref: str) -> Path | None:
    """The first existing regular file among the candidates."""
    for path in candidates(page, ref):
        try:
            if path.is_file():
                return path
        except OSError:
            continue
    return None


def read(page: Path, ref: str) -> bytes | None:
    """The bytes `ref` names (a data: URI or a file found by `find`), None when absent or too large."""
    if ref.strip().startswith("data:"):
        head, _, payload = ref.partition(",")
        if ";base64" not in head:
            return None
        try:
            return base64.b64decode(payload.strip(), validate=False)
        except (binascii.Error, ValueError):
            return None
    path = find(page, ref)
    if path is None:
        return None
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None
