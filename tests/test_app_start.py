"""`jac NAME ...` runs an app with only command NAME (jaccli.cli.app.main): it must behave as
the whole app does, for help, answers and every kind of error."""

from __future__ import annotations

import subprocess
import sys
from importlib import import_module

import pytest
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


@pytest.mark.parametrize("row", COMMANDS, ids=lambda row: row.name)
def test_one_command_app_behaves_as_the_whole_app(row: object) -> None:
    name = row.name  # type: ignore[attr-defined]
    one = app_module._build(name)
    runner = CliRunner()
    for case in CASES:
        args = [name, *case]
        whole = runner.invoke(app_module.app, args, prog_name="jac")
        alone = runner.invoke(one, args, prog_name="jac")
        assert (alone.exit_code, alone.stdout, alone.stderr) == (
            whole.exit_code,
            whole.stdout,
            whole.stderr,
        ), args


def test_one_command_app_has_only_that_command() -> None:
    import typer

    group = typer.main.get_command(app_module._build("det"))
    assert list(group.commands) == ["det"]  # type: ignore[attr-defined]
    whole = typer.main.get_command(app_module.app)
    assert list(whole.commands) == [row.name for row in COMMANDS]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("argv", "only"),
    [
        (["jacobian", "x*y", "--vars", "x,y"], "jacobian"),
        (["--version"], None),
        (["jacobiann", "x"], None),
        ([], None),
    ],
)
def test_main_builds_only_the_named_command(
    argv: list[str], only: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str | None] = []
    real = app_module._build

    def spy(name: str | None = None) -> object:
        built.append(name)
        return real(name)

    monkeypatch.setattr(app_module, "_build", spy)
    monkeypatch.setattr(sys, "argv", ["jac", *argv])
    monkeypatch.delenv("_JAC_COMPLETE", raising=False)
    with pytest.raises(SystemExit):
        app_module.main()
    assert built == [only] if only else built in ([], [None])  # the whole app, built once


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
    the eigenvalue or stability engines (a fresh process, so nothing is loaded before)."""
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
    for module in [*others, "engine.chain"]:
        assert f"'jaccli.{module}'" not in loaded, module
    assert "'jaccli.cli.commands.jacobian'" in loaded
