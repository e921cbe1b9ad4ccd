"""render.syntax prints c*X with X's text remembered: the text must be exactly SymEngine's.

The shortcut (render.syntax._scaled) rebuilds what SymEngine's printer writes for a number
times one factor; these tests hold it to `str()` for every kind of number and factor, twice
(the second time from the remembered text), and for whole Jacobians of the bench workloads.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import symengine as se
from hypothesis import given
from hypothesis import strategies as st

from jaccli.render import syntax

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import workloads

x, y, z = se.symbols("x y z")
LONG = se.Add(*[se.Integer(k + 2) * se.Symbol(f"u{k}") for k in range(12)])  # past _WORTH

NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).filter(lambda n: n not in (0, 1)).map(se.Integer),
    st.tuples(st.integers(-50, 50), st.integers(2, 50))
    .filter(lambda p: p[0] % p[1] != 0)
    .map(lambda p: se.Rational(*p)),
    st.floats(allow_nan=False, allow_infinity=False)
    .filter(lambda f: f not in (0.0, 1.0))
    .map(se.RealDouble),
    st.sampled_from(
        [
            se.Integer(-1),
            se.I,
            -se.I,
            2 + 3 * se.I,
            se.Rational(-1, 2) + se.I,
            se.RealMPFR("0.1", 100),
            se.RealMPFR("-2.5", 200),
            se.ComplexDouble(1.5 - 2j),
            se.oo,
            -se.oo,
            se.zoo,
        ]
    ),
)
INNER = st.sampled_from([x, x + y, LONG, x * y, x**2 + 1, se.sin(LONG), -LONG])
EXPONENTS = st.sampled_from(
    [
        se.Integer(2),
        se.Integer(-1),
        se.Integer(-3),
        se.Rational(1, 2),
        se.Rational(-1, 2),
        se.Rational(-3, 2),
        se.RealDouble(-0.5),
        se.RealDouble(2.5),
        y,
        -y,
        x + y,
    ]
)


@st.composite
def factors(draw: st.DrawFn) -> se.Basic:
    inner = draw(INNER)
    kind = draw(st.sampled_from(["add", "function", "power", "exp", "symbol", "mixed"]))
    if kind == "add":
        return inner + draw(st.sampled_from([se.Integer(1), se.Integer(-3), z, se.tanh(LONG)]))
    if kind == "function":
        fn = draw(st.sampled_from([se.sin, se.tanh, se.Abs, se.Function("g"), se.log]))
        return fn(inner)
    if kind == "power":
        return se.Pow(draw(st.sampled_from([LONG, se.tanh(LONG), z + LONG, x])), draw(EXPONENTS))
    if kind == "exp":
        return se.exp(draw(st.sampled_from([LONG, -LONG, x])))
    if kind == "symbol":
        return z
    return se.Max(inner, z) * se.cos(LONG)


@given(NUMBERS, factors())
def test_a_number_times_a_factor_prints_as_symengine_does(
    number: se.Basic, factor: se.Basic
) -> None:
    expr = number * factor
    for _ in range(2):  # the second time from the remembered texts
        assert syntax._printed(expr) == (
            syntax._constant_last(str(expr)) if expr.is_Add else str(expr)
        )


@pytest.mark.parametrize(
    ("kind", "n"), [("layer", 30), ("arm", 12), ("sphere", 8), ("bratu", 40), ("kinetics", 30)]
)
def test_jacobians_of_the_workloads_print_as_symengine_does(kind: str, n: int) -> None:
    exprs, names = getattr(workloads, kind)(n)
    functions = [se.sympify(e.replace("^", "**")) for e in exprs]
    variables = [se.Symbol(name) for name in names]
    for f in functions:
        for v in variables:
            entry = f.diff(v)
            expected = syntax._constant_last(str(entry)) if entry.is_Add else str(entry)
            assert syntax.to_text(entry) == expected
            assert syntax._printed(entry) == expected


def test_the_remembered_texts_stay_within_their_size() -> None:
    texts = syntax._Texts(most_chars=100)
    for k in range(50):
        texts.put(se.Symbol(f"v{k}"), "x" * 30)
        assert texts.chars <= 100
    assert texts.get(se.Symbol("v49")) == "x" * 30
    assert texts.get(se.Symbol("v0")) is None


def test_the_shortcut_is_taken_for_a_layer() -> None:
    """Not a test that cannot fail: the layer's entries do go through the shortcut."""
    exprs, names = workloads.layer(20)
    f = se.sympify(exprs[0].replace("^", "**"))
    taken = [syntax._scaled(f.diff(se.Symbol(name))) for name in names]
    assert sum(t is not None for t in taken) >= 15
