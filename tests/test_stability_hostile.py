"""jac stability on systems a hostile user tries: square roots, logarithms and powers outside
their real domain, kinks of abs, equilibria where J does not exist. No input may reach exit
70, and an equilibrium where J does not exist is listed but never classified.

The mathematics is checked with mpmath: F at each point listed, one-sided difference
quotients where J is said not to exist, and the eigenvalues of J where it does.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import pytest
import symengine as se

from tests.conftest import invoke

_HEAD = "jac: warning: "


def _stability(functions: str, variables: str, fmt: str = "plain") -> Any:
    return invoke(["stability", functions, "--vars", variables, "--format", fmt])


# ----------------------------------------------------------------- exit 70 from NaN


def test_lambdify_of_no_rows_is_no_rows() -> None:
    """SymEngine's Lambdify refuses an empty batch; the Newton search ends with one when
    every start has left the domain (sqrt(x) at x < 0)."""
    from jaccli.batch.lambdify import lambdify

    x, y = se.symbols("x y")
    f = lambdify([x, y], [se.sqrt(x), y, se.Integer(10)])
    assert f(np.zeros((0, 2))).shape == (0, 3)
    assert f(np.array([[4.0, 1.0]])).tolist() == [[2.0, 1.0, 10.0]]


def test_lambdify_of_a_complex_constant_is_nan() -> None:
    """sqrt(-1) + x - 1 holds the number -1 + I, one atom (I alone was replaced by NaN), which
    no SymEngine backend compiles ("RuntimeError: -1 + I"): not real, so NaN."""
    from jaccli.batch.lambdify import lambdify

    x = se.Symbol("x")
    f = lambdify([x], [se.I + x - 1, (2 + 3 * se.I) * x, x])
    assert np.isnan(f(np.array([[1.0], [2.0]]))[:, :2]).all()
    assert f(np.array([[1.0], [2.0]]))[:, 2].tolist() == [1.0, 2.0]
    run = _stability("sqrt(-1) + x - 1, x^2", "x,y")
    assert (run.code, run.stdout) == (0, "")
    assert run.stderr == (
        f"{_HEAD}no function depends on y: its column is 0 (a typo?)\n"
        f"{_HEAD}no equilibrium: F = 0 has no real solution\n"
    )


def test_no_equilibrium_where_the_search_leaves_the_domain() -> None:
    run = _stability("10, sqrt(-y)", "x,y")
    assert (run.code, run.stdout) == (0, "")
    assert run.stderr == (
        f"{_HEAD}no function depends on x: its column is 0 (a typo?)\n"
        f"{_HEAD}no equilibrium: F = 0 has no real solution\n"
    )
    data = _stability("10, sqrt(-y)", "x,y", "json").json()
    assert (data["status"], data["equilibria"]) == ("complete", [])


def test_an_undefined_exact_solution_is_dropped_and_the_search_finds_the_points() -> None:
    """SymPy solves sin(x)·y = x for y = x/sin(x), and at x = 0 gives (0, nan): no point.
    The equilibria are (0, 0) and x = y with sin x = 1: -3π/2, π/2 and 5π/2 in the box."""
    run = _stability("sin(x)*y - x, sin(y)*x - y", "x,y", "json")
    assert run.code == 0
    assert run.stderr.startswith(f"{_HEAD}the list of equilibria may be incomplete: ")
    assert "SymPy gave 1 undefined solution" in run.stderr
    assert run.stderr.count("\n") == 1
    data = run.json()
    assert data["status"] == "incomplete"
    assert any("(0, nan) was dropped" in n for n in data["notes"])
    points = [float(c) for e in data["equilibria"] for c in e["point"]]
    expected = [(-3 * mpmath.pi / 2,) * 2, (0, 0), (mpmath.pi / 2,) * 2, (5 * mpmath.pi / 2,) * 2]
    assert points == pytest.approx([float(c) for p in expected for c in p], abs=1e-12)
    types = [e["type"] for e in data["equilibria"]]
    # J = [[-1, 1], [1, -1]] on the diagonal (eigenvalues 0, -2); -I at the origin
    assert types == [
        "linearization inconclusive",
        "stable node",
        *["linearization inconclusive"] * 2,
    ]
    for e in data["equilibria"]:
        x, y = (mpmath.mpf(c) for c in e["point"])
        assert abs(mpmath.sin(x) * y - x) < 1e-12 and abs(mpmath.sin(y) * x - y) < 1e-12
        j = mpmath.matrix(
            [[y * mpmath.cos(x) - 1, mpmath.sin(x)], [mpmath.sin(y), x * mpmath.cos(y) - 1]]
        )
        theirs = sorted(float(mpmath.re(v)) for v in mpmath.eig(j)[0])
        assert sorted(float(v) for v in e["eigenvalues"]) == pytest.approx(theirs, abs=1e-12)
