"""The `jac` command line: each subcommand is parse → engine → render.

This is the only module that knows about Typer, exit codes and streams. Heavy
modules (SymPy, Rich tables) are imported inside the commands, so `jac --help`
and TAB completion never pay for them.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum, IntEnum
from typing import Annotated, Any, BinaryIO, NamedTuple, Optional

import typer

# Typer vendors Click as typer._click (every release jac allows, 0.26 to 0.28, does) and no
# longer installs Click itself: importing `click` would fail on a fresh install.
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

from jaccli import __version__
from jaccli.errors import JacError, LimitError, MathError, UsageError, WorkerCrash
from jaccli.render import POINT_FORMATS, Format, LatexEnv, LatexStyle


class ExitCode(IntEnum):
    """The documented exit statuses (README, `jac --help`)."""

    OK = 0
    MATH = 1  # the input is fine but has no answer: non-square det, undefined or complex entry
    USAGE = 2  # bad options, arguments or expression syntax
    LIMIT = 3  # a size limit or the time or memory budget exceeded
    INTERNAL = 70  # a bug in jac (EX_SOFTWARE): never expected, kept apart from 1-3
    INTERRUPTED = 130  # Ctrl-C


# The one place where error classes become exit codes; the first match wins.
EXIT_CODES: tuple[tuple[type[JacError], ExitCode], ...] = (
    (MathError, ExitCode.MATH),
    (UsageError, ExitCode.USAGE),
    (LimitError, ExitCode.LIMIT),
)


def exit_code_for(error: JacError) -> ExitCode:
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return ExitCode.USAGE


def _complain(message: str) -> None:
    sys.stderr.write(f"jac: error: {message}\n")
    sys.stderr.flush()


def _click_message(error: Any) -> str:
    """Click's message, but a bad value names where it came from: the option or its variable."""
    ctx, param = getattr(error, "ctx", None), getattr(error, "param", None)
    bad_value = isinstance(error, click_exceptions.BadParameter) and not isinstance(
        error, click_exceptions.MissingParameter
    )
    if not bad_value or ctx is None or param is None:
        return str(error.format_message())
    options = param.opts if param.param_type_name == "option" else ()
    where = _from_environment(ctx, param) or "/".join(options) or param.human_readable_name.upper()
    return f"invalid value for {where}: {error.message}"


def _from_environment(ctx: Any, param: Any) -> str | None:
    """Where the parameter's value came from, when that was its environment variable."""
    from typer._click.core import ParameterSource

    source = ctx.get_parameter_source(param.name) if param.name else None
    if source is ParameterSource.ENVIRONMENT and param.envvar:
        return f"the environment variable {param.envvar}"
    return None


class JacGroup(TyperGroup):
    """Runs the app and turns every failure into a message on stderr and an exit code."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        # Exact results can be long integers (2^2^2^2^2 has 19,729 digits); jac's parser
        # bounds number sizes itself, so Python's 4300-digit str() guard only gets in the way.
        if hasattr(sys, "set_int_max_str_digits"):
            sys.set_int_max_str_digits(0)
        debug = "--debug" in argv or bool(os.environ.get("JAC_DEBUG"))
        try:
            rv = super().main(argv, prog_name or "jac", complete_var, False, **extra)
            code = int(rv) if isinstance(rv, int) else ExitCode.OK
            if code == ExitCode.INTERRUPTED:  # Typer turns KeyboardInterrupt into Exit(130)
                sys.stderr.write("\njac: interrupted\n")
        except JacError as e:
            from jaccli.parse import format_error

            if debug:
                traceback.print_exc()
                sys.stderr.write(getattr(e, "details", ""))  # what C libraries printed
            _complain(format_error(e))
            code = exit_code_for(e)
        except click_exceptions.NoArgsIsHelpError as e:
            e.show()
            code = ExitCode.USAGE
        except click_exceptions.ClickException as e:
            message = _click_message(e)
            ctx = getattr(e, "ctx", None)
            if ctx is not None:
                message += f"\n  (see '{ctx.command_path} --help')"
            _complain(message)
            code = e.exit_code
        except (typer.Abort, KeyboardInterrupt):
            sys.stderr.write("\njac: interrupted\n")
            code = ExitCode.INTERRUPTED
        except Exception as e:  # a bug: say so in one line, never a bare traceback
            if debug:
                traceback.print_exc()
                sys.stderr.write(getattr(e, "details", ""))
            summary = str(e) if isinstance(e, WorkerCrash) else f"{type(e).__name__}: {e}"
            _complain(
                f"internal error: {summary} (this is a bug in jac; --debug shows the traceback)"
            )
            code = ExitCode.INTERNAL
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    name="jac",
    cls=JacGroup,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="""Jacobians of functions you type: matrix, determinant, value at a point, linearization.

\b
  jac jacobian "x+y, x*y" --vars x,y
  jac det "r*cos(t), r*sin(t)" --vars r,t
  jac eval "x^2+y, x*y" --vars x,y --at x=1,y=2
  jac linearize "x^2+y, x*y" --vars x,y --at x=1,y=2

Output is a table on a terminal and plain text in a pipe; choose with --format
(table, plain, latex, json, jsonl) or the JAC_FORMAT environment variable.
eval --points FILE evaluates at many points (CSV, TSV, JSON Lines).

\b
Exit codes:
  0    success
  1    mathematical error: non-square det, undefined or complex entry
  2    usage or parse error
  3    a limit or budget exceeded (input size, --timeout, --max-memory)
  70   internal error: a bug in jac, please report it
  130  interrupted (Ctrl-C)""",
)

# Components starting with '-' (such as "-x^2 + y") are functions, not options.
_COMMAND_SETTINGS = {"ignore_unknown_options": True}

# --------------------------------------------------------------------------- shared options

FunctionsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="F...",
        help="Components of F: one argument 'x+y, x*y', several arguments, or - for stdin.",
        show_default=False,
    ),
]
VarsOpt = Annotated[
    Optional[str],  # noqa: UP045  (Typer reads the annotation at run time on Python 3.10)
    typer.Option(
        "--vars",
        metavar="x,y,...",
        help="Variables in column order. Default: every symbol, in natural order (x2 before x10).",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    Optional[Format],  # noqa: UP045
    typer.Option(
        "--format",
        envvar="JAC_FORMAT",
        case_sensitive=False,
        help="Output format. Default: table on a terminal, plain in a pipe.",
        show_default=False,
    ),
]
SimplifyOpt = Annotated[
    Optional[bool],  # noqa: UP045
    typer.Option(
        "--simplify/--no-simplify",
        help="Simplify the entries (default: only for det).",
        show_default=False,
    ),
]
LatexEnvOpt = Annotated[
    LatexEnv,
    typer.Option("--latex-env", help="Matrix environment for --format latex."),
]
# --at may be given more than once: `--at x=1 --at y=2` is `--at x=1,y=2` (see _joined).
AtOpt = Annotated[
    list[str],
    typer.Option(
        "--at",
        metavar="x=1,y=2",
        help="The point: a value for every variable, and optionally for parameters.",
        show_default=False,
    ),
]
OptionalAtOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--at",
        metavar="x=1,y=2",
        help="Evaluate at this point instead of symbolically.",
        show_default=False,
    ),
]
EvalAtOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--at",
        metavar="x=1,y=2",
        help="The point: a value for every variable and optionally for parameters "
        "(with --points: for parameters only).",
        show_default=False,
    ),
]
DigitsOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--digits",
        min=1,
        max=10000,
        help="Round to this many significant digits (default: exact).",
        show_default=False,
    ),
]
TimeoutOpt = Annotated[
    str,
    typer.Option(
        "--timeout",
        envvar="JAC_TIMEOUT",
        metavar="SECONDS",
        help="Stop the computation after this long (0: no limit).",
    ),
]
MemoryOpt = Annotated[
    str,
    typer.Option(
        "--max-memory",
        envvar="JAC_MAX_MEMORY",
        metavar="SIZE",
        help="Stop the computation if it needs more memory than this, e.g. 512M (0: no limit).",
    ),
]
LatexStyleOpt = Annotated[
    LatexStyle,
    typer.Option(
        "--latex-style",
        help="Math delimiters for --format latex: display \\[...\\], inline $...$, or bare.",
    ),
]
StandaloneOpt = Annotated[
    bool,
    typer.Option("--standalone", help="With --format latex: a complete document for pdflatex."),
]
QuietOpt = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print results and errors only: no notes or warnings."),
]


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


ColorOpt = Annotated[
    Color,
    typer.Option(
        "--color",
        case_sensitive=False,
        help="Colour in tables: auto (on a terminal, unless NO_COLOR is set), always or never.",
    ),
]
PointsOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--points",
        metavar="FILE",
        help="Evaluate at every point of a CSV, TSV, JSON Lines or JSON array file (- for stdin).",
        show_default=False,
    ),
]
WithValueOpt = Annotated[
    bool, typer.Option("--with-value", help="With --points: add F's value to each record.")
]


class OnError(str, Enum):
    stop = "stop"
    skip = "skip"


OnErrorOpt = Annotated[
    OnError,
    typer.Option(
        "--on-error",
        case_sensitive=False,
        help="With --points, at a row that cannot be read (too few or many fields, a value "
        "missing or not a number): stop there (the rows before it are written) or skip it "
        "(written as nan/null, with a warning).",
    ),
]


class SchemaName(str, Enum):
    jacobian = "jacobian"
    det = "det"
    eval = "eval"
    linearize = "linearize"
    points = "points"


DebugOpt = Annotated[
    bool, typer.Option("--debug", help="Show a Python traceback on errors (for bug reports).")
]


# --------------------------------------------------------------------------- plumbing


def _read_stdin(limit: int, quiet: bool) -> str:
    if sys.stdin is None:
        raise UsageError("'-' reads functions from stdin, but there is no stdin")
    if sys.stdin.isatty() and not quiet:
        sys.stderr.write("jac: reading functions from stdin, one per line (Ctrl-D to end)\n")
        sys.stderr.flush()
    # One character past the input limit is enough to report it: `yes | jac jacobian -`
    # must not fill the memory.
    if not _has_fd(sys.stdin):  # a test runner's stdin
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


# About a second of work on this machine: bratu 2000 (2000 components, 90 kB) takes 0.6 s.
PROGRESS_MIN_CHARACTERS = 150_000


@contextmanager
def _progress(label: str, total: int, size: int) -> Iterator[Callable[[int], None] | None]:
    """A Rich progress bar on stderr for big inputs on a terminal; nothing in a pipe."""
    if size < PROGRESS_MIN_CHARACTERS or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = (label, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.advance(task, done)


class Request(NamedTuple):
    """What the command line says, read before any mathematics (and before the worker)."""

    arguments: list[str]
    vars_text: str | None
    stdin: str | None  # the text of '-', read here: the worker has no stdin of its own
    limits: Any


def _option_typos(arguments: Sequence[str], vars_text: str | None) -> None:
    """An argument shaped like an option that isn't one is a typo, not a component.

    Commands accept unknown options as arguments so that a component may start with a
    minus (`-x^2 + y`); but `-v x,y` for `--vars x,y` would silently become the function
    -v. So `-name` is a component only when the name is a variable or occurs in another
    argument (`-y` beside `x*y`); otherwise it is written `(-v)`.
    """
    import difflib
    import re

    from typer._click.globals import get_current_context

    for argument in arguments:
        m = re.fullmatch(r"(--?)([A-Za-z][\w-]*)(=.*)?", argument, re.DOTALL)
        if m is None:
            continue
        dashes, name = m.group(1), m.group(2)
        if dashes == "-" and m.group(3) is None:
            others = [a for a in arguments if a is not argument] + [vars_text or ""]
            if any(name in re.findall(r"[^\W\d]\w*", text) for text in others):
                continue
        params = get_current_context().command.params
        options = sorted(o for p in params for o in p.opts + p.secondary_opts if o[:2] == "--")
        if dashes == "--":
            close = difflib.get_close_matches("--" + name, options, n=1, cutoff=0.6)
        else:
            close = [o for o in options if o[2:].startswith(name)][:1]
        hint = f"; did you mean {close[0]}?" if close else ""
        if dashes == "-":
            hint += f" (for the function -{name}, write (-{name}))"
        raise UsageError(f"no such option: {dashes}{name}{hint}")


def _request(arguments: list[str], vars_text: str | None, quiet: bool = False) -> Request:
    from jaccli.parse import limits_from_env

    _option_typos(arguments, vars_text)
    limits = limits_from_env(os.environ)
    stdin = _read_stdin(limits.input, quiet) if "-" in arguments else None
    return Request(arguments, vars_text, stdin, limits)


class Problem(NamedTuple):
    functions: list[Any]
    variables: list[Any] | None  # None: jac infers them
    size: int  # characters of input, to decide on a progress bar
    parsed: list[Any]  # the functions as typed, to check them at a point
    limits: Any


def _problem(request: Request, notes: list[str]) -> Problem:
    """Parse the functions and --vars, within the input limits; warnings go to `notes`."""
    from jaccli import _symengine
    from jaccli.parse import (
        build,
        confusable_letters,
        make_symbol,
        parse_variables,
        read_functions,
        suspicious_names,
    )

    _symengine.load()
    arguments, vars_text, stdin, limits = request
    names = parse_variables(vars_text) if vars_text is not None else ()
    unread = [stdin or ""]  # a second '-' finds stdin at its end, as a second read would
    parsed = read_functions(arguments, names, lambda: unread.pop() if unread else "", limits)
    texts = [a for a in arguments if a != "-"] + ([stdin] if stdin else [])
    notes += [f"warning: {w}" for w in confusable_letters([*texts, vars_text or ""])]
    declared = names if vars_text is not None else None
    notes += [f"warning: {w}" for w in suspicious_names(parsed, declared)]
    variables = [make_symbol(n) for n in names] if vars_text is not None else None
    size = sum(len(t) for t in texts)
    functions = build(parsed, limits)
    if variables is not None:
        notes += _unused_variables(variables, functions, parsed)
    return Problem(functions, variables, size, parsed, limits)


def _unused_variables(
    variables: Sequence[Any], functions: Sequence[Any], parsed: Sequence[Any]
) -> list[str]:
    """A warning for --vars names that occur in no function: a typo, or a column of zeros.

    A name that was typed but cancels (x/x) is not one: its zero column is the answer.
    """
    from jaccli.parse import typed_names

    used: set[Any] = set()
    for f in functions:
        used |= f.free_symbols
    unused = [v.name for v in variables if v not in used]
    if unused:  # rare, so the trees are walked again only then
        typed = typed_names(parsed)
        unused = [name for name in unused if name not in typed]
    if not unused:
        return []
    names = ", ".join(unused[:20]) + (f" and {len(unused) - 20} more" if len(unused) > 20 else "")
    if len(unused) == len(variables):
        what = f"no function depends on --vars {names}: every entry is 0"
    elif len(unused) == 1:
        what = f"no function depends on {names}: its column is 0"
    else:
        what = f"no function depends on {names}: their columns are 0"
    return [f"warning: {what} (a typo?)"]


def _point(text: str, problem: Problem, notes: list[str]) -> dict[Any, Any]:
    """--at as {symbol: exact value}, after checking that F as typed is defined there."""
    from jaccli.parse import build, confusable_letters, make_symbol, parse_point

    values = parse_point(text, [v.name for v in problem.variables or ()], problem.limits)
    notes += [f"warning: {w}" for w in confusable_letters([text])]
    build(problem.parsed, problem.limits, values)  # raises, with a caret, for x/x at x=0
    return {make_symbol(name): value for name, value in values.items()}


def _joined(at: list[str] | None) -> str | None:
    """Every --at as one point: `--at x=1 --at y=2` is `x=1,y=2`; a name twice is an error."""
    return ",".join(at) if at else None


class Output(NamedTuple):
    text: str  # for stdout, ending with a newline
    notes: tuple[str, ...]  # for stderr: warnings, the inferred order of variables
    error: JacError | None = None


class Settings(NamedTuple):
    """The options every command shares, after parsing."""

    fmt: Format | None
    render: Any  # RenderOptions
    budget: Any  # budget.Budget
    quiet: bool
    color: Color


def _settings(
    fmt: Format | None,
    latex_env: LatexEnv,
    latex_style: LatexStyle,
    standalone: bool,
    timeout: str,
    max_memory: str,
    quiet: bool,
    color: Color,
) -> Settings:
    from jaccli import budget
    from jaccli.render import RenderOptions

    if standalone and fmt is not Format.latex:
        raise UsageError("--standalone makes a LaTeX document: add --format latex")
    timeout_s = _from_option("timeout", budget.parse_timeout, timeout)
    memory = _from_option("max_memory", budget.parse_memory, max_memory)
    limits = budget.Budget(timeout_s, memory)
    options = RenderOptions(latex_env, latex_style, standalone)
    return Settings(fmt, options, limits, quiet, color)


def _from_option(name: str, parse: Callable[[str], Any], text: str) -> Any:
    """`parse(text)`; its error names the environment variable when the value came from there."""
    from typer._click.globals import get_current_context

    try:
        return parse(text)
    except UsageError as e:
        ctx = get_current_context(silent=True)
        param = next((p for p in ctx.command.params if p.name == name), None) if ctx else None
        where = _from_environment(ctx, param) if param else None
        if param is None or where is None:
            raise
        raise UsageError(e.message.replace(param.opts[0], where, 1), e.location) from None


def _solve(compute: Callable[[list[str]], Any], settings: Settings) -> None:
    """Parse, compute and render in the budgeted worker, then print here."""
    from jaccli import budget

    terminal = sys.stdout.isatty()  # decided here: the worker's stdout is not ours
    chosen = settings.fmt or (Format.table if terminal else Format.plain)
    if chosen in (Format.csv, Format.tsv):
        raise UsageError(f"--format {chosen.value} is only for eval --points")
    colour = {Color.always: True, Color.never: False}.get(settings.color, terminal)
    width = shutil.get_terminal_size().columns if terminal else None

    def work() -> Output:
        notes: list[str] = []
        try:
            result = compute(notes)
            if result.variables_inferred:
                names = ", ".join(v.name for v in result.variables)
                notes.append(f"variables in this order: {names} (choose with --vars)")
            text = _render(result, chosen, settings, colour, width)
            return Output(text, () if settings.quiet else tuple(notes))
        except JacError as e:  # the warnings before it still matter (a Cyrillic х ...)
            return Output("", () if settings.quiet else tuple(notes), e)

    # With a real stdout the worker writes the output itself: no copy through the pipe.
    output = budget.run(work, settings.budget, _deliver if _has_fd(sys.stdout) else None)
    _print(output, sys.stdout)


def _print(output: Output, stdout: Any) -> Output:
    """Notes to stderr, then the output (or the error): what is left to print of `output`."""
    for note in output.notes:
        sys.stderr.write(f"jac: {note}\n")
    sys.stderr.flush()
    if output.error is not None:
        raise output.error
    try:
        stdout.write(output.text if isinstance(stdout, io.TextIOBase) else output.text.encode())
        stdout.flush()
    except BrokenPipeError:  # `jac ... | head -3`: the reader has all it wanted
        pass
    return Output("", ())


def _deliver(output: Output, stdout: BinaryIO) -> Output:
    """In the worker, once the computation is done: print the output there."""
    return output if output.error is not None else _print(output, stdout)


def _has_fd(stream: Any) -> bool:
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return False
    return True


def _render(result: Any, fmt: Format, settings: Settings, colour: bool, width: int | None) -> str:
    from jaccli.render import render

    out = render(result, fmt, settings.render)
    if not isinstance(out, str):
        from rich.console import Console

        # Rendered for the real stdout's width, captured as text; a StringIO stands in for
        # stdout so that only --color (and FORCE_COLOR, NO_COLOR) decide on colour.
        console = Console(
            file=io.StringIO(),
            soft_wrap=False,
            force_terminal=colour or None,
            color_system="auto" if colour or settings.color is Color.auto else None,
            width=width,
        )
        with console.capture() as captured:
            console.print(out, crop=False)  # a long entry is wrapped, never cut off
        out = captured.get()
    return out if out.endswith("\n") else out + "\n"


def _solve_at(
    method: Callable[..., Any],
    request: Request,
    at: str,
    digits: int | None,
    simplify: bool | None,
    settings: Settings,
) -> None:
    """eval and linearize: `method(F, x, a)` at the point given by --at."""

    def compute(notes: list[str]) -> Any:
        p = _problem(request, notes)
        point = _point(at, p, notes)
        return method(p.functions, p.variables, point, digits=digits, simplify=bool(simplify))

    _solve(compute, settings)


# --------------------------------------------------------------------------- many points


def _solve_points(
    request: Request,
    at: str | None,
    path: str,
    with_value: bool,
    settings: Settings,
    on_error: OnError = OnError.stop,
) -> None:
    """eval --points: J at every point of a file, streamed through in chunks.

    Whatever was computed before an error (a bad row, a file that turns out not to be
    text) is written before the error is raised: rows before a bad row are never lost.
    """
    from jaccli import budget

    if path == "-" and request.stdin is not None:
        raise UsageError("--points - and the functions cannot both come from stdin")
    if settings.fmt is not None and settings.fmt not in POINT_FORMATS:
        formats = ", ".join(f.value for f in POINT_FORMATS)
        raise UsageError(f"--points writes {formats}, not {settings.fmt.value}")
    # Anything readable will do (/dev/null, a pipe such as <(cmd), a FIFO), but a directory
    # or a path that is not there is caught now, before J is compiled.
    if path != "-" and os.path.isdir(path):
        raise UsageError(f"--points {path}: a directory, not a file of points")
    if path != "-" and not os.path.exists(path):
        raise UsageError(f"--points {path}: no such file")
    if path != "-" and not os.access(path, os.R_OK):
        raise UsageError(f"--points {path}: cannot be read (permission denied)")
    skip = on_error is OnError.skip

    def work() -> Any:
        notes: list[str] = []
        try:
            return _compile_points(request, at, with_value, notes), tuple(notes), None
        except JacError as e:
            return None, tuple(notes), e

    def deliver(compiled: Any, stdout: BinaryIO) -> Output:
        plan, notes, error = compiled
        if error is not None:
            return Output("", () if settings.quiet else notes, error)
        try:
            more, error = _stream_points(plan, path, settings.fmt, skip, stdout)
        except JacError as e:
            return Output("", () if settings.quiet else notes, e)
        return Output("", () if settings.quiet else (*notes, *more), error)

    def whole() -> Output:  # no file descriptor to stream to (a test runner): return text
        buffer = io.BytesIO()
        return deliver(work(), buffer)._replace(text=buffer.getvalue().decode())

    if _has_fd(sys.stdout):
        output = budget.run(work, settings.budget, deliver)
    else:
        output = budget.run(whole, settings.budget)
    _print(output._replace(error=None), sys.stdout)  # the points before an error, then it
    if output.error is not None:
        raise output.error


def _compile_points(request: Request, at: str | None, with_value: bool, notes: list[str]) -> Any:
    from jaccli import engine
    from jaccli.batch import stream

    p = _problem(request, notes)
    variables, inferred = engine.resolve_variables(p.functions, p.variables)
    if inferred:
        names = ", ".join(v.name for v in variables)
        notes.append(f"variables in this order: {names} (choose with --vars)")
    constants = _point(at, p._replace(variables=list(variables)), notes) if at else {}
    return stream.plan(p.functions, variables, p.parsed, constants, with_value)


def _stream_points(
    plan: Any, path: str, fmt: Format | None, skip: bool, stdout: BinaryIO
) -> tuple[list[str], JacError | None]:
    """Notes for stderr, and the error that stopped the stream after what came before it."""
    from jaccli.batch import stream

    if path == "-":  # bytes: jac decodes them itself, whatever the locale says
        source: BinaryIO = sys.stdin.buffer
    else:
        try:
            source = open(path, "rb")  # noqa: SIM115
        except OSError as e:
            raise UsageError(f"--points {path}: cannot be read ({e.strerror})") from None
    try:
        name = "stdin" if path == "-" else path
        return stream.stream(plan, source, name, fmt and fmt.value, stdout, skip)
    except BrokenPipeError:  # the reader has all it wanted
        return [], None
    finally:
        if path != "-":
            source.close()


# --------------------------------------------------------------------------- commands


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"jac {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    pass


@app.command(context_settings=_COMMAND_SETTINGS)
def jacobian(
    functions: FunctionsArg,
    vars_: VarsOpt = None,
    simplify: SimplifyOpt = None,
    fmt: FormatOpt = None,
    latex_env: LatexEnvOpt = LatexEnv.bmatrix,
    latex_style: LatexStyleOpt = LatexStyle.display,
    standalone: StandaloneOpt = False,
    timeout: TimeoutOpt = "60",
    max_memory: MemoryOpt = "4G",
    quiet: QuietOpt = False,
    color: ColorOpt = Color.auto,
    debug: DebugOpt = False,
) -> None:
    """The Jacobian matrix: row i, column j holds ∂F_i/∂x_j, as differentiated.

    \b
      jac jacobian "x+y, x*y" --vars x,y
      jac jacobian "x^2+y*z, sin(x*y), e^(x+z)" --vars x,y,z --format latex
      seq 1 3 | sed 's/.*/x^&/' | jac jacobian - --vars x
    """
    from jaccli import engine

    settings = _settings(fmt, latex_env, latex_style, standalone, timeout, max_memory, quiet, color)
    request = _request(functions, vars_, quiet)

    def compute(notes: list[str]) -> engine.JacobianResult:
        p = _problem(request, notes)
        size = 0 if quiet else p.size
        with _progress("differentiating", len(p.functions), size) as advance:
            return engine.jacobian(
                p.functions, p.variables, simplify=bool(simplify), progress=advance
            )

    _solve(compute, settings)


@app.command(context_settings=_COMMAND_SETTINGS)
def det(
    functions: FunctionsArg,
    vars_: VarsOpt = None,
    at: OptionalAtOpt = None,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
    fmt: FormatOpt = None,
    latex_env: LatexEnvOpt = LatexEnv.bmatrix,
    latex_style: LatexStyleOpt = LatexStyle.display,
    standalone: StandaloneOpt = False,
    timeout: TimeoutOpt = "60",
    max_memory: MemoryOpt = "4G",
    quiet: QuietOpt = False,
    color: ColorOpt = Color.auto,
    debug: DebugOpt = False,
) -> None:
    """The Jacobian determinant det J, simplified; or its value with --at.

    The Jacobian must be square. Its sign depends on the order of the variables,
    which --vars fixes.

    \b
      jac det "r*cos(t), r*sin(t)" --vars r,t
      jac det "x+y, x*y" --vars x,y --at x=-1,y=2
    """
    from jaccli import engine

    settings = _settings(fmt, latex_env, latex_style, standalone, timeout, max_memory, quiet, color)
    request = _request(functions, vars_, quiet)

    def compute(notes: list[str]) -> engine.DeterminantResult:
        p = _problem(request, notes)
        point = _point(",".join(at), p, notes) if at else None
        return engine.determinant(
            p.functions, p.variables, point=point, simplify=simplify is not False, digits=digits
        )

    _solve(compute, settings)


@app.command(name="eval", context_settings=_COMMAND_SETTINGS)
def eval_(
    functions: FunctionsArg,
    at: EvalAtOpt = None,
    points: PointsOpt = None,
    with_value: WithValueOpt = False,
    on_error: OnErrorOpt = OnError.stop,
    vars_: VarsOpt = None,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
    fmt: FormatOpt = None,
    latex_env: LatexEnvOpt = LatexEnv.bmatrix,
    latex_style: LatexStyleOpt = LatexStyle.display,
    standalone: StandaloneOpt = False,
    timeout: TimeoutOpt = "60",
    max_memory: MemoryOpt = "4G",
    quiet: QuietOpt = False,
    color: ColorOpt = Color.auto,
    debug: DebugOpt = False,
) -> None:
    """The Jacobian at a point: exact (0.1 means 1/10), or --digits N significant digits.

    Symbols that are neither variables nor given in --at stay symbolic. With
    --points FILE, J at every point of a CSV, TSV, JSON Lines or JSON array file,
    in double precision, one record per point (--at then gives parameters). A row
    that cannot be read stops the run after the rows before it are written (exit
    2), or with --on-error skip is written as nan (null in JSON) with a warning.

    \b
      jac eval "x+y, x*y" --vars x,y --at x=-1,y=2
      jac eval "sin(x*y)" --vars x,y --at x=pi/3,y=1 --digits 6
      jac eval "x^2+y, x*y" --vars x,y --points trajectory.csv > jacobians.csv
    """
    from jaccli import engine

    settings = _settings(fmt, latex_env, latex_style, standalone, timeout, max_memory, quiet, color)
    request = _request(functions, vars_, quiet)
    if points is not None:
        if digits is not None or simplify:
            raise UsageError("--points computes in double precision: no --digits or --simplify")
        _solve_points(request, _joined(at), points, with_value, settings, on_error)
        return
    if not at:
        raise UsageError("eval needs --at x=1,y=2 (one point) or --points FILE (many)")
    if with_value:
        raise UsageError("--with-value is for --points; at one point, linearize shows F(a)")
    if on_error is OnError.skip:
        raise UsageError("--on-error is for --points: at one point, an error is the answer")

    _solve_at(engine.evaluate, request, ",".join(at), digits, simplify, settings)


@app.command(context_settings=_COMMAND_SETTINGS)
def linearize(
    functions: FunctionsArg,
    at: AtOpt,
    vars_: VarsOpt = None,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
    fmt: FormatOpt = None,
    latex_env: LatexEnvOpt = LatexEnv.bmatrix,
    latex_style: LatexStyleOpt = LatexStyle.display,
    standalone: StandaloneOpt = False,
    timeout: TimeoutOpt = "60",
    max_memory: MemoryOpt = "4G",
    quiet: QuietOpt = False,
    color: ColorOpt = Color.auto,
    debug: DebugOpt = False,
) -> None:
    """The linearization L(x) = F(a) + J(a)(x − a) at the point a given by --at.

    Shows F(a), J(a) and L; plain output is L alone, one component a line.

    \b
      jac linearize "x^2+y, x*y" --vars x,y --at x=1,y=2
    """
    from jaccli import engine

    settings = _settings(fmt, latex_env, latex_style, standalone, timeout, max_memory, quiet, color)
    request = _request(functions, vars_, quiet)

    _solve_at(engine.linearize, request, ",".join(at), digits, simplify, settings)


@app.command()
def schema(
    command: Annotated[
        SchemaName, typer.Argument(help="The command whose JSON output to describe.")
    ],
) -> None:
    """The JSON Schema of what --format json prints, for scripts that read it.

    "points" is the schema of one record of eval --points (JSON Lines or JSON).

    \b
      jac schema eval > eval.schema.json
    """
    from importlib.resources import files

    text = files("jaccli.schemas").joinpath(f"{command.value}.schema.json").read_text("utf-8")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="jac")
