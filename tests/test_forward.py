"""engine.forward differentiates a row by SymEngine's rules with shared pieces: every entry
must be the very expression SymEngine's `diff` returns (equal as trees, and printed alike)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import symengine as se
from hypothesis import assume, given
from hypothesis import strategies as st

from jaccli.engine import derivatives, forward

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import workloads

X = se.symbols("x y z w")
FUNCTIONS = [
    se.sin, se.cos, se.tan, se.cot, se.sec, se.csc, se.asin, se.acos, se.atan, se.acot,
    se.asec, se.acsc, se.sinh, se.cosh, se.tanh, se.coth, se.sech, se.csch, se.asinh,
    se.acosh, se.atanh, se.acoth, se.asech, se.acsch, se.log, se.erf, se.exp, se.sqrt,
    se.gamma, se.Abs, se.LambertW,
]  # fmt: skip
NUMBERS = st.sampled_from(
    [se.Integer(2), se.Integer(-3), se.Rational(1, 2), se.Rational(-5, 3), se.RealDouble(0.25),
     se.Integer(-1), se.pi, se.E, se.sqrt(2), 2 + 3 * se.I]
)  # fmt: skip


def _built(make: Any, *args: se.Basic) -> se.Basic:
    """make(*args), or their sum where SymEngine refuses (max of a complex number)."""
    try:
        return make(*args)
    except (RuntimeError, ValueError, ZeroDivisionError):
        return se.Add(*args)


def expressions(others: bool = True) -> st.SearchStrategy[se.Basic]:
    """Random trees; `others`: with the kinds forward leaves to SymEngine (max, atan2, u^v,
    gamma, abs, LambertW) too."""
    leaves = st.one_of(st.sampled_from(X), NUMBERS)
    functions = FUNCTIONS if others else FUNCTIONS[:-3]

    def extend(inner: st.SearchStrategy[se.Basic]) -> st.SearchStrategy[se.Basic]:
        exponents = st.one_of(NUMBERS, inner) if others else NUMBERS
        kinds = [
            st.lists(inner, min_size=2, max_size=5).map(lambda a: se.Add(*a)),
            st.lists(inner, min_size=2, max_size=4).map(lambda a: se.Mul(*a)),
            st.tuples(inner, exponents).map(lambda p: _built(se.Pow, *p)),
            st.tuples(st.sampled_from(functions), inner).map(lambda p: _built(*p)),
        ]
        if others:
            kinds.append(st.tuples(inner, inner).map(lambda p: _built(se.Max, *p)))
            kinds.append(st.tuples(inner, inner).map(lambda p: _built(se.atan2, *p)))
        return st.one_of(*kinds)

    return st.recursive(leaves, extend, max_leaves=14)


def _same(f: se.Basic) -> None:
    # x^zoo and the like (2/0 built by the strategy; jac's parser refuses them): SymEngine's
    # d/dy is nan there and forward's 0, neither of any use
    assume(not any(f.has(c) for c in (se.zoo, se.oo, -se.oo, se.nan)))
    got = forward.row(f, X)
    for v, d in zip(X, got, strict=True):
        if v not in f.free_symbols:  # never asked by jac; SymEngine may say 0.0 + 0.0*I
            assert d == 0 or str(d) == str(f.diff(v))  # or the row was SymEngine's (max)
            continue
        expected = f.diff(v)
        if expected.has(se.nan) and not f.has(se.nan) and not d.has(se.nan):
            # SymEngine's nan for a constant at a pole of its derivative (acosh(-1)):
            # forward leaves constants alone; equal to SymEngine's once they stand still.
            expected = _by_symengine_with_constants_held(f, v)
        # nan (of a complex power's float arithmetic) is equal to nothing, but prints alike
        same = d == expected or "nan" in str(d)
        assert same and str(d) == str(expected), (f, v, d, expected)


def _by_symengine_with_constants_held(f: se.Basic, v: se.Basic) -> se.Basic:
    """SymEngine's diff with each constant call stood in for by a symbol, then put back."""
    calls = [a for a in f.atoms(se.Function) if not a.free_symbols]
    stand = {a: se.Symbol(f"_held{k}") for k, a in enumerate(calls)}
    return f.xreplace(stand).diff(v).xreplace({s: a for a, s in stand.items()})


@given(st.one_of(expressions(others=False), expressions()))
def test_every_entry_is_symengines_own(f: se.Basic) -> None:
    _same(f)


@given(st.lists(expressions(), min_size=2, max_size=6))
def test_sums_of_products_of_calls(parts: list[se.Basic]) -> None:
    """Shapes where the shared pieces matter: Σ c_k f_k(u_k) with long u_k, and products."""
    _same(se.Add(*[p * _built(se.sin, se.Add(*parts[: k + 1])) for k, p in enumerate(parts)]))
    _same(se.Mul(*[_built(se.cos, p) + p for p in parts]))
    _same(_built(se.tanh, se.Add(*[(k + 2) * p for k, p in enumerate(parts)])) ** 3)


@pytest.mark.parametrize(
    ("kind", "n"),
    [("arm", 25), ("layer", 30), ("sphere", 10), ("kinetics", 20), ("bratu", 20)],
)
def test_the_workloads(kind: str, n: int) -> None:
    exprs, names = getattr(workloads, kind)(n)
    variables = [se.Symbol(name) for name in names]
    for text in exprs:
        f = se.sympify(text.replace("^", "**"))
        got = forward.row(f, variables)
        assert got == [f.diff(v) for v in variables]


def test_rows_with_many_columns_go_through_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """derivatives._row takes this path for a plain row of many columns (not a test that
    cannot fail: the row must come from forward.row)."""
    calls: list[int] = []
    real = forward.row

    def spy(f: se.Basic, variables: list[se.Basic]) -> list[se.Basic]:
        calls.append(len(variables))
        return real(f, variables)

    monkeypatch.setattr(forward, "row", spy)
    exprs, names = workloads.arm(12)
    f = se.sympify(exprs[0])
    pairs = [(j, se.Symbol(name)) for j, name in enumerate(names)]
    got = derivatives._row(f, pairs, ())
    assert calls == [12]
    assert got == tuple((j, f.diff(v)) for j, v in pairs if f.diff(v) != 0)


def test_a_deep_expression_falls_back_to_symengine() -> None:
    f = X[0]
    for _ in range(3000):
        f = se.sin(f)
    pairs = [(j, v) for j, v in enumerate(X)]
    assert derivatives._row(f, pairs * 3, ()) == tuple(
        (j, f.diff(v)) for j, v in pairs * 3 if f.diff(v) != 0
    )


def test_a_constant_at_a_pole_of_its_derivative_is_not_nan() -> None:
    """SymEngine alone says d/dy (acosh(-1)*y + x) = nan*y + acosh(-1)."""
    x, y = X[0], X[1]
    f = se.acosh(-1) * y + x
    assert f.diff(y).has(se.nan)  # SymEngine's own answer (if it changes, this test goes)
    assert derivatives.diff(f, y) == se.acosh(-1)
    assert derivatives._row(f, [(0, x), (1, y)], ()) == ((0, se.Integer(1)), (1, se.acosh(-1)))
