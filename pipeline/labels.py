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

# Traditional characters that occur in the template's labels (for Traditional copies of reports)
_TRADITIONAL = str.maketrans(dict(zip(
    "開資訊處數據總結維糾審議訟復請機構業織律務組報關內執檢查詢與對發廢現規範決許強制費項採購額產護權聯來會無禁過應條實書稱號體單辦計況類證檔紀錄門執補兩種級縣鄉鎮區廳屬濟護價",
    "开资讯处数据总结维纠审议讼复请机构业织律务组报关内执检查询与对发废现规范决许强制费项采购额产护权联来会无禁过应条实书称号体单办计况类证档纪录门执补两种级县乡镇区厅属济护价",
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
