"""Expressions written in jac's own input syntax, so that output can be fed back in.

SymEngine's printer (C++, fast enough for millions of entries) already writes
that syntax, with one exception handled here: the imaginary unit, which SymEngine
writes `I` but which is a plain symbol in jac's syntax, is written `sqrt(-1)`
(jac and `sympy.sympify` both read that back as the imaginary unit).
"""

from __future__ import annotations

import re
from typing import Any

from jaccli.numbers import round_decimals

_IMAGINARY = re.compile(r"(?<![\w.])I(?![\w(])")


def _sympy_text(expr: Any) -> str:
    """Through SymPy's printer: only for the rare expression with both i and a symbol named I."""
    from sympy.printing.str import StrPrinter

    class Printer(StrPrinter):  # type: ignore[misc]
        def _print_ImaginaryUnit(self, expr: Any) -> str:
            return "sqrt(-1)"

    from jaccli.engine import to_sympy

    return str(Printer().doprint(to_sympy(expr)))


# A sum's constant term as SymEngine prints it: first, then " + " or " - ".
_LEADING_CONSTANT = re.compile(r"(-?)([0-9]+(?:/[0-9]+|\.[0-9]*(?:e[+-]?[0-9]+)?)?) ([+-]) ")


def _constant_last(text: str) -> str:
    """SymEngine writes a sum's constant first (-1 + 2*x + y); people expect it last.

    Done on the printed text: asking SymEngine for the terms of a 60-term sum and
    subtracting costs more than printing it.
    """
    m = _LEADING_CONSTANT.match(text)
    if m is None or m.group(3) == "-":  # 3 - x and 1 - tanh(x)**2 read well as they are
        return text
    negative, number, _ = m.groups()
    rest = text[m.end() :]
    return f"{rest} - {number}" if negative else f"{rest} + {number}"


def to_text(expr: Any, digits: int | None = None) -> str:
    """`x**2 + abs(y)`: readable by jac and, names permitting, by `sympy.sympify`."""
    text = _constant_last(str(expr)) if expr.is_Add else str(expr)
    if "I" in text and _IMAGINARY.search(text):
        import symengine

        if symengine.Symbol("I") in expr.free_symbols:
            text = _sympy_text(expr)
        else:
            text = _IMAGINARY.sub("sqrt(-1)", text)
    return text if digits is None else round_decimals(text, digits)


def to_display(expr: Any, digits: int | None = None) -> str:
    """For people at a terminal: `^` for powers, otherwise as `to_text`."""
    return to_text(expr, digits).replace("**", "^")
