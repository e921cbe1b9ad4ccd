"""Deeply nested input: a correct answer or a LimitError naming the limit, never a
RecursionError (exit 70) or a crash in SymEngine's C++ recursion.

Each test starts at Python's default recursion limit: jac raises it (grammar.make_room) for
the depth it accepts, and a raise left by an earlier test would hide a missing one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import symengine as se

from jaccli.engine import algebra, derivatives
from jaccli.errors import LimitError
from jaccli.parse import Limits, parse_functions, read_functions
from jaccli.parse.grammar import DEEPEST, make_room

x, y = se.symbols("x y")
g = se.Function("g")


@pytest.fixture(autouse=True)
def default_recursion_limit() -> Iterator[None]:
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    yield
    sys.setrecursionlimit(before)


def nested(opening: str, inner: str, depth: int, closing: str = ")") -> str:
    return opening * depth + inner + closing * depth


def tower(step: Callable[[Any], Any], inner: Any, depth: int) -> Any:
    for _ in range(depth):
        inner = step(inner)
    return inner


# ------------------------------------------------------- the parser at the default depth


def test_function_powers_nest_to_the_default_depth() -> None:
    # sin^2(sin^2(...)) took 10 Python frames a level: a RecursionError at 100 levels.
    [f] = parse_functions([nested("sin^2(", "x", 100)])
    assert f == tower(lambda u: se.sin(u) ** 2, x, 100)


def test_declared_functions_nest_to_the_default_depth(jac: Any) -> None:
    [parsed] = read_functions([nested("g(", "x", 100)], abstract=["g"])
    assert parsed.node is not None
    run = jac(["jacobian", nested("g(", "x", 100), "--vars", "x", "--functions", "g"])
    assert run.code == 0, run.stderr
    assert "g'(x)" in run.stdout  # the innermost factor of the chain rule


def test_the_cli_takes_the_default_depth_of_function_powers(jac: Any) -> None:
    # --format json: the fixture compares J at the point with finite differences.
    text = nested("sin^2(", "x", 100)
    run = jac(["eval", text, "--vars", "x", "--at", "x=0.5", "--format", "json"])
    assert run.code == 0, run.stderr


# ------------------------------------------------------- JAC_MAX_DEPTH raised


DEEP_INPUTS = {
    "parentheses": ("(", "x", ")", lambda u: u),
    "calls": ("sin(", "x", ")", se.sin),
    "continued fraction": ("1/(1-", "x", ")", lambda u: 1 / (1 - u)),
    "function powers": ("sin^2(", "x", ")", lambda u: se.sin(u) ** 2),
    "signs": ("- ", "x", "", lambda u: -u),
    "power tower": ("x^", "y", "", lambda u: x**u),
}


@pytest.mark.parametrize("kind", DEEP_INPUTS)
@pytest.mark.parametrize("depth", [300, DEEPEST])
def test_a_raised_depth_limit_is_read_and_built(kind: str, depth: int) -> None:
    opening, inner, closing, step = DEEP_INPUTS[kind]
    [f] = parse_functions([nested(opening, inner, depth, closing)], limits=Limits(depth=5000))
    assert f == tower(step, se.Symbol(inner), depth)


@pytest.mark.parametrize("kind", ["calls", "continued fraction"])
def test_a_raised_depth_limit_is_evaluated_at_a_point(jac: Any, kind: str) -> None:
    # eval builds the tree again at the point (parse.build, recursive). Plain output: the
    # fixture's JSON check reads entries back within the default depth.
    opening, inner, closing, step = DEEP_INPUTS[kind]
    text = nested(opening, inner, 300, closing) + "+y"
    args = ["eval", text, "--vars", "x,y", "--at", "x=0.5,y=0.25", "--digits", "12"]
    run = jac([*args, "--format", "plain"], env={"JAC_MAX_DEPTH": "1000"})
    assert run.code == 0, run.stderr
    f = tower(step, x, 300)
    h = 1e-6
    slope = (float(f.subs({x: 0.5 + h})) - float(f.subs({x: 0.5 - h}))) / (2 * h)
    printed = [float(v) for v in run.stdout.split()]
    assert printed[-1] == 1  # d/dy
    assert printed[0] == pytest.approx(slope, rel=1e-5, abs=1e-9)


TOO_DEEP = nested("1/(1-", "x", DEEPEST + 1) + "+y"


@pytest.mark.parametrize("limit", [DEEPEST, 5000, 10**9])
def test_nesting_past_what_jac_takes_is_a_limit_error(limit: int) -> None:
    # SymEngine prints and differentiates by C++ recursion: 1/(1-1/(1-...)) 5,000 deep
    # crashed its printer (SIGSEGV), whatever Python's recursion limit. jac stops at DEEPEST.
    with pytest.raises(LimitError, match=f"more than {DEEPEST:,} levels deep, the most jac"):
        parse_functions([TOO_DEEP], limits=Limits(depth=limit))


def test_the_cli_stops_past_what_jac_takes(jac: Any) -> None:
    make_room(5000)  # as any earlier parse in the process leaves it
    run = jac(["jacobian", TOO_DEEP, "--vars", "x,y"], env={"JAC_MAX_DEPTH": "5000"})
    assert run.code == 3
    assert f"nested more than {DEEPEST:,} levels deep" in run.stderr
    assert len(run.stderr.splitlines()[0]) < 200  # one line, then the caret


def test_below_what_jac_takes_the_message_says_which_limit_to_raise() -> None:
    with pytest.raises(LimitError, match="more than 300 levels deep; raise the limit with JAC"):
        parse_functions([nested("sin(", "x", 301)], limits=Limits(depth=300))


# ------------------------------------------------------- derivatives of deep functions


def _chain(depth: int, innermost: Any) -> Any:
    return tower(se.sin, innermost, depth)


def test_the_walks_of_a_deep_function_are_loops() -> None:
    # SymEngine's atoms() recurses in Python: a RecursionError at 1,000 nested calls.
    f = _chain(1500, se.Abs(x) + se.atan2(x + 1, y))
    assert algebra.atoms(f, se.Abs) == {se.Abs(x)}
    assert derivatives.atan2_nodes(f) == (se.atan2(x + 1, y),)
    assert derivatives.by_symengine(f) is None  # abs: jac's rules or SymPy's
    assert len(algebra.atoms(f, se.sin)) == 1500


def test_atoms_agrees_with_symengine_where_it_can_recurse() -> None:
    f = se.sin(x * se.Abs(y - 1)) + se.atan2(x, y) * se.exp(se.Abs(x)) + g(x, se.cos(y))
    for types in [(se.Abs,), (se.Function,), (se.Symbol,), (se.Abs, se.atan2)]:
        assert algebra.atoms(f, *types) == f.atoms(*types)


def test_the_nan_repair_of_a_deep_function() -> None:
    # d/dy (acosh(-1)*y + sin(...(x))) is nan*y + acosh(-1) by SymEngine; its repair walked
    # the function by SymEngine's recursive atoms().
    f = se.acosh(-1) * y + _chain(1500, x)
    assert derivatives.partial(f, y) == se.acosh(-1)
