"""Saved web archives (.mht/.mhtml): an email-style MIME message whose root part is the page.

Browsers write the page as the first text/html part (Chrome, Edge) or the part named by the `start`
parameter (IE/Word), quoted-printable or base64 encoded, with the charset on the part's Content-Type.
"""

from __future__ import annotations

import email
import email.header
import email.policy
from dataclasses import dataclass, field
from email.message import Message

from pipeline.errors import ExtractionError


@dataclass
class HtmlPart:
    data: bytes
    charset: str | None
    metadata: dict[str, str] = field(default_factory=dict)


def _root_part(msg: Message) -> Message | None:
    """The part holding the page: the multipart's `start` part if named, else the first text/html part."""
    start = msg.get_param("start") if msg.is_multipart() else None
    htmls = [p for p in msg.walk() if not p.is_multipart() and p.get_content_type() in ("text/html", "application/xhtml+xml")]
    if isinstance(start, str):
        cid = start.strip("<>")
        for part in htmls:
            if (part.get("Content-ID") or "").strip().strip("<>") == cid:
                return part
    if htmls:
        return htmls[0]
    if not msg.is_multipart():
        return msg  # a single-part archive with a missing or wrong Content-Type
    return None


def html_part(data: bytes) -> HtmlPart:
    """The decoded bytes of the archive's page, its MIME charset, and the archive headers worth keeping."""
    try:
        msg = email.message_from_bytes(data.lstrip(b"\r\n\t "), policy=email.policy.compat32)
    except Exception as exc:  # the email parser is lenient; anything it raises means garbage
        raise ExtractionError(f"unreadable MHTML archive: {exc}", kind="corrupt") from None
    part = _root_part(msg)
    if part is None:
        raise ExtractionError("MHTML archive holds no text/html part", kind="empty")
    try:
        payload = part.get_payload(decode=True)
    except Exception as exc:  # malformed base64 and the like
        raise ExtractionError(f"MHTML page part cannot be decoded: {exc}", kind="corrupt") from None
    if not isinstance(payload, bytes) or not payload.strip():
        raise ExtractionError("MHTML page part is empty", kind="empty")
    metadata = {}
    for header, key in (("Subject", "mhtml_subject"), ("Date", "mhtml_date"),
                        ("Snapshot-Content-Location", "url"), ("Content-Location", "url")):
        value = msg.get(header) or (part.get(header) if header == "Content-Location" else None)
        if value and key not in metadata:
            metadata[key] = _header_text(str(value))
    return HtmlPart(payload, part.get_content_charset(), metadata)


def _header_text(value: str) -> str:
    """A header value with RFC 2047 encoded words (=?utf-8?B?...?=) decoded."""
    try:
        return str(email.header.make_header(email.header.decode_header(value))).strip()
    except Exception:  # undecodable encoded words: keep the raw header
        return value.strip()
