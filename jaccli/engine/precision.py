"""Numbers to a requested count of significant digits, and matrices as floats.

The evaluation itself (precision doubled until two results agree, MPFR's widest
exponent range) is `jaccli.numbers.Evaluator`; this module chooses the starting
precision and words its failure for the user.
"""

from __future__ import annotations

import math
from typing import Any

from jaccli.engine.results import Matrix, Sparse
from jaccli.errors import LimitError, PrecisionError, UsageError
from jaccli.parse.limits import MAX_NUMBER_DIGITS

MAX_DIGITS = 10_000  # as the command line's --digits allows (jaccli.cli.options)


def digits_to_bits(digits: int) -> int:
    """Binary precision for `digits` significant decimal digits, with guard bits for rounding."""
    return math.ceil(digits * math.log2(10)) + 16


# Working precision is doubled until two evaluations agree; this many doublings at most.
MAX_PRECISION_DOUBLINGS = 8


def evaluate_number(expr: Any, digits: int) -> Any:
    """Numbers in `expr` evaluated so that the first `digits` significant digits are right.

    SymEngine evaluates at a fixed precision, so sin(x) - x at x = 10^-30 comes
    out as 0.0 at 96 bits: cancellation eats every digit. Each constant part of
    `expr` is evaluated on its own and its precision doubled until two successive
    results agree to `digits` digits (the check mpmath's and SymPy's evalf use);
    the renderers then round to exactly `digits`. See `numbers.Evaluator` for
    huge and tiny values (e^(10^9) is a number; e^(e^(e^5)) is a LimitError).
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= MAX_DIGITS:
        # The Python API's digits= reaches here unchecked: 10**9 would run for hours.
        raise UsageError(
            f"{{digits}} must be a whole number from 1 to {MAX_DIGITS}, not {digits!r}"
        )
    from jaccli.numbers import Evaluator, Imprecise

    if expr == 0:
        return expr

    def start(constant: Any) -> int:
        # At least double precision, so that JSON "values" are as exact as a float can be;
        # and every exact number held whole: sin(10^99999) needs all 332,000 bits, and so
        # does the argument of a periodic call, exact or not (cot(e^12345.678)).
        numbers = _largest_number_bits(constant)  # JAC_MAX_DIGITS may allow more bits:
        allowed = max(MAX_ARGUMENT_BITS, numbers + 64)  # sqrt(2)*10^120000 is held too
        arguments = _periodic_argument_bits(constant, allowed)
        return max(digits_to_bits(digits), 80) + max(numbers, arguments)

    try:
        return Evaluator(digits, start, MAX_PRECISION_DOUBLINGS).expression(expr)
    except Imprecise as e:
        text = str(e.expr)
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise PrecisionError(
            f"{shown} could not be evaluated to {digits} digits at {e.bits} bits of precision "
            "(it may be exactly zero); leave out {digits} for the exact value"
        ) from None


def _largest_number_bits(expr: Any) -> int:
    import symengine as se

    from jaccli.numbers import rational_bits

    return math.ceil(max(map(rational_bits, expr.atoms(se.Rational, se.Integer)), default=0))


# Calls whose value depends on their argument modulo a period: a wrong last bit of the
# argument is a wrong value once the argument has more bits than the working precision.
_PERIODIC = frozenset({"sin", "cos", "tan", "cot", "sec", "csc"})

# Bits that an argument of a periodic call is given in full (about 2^332,209, as an exact number
# of MAX_NUMBER_DIGITS digits is): evaluated there in seconds. MPFR reduces a larger one
# with a π of as many bits, which cot(e^(e^40)) turns into exabytes: a LimitError instead.
MAX_ARGUMENT_BITS = digits_to_bits(MAX_NUMBER_DIGITS)


def _periodic_argument_bits(expr: Any, allowed: int) -> int:
    """Bits of the integer part of the largest argument of a periodic call in `expr`.

    cot(e^12345.678) means nothing until e^12345.678 is known to its units, 17,813 bits;
    from 123 bits, eight doublings reached 31,488, one short of two agreeing results,
    so a plain value was reported as "may be exactly zero". Starting above the argument,
    the first two evaluations agree. Inner calls are measured first, so that no argument
    is evaluated with a call inside it whose own argument has more than `allowed` bits.
    """
    import symengine as se

    from jaccli.numbers import magnitude_bits

    largest = 0
    calls = [c for c in expr.atoms(se.Function) if type(c).__name__ in _PERIODIC]
    for call in sorted(calls, key=lambda c: len(str(c))):
        if call.args[0].is_Rational:
            continue  # held whole already (_largest_number_bits)
        bits = magnitude_bits(call.args[0]) or 0
        if bits > allowed:
            text = str(call)
            shown = text if len(text) <= 60 else text[:57] + "..."
            raise LimitError(
                f"{shown} has an argument too large to reduce by its period (more than "
                f"{allowed:,} bits); leave out {{digits}} for the exact value"
            )
        largest = max(largest, bits)
    return largest


def _real_value(e: Any) -> float:
    """e as a double, evaluated in real arithmetic (MPFR); NaN where that fails."""
    try:
        return float(e.n(53, real=True))
    except (TypeError, ValueError, OverflowError, RuntimeError):
        return math.nan


def real_number(e: Any) -> float | None:
    """e as a float when it is a finite real number, else None (symbolic, complex, inf)."""
    if e.free_symbols:
        return None
    try:
        z = complex(e)
    except (TypeError, ValueError, OverflowError, RuntimeError):
        z = complex(math.nan, math.nan)  # atan2(-1/2, 3/2): not evaluated as complex
    if z.imag != 0 or math.isnan(z.real):
        # Complex evaluation leaves noise (8 sin(4) cos(4)/(1 + sin(4)^2) has an
        # imaginary part of 2e-16) and cannot do atan2: evaluated as a real number, a
        # real value is one, and a complex one (sqrt(-2)) raises or is NaN.
        z = complex(_real_value(e))
    # A tiny entry (e^(-10^9) with --digits) underflows to 0.0: no float says it.
    if not math.isfinite(z.real) or (z.real == 0 and not e.is_zero):
        return None
    return z.real


def complex_number(e: Any) -> complex | None:
    """e as a complex number when it is a finite one (a real one without complex noise)."""
    real = real_number(e)
    if real is not None:
        return complex(real)
    if e.free_symbols:
        return None
    try:
        z = complex(e)
    except (TypeError, ValueError, OverflowError, RuntimeError):
        return None
    finite = math.isfinite(z.real) and math.isfinite(z.imag)
    return z if finite and (z != 0 or e.is_zero) else None


def numeric_values(matrix: Matrix) -> tuple[tuple[float, ...], ...] | None:
    """The matrix as floats when every entry is a finite real number, else None."""
    rows = []
    for row in matrix:
        out = [real_number(e) for e in row]
        if None in out:
            return None
        rows.append(tuple(v for v in out if v is not None))
    return tuple(rows)


def numeric_entries(sparse: Sparse) -> tuple[tuple[tuple[int, float], ...], ...] | None:
    """The non-zero entries as (column, float) rows when each is a finite real number, else
    None: the zeros are never looked at (a 10^4 x 10^4 J with 3 entries a row costs 3·10^4)."""
    rows = []
    for row in sparse.rows:
        out = []
        for j, e in row:
            v = real_number(e)
            if v is None:
                return None
            out.append((j, v))
        rows.append(tuple(out))
    return tuple(rows)
