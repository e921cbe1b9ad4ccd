"""One SymEngine expression as LaTeX: what jaccli.render.latex puts in its matrices.

The printer works directly on SymEngine's trees and remembers what it has printed:
Jacobians repeat the same subexpressions (an arm's partial sums appear in every
entry), so each is written once. It writes what a reader, and a LaTeX parser,
reads back with the same meaning:

- a product lists numbers first, then symbols and powers, then bracketed factors,
  then function applications (`l_{2} \\sin{\\left(q_{1} \\right)}`, never
  `\\sin{\\left(q_{1} \\right)} l_{2}`, which reads as sin(q₁ l₂)), as SymPy and
  Mathematica do; digits never touch digits (`2 \\cdot 3^{x}`), and a bracket after
  a name is set off by `\\cdot` (`a \\cdot \\left(x + 1\\right)`), or it reads as a call;
- a term subtracted is bracketed when it is a sum (`a - \\left(b + y\\right)`);
- functions use the standard macros (`\\sin`, `\\arcsin`, `\\sinh`, `\\ln` for the
  natural logarithm, which `\\log` would leave ambiguous), ISO 80000-2 names
  otherwise (`\\operatorname{arsinh}`, `\\operatorname{sgn}`), and a power of a
  function is written `\\sin^{2}{\\left(x \\right)}` only where that is unambiguous;
- names: `w11` → `w_{11}`, `lambda` → `\\lambda`, `θ` → `\\theta`, a name of several
  letters is one italic word (`\\mathit{rate}`, not the product r·a·t·e), and two
  names that would print alike (x1 and x_1) are both spelled out;
- a symbol that looks like a constant does not pass for it: with a symbol named `e`
  (or `i`) in the result, Euler's number (the imaginary unit) is printed upright,
  `\\mathrm{e}` (`\\mathrm{i}`), as ISO 80000-2 writes them; a symbol named pi or π is
  printed `\\mathit{pi}` when the constant π is in the same result.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from jaccli.functions import CATALOGUE
from jaccli.numbers import round_decimal

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi",
    "Psi", "Omega", "varepsilon", "vartheta", "varphi", "varrho", "varsigma",
}  # fmt: skip

# How each function is written and whether its power may go on its name (\sin^{2} x) is
# in jaccli.functions: a macro where LaTeX has one, else \operatorname with the ISO 80000-2
# name; powers on the name only where everyone reads it as (sin x)², never on inverses.


def _macro(name: str) -> str | None:
    entry = CATALOGUE.get(name)
    return None if entry is None else entry.latex


def _power_on_name(f: Any) -> bool:
    """Whether f^n, f a function application, is written `\\sin^{n}{\\left(x \\right)}`."""
    entry = CATALOGUE.get(type(f).__name__) if f.is_Function else None
    return entry is not None and entry.power_on_name


_NAME = re.compile(r"^([^\W\d_]+?)_?([0-9]+)$")
_ENTRY = re.compile(r"^(.+)\[([0-9]+(?:,[0-9]+)?)\]$")  # x[1], W[1,2]: entries of vectors

# Ranks of factors in a product, in the order they are written.
_NUMERIC, _SYMBOLIC, _BRACKETED, _APPLIED = 0, 1, 2, 3


def _greek_char(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for prefix, case in (("GREEK SMALL LETTER ", str.lower), ("GREEK CAPITAL LETTER ", str.title)):
        if name.startswith(prefix) and " " not in name[len(prefix) :]:
            return "\\" + case(name[len(prefix) :])
    return None


def _letters(word: str) -> str:
    """Each Greek letter as its macro, `_` escaped, anything else as it is."""
    out = []
    for ch in word:
        macro = None if ch.isascii() else _greek_char(ch)
        out.append(macro + " " if macro else "\\_" if ch == "_" else ch)
    return "".join(out).strip()


def _word(word: str) -> str:
    """One name without subscript: a Greek letter, one letter, or an italic word."""
    if word in GREEK:
        return "\\" + word
    text = _letters(word)
    if len(word) == 1:
        return text
    # Several letters side by side read as a product (`rate` as r·a·t·e): one word.
    return f"\\mathit{{{text}}}"


def symbol_name(name: str) -> str:
    """`w11` → `w_{11}`, `k_1` → `k_{1}`, `theta2` → `\\theta_{2}`, `θ` → `\\theta`,
    `k_ab` → `k_{\\mathit{ab}}`, `rate` → `\\mathit{rate}`; the entries of a declared vector
    or matrix `x[1]` → `x_{1}`, `W[1,2]` → `W_{1,2}`, `theta[2]` → `\\theta_{2}`."""
    entry = _ENTRY.match(name)
    if entry:
        return f"{vector_name(entry.group(1))}_{{{entry.group(2)}}}"
    m = _NAME.match(name)
    if m:
        return f"{_word(m.group(1))}_{{{m.group(2)}}}"
    base, _, sub = name.partition("_")
    if base and sub:
        return f"{_word(base)}_{{{symbol_name(sub)}}}"
    return _word(name)


_DECLARED = re.compile(r"^([^\W\d_][^\W_]*)('*)(?:_([0-9]+))?$")  # g, g', g'', g_12


def declared_function(name: str) -> str | None:
    """A function with no formula and its derivatives: g, g', g_{12}; None for jac's own."""
    m = _DECLARED.match(name)
    if m is None or name in CATALOGUE or _macro(name) is not None:
        return None
    base, primes, digits = m.groups()
    return _word(base) + primes + (f"_{{{digits}}}" if digits else "")


def vector_name(name: str) -> str:
    """A declared vector or matrix, whole (`W`, `\\theta`, `\\mathit{W1}`): never subscripted,
    since its entries are (`\\mathit{W1}_{1,2}`), and W1 is not the vector W's first entry."""
    return _word(name)


def spelled_out(name: str) -> str:
    """The name as written, in one italic word: for names that would otherwise print alike."""
    return f"\\mathit{{{_letters(name)}}}"


class Notation(NamedTuple):
    """How the symbols and constants of one result are written, decided once for all of it."""

    names: dict[str, str]  # symbol name → LaTeX
    e: str = "e"  # Euler's number
    i: str = "i"  # the imaginary unit


def notation(names: Iterable[str], has_pi: Callable[[], bool] = lambda: False) -> Notation:
    """Names for every symbol of a result, none printed like another or like a constant.

    `has_pi()` says whether the constant π occurs in the result; it is asked only when
    a symbol would print as `\\pi` (rare), since it has to look through every entry.
    """
    table = {name: symbol_name(name) for name in set(names)}
    by_text: dict[str, list[str]] = {}
    for name, text in table.items():
        by_text.setdefault(text, []).append(name)
    for text, alike in by_text.items():
        if len(alike) > 1 or (text == "\\pi" and has_pi()):
            for name in alike:
                table[name] = spelled_out(name)
    printed = set(table.values())
    return Notation(
        table,
        e="\\mathrm{e}" if "e" in printed else "e",
        i="\\mathrm{i}" if "i" in printed else "i",
    )


def free_names(exprs: Iterable[Any]) -> set[str]:
    return {s.name for e in exprs for s in e.free_symbols}


class LatexPrinter:
    """SymEngine expression → LaTeX, memoized per subexpression."""

    def __init__(self, digits: int | None = None, names: Notation | None = None) -> None:
        import symengine

        self.se = symengine
        self.digits = digits
        self.notation = names or Notation({})
        self.memo: dict[Any, str] = {}

    def __call__(self, expr: Any) -> str:
        out = self.memo.get(expr)
        if out is None:
            out = self.memo[expr] = self._print(expr)
        return out

    # numbers ----------------------------------------------------------------
    def _float(self, expr: Any) -> str:
        text = str(expr)
        if self.digits is not None:
            text = round_decimal(text, self.digits)
        mantissa, _, exponent = text.partition("e")
        return f"{mantissa} \\cdot 10^{{{int(exponent)}}}" if exponent else mantissa

    def _real(self, expr: Any) -> str:
        """A real number, its sign in front: `-\\frac{1}{2}`, `3`, `1.5 \\cdot 10^{-3}`."""
        if expr.is_Integer:
            return str(expr)
        if expr.is_Rational:
            p, q = expr.get_num_den()
            sign = "-" if p < 0 else ""
            return f"{sign}\\frac{{{abs(int(p))}}}{{{q}}}"
        return self._float(expr)

    def _number(self, expr: Any) -> str:
        kind = type(expr).__name__
        if kind == "ComplexInfinity":
            return "\\tilde{\\infty}"
        if kind == "Infinity":
            return "\\infty"
        if kind == "NegativeInfinity":
            return "-\\infty"
        if kind == "NaN":
            return "\\text{NaN}"
        if kind == "ImaginaryUnit":
            return self.notation.i
        if expr.is_real:
            return self._real(expr)
        return self._sum(list(self._complex_terms(expr)))

    def _complex_terms(self, expr: Any) -> Iterable[tuple[bool, str]]:
        """A complex number as the terms a + b i, each (negative, magnitude)."""
        re_, im = expr.as_real_imag()
        if re_ != 0:
            yield bool(re_.is_negative), self._real(abs(re_))
        if im != 0:
            yield bool(im.is_negative), self._imaginary(abs(im))

    def _imaginary(self, magnitude: Any) -> str:
        """b i for b > 0, written as a product would be: `i`, `3 i`, `\\frac{i}{2}`."""
        i = self.notation.i
        if magnitude.is_Rational and not magnitude.is_Integer:
            p, q = magnitude.get_num_den()
            return f"\\frac{{{i if p == 1 else f'{p} {i}'}}}{{{q}}}"
        return i if magnitude == 1 else f"{self._real(magnitude)} {i}"

    # structure --------------------------------------------------------------
    def _print(self, expr: Any) -> str:
        if expr.is_Symbol:
            name = expr.name
            text = self.notation.names.get(name)
            return text if text is not None else symbol_name(name)
        kind = type(expr).__name__
        if kind == "Exp1":
            return self.notation.e
        if kind == "Pi":
            return "\\pi"
        if expr.is_Number or kind in ("ImaginaryUnit", "NaN", "ComplexInfinity"):
            return self._number(expr)
        if expr.is_Add:
            return self._add(expr)
        if expr.is_Mul:
            negative, body = self._mul(expr)
            return "-" + body if negative else body
        if expr.is_Pow:
            return self._pow(expr)
        if expr.is_Function:
            return self._function(expr)
        if expr.is_Derivative:
            return self._derivative(expr)
        if kind == "Subs":
            return self._subs(expr)
        return f"\\text{{{_escape_text(str(expr))}}}"

    def _signed(self, term: Any) -> Iterable[tuple[bool, str]]:
        """A term of a sum as (negative, magnitude): the sign is written by the sum."""
        if term.is_Number and not term.is_real and type(term).__name__ != "ImaginaryUnit":
            yield from self._complex_terms(term)  # a + b i: two terms
        elif term.is_Number and term.is_real:
            yield bool(term.is_negative), self._real(abs(term))
        elif term.is_Mul:
            yield self._mul(term)
        elif term.is_Add:  # never made by SymEngine, which flattens sums
            yield False, f"\\left({self(term)}\\right)"
        else:
            yield False, self(term)

    def _add(self, expr: Any) -> str:
        terms = [t for t in expr.args if not t.is_Number]
        constants = [t for t in expr.args if t.is_Number]
        pieces = [p for t in terms for p in self._signed(t)]
        tail = [p for t in constants for p in self._signed(t)]
        # The constant goes last (x - 1), except before a subtracted term (1 - x^2), as
        # in plain text.
        if tail and pieces and not tail[0][0] and pieces[0][0]:
            pieces = tail + pieces
        else:
            pieces += tail
        return self._sum(pieces)

    @staticmethod
    def _sum(pieces: Sequence[tuple[bool, str]]) -> str:
        out = []
        for k, (negative, text) in enumerate(pieces):
            if k == 0:
                out.append("-" + text if negative else text)
            else:
                out.append((" - " if negative else " + ") + text)
        return "".join(out)

    def _rank(self, f: Any) -> int:
        """Where a factor goes in a product: numbers, symbols and powers, brackets, calls."""
        if f.is_Number and f.is_real:
            return _NUMERIC
        if f.is_Function and type(f).__name__ != "Abs":
            return _APPLIED
        if f.is_Derivative or type(f).__name__ == "Subs":
            return _APPLIED
        if f.is_Pow:
            base, exp = f.args
            if _power_on_name(base) and exp.is_Integer:
                return _APPLIED  # \sin^{2}{\left(x \right)}
            if self._root(exp) is not None or type(base).__name__ == "Exp1":
                return _SYMBOLIC  # \sqrt{...}, e^{...}
            return _SYMBOLIC if self._bare_base(base) else _BRACKETED
        if f.is_Add or f.is_Number or f.is_Function:  # sums, complex numbers, |x|
            return _BRACKETED
        return _SYMBOLIC

    def _factors(self, factors: Sequence[Any], numbers: Sequence[str], grouped: bool) -> str:
        """Factors side by side, in reading order, brackets where a factor needs them.

        `grouped`: the product stands alone in a numerator or denominator, whose bar
        already groups a single factor such as a sum.
        """
        alone = grouped and len(factors) + len(numbers) == 1
        texts = list(numbers)
        for f in sorted(factors, key=self._rank):
            text = self(f)
            if not alone and (
                f.is_Add
                or (f.is_Number and not f.is_real)
                or text.startswith(("\\frac{", "\\left."))
            ):
                text = f"\\left({text}\\right)"  # a sum, a + b i, d/dx f, f|_{x = a}
            texts.append(text)
        out = texts[0] if texts else "1"
        for text in texts[1:]:
            out += " \\cdot " + text if _needs_dot(out, text) else " " + text
        return out

    def _mul(self, expr: Any) -> tuple[bool, str]:
        """A product as (negative, the product without its sign)."""
        coefficient = self.se.Integer(1)
        imaginary = False
        top: list[Any] = []
        bottom: list[Any] = []
        for f in expr.args:
            if f.is_Number and f.is_real:
                coefficient *= f
            elif f.is_Number and type(f).__name__ == "ImaginaryUnit":
                imaginary = True
            elif f.is_Number and f.as_real_imag()[0] == 0:  # b i: b joins the coefficient
                coefficient *= f.as_real_imag()[1]
                imaginary = True
            elif f.is_Pow and f.args[1].is_Number and f.args[1].is_real and f.args[1].is_negative:
                bottom.append(f.args[0] ** -f.args[1])
            else:
                top.append(f)
        negative = bool(coefficient.is_negative)
        if negative:
            coefficient = -coefficient
        numbers: list[str] = []
        if coefficient.is_Rational and not coefficient.is_Integer:
            p, q = coefficient.get_num_den()
            coefficient = self.se.Integer(p)
            bottom.insert(0, self.se.Integer(q))
        if coefficient != 1:
            numbers.append(self._real(coefficient))
        if imaginary:
            numbers.append(self.notation.i)
        if not bottom:
            return negative, self._factors(top, numbers, grouped=False)
        numerator = self._factors(top, numbers, grouped=True)
        return negative, f"\\frac{{{numerator}}}{{{self._factors(bottom, [], grouped=True)}}}"

    @staticmethod
    def _root(exp: Any) -> int | None:
        """q for an exponent 1/q (a root), else None."""
        if exp.is_Rational and not exp.is_Integer:
            p, q = exp.get_num_den()
            if p == 1:
                return int(q)
        return None

    def _bare_base(self, base: Any) -> bool:
        """Whether `base^{n}` needs no brackets around the base."""
        if base.is_Symbol or type(base).__name__ in ("Pi", "Exp1", "ImaginaryUnit"):
            return True
        if base.is_Number:
            return bool(base.is_Integer and not base.is_negative)
        return type(base).__name__ == "Abs"  # \left|x\right|^{2}

    def _pow(self, expr: Any) -> str:
        base, exp = expr.args
        if type(base).__name__ == "Exp1":
            return f"{self.notation.e}^{{{self(exp)}}}"
        if exp.is_Number and exp.is_real and exp.is_negative:
            return f"\\frac{{1}}{{{self(base**-exp)}}}"
        q = self._root(exp)
        if q is not None:
            return f"\\sqrt{{{self(base)}}}" if q == 2 else f"\\sqrt[{q}]{{{self(base)}}}"
        power = self(exp)
        if _power_on_name(base) and exp.is_Integer:
            name = self._function_name(base)
            return f"{name}^{{{power}}}{{\\left({self._arguments(base)} \\right)}}"
        text = self(base)
        if not self._bare_base(base):
            text = f"\\left({text}\\right)"
        return f"{text}^{{{power}}}"

    def _arguments(self, expr: Any) -> str:
        return ", ".join(self(a) for a in expr.args)

    def _function_name(self, expr: Any) -> str:
        # Functions SymEngine lacks (DiracDelta) carry their name: FunctionSymbol, and
        # PyFunction for those that came back from SymPy.
        name = expr.get_name() if hasattr(expr, "get_name") else type(expr).__name__
        declared = declared_function(name) if hasattr(expr, "get_name") else None
        if declared is not None:
            return declared
        macro = _macro(name)
        return macro if macro is not None else f"\\operatorname{{{_letters(name)}}}"

    def _function(self, expr: Any) -> str:
        if type(expr).__name__ == "Abs":
            return f"\\left|{self(expr.args[0])}\\right|"
        name = self._function_name(expr)
        if name == "\\delta" and len(expr.args) == 2 and expr.args[1].is_Integer:
            # DiracDelta(u, k), SymPy's k-th derivative: δ'(u), δ''(u), δ^{(3)}(u)
            k = int(expr.args[1])
            order = "'" * k if k <= 2 else f"^{{({k})}}"
            return f"\\delta{order}{{\\left({self(expr.args[0])} \\right)}}"
        return f"{name}{{\\left({self._arguments(expr)} \\right)}}"

    def _derivative(self, expr: Any) -> str:
        """d/dx f; f'(u) for the derivative of a function of one argument by that argument."""
        f, *by = expr.args
        if f.is_Function and len(f.args) == 1 and by == [f.args[0]]:
            return f"{self._function_name(f)}'{{\\left({self(f.args[0])} \\right)}}"
        counts: dict[Any, int] = {}
        for v in by:
            counts[v] = counts.get(v, 0) + 1
        d = "d" if len(f.free_symbols) <= 1 and len(counts) == 1 else "\\partial"
        order = sum(counts.values())
        top = d if order == 1 else f"{d}^{{{order}}}"
        bottom = " ".join(
            f"{d} {self(v)}" if n == 1 else f"{d} {self(v)}^{{{n}}}" for v, n in counts.items()
        )
        return f"\\frac{{{top}}}{{{bottom}}} {self(f)}"

    def _subs(self, expr: Any) -> str:
        """f'(u) for SymEngine's Subs(Derivative(f(ξ), ξ), ξ, u); else expr|_{ξ = u}."""
        inner, variables, values = expr.expr, list(expr.variables), list(expr.point)
        if inner.is_Derivative and len(variables) == 1:
            f, *by = inner.args
            if f.is_Function and len(f.args) == 1 and by == variables == [f.args[0]]:
                return f"{self._function_name(f)}'{{\\left({self(values[0])} \\right)}}"
        at = ",\\, ".join(f"{self(v)} = {self(p)}" for v, p in zip(variables, values, strict=True))
        return f"\\left. {self(inner)} \\right|_{{{at}}}"


def _needs_dot(before: str, after: str) -> bool:
    """Whether two factors side by side need a \\cdot to read as a product: digits
    before digits (2 3^{x} is 23^x), and a name before a bracket (a \\left(x^{2}\\right)^{a}
    reads as a function a applied to x², as f(x) does)."""
    if after[0].isdigit():
        return before[-1].isdigit()
    return after.startswith("\\left(") and not before[-1].isdigit()


_TEXT_ESCAPES = {"\\": "\\textbackslash{}", "^": "\\textasciicircum{}", "~": "\\textasciitilde{}"}


def _escape_text(text: str) -> str:
    """Text for \\text{...}, for what the printer does not know (never expected)."""
    return re.sub(r"[\\{}_^$&%#~]", lambda m: _TEXT_ESCAPES.get(m.group(), "\\" + m.group()), text)


def tex(expr: Any, digits: int | None = None) -> str:
    """One expression; its symbols are named as they would be in a result holding only it."""
    names = notation(free_names([expr]), lambda: bool(expr.has(pi_constant())))
    return LatexPrinter(digits, names)(expr)


def pi_constant() -> Any:
    import symengine

    return symengine.pi
