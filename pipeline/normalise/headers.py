"""The template's header trees, and laying out header cells that lost their grid positions.

A header row of an HTML or Word table lists its cells left to right, skipping the columns that a
cell above still covers. Text that puts every cell on its own line (crawlers, some converters)
keeps that document order but loses the spans: `自然人`, `法人或其他组织`, `总计`, then `商业企业`,
`科研机构`, … Knowing the tree (which leaf columns sit under which spanning cell, from labels.tsv)
the spans can be given back and the table laid out again, exactly as a browser would: the cells of
each header row fill, left to right, the column ranges the row above left open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.normalise.labels import LabelTable

SPAN_JOIN = "+"


@dataclass(frozen=True)
class Node:
    """A header cell of the template: a leaf column, a colgroup (over all columns) or a span."""

    kind: str  # column | colgroup | span
    key: str


@dataclass
class _Range:
    """Columns [start, end) that the row above left open, and the nodes that may fill them."""

    start: int
    end: int
    expect: list[Node]
    prefix: str = ""  # the colgroup the leaves below belong to (table 四)
    cursor: int = field(init=False)

    def __post_init__(self) -> None:
        self.cursor = self.start


class HeaderTree:
    """One scheme's header structure: its top nodes, each node's children and width."""

    def __init__(self, scheme: str, table: LabelTable):
        self.columns = list(dict.fromkeys(lab.key for lab in table.labels
                                          if lab.kind == "column" and lab.scheme == scheme))
        self.groups = list(dict.fromkeys(lab.key for lab in table.labels
                                         if lab.kind == "colgroup" and lab.scheme == scheme))
        self.spans = list(dict.fromkeys(lab.key for lab in table.labels
                                        if lab.kind == "span" and lab.scheme == scheme))
        below = {child for span in self.spans for child in span.split(SPAN_JOIN)}
        tops = [Node("colgroup", g) for g in self.groups] if self.groups else [Node("column", c) for c in self.columns]
        tops += [Node("span", s) for s in self.spans]
        self.top = [n for n in tops if n.key not in below]
        self.top.sort(key=self._first_leaf)

    @property
    def has_structure(self) -> bool:
        """Whether the scheme's header has more than one level (else positions need no tree)."""
        return bool(self.groups or self.spans)

    def children(self, node: Node) -> list[Node]:
        if node.kind == "colgroup":
            return [Node("column", c) for c in self.columns]
        if node.kind == "span":
            return [Node("colgroup" if k in self.groups else "column", k) for k in node.key.split(SPAN_JOIN)]
        return []

    def width(self, node: Node) -> int:
        kids = self.children(node)
        return sum(self.width(k) for k in kids) if kids else 1

    def _first_leaf(self, node: Node) -> int:
        """Template order of a node: where its first leaf stands among the columns or groups."""
        kids = self.children(node)
        if node.kind == "colgroup" or (kids and kids[0].kind == "colgroup"):
            first = node.key if node.kind == "colgroup" else kids[0].key
            return self.groups.index(first) * len(self.columns)
        first = kids[0].key if kids else node.key
        return self.columns.index(first) if first in self.columns else len(self.columns)

    def _by_rows(self, cells: list[tuple[Node, int]]) -> list[Node] | None:
        """The cells cut into header rows by their widths (a row fills what the row above left
        open), each row ordered by the column the text gave its cells (stable: document order when
        the text gave none that differ). None when the cells do not fill whole rows."""
        ordered: list[Node] = []
        width = sum(self.width(n) for n in self.top)
        i = 0
        while i < len(cells) and width > 0:
            row: list[tuple[Node, int]] = []
            used = 0
            while i < len(cells) and used < width:
                row.append(cells[i])
                used += self.width(cells[i][0])
                i += 1
            if used != width:
                return None
            ordered += [node for node, _ in sorted(row, key=lambda cell: cell[1])]
            width = sum(self.width(node) for node, _ in row if node.kind != "column")
        return ordered if i == len(cells) else None

    def lay_out(self, cells: list[tuple[Node, int]]) -> list[str] | None:
        """The leaf columns left to right (`col` or `group.col`), from header cells in document order
        with the column each was found at.

        None when the cells do not make up exactly one whole header of this tree.
        """
        nodes = self._by_rows(cells)
        if nodes is None:
            return None
        total = sum(self.width(n) for n in self.top)
        level = [_Range(0, total, list(self.top))]
        below: list[_Range] = []
        leaves: dict[int, str] = {}
        index = 0
        for node in nodes:
            while index < len(level) and level[index].cursor >= level[index].end:
                index += 1
            if index >= len(level):  # this header row is full: the next row fills what it left open
                level, below, index = sorted(below, key=lambda r: r.start), [], 0
                if not level:
                    return None
            opening = level[index]
            if node not in opening.expect:
                return None
            opening.expect.remove(node)
            width = self.width(node)
            if opening.cursor + width > opening.end:
                return None
            if node.kind == "column":
                leaves[opening.cursor] = f"{opening.prefix}.{node.key}" if opening.prefix else node.key
            else:
                prefix = node.key if node.kind == "colgroup" else opening.prefix
                below.append(_Range(opening.cursor, opening.cursor + width, self.children(node), prefix))
            opening.cursor += width
        if len(leaves) != total:
            return None
        return [leaves[c] for c in range(total)]
