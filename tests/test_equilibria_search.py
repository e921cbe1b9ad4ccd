"""The numeric search for equilibria (jaccli.engine.equilibria_search): it finds the roots
of F in a box, only roots, and never crashes or hands LAPACK a NaN.

Each test compares the roots found with the mathematics: roots known in closed form
(kπ, ±1, the Dottie number by SciPy-free bisection), roots planted in random systems, and
functions with no root at all that decay to 0 (where a residual test would see one).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
import symengine as se
import sympy

import jaccli
from jaccli.engine.equilibria import Solution
from jaccli.engine.equilibria_search import Box, _explains, _newton, _polished

X, Y = se.symbols("x y")
BOX = Box(((-10.0, 10.0), (-10.0, 10.0)))


def roots(functions: Sequence[Any], box: Box = BOX, variables: Sequence[Any] = (X, Y)) -> Any:
    return _newton(list(functions), list(variables), box, 200 * len(variables), 0)


def same(found: Sequence[Sequence[float]], expected: Sequence[Sequence[float]]) -> bool:
    """The same points, each to 1e-8 relative to max(1, |x|), in any order."""
    if len(found) != len(expected):
        return False
    return all(
        any(
            all(abs(a - b) <= 1e-8 * max(1.0, abs(b)) for a, b in zip(p, q, strict=True))
            for p in found
        )
        for q in expected
    )


def bisect(f: Any, lo: float, hi: float) -> float:
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(lo) * f(mid) > 0 else (lo, mid)
    return (lo + hi) / 2


# --------------------------------------------------------------------------- no false roots


@pytest.mark.parametrize(
    ("f", "width"),
    [
        (se.exp(-(X**2)), 100.0),  # 0 in double precision beyond |x| = 27
        (se.exp(-(X**4)), 30.0),
        (1 / (1 + X**2), 1e6),  # decays like 1/x²: the residual is 1e-12 at x = 1e6
        (se.exp(-se.exp(X)), 60.0),  # exp(-e^60): far below any tolerance
        (X**2 + 1, 10.0),  # a minimum of |F| where J = 0: no root
    ],
)
def test_functions_without_roots_have_none(f: Any, width: float) -> None:
    box = Box(((-width, width), (-10.0, 10.0)))
    assert roots([f, -Y], box) == []


def test_decaying_factor_keeps_only_the_true_root() -> None:
    """x·e^(-x²) is tiny everywhere far out, but 0 only at x = 0."""
    found = roots([X * se.exp(-(X**2)), Y - 1], Box(((-100.0, 100.0), (-10.0, 10.0))))
    assert same(found, [(0.0, 1.0)])


def test_random_planted_roots_under_a_decaying_factor() -> None:
    """F = e^(-|x|²/2) tanh(A (x − r)): one root r, and F < 1e-20 far from it."""
    rng = random.Random(7)
    for _ in range(6):
        a = [[rng.uniform(-2, 2) for _ in range(2)] for _ in range(2)]
        if abs(a[0][0] * a[1][1] - a[0][1] * a[1][0]) < 0.3:
            continue
        r = (rng.uniform(-3, 3), rng.uniform(-3, 3))
        damp = se.exp(-(X**2 + Y**2) / 2)
        u = [X - r[0], Y - r[1]]
        fs = [damp * se.tanh(a[i][0] * u[0] + a[i][1] * u[1]) for i in range(2)]
        assert same(roots(fs), [r])


# --------------------------------------------------------------------------- true roots kept


def test_multiple_roots_are_found() -> None:
    """Double roots (sin² at kπ, x² at 0) and a triple one (sin x − x at 0): Newton is
    linear there, and they are roots all the same."""
    found = roots([se.sin(X) ** 2, Y])
    assert same(found, [(k * math.pi, 0.0) for k in range(-3, 4)])
    assert same(roots([X**2, se.sin(Y) - Y]), [(0.0, 0.0)])
    assert same(roots([(X - 1) ** 3 * se.exp(X), Y - 2]), [(1.0, 2.0)])


def test_a_badly_scaled_row_is_still_a_root() -> None:
    assert same(roots([10**20 * (X - 1), 1e-20 * (Y + 2)]), [(1.0, -2.0)])


def test_continuum_of_roots_are_all_roots() -> None:
    found = roots([X - Y, 2 * X - 2 * Y])
    assert len(found) > 100 and all(abs(p - q) <= 1e-12 * max(1, abs(q)) for p, q in found)


# --------------------------------------------------------------------------- former crashes


def test_one_dimensional_root_is_polished() -> None:
    dottie = bisect(lambda t: math.cos(t) - t, 0.0, 1.0)
    found = roots([se.cos(X) - X], Box(((-10.0, 10.0),)), [X])
    assert same(found, [(dottie,)])
    point, residual = _polished([se.cos(X) - X], [X], found[0])
    exact = sympy.nsolve(sympy.cos(sympy.Symbol("x")) - sympy.Symbol("x"), 0.7, prec=40)
    assert abs(point[0] - exact) < 1e-25 and residual < 1e-25


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (se.sqrt(X) - 1, [(1.0, 0.0)]),  # undefined (NaN) for x < 0
        (se.log(X), [(1.0, 0.0)]),
        (se.asin(X) - sympy.Rational(1, 2), [(math.sin(0.5), 0.0)]),  # only on [-1, 1]
        (se.Abs(X) - 1, [(-1.0, 0.0), (1.0, 0.0)]),  # J = sign(x): jac's own derivative
        ((X + se.Abs(X)) / 2 - 2, [(2.0, 0.0)]),  # relu(x) - 2: J = 0 for x < 0
    ],
)
def test_functions_with_restricted_domains_or_kinks(f: Any, expected: Any) -> None:
    assert same(roots([f, -Y]), expected)


def test_lapack_never_sees_a_nan(monkeypatch: pytest.MonkeyPatch) -> None:
    pinv = np.linalg.pinv

    def checked(a: Any, *args: Any, **kwargs: Any) -> Any:
        assert np.isfinite(a).all()
        return pinv(a, *args, **kwargs)

    monkeypatch.setattr(np.linalg, "pinv", checked)
    for f in (se.sqrt(X) - 1, se.log(X), X * se.log(X * Y) - 1, se.exp(X**3) - 2):
        roots([f, Y - 1])


def test_seeded() -> None:
    fs = [se.sin(X) * se.cos(Y), X * Y - 1]
    assert roots(fs) == roots(fs)


# --------------------------------------------------------------------------- matching


def test_family_with_a_denominator_explains_its_members() -> None:
    """(2kπ, 1/(2kπ)) is undefined at k = 0, where the fit used to start."""
    k = sympy.Symbol("k", integer=True)
    family = Solution((2 * k * sympy.pi, 1 / (2 * k * sympy.pi)), (k,), "exact", 0)
    for m in (-3, -1, 1, 2, 5):
        point = (2 * m * math.pi, 1 / (2 * m * math.pi))
        assert _explains(family, point, {})
        assert not _explains(family, (point[0] + 0.5, point[1]), {})


def test_stability_matches_numeric_roots_to_that_family() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = jaccli.stability("x*y - 1, sin(x)", "x,y")
    assert result.status == "families"
    assert all(e.where for e in result.equilibria)
