"""The one catalogue of functions: what the parser, the evaluators and the printers read agrees."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import symengine as se

from jaccli.errors import ParseError, UndefinedError
from jaccli.functions import (
    ARITIES,
    CATALOGUE,
    VECTOR_FUNCTIONS,
    numpy_functions,
    symengine_functions,
)
from jaccli.parse import FUNCTIONS, make_symbol, parse_functions

SCALAR = sorted(name for name, f in CATALOGUE.items() if f.kind == "scalar")
PARSED = sorted(name for name in SCALAR if CATALOGUE[name].parses)
EVALUATED = sorted(name for name, f in CATALOGUE.items() if f.numpy is not None)
SYMBOLS = [make_symbol(n) for n in "xyz"]
# Exact in binary, so that SymEngine and NumPy see the same numbers; around the places
# where functions stop being defined (0, ±1) and beyond them.
VALUES = [Fraction(n, 4) for n in (-10, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 10)]


def _call(name: str, count: int) -> str:
    return f"{name}({', '.join('xyz'[:count])})"


@pytest.mark.parametrize("name", PARSED)
def test_every_function_parses_with_its_arity_and_builds_in_symengine(name: str) -> None:
    fewest, most = CATALOGUE[name].arity
    for count in range(fewest, most + 1):
        [built] = parse_functions([_call(name, count)], "xyz")
        assert built == symengine_functions()[name](*SYMBOLS[:count])
    for count in (fewest - 1, most + 1):
        if count >= 1:
            with pytest.raises(ParseError, match=f"{name} takes"):
                parse_functions([_call(name, count)], "xyz")


def test_the_parser_reads_exactly_the_catalogued_names() -> None:
    assert FUNCTIONS == ARITIES == {n: f.arity for n, f in CATALOGUE.items() if f.parses}
    others = [n for n, f in CATALOGUE.items() if not f.parses] + ["floor", "gamma", "asech"]
    for name in others:
        with pytest.raises(ParseError, match="not a function jac knows"):
            parse_functions([f"{name}(x)"], ["x"])


def test_vector_functions_are_names_and_arities_only() -> None:
    # The parser expands sum, det, softmax... itself (issue 12): here they have no builder,
    # NumPy implementation, LaTeX macro or derivative, and the tables of implementations
    # skip them, but the parser reads their names.
    vector = {"sum", "dot", "norm", "softmax", "logsumexp", "diag", "tr", "det", "inv", "ones"}
    assert vector == VECTOR_FUNCTIONS == {n for n, f in CATALOGUE.items() if f.kind == "vector"}
    for name in vector:
        f = CATALOGUE[name]
        assert f.parses and ARITIES[name] == f.arity == ((2, 2) if name == "dot" else (1, 1))
        assert (f.symengine, f.numpy, f.latex, f.derivative) == (None, None, None, None), name
        assert name not in symengine_functions() and name not in numpy_functions()
    assert set(symengine_functions()) == set(SCALAR)


@pytest.mark.parametrize("name", SCALAR)
def test_every_entry_builds_in_symengine(name: str) -> None:
    fewest = CATALOGUE[name].arity[0]
    built = symengine_functions()[name](*SYMBOLS[:fewest])
    assert isinstance(built, se.Basic) and built.free_symbols == set(SYMBOLS[:fewest])


def _symengine_value(name: str, args: tuple[Fraction, ...]) -> float:
    """The value jac's exact arithmetic gives: NaN where it has no real one (zoo, I, an error)."""
    exact = [se.Integer(a.numerator) / se.Integer(a.denominator) for a in args]
    try:
        value = symengine_functions()[name](*exact)
    except RuntimeError:  # log(0, -1) is zoo/(iπ): SymEngine gives up, jac reports a LimitError
        return math.nan
    assert isinstance(value, se.Basic)
    if value.has(se.zoo) or value.has(se.nan):
        return math.nan
    try:
        return float(value.n(53, real=True))  # NaN when the value is complex
    except RuntimeError:  # a purely imaginary number (sqrt(-1))
        return math.nan


@pytest.mark.parametrize("name", EVALUATED)
def test_numpy_agrees_with_symengine_and_is_nan_where_jac_says_undefined(name: str) -> None:
    # Where jac's exact value is real, NumPy gives it; where it is undefined or complex
    # (eval --at reports UndefinedError or ComplexError), NumPy gives NaN or ±inf, which
    # eval --points writes as undefined. atan2(0, 0) and cbrt(-2) are NaN on purpose,
    # although NumPy's own arctan2 and cbrt give numbers there.
    implementation = numpy_functions()[name]
    for count in range(CATALOGUE[name].arity[0], CATALOGUE[name].arity[1] + 1):
        for args in itertools.product(VALUES, repeat=count):
            expected = _symengine_value(name, args)
            with np.errstate(all="ignore"):
                got = float(np.asarray(implementation(*(np.float64(float(a)) for a in args))))
            where = f"{name}{tuple(str(a) for a in args)}: SymEngine {expected}, NumPy {got}"
            if name == "log" and count == 2 and min(args) < 0:
                # log(x, b) is log(x)/log(b); operation by operation, as eval --points works,
                # a complex log is NaN and so is the quotient, even where the exact one is
                # real (log(b, b) = 1); J there is complex for eval --at too.
                assert math.isnan(got), where
            elif not math.isfinite(expected):
                assert not math.isfinite(got), where
            else:
                assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-12), where


def test_numpy_evaluates_whole_columns() -> None:
    column = np.array([-2.0, 0.0, 0.5, 8.0])
    with np.errstate(all="ignore"):
        cbrt = np.asarray(numpy_functions()["cbrt"](column))
        atan2 = np.asarray(numpy_functions()["atan2"](column, column))
    assert np.isnan(cbrt[0]) and list(cbrt[1:]) == [0.0, 0.5 ** (1 / 3), 2.0]
    assert np.isnan(atan2[1]) and atan2[2] == math.atan2(0.5, 0.5)


# The tables render/latex.py had before it read the catalogue (issue 11), by SymEngine's name.
_MACROS = {
    "sin": "\\sin", "cos": "\\cos", "tan": "\\tan", "cot": "\\cot", "sec": "\\sec",
    "csc": "\\csc", "sinh": "\\sinh", "cosh": "\\cosh", "tanh": "\\tanh", "coth": "\\coth",
    "asin": "\\arcsin", "acos": "\\arccos", "atan": "\\arctan",
    "acot": "\\operatorname{arccot}", "asec": "\\operatorname{arcsec}",
    "acsc": "\\operatorname{arccsc}", "asinh": "\\operatorname{arsinh}",
    "acosh": "\\operatorname{arcosh}", "atanh": "\\operatorname{artanh}",
    "acoth": "\\operatorname{arcoth}", "sech": "\\operatorname{sech}",
    "csch": "\\operatorname{csch}", "log": "\\ln", "sign": "\\operatorname{sgn}",
    "atan2": "\\operatorname{atan2}", "DiracDelta": "\\delta", "erf": "\\operatorname{erf}",
}  # fmt: skip
_POWER_ON_NAME = {"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "log"}


def _written_name(expr: Any) -> str | None:
    """The name a printer looks up for a built expression; None when it is not a call."""
    if isinstance(expr, se.FunctionSymbol):
        return str(expr.get_name())
    return type(expr).__name__ if expr.is_Function else None


def test_latex_macros_are_the_ones_latex_py_had() -> None:
    for name, macro in _MACROS.items():
        assert CATALOGUE[name].latex == macro, name
    # ln and softplus build log: their entries say how log is written.
    assert {n for n, f in CATALOGUE.items() if f.power_on_name} == _POWER_ON_NAME | {
        "ln",
        "softplus",
    }


@pytest.mark.parametrize("name", SCALAR)
def test_an_alias_is_written_as_what_it_builds(name: str) -> None:
    # ln builds log, abs builds Abs, softplus log(1 + e^u), relu a sum: the entry for what
    # is typed says what the printer does.
    entry = CATALOGUE[name]
    written = _written_name(symengine_functions()[name](*SYMBOLS[: entry.arity[0]]))
    if written is None:  # exp, sqrt, cbrt: powers, written \sqrt{x}, e^{x}
        assert entry.latex is None and not entry.power_on_name
        return
    printed = CATALOGUE[written]
    assert (entry.latex, entry.power_on_name) == (printed.latex, printed.power_on_name)
    assert _MACROS.get(written) == entry.latex


def test_inverses_name_catalogued_functions() -> None:
    for name, f in CATALOGUE.items():
        if f.inverse is not None:
            assert f.inverse in CATALOGUE and CATALOGUE[f.inverse].parses, name


def test_importing_the_catalogue_imports_neither_symengine_nor_numpy() -> None:
    code = "import sys, jaccli.functions; print(sorted({'symengine', 'numpy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("base", "value"), [("0", 0), ("0.0", 0), ("1", 1), ("1 - 1", 0), ("2/2", 1)]
)
def test_a_logarithm_to_base_0_or_1_is_undefined(base: str, value: float) -> None:
    # log(x)/log(0) was log(x)/zoo, which SymEngine makes 0: `jac eval "log(x, 0)"` printed
    # F = 0 and J = 0 with exit 0. No base of 0 or 1 makes a logarithm.
    with pytest.raises(UndefinedError, match=r"outside its domain"):
        parse_functions([f"log(x, {base})"])
    with np.errstate(all="ignore"):
        got = numpy_functions()["log"](np.array([2.0, 0.5]), np.float64(value))
    assert np.isnan(got).all()


@pytest.mark.parametrize(
    "base", [Fraction(1, 3), Fraction(1, 2), Fraction(2), Fraction(10), Fraction(7, 3)]
)
def test_a_logarithm_to_any_other_positive_base_is_ln_x_over_ln_b(base: Fraction) -> None:
    import mpmath

    (f,) = parse_functions([f"log(x, {base})"])
    x = se.Symbol("x")
    b = mpmath.mpf(base.numerator) / base.denominator
    for value in (Fraction(1, 7), Fraction(3, 2), Fraction(11)):
        v = mpmath.mpf(value.numerator) / value.denominator
        at = {x: se.Integer(value.numerator) / se.Integer(value.denominator)}
        assert float(f.xreplace(at).n(60)) == pytest.approx(float(mpmath.log(v) / mpmath.log(b)))
        slope = float(f.diff(x).xreplace(at).n(60))
        assert slope == pytest.approx(float(mpmath.diff(lambda t: mpmath.log(t, b), v)))
