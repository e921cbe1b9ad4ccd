"""The code style and typing rules from pyproject.toml, checked as part of the test run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "jaccli", "tests", "completions", "fuzz"),
        ("ruff", "format", "--check", "jaccli", "tests", "completions", "fuzz"),
        ("mypy",),
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_clean(command: tuple[str, ...]) -> None:
    result = _run(*command)
    assert result.returncode == 0, result.stdout + result.stderr


def _modules_loaded_after(steps: str, modules: tuple[str, ...]) -> str:
    """Which of `modules` a fresh Python has imported after running `steps` with the app."""
    code = (
        "import sys; from typer.testing import CliRunner; from jaccli.cli import app; "
        f"{steps}; print(sorted(m for m in {modules!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_help_imports_neither_sympy_nor_rich() -> None:
    # `jac --help` and TAB completion must stay instant: the heavy libraries load lazily.
    steps = "CliRunner().invoke(app, ['--help']); CliRunner().invoke(app, ['jacobian', '--help'])"
    heavy = ("sympy", "symengine", "rich.table", "mpmath", "numpy", "orjson")
    assert _modules_loaded_after(steps, heavy) == "[]"


def test_numpy_and_orjson_load_only_for_points() -> None:
    steps = (
        "unbudgeted = ['--timeout', '0', '--max-memory', '0']; "  # in this process, no worker
        "r = CliRunner().invoke(app, ['eval', 'sin(x*y)', '--at', 'x=1,y=2', *unbudgeted]); "
        "assert r.exit_code == 0, r.output"
    )
    assert _modules_loaded_after(steps, ("numpy", "orjson")) == "[]"


def test_symengine_loads_without_numpy_and_still_works_with_it() -> None:
    code = """
import sys
from jaccli import _symengine
se = _symengine.load()
assert "numpy" not in sys.modules
x = se.Symbol("x")
print(se.DenseMatrix([[1, 2], [3, 4]]).det(), se.sin(x).diff(x))
import sympy, numpy  # after SymPy (and NumPy) arrive, conversions still work
print(se.sympify(sympy.sign(sympy.Symbol("x"))), se.sympify(numpy.float64(0.5)))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["-2", "cos(x)", "sign(x)", "0.5"], result.stderr


def test_the_floors_ci_installs_are_pyprojects_lower_bounds() -> None:
    # .ci/run installs these and runs the tests of each dependency on them
    import tomllib

    from packaging.requirements import Requirement

    sys.path.insert(0, str(ROOT / "tests" / "tools"))
    try:
        from floors import floors
    finally:
        sys.path.pop(0)
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = floors()
    assert len(pins) == len(dependencies)
    for pin, dependency in zip(pins, dependencies, strict=True):
        wanted, pinned = Requirement(dependency), Requirement(pin)
        (version,) = [s.version for s in pinned.specifier]
        assert wanted.name == pinned.name and wanted.specifier.contains(version), pin
    assert "tests/tools/floors.py" in (ROOT / ".ci" / "run").read_text()
