"""Values at a point that exist but were errors: a periodic call of a huge argument, a 0
that Max's derivative leaves as uncancelled ratios, and huge values taken for infinite.

Each is compared with mpmath at a precision high enough for the argument's reduction.
"""

from __future__ import annotations

from typing import Any

import pytest
import symengine as se
from mpmath import mp

from jaccli.engine.point import _cancels, evaluate
from jaccli.errors import LimitError
from jaccli.numbers import is_infinite, kept_range, magnitude_bits
from tests.test_numbers import mp_reference


def _huge_cot_slope() -> Any:
    """d/dx cot(e^x) at x = 12345.678, from mpmath at 8,000 digits (e^x has 5,362)."""
    with mp.workdps(8000):
        a = mp.mpf(6172839) / 500
        return -mp.exp(a) * (1 + mp.cot(mp.exp(a)) ** 2)


def test_cot_of_a_huge_argument(jac: Any) -> None:
    # The ramp from 123 bits stopped at 31,488, one doubling short: "may be exactly zero".
    run = jac(["eval", "cot(exp(x))", "--vars", "x", "--at", "x=12345.678", "--digits", "25"])
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    value = _huge_cot_slope()
    assert run.stdout.strip() == mp_reference(lambda: value, 25)
    assert run.stdout.startswith("-4.904341491608487833670626e5361")


@pytest.mark.parametrize("point", [3000, 12345])
def test_periodic_arguments_are_held_whole(point: int) -> None:
    # sin(e^x)' = cos(e^x) e^x: e^12345 has 17,810 bits before the reduction mod 2π.
    x = se.Symbol("x")
    result = evaluate([se.sin(se.exp(x))], [x], {x: se.Integer(point)}, digits=20)
    [[(_, value)]] = result.sparse.rows
    with mp.workdps(6000):
        expected = mp.cos(mp.exp(point)) * mp.exp(point)
    assert mp_reference(lambda: mp.mpf(str(value)), 20) == mp_reference(lambda: expected, 20)


def test_a_periodic_argument_too_large_is_a_limit() -> None:
    # MPFR would reduce cos(e^(10^6)) with a π of 1.4 million bits at every doubling;
    # the answer is a LimitError that says why, not "it may be exactly zero".
    x = se.Symbol("x")
    with pytest.raises(LimitError, match="too large to reduce by its period"):
        evaluate([se.sin(se.exp(x))], [x], {x: se.Integer(10**6)}, digits=5)


def test_magnitude_bits() -> None:
    assert magnitude_bits(se.Integer(5)) == 4
    assert magnitude_bits(se.exp(se.Rational(6172839, 500))) == 17813
    assert magnitude_bits(se.Integer(1) + se.I * se.exp(100)) == 147


# ----------------------------------------------------------------------------- max's 0


@pytest.mark.parametrize("digits", [None, "25"])
def test_hessian_of_max_on_its_linear_side_is_zero(jac: Any, digits: str | None) -> None:
    # Near (2, 0.15), ln y < x - 1/2, so f = e + 1/2 - x and H = 0; the entries were
    # (1/2)(3/2 - ln(3/20))/u^2 + (1/2)/u with u = -(3/2 - ln(3/20)): 0, uncancelled.
    more = ["--digits", digits] if digits else []
    args = ["hessian", "e-max(ln(y), x-0.5)", "--vars", "x,y", "--at", "x=2,y=0.15"]
    run = jac([*args, *more, "--format", "plain"])
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.split() == ["0"] * 4


def test_hessian_of_max_on_its_log_side(jac: Any) -> None:
    # At (-5, 0.15) max is ln y: H = diag(0, 1/y^2), with 1/y^2 = 400/9 by finite differences.
    args = ["hessian", "e-max(ln(y), x-0.5)", "--vars", "x,y", "--at", "x=-5,y=0.15"]
    run = jac([*args, "--digits", "12", "--format", "plain"])
    assert run.code == 0, run.stderr
    cells = run.stdout.split()
    assert cells[:3] == ["0", "0", "0"]
    with mp.workdps(40):
        h = mp.mpf("1e-10")
        f = lambda y: mp.e - mp.log(y)  # noqa: E731
        y = mp.mpf(3) / 20
        second = (f(y + h) - 2 * f(y) + f(y - h)) / h**2
    assert abs(float(cells[3]) - float(second)) < 1e-6 * float(second)


def test_a_sum_over_a_zero_denominator_is_not_zero() -> None:
    # ln 6 - ln 2 - ln 3 is 0, which SymEngine does not see: the numerator cancels as a
    # polynomial, but 0/0 is undefined, and _cancels must not call it 0.
    d = se.log(6) - se.log(2) - se.log(3)
    minus_d = se.log(2) - (se.log(6) - se.log(3))
    value = se.Rational(1, 2) * minus_d / d**2 + se.Rational(1, 2) / d
    numerator, _ = value.as_numer_denom()
    assert se.expand(numerator) == 0
    assert not _cancels(value)
    u = se.Rational(3, 2) - se.log(3) + se.log(20)
    minus_u = se.Rational(-3, 2) - (se.log(20) - se.log(3))
    assert _cancels(se.Rational(1, 2) * minus_u / u**2 + se.Rational(1, 2) / u)


# ----------------------------------------------------------------------------- infinite


@pytest.mark.parametrize(
    ("expr", "infinite"),
    [
        (se.atanh(se.Integer(1)), True),
        (se.acoth(se.Integer(1)), True),
        (se.log(se.exp(se.Integer(10**9))), False),  # 10^9: exp(10^9) overflowed
        (se.log(1 + se.exp(se.Integer(10**10))), False),  # softplus(10^10)
        (se.sinh(se.sinh(se.Rational(81, 2))), False),  # 10^(8.4·10^16), inside MPFR's range
        (se.cot(se.exp(se.exp(se.Integer(40)))), False),  # too large to tell here, cheaply
        (se.log(se.Integer(2)), False),
        (se.sqrt(se.Integer(-2)), False),
    ],
)
def test_is_infinite(expr: Any, infinite: bool) -> None:
    assert is_infinite(expr) is infinite


def test_huge_values_the_engine_computes() -> None:
    # What is_infinite leaves to the engine, it computes: softplus'(10^10) = 1, and
    # sinh(sinh(x))' = cosh(sinh x) cosh x at 40.5 = 4.58095321e84271521044851991.
    x = se.Symbol("x")
    softplus = evaluate([se.log(1 + se.exp(x))], [x], {x: se.Integer(10**10)}, digits=10)
    assert float(softplus.sparse.rows[0][0][1]) == 1.0
    sinh = evaluate([se.sinh(se.sinh(x))], [x], {x: se.Rational(81, 2)}, digits=10)
    assert str(sinh.sparse.rows[0][0][1]).startswith("4.5809532119")
    assert str(sinh.sparse.rows[0][0][1]).endswith("e84271521044851991")


def test_checks_leave_mpfrs_range_as_it_was() -> None:
    # _cancels evaluates a denominator (the Evaluator widens MPFR's range); the checks that
    # follow at the point must still run in the default range, where e^(e^40) is Inf at
    # once rather than a π of 2^58 bits to reduce cot's argument by.
    import ctypes

    from jaccli import _symengine

    mpfr = _symengine.mpfr()
    assert mpfr is not None
    mpfr.lib.mpfr_get_emax.restype = ctypes.c_long
    u = se.Rational(3, 2) - se.log(3) + se.log(20)
    value = se.Rational(1, 2) * (se.Rational(-3, 2) - (se.log(20) - se.log(3))) / u**2
    with kept_range(default=True):
        before = mpfr.lib.mpfr_get_emax()
        assert _cancels(value + se.Rational(1, 2) / u)
        assert is_infinite(se.atanh(se.Integer(1)))
        assert mpfr.lib.mpfr_get_emax() == before == 2**30 - 1


@pytest.mark.parametrize(
    ("functions", "at", "digits", "expected"),
    [
        ("log(exp(x))", "x=10^9", None, lambda: mp.mpf(1)),
        ("softplus(x)", "x=10^10", "5", lambda: 1 / (1 + mp.exp(-(mp.mpf(10) ** 10)))),
        (
            "sinh(sinh(x))",
            "x=40.5",
            "10",
            lambda: mp.cosh(mp.sinh(mp.mpf(81) / 2)) * mp.cosh(mp.mpf(81) / 2),
        ),
    ],
)
def test_huge_values_at_a_point_are_not_infinite(
    jac: Any, functions: str, at: str, digits: str | None, expected: Any
) -> None:
    # The parser's check of a call of numbers evaluated it in doubles' reach: log(exp(10^9))
    # (whose value is 10^9) and sinh(sinh(81/2)) (about 10^(8.4·10^16)) were "undefined
    # (infinite)", exit 1, although jac's range goes to 10^(±1.39·10^18).
    more = [] if digits is None else ["--digits", digits]
    run = jac(["eval", functions, "--vars", "x", "--at", at, *more])
    assert (run.code, run.stderr) == (0, ""), run.stderr
    with mp.workdps(60):
        value = expected()
    if digits is None:
        assert run.stdout.strip() == "1"
    else:
        assert run.stdout.strip() == mp_reference(lambda: value, int(digits))


@pytest.mark.parametrize(("functions", "at"), [("atanh(x)", "x=1"), ("x + atanh(1)", "x=2")])
def test_a_pole_is_still_infinite(jac: Any, functions: str, at: str) -> None:
    run = jac(["eval", functions, "--vars", "x", "--at", at])
    assert run.code == 1 and "(infinite)" in run.stderr.splitlines()[0], run.stderr
