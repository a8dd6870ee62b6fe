"""Numbers the prose states about table quantities (共收到政府信息公开申请45件), read by data/statements.tsv.

Only clear statements are read: a phrasing of statements.tsv matched in a sentence whose text before it
names no other year, no earlier period, no comparison and no other body (a sub-count after 其中 too,
unless the line says the quantity is a part by nature). The statements are kept in the report with their
sentence, so that the audit's `text_table_mismatch` and `nianbao explain` can show what was read and where
(`Statement.disagreement` in pipeline.report compares one with the report's values).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from pipeline.report import Statement

_UNIT = r"(?:件|个|宗|起|次|例)(?!工作日|月|小时|百分点|%)"
_NUMBER = r"(?P<n>\d+(?:,\d{3})*|[零〇一二两三四五六七八九十百千万]+)"
_SENTENCE_END = re.compile(r"[。;!?\n]")
_DROP = re.compile(r"[\s*#_`]+")
# before a statement in its sentence: another period, a comparison, or a body wider or narrower than the
# reporting one (全县 in a county office's report may count every department)
NOT_THIS_BODY = re.compile(r"上年度|上一年|去年|往年|同比|环比|较上年|比上年|累计|历年|以来|全县|全市|全区|全省|全州|全旗|"
                           r"全镇|全乡|各乡|各镇|各街道|各部门|各单位|各级|系统|下属|所属|直属|部门|单位共")
# a subject named before the statement that is not the reporting body itself (我局, 本机关 are):
# 区政府办代表区政府受理申请17件 in a district's report counts one office's applications
OTHER_SUBJECT = re.compile(r"(?<![我本该])(?:政府办|办公室|办公厅|局|委员会|委|中心|部门|单位|公司|处室|科室)")
SUBCOUNT = re.compile(r"其中|包括|含")
_YEAR = re.compile(r"(\d{4})年")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000}


@dataclass(frozen=True)
class Phrasing:
    readings: tuple[str, ...]  # field expressions: the first names the finding
    needs: str | None
    subcount: bool
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def phrasings() -> tuple[Phrasing, ...]:
    """The lines of data/statements.tsv."""
    text = files("pipeline").joinpath("data/statements.tsv").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        field, needs, subcount, pattern = line.split("\t")
        out.append(Phrasing(tuple(field.split("|")), None if needs == "-" else needs, subcount == "yes",
                            re.compile(pattern.replace("{N}", _NUMBER + _UNIT))))
    return tuple(out)


def chinese_number(text: str) -> int | None:
    """一百二十三 -> 123, 两千 -> 2000, 十五 -> 15, 三万四千 -> 34000; None when not a numeral."""
    total, section, digit = 0, 0, None
    for char in text:
        if char in _DIGITS:
            if digit is not None and char not in "零〇":
                return None  # 一二: not a number in words
            digit = _DIGITS[char] or None
        elif char in _POWERS:
            section += (digit if digit is not None else 1) * _POWERS[char]
            digit = None
        elif char == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _number(text: str) -> int | None:
    if text[0].isdigit():
        return int(text.replace(",", ""))
    return chinese_number(text)


def _clean(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text))


def _sentences(text: str) -> list[str]:
    normal = unicodedata.normalize("NFKC", text)
    return [s for s in (_clean(part) for part in _SENTENCE_END.split(normal)) if s]


def _fair(prefix: str, year: int | None, subcount_ok: bool) -> bool:
    """No other year, period, comparison or body before the statement (nor 其中, unless a part by nature)."""
    if NOT_THIS_BODY.search(prefix) or OTHER_SUBJECT.search(prefix) or (not subcount_ok and SUBCOUNT.search(prefix)):
        return False
    return all(year is not None and int(y) == year for y in _YEAR.findall(prefix))


def read_statements(sections: dict[str, str | None], year: int | None) -> list[Statement]:
    """Every clear statement in the sections' prose, in order; the same words twice in a sentence once."""
    out: list[Statement] = []
    seen: set[tuple[str, int, str]] = set()
    for section, text in sections.items():
        for sentence in _sentences(text or ""):
            for statement in _sentence_statements(sentence, section, year):
                key = (statement.field, statement.value, sentence)
                if key not in seen:
                    seen.add(key)
                    out.append(statement)
    return out


def _sentence_statements(sentence: str, section: str, year: int | None) -> list[Statement]:
    spans = [(m.start(), m.end(), phrasing, m) for phrasing in phrasings()
             if not phrasing.needs or phrasing.needs in sentence for m in phrasing.pattern.finditer(sentence)]
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[Statement] = []
    taken_until = -1
    for start, end, phrasing, match in spans:
        if start < taken_until:
            continue  # inside a longer statement already read
        taken_until = end
        value = _number(match["n"])
        if value is None or not _fair(_blank(sentence, spans, start), year, phrasing.subcount):
            continue
        out.append(Statement(field=phrasing.readings[0], also=list(phrasing.readings[1:]), value=value,
                             sentence=sentence, section=section))
    return out


def _blank(sentence: str, spans: list, upto: int) -> str:
    """The sentence before `upto`, with the statements matched there taken out: earlier statements of the
    sentence are not context (上年结转5件 does not make the next number "last year's")."""
    chars = list(sentence[:upto])
    for start, end, *_ in spans:
        for i in range(start, min(end, upto)):
            chars[i] = ""
    return "".join(chars)
