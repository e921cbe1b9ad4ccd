"""The roots of a characteristic polynomial: by formula where one exists, else numeric.

det(λI − A) is computed exactly (SymPy's Berkowitz method, no division) and factored over
the rationals and the matrix's parameters. Each factor's roots come from SymPy's `roots`
(formulas up to degree 4, and the special forms it knows above); a factor with no formula
(an irreducible quintic) is solved with mpmath's `polyroots` at two working precisions that
must agree. Factoring first keeps multiplicities exact: the roots of one irreducible factor
are simple, so a repeated eigenvalue is never two nearby numbers. Eigenvectors of numeric
eigenvalues come from the SVD of A − λI at the same precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from jaccli.errors import MathError, PrecisionError

LAMBDA = "lambda"  # the characteristic polynomial's variable, as printed (λ in LaTeX)
GUARD = 20  # extra decimal digits of working precision for numeric roots


def _lam() -> Any:
    import sympy

    return sympy.Symbol(LAMBDA)


class Generic(NamedTuple):
    """A matrix with each number that is not rational (√2, exp(1000), a Cardano radical)
    and each part that is not a polynomial in the parameters (sin(b), √b) made a fresh
    symbol, and the substitution back. SymPy's polynomial algebra then works over ℤ[λ, …]
    alone: on the radicals themselves `charpoly` sorts factors by comparing them (a
    TypeError on a Relational), and `factor_list` expands exp(1000) as E¹⁰⁰⁰ (minutes).
    What holds with free symbols holds for their values, so the roots found are roots; two
    factors whose roots coincide once substituted are merged by `all_roots`."""

    matrix: Any
    back: dict[Any, Any]

    def substituted(self, e: Any) -> Any:
        return e.xreplace(self.back)


def generic(a: Any) -> Generic:
    import sympy

    table: dict[Any, Any] = {}

    def atom(e: Any) -> Any:
        if e not in table:
            table[e] = sympy.Dummy(f"c{len(table)}")
        return table[e]

    def walk(e: Any) -> Any:
        if e.is_Rational or e.is_Float or e.is_Symbol:
            return e
        if e.is_Add or e.is_Mul:
            return e.func(*map(walk, e.args))
        if e.is_Pow and e.exp.is_Integer:
            return walk(e.base) ** e.exp
        if e.is_Pow and e.exp.is_Rational:  # b^(p/q) = (b^(1/q))^p
            return atom(sympy.Pow(e.base, sympy.Rational(1, e.exp.q))) ** e.exp.p
        return atom(e)

    matrix = a.applyfunc(walk)
    return Generic(matrix, {d: e for e, d in table.items()})


def charpoly(a: Any) -> Any:
    """det(λI − A) as a SymPy Poly in λ, its coefficients cancelled (of a `generic`
    matrix: SymPy's own charpoly of radicals can raise TypeError)."""
    import sympy

    lam = _lam()
    poly = a.charpoly(lam)
    coeffs = [sympy.cancel(sympy.together(c)) for c in poly.all_coeffs()]
    return sympy.Poly(sum(c * lam**k for k, c in enumerate(reversed(coeffs))), lam)


# --------------------------------------------------------------------------- roots


def has_float(a: Any) -> bool:
    import sympy

    return any(e.has(sympy.Float) for e in a)


def as_decimals(a: Any) -> Any:
    """Floats replaced by the decimals they print as (0.1 is 1/10), as jac reads a float
    given from Python: the roots are then found exactly, multiplicities included."""
    import sympy

    return a.applyfunc(
        lambda e: e.xreplace({f: sympy.Rational(str(f)) for f in e.atoms(sympy.Float)})
    )


def _factors(poly: Any) -> list[tuple[Any, int]]:
    """The factors of the characteristic polynomial that contain λ, with their powers."""
    import sympy

    lam = _lam()
    numerator, _ = sympy.fraction(sympy.together(poly.as_expr()))
    _, factors = sympy.factor_list(numerator)
    return [(sympy.Poly(f, lam), k) for f, k in factors if f.has(lam)]


def parametric_factor(a: Any) -> Any | None:
    """A factor of det(λI − A) of degree ≥ 3 whose coefficients hold symbols, or None:
    its roots by formula (Cardano's, Ferrari's) are too long to simplify or classify."""
    g = generic(a)
    for factor, _ in _factors(charpoly(g.matrix)):
        back = g.substituted(factor.as_expr())
        if factor.degree() >= 3 and len(back.free_symbols) > 1:
            return back
    return None


def _tidy_radicals(root: Any) -> Any:
    """sqrt((b − 2)(b + 2)) as sqrt(b² − 4): radicands expanded where that is no longer."""
    import sympy

    def expanded(p: Any) -> Any:
        base = sympy.expand(p.base)
        shorter = sympy.count_ops(base) <= sympy.count_ops(p.base)
        return sympy.Pow(base, p.exp) if shorter else p

    return root.replace(
        lambda e: isinstance(e, sympy.Pow) and e.exp.is_Rational and not e.exp.is_Integer,
        expanded,
    )


def _formula_roots(factor: Any) -> dict[Any, int] | None:
    """The roots of one factor by formula, or None when SymPy has none for all of them."""
    import sympy

    found = sympy.roots(factor, trig=True)
    if sum(found.values()) != factor.degree() or any(r.has(sympy.RootOf) for r in found):
        return None
    return {_tidy_radicals(r): m for r, m in found.items()}


def _polyroots(coeffs: Sequence[Any], dps: int) -> list[Any]:
    import mpmath

    with mpmath.workdps(dps):
        values = [mpmath.mpmathify(c.evalf(dps + 10)) for c in coeffs]
        return list(mpmath.polyroots(values, maxsteps=200 + 10 * len(values), extraprec=4 * dps))


def _numeric_roots(factor: Any, digits: int) -> list[Any]:
    """The simple roots of an irreducible factor with numeric coefficients, to `digits`
    significant digits: at two working precisions, paired and checked to agree."""
    import mpmath
    import sympy

    coeffs = factor.all_coeffs()
    if any(c.free_symbols for c in coeffs):
        names = ", ".join(sorted({str(s) for c in coeffs for s in c.free_symbols}))
        raise MathError(
            f"the characteristic polynomial has a factor of degree {factor.degree()} in λ "
            f"whose roots have no formula, and its coefficients hold the parameters {names}: "
            "give them values with {at} for numeric eigenvalues"
        )
    dps = digits + GUARD
    first, second = _polyroots(coeffs, dps), _polyroots(coeffs, 2 * dps)
    tolerance = mpmath.mpf(10) ** (-(digits + 2))
    out = []
    for r in first:
        near = min(second, key=lambda s: abs(s - r))
        if abs(near - r) > tolerance * max(1, abs(near)):
            raise PrecisionError(
                f"the roots of {sympy.sstr(factor.as_expr())} could not be found to {digits} "
                "digits: two working precisions disagree"
            )
        out.append(near)
    return out


def _mp_to_sympy(z: Any, dps: int) -> Any:
    import sympy

    re, im = sympy.Float(z.real, dps), sympy.Float(z.imag, dps)
    return re if im == 0 else re + sympy.I * im


def _order_key(value: Any) -> tuple[Any, ...]:
    """By real part, then imaginary part; symbolic values after numbers, by SymPy's order."""
    import sympy

    if not value.free_symbols:
        try:
            z = complex(sympy.N(value, 30))
        except TypeError:  # g(1) of a declared g, DiracDelta(0): not a number after all
            return (1, 0.0, 0.0, sympy.default_sort_key(value))
        return (0, round(z.real, 12), round(z.imag, 12), sympy.default_sort_key(value))
    return (1, 0.0, 0.0, sympy.default_sort_key(value))


class Root(NamedTuple):
    value: Any  # SymPy: exact, or a Float (or Float + I*Float) at digits + GUARD digits
    multiplicity: int
    factor: Any  # the irreducible factor of det(λI − A) it is a root of, a Poly in λ
    power: int  # the factor's power in det(λI − A)


def all_roots(a: Any, digits: int, numeric: bool) -> tuple[list[Root], bool]:
    """The distinct roots of det(λI − A) ordered by real then imaginary part, and whether
    all are exact; numeric roots (all of them when `numeric`) to `digits` digits."""
    import sympy

    lam = _lam()
    g = generic(a)
    found: list[Root] = []
    exact = not numeric
    for factor, power in _factors(charpoly(g.matrix)):
        formula = None if numeric else _formula_roots(factor)
        back = sympy.Poly(g.substituted(factor.as_expr()), lam)
        if formula is None:
            exact = False
            dps = digits + GUARD
            formula = {_mp_to_sympy(z, dps): 1 for z in _numeric_roots(back, digits)}
        else:
            formula = {g.substituted(r): m for r, m in formula.items()}
        found += [Root(r, m * power, back, power) for r, m in formula.items()]
    return sorted(_merged(found), key=lambda root: _order_key(root.value)), exact


def _merged(found: Sequence[Root]) -> list[Root]:
    """Roots of different factors that are equal (factors over symbols standing for
    related numbers, such as 1 + √2 and 1/(√2 − 1)) as one, their multiplicities added;
    its factor becomes λ − value, so its eigenvectors come from the null space."""
    import sympy

    out: list[Root] = []
    for root in found:
        same = [k for k, r in enumerate(out) if r.factor != root.factor and _equal(r, root)]
        if not same:
            out.append(root)
            continue
        k = same[0]
        factor = sympy.Poly(_lam() - out[k].value, _lam())
        out[k] = Root(out[k].value, out[k].multiplicity + root.multiplicity, factor, 1)
    return out


def _equal(r: Root, s: Root) -> bool:
    """Exact roots proved equal (SymPy's `equals`: a minimal polynomial for algebraic
    numbers), after a numeric test at random values of the parameters rules most out."""
    import random

    import sympy

    if has_float(sympy.Matrix([r.value, s.value])):
        return bool(r.value == s.value)
    difference = r.value - s.value
    if difference.is_Rational:
        return bool(difference == 0)
    rng = random.Random(14)
    at = {x: sympy.Rational(rng.randint(1, 97), 37) for x in difference.free_symbols}
    size = abs(sympy.N(difference.xreplace(at), 30))
    if size.is_comparable and size > 1e-20:  # not for g(1) or DiracDelta(0): no number
        return False
    return bool(difference.equals(0))


def _mpc(e: Any, dps: int) -> Any:
    import mpmath
    import sympy

    z = sympy.N(e, dps)
    return mpmath.mpc(mpmath.mpf(sympy.re(z)), mpmath.mpf(sympy.im(z)))


def numeric_vectors(a: Any, value: Any, dps: int) -> list[Any]:
    """A basis of the null space of A − λI from the SVD, each vector scaled so that its
    largest component is 1."""
    import mpmath
    import sympy

    n = a.rows
    with mpmath.workdps(dps):
        lam = _mpc(value, dps)
        shifted = mpmath.matrix([[_mpc(a[i, j], dps) for j in range(n)] for i in range(n)])
        _, s, v = mpmath.svd_c(shifted - lam * mpmath.eye(n))
        tolerance = mpmath.mpf(10) ** (-(dps // 2)) * max(1, max(abs(x) for x in s))
        out = []
        for k in range(n):
            if abs(s[k]) > tolerance:
                continue
            vec = [mpmath.conj(v[k, j]) for j in range(n)]
            biggest = max(vec, key=abs)
            out.append(sympy.Matrix([_mp_to_sympy(x / biggest, dps) for x in vec]))
        return out
