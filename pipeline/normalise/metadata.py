"""Title, agency, year and publication date of a report.

The title is the first paragraph that names a report (sometimes in two lines: the body, then the
year and "…年度报告"). The agency comes from the title and the signature (落款); when one contains
the other, the fuller name wins. The year is the reporting year in the title, else the statistics
period sentence. The date is the signature date, else a publication date the source carries.

The 落款 is looked for from the end, past what a saved page puts after the report (`附件下载`,
`【打印本页】`, `关闭窗口`, share bars, related links, footers: short lines that are no prose), and
may be written in Chinese numerals (`二〇二一年一月十八日`, `二○二一年元月八日`). Page markers that
PDF and flipbook text leave on lines (`Page 8 -`, `- 4 -`, `P. 9`, `第3页`) are removed before a
line is read as a title, a name or a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.intermediate import Document, Paragraph

_REPORT_WORDS = ("年度报告", "工作报告", "情况的报告", "信息公开报告")
_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年")
_DATE = re.compile(r"^\s*(20\d{2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?\s*$")
_CN_DIGIT = "〇○零OＯ０一二三四五六七八九"
_CN_DATE = re.compile(rf"^\s*([{_CN_DIGIT}]{{4}})\s*年\s*([元正一二三四五六七八九十]{{1,3}})\s*月"
                      r"\s*([一二三四五六七八九十]{1,3})\s*日\s*$")
_CN_VALUE = {**dict.fromkeys("〇○零OＯ０", 0), **{c: i + 1 for i, c in enumerate("一二三四五六七八九")}, "元": 1, "正": 1}
# page markers left on lines by PDF and flipbook text: `Page 8 - `, `- 4 -`, `— 4 —`, `P. 9`, `第3页 共9页`
_MARK = r"(?:Page\s*\d+\s*[-–—]?|P\.\s*\d+|[-–—－]\s*\d+\s*[-–—－]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?)"
_PAGE_MARKS = re.compile(rf"^\s*{_MARK}\s*|\s*{_MARK}\s*$")
# the 落款 may close a crawler's one-line body: `…信息处理费。 临江市桦树镇人民政府 2024年1月10日`
_TRAILING_SIGNATURE = re.compile(rf"(?:^|[。；;！!])([^。；;！!]{{2,40}}?)(20\d{{2}}年\d{{1,2}}月\d{{1,2}}日|"
                                 rf"[{_CN_DIGIT}]{{4}}年[元正一二三四五六七八九十]{{1,3}}月[一二三四五六七八九十]{{1,3}}日)$")
TAIL_LINES = 40  # lines after the report that a saved page may add before its end
PROSE_LINE = 60  # a line this long, or ending in 。, is the report's text: the 落款 is not before it
_ANY_DATE = re.compile(r"(20\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_PERIOD = re.compile(r"(?:统计期限|统计时限|统计期间|时间)[^。]{0,10}?自?\s*(20\d{2})\s*年?\s*1\s*月\s*1\s*日")
_AGENCY_END = re.compile(
    r"(人民政府|政府|办公厅|办公室|委员会|管委会|管理委员会|局|厅|委|办|署|院|中心|街道办事处|街道|乡|镇|苏木|"
    r"公司|所|站|队|部|处|馆|会)$"
)
_TITLE_TAIL = re.compile(r"\s*(关于)?\s*(20\d{2}|19\d{2})?\s*年?度?\s*(政府信息公开|政务公开|信息公开).*$")
_YEAR_TAIL = re.compile(r"\s*(20\d{2}|19\d{2})\s*年度?[^，。,]{0,20}(报告|年报)$")  # 2011年度政府信息工作公开年度报告
_SPACES = re.compile(r"\s+")
# saved or crawled pages open with labelled lines: `标题: …`, `发布时间: 2024-03-08 15:34`
_LABELLED = re.compile(r"^(标题|题目|文章标题|发布时间|发布日期|发文日期|成文日期)[:：]")
_DATE_LABELS = ("发布时间", "发布日期", "发文日期", "成文日期")


@dataclass
class Metadata:
    title: str | None
    agency: str | None
    year: int | None
    published: str | None
    signature_blocks: set[int]


def _clean(text: str) -> str:
    """A line without page markers, spaces and Markdown marks."""
    previous = None
    while previous != text:  # `Page 8 - P. 8 …`: markers can follow each other
        previous, text = text, _PAGE_MARKS.sub("", text)
    return _SPACES.sub("", text.replace("#", "").replace("*", ""))


def _cn_number(text: str) -> int:
    """一 .. 三十一 (and 元 for the first month) as a number."""
    if "十" not in text:
        return _CN_VALUE[text]
    tens, _, ones = text.partition("十")
    return (_CN_VALUE[tens] if tens else 1) * 10 + (_CN_VALUE[ones] if ones else 0)


def _date_of(line: str) -> str | None:
    """A line that is only a date, in Arabic or Chinese numerals, as an ISO date."""
    match = _DATE.match(line)
    if match:
        year, month, day = (int(x) for x in match.groups())
    elif match := _CN_DATE.match(line):
        year = int("".join(str(_CN_VALUE[c]) for c in match[1]))
        try:
            month, day = _cn_number(match[2]), _cn_number(match[3])
        except KeyError:
            return None
    else:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _title(doc: Document) -> tuple[str | None, int | None]:
    paragraphs = [(i, b) for i, b in enumerate(doc.blocks[:12]) if isinstance(b, Paragraph) and b.text.strip()]
    for pos, (index, para) in enumerate(paragraphs):
        text = _LABELLED.sub("", _clean(para.text))
        if len(text) > 80 or not any(w in text for w in _REPORT_WORDS):
            continue
        partial = text[:4].isdigit() or text.startswith(("政府信息公开", "年度", "工作", "信息公开"))
        if pos > 0 and (partial or not any(w in text for w in ("信息公开", "政务公开"))):
            prev_text = _clean(paragraphs[pos - 1][1].text)
            if len(prev_text) <= 40 and "。" not in prev_text:
                return prev_text + text, paragraphs[pos - 1][0]
        return text, index
    return None, None


def _agency_from_title(title: str | None) -> str | None:
    if not title:
        return None
    name = _YEAR_TAIL.sub("", _TITLE_TAIL.sub("", title))
    name = re.sub(r"(20\d{2}|19\d{2})\s*年?度?$", "", name).strip("：:，,")
    name = re.sub(r"^(20\d{2}|19\d{2})\s*年度?", "", name)
    return name or None


def _signature(doc: Document) -> tuple[str | None, str | None, set[int]]:
    """(agency, ISO date, blocks) of the 落款 at the end: a short name line and a date line.

    Read from the end over what a page adds after the report (short lines; prose only among the last
    six, a note after the 落款); a date with the name above it wins, else a lone date among the last
    six lines.
    """
    lines = [(i, _clean(b.text)) for i, b in enumerate(doc.blocks) if isinstance(b, Paragraph)]
    tail = [(i, text) for i, text in lines if text][-TAIL_LINES:]
    lone: tuple[str, int] | None = None
    for pos in range(len(tail) - 1, -1, -1):
        index, text = tail[pos]
        date = _date_of(text)
        if date is None:
            if len(text) > PROSE_LINE or text.endswith("。"):
                found = _trailing_signature(text, index)
                if found or pos < len(tail) - 6:  # prose among the last lines may be a note after the 落款
                    return found or _lone(lone)
            continue
        if pos > 0 and _is_agency(tail[pos - 1][1]):
            return tail[pos - 1][1], date, {index, tail[pos - 1][0]}
        if lone is None and pos >= len(tail) - 6:
            lone = (date, index)
    return _lone(lone)


def _lone(found: tuple[str, int] | None) -> tuple[str | None, str | None, set[int]]:
    return (None, found[0], {found[1]}) if found else (None, None, set())


def _is_agency(name: str) -> bool:
    return len(name) <= 40 and bool(_AGENCY_END.search(name)) and "。" not in name


def _trailing_signature(text: str, index: int) -> tuple[str, str, set[int]] | None:
    """The 落款 at the end of a long line (a crawler's one-line body), when it names an agency."""
    match = _TRAILING_SIGNATURE.search(text)
    date = _date_of(match[2]) if match else None
    if match and date and _is_agency(match[1]):
        return match[1], date, set()
    return None


def _pick_agency(from_title: str | None, from_signature: str | None) -> str | None:
    if from_title and from_signature:
        if from_title in from_signature:
            return from_signature
        if from_signature in from_title:
            return from_title
        return from_title
    return from_title or from_signature


def _year(title: str | None, doc: Document, published: str | None) -> int | None:
    if title:
        found = _YEAR.findall(title)
        if found:
            return int(found[0])
    for block in doc.blocks[:30]:
        if isinstance(block, Paragraph):
            match = _PERIOD.search(_clean(block.text))
            if match:
                return int(match.group(1))
    if published:
        return int(published[:4]) - 1
    return None


def _metadata_date(doc: Document) -> str | None:
    """A publication date the source itself carries (HTML meta, PDF/DOCX properties)."""
    meta = {k.lower(): v for k, v in doc.source.metadata.items()}
    for key in ("pubdate", "publishdate", "published", "firstpublishedtime", "发布日期", "发布时间"):
        value = meta.get(key)
        if value:
            match = _ANY_DATE.search(value)
            if match:
                y, m, d = (int(x) for x in match.groups())
                return f"{y:04d}-{m:02d}-{d:02d}"
    for block in doc.blocks[:12]:
        text = _clean(block.text) if isinstance(block, Paragraph) else ""
        if text.startswith(_DATE_LABELS) and (match := _ANY_DATE.search(text)):
            y, m, d = (int(x) for x in match.groups())
            return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def read_metadata(doc: Document) -> Metadata:
    title, _ = _title(doc)
    sig_agency, sig_date, sig_blocks = _signature(doc)
    published = sig_date or _metadata_date(doc)
    agency = _pick_agency(_agency_from_title(title), sig_agency)
    year = _year(title, doc, published)
    if doc.source.format in ("html", "mhtml") and (title is None or agency is None or year is None):
        page_title = _page_title(doc)  # the page says what its attachment or pictures do not
        year = year or (int(found[0]) if page_title and (found := _YEAR.findall(page_title)) else None)
        agency = agency or _agency_from_title(page_title) or _page_body(doc)
        title = title or page_title
    return Metadata(title, agency, year, published, sig_blocks)


_PAGE_TITLE_KEYS = ("articletitle", "title")
_PAGE_BODY_KEYS = ("发布机构", "发文机关", "contentsource", "信息来源", "来源")


def _page_title(doc: Document) -> str | None:
    """A saved page's own title (<meta name="ArticleTitle">, <title>) when it names a report."""
    meta = {k.lower(): v for k, v in doc.source.metadata.items()}
    for key in _PAGE_TITLE_KEYS:
        text = _clean(meta.get(key, ""))
        if text and len(text) <= 80 and any(w in text for w in _REPORT_WORDS):
            return text
    return None


def _page_body(doc: Document) -> str | None:
    """The publishing body a saved page names (发布机构, <meta name="ContentSource">, 来源：…)."""
    meta = {k.lower(): v for k, v in doc.source.metadata.items()}
    for key in _PAGE_BODY_KEYS:
        name = _clean(meta.get(key, ""))
        if 4 <= len(name) <= 40 and _AGENCY_END.search(name):  # not 本站, 本网
            return name
    return None
