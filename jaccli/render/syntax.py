"""Expressions written in jac's own input syntax, so that output can be fed back in.

SymEngine's printer (C++, fast enough for millions of entries) already writes
that syntax, with exceptions handled here, each a constant whose name jac would
read back as something else:

- the imaginary unit, which SymEngine writes `I` but which is a plain symbol in
  jac's syntax, is written `sqrt(-1)` (jac and `sympy.sympify` both read that back
  as the imaginary unit); tables, for people, write it `i` as LaTeX does, unless a
  variable is named i;
- with a variable named `E` or `pi` (`--vars E`), Euler's number and π are written
  `exp(1)` and `acos(-1)`, since jac reads those names as the variables then.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from jaccli.numbers import round_decimals

# How each constant is written when its SymEngine name is taken (jac and SymPy read these).
_SPELLING = {"I": "sqrt(-1)", "E": "exp(1)", "pi": "acos(-1)"}
# A constant's name as a whole word: not part of a longer name, a number or a call.
_WORD = {name: re.compile(rf"(?<![\w.]){name}(?![\w(])") for name in _SPELLING}
SHADOWABLE = frozenset(("E", "pi"))  # constants a variable may be named after


def shadowed(variables: Collection[Any], functions: Collection[Any] = ()) -> frozenset[str]:
    """Constants of a result that must be spelled out: those a variable is named after.
    And "i": tables write the imaginary unit `i` unless a symbol of the result (a variable,
    or a parameter of `functions`) is named i."""
    names = {v.name for v in variables}
    if any(s.name == "i" for f in functions for s in f.free_symbols):
        names.add("i")
    return (SHADOWABLE | {"i"}).intersection(names)


# A sum's constant term as SymEngine prints it: first, then " + " or " - ".
_LEADING_CONSTANT = re.compile(r"(-?)([0-9]+(?:/[0-9]+|\.[0-9]*(?:e[+-]?[0-9]+)?)?) ([+-]) ")


def _constant_last(text: str) -> str:
    """SymEngine writes a sum's constant first (-1 + 2*x + y); people expect it last.

    Done on the printed text: asking SymEngine for the terms of a 60-term sum and
    subtracting costs more than printing it. Why moving the text is right:

    - `text` is a whole sum as SymEngine prints it: top-level terms joined by
      " + " or " - ", and spaces nowhere else at top level (products, powers and
      numbers are printed without spaces: `2*x`, `2**x`, `(1/2)*x`, `1.5e-10`);
    - so a match, a number followed by a space at the very start, is the entire
      first term, and the rest after its operator is the sum of the other terms,
      each with its own sign;
    - `c + REST` equals `REST + c`, and `-c + REST` equals `REST - c`, and a term
      appended after " + " or " - " binds lowest in jac's grammar as in SymPy's.

    A constant followed by " - " stays first (3 - x and 1 - tanh(x)**2 read well as
    they are); a number this pattern does not know (1e+20) leaves the text as it is.
    tests/test_readback.py reads sums back with jac's parser at random points.
    """
    m = _LEADING_CONSTANT.match(text)
    if m is None or m.group(3) == "-":
        return text
    negative, number, _ = m.groups()
    rest = text[m.end() :]
    return f"{rest} - {number}" if negative else f"{rest} + {number}"


def _printed(expr: Any) -> str:
    if expr.is_Add:
        return _constant_last(str(expr))
    if expr.is_Mul:
        text = _scaled(expr)
        if text is not None:
            return text
    return str(expr)


class _Texts:
    """Printed texts of recent factors (SymEngine objects, compared by value), within a size."""

    def __init__(self, most_chars: int) -> None:
        self.texts: dict[Any, str] = {}
        self.chars = 0
        self.most_chars = most_chars

    def get(self, key: Any) -> str | None:
        return self.texts.get(key)

    def put(self, key: Any, text: str) -> str:
        if self.chars + len(text) > self.most_chars or len(self.texts) >= 512:
            self.texts.clear()
            self.chars = 0
        self.texts[key] = text
        self.chars += len(text)
        return text


# A row of J often has one factor in every entry and only a number in front: the entries of
# tanh(w1*x1 + ... + w100*x100 + b) are wi*(1 - tanh(...)**2), those of sin(S) are wi*cos(S).
# SymEngine prints the whole factor again for every entry (most of the time jac spends on
# such a J); these remember its text. Only factors long enough to be worth remembering.
_FACTORS = _Texts(most_chars=8 << 20)
_COEFFICIENTS = _Texts(most_chars=1 << 20)
_PLACEHOLDER = "_jac_factor_"  # no name typed into jac starts with "_"
_WORTH = 48  # characters: a shorter factor is printed again, faster than looked up


def _scaled(expr: Any) -> str | None:
    """`expr` = c*X (a number c, one factor X to the power 1), printed as `str(expr)` prints it.

    Why the text is exactly SymEngine's (symengine/printers/strprinter.cpp, StrPrinter::bvisit
    of a Mul): the coefficient is written first, as "-" for -1 or else parenthesized below
    Mul precedence and followed by "*", whatever the factors; then each factor, in the Mul's
    order (here the only one): with exponent 1, X parenthesized where its precedence is below
    Mul's (a sum, written "(...)"; a function call, never), or a power through _print_pow as a
    lone power prints (unless its exponent is a negative integer or rational and its base is not
    E: then it goes under a "/", and is left to SymEngine here). So the text is the prefix that
    SymEngine writes for c times a placeholder symbol, then X's own text, with parentheses
    for a sum. tests/test_syntax.py compares with str() over random coefficients and factors.
    """
    args = expr.args
    if len(args) != 2:
        return None
    number, factor = args
    if not number.is_Number:
        return None
    if factor.is_Add:
        opened, closed = "(", ")"
    elif factor.is_Function or (factor.is_Pow and _in_numerator(factor)):
        opened = closed = ""
    else:
        return None
    prefix = _COEFFICIENTS.get(number)
    if prefix is None:
        import symengine

        alone = str(number * symengine.Symbol(_PLACEHOLDER))
        if not alone.endswith(_PLACEHOLDER):  # not a number a product keeps in front
            return None
        prefix = _COEFFICIENTS.put(number, alone[: -len(_PLACEHOLDER)])
    text = _FACTORS.get(factor)
    if text is None:
        text = opened + str(factor) + closed
        if len(text) >= _WORTH:
            _FACTORS.put(factor, text)
    return prefix + text


def _in_numerator(power: Any) -> bool:
    """Whether SymEngine writes `power` as a factor before any "/" (see _scaled)."""
    import symengine

    base, exponent = power.args
    if base == symengine.E or not isinstance(exponent, symengine.Rational):
        return True
    return bool(exponent.is_positive)


def _respelled(expr: Any, constants: list[str]) -> str:
    """The text with each constant in `constants` spelled out.

    Symbols of the same names are hidden behind placeholders while the constants
    are replaced (no name typed into jac starts with "_"), then put back.
    """
    import symengine

    symbols = expr.free_symbols
    hide = {
        symengine.Symbol(name): symengine.Symbol(f"_jac_{name}_")
        for name in constants
        if symengine.Symbol(name) in symbols
    }
    text = _printed(expr.subs(hide) if hide else expr)
    for name in constants:
        text = _WORD[name].sub(_SPELLING[name], text)
    for name in constants:
        text = text.replace(f"_jac_{name}_", name)
    return text


def to_text(expr: Any, digits: int | None = None, spell: Collection[str] = ()) -> str:
    """`x**2 + abs(y)`: readable by jac and, names permitting, by `sympy.sympify`.

    `spell`: constants to spell out (see `shadowed`); the imaginary unit always is.
    """
    text = _printed(expr)
    constants = [c for c in ("I", *spell) if c in _WORD and c in text and _WORD[c].search(text)]
    if constants:
        text = _respelled(expr, constants)
    return text if digits is None else round_decimals(text, digits)


def to_display(expr: Any, digits: int | None = None, spell: Collection[str] = ()) -> str:
    """For people at a terminal: `^` for powers, and the imaginary unit `i` (as in LaTeX)
    unless a variable is named i; otherwise as `to_text`."""
    text = to_text(expr, digits, spell).replace("**", "^")
    return text if "i" in spell else _UNIT.sub("i", text)


_UNIT = re.compile(r"(?<![\w.])sqrt\(-1\)")  # the imaginary unit as to_text writes it


def cell_text(cell: Any, digits: int | None, spell: Collection[str], display: bool = False) -> str:
    """A listing's cell as text: words as they are, a count, an expression, or several
    expressions joined by ", " (a point, eigenvalues); `display`: with `^` for people."""
    write = to_display if display else to_text
    if isinstance(cell, str):
        return cell
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, tuple):
        return ", ".join(write(e, digits, spell) for e in cell)
    return write(cell, digits, spell)
