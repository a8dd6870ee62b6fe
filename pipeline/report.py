"""The standard report (spec: report-schema.md) as a pydantic model.

The three data objects are nested dicts whose dotted paths are the field ids of fields.tsv; their
JSON Schema is generated from fields.tsv so that it names every field with its type.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.fields import TOPS, all_fields

REPORT_SCHEMA: Final = "nianbao.report/1"
Number = int | float
SECTION_KEYS = ("overview", "active", "applications", "review", "problems", "other")  # 一 … 六


class AttachmentInfo(BaseModel):
    """The document a saved page links as its report (`附件：…年度报告.pdf`), read in the page's place."""

    path: str
    sha256: str
    format: str
    extractor: str
    pages: int | None = None


class SourceInfo(BaseModel):
    path: str
    sha256: str
    format: str
    extractor: str
    pages: int | None = None
    attachment: AttachmentInfo | None = Field(
        None, description="set when the file is a page whose report is an attachment beside it")


class Body(BaseModel):
    """Who reported (spec: "The reporting body"); any part null when the document does not say."""

    name: str | None = Field(None, description="the fullest official name the document gives")
    region_code: str | None = Field(None, description="行政区划代码: 6 digits to county level, 9 for a township")
    region: list[str] | None = Field(None, description="the area's names from the province down")
    level: Literal["province", "city", "county", "township"] | None = None
    kind: Literal["government", "department"] | None = None
    id: str | None = Field(None, description="stable key of the body across years: `<region_code>:<rest>`, "
                                             "or the folded name when the place is unknown")


class ReportMeta(BaseModel):
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: str | None = Field(None, description="ISO date of the signature (落款) or the page")
    template: Literal["2019", "2021", "legacy"] = Field(
        description="2019 or 2021 form; legacy: a pre-2019 report read from its statistics table")
    body: Body = Field(default_factory=Body)


class Indicators(BaseModel):
    """Ratios computed from the report's own values (spec: "Indicators"); null when a term is null or the
    denominator is 0."""

    disclosure_rate: float | None = None
    denial_rate: float | None = None
    unavailable_rate: float | None = None
    review_correction_rate: float | None = None
    litigation_correction_rate: float | None = None
    natural_person_share: float | None = None


class Check(BaseModel):
    rule: str
    ok: bool
    row: str | None = None
    column: str | None = None
    group: str | None = None
    expected: Number | None = None
    found: Number | None = None
    message: str = ""


class Issue(BaseModel):
    level: Literal["info", "warning", "error"]
    code: str
    field: str | None = None
    message: str


class SectionOutline(BaseModel):
    """One of the six sections as found: what a reader checks for presence and content."""

    key: Literal["overview", "active", "applications", "review", "problems", "other"]
    heading: str = Field(description="the heading as written")
    paragraphs: int = Field(description="paragraphs of prose under the heading")
    tables: int = Field(description="tables under the heading")


class Statement(BaseModel):
    """A number the prose states about a table quantity (pipeline/data/statements.tsv), with its sentence."""

    field: str = Field(description="the table quantity: a field id, or field ids joined by + (a sum)")
    also: list[str] = Field(default_factory=list, description="other readings of the same words that the table "
                                                                "may match (e.g. new + carried over)")
    value: int
    sentence: str
    section: str | None = Field(None, description="the section key the sentence is in")

    def disagreement(self, values: dict[str, Any]) -> tuple[str, float] | None:
        """(the reading, the table's number) when the table contradicts the statement: no fair reading of
        the words matches it. The reading named is the first one the report's template has (新制定规范性文件
        is `issued` on the 2021 form, `created` on the 2019 one); None when they agree or the table does not
        say. `values`: Report.values()."""
        readings = [e for e in (self.field, *self.also) if all(f in values for f in e.split("+"))]
        numbers = [reading_value(e, values) for e in readings]
        if not readings or numbers[0] is None:
            return None
        if any(n is not None and abs(n - self.value) < 1e-9 for n in numbers):
            return None
        return readings[0], numbers[0]


def reading_value(expression: str, values: dict[str, Any]) -> float | None:
    """A field id or a sum of field ids (a+b) over a report's values; None when a term is unknown."""
    total = 0.0
    for field_id in expression.split("+"):
        value = values.get(field_id)
        if not isinstance(value, int | float):
            return None
        total += value
    return total


class Provenance(BaseModel):
    """Where a value came from in the intermediate form."""

    block: int = Field(description="index of the table among the document's blocks")
    table: int = Field(description="ordinal of the table among the document's tables (1-based)")
    row: int
    col: int
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    raw: str
    row_label: str = Field("", description="the row's label text as read")
    variant: str = Field("", description="the labels.tsv variant (folded) that named the row")
    column: str = Field("", description="the column the value was placed in")
    scheme: str = Field("", description="the column layout the row was read with (labels.tsv context)")
    method: str = Field("", description="position (under its header cell), header (laid out by the template's "
                        "header tree when the text lost the positions), order, or neighbours (label lost)")


class LegacyRow(BaseModel):
    """A legacy table's row that matches no field of legacy-fields.tsv, kept as printed."""

    label: str
    unit: str
    values: list[str]


LEGACY_VALUE_COLUMNS = ("this_period", "cumulative", "ytd")
_ABSENT_WHEN_NONE = ("active_disclosure", "applications", "review_litigation", "legacy", "legacy_unmapped")


class Report(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    schema_: Literal["nianbao.report/1"] = Field(REPORT_SCHEMA, alias="schema")
    source: SourceInfo
    report: ReportMeta
    active_disclosure: dict[str, dict[str, Any]] | None = Field(None, description="absent on a legacy report")
    applications: dict[str, dict[str, Any]] | None = Field(None, description="absent on a legacy report")
    review_litigation: dict[str, dict[str, Any]] | None = Field(None, description="absent on a legacy report")
    legacy: dict[str, Any] | None = Field(
        None, description="a legacy report's statistics table: legacy-fields.tsv ids nested by their parts, each "
                          "{this_period, cumulative, ytd, unit}")
    legacy_unmapped: list[LegacyRow] | None = Field(None, description="a legacy table's rows no field names")
    sections: dict[str, str | None]
    outline: list[SectionOutline] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    indicators: Indicators = Field(default_factory=Indicators)
    checks: list[Check]
    issues: list[Issue]
    provenance: dict[str, Provenance]

    def values(self) -> dict[str, Any]:
        """Field id -> value, in fields.tsv order."""
        out: dict[str, Any] = {}
        for top in TOPS:
            for row, cols in (getattr(self, top) or {}).items():
                for col, value in cols.items():
                    out[f"{top}.{row}.{col}"] = value
        order = {f: i for i, f in enumerate(all_fields())}
        out = dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))
        return out | self.legacy_values()

    def legacy_values(self) -> dict[str, Any]:
        """`legacy.<field>.<column>` -> value for a legacy report's table (no units), in table order."""
        return legacy_flat(self.legacy or {})

    def legacy_entry(self, field_id: str) -> dict[str, Any]:
        """One legacy field's object ({this_period, cumulative, ytd, unit[, glued]}); {} when its row is absent."""
        node: Any = self.legacy or {}
        for part in field_id.split(".")[1:]:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node if isinstance(node, dict) else {}

    def to_json(self, indent: int | None = 1) -> str:
        absent = {k for k in _ABSENT_WHEN_NONE if getattr(self, k) is None}
        return self.model_dump_json(by_alias=True, indent=indent, exclude=absent)


def legacy_leaves(legacy: dict[str, Any], path: str = "legacy") -> Iterator[tuple[str, dict[str, Any]]]:
    """(field id, {this_period, cumulative, ytd, unit[, glued]}) of a report's `legacy` object, in table order:
    the one walk over its nesting by the ids' parts."""
    for key, child in legacy.items():
        if isinstance(child, dict) and "unit" in child and not any(isinstance(v, dict) for v in child.values()):
            yield f"{path}.{key}", child
        elif isinstance(child, dict):
            yield from legacy_leaves(child, f"{path}.{key}")


def legacy_flat(legacy: dict[str, Any]) -> dict[str, Any]:
    """`legacy.<field>.<column>` -> value of a report's (or a report dict's) `legacy` object."""
    return {f"{field_id}.{c}": leaf[c] for field_id, leaf in legacy_leaves(legacy)
            for c in LEGACY_VALUE_COLUMNS if c in leaf}


def nest(values: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Flat field ids -> the three nested data objects."""
    out: dict[str, dict[str, dict[str, Any]]] = {top: {} for top in TOPS}
    for field_id, value in values.items():
        top, row, col = field_id.split(".")
        out[top].setdefault(row, {})[col] = value
    return out


def report_json_schema() -> dict:
    """The report's JSON Schema: the model's, with every field of fields.tsv spelled out."""
    schema = Report.model_json_schema(by_alias=True)
    types = {"int": ["integer", "null"], "decimal": ["number", "null"], "text": ["string", "null"]}
    for top in TOPS:
        rows: dict[str, dict] = {}
        for field in all_fields().values():
            t, row, col = field.id.split(".")
            if t != top:
                continue
            entry = rows.setdefault(row, {"type": "object", "properties": {}, "additionalProperties": False})
            entry["properties"][col] = {
                "type": types[field.type],
                "description": f"{field.row_label} / {field.column_label} (templates {','.join(sorted(field.templates))})",
            }
        schema["properties"][top] = {"type": ["object", "null"], "properties": rows, "additionalProperties": False,
                                     "description": "absent on a legacy report"}
    schema["properties"]["legacy"] = _legacy_schema()
    return schema


def _legacy_schema() -> dict:
    """legacy: every field of legacy-fields.tsv nested by its id's parts, each {this_period, cumulative, ytd, unit}."""
    from pipeline.legacy_fields import legacy_fields

    number = {"type": ["number", "null"]}
    root: dict = {"type": "object", "properties": {}, "additionalProperties": False,
                  "description": "a legacy report's statistics table (absent on a 2019/2021 report)"}
    for spec in legacy_fields().values():
        node = root
        parts = spec.id.split(".")[1:]
        for part in parts[:-1]:
            node = node["properties"].setdefault(part, {"type": "object", "properties": {},
                                                        "additionalProperties": False})
        node["properties"][parts[-1]] = {
            "type": "object", "additionalProperties": False,
            "description": f"{spec.variants[0]} ({spec.unit})",
            "properties": {**{c: number for c in LEGACY_VALUE_COLUMNS}, "unit": {"type": ["string", "null"]},
                           "glued": {"type": "string", "pattern": "^[0-9]+$", "description": (
                               "present only when the this-period and cumulative cells ran together into these "
                               "digits and no single cut was possible: both are then null (see legacy_fields.glued_cuts)")}}}
    return root
