"""China's administrative divisions, offline: names to 行政区划代码 and back.

The data is pipeline/data/divisions.tsv (province to county) and townships.tsv (from the Ministry of Civil
Affairs' 国家地名信息库; tools/make_divisions.py says where they came from and remakes them), and
pipeline/data/region_aliases.tsv (special zones and other names that stand for a division, e.g.
平潭综合实验区 for 福州市平潭县), and former_names.tsv (counties and cities renamed since 2000: 洪泽县 is
today's 洪泽区, so that a body's older reports meet its newer ones). They are read once per process, on first use; the 39,000 townships only
when a name ending like a township's (镇, 乡, 街道 …) is looked up, so that a county's report does not wait
for them.

A name is read left to right as a chain of divisions, each inside the one before it:
`淮安市洪泽区人民政府` is 淮安市 then 洪泽区 (inside 淮安市), then the rest `人民政府`. Provinces and
cities may be named without their suffix (江苏, 淮安); counties and townships only in full, since their
short forms are words (公安县 would make 公安局 a county).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import NamedTuple

LEVELS = ("province", "city", "county", "township")
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")
_CITY_SUFFIXES = ("地区", "市", "盟")
TOWNSHIP_ENDS = frozenset("镇乡道木）所")  # the last characters of the names in townships.tsv (a test checks)
MAX_NAME = 20  # characters: no division or alias name is longer


class Division(NamedTuple):
    code: str
    name: str
    level: str


@dataclass
class Parse:
    """What a name says about its place: the divisions read from its start, the text after them, and,
    when the first place named is ambiguous, every division it may be."""

    chain: list[Division] = field(default_factory=list)
    rest: str = ""
    ambiguous: list[Division] = field(default_factory=list)
    ambiguous_name: str = ""
    by_context: bool = False  # an ambiguous place was settled by the context


class Gazetteer:
    def __init__(self, divisions: list[Division], aliases: dict[str, str],
                 townships: Callable[[], list[Division]], former: Sequence[tuple[str, str]] = ()) -> None:
        self._by_code: dict[str, Division] = {d.code: d for d in divisions}
        self._by_name: dict[str, list[Division]] = {}
        self._load_townships = townships
        self._townships: dict[str, list[Division]] | None = None
        for d in divisions:
            for name in {d.name, *_short_names(d)}:
                self._by_name.setdefault(name, []).append(d)
        for alias, code in aliases.items():
            # an alias names its division and nothing else (平潭综合实验区 is not a 平潭 short form)
            self._by_name[alias] = [self.code(code)]
        # names counties and cities bore before (洪泽县 for 洪泽区): consulted when no division bears them today
        self._former: dict[str, list[Division]] = {}
        for name, code in former:
            self._former.setdefault(name, []).append(self.code(code))
        # the last characters of full names: a name can only be widened across one of them
        self.name_ends = frozenset(d.name[-1] for d in divisions) | frozenset(a[-1] for a in aliases) | \
            frozenset(n[-1] for n, _ in former) | TOWNSHIP_ENDS

    def _township_names(self) -> dict[str, list[Division]]:
        if self._townships is None:
            townships: dict[str, list[Division]] = {}
            for d in self._load_townships():
                townships.setdefault(d.name, []).append(d)
                self._by_code[d.code] = d
            self._townships = townships
        return self._townships

    def named(self, name: str) -> list[Division]:
        """The divisions (and aliases) of this exact name."""
        found = self._by_name.get(name) or self._former.get(name, [])
        if name and name[-1] in TOWNSHIP_ENDS:
            found = found + self._township_names().get(name, [])
        return found

    def code(self, code: str) -> Division:
        """The division of a code (KeyError for none)."""
        if len(code) > 6:
            self._township_names()
        return self._by_code[code]

    # ---- the tree
    def parent(self, d: Division) -> Division | None:
        code = d.code
        if len(code) == 9:
            return self._by_code.get(code[:6])
        for candidate in (code[:4] + "00", code[:2] + "0000"):
            if candidate != code and candidate in self._by_code and self._by_code[candidate].level != d.level:
                return self._by_code[candidate]
        return None

    def lineage(self, d: Division) -> list[Division]:
        """The division and those above it, province first."""
        out = [d]
        while (up := self.parent(out[-1])) is not None:
            out.append(up)
        return out[::-1]

    def within(self, d: Division, ancestor: Division) -> bool:
        return ancestor in self.lineage(d)[:-1]

    # ---- names
    def at(self, text: str, pos: int) -> list[tuple[int, list[Division]]]:
        """(length, divisions) of every name that starts at text[pos], longest first."""
        out = []
        for length in range(min(MAX_NAME, len(text) - pos), 1, -1):
            found = self.named(text[pos:pos + length])
            if found:
                out.append((length, found))
        return out

    def parse(self, name: str, context: list[Division] | None = None) -> Parse:
        """The chain of divisions `name` starts with. An ambiguous first place is settled by `context`
        (divisions known to contain the body) when exactly one candidate lies in one of them."""
        result = Parse(rest=name)
        pos = 0
        while pos < len(name):
            step = self._step(name, pos, result.chain, context or [])
            if step is None:
                break
            length, choice, candidates, by_context = step
            result.by_context = result.by_context or by_context
            if choice is None:
                result.ambiguous, result.ambiguous_name = candidates, name[pos:pos + length]
                break
            result.chain.append(choice)
            pos += length
        result.rest = name[pos:]
        return result

    def _step(self, name: str, pos: int, chain: list[Division],
              context: list[Division]) -> tuple[int, Division | None, list[Division], bool] | None:
        for length, found in self.at(name, pos):
            if chain:
                inside = [d for d in found if self.within(d, chain[-1])]
                if len(inside) == 1:
                    return length, inside[0], inside, False
                continue
            if len(found) == 1:
                return length, found[0], found, False
            # one name, several divisions: a province or city before its namesakes (吉林), else the context
            top = min(LEVELS.index(d.level) for d in found)
            highest = [d for d in found if LEVELS.index(d.level) == top]
            if len(highest) == 1 and top < LEVELS.index("county"):
                return length, highest[0], found, False
            settled = [d for d in found if any(d == c or self.within(d, c) for c in context)]
            if len(settled) == 1:
                return length, settled[0], found, True
            return length, None, found, False
        return None

    def find_inside(self, text: str) -> tuple[int, Parse] | None:
        """The first place in `text` where a division is named in full (or by an alias) and unique in the
        country, with the chain read from there: a zone's body names its street after the zone
        (西咸新区底张街道办事处)."""
        aliases = _aliases_cached()
        for pos in range(1, len(text)):
            for length, divisions in self.at(text, pos):
                segment = text[pos:pos + length]
                if len(divisions) == 1 and (divisions[0].name == segment or segment in aliases):
                    return pos, self.parse(text[pos:])
        return None


def _short_names(d: Division) -> list[str]:
    suffixes = _PROVINCE_SUFFIXES if d.level == "province" else _CITY_SUFFIXES if d.level == "city" else ()
    for suffix in suffixes:
        if d.name.endswith(suffix) and len(d.name) - len(suffix) >= 2:
            return [d.name[:-len(suffix)]]
    return []


def _read_tsv(name: str) -> list[list[str]]:
    """The rows of a data file under its header line (comment lines start with #)."""
    text = resources.files("pipeline").joinpath(f"data/{name}").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return [line.split("\t") for line in lines[1:]]


@cache
def _aliases_cached() -> dict[str, str]:
    return {alias: code for alias, code, *_ in _read_tsv("region_aliases.tsv")}


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, built on first use (3,200 divisions to county level; townships when first needed)."""
    divisions = [Division._make(row) for row in _read_tsv("divisions.tsv")]
    former = [(name, code) for name, code, *_ in _read_tsv("former_names.tsv")]
    return Gazetteer(divisions, _aliases_cached(), lambda: [Division._make(r) for r in _read_tsv("townships.tsv")],
                     former)
