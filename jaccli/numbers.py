"""Small helpers on numbers shared by the parser, the engine and the renderers.

Exact numbers' sizes (to refuse 9^9^9 before computing it); decimal literals in
printed text rounded to significant digits (to print exactly the digits asked for, and
to check that two working precisions agree); and the evaluation of exact constants
to a given number of digits, which `engine.precision.evaluate_number` uses.

Rounding works on the digits of the printed text, never through `float` or
`Decimal`: e^(10^9) = 8.0030e434294481 and e^(e^40) have exponents that no float
and no default `Decimal` context can hold, and the exponent must come out exact.
"""

import contextlib
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from jaccli.errors import LimitError

_DECIMAL = re.compile(r"(?<![\w.])[0-9]+\.[0-9]*(?:e[+-]?[0-9]+)?")
_NOT_FINITE = re.compile(r"@|\b(?:nan|z?oo|inf)\b")  # MPFR's @Inf@ and @NaN@, SymEngine's own
_PARTS = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")


def _parts(text: str) -> tuple[str, str, int]:
    """'-0.00123e5' → ('-', '123', 2): sign, significant digits, exponent of the first digit.

    Zero has no significant digits: ('', '', 0).
    """
    m = _PARTS.fullmatch(text.strip())
    if m is None or not (m.group(2) or m.group(3)):
        raise ValueError(f"not a decimal number: {text!r}")
    sign, whole, fraction, exponent = m.group(1), m.group(2), m.group(3) or "", m.group(4)
    significant = (whole + fraction).lstrip("0")
    if not significant:
        return "", "", 0
    first = len(significant) - 1 - len(fraction) + int(exponent or 0)
    return ("-" if sign == "-" else ""), significant.rstrip("0"), first


def _round_digits(significant: str, digits: int) -> tuple[str, int]:
    """`significant` rounded half to even to exactly `digits` digits, and 1 if it carried.

    '99996' to 4 digits is ('1000', 1): the exponent grows by one (9.9996 → 10.00).
    """
    if len(significant) <= digits:
        return significant.ljust(digits, "0"), 0
    kept, rest = significant[:digits], significant[digits:]
    tie = rest[0] == "5" and not rest[1:].strip("0")
    if rest[0] < "5" or (tie and int(kept[-1]) % 2 == 0):
        return kept, 0
    chars = list(kept)
    i = digits - 1
    while i >= 0 and chars[i] == "9":
        chars[i] = "0"
        i -= 1
    if i < 0:
        return "1" + "0" * (digits - 1), 1
    chars[i] = str(int(chars[i]) + 1)
    return "".join(chars), 0


def scientific(text: str, digits: int) -> tuple[str, int] | None:
    """A decimal literal as (mantissa, exponent), rounded to `digits` significant digits.

    '-8002.98e434294478' to 5 digits is ('-8.0030', 434294481); None for zero.
    """
    sign, significant, exponent = _parts(text)
    if not significant:
        return None
    rounded, carry = _round_digits(significant, digits)
    mantissa = rounded[0] + ("." + rounded[1:] if digits > 1 else "")
    return sign + mantissa, exponent + carry


def round_decimal(text: str, digits: int) -> str:
    """One decimal literal rounded to `digits` significant digits, without a needless exponent.

    Positional when the exponent is in [-5, digits): 0.54030, 7.3891, 0.000012346;
    otherwise scientific with the exact exponent: 8.0030e434294481, 1.2495e-434294482.
    """
    sign, significant, exponent = _parts(text)
    if not significant:
        return "0"
    rounded, carry = _round_digits(significant, digits)
    exponent += carry
    if -5 <= exponent < digits:
        if exponent >= 0:
            whole, fraction = rounded[: exponent + 1], rounded[exponent + 1 :]
        else:
            whole, fraction = "0", "0" * (-exponent - 1) + rounded
        return sign + whole + ("." + fraction if fraction else "")
    mantissa = rounded[0] + ("." + rounded[1:] if digits > 1 else "")
    return f"{sign}{mantissa}e{exponent}"


def round_decimals(text: str, digits: int) -> str:
    """Every decimal literal in printed text rounded to `digits` significant digits.

    Names never contain '.', so a literal is unambiguous.
    """
    return _DECIMAL.sub(lambda m: round_decimal(m.group(), digits), text)


def has_zero_literal(text: str) -> bool:
    """Whether printed text contains a decimal literal equal to 0 (such as 0.000)."""
    return any(not _parts(m.group())[1] for m in _DECIMAL.finditer(text))


def rational_bits(number: Any) -> float:
    """Bits in the larger of a rational's numerator and denominator (log2, not rounded)."""
    p, q = num_den(number)
    return max(math.log2(abs(p) or 1), math.log2(q))


def num_den(number: Any) -> tuple[int, int]:
    """Numerator and denominator of a SymEngine rational, as Python ints."""
    p, q = number.get_num_den()
    return int(p), int(q)


# --------------------------------------------------------------------------- evaluation


def printed(value: Any) -> str | None:
    """SymEngine's text for an evaluated number, or None when it is MPFR's Inf or NaN.

    SymEngine prints an infinite RealMPFR as garbage such as '@.Inf@e9895604649983',
    or fails inside std::string::substr (an IndexError), depending on an exponent
    that MPFR leaves undefined for Inf.
    """
    try:
        text = str(value)
    except (IndexError, RuntimeError, ValueError):
        return None
    return None if _NOT_FINITE.search(text) else text


def magnitude_bits(expr: Any) -> int | None:
    """log2 of an exact constant's size, rounded up (64 bits of precision, whatever exponent
    MPFR's range holds): how many bits its integer part has. None where it is not a finite
    number. The caller widens MPFR's range first (`Evaluator` does) or e^12345 is Inf."""
    try:
        value = numeric_form(expr).n(64)
    except (RuntimeError, ValueError, TypeError, OverflowError):
        return None
    text = printed(value) if value.is_Number else None
    if text is None:
        return None
    parts = value.as_real_imag() if not value.is_real else (value,)
    exponents = [_parts(str(p))[2] for p in parts if p != 0]
    return max(0, math.ceil((max(exponents) + 1) * math.log2(10))) if exponents else 0


def _shown(expr: Any) -> str:
    text = str(expr)
    return text if len(text) <= 60 else text[:57] + "..."


class Imprecise(Exception):
    """Two precisions never agreed (or the value stayed 0.0): the engine says so to the user."""

    def __init__(self, expr: Any, bits: int) -> None:
        super().__init__(expr, bits)
        self.expr = expr
        self.bits = bits


class Evaluator:
    """Exact constants evaluated so that their first `digits` significant digits are right.

    SymEngine evaluates at a fixed precision, so sin(x) - x at x = 10^-30 comes out
    as 0.0 at 96 bits: cancellation eats every digit. The precision is doubled until
    two successive results agree to `digits` digits (the check mpmath's and SymPy's
    evalf use); the renderers then round to exactly `digits`. MPFR's exponent range
    is widened to its maximum first, so e^(10^9) and e^(-10^9) are numbers, not
    infinity and 0; a value beyond even that range is a LimitError, and a 0 that
    comes from an underflow is never passed off as "maybe exactly zero".
    """

    def __init__(self, digits: int, start_bits: Callable[[Any], int], doublings: int) -> None:
        from jaccli import _symengine

        self.se = _symengine.load()
        self.mpfr = _symengine.mpfr()
        if self.mpfr is not None:
            self.mpfr.widen()
        self.digits = digits
        self.start_bits = start_bits
        self.doublings = doublings

    # an expression: each maximal constant part on its own ---------------------
    def expression(self, expr: Any) -> Any:
        """`expr` with every constant part evaluated; symbols (parameters, x) stay."""
        if not expr.free_symbols:
            return self.constant(expr)
        if expr.is_Symbol:
            return expr
        args = expr.args
        if expr.is_Add or expr.is_Mul:
            fixed = [a for a in args if not a.free_symbols]
            moving = [self.expression(a) for a in args if a.free_symbols]
            if fixed:
                moving.insert(0, self.constant(expr.func(*fixed)))
            return expr.func(*moving)
        return expr.func(*(self.expression(a) for a in args))

    # a constant ---------------------------------------------------------------
    def constant(self, expr: Any, real: bool = False) -> Any:
        """A number for the exact constant `expr`, right to `digits` significant digits.

        `real`: `expr` is known to be real, so an imaginary part that SymEngine's complex
        arithmetic leaves (0.0 for tan(2)^2, which it evaluates through MPC) is dropped.
        """
        if expr == 0:
            return expr
        bits = self.start_bits(expr)
        first, _ = self._n(expr, bits, real)
        if not first.is_Number:  # something SymEngine keeps symbolic: compare the text
            return self._agreeing(expr, bits, first)
        if not first.is_real:
            return self._complex(expr)
        if expr.is_Rational:  # its decimal expansion is right at once
            return first
        return self._real(expr, bits, first, real)

    def _n(self, expr: Any, bits: int, real: bool = False) -> tuple[Any, str]:
        """`expr` at `bits` of precision and its text; a LimitError past MPFR's range."""
        if self.mpfr is not None:
            self.mpfr.clear_flags()
        try:
            value = numeric_form(expr).n(bits)  # sec(u) as 1/cos(u): MPC aborts on sec
            if real and value.is_Number and not value.is_real:
                value = value.as_real_imag()[0]
        except (RuntimeError, OverflowError, ValueError) as e:
            raise LimitError(f"{_shown(expr)} cannot be evaluated numerically ({e})") from e
        text = printed(value)
        flags = self.mpfr.flags() if self.mpfr is not None else (False, False)
        if text is None:
            raise self._out_of_range(expr, flags, zero=False)
        if any(flags) and has_zero_literal(text):
            raise self._out_of_range(expr, flags, zero=True)
        return value, text

    def _out_of_range(self, expr: Any, flags: tuple[bool, bool], zero: bool) -> LimitError:
        underflow, overflow = flags
        largest = self.mpfr.largest_exponent() if self.mpfr is not None else None
        bound = f"10^{largest:,}" if largest is not None else "the largest number MPFR holds"
        if zero and underflow and not overflow:
            what = f"is too close to 0 to evaluate numerically (below 1/{bound})"
        else:  # infinite, NaN (such as ∞ - ∞), or 0 = 1/∞
            what = f"has a part too large to evaluate numerically (beyond {bound})"
        return LimitError(f"{_shown(expr)} {what}; leave out {{digits}} for the exact value")

    def _agrees(self, text: str, previous: str) -> bool:
        # A 0.0 from a non-zero expression is cancellation, not agreement.
        digits = self.digits
        return round_decimals(text, digits) == round_decimals(previous, digits) and not (
            has_zero_literal(text)
        )

    def _real(self, expr: Any, bits: int, first: Any, real: bool) -> Any:
        previous = printed(first) or ""
        for _ in range(self.doublings):
            bits *= 2
            current, text = self._n(expr, bits, real)
            if not current.is_Number:
                return self._agreeing(expr, bits, current)
            if not current.is_real:
                return self._complex(expr)
            if self._agrees(text, previous):
                return current
            previous = text
        raise Imprecise(expr, bits)

    def _agreeing(self, expr: Any, bits: int, first: Any) -> Any:
        """The whole printed text agreeing at two precisions (for what is not one number)."""
        previous = printed(first) or ""
        for _ in range(self.doublings):
            bits *= 2
            current, text = self._n(expr, bits)
            if self._agrees(text, previous):
                return current
            previous = text
        raise Imprecise(expr, bits)

    def _complex(self, expr: Any) -> Any:
        """A complex constant: its real and imaginary parts, each as a real constant.

        Split exactly by SymPy (SymEngine's as_real_imag says exp(2i/3) is real), so
        that the 0 real part of 4i is known to be 0 rather than mistaken for cancellation.
        """
        import sympy

        from jaccli.engine.bridge import from_sympy, to_sympy

        parts = []
        for part in to_sympy(expr).as_real_imag():
            if part == 0:
                parts.append(self.se.Integer(0))
                continue
            try:
                exact = from_sympy(part)
            except (TypeError, ValueError, RuntimeError, NotImplementedError, AttributeError):
                exact = None
            if exact is None or exact.free_symbols or part.has(sympy.re, sympy.im):
                # SymPy could not split it into closed forms: compare the complex text.
                bits = self.start_bits(expr)
                return self._agreeing(expr, bits, self._n(expr, bits)[0])
            parts.append(self.constant(exact, real=True))
        real, imaginary = parts
        return real + imaginary * self.se.I


# --------------------------------------------------------------------------- safe numerics

# SymEngine evaluates sec(u), csc, cot, their hyperbolic and inverse forms through MPC by
# an MPFR call of precision 0 whenever the evaluation is complex (sec(i), sec(4/5) with
# real=False, asech(3)): an assertion that aborts the whole process. Rewritten through the
# functions they are the reciprocals of, they evaluate (and are equal).
_RECIPROCALS = {
    "sec": lambda se, u: 1 / se.cos(u),
    "csc": lambda se, u: 1 / se.sin(u),
    "cot": lambda se, u: se.cos(u) / se.sin(u),
    "sech": lambda se, u: 1 / se.cosh(u),
    "csch": lambda se, u: 1 / se.sinh(u),
    "coth": lambda se, u: se.cosh(u) / se.sinh(u),
    "asec": lambda se, u: se.acos(1 / u),
    "acsc": lambda se, u: se.asin(1 / u),
    "acot": lambda se, u: se.atan(1 / u),
    "asech": lambda se, u: se.acosh(1 / u),
    "acsch": lambda se, u: se.asinh(1 / u),
    "acoth": lambda se, u: se.atanh(1 / u),
}


def _atan2(se: Any, y: Any, x: Any) -> Any:
    """atan2(y, x) = 2 atan(y / (√(x² + y²) + x)) off the negative x axis: SymEngine's complex
    evaluation leaves atan2 of numbers as it is (atan2(1.0, 0.5)); atan of them it evaluates."""
    if y == 0:
        return se.atan2(y, x)
    return 2 * se.atan(y / (se.sqrt(x**2 + y**2) + x))


def numeric_form(expr: Any) -> Any:
    """An exact constant rewritten, equal, into calls that SymEngine's `n()` evaluates in
    complex arithmetic without aborting (sec(u) → 1/cos(u)) and to a number (atan2)."""
    from jaccli import _symengine

    se = _symengine.load()
    names = {*_RECIPROCALS, "atan2"}
    if not any(type(a).__name__ in names for a in expr.atoms(se.Function)):
        return expr
    memo: dict[Any, Any] = {}

    def walk(e: Any) -> Any:
        if not e.args:
            return e
        done = memo.get(e)
        if done is None:
            args = [walk(a) for a in e.args]
            name = type(e).__name__
            if name in _RECIPROCALS:
                done = _RECIPROCALS[name](se, args[0])
            elif name == "atan2":
                done = _atan2(se, *args)
            else:
                done = e.func(*args)
            memo[e] = done
        return done

    return walk(expr)


def constant_value(expr: Any, bits: int = 128) -> complex | None:
    """An exact constant as a Python complex, from `bits` of precision; None where it cannot
    be evaluated or is not finite. Real arithmetic (MPFR) first, which evaluates atan2 and
    never leaves imaginary noise; complex arithmetic (MPC) where that fails (log(-1), i)."""
    form = numeric_form(expr)
    for real in (True, False):
        try:
            value = form.n(bits, real=True) if real else form.n(bits)
        except (RuntimeError, ValueError, TypeError, OverflowError):
            continue
        if not value.is_Number or printed(value) is None:
            continue  # symbolic, or MPFR's NaN (not real) or Inf
        try:
            z = complex(value)
        except (TypeError, ValueError, OverflowError):
            continue
        if math.isfinite(z.real) and math.isfinite(z.imag):
            return z
    return None


def is_infinite(expr: Any) -> bool:
    """Whether an exact constant is infinite or NaN at 128 bits, as atanh(1) is, without
    an overflow on the way: log(exp(10^9)) and sinh(sinh(81/2)), about 10^(8.4·10^16), are
    Inf only because exp(10^9) overflows MPFR's range (and a float's), though both are
    numbers the Evaluator holds. What overflowed is too large to tell here, not infinite;
    the engine's checks and the Evaluator still apply. False where it cannot be evaluated
    (zoo: the parser's own check finds it).
    """
    from jaccli import _symengine

    mpfr = _symengine.mpfr()
    with kept_range(default=True):
        try:
            value = numeric_form(expr).n(128)
        except (RuntimeError, ValueError, TypeError, OverflowError):
            return False
        if not value.is_Number or printed(value) is not None:
            return False  # a finite number, or what is not one
        return mpfr is None or not mpfr.flags()[1]


@contextlib.contextmanager
def kept_range(default: bool = False) -> Iterator[None]:
    """MPFR's exponent range as it was once the block ends; with `default`, its default
    range (and cleared flags) inside. The Evaluator leaves its thread in the widest range,
    where cot(e^(e^40)) reduces its argument by a π of 2^58 bits and aborts, while in the
    default range e^(e^40) overflows to Inf at once: the checks at a point run there."""
    from jaccli import _symengine

    mpfr = _symengine.mpfr()
    if mpfr is None:
        yield
        return
    was = mpfr.range()
    if default:
        mpfr.set_range(_symengine.DEFAULT_RANGE)
        mpfr.clear_flags()
    try:
        yield
    finally:
        mpfr.set_range(was)


def is_complex(expr: Any) -> bool:
    """Whether an exact constant has a non-zero imaginary part (checked at 128 bits)."""
    if expr.free_symbols:
        return False
    if expr.is_Number:
        return not expr.is_real  # 1 + 2*I, exactly
    z = constant_value(expr)
    return z is not None and abs(z.imag) > 2.0**-100 * max(1.0, abs(z.real))
