"""det J: by Laplace expansion with memoized minors, by structure (common factors of rows
and columns out, sin² + cos² = 1 in every minor), or at a point; and log|det J| with the
sign of det J, factor by factor, as normalizing flows use them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jaccli.engine.algebra import (
    _bounded_expand,
    _factored,
    _has_sin_or_cos,
    _has_sum,
)
from jaccli.engine.derivatives import differentiate
from jaccli.engine.explain import Sign, meaning, sign_of
from jaccli.engine.point import _at_point, _check_defined, _order_point
from jaccli.engine.precision import evaluate_number
from jaccli.engine.results import DeterminantResult, Matrix
from jaccli.engine.simplify import simplify_expr
from jaccli.engine.trig import _reduce_pythagoras, _trig_maps, _trig_symbols
from jaccli.engine.variables import header
from jaccli.errors import ShapeError


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
    log: bool = False,
) -> DeterminantResult:
    """det J, simplified unless told not to; at `point` if given; with `log`, log|det J| and
    the sign of det J too. At a point, what det J means there (`meaning`)."""
    head = header(functions, variables)
    vars_ = head["variables"]
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
    log_abs, sign = log_abs_det(det, simplify) if log else (None, None)
    meant = None if ordered is None else meaning(det, len(vars_), vars_, digits)
    if digits is not None:
        if log_abs is not None and det != 0:  # -oo where det J = 0 has no digits to round
            log_abs = evaluate_number(log_abs, digits)
        det = evaluate_number(det, digits)
    return DeterminantResult(
        **head,
        determinant=det,
        point=ordered,
        digits=digits,
        log_abs=log_abs,
        sign=sign,
        meaning=meant,
    )


# --------------------------------------------------------------------------- log|det J|

LOG_FACTOR_LIMIT = 2_000  # characters: a sum longer than this is not factored for its logs


def log_abs_det(det: Any, simplify: bool = True) -> tuple[Any, Any]:
    """log|det J| and the sign of det J for real variables, as normalizing flows use them.

    Factor by factor: log|ab| = log|a| + log|b|, log|a^k| = k log|a| (so log(exp(z)) is z),
    log|c| for a number, log(u) for a u known to be positive (cosh(x), 1 + x^2), and
    log(abs(u)) otherwise; a sum is factored first (SymPy's factor) when that splits it.
    The sign holds where det J ≠ 0. det J = 0 gives (-oo, 0). Without `simplify`,
    log(abs(det)) and sign(det) as they are.
    """
    import symengine as se

    if det == 0:
        return -se.oo, se.Integer(0)
    if not simplify:
        return se.log(se.Abs(det)), se.sign(det)
    logs, signs = zip(*_log_factors(det), strict=True)
    return se.Add(*logs), se.Mul(*signs)


def _log_factors(e: Any) -> list[tuple[Any, Any]]:
    """(log|f|, sign f) for each factor f of `e` (a non-zero real expression)."""
    import symengine as se

    if e.is_Mul:
        return [pair for factor in e.args for pair in _log_factors(factor)]
    if e.is_Pow:
        base, k = e.args
        if base == se.E:
            return [(k, se.Integer(1))]
        pairs = _log_factors(base)
        return [(k * log, _power_sign(sign, k)) for log, sign in pairs]
    if isinstance(e, se.Abs):
        return [(log, se.Integer(1)) for log, _ in _log_factors(e.args[0])]
    if e.is_Number:
        return [(se.log(abs(e)), se.Integer(1 if e.is_positive else -1))]
    split = _factor(e) if e.is_Add else None
    if split is not None:
        return [pair for factor in split for pair in _log_factors(factor)]
    sign = sign_of(e)  # where det J ≠ 0, a factor ≥ 0 is > 0
    if sign in (Sign.positive, Sign.nonnegative):
        return [(se.log(e), se.Integer(1))]
    if sign in (Sign.negative, Sign.nonpositive):
        return [(se.log(se.expand(-e) if e.is_Add else -e), se.Integer(-1))]
    return [(se.log(se.Abs(e)), se.sign(e))]


def _power_sign(sign: Any, k: Any) -> Any:
    """sign(b^k) from sign(b), where b^k is real and not 0: b^k for a k that is not a whole
    number is real only for b > 0."""
    import symengine as se

    if sign == 1 or not k.is_Integer:
        return se.Integer(1)
    return sign if int(k) % 2 else se.Integer(1)


def _factor(add: Any) -> list[Any] | None:
    """The factors of a sum (SymPy's factor_list), or None when it does not split.

    A list, not their product: SymEngine multiplies 4*(x^2 + y^2) back out.
    """
    if len(str(add)) > LOG_FACTOR_LIMIT:
        return None
    import symengine as se
    import sympy

    from jaccli.engine.bridge import from_sympy, to_sympy

    try:
        coefficient, factors = sympy.factor_list(to_sympy(add))
    except sympy.PolynomialError:  # not a polynomial in anything SymPy can name
        return None
    if abs(coefficient) == 1 and len(factors) == 1 and factors[0][1] == 1:
        return None
    split = [se.Pow(from_sympy(f), k) for f, k in factors]
    return [from_sympy(coefficient), *split]
