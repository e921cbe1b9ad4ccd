"""J's sparsity pattern as a terminal picture (a Rich renderable), sized to the terminal.

While J fits, one cell per entry: ● for an entry that is not zero, · for a zero, two
characters wide so that a square matrix looks square, with the column colours of
`jac sparsity` as colours when there are few of them (the columns one JVP gives at
once). A bigger J is drawn in square blocks of entries, each shaded by how full it is, and
the picture says the scale: bratu-2000 on 80 columns is 38×38 blocks of 53×53 entries,
a diagonal of ░.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.measure import Measurement
    from rich.text import Text

    from jaccli.engine import Sparse

MAX_HEIGHT = 40  # lines of picture at most: a tall J is downsampled too
# Colours for the column colours, when there are at most this many of them.
PALETTE = ("cyan", "magenta", "green", "yellow", "blue", "red")
# A block's shade by how full it is: (at most this fraction, character).
SHADES = ((0.25, "░"), (0.5, "▒"), (0.75, "▓"), (1.0, "█"))
MARGIN = 4  # the frame and its padding


def block_size(shape: tuple[int, int], width: int, height: int = MAX_HEIGHT) -> int:
    """Entries per side of a block: 1 while every entry gets a cell of its own."""
    m, n = shape
    across = max((width - MARGIN) // 2, 1)  # a cell is two characters wide
    size = 1
    while -(-n // size) > across or -(-m // size) > height:
        size += 1
    return size


def counts(rows: Sequence[Sequence[int]], shape: tuple[int, int], size: int) -> list[list[int]]:
    """How many entries are not zero in each block of size×size entries."""
    m, n = shape
    grid = [[0] * (-(-n // size)) for _ in range(-(-m // size))]
    for i, row in enumerate(rows):
        line = grid[i // size]
        for j in row:
            line[j // size] += 1
    return grid


def shade(filled: int, cells: int) -> str:
    """The character for a block with `filled` entries of `cells`: blank when none."""
    if filled == 0:
        return " "
    share = filled / cells
    return next(ch for top, ch in SHADES if share <= top)


class Spy:
    """The picture, drawn for the width Rich gives it."""

    def __init__(self, sparse: Sparse, column_colors: Sequence[int] = ()) -> None:
        self.shape = sparse.shape
        self.rows = [[j for j, _ in row] for row in sparse.rows]
        self.column_colors = column_colors

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        size = block_size(self.shape, options.max_width)
        wide = min(2 * -(-self.shape[1] // size) - 1 + MARGIN, options.max_width)
        return Measurement(wide, wide)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.panel import Panel
        from rich.text import Text

        m, n = self.shape
        size = block_size(self.shape, options.max_width)
        lines = list(self._cells() if size == 1 else self._blocks(size))
        body = Text("\n").join(lines) if lines else Text("(no entries)")
        yield Panel.fit(body, title=f"J: {m}×{n}", padding=(0, 1), border_style="dim")
        yield Text(self._scale(size), style="dim")

    def _colored(self) -> bool:
        return 0 < len(set(self.column_colors)) <= len(PALETTE)

    def _scale(self, size: int) -> str:
        if size == 1:
            colours = "; colour: the column's colour (one JVP each)" if self._colored() else ""
            return "● not zero, · zero" + colours
        return f"each ██ is {size}×{size} entries; ░ ≤ ¼ of them not zero, ▒ ≤ ½, ▓ ≤ ¾, █ more"

    def _cells(self) -> Iterator[Text]:
        from rich.text import Text

        colored = self._colored()
        for row in self.rows:
            line, present = Text(), set(row)
            for j in range(self.shape[1]):
                if j:
                    line.append(" ")
                if j not in present:
                    line.append("·", style="dim")
                else:
                    line.append("●", style=PALETTE[self.column_colors[j]] if colored else "bold")
            yield line

    def _blocks(self, size: int) -> Iterator[Text]:
        from rich.text import Text

        m, n = self.shape
        for bi, line in enumerate(counts(self.rows, self.shape, size)):
            tall = min(size, m - bi * size)
            text = "".join(
                2 * shade(filled, tall * min(size, n - bj * size)) for bj, filled in enumerate(line)
            )
            yield Text(text[:-1])  # as wide as a picture of cells: 2 characters a cell, less 1
