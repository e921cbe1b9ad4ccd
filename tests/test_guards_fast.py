"""`eval --points` classifies the lines jaccli.parse.fast read by their tokens when they
have nothing to guard, and finds the very guards the reference's trees give."""

from __future__ import annotations

import pytest

from jaccli import parse, problem
from jaccli.batch import guards

LINES = """
u0 - 2*u1 + u2 + h^2*lam*exp(u1)
x^2 + y**3 - sin(x)*cos(y)
x/y + 1
log(x) + sqrt(y)
x^0 + y
x^2^y
x^-2
2^x + x^y
tanh(x + 2*y) - exp(-x)
asin(x*y), x + y
x**(2) + y
abs(x) + sign(y)
""".strip().splitlines()


@pytest.mark.parametrize("line", LINES)
def test_the_fast_lines_have_the_guards_of_their_trees(line: str) -> None:
    read = problem.read(line, "x,y,u0,u1,u2")
    assert all(p.fast for p in read.parsed)
    reference = parse.read_functions([line], ("x", "y", "u0", "u1", "u2"))
    assert all(not p.fast for p in reference)
    args = list(read.variables or ())
    fast, slow = guards.classify(read.parsed, args), guards.classify(reference, args)
    assert fast.guards == slow.guards and fast.typed_parsed == slow.typed_parsed


def test_a_line_with_nothing_to_guard_is_not_parsed_again() -> None:
    read = problem.read("\n".join(f"x{i}^2 + exp(x{i + 1})" for i in range(50)), None)
    found = guards.classify(read.parsed, list(read.functions[0].free_symbols))
    assert found.guards == () and found.typed_parsed == ()
    assert all(p._node is None for p in read.parsed)
