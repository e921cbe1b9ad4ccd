"""The algebra of matrix forms: terms that print in jac's vector syntax and simplify as built.

0 and I vanish from products, neighbouring diagonals merge (diag(a)*diag(b) = diag(a .* b)),
numbers and scalar factors come to the front, equal terms add up and a common left factor
comes out of a sum (x'*A + x'*A' = x'*(A + A')). Texts carry how tightly they bind, so that
parentheses appear exactly where jac's parser needs them.
"""

from __future__ import annotations

import re
from fractions import Fraction

from jaccli.parse.shapes import SCALAR, Shape

SUM, PRODUCT, POWER, ATOM = 0, 1, 2, 3  # how tightly a text binds


# --------------------------------------------------------------------------- terms


class Term:
    """A matrix in the form's algebra, `shape` its (rows, columns)."""

    __slots__ = ("shape",)

    def __init__(self, shape: Shape) -> None:
        self.shape = shape

    def text(self) -> tuple[str, int]:
        raise NotImplementedError


class Zero(Term):
    __slots__ = ()

    def text(self) -> tuple[str, int]:
        return "0", ATOM


class Eye(Term):
    __slots__ = ()

    def text(self) -> tuple[str, int]:
        return ("1" if self.shape == SCALAR else "I"), ATOM


class Lit(Term):
    """A matrix, vector or scalar as typed: W, x', (W*x - b)'."""

    __slots__ = ("precedence", "value")

    def __init__(self, value: str, precedence: int, shape: Shape) -> None:
        super().__init__(shape)
        self.value, self.precedence = value, precedence

    def text(self) -> tuple[str, int]:
        return self.value, self.precedence


class Diag(Term):
    __slots__ = ("vector",)

    def __init__(self, vector: str, n: int) -> None:
        super().__init__((n, n))
        self.vector = vector

    def text(self) -> tuple[str, int]:
        return f"diag({self.vector})", ATOM


class Prod(Term):
    __slots__ = ("factors",)

    def __init__(self, factors: tuple[Term, ...]) -> None:
        super().__init__((factors[0].shape[0], factors[-1].shape[1]))
        self.factors = factors

    def text(self) -> tuple[str, int]:
        return "*".join(wrapped(f.text(), PRODUCT + 1) for f in self.factors), PRODUCT


class Scaled(Term):
    """number · scalars · term: 2*x', 4*(x'*x)*x'."""

    __slots__ = ("number", "scalars", "term")

    def __init__(self, number: Fraction, scalars: tuple[str, ...], term: Term) -> None:
        super().__init__(term.shape)
        self.number, self.scalars, self.term = number, scalars, term

    def text(self) -> tuple[str, int]:
        parts = [*self.scalars]
        one = isinstance(self.term, Eye) and self.term.shape == SCALAR  # the number 1
        if not one or not (parts or abs(self.number) != 1):
            parts.append(wrapped(self.term.text(), PRODUCT))
        size = abs(self.number)
        if size != 1:
            parts.insert(0, str(size) if size.denominator == 1 else f"({size})")
        body = "*".join(parts)
        return ("-" + body, SUM) if self.number < 0 else (body, PRODUCT)


class Total(Term):
    __slots__ = ("terms",)

    def __init__(self, terms: tuple[Term, ...]) -> None:
        super().__init__(terms[0].shape)
        self.terms = terms

    def text(self) -> tuple[str, int]:
        out = ""
        for term in self.terms:
            body, _ = term.text()
            if not out:
                out = body
            elif body.startswith("-"):
                out += " - " + body[1:]
            else:
                out += " + " + body
        return out, SUM


def wrapped(text: tuple[str, int], least: int) -> str:
    body, precedence = text
    return body if precedence >= least else f"({body})"


# --------------------------------------------------------------------------- simplifying


def _parts(term: Term) -> tuple[Fraction, tuple[str, ...], Term]:
    if isinstance(term, Scaled):
        return term.number, term.scalars, term.term
    return Fraction(1), (), term


def scaled(number: Fraction, scalars: tuple[str, ...], term: Term) -> Term:
    if isinstance(term, Zero) or number == 0:
        return Zero(term.shape)
    n, s, inner = _parts(term)
    number, scalars = number * n, scalars + s
    return inner if number == 1 and not scalars else Scaled(number, scalars, inner)


def times(*factors: Term) -> Term:
    """The product, with 0 and I simplified away, diagonals merged and scalars pulled out."""
    shape = (factors[0].shape[0], factors[-1].shape[1])
    number, scalars, flat = Fraction(1), tuple[str, ...](), list[Term]()
    for factor in factors:
        n, s, inner = _parts(factor)
        number, scalars = number * n, scalars + s
        if isinstance(inner, Zero):
            return Zero(shape)
        if isinstance(inner, Eye):
            continue
        for f in inner.factors if isinstance(inner, Prod) else (inner,):
            if flat and isinstance(f, Diag) and isinstance(flat[-1], Diag):
                flat[-1] = Diag(f"{atom(flat[-1].vector)} .* {atom(f.vector)}", f.shape[0])
            else:
                flat.append(f)
    core: Term = Eye(shape) if not flat else flat[0] if len(flat) == 1 else Prod(tuple(flat))
    return scaled(number, scalars, core)


def plus(*terms: Term) -> Term:
    """The sum, zeros dropped, equal terms added, a common left factor taken out."""
    shape = terms[0].shape
    kept: dict[tuple[tuple[str, ...], str], tuple[Fraction, Term]] = {}
    for term in terms:
        if isinstance(term, Total):
            for t in term.terms:
                _collect(kept, t)
        elif not isinstance(term, Zero):
            _collect(kept, term)
    found = [scaled(n, key[0], t) for key, (n, t) in kept.items() if n != 0]
    if not found:
        return Zero(shape)
    if len(found) == 1:
        return found[0]
    if all(isinstance(t, Prod) for t in found):
        firsts = {t.factors[0].text() for t in found}  # type: ignore[attr-defined]
        if len(firsts) == 1:
            first = found[0].factors[0]  # type: ignore[attr-defined]
            rests = [times(*t.factors[1:]) for t in found]  # type: ignore[attr-defined]
            return times(first, plus(*rests))
    return Total(tuple(found))


def _collect(kept: dict[tuple[tuple[str, ...], str], tuple[Fraction, Term]], term: Term) -> None:
    number, scalars, inner = _parts(term)
    key = (scalars, inner.text()[0])
    previous = kept.get(key)
    kept[key] = (number + (previous[0] if previous else 0), inner)


def atom(text: str) -> str:
    """`text` as something that binds tightly: parenthesized unless it is a name or a call."""
    if re.fullmatch(r"[\w.\[\],]+'*|\w+'*\(.*\)'*", text) and balanced(text):
        return text
    return f"({text})"


def balanced(text: str) -> bool:
    """True when the outermost parentheses (if any) of a call close at its end."""
    depth = 0
    for k, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and ch == ")" and k != len(text) - 1:
            return False
    return True


def transposed(term: Term) -> Lit:
    body, precedence = term.text()
    rows, columns = term.shape
    if body.endswith("'") and precedence == ATOM and atom(body[:-1]) == body[:-1]:
        return Lit(body[:-1], ATOM, (columns, rows))
    return Lit(wrapped((body, precedence), ATOM) + "'", ATOM, (columns, rows))
