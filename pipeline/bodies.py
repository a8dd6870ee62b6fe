"""A reporting body (spec: "The reporting body") from its name, and what is known to contain it.

Shared by the normaliser, which reads the name from one document, and the batch, which settles what one
document leaves open from the rest of the job (the folder, other reports of the same place). The name is
read as divisions then the rest (pipeline.gazetteer): `淮安市洪泽区人民政府` is 320813 and 人民政府, a
government at county level. A township the gazetteer does not hold under its county (a body named
`桐梓县汀祖镇人民政府`) keeps its county's code, level township, and the place in its id.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.gazetteer import Division, gazetteer

GOVERNMENT_WORDS = ("党工委管委会", "人民政府", "管理委员会", "管委会", "街道办事处", "办事处", "政府")
_DEPARTMENT_END = re.compile(r"(局|委|办|办公室|中心|厅|委员会|院|所|站|队|馆|处|部|署|会|室|组|社)$")
# a township-level place the gazetteer cannot place: 汀祖镇, 东林街道, 木金乡, 西湖镇
_PLACE = re.compile(r"^(.{1,10}?(?:民族乡|乡|镇|街道|苏木))(?=$|人民政府|政府|街道办事处|办事处|管委会)")
_GENERIC_HEAD = re.compile(r"^(省|市|区|县|旗|州|盟|乡|镇)(?=.)")
_NOT_NAME = re.compile(r"[\W_]+")
_LEADING_NOISE = re.compile(r"^[^\u4e00-\u9fff]+")  # `Page8-威海市…`: a page mark glued to the name


@dataclass
class BodyReading:
    """report.body's fields, plus how the place was found (for the issue that says it was inferred)."""

    name: str | None = None
    region_code: str | None = None
    region: list[str] | None = None
    level: str | None = None
    kind: str | None = None
    id: str | None = None
    inferred: str = ""  # empty when the name itself placed the body

    def fields(self) -> dict:
        return {"name": self.name, "region_code": self.region_code, "region": self.region, "level": self.level,
                "kind": self.kind, "id": self.id}


def fold(name: str | None) -> str:
    """A name with spaces and punctuation stripped (full-width forms folded); '' when unknown."""
    if not name:
        return ""
    return _NOT_NAME.sub("", unicodedata.normalize("NFKC", name))


def split_place(rest: str) -> tuple[str, str]:
    """(an unplaced township at the start of `rest`, the rest after it): 汀祖镇人民政府 -> 汀祖镇, 人民政府."""
    match = _PLACE.match(rest)
    if not match or any(match.group(1).endswith(w) for w in ("管委会", "办事处")):
        return "", rest
    return match.group(1), rest[match.end(1):]


def kind_of(rest: str) -> str | None:
    """government (人民政府, 乡镇, 街道办事处, 管委会, or a bare place name) or department (局, 委, 办 …)."""
    if rest == "" or rest in GOVERNMENT_WORDS:
        return "government"
    for word in GOVERNMENT_WORDS:  # a zone's 管委会 the gazetteer does not know: 某某新区管委会
        if rest.endswith(word) and not _DEPARTMENT_END.search(rest[:-len(word)]):
            return "government"
    if _DEPARTMENT_END.search(rest):
        return "department"
    return None


def _canonical_rest(place: str, rest: str, kind: str | None) -> str:
    """The part of the id after the region code, the same whatever the year's spelling."""
    if kind == "government":
        return place + "人民政府"
    rest = _GENERIC_HEAD.sub("", rest)
    if rest.startswith(("政府", "管委会")):
        rest = "人民政府" + rest.removeprefix("政府").removeprefix("管委会")
    return place + fold(rest)


def body_from_name(name: str | None, context: list[Division] | None = None, inferred: str = "") -> BodyReading:
    """The body a name designates; `context` holds divisions known to contain it (from the document's text,
    the folder, other reports), used when the name alone does not settle its place."""
    name = _LEADING_NOISE.sub("", name or "")
    if not name:
        return BodyReading()
    gz = gazetteer()
    parse = gz.parse(name, context)
    chain, rest = parse.chain, parse.rest
    how = inferred if parse.by_context else ""
    if not how and chain and chain[0].level == "township":
        how = f"{chain[0].name} is the only one of its name in the gazetteer"
    if parse.ambiguous and not chain:
        rest = name  # the place stays unknown; the batch may settle it
    elif not chain and (inside := gz.find_inside(name)):
        pos, parse = inside
        chain, rest = parse.chain, parse.rest
        how = f"the body's name holds {name[pos:len(name) - len(rest)]} after {name[:pos]}"
    elif not chain and context:
        chain = [context[0]]
        how = inferred
    place, core = split_place(rest) if not (chain and chain[-1].level == "township") else ("", rest)
    if not chain and place:
        core = rest[len(place):]
    kind = kind_of(core)
    if chain:
        region = gz.lineage(chain[-1])
        level: str | None = "township" if place else chain[-1].level
        code = chain[-1].code
        body_id = f"{code}:{_canonical_rest(place, core, kind)}"
        return BodyReading(name, code, [d.name for d in region], level, kind, body_id, how)
    levels = {d.level for d in parse.ambiguous}
    level = "township" if place else levels.pop() if len(levels) == 1 else None
    return BodyReading(name, None, None, level, kind, fold(name) or None)
