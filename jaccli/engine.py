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
    return converted.xreplace(real)


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


def _trig_symbols(exprs: Iterable[Any]) -> dict[Any, tuple[Any, Any]]:
    """A pair of fresh symbols (s, c) for every argument a of a sin(a) or cos(a)."""
    import symengine as se

    pairs: dict[Any, tuple[Any, Any]] = {}
    for e in exprs:
        for call in e.atoms(se.sin, se.cos):
            arg = call.args[0]
            if arg not in pairs:
                k = len(pairs)
                pairs[arg] = (se.Dummy(f"s{k}"), se.Dummy(f"c{k}"))
    return pairs


def _trig_maps(pairs: dict[Any, tuple[Any, Any]]) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Substitutions sin(a) → s, cos(a) → c, and back, for each pair from `_trig_symbols`."""
    import symengine as se

    forward, back = {}, {}
    for arg, (s, c) in pairs.items():
        forward[se.sin(arg)], forward[se.cos(arg)] = s, c
        back[s], back[c] = se.sin(arg), se.cos(arg)
    return forward, back


def _reduce_pythagoras(poly: Any, pairs: dict[Any, tuple[Any, Any]]) -> Any:
    """Rewrite c**k as c**(k % 2) * (1 - s**2)**(k // 2) for each (s, c) pair, then expand.

    Since each s² + c² − 1 involves its own two symbols, the result is a normal
    form: equal trigonometric polynomials give the same expression.
    """
    import symengine as se

    sine_of = {c: s for s, c in pairs.values()}
    expanded = se.expand(poly)
    terms = expanded.args if expanded.is_Add else (expanded,)
    out = []
    for term in terms:
        factors = term.args if term.is_Mul else (term,)
        rewritten, changed = [], False
        for f in factors:
            if f.is_Pow and f.args[0] in sine_of and f.args[1].is_Integer and int(f.args[1]) >= 2:
                k, c = int(f.args[1]), f.args[0]
                rewritten.append(c ** (k % 2) * (1 - sine_of[c] ** 2) ** (k // 2))
                changed = True
            else:
                rewritten.append(f)
        out.append(se.Mul(*rewritten) if changed else term)
    return se.expand(se.Add(*out))


def trig_normal_form(expr: Any) -> Any:
    """`expr` with sin² + cos² = 1 applied everywhere it can be (r*cos(t)**2 + r*sin(t)**2 → r)."""
    pairs = _trig_symbols([expr])
    if not pairs:
        return expr
    forward, back = _trig_maps(pairs)
    return _reduce_pythagoras(expr.xreplace(forward), pairs).xreplace(back)


SYMPY_SIMPLIFY_LIMIT = 5_000  # characters; larger expressions are not handed to SymPy


def _sympy_simplify(expr: Any) -> Any:
    """Factor, then `trigsimp` each factor that has two or more trigonometric calls.

    `sympy.simplify` tries everything on the whole expression and took 15 s on the
    determinant of a 2×2 tanh layer; this takes milliseconds on the same input.
    """
    import sympy
    from sympy.functions.elementary.hyperbolic import HyperbolicFunction
    from sympy.functions.elementary.trigonometric import TrigonometricFunction

    kinds = (TrigonometricFunction, HyperbolicFunction)

    def tidy(factor: Any) -> Any:
        if factor.is_Pow:
            return tidy(factor.base) ** factor.exp
        calls = [a for a in factor.atoms(sympy.Function) if isinstance(a, kinds)]
        return sympy.trigsimp(factor) if len(calls) >= 2 else factor

    factored = sympy.factor(to_sympy(expr))
    return from_sympy(sympy.Mul(*(tidy(f) for f in sympy.Mul.make_args(factored))))


def simplify_expr(expr: Any) -> Any:
    """The shortest of: `expr`, its trigonometric normal form, and SymPy's factored form."""
    candidates = [expr, trig_normal_form(expr)]
    best = min(candidates, key=_size)
    if best.is_Add and _size(best) <= SYMPY_SIMPLIFY_LIMIT:
        candidates.append(_sympy_simplify(best))
    return min(candidates, key=_size)


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
    if str(flipped) < str(part):
        return -content, flipped
    return content, part


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
    import symengine as se

    vars_, inferred = resolve_variables(functions, variables)
    _square(functions, vars_)
    ordered = None
    if point is None:
        matrix = differentiate(functions, vars_).dense()
        if simplify:
            det = structured_det(matrix)
            if det.is_Add:
                det = simplify_expr(det)
        else:
            det = _plain_det(matrix)
    else:
        ordered = _order_point(functions, vars_, point)
        matrix = _at_point(functions, vars_, ordered)[1].dense()
        det = se.expand(_plain_det(matrix))
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
            elif value != 0:
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
    return values, Sparse(jacobian.shape, tuple(rows))


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
    """F(a), J(a) and L(x) = F(a) + J(a)(x − a), each L_i expanded to an affine expression."""
    import symengine as se

    vars_, inferred = resolve_variables(functions, variables)
    ordered = _order_point(functions, vars_, point)
    value, sparse = _at_point(functions, vars_, ordered)
    if simplify:
        value = tuple(simplify_expr(v) for v in value)
        sparse = _map_sparse(sparse, simplify_expr)
    at = dict(ordered)
    lin = tuple(
        se.expand(fa + se.Add(*(e * (vars_[j] - at[vars_[j]]) for j, e in row)))
        for fa, row in zip(value, sparse.rows, strict=True)
    )
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
            if z.imag != 0 or not math.isfinite(z.real):
                return None
            out.append(z.real)
        rows.append(tuple(out))
    return tuple(rows)
