"""Products printed as SymEngine prints them, with the text of a long factor remembered.

The entries of a row of J often share a factor: tanh(w1*x1 + ... + w100*x100 + b) gives
wi*(1 - tanh(...)**2), sin(S) gives wi*cos(S), and with a matrix W of symbols
W[i,j]*(1 - tanh(...)**2). SymEngine prints the whole factor again for every entry, most of
the time jac spends on such a J. Here a product is written from its factors' texts, a long
factor's text printed once and then remembered.

Why the text is exactly SymEngine's (symengine/printers/strprinter.cpp, StrPrinter::bvisit
of a Mul): the printer writes the coefficient first ("-" for -1, or the number parenthesized
below Mul precedence and "*"), then each factor in the order of the Mul's dictionary, which
is also the order of `Mul.args`; a factor with a negative integer or rational exponent (its
base not E) goes under a "/", the others before it: a sum parenthesized, a power as a lone
power prints, any other factor as it prints alone; "1" stands for no factor before the "/",
and several factors under it are parenthesized. The coefficient's text is taken from
SymEngine (the number times a placeholder symbol). tests/test_syntax.py holds every product
to `str()`, random ones and the workloads' Jacobians.
"""

from __future__ import annotations

import re
from typing import Any

# A floating-point zero as SymEngine prints it (0.0, -0.0, 0.000... of an MPFR, either part of
# a complex): 0.0 == -0.0, with one hash, so a text holding one may not be the text of an
# equal key; such texts are not remembered.
_FLOAT_ZERO = re.compile(r"(?<![\w.])0\.0*(?![\w.])")


class _Texts:
    """Texts of recent SymEngine objects (compared by value), within a total size."""

    def __init__(self, most_chars: int) -> None:
        self.texts: dict[Any, Any] = {}
        self.chars = 0
        self.most_chars = most_chars

    def get(self, key: Any) -> Any:
        return self.texts.get(key)

    def put(self, key: Any, value: Any, size: int) -> Any:
        if self.chars + size > self.most_chars or len(self.texts) >= 512:
            self.texts.clear()
            self.chars = 0
        self.texts[key] = value
        self.chars += size
        return value

    def remember(self, key: Any, value: Any, text: str) -> None:
        """`put`, unless `text` holds a floating-point zero, whose sign an equal key need not
        share (g(0.0, ...) == g(-0.0, ...))."""
        if "0." not in text or not _FLOAT_ZERO.search(text):
            self.put(key, value, len(text))


_FACTORS = _Texts(most_chars=8 << 20)  # factor -> (under the "/", its text there)
_COEFFICIENTS = _Texts(most_chars=1 << 20)  # number -> what the printer writes before factors
_PLACEHOLDER = "_jac_factor_"  # no name typed into jac starts with "_"
_WORTH = 48  # characters: a shorter factor is not remembered


def product(expr: Any) -> str:
    """`str(expr)` for a product (a SymEngine Mul)."""
    if _FACTORS.texts:  # some long factor was printed: entries may share it
        text = _composed(expr)
        if text is not None:
            return text
    text = str(expr)
    if len(text) >= 2 * _WORTH:
        for factor in expr.args:
            part = _factor(factor)
            if part is not None and len(part[1]) >= _WORTH:
                _FACTORS.remember(factor, part, part[1])
    return text


def _composed(expr: Any) -> str | None:
    """The product's text from its factors' (see the module's docstring); None for a kind of
    factor this does not write."""
    args = expr.args
    prefix = ""
    if args[0].is_Number:
        coefficient = _coefficient(args[0])
        if coefficient is None:
            return None
        prefix, args = coefficient, args[1:]
    above: list[str] = []
    below: list[str] = []
    for factor in args:
        part = _FACTORS.get(factor)
        if part is None:
            part = _factor(factor)
            if part is None:
                return None
            if len(part[1]) >= _WORTH:
                _FACTORS.remember(factor, part, part[1])
        (below if part[0] else above).append(part[1])
    if above:
        text = prefix + "*".join(above)
    elif prefix and prefix != "-":
        text = prefix[:-1]  # the coefficient alone, without its "*"
    else:
        text = prefix + "1"
    if not below:
        return text
    return f"{text}/({'*'.join(below)})" if len(below) > 1 else f"{text}/{below[0]}"


def _coefficient(number: Any) -> str | None:
    """What the printer writes for the coefficient: `-`, `3*`, `(1/2)*`, `(2 + 3*I)*`."""
    prefix: str | None = _COEFFICIENTS.get(number)
    if prefix is None:
        import symengine

        alone = str(number * symengine.Symbol(_PLACEHOLDER))
        if not alone.endswith(_PLACEHOLDER):  # not a number a product keeps in front
            return None
        prefix = alone[: -len(_PLACEHOLDER)]
        _COEFFICIENTS.remember(number, prefix, prefix)
    return prefix


def _factor(factor: Any) -> tuple[bool, str] | None:
    """(under the "/", text) for a factor of a product as `Mul.args` gives it; None where
    this module leaves the product to SymEngine."""
    if factor.is_Add:
        return False, f"({factor})"
    if factor.is_Symbol or factor.is_Function:
        return False, str(factor)
    if not factor.is_Pow:
        return None
    import symengine

    base, exponent = factor.args
    if base == symengine.E or not isinstance(exponent, symengine.Rational):
        return False, str(factor)
    if exponent.is_positive:
        return False, str(factor)
    if base.is_Number or not (base.is_Add or base.is_Symbol or base.is_Function):
        return None
    if exponent == -1:
        return True, f"({base})" if base.is_Add else str(base)
    return True, str(symengine.Pow(base, -exponent))
