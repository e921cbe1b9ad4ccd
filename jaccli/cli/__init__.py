"""The `jac` command line: a thin layer that turns options into calls to the core.

app.py (Typer, the error handler, exit codes), options.py (the shared options, declared
once), run.py (stdin, the budgeted worker, printing), points.py (eval --points) and
commands/ (one module per command, and the COMMANDS table).
"""

from typing import TYPE_CHECKING, Any

from jaccli.cli.app import EXIT_CODES, ExitCode, main

if TYPE_CHECKING:
    from jaccli.cli.app import app

# `app` here is the Typer app, built on first use (its commands too, each when used):
# the import above made it the module jaccli.cli.app, which stays in sys.modules.
globals().pop("app", None)


def __getattr__(name: str) -> Any:
    if name == "app":
        from jaccli.cli.app import _whole

        return _whole()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["EXIT_CODES", "ExitCode", "app", "main"]
