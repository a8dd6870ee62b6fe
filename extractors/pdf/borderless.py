"""Tables without ruling lines, rebuilt from where the words stand.

Used on pages that name template labels but have no ruled table. Words are cut where the gap is
wider than an em; a table region is a run of lines with several words or numbers. Its columns:
label sub-columns (where label words start) and value columns (where numbers stand). Its rows:
one per line of numbers (the anchor), plus rows for header lines and for labels with no numbers
(blank cells). Label lines wrapped around a centred row of numbers join that row; tall group
labels ("三、本年度办理结果", "（三）不予公开") span the rows they cover. The result is a Piece with
box-tiling cells, so stitching across pages and grid building are shared with ruled tables. The gaps
that decide words, tables, columns and rows are PdfSettings' (word_gap_em, region_gap_em...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from extractors.cells import looks_numeric
from extractors.pdf.stages import BorderlessRegion
from extractors.pdf.tables import PCell, Piece, cluster
from extractors.pdf.text import Line, group_lines, is_heading, line_text

if TYPE_CHECKING:
    from extractors.pdf.settings import PdfSettings

# a label that starts a row of its own: "3.", "2、", "（四）", "四、"
_NUMBERED = re.compile(r"^(?:\d{1,2}\s*[.、．]|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)")


class _Centred:
    """Centre coordinates of anything with x0, top, x1 and bottom (fields or properties)."""

    if TYPE_CHECKING:  # provided by the subclass, as dataclass fields or properties

        @property
        def x0(self) -> float: ...
        @property
        def x1(self) -> float: ...
        @property
        def top(self) -> float: ...
        @property
        def bottom(self) -> float: ...

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Seg(_Centred):
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    size: float
    kind: str = ""  # num, label, head


@dataclass
class Block(_Centred):
    segs: list[Seg] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return min(s.x0 for s in self.segs)

    @property
    def x1(self) -> float:
        return max(s.x1 for s in self.segs)

    @property
    def top(self) -> float:
        return min(s.top for s in self.segs)

    @property
    def bottom(self) -> float:
        return max(s.bottom for s in self.segs)

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.segs)


def _segments(line: Line, gap_em: float) -> list[Seg]:
    """A line cut into words (cells) where the gap is wider than `gap_em`."""
    runs: list[list[dict]] = [[line.chars[0]]]
    for prev, ch in zip(line.chars, line.chars[1:], strict=False):
        if ch["x0"] - prev["x1"] > gap_em * max(ch["size"], 1.0):
            runs.append([])
        runs[-1].append(ch)
    out = []
    for run in runs:
        text = line_text(run)
        if text:
            out.append(Seg(min(c["x0"] for c in run), min(c["top"] for c in run), max(c["x1"] for c in run),
                           max(c["bottom"] for c in run), text, line.size))
    return out


def _visual_lines(segs: list[Seg]) -> list[list[Seg]]:
    rows: list[list[Seg]] = []
    for s in sorted(segs, key=lambda s: s.cy):
        if rows and abs(s.cy - rows[-1][0].cy) <= 0.5 * s.size:
            rows[-1].append(s)
        else:
            rows.append([s])
    return [sorted(r, key=lambda s: s.x0) for r in rows]


def _regions(vlines: list[list[Seg]], width: float, settings: PdfSettings) -> list[list[list[Seg]]]:
    """Runs of tabular lines (several words, or a number right of the middle), with close neighbours."""
    def tabular(vl: list[Seg]) -> bool:
        return len(vl) >= 2 or any(looks_numeric(s.text) and s.x0 > settings.number_column_ratio * width for s in vl)

    def close(a: list[Seg], b: list[Seg]) -> bool:
        return _close(a, b, settings.region_gap_em)

    regions: list[list[list[Seg]]] = []
    i = 0
    while i < len(vlines):
        if not tabular(vlines[i]):
            i += 1
            continue
        start = i
        # a centred caption or header line just above belongs to the table
        while start > 0 and not tabular(vlines[start - 1]) and close(vlines[start - 1], vlines[start]) \
                and not is_heading(vlines[start - 1][0].text) and vlines[start - 1][0].x0 > 0.2 * width:
            start -= 1
        end = i
        j = i + 1
        while j < len(vlines):
            if is_heading(vlines[j][0].text) and len(vlines[j]) == 1:
                break
            if not close(vlines[j - 1], vlines[j]):
                break
            if tabular(vlines[j]):
                end = j
            elif j - end > 4:
                break
            j += 1
        # wrapped label lines hanging under the last row of numbers
        while end + 1 < len(vlines) and not is_heading(vlines[end + 1][0].text) and (
                min(s.top for s in vlines[end + 1]) - max(s.bottom for s in vlines[end]) < 0.8 * vlines[end][0].size):
            end += 1
        region = vlines[start:end + 1]
        if sum(1 for vl in region if tabular(vl)) >= 2:
            regions.append(region)
        i = end + 1
    return regions


def _close(a: list[Seg], b: list[Seg], gap_em: float) -> bool:
    size = max(s.size for s in a + b)
    return min(s.top for s in b) - max(s.bottom for s in a) < gap_em * size


def borderless_pieces(chars: list[dict], page: int, width: float, settings: PdfSettings,
                      rec: list[BorderlessRegion] | None = None) -> list[Piece]:
    """Tables rebuilt from word positions on a page without ruling lines; `rec` keeps each one's stages."""
    lines = group_lines(chars, page, settings.column_gap_em)
    segs = [s for ln in lines for s in _segments(ln, settings.word_gap_em)]
    pieces = []
    for region in _regions(_visual_lines(segs), width, settings):
        piece = _build([s for vl in region for s in vl], page, settings, rec)
        if piece is not None:
            pieces.append(piece)
    return pieces


def _build(segs: list[Seg], page: int, settings: PdfSettings, rec: list[BorderlessRegion] | None) -> Piece | None:
    size = max(sorted(s.size for s in segs)[len(segs) // 2], 1.0)
    nums = [s for s in segs if looks_numeric(s.text)]
    if len(nums) < 2:
        return None
    # value columns: union of number extents
    pad = settings.value_pad_em * size
    spans = sorted((s.x0 - pad, s.x1 + pad) for s in nums)
    intervals: list[list[float]] = []
    for start, end in spans:
        if intervals and start <= intervals[-1][1]:
            intervals[-1][1] = max(intervals[-1][1], end)
        else:
            intervals.append([start, end])
    value_left = intervals[0][0]
    for s in segs:
        if s in nums:
            s.kind = "num"
        elif s.x1 <= value_left + 0.5 * size:
            s.kind = "label"
        else:
            s.kind = "head"
    first_anchor_top = min(s.top for s in nums)
    labels_in_data = [s for s in segs if s.kind == "label" and s.bottom >= first_anchor_top - 0.5 * size]
    starts = cluster([s.x0 for s in labels_in_data], tol=settings.label_column_em * size) if labels_in_data else []
    starts = [x for x in starts if x < value_left - size]
    if not starts and any(s.kind == "label" for s in segs):
        starts = [min(s.x0 for s in segs)]
    xedges = starts + [value_left]
    centres = [(a + b) / 2 for a, b in intervals]
    for left, right in zip(centres, centres[1:], strict=False):
        xedges.append((left + right) / 2)
    xedges.append(max(max(s.x1 for s in segs), intervals[-1][1]) + 1)
    n_label = len(starts)

    def col_of(x: float) -> int:
        return max(0, min(len(xedges) - 2, sum(1 for e in xedges[1:-1] if e <= x)))

    # anchors: rows of numbers
    anchors = [sum(s.cy for s in group) / len(group) for group in _visual_lines(nums)]
    # blocks: label and header words stacked in one cell
    blocks = _stack([s for s in segs if s.kind != "num"], size)
    label_cols = xedges[n_label - 1] if n_label else value_left  # start of the last label sub-column

    def row_label(b: Block) -> bool:
        return b.segs[0].kind == "label" and (b.x0 >= label_cols - size or b.x1 > label_cols + size)

    def within(b: Block) -> list[float]:
        return [a for a in anchors if b.top - 0.3 * size <= a <= b.bottom + 0.3 * size]

    for b in sorted(blocks, key=lambda b: b.cy):
        near = min((abs(b.cy - a) for a in anchors), default=1e9)
        wants_row = row_label(b) or b.segs[0].kind == "head" or b.top < first_anchor_top - 0.5 * size
        if wants_row and near > 0.8 * size and not (row_label(b) and within(b)):
            anchors.append(b.cy if b.top >= first_anchor_top - 0.5 * size else b.top + size / 2)
            anchors.sort()
    anchors = cluster(anchors, tol=settings.row_merge_em * size)
    yedges = [min(s.top for s in segs) - 1]
    for upper, lower in zip(anchors, anchors[1:], strict=False):
        yedges.append((upper + lower) / 2)
    yedges.append(max(s.bottom for s in segs) + 1)

    def row_of(y: float) -> int:
        return min(range(len(anchors)), key=lambda i: abs(anchors[i] - y))

    grid: dict[tuple[int, int], list] = {}  # (row, col) -> [text, rowspan, colspan]
    for s in nums:
        grid[(row_of(s.cy), col_of(s.cx))] = [s.text, 1, 1]
    for b in blocks:
        if row_label(b) or b.segs[0].kind == "head":
            inside = within(b)
            r0 = r1 = row_of(min(inside, key=lambda a: abs(a - b.cy)) if inside else b.cy)
        else:  # a group label: every row whose anchor it covers
            over = [i for i, a in enumerate(anchors) if b.top - 0.6 * size <= a <= b.bottom + 0.6 * size]
            r0, r1 = (over[0], over[-1]) if over else (row_of(b.cy),) * 2
        if b.segs[0].kind == "label":
            c0 = col_of(b.x0 + 0.1)
            c1 = c0
        else:
            spanned = [k for k in range(len(xedges) - 1) if b.x0 <= (xedges[k] + xedges[k + 1]) / 2 <= b.x1]
            c0, c1 = (spanned[0], spanned[-1]) if spanned else (col_of(b.cx),) * 2
        key = (r0, c0)
        if key in grid:
            grid[key][0] += "\n" + b.text
        else:
            grid[key] = [b.text, r1 - r0 + 1, c1 - c0 + 1]
    # a row label fills the empty label sub-columns to its right
    covered: set[tuple[int, int]] = set()
    for (r, c), (_, rs, cs) in grid.items():
        for dr in range(rs):
            for dc in range(cs):
                covered.add((r + dr, c + dc))
    for (r, c), cell in sorted(grid.items()):
        if c < n_label and cell[1] == 1:
            k = c + cell[2]
            while k < n_label and (r, k) not in covered:
                covered.add((r, k))
                cell[2] += 1
                k += 1
    cells = []
    for (r, c), (text, rs, cs) in sorted(grid.items()):
        rs = max(1, min(rs, len(anchors) - r))
        cs = max(1, min(cs, len(xedges) - 1 - c))
        cells.append(PCell(xedges[c], yedges[r], xedges[c + cs], yedges[r + rs], page, text=text))
    bbox = (xedges[0], yedges[0], xedges[-1], yedges[-1])
    if rec is not None:
        words = [((s.x0, s.top, s.x1, s.bottom), s.text, s.kind) for s in segs]
        rec.append(BorderlessRegion(words=words, columns=list(xedges), rows=list(yedges), anchors=list(anchors)))
    return Piece(page=page, bbox=bbox, cells=cells, borderless=True)


def _stack(segs: list[Seg], size: float) -> list[Block]:
    """Words stacked in one cell: label lines wrapped at the cell width, header words one under another."""
    blocks: list[Block] = []
    for s in sorted(segs, key=lambda s: (s.top, s.x0)):
        for b in reversed(blocks):
            last = b.segs[-1]
            if last.kind != s.kind:
                continue
            gap = s.top - last.bottom
            if s.kind == "label":
                same = (abs(s.x0 - last.x0) <= 0.6 * size and -0.2 * size <= gap < 1.0 * size
                        and not _NUMBERED.match(s.text))
            else:
                same = (abs(s.cx - last.cx) <= 0.6 * size and abs((s.x1 - s.x0) - (last.x1 - last.x0)) <= 1.2 * size
                        and -0.2 * size <= gap < 1.6 * size)
            if same:
                b.segs.append(s)
                break
        else:
            blocks.append(Block([s]))
    return blocks
