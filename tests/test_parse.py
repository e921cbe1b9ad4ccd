"""The parser: every input rule of the syntax, the rejected inputs, and properties."""

from __future__ import annotations

import contextlib
import random

import pytest
import symengine
import sympy
from hypothesis import given
from hypothesis import strategies as st

from jaccli.errors import JacError, LimitError, ParseError, UndefinedError, UsageError
from jaccli.parse import (
    FUNCTIONS,
    MAX_NESTING,
    format_error,
    make_symbol,
    parse_functions,
    parse_point,
    parse_variables,
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


# --------------------------------------------------------------------------- properties

_PIECES = [*"xyz0123456789+-*/^()[],. e_'!#=", "sin", "atan2", "**", "pi", "log", "\u2212"]


@given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join))
def test_any_text_gives_expressions_or_a_jac_error(text: str) -> None:
    try:
        exprs = parse_functions([text])
    except JacError as e:
        format_error(e)  # the message can always be shown
    else:
        assert all(isinstance(e, symengine.Basic) for e in exprs)


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
        assert not a.is_finite or close(a, b), (expr, back)
