"""Options every command shares, declared once, and the one typed `Settings` they become.

A command module declares only its own options. `@problem_command` adds F, --vars and the
output and budget options to its signature (Typer reads `__signature__`), checks them, and
calls the command with a `Settings`; tests/test_wiring.py pins the merged signatures down.
"""

from __future__ import annotations

import functools
import inspect
import os
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from jaccli.errors import UsageError
from jaccli.render import Format, LatexEnv, LatexStyle

if TYPE_CHECKING:
    from jaccli.budget import Budget
    from jaccli.parse import Limits
    from jaccli.problem import Problem
    from jaccli.render import RenderOptions

# How the CLI names the inputs that library messages leave open ({vars}, {at}: jaccli.errors).
CLI_NAMES = {
    "vars": "--vars",
    "shape": "--shape",
    "abstract": "--functions",
    "at": "--at",
    "digits": "--digits",
    "simplify": "--simplify",
    "points": "--points",
    "dask": "--dask",
    "output": "--output",
    "dir": "--dir",
    "cot": "--cot",
    "constraints": "--constraints",
    "of": "--of",
    "of_vars": "--of-vars",
    "box": "--box",
    "name": "--name",
    "det": "det --points",
    "sparse": "--sparse",
    "timeout": "--timeout",
    "max_memory": "--max-memory",
    "timeout_raise": "--timeout or JAC_TIMEOUT",
    "max_memory_raise": "--max-memory or JAC_MAX_MEMORY",
}


# --------------------------------------------------------------------------- declared once


def option(*names: str, help: str, shown: bool = False, **more: Any) -> Any:
    """typer.Option as jac declares them: no default in --help unless `shown`."""
    return typer.Option(*names, help=help, show_default=shown, **more)


# Optional[...]: Typer reads the annotations at run time, and on Python 3.10 (supported
# until SymEngine 0.15) `X | None` there was not a type Typer knew; kept, with ruff's UP045
# silenced, as it reads the same.
FunctionsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="F...",
        help="Components of F: one argument 'x+y, x*y', several arguments, or - for stdin.",
        show_default=False,
    ),
]
_VARS_HELP = (
    "Variables in column order: x,y,z; ranges u0..u99 (natural order); @FILE or @- (stdin) "
    "for names separated by commas or newlines. Default: every symbol, in natural order."
)
VarsOpt = Annotated[Optional[str], option("--vars", metavar="x,y,...", help=_VARS_HELP)]  # noqa: UP045
_SHAPE_HELP = (
    "Vectors and matrices: W=3x2,b=3,x=2 (every other name is a scalar). "
    "A shaped variable stands for its entries x[1], W[1,2], row by row."
)
ShapeOpt = Annotated[Optional[str], option("--shape", metavar="x=2,W=3x2", help=_SHAPE_HELP)]  # noqa: UP045
_ABSTRACT_HELP = "Functions with no formula, such as g,h: g(u) differentiates to g'(u)."
AbstractOpt = Annotated[
    Optional[str],  # noqa: UP045
    option("--functions", metavar="g,h", help=_ABSTRACT_HELP),
]
FormatOpt = Annotated[
    Optional[Format],  # noqa: UP045
    option(
        "--format",
        envvar="JAC_FORMAT",
        case_sensitive=False,
        help="Output format. Default: table on a terminal, plain in a pipe.",
    ),
]
SimplifyOpt = Annotated[
    Optional[bool],  # noqa: UP045
    option("--simplify/--no-simplify", help="Simplify the entries (default: only for det)."),
]
# Given twice, `--at x=1 --at y=2` is `--at x=1,y=2` (a name twice is an error).
_AT_HELP = "The point: a value for every variable, and optionally for parameters."
AtOpt = Annotated[Optional[list[str]], option("--at", metavar="x=1,y=2", help=_AT_HELP)]  # noqa: UP045
_DIGITS_HELP = "Round to this many significant digits (default: exact)."
DigitsOpt = Annotated[Optional[int], option("--digits", min=1, max=10000, help=_DIGITS_HELP)]  # noqa: UP045
LatexEnvOpt = Annotated[
    LatexEnv, option("--latex-env", help="Matrix environment for --format latex.", shown=True)
]
LatexStyleOpt = Annotated[
    LatexStyle,
    option(
        "--latex-style",
        help="Math delimiters for --format latex: display \\[...\\], inline $...$, or bare.",
        shown=True,
    ),
]
StandaloneOpt = Annotated[
    bool,
    option(
        "--standalone", help="With --format latex: a complete document for pdflatex.", shown=True
    ),
]
TimeoutOpt = Annotated[
    str,
    option(
        "--timeout",
        envvar="JAC_TIMEOUT",
        metavar="SECONDS",
        help="Stop the computation after this long (0: no limit).",
        shown=True,
    ),
]
MemoryOpt = Annotated[
    str,
    option(
        "--max-memory",
        envvar="JAC_MAX_MEMORY",
        metavar="SIZE",
        help="Stop the computation if it needs more memory than this, e.g. 512M (0: no limit).",
        shown=True,
    ),
]
_CHECK_HELP = (
    "Compare the result with finite differences of F (a complex step where F is analytic) "
    "at --at or at 3 random points, and print the largest relative error; exit 1 if an "
    "entry is off by more than 1e-8."
)
CheckOpt = Annotated[bool, option("--check", help=_CHECK_HELP, shown=True)]
_SPARSE_HELP = (
    "Write a matrix as its non-zero entries only: i<TAB>j<TAB>entry lines (1-based) in plain, "
    "[i, j, entry] in JSON; with --points, only J's non-zero columns. For big, mostly-zero "
    "results (J of 10^5 unknowns); --format mtx is Matrix Market."
)
SparseOpt = Annotated[bool, option("--sparse", help=_SPARSE_HELP, shown=True)]
_QUIET_HELP = "Print results and errors only: no notes or warnings."
QuietOpt = Annotated[bool, option("--quiet", "-q", help=_QUIET_HELP, shown=True)]


class Color(str, Enum):
    """When tables are coloured (Rich also honours NO_COLOR, FORCE_COLOR and TERM=dumb)."""

    auto = "auto"
    always = "always"
    never = "never"


_COLOR_HELP = "Colour in tables: auto (on a terminal, unless NO_COLOR is set), always or never."
ColorOpt = Annotated[Color, option("--color", case_sensitive=False, help=_COLOR_HELP, shown=True)]
_DEBUG_HELP = "Show a Python traceback on errors (for bug reports)."
DebugOpt = Annotated[bool, option("--debug", help=_DEBUG_HELP, shown=True)]


def _keyword(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> Any:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


# Every command that reads F takes F and --vars first, then its own options, then these.
PROBLEM = (
    _keyword("functions", FunctionsArg),
    _keyword("vars_", VarsOpt, None),
    _keyword("shape", ShapeOpt, None),
    _keyword("abstract", AbstractOpt, None),
)
SHARED = (
    _keyword("fmt", FormatOpt, None),
    _keyword("latex_env", LatexEnvOpt, LatexEnv.bmatrix),
    _keyword("latex_style", LatexStyleOpt, LatexStyle.display),
    _keyword("standalone", StandaloneOpt, False),
    _keyword("sparse", SparseOpt, False),
    _keyword("timeout", TimeoutOpt, "60"),
    _keyword("max_memory", MemoryOpt, "4G"),
    _keyword("check", CheckOpt, False),
    _keyword("quiet", QuietOpt, False),
    _keyword("color", ColorOpt, Color.auto),
    _keyword("debug", DebugOpt, False),
)


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    """Everything the shared options say, checked, and F as typed."""

    command: str  # its name in COMMANDS
    functions: tuple[str, ...]
    vars_text: str | None
    shapes_text: str | None
    abstract_text: str | None
    limits: Limits
    fmt: Format | None
    render: RenderOptions
    budget: Budget
    quiet: bool
    color: Color
    debug: bool
    stdin: str | None = None  # the text of '-', once read (jaccli.cli.run.with_stdin)
    check: bool = False  # --check: compare the result with finite differences of F

    def problem(self, progress: Callable[[int], None] | None = None) -> Problem:
        """F read and checked; `progress` is told of lines read (a progress bar)."""
        from jaccli import problem

        return problem.read(
            self.functions,
            self.vars_text,
            stdin=self.stdin,
            limits=self.limits,
            shapes=self.shapes_text,
            abstract=self.abstract_text,
            progress=progress,
        )


def problem_command(command: Callable[..., None]) -> Callable[..., None]:
    """`command(settings, **own_options)` as a Typer command taking F and the shared options."""
    hints = typing.get_type_hints(command, include_extras=True)
    own = [
        _keyword(p.name, hints[p.name], p.default)
        for p in inspect.signature(command).parameters.values()
        if p.name != "settings"
    ]
    context = _keyword("ctx", typer.Context)
    params = [context, *PROBLEM, *own, *SHARED]

    @functools.wraps(command)
    def run(**given: Any) -> None:
        shared = {p.name: given.pop(p.name) for p in SHARED}
        try:
            ctx, functions, vars_ = given.pop("ctx"), given.pop("functions"), given.pop("vars_")
            declared = {"shape": given.pop("shape"), "abstract": given.pop("abstract")}
            if shared["check"] and given.get("points") is not None:
                raise UsageError(
                    "--check compares one result with finite differences: with --points, "
                    "check a point of the file with --at x=...,y=... --check"
                )
            settings = _settings(ctx, functions, vars_=vars_, **declared, **shared)
            command(settings, **given)
        except BaseException as e:
            if shared["debug"]:
                setattr(e, "jac_debug", True)  # noqa: B010  (read by the app's error handler)
            raise

    run.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params}
    return run


def _settings(
    ctx: typer.Context,
    functions: list[str],
    *,
    vars_: str | None,
    shape: str | None,
    abstract: str | None,
    fmt: Format | None,
    latex_env: LatexEnv,
    latex_style: LatexStyle,
    standalone: bool,
    sparse: bool,
    timeout: str,
    max_memory: str,
    check: bool,
    quiet: bool,
    color: Color,
    debug: bool,
) -> Settings:
    from jaccli import budget
    from jaccli.parse import limits_from_env
    from jaccli.render import RenderOptions

    if standalone and fmt is not Format.latex:
        raise UsageError("--standalone makes a LaTeX document: add --format latex")
    seconds = _from_option(ctx, "timeout", budget.parse_timeout, timeout)
    memory = _from_option(ctx, "max_memory", budget.parse_memory, max_memory)
    _option_typos(ctx, functions, vars_)
    limits = limits_from_env(os.environ)
    if vars_ is not None and vars_.startswith("@"):
        vars_ = _vars_file(ctx, functions, vars_, limits.input, quiet)
    return Settings(
        command=ctx.info_name or "",
        functions=tuple(f[1:] if f.startswith(" -") else f for f in functions),  # app.py
        vars_text=vars_,
        shapes_text=shape,
        abstract_text=abstract,
        limits=limits,
        fmt=fmt,
        render=RenderOptions(latex_env, latex_style, standalone, sparse=sparse),
        budget=budget.Budget(seconds, memory),
        quiet=quiet,
        color=color,
        debug=debug,
        check=check,
    )


T = typing.TypeVar("T")


def _from_option(ctx: typer.Context, name: str, parse: Callable[[str], T], text: str) -> T:
    """`parse(text)`; its error names the environment variable when the value came from there."""
    from jaccli.cli.app import from_environment

    try:
        return parse(text)
    except UsageError as e:
        where = from_environment(ctx, name)
        if where is None:
            raise
        raise UsageError(e.worded({**CLI_NAMES, name: where}), e.location) from None


def _vars_file(
    ctx: typer.Context, functions: Sequence[str], spec: str, limit: int, quiet: bool
) -> str:
    """--vars @FILE (or @- when stdin is not already F's or --points')."""
    taken = "the functions" if "-" in functions else None
    if ctx.params.get("points") == "-":
        taken = "--points -"
    return names_option("--vars", spec, limit, quiet, taken)


def names_option(option: str, spec: str, limit: int, quiet: bool, taken: str | None) -> str:
    """The names `@FILE` (or `@-`) stands for in `option` (--vars, --of-vars); `taken` says
    what already reads stdin, if anything."""
    from jaccli.cli.run import read_stdin
    from jaccli.cli.vars_file import names_text

    stdin = None
    if spec == "@-":
        if taken is not None:
            raise UsageError(f"{option} @- and {taken} cannot both come from stdin")
        stdin = read_stdin(limit, quiet, "variable names")
    try:
        return names_text(spec, limit, stdin)
    except UsageError as e:
        if option == "--vars":
            raise
        where = e.location and e.location._replace(where=option + e.location.where[6:])
        raise type(e)(e.worded({**CLI_NAMES, "vars": option}), where) from None


def _option_typos(ctx: typer.Context, arguments: Sequence[str], vars_text: str | None) -> None:
    """An argument shaped like an option that isn't one is a typo, not a component.

    Commands accept unknown options as arguments so that a component may start with a
    minus (`-x^2 + y`); but `-v x,y` for `--vars x,y` would silently become the function
    -v. So `-name` is a component only when the name is a variable or occurs in another
    argument (`-y` beside `x*y`); otherwise it is written `(-v)`.
    """
    import difflib
    import re

    for argument in arguments:  # with the space jaccli.cli.app puts before `-name`
        m = re.fullmatch(r" ?(--?)([A-Za-z][\w-]*)(=.*)?", argument, re.DOTALL)
        if m is None:
            continue
        dashes, name = m.group(1), m.group(2)
        if dashes == "-" and m.group(3) is None:
            others = [a for a in arguments if a is not argument] + [vars_text or ""]
            if any(name in re.findall(r"[^\W\d]\w*", text) for text in others):
                continue
        params = ctx.command.params
        if any(f"{dashes}{name}" in p.opts + p.secondary_opts for p in params):
            # Click reads an option of this command as one, unless it comes after "--"
            raise UsageError(
                f"{dashes}{name} comes after '--', which makes every argument after it a "
                "component of F: put the options before '--'"
            )
        options = sorted(o for p in params for o in p.opts + p.secondary_opts if o[:2] == "--")
        if dashes == "--":
            close = difflib.get_close_matches("--" + name, options, n=1, cutoff=0.6)
        else:
            close = [o for o in options if o[2:].startswith(name)][:1]
        hint = f"; did you mean {close[0]}?" if close else ""
        if dashes == "-":
            hint += f" (for the function -{name}, write (-{name}))"
        raise UsageError(f"no such option: {dashes}{name}{hint}")
