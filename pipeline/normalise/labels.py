"""The label table (data/labels.tsv) and the folding that makes labels comparable.

Real reports write the template's labels with inner spaces, line breaks, half-width brackets,
curly or straight quotes, Traditional characters and typos. `fold` removes what does not carry
meaning; `LabelTable.best` finds the longest known variant inside a folded label. Adding a variant
is one line in labels.tsv, never a code change.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Traditional -> Simplified for every character of the template's labels (generated with OpenCC
# from the characters of labels.tsv and fields.tsv); folding only labels needs nothing more
_TRADITIONAL = str.maketrans(dict(zip(
    "萬業舉於會體關內寫決況減辦務動區單發後國處復審對屬廢開強當總執護報數無機權條構匯沒現確祕穩類糾納組織經結繼續"
    "維繳罰範獲補見規計認議許訟訪訴詢說請購費轉過這進採問項題額資訊據檔",
    "万业举于会体关内写决况减办务动区单发后国处复审对属废开强当总执护报数无机权条构汇没现确秘稳类纠纳组织经结继续"
    "维缴罚范获补见规计认议许讼访诉询说请购费转过这进采问项题额资讯据档",
    strict=True,
)))
_DROP = re.compile(r"[\s\u200b\u200c\u200d\ufeff\u00a0\u3000\"'“”‘’「」『』*#|_`]+")


@cache
def fold(text: str) -> str:
    """A label reduced to what identifies it: NFKC, Simplified, no spaces, no quotes."""
    text = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    text = _DROP.sub("", text)
    return text


@dataclass(frozen=True)
class Label:
    kind: str  # section | row | group | column | colgroup | ignore
    key: str
    context: str
    template: str  # "2019", "2021" or "*"
    variant: str  # folded

    @property
    def scheme(self) -> str:
        """For column-like labels: the header layout they belong to."""
        return self.context

    @property
    def needs_group(self) -> str | None:
        """For rows valid only inside one group of table 三 (e.g. 3.其他 under （六）其他处理)."""
        return self.context.split(":", 1)[1] if ":" in self.context else None

    @property
    def table(self) -> str:
        return self.context.split(":", 1)[0][:2]


class LabelTable:
    """All labels, indexed by kind, with longest-variant lookup."""

    def __init__(self, labels: list[Label]):
        self.labels = labels
        self._by_kinds: dict[tuple[str, ...], list[Label]] = {}
        self._longest: dict[tuple[str, tuple[str, ...]], list[Label]] = {}

    def of(self, *kinds: str) -> list[Label]:
        """Labels of these kinds, longest variant first."""
        found = self._by_kinds.get(kinds)
        if found is None:
            found = sorted((lab for lab in self.labels if lab.kind in kinds), key=lambda lab: -len(lab.variant))
            self._by_kinds[kinds] = found
        return found

    def best(self, folded: str, *kinds: str, accept=None) -> Label | None:
        """The longest variant contained in `folded` (optionally filtered by `accept`)."""
        for label in self.of(*kinds):
            if label.variant in folded and (accept is None or accept(label)):
                return label
        return None

    def all_longest(self, folded: str, *kinds: str) -> list[Label]:
        """Every label whose variant is the longest one contained in `folded` (ties kept)."""
        key = (folded, kinds)
        if key not in self._longest:
            if len(self._longest) > 50_000:  # bounded: a long batch sees endless distinct cells
                self._longest.clear()
            self._longest[key] = self._all_longest(folded, kinds)
        return self._longest[key]

    def _all_longest(self, folded: str, kinds: tuple[str, ...]) -> list[Label]:
        found: list[Label] = []
        for label in self.of(*kinds):
            if found and len(label.variant) < len(found[0].variant):
                break
            if label.variant in folded:
                found.append(label)
        return found


@cache
def labels() -> LabelTable:
    """The label table shipped with the package."""
    text = resources.files("pipeline").joinpath("data/labels.tsv").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(rows, delimiter="\t")
    return LabelTable(
        [Label(r["kind"], r["key"], r["context"], r["template"], fold(r["variant"])) for r in reader]
    )
