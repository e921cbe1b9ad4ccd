"""The conditions of guards that SymPy has no class for: NotFinite, NotInteger, IsNaN.

Made on first use (importing this module must not import SymPy); each printer prints them
by class name (`_print_NotFinite`, ...), in its language's own test.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def predicates() -> tuple[Any, Any, Any]:
    """(NotFinite, NotInteger, IsNaN): SymPy boolean functions, made when first needed (importing
    this module must not import SymPy). Printers print them by class name."""
    import sympy
    from sympy.logic.boolalg import BooleanFunction

    class NotFinite(BooleanFunction):  # type: ignore[misc]
        """True where e is NaN, or ±inf at a point whose inputs are all finite (jac eval's
        rule: log(x) at x = inf is inf, defined). Printers read the flag `finite`."""

        nargs = 1

        @classmethod
        def eval(cls, e: Any) -> Any:
            if e in (sympy.nan, sympy.oo, -sympy.oo, sympy.zoo):
                return sympy.true
            if e.is_number and e.is_finite:
                return sympy.false
            return None

    class NotInteger(BooleanFunction):  # type: ignore[misc]
        """True where e is not a whole number (C: e != nearbyint(e))."""

        nargs = 1

        @classmethod
        def eval(cls, e: Any) -> Any:
            if e.is_Number:
                return sympy.false if e.is_integer else sympy.true
            return None

    class IsNaN(BooleanFunction):  # type: ignore[misc]
        """True where the input e is NaN (C: isnan(e))."""

        nargs = 1

        @classmethod
        def eval(cls, e: Any) -> Any:
            if e is sympy.nan:
                return sympy.true
            return sympy.false if e.is_number else None

    return NotFinite, NotInteger, IsNaN
