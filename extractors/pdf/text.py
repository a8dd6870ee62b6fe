"""PDF text: characters into lines, lines into paragraphs, CJK spacing and page furniture.

pdfplumber gives positioned characters and no spaces a PDF does not draw; we rebuild lines from
geometry (a space where the gap is wide), then drop the spaces that only come from letter-spaced
CJK ("信 息 内 容"), because Chinese never has spaces between characters. Page numbers and running
headers are recognised by position and shape, so they never glue onto a paragraph or a table.
The tolerances a layout may need tuned come in with the call (extractors.pdf.settings.PdfSettings).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.pdf.settings import PdfSettings

CJK_CLASS = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026\u00b7"
_CJK_GAP = re.compile(f"(?<=[{CJK_CLASS}])[ \t\u00a0]+(?=[{CJK_CLASS}])")
_SPACES = re.compile(r"[ \t\u00a0]+")

# page furniture: "- 3 -", "— 4 —", "第 3 页", "第3页 共6页", "3 / 6", bare "3"
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－~·\s]*\d{1,4}[-—–－~·\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[Pp](?:age|\.)\s*\d{1,4})\s*$"
)
# top-level section headings ("三、收到和处理…") stay paragraphs of their own
_HEADING = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]\S")
_SUBHEADING = re.compile(r"^\s*[（(][一二三四五六七八九十]{1,3}[）)]\S{1,30}$")


def clean_cjk(text: str) -> str:
    """Collapse runs of spaces and remove those standing between two CJK characters."""
    text = _SPACES.sub(" ", text)
    return _CJK_GAP.sub("", text).strip()


@dataclass
class Line:
    """One visual line of text: its characters' box and text (spaces rebuilt from gaps)."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    size: float
    page: int = 0
    chars: list[dict] = field(default_factory=list, repr=False)

    @property
    def height(self) -> float:
        return self.bottom - self.top


def line_text(chars: list[dict]) -> str:
    """Characters left to right, a space where the gap is wider than a third of the font size."""
    out: list[str] = []
    prev = None
    for ch in chars:
        text = ch["text"]
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            if gap > 0.3 * max(ch["size"], prev["size"], 1.0) and not text.isspace() and not out[-1].isspace():
                out.append(" ")
        out.append(text)
        prev = ch
    return clean_cjk("".join(out))


def group_lines(chars: list[dict], page: int, column_gap_em: float) -> list[Line]:
    """Characters into lines: a character joins the line its vertical centre falls inside.

    Characters are first sorted top to bottom; a line is closed when the next character's centre
    lies below it. Vertical text (one character per line) therefore comes out one line per char.
    Characters of one band more than `column_gap_em` apart are separate lines.
    """
    visible = [c for c in chars if c["text"].strip() and c.get("upright", True) is not None]
    if not visible:
        return []
    visible.sort(key=lambda c: (c["top"] + c["bottom"]) / 2)
    bands: list[list[dict]] = []
    band_top = band_bottom = 0.0
    for ch in visible:
        centre = (ch["top"] + ch["bottom"]) / 2
        if bands and centre <= band_bottom - 0.15 * (band_bottom - band_top) and centre >= band_top:
            bands[-1].append(ch)
            band_bottom = max(band_bottom, ch["bottom"])
        else:
            bands.append([ch])
            band_top, band_bottom = ch["top"], ch["bottom"]
    lines: list[Line] = []
    for band in bands:
        band.sort(key=lambda c: c["x0"])
        for run in _split_far_apart(band, column_gap_em):
            text = line_text(run)
            if not text:
                continue
            lines.append(Line(
                x0=min(c["x0"] for c in run), top=min(c["top"] for c in run),
                x1=max(c["x1"] for c in run), bottom=max(c["bottom"] for c in run),
                text=text, size=median(c["size"] for c in run), page=page, chars=run,
            ))
    return lines


def _split_far_apart(band: list[dict], gap_em: float) -> list[list[dict]]:
    """A band cut where characters are more than `gap_em` apart (text beside a table, two columns)."""
    runs: list[list[dict]] = [[band[0]]]
    for prev, ch in zip(band, band[1:], strict=False):
        if ch["x0"] - prev["x1"] > gap_em * max(ch["size"], 1.0):
            runs.append([])
        runs[-1].append(ch)
    return runs


def is_page_furniture(line: Line, page_height: float, margin_ratio: float) -> bool:
    """A page number in the top or bottom margin (`margin_ratio` of the page height)."""
    margin = margin_ratio * page_height
    in_margin = line.bottom < margin or line.top > page_height - margin
    return in_margin and bool(_PAGE_NUMBER.match(line.text))


def running_headers(pages: list[list[Line]], page_heights: list[float], margin_ratio: float) -> set[str]:
    """Texts found in the top or bottom margin of at least half the pages (and at least two)."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for lines, height in zip(pages, page_heights, strict=True):
        margin = margin_ratio * height
        texts = {re.sub(r"\d+", "#", ln.text) for ln in lines if ln.bottom < margin or ln.top > height - margin}
        seen.update(texts)
    need = max(2, (len(pages) + 1) // 2)
    return {t for t, n in seen.items() if n >= need and len(t) > 1}


def is_heading(text: str) -> bool:
    t = text.strip()
    return bool(_HEADING.match(t)) and len(t) <= 40 and not t.endswith(("。", "；", "，"))


def paragraphs(lines: list[Line], left: float, right: float, body_size: float,
               s: PdfSettings) -> list[tuple[str, int | None, Line, Line]]:
    """Lines of one page's text flow into (text, heading level, first line, last line) paragraphs.

    A line continues the previous paragraph when the previous one ran to the right margin, this
    one starts at the left margin, neither is a heading and the font size and spacing agree.
    Lines of CJK text join with no space; Latin words with one.
    """
    out: list[tuple[str, int | None, Line, Line]] = []
    current: list[Line] = []

    def flush() -> None:
        if current:
            text = current[0].text
            for ln in current[1:]:
                joint = "" if (re.match(f"[{CJK_CLASS}]", ln.text[:1]) or re.search(f"[{CJK_CLASS}]$", text)) else " "
                text = text + joint + ln.text
            head = 1 if len(current) == 1 and is_heading(text) else None
            out.append((text, head, current[0], current[-1]))
            current.clear()

    for ln in lines:
        if current:
            prev = current[-1]
            size = max(prev.size, ln.size, 1.0)
            continues = (
                prev.x1 >= right - s.para_right_em * size
                and prev.x1 - prev.x0 >= 0.5 * (right - left)
                and ln.x0 <= left + s.para_left_em * size
                and abs(prev.size - ln.size) < 0.15 * size
                and 0 <= ln.top - prev.bottom < s.para_line_gap_em * size
                and not is_heading(ln.text)
                and not is_heading(current[0].text)
            )
            centred = (
                abs((prev.x0 + prev.x1) / 2 - (left + right) / 2) < 2 * size
                and abs((ln.x0 + ln.x1) / 2 - (left + right) / 2) < 2 * size
                and abs(prev.size - ln.size) < max(0.1, 0.08 * size)  # OCR'd line heights vary a little
                and 0 <= ln.top - prev.bottom < 1.2 * size
                and (prev.x0 > left + size or prev.size > 1.1 * body_size) and not is_heading(ln.text)
            )
            if not (continues or centred):
                flush()
        current.append(ln)
    flush()
    return out
