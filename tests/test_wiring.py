"""The CLI's wiring, apart from its logic: the COMMANDS table, shared options, typed settings."""

from __future__ import annotations

import inspect
from importlib import import_module
from importlib.resources import files
from typing import Any

import pytest
from typer.main import get_command

from jaccli.cli import app
from jaccli.cli import options as shared_options
from jaccli.cli import run as run_module
from jaccli.cli.commands import COMMANDS, SCHEMAS
from jaccli.cli.options import SHARED, Color, Settings
from jaccli.render import Format, LatexEnv, LatexStyle
from tests.conftest import invoke

PROBLEM_COMMANDS = [row for row in COMMANDS if row.reads_functions]
CLICK = get_command(app)


def test_the_app_has_exactly_the_table_s_commands() -> None:
    assert list(CLICK.commands) == [row.name for row in COMMANDS]  # type: ignore[attr-defined]


@pytest.mark.parametrize("row", COMMANDS, ids=lambda row: row.name)
def test_each_row_reaches_its_function(row: Any) -> None:
    command = CLICK.commands[row.name]  # type: ignore[attr-defined]
    function = getattr(import_module(row.module), row.function)
    assert command.callback.__wrapped__ in (function, getattr(function, "__wrapped__", None))
    help_text = invoke([row.name, "--help"]).stdout
    summary = inspect.getdoc(function).split("\n\n")[0]  # type: ignore[union-attr]
    assert " ".join(summary.split()) in " ".join(help_text.split())
    for schema in row.schemas:
        assert files("jaccli.schemas").joinpath(f"{schema}.schema.json").is_file()


def test_every_schema_belongs_to_a_command() -> None:
    on_disk = {p.name.removesuffix(".schema.json") for p in files("jaccli.schemas").iterdir()}
    assert on_disk - {"__init__.py", "__pycache__"} == set(SCHEMAS)


@pytest.mark.parametrize("row", PROBLEM_COMMANDS, ids=lambda row: row.name)
def test_shared_options_are_declared_once_and_reach_every_command(row: Any) -> None:
    command = CLICK.commands[row.name]  # type: ignore[attr-defined]
    names = [p.name for p in command.params]
    assert names[:2] == ["functions", "vars_"]
    assert names[-len(SHARED) :] == [p.name for p in SHARED]
    assert len(names) == len(set(names)), names
    by_name = {p.name: p for p in command.params}
    reference = {p.name: p for p in CLICK.commands["jacobian"].params}  # type: ignore[attr-defined]
    for name in ["functions", "vars_", *(p.name for p in SHARED)]:
        mine, theirs = by_name[name], reference[name]
        assert (
            mine.opts,
            mine.default,
            mine.envvar,
            mine.help if hasattr(mine, "help") else None,
        ) == (
            theirs.opts,
            theirs.default,
            theirs.envvar,
            theirs.help if hasattr(theirs, "help") else None,
        )


def test_options_become_one_typed_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Settings] = []
    monkeypatch.setattr(run_module, "solve", lambda settings, *a, **k: seen.append(settings))
    for row in PROBLEM_COMMANDS:
        module = import_module(row.module)
        if hasattr(module, "solve"):
            monkeypatch.setattr(module, "solve", lambda settings, *a, **k: seen.append(settings))
    args = [
        "jacobian", "x*y", "-y", "--vars", "x,y", "--format", "latex", "--latex-env", "pmatrix",
        "--latex-style", "inline", "--standalone", "--timeout", "5", "--max-memory", "1G",
        "-q", "--color", "never", "--expand", "--sparse",
    ]  # fmt: skip
    assert invoke(args).code == 0
    (settings,) = seen
    assert settings.functions == ("x*y", "-y") and settings.vars_text == "x,y"
    assert settings.fmt is Format.latex and settings.color is Color.never and settings.quiet
    assert settings.render == (LatexEnv.pmatrix, LatexStyle.inline, True, True, True)
    assert settings.budget == (5.0, 1 << 30)
    assert settings.stdin is None and not settings.debug


def test_debug_shows_the_traceback_of_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    from jaccli import engine

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(engine, "jacobian", broken)
    unbudgeted = ["--timeout", "0", "--max-memory", "0"]
    plain = invoke(["jacobian", "x", *unbudgeted])
    assert plain.code == 70 and "Traceback" not in plain.stderr
    assert "internal error: RuntimeError: a bug" in plain.stderr
    from typer.testing import CliRunner

    debugged = CliRunner().invoke(app, ["jacobian", "x", *unbudgeted, "--debug"])
    assert debugged.exit_code == 70
    assert "Traceback" in debugged.stderr and "a bug" in debugged.stderr


def test_messages_name_options_on_the_command_line() -> None:
    run = invoke(["eval", "x+y", "--vars", "x,y", "--at", "x=1"])
    assert run.code == 2 and run.stderr == "jac: error: --at gives no value for variable y\n"
    assert "--vars" in shared_options.CLI_NAMES.values()


@pytest.mark.parametrize("row", PROBLEM_COMMANDS, ids=lambda row: row.name)
def test_formats_come_from_the_renderers(row: Any) -> None:
    formats = row.formats()
    assert {Format.table, Format.plain, Format.latex, Format.json, Format.jsonl} <= formats
    assert (Format.csv in formats) is row.point_formats  # eval --points, det --points
    args = {
        "jacobian": [],
        "det": [],
        "eval": ["--at", "x=1,y=2"],
        "linearize": ["--at", "x=1,y=2"],
        "grad": [],
        "hessian": [],
        "jvp": ["--dir", "1,0"],
        "vjp": ["--cot", "1,1"],
        "chain": ["--of", "x^2, y", "--of-vars", "s,t"],
        "eig": [],
        "stability": [],
        "singular": [],
        "sparsity": [],
    }
    functions = "x*y" if row.name in ("grad",) else "x*y, x+y"
    for fmt in Format:
        run = invoke([row.name, functions, "--vars", "x,y", *args[row.name], "--format", fmt.value])
        points_only = (Format.csv, Format.tsv, Format.parquet)
        assert run.code == (0 if fmt in formats and fmt not in points_only else 2)


def test_a_format_without_a_renderer_is_refused_before_any_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jaccli import engine, render

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("computed although the format cannot be drawn")

    monkeypatch.setattr(engine, "jacobian", never)
    monkeypatch.setattr(render, "draws", lambda result_type, fmt: fmt is Format.plain)
    unbudgeted = ["--timeout", "0", "--max-memory", "0"]
    run = invoke(["jacobian", "x", "--format", "latex", *unbudgeted])
    assert (run.code, run.stderr) == (2, "jac: error: jacobian has no latex output\n")
