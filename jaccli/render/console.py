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
    from rich.console import Console, RenderableType


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


Stage = Callable[[str, int], Callable[[int], None]]  # (label, total) -> advance(n)


@contextmanager
def stages(console: Console | None = None) -> Iterator[Stage]:
    """Progress bars on stderr, one line per stage of a command (reading, differentiating),
    gone when done. `stage(label, total)` starts one and returns its `advance(n)`, which
    counts n more of `total` done; starting a stage completes the ones before it.

    Whether bars are worth showing (a big input, a terminal) is the caller's decision.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    console = console or Console(stderr=True)
    with Progress(*columns, console=console, transient=True) as bar:

        def stage(label: str, total: int) -> Callable[[int], None]:
            for earlier in bar.tasks:
                bar.update(earlier.id, completed=earlier.total)
            task = bar.add_task(label, total=total)
            return lambda done: bar.advance(task, done)

        yield stage
