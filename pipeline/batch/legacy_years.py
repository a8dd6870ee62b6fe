"""A body's pre-2019 years side by side: the 历年累计 column's continuity, and cells run together settled by it.

A legacy statistics table's cumulative column (历年累计, since 2008) runs on from year to year: one body's
cumulative of year y−1 plus its this_period of year y should be its cumulative of year y (spec, "Reports
before 2019"). Every such triple the job knows is a row of table `legacy_continuity` (one report per body and
year, as the cross-year check chooses); real tables contradict themselves, so a failed row is an audit
warning, never a changed value.

The same rule settles a leaf whose two cells ran together in crawler text (`glued`: the digits, both values
null, legacy_fields.glued_cuts listing the possible cuts): the cuts that agree with the year before
(its cumulative + this period = cumulative) and with the year after (its cumulative − its this period =
cumulative) are kept; one left fills the leaf (an info issue `legacy.cut_by_continuity` names the year that
decided), none leaves it null with a warning `legacy.continuity_conflict`, several leave it as it is. A
settled year can settle its neighbour, so this repeats until nothing changes; each round decides from the
state before it, so the outcome does not depend on the order of the reports.

A settled report is rewritten (JSON, values, checks, issues, counts: a cut can complete the sub-rows of a
parent, so its legacy.parts checks are made again), so every export agrees. What settling changed is kept as
converted in table `legacy_settled`: every finish first puts it back, then settles from the whole job again,
so the database is what a fresh job given the same inputs holds (a neighbour converted again with other
numbers settles differently) and a second finish changes nothing.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.batch.crossyear import agency_key, firsts_by_body_year, stored_number
from pipeline.legacy_fields import glued_cuts, legacy_fields
from pipeline.report import legacy_leaves

if TYPE_CHECKING:
    from pipeline.batch.store import Store

CUT = "legacy.cut_by_continuity"
CONFLICT = "legacy.continuity_conflict"
OWN_CODES = (CUT, CONFLICT)  # the issues this module adds (and takes back before settling again)
PAIR = ("this_period", "cumulative")
FAILED_CHECKS = "checks_failed"  # the normaliser's warning when legacy.parts checks fail

Number = int | float
Pair = dict[str, Number | None]  # {"this_period": …, "cumulative": …}
Key = tuple[int, str]  # (report id, field id): one leaf of the job


def _same(a: Number, b: Number) -> bool:
    return abs(a - b) < 1e-9


@dataclass
class _Year:
    """One legacy report of the job: its body key, year and this_period/cumulative per field."""
    report_id: int
    key: str
    year: int
    name: str | None
    pairs: dict[str, Pair] = field(default_factory=dict)


@dataclass
class _Cut:
    this_period: int
    cumulative: int
    reason: str


def _legacy_years(conn: sqlite3.Connection) -> dict[int, _Year]:
    """Every legacy report with a year, keyed as crossyear.firsts_by_body_year keys bodies, with its values."""
    years: dict[int, _Year] = {}
    for report_id, name, year, body_id in conn.execute(
            "SELECT id, coalesce(body_name, agency), year, body_id FROM reports "
            "WHERE template = 'legacy' AND year IS NOT NULL ORDER BY id"):
        key = body_id or agency_key(name)
        if key:
            years[report_id] = _Year(report_id, key, int(year), name)
    for report_id, field_id, value in conn.execute(
            "SELECT v.report_id, v.field, v.value FROM \"values\" v JOIN reports r ON r.id = v.report_id "
            "WHERE r.template = 'legacy' AND (v.field LIKE '%.this_period' OR v.field LIKE '%.cumulative')"):
        if report_id in years:
            base, column = field_id.rsplit(".", 1)
            years[report_id].pairs.setdefault(base, {})[column] = stored_number(value)
    return years


def _kept(report: dict[str, Any]) -> str:
    """What settling may change in a report, as converted (table legacy_settled): its legacy and checks, and
    the checks' warning."""
    warning = [i for i in report["issues"] if i.get("code") == FAILED_CHECKS]
    return json.dumps({"legacy": report.get("legacy"), "checks": report.get("checks"), "warning": warning},
                      ensure_ascii=False)


def _put_back(report: dict[str, Any], original: str | None) -> dict[str, Any]:
    """The report as converted: its legacy, checks and their warning as table legacy_settled keeps them, this
    module's issues out; other issues stay (a body settled since keeps its issue). A report without this
    module's issues was converted again since (its row there is stale): kept as it is."""
    if original is None or not any(i.get("code") in OWN_CODES for i in report.get("issues") or []):
        return report
    kept = json.loads(original)
    report = {**report, "legacy": kept["legacy"], "checks": kept["checks"],
              "issues": [i for i in report["issues"] if i.get("code") not in OWN_CODES]}
    _set_warning(report, kept["warning"])
    return report


def _known(year: _Year | None, field_id: str, *columns: str) -> list[Number] | None:
    """The values of these columns of a field in that year, or None unless all are known."""
    pair = year.pairs.get(field_id, {}) if year is not None else {}
    values = [pair.get(c) for c in columns]
    return [v for v in values if v is not None] if all(v is not None for v in values) else None


def _text(value: Number) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class _Witness:
    """A neighbouring year that judged a cut: the year before by its cumulative, the year after by its
    cumulative less its this period."""
    year: int
    cumulative: Number
    this_period: Number | None = None  # the year after's

    def say(self, tp: int, cum: int) -> str:
        """How this year decides the cut tp | cum."""
        if self.this_period is None:
            return f"the {self.year} report's cumulative {_text(self.cumulative)} + {tp} = {cum}"
        return (f"the {self.year} report's cumulative {_text(self.cumulative)} − its this period "
                f"{_text(self.this_period)} = {cum}")

    def describe(self) -> str:
        return f"the {self.year} report's cumulative {_text(self.cumulative)}" + (
            "" if self.this_period is None else f" and this period {_text(self.this_period)}")


class _Settler:
    """The glued leaves of the job and the cuts their bodies' neighbouring years leave."""

    def __init__(self, years: dict[int, _Year], firsts: dict[tuple[str, int], int]) -> None:
        self.years = years
        self.firsts = firsts

    def _neighbour(self, year: _Year, step: int) -> _Year | None:
        other = self.firsts.get((year.key, year.year + step))
        return self.years.get(other) if other is not None else None

    def fitting(self, year: _Year, field_id: str, digits: str) -> tuple[list[tuple[int, int]], list[_Witness]]:
        """The cuts the neighbouring years allow, and the years that had the numbers to judge them."""
        cuts = glued_cuts(digits)
        why: list[_Witness] = []
        before, after = self._neighbour(year, -1), self._neighbour(year, 1)
        if before is not None and (prev := _known(before, field_id, "cumulative")) is not None:
            cuts = [c for c in cuts if _same(prev[0] + c[0], c[1])]
            why.append(_Witness(before.year, prev[0]))
        if after is not None and (nxt := _known(after, field_id, *PAIR)) is not None:
            cuts = [c for c in cuts if _same(nxt[1] - nxt[0], c[1])]
            why.append(_Witness(after.year, nxt[1], nxt[0]))
        return cuts, why

    def _round(self, glued: dict[Key, str], done: dict[Key, _Cut]) -> dict[Key, _Cut]:
        """The leaves one cut fits now, judged from the state before this round."""
        found = {}
        for (report_id, field_id), digits in sorted(glued.items()):
            if (report_id, field_id) in done:
                continue
            fits, why = self.fitting(self.years[report_id], field_id, digits)
            if len(fits) == 1 and why:
                tp, cum = fits[0]
                found[(report_id, field_id)] = _Cut(tp, cum, f"{digits} cut as {tp} | {cum} by the body's other "
                                                    f"years: {'; '.join(w.say(tp, cum) for w in why)}")
        return found

    def settle(self, glued: dict[Key, str]) -> tuple[dict[Key, _Cut], dict[Key, str]]:
        """Rounds until nothing changes; returns the cuts made, and why no cut fits the leaves none fits."""
        cuts: dict[Key, _Cut] = {}
        while found := self._round(glued, cuts):
            for (report_id, field_id), cut in found.items():
                self.years[report_id].pairs[field_id] = {"this_period": cut.this_period, "cumulative": cut.cumulative}
            cuts.update(found)
        conflicts = {}
        for key, digits in glued.items():
            fits, why = self.fitting(self.years[key[0]], key[1], digits)
            if key not in cuts and why and not fits:
                options = ", ".join(f"{tp} | {cum}" for tp, cum in glued_cuts(digits))
                conflicts[key] = (f"no cut of {digits} ({options}) agrees with "
                                  f"{' and '.join(w.describe() for w in why)}; left null")
        return cuts, conflicts


def _set_warning(report: dict[str, Any], warning: list[dict[str, Any]]) -> None:
    """The failed checks' warning (checks_failed) in its place, added at the end, or dropped."""
    issues = report["issues"]
    at = next((n for n, i in enumerate(issues) if i.get("code") == FAILED_CHECKS), len(issues))
    issues[at:at + 1] = warning


def _recheck(report: dict[str, Any]) -> None:
    """The legacy.parts checks made again from the values (a cut can complete a parent's sub-rows)."""
    from pipeline.batch.task import legacy_checks

    checks, warning = legacy_checks(dict(legacy_leaves(report.get("legacy") or {})))
    report["checks"] = [c for c in report.get("checks") or [] if c.get("rule") != "legacy.parts"] + checks
    _set_warning(report, warning)


def _apply(report: dict[str, Any], report_id: int, cuts: dict[Key, _Cut], conflicts: dict[Key, str]) -> dict[str, Any]:
    """The report with its cuts filled in, its checks made again, and an issue per cut or conflict; the
    report itself when it has none."""
    if not any((report_id, f) in cuts or (report_id, f) in conflicts for f, _ in legacy_leaves(report.get("legacy") or {})):
        return report
    report = {**report, "legacy": copy.deepcopy(report["legacy"]), "issues": list(report["issues"])}
    added = []
    for field_id, leaf in legacy_leaves(report.get("legacy") or {}):
        key = (report_id, field_id)
        if key in cuts:
            cut = cuts[key]
            leaf.update(this_period=cut.this_period, cumulative=cut.cumulative)
            leaf.pop("glued", None)
            added.append({"level": "info", "code": CUT, "field": field_id, "message": cut.reason})
        elif key in conflicts:
            added.append({"level": "warning", "code": CONFLICT, "field": field_id, "message": conflicts[key]})
    if any(a["code"] == CUT for a in added):
        _recheck(report)
    report["issues"] = [*report["issues"], *added]
    return report


def continuity_rows(years: dict[int, _Year], firsts: dict[tuple[str, int], int]) -> list[tuple]:
    """(body key, year, prev year, field, prev cumulative, this period, cumulative, ok, body name, report id,
    prev report id) for consecutive years of a body and every field whose three numbers are known."""
    order = {f: i for i, f in enumerate(legacy_fields())}
    rows = []
    for (key, year), report_id in sorted(firsts.items()):
        this, prev_id = years.get(report_id), firsts.get((key, year - 1))
        last = years.get(prev_id) if prev_id is not None else None
        if this is None or last is None:
            continue
        for field_id in sorted(this.pairs, key=lambda f: (order.get(f, len(order)), f)):
            now, before = _known(this, field_id, *PAIR), _known(last, field_id, "cumulative")
            if now is None or before is None:
                continue
            rows.append((key, year, year - 1, field_id, before[0], now[0], now[1],
                         int(_same(before[0] + now[0], now[1])), this.name, report_id, last.report_id))
    return rows


def legacy_years(store: Store) -> None:
    """Settle the job's glued legacy leaves from their bodies' other years and store the continuity rows."""
    from pipeline.batch.task import report_record
    from pipeline.report import Report

    conn = store.conn
    years = _legacy_years(conn)
    firsts = {k: v[0] for k, v in firsts_by_body_year(conn).items() if v[0] in years}
    originals = dict(conn.execute("SELECT report_id, original FROM legacy_settled"))
    stored: dict[int, dict[str, Any]] = {}
    converted: dict[int, dict[str, Any]] = {}
    glued: dict[Key, str] = {}
    for report_id, text in conn.execute(
            "SELECT id, json FROM reports WHERE template = 'legacy' AND json IS NOT NULL AND "
            "(instr(json, '\"glued\"') > 0 OR id IN (SELECT report_id FROM legacy_settled)) ORDER BY id"):
        stored[report_id] = json.loads(text)
        converted[report_id] = _put_back(stored[report_id], originals.get(report_id))
        if report_id not in years:  # no year or body any more: put back, never settled
            continue
        for field_id, leaf in legacy_leaves(converted[report_id].get("legacy") or {}):
            years[report_id].pairs[field_id] = {c: stored_number(leaf.get(c)) for c in PAIR}
            if isinstance(leaf.get("glued"), str):
                glued[(report_id, field_id)] = leaf["glued"]
    cuts, conflicts = _Settler(years, firsts).settle(glued)
    rewrites, settled = [], []
    for report_id, report in converted.items():
        final = _apply(report, report_id, cuts, conflicts)
        if final is not report:
            settled.append((report_id, _kept(report)))
        if final != stored[report_id]:
            rewrites.append((report_id, report_record(Report.model_validate(final))))
    store.settle_legacy(rewrites, settled, continuity_rows(years, firsts))
