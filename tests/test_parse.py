"""The parser: every input rule of the syntax, the rejected inputs, and properties."""

from __future__ import annotations

import contextlib
import random
from typing import Any

import pytest
import symengine
import sympy
from hypothesis import given
from hypothesis import strategies as st

from jaccli.errors import JacError, LimitError, ParseError, UndefinedError, UsageError
from jaccli.functions import VECTOR_FUNCTIONS
from jaccli.parse import (
    FUNCTIONS,
    MAX_NESTING,
    build,
    format_error,
    make_symbol,
    parse_functions,
    parse_point,
    parse_variables,
    read_functions,
    suspicious_names,
)
from jaccli.render.syntax import to_text
from tests.numeric import at, close, random_point

x, y, z, t = (make_symbol(n) for n in "xyzt")


def one(text: str, variables: tuple[str, ...] = ()) -> sympy.Expr:
    [expr] = parse_functions([text], variables)
    return expr


def error(text: str, variables: tuple[str, ...] = ()) -> JacError:
    with pytest.raises(JacError) as info:
        parse_functions([text], variables)
    return info.value


# --------------------------------------------------------------------------- components


def test_one_argument_with_commas() -> None:
    assert parse_functions(["x+y, x*y"]) == [x + y, x * y]


def test_several_arguments() -> None:
    assert parse_functions(["x+y", "x*y"]) == [x + y, x * y]


def test_brackets_around_the_list() -> None:
    assert parse_functions(["[x+y, x*y]"]) == [x + y, x * y]


def test_commas_inside_calls_do_not_split() -> None:
    assert parse_functions(["atan2(y, x), log(x, 2)"]) == [
        sympy.atan2(y, x),
        sympy.log(x) / sympy.log(2),
    ]


def test_stdin_one_per_line_or_commas_with_comments_and_blanks() -> None:
    text = "# a system\n\nx + y   # first\n\n  x*y, sin(x)\n# done\n"
    assert parse_functions(["-"], read_stdin=lambda: text) == [x + y, x * y, sympy.sin(x)]


def test_stdin_mixed_with_arguments_keeps_order() -> None:
    assert parse_functions(["x", "-", "z"], read_stdin=lambda: "y\n") == [x, y, z]


def test_stdin_thousands_of_lines() -> None:
    lines = "\n".join(f"u{i}^2 + u{i + 1}" for i in range(3000))
    exprs = parse_functions(["-"], read_stdin=lambda: lines)
    assert len(exprs) == 3000
    assert exprs[2999] == make_symbol("u2999") ** 2 + make_symbol("u3000")


def test_stdin_errors_name_the_line() -> None:
    with pytest.raises(ParseError) as info:
        parse_functions(["-"], read_stdin=lambda: "x\ny\nx +* y\n")
    assert info.value.location is not None
    assert info.value.location.where == "stdin line 3"
    assert info.value.location.column == 3


def test_blank_input_is_a_usage_error() -> None:
    for text in ["", "   ", "# nothing\n\n"]:
        with pytest.raises(UsageError, match="no functions"):
            parse_functions([text])


def test_double_dash_component_is_an_unknown_option() -> None:
    with pytest.raises(UsageError, match="no such option: --varz"):
        parse_functions(["x", "--varz=x"])


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", sympy.Integer(42)),
        ("0.1", sympy.Rational(1, 10)),
        (".5", sympy.Rational(1, 2)),
        ("2.", sympy.Integer(2)),
        ("1e-3", sympy.Rational(1, 1000)),
        ("2.5E2", sympy.Integer(250)),
        ("1e+2", sympy.Integer(100)),
    ],
)
def test_numbers_are_exact(text: str, value: sympy.Expr) -> None:
    assert one(text) == value


def test_decimals_stay_exact_through_arithmetic() -> None:
    assert one("0.1 + 0.2") == sympy.Rational(3, 10)


# --------------------------------------------------------------------------- operators


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + y - z", x + y - z),
        ("x * y / z", x * y / z),
        ("x^2", x**2),
        ("x**2", x**2),
        ("-x^2", -(x**2)),
        ("x^-2", x ** (-2)),
        ("x^y^z", x ** (y**z)),
        ("2^3^2", sympy.Integer(512)),
        ("-(-x)", x),
        ("- -x", x),
        ("+x", x),
        ("x - -y", x + y),
        ("x*-y", -x * y),
        ("(x + y)*(x - y)", (x + y) * (x - y)),
        ("((x))", x),
        ("x/y/z", x / (y * z)),
        ("x − y", x - y),  # U+2212 minus, as pasted from documents
        ("x × y · z", x * y * z),
    ],
)
def test_operators_and_precedence(text: str, expected: sympy.Expr) -> None:
    assert one(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2x", 2 * x),
        ("2(x+1)", 2 * (x + 1)),
        ("(x+1)(x-1)", (x + 1) * (x - 1)),
        ("3sin(x)", 3 * sympy.sin(x)),
        ("x y", x * y),
        ("2x^2", 2 * x**2),
        ("x^2 y", x**2 * y),
        ("sin(x)cos(y)", sympy.sin(x) * sympy.cos(y)),
        ("2 pi r", 2 * sympy.pi * make_symbol("r")),
    ],
)
def test_implicit_multiplication(text: str, expected: sympy.Expr) -> None:
    assert one(text) == expected


def test_runs_of_letters_and_digits_are_one_name() -> None:
    assert one("xy") == make_symbol("xy")
    assert one("x2") == make_symbol("x2")
    assert one("x2y") == make_symbol("x2y")
    assert one("k_1") == make_symbol("k_1")
    assert one("2x3") == 2 * make_symbol("x3")


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("1/2x", 3, "ambiguous"),
        ("x 2", 2, "missing operator"),
        ("(x+1)2", 5, "missing operator"),
        ("f(x)", 0, "not a function"),
        ("x(y+1)", 0, "not a function"),
        ("pi(x)", 0, "a constant"),
        ("sin x", 4, "needs parentheses"),
        ("x +", 3, "ends too early"),
        ("x + )", 4, "expected an expression"),
        ("(x + 1", 6, "to close the '('"),
        ("sin(x", 5, "to close sin("),
        ("x)", 1, "unmatched ')'"),
        ("x]", 1, "unmatched ']'"),
        ("[x, y", 5, "to close the '['"),
        ("x, [y]", 3, "'[' is only allowed"),
        (", x", 0, "before ','"),
        ("x,", 2, "ends too early"),
        ("x = 1", 2, "unexpected '='"),
        ("x²", 1, "write ^2"),
        ("x ! y", 2, "unexpected character '!'"),
        ("x\x1b[2J", 1, "U+001B"),
        ("atan2(x)", 0, "atan2 takes 2 arguments, got 1"),
        ("sin(x, y)", 0, "sin takes 1 argument, got 2"),
        ("log(x, 2, 3)", 0, "log takes 1 or 2 arguments"),
        ("x ** * y", 5, "expected an expression"),
        ("x ^", 3, "ends too early"),
    ],
)
def test_rejected_syntax_has_a_caret(text: str, column: int, message: str) -> None:
    err = error(text)
    assert isinstance(err, ParseError)
    assert message in err.message
    assert err.location is not None and err.location.column == column
    shown = format_error(err).splitlines()
    assert len(shown) == 3
    assert shown[2].index("^") - 2 == column


def test_error_display_never_echoes_control_characters() -> None:
    shown = format_error(error("x\x1b[31m + \x07"))
    assert "\x1b" not in shown and "\x07" not in shown


def test_long_lines_are_windowed_around_the_caret() -> None:
    text = "x + " * 100 + ")" + " + y" * 100
    shown = format_error(error(text)).splitlines()
    assert len(shown[1]) < 90
    assert shown[1][shown[2].index("^")] == ")"


def test_nesting_is_limited_before_python_recursion_is() -> None:
    assert one("(" * MAX_NESTING + "x" + ")" * MAX_NESTING) == x
    err = error("(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1))
    assert "nested more than" in err.message
    err = error("sin(" * 400 + "x" + ")" * 400)
    assert "nested more than" in err.message
    err = error("x+" + "-" * 500 + "x")
    assert "nested more than" in err.message


# --------------------------------------------------------------------------- functions, names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sin(x)", sympy.sin(x)),
        ("cos(x)", sympy.cos(x)),
        ("tan(x)", sympy.tan(x)),
        ("cot(x)", sympy.cot(x)),
        ("sec(x)", sympy.sec(x)),
        ("csc(x)", sympy.csc(x)),
        ("asin(x)", sympy.asin(x)),
        ("acos(x)", sympy.acos(x)),
        ("atan(x)", sympy.atan(x)),
        ("atan2(y, x)", sympy.atan2(y, x)),
        ("sinh(x)", sympy.sinh(x)),
        ("cosh(x)", sympy.cosh(x)),
        ("tanh(x)", sympy.tanh(x)),
        ("asinh(x)", sympy.asinh(x)),
        ("acosh(x)", sympy.acosh(x)),
        ("atanh(x)", sympy.atanh(x)),
        ("exp(x)", sympy.exp(x)),
        ("log(x)", sympy.log(x)),
        ("ln(x)", sympy.log(x)),
        ("log(x, 10)", sympy.log(x) / sympy.log(10)),
        ("sqrt(x)", sympy.sqrt(x)),
        ("cbrt(x)", sympy.cbrt(x)),
        ("abs(x)", sympy.Abs(x)),
        ("sign(x)", sympy.sign(x)),
        ("sigmoid(x)", 1 / (1 + sympy.exp(-x))),
        ("softplus(x)", sympy.log(1 + sympy.exp(x))),
        ("relu(x)", (x + sympy.Abs(x)) / 2),
        ("erf(x)", sympy.erf(x)),
        ("log10(x)", sympy.log(x) / sympy.log(10)),
        ("max(x, y)", (x + y + sympy.Abs(x - y)) / 2),
        ("min(x, y)", (x + y - sympy.Abs(x - y)) / 2),
        # The vector functions on a scalar (a 1×1): what they are on one entry.
        ("sum(x)", x),
        ("dot(x, y)", x * y),
        ("norm(x)", sympy.sqrt(x**2)),
        ("softmax(x)", sympy.Integer(1)),
        ("logsumexp(x)", sympy.log(sympy.exp(x))),
        ("diag(x)", x),
        ("tr(x)", x),
        ("det(x)", x),
        ("inv(x)", 1 / x),
        ("ones(1)", sympy.Integer(1)),
        ("pi", sympy.pi),
        ("e", sympy.E),
        ("E", sympy.E),
        ("e^x", sympy.exp(x)),
        ("e^(x+z)", sympy.exp(x + z)),
    ],
)
def test_functions_and_constants(text: str, expected: sympy.Expr) -> None:
    assert one(text) == expected


def test_every_listed_function_is_tested() -> None:
    tested = {"sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "atan2"}
    tested |= {"sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "exp", "log", "ln"}
    tested |= {"sqrt", "cbrt", "abs", "sign", "Abs", "DiracDelta"}  # last two: read-back only
    tested |= {"sigmoid", "softplus", "relu", "erf", "log10", "max", "min"}
    tested |= {"sum", "dot", "norm", "softmax", "logsumexp", "diag", "tr", "det", "inv", "ones"}
    assert set(FUNCTIONS) == tested


@pytest.mark.parametrize(
    "name", ["beta", "gamma", "lambda", "N", "S", "Q", "I", "O", "alpha", "θ", "α", "zeta", "oo"]
)
def test_other_names_are_plain_symbols(name: str) -> None:
    expr = one(f"2*{name} + 1")
    assert expr == 2 * make_symbol(name) + 1
    assert expr.free_symbols == {make_symbol(name)}


def test_a_function_name_is_a_function_only_when_called() -> None:
    assert one("sin*x") == make_symbol("sin") * x


def test_vars_make_any_name_a_variable() -> None:
    e, pi = make_symbol("e"), make_symbol("pi")
    assert one("e^t", ("e", "t")) == e**t
    assert one("2*pi", ("pi",)) == 2 * pi
    assert "variable here" in error("sin(x)", ("sin",)).message


def test_abs_is_differentiated_as_a_real_function() -> None:
    # SymEngine leaves d|x|/dx unevaluated; the engine asks SymPy with real symbols, so the
    # answer is sign(x), not an expression in re(x) and im(x).
    from jaccli import engine

    assert engine.jacobian(parse_functions(["abs(x)"])).matrix == ((sympy.sign(x),),)


def test_division_by_zero_in_the_input_is_undefined() -> None:
    for text, column in [("1/0", 2), ("x/(y-y)", 2), ("log(0) + x", 0), ("0^-1", 0)]:
        err = error(text)
        assert isinstance(err, UndefinedError), text
        assert err.location is not None and err.location.column == column, text


def test_huge_numbers_are_refused_before_they_are_computed() -> None:
    for text in ["22^22^22", "((9^9)^9999)^9999", "1e999999999", "(1/7)^10^9", "1" * 100_001]:
        assert isinstance(error(text), LimitError), text
    assert one("2^2^2^2^2") == 2**65536  # 19,729 digits: allowed


# --------------------------------------------------------------------------- injection


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('id')",
        "x.__class__",
        "lambda: 1",
        "().__class__.__base__.__subclasses__()",
        "eval('1')",
        "exec('x=1')",
        "open('/etc/passwd')",
        "sympify('x')",
        "Symbol('x')",
        "x[0]",
        "f(x=1)",
        "'x'",
        "x; import os",
        "getattr(x, 'y')",
    ],
)
def test_code_is_a_parse_error(text: str) -> None:
    assert isinstance(error(text), ParseError)


# --------------------------------------------------------------------------- --vars and --at


def test_parse_variables() -> None:
    assert parse_variables("x,y") == ("x", "y")
    assert parse_variables(" r , p,t ") == ("r", "p", "t")
    assert parse_variables("x2,x10") == ("x2", "x10")


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "variable names"), ("x,,y", "a variable name"), ("x,x", "twice"), ("x y", "','"),
     ("x,2", "a variable name"), ("x+y", "','")],
)  # fmt: skip
def test_bad_variables(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_variables(text)


def test_parse_point() -> None:
    point = parse_point("x=-1, y=0.5, k=pi/2")
    assert point == {"x": -1, "y": sympy.Rational(1, 2), "k": sympy.pi / 2}
    assert list(point) == ["x", "y", "k"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("x", "'='"), ("x=", "ends too early"), ("x=1,x=2", "twice"), ("=1", "name=value"),
     ("x=1,", "name=value"), ("x=1 y=2", "unexpected '='"), ("pi=3", "constant")],
)  # fmt: skip
def test_bad_points(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_point(text)


# --------------------------------------------------------------------------- sin^2(x), π


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sin^2(x)", sympy.sin(x) ** 2),
        ("cos^3(2*t)", sympy.cos(2 * t) ** 3),
        ("sin**2(x)", sympy.sin(x) ** 2),
        ("sin^(2)(x)", sympy.sin(x) ** 2),
        ("tan ^ 2 (x) + 1", sympy.tan(x) ** 2 + 1),
        ("2sin^2(x)cos(x)", 2 * sympy.sin(x) ** 2 * sympy.cos(x)),
        ("sin^2(x)^3", sympy.sin(x) ** 6),
        ("x^sin^2(y)", x ** (sympy.sin(y) ** 2)),
        ("log^2(x, 10)", (sympy.log(x) / sympy.log(10)) ** 2),
        ("sqrt^1(x)", sympy.sqrt(x)),
    ],
)
def test_function_to_a_power_is_the_textbook_power(text: str, expected: sympy.Expr) -> None:
    assert one(text) == expected


def test_function_power_of_a_variable_named_like_a_function_is_as_before() -> None:
    sin = make_symbol("sin")
    assert one("sin^2(x)", ("sin", "x")) == sin**2 * x  # --vars sin: a variable, times (x)
    assert one("sin^2(x)", ("x",)) == sympy.sin(x) ** 2


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("sin^-1(x)", 4, "ambiguous (inverse function or reciprocal): write asin(x) for the "
         "inverse function or 1/sin(x) for the reciprocal"),
        ("1 + sin^(-1)(2*t)", 8, "write asin(2*t) for the inverse function or 1/sin(2*t)"),
        ("cosh**-1(x)", 6, "write acosh(x) for the inverse function or 1/cosh(x)"),
        ("cot^-1(x)", 4, "ambiguous (inverse function or reciprocal): write 1/cot(x) for the"),
        ("sin^x(y)", 4, "whole number k >= 1; write sin(y)^x"),
        ("sin^0.5(x)", 4, "write sin(x)^0.5"),
        ("sin^(1/2)(x)", 4, "write sin(x)^(1/2)"),
        ("sin^-2(x)", 4, "write sin(x)^(-2)"),
        ("sin^0(x)", 4, "whole number k >= 1"),
        ("sin^2 x", 6, "'sin' needs parentheses: sin^2(...)"),
        ("sin^2 2", 6, "'sin' needs parentheses: sin^2(...)"),
        ("sin^2^2(x)", 7, "write sin(...)^(2^2)"),
        ("sin^-1 x", 7, "ambiguous"),
        ("sin^(" + "x+" * 20 + "x)(x)", 47, "write sin(...)^(...)"),
    ],
)  # fmt: skip
def test_other_function_powers_are_errors_with_advice(text: str, column: int, message: str) -> None:
    err = error(text)
    assert isinstance(err, ParseError)
    assert message in err.message
    assert err.location is not None and err.location.column == column


def test_function_power_keeps_its_place_for_errors_at_a_point() -> None:
    # Values as typed are checked node by node: the caret goes under log^2(x), not elsewhere.
    for text, column, snippet in [("1 + log^2(x)", 4, "log^2(x) is undefined"),
                                  ("y/sin^3(x)", 2, "y/sin^3(x) is undefined"),
                                  ("cot^2(x) + 1", 0, "cot^2(x) is undefined")]:  # fmt: skip
        with pytest.raises(UndefinedError) as info:
            build(read_functions([text]), values=parse_point("x=0, y=1"))
        assert snippet in info.value.message, text
        assert info.value.location is not None and info.value.location.column == column, text


def test_pi_letter_is_pi() -> None:
    assert one("π") == sympy.pi
    assert one("cos((1/2)*π)") == 0
    assert one("2π r") == 2 * sympy.pi * make_symbol("r")
    assert one("π^2", ("π",)) == make_symbol("π") ** 2  # a declared variable, as pi can be
    assert "a constant" in error("π(x)").message


def test_pi_letter_at_a_point() -> None:
    assert parse_point("x=π/2, y=2π") == {"x": sympy.pi / 2, "y": 2 * sympy.pi}
    with pytest.raises(ParseError, match="'π' is a constant"):
        parse_point("π=3")
    assert parse_point("π=3", ("π",)) == {"π": 3}


def test_pi_letter_at_a_point_through_the_cli(jac: Any) -> None:
    run = jac(["eval", "sin(x) + y", "--vars", "x,y", "--at", "x=π/2,y=π", "--format", "json"])
    assert run.code == 0, run.stderr
    assert run.json()["jacobian"] == [["0", "1"]]


# --------------------------------------------------------------------------- suspicious names


def warnings(texts: list[str], variables: tuple[str, ...] | None = None) -> list[str]:
    return suspicious_names(read_functions(texts, variables or ()), variables)


@pytest.mark.parametrize(
    ("texts", "variables", "expected"),
    [
        (["xy, x+y"], ("x", "y"),
         ["'xy' (input, column 1) is a single symbol; if you meant x*y, write x*y"]),
        (["2xy"], ("x", "y"),
         ["'xy' (input, column 2) is a single symbol; if you meant x*y, write x*y"]),
        (["sinx + cosy"], ("x", "y"),
         ["'sinx' (input, column 1) is a single symbol; did you mean sin(x)?",
          "'cosy' (input, column 8) is a single symbol; did you mean cos(y)?"]),
        (["x^2 + xy, y"], None,
         ["'xy' (input, column 7) is a single symbol; if you meant x*y, write x*y"]),
        (["x + y", "2 + xy*xy + x"], None,
         ["'xy' (argument 2, column 5) is a single symbol; if you meant x*y, write x*y"]),
        (["sin*x + exp"], None,
         ["'sin' (input, column 1) is the function sin used as a symbol, without parentheses: "
          "to apply it, write sin(...)",
          "'exp' (input, column 9) is the function exp used as a symbol, without parentheses: "
          "to apply it, write exp(...)"]),
    ],
)  # fmt: skip
def test_suspicious_names_are_named_with_place_and_meaning(
    texts: list[str], variables: tuple[str, ...] | None, expected: list[str]
) -> None:
    assert warnings(texts, variables) == expected


@pytest.mark.parametrize(
    ("text", "variables", "meant"),
    [
        ("sinx", None, "did you mean sin(x)?"),
        ("expx + sqrtx", ("x",), "did you mean exp(x)?"),
        ("sqrtx + y", ("y",), "did you mean sqrt(x)?"),  # a single letter, even if not in use
        ("lnk*x", ("x",), "did you mean ln(k)?"),
        ("sin2x", ("x",), "did you mean sin(2*x)?"),
        ("sinxy", ("x", "y"), "did you mean sin(x*y)?"),
        ("sinhx", ("x",), "did you mean sinh(x)?"),
        ("asinx", ("x",), "did you mean asin(x)?"),
        ("cosθ", ("θ",), "did you mean cos(θ)?"),
        ("costheta", None, "did you mean cos(theta)?"),
        ("r*cost, r*sint", ("r", "t"), "did you mean cos(t)?"),  # a word, but t is a variable
        ("sinx1 + x1", None, "did you mean sin(x1)?"),
        ("x*log2", ("x",), "did you mean log(2)?"),
        ("cosrate + rate", None, "did you mean cos(rate)?"),  # another name in the input
        ("xyz", ("x", "y", "z"), "if you meant x*y*z, write x*y*z"),
        ("xx", ("x",), "if you meant x*x, write x*x"),
        ("2pir + r", None, "if you meant pi*r, write pi*r"),
        ("2πr", ("r",), "if you meant π*r, write π*r"),
        ("alphabeta + alpha*beta", None, "if you meant alpha*beta, write alpha*beta"),
        ("lambdax + lambda + x", None, "if you meant lambda*x, write lambda*x"),
        ("kx*x + k", None, "if you meant k*x, write k*x"),
        ("dt*v", ("d", "t", "v"), "if you meant d*t, write d*t"),
        ("x1y1", ("x1", "y1"), "if you meant x1*y1, write x1*y1"),
        ("sin^2 + cos^2", None, "the function sin used as a symbol"),
    ],
)
def test_suspicious_names(text: str, variables: tuple[str, ...] | None, meant: str) -> None:
    found = warnings([text], variables)
    assert found and meant in found[0], found


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        # Greek letters' names, even when their letters are variables or names in use
        ("theta + beta + eta + zeta + alpha + epsilon + lambda + sigma + xi + tau + phi + psi",
         ("t", "h", "e", "a", "b", "z", "x", "i", "s", "g", "m", "l", "p", "u")),
        ("theta*t*h*a + beta*b + eta + xi*x*i + phi*p*h*i + theta1 + eta_2", None),
        # subscripts
        ("x1 + x_1 + w11 + q2 + x*w*q + k_d*k*d + x_y*x*y", None),
        ("x1 + x_1 + w11 + q2", ("x", "w", "q")),
        # function names that are functions, called
        ("sinh(t) + cosh(t) + tanh(t) + asin(t) + exp(t) + sec(t) + acosh(t) + atan2(t, t)", None),
        # words that start with a function's name
        ("cost*t + sine + sink*s + tank + logs + expo + sect + signs + coth + sinc + sech", None),
        ("cost*q + rate + speed", ("r", "q")),
        # ordinary names: dt beside t (no d), rate and speed beside r, a, t, s
        ("dt*v + t + rate*r*a*t + speed*s*p", None),
        ("dt*v + rate + speed", ("t", "v", "r", "a", "s", "p")),
        ("pi + e + E + 2*pi*r + e^x + pir", ("x",)),  # pir: r is not a variable here
        ("exponent + logistic + signal + second + tangent + absolute + cosine", None),
        ("xy + x_y", ("xy", "x", "y")),  # a declared variable is never suspicious
        ("sinx + x", ("sinx", "x")),
        ("pipi + ππ", None),  # pi*pi: constants alone do not make a product
    ],
)  # fmt: skip
def test_ordinary_names_are_not_suspicious(text: str, variables: tuple[str, ...] | None) -> None:
    assert warnings([text], variables) == []


def test_suspicious_names_in_stdin_name_the_line() -> None:
    parsed = read_functions(["-"], (), lambda: "x + y\n# note\nx*y + 2xy\n")
    assert suspicious_names(parsed, None) == [
        "'xy' (stdin line 3, column 8) is a single symbol; if you meant x*y, write x*y"
    ]


def test_many_suspicious_names_are_counted_not_all_listed() -> None:
    text = " + ".join(f"a{i}b{i} + a{i}*b{i}" for i in range(25))
    found = warnings([text])
    assert len(found) == 11
    assert found[-1] == "and 15 more names like these (not listed)"


def test_long_names_are_not_split() -> None:
    long = "ab" * 9  # 18 letters: deliberate, and splitting them would cost quadratic time
    assert warnings([f"{long} + a + b"]) == []
    assert warnings(["abab + a + b"]) != []


# --------------------------------------------------------------------------- properties

_PIECES = [
    *"xyz0123456789+-*/^()[],. e_'!#=",
    "sin",
    "atan2",
    "**",
    "pi",
    "log",
    "\u2212",
    "π",
    "cos",
    "xy",
    "sinx",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join))
def test_any_text_gives_expressions_or_a_jac_error(text: str) -> None:
    try:
        exprs = parse_functions([text])
    except JacError as e:
        format_error(e)  # the message can always be shown
    else:
        assert all(isinstance(e, symengine.Basic) for e in exprs)
        for variables in (None, ("x", "sin")):
            with contextlib.suppress(JacError):
                found = suspicious_names(read_functions([text], variables or ()), variables)
                assert all(isinstance(w, str) for w in found)


@given(st.text(max_size=40))
def test_arbitrary_unicode_gives_expressions_or_a_jac_error(text: str) -> None:
    with contextlib.suppress(JacError):
        parse_functions([text])


_SYMBOLS = [x, y, make_symbol("lambda"), make_symbol("w11")]
_UNARY = [sympy.sin, sympy.cos, sympy.tan, sympy.exp, sympy.log, sympy.sqrt, sympy.Abs,
          sympy.atan, sympy.tanh, sympy.sign, sympy.asinh]  # fmt: skip
_leaves = (
    st.sampled_from(_SYMBOLS)
    | st.integers(-9, 9).map(sympy.Integer)
    | st.sampled_from([sympy.pi, sympy.E, sympy.Rational(1, 3), sympy.Rational(-5, 2)])
)


def _extend(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
    return (
        st.tuples(children, children).map(lambda ab: ab[0] + ab[1])
        | st.tuples(children, children).map(lambda ab: ab[0] * ab[1])
        | st.tuples(children, st.integers(-3, 3)).map(lambda ab: ab[0] ** ab[1])
        | st.tuples(st.sampled_from(_UNARY), children).map(lambda fa: fa[0](fa[1]))
        | st.tuples(children, children).map(lambda ab: sympy.atan2(ab[0], ab[1]))
    )


@given(st.recursive(_leaves, _extend, max_leaves=12))
def test_printed_expressions_parse_back_to_themselves(expr: sympy.Expr) -> None:
    if expr.has(sympy.zoo, sympy.nan, sympy.oo) or expr.atoms(sympy.AccumBounds):
        return
    back = sympy.sympify(one(to_text(symengine.sympify(expr))))
    # The same expression, though not always the same tree: -(x + y)*c reads as (-x - y)*c,
    # and SymEngine writes atan2(x, x) as pi*(sign(x) - 1)/2 + pi/4, equal for real x ≠ 0.
    if back == expr or sympy.expand(back - expr) == 0:
        return
    rng = random.Random(5)
    for _ in range(3):
        p = random_point(sorted(expr.free_symbols | back.free_symbols, key=str), rng, {})
        a, b = at(expr, p), at(back, p)
        # Off the reals, SymEngine's own canonical form may pick the other branch:
        # sqrt(1/(x - 5/2)) is (x - 5/2)**(-1/2), -i·0.87 where sqrt gives +i·0.87 at x = 1.
        # jac refuses complex entries, so only real values are compared.
        assert not (a.is_finite and a.is_real) or close(a, b), (expr, back)


# Names as users write them, none a trap: jac's own output must never be warned about.
_ORDINARY = ["x", "y", "t", "r", "k", "lambda", "w11", "theta", "x1", "x_1", "dt", "cost",
             "rate", "speed", "sigma", "xi", "beta", "eta", "epsilon", "q2", "alpha", "zeta",
             "omega"]  # fmt: skip
_ordinary_leaves = (
    st.sampled_from([make_symbol(n) for n in _ORDINARY])
    | st.integers(-9, 9).map(sympy.Integer)
    | st.sampled_from([sympy.pi, sympy.E, sympy.Rational(1, 3)])
)


@given(
    st.lists(st.recursive(_ordinary_leaves, _extend, max_leaves=10), min_size=1, max_size=3),
    st.none() | st.sets(st.sampled_from(_ORDINARY)).map(tuple),
)
def test_printed_expressions_have_no_suspicious_names(
    exprs: list[sympy.Expr], variables: tuple[str, ...] | None
) -> None:
    texts = [to_text(symengine.sympify(e)) for e in exprs]
    if any(e.has(sympy.zoo, sympy.nan, sympy.oo) for e in exprs):
        return
    if variables is not None:
        # Every name a variable: a parameter `cost` beside --vars t is a fair "cos(t)?".
        variables = tuple(sorted({*variables, *(str(s) for e in exprs for s in e.free_symbols)}))
    with contextlib.suppress(JacError):  # 1/0 after simplification, say: not the point here
        assert suspicious_names(read_functions(texts, variables or ()), variables) == [], texts


_SYMPY_FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "cot": sympy.cot, "sec": sympy.sec,
    "csc": sympy.csc, "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "asinh": sympy.asinh,
    "acosh": sympy.acosh, "atanh": sympy.atanh, "exp": sympy.exp, "ln": sympy.log,
    "log": sympy.log, "sqrt": sympy.sqrt, "cbrt": sympy.cbrt, "abs": sympy.Abs,
    "Abs": sympy.Abs, "sign": sympy.sign, "DiracDelta": sympy.DiracDelta,
    "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)), "softplus": lambda u: sympy.log(1 + sympy.exp(u)),
    "relu": lambda u: sympy.Max(0, u), "erf": sympy.erf, "log10": lambda u: sympy.log(u, 10),
}  # fmt: skip


def test_every_one_argument_function_has_a_reference() -> None:
    scalar = {f for f, (fewest, _) in FUNCTIONS.items() if fewest == 1}
    assert set(_SYMPY_FUNCTIONS) == scalar - VECTOR_FUNCTIONS


@given(
    st.sampled_from(sorted(_SYMPY_FUNCTIONS)),
    st.integers(1, 5),
    st.recursive(_leaves, _extend, max_leaves=6),
)
def test_function_to_a_whole_power_is_the_power_of_the_call(
    function: str, k: int, expr: sympy.Expr
) -> None:
    if expr.has(sympy.zoo, sympy.nan, sympy.oo) or expr.atoms(sympy.AccumBounds):
        return
    inner = to_text(symengine.sympify(expr))
    try:
        call = one(f"{function}({inner})")
    except JacError as e:  # log(0): the power of it is just as undefined
        with pytest.raises(type(e)):
            one(f"{function}^{k}({inner})")
        return
    powered = one(f"{function}^{k}({inner})")
    assert powered == call**k
    assert one(f"{function}**{k}({inner})") == powered
    reference = _SYMPY_FUNCTIONS[function](expr) ** k  # a second library's f(expr)^k
    rng = random.Random(k)
    p = random_point(sorted(expr.free_symbols, key=str), rng, {})
    a, b = at(powered, p), at(reference, p)
    if a.has(sympy.DiracDelta) or b.has(sympy.DiracDelta):
        return  # DiracDelta(0): atan2(0, x) is exactly 0 at x > 0, where δ is not a number
    # SymEngine simplifies atan2(x, x) to pi/4 where SymPy leaves 0/0 undefined: skip those.
    # Compared in SymPy's floats, which do not overflow: sinh(exp(x + 5))^2 is about 10^128.
    if a.is_finite and b.is_finite:
        assert abs(a - b) <= 1e-9 * max(1, abs(a), abs(b)), (function, k, expr)
