"""Trigonometric normal forms: sin² + cos² = 1 (cosh² - sinh² = 1) applied exactly, the
Fourier form of a polynomial in sines and cosines, and its form in single angles.

Each works on SymEngine expressions with fresh symbols for the calls, so no
general-purpose simplifier is needed; `simplify` chooses among the forms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from jaccli.engine.algebra import EXPANSION_LIMIT, _bounded_expand, _expansion_terms


def _trig_symbols(exprs: Iterable[Any]) -> dict[tuple[int, Any], tuple[Any, Any]]:
    """A pair of fresh symbols (s, c) for every argument a of a sin(a) or cos(a), under
    the key (-1, a) since c² = 1 - s², and of a sinh(a) or cosh(a), under (1, a).
    """
    import symengine as se

    pairs: dict[tuple[int, Any], tuple[Any, Any]] = {}
    for e in exprs:
        for call in e.atoms(se.sin, se.cos, se.sinh, se.cosh):
            key = (-1 if isinstance(call, (se.sin, se.cos)) else 1, call.args[0])
            if key not in pairs:
                k = len(pairs)
                pairs[key] = (se.Dummy(f"s{k}"), se.Dummy(f"c{k}"))
    return pairs


def _trig_maps(
    pairs: dict[tuple[int, Any], tuple[Any, Any]],
) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Substitutions sin(a) → s, cos(a) → c (sinh, cosh alike), and back, for `_trig_symbols`."""
    import symengine as se

    forward, back = {}, {}
    for (sign, arg), (s, c) in pairs.items():
        sin, cos = (se.sin, se.cos) if sign < 0 else (se.sinh, se.cosh)
        forward[sin(arg)], forward[cos(arg)] = s, c
        back[s], back[c] = sin(arg), cos(arg)
    return forward, back


def _reduce_pythagoras(poly: Any, pairs: dict[tuple[int, Any], tuple[Any, Any]]) -> Any:
    """Rewrite c**k as c**(k % 2) * (1 ∓ s**2)**(k // 2) for each (s, c) pair, then expand.

    Since each s² ± c² ∓ 1 involves its own two symbols, the result is a normal
    form: equal (hyperbolic) trigonometric polynomials give the same expression.
    """
    import symengine as se

    square_of = {c: 1 + sign * s**2 for (sign, _), (s, c) in pairs.items()}
    expanded = se.expand(poly)
    terms = expanded.args if expanded.is_Add else (expanded,)
    out = []
    for term in terms:
        factors = term.args if term.is_Mul else (term,)
        rewritten, changed = [], False
        for f in factors:
            if f.is_Pow and f.args[0] in square_of and f.args[1].is_Integer and int(f.args[1]) >= 2:
                k, c = int(f.args[1]), f.args[0]
                rewritten.append(c ** (k % 2) * square_of[c] ** (k // 2))
                changed = True
            else:
                rewritten.append(f)
        out.append(se.Mul(*rewritten) if changed else term)
    return se.expand(se.Add(*out))


def trig_normal_form(expr: Any) -> Any:
    """`expr` with sin² + cos² = 1 and cosh² - sinh² = 1 applied everywhere it can be
    (r*cos(t)**2 + r*sin(t)**2 → r).
    """
    pairs = _trig_symbols([expr])
    if not pairs:
        return expr
    forward, back = _trig_maps(pairs)
    return _reduce_pythagoras(expr.xreplace(forward), pairs).xreplace(back)


def _polynomial_in(expr: Any, symbols: set[Any]) -> bool:
    """Whether `expr` is a polynomial in `symbols` (its coefficients anything without them)."""
    if not expr.free_symbols & symbols:
        return True
    if expr.is_Add or expr.is_Mul:
        return all(_polynomial_in(a, symbols) for a in expr.args)
    if expr.is_Pow:
        base, exponent = expr.args
        return bool(exponent.is_Integer) and int(exponent) > 0 and _polynomial_in(base, symbols)
    return expr in symbols


class _Angles(NamedTuple):
    """sin and cos calls whose arguments are rational combinations of common angles."""

    calls: tuple[Any, ...]
    combinations: tuple[dict[Any, Any], ...]  # for each call: angle → Fraction coefficient
    angles: tuple[Any, ...]  # every angle that occurs, in order of appearance


def _angles(expr: Any) -> _Angles | None:
    """The sin and cos calls of `expr`, if it is a polynomial in them and each argument is
    a rational combination of angles (q1 + q2, 2*t, x*y); None otherwise.
    """
    from fractions import Fraction

    import symengine as se

    calls = tuple(expr.atoms(se.sin, se.cos))
    if not calls:
        return None
    markers = {call: se.Dummy() for call in calls}
    if not _polynomial_in(expr.xreplace(markers), set(markers.values())):
        return None
    combinations: list[dict[Any, Any]] = []
    angles: dict[Any, None] = {}
    for call in calls:
        combination = {}
        for angle, c in call.args[0].as_coefficients_dict().items():
            if c == 0:  # SymEngine lists a sum's absent constant term as 1: 0
                continue
            if not (isinstance(c, int) or c.is_Rational):
                return None
            combination[angle] = Fraction(str(c))
            angles.setdefault(angle, None)
        combinations.append(combination)
    return _Angles(calls, tuple(combinations), tuple(angles))


def _rational(fraction: Any) -> Any:
    import symengine as se

    return se.Integer(fraction.numerator) / fraction.denominator


def _fourier_form(expr: Any) -> Any | None:
    """`expr` as a sum of sines and cosines of combined angles, when it is a polynomial in
    sines and cosines of rational combinations of angles: its Fourier series, a normal
    form (sin(a + b)*cos(a) - cos(a + b)*sin(a) → sin(b)). Products become sums
    (2*sin(a)*cos(b) = sin(a + b) + sin(a - b)): sin and cos are written with
    exponentials exp(i*a) of the angles (fresh symbols), expanded and read back.
    """
    from fractions import Fraction

    import symengine as se

    found = _angles(expr)
    if found is None:
        return None
    z = {angle: se.Dummy(f"z{k}") for k, angle in enumerate(found.angles)}
    exponentials = {}
    for call, combination in zip(found.calls, found.combinations, strict=True):
        e = se.Mul(*(z[a] ** _rational(c) for a, c in combination.items()))
        exponentials[call] = (e + 1 / e) / 2 if isinstance(call, se.cos) else (1 / e - e) * se.I / 2
    expanded = _bounded_expand(expr.xreplace(exponentials))
    if expanded is None:
        return None
    position = {s: k for k, s in enumerate(z.values())}
    series: dict[tuple[Fraction, ...], list[Any]] = {}
    for term in expanded.args if expanded.is_Add else (expanded,):
        exponents = [Fraction(0)] * len(position)
        rest = []
        for f in term.args if term.is_Mul else (term,):
            if f in position:
                exponents[position[f]] += 1
            elif f.is_Pow and f.args[0] in position:
                exponents[position[f.args[0]]] += Fraction(str(f.args[1]))
            else:
                rest.append(f)
        series.setdefault(tuple(exponents), []).append(se.Mul(*rest))
    out: list[Any] = []
    seen: set[tuple[Fraction, ...]] = set()
    for key, parts in series.items():
        if key in seen:
            continue
        negative = tuple(-k for k in key)
        seen.update((key, negative))
        a, b = se.Add(*parts), se.Add(*series.get(negative, ()))
        if not any(key):
            out.append(a)
            continue
        if next(k for k in key if k) < 0:
            key, a, b = negative, b, a
        angle = se.Add(*(_rational(k) * u for k, u in zip(key, found.angles, strict=True) if k))
        out.append(se.expand(a + b) * se.cos(angle) + se.expand(se.I * (a - b)) * se.sin(angle))
    result = se.Add(*out)
    return None if result.has(se.I) else result


def _angle_form(expr: Any) -> Any | None:
    """`expr` with sines and cosines of sums of angles expanded into sines and cosines of
    the angles themselves, then in Pythagorean normal form (cos(a - b) - cos(a + b) →
    2*sin(a)*sin(b)); None unless every combination has integer coefficients.
    """
    import symengine as se

    found = _angles(expr)
    if found is None or any(c.denominator != 1 for m in found.combinations for c in m.values()):
        return None
    pairs = {(-1, a): (se.Dummy(f"s{k}"), se.Dummy(f"c{k}")) for k, a in enumerate(found.angles)}
    replace = {}
    for call, combination in zip(found.calls, found.combinations, strict=True):
        # cos θ + i sin θ = Π (cos a + i sin a)^k over the angles a of θ = Σ k a
        p, q = se.Integer(1), se.Integer(1)
        for a, k in combination.items():
            s, c = pairs[(-1, a)]
            w = c + se.I * s if k > 0 else c - se.I * s  # 1/(c + i s) = c - i s
            p *= w ** abs(int(k))
            q *= (2 * c - w) ** abs(int(k))
        replace[call] = (p + q) / 2 if isinstance(call, se.cos) else (p - q) * -se.I / 2
    poly = expr.xreplace(replace)
    if _expansion_terms(poly) > EXPANSION_LIMIT:
        return None
    _, back = _trig_maps(pairs)
    result = _reduce_pythagoras(poly, pairs).xreplace(back)
    return None if result.has(se.I) else result
