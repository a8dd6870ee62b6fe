"""Rendered text of HTML: whitespace the way a browser shows it, lines split where blocks end.

The reader marks every block boundary and <br> in the tree with MARK (a private-use character), so a
paragraph's or a cell's text is one text_content() string; `lines()` splits it back into lines.
"""

from __future__ import annotations

import re

MARK = "\ue000"

_SOURCE_SPACE = re.compile(r"[ \t\n\r\f]+")
_BLANKS = re.compile(r"[ \u00a0\u3000\u2000-\u200a\u202f\u205f\ue000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")


def _is_wide(ch: str) -> bool:
    o = ord(ch)
    return 0x2e80 <= o <= 0x9fff or 0xf900 <= o <= 0xfaff or 0xff00 <= o <= 0xff60


def _collapse(match: re.Match[str]) -> str:
    """Source whitespace -> one space, except a line break between two CJK characters, which a browser
    drops (CSS Text 3 segment-break rule): Word and HTML editors wrap long lines anywhere."""
    run = match.group(0)
    if "\n" in run or "\r" in run:
        s, i, j = match.string, match.start(), match.end()
        if i > 0 and j < len(s) and _is_wide(s[i - 1]) and _is_wide(s[j]):
            return ""
    return " "


def clean(text: str) -> str:
    """One line of rendered text: source whitespace collapsed, &nbsp; and U+3000 as blanks, trimmed."""
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    text = _SOURCE_SPACE.sub(_collapse, text)
    return _BLANKS.sub(" ", text).strip()


def lines(text: str) -> list[str]:
    """The non-blank lines of marked text."""
    return [line for part in text.split(MARK) if (line := clean(part))]


def weight(text: str) -> int:
    """How much CJK text there is, computed in C: every character from U+0800 up (CJK, full-width
    punctuation) is 3+ bytes in UTF-8; the reader's own line marks are not counted."""
    return (len(text.encode("utf-8", "surrogatepass")) - len(text)) // 2 - text.count(MARK)
