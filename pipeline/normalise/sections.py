"""Finding the six section headings (一 … 六) and the free text of 一, 五 and 六.

Headings are recognised by their words (labels.tsv, kind `section`) behind a top-level number:
`三、`, `3、`, `3.` (Word numbering lost), `### 三、` (Markdown), or a heading style with no number.
Sub-heads such as `（一）主动公开` are not sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.intermediate import Document, Paragraph
from pipeline.normalise.labels import fold, labels

_TOP_NUMBER = re.compile(r"^\s*([一二三四五六七八九十]{1,2}|\d{1,2})\s*[、.．,，:：]?\s*")
_SUBHEAD = re.compile(r"^\s*[（(]")
FREE_TEXT_SECTIONS = {"overview": "overview", "problems": "problems", "other": "other"}


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
    # a heading whose number was lost: little more than the section's own words
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


def section_texts(doc: Document, marks: list[SectionMark], tail_blocks: set[int]) -> dict[str, str | None]:
    """Free text of 一, 五, 六: the paragraphs from a heading to the next heading or table.

    `tail_blocks` are blocks already used as the signature (落款), kept out of section 六.
    """
    out: dict[str, str | None] = dict.fromkeys(FREE_TEXT_SECTIONS.values())
    starts = sorted(m.block for m in marks)
    for mark in marks:
        name = FREE_TEXT_SECTIONS.get(mark.key)
        if name is None:
            continue
        end = next((s for s in starts if s > mark.block), len(doc.blocks))
        parts: list[str] = []
        for block_index in range(mark.block + 1, end):
            block = doc.blocks[block_index]
            if not isinstance(block, Paragraph):
                if mark.key != "other":
                    break
                continue
            if block_index in tail_blocks:
                break
            if block.text.strip():
                parts.append(block.text.strip())
        out[name] = "\n".join(parts) or None
    return out
