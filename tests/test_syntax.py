"""render.products writes a product from its factors' texts, a long factor's remembered:
the text must be exactly SymEngine's.

It rebuilds what SymEngine's printer writes for a Mul; these tests hold it to `str()` for
every kind of number and factor (powers under the "/" too), twice (the second time from the
remembered texts), and for whole Jacobians of the bench workloads.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import symengine as se
from hypothesis import given
from hypothesis import strategies as st

from jaccli.render import products, syntax

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
        return se.Pow(draw(st.sampled_from([LONG, se.tanh(LONG), z + LONG, x, y])), draw(EXPONENTS))
    if kind == "exp":
        return se.exp(draw(st.sampled_from([LONG, -LONG, x])))
    if kind == "symbol":
        return z
    return se.Max(inner, z) * se.cos(LONG)


def _expected(expr: se.Basic) -> str:
    return syntax._constant_last(str(expr)) if expr.is_Add else str(expr)


@given(NUMBERS, factors())
def test_a_number_times_a_factor_prints_as_symengine_does(
    number: se.Basic, factor: se.Basic
) -> None:
    expr = number * factor
    for _ in range(2):  # the second time from the remembered texts
        assert syntax._printed(expr) == _expected(expr)
        if expr.is_Mul:
            composed = products._composed(expr)
            assert composed is None or composed == str(expr)


@given(st.one_of(NUMBERS, st.just(se.Integer(1))), st.lists(factors(), min_size=1, max_size=4))
def test_products_of_several_factors_print_as_symengine_does(
    number: se.Basic, parts: list[se.Basic]
) -> None:
    """Several factors, some under the "/" (x^-2, (1 + u)^(-1/2)), each remembered or not."""
    expr = se.Mul(number, *parts)
    for _ in range(2):
        assert syntax._printed(expr) == _expected(expr)
        if expr.is_Mul:
            composed = products._composed(expr)
            assert composed is None or composed == str(expr)


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
    texts = products._Texts(most_chars=100)
    for k in range(50):
        texts.put(se.Symbol(f"v{k}"), "x" * 30, 30)
        assert texts.chars <= 100
    assert texts.get(se.Symbol("v49")) == "x" * 30
    assert texts.get(se.Symbol("v0")) is None


def test_the_shortcut_is_taken_for_layers() -> None:
    """Not a test that cannot fail: the layers' entries are written from remembered texts,
    with numbers (w_ij) and with symbols (W[i,j]) in front."""
    exprs, names = workloads.layer(20)
    f = se.sympify(exprs[0].replace("^", "**"))
    entries = [f.diff(se.Symbol(name)) for name in names]
    symbolic = se.tanh(se.Add(*[se.Symbol(f"W{k}") * se.Symbol(f"x{k}") for k in range(20)]))
    entries += [symbolic.diff(se.Symbol(f"x{k}")) for k in range(20)]
    for e in entries:
        products.product(e)  # remembers the long factors
    taken = [products._composed(e) for e in entries if e.is_Mul]
    assert sum(t is not None for t in taken) >= 30
    assert all(t == str(e) for t, e in zip(taken, [e for e in entries if e.is_Mul], strict=True))


def test_products_that_are_hard_to_write() -> None:
    """Numbers under roots, powers under the "/", floats as exponents, I, -1 and nothing left
    above the "/": each printed twice after a long factor was remembered."""
    g = se.Function("g")
    cases = [
        x / se.sqrt(2), se.Integer(2) ** se.Rational(1, 3) * x / y, -x / y, -1 / x, 2 / x,
        1 / (x * y), se.Rational(1, 2) / x, x ** se.RealDouble(-0.5) * y, se.I * x / y,
        x * y**-2 * (1 + x) ** se.Rational(-1, 2) * se.exp(-x), se.exp(-2) * x,
        -se.I / (x * LONG), se.Derivative(g(x), x) * LONG, x * se.Piecewise((x, x > 0), (y, True)),
        (x > y) * LONG, se.sqrt(LONG) / se.tanh(LONG) ** 2, 3 * LONG**2 / (1 + LONG) ** 3,
    ]  # fmt: skip
    products.product(se.Integer(3) * se.tanh(LONG) * x)  # a long factor is remembered
    for expr in cases:
        for _ in range(2):
            assert syntax._printed(expr) == _expected(expr), expr
