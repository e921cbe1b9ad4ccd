"""Running a command: stdin, the budgeted worker, and printing what it made.

The mathematics runs in a worker (jaccli.budget) that renders the result too, so that a
result too big to print is stopped by the same budget; this process prints notes to stderr
and the output to stdout.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import IO, TYPE_CHECKING, Any, BinaryIO, NamedTuple

from jaccli.cli.options import CLI_NAMES, Color, Settings
from jaccli.errors import JacError, UsageError, worded
from jaccli.render import Format

if TYPE_CHECKING:
    from symengine import Basic as Expr
    from symengine import Symbol

    from jaccli.engine import Result
    from jaccli.problem import Problem
    from jaccli.render.console import Stage

Progress = Callable[[int], None]
# compute(problem, point, progress): the result, from F, the point (if --at) and a progress bar.
Compute = Callable[["Problem", "dict[Symbol, Expr] | None", "Progress | None"], "Result"]


class Output(NamedTuple):
    text: str  # for stdout (write_text ends it with a newline)
    notes: tuple[str, ...]  # for stderr: warnings, the inferred order of variables
    error: JacError | None = None


def joined(at: list[str] | None) -> str | None:
    """Every --at as one point: `--at x=1 --at y=2` is `x=1,y=2`; a name twice is an error."""
    return ",".join(at) if at else None


def solve(
    settings: Settings, compute: Compute, at: list[str] | None = None, progress: str = ""
) -> None:
    """Read the problem, compute and render in the budgeted worker, then print here.

    `progress` labels a progress bar, shown for big inputs on a terminal.
    """
    from jaccli import budget

    settings = with_stdin(settings)
    terminal = sys.stdout.isatty()  # decided here: the worker's stdout is not ours
    chosen = settings.fmt or (Format.table if terminal else Format.plain)
    if chosen in (Format.csv, Format.tsv, Format.parquet):
        raise UsageError(f"--format {chosen.value} is only for --points (eval, det)")
    colour = {Color.always: True, Color.never: False}.get(settings.color, terminal)
    width = shutil.get_terminal_size().columns if terminal else None

    def work() -> Output:
        notes: list[str] = []
        try:
            check_format(settings.command, chosen)
            with progress_bar(settings) as stage:
                reading = stage("reading lines", _lines(settings)) if stage else None
                problem = settings.problem(reading)
                notes += warnings(problem.warnings)
                point = problem.at(joined(at) or "") if at else None
                notes += warnings(point.warnings if point else ())
                advance = stage(progress, len(problem.functions)) if stage and progress else None
                result = compute(problem, point.values if point else None, advance)
            notes += warnings(result.warnings)
            if result.variables_inferred:
                notes.append(inferred_note(v.name for v in result.variables))
            notes += problem.layout
            if settings.check:
                notes.append(checked(result))
            if not settings.render.sparse:
                notes += sparse_hint(result, chosen)
            text = _render(result, chosen, settings, colour, width)
            return Output(text, shown(notes, settings.quiet))
        except JacError as e:  # the warnings before it still matter (a Cyrillic х ...)
            return Output("", shown(notes, settings.quiet), e)

    # With a real stdout the worker writes the output itself: no copy through the pipe.
    output = budget.run(work, settings.budget, _deliver if has_fd(sys.stdout) else None)
    print_output(output, sys.stdout)


# What one zero costs in a dense output (`0\t`, `"0", `, `0 & `), and the size from which
# jac points at --sparse: a mostly-zero matrix (jaccli.render.sparse) whose dense text
# would pass 100 MB.
_ZERO_BYTES = {Format.plain: 2, Format.json: 5, Format.jsonl: 5, Format.latex: 4}
HINT_BYTES = 100_000_000


def sparse_hint(result: Result, fmt: Format) -> list[str]:
    """A note that --sparse exists, for a big mostly-zero matrix about to be written in full
    (it does not switch by itself: the reader of the output expects the format asked for).
    One pass over each matrix's rows to count, and the text of its first 100 entries."""
    from jaccli.render.sparse import MOSTLY_ZERO, nnz

    zero = _ZERO_BYTES.get(fmt)
    if zero is None:
        return []
    matrices = [result.sparse] if hasattr(result, "sparse") else []
    matrices += [p.sparse for p in getattr(result, "parts", ()) if hasattr(p, "sparse")]
    notes = []
    for sparse in matrices:
        (m, n), k = sparse.shape, nnz(sparse)
        if m * n == 0 or k >= MOSTLY_ZERO * m * n:
            continue
        sample = [len(str(e)) for row in sparse.rows[:100] for _, e in row][:100]
        size = m * n * zero + k * (sum(sample) / max(len(sample), 1) + zero)
        if size > HINT_BYTES:
            notes.append(
                f"the {m:,}×{n:,} matrix has {k:,} non-zero entries "
                f"({100 * k / (m * n):.2g}%): this {fmt.value} output is about "
                f"{size / 1e6:{',.0f' if size >= 1e7 else '.2g'}} MB; --sparse (or --format mtx) "
                "writes only the non-zero entries"
            )
    return notes


def checked(result: Result) -> str:
    """--check: the line for stderr that says how the result compares with finite
    differences of F; a CheckError (exit 1) when an entry differs (jaccli.engine.check)."""
    from jaccli.engine.check import check

    report = check(result)
    error = report.error()
    if error is not None:
        raise error
    return str(report)


def solve_at(
    settings: Settings,
    method: Callable[..., Result],
    at: list[str] | None,
    digits: int | None,
    simplify: bool | None,
) -> None:
    """eval and linearize: `method(F, x, a, digits=..., simplify=...)` at the point --at."""
    solve(
        settings,
        lambda p, point, _: method(
            p.functions, p.variables, point or {}, digits=digits, simplify=bool(simplify)
        ),
        at,
    )


def inferred_note(names: Iterable[str]) -> str:
    from jaccli.engine.variables import listed

    return f"variables in this order: {listed(names)} (choose with --vars)"


def warnings(found: tuple[str, ...]) -> list[str]:
    return [f"warning: {w}" for w in found]


def shown(notes: Iterable[str], quiet: bool) -> tuple[str, ...]:
    """Notes for stderr, unless --quiet, naming inputs as options (--vars, not vars=)."""
    return () if quiet else tuple(worded(n, CLI_NAMES) for n in notes)


def print_output(output: Output, stdout: Any) -> Output:
    """Notes to stderr, then the output (or the error): what is left to print of `output`."""
    for note in output.notes:
        sys.stderr.write(f"jac: {note}\n")
    sys.stderr.flush()
    if output.error is not None:
        raise output.error
    with contextlib.suppress(BrokenPipeError):  # `jac ... | head -3`: the reader has all
        write_text(output.text, stdout)
    return Output("", ())


# Written a megabyte at a time: a 200 MB output is not encoded into a second 200 MB copy.
_CHUNK = 1 << 20


def write_text(text: str, stdout: Any) -> None:
    """`text` to `stdout` (text or binary), then a newline unless it ends with one or is empty."""
    binary = not isinstance(stdout, io.TextIOBase)
    for start in range(0, len(text), _CHUNK):
        piece = text[start : start + _CHUNK]
        stdout.write(piece.encode() if binary else piece)
    if text and not text.endswith("\n"):
        stdout.write(b"\n" if binary else "\n")
    stdout.flush()


def _deliver(output: Output, stdout: BinaryIO) -> Output:
    """In the worker, once the computation is done: print the output there."""
    return output if output.error is not None else print_output(output, stdout)


def has_fd(stream: IO[Any]) -> bool:
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return False
    return True


def _render(
    result: Result, fmt: Format, settings: Settings, colour: bool, width: int | None
) -> str:
    from jaccli.render import render

    out = render(result, fmt, settings.render)
    if isinstance(out, str):
        return out  # the newline at its end is written by write_text: no copy of a big text
    from jaccli.render.console import to_text

    return to_text(out, colour=colour, width=width, auto_colour=settings.color is Color.auto)


# About a second of work on this machine: bratu 2000 (2000 components, 90 kB) takes 0.6 s.
PROGRESS_MIN_CHARACTERS = 150_000


@contextmanager
def progress_bar(settings: Settings) -> Iterator[Stage | None]:
    """Progress bars on stderr for a big input on a terminal, a stage at a time (reading,
    then the command's own work: jaccli.render.console.stages); nothing in a pipe, nothing
    with --quiet."""
    if settings.quiet or not sys.stderr.isatty() or _size(settings) < PROGRESS_MIN_CHARACTERS:
        yield None
        return
    from jaccli.render.console import stages

    with stages() as stage:
        yield stage


def _texts(settings: Settings) -> list[str]:
    from jaccli.parse.inputs import input_texts

    return input_texts(settings.functions, settings.stdin)


def _size(settings: Settings) -> int:
    return sum(len(t) for t in _texts(settings))


def _lines(settings: Settings) -> int:
    """The lines of F's texts that are read (neither blank nor only a comment)."""
    from jaccli.parse.inputs import count_lines

    return sum(count_lines(t) for t in _texts(settings))


def check_format(command: str, fmt: Format) -> None:
    """Before any work: a format the command's result has no renderer for is a usage error."""
    from jaccli.cli.commands import COMMANDS

    row = next(row for row in COMMANDS if row.name == command)
    if not row.draws(fmt):  # asks only the chosen format's module: this runs on every call
        raise UsageError(f"{command} has no {fmt.value} output")


# --------------------------------------------------------------------------- stdin


def with_stdin(settings: Settings) -> Settings:
    """With '-' among F: stdin's text, read here, after the command's own checks and before
    the worker starts (it has no stdin of its own)."""
    if "-" not in settings.functions or settings.stdin is not None:
        return settings
    return replace(settings, stdin=read_stdin(settings.limits.input, settings.quiet))


def read_stdin(limit: int, quiet: bool, what: str = "functions") -> str:
    if sys.stdin is None:
        raise UsageError(f"'-' reads {what} from stdin, but there is no stdin")
    if sys.stdin.isatty() and not quiet:
        sys.stderr.write(f"jac: reading {what} from stdin, one per line (Ctrl-D to end)\n")
        sys.stderr.flush()
    # One character past the input limit is enough to report it: `yes | jac jacobian -`
    # must not fill the memory.
    if not has_fd(sys.stdin):  # a test runner's stdin
        return str(sys.stdin.read(limit + 1)).removeprefix("\ufeff")
    return _read_fd(sys.stdin.fileno(), limit + 1).removeprefix("\ufeff")


def _read_fd(fd: int, characters: int) -> str:
    """Up to `characters` characters of UTF-8 text from `fd`, and Ctrl-C always stops it.

    A blocking read() misses a SIGINT that arrives just before it starts: Python's
    handler only flags the signal, and the read then waits for input that may never
    come. Waiting in select() with a timeout returns to Python, which raises
    KeyboardInterrupt, within a quarter of a second.
    """
    import codecs
    import select

    decoder = codecs.getincrementaldecoder("utf-8")()
    parts: list[str] = []
    count = 0
    while count < characters:
        ready, _, _ = select.select([fd], [], [], 0.25)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as e:
            raise UsageError(f"stdin is not UTF-8 text ({e.reason})") from None
        parts.append(text)
        count += len(text)
        if not chunk:
            break
    return "".join(parts).replace("\r\n", "\n")[:characters]
