"""The `jac` command line: a thin layer that turns options into calls to the core.

app.py (Typer, the error handler, exit codes), options.py (the shared options, declared
once), run.py (stdin, the budgeted worker, printing), points.py (eval --points) and
commands/ (one module per command, and the COMMANDS table).
"""

from jaccli.cli.app import EXIT_CODES, ExitCode, app, main

__all__ = ["EXIT_CODES", "ExitCode", "app", "main"]
