"""The sparsity of J: which entries are not zero, and what that structure buys.

The pattern is exactly the non-zero entries `jac jacobian` prints: each component is
differentiated as `derivatives.differentiate` does it, but only by the variables it
contains, so that a 2000-variable system costs 3 derivatives a row and not 2000 membership
tests. Reading the free symbols alone would be faster still (a tenth of the time on
bratu-2000), but counts entries that cancel (∂/∂x of sin(x)² + cos(x)² is 0 as jac writes
it), and then the pattern, the colourings and `jac jacobian` would disagree.

From the pattern, without any more calculus:
- bandwidth: J[i][j] = 0 where j < i − lower or j > i + upper;
- structural rank: a maximum matching of rows to columns through non-zero entries
  (Hopcroft–Karp); rank J ≤ it at every point, and equal at almost every point when the
  non-zero entries are independent;
- a column colouring in which no two columns of a colour share a row (a distance-2
  colouring of the bipartite graph): J·v with v = 1 on the columns of a colour gives each
  of them apart, so J costs one JVP per colour instead of one per column (Curtis, Powell
  and Reid); a row colouring does the same for VJPs. Greedy, in two orders (the columns'
  own, and largest first, Welsh–Powell), keeping the one with fewer colours; the longest
  row (column) is a lower bound, so the colouring is optimal when it reaches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from jaccli.engine.derivatives import _differentiate_one
from jaccli.engine.results import Column, Listing, Part, Progress, Sparse, SparsityResult, Value
from jaccli.engine.variables import header

SHOWN_MEMBERS = 3  # members of a colour named in a note before "…"
SHOWN_LISTED = 6  # and in the table of colours
LISTED_COLOURS = 12  # colours in that table; the rest are counted on one row


def pattern(
    functions: Sequence[Any], variables: Sequence[Any], progress: Progress | None = None
) -> list[list[int]]:
    """For each component, the columns where J is not zero, in order: J's entries as
    `derivatives.differentiate` gives them, each component differentiated only by the
    variables it contains (the others give 0 without asking)."""
    column = {v: j for j, v in enumerate(variables)}
    rows = []
    for i, f in enumerate(functions):
        present = sorted(column[s] for s in f.free_symbols if s in column)
        derived = _differentiate_one(f, [variables[j] for j in present])
        rows.append([present[k] for k, _ in derived])
        if progress is not None and i % 64 == 63:
            progress(64)
    if progress is not None:
        progress(len(functions) % 64)
    return rows


def transposed(rows: Sequence[Sequence[int]], n: int) -> list[list[int]]:
    """The pattern by columns: for each column, the rows where it is not zero."""
    columns: list[list[int]] = [[] for _ in range(n)]
    for i, row in enumerate(rows):
        for j in row:
            columns[j].append(i)
    return columns


def bandwidth(rows: Sequence[Sequence[int]]) -> tuple[int, int]:
    """(lower, upper): how far below and above the diagonal the non-zero entries reach."""
    lower = max((i - row[0] for i, row in enumerate(rows) if row), default=0)
    upper = max((row[-1] - i for i, row in enumerate(rows) if row), default=0)
    return max(lower, 0), max(upper, 0)


def structural_rank(rows: Sequence[Sequence[int]], n: int) -> int:
    """The size of a maximum matching of rows to columns (Hopcroft–Karp, O(nnz·√(m+n))):
    the largest rank any matrix with this pattern can have."""
    m = len(rows)
    column_of = [-1] * m  # the column each row is matched to
    row_of = [-1] * n  # the row each column is matched to
    for i, row in enumerate(rows):  # a greedy start: most of the matching, in one pass
        for j in row:
            if row_of[j] < 0:
                column_of[i], row_of[j] = j, i
                break
    while _augment(rows, column_of, row_of):
        pass
    return sum(1 for j in column_of if j >= 0)


def _augment(rows: Sequence[Sequence[int]], column_of: list[int], row_of: list[int]) -> bool:
    """One phase of Hopcroft–Karp: the shortest augmenting paths from the free rows, found
    by a breadth-first layering and followed depth-first (without recursion); whether any."""
    m = len(rows)
    layer = [-1] * m
    queue = [i for i in range(m) if column_of[i] < 0 and rows[i]]
    for i in queue:
        layer[i] = 0
    found, head = False, 0
    while head < len(queue):
        i = queue[head]
        head += 1
        for j in rows[i]:
            k = row_of[j]
            if k < 0:
                found = True
            elif layer[k] < 0:
                layer[k] = layer[i] + 1
                queue.append(k)
    if not found:
        return False
    edge = [0] * m  # the next entry of each row to try
    for start in range(m):
        if layer[start] != 0 or column_of[start] >= 0:
            continue
        path = [start]
        while path:
            i = path[-1]
            if edge[i] == len(rows[i]):
                layer[i] = -1  # a dead end for the rest of this phase
                path.pop()
                continue
            j = rows[i][edge[i]]
            edge[i] += 1
            k = row_of[j]
            if k < 0:  # a free column: flip the matching along the path
                for r in path:
                    c = rows[r][edge[r] - 1]
                    column_of[r], row_of[c] = c, r
                break
            if layer[k] == layer[i] + 1:
                path.append(k)
    return True


def coloring(lines: Sequence[Sequence[int]], crossing: Sequence[Sequence[int]]) -> list[int]:
    """Colours for the items of `lines` (columns, each by the rows it has entries in) such
    that two items sharing an entry of `crossing` (a row, by its columns) differ: greedy in
    the items' order and largest-first, the fewer colours kept, then numbered by first use."""
    longest = max((len(c) for c in crossing), default=0)
    if longest == len(lines):  # a full line: every item needs its own colour
        return list(range(len(lines)))
    best = _greedy(lines, crossing, range(len(lines)))
    if max(best, default=-1) + 1 > longest:
        degree = [len(set().union(*(crossing[i] for i in line))) for line in lines]
        order = sorted(range(len(lines)), key=lambda j: -degree[j])
        other = _greedy(lines, crossing, order)
        if max(other, default=-1) < max(best, default=-1):
            best = other
    first: dict[int, int] = {}
    return [first.setdefault(c, len(first)) for c in best]


def _greedy(
    lines: Sequence[Sequence[int]], crossing: Sequence[Sequence[int]], order: Sequence[int]
) -> list[int]:
    """Each item in `order` gets the smallest colour not yet used along any of its lines."""
    used: list[set[int]] = [set() for _ in crossing]
    colors = [0] * len(lines)
    for j in order:
        taken = set().union(*(used[i] for i in lines[j]))
        c = 0
        while c in taken:
            c += 1
        colors[j] = c
        for i in lines[j]:
            used[i].add(c)
    return colors


def sparsity(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    progress: Progress | None = None,
) -> SparsityResult:
    """Which entries of J are not zero: nnz, density, bandwidth, structural rank, and
    colourings of the columns (J from that many JVPs) and rows (from that many VJPs)."""
    from symengine import Integer

    head = header(functions, variables)
    m, n = len(functions), len(head["variables"])
    rows = pattern(functions, head["variables"], progress)
    by_column = transposed(rows, n)
    one = Integer(1)
    sparse = Sparse((m, n), tuple(tuple((j, one) for j in row) for row in rows))
    nnz = sum(len(row) for row in rows)
    band = bandwidth(rows)
    rank = structural_rank(rows, n)
    columns, rows_colors = coloring(by_column, rows), coloring(rows, by_column)
    names = tuple(str(v.name) for v in head["variables"])
    counts = _Counts(m, n, nnz, rank, _used(columns, by_column), _used(rows_colors, rows))
    return SparsityResult(
        **head,
        parts=(Part("pattern", "pattern", "\\text{pattern}", sparse, _row_names(m), names),),
        values=_values(counts, band),
        listings=(_colours_listing(columns, rows_colors, names),),
        facts=(("pattern_source", "J's non-zero entries, as jac jacobian writes them"),),
        notes=_notes(counts, columns, rows_colors, rows, by_column, names),
        pattern=sparse,
        nnz=nnz,
        bandwidth=band,
        structural_rank=rank,
        column_colors=tuple(columns),
        row_colors=tuple(rows_colors),
    )


class _Counts(NamedTuple):
    """The sizes the values and notes speak of."""

    m: int
    n: int
    nnz: int
    rank: int
    jvps: int  # colours of the columns that have entries
    vjps: int


def _used(colors: Sequence[int], lines: Sequence[Sequence[int]]) -> int:
    """How many products the colouring costs: the colours of items with entries (an item
    with none needs no product)."""
    return len({c for c, line in zip(colors, lines, strict=True) if line})


def _row_names(m: int) -> tuple[str, ...]:
    return tuple(f"f{i + 1}" for i in range(m))


def density(nnz: int, m: int, n: int) -> float:
    """nnz/(m·n) to 3 significant digits (a ratio of big numbers says less)."""
    return float(f"{nnz / (m * n):.3g}") if m and n else 0.0


def _values(c: _Counts, band: tuple[int, int]) -> tuple[Value, ...]:
    from symengine import Integer, RealDouble

    def whole(key: str, label: str, latex: str, value: int) -> Value:
        return Value(key, label, latex, Integer(value))

    return (
        whole("nnz", "non-zero entries", "\\operatorname{nnz} J", c.nnz),
        Value(
            "density",
            f"density (of {c.m}×{c.n})",
            "\\text{density}",
            RealDouble(density(c.nnz, c.m, c.n)),
        ),
        whole("lower_bandwidth", "lower bandwidth", "\\text{lower bandwidth}", band[0]),
        whole("upper_bandwidth", "upper bandwidth", "\\text{upper bandwidth}", band[1]),
        whole("structural_rank", "structural rank", "\\operatorname{srank} J", c.rank),
        whole("jvps", f"JVPs for J (of n = {c.n} columns)", "\\text{JVPs}", c.jvps),
        whole("vjps", f"VJPs for J (of m = {c.m} rows)", "\\text{VJPs}", c.vjps),
    )


def _colours_listing(columns: Sequence[int], rows: Sequence[int], names: Sequence[str]) -> Listing:
    """Each colour with its columns (by variable) and its rows (f1, f2, ...)."""
    by_colour: list[tuple[list[str], list[str]]] = [
        ([], []) for _ in range(max([*columns, *rows], default=-1) + 1)
    ]
    for j, c in enumerate(columns):
        by_colour[c][0].append(names[j])
    for i, c in enumerate(rows):
        by_colour[c][1].append(f"f{i + 1}")
    listed: list[tuple[int | str, str, str]] = [
        (k + 1, _members(cols, SHOWN_LISTED), _members(rs, SHOWN_LISTED))
        for k, (cols, rs) in enumerate(by_colour[:LISTED_COLOURS])
    ]
    if len(by_colour) > LISTED_COLOURS:
        listed.append(("…", f"{len(by_colour) - LISTED_COLOURS} more colours", ""))
    return Listing(
        "colors",
        "Colours (one JVP per column colour, one VJP per row colour)",
        (Column("color", "colour"), Column("columns", "columns"), Column("rows", "rows")),
        tuple(listed),
    )


def _members(names: Sequence[str], limit: int = SHOWN_MEMBERS) -> str:
    shown = ", ".join(names[:limit])
    return shown + (", …" if len(names) > limit else "")


def _notes(
    c: _Counts,
    columns: Sequence[int],
    rows_colors: Sequence[int],
    rows: Sequence[Sequence[int]],
    by_column: Sequence[Sequence[int]],
    names: Sequence[str],
) -> tuple[str, ...]:
    first_columns = [names[j] for j in range(c.n) if columns[j] == 0 and by_column[j]]
    first_rows = [f"f{i + 1}" for i in range(c.m) if rows_colors[i] == 0 and rows[i]]
    notes = [
        _saving(_Products("JVP", "column", "row", c.jvps, c.n), first_columns, rows),
        _saving(_Products("VJP", "row", "column", c.vjps, c.m), first_rows, by_column),
    ]
    full = min(c.m, c.n)
    if c.rank < full:
        notes.append(
            f"structural rank {c.rank} < {full}: J is singular at every point, whatever "
            f"the values of its entries (rank J ≤ {c.rank})"
        )
    else:
        notes.append(
            f"structural rank {c.rank}, full: whether J has rank {full} at a point depends "
            "on the values there (det, singular)"
        )
    notes.append(
        "the pattern is of J as jac writes it: an entry that cancels to 0 (sin(x)^2 + "
        "cos(x)^2) is not in it, and at a particular point more entries can vanish"
    )
    return tuple(notes)


class _Products(NamedTuple):
    kind: str  # "JVP"
    item: str  # what it recovers: "column"
    across: str  # what two items of a colour must not share: "row"
    used: int  # how many the colouring needs
    size: int  # how many without it


def _saving(p: _Products, first: Sequence[str], crossing: Sequence[Sequence[int]]) -> str:
    """J from `p.used` products instead of `p.size`, the first colour's members, and
    whether that many is the fewest possible: a line of `crossing` with as many entries."""
    if p.used == 0:
        return f"J is 0: no {p.kind} is needed"
    if p.size == 1:
        return f"J needs 1 {p.kind}: it has one {p.item}"
    if p.used >= p.size:
        # Greedy gives item k colour k only if it meets every earlier item: all pairs meet.
        return (
            f"J needs {p.size} {p.kind}s, one per {p.item}: every two {p.item}s share a {p.across}"
        )
    longest = max(range(len(crossing)), key=lambda i: len(crossing[i]))
    fewest = (
        f"; {p.used} is the fewest possible ({p.across} {longest + 1} has {p.used} entries)"
        if len(crossing[longest]) == p.used
        else ""
    )
    return (
        f"J from {p.used} {p.kind}s instead of {p.size}: {_members(first)} share colour 1 "
        f"(no {p.across} has two of them), so one {p.kind} gives all their {p.item}s" + fewest
    )
