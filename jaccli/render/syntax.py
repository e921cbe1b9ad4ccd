"""Expressions written in jac's own input syntax, so that output can be fed back in.

SymPy's `str()` is almost that syntax already; the differences are fixed here
(SymPy writes `Abs`, which jac also reads, but `abs` is what people type; and
SymPy's `I` is a plain symbol in jac's syntax, so the imaginary unit is written
`sqrt(-1)`, which jac and `sympify` both read as the imaginary unit).
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _printer() -> Any:
    from sympy.printing.str import StrPrinter

    class JacPrinter(StrPrinter):  # type: ignore[misc]
        def _print_Abs(self, expr: Any) -> str:
            return f"abs({self._print(expr.args[0])})"

        def _print_ImaginaryUnit(self, expr: Any) -> str:
            return "sqrt(-1)"

    return JacPrinter()


def to_text(expr: Any) -> str:
    """`x**2 + abs(y)`: readable by jac and, names permitting, by `sympy.sympify`."""
    return str(_printer().doprint(expr))


def to_display(expr: Any) -> str:
    """For people at a terminal: `^` for powers, otherwise as `to_text`."""
    return to_text(expr).replace("**", "^")
