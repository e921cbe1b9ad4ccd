"""jac stability on systems a hostile user tries: square roots, logarithms and powers outside
their real domain, kinks of abs, equilibria where J does not exist. No input may reach exit
70, and an equilibrium where J does not exist is listed but never classified.

The mathematics is checked with mpmath: F at each point listed, one-sided difference
quotients where J is said not to exist, and the eigenvalues of J where it does.
"""

from __future__ import annotations

import random
from typing import Any

import mpmath
import numpy as np
import pytest
import symengine as se

import jaccli
from jaccli.engine.stability import NOT_CLASSIFIED
from tests.conftest import invoke, read_back

_HEAD = "jac: warning: "


def _stability(functions: str, variables: str, fmt: str = "plain") -> Any:
    return invoke(["stability", functions, "--vars", variables, "--format", fmt])


def _quotients(f: Any, h: float = 1e-30) -> tuple[Any, Any]:
    """The one-sided difference quotients of f at 0, at 50 digits."""
    with mpmath.workdps(50):
        return (f(mpmath.mpf(h)) - f(0)) / h, (f(mpmath.mpf(-h)) - f(0)) / -h


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


def test_sqrt_at_its_end_point_is_listed_not_classified() -> None:
    run = _stability("sqrt(x), y", "x,y")
    assert run.code == 0
    assert run.stdout == f"0, 0\t\t\t{NOT_CLASSIFIED}\texact\t0\n"
    assert run.stderr == (
        f"{_HEAD}J[1,1] = ∂f1/∂x is undefined at the equilibrium 0, 0 (infinite or 0/0 "
        "there); not classified\n"
    )
    right, _ = _quotients(mpmath.sqrt)  # d√x/dx at 0: 1/√h, unbounded (and √ of h < 0: not real)
    assert right > 1e14
    one = _stability("sqrt(x)", "x")
    assert (one.code, one.stdout) == (0, f"0\t\t\t{NOT_CLASSIFIED}\texact\t0\n")
    assert one.stderr == (
        f"{_HEAD}J[1,1] = ∂f1/∂x is undefined at the equilibrium 0 (infinite or 0/0 there); "
        "not classified\n"
    )


def test_check_leaves_out_the_j_that_does_not_exist() -> None:
    # --check compared the nan of J (d√x/dx at 0) with a complex step of 7e19: exit 1, "J at
    # equilibrium 1[1,1] = nan ... is undefined". F = 0 there is still checked, and so is J
    # at every equilibrium where it exists.
    args = ["stability", "sqrt(x), y", "--vars", "x,y", "--check", "--format", "plain"]
    run = invoke(args)
    assert (run.code, run.stdout) == (0, f"0, 0\t\t\t{NOT_CLASSIFIED}\texact\t0\n"), run.stderr
    assert "jac: check passed" in run.stderr and "all 2 entries" in run.stderr, run.stderr
    both = invoke(["stability", "x^2 - 1, sqrt(x + 1)*y", "--vars", "x,y", "--check"])
    assert both.code == 0, both.stderr
    assert "jac: check passed" in both.stderr and "all 8 entries" in both.stderr, (
        both.stderr
    )  # F: 4, J: 4


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


def test_families_with_an_infinite_derivative_are_not_classified() -> None:
    """√(sin 2x) is 0 at x = kπ/2, where its derivative cos(2x)/√(sin 2x) is infinite."""
    run = _stability("y, sqrt(sin(x + x))", "x,y")
    assert run.code == 0
    assert run.stdout == (
        f"k*pi, 0\tk ∈ ℤ\t\t{NOT_CLASSIFIED}\texact\t0\n"
        f"k*pi + (1/2)*pi, 0\tk ∈ ℤ\t\t{NOT_CLASSIFIED}\texact\t0\n"
    )
    assert run.stderr == (
        f"{_HEAD}J[2,1] = ∂f2/∂x is undefined at the equilibrium k*pi, 0 (infinite or 0/0 "
        "there); not classified, nor 1 more equilibrium where J does not exist\n"
    )
    for k in (0, 1):  # x = 0, π/2 (π at the quotients' 50 digits)
        right, _ = _quotients(lambda h, k=k: mpmath.sqrt(abs(mpmath.sin(k * mpmath.pi + 2 * h))))
        assert abs(right) > 1e14


def test_a_power_with_a_variable_exponent_does_not_reach_exit_70() -> None:
    """x^z = 0 where x = 0 < z: a continuum (0, 0, z) where x^z is not real for x < 0 and
    z x^(z-1) is infinite for z < 1. Whatever the search lists is a root, and none is
    classified where J does not exist."""
    run = _stability("x^z, y, x + y", "x,y,z", "json")
    assert run.code == 0
    data = run.json()
    assert data["status"] == "incomplete"
    assert run.stderr.splitlines()[0].startswith(f"{_HEAD}the list of equilibria may be incomplete")
    assert " where J does not exist" in run.stderr.splitlines()[1]
    rows = data["equilibria"]
    assert rows
    for e in rows:
        x, y, z = (mpmath.mpf(c) for c in e["point"])
        assert max(abs(mpmath.power(x, z)), abs(y), abs(x + y)) <= 1e-12
        if x == 0 and z < 1:
            assert (e["type"], e["eigenvalues"]) == (NOT_CLASSIFIED, [])
    assert any(e["type"] == NOT_CLASSIFIED for e in rows)


def test_a_power_of_zero_is_not_taken_for_no_solution() -> None:
    """0^y = 0 for every y > 0, so sin(0^y) = 0 = sin(2y + 1) holds at y = (kπ - 1)/2 > 0,
    every x; SymPy's solveset(0**y, y, Reals) is EmptySet, which made this "no equilibrium"
    (complete), a wrong answer. jac cannot solve it, so it says the list is incomplete."""
    run = _stability("sin((0)^y), sin(y + y + 1)", "x,y", "json")
    assert run.code == 0
    assert "no equilibrium" not in run.stderr
    assert run.stderr.splitlines()[1].startswith(f"{_HEAD}the list of equilibria may be incomplete")
    assert run.json()["status"] == "incomplete"
    y = (mpmath.pi - 1) / 2  # k = 1: a root the old answer denied
    assert y > 0 and mpmath.sin(mpmath.power(0, y)) == 0 and abs(mpmath.sin(2 * y + 1)) < 1e-14
    power = _stability("x^z, y, x + y", "x,y,z", "json")
    assert "solveset could not solve 0**z = 0" in power.json()["reason"]


def test_a_real_cube_root_family_is_matched_against_the_search() -> None:
    """cos(x³ + 1) = 0 at x = sign(u)|u|^(1/3), u = 2kπ - 1 + π/2 (or 3π/2): its slope in k
    holds DiracDelta(u), which NumPy lacks (exit 70, "NameError: DiracDelta")."""
    run = _stability("cos(x*x*x + 1)", "x", "json")
    assert (run.code, run.stderr) == (0, "")
    data = run.json()
    assert data["status"] == "families"
    assert [e["where"] for e in data["equilibria"]] == ["k ∈ ℤ", "k ∈ ℤ"]
    for k in (-2, 0, 3):
        for shift in (mpmath.pi / 2, 3 * mpmath.pi / 2):
            u = 2 * k * mpmath.pi - 1 + shift
            assert abs(mpmath.cos(mpmath.sign(u) * mpmath.cbrt(abs(u)) ** 3 + 1)) < 1e-12


def test_a_root_with_no_closed_form_is_left_to_the_search() -> None:
    """Substitution leads solveset to a sextic, whose root it gives as CRootOf, which jac's
    engine cannot hold (exit 70, SympifyError). It is left to the numeric search, as a
    polynomial system's roots with no formula are, and the list is incomplete."""
    run = _stability("sqrt(-y) - x*y + 1, y - 1 + sqrt(-(x - 1))", "x,y", "json")
    assert run.code == 0
    assert "1 solution with no closed form" in run.stderr
    data = run.json()
    assert data["status"] == "incomplete"
    (e,) = data["equilibria"]
    x, y = (mpmath.mpf(c) for c in e["point"])
    assert abs(mpmath.sqrt(-y) - x * y + 1) < 1e-13 and abs(y - 1 + mpmath.sqrt(1 - x)) < 1e-13
    j = mpmath.matrix([[-y, -1 / (2 * mpmath.sqrt(-y)) - x], [-1 / (2 * mpmath.sqrt(1 - x)), 1]])
    theirs = sorted((complex(v) for v in mpmath.eig(j)[0]), key=lambda z: z.imag)
    ours = [complex(v) for v in read_back(e["eigenvalues"], ["x", "y"])]
    assert ours == pytest.approx(theirs, abs=1e-12)
    assert e["type"] == "unstable focus" and theirs[0].real > 0


# ----------------------------------------------------------------- kinks


def test_a_kink_at_the_equilibrium_is_not_classified_as_stable() -> None:
    """x' = -x + 2|x| is x' = x for x > 0: the origin is unstable, but SymPy's sign(0) = 0
    made J = -I there, a "stable node"."""
    run = _stability("-x + 2*abs(x), -y", "x,y")
    assert run.code == 0
    assert run.stdout == f"0, 0\t\t\t{NOT_CLASSIFIED}\texact\t0\n"
    eig = invoke(["eig", "-x + 2*abs(x), -y", "--vars", "x,y", "--at", "x=0,y=0"])
    assert eig.code == 1 and "abs(x) has no derivative where x = 0" in eig.stderr
    assert run.stderr == (
        f"{_HEAD}J[1,1] = ∂f1/∂x is undefined at the equilibrium 0, 0: abs(x) has no "
        "derivative where x = 0; not classified\n"
    )
    right, left = _quotients(lambda x: -x + 2 * abs(x))
    assert (right, left) == (1, -3)  # no derivative; and x' = x > 0 to the right: unstable
    data = _stability("-x + 2*abs(x), -y", "x,y", "json").json()
    (row,) = data["equilibria"]
    assert (row["type"], row["eigenvalues"]) == (NOT_CLASSIFIED, [])
    assert data["matrices"][0]["entries"] == [["nan", "0"], ["0", "-1"]]
    assert not any("stable node" in n for n in data["notes"])


def test_the_api_says_it_too() -> None:
    with pytest.warns(jaccli.JacWarning, match="abs\\(x\\) has no derivative where x = 0"):
        r = jaccli.stability("-x + 2*abs(x), -y", "x,y")
    (e,) = r.equilibria
    assert (e.type, e.eigenvalues, e.hyperbolic) == (NOT_CLASSIFIED, (), False)


def test_a_kink_away_from_the_equilibria_changes_nothing() -> None:
    """|x - 1| has its kink at x = 1, but -x + |x - 1|/2 = 0 at x = 1/3, where ∂f1/∂x is
    -1 - 1/2 and J exists."""
    r = jaccli.stability("-x + abs(x - 1)/2, -y", "x,y")
    (e,) = r.equilibria
    assert e.type == "stable node"
    assert [str(v.value) for v in e.eigenvalues] == ["-3/2", "-1"]


# ----------------------------------------------------------------- property


_ATOMS = ("x", "y", "1", "2", "-1", "x - 1", "y + 1", "x*y", "0")
_WRAPS = (
    "sqrt({})", "log({})", "abs({})", "sin({})", "cos({})", "exp({})", "({})^2",
    "({})^(1/3)", "({})^y", "x^({})", "sqrt(-({}))", "1/({})", "sign({})",
)  # fmt: skip


def _expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(_ATOMS)
    if rng.random() < 0.55:
        return rng.choice(_WRAPS).format(_expression(rng, depth - 1))
    op = rng.choice(("+", "-", "*"))
    return f"{_expression(rng, depth - 1)} {op} {_expression(rng, depth - 1)}"


@pytest.mark.parametrize("seed", range(24))
def test_random_hostile_systems_never_exit_70(seed: int) -> None:
    """Small systems of square roots, logarithms, abs, powers and trigonometry: stability
    answers (0), or says why not (1-3), never "a bug in jac" (70); and every point it lists
    with a type is a root of F at which no entry of J is undefined."""
    rng = random.Random(seed)
    two = rng.random() < 0.75
    functions = [_expression(rng, 2) for _ in range(2 if two else 1)]
    if not two:
        functions = [f.replace("y", "x") for f in functions]
    run = invoke(
        ["stability", ", ".join(functions), "--vars", "x,y" if two else "x", "--format", "json"]
    )
    assert run.code in (0, 1, 2, 3), (functions, run.stderr)
    assert "internal error" not in run.stderr
    if run.code:
        return
    data = run.json()
    for e, part in zip(data["equilibria"], data["matrices"], strict=True):
        undefined = any(entry == "nan" for row in part["entries"] for entry in row)
        assert (e["type"] == NOT_CLASSIFIED) == undefined, (functions, e)
