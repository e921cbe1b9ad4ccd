"""Singular values, rank, condition number and manipulability of J at a point.

J(a) is exact, as eval gives it. Its singular values are exact (square roots of the
eigenvalues of J Jᵀ) for a small J(a) when they stay short, else computed with mpmath;
the rank is exact for rational entries, else counted against a stated tolerance, and
never full where det(J Jᵀ) is exactly 0. The condition number σ_max/σ_min is ∞ (oo)
where J is singular.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jaccli.engine.gradient import variable_labels
from jaccli.engine.point import _at_point, _order_point, finished
from jaccli.engine.results import Column, Header, Listing, Part, SingularResult, Sparse, Value
from jaccli.engine.simplify import simplify_expr
from jaccli.errors import UsageError

EXACT_SVD_LIMIT = 3  # singular values exact for a J(a) with at most this many rows and columns
EXACT_SIZE_LIMIT = 80  # characters: a longer exact singular value is given as a number
NUMERIC_DIGITS = 15  # significant digits of numeric values when --digits is not given


def part(jac: Sparse, xs: Sequence[Any]) -> Part:
    rows = tuple(f"f{i + 1}" for i in range(jac.shape[0]))
    return Part("jacobian", "J", "J", jac, rows, variable_labels(xs), plain=False)


def singular_at(head: Header, point: Mapping[Any, Any], digits: int | None) -> SingularResult:
    """J(a) exact (as eval gives it), then its singular values, rank, condition number and,
    for m ≤ n, the manipulability √det(J Jᵀ)."""
    import symengine as se
    import sympy

    from jaccli.engine.bridge import from_sympy

    functions, xs = head["functions"], head["variables"]
    ordered = _order_point(functions, xs, point)
    jac = _at_point(functions, xs, ordered)[1]
    m, n = jac.shape
    dense = jac.dense()
    loose = sorted({s.name for r in dense for e in r for s in e.free_symbols})
    if loose:
        raise UsageError(
            f"singular values need a number in every entry of J: give {', '.join(loose)} "
            "a value with {at}"
        )
    matrix = se.DenseMatrix([list(r) for r in dense])
    gram = matrix * matrix.T if m <= n else matrix.T * matrix
    gram_det = simplify_expr(se.expand(gram.det()))
    shown = digits or NUMERIC_DIGITS
    found, exact = _singular_values(dense, gram, gram_det == 0, shown)
    rank, rank_how = _rank(dense, found, exact, gram_det == 0, digits)
    sigmas = [from_sympy(s) for s in found]
    full = rank == min(m, n)
    condition = from_sympy(_condition(found, exact)) if full else se.oo
    values = [Value("rank", "rank J", "\\operatorname{rank} J", se.Integer(rank))]
    if m == n:
        det = _short(_sympy(simplify_expr(se.expand(matrix.det()))), shown)
        values.insert(0, Value("determinant", "det J", "\\det J", det))
    values.append(Value("condition", "κ(J) = σ_max/σ_min", "\\kappa(J)", condition))
    how = EXACT_NOTE if exact else f"Singular values numeric (mpmath, {shown} significant digits)."
    notes = [how, rank_how]
    manipulability = _short(_shortest(sympy.sqrt(_sympy(gram_det))), shown) if m <= n else None
    if manipulability is not None:
        latex = "w = \\sqrt{\\det(J J^{\\mathsf{T}})}"
        values.append(Value("manipulability", "w = √det(J Jᵀ)", latex, manipulability))
        notes.append(
            "w = √det(J Jᵀ) is Yoshikawa's manipulability, the product of the singular values: "
            "0 exactly where J is singular."
        )
    else:
        notes.append(f"J is {m}×{n}: det(J Jᵀ) is always 0 when m > n, so no manipulability.")
    if digits is not None:
        values = [v._replace(value=_rounded(v.value, digits)) for v in values]
        sigmas = [_rounded(s, digits) for s in sigmas]
    rows = tuple((s,) for s in sigmas)
    listing = Listing("singular_values", "Singular values (largest first)", COLUMNS, rows, True)
    by_key = {v.key: v.value for v in values}
    return SingularResult(
        **head,
        parts=(part(finished(jac, False, digits), xs),),
        point=ordered,
        digits=digits,
        rank=rank,
        singular_values=tuple(sigmas),
        condition=by_key["condition"],
        manipulability=by_key.get("manipulability"),
        values=tuple(values),
        listings=(listing,),
        facts=(("singular", "no" if full else "yes"),),
        notes=tuple(notes),
    )


COLUMNS = (Column("value", "singular value"),)


def _rounded(value: Any, digits: int) -> Any:
    import symengine as se

    from jaccli.engine.precision import evaluate_number

    keep = value.has(se.oo) or value.is_Float or value.is_Integer
    return value if keep else evaluate_number(value, digits)


EXACT_NOTE = "Singular values exact: the square roots of the eigenvalues of J Jᵀ (Jᵀ J if m > n)."


def _singular_values(dense: Any, gram: Any, singular: bool, shown: int) -> tuple[list[Any], bool]:
    """σ₁ ≥ σ₂ ≥ ... (SymPy) and whether they are exact: the square roots of the
    eigenvalues of the Gram matrix for a small J(a) when they stay short and real, else
    numeric with mpmath to `shown` digits (the last 0 exactly when det(J Jᵀ) is)."""
    import mpmath
    import sympy

    if max(len(dense), len(dense[0])) <= EXACT_SVD_LIMIT:
        eigen = _exact_eigenvalues(gram, singular)
        if eigen is not None:
            roots = [_shortest(sympy.sqrt(sympy.expand(_sympy(lam)))) for lam in eigen]
            values = [complex(r.evalf(30)) for r in roots]
            if all(len(str(r)) <= EXACT_SIZE_LIMIT for r in roots) and all(
                v.imag == 0 for v in values
            ):
                order = sorted(range(len(roots)), key=lambda k: values[k].real, reverse=True)
                return [roots[k] for k in order], True
    found = numeric_svd(dense, shown + 10)
    last = len(found) - 1
    return [
        sympy.Integer(0)
        if singular and i == last and s <= found[0] * 10.0**-shown
        else sympy.Float(mpmath.nstr(s, shown), shown)
        for i, s in enumerate(found)
    ], False


def _exact_eigenvalues(gram: Any, singular: bool) -> list[Any] | None:
    """The eigenvalues of a Gram matrix (SymEngine) of at most 3×3 in closed form, each
    simplified, or None where they would not stay short. `singular`: det is exactly 0.

    Not SymPy's `eigenvals`: it factors the characteristic polynomial over the numbers it
    holds (cos 1, sin 2, ...) by Wang's algorithm, whose random draws now and then run for
    hours (sympy#20456). A diagonal matrix gives its diagonal; a 2×2, and a singular 3×3
    (λ times a quadratic), take the quadratic formula; any other 3×3 only a rational
    characteristic polynomial, which SymPy solves fast."""
    import symengine as se
    import sympy

    size = gram.rows
    entries = [[simplify_expr(gram[i, j]) for j in range(size)] for i in range(size)]
    if all(entries[i][j] == 0 for i in range(size) for j in range(size) if i != j):
        return [entries[i][i] for i in range(size)]
    trace = simplify_expr(se.expand(sum(entries[i][i] for i in range(size))))
    if singular and size == 2:
        return [trace, se.Integer(0)]
    if size == 2 or singular:
        # λ² − tr λ + c: c the sum of the principal 2×2 minors (det itself when 2×2)
        minors = [(i, j) for i in range(size) for j in range(i + 1, size)]
        c = simplify_expr(
            se.expand(sum(entries[i][i] * entries[j][j] - entries[i][j] ** 2 for i, j in minors))
        )
        disc = simplify_expr(se.expand(trace**2 - 4 * c))
        if len(str(disc)) > 2 * EXACT_SIZE_LIMIT:
            return None
        root = se.sqrt(disc)
        pair = [(trace + root) / 2, (trace - root) / 2]
        return [*pair, se.Integer(0)] if size == 3 else pair
    lam = sympy.Dummy("lam")
    tidy = sympy.Matrix([[_sympy(e) for e in row] for row in entries])
    coefficients = [sympy.expand(c) for c in tidy.charpoly(lam).all_coeffs()]
    if not all(c.is_Rational for c in coefficients):
        return None
    found = sympy.roots(sympy.Poly(coefficients, lam, domain="QQ"), cubics=True)
    eigen = [r for r, k in found.items() for _ in range(k)]
    if len(eigen) != size or any(r.has(sympy.CRootOf) for r in eigen):
        return None
    from jaccli.engine.bridge import from_sympy

    return [from_sympy(r) for r in eigen]


def _short(e: Any, shown: int) -> Any:
    """An exact value (SymPy) in SymEngine, or its number to `shown` digits when it is long."""
    import sympy

    from jaccli.engine.bridge import from_sympy

    if len(str(e)) > EXACT_SIZE_LIMIT:
        e = sympy.Float(e.evalf(shown + 5), shown)
    return from_sympy(e)


def _shortest(e: Any) -> Any:
    """The shortest printed of e's exact forms: √(3 + √5) is (√2 + √10)/2."""
    import sympy

    denested = sympy.sqrtdenest(e)
    forms = [
        e,
        sympy.expand(e),
        denested,
        sympy.radsimp(denested),
        sympy.expand(sympy.radsimp(denested)),
    ]
    if len(str(e)) <= 200:
        forms.append(sympy.simplify(e))
    return min(forms, key=lambda f: len(str(f)))


def _rank(
    dense: Any, sigmas: list[Any], exact: bool, singular: bool, digits: int | None
) -> tuple[int, str]:
    """The rank: exact for exact singular values or rational entries; otherwise σ counted
    against a stated tolerance, and below full where det(J Jᵀ) is exactly 0."""
    import sympy

    if exact:
        return sum(1 for s in sigmas if s != 0), "Rank exact (from the exact singular values)."
    if all(e.is_Rational or e.is_Integer for r in dense for e in r):
        rank = sympy.Matrix([[_sympy(e) for e in r] for r in dense]).rank()
        return int(rank), "Rank exact (J has rational entries there)."
    tolerance = max(len(dense), len(dense[0])) * 10.0 ** -((digits or NUMERIC_DIGITS) + 5)
    biggest = float(sigmas[0]) if sigmas else 0.0
    rank = sum(1 for s in sigmas if float(s) > tolerance * biggest)
    if singular:
        rank = min(rank, len(sigmas) - 1)
    proof = "; det(J Jᵀ) is exactly 0 there" if singular else ""
    return rank, f"Rank counted numerically: σ ≤ {tolerance:.0e}·σ_max taken as 0{proof}."


def _condition(sigmas: list[Any], exact: bool) -> Any:
    """σ_max/σ_min, exact in its shortest form when the singular values are."""
    return _shortest(sigmas[0] / sigmas[-1]) if exact else sigmas[0] / sigmas[-1]


def numeric_svd(matrix: Any, dps: int, at: Mapping[Any, Any] | None = None) -> list[Any]:
    """The singular values of a matrix of numbers (of expressions `at` a point), largest
    first, as mpmath numbers computed with `dps` digits."""
    import mpmath

    bits = int(dps * 3.33) + 20
    with mpmath.workdps(dps):
        rows = [
            [mpmath.mpf(str((e.subs(at) if at else e).n(bits, real=True))) for e in r]
            for r in matrix
        ]
        if not rows or not rows[0]:
            return []
        found = mpmath.svd_r(mpmath.matrix(rows), compute_uv=False)
        return sorted((found[i] for i in range(found.rows)), reverse=True)


def _sympy(e: Any) -> Any:
    from jaccli.engine.bridge import to_sympy

    return to_sympy(e)
