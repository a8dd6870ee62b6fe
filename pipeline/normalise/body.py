"""report.body from one document: the fullest name it gives for the reporting body, and its place.

The name starts from the agency of the title or the 落款 (metadata.py). The document often names the same
body more fully elsewhere: `洪泽区人民政府` in the title is `淮安市洪泽区人民政府` in "本报告由淮安市洪泽区
人民政府办公室…编制"; a bare place (`平潭综合实验区`) is `平潭综合实验区管委会` in the page's 来源
(ContentSource). So every occurrence of the name in the text and the page metadata is widened to the left
by division names and, for a bare place, to the right by a government word. When the name's place is
ambiguous (a 镇 with no county named), a candidate whose county or city the text names is taken, and an
issue says the place was inferred.
"""

from __future__ import annotations

import re

from pipeline.bodies import GOVERNMENT_WORDS, BodyReading, body_from_name
from pipeline.gazetteer import gazetteer
from pipeline.intermediate import Document, Paragraph

_COMPILED_BY = re.compile(r"(?:本报告|本年度报告|年度报告)由(.{2,40}?)(?:根据|依据|按照|依照|负责|组织|编制|汇总|起草)")
# page metadata that names the publishing body (HTML <meta>, saved-page headers); a PDF's author is a person
_SOURCE_KEYS = ("contentsource", "来源", "发布机构", "发布单位", "author", "sitename")
_AGENCY_END = re.compile(r"(政府|管委会|委员会|办公室|办公厅|办事处|局|委|办|厅|中心)$")
_MAX_LEFT = 16  # characters of division names a name may be widened by
_MAX_PLACES = 30  # occurrences of the name looked at (a department's name recurs through its report)


def _texts(doc: Document) -> list[str]:
    paragraphs = [b.text.replace(" ", "").replace("\u3000", "") for b in doc.blocks if isinstance(b, Paragraph)]
    meta = {k.lower(): v for k, v in doc.source.metadata.items()}
    sources = [meta[k] for k in _SOURCE_KEYS if meta.get(k) and _AGENCY_END.search(meta[k])]
    return sources + paragraphs


def compiled_by(texts: list[str]) -> str | None:
    """The body named by "本报告由…编制" (its 办公室 often compiles for it)."""
    for text in texts[:40]:
        if match := _COMPILED_BY.search(text):
            return match.group(1)
    return None


def _widen_left(name: str, texts: list[str]) -> str:
    """The longest `<division names><name>` in the texts whose divisions contain the name's own place."""
    gz = gazetteer()
    own = gz.parse(name).chain
    best = name
    looked = 0
    for text in texts:
        start = text.find(name)
        while start >= 0 and looked < _MAX_PLACES:
            looked += 1
            if start > 0 and text[start - 1] in gz.name_ends:  # a division name can end right before the name
                best = max(best, _widest(text, start, name, own), key=len)
            start = text.find(name, start + 1)
    return best


def _widest(text: str, start: int, name: str, own: list) -> str:
    gz = gazetteer()
    for width in range(min(_MAX_LEFT, start), 0, -1):
        candidate = text[start - width:start] + name
        parse = gz.parse(candidate)
        if parse.chain and len(parse.rest) <= len(name) and (not own or own[-1] in parse.chain):
            return candidate
    return name


def _widen_right(name: str, texts: list[str]) -> str:
    """A bare place (平潭综合实验区) with the government word the texts give it (平潭综合实验区管委会)."""
    for text in texts:
        start = text.find(name)
        while start >= 0:
            after = text[start + len(name):]
            for word in GOVERNMENT_WORDS:
                if after.startswith(word):
                    return name + word
            start = text.find(name, start + 1)
    return name


def _settle_by_text(name: str, texts: list[str]) -> BodyReading | None:
    """An ambiguous place settled by the one candidate whose county or city the text names."""
    gz = gazetteer()
    parse = gz.parse(name)
    if not parse.ambiguous or parse.chain:
        return None
    joined = "\n".join(texts)
    named = []
    for candidate in parse.ambiguous:
        above = [d for d in gz.lineage(candidate)[:-1] if d.level in ("city", "county")]
        hits = [d for d in above if d.name in joined]
        if hits:
            named.append((candidate, hits[-1]))
    if len(named) != 1:
        return None
    candidate, hit = named[0]
    return body_from_name(name, [gz.parent(candidate) or hit], f"the text names {hit.name}")


def read_body(doc: Document, agency: str | None) -> BodyReading:
    texts = _texts(doc)
    name = agency or compiled_by(texts)
    if not name:
        return BodyReading()
    name = _widen_left(name, texts)
    parse = gazetteer().parse(name)
    if parse.chain and not parse.rest:
        name = _widen_right(name, texts)
    return _settle_by_text(name, texts) or body_from_name(name)
