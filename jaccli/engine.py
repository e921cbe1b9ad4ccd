"""The mathematics: pure functions from expressions to frozen result objects.

Expressions are SymEngine objects (the C++ core of the SymPy project): it
differentiates and prints large systems hundreds of times faster than SymPy, and
imports in a third of the time. SymPy is loaded only for what SymEngine cannot do:
derivatives of abs and sign, and simplification beyond the determinant's
structure. Nothing here prints, exits or knows about options; bad requests raise
the `jaccli.errors` classes.
"""

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from jaccli.errors import (
    ComplexError,
    LimitError,
    MathError,
    PrecisionError,
    ShapeError,
    UndefinedError,
    UsageError,
)

Matrix = tuple[tuple[Any, ...], ...]  # rows of expressions
Point = tuple[tuple[Any, Any], ...]  # (symbol, value) pairs in the order shown to users
SparseRow = tuple[tuple[int, Any], ...]  # (column, entry) for the non-zero entries


# Results are NamedTuples: immutable like frozen dataclasses, without the milliseconds
# that defining dataclasses adds to every start of jac.


class Sparse(NamedTuple):
    """A matrix stored by its non-zero entries: Jacobians of big systems are mostly zeros."""

    shape: tuple[int, int]
    rows: tuple[SparseRow, ...]

    def filled(self, cell: Callable[[Any], Any], zero: Any) -> Iterator[list[Any]]:
        """Every row in full, one at a time: `cell(entry)` for the non-zero entries, `zero`
        elsewhere. Zeros are never visited and only one full row exists at once, which
        matters for 2000×2000 Jacobians with 3 entries a row.
        """
        for row in self.rows:
            full = [zero] * self.shape[1]
            for j, e in row:
                full[j] = cell(e)
            yield full

    def dense(self) -> "Matrix":
        from symengine import Integer

        return tuple(tuple(row) for row in self.filled(lambda e: e, Integer(0)))


class JacobianResult(NamedTuple):
    """J[i][j] = ∂F_i/∂x_j."""

    functions: tuple[Any, ...]
    variables: tuple[Any, ...]
    sparse: Sparse
    variables_inferred: bool = False
    digits: int | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.sparse.shape

    @property
    def matrix(self) -> Matrix:
        return self.sparse.dense()


class DeterminantResult(NamedTuple):
    """det J, symbolic or at `point`."""

    functions: tuple[Any, ...]
    variables: tuple[Any, ...]
    determinant: Any
    point: Point | None = None
    digits: int | None = None
    variables_inferred: bool = False


class EvaluationResult(NamedTuple):
    """J at a point: exact, or rounded to `digits` significant digits."""

    functions: tuple[Any, ...]
    variables: tuple[Any, ...]
    point: Point
    sparse: Sparse
    digits: int | None = None
    variables_inferred: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        return self.sparse.shape

    @property
    def matrix(self) -> Matrix:
        return self.sparse.dense()


class LinearizationResult(NamedTuple):
    """L(x) = F(a) + J(a)(x − a), with F(a) and J(a)."""

    functions: tuple[Any, ...]
    variables: tuple[Any, ...]
    point: Point
    value: tuple[Any, ...]
    sparse: Sparse
    linearization: tuple[Any, ...]
    digits: int | None = None
    variables_inferred: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        return self.sparse.shape

    @property
    def matrix(self) -> Matrix:
        return self.sparse.dense()


Result = JacobianResult | DeterminantResult | EvaluationResult | LinearizationResult
Progress = Callable[[int], None]  # called with how many more components are done


# --------------------------------------------------------------------------- variables


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key that puts x2 before x10: digit runs compare as numbers."""
    parts = re.split(r"([0-9]+)", name)
    return (*((int(p) if i % 2 else p.casefold()) for i, p in enumerate(parts)), name)


def _free_symbols(functions: Iterable[Any]) -> set[Any]:
    found: set[Any] = set()
    for f in functions:
        found |= f.free_symbols
    return found


def infer_variables(functions: Sequence[Any]) -> tuple[Any, ...]:
    """Every free symbol of the functions, in natural order."""
    found = _free_symbols(functions)
    if not found:
        raise UsageError("the functions have no variables: name them with --vars")
    return tuple(sorted(found, key=lambda s: natural_key(s.name)))


def resolve_variables(
    functions: Sequence[Any], variables: Sequence[Any] | None
) -> tuple[tuple[Any, ...], bool]:
    if variables is None:
        return infer_variables(functions), True
    if not variables:
        raise UsageError("--vars is empty")
    return tuple(variables), False


# --------------------------------------------------------------------------- SymPy bridge


def _no_text(value: Any) -> Any:
    """Refuse strings: the conversions below must never be handed user text to parse."""
    if isinstance(value, (str, bytes)):
        raise TypeError("expressions reach the engine parsed, never as text")
    return value


def to_sympy(expr: Any) -> Any:
    """The same expression in SymPy, its symbols real (so that |x|' is sign(x))."""
    import sympy

    # SymEngine's own converter: a tree walk, no parsing (SymEngine objects only).
    converted = _no_text(expr)._sympy_()
    real = {s: sympy.Symbol(s.name, real=True) for s in converted.free_symbols}
    converted = converted.xreplace(real)
    # jac's DiracDelta symbol (see from_sympy) is SymPy's DiracDelta.
    deltas = [f for f in converted.atoms(sympy.Function) if f.func.__name__ == "DiracDelta"]
    if deltas:
        converted = converted.xreplace({d: sympy.DiracDelta(*d.args) for d in deltas})
    return converted


def from_sympy(expr: Any) -> Any:
    import symengine
    import sympy

    if not isinstance(expr, sympy.Basic):
        raise TypeError(f"from_sympy takes a SymPy expression, not {type(expr).__name__}")
    plain: dict[Any, Any] = {s: sympy.Symbol(s.name) for s in expr.free_symbols}
    # SymPy's DiracDelta would come back as a Python callback, which crashes SymEngine
    # when substituted with a value it refuses (a complex one): use jac's own symbol.
    delta = sympy.Function("DiracDelta")
    plain.update({d: delta(*d.args) for d in expr.atoms(sympy.DiracDelta)})
    return symengine.sympify(expr.xreplace(plain))  # converts a SymPy tree; parses nothing


# --------------------------------------------------------------------------- differentiation


def needs_sympy(f: Any) -> bool:
    """SymEngine leaves d/dx abs(x), d/dx sign(x) and undefined functions unevaluated."""
    from symengine import Abs, FunctionSymbol, sign

    return bool(f.atoms(Abs, sign, FunctionSymbol))


def _differentiate_one(f: Any, variables: Sequence[Any]) -> SparseRow:
    present = f.free_symbols
    if needs_sympy(f):
        g = to_sympy(f)
        row = [
            (j, from_sympy(g.diff(to_sympy(v)))) for j, v in enumerate(variables) if v in present
        ]
    else:
        row = [(j, f.diff(v)) for j, v in enumerate(variables) if v in present]
    return tuple((j, d) for j, d in row if d != 0)


def differentiate(
    functions: Sequence[Any], variables: Sequence[Any], progress: Progress | None = None
) -> Sparse:
    rows = []
    for i, f in enumerate(functions):
        rows.append(_differentiate_one(f, variables))
        if progress is not None and i % 64 == 63:
            progress(64)
    if progress is not None:
        progress(len(functions) % 64)
    return Sparse((len(functions), len(variables)), tuple(rows))


def jacobian(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    simplify: bool = False,
    progress: Progress | None = None,
) -> JacobianResult:
    """The Jacobian of `functions` with respect to `variables` (all free symbols if None)."""
    vars_, inferred = resolve_variables(functions, variables)
    sparse = differentiate(functions, vars_, progress)
    if simplify:
        sparse = _map_sparse(sparse, simplify_expr)
    return JacobianResult(tuple(functions), vars_, sparse, inferred)


def _map_sparse(sparse: Sparse, fn: Callable[[Any], Any]) -> Sparse:
    rows = tuple(
        tuple((j, v) for j, v in ((j, fn(e)) for j, e in row) if v != 0) for row in sparse.rows
    )
    return Sparse(sparse.shape, rows)


# --------------------------------------------------------------------------- simplification


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


# --------------------------------------------------------------------------- determinants


def _square(functions: Sequence[Any], variables: Sequence[Any]) -> None:
    m, n = len(functions), len(variables)
    if m != n:
        raise ShapeError(
            f"det needs a square Jacobian, but this one is {m}×{n} "
            f"({m} function{'s' if m != 1 else ''}, {n} variable{'s' if n != 1 else ''})"
        )


def laplace_det(matrix: Sequence[Sequence[Any]], tidy: Callable[[Any], Any] | None = None) -> Any:
    """det by Laplace expansion along rows, each minor computed once (memoized on its columns).

    2ⁿ·n products at most, far fewer when entries are zero, and no division, so
    polynomials stay polynomials. `tidy` (default: expand) is applied to every
    minor, which keeps intermediate results small.
    """
    import symengine as se

    n = len(matrix)
    tidy = tidy or se.expand
    rows = [[(j, e) for j, e in enumerate(row) if e != 0] for row in matrix]
    memo: dict[int, Any] = {}

    def minor(k: int, columns: int) -> Any:
        # det of rows k.. restricted to the columns whose bits are set
        if k == n:
            return se.Integer(1)
        known = memo.get(columns)
        if known is not None:
            return known
        terms = []
        for j, e in rows[k]:
            bit = 1 << j
            if not columns & bit:
                continue
            sub = minor(k + 1, columns & ~bit)
            if sub == 0:
                continue
            before = bin(columns & (bit - 1)).count("1")  # position of column j among those left
            terms.append(e * sub if before % 2 == 0 else -e * sub)
        value = tidy(se.Add(*terms)) if terms else se.Integer(0)
        memo[columns] = value
        return value

    return minor(0, (1 << n) - 1)


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


def _divide_out(matrix: list[list[Any]]) -> Any:
    """Divide the common factors out of each column and row of `matrix`, in place.

    Returns their product.

    Division is done on exponents, so it is exact even where SymEngine would not
    cancel a polynomial quotient.
    """
    import symengine as se

    n = len(matrix)
    cells: list[list[tuple[Any, dict[Any, int]] | None]] = [
        [None if e == 0 else _factored(e) for e in row] for row in matrix
    ]
    scale = se.Integer(1)

    def common(line: list[tuple[Any, dict[Any, int]] | None]) -> dict[Any, int]:
        shared: dict[Any, int] | None = None
        for cell in line:
            if cell is None:
                continue
            fs = cell[1]
            shared = (
                dict(fs)
                if shared is None
                else {b: min(k, fs[b]) for b, k in shared.items() if b in fs}
            )
            if not shared:
                return {}
        return shared or {}

    def remove(cell: tuple[Any, dict[Any, int]] | None, shared: dict[Any, int]) -> Any:
        if cell is None:
            return None
        left = {b: k - shared.get(b, 0) for b, k in cell[1].items()}
        return cell[0], {b: k for b, k in left.items() if k}

    for j in range(n):
        shared = common([cells[i][j] for i in range(n)])
        if shared:
            scale *= se.Mul(*(b**k for b, k in shared.items()))
            for i in range(n):
                cells[i][j] = remove(cells[i][j], shared)
    for i in range(n):
        shared = common(cells[i])
        if shared:
            scale *= se.Mul(*(b**k for b, k in shared.items()))
            cells[i] = [remove(c, shared) for c in cells[i]]
    for i in range(n):
        for j in range(n):
            c = cells[i][j]
            matrix[i][j] = (
                se.Integer(0) if c is None else c[0] * se.Mul(*(b**k for b, k in c[1].items()))
            )
    return scale


STRUCTURED_DET_LIMIT = (
    12  # Berkowitz in Python is O(n⁴) expansions; beyond this, SymEngine's own det
)


def structured_det(matrix: Matrix) -> Any:
    """det by structure: pull common factors out of columns and rows, then take the
    determinant of what is left as a polynomial in sin(a), cos(a) (as symbols),
    reducing every minor with sin² + cos² = 1. The hyperspherical Jacobian comes out as
    r^(n-1)·sin(p1)^(n-2)···sin(p_{n-2}) without any general-purpose simplifier.
    """
    import symengine as se

    n = len(matrix)
    rows = [list(row) for row in matrix]
    scale = _divide_out(rows)
    pairs = _trig_symbols(e for row in rows for e in row)
    forward, back = _trig_maps(pairs)
    poly_rows = [[e.xreplace(forward) if e != 0 else e for e in row] for row in rows]

    def tidy(p: Any) -> Any:
        return _reduce_pythagoras(p, pairs) if pairs else se.expand(p)

    if n <= STRUCTURED_DET_LIMIT:
        det = laplace_det(poly_rows, tidy)
    else:
        det = tidy(se.DenseMatrix(poly_rows).det())
    return scale * det.xreplace(back)


def _plain_det(matrix: Matrix) -> Any:
    """SymEngine's own determinant, unsimplified (what peer E computes)."""
    import symengine as se

    return se.DenseMatrix([list(r) for r in matrix]).det() if matrix else se.Integer(1)


def determinant(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    point: Mapping[Any, Any] | None = None,
    simplify: bool = True,
    digits: int | None = None,
) -> DeterminantResult:
    """det J, simplified unless told not to; at `point` if given."""
    vars_, inferred = resolve_variables(functions, variables)
    _square(functions, vars_)
    ordered = None
    if point is None:
        matrix = differentiate(functions, vars_).dense()
        det = structured_det(matrix) if simplify else _plain_det(matrix)
        # Every minor already has sin² + cos² = 1 applied: what is left to simplify is a sum,
        # or sines and cosines of sums of angles (l2*(sin(q1 + q2)*l1*cos(q1) - ...)).
        if simplify and (det.is_Add or (_has_sum(det) and _has_sin_or_cos(det))):
            det = simplify_expr(det)
    else:
        ordered = _order_point(functions, vars_, point)
        matrix = _at_point(functions, vars_, ordered)[1].dense()
        det = _plain_det(matrix)
        expanded = _bounded_expand(det)
        det = det if expanded is None else expanded
        if simplify and det.free_symbols:
            det = simplify_expr(det)
        _check_defined([det], ordered, lambda i: "det J")
    if digits is not None:
        det = evaluate_number(det, digits)
    return DeterminantResult(tuple(functions), vars_, det, ordered, digits, inferred)


# --------------------------------------------------------------------------- points


def _order_point(
    functions: Sequence[Any], variables: Sequence[Any], point: Mapping[Any, Any]
) -> Point:
    """Check `point` against the problem and order it: variables first, then parameters."""
    missing = [v.name for v in variables if v not in point]
    if missing:
        names = ", ".join(missing)
        raise UsageError(
            f"--at gives no value for variable{'s' if len(missing) > 1 else ''} {names}"
        )
    known = set(variables) | _free_symbols(functions)
    unknown = [s.name for s in point if s not in known]
    if unknown:
        raise UsageError(
            f"--at gives a value for {', '.join(unknown)}, which is not a variable or a "
            "parameter of the functions"
        )
    import symengine as se

    var_set = set(variables)
    params = sorted((s for s in point if s not in var_set), key=lambda s: natural_key(s.name))

    # Values are parsed expressions (SymEngine already) or, from Python callers, numbers
    # and SymPy objects to convert; _no_text refuses a string before sympify could see it.
    def exact(value: Any) -> Any:
        return value if isinstance(value, se.Basic) else se.sympify(_no_text(value))

    return tuple((s, exact(point[s])) for s in (*variables, *params))


def _undefined(value: Any) -> bool:
    import symengine as se

    return any(value.has(bad) for bad in (se.zoo, se.nan, se.oo, -se.oo))


def _describe_point(point: Point | None) -> str:
    return ", ".join(f"{s.name}={v}" for s, v in point or ())


def _report(
    labels: Sequence[str],
    point: Point | None,
    what: str,
    error: type[MathError],
    suffix: str = "",
) -> None:
    if labels:
        shown = "; ".join(labels[:4]) + (f"; and {len(labels) - 4} more" if len(labels) > 4 else "")
        verb = "is" if len(labels) == 1 else "are"
        raise error(f"{shown} {verb} {what} at {_describe_point(point)}{suffix}")


def _report_undefined(labels: Sequence[str], point: Point | None) -> None:
    _report(labels, point, "undefined", UndefinedError)


def _check_defined(values: Sequence[Any], point: Point | None, label: Callable[[int], str]) -> None:
    _report_undefined([label(i) for i, v in enumerate(values) if _undefined(v)], point)


def _is_complex(value: Any) -> bool:
    """Whether an exact number has a non-zero imaginary part (checked at 128 bits)."""
    if value.free_symbols:
        return False
    try:
        # Not n(real=False): that aborts the process inside MPFR for sec(4/5).
        z = complex(value.n(128))
    except (TypeError, ValueError, RuntimeError, OverflowError):
        return False
    return abs(z.imag) > 2.0**-100 * max(1.0, abs(z.real))


def _real_point(point: Point) -> bool:
    return not any(_is_complex(v) for _, v in point)


def _check_real(labelled: Sequence[tuple[str, Any]], point: Point) -> None:
    """Complex values at a real point mean the function is not real there: say so."""
    bad = [label for label, v in labelled if _is_complex(v)]
    _report(bad, point, "complex", ComplexError, ", although jac's variables are real")


def _delta_values(expr: Any) -> Any:
    """DiracDelta(c) at a number c: 0 when c ≠ 0 is real; NaN (undefined) at 0 or off the reals."""
    import symengine as se

    deltas = [d for d in expr.atoms(se.FunctionSymbol) if d.get_name() == "DiracDelta"]
    numeric = {
        d: se.Integer(0) if d.args[0] != 0 and d.args[0].is_real else se.nan
        for d in deltas
        if d.args[0].is_Number
    }
    return expr.xreplace(numeric) if numeric else expr


def _exactly(compute: Callable[[Any], Any], argument: Any) -> Any:
    """An exact computation, with SymEngine's "too big for a machine word" as a LimitError."""
    try:
        return compute(argument)
    except (RuntimeError, OverflowError) as e:
        raise LimitError(f"a number at this point is too large to compute exactly ({e})") from e


class Kink(NamedTuple):
    """Where entry (i, j) of J exists as a formula but not as a derivative.

    kind "abs": |u| where u = 0 and ∂u/∂x_j ≠ 0 (a = u, b = ∂u/∂x_j);
    kind "jump": sign(u) or DiracDelta(u) where u = 0 (a = u, b = 0);
    kind "0^0": u^v where u = v = 0 (a = u, b = v).
    """

    i: int
    j: int
    kind: str
    a: Any
    b: Any
    why: str


def kinks(functions: Sequence[Any], variables: Sequence[Any]) -> list[Kink]:
    """The conditions under which entries of J are undefined although their formula is not.

    SymPy's d|x|/dx = sign(x) would otherwise print 0 at x = 0. `eval --at` checks
    them exactly at one point, `eval --points` in floating point at every point.
    """
    import symengine as se

    found: list[Kink] = []
    for i, f in enumerate(functions):
        for node in f.atoms(se.Abs, se.sign, se.FunctionSymbol):
            u = node.args[0]
            kind = "abs" if isinstance(node, se.Abs) else "jump"
            for j, v in enumerate(variables):
                if u.has(v):
                    b = u.diff(v) if kind == "abs" else se.Integer(0)
                    found.append(Kink(i, j, kind, u, b, f"{node} has no derivative where {u} = 0"))
        for node in f.atoms(se.Pow):
            base, exponent = node.args
            if not (exponent.is_Number or base.is_Number):
                for j, v in enumerate(variables):
                    if node.has(v):
                        found.append(Kink(i, j, "0^0", base, exponent, f"{node} is 0^0"))
    return found


def kink_applies(kind: str, a: Any, b: Any) -> Any:
    """Whether a kink bites, given the values of its a and b (numbers or NumPy arrays)."""
    if kind == "abs":
        return (a == 0) & (b != 0)
    if kind == "jump":
        return a == 0
    return (a == 0) & (b == 0)


def _singular_cells(
    functions: Sequence[Any], variables: Sequence[Any], subs: Mapping[Any, Any]
) -> dict[tuple[int, int], str]:
    """Entries that exist as formulas but not as derivatives at the point."""
    cells: dict[tuple[int, int], str] = {}
    for k in kinks(functions, variables):
        if (k.i, k.j) not in cells and kink_applies(k.kind, k.a.subs(subs), k.b.subs(subs)):
            cells[(k.i, k.j)] = k.why
    return cells


def _at_point(
    functions: Sequence[Any], variables: Sequence[Any], point: Point
) -> tuple[tuple[Any, ...], Sparse]:
    """F(a) and J(a), exact, each checked: defined, differentiable, real."""
    subs = dict(point)
    values = tuple(_delta_values(_exactly(f.subs, subs)) for f in functions)
    _check_defined(values, point, lambda i: f"f{i + 1}")
    real = _real_point(point)
    if real:
        _check_real([(f"f{i + 1}", v) for i, v in enumerate(values)], point)

    def label(i: int, j: int) -> str:
        return f"J[{i + 1},{j + 1}] = ∂f{i + 1}/∂{variables[j].name}"

    singular = _singular_cells(functions, variables, subs)
    jacobian = differentiate(functions, variables)
    bad = [label(i, j) for i, j in sorted(singular)]
    rows = []
    numbers: list[tuple[str, Any]] = []  # the entries with values, to check they are real
    for i, row in enumerate(jacobian.rows):
        entries = []
        for j, e in row:
            if (i, j) in singular:
                continue
            value = _delta_values(_exactly(e.subs, subs))
            if _undefined(value):
                bad.append(label(i, j))
                continue
            value = _exactly(_tidy_value, value)
            if value != 0:
                entries.append((j, value))
                if real:
                    numbers.append((label(i, j), value))
        rows.append(tuple(entries))
    reasons = sorted(set(singular.values()))
    if len(bad) == len(singular) and len(reasons) == 1:  # one kink explains them all
        _report(bad, point, "undefined", UndefinedError, f": {reasons[0]}")
    why = {label(i, j): reason for (i, j), reason in singular.items()}
    _report_undefined([f"{b} ({why[b]})" if b in why else b for b in bad], point)
    _check_real(numbers, point)
    return tuple(_exactly(_tidy_value, v) for v in values), Sparse(jacobian.shape, tuple(rows))


def _tidy_value(value: Any) -> Any:
    """A value at a point, expanded where that is shorter: rho - (-1 + rho) → 1.

    It is a value, not a formula the user typed, so its form is jac's to choose; the
    expansion is skipped when it would create more than EXPANSION_LIMIT terms.
    """
    if value.is_Number or value.is_Symbol:
        return value
    expanded = _bounded_expand(value)
    return expanded if expanded is not None and _size(expanded) < _size(value) else value


def _affine(value: Any, row: SparseRow, variables: Sequence[Any], at: Mapping[Any, Any]) -> Any:
    """L_i(x) = F_i(a) + Σ_j J_ij (x_j − a_j) as an affine expression: expanded, unless
    Σ_j J_ij x_j + (F_i(a) − Σ_j J_ij a_j), the constant tidied, is shorter (as with
    symbolic values: x - y - z*s + (-1 + rho)*s rather than rho*s expanded everywhere).
    """
    import symengine as se

    constant = _tidy_value(se.Add(value, *(-e * at[variables[j]] for j, e in row)))
    collected = se.Add(*(e * variables[j] for j, e in row)) + constant
    full = se.Add(value, *(e * (variables[j] - at[variables[j]]) for j, e in row))
    expanded = _bounded_expand(full)
    if expanded is not None and _size(expanded) <= _size(collected):
        return expanded
    return collected


def digits_to_bits(digits: int) -> int:
    """Binary precision for `digits` significant decimal digits, with guard bits for rounding."""
    return math.ceil(digits * math.log2(10)) + 16


# Working precision is doubled until two evaluations agree; this many doublings at most.
MAX_PRECISION_DOUBLINGS = 8


def evaluate_number(expr: Any, digits: int) -> Any:
    """Numbers in `expr` evaluated so that the first `digits` significant digits are right.

    SymEngine evaluates at a fixed precision, so sin(x) - x at x = 10^-30 comes
    out as 0.0 at 96 bits: cancellation eats every digit. Each constant part of
    `expr` is evaluated on its own and its precision doubled until two successive
    results agree to `digits` digits (the check mpmath's and SymPy's evalf use);
    the renderers then round to exactly `digits`. See `numbers.Evaluator` for
    huge and tiny values (e^(10^9) is a number; e^(e^(e^5)) is a LimitError).
    """
    from jaccli.numbers import Evaluator, Imprecise

    if expr == 0:
        return expr

    def start(constant: Any) -> int:
        # At least double precision, so that JSON "values" are as exact as a float can be;
        # and every exact number held whole: sin(10^99999) needs all 332,000 bits.
        return max(digits_to_bits(digits), 80) + _largest_number_bits(constant)

    try:
        return Evaluator(digits, start, MAX_PRECISION_DOUBLINGS).expression(expr)
    except Imprecise as e:
        text = str(e.expr)
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise PrecisionError(
            f"{shown} could not be evaluated to {digits} digits at {e.bits} bits of precision "
            "(it may be exactly zero); leave out --digits for the exact value"
        ) from None


def _largest_number_bits(expr: Any) -> int:
    import symengine as se

    from jaccli.numbers import rational_bits

    return math.ceil(max(map(rational_bits, expr.atoms(se.Rational, se.Integer)), default=0))


def evaluate(
    functions: Sequence[Any],
    variables: Sequence[Any] | None,
    point: Mapping[Any, Any],
    *,
    digits: int | None = None,
    simplify: bool = False,
) -> EvaluationResult:
    """J at `point`, exact unless `digits` asks for that many significant digits."""
    vars_, inferred = resolve_variables(functions, variables)
    ordered = _order_point(functions, vars_, point)
    _, sparse = _at_point(functions, vars_, ordered)
    if simplify:
        sparse = _map_sparse(sparse, simplify_expr)
    if digits is not None:
        sparse = _map_sparse(sparse, lambda e: evaluate_number(e, digits))
    return EvaluationResult(tuple(functions), vars_, ordered, sparse, digits, inferred)


def linearize(
    functions: Sequence[Any],
    variables: Sequence[Any] | None,
    point: Mapping[Any, Any],
    *,
    digits: int | None = None,
    simplify: bool = False,
) -> LinearizationResult:
    """F(a), J(a) and L(x) = F(a) + J(a)(x − a), each L_i an affine expression."""
    vars_, inferred = resolve_variables(functions, variables)
    ordered = _order_point(functions, vars_, point)
    value, sparse = _at_point(functions, vars_, ordered)
    if simplify:
        value = tuple(simplify_expr(v) for v in value)
        sparse = _map_sparse(sparse, simplify_expr)
    at = dict(ordered)
    lin = tuple(_affine(fa, row, vars_, at) for fa, row in zip(value, sparse.rows, strict=True))
    if digits is not None:
        value = tuple(evaluate_number(v, digits) for v in value)
        lin = tuple(evaluate_number(e, digits) for e in lin)
        sparse = _map_sparse(sparse, lambda e: evaluate_number(e, digits))
    return LinearizationResult(
        tuple(functions), vars_, ordered, value, sparse, lin, digits, inferred
    )


def numeric_values(matrix: Matrix) -> tuple[tuple[float, ...], ...] | None:
    """The matrix as floats when every entry is a finite real number, else None."""
    rows = []
    for row in matrix:
        out = []
        for e in row:
            if e.free_symbols:
                return None
            try:
                z = complex(e)
            except (TypeError, ValueError, OverflowError, RuntimeError):
                return None
            # A tiny entry (e^(-10^9) with --digits) underflows to 0.0: no float says it.
            if z.imag != 0 or not math.isfinite(z.real) or (z.real == 0 and not e.is_zero):
                return None
            out.append(z.real)
        rows.append(tuple(out))
    return tuple(rows)
