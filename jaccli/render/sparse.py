"""A matrix as its non-zero entries (i, j, entry), for every format's `--sparse` form.

A Jacobian of 10^5 unknowns with 3 entries a row has 3·10^5 entries and 10^10 zeros:
every sparse writer walks `Sparse.rows` alone, so its time and memory grow with the
non-zeros. Nothing here may call `Sparse.filled`, `Sparse.dense` or a result's `.matrix`
(tests/test_sparse_output.py makes them raise and renders every format).

Indices are 1-based and in row-major order, as Matrix Market and people count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from jaccli.engine import Sparse

MOSTLY_ZERO = 0.05  # a matrix with fewer non-zero entries than this fraction is "sparse"
BIG_GRID = 10_000  # entries (m·n) past which a mostly-zero matrix is listed, never gridded
SHOWN_NAMES = 3  # names listed in full in a header; past that, the first..last and a count


def entries(sparse: Sparse, cell: Callable[[Any], Any]) -> Iterator[tuple[int, int, Any]]:
    """(i, j, cell(entry)) for each non-zero entry, from 1, row by row."""
    for i, row in enumerate(sparse.rows, 1):
        for j, e in row:
            yield i, j + 1, cell(e)


def nnz(sparse: Sparse) -> int:
    """How many entries are stored: the non-zero ones."""
    return sum(map(len, sparse.rows))


def mostly_zero(sparse: Sparse) -> bool:
    """Whether fewer than MOSTLY_ZERO of the entries are non-zero."""
    m, n = sparse.shape
    return nnz(sparse) < MOSTLY_ZERO * m * n


def listed(sparse: Sparse, asked: bool, columns: int = 0, cells: int = 0) -> bool:
    """Whether table or LaTeX list a matrix by its non-zero entries: `asked` (--sparse), or
    more than `columns` columns and `cells` entries, mostly zeros."""
    m, n = sparse.shape
    return asked or (n > columns and m * n > cells and mostly_zero(sparse))


def summary(symbol: str, sparse: Sparse) -> str:
    """`J is 2000×2000 with 5,998 non-zero entries (0.15%)`."""
    m, n = sparse.shape
    k = nnz(sparse)
    share = 100 * k / (m * n)
    percent = f"{share:.2f}".rstrip("0").rstrip(".") if share >= 0.01 or k == 0 else "<0.01"
    word = "entry" if k == 1 else "entries"
    return f"{symbol} is {m}×{n} with {k:,} non-zero {word} ({percent}%)"


def span(names: Sequence[str]) -> str:
    """Names by their ends and count past SHOWN_NAMES: `u0, ..., u99999 (100,000)`. A
    header of 10^5 names would be as big as the non-zeros of a tridiagonal J."""
    if len(names) <= SHOWN_NAMES:
        return ", ".join(names)
    return f"{names[0]}, ..., {names[-1]} ({len(names):,})"
