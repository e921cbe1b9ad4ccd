"""Issue 12's scalar functions (sigmoid, softplus, relu, erf, log10, max, min) through the
command line, and the derivative templates of the catalogue that the matrix form is built from.

relu, max and min are built from |u|, so jac's kink rules make their derivatives undefined
where u = 0 (a = b) in eval --at and eval --points alike. Every `derivative` template is
checked twice: its value, against jac's own derivative of the function at random points of
its domain, and its form, which has to hold entry by entry when u is a vector (a bare `*`
joins u only with a scalar, a bare `/` divides only by a scalar, a bare `^` never touches u).
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
from fractions import Fraction

import numpy as np
import pytest
import symengine as se

from jaccli import engine
from jaccli.functions import CATALOGUE, numpy_functions, symengine_functions
from jaccli.parse import build, make_symbol, read_functions
from tests.conftest import invoke

U = make_symbol("u")
TEMPLATES = sorted(name for name, f in CATALOGUE.items() if f.derivative is not None)
# Where each function and its derivative are real and finite (the rest: -3..3 without 0).
DOMAINS = {
    "log": (0.1, 3), "ln": (0.1, 3), "log10": (0.1, 3), "sqrt": (0.1, 3), "cbrt": (0.1, 3),
    "asin": (-0.9, 0.9), "acos": (-0.9, 0.9), "atanh": (-0.9, 0.9), "acosh": (1.1, 3),
    "tan": (-1.2, 1.2), "sec": (-1.2, 1.2), "cot": (0.1, 3), "csc": (0.1, 3),
}  # fmt: skip


def test_every_one_argument_function_the_parser_reads_has_a_template() -> None:
    # None only for DiracDelta (its derivative has no name in jac's syntax), for functions
    # of several arguments and for the vector functions, which the parser expands itself.
    missing = {
        name
        for name, f in CATALOGUE.items()
        if f.parses and f.kind == "scalar" and f.arity[0] == 1 and f.derivative is None
    }
    assert missing == {"DiracDelta"}
    for name, f in CATALOGUE.items():
        if f.arity[0] > 1 or f.kind == "vector" or not f.parses:
            assert f.derivative is None, name


def _scalar_text(template: str) -> str:
    """The template in today's scalar syntax: `.*`, `./`, `.^` as `*`, `/`, `^`."""
    return template.replace(".*", "*").replace("./", "/").replace(".^", "^")


def _points(name: str, count: int = 5) -> list[Fraction]:
    low, high = DOMAINS.get(name, (0.1, 3))
    rng = random.Random(name)
    points = []
    for _ in range(count):
        value = Fraction(rng.randint(int(low * 64), int(high * 64)), 64)
        if name not in DOMAINS and rng.random() < 0.5:
            value = -value  # either side of 0, never 0 (a kink for abs, sign, relu)
        points.append(value)
    return points


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_derivative_template_is_the_derivative(name: str) -> None:
    template = CATALOGUE[name].derivative
    assert template is not None
    parsed = read_functions([_scalar_text(template)], ["u"])
    function = symengine_functions()[name](U)
    for point in _points(name):
        value = se.Integer(point.numerator) / se.Integer(point.denominator)
        [got] = build(parsed, values={"u": value})  # as typed: DiracDelta(c) is 0 at c ≠ 0
        result = engine.evaluate([function], [U], {U: value})
        expected = result.matrix[0][0]
        where = f"{name}'({point}): template {template} gives {got}, jac {expected}"
        a, b = float(got.n(53, real=True)), float(expected.n(53, real=True))
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), where


_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|[A-Za-z_]\w*|\.[*/^]|[-+*/^(),])")


class _Elementwise:
    """A recursive descent over a template that says whether each part depends on u, and
    fails where a bare operator would be a matrix operation on a vector u."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _TOKEN.findall(text)
        assert "".join(self.tokens) == text.replace(" ", ""), f"cannot read {text!r}"
        self.i = 0

    def peek(self) -> str:
        return self.tokens[self.i] if self.i < len(self.tokens) else ""

    def take(self) -> str:
        self.i += 1
        return self.tokens[self.i - 1]

    def check(self) -> None:
        self.expr()
        assert self.i == len(self.tokens), f"{self.text!r}: left over at token {self.i}"

    def expr(self) -> bool:
        uses_u = self.term()
        while self.peek() in ("+", "-"):
            self.take()
            uses_u |= self.term()
        return uses_u

    def term(self) -> bool:
        uses_u = self.unary()
        while self.peek() in ("*", "/", ".*", "./"):
            op = self.take()
            right = self.unary()
            assert not (op == "*" and uses_u and right), f"{self.text!r}: u * u, write .*"
            assert not (op == "/" and right), f"{self.text!r}: a bare / by u, write ./"
            uses_u |= right
        return uses_u

    def unary(self) -> bool:
        if self.peek() == "-":
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> bool:
        uses_u = self.atom()
        if self.peek() in ("^", ".^"):
            op = self.take()
            exponent = self.unary()
            assert not (op == "^" and (uses_u or exponent)), f"{self.text!r}: write .^"
            uses_u |= exponent
        return uses_u

    def atom(self) -> bool:
        tok = self.take()
        if tok == "(":
            uses_u = self.expr()
            assert self.take() == ")", self.text
            return uses_u
        if self.peek() == "(":  # a function, applied entry by entry
            self.take()
            uses_u = self.expr()
            while self.peek() == ",":
                self.take()
                uses_u |= self.expr()
            assert self.take() == ")", self.text
            assert tok in CATALOGUE and CATALOGUE[tok].kind == "scalar", f"{tok} in {self.text!r}"
            return uses_u
        assert tok[0].isdigit() or tok in ("u", "pi"), f"{tok!r} in {self.text!r}"
        return tok == "u"


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_derivative_template_works_entry_by_entry(name: str) -> None:
    template = CATALOGUE[name].derivative
    assert template is not None
    _Elementwise(template).check()


@pytest.mark.parametrize(
    "template", ["u*u", "1/u", "u^2", "2^u", "sin(u)*cos(u)", "1 ./ (u*u)", "(1 + u)/(1 - u)"]
)
def test_the_entry_by_entry_check_catches_matrix_operations(template: str) -> None:
    with pytest.raises(AssertionError):
        _Elementwise(template).check()


# --------------------------------------------------------------------------- the CLI


def _entries(args: list[str]) -> list[list[str]]:
    run = invoke([*args, "--format", "json"])
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)["jacobian"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("at", "expected"), [("x=1", "1"), ("x=-1", "0"), ("x=1/2", "1")])
def test_relu_has_a_derivative_away_from_0(at: str, expected: str) -> None:
    assert _entries(["eval", "relu(x)", "--vars", "x", "--at", at]) == [[expected]]


@pytest.mark.parametrize(
    ("text", "at", "message"),
    [
        ("relu(x)", "x=0", "J[1,1] = ∂f1/∂x is undefined at x=0"),
        ("relu(x - y)", "x=2,y=2", "J[1,1] = ∂f1/∂x; J[1,2] = ∂f1/∂y are undefined"),
        ("max(x, y)", "x=1,y=1", "J[1,1] = ∂f1/∂x; J[1,2] = ∂f1/∂y are undefined"),
        ("min(x, y)", "x=1,y=1", "J[1,1] = ∂f1/∂x; J[1,2] = ∂f1/∂y are undefined"),
    ],
)
def test_relu_max_and_min_have_no_derivative_at_their_kinks(
    text: str, at: str, message: str
) -> None:
    run = invoke(["eval", text, "--vars", "x" if "y" not in text else "x,y", "--at", at])
    assert run.code == 1 and run.stdout == ""
    assert message in run.stderr and "has no derivative where" in run.stderr


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        ("max(x, y)", "x=2,y=1", [["1", "0"]]),
        ("max(x, y)", "x=1,y=2", [["0", "1"]]),
        ("min(x, y)", "x=2,y=1", [["0", "1"]]),
        ("min(x, y)", "x=-3,y=1", [["1", "0"]]),
    ],
)
def test_max_and_min_follow_the_larger_and_the_smaller(
    text: str, at: str, expected: list[list[str]]
) -> None:
    assert _entries(["eval", text, "--vars", "x,y", "--at", at]) == expected


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_eval_points_marks_the_kinks_of_relu_max_and_min_undefined() -> None:
    points = "x,y\n0,1\n1,1\n2,1\n-1,1\n"
    run = invoke(
        ["eval", "relu(x), max(x, y), min(x, y)", "--vars", "x,y", "--points", "-"], points
    )
    assert run.code == 0, run.stderr
    rows = [[row[f"df{i}/d{v}"] for i in (1, 2, 3) for v in "xy"] for row in _csv_rows(run.stdout)]
    assert rows == [
        ["nan", "0.0", "0.0", "1.0", "1.0", "0.0"],  # relu at x = 0
        ["1.0", "0.0", "nan", "nan", "nan", "nan"],  # max and min at x = y
        ["1.0", "0.0", "1.0", "0.0", "0.0", "1.0"],
        ["0.0", "0.0", "0.0", "1.0", "1.0", "0.0"],
    ]
    assert "2 of 4 points have undefined entries" in run.stderr


def test_the_new_functions_differentiate_as_textbooks_say() -> None:
    x = make_symbol("x")
    [[sigmoid], [softplus], [erf], [log10]] = _entries(
        ["jacobian", "sigmoid(x), softplus(x), erf(x), log10(x)", "--vars", "x"]
    )
    s = 1 / (1 + se.exp(-x))
    for got, expected in [
        (sigmoid, s * (1 - s)),
        (softplus, s),
        (erf, 2 * se.exp(-(x**2)) / se.sqrt(se.pi)),
        (log10, 1 / (x * se.log(10))),
    ]:
        [read] = build(read_functions([got], ["x"]))
        for value in (-2, se.Rational(1, 3), 3):
            difference = (read - expected).subs({x: value}).n(53, real=True)
            assert abs(float(difference)) < 1e-14, (got, expected)


def test_eval_points_agrees_with_eval_at_for_the_new_functions() -> None:
    text = "sigmoid(x*y), softplus(x - y), erf(x)*y, log10(x + 3), max(x, 2*y), relu(y)*erf(x)"
    points = [(0.5, -1.25), (-2.0, 0.75), (1.5, 1.0)]
    data = "x,y\n" + "".join(f"{x},{y}\n" for x, y in points)
    run = invoke(["eval", text, "--vars", "x,y", "--points", "-", "--with-value"], data)
    assert run.code == 0, run.stderr
    for (x, y), row in zip(points, _csv_rows(run.stdout), strict=True):
        at = f"x={Fraction(x)},y={Fraction(y)}"
        exact = _entries(["eval", text, "--vars", "x,y", "--at", at, "--digits", "20"])
        got = [float(row[f"df{i + 1}/d{v}"]) for i in range(6) for v in "xy"]
        expected = [float(Fraction(e)) for r in exact for e in r]
        assert np.allclose(got, expected, rtol=1e-12, atol=1e-14), at


def test_eval_points_gives_sigmoid_and_softplus_far_from_0() -> None:
    # The compiled softplus, log(1 + e^u), overflows at u = 800; F as typed (NumPy's
    # logaddexp) does not, and its value is F's. Entries there may be undefined (nan),
    # never a wrong number.
    data = "x\n-800\n-40\n40\n800\n"
    run = invoke(
        ["eval", "sigmoid(x), softplus(x)", "--vars", "x", "--points", "-", "--with-value"], data
    )
    assert run.code == 0, run.stderr
    rows = _csv_rows(run.stdout)
    assert [float(r["f1"]) for r in rows] == pytest.approx([0.0, math.exp(-40), 1.0, 1.0])
    assert [float(r["f2"]) for r in rows] == pytest.approx([0.0, math.exp(-40), 40.0, 800.0])
    for r, x in zip(rows, (-800, -40, 40, 800), strict=True):
        s = 1 / (1 + math.exp(-x)) if x > -700 else 0.0
        for name, expected in (("df1/dx", s * (1 - s)), ("df2/dx", s)):
            assert r[name] == "nan" or float(r[name]) == pytest.approx(expected, rel=1e-12)


def test_numpy_sigmoid_and_softplus_do_not_overflow() -> None:
    u = np.array([-1e300, -800.0, -40.0, 0.0, 40.0, 800.0, 1e300, -np.inf, np.inf, np.nan])
    with np.errstate(over="raise", invalid="raise"):  # no overflow, not even on the way
        sigmoid = np.asarray(numpy_functions()["sigmoid"](u[:-3]))
        softplus = np.asarray(numpy_functions()["softplus"](u[:-3]))
    assert list(sigmoid) == pytest.approx([0, 0, math.exp(-40), 0.5, 1, 1, 1], rel=1e-15)
    assert list(softplus) == pytest.approx([0, 0, math.exp(-40), math.log(2), 40, 800, 1e300])
    with np.errstate(all="ignore"):
        ends = [np.asarray(numpy_functions()[f](u[-3:])) for f in ("sigmoid", "softplus")]
    assert list(ends[0][:2]) == [0.0, 1.0] and list(ends[1][:2]) == [0.0, math.inf]
    assert math.isnan(ends[0][2]) and math.isnan(ends[1][2])


def test_numpy_erf_log10_max_min_on_columns() -> None:
    column = np.array([-1.0, 0.0, 0.5, np.nan])
    with np.errstate(all="ignore"):
        erf = np.asarray(numpy_functions()["erf"](column))
        log10 = np.asarray(numpy_functions()["log10"](column))
        largest = np.asarray(numpy_functions()["max"](column, 0.25))
        smallest = np.asarray(numpy_functions()["min"](column, 0.25))
    assert list(erf[:3]) == [math.erf(-1), 0.0, math.erf(0.5)] and math.isnan(erf[3])
    assert math.isnan(log10[0]) and log10[1] == -math.inf and log10[2] == math.log10(0.5)
    assert list(largest[:3]) == [0.25, 0.25, 0.5] and math.isnan(largest[3])
    assert list(smallest[:3]) == [-1.0, 0.0, 0.25] and math.isnan(smallest[3])


def test_erf_prints_as_an_operator_and_reads_back_in_jac() -> None:
    run = invoke(["jacobian", "erf(x^2)", "--vars", "x", "--format", "latex"])
    assert run.code == 0 and "\\operatorname{erf}" not in run.stdout  # d/dx erf is e^{...}
    run = invoke(["jacobian", "erf(x)*y", "--vars", "y", "--format", "latex"])
    assert run.code == 0 and "\\operatorname{erf}{\\left(x \\right)}" in run.stdout
    [[entry]] = _entries(["jacobian", "erf(x)*y", "--vars", "y"])
    assert entry == "erf(x)"


def test_variables_named_like_the_new_functions_are_variables() -> None:
    # Declared names win over the catalogue: sum, max, det, tr as --vars stay symbols.
    assert _entries(["jacobian", "max*sum + det^2 + tr", "--vars", "max,sum,det,tr"]) == [
        ["sum", "max", "2*det", "1"]
    ]


@pytest.mark.parametrize("text", ["abs(x^x)", "relu(x^x)", "abs(x^x)*sign(x)"])
def test_abs_of_a_power_is_differentiated_not_a_crash(text: str) -> None:
    """SymPy's d|x^x|/dx holds re, im and arg, which SymEngine cannot print (it was exit 70):
    jac's own rule d|u| = sign(u) du answers, checked against a central difference."""
    run = invoke(["eval", text, "--vars", "x", "--at", "x=3/2", "--digits", "15"])
    assert run.code == 0, run.stderr
    h = 1e-6

    def f(t: float) -> float:
        value = abs(t**t)
        return value / 2 + t**t / 2 if text.startswith("relu") else value

    expected = (f(1.5 + h) - f(1.5 - h)) / (2 * h)
    assert math.isclose(float(run.stdout), expected, rel_tol=1e-6)
