"""Review 17: today's speed changes held to what they claim.

render/products.py claims `product(m) == str(m)` for every SymEngine Mul, and engine.forward
claims `row(f, vs)[k]` is the very expression `f.diff(vs[k])` (equal trees, equal texts).
Failing claims are strict xfails (they pass once fixed); the rest are regression tests.
"Old" below means the shortcuts switched off: no remembered factor texts, no
engine.forward (derivatives._MANY huge), as jac worked before them.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from typing import Any

import pytest
import symengine as se

from jaccli.engine import derivatives, forward
from jaccli.render import products, syntax

x, y, z, w = se.symbols("x y z w")
A = se.symbols("a1:8")  # seven more variables: a row of 9 columns goes to engine.forward
VARS = "x,y," + ",".join(str(a) for a in A)
TIMES_A = "*" + "*".join(str(a) for a in A)
LONG = se.Add(*se.symbols("v0:30"))  # prints longer than products._WORTH
g = se.Function("g")


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no remembered factor (no test depends on another's state)."""
    monkeypatch.setattr(products, "_FACTORS", products._Texts(most_chars=8 << 20))
    monkeypatch.setattr(products, "_COEFFICIENTS", products._Texts(most_chars=1 << 20))


def _warm() -> None:
    """Remember a long factor, so that products are composed from their factors' texts."""
    products.product(x * y * se.sin(LONG))
    assert products._FACTORS.texts


def _old(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(products, "_FACTORS", products._Texts(most_chars=8 << 20))
    monkeypatch.setattr(products, "_composed", lambda expr: None)
    monkeypatch.setattr(derivatives, "_MANY", 10**9)


def _both(jac: Any, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple[Any, Any]:
    new = jac(args)
    with monkeypatch.context() as m:
        _old(m)
        old = jac(args)
    return new, old


# ---------------------------------------------------------------- products: bugs


def test_a_remembered_factor_keeps_the_sign_of_its_zero() -> None:
    # RealDouble(0.0) == RealDouble(-0.0) with equal hashes, so g(0.0, S) and g(-0.0, S) are
    # one key of products._FACTORS (products.py:79 `_FACTORS.get(factor)`), printing apart.
    products.product(x * y * g(se.RealDouble(0.0), LONG))
    m = x * y * g(se.RealDouble(-0.0), LONG)
    assert products.product(m) == str(m)  # got 'x*y*g(0.0, ...)', str says 'x*y*g(-0.0, ...)'


def test_a_remembered_coefficient_keeps_the_sign_of_its_zero() -> None:
    # products._COEFFICIENTS (products.py:100) keyed by value: (1.0 + -0.0*I) printed as
    # the (1.0 + 0.0*I) seen before.
    _warm()
    first = se.ComplexDouble(complex(1, 0.0)) * x * y
    second = se.ComplexDouble(complex(1, -0.0)) * x * y
    assert products.product(first) == str(first)
    assert products.product(second) == str(second)  # got '(1.0 + 0.0*I)*x*y'


@pytest.mark.parametrize(
    ("plus", "minus"),
    [
        (se.RealMPFR("0", 100), -se.RealMPFR("0", 100)),
        (se.ComplexDouble(complex(0.0, 1)), se.ComplexDouble(complex(-0.0, 1))),
        (se.RealDouble(0.0) + LONG, se.RealDouble(-0.0) + LONG),
    ],
    ids=["mpfr", "complex real part", "in a sum"],
)
def test_no_remembered_text_mixes_up_signed_zeros(plus: Any, minus: Any) -> None:
    # Equal with one hash, printed apart: as a factor's argument and as a coefficient.
    _warm()
    for number in (plus, minus, plus):
        for m in (x * y * g(number, LONG), number * x * y, x * y * (number + LONG) ** 2):
            if m.is_Mul:  # a zero coefficient leaves no product
                assert products.product(m) == str(m)


# ------------------------------------------------------------ products: what held

NASTY = [
    x * se.sqrt(y), x / se.sqrt(y), x / se.sqrt(se.sin(y)), x / se.sin(y) ** se.Rational(3, 2),
    x * se.exp(y), x / se.exp(y), x / (se.exp(y) + 1), x * se.pi, x * se.E, se.I * x * y,
    (2 + 3 * se.I) * x / y, x * y ** se.RealDouble(-2.0), 2 / x, -1 / x, -x / y / z,
    se.Rational(1, 2) * x / y, x / se.sqrt(2), x * 2 ** se.Rational(-1, 3), x * se.RealDouble(1.5),
    x * y * se.Integer(10) ** 40, x / (y * z) ** se.Rational(1, 2), x * se.Abs(y), x * se.sign(y),
    x * se.Max(x, y), x * se.gamma(y), x * se.LambertW(y), x * se.erf(y), x * se.atan2(y, z),
    x * g(y), x / g(y) ** 2, x * g(y).diff(y), se.Symbol("x[1]") * x / se.Symbol("W[1,2]"),
    x * se.Symbol("E") * se.Symbol("pi") / se.Symbol("I"), x * y**z, x / y**z, x * y ** (1 + se.I),
    x * se.exp(se.exp(y)), x * se.log(y) ** -3, x / (y + 1) / (z + 1) ** 2, -se.I * x / y,
    x * se.Piecewise((y, y < 1), (z, True)), se.Rational(-3, 2) / x / y, x * se.EulerGamma / y,
    x * se.RealMPFR("1.5", 100) * y, se.RealMPFR("1.5", 200) / x, se.Subs(g(x), x, y) * z,
]  # fmt: skip


@pytest.mark.parametrize("m", NASTY, ids=str)
def test_products_print_as_symengine_with_long_factors_remembered(
    m: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_m = m * se.cos(LONG) * (LONG + 1) ** -2
    with monkeypatch.context() as old:
        _old(old)
        want = syntax.to_text(long_m)
    _warm()
    for _ in range(2):  # the second time from remembered texts
        assert products.product(m) == str(m)
        assert products.product(long_m) == str(long_m)
        assert syntax.to_text(long_m) == want


def test_products_after_the_cache_is_emptied_at_512_entries() -> None:
    many = [x * se.sin(LONG + k) for k in range(1100)]
    for m in many:  # thrashes: each its own long factor, the cache emptied twice
        assert products.product(m) == str(m)
    assert len(products._FACTORS.texts) <= 512
    for m in many[::50]:
        assert products.product(m * y) == str(m * y)


def test_equal_but_differently_printed_reals_are_not_one_key() -> None:
    low, high = se.RealMPFR("1.5", 60), se.RealMPFR("1.5", 200)
    products.product(x * y * g(low, LONG))
    m = x * y * g(high, LONG)
    assert products.product(m) == str(m)


# ----------------------------------------------------------------- forward: bugs


def _same(f: Any, variables: list[Any]) -> list[tuple[str, str]]:
    got = forward.row(f, variables)
    return [
        (str(d), str(f.diff(v)))
        for v, d in zip(variables, got, strict=True)
        if not (d == f.diff(v) and str(d) == str(f.diff(v)))
    ]


def test_forward_erf_of_a_product_with_exp() -> None:
    # forward.py:158 (_outer) substitutes u into erf'(T) = 2*exp(-T**2)/sqrt(pi); SymEngine's
    # rule multiplies u*u: exp(1 + x)**2 is exp(2*(1 + x)) there, exp(2 + 2*x) in SymEngine.
    assert _same(se.erf(se.exp(1 + x) * y), [x, y]) == []


def test_forward_sum_holding_cot_keeps_symengines_nested_sum() -> None:
    # d/dx (x*y - cot(x)): SymEngine's term -(-1 - cot(x)**2)... comes as Mul(-1, Add) and its
    # Add rule keeps 1 + cot(x)**2 as ONE term: 'y + 1 + cot(x)**2'; forward.py:88
    # (`pieces.append(c * t)`, then Add(*pieces)) flattens it: '1 + y + cot(x)**2'.
    # Also tan(5 - x), tan(2*x)/2, -(A)*(c - x): any term whose c*t is an Add.
    assert _same(x * y - se.cot(x), [x]) == []


@pytest.mark.parametrize("f", ["erf(exp(1+x)*y)", "x*y - cot(x)", "(x*sqrt(x)-tan(5-x))"])
def test_cli_row_of_nine_columns_prints_as_before(
    jac: Any, monkeypatch: pytest.MonkeyPatch, f: str
) -> None:
    args = ["jacobian", f"({f}){TIMES_A}", "--vars", VARS, "--format", "plain"]
    new, old = _both(jac, monkeypatch, args)
    assert (new.code, new.stdout) == (old.code, old.stdout)


def test_nan_repair_on_a_deeply_nested_function() -> None:
    # d/dy (acosh(-1)*y + sin(sin(...sin(x)))) with 1,500 sines raised a RecursionError in
    # SymEngine's atoms (a Python recursion); algebra.atoms walks by a loop.
    deep = x
    for _ in range(1500):
        deep = se.sin(deep)
    assert derivatives.partial(se.acosh(-1) * y + deep, y) == se.acosh(-1)


@pytest.mark.parametrize(
    "f", ["acosh(-1)*y + 2^x", "acosh(-1)*y + x^y", "acosh(-1)*y + atan2(x+1, y)"]
)
@pytest.mark.parametrize("extra", ["", " + a1+a2+a3+a4+a5+a6+a7"])
def test_no_nan_entry_for_a_constant_at_a_pole(jac: Any, f: str, extra: str) -> None:
    # d/dx (acosh(-1)*y + 2^x) prints 'nan*y + 2**x*log(2)', exit 0 (every column: nan*y + 1
    # for a1). derivatives._held asks forward.row, which hands a
    # row holding u^v to SymEngine (forward.py:187 `raise _Other`): the same nan comes back;
    # and diff's atan2 branch (derivatives.py:92-103) never repairs at all.
    run = jac(["jacobian", f + extra, "--vars", VARS if extra else "x,y"])
    assert run.code == 0
    assert "nan" not in run.stdout


# ------------------------------------------------------------- forward: what held

ROWS = [
    se.sin(x * y) * se.exp(z / w) + se.sqrt(x + y) ** 3 - se.log(w) / (1 + x**2),
    se.tanh(x + y + z + w) ** 2 + se.atan(x * y) * se.asinh(z) - se.acoth(w) / x,
    (2 + 3 * se.I) * x * se.sec(y) + se.pi * se.csc(z) ** se.Rational(-3, 2) + se.E * w,
    se.Integer(10) ** 30 * x * y + se.Rational(7, 3) * se.acos(z) * se.asec(w) + x ** (1 + se.I),
    se.exp(se.exp(x) * y) * se.coth(z) + se.Symbol("E") * x + se.Symbol("pi") * w + se.sech(y),
    se.Symbol("x[1]") * x + se.Symbol("W[1,2]") * y * z + se.acsch(w) * se.acot(x),
    (x + y).xreplace({y: z * w}) * se.erf(x + z) + (x * y).subs({x: se.sin(w)}),
    se.tan(x + y) * z - se.cot(z * w) + se.tanh(2 - x) * y,
    se.acosh(-1) * y + se.atanh(1) * x + z * w,
]  # fmt: skip


@pytest.mark.parametrize("f", ROWS, ids=lambda f: str(f)[:40])
def test_forward_row_is_symengines_diff(f: Any) -> None:
    symbols = [x, y, z, w, se.Symbol("E"), se.Symbol("pi"), se.Symbol("x[1]"), se.Symbol("W[1,2]")]
    present = [(j, v) for j, v in enumerate(symbols) if v in f.free_symbols]
    got = dict(derivatives._row(f, present, ()))
    for j, v in present:
        d = got.get(j, se.Integer(0))
        want = derivatives._held(f, v, f.diff(v))
        assert not d.has(se.nan)
        assert d == want and str(d) == str(want), (v, d, want)


def test_forward_row_of_a_deep_function_with_many_columns_falls_back() -> None:
    deep = se.Add(*A)
    for _ in range(1500):
        deep = se.sin(deep)
    row = derivatives._differentiate_one(deep * x * y, [x, y, *A])
    assert len(row) == 9


@pytest.mark.parametrize(
    "f",
    [
        "tanh(w1*x1+w2*x2+w3*x3+w4*x4+w5*x5+w6*x6+w7*x7+w8*x8+b)",
        "pi*x1*sin(w1*x1+w2*x2+w3*x3+w4*x4+w5*x5+w6*x6+w7*x7+w8*x8+b)/(2+x2)^2",
        "(2+3*I)*exp(-(w1*x1+w2*x2+w3*x3+w4*x4+w5*x5+w6*x6+w7*x7+w8*x8+b)^2)*sqrt(x3)",
    ],
)
@pytest.mark.parametrize("fmt", ["plain", "json", "table"])
def test_cli_layers_print_as_before(
    jac: Any, monkeypatch: pytest.MonkeyPatch, f: str, fmt: str
) -> None:
    names = ",".join([f"x{k}" for k in range(1, 9)] + [f"w{k}" for k in range(1, 9)] + ["b"])
    args = ["jacobian", f"{f}, x1*{f}", "--vars", names, "--format", fmt]
    new, old = _both(jac, monkeypatch, args)
    assert new.code == 0
    assert new.stdout == old.stdout


def test_vector_layer_prints_as_before(jac: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["jacobian", "sigmoid(W*x+b)", "--shape", "W=3x9,x=9,b=3", "--vars", "x,W"]
    new, old = _both(jac, monkeypatch, [*args, "--format", "plain"])
    assert new.code == 0
    assert new.stdout == old.stdout


# ------------------------------------------------------------------ performance


def test_a_line_with_a_constant_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # parse.fast does not take a line holding pi, E or e, and Parsed.node re-parsed the WHOLE
    # line for each component (parse/names.py asks every one): O(n^2), 200 components 2.4 s
    # against 0.03 s. parse.tree._trees remembers the last line's trees.
    import jaccli
    from jaccli.parse import grammar

    calls = []
    parse_list = grammar.Parser.parse_list
    monkeypatch.setattr(
        grammar.Parser, "parse_list", lambda self: calls.append(1) or parse_list(self)
    )
    s = "+".join(f"x{k}" for k in range(8))
    line = ",".join(f"pi*x0*sin({s}+{i})" for i in range(60))
    jaccli.jacobian(line, ",".join(f"x{k}" for k in range(8)))
    assert len(calls) <= 3  # was 61


# --------------------------------------------------------------- lazy start-up


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_engine_names_stay_functions_in_a_fresh_process() -> None:
    out = _python(
        "import jaccli.engine.hessian, jaccli.engine.chain, jaccli.engine.stability\n"
        "from jaccli.engine import *\n"
        "import jaccli.engine as E, jaccli\n"
        "print(all(callable(getattr(E, n)) and not hasattr(getattr(E, n), '__path__')"
        " and type(getattr(E, n)).__name__ == 'function' for n in"
        " ('chain', 'gradient', 'hessian', 'singular', 'sparsity', 'stability')))\n"
        "print(jaccli.hessian('x**2*y', 'x,y').name)\n"
    )
    assert out.split() == ["True", "hessian"]


def test_python_m_and_completion_and_help() -> None:
    run = [sys.executable, "-m", "jaccli"]
    done = subprocess.run(
        [*run, "jacobian", "x*y", "--vars", "x,y", "--format", "plain"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, "y\tx\n")
    env = {"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": "jac jaco", "COMP_CWORD": "1"}
    done = subprocess.run(
        ["jac"], capture_output=True, text=True, timeout=60, env={**_env(), **env}
    )
    assert "jacobian" in done.stdout.split()


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_results_pickle() -> None:
    import jaccli

    for r in (jaccli.jacobian("x*y, sin(x)", "x,y"), jaccli.hessian("x**2*y", "x,y")):
        assert pickle.loads(pickle.dumps(r)) == r
