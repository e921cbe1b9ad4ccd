"""eval --at against eval --points at the same point: defined (and equal) at the same points.

--at is exact and checks F as typed; --points is double precision (NaN where F or J is not
real). A complex value hidden by abs or a square (abs(log(x)) at x = -1 is |iπ| = π to
SymEngine), atan2 of numbers, DiracDelta(1) in a kink's condition, and sec of a complex
number (which aborted inside MPFR) were each answered differently by the two.
"""

from __future__ import annotations

import csv
import io
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CASES = [
    ("abs(log(x))", {"x": -1}),
    ("abs(log(x))", {"x": 2}),
    ("sqrt(x)^2", {"x": -1}),
    ("sqrt(x)^2", {"x": 4}),
    ("sqrt(x)*sqrt(x) + x", {"x": -1}),
    ("abs(acosh(x))", {"x": -0.5}),
    ("abs(acosh(x))", {"x": 2}),
    ("abs(atanh(x))", {"x": 2}),
    ("abs(atanh(x))", {"x": 0.5}),
    ("abs(cbrt(x))", {"x": -1}),
    ("abs(cbrt(x))", {"x": 8}),
    ("abs(sign(x) - 1)", {"x": 1}),
    ("abs(sign(x) - 1)", {"x": -1}),
    ("atanh(atan2(y, 2) + softplus(y))", {"y": 1}),
    ("atanh(atan2(y, 2) + softplus(y))", {"y": -1}),
    ("max(x, atan2(1, y))", {"x": 1.5, "y": 0.5}),
    ("max(x, atan2(1, y))", {"x": 0.5, "y": -0.5}),
    ("sec(asin(y)^(-3/2))", {"y": -1}),
    ("sec(asin(y)^(-3/2))", {"y": 0.5}),
    ("sec(x)*atan2(y, x) + csc(y)", {"x": -0.5, "y": -2}),
    ("sec(x)^2 + cot(y)*csc(y)", {"x": 0.5, "y": 0.5}),
]


def _points(jac: Any, functions: str, point: dict[str, float], tmp_path: Path) -> list[float]:
    names = ",".join(point)
    path = tmp_path / "p.csv"
    path.write_text(names + "\n" + ",".join(str(v) for v in point.values()) + "\n")
    run = jac(["eval", functions, "--vars", names, "--points", str(path), "--format", "csv"])
    assert run.code == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout)))
    return [float(v) for v in rows[1][len(point) :]]


@pytest.mark.parametrize(("functions", "point"), CASES)
def test_at_agrees_with_points(
    jac: Any, functions: str, point: dict[str, float], tmp_path: Path
) -> None:
    expected = _points(jac, functions, point, tmp_path)
    at = ",".join(f"{k}={v}" for k, v in point.items())
    args = ["eval", functions, "--vars", ",".join(point), "--at", at]
    run = jac([*args, "--digits", "15", "--format", "json"])
    if any(math.isnan(v) for v in expected):
        assert run.code == 1, (run.stdout, run.stderr)
        assert "complex" in run.stderr or "undefined" in run.stderr, run.stderr
        return
    assert run.code == 0, run.stderr
    got = [v for row in run.json()["values"] for v in row]
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
    exact = jac([*args, "--format", "json"])  # and exact: numbers, not formulas
    assert exact.code == 0, exact.stderr
    assert all(isinstance(v, float) for row in exact.json()["values"] for v in row)


def test_a_logarithm_to_base_0_is_undefined_not_0(jac: Any, tmp_path: Path) -> None:
    # log(x, 0) was built as log(x)/zoo = 0: F = 0 and J = 0, exit 0, and --check "passed".
    for command in (["eval", "log(x, 0)", "--vars", "x", "--at", "x=2"], ["jacobian", "log(x, 0)"]):
        run = jac(command)
        assert (run.code, run.stdout) == (1, ""), (run.stdout, run.stderr)
        assert run.stderr.startswith("jac: error: log(x, 0) is undefined (outside its domain)")
        assert run.stderr.splitlines()[2] == "  ^"  # under the call
    # A base that is a variable: where it is 0 or 1 the whole row is undefined (NumPy's
    # log(2)/log(0) was -0.0, a number, for ∂f/∂x); elsewhere J = (1/(x ln y), -ln x/(y ln² y)).
    path = tmp_path / "p.csv"
    path.write_text("x,y\n2,0\n2,1\n2,3\n5,0.5\n")
    run = jac(["eval", "log(x, y)", "--vars", "x,y", "--points", str(path), "--format", "csv"])
    assert run.code == 0, run.stderr
    rows = [[float(v) for v in row] for row in list(csv.reader(io.StringIO(run.stdout)))[1:]]
    assert all(math.isnan(v) for row in rows[:2] for v in row[2:])
    for x, y, dx, dy in rows[2:]:
        assert dx == pytest.approx(1 / (x * math.log(y)), rel=1e-14)
        assert dy == pytest.approx(-math.log(x) / (y * math.log(y) ** 2), rel=1e-14)
    assert "2 of 4 points have undefined entries" in run.stderr


def test_hidden_complex_names_the_call(jac: Any) -> None:
    run = jac(["eval", "abs(log(x))", "--vars", "x", "--at", "x=-1"])
    assert run.code == 1 and "log(x) is complex" in run.stderr, run.stderr


@pytest.mark.parametrize(
    ("functions", "value"),
    [("sec(asin(y)^(-3/2))", -1), ("abs(log(y))", -1), ("atanh(atan2(y, 2) + log(1 + exp(y)))", 1)],
)
def test_engine_finds_complex_inside(functions: str, value: int) -> None:
    """The engine alone (F already built, so no check as typed) says complex too."""
    import symengine as se

    from jaccli import engine
    from jaccli.errors import ComplexError
    from jaccli.problem import read

    problem = read(functions, "y")
    y = problem.variables[0]
    for digits in (None, 10):
        with pytest.raises(ComplexError):
            engine.evaluate(problem.functions, [y], {y: se.Integer(value)}, digits=digits)


def _child(code: str) -> str:
    """What Python code prints in a child process (where an abort cannot kill the run)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_api_does_not_abort() -> None:
    """sec of a complex number aborted the process inside MPFR (an assertion)."""
    code = (
        "import jaccli.api as api\n"
        "try:\n"
        "    api.evaluate('sec(asin(y)^(-3/2))', 'y', at='y=-1')\n"
        "except Exception as e:\n"
        "    print(type(e).__name__)\n"
    )
    assert _child(code).strip() == "ComplexError"


def test_numbers_never_abort_on_reciprocal_functions() -> None:
    """numeric_form: sec, csc, cot, ... of complex numbers evaluate, equal to 1/cos, ...."""
    import cmath

    out = _child(
        "import symengine as se\n"
        "from jaccli.numbers import constant_value\n"
        "u = se.sqrt(se.Integer(-2))\n"
        "for f in ('sec csc cot sech csch coth asec acsc acot asech acsch acoth').split():\n"
        "    for a in (u, se.Rational(4, 5), se.Integer(3), 1 + se.I):\n"
        "        print(f, complex(constant_value(getattr(se, f)(a))))\n"
    )
    reference = {
        "sec": lambda z: 1 / cmath.cos(z),
        "csc": lambda z: 1 / cmath.sin(z),
        "cot": lambda z: cmath.cos(z) / cmath.sin(z),
        "sech": lambda z: 1 / cmath.cosh(z),
        "csch": lambda z: 1 / cmath.sinh(z),
        "coth": lambda z: cmath.cosh(z) / cmath.sinh(z),
        "asec": lambda z: cmath.acos(1 / z),
        "acsc": lambda z: cmath.asin(1 / z),
        "acot": lambda z: cmath.atan(1 / z),
        "acsch": lambda z: cmath.asinh(1 / z),
    }
    args = [complex(0, math.sqrt(2)), 0.8, 3.0, complex(1, 1)]
    lines = out.splitlines()
    assert len(lines) == 48
    for k, line in enumerate(lines):
        name, value = line.split(" ", 1)
        if name in reference:
            assert complex(value) == pytest.approx(reference[name](args[k % 4]), rel=1e-12), line
