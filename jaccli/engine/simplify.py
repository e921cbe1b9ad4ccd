"""Simplification: the shortest printed form among exact rewrites, never a longer one.

The rewrites are SymEngine's (the forms of `trig`, tan and tanh as quotients,
common factors taken out) and, for small expressions, SymPy's factored and rational
forms. A rewrite other than the Pythagorean normal form is used only if it agrees
with the expression at two points. The limits below keep every step bounded.
"""

from __future__ import annotations

import math
from typing import Any

from jaccli.engine.algebra import (
    EXPANSION_LIMIT,
    _expansion_terms,
    _factored,
    _has_sum,
    _size,
)
from jaccli.engine.bridge import from_sympy, to_sympy
from jaccli.engine.trig import _angle_form, _fourier_form, trig_normal_form


def _pull_common(expr: Any) -> Any:
    """A sum with what all its terms share taken out: a factor common to every term, the
    greatest common divisor of integer coefficients and, with these, a minus sign common
    to all (-l1*l2*s - l1*l3*t → -l1*(l2*s + l3*t)).
    """
    import symengine as se

    if not expr.is_Add:
        return expr
    cells = [_factored(t) for t in expr.args]
    shared: dict[Any, int] = dict(cells[0][1])
    for _, factors in cells[1:]:
        shared = {b: min(k, factors[b]) for b, k in shared.items() if b in factors}
    coefficients = [c for c, _ in cells]
    content = se.Integer(1)
    if all(c.is_Integer for c in coefficients):
        content = se.Integer(math.gcd(*(int(c) for c in coefficients)))
        if all(c.is_negative for c in coefficients):
            content = -content
    if not shared and content == 1:
        return expr
    rest = se.Add(
        *(
            (c / content) * se.Mul(*(b ** (k - shared.get(b, 0)) for b, k in factors.items()))
            for c, factors in cells
        )
    )
    return content * se.Mul(*(b**k for b, k in shared.items())) * rest


def _agrees(a: Any, b: Any) -> bool:
    """Whether `a` and `b` have the same value at two fixed points (at 128 bits, complex
    values allowed): a guard against a wrong rewrite, not a proof. False when neither
    point gives both a finite value.
    """
    import symengine as se

    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    checked = False
    for shift in (0.0, 0.5):
        point = {
            s: se.RealMPFR(str(0.3 + 1.4 * (((k + 1) * 0.6180339887498949 + shift) % 1)), 128)
            for k, s in enumerate(symbols)
        }
        try:
            va, vb = (complex(e.subs(point).n(128)) for e in (a, b))
        except (TypeError, ValueError, RuntimeError, OverflowError, ZeroDivisionError):
            continue
        if not all(map(math.isfinite, (va.real, va.imag, vb.real, vb.imag))):
            continue
        if abs(va - vb) > 1e-12 * max(1.0, abs(va), abs(vb)):
            return False
        checked = True
    return checked


SYMPY_SIMPLIFY_LIMIT = 5_000  # characters; larger expressions are not handed to SymPy
FOURIER_LIMIT = 20_000  # characters; larger expressions keep their sines and cosines as they are
QUOTIENT_CALLS_LIMIT = 4  # tan, sec, tanh...; with more, their common denominator grows too big
SYMPY_GENERATORS_LIMIT = 12  # symbols and calls; with more, SymPy's factor can take seconds
EXP_RATIONAL_LIMIT = 2_000  # characters of the rational function in exponentials


def _sympy_simplify(expr: Any) -> list[Any]:
    """SymPy's candidates: `expr` factored, each trigonometric factor in its shortest
    form from `_rewrites`; and, with exponentials, the forms of the rational function
    they make.

    `_rewrites` replaces sympy.trigsimp here, which took seconds on a sum of two calls
    of sums of angles, and which `sympy.simplify` calls too (15 s on the determinant of
    a 2×2 tanh layer).
    """
    import sympy
    from sympy.polys.polyerrors import BasePolynomialError

    kinds = (sympy.sin, sympy.cos, sympy.sinh, sympy.cosh)
    quotients: tuple[Any, ...] = (sympy.tan, sympy.cot, sympy.sec, sympy.csc)
    quotients += (sympy.tanh, sympy.coth, sympy.sech, sympy.csch)

    def tidy(factor: Any) -> Any:
        if factor.is_Pow:
            return tidy(factor.base) ** factor.exp
        if factor.is_Add and (len(factor.atoms(*kinds)) >= 2 or factor.atoms(*quotients)):
            return to_sympy(min(_rewrites(from_sympy(factor)), key=_size))
        return factor

    def factored(g: Any) -> list[Any]:
        first = sympy.factor(g)
        tidied = sympy.Mul(*(tidy(f) for f in sympy.Mul.make_args(first)))
        # a tidied factor may cancel another: -(c - d)/(d - c)**3 → 1/(d - c)**2
        forms = [tidied] if tidied == first else [tidied, sympy.factor(tidied)]
        # factoring may split what tidies as a whole: 1 - tanh(s)**2, not (1 - tanh)(1 + tanh)
        return [*forms, sympy.Mul(*(tidy(f) for f in sympy.Mul.make_args(g)))]

    g = to_sympy(expr)
    out = []
    for make in (factored, _exp_rational_forms):
        try:
            forms = make(g)
        except (BasePolynomialError, NotImplementedError, ValueError, TypeError):
            continue
        for form in forms:
            try:
                out.append(from_sympy(form))
            except (TypeError, ValueError, RuntimeError, NotImplementedError):
                continue
    return out


def _exp_rational_forms(g: Any) -> list[Any]:
    """A SymPy expression in exponentials as the rational function it is in u = exp(p):
    cancelled, factored and, with one such u, in partial fractions in u and in 1/u,
    which is how x*(1/(1 + exp(-z)) - y) comes back from the logistic loss's gradient.
    """
    import sympy

    powers = g.atoms(sympy.exp)
    if not powers:
        return []
    symbols: dict[Any, Any] = {}
    replace = {}
    for power in powers:
        content, part = power.args[0].as_content_primitive()
        if part.could_extract_minus_sign():
            content, part = -content, -part
        if not content.is_Integer:
            return []
        u = symbols.setdefault(part, sympy.Dummy(f"u{len(symbols)}", positive=True))
        replace[power] = u**content
    h = g.xreplace(replace)
    if h.atoms(sympy.Function) or len(str(h)) > EXP_RATIONAL_LIMIT:
        return []  # not a rational function of the exponentials and symbols alone
    back = {u: sympy.exp(part) for part, u in symbols.items()}
    r = sympy.cancel(h)
    forms = [r, sympy.factor(r)]
    if len(symbols) == 1:
        from sympy.polys.polyerrors import BasePolynomialError

        [u] = symbols.values()
        v = sympy.Dummy("v", positive=True)
        try:
            forms.append(sympy.factor_terms(sympy.apart(r, u)))
            inverse = sympy.apart(sympy.cancel(r.xreplace({u: 1 / v})), v)
            forms.append(sympy.factor_terms(inverse).xreplace({v: 1 / u}))
        except (BasePolynomialError, NotImplementedError):
            pass  # partial fractions are one more candidate, not a necessity
    return [f.xreplace(back) for f in forms]


def _few_generators(expr: Any) -> bool:
    """Whether `expr` is a rational function of at most SYMPY_GENERATORS_LIMIT symbols and
    calls (sin(q1) is one, its q1 none): SymPy's factor works on dense polynomials, and
    took 20 s on a sum of 20 l_i*sin(...) (40 generators) without finding a factor.
    """
    found: set[Any] = set()
    seen: set[Any] = set()

    def walk(e: Any) -> bool:
        if e in seen or e.is_Number:
            return True
        seen.add(e)
        if e.is_Add or e.is_Mul:
            return all(walk(a) for a in e.args)
        if e.is_Pow and e.args[1].is_Integer:
            return walk(e.args[0])
        found.add(e)  # a symbol, a call, a root or exp(...): one generator
        return len(found) <= SYMPY_GENERATORS_LIMIT

    return walk(expr)


def _rewrites(expr: Any) -> list[Any]:
    """`expr`, its Pythagorean normal form, then (SymEngine only, so cheap) its Fourier
    form, its form in single angles and its quotient form, and each sum among them
    with common factors out.
    """
    forms = [expr, trig_normal_form(expr)]
    smaller = min(forms, key=_size)
    if _size(smaller) <= FOURIER_LIMIT:
        rewrites = (_fourier_form(smaller), _angle_form(smaller), _quotient_form(smaller))
        forms.extend(c for c in rewrites if c is not None)
    forms.extend([_pull_common(c) for c in forms if c.is_Add])
    return forms


def _quotient_form(expr: Any) -> Any | None:
    """`expr` with tan, cot, sec, csc (and tanh, coth, sech, csch) written as quotients of
    sin and cos (sinh and cosh), over a common denominator, numerator and denominator
    each in their shortest form from `_rewrites`: 1 - tanh(s)**2 → cosh(s)**(-2).
    None when there are none, or more than QUOTIENT_CALLS_LIMIT of them.
    """
    import symengine as se

    def ratio(c: Any) -> Any:
        a = c.args[0]
        circular = isinstance(c, (se.tan, se.cot, se.sec, se.csc))
        sin, cos = (se.sin, se.cos) if circular else (se.sinh, se.cosh)
        if isinstance(c, (se.tan, se.tanh)):
            return sin(a) / cos(a)
        if isinstance(c, (se.cot, se.coth)):
            return cos(a) / sin(a)
        return 1 / cos(a) if isinstance(c, (se.sec, se.sech)) else 1 / sin(a)

    calls = expr.atoms(se.tan, se.cot, se.sec, se.csc, se.tanh, se.coth, se.sech, se.csch)
    if not calls or len(calls) > QUOTIENT_CALLS_LIMIT:
        return None
    numerator, denominator = expr.xreplace({c: ratio(c) for c in calls}).as_numer_denom()
    if _expansion_terms(numerator) + _expansion_terms(denominator) > EXPANSION_LIMIT:
        return None
    return min(_rewrites(numerator), key=_size) / min(_rewrites(denominator), key=_size)


def simplify_expr(expr: Any) -> Any:
    """The shortest (printed) of `expr` and its rewrites (`_rewrites`: the Pythagorean
    normal form, the Fourier form, the form in single angles, tan and tanh as quotients,
    each with common factors taken out) and, for expressions of at most
    SYMPY_SIMPLIFY_LIMIT characters and SYMPY_GENERATORS_LIMIT generators, SymPy's
    factored and rational forms. Never longer than `expr`; a rewrite other than the
    normal form is used only if it agrees with `expr` at two points.
    """
    if not _has_sum(expr):
        return expr
    forms = _rewrites(expr)
    smaller = min(forms[:2], key=_size)  # `expr` or its normal form: no check needed
    candidates = forms[2:]
    best = min(forms, key=_size)
    if _size(best) <= SYMPY_SIMPLIFY_LIMIT and _has_sum(best) and _few_generators(best):
        candidates.extend(_sympy_simplify(best))
    for candidate in sorted(candidates, key=_size):
        if _size(candidate) >= _size(smaller):
            break
        if _agrees(expr, candidate):
            return candidate
    return smaller
