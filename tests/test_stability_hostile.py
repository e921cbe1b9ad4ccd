"""jac stability on systems a hostile user tries: square roots, logarithms and powers outside
their real domain, kinks of abs, equilibria where J does not exist. No input may reach exit
70, and an equilibrium where J does not exist is listed but never classified.

The mathematics is checked with mpmath: F at each point listed, one-sided difference
quotients where J is said not to exist, and the eigenvalues of J where it does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
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
