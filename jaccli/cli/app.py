"""The Typer app: the one error handler, the exit codes, and every private Typer import.

Typer vendors Click as `typer._click` (every release jac allows, 0.26 to 0.28, does) and no
longer installs Click itself. Only this module reaches into it, so that leaving Typer
one day means rewriting one module (huggingface_hub left it for this reason).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator, MutableMapping, Sequence
from enum import IntEnum
from importlib import import_module
from typing import Annotated, Any

import typer
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

from jaccli import __version__
from jaccli.cli.commands import COMMANDS
from jaccli.cli.options import CLI_NAMES
from jaccli.errors import JacError, LimitError, MathError, UsageError, WorkerCrash


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
    """Click's message on one line, and a bad value names where it came from: the option or
    its variable."""
    ctx, param = getattr(error, "ctx", None), getattr(error, "param", None)
    bad_value = isinstance(error, click_exceptions.BadParameter) and not isinstance(
        error, click_exceptions.MissingParameter
    )
    if not bad_value or ctx is None or param is None:
        # One line: Click lists a missing choice's values one per line (`jac schema`)
        return " ".join(str(error.format_message()).split())
    options = param.opts if param.param_type_name == "option" else ()
    where = from_environment(ctx, param) or "/".join(options) or param.human_readable_name.upper()
    return f"invalid value for {where}: {error.message}"


def from_environment(ctx: Any, param: Any) -> str | None:
    """Where a parameter's value came from (it or its name), when that was its variable."""
    from typer._click.core import ParameterSource

    if isinstance(param, str):
        param = next((p for p in ctx.command.params if p.name == param), None)
    if param is None or param.name is None:
        return None
    if ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT and param.envvar:
        return f"the environment variable {param.envvar}"
    return None


def _unclustered(argument: str) -> str:
    """`-sq*x^2` with a space in front, so that Click reads it as an argument.

    Commands accept unknown options as arguments, for components such as `-x^2 + y`; but
    Click reads `-sq*x^2` as a cluster of short options, takes out the ones it knows (-q, -h)
    and passes on `-s*x^2`: a wrong answer with exit 0, or help instead of the answer for
    `-tanh(x)`. jac has no clusters of short options, so any argument of three characters or
    more that starts with one '-' is text; the parsers skip the space, and
    jaccli.cli.options still tells `-vars` (a typo for --vars) from a component.
    """
    if len(argument) >= 3 and argument[0] == "-" and argument[1] != "-":
        return " " + argument
    return argument


def _debugging(error: BaseException) -> bool:
    """--debug (marked on the error by the command, jaccli.cli.options) or JAC_DEBUG."""
    return bool(getattr(error, "jac_debug", False) or os.environ.get("JAC_DEBUG"))


class _Commands(MutableMapping[str, Any]):
    """The group's commands by name, each made when first asked for (`_command`).

    At every start Typer turns each command's signature into Click options and the command
    modules import: about 30 ms for all 15, a quarter of a small call or of a TAB. So `jac
    NAME ...` makes only NAME's, and completing `jac ja<TAB>` only those starting "ja"; the
    names (in the table's order, for help, completion and "did you mean") come from
    COMMANDS without making any. Help of the whole app makes them all.
    """

    def __init__(self) -> None:
        self.rows = {row.name: row for row in COMMANDS}
        self.made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        command = self.made.get(name)
        if command is None:
            command = self.made[name] = _command(self.rows[name])  # KeyError: no such command
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        if name not in self.rows:
            raise KeyError(f"{name}: jac's commands are its COMMANDS table")
        self.made[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("jac's commands are its COMMANDS table")

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _command(row: Any) -> Any:
    """The Click command of a row of COMMANDS, as Typer makes it for a registered command."""
    from typer.main import get_command_from_info

    function = getattr(import_module(row.module), row.function)
    # Components starting with '-' (such as "-x^2 + y") are functions, not options: commands
    # that read F accept unknown options as arguments (jaccli.cli.options tells typos apart).
    settings = {"ignore_unknown_options": True} if row.reads_functions else None
    one = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
    one.command(name=row.name, context_settings=settings)(function)
    info = one.registered_commands[0]
    return get_command_from_info(
        info, pretty_exceptions_short=one.pretty_exceptions_short, rich_markup_mode=None
    )


class JacGroup(TyperGroup):
    """Runs the app and turns every failure into a message on stderr and an exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("commands"):
            raise TypeError("jac's commands are its COMMANDS table, made when used")
        super().__init__(*args, **kwargs)
        self.commands = _Commands()

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names only: TyperGroup's would make every command

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = [_unclustered(a) for a in (sys.argv[1:] if args is None else args)]
        # Exact results can be long integers (2^2^2^2^2 has 19,729 digits); jac's parser
        # bounds number sizes itself, so Python's 4300-digit str() guard only gets in the way.
        if hasattr(sys, "set_int_max_str_digits"):
            sys.set_int_max_str_digits(0)
        try:
            rv = super().main(argv, prog_name or "jac", complete_var, False, **extra)
            code = int(rv) if isinstance(rv, int) else ExitCode.OK
            if code == ExitCode.INTERRUPTED:  # Typer turns KeyboardInterrupt into Exit(130)
                sys.stderr.write("\njac: interrupted\n")
        except JacError as e:
            from jaccli.parse import format_error

            if _debugging(e):
                traceback.print_exc()
                sys.stderr.write(getattr(e, "details", ""))  # what C libraries printed
            _complain(format_error(e, CLI_NAMES))
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
            if _debugging(e):
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


_HELP = """Jacobians of functions you type, and the calculus around them: the matrix, its
determinant, its value at a point, linearization, gradient, Hessian, J·v and uᵀJ, the chain
rule.

\b
  jac jacobian "x+y, x*y" --vars x,y
  jac det "r*cos(t), r*sin(t)" --vars r,t
  jac eval "x^2+y, x*y" --vars x,y --at x=1,y=2
  jac linearize "x^2+y, x*y" --vars x,y --at x=1,y=2
  jac hessian "(1-x)^2 + 100*(y-x^2)^2" --vars x,y
  jac chain "u*v, u+v" --vars u,v --of "x^2, sin(y)" --of-vars x,y

Output is a table on a terminal and plain text in a pipe; choose with --format
(table, plain, latex, json, jsonl) or the JAC_FORMAT environment variable.
eval --points FILE and det --points FILE evaluate at many points (CSV, TSV, JSON
Lines). --check compares any result with finite differences.

\b
Exit codes:
  0    success
  1    mathematical error: non-square det, undefined or complex entry, failed --check
  2    usage or parse error
  3    a limit or budget exceeded (input size, --timeout, --max-memory)
  70   internal error: a bug in jac, please report it
  130  interrupted (Ctrl-C)"""


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"jac {__version__}\n")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    pass


def _build() -> typer.Typer:
    """The app: its commands are made when used (_Commands)."""
    built = typer.Typer(
        name="jac",
        cls=JacGroup,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        help=_HELP,
    )
    built.callback()(_root)
    return built


app: typer.Typer  # built on first use


def __getattr__(name: str) -> Any:
    if name == "app":
        return _whole()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _whole() -> typer.Typer:
    built: typer.Typer | None = globals().get("app")
    if built is None:
        built = globals()["app"] = _build()
    return built


def completion_script(shell: str) -> str:
    """The TAB-completion script Typer writes for `shell` (completions/generate.py)."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="jac", complete_var="_JAC_COMPLETE", shell=shell)


def main() -> None:
    """Console-script entry point."""
    _whole()(prog_name="jac")
