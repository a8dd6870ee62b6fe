"""Small inline SVG line charts of a series over years (no library, no network: the page works from file://).

Every point carries its year and exact value (data-year, data-value, and a <title> shown on hover), so a
reader, or a test, can check a chart against the table beside it. A null value is a gap, never 0. A marker
(a dashed vertical line with its label) can stand between two years, where what the series counts changed.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 300, 150
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 44, 24
COLOURS = ("#1a56c4", "#c2410c", "#15803d", "#7c3aed")

e = html.escape


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per year, None where unknown


@dataclass(frozen=True)
class Marker:
    """A vertical line just before `year` (one of the chart's years, not its first), labelled."""

    year: int
    label: str


def _segments(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive known points (a null year breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for p in points:
        if p is None:
            runs.append([])
        else:
            runs[-1].append(p)
    return [r for r in runs if r]


def _marker(marker: Marker, x: float, plot_bottom: float) -> str:
    return (f'<g class="marker" data-before="{marker.year}"><line x1="{x:.1f}" y1="{TOP - 22}" x2="{x:.1f}" '
            f'y2="{plot_bottom:.1f}" stroke="#6b7280" stroke-width="1" stroke-dasharray="4 3"/>'
            f'<text class="mk" x="{x + 3:.1f}" y="{TOP - 18}">{e(marker.label)}</text></g>')  # above the values' labels


def line_chart(title: str, years: Sequence[int], series: Sequence[Series],
               fmt: Callable[[float], str], key: str = "", width: int = WIDTH,
               marker: Marker | None = None) -> str:
    """An SVG chart: one line per series over `years`, the axis from 0 to the largest value, and the marker
    (when given and its year is one of `years` but the first) halfway between its year and the one before."""
    known = [v for s in series for v in s.values if v is not None]
    top = max(known, default=0) or 1
    plot_w, plot_h = width - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(years) - 1) if len(years) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    out = [f'<svg class="chart" data-chart="{e(key)}" xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{e(title)}">',
           f'<text class="ct" x="{LEFT}" y="14">{e(title)}</text>',
           f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{width - RIGHT}" y2="{TOP + plot_h}"/>',
           f'<text class="tick" x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end">{e(fmt(top) if known else "")}</text>',
           f'<text class="tick" x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end">0</text>']
    for i, year in enumerate(years):
        out.append(f'<text class="tick" x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle">{year}</text>')
    if marker is not None and marker.year in years[1:]:
        at = list(years).index(marker.year)
        out.append(_marker(marker, (x(at - 1) + x(at)) / 2, TOP + plot_h))
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = [None if v is None else (x(i), y(v)) for i, v in enumerate(s.values)]
        for run in _segments(points):
            if len(run) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for year, v, p in zip(years, s.values, points, strict=True):
            if p is None or v is None:
                continue
            out.append(f'<circle class="pt" cx="{p[0]:.1f}" cy="{p[1]:.1f}" r="3" fill="{colour}" '
                       f'data-series="{e(s.name)}" data-year="{year}" data-value="{v!r}">'
                       f"<title>{e(s.name)} {year}: {e(fmt(v))}</title></circle>")
            out.append(f'<text class="val" x="{p[0]:.1f}" y="{p[1] - 6:.1f}" text-anchor="middle" '
                       f'style="fill:{colour}">{e(fmt(v))}</text>')
    if len(series) > 1:
        for n, s in enumerate(series):
            out.append(f'<text class="lg" x="{LEFT + 90 * n}" y="30" style="fill:{COLOURS[n % len(COLOURS)]}">'
                       f"● {e(s.name)}</text>")
    out.append("</svg>")
    return "".join(out)
