"""Small helpers on numbers shared by the parser, the engine and the renderers.

Exact numbers' sizes (to refuse 9^9^9 before computing it), and decimal literals
in printed text rounded to significant digits (to print exactly --digits digits,
and to check that two working precisions agree).
"""

import math
import re
from typing import Any

_DECIMAL = re.compile(r"(?<![\w.])[0-9]+\.[0-9]*(?:e[+-]?[0-9]+)?")


def round_decimal(text: str, digits: int) -> str:
    """One decimal literal rounded to `digits` significant digits, without a needless exponent."""
    from decimal import Decimal, localcontext  # not at import: the parser needs none of it

    with localcontext() as context:
        context.prec = max(28, digits + 10)
        value = Decimal(text)
        if value == 0:
            return "0"
        rounded = format(value, f".{digits}g")
        _, _, exponent = rounded.partition("e")
        if exponent and -5 <= int(exponent) < digits:
            return format(Decimal(rounded), "f")
        return rounded.replace("e+", "e")


def round_decimals(text: str, digits: int) -> str:
    """Every decimal literal in printed text rounded to `digits` significant digits.

    Names never contain '.', so a literal is unambiguous.
    """
    return _DECIMAL.sub(lambda m: round_decimal(m.group(), digits), text)


def has_zero_literal(text: str) -> bool:
    """Whether printed text contains a decimal literal equal to 0 (such as 0.000)."""
    from decimal import Decimal

    return any(Decimal(m.group()) == 0 for m in _DECIMAL.finditer(text))


def rational_bits(number: Any) -> float:
    """Bits in the larger of a rational's numerator and denominator (log2, not rounded)."""
    p, q = num_den(number)
    return max(math.log2(abs(p) or 1), math.log2(q))


def num_den(number: Any) -> tuple[int, int]:
    """Numerator and denominator of a SymEngine rational, as Python ints."""
    p, q = number.get_num_den()
    return int(p), int(q)
