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
from jaccli.render.products import product

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
        return product(expr)  # str(expr), a long factor's text remembered
    return str(expr)


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
