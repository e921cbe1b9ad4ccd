"""Between SymEngine and SymPy, for what SymEngine cannot do (d|x|/dx, simplification).

SymEngine's own converters walk trees and never parse text; `_no_text` makes sure no
string reaches them. Symbols become real in SymPy (so that |x|' is sign(x)) and plain
again on the way back; jac's DiracDelta is a SymEngine function symbol of that name.
"""

from __future__ import annotations

from typing import Any


def _no_text(value: Any) -> Any:
    """Refuse strings: the conversions below must never be handed user text to parse."""
    if isinstance(value, (str, bytes)):
        raise TypeError("expressions reach the engine parsed, never as text")
    return value


# SymPy's factoring draws random evaluation points (dmp_zz_wang), and a few draws make it
# run for hours on a polynomial that otherwise factors in milliseconds (sympy#20456). Each
# conversion resets SymPy's generator, so an input meets the same draws on every run (not
# a lottery per run; SymPy's order of terms may still follow Python's hash seed). It is
# SymPy's global generator: a Python API user's own SymPy random numbers restart here too.
SYMPY_SEED = 20456


def to_sympy(expr: Any) -> Any:
    """The same expression in SymPy, its symbols real (so that |x|' is sign(x)), with
    SymPy's random generator reset (SYMPY_SEED)."""
    import sympy
    from sympy.core import random as sympy_random

    sympy_random.seed(SYMPY_SEED)

    # SymEngine's own converter: a tree walk, no parsing (SymEngine objects only).
    converted = _no_text(expr)._sympy_()
    real = {s: sympy.Symbol(s.name, real=True) for s in converted.free_symbols}
    converted = converted.xreplace(real)
    # jac's DiracDelta symbol (see from_sympy) is SymPy's DiracDelta.
    deltas = [f for f in converted.atoms(sympy.Function) if f.func.__name__ == "DiracDelta"]
    if deltas:
        converted = converted.xreplace({d: sympy.DiracDelta(*d.args) for d in deltas})
    return converted


def as_sympy(value: Any) -> Any:
    """A value the engine built (SymPy, a Python int, float or Fraction) as SymPy, without
    `sympify`: text is never converted here, it is read by jac's parser."""
    import fractions

    import sympy

    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, fractions.Fraction)):
        raise TypeError(f"as_sympy takes a SymPy expression or a number, not {value!r}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        return sympy.Float(value)
    return sympy.Rational(value.numerator, value.denominator)


def from_sympy(expr: Any) -> Any:
    import symengine
    import sympy

    if not isinstance(expr, sympy.Basic):
        raise TypeError(f"from_sympy takes a SymPy expression, not {type(expr).__name__}")
    plain: dict[Any, Any] = {s: sympy.Symbol(s.name) for s in expr.free_symbols}
    # SymPy's DiracDelta would come back as a Python callback, which crashes SymEngine
    # when substituted with a value it refuses (a complex one): use jac's own symbol.
    delta = sympy.Function("DiracDelta")
    plain.update({d: delta(*d.args) for d in expr.atoms(sympy.DiracDelta)})
    expr = primed(expr.xreplace(plain))
    return symengine.sympify(expr)  # converts a SymPy tree; parses nothing


def primed(expr: Any) -> Any:
    """Derivatives of functions with no formula as jac writes them: d/du g(u) is g'(u), and
    ∂²/∂u∂v g(u, v) is g_12(u, v), functions of their own (SymPy writes Subs(Derivative(...)))."""
    import sympy
    from sympy.core.function import AppliedUndef

    def named(derivative: Any) -> Any:
        f = derivative.expr
        if not isinstance(f, AppliedUndef) or f.func.__name__ == "DiracDelta":
            return derivative
        name, args = f.func.__name__, f.args
        slots = []
        for variable, count in derivative.variable_count:
            if list(args).count(variable) != 1:
                return derivative  # not by one whole argument: left as SymPy wrote it
            slots += [args.index(variable) + 1] * int(count)
        if len(args) == 1:
            return sympy.Function(name + "'" * len(slots))(*args)
        digits = "".join(str(k) for k in sorted(slots))
        joined = name + digits if "_" in name else f"{name}_{digits}"
        return sympy.Function(joined)(*args)

    if not expr.has(sympy.Derivative):
        return expr
    expr = expr.replace(lambda e: isinstance(e, sympy.Derivative), named)
    return expr.replace(lambda e: isinstance(e, sympy.Subs), lambda e: e.doit(deep=False))


def needs_sympy(f: Any) -> bool:
    """SymEngine leaves d/dx abs(x), d/dx sign(x) and undefined functions unevaluated."""
    from symengine import Abs, FunctionSymbol, sign

    return bool(f.atoms(Abs, sign, FunctionSymbol))
