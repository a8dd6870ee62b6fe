"""Turning the bytes of a saved web page into text before any parser sees them.

Portal pages lie about their encoding: many declare gb2312 and use GBK-only characters (镕, 堃, 喆),
some declare utf-8 and were saved as GBK by a browser. So the declared charset is only believed if the
bytes decode cleanly with it; otherwise UTF-8, GB18030 and charset-normalizer are tried, and as the
last resort the declared (or UTF-8) codec with errors="replace" — never an exception.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

# labels whose real-world meaning is a superset codec (what browsers do, per the WHATWG list)
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "ms936": "gb18030",
    "gb_2312-80": "gb18030", "gb_2312": "gb18030", "euc-cn": "gb18030", "csgb2312": "gb18030",
    "chinese": "gb18030", "iso-ir-58": "gb18030", "hz-gb-2312": "gb18030", "gb18030": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cn-big5": "big5hkscs", "x-x-big5": "big5hkscs",
    "csbig5": "big5hkscs", "cp950": "cp950",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "utf-16": "utf-8",  # a page declaring utf-16 in ASCII isn't
}

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_:.+-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass
class Decoded:
    text: str
    encoding: str
    declared: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, message)


def codec_for(label: str | None) -> str | None:
    """The Python codec to use for a charset label, or None when the label means nothing to us."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset named by <meta charset>, http-equiv Content-Type or an XML declaration in the head."""
    head = data[:8192]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _guess(data: bytes, only: list[str] | None = None) -> str | None:
    """charset-normalizer's best guess, mapped to a superset codec; None if it has no idea."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return None
    best = from_bytes(data[:200_000], cp_isolation=only).best()
    return codec_for(best.encoding) if best is not None else None


def decode_html(data: bytes, transport_charset: str | None = None) -> Decoded:
    """Text of an HTML document: BOM; valid UTF-8; the transport (MIME) charset or the page's own
    declaration if it decodes cleanly; GB18030 or Big5 if clean; the declared codec with
    errors="replace"; charset-normalizer's guess; GB18030 with errors="replace"."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom):], codec)
            if text is not None:
                return Decoded(text, codec)
            break
    declared_label = transport_charset or declared_charset(data)
    declared = codec_for(declared_label)
    warnings: list[tuple[str, str]] = []
    if declared_label and declared is None:
        warnings.append(("unknown_charset", f"declared charset {declared_label!r} is unknown; guessed instead"))
    if data.isascii():
        return Decoded(data.decode("ascii"), declared or "utf-8", declared_label, warnings)
    if declared != "utf-8" and (text := _try(data, "utf-8")) is not None:
        # GBK or Big5 text almost never happens to be valid UTF-8, so valid UTF-8 wins over the label
        if declared:
            warnings.append(("encoding_mismatch", f"declared {declared_label}, but the page decodes as utf-8"))
        return Decoded(text, "utf-8", declared_label, warnings)
    if declared:
        text = _try(data, declared)
        if text is not None:
            return Decoded(text, declared, declared_label, warnings)
        # a page declaring one charset but saved in another: say so, then look for the real one
        if transport_charset and (page := codec_for(declared_charset(data))) and page != declared:
            text = _try(data, page)
            if text is not None:
                warnings.append(("encoding_mismatch", f"declared {declared_label}, but the page decodes as {page}"))
                return Decoded(text, page, declared_label, warnings)
    codec, text = _chinese(data, exclude=declared)
    if text is not None:
        code = "encoding_mismatch" if declared else "encoding_guessed"
        said = f"declared {declared_label}, but the page decodes as {codec}" if declared else f"encoding guessed as {codec}"
        warnings.append((code, said))
        return Decoded(text, codec, declared_label, warnings)
    if declared:
        # a truncated or slightly corrupt page in the declared codec: better than any guess
        warnings.append(("encoding_replaced", f"bytes that are not valid {declared} were replaced with U+FFFD"))
        return Decoded(data.decode(declared, errors="replace"), declared, declared_label, warnings)
    guessed = _guess(data)
    if guessed:
        text = _try(data, guessed)
        if text is not None:
            warnings.append(("encoding_guessed", f"encoding guessed as {guessed}"))
            return Decoded(text, guessed, declared_label, warnings)
    warnings.append(("encoding_replaced", "bytes that are not valid gb18030 were replaced with U+FFFD"))
    return Decoded(data.decode("gb18030", errors="replace"), "gb18030", declared_label, warnings)


def _chinese(data: bytes, exclude: str | None) -> tuple[str, str | None]:
    """GB18030 or Big5, whichever decodes cleanly; when both do, charset-normalizer breaks the tie."""
    found = {c: t for c in ("gb18030", "big5hkscs") if c != exclude and (t := _try(data, c)) is not None}
    if len(found) == 2:
        guessed = _guess(data, ["gb18030", "big5"])
        codec = "big5hkscs" if guessed in ("big5hkscs", "cp950") else "gb18030"
        return codec, found[codec]
    for codec, text in found.items():
        return codec, text
    return "", None
