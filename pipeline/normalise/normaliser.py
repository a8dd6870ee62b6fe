"""Intermediate form -> standard report: tables, template, metadata, sections, checks, issues."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipeline.errors import NotAReportError
from pipeline.fields import all_fields, template_fields
from pipeline.intermediate import Document, Paragraph, Source, Table
from pipeline.normalise.body import read_body
from pipeline.normalise.checks import run_checks
from pipeline.normalise.indicators import compute as compute_indicators
from pipeline.normalise.legacy import LegacyReading, nest_legacy, parts_checks, read_legacy
from pipeline.normalise.legacy_text import tables_from_text
from pipeline.normalise.metadata import Metadata, read_metadata
from pipeline.normalise.sections import find_sections, section_spans, section_texts
from pipeline.normalise.statements import read_statements
from pipeline.normalise.tables import TableReading, read_tables
from pipeline.normalise.unglue import unglue
from pipeline.report import (
    AttachmentInfo,
    Body,
    Check,
    Issue,
    LegacyRow,
    Provenance,
    Report,
    ReportMeta,
    SectionOutline,
    SourceInfo,
    nest,
)

TABLE_NAMES = {"t2": "二 (主动公开)", "t3": "三 (收到和处理申请)", "t4": "四 (复议和诉讼)"}


def _leaning(reading: TableReading, table: str) -> str | None:
    old, new = reading.evidence[f"{table}:2019"], reading.evidence[f"{table}:2021"]
    if not old and not new:
        return None
    return "2019" if old > new else "2021"


def decide_template(reading: TableReading) -> tuple[str, str | None, str | None]:
    """(template, table 二's template, table 三's template), from labels only.

    Table 二 decides when it speaks (its headers differ most between the templates); otherwise
    （六）其他处理 in table 三 does; 2021 when nothing tells.
    """
    t2, t3 = _leaning(reading, "t2"), _leaning(reading, "t3")
    return t2 or t3 or "2021", t2, t3


_RULE_TABLES = {"applications.": "三", "review_litigation.": "四"}
_METHODS = {"header": "by laying out the template's header tree (the text gave no usable column positions)",
            "order": "in the template's column order (no usable header above them)",
            "neighbours": "by their neighbouring rows (their row labels were lost)"}


def explain_failed_checks(checks: list[Check], reading: TableReading) -> list[Issue]:
    """One issue per table whose checks fail, saying how its values were placed: a failure after an
    inferred placement may be the placement's, one under printed headers is the source's own."""
    issues: list[Issue] = []
    for prefix, name in _RULE_TABLES.items():
        failed = [c for c in checks if not c.ok and c.rule.startswith(prefix)]
        if not failed:
            continue
        methods = Counter(p.method for f, p in reading.placed.items() if f.startswith(prefix) and p.value is not None)
        inferred = [m for m in _METHODS if methods.get(m)]
        rules = ", ".join(sorted({c.rule for c in failed}))
        if inferred:
            how = "; ".join(f"{methods[m]} value(s) placed {_METHODS[m]}" for m in inferred)
            message = (f"{len(failed)} check(s) on table {name} fail ({rules}): {how}; the failure may come from "
                       "that placement rather than from the report's numbers")
        else:
            message = (f"{len(failed)} check(s) on table {name} fail ({rules}); every value was read under its "
                       "printed header and row label, so the report's own numbers do not add up")
        issues.append(Issue(level="warning", code="checks_failed", message=message))
    return issues


MAX_ISSUES_PER_CODE = 50  # a junk table can raise one issue per row; the first ones say it all


def _capped(issues: list[Issue]) -> list[Issue]:
    """At most MAX_ISSUES_PER_CODE issues of one code, then one that counts the rest."""
    seen: dict[str, int] = {}
    kept: list[Issue] = []
    for issue in issues:
        seen[issue.code] = seen.get(issue.code, 0) + 1
        if seen[issue.code] <= MAX_ISSUES_PER_CODE:
            kept.append(issue)
    for code, count in seen.items():
        if count > MAX_ISSUES_PER_CODE:
            kept.append(Issue(level="warning", code=code,
                              message=f"{count - MAX_ISSUES_PER_CODE} more issues of this kind not listed"))
    return kept


def _only_from(reading: TableReading, block: int) -> bool:
    """Whether the template reading found nothing outside the statistics table (its rows such as 行政复议数 can
    look like template rows): then the report is a legacy one."""
    return all(p.block == block for p in reading.placed.values() if p.value is not None)


def normalise(doc: Document) -> Report:
    doc, unglued = unglue(doc)
    doc = tables_from_text(doc)
    reading = read_tables(doc)
    legacy = read_legacy(doc)
    if legacy is not None and _only_from(reading, legacy.block):
        return legacy_report(doc, legacy, unglued)
    if not reading.tables_seen:
        meta = read_metadata(doc)
        if (missing := _table_missing(doc, meta)) is not None:
            return legacy_report(doc, missing, unglued, meta)
        raise NotAReportError("not an annual report table set: none of the template's three tables was found, "
                              "nor a pre-2019 statistics table")
    template, t2, t3 = decide_template(reading)
    fields = all_fields()
    wanted = list(template_fields(template))
    wanted_set = set(wanted)
    extra = [f for f in reading.placed if f not in wanted_set and f in fields]
    values = {f: (reading.placed[f].value if f in reading.placed else None) for f in wanted + extra}
    issues = [Issue(level="info" if w.code.startswith(("encoding", "attachment")) else "warning", code=f"extract.{w.code}",
                    message=w.message) for w in doc.warnings]
    if t2 and t3 and t2 != t3:
        issues.append(Issue(level="warning", code="template_mixed",
                            message=f"table 二 follows the {t2} template but table 三's （六）其他处理 the {t3} one; "
                                    "each value kept in the field whose labels it has"))
    for table, name in TABLE_NAMES.items():
        if table not in reading.tables_seen:
            issues.append(Issue(level="warning", code="table_missing", message=f"table {name} not found"))
    issues += [Issue(level=f.level, code=f.code, field=f.field, message=f.message) for f in reading.findings]
    issues += [Issue(level="warning", code=u.code, message=u.message) for u in unglued]
    issues = _capped(issues)

    check_values = values
    if t3 and t3 != template:  # rows the mixed-in template lacks are absent, not null
        check_values = {f: v for f, v in values.items()
                        if not (f.startswith("applications.") and f in fields and fields[f].templates == {template})}
    meta = read_metadata(doc)
    prose = _prose(doc, meta, issues)
    table_ordinal: dict[int, int] = {}
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Table):
            table_ordinal[index] = len(table_ordinal) + 1
    provenance = {
        f: Provenance(block=p.block, table=table_ordinal.get(p.block, 0), row=p.row, col=p.col, page=p.page,
                      bbox=p.bbox, raw=p.raw, row_label=p.row_label, variant=p.variant, column=p.column_label,
                      scheme=p.scheme, method=p.method)
        for f, p in reading.placed.items() if f in values
    }
    checks = run_checks(check_values)
    issues += explain_failed_checks(checks, reading)
    return Report(
        source=_source_info(doc.source),
        report=ReportMeta(title=meta.title, agency=meta.agency, year=meta.year, published=meta.published,
                          template=template, body=prose.body),
        **nest(values),
        sections=prose.sections,
        outline=prose.outline,
        statements=read_statements(prose.sections, meta.year),
        indicators=compute_indicators(values),
        checks=checks,
        issues=issues,
        provenance=provenance,
    )


def _extract_issues(doc: Document) -> list[Issue]:
    return [Issue(level="info" if w.code.startswith(("encoding", "attachment")) else "warning", code=f"extract.{w.code}",
                  message=w.message) for w in doc.warnings]


# an attachment the report names: `附件：1.某局2014年政府信息公开情况统计表`, `…统计表 .xls`, `信息公开附表.xls`
_ATTACHMENT_NAME = re.compile(r"(附件[:：]?\s*(?:\d\s*[.、．]\s*)?)?([^\s，。：:；;、“”《》]*(?:统计表|附表)[^\s，。；]{0,12}?)"
                              r"(\s*\.(?:xlsx?|et|wps|docx?|pdf)\b)?", re.IGNORECASE)


def _table_missing(doc: Document, meta: Metadata) -> LegacyReading | None:
    """A pre-2019 annual report (its title says so, for a year before 2019) whose statistics table is not in
    the document: a report all the same, its table absent, with an issue saying where it may be."""
    title = meta.title or ""
    if meta.year is None or meta.year > 2018 or "公开" not in title or not re.search(r"报告|年报", title):
        return None
    text = "\n".join(b.text for b in doc.blocks if isinstance(b, Paragraph))
    named = [m[2] + (m[3] or "").strip() for m in _ATTACHMENT_NAME.finditer(text) if m[1] or m[3]]
    where = (f"it is an attachment ({', '.join(dict.fromkeys(named))}) that was not at hand: convert the page with "
             "its attachment, or the attachment itself" if named else "the document has none (or only as a picture "
             "that could not be read)")
    reading = LegacyReading(block=-1, year=None)
    reading.findings.append(("legacy.table_missing", None, f"no statistics table read: {where}"))
    return reading


def legacy_report(doc: Document, legacy: LegacyReading, unglued: list, meta: Metadata | None = None) -> Report:
    """A pre-2019 report: its statistics table under `legacy`, the template tables absent; the year is the
    table's when its header names one. `meta`: the document's metadata when already read."""
    issues = _extract_issues(doc)
    issues += [Issue(level="warning", code=code, field=f, message=m) for code, f, m in legacy.findings]
    issues += [Issue(level="warning", code=u.code, message=u.message) for u in unglued]
    meta = meta or read_metadata(doc)
    year = legacy.year or meta.year
    if legacy.year and meta.year and legacy.year != meta.year:
        issues.append(Issue(level="warning", code="legacy.year_differs",
                            message=f"the title says {meta.year} but the statistics table's header says "
                                    f"{legacy.year}; the report's year is the table's"))
    if legacy.unmapped:
        issues.append(Issue(level="info", code="legacy.unmapped",
                            message=f"{len(legacy.unmapped)} row(s) of the statistics table match no field: "
                                    + ", ".join(str(r["label"]) for r in legacy.unmapped)))
    prose = _prose(doc, meta, issues)
    ordinal = sum(isinstance(b, Table) for b in doc.blocks[:legacy.block]) + 1
    page = doc.blocks[legacy.block].page if legacy.cells else None
    provenance = {
        key: Provenance(block=legacy.block, table=ordinal, row=cell.row, col=cell.col, page=page, raw=cell.raw,
                        row_label=legacy.labels[key.rsplit(".", 1)[0]][0],
                        variant=legacy.labels[key.rsplit(".", 1)[0]][1], column=key.rsplit(".", 1)[1],
                        scheme="legacy", method="position")
        for key, cell in legacy.cells.items() if cell.value is not None
    }
    checks, failed = legacy_checks(legacy.values)
    issues += failed
    return Report(
        source=_source_info(doc.source),
        report=ReportMeta(title=meta.title, agency=meta.agency, year=year, published=meta.published,
                          template="legacy", body=prose.body),
        legacy=nest_legacy(legacy.values),
        legacy_unmapped=[LegacyRow(**row) for row in legacy.unmapped],
        sections=prose.sections,
        outline=prose.outline,
        statements=[],
        checks=checks,
        issues=_capped(issues),
        provenance=provenance,
    )


def legacy_checks(values: dict[str, dict[str, object]]) -> tuple[list[Check], list[Issue]]:
    """The legacy.parts checks of a statistics table's values (field id -> {this_period, cumulative, ...}), and
    the warning when some fail; the batch runs them again on a report whose glued cells it cut."""
    checks = [Check(rule="legacy.parts", ok=ok, row=parent, column=column, expected=whole, found=total,
                    message="" if ok else f"the sub-rows of {parent} add up to {total:g}, the row says {whole:g}")
              for parent, column, whole, total, ok in parts_checks(values)]
    failed = sum(not c.ok for c in checks)
    return checks, [Issue(level="warning", code="checks_failed",
                          message=f"{failed} legacy.parts check(s) fail: sub-rows that do not add up to their "
                                  "parent row, as printed (real tables contradict themselves)")] if failed else []


@dataclass
class _Prose:
    """What every report reads around its tables, whatever they are: the body, the sections, their outline."""

    body: Body
    sections: dict[str, str | None]
    outline: list[SectionOutline]


def _prose(doc: Document, meta: Metadata, issues: list[Issue]) -> _Prose:
    body = read_body(doc, meta.agency)
    if body.inferred:
        issues.append(Issue(level="info", code="body_inferred",
                            message=f"the body's place {body.region_code} was inferred: {body.inferred}"))
    spans = section_spans(doc, find_sections(doc), meta.signature_blocks)
    outline = [SectionOutline(key=s.key, heading=s.heading, paragraphs=len(s.paragraphs), tables=s.tables)
               for s in spans]
    return _Prose(Body(**body.fields()), section_texts(spans), outline)


def _source_info(src: Source) -> SourceInfo:
    return SourceInfo(path=src.path, sha256=src.sha256, format=src.format, extractor=src.extractor,
                      pages=src.pages, attachment=_attachment(src.attachment))


def _attachment(att: Source | None) -> AttachmentInfo | None:
    if att is None:
        return None
    return AttachmentInfo(path=att.path, sha256=att.sha256, format=att.format, extractor=att.extractor,
                          pages=att.pages)
