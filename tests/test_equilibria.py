"""The exact solver of `jac stability` (jaccli.engine.equilibria and equilibria_poly), each
answer compared with the mathematics: F vanishes at every member of every family or
continuum, the members in a window are exactly the roots counted another way, a family's
excluded values are the ones where its point is undefined, the number of solutions of a
polynomial system is the one known by hand, and a status says only what was proved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest
import sympy

from jaccli.engine.bridge import from_sympy
from jaccli.engine.equilibria import Equilibria, Solution, equilibria
from jaccli.engine.equilibria_poly import _count
from jaccli.engine.equilibria_search import Box

x, y, z = sympy.symbols("x y z", real=True)


def solve(functions: Sequence[Any], variables: Sequence[Any], box: float = 10) -> Equilibria:
    bounds = Box(tuple((-box, box) if box > 0 else (2.0, 5.0) for _ in variables))
    variables = [from_sympy(v) for v in variables]
    return equilibria([from_sympy(sympy.S(f)) for f in functions], variables, bounds)


def at(s: Solution, values: dict[str, Any]) -> list[Any]:
    """The member of `s` at the given values of its parameters (by name)."""
    return [sympy.S(c).subs({p: values[p.name] for p in s.free}) for c in s.point]


def vanishes(functions: Sequence[Any], variables: Sequence[Any], point: Sequence[Any]) -> bool:
    values = [sympy.S(f).subs(dict(zip(variables, point, strict=True))) for f in functions]
    return all(sympy.simplify(v) == 0 for v in values)


def test_a_product_branches_into_its_factors() -> None:
    fs = [sympy.sin(x) * sympy.cos(y), y - x]
    result = solve(fs, [x, y], box=1)
    assert result.status == "families", result.reason
    members = set()
    for s in result.solutions:
        assert s.found == "exact" and s.where == "k ∈ ℤ"
        for k in range(-6, 7):
            point = at(s, {"k": k})
            assert vanishes(fs, [x, y], point)
            if abs(float(point[0])) <= 10:
                members.add(round(float(point[0]) / (math.pi / 2)))
    # sin x cos x = 0 on the line y = x: x = jπ/2, every j, the cos half included
    assert members == set(range(-6, 7))


def test_circle_system_gives_the_origin_and_says_where_the_circle_is_real() -> None:
    fs = [x * (x**2 + y**2 - 1), y * (x**2 + y**2 - 1)]
    result = solve(fs, [x, y], box=-1)  # a box that misses both the origin and the circle
    assert result.status == "families", result.reason
    points = [s.point for s in result.solutions if not s.free]
    assert points == [(0, 0)]
    continua = [s for s in result.solutions if s.free]
    assert continua and all(s.where == "y ∈ ℝ, -1 ≤ y ≤ 1" for s in continua)
    for t in [i / 8 for i in range(-12, 13)]:
        for s in continua:
            point = at(s, {"y": sympy.Rational(t)})
            real = all(complex(sympy.N(c)).imag == 0 for c in point)
            assert real == (abs(t) <= 1)  # what `where` says, no more
            if real:
                assert vanishes(fs, [x, y], point)
    for angle in [0.3 * i for i in range(21)]:  # every point of the circle is a member
        c, s_ = math.cos(angle), math.sin(angle)
        assert any(abs(complex(sympy.N(at(s, {"y": s_})[0])) - c) < 1e-9 for s in continua)


def test_a_quintic_without_radicals_is_incomplete_then_found_numerically() -> None:
    fs = [x**5 - x - 1, -y]
    narrow = solve(fs, [x, y], box=1)
    assert narrow.status == "incomplete" and narrow.solutions == ()
    assert "5 solutions in ℂ" in narrow.reason and ", but;" not in narrow.reason
    wide = solve(fs, [x, y])
    assert wide.status == "incomplete"
    (s,) = wide.solutions
    (root,) = sympy.real_roots(x**5 - x - 1)
    assert s.found == "numeric" and abs(float(s.point[0]) - float(root.evalf(30))) < 1e-20


@pytest.mark.parametrize(
    ("functions", "variables", "count"),
    [
        ([(x - 1) ** 2 * (x - 2), y**2 - x], [x, y], 4),  # a double root counted once
        ([x**5 - x - 1, y - x**2], [x, y], 5),  # no radicals
        ([x * y, x + y], [x, y], 1),  # the origin, of multiplicity 2
        ([x**2 + y**2 - 1, x - y], [x, y], 2),
        ([10 * (y - x), x * (28 - z) - y, x * y - sympy.Rational(8, 3) * z], [x, y, z], 3),
        ([x**2 - 1, y**2 - 1, z**2 - x * y], [x, y, z], 8),
    ],
)
def test_the_number_of_solutions_is_the_one_known(
    functions: list[Any], variables: list[Any], count: int
) -> None:
    assert _count(functions, variables) == count


def test_the_member_of_a_family_at_a_pole_is_excluded() -> None:
    fs = [x * y - 1, sympy.sin(x)]
    result = solve(fs, [x, y])
    assert result.status == "families", result.reason
    roots = set()
    for s in result.solutions:
        undefined = any(not sympy.S(c).subs(s.free[0], 0).is_finite for c in s.point)
        assert s.where == ("k ∈ ℤ, k ≠ 0" if undefined else "k ∈ ℤ")
        for k in (k for k in range(-5, 6) if k or not undefined):
            point = at(s, {"k": k})
            assert vanishes(fs, [x, y], point)
            roots.add(round(float(point[0]) / math.pi))
    # x = jπ for every j ≠ 0, y = 1/x
    assert {j for j in roots if abs(j) <= 10} == set(range(-10, 11)) - {0}


def test_a_continuum_through_a_pole_of_f_says_so() -> None:
    fs = [(x - y) / x, sympy.S(0)]
    result = solve(fs, [x, y])
    (s,) = result.solutions
    assert s.where == "y ∈ ℝ, y ≠ 0"
    assert vanishes(fs, [x, y], at(s, {"y": 3}))
    assert sympy.S(fs[0]).subs(dict(zip([x, y], at(s, {"y": 0}), strict=True))) is sympy.nan


def test_f_identically_zero_makes_every_point_an_equilibrium() -> None:
    result = solve([0, 0], [x, y])
    assert result.status == "families"
    (s,) = result.solutions
    assert s.point == (x, y) and s.free == (x, y) and s.where == "x, y ∈ ℝ"
