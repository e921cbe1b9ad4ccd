"""Where entries of J are undefined although their formula is not: which checks are built."""

from __future__ import annotations

import math

import pytest
import symengine as se

from jaccli.engine.kink import kinks
from tests.conftest import invoke

x, y, z = se.symbols("x y z")


def test_a_base_that_is_never_zero_builds_no_zero_power_check() -> None:
    # exp(u) is E**u and pi**x has base π: neither is ever 0^0.
    for f in (se.exp(x + z) * y, se.pi**x, se.exp(x * y)):
        assert [k for k in kinks([f], [x, y, z]) if k.kind == "0^0"] == [], f


def test_a_base_that_can_be_zero_still_does() -> None:
    found = [k for k in kinks([x**y], [x, y]) if k.kind == "0^0"]
    assert [(k.j, k.a, k.b) for k in found] == [(0, x, y), (1, x, y)]


def test_zero_to_the_zero_is_still_undefined_in_every_path() -> None:
    run = invoke(
        ["eval", "x^y", "--vars", "x,y", "--points", "-", "--format", "csv"],
        input="x,y\n0,0\n2,3\n",
    )
    assert run.code == 0, run.stderr
    rows = [line.split(",") for line in run.stdout.splitlines()[1:]]
    assert rows[0][2:] == ["nan", "nan"], rows
    assert math.isclose(float(rows[1][2]), 12.0) and math.isclose(
        float(rows[1][3]), 8 * math.log(2)
    )


def test_exp_at_zero_is_defined_in_every_path() -> None:
    run = invoke(
        ["eval", "exp(x+z)*y", "--vars", "x,y,z", "--points", "-", "--format", "csv"],
        input="x,y,z\n0,0,0\n",
    )
    assert run.code == 0 and run.stderr == "", run.stderr
    assert run.stdout.splitlines()[1].split(",")[3:] == ["0.0", "1.0", "0.0"]


# ------------------------------------------------ atan2 on its cut (y = 0, x < 0)

CUT_POINTS = [(-1, 0), (-2.5, 0), (-1e-3, 0)]
OFF_CUT = [(1, 0), (-1, 0.5), (-1, -0.5), (0.5, 2), (-3, 1e-6), (2, -1)]


def _atan2_slopes(px: float, py: float) -> tuple[float, float]:
    """∂/∂x and ∂/∂y of atan2(y, x) by central differences in 50-digit arithmetic."""
    import mpmath

    mpmath.mp.dps = 50
    h = mpmath.mpf("1e-20")
    a, b = mpmath.mpf(px), mpmath.mpf(py)
    dx = (mpmath.atan2(b, a + h) - mpmath.atan2(b, a - h)) / (2 * h)
    dy = (mpmath.atan2(b + h, a) - mpmath.atan2(b - h, a)) / (2 * h)
    return float(dx), float(dy)


def test_atan2_on_its_cut_has_no_derivative_in_y() -> None:
    # atan2(y, x) is π at y = 0, x < 0 and tends to −π from below: ∂/∂y does not exist there.
    # Its formula x/(x² + y²) gave -1 at (-1, 0), with exit 0 (and --explain built on it).
    for px, py in CUT_POINTS:
        _, dy = _atan2_slopes(px, py)
        assert abs(dy) > 1e15  # the difference quotient across the cut: 2π/(2h)
        run = invoke(["eval", "atan2(y, x)", "--vars", "x,y", "--at", f"x={px},y={py}"])
        assert (run.code, run.stdout) == (1, ""), (run.stdout, run.stderr)
        assert run.stderr.startswith("jac: error: J[1,2] = ∂f1/∂y is undefined at x=")
        assert "atan2(y, x) has no derivative" in run.stderr and "its cut" in run.stderr


def test_atan2_off_its_cut_is_its_derivative() -> None:
    for px, py in OFF_CUT:
        run = invoke(
            ["eval", "atan2(y, x)", "--vars", "x,y", "--at", f"x={px},y={py}", "--format", "json"]
        )
        assert run.code == 0, run.stderr
        (got,) = run.json()["values"]
        assert got == [pytest.approx(v, rel=1e-12, abs=1e-12) for v in _atan2_slopes(px, py)]


def test_atan2_on_its_cut_in_points_is_nan_where_it_jumps() -> None:
    points = [*CUT_POINTS, *OFF_CUT]
    text = "x,y\n" + "".join(f"{px},{py}\n" for px, py in points)
    run = invoke(
        ["eval", "atan2(y, x)", "--vars", "x,y", "--points", "-", "--format", "csv"], input=text
    )
    assert run.code == 0, run.stderr
    rows = [[float(v) for v in line.split(",")] for line in run.stdout.splitlines()[1:]]
    for (px, py), (_, _, dx, dy) in zip(points, rows, strict=True):
        slope_x, slope_y = _atan2_slopes(px, py)
        assert dx == pytest.approx(slope_x, rel=1e-12, abs=1e-12)  # along the cut: 0
        if (px, py) in CUT_POINTS:
            assert math.isnan(dy)
        else:
            assert dy == pytest.approx(slope_y, rel=1e-12, abs=1e-12)
    assert f"{len(CUT_POINTS)} of {len(points)} points have undefined entries" in run.stderr


def test_atan2_of_expressions_builds_its_cut_for_the_variables_of_y() -> None:
    found = [k for k in kinks([se.atan2(x * z - 1, y)], [x, y, z]) if k.kind == "cut"]
    assert [(k.j, k.a, k.b) for k in found] == [(0, x * z - 1, y), (2, x * z - 1, y)]
    # and jac answers there as at the cut of atan2(y, x): x*z - 1 = 0 with y < 0
    run = invoke(["eval", "atan2(x*z - 1, y)", "--vars", "x,y,z", "--at", "x=2,y=-1,z=1/2"])
    assert run.code == 1, run.stderr
    assert "J[1,1] = ∂f1/∂x; J[1,3] = ∂f1/∂z are undefined at" in run.stderr
