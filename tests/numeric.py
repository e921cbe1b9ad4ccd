"""Check Jacobians against central finite differences, at 40 significant digits.

jac computes with SymEngine; these checks convert everything to SymPy first, so
a second library evaluates what the first derived. With h = 1e-12 the truncation
error is O(h²) ≈ 1e-24 and rounding ≈ 1e-28, so a relative tolerance of 1e-9
only fails on a wrong derivative.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sympy

DPS = 40
H = sympy.Float("1e-12", DPS)
TOL = 1e-9


def sp(expr: Any) -> Any:
    """A SymEngine (or Python) value as SymPy; jac's DiracDelta symbol as SymPy's DiracDelta."""
    converted = sympy.sympify(expr)
    if not isinstance(converted, sympy.Basic):
        return converted
    deltas = [f for f in converted.atoms(sympy.Function) if f.func.__name__ == "DiracDelta"]
    return converted.xreplace({d: sympy.DiracDelta(*d.args) for d in deltas})


def sympy_point(point: Mapping[Any, Any]) -> dict[Any, Any]:
    """The point with SymPy keys and 40-digit values, made once for many `at` calls."""
    return {sp(s): sympy.Float(v, DPS) for s, v in point.items()}


def at(expr: Any, point: Mapping[Any, Any], converted: Mapping[Any, Any] | None = None) -> Any:
    values = sympy_point(point) if converted is None else converted
    return sympy.N(sp(expr).xreplace(values), DPS)


def close(a: Any, b: Any, tol: float = TOL) -> bool:
    a, b = complex(a), complex(b)
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def random_point(
    symbols: Iterable[Any],
    rng: random.Random,
    domain: Mapping[str, tuple[float, float]] | None = None,
) -> dict[Any, float]:
    """A random point; by default every symbol in [0.3, 1.7], away from log/sqrt trouble at 0."""
    domain = domain or {}
    return {s: rng.uniform(*domain.get(s.name, (0.3, 1.7))) for s in symbols}


def fd_column(functions: Sequence[Any], point: Mapping[Any, Any], v: Any) -> list[Any]:
    up = {**point, v: sympy.Float(point[v], DPS) + H}
    down = {**point, v: sympy.Float(point[v], DPS) - H}
    high, low = sympy_point(up), sympy_point(down)
    return [(at(f, up, high) - at(f, down, low)) / (2 * H) for f in functions]


FD_COLUMNS = 24


def assert_matches_fd(
    functions: Sequence[Any],
    variables: Sequence[Any],
    matrix: Sequence[Sequence[Any]],
    *,
    rng: random.Random | None = None,
    points: int = 3,
    domain: Mapping[str, tuple[float, float]] | None = None,
) -> None:
    """Every entry of `matrix` equals ∂f_i/∂x_j by central differences at random points."""
    rng = rng or random.Random(20261122)
    functions = [sp(f) for f in functions]
    variables = [sp(v) for v in variables]
    matrix = [[sp(e) for e in row] for row in matrix]
    symbols: set[Any] = set(variables)
    for e in [*functions, *(x for row in matrix for x in row)]:
        symbols |= e.free_symbols
    # A big J (a 1,000-variable system) is checked on a random sample of its columns: all of
    # them would be n finite differences of every component, minutes of SymPy per test.
    sample = range(len(variables))
    if len(variables) > FD_COLUMNS:
        sample = sorted(rng.sample(range(len(variables)), FD_COLUMNS))
    for _ in range(points):
        p = random_point(sorted(symbols, key=str), rng, domain)
        converted = sympy_point(p)
        for j in sample:
            v = variables[j]
            column = fd_column(functions, p, v)
            for i, fd in enumerate(column):
                exact = at(matrix[i][j], p, converted)
                assert close(exact, fd), (
                    f"J[{i + 1},{j + 1}] = {matrix[i][j]} is {exact} at {p}, "
                    f"but finite differences give {fd}"
                )


def assert_matches_fd_at(
    functions: Sequence[Any],
    variables: Sequence[Any],
    point: Mapping[Any, Any],
    matrix: Sequence[Sequence[Any]],
    *,
    rng: random.Random | None = None,
) -> None:
    """J(a) equals central differences at the given point a (other symbols drawn at random)."""
    rng = rng or random.Random(7)
    functions = [sp(f) for f in functions]
    variables = [sp(v) for v in variables]
    matrix = [[sp(e) for e in row] for row in matrix]
    free: set[Any] = set()
    for e in [*functions, *(x for row in matrix for x in row)]:
        free |= e.free_symbols
    fixed = {sp(s): float(sympy.N(sp(v), DPS)) for s, v in point.items()}
    p = {**random_point(sorted(free - set(fixed), key=str), rng), **fixed}
    for j, v in enumerate(variables):
        for i, fd in enumerate(fd_column(functions, p, v)):
            exact = at(matrix[i][j], p)
            assert close(exact, fd), f"J(a)[{i + 1},{j + 1}] = {exact}, finite differences {fd}"
