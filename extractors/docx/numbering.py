"""Word automatic numbering, rendered the way Word shows it.

Reports often type their section headings "二、…" through a numbered list rather than as text, so
the number lives in numbering.xml and not in the paragraph. Without rendering it the normaliser
would see "主动公开政府信息情况" where the reader sees "二、主动公开政府信息情况".

Counters are kept per numId (each w:num is one list), per level; a level restarts when a shallower
level of the same list advances, as Word does unless w:lvlRestart says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

_DIGITS = "〇一二三四五六七八九"
_COUNT = "零一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def chinese_count(n: int, digits: str = _COUNT, units: str = "十百千万") -> str:
    """一, 十, 十一, 二十, 一百零五: Chinese counting as Word's chineseCounting formats render it."""
    if n <= 0:
        return digits[0]
    if n < 10:
        return digits[n]
    if n >= 100000:
        return str(n)
    parts: list[str] = []
    zero = False
    for power, unit in ((10000, units[3]), (1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // power % 10
        if d:
            if zero and parts:
                parts.append(digits[0])
            parts.append(digits[d] + unit)
            zero = False
        elif parts:
            zero = True
    text = "".join(parts)
    if 10 <= n < 20 and text.startswith(digits[1] + units[0]):
        text = text[1:]  # 十一, not 一十一
    return text


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter: a..z, aa..zz
    n = max(1, n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One level's counter in the given w:numFmt; unknown formats fall back to decimal."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "koreanCounting", "japaneseDigitalTenThousand"):
        return chinese_count(n)
    if fmt in ("chineseLegalSimplified", "koreanLegal", "japaneseLegal"):
        return chinese_count(n, _LEGAL, "拾佰仟万")
    if fmt in ("ideographDigital", "taiwaneseDigital", "koreanDigital"):
        return "".join(_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12]
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    suffix: str = "tab"
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level; 0 = never
    legal: bool = False


@dataclass
class Numbering:
    """numbering.xml's lists, and the counters of the lists used so far."""

    ns: str
    levels: dict[str, dict[int, Level]] = field(default_factory=dict)  # numId -> ilvl -> Level
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def parse(cls, xml: bytes | None, ns: str) -> Numbering:
        numbering = cls(ns)
        if not xml:
            return numbering
        from extractors.docx.package import parse_xml

        root = parse_xml(xml)
        w = f"{{{ns}}}"
        abstract: dict[str, dict[int, Level]] = {}
        for an in root.iter(w + "abstractNum"):
            abstract[an.get(w + "abstractNumId", "")] = {
                _int(lvl.get(w + "ilvl"), 0): _level(lvl, w, Level()) for lvl in an.iter(w + "lvl")
            }
        for num in root.iter(w + "num"):
            num_id = num.get(w + "numId", "")
            ref = num.find(w + "abstractNumId")
            base = abstract.get(ref.get(w + "val", "") if ref is not None else "", {})
            levels = {k: Level(**vars(v)) for k, v in base.items()}
            for override in num.iter(w + "lvlOverride"):
                ilvl = _int(override.get(w + "ilvl"), 0)
                lvl = override.find(w + "lvl")
                if lvl is not None:
                    levels[ilvl] = _level(lvl, w, levels.get(ilvl, Level()))
                start = override.find(w + "startOverride")
                if start is not None:
                    levels.setdefault(ilvl, Level()).start = _int(start.get(w + "val"), 1)
            numbering.levels[num_id] = levels
        return numbering

    def render(self, num_id: str, ilvl: int) -> str:
        """Advance the list's counter at this level and return the label Word would show ("二、")."""
        levels = self.levels.get(num_id)
        if not levels or num_id == "0":
            return ""  # numId 0 means "numbering switched off"
        level = levels.get(ilvl)
        if level is None:
            return ""
        counts = self.counters.setdefault(num_id, {})
        counts[ilvl] = counts.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            restart = levels.get(deeper, Level()).restart
            if restart is None or (restart and ilvl < restart):
                del counts[deeper]

        def repl(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lv = levels.get(k, Level())
            n = counts.get(k, lv.start)
            return str(n) if level.legal and k != ilvl else format_number(n, lv.fmt)

        label = re.sub(r"%([1-9])", repl, level.text) if level.fmt != "none" else ""
        if not label:
            return ""
        if level.suffix == "space" or (level.suffix == "tab" and not label.endswith(_TIGHT)):
            return label + " "
        return label


_TIGHT = ("、", "．", "）", "。", "，", "：")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _level(lvl: etree._Element, w: str, into: Level) -> Level:
    def val(tag: str) -> str | None:
        el = lvl.find(w + tag)
        return None if el is None else el.get(w + "val")

    out = Level(**vars(into))
    if (v := val("start")) is not None:
        out.start = _int(v, 1)
    if (v := val("numFmt")) is not None:
        out.fmt = v
    if (v := val("lvlText")) is not None:
        out.text = v
    if (v := val("suff")) is not None:
        out.suffix = v
    if (v := val("lvlRestart")) is not None:
        out.restart = _int(v, 0)
    legal = lvl.find(w + "isLgl")
    if legal is not None:
        out.legal = legal.get(w + "val", "true") not in ("0", "false", "off")
    return out
