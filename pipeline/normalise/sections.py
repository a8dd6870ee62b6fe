"""Finding the six section headings (一 … 六), the free text of each, and an outline of what each holds.

Headings are recognised by their words (labels.tsv, kind `section`) behind a top-level number:
`三、`, `3、`, `3.` (Word numbering lost), `### 三、` (Markdown), or a heading style with no number.
Sub-heads such as `（一）主动公开` are not sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.intermediate import Document, Paragraph
from pipeline.normalise.labels import fold, labels
from pipeline.report import SECTION_KEYS

_TOP_NUMBER = re.compile(r"^\s*([一二三四五六七八九十]{1,2}|\d{1,2}(?!\d))\s*[、.．,，:：]?\s*")
_SUBHEAD = re.compile(r"^\s*[（(]")
TABLE_SECTIONS = {"active", "applications", "review"}  # their tables are the content; prose runs around them


@dataclass
class SectionMark:
    key: str
    block: int
    text: str


def section_of(paragraph: Paragraph) -> str | None:
    """The section this paragraph is the heading of, or None."""
    text = paragraph.text.strip()
    if not text or len(text) > 60 or _SUBHEAD.match(text):
        return None
    if text.endswith(("。", "；")) and len(text) > 30:
        return None
    folded = fold(text)
    found = labels().best(folded, "section")
    if found is None:
        return None
    if _TOP_NUMBER.match(text) or paragraph.heading is not None:
        return found.key
    # a heading whose number was lost: little more than the section's own words, and no sentence
    # (全年被申请行政复议六十起。 is a statement in section 一)
    if text.endswith(("。", "；", ";")) or re.search(r"\d|[一二三四五六七八九十百千]+[件个宗起次]", text):
        return None
    return found.key if len(folded) <= len(found.variant) + 6 else None


def find_sections(doc: Document) -> list[SectionMark]:
    """Section headings in order; a key seen twice keeps its first heading."""
    marks: list[SectionMark] = []
    seen: set[str] = set()
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Paragraph):
            key = section_of(block)
            if key and key not in seen:
                seen.add(key)
                marks.append(SectionMark(key, index, block.text))
    return marks


@dataclass
class SectionSpan:
    """One section as found: its heading, and the paragraphs and tables up to the next heading."""

    key: str
    heading: str
    paragraphs: list[str]
    tables: int


def section_spans(doc: Document, marks: list[SectionMark], tail_blocks: set[int]) -> list[SectionSpan]:
    """Every section found, in order. Section 一 ends at its first table (a report with no headings for
    二 … 四 puts the tables right after 一's prose); 二 … 四 and 六 run over their tables.

    `tail_blocks` are blocks already used as the signature (落款), kept out of the last section.
    """
    starts = sorted(m.block for m in marks)
    spans: list[SectionSpan] = []
    for mark in marks:
        end = next((s for s in starts if s > mark.block), len(doc.blocks))
        span = SectionSpan(mark.key, mark.text.strip(), [], 0)
        for block_index in range(mark.block + 1, end):
            block = doc.blocks[block_index]
            if block_index in tail_blocks:
                break
            if not isinstance(block, Paragraph):
                if mark.key not in TABLE_SECTIONS and mark.key != "other":
                    break
                span.tables += 1
                continue
            if block.text.strip():
                span.paragraphs.append(block.text.strip())
        spans.append(span)
    return spans


def section_texts(spans: list[SectionSpan]) -> dict[str, str | None]:
    """Free text of every section, keyed overview … other; null when absent or empty."""
    out: dict[str, str | None] = dict.fromkeys(SECTION_KEYS)
    for span in spans:
        out[span.key] = "\n".join(span.paragraphs) or None
    return out
