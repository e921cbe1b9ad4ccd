"""--digits N: every finite value printed right, digit for digit, with its exact exponent.

The reference is computed apart from jac: exact fractions (Python rounds them half to
even) or mpmath at ample precision, whose exponents are Python integers of any size.
Values far beyond a float (e^(10^9) = 8.0030e434294481) and far below one, values just
under a power of ten, negative and complex values, in every format; and a value beyond
anything MPFR can hold is a limit (exit 3) with a message, never garbage or a crash.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaccli import engine
from jaccli.numbers import round_decimal, round_decimals, scientific
from jaccli.parse import parse_functions
from jaccli.render.syntax import to_text
from tests.conftest import invoke

mp = mpmath

# --------------------------------------------------------------------------- reference


def _layout(negative: bool, significand: int, exponent: int, digits: int) -> str:
    """jac's layout: positional for exponents in [-5, digits), else d.ddd e X."""
    s = str(significand)
    assert len(s) == digits
    if -5 <= exponent < digits:
        if exponent >= 0:
            whole, fraction = s[: exponent + 1], s[exponent + 1 :]
        else:
            whole, fraction = "0", "0" * (-exponent - 1) + s
        text = whole + ("." + fraction if fraction else "")
    else:
        text = s[0] + ("." + s[1:] if digits > 1 else "") + f"e{exponent}"
    return ("-" if negative else "") + text


def _round_fraction(v: Fraction, digits: int) -> tuple[int, int]:
    """A positive rational as (significand of `digits` digits, exponent), half to even."""
    exponent = len(str(v.numerator)) - len(str(v.denominator))
    while v >= Fraction(10) ** (exponent + 1):
        exponent += 1
    while v < Fraction(10) ** exponent:
        exponent -= 1
    significand = round(v / Fraction(10) ** (exponent - digits + 1))  # Python: half to even
    if significand == 10**digits:
        significand //= 10
        exponent += 1
    return significand, exponent


def exact_reference(value: Fraction, digits: int) -> str:
    """A rational rounded half to even to `digits` significant digits (exactly)."""
    assert value != 0
    significand, exponent = _round_fraction(abs(value), digits)
    return _layout(value < 0, significand, exponent, digits)


def mp_reference(compute: Callable[[], Any], digits: int) -> str:
    """An irrational value from mpmath, computed with 60 guard digits, rounded to `digits`."""
    with mp.workdps(digits + 60):
        value = mp.mpf(compute())
        v = abs(value)
        exponent = int(mp.floor(mp.log10(v)))
        scaled = v / mp.mpf(10) ** (exponent - digits + 1)
        while scaled >= 10**digits:
            exponent, scaled = exponent + 1, scaled / 10
        while scaled < 10 ** (digits - 1):
            exponent, scaled = exponent - 1, scaled * 10
        significand = int(mp.nint(scaled))
    if significand == 10**digits:
        significand //= 10
        exponent += 1
    return _layout(value < 0, significand, exponent, digits)


def mp_complex_reference(compute: Callable[[], Any], digits: int) -> str:
    with mp.workdps(digits + 60):
        z = mp.mpc(compute())
        real, imag = z.real, z.imag
    re_text = mp_reference(lambda: real, digits)
    im_text = mp_reference(lambda: abs(imag), digits)
    return f"{re_text} {'-' if imag < 0 else '+'} {im_text}*sqrt(-1)"


# --------------------------------------------------------------------------- output

_LATEX_POWER = re.compile(r"(-?[0-9.]+) \\cdot 10\^\{(-?[0-9]+)\}")


def entries(args: list[str], fmt: str) -> list[str]:
    """The matrix entries jac printed, in jac's plain syntax whatever the format."""
    run = invoke([*args, "--format", fmt])
    assert run.code == 0, run.stderr
    out = run.stdout
    if fmt == "plain":
        return [e for line in out.splitlines() for e in line.split("\t")]
    if fmt == "json":
        return [e for row in run.json()["jacobian"] for e in row]
    if fmt == "table":
        rows = [line for line in out.splitlines() if line.startswith("│")]
        return [cell.strip() for row in rows for cell in row.strip("│").split("│")[1:]]
    body = out[out.index("\\begin{bmatrix}") + len("\\begin{bmatrix}") : out.index("\\end")]
    cells = [c.strip() for row in body.split("\\\\") for c in row.split("&") if c.strip()]
    return [_LATEX_POWER.sub(r"\1e\2", c) for c in cells]


def value_of(expression: str, digits: int, fmt: str = "plain") -> str:
    """J of x*(expression) is the expression: its value as jac prints it."""
    (entry,) = entries(
        ["eval", f"x*({expression})", "--vars", "x", "--at", "x=0", "--digits", str(digits)], fmt
    )
    return entry


FORMATS = ["plain", "json", "table", "latex"]

# (jac's expression, mpmath's value) for values no float can hold
HUGE_AND_TINY = [
    ("exp(10^9)", lambda: mp.exp(10**9)),  # 8.0030e434294481
    ("exp(-10^9)", lambda: mp.exp(-(10**9))),  # 1.2495e-434294482, not "maybe zero"
    ("-exp(10^9)/3", lambda: -mp.exp(10**9) / 3),
    ("-exp(-10^9)*7", lambda: -mp.exp(-(10**9)) * 7),
    ("exp(exp(40))", lambda: mp.exp(mp.exp(40))),  # exponent 102226522508642295
    ("exp(-exp(40))", lambda: mp.exp(-mp.exp(40))),
    ("exp(25*10^17)", lambda: mp.exp(25 * 10**17)),  # exponent past Decimal's 10^18 - 1
    ("sqrt(2)*10^40000", lambda: mp.sqrt(2) * mp.mpf(10) ** 40000),
    ("pi/10^30000", lambda: mp.pi / mp.mpf(10) ** 30000),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("expression", "compute"), HUGE_AND_TINY)
def test_huge_and_tiny_values_digit_for_digit(
    expression: str, compute: Callable[[], Any], fmt: str
) -> None:
    assert value_of(expression, 5, fmt) == mp_reference(compute, 5)


def test_the_findings_exactly() -> None:
    assert value_of("exp(10^9)", 5) == "8.0030e434294481"
    assert value_of("exp(-10^9)", 5) == "1.2495e-434294482"
    assert value_of("exp(exp(40))", 5) == "4.1883e102226522508642278"


@pytest.mark.parametrize("digits", [1, 2, 5, 17, 40])
@pytest.mark.parametrize("scale", [0, 10**9])  # also times 10^(10^9), past MPFR's default range
@pytest.mark.parametrize(
    ("expression", "compute"),
    [
        ("10^20 - exp(-10)", lambda: mp.mpf(10) ** 20 - mp.exp(-10)),  # 9.999...e19 → 1.0e20
        ("10^-7 + exp(-100)", lambda: mp.mpf(10) ** -7 + mp.exp(-100)),
        ("1 - exp(-40)", lambda: 1 - mp.exp(-40)),  # 0.99999999999999999575...
        ("10^9 - exp(-20)", lambda: 10**9 - mp.exp(-20)),
        ("-(10^(-20) - exp(-100))", lambda: -(mp.mpf(10) ** -20 - mp.exp(-100))),
        ("exp(1)", lambda: mp.e),
    ],
)
def test_values_next_to_a_power_of_ten(
    expression: str, compute: Callable[[], Any], digits: int, scale: int
) -> None:
    # exp(n*log(10)) is 10^n exactly, though no evaluation of it is: a boundary itself
    scaled = f"exp({scale}*log(10))*({expression})"
    assert value_of(scaled, digits) == mp_reference(lambda: mp.mpf(10) ** scale * compute(), digits)


@pytest.mark.parametrize(
    ("expression", "value", "digits"),
    [
        ("999995/100000", Fraction(999995, 100000), 5),  # 9.99995: a tie, to even: 10.000
        ("999985/100000", Fraction(999985, 100000), 5),  # 9.99985: a tie, to even: 9.9998
        ("99999.5", Fraction(199999, 2), 5),  # 1.0000e5: the exponent grows past positional
        ("-1/8", Fraction(-1, 8), 2),  # -0.12: half to even
        ("1/3 * 10^-5", Fraction(1, 300000), 3),  # 3.33e-6: positional only down to 10^-5
        ("1/3 * 10^-4", Fraction(1, 30000), 3),  # 0.0000333
        ("123456789 * 10^40", Fraction(123456789 * 10**40), 4),
        ("7/10^100000", Fraction(7, 10**100000), 3),
    ],
)
def test_exact_values_round_half_to_even(expression: str, value: Fraction, digits: int) -> None:
    assert value_of(expression, digits) == exact_reference(value, digits)


@pytest.mark.parametrize("fmt", ["plain", "json", "latex"])
def test_complex_values_with_digits(fmt: str) -> None:
    # J of (exp(x*y), tan(x)*y, exp(10^9*x)) at x = 2 + i, y = 3
    args = ["eval", "exp(x*y), tan(x)*y, exp(10^9*x)", "--vars", "x,y", "--at", "x=2+sqrt(-1),y=3"]
    got = entries([*args, "--digits", "6"], fmt)
    if fmt == "latex":
        got = [re.sub(r" i$", "*sqrt(-1)", e) for e in got]
    z = mp.mpc(2, 1)
    expected = [
        mp_complex_reference(lambda: 3 * mp.exp(3 * z), 6),
        mp_complex_reference(lambda: z * mp.exp(3 * z), 6),
        mp_complex_reference(lambda: 3 / mp.cos(z) ** 2, 6),
        mp_complex_reference(lambda: mp.tan(z), 6),
        mp_complex_reference(lambda: 10**9 * mp.exp(10**9 * z), 6),
        "0",
    ]
    assert got == expected


def test_purely_imaginary_and_real_values_at_a_complex_point() -> None:
    # 4i has a real part that is exactly 0: no "maybe zero" error, no cancellation guess
    run = invoke(["eval", "x*y^3", "--vars", "x,y", "--at", "x=sqrt(-1)/3,y=2", "--digits", "5"])
    assert run.code == 0, run.stderr
    first, second = run.stdout.split("\t")
    assert first == "8.0000"
    assert second.strip().endswith("4.0000*sqrt(-1)")
    # tan(2)^2 is real, although SymEngine evaluates it through complex arithmetic
    assert value_of("1/3 + tan(2)^2/3", 8) == mp_reference(lambda: (1 + mp.tan(2) ** 2) / 3, 8)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["det", "exp(exp(exp(x)))", "--at", "x=5"], "too large to evaluate numerically"),
        (["eval", "exp(exp(x))", "--at", "x=50"], "too large to evaluate numerically"),
        (["eval", "exp(x)", "--at", "x=10^30"], "too large to evaluate numerically"),
        (["eval", "exp(-exp(exp(x)))", "--at", "x=5"], "too close to 0 to evaluate numerically"),
    ],
)
def test_values_beyond_any_exponent_are_a_limit(command: list[str], message: str, fmt: str) -> None:
    run = invoke([*command, "--vars", "x", "--digits", "5", "--format", fmt])
    assert run.code == 3, run
    assert run.stdout == ""
    assert message in run.stderr and "leave out --digits" in run.stderr
    assert run.stderr.count("\n") == 1


def test_linearization_with_huge_coefficients() -> None:
    run = invoke(["linearize", "exp(x)", "--vars", "x", "--at", "x=10^9", "--digits", "4"])
    assert run.code == 0, run.stderr
    coefficient = mp_reference(lambda: mp.exp(10**9), 4)
    constant = mp_reference(lambda: mp.exp(10**9) * (1 - 10**9), 4)
    assert constant.startswith("-")  # e^a (1 - a) + e^a x, the constant written last
    assert run.stdout == f"{coefficient}*x - {constant[1:]}\n"


# --------------------------------------------------------------------------- properties


@st.composite
def exact_values(draw: st.DrawFn) -> tuple[str, Callable[[], Any] | Fraction]:
    """An exact expression for jac and the same value for the reference."""
    kind = draw(st.sampled_from(["rational", "exp", "sqrt", "log", "sin"]))
    if kind == "rational":
        p = draw(
            st.integers(1, 10**15)
            | st.sampled_from([9, 99999, 999995, 12345, 5, 15, 25, 10**12 - 1])
        )
        q = draw(st.sampled_from([1, 2, 3, 7, 8, 16, 125, 10**6]))
        k = draw(st.integers(-400, 400))
        sign = draw(st.sampled_from([1, -1]))
        text = f"{sign}*{p}/{q}*10^({k})"
        return text, Fraction(sign * p, q) * Fraction(10) ** k
    # |a/b| up to 10^12: e^(a/b) from 10^(-4.3e11) to 10^(4.3e11), and near 1
    a = draw(st.sampled_from([1, -1])) * draw(st.integers(1, 999)) * 10 ** draw(st.integers(0, 12))
    b = draw(st.integers(1, 1000))
    if kind == "exp":
        return f"exp({a}/{b})", lambda: mp.exp(mp.mpf(a) / b)
    n = draw(st.integers(2, 10**12))
    k = draw(st.integers(-300, 300))
    if kind == "sqrt":
        return f"sqrt({n})*10^({k})", lambda: mp.sqrt(n) * mp.mpf(10) ** k
    if kind == "log":
        return f"-log({n})*10^({k})", lambda: -mp.log(n) * mp.mpf(10) ** k
    return f"sin({n})", lambda: mp.sin(n)


@given(exact_values(), st.integers(1, 30))
def test_printed_mantissa_and_exponent_match_mpmath(
    case: tuple[str, Callable[[], Any] | Fraction], digits: int
) -> None:
    text, value = case
    (expr,) = parse_functions([text])
    printed = to_text(engine.evaluate_number(expr, digits), digits)
    if isinstance(value, Fraction):
        assert printed == exact_reference(value, digits)
    else:
        assert printed == mp_reference(value, digits)


@given(
    st.integers(1, 10**40),
    st.integers(-(1 << 60), 1 << 60),
    st.integers(1, 25),
    st.booleans(),
)
def test_rounding_printed_text_is_exact_for_any_exponent(
    significand: int, exponent: int, digits: int, negative: bool
) -> None:
    # SymEngine's text for a number is d.ddd...e<exponent>, and exponents reach ±1.4e18
    # once MPFR's range is widened: past Decimal's 10^18 - 1 and any float. Rounding
    # must not depend on the exponent, which must come out exact.
    s = str(significand)
    text = ("-" if negative else "") + s[0] + "." + s[1:] + f"e{exponent}"
    rounded, carry = _round_fraction(Fraction(significand, 10 ** (len(s) - 1)), digits)
    expected = _layout(negative, rounded, carry + exponent, digits)
    assert round_decimal(text, digits) == expected
    assert round_decimals(f"x + {text}*y", digits) == f"x + {expected}*y"
    if not -5 <= carry + exponent < digits:
        assert scientific(text, digits) == (expected.rsplit("e", 1)[0], carry + exponent)


@pytest.mark.parametrize(
    ("text", "digits", "expected"),
    [
        ("9.99995e434294481", 5, "1.0000e434294482"),
        ("-9.99985e-434294482", 5, "-9.9998e-434294482"),
        ("9.99995e1388255822130839282", 5, "1.0000e1388255822130839283"),
        ("0.54030230586813971740093660744", 12, "0.540302305868"),
        ("99999.5", 5, "1.0000e5"),
        ("0.0000123456", 3, "0.0000123"),
        ("0.00000123456", 3, "1.23e-6"),
        ("0.00000000000000000000", 5, "0"),
        ("7.5e3", 1, "8e3"),
        ("123.45", 5, "123.45"),
    ],
)
def test_round_decimal_edges(text: str, digits: int, expected: str) -> None:
    assert round_decimal(text, digits) == expected
