"""Which entries of J the columns of a chunk's array hold: all m·n of them row by row, or
with `eval --points --sparse` only the structurally non-zero ones, in the same (row-major)
order, so that no m·n array is made for a J of 10^4 unknowns with 3·10^4 non-zeros.

A structural non-zero is an entry that jac's differentiation did not find to be 0: the same
entries at every point, so that CSV columns are fixed for a whole run. One that happens to
be 0 at a point is still written there.
"""

from collections.abc import Sequence
from typing import Any, NamedTuple


class Cells(NamedTuple):
    shape: tuple[int, int]  # (m, n) of J
    flat: Any  # i·n + j of each column, increasing (an int64 array); None: every entry

    @property
    def width(self) -> int:
        m, n = self.shape
        return m * n if self.flat is None else len(self.flat)

    def spread(self, rows: Any) -> Any:
        """A (points, m) array of F's components as a (points, width) one: row i of J's."""
        import numpy as np

        if self.flat is None:
            return np.repeat(rows, self.shape[1], axis=1)
        return rows[:, self.flat // self.shape[1]]

    def column(self, i: int, j: int) -> int | None:
        """The column holding entry (i, j) (0-based), or None: a structural zero."""
        import numpy as np

        if self.flat is None:
            return i * self.shape[1] + j
        cell = i * self.shape[1] + j
        found = int(np.searchsorted(self.flat, cell))
        return found if found < len(self.flat) and int(self.flat[found]) == cell else None

    def cell(self, column: int) -> tuple[int, int]:
        """(i, j) of the entry in `column`, 0-based."""
        flat = column if self.flat is None else int(self.flat[column])
        return divmod(flat, self.shape[1])


def flat_cells(entries: Sequence[tuple[int, int]], n: int) -> Any:
    """The entries (i, j), row-major, as an increasing array of i·n + j."""
    import numpy as np

    return np.fromiter((i * n + j for i, j in entries), dtype=np.int64, count=len(entries))
