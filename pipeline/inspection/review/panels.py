"""The review site's pages across years: one per reporting body (its years side by side, charts of its key
series; for a body with pre-2019 years, a time line of each series of series.tsv through the 2019 break) and
one per region (its bodies summed per year).

A body is `report.body.id` (so 洪泽区人民政府 and 淮安市洪泽区人民政府 are one body), or the folded agency
name when the report has no body id. One report per body and year is shown: the first document by path,
as the batch's cross-year table chooses; the others are listed beside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.bodies import fold
from pipeline.fields import all_fields
from pipeline.inspection.review.charts import Marker, Series, line_chart
from pipeline.inspection.review.common import e, page_template, show_percent, show_value, values_of
from pipeline.normalise.template import NEW_RECEIVED, RESULTS_TOTAL, REVIEW_GROUPS, TOTAL
from pipeline.report import Report
from pipeline.series import LEGACY, break_year, bridge_series

BREAK_LABEL = "2019 条例修订 / 模板更替"  # the marker between a body's last legacy year and its first on a template
YEAR_WIDTH = 48  # px of a time line per year, so 18 years' ticks and values stay apart
LITIGATION = tuple(f"review_litigation.{g}.{TOTAL}" for g in REVIEW_GROUPS[1:])  # both kinds of lawsuit


@dataclass(frozen=True)
class KeySeries:
    """A number read off one report, charted and summed across years."""

    key: str
    label: str
    read: Callable[[Report], float | None]
    percent: bool = False


def _field(field_id: str) -> Callable[[Report], float | None]:
    return lambda report: values_of(report).get(field_id)


def _sum_of(field_ids: Iterable[str]) -> Callable[[Report], float | None]:
    def read(report: Report) -> float | None:
        values = values_of(report)
        terms = [values.get(f) for f in field_ids]
        known = [t for t in terms if t is not None]
        return None if len(known) < len(terms) else sum(known)
    return read


KEY_SERIES = (
    KeySeries(NEW_RECEIVED, "新收政府信息公开申请", _field(f"applications.{NEW_RECEIVED}.{TOTAL}")),
    KeySeries(RESULTS_TOTAL, "办理结果总计", _field(f"applications.{RESULTS_TOTAL}.{TOTAL}")),
    KeySeries("disclosure_rate", "公开率（予以公开与部分公开）", lambda r: r.indicators.disclosure_rate, True),
    KeySeries("review", "行政复议", _field("review_litigation.review.total")),
    KeySeries("litigation", "行政诉讼", _sum_of(LITIGATION)),
)
SERIES = {s.key: s for s in KEY_SERIES}


@dataclass
class BodyYears:
    """One body's reports by year (row: a site.ReportRow; its documents give the paths)."""

    key: str
    name: str
    region: list[str]
    region_code: str | None
    years: dict[int, Any] = field(default_factory=dict)  # year -> the ReportRow shown
    others: dict[int, list[Any]] = field(default_factory=dict)  # year -> further reports of the same year

    @property
    def page(self) -> str:
        return page_name("body", self.key)


def page_name(kind: str, key: str) -> str:
    """A file name for a body or region page: stable across runs and safe on every file system."""
    return f"{kind}-{hashlib.sha1(key.encode()).hexdigest()[:12]}.html"


def body_key(report: Report) -> str:
    body = report.report.body
    return body.id or fold(body.name or report.report.agency) or ""


def _first_path(row: Any) -> tuple[str, str]:
    docs = sorted((d.path, d.member or "") for d in row.documents)
    return docs[0] if docs else ("", "")


def group_bodies(rows: Iterable[Any]) -> dict[str, BodyYears]:
    """Bodies by key, from the reports (site.ReportRow) that have a body and a year."""
    bodies: dict[str, BodyYears] = {}
    for row in sorted(rows, key=lambda r: (_first_path(r), str(r.id))):
        report: Report = row.report
        key, year = body_key(report), report.report.year
        if not key or year is None:
            continue
        body = report.report.body
        group = bodies.setdefault(key, BodyYears(key, body.name or report.report.agency or key,
                                                 list(body.region or []), body.region_code))
        if year in group.years:
            group.others.setdefault(year, []).append(row)
        else:
            group.years[year] = row
    return bodies


def _series_chart(title: str, years: list[int], series: list[Series], percent: bool, key: str) -> str:
    return line_chart(title, years, series, show_percent if percent else show_value, key=key)


def _template_years(group: BodyYears) -> list[int]:
    """The years on the 2019/2021 template: the fields these charts and rows read exist only there (the
    years before are drawn through the break by bridge_section)."""
    return [y for y in sorted(group.years) if group.years[y].report.report.template != "legacy"]


def body_charts(group: BodyYears) -> str:
    years = _template_years(group)
    if not years:
        return ""
    reports = [group.years[y].report for y in years]

    def values(key: str) -> list[float | None]:
        return [SERIES[key].read(r) for r in reports]

    charts = [
        _series_chart("新收申请", years, [Series("新收申请", values(NEW_RECEIVED))], False, NEW_RECEIVED),
        _series_chart("公开率", years, [Series("公开率", values("disclosure_rate"))], True, "disclosure_rate"),
        _series_chart("行政复议与行政诉讼", years,
                      [Series("行政复议", values("review")), Series("行政诉讼", values("litigation"))], False,
                      "review_litigation"),
    ]
    return f'<div class="charts">{"".join(charts)}</div>'


def _templates(group: BodyYears) -> dict[int, str]:
    return {y: row.report.report.template for y, row in sorted(group.years.items())}


def bridge_values(group: BodyYears) -> dict[str, list[float | None]]:
    """Series id -> its value per year (sorted), read from the legacy table or the template's tables alike."""
    years = sorted(group.years)
    return {s.id: [s.value(group.years[y].report.report.template, values_of(group.years[y].report)) for y in years]
            for s in bridge_series()}


def bridge_section(group: BodyYears, report_href: Callable[[Any], str]) -> str:
    """For a body with pre-2019 years: each series of series.tsv on one time line over all its years, drawn
    through the 2019 break and the break marked, and the values per year in a table under them."""
    templates = _templates(group)
    if LEGACY not in templates.values():
        return ""
    years = list(templates)
    first_on_template = break_year(templates)
    values = bridge_values(group)
    charts = _bridge_charts(years, first_on_template, values)
    head = "".join(f'<th{_break_attrs(y, first_on_template)}><a href="{e(report_href(group.years[y]))}">{y}</a></th>'
                   for y in years)
    kinds = "".join(f'<td data-year="{y}"{_break_attrs(y, first_on_template)}>{e(t)}</td>' for y, t in templates.items())
    rows = [f'<tr data-series="template"><th>模板</th>{kinds}</tr>']
    for s in bridge_series():
        cells = "".join(_year_cell(v, y, False, marked=y == first_on_template)
                        for y, v in zip(years, values[s.id], strict=True))
        fields = f"2019年前 {s.legacy}；2019年起 {' + '.join(s.template)}"
        rows.append(f'<tr class="key" data-series="{e(s.id)}"><th title="{e(fields)}">{e(s.label)}</th>{cells}</tr>')
    return (f'<h2>2008年以来走势（跨 2019 年模板更替）</h2><div class="charts timeline">{charts}</div>'
            f'<table class="years" id="bridge"><thead><tr><th>项目</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _bridge_charts(years: list[int], first_on_template: int | None, values: dict[str, list[float | None]],
                   suffix: str = "") -> str:
    """One wide time line per series of series.tsv (values: series id -> its value per year), the break marked."""
    marker = Marker(first_on_template, BREAK_LABEL) if first_on_template is not None else None
    width = max(300, 80 + YEAR_WIDTH * len(years))
    return "".join(line_chart(s.label + suffix, years, [Series(s.label, values[s.id])], show_value,
                              key=f"bridge-{s.id}", width=width, marker=marker) for s in bridge_series())


def _break_attrs(year: int, first_on_template: int | None) -> str:
    return f' class="break" title="{e(BREAK_LABEL)}"' if year == first_on_template else ""


def _label(field_id: str) -> str:
    spec = all_fields()[field_id]
    return f"{spec.row_label} · {spec.column_label}"


def body_table(group: BodyYears, report_href: Callable[[Any], str]) -> str:
    """Every field any of the body's years holds, one column per year; key series first."""
    years = sorted(group.years)
    reports = {y: group.years[y].report for y in years}
    head = "".join(f'<th><a href="{e(report_href(group.years[y]))}">{y}</a></th>' for y in years)
    out = [f'<table class="years" id="years"><thead><tr><th>项目</th>{head}</tr></thead><tbody>']
    on_template = set(_template_years(group))
    for s in KEY_SERIES:
        cells = "".join(_year_cell(s.read(reports[y]), y, s.percent, y in on_template) for y in years)
        out.append(f'<tr class="key" data-series="{e(s.key)}"><th>{e(s.label)}</th>{cells}</tr>')
    values = {y: values_of(r) for y, r in reports.items()}
    held = [f for f in all_fields() if any(f in values[y] for y in years) and not f.endswith("_unit")]
    for f in held:
        cells = "".join(_year_cell(values[y].get(f), y, False, f in values[y]) for y in years)
        out.append(f'<tr data-field="{e(f)}"><th title="{e(f)}">{e(_label(f))}</th>{cells}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _year_cell(value: Any, year: int, percent: bool, held: bool = True, marked: bool = False) -> str:
    if not held:
        return f'<td class="v na" data-year="{year}" title="本年模板无此项"></td>'
    text = show_percent(value) if percent and value is not None else show_value(value)
    cls = ("v null" if value is None else "v") + (" break" if marked else "")
    exact = "" if value is None else f' data-value="{e(repr(value))}"'
    return f'<td class="{cls}" data-year="{year}"{exact}>{e(text)}</td>'


def body_page(group: BodyYears, report_href: Callable[[Any], str], region_href: str | None,
              findings: str = "") -> str:
    """A body's page: its years side by side, charts, and the audit's findings per year (HTML given)."""
    years = sorted(group.years)
    others = "".join(f"<li>{y} 年另有 {len(rows)} 份报告：" + "、".join(
        f'<a href="{e(report_href(r))}">{e(_first_path(r)[0].rsplit("/", 1)[-1])}</a>' for r in rows) + "</li>"
        for y, rows in sorted(group.others.items()))
    region = "/".join(group.region) or "未定位"
    region_html = f'<a href="{e(region_href)}">{e(region)}</a>' if region_href else e(region)
    return page_template("body.html").substitute(
        title=e(group.name), key=e(group.key), region=region_html, region_code=e(group.region_code or "—"),
        years=e("、".join(str(y) for y in years)), n_years=len(years), charts=body_charts(group),
        bridge=bridge_section(group, report_href),
        table=body_table(group, report_href), findings=findings or '<p class="ok">无发现。</p>', others=f'<ul class="others">{others}</ul>' if others else "")


# ---- regions
@dataclass
class RegionYears:
    path: tuple[str, ...]
    code: str | None
    bodies: list[BodyYears] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "/".join(self.path)

    @property
    def page(self) -> str:
        return page_name("region", self.name)


def group_regions(bodies: Iterable[BodyYears]) -> dict[tuple[str, ...], RegionYears]:
    """Every region a body sits in, at each level (province, city, county, township), with its bodies."""
    regions: dict[tuple[str, ...], RegionYears] = {}
    for body in bodies:
        for depth in range(1, len(body.region) + 1):
            path = tuple(body.region[:depth])
            region = regions.setdefault(path, RegionYears(path, None))
            region.bodies.append(body)
            if depth == len(body.region) and body.region_code:
                region.code = body.region_code
    return dict(sorted(regions.items()))


def region_sums(region: RegionYears) -> dict[int, dict[str, Any]]:
    """Per year on the 2019/2021 template: how many bodies reported, and each key count summed over the bodies
    that give it (with how many did); the disclosure rate recomputed from the summed terms of the bodies that
    give all of them."""
    out: dict[int, dict[str, Any]] = {}
    for body in region.bodies:
        for year, row in body.years.items():
            if row.report.report.template == LEGACY:  # no template fields: region_bridge sums those years
                continue
            sums = out.setdefault(year, {"bodies": 0, "granted": 0, "granted_of": 0, "results": 0})
            sums["bodies"] += 1
            for s in KEY_SERIES:
                if s.percent:
                    continue
                value = s.read(row.report)
                if value is not None:
                    sums[s.key] = sums.get(s.key, 0) + value
                    sums[f"{s.key}_n"] = sums.get(f"{s.key}_n", 0) + 1
            values = values_of(row.report)
            granted, partly, results = (values.get(f"applications.granted.{TOTAL}"),
                                        values.get(f"applications.partially_granted.{TOTAL}"),
                                        values.get(f"applications.{RESULTS_TOTAL}.{TOTAL}"))
            if granted is not None and partly is not None and results is not None:
                sums["granted"] += granted + partly
                sums["results"] += results
                sums["granted_of"] += 1
    for sums in out.values():
        sums["disclosure_rate"] = sums["granted"] / sums["results"] if sums["results"] else None
    return dict(sorted(out.items()))


def region_bridge(region: RegionYears) -> str:
    """For a region with pre-2019 years: each series of series.tsv summed over its bodies, every year from the
    first, drawn through the 2019 break (marked) like a body's, with how many bodies give each sum."""
    per_year: dict[int, set[str]] = {}
    sums: dict[str, dict[int, float]] = {s.id: {} for s in bridge_series()}
    counts: dict[str, dict[int, int]] = {s.id: {} for s in bridge_series()}
    for body in region.bodies:
        years = sorted(body.years)
        for year in years:
            per_year.setdefault(year, set()).add(body.years[year].report.report.template)
        for series_id, values in bridge_values(body).items():
            for year, value in zip(years, values, strict=True):
                if value is not None:
                    sums[series_id][year] = sums[series_id].get(year, 0) + value
                    counts[series_id][year] = counts[series_id].get(year, 0) + 1
    templates = {y: LEGACY if kinds == {LEGACY} else "template" for y, kinds in sorted(per_year.items())}
    if LEGACY not in templates.values():
        return ""
    years = list(templates)
    first_on_template = break_year(templates)
    charts = _bridge_charts(years, first_on_template, {k: [v.get(y) for y in years] for k, v in sums.items()},
                            "（合计）")
    head = "".join(f"<th{_break_attrs(y, first_on_template)}>{y}</th>" for y in years)
    rows = []
    for s in bridge_series():
        cells = []
        for y in years:
            value = sums[s.id].get(y)
            exact = "" if value is None else f' data-value="{e(repr(value))}"'
            cls = ("v" if value is not None else "v null") + (" break" if y == first_on_template else "")
            note = f"{counts[s.id].get(y, 0)}/{sum(y in b.years for b in region.bodies)} 个主体有此数"
            cells.append(f'<td class="{cls}" data-year="{y}"{exact} title="{e(note)}">{e(show_value(value))}</td>')
        rows.append(f'<tr class="key" data-series="{e(s.id)}"><th>{e(s.label)}</th>{"".join(cells)}</tr>')
    return (f'<h2>2008年以来走势（跨 2019 年模板更替，合计）</h2><div class="charts timeline">{charts}</div>'
            f'<table class="years" id="bridge"><thead><tr><th>合计</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def region_page(region: RegionYears, child_regions: list[RegionYears], body_href: Callable[[BodyYears], str],
                region_href: Callable[[RegionYears], str], parents: list[RegionYears] | None = None) -> str:
    sums = region_sums(region)
    years = list(sums)
    head = "".join(f"<th>{y}</th>" for y in years)
    rows = ['<tr data-series="bodies"><th>报告主体数</th>'
            + "".join(f'<td class="v" data-year="{y}" data-value="{s["bodies"]}">{s["bodies"]}</td>'
                      for y, s in sums.items()) + "</tr>"]
    for series in KEY_SERIES:
        cells = []
        for y, s in sums.items():
            value = s.get(series.key)
            if series.percent:
                text, note = show_percent(value), f'{s["granted_of"]}/{s["bodies"]} 个主体'
            else:
                text, note = show_value(value), f'{s.get(series.key + "_n", 0)}/{s["bodies"]} 个主体'
            exact = "" if value is None else f' data-value="{e(repr(value))}"'
            cells.append(f'<td class="{"v" if value is not None else "v null"}" data-year="{y}"{exact} '
                         f'title="{e(note)}有此数">{e(text)}</td>')
        rows.append(f'<tr data-series="{e(series.key)}"><th>{e(series.label)}</th>{"".join(cells)}</tr>')
    table = f'<table class="years" id="sums"><thead><tr><th>合计</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    charts = "".join([
        line_chart("新收申请（合计）", years, [Series("新收申请", [sums[y].get(NEW_RECEIVED) for y in years])],
                   show_value, key=NEW_RECEIVED),
        line_chart("公开率（合计）", years, [Series("公开率", [sums[y]["disclosure_rate"] for y in years])],
                   show_percent, key="disclosure_rate"),
        line_chart("行政复议与行政诉讼（合计）", years,
                   [Series("行政复议", [sums[y].get("review") for y in years]),
                    Series("行政诉讼", [sums[y].get("litigation") for y in years])], show_value,
                   key="review_litigation"),
    ])
    bodies = "".join(
        f'<tr><td><a href="{e(body_href(b))}">{e(b.name)}</a></td><td>{e("/".join(b.region))}</td>'
        + "".join(f'<td class="v">{e(show_value(SERIES[NEW_RECEIVED].read(b.years[y].report)) if y in b.years else "")}</td>'
                  for y in years) + "</tr>"
        for b in sorted(region.bodies, key=lambda b: (b.region, b.name)))
    children = "".join(f'<li><a href="{e(region_href(c))}">{e(c.path[-1])}</a>（{len(c.bodies)} 个主体）</li>'
                       for c in child_regions)
    return page_template("region.html").substitute(
        title=e(region.name), code=e(region.code or "—"), n_bodies=len(region.bodies), table=table,
        bridge=region_bridge(region),
        charts=f'<div class="charts">{charts}</div>',
        bodies=f'<table class="years" id="bodies"><thead><tr><th>报告主体</th><th>地区</th>{head}</tr></thead>'
               f"<tbody>{bodies}</tbody></table>",
        children=f'<h2>下辖地区</h2><ul class="children">{children}</ul>' if children else "",
        parents="".join(f' › <a href="{e(region_href(p))}">{e(p.path[-1])}</a>' for p in parents or []))
