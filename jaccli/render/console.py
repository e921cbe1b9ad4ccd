"""Every Rich console jac makes: results captured as text, and progress bars on stderr.

One place decides how Rich is driven, so that the CLI, the budgeted worker and the tests
draw the same way: rendered for a given width, captured as text, coloured only when asked.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType


def to_text(
    renderable: RenderableType, *, colour: bool, width: int | None, auto_colour: bool
) -> str:
    """What a renderer returned as text ending in a newline, ready for stdout.

    A string is taken as it is. A Rich renderable is drawn for `width` (the real stdout's,
    or Rich's default in a pipe) on a StringIO standing in for stdout, so that only
    `colour` (--color always), `auto_colour` (--color auto) and FORCE_COLOR/NO_COLOR
    decide on colour. A long entry is wrapped, never cut off.
    """
    if isinstance(renderable, str):
        text = renderable
    else:
        from rich.console import Console

        console = Console(
            file=io.StringIO(),
            soft_wrap=False,
            force_terminal=colour or None,
            color_system="auto" if colour or auto_colour else None,
            width=width,
        )
        with console.capture() as captured:
            console.print(renderable, crop=False)
        text = captured.get()
    return text if text.endswith("\n") else text + "\n"


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, gone when done: `advance(n)` counts n more of `total` done.

    Whether a bar is worth showing (a big input, a terminal) is the caller's decision.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = (label, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.advance(task, done)
