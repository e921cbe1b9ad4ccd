"""The app makes each command when it is first used (jaccli.cli.app._Commands): `jac NAME`
makes only NAME's, TAB completion only the commands it offers. Made that way, a command must
behave as one registered with Typer the usual way, for help, answers and every kind of
error."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import import_module
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from jaccli.cli.commands import COMMANDS

app_module = import_module("jaccli.cli.app")  # the module: jaccli.cli.app is also the app's name

# For every command: its help, no arguments, an unknown option, an option without its value,
# a bad --format, a parse error, and an answer where the command takes F.
CASES = [
    ["--help"],
    [],
    ["--no-such-option"],
    ["x", "--vars"],
    ["x", "--format", "nope"],
    ["x+", "--vars", "x"],
    ["x*y, x+y", "--vars", "x,y", "--format", "json"],
]


class _Eager(app_module.JacGroup):
    """jac's group with the commands Typer registered, all made at the start."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        made = kwargs.pop("commands")
        super().__init__(*args, **kwargs)
        self.commands = made


def _eager() -> typer.Typer:
    """jac's app with every command registered the usual way, made at the start: the
    reference."""
    app = app_module._build()
    app.info.cls = _Eager
    for row in COMMANDS:
        function = getattr(import_module(row.module), row.function)
        settings = {"ignore_unknown_options": True} if row.reads_functions else None
        app.command(name=row.name, context_settings=settings)(function)
    return app


@pytest.mark.parametrize("row", COMMANDS, ids=lambda row: row.name)
def test_a_command_made_when_used_behaves_as_a_registered_one(row: Any) -> None:
    eager, runner = _eager(), CliRunner()
    for case in [*CASES, ["--version"], ["--help"]]:
        args = [row.name, *case] if case not in (["--version"], ["--help"]) else case
        registered = runner.invoke(eager, args, prog_name="jac")
        lazy = runner.invoke(app_module.app, args, prog_name="jac")
        assert (lazy.exit_code, lazy.stdout, lazy.stderr) == (
            registered.exit_code,
            registered.stdout,
            registered.stderr,
        ), args


def _made(argv: list[str], env: dict[str, str]) -> list[str]:
    """The commands the app made for one run of `jac ARGV` (a fresh process)."""
    code = (
        "import importlib, sys\n"
        "app = importlib.import_module('jaccli.cli.app')\n"
        "made, real = [], app._command\n"
        "app._command = lambda row: (made.append(row.name), real(row))[1]\n"
        f"sys.argv = ['jac', *{argv!r}]\n"
        "try:\n    app.main()\nexcept SystemExit:\n    pass\n"
        "print('MADE', *sorted(made))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    return next(x for x in out.stdout.splitlines() if x.startswith("MADE")).split()[1:]


@pytest.mark.parametrize(
    ("argv", "env", "made"),
    [
        (["jacobian", "x*y", "--vars", "x,y"], {}, ["jacobian"]),
        (["--version"], {}, []),
        (["jacobiann", "x"], {}, []),  # "did you mean" from the names alone
        (["--help"], {}, sorted(row.name for row in COMMANDS)),
        ([], {"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": "jac ja", "COMP_CWORD": "1"},
         ["jacobian"]),
        ([], {"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": "jac det --fo", "COMP_CWORD": "2"},
         ["det"]),
    ],
)  # fmt: skip
def test_the_app_makes_only_the_commands_it_uses(
    argv: list[str], env: dict[str, str], made: list[str]
) -> None:
    assert _made(argv, env) == made


def test_the_installed_script_answers_through_the_one_command_app() -> None:
    out = subprocess.run(
        ["jac", "det", "r*cos(t), r*sin(t)", "--vars", "r,t", "--format", "plain"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "r" and out.stderr == ""


def test_engine_names_stay_the_functions_after_their_modules_are_imported() -> None:
    """jaccli.engine loads its modules on first use; six are named as their function
    (hessian, stability, ...): importing the module must not make `engine.hessian` the module."""
    import pkgutil

    import jaccli.engine as engine

    for info in pkgutil.iter_modules(engine.__path__):
        import_module(f"jaccli.engine.{info.name}")
    for name in engine.__all__:
        home = sys.modules[f"jaccli.engine.{engine._HOME[name]}"]
        assert getattr(engine, name) is getattr(home, name), name
    assert set(engine.__all__) == set(engine._HOME)
    assert callable(engine.hessian) and callable(engine.stability) and callable(engine.chain)


def test_jac_jacobian_does_not_load_the_other_commands() -> None:
    """What the lazy start saves: `jac jacobian` imports neither other command modules nor
    the eigenvalue or stability engines, nor the matrix form and simplification it does not
    use (a fresh process, so nothing is loaded before)."""
    code = (
        "import sys; sys.argv = ['jac', 'jacobian', 'x*y', '--vars', 'x,y', '--timeout', '0',"
        " '--max-memory', '0']\n"
        "from jaccli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('jaccli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.splitlines()[-1]
    others = ["cli.commands.det", "cli.commands.stability", "engine.eigen", "engine.stability"]
    others += ["engine.matrix_form", "engine.simplify", "engine.trig"]  # no --shape, --simplify
    for module in [*others, "engine.chain"]:
        assert f"'jaccli.{module}'" not in loaded, module
    assert "'jaccli.cli.commands.jacobian'" in loaded
