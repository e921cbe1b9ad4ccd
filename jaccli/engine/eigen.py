"""Eigenvalues of a square matrix (J at a point, or a matrix typed as rows), with tr, det
and the characteristic polynomial: `jac eig`, and what `jac stability` classifies with.

Exact where the characteristic polynomial's factors have formulas for their roots
(`jaccli.engine.roots`), parameters kept; otherwise numeric to the digits asked for, checked
at two working precisions, and the result says so. SymPy's `RootOf` never reaches the user:
a root with no formula is given by its value. Eigenvectors are exact null spaces of A − λI
for exact eigenvalues (a defective eigenvalue has fewer vectors than its multiplicity).
What the spectrum says about an equilibrium is `jaccli.engine.spectrum`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jaccli.engine.bridge import as_sympy, from_sympy, to_sympy
from jaccli.engine.precision import evaluate_number
from jaccli.engine.results import (
    Column,
    Eigenvalue,
    EigResult,
    Header,
    Listing,
    Matrix,
    Part,
    Point,
    Sparse,
    Value,
    point_label,
)
from jaccli.engine.roots import (
    GUARD,
    LAMBDA,
    Root,
    all_roots,
    as_decimals,
    charpoly,
    generic,
    has_float,
    numeric_vectors,
)
from jaccli.engine.simplify import simplify_expr
from jaccli.engine.spectrum import DEPENDS, Classification, classify, routh_hurwitz
from jaccli.errors import ShapeError, UsageError

if TYPE_CHECKING:
    from symengine import Expr

    from jaccli.problem import Problem

__all__ = [
    "Classification",
    "characteristic",
    "characteristic_polynomial",
    "classify",
    "eig",
    "eig_matrix",
    "eigenvalues",
    "matrix_rows",
    "routh_hurwitz",
]

DEFAULT_DIGITS = 15  # numeric eigenvalues without {digits}


def square(shape: tuple[int, int], what: str = "the matrix") -> None:
    """Eigenvalues are of a square matrix: a ShapeError (exit 1, as det's) naming the shape
    otherwise."""
    m, n = shape
    if m != n or m == 0:
        raise ShapeError(
            f"eigenvalues need a square matrix, but {what} is {m}×{n}"
            + (f" ({m} functions, {n} variables)" if what.startswith("J") else "")
        )


def _sympy_matrix(matrix: Matrix) -> Any:
    import sympy

    rows = [[to_sympy(e) for e in row] for row in matrix]
    square((len(rows), len(rows[0]) if rows else 0))
    if any(len(row) != len(rows) for row in rows):
        raise UsageError("the rows of the matrix have different lengths")
    return sympy.Matrix(rows)


def characteristic(matrix: Matrix) -> tuple[Expr, Expr, tuple[Expr, ...]]:
    """tr A, det A and the coefficients of det(λI − A) = λⁿ + a1 λⁿ⁻¹ + … + an, from 1."""
    import sympy

    g = generic(_sympy_matrix(matrix))
    a = g.matrix
    coeffs = charpoly(a).all_coeffs()
    n = a.rows
    trace = sympy.cancel(a.trace())
    det = sympy.factor(sympy.cancel((-1) ** n * coeffs[-1]))
    if sympy.count_ops(det) > sympy.count_ops(sympy.expand(det)):
        det = sympy.expand(det)
    return (
        from_sympy(g.substituted(trace)),
        from_sympy(g.substituted(det)),
        tuple(from_sympy(g.substituted(as_sympy(c))) for c in coeffs),
    )


def characteristic_polynomial(coeffs: Sequence[Expr]) -> Expr:
    """λⁿ + a1 λⁿ⁻¹ + … + an as an expression in the symbol `lambda`."""
    import symengine as se

    lam = se.Symbol(LAMBDA)
    n = len(coeffs) - 1
    return se.Add(*(c * lam ** (n - k) for k, c in enumerate(coeffs)))


# --------------------------------------------------------------------------- vectors


def _is_zero(e: Any) -> bool | None:
    import sympy

    if e.is_zero is not None:
        return bool(e.is_zero)
    s = sympy.simplify(e)
    return bool(s.is_zero) if s.is_zero is not None else bool(sympy.expand(s) == 0)


def _exact_vectors(a: Any, root: Root) -> list[Any]:
    """A basis of the null space of A − λI. For a simple root of an irreducible factor p of
    degree ≥ 2 (whose formula may be long: Cardano's, or cosines), a column of adj(A − tI)
    reduced mod p(t) that is not 0 there, with t = λ: exact, and no simplification of
    expressions in λ is needed to find the rank (a polynomial of degree < deg p that is not
    0 mod p is not 0 at its roots)."""
    import sympy

    value, factor = root.value, root.factor
    if factor.degree() >= 2 and root.power == 1:
        t = factor.gens[0]
        adjugate = (a - t * sympy.eye(a.rows)).adjugate(method="berkowitz")
        for j in range(a.cols):
            column = [sympy.rem(sympy.expand(e), factor.as_expr(), t) for e in adjugate[:, j]]
            if any(c != 0 for c in column):
                return [sympy.Matrix([sympy.expand(c.subs(t, value)) for c in column])]
    shifted = a - value * sympy.eye(a.rows)
    return [
        v.applyfunc(lambda e: sympy.radsimp(sympy.simplify(e)))
        for v in shifted.nullspace(iszerofunc=_is_zero, simplify=True)
    ]


# --------------------------------------------------------------------------- eigenvalues


def eigenvalues(
    matrix: Matrix, *, digits: int | None = None, vectors: bool = False
) -> tuple[tuple[Eigenvalue, ...], bool]:
    """The eigenvalues of a square matrix with their algebraic multiplicities (and a basis
    of each eigenspace when `vectors`), ordered by real part then imaginary part, and
    whether they are exact.

    Exact where a formula exists (parameters kept: [[0, 1], [−1, −b]] gives
    −b/2 ± sqrt(b² − 4)/2); otherwise numeric to `digits` significant digits (15 when None),
    `exact` False. A matrix holding floats is numeric. A factor with no formula and
    parameters in its coefficients is a MathError: its roots need values for them.
    """
    import sympy

    from jaccli.engine.precision import MAX_DIGITS

    if digits is not None and (isinstance(digits, bool) or not 1 <= digits <= MAX_DIGITS):
        raise UsageError(f"{{digits}} must be a whole number from 1 to {MAX_DIGITS}")
    wanted = DEFAULT_DIGITS if digits is None else digits
    a = _sympy_matrix(matrix)
    numeric = has_float(a)
    if numeric:
        a = as_decimals(a)
    roots, exact = all_roots(a, wanted, numeric)
    out = []
    for root in roots:
        basis: list[Any] = []
        if vectors:
            basis = (
                numeric_vectors(a, root.value, wanted + GUARD)
                if root.value.atoms(sympy.Float)
                else _exact_vectors(a, root)
            )
        out.append(
            Eigenvalue(
                from_sympy(root.value),
                int(root.multiplicity),  # a SymPy Integer from roots(): JSON writes an int
                tuple(tuple(from_sympy(e) for e in v) for v in basis),
            )
        )
    return tuple(out), exact


# --------------------------------------------------------------------------- the command


def matrix_rows(problem: Problem) -> Matrix:
    """A matrix typed as rows (`0, 1; -1, -b`, a row a line or an argument): F's
    components grouped by the line they were typed on; one matrix expression (A with
    {shape} A=3x3) is its own rows."""
    parsed, entries = problem.parsed, problem.functions
    if len(parsed) == 1 and parsed[0].shape is not None and parsed[0].shape[1] > 1:
        rows, columns = parsed[0].shape
        return tuple(tuple(entries[i * columns : (i + 1) * columns]) for i in range(rows))
    grouped: dict[str, list[Any]] = {}
    k = 0
    for item in parsed:
        count = 1 if item.shape is None else item.shape[0] * item.shape[1]
        grouped.setdefault(item.where, []).extend(entries[k : k + count])
        k += count
    found = tuple(tuple(row) for row in grouped.values())
    lengths = sorted({len(row) for row in found})
    if len(lengths) > 1:
        raise UsageError(
            f"the rows of the matrix have different lengths ({', '.join(map(str, lengths))}): "
            "separate rows by ';' or newlines, entries by ','"
        )
    if len(found) != lengths[0]:  # typed so: a usage error, where J's shape is the maths'
        raise UsageError(
            f"eigenvalues need a square matrix, but the matrix is {len(found)}×{lengths[0]}"
        )
    return found


def _tr_det(
    symbol: str, latex: str, matrix: Matrix, digits: int | None
) -> tuple[tuple[Value, ...], tuple[Expr, ...]]:
    """tr, det and det(λI − A) as named values (rounded to `digits` if given), and the
    coefficients of det(λI − A), exact."""
    trace, det, coeffs = characteristic(matrix)

    def shown(e: Any) -> Any:
        return e if digits is None else evaluate_number(e, digits)

    polynomial = characteristic_polynomial((coeffs[0], *map(shown, coeffs[1:])))
    values = (
        Value("trace", f"tr {symbol}", f"\\operatorname{{tr}} {latex}", shown(trace)),
        Value("determinant", f"det {symbol}", f"\\det {latex}", shown(det)),
        Value("characteristic", f"det(λI − {symbol})", f"\\det(\\lambda I - {latex})", polynomial),
    )
    return values, coeffs


def _listings(found: Sequence[Eigenvalue], vectors: bool) -> tuple[Listing, ...]:
    value, multiplicity = Column("eigenvalue", "eigenvalue"), Column("multiplicity", "multiplicity")
    rows = tuple((e.value, e.multiplicity) for e in found)
    listings = [Listing("eigenvalues", "Eigenvalues", (value, multiplicity), rows, plain=True)]
    if vectors:
        basis = tuple((e.value, v) for e in found for v in e.vectors)
        columns = (value, Column("eigenvector", "eigenvector"))
        listings.append(Listing("eigenvectors", "Eigenvectors", columns, basis, plain=True))
    return tuple(listings)


def _found_notes(
    matrix: Matrix, found: Sequence[Eigenvalue], exact: bool, digits: int
) -> list[str]:
    import symengine as se

    if exact:
        notes = ["exact: the roots of the factored characteristic polynomial"]
    elif any(e.atoms(se.RealDouble, se.RealMPFR) for row in matrix for e in row):
        notes = [f"numeric ({digits} digits): the matrix holds floating-point numbers"]
    else:
        notes = [
            f"numeric ({digits} digits): a factor of the characteristic polynomial has no "
            "formula for its roots; found by mpmath, checked at two working precisions"
        ]
    for e in found:
        if e.vectors and len(e.vectors) < e.multiplicity:
            notes.append(
                f"λ = {e.value} is defective: multiplicity {e.multiplicity}, "
                f"{len(e.vectors)} independent eigenvector{'s' if len(e.vectors) > 1 else ''}"
            )
    return notes


def _stable_where(coeffs: Sequence[Any]) -> str:
    conditions = routh_hurwitz(coeffs)
    failed = [c for c in conditions if not c.free_symbols]
    if failed:
        return f"some Re λ ≥ 0 whatever the parameters (Routh–Hurwitz: {failed[0]} > 0 fails)"
    shown = " and ".join(f"{c} > 0" for c in conditions) or "always"
    return f"every Re λ < 0 (asymptotically stable) where {shown} (Routh–Hurwitz)"


def _meaning(
    found: Sequence[Eigenvalue], exact: bool, coeffs: Sequence[Any], at: Point, value: Any
) -> list[str]:
    """What the spectrum of J(a) says about dx/dt = F(x) at a, when a is an equilibrium."""
    where = ", ".join(f"{point_label(s)} = {v}" for s, v in at)
    if any(v != 0 for v in value):
        return [f"F ≠ 0 at {where}: not an equilibrium of dx/dt = F(x), so no stability is read"]
    kind = classify(found, exact=exact)
    directions = f" ({kind.note})" if kind.type.startswith("saddle") else ""
    notes = [f"as the linearization of dx/dt = F(x) at the equilibrium {where}: {kind.type}"]
    notes[0] += directions
    if kind.type == DEPENDS:
        notes.append(_stable_where(coeffs))
    elif kind.note and not directions:
        notes.append(kind.note)
    return notes


def _result(
    head: Header,
    part: Part,
    *,
    point: Point | None,
    digits: int | None,
    vectors: bool,
    value: Sequence[Any] | None = None,
) -> EigResult:
    """tr, det, det(λI − A), the eigenvalues and what they mean, for `part`'s matrix."""
    matrix = part.matrix
    found, exact = eigenvalues(matrix, digits=digits, vectors=vectors)
    shown = digits if digits is not None or exact else DEFAULT_DIGITS
    symbol, latex = part.label, part.latex
    values, coeffs = _tr_det(symbol, latex, matrix, digits)
    notes = _found_notes(matrix, found, exact, shown or DEFAULT_DIGITS)
    if value is not None:
        notes += _meaning(found, exact, coeffs, point or (), value)
    elif len(matrix) <= 4 and any(e.free_symbols for row in matrix for e in row):
        notes.append(_stable_where(coeffs))
    if digits is not None:
        found = tuple(_rounded(e, digits) for e in found)
        part = part._replace(sparse=part.sparse.mapped(lambda e: evaluate_number(e, digits)))
    return EigResult(
        **head,
        parts=(part,),
        point=point,
        digits=shown,
        values=values,
        listings=_listings(found, vectors),
        facts=(("exact", "true" if exact else "false"),),
        notes=tuple(notes),
        eigenvalues=found,
        exact=exact,
    )


def _rounded(e: Eigenvalue, digits: int) -> Eigenvalue:
    def rounded(x: Any) -> Any:
        return evaluate_number(x, digits)

    vectors = tuple(tuple(rounded(x) for x in v) for v in e.vectors)
    return e._replace(value=rounded(e.value), vectors=vectors)


def eig(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    point: Mapping[Any, Any] | None = None,
    digits: int | None = None,
    vectors: bool = False,
    simplify: bool = False,
) -> EigResult:
    """The eigenvalues of J (at `point`, exact and checked as eval does; symbolic without
    one), with tr J, det J and det(λI − J). At an equilibrium (F(a) = 0), a note says what
    the spectrum makes of it as a linearization of dx/dt = F(x)."""
    from jaccli.engine.derivatives import differentiate
    from jaccli.engine.point import _solve_at
    from jaccli.engine.variables import header

    head = header(functions, variables)
    m, n = len(functions), len(head["variables"])
    if m != n:
        square((m, n), "J")
    value = None
    ordered = None
    if point is None:
        sparse = differentiate(functions, head["variables"])
    else:
        head, ordered, value, sparse = _solve_at(functions, head["variables"], point)
    if simplify:
        sparse = sparse.mapped(simplify_expr)
    names = tuple(str(v.name) for v in head["variables"])
    rows = tuple(f"f{i + 1}" for i in range(m))
    part = Part("matrix", "J", "J", sparse, rows, names, plain=False)
    return _result(head, part, point=ordered, digits=digits, vectors=vectors, value=value)


def eig_matrix(
    matrix: Matrix,
    *,
    point: Mapping[Any, Any] | None = None,
    digits: int | None = None,
    vectors: bool = False,
) -> EigResult:
    """The eigenvalues of a square matrix given by its entries (its symbols parameters,
    given values by `point`), with tr A, det A and det(λI − A)."""
    import symengine as se

    square((len(matrix), len(matrix[0]) if matrix else 0))
    entries = [e for row in matrix for e in row]
    ordered = None
    if point is not None:
        ordered = _parameters(entries, point)
        subs = dict(ordered)
        matrix = tuple(tuple(se.expand(e.xreplace(subs)) for e in row) for row in matrix)
    n = len(matrix)
    sparse = Sparse(
        (n, n), tuple(tuple((j, e) for j, e in enumerate(row) if e != 0) for row in matrix)
    )
    labels = tuple(str(k + 1) for k in range(n))
    part = Part("matrix", "A", "A", sparse, labels, labels, plain=False)
    head = Header(functions=(), variables=(), variables_inferred=False)
    return _result(head, part, point=ordered, digits=digits, vectors=vectors)


def _parameters(entries: Sequence[Any], point: Mapping[Any, Any]) -> Point:
    """Values for the matrix's parameters, checked: each names a symbol of the matrix."""
    from jaccli.engine.variables import _free_symbols, natural_key

    known = _free_symbols(entries)
    unknown = sorted(str(s) for s in point if s not in known)
    if unknown:
        raise UsageError(
            f"{{at}} gives a value for {', '.join(unknown)}, which is not a parameter of the matrix"
        )
    return tuple(sorted(point.items(), key=lambda sv: natural_key(str(sv[0]))))
