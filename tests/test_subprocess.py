"""The installed `jac` in real pipes: stdout holds results only, stderr messages only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import check_json_math
from tests.installed import run


def test_stdin_in_a_pipe_defaults_to_plain() -> None:
    out = run("jacobian", "-", "--vars", "x,y", input="x + y\nx*y\n")
    assert (out.returncode, out.stdout, out.stderr) == (0, "1\t1\ny\tx\n", "")


def test_printf_pipeline_through_a_real_shell() -> None:
    out = run("printf 'x^2+y\\nx*y\\n' | jac eval - --vars x,y --at x=1,y=2", shell=True)
    assert (out.returncode, out.stdout) == (0, "2\t1\n2\t1\n")


def test_linearization_feeds_back_into_jac() -> None:
    # Plain output is input syntax: J of the linearization is J(a).
    out = run(
        "jac linearize 'x^2+y, x*y' --vars x,y --at x=1,y=2 | jac jacobian - --vars x,y",
        shell=True,
    )
    assert (out.returncode, out.stdout) == (0, "2\t1\n2\t1\n")


def test_json_for_scripts() -> None:
    out = run("jacobian", "x^2+y*z, sin(x*y), e^(x+z)", "--vars", "x,y,z", "--format", "json")
    data = json.loads(out.stdout)
    assert data["shape"] == [3, 3]
    check_json_math(data)


def test_latex_appends_to_a_tex_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = run(
        "jac det 'r*cos(t), r*sin(t)' --vars r,t --format latex >> notes.tex && cat notes.tex",
        shell=True,
    )
    assert out.stdout == "\\[\n\\det J = r\n\\]\n"


def test_errors_exit_with_their_code_and_no_traceback() -> None:
    out = run("jacobian", "x +* y")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("jac: error: ") and "^" in out.stderr
    assert "Traceback" not in out.stderr
    out = run("det", "x, y, z", "--vars", "x,y")
    assert out.returncode == 1 and "3×2" in out.stderr


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "jaccli", "jacobian", "x*y", "--vars", "x,y"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (out.returncode, out.stdout) == (0, "y\tx\n")


def test_closed_stdin_is_a_clean_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "jaccli", "jacobian", "-"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 2 and "no functions" in out.stderr
