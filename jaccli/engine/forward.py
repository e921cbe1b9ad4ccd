"""A row of J at once: SymEngine's rules of differentiation, with what they build from f alone
built once per row instead of once per entry.

SymEngine differentiates f by each variable afresh. For an arm's x = Σ l_i cos(q_1 + … + q_i)
it builds sin(q_1 + … + q_i) again for every column (SymEngine checks each new sine's
argument: O(i) each), three quarters of its time on a 60-link arm. Here f is read once into
a tree that knows each node's symbols, and for every variable the tree is differentiated by
SymEngine's own rules (symengine/derivative.cpp: Add, Mul, Pow, one-argument functions),
where the factors that do not depend on the variable (cos(u)'s −sin(u), n·u^(n−1) of u^n,
the product of a Mul's other factors) are made once and kept. Every result is built with
SymEngine's own operations, in the order its rules use them, so it is the same expression
SymEngine's `diff` returns (tests/test_forward.py holds it to that, node for node). A row
holding a node of another kind (max, abs, a declared function, u^v) is left to SymEngine,
whose answer there can even depend on variables the node lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Functions of one argument whose derivative SymEngine writes as mul(g'(u), du/dx), by their
# class names; g'(u) is read off g(T) differentiated by a symbol T (see _Call).
_CHAINED = frozenset(
    {f"{arc}{t}{h}" for arc in ("", "a") for t in ("sin", "cos", "tan", "cot", "sec", "csc")
     for h in ("", "h")} | {"log"}
)  # fmt: skip
_STAND_IN = "_jac_u_"  # the symbol T; no name typed into jac starts with "_"
_se: Any = None  # symengine, imported by `row` (an import in each rule costs a microsecond)
_CONSTANTS = frozenset({"Pi", "Exp1", "EulerGamma", "Catalan", "GoldenRatio"})  # d/dx = 0


class _Node:
    """One node of f: its expression, the symbols it holds, and how to differentiate it."""

    __slots__ = ("expr", "free")

    def __init__(self, expr: Any, free: frozenset[Any]) -> None:
        self.expr = expr
        self.free = free

    def d(self, x: Any) -> Any:  # a number or a constant: never asked (x is not in free)
        return self.expr.diff(x)


class _Symbol(_Node):
    __slots__ = ()

    def d(self, x: Any) -> Any:
        return _se.Integer(1 if self.expr == x else 0)


class _Add(_Node):
    """c + Σ c_k t_k: the terms c_k x (x a symbol) looked up, the others visited."""

    __slots__ = ("holding", "linear", "terms")

    def __init__(
        self,
        expr: Any,
        free: frozenset[Any],
        linear: dict[Any, Any],
        terms: list[tuple[Any, _Node]],
    ) -> None:
        super().__init__(expr, free)
        self.linear = linear
        self.terms = terms
        self.holding: dict[Any, list[tuple[Any, _Node]]] | None = None  # symbol -> its terms

    def d(self, x: Any) -> Any:
        pieces = []
        c = self.linear.get(x)
        if c is not None:
            pieces.append(c)
        if self.holding is None:  # W[i,1]*x[1] + ... + W[i,100]*x[100]: not 100 tests a column
            self.holding = {}
            for pair in self.terms:
                for symbol in pair[1].free:
                    self.holding.setdefault(symbol, []).append(pair)
        for c, term in self.holding.get(x, ()):
            t = term.d(x)
            if t.is_Add:  # SymEngine's Add rule takes its terms one by one, each times c
                args = t.args
                pieces.extend([c * a for a in args])
                if not args[0].is_Number:  # and c times its constant 0: 0.0 for c = 0.5
                    pieces.append(c * 0)
            else:
                pieces.append(_term(c * t))
        return _se.Add(*pieces)


class _Mul(_Node):
    """c Π f_k: the product rule, each term c Π_{j≠k} f_j · f_k' (that product kept)."""

    __slots__ = ("factors", "others", "parts")

    def __init__(self, expr: Any, free: frozenset[Any], parts: list[Any]) -> None:
        self.parts = parts  # the coefficient (if not 1) and the factors, as SymEngine has them
        self.factors = [(k, _tree(p)) for k, p in enumerate(parts) if not p.is_Number]
        nodes = [node for _, node in self.factors]
        super().__init__(expr, _union({}, nodes))
        self.others: dict[int, Any] = {}

    def d(self, x: Any) -> Any:
        pieces = []
        for k, factor in self.factors:
            if x in factor.free:
                t = factor.d(x)
                if type(t) is _se.Integer and t.is_zero:
                    continue
                rest = self.others.get(k)
                if rest is None:  # the other factors as they are (no division: 2^x / 2^x)
                    rest = self.others[k] = _se.Mul(*self.parts[:k], *self.parts[k + 1 :])
                pieces.append(_term(rest * t))
        return _se.Add(*pieces)


def _term(piece: Any) -> Any:
    """A term of a sum the rules build. Where c·t is itself a sum (-1·(-1)(1 + cot(x)^2)),
    SymEngine's rules keep it as one term of the sum, nested, which no operation here can
    build (Add flattens it): the row goes to SymEngine then."""
    if piece.is_Add:
        raise _Other
    return piece


class _Pow(_Node):
    """u^n (n a number): n·u^(n−1) · du, the first factor kept; e^v: e^v · dv."""

    __slots__ = ("base", "outer")

    def __init__(self, expr: Any, free: frozenset[Any], base: _Node, outer: Any) -> None:
        super().__init__(expr, free)
        self.base = base
        self.outer = outer

    def d(self, x: Any) -> Any:
        return self.outer * self.base.d(x)


class _Call(_Node):
    """g(u): g'(u) · du, g'(u) kept."""

    __slots__ = ("argument", "outer")

    def __init__(self, expr: Any, free: frozenset[Any], argument: _Node, outer: Any) -> None:
        super().__init__(expr, free)
        self.argument = argument
        self.outer = outer

    def d(self, x: Any) -> Any:
        return self.outer * self.argument.d(x)


_RULES: dict[str, Any] = {}  # class name -> g'(T)


def _outer(call: Any, argument: Any) -> Any:
    """g'(u) for g(u) = `call`: g(T) differentiated by T, with u put back for T."""
    import symengine

    stand_in = symengine.Symbol(_STAND_IN)
    name = type(call).__name__
    rule = _RULES.get(name)
    if rule is None:
        rule = _RULES[name] = call.func(stand_in).diff(stand_in)
    return rule.xreplace({stand_in: argument})


def _tree(expr: Any) -> _Node:
    import symengine

    if expr.is_Symbol:
        return _Symbol(expr, frozenset((expr,)))
    if expr.is_Number or type(expr).__name__ in _CONSTANTS:
        return _Node(expr, frozenset())
    if expr.is_Add:
        linear: dict[Any, Any] = {}
        terms = []
        for term, c in expr.as_coefficients_dict().items():
            if term.is_Symbol:
                linear[term] = c
            elif not term.is_Number:
                terms.append((c, _tree(term)))
        return _Add(expr, _union(linear, [node for _, node in terms]), linear, terms)
    if expr.is_Mul:
        return _Mul(expr, frozenset(), list(expr.args))
    if expr.is_Pow:
        base, exponent = expr.args
        if exponent.is_Number:
            node = _tree(base)
            return _Pow(expr, node.free, node, exponent * base ** (exponent - 1))
        if base == symengine.E:
            node = _tree(exponent)
            return _Pow(expr, node.free, node, expr)
        raise _Other
    elif type(expr).__name__ in _CHAINED:
        (argument,) = expr.args
        node = _tree(argument)
        return _Call(expr, node.free, node, _outer(expr, argument))
    raise _Other  # SymEngine may leave its derivative undone even by a symbol it lacks


class _Other(Exception):
    """A node of another kind (max, abs, a declared function, u^v): SymEngine takes the row."""


def _union(linear: dict[Any, Any], nodes: list[_Node]) -> frozenset[Any]:
    free = set(linear)
    for node in nodes:
        free |= node.free
    return frozenset(free)


def row(f: Any, variables: Sequence[Any]) -> list[Any]:
    """∂f/∂v for each v of `variables`, each as SymEngine's `f.diff(v)` would return it."""
    global _se
    import symengine

    _se = symengine
    try:
        tree = _tree(f)
        return [tree.d(v) if v in tree.free else symengine.Integer(0) for v in variables]
    except (_Other, RecursionError):  # deeper than Python's stack: SymEngine's is C++
        return [f.diff(v) for v in variables]
