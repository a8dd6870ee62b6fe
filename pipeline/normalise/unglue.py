"""Tables whose cells ran together: crawler `get_text()` output of a report page.

A crawler that joins a page's text without separators turns table 三's row into
`一、本年新收政府信息公开申请数量801000081` (80, 1, 0, 0, 0, 0, 81) and table 四 into fifteen
digits in a row. The digits can only be cut back into cells with the template's knowledge: how many
columns the row has and the template's own arithmetic (checks.py). A run is cut only when exactly one
way of cutting it passes those rules; otherwise its values stay null, with an issue, never a guess.

A crawler that joins the text nodes with a space instead (`规范性文件 6 4 11`) left the cells apart:
a run of exactly as many space-separated numbers as the row has cells is those cells, when most rows
of the text are written so (the spaces are separators, even where a report's own sums fail) or when
they hold the row's sums. Spaces that fall inside numbers (`200 000121` for 20, 0, 0, 0, 0, 1, 21)
make a different count, or cells that fail the sums, and the run is cut as if glued. A unit written after a
number (`2笔 984361元`) stays with its cell and is parsed off like in any other cell.

The result is an ordinary Table (label cell, value cells) put where the text was, so the table reader
treats it like any other table.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from pipeline.fields import all_fields
from pipeline.intermediate import Cell, Document, Paragraph, Table
from pipeline.normalise.checks import ROW_SUM_RUNS, run_checks
from pipeline.normalise.labels import fold, labels
from pipeline.normalise.template import RESULTS_TOTAL, REVIEW_GROUPS, REVIEW_PARTS

# A run of value characters between two labels: digits, spaces between them, a decimal point, a minus,
# and a unit written after a number (values.py parses it off the cell).
_UNIT = "万元|元|笔|件|个|项|条|次"
_RUN = re.compile(rf"-?\d(?:\d|\.(?=\d)|\s+(?=-?\d)|-(?=\d)|(?:{_UNIT})(?=\s*-?\d))*(?:{_UNIT})?")
_UNITS = re.compile(_UNIT)
_TOKEN = re.compile(rf"-?(?:0|[1-9]\d{{0,8}})(?:\.\d+)?(?:{_UNIT})?")  # one space-separated cell
_LIST_MARK = "．.、"  # `2.其他法律…`: a digit followed by one of these starts the next label
_QUICK = re.compile(r"[\u4e00-\u9fff）][\d\s]{6,}(?:[\u4e00-\u9fff（]|\s*$)")  # glued rows look like this
_COUNT = re.compile(r"0|[1-9]\d{0,8}")  # a count cell: table 三's cells are counts
_PIECE = re.compile(r"-?(?:0|[1-9]\d{0,8})(?:\.\d+)?")  # one cell: no leading zeros, ≤ 9 digits
MIN_ROWS = 3
HEADER_SPAN = 40  # characters within which a header's first three column labels fall  # fewer recognised rows than this is prose that happens to hold numbers
MAX_STEPS = 30_000  # search steps per run; a run needing more is left null
MAX_PIECE = 11  # characters in one cell: 9 digits, a minus, a decimal point (decimals: see _PIECE)
MAX_CANDIDATES = 40  # cuts per row kept for the joint solve of table 三
MAX_COMBINATIONS = 20000


@dataclass
class Issue:
    code: str
    message: str


@dataclass
class _Run:
    label: str  # the text between the previous run and this one
    digits: str  # the run, spaces and units removed
    start: int
    end: int
    tokens: list[str]  # the run's space-separated pieces, units kept
    unit: str  # the unit the run ends in, if any (given back to its last cell when cut as glued)


def unglue(doc: Document) -> tuple[Document, list[Issue]]:
    """The document with each run-together table paragraph cut into paragraph, table, paragraph."""
    blocks: list[Paragraph | Table] = []
    issues: list[Issue] = []
    changed = False
    for block in doc.blocks:
        found = _table_from(block.text, issues) if isinstance(block, Paragraph) and _QUICK.search(block.text) else None
        if found is None:
            blocks.append(block)
            continue
        table, start, end = found
        assert isinstance(block, Paragraph)  # only a paragraph is searched
        changed = True
        if block.text[:start].strip():
            blocks.append(Paragraph(text=block.text[:start], page=block.page))
        blocks.append(table)
        if block.text[end:].strip():
            blocks.append(Paragraph(text=block.text[end:], page=block.page))
    if not changed:
        return doc, issues
    return doc.model_copy(update={"blocks": blocks}), issues


def _runs(text: str) -> Iterator[_Run]:
    """Label/value-run pairs, with list numbers (`2.其他…`) handed to the label that follows."""
    label_start = 0
    for match in _RUN.finditer(text):
        start, end = match.start(), match.end()
        run = match.group()
        follows = text[end:end + 1]
        if follows and follows in _LIST_MARK and run[-1].isdigit():
            run, end = run[:-1], end - 1  # the run's last digit numbers the next label
        digits = _UNITS.sub("", re.sub(r"\s+", "", run))
        if not digits or digits == "-":
            continue
        unit = _UNITS.search(run[-2:])
        yield _Run(text[label_start:start], digits, start, end, run.split(), unit.group() if unit else "")
        label_start = end


@dataclass
class _Row:
    label: str
    table: str
    key: str | None
    fields: tuple[str, ...]
    cuts: list[list[str]]  # every cut that passes the row's own rules (capped)
    start: int
    end: int


def _table_from(text: str, issues: list[Issue]) -> tuple[Table, int, int] | None:
    """A table of the rows glued in `text`, and where they start and end; None if fewer than MIN_ROWS."""
    text = unicodedata.normalize("NFKC", text)
    begin = _header_start(text)
    if begin is None:
        return None
    template = _template_of(text[begin:])
    rows: list[_Row] = []
    runs: list[_Run] = []
    for run in _runs(text[begin:]):
        folded = fold(run.label)
        if _is_review_header(folded):
            table, key = "t4", None
        else:
            tail = folded[-60:]
            named = [lab for lab in (labels().best(tail, "row"), labels().best(tail, "group"))
                     if lab is not None and lab.key != "-" and _fields(lab.table, lab.key, template)]
            if named:
                table, key = named[0].table, named[0].key
            elif rows and rows[-1].table == "t3" and len(folded) <= 40:
                table, key = "t3", None  # a t3 row the label table names only within its group (3.其他)
            else:
                continue
        fields = _fields(table, key, template)
        if fields:
            rows.append(_Row(run.label.strip(), table, key, fields, [], begin + run.start - len(run.label),
                             begin + run.end))
            runs.append(run)
    spaced = _spaced_table(rows, runs)
    for row, run in zip(rows, runs, strict=True):
        row.cuts = _run_cuts(run, row.table, len(row.fields), spaced)
    while rows and not rows[-1].cuts:  # prose after the table
        rows.pop()
    if len(rows) < MIN_ROWS and not any(r.table == "t4" and r.cuts for r in rows):  # 四 alone: one row
        return None
    chosen = _resolve(rows)
    grid: list[list[tuple[str, int]]] = []  # rows of (text, colspan)
    for row, cut in zip(rows, chosen, strict=True):
        if cut is None:
            issues.append(Issue("run_together_ambiguous",
                                f"values after '{row.label[-30:]}' ran together and cannot be cut into "
                                f"{len(row.fields)} cells in exactly one way that the template's rules allow"))
        if row.table == "t4":
            grid += _review_header()
            grid.append([(v, 1) for v in cut or []])
        else:
            header = _header_words(row.label, row.table) if row.table == "t2" else []
            if header:  # `第二十条第（五）项信息内容本年处理决定数量行政许可`: a header row, then the row
                grid.append([("", 1), *((h, 1) for h in header)])
            grid.append([(row.label, 1), *((v, 1) for v in cut or [])])
    cells = []
    for r, line in enumerate(grid):
        col = 0
        for text_, span in line:
            cells.append(Cell(row=r, col=col, colspan=span, text=text_))
            col += span
    issues.append(Issue("run_together_cut", f"{len(rows)} table rows whose cells ran together were cut apart "
                                            "by the template's column counts and arithmetic"))
    built = Table(n_rows=len(grid), n_cols=max(c.col + c.colspan for c in cells), cells=cells)
    return built, max(0, rows[0].start), rows[-1].end


def _header_start(text: str) -> int | None:
    """Where the first table header begins: three column labels of one layout close together."""
    spots: list[tuple[int, str, str]] = []
    for lab in labels().of("column"):
        for match in re.finditer(re.escape(lab.variant), text):
            spots.append((match.start(), lab.scheme, lab.key))
    spots.sort()
    for i, (pos, scheme, _) in enumerate(spots):
        keys = {k for p, s, k in spots[i:i + 16] if s == scheme and p - pos <= HEADER_SPAN}
        if len(keys) >= 3:
            return pos
    return None


def _spaced_table(rows: list[_Row], runs: list[_Run]) -> bool:
    """Whether the text puts a space between cells: more of its multi-cell rows have exactly as many
    space-separated pieces as cells than have some other count (spaces inside numbers, or none)."""
    votes = [len(run.tokens) == len(row.fields) for row, run in zip(rows, runs, strict=True) if len(row.fields) > 1]
    return sum(votes) > len(votes) - sum(votes)


def _run_cuts(run: _Run, table: str, n: int, spaced_table: bool) -> list[list[str]]:
    """The cuts of one run: its space-separated cells when there are n of them and either the text
    puts spaces between cells or they hold the row's sums (a report's own sums may fail); else the
    cuts of its digits as if glued (the unit going back to the last cell); else, when no glued cut
    holds either, the spaced cells as written."""
    spaced = run.tokens if len(run.tokens) == n and all(_TOKEN.fullmatch(t) for t in run.tokens) else None
    if spaced is not None and (spaced_table or _holds_sums(spaced, table)):
        return [spaced]
    glued = _row_cuts(run.digits, table, n)
    if run.unit:
        glued = [[*cut[:-1], cut[-1] + run.unit] for cut in glued]
    return glued or ([spaced] if spaced is not None else [])


def _holds_sums(cells: list[str], table: str) -> bool:
    """Whether each run of cells that ends in a sum (table 三's seven, table 四's fives) adds up."""
    sums = ROW_SUM_RUNS.get(table, ())
    if sum(sums) != len(cells):
        return True  # table 二: no rule within a row
    numbers = [float(_UNITS.sub("", c)) for c in cells]
    start = 0
    for length in sums:
        part = numbers[start:start + length]
        if abs(sum(part[:-1]) - part[-1]) > 1e-6:
            return False
        start += length
    return True


def _row_cuts(digits: str, table: str, n: int) -> list[list[str]]:
    """The cuts of one run that hold the sums within its row (at most MAX_CANDIDATES + 1)."""
    if n == 1:
        return [[digits]] if _PIECE.fullmatch(digits) else []
    sums = ROW_SUM_RUNS.get(table, ())
    if sum(sums) != n:
        sums = ()  # table 二: no rule within a row, nor across rows; two cuts are already too many
    limit = MAX_CANDIDATES + 1 if sums else 2
    found = _cuts_ending_in_their_sum(digits, n) if sums == (n,) else _cuts(digits, n, sums)
    try:
        return list(itertools.islice(found, limit))
    except _TooMany:
        return []  # undecided: left null like a run with no cut


def _resolve(rows: list[_Row]) -> list[list[str] | None]:
    """One cut per row where exactly one is possible; table 三's rows with several are resolved together
    by its column rules (outcome rows sum to 总计; 一+二 = 三（七）+四) when one combination alone holds."""
    chosen: list[list[str] | None] = [r.cuts[0] if len(r.cuts) == 1 else None for r in rows]
    open_rows = [i for i, r in enumerate(rows) if r.table == "t3" and 1 < len(r.cuts) <= MAX_CANDIDATES]
    if not open_rows or any(r.table == "t3" and not r.cuts for r in rows):
        return chosen
    combos = 1
    for i in open_rows:
        combos *= len(rows[i].cuts)
    if combos > MAX_COMBINATIONS:
        return chosen
    fixed: dict[str, float] = {}
    for i, row in enumerate(rows):
        if row.table == "t3" and (cut := chosen[i]) is not None:
            fixed.update(_named(row, cut, i))
    passing = []
    for combo in itertools.product(*(rows[i].cuts for i in open_rows)):
        values = dict(fixed)
        for i, cut in zip(open_rows, combo, strict=True):
            values.update(_named(rows[i], cut, i))
        if all(check.ok for check in run_checks(values)):
            passing.append(combo)
            if len(passing) > 1:
                return chosen
    if len(passing) == 1:
        for i, cut in zip(open_rows, passing[0], strict=True):
            chosen[i] = cut
    return chosen


def _named(row: _Row, cut: list[str], index: int) -> dict[str, float]:
    """A t3 row's cut as field values; a row named only by its group gets a key of its own."""
    prefix = f"applications.{row.key or f'row{index}'}."
    return {prefix + f.rsplit(".", 1)[1]: float(p) for f, p in zip(row.fields, cut, strict=True)}


def _header_words(label: str, table: str) -> list[str]:
    """Column labels of `table` written in a row's label text, in their order (longest variant each)."""
    folded = fold(label)
    best: dict[str, tuple[int, str]] = {}
    for lab in labels().of("column"):
        pos = folded.find(lab.variant) if lab.table == table else -1
        if pos >= 0 and (lab.key not in best or len(lab.variant) > len(best[lab.key][1])):
            best[lab.key] = (pos, lab.variant)
    return [variant for _, variant in sorted(best.values())]


@cache
def _review_header() -> list[list[tuple[str, int]]]:
    """Table 四's header as the template lays it out, from the label table's first variants."""
    first: dict[tuple[str, str], str] = {}
    for lab in labels().of("colgroup", "column"):
        if lab.table == "t4":
            first.setdefault((lab.kind, lab.key), lab.variant)
    parts = [first[("column", k)] for k in REVIEW_PARTS]
    groups = [first[("colgroup", g)] for g in REVIEW_GROUPS]
    return [[(g, len(parts)) for g in groups], [(p, 1) for p in parts * len(groups)]]


def _is_review_header(folded: str) -> bool:
    """Table 四's header: at least two of its column groups named."""
    groups = {lab.key for lab in labels().of("colgroup") if lab.variant in folded}
    return len(groups) >= 2


def _template_of(text: str) -> str:
    """The template whose table 二 column labels the text uses (2021 when it says nothing)."""
    folded = fold(text)
    votes = {"2019": 0, "2021": 0}
    for lab in labels().of("column"):
        if lab.template in votes and lab.variant in folded:
            votes[lab.template] += 1
    return "2019" if votes["2019"] > votes["2021"] else "2021"


@cache
def _fields(table: str, key: str | None, template: str) -> tuple[str, ...]:
    """The field ids of one row, in column order (table 四: all fifteen)."""
    fields = [f for f in all_fields().values() if template in f.templates]
    if table == "t4":
        return tuple(f.id for f in fields if f.id.startswith("review_litigation."))
    if table == "t3":
        row = key or RESULTS_TOTAL  # an unnamed t3 row has the same seven columns as any
        return tuple(f.id for f in fields if f.id.startswith(f"applications.{row}."))
    if table == "t2" and key:  # a unit field is read off its amount's cell, not a cell of its own
        return tuple(f.id for f in fields if f.id.startswith(f"active_disclosure.{key}.") and f.type != "text")
    return ()


def _cuts(digits: str, n: int, sums: tuple[int, ...] = ()) -> Iterator[list[str]]:
    """Every way of cutting the run into n cells (no leading zeros, a minus only in front). With `sums`
    (run lengths whose last cell is the sum of the others), the sum is not searched for but read off,
    which prunes almost every branch."""
    ends = set(itertools.accumulate(sums))  # cell counts after which a sum cell comes
    count = 0

    def walk(pos: int, acc: list[str]) -> Iterator[list[str]]:
        nonlocal count
        count += 1
        if count > MAX_STEPS:  # past this the run counts as ambiguous: no cut is guessed
            raise _TooMany
        left = n - len(acc)
        if left == 0:
            if pos == len(digits):
                yield list(acc)
            return
        if not left <= len(digits) - pos <= left * MAX_PIECE:  # every cell holds 1 to MAX_PIECE characters
            return
        if len(acc) + 1 in ends:  # this cell is the sum of the run's other cells
            start = max((e for e in ends if e <= len(acc)), default=0)
            try:
                total = sum(int(p) for p in acc[start:])
            except ValueError:  # a decimal: sums of cuts only hold for counts
                return
            piece = str(total)
            if digits.startswith(piece, pos):
                acc.append(piece)
                yield from walk(pos + len(piece), acc)
                acc.pop()
            return
        for end in range(pos + 1, min(len(digits), pos + MAX_PIECE) + 1):
            piece = digits[pos:end]
            if _PIECE.fullmatch(piece):
                acc.append(piece)
                yield from walk(end, acc)
                acc.pop()

    yield from walk(0, [])


def _cuts_ending_in_their_sum(digits: str, n: int) -> Iterator[list[str]]:
    """The cuts of a row whose last cell is the sum of the others (table 三): the sum is a suffix of
    the run, so try each, then cut the rest into cells that add up to it (no cell exceeds it)."""
    budget = [MAX_STEPS]
    for length in range(1, min(MAX_PIECE, len(digits) - n + 1) + 1):
        total = digits[-length:]
        if _COUNT.fullmatch(total):
            for cells in _solver(digits[:-length], budget)(0, n - 1, int(total)):
                yield [*cells, total]


def _solver(head: str, budget: list[int]) -> Callable[[int, int, int], tuple[tuple[str, ...], ...]]:
    """_summing over one head, memoised."""

    @functools.cache
    def solve(pos: int, left: int, remaining: int) -> tuple[tuple[str, ...], ...]:
        return _summing(head, pos, left, remaining, budget, solve)

    return solve


def _summing(head: str, pos: int, left: int, remaining: int, budget: list[int],
             solve: Callable[[int, int, int], tuple[tuple[str, ...], ...]]) -> tuple[tuple[str, ...], ...]:
    """Up to MAX_CANDIDATES + 1 cuts of head[pos:] into `left` counts adding up to `remaining`
    (memoised through `solve`: the same rest of the run is only cut once)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooMany
    widest = len(str(remaining))  # no cell exceeds what is left to add up
    if not left <= len(head) - pos <= left * widest:
        return ()
    if left == 1:
        piece = head[pos:]
        return ((piece,),) if _COUNT.fullmatch(piece) and int(piece) == remaining else ()
    found: list[tuple[str, ...]] = []
    for end in range(pos + 1, min(len(head) - left + 1, pos + widest) + 1):
        piece = head[pos:end]
        if _COUNT.fullmatch(piece) and (value := int(piece)) <= remaining:
            found += [(piece, *rest) for rest in solve(end, left - 1, remaining - value)]
            if len(found) > MAX_CANDIDATES:
                break
    return tuple(found[:MAX_CANDIDATES + 1])


class _TooMany(Exception):
    """The search for cuts ran past its budget."""
