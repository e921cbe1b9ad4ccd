"""Algebra the simplifier, the determinant and values at a point share: sizes, sums,
bounded expansion (an estimate of the terms first, so that (a + b + c + d)**60 is
never expanded) and exact factoring of products into coefficient × Π base**k.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def _size(expr: Any) -> int:
    return len(str(expr))


def _has_sum(expr: Any) -> bool:
    """Whether a sum appears outside function arguments and exponents: only there can
    terms cancel or combine, so a product such as r**2*sin(p) is left alone, cheaply.
    """
    if expr.is_Add:
        return True
    if expr.is_Mul:
        return any(_has_sum(a) for a in expr.args)
    if expr.is_Pow:
        return _has_sum(expr.args[0])
    return False


def _has_sin_or_cos(expr: Any) -> bool:
    import symengine as se

    return bool(expr.atoms(se.sin, se.cos))


EXPANSION_LIMIT = 5_000  # terms; an expansion estimated to create more is not attempted


class _TooBig(Exception):
    pass


def _expansion_terms(expr: Any, limit: int = EXPANSION_LIMIT) -> int:
    """An estimate, from above, of the terms `symengine.expand(expr)` creates; limit + 1
    when more, found out without expanding ((x + y)**n alone has n + 1 terms).

    A sum has its terms' terms, a product the product of its factors', (a sum of k
    terms)**n the C(n + k - 1, k - 1) monomials of degree n (denominators are expanded
    too); bases under roots count as the work of expanding them.
    """
    memo: dict[Any, int] = {}
    work = 0

    def monomials(n: int, k: int) -> int:  # C(n + k - 1, k - 1), capped at limit + 1
        count = 1
        for i in range(1, min(n, k - 1) + 1):
            count = count * (n + k - i) // i
            if count > limit:
                return limit + 1
        return count

    def terms(e: Any) -> int:
        nonlocal work
        known = memo.get(e)
        if known is not None:
            return known
        n = 1
        if e.is_Add:
            n = sum(terms(a) for a in e.args)
        elif e.is_Mul:
            for a in e.args:
                n = min(n * terms(a), limit + 1)
        elif e.is_Pow:
            base, exponent = e.args
            k = terms(base)
            if exponent.is_Integer and k > 1:
                m = abs(int(exponent))
                n = limit + 1 if m > limit else monomials(m, k)
        n = min(n, limit + 1)
        work += n
        if work > limit:
            raise _TooBig
        memo[e] = n
        return n

    try:
        return terms(expr)
    except _TooBig:
        return limit + 1


def _bounded_expand(expr: Any) -> Any | None:
    """`symengine.expand(expr)`, or None when that would create too many terms."""
    import symengine as se

    return se.expand(expr) if _expansion_terms(expr) <= EXPANSION_LIMIT else None


def _factored(expr: Any) -> tuple[Any, dict[Any, int]]:
    """`expr` as coefficient × Π base**k (k a positive integer), exactly.

    A sum becomes its content times its primitive part (3 - 3*t**2 → 3 × (1 - t**2)),
    so that rows such as w*(1 - tanh(s)**2) reveal their common factor.
    """
    import symengine as se

    coefficient = se.Integer(1)
    out: dict[Any, int] = {}
    for f in expr.args if expr.is_Mul else (expr,):
        base, k = f, 1
        if f.is_Pow and f.args[1].is_Integer and int(f.args[1]) > 0:
            base, k = f.args[0], int(f.args[1])
        if base.is_Number:
            coefficient *= f
            continue
        if base.is_Add:
            content, base = _primitive(base)
            coefficient *= content**k
        out[base] = out.get(base, 0) + k
    return coefficient, out


def _primitive(add: Any) -> tuple[Any, Any]:
    """A sum as (content, primitive part) with a canonical sign: 3 - 3*t**2 → (-3, -1 + t**2)."""
    import symengine as se

    coefficients = add.as_coefficients_dict().values()
    if all(c.is_Integer for c in coefficients):
        content = se.Integer(math.gcd(*(int(c) for c in coefficients)) or 1)
    else:
        content = se.Integer(1)
    part = se.expand(add / content)
    flipped = se.expand(-part)
    # Fewer minus signs first ((a + b)**2, not (-a - b)**2), then the printed text.
    if _sign_key(flipped) < _sign_key(part):
        return -content, flipped
    return content, part


def _sign_key(add: Any) -> tuple[int, str]:
    terms = add.args if add.is_Add else (add,)
    return sum(str(t).startswith("-") for t in terms), str(add)


def atoms(expr: Any, *types: type, outermost: Callable[[Any], bool] | None = None) -> set[Any]:
    """The nodes of expr that are instances of `types`, as `expr.atoms(*types)`, by a loop:
    SymEngine's `atoms` recurses in Python (a RecursionError on 1,000 nested calls) and walks
    a subexpression again wherever it recurs. With `outermost`, the nodes it holds for only,
    none inside them."""
    found: set[Any] = set()
    seen: set[Any] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, types) and (outermost is None or outermost(node)):
            found.add(node)
            if outermost is not None:
                continue
        stack.extend(node.args)
    return found
