"""Values at a point: F(a) and J(a) exact, each checked (defined, differentiable, real),
then J(a) alone (`evaluate`) or with L(x) = F(a) + J(a)(x − a) (`linearize`).

A check that fails names the entries and the point, as an UndefinedError or a
ComplexError; `kinks` finds where a formula exists but no derivative does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli.engine.algebra import _bounded_expand, _size
from jaccli.engine.bridge import _no_text
from jaccli.engine.derivatives import differentiate
from jaccli.engine.kink import _delta_values as _delta_values  # chain, hessian use it
from jaccli.engine.kink import _singular_cells
from jaccli.engine.precision import evaluate_number
from jaccli.engine.results import (
    EvaluationResult,
    Header,
    LinearizationResult,
    Point,
    Sparse,
    SparseRow,
    point_label,
)
from jaccli.engine.simplify import simplify_expr
from jaccli.engine.variables import _free_symbols, header, natural_key
from jaccli.errors import (
    ComplexError,
    LimitError,
    MathError,
    PrecisionError,
    UndefinedError,
    UsageError,
)
from jaccli.numbers import is_complex, kept_range

if TYPE_CHECKING:
    from symengine import Expr, Symbol

# The arguments every operation at a point takes: F, x, the point a, and how to round.
Exprs = Sequence["Expr"]
Symbols = Sequence["Symbol"]
Values = Mapping["Symbol", "Expr"]
Digits = int | None


def _order_point(
    functions: Sequence[Any], variables: Sequence[Any], point: Mapping[Any, Any]
) -> Point:
    """Check `point` against the problem and order it: variables first, then parameters."""
    missing = [v.name for v in variables if v not in point]
    if missing:
        names = ", ".join(missing)
        raise UsageError(
            f"{{at}} gives no value for variable{'s' if len(missing) > 1 else ''} {names}"
        )
    known = set(variables) | _free_symbols(functions)
    unknown = [s.name for s in point if s.is_Symbol and s not in known]
    if unknown:
        raise UsageError(
            f"{{at}} gives a value for {', '.join(unknown)}, which is not a variable or a "
            "parameter of the functions"
        )
    import symengine as se

    var_set = set(variables)
    params = sorted(
        (s for s in point if s not in var_set), key=lambda s: natural_key(point_label(s))
    )

    # Values are parsed expressions (SymEngine already) or, from Python callers, numbers
    # and SymPy objects to convert; _no_text refuses a string before sympify could see it.
    def exact(value: Any) -> Any:
        return value if isinstance(value, se.Basic) else se.sympify(_no_text(value))

    return tuple((s, exact(point[s])) for s in (*variables, *params))


def _undefined(value: Any) -> bool:
    import symengine as se

    return any(value.has(bad) for bad in (se.zoo, se.nan, se.oo, -se.oo))


def _describe_point(point: Point | None) -> str:
    return ", ".join(f"{point_label(s)}={v}" for s, v in point or ())


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
    return is_complex(value)


def _real_point(point: Point) -> bool:
    return not any(_is_complex(v) for _, v in point)


def _check_real(labelled: Sequence[tuple[str, Any]], point: Point) -> None:
    """Complex values at a real point mean the function is not real there: say so."""
    bad = [label for label, v in labelled if _is_complex(v)]
    _report(bad, point, "complex", ComplexError, ", although jac's variables are real")


class _Substitution(dict[Any, Any]):
    """The point's values put into an expression: `subs(expr)`; with values of declared
    functions (g'(1)=3), again until nothing changes, since g'(h(0)) is g'(1) once h(0)=1.

    When every key is a symbol (no declared function), an expression gets only the values
    of its own symbols: 3 of 10^4 for a Bratu row, not the whole point (which made eval and
    linearize quadratic). The point is not changed once it is put into expressions."""

    _symbols: bool | None = None  # whether every key is a symbol, found at the first call

    def __call__(self, expr: Any) -> Any:
        symbols = self._symbols
        if symbols is None:
            symbols = self._symbols = all(key.is_Symbol for key in self)
        if symbols:
            return expr.subs({s: self[s] for s in expr.free_symbols if s in self})
        value = expr.subs(self)
        for _ in range(len(self)):
            again = value.subs(self)
            if again == value:
                break
            value = again
        return value


def _exactly(compute: Callable[[Any], Any], argument: Any) -> Any:
    """An exact computation, with SymEngine's "too big for a machine word" as a LimitError."""
    try:
        return compute(argument)
    except (RuntimeError, OverflowError) as e:
        raise LimitError(f"a number at this point is too large to compute exactly ({e})") from e


Cell = tuple[int, int]  # (row, column) of a matrix, from 0
Label = Callable[[int, int], str]  # how a message names the entry in a cell


class Exact(NamedTuple):
    """A point checked against F and ready to put into expressions."""

    point: Point  # in order: variables, then parameters
    subs: _Substitution
    real: bool  # every value real: then a complex entry is an error
    values: tuple[Any, ...]  # F(a), exact


def exact_point(
    functions: Sequence[Any],
    variables: Sequence[Any],
    point: Mapping[Any, Any],
    label: Callable[[int], str],
) -> Exact:
    """The point in order, with F(a) checked, as eval does: a function undefined (or not
    real) there has no derivative there. `label(i)` names component i in a message."""
    return _checked(functions, _order_point(functions, variables, point), label)


def _checked(functions: Sequence[Any], ordered: Point, label: Callable[[int], str]) -> Exact:
    subs = _Substitution(dict(ordered))
    values = [_delta_values(_exactly(subs, f)) for f in functions]
    _check_defined(values, ordered, label)
    real = _real_point(ordered)
    if real:
        _check_real([(label(i), v) for i, v in enumerate(values)], ordered)
        _check_real_inside(functions, subs, ordered, label)
    return Exact(ordered, subs, real, tuple(_exactly(_tidy_value, v) for v in values))


# Calls that are real wherever their real arguments are: nothing complex starts there.
_REAL_CALLS = frozenset(
    {"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "sech", "csch"}
    | {"atan", "asinh", "Abs", "sign", "erf", "erfc", "Max", "Min", "atan2", "FunctionSymbol"}
)


def _check_real_inside(
    functions: Sequence[Any], subs: _Substitution, point: Point, label: Callable[[int], str]
) -> None:
    """A complex value on the way to a real one is not real either: abs(log(x)) at x = -1 is
    |iπ| = π to SymEngine, but log(-1) is complex, as `eval --points` finds it (NaN). So
    every call or fractional power that can leave the reals (log, √, acosh, ...) is checked."""
    import symengine as se

    bad = []
    for i, f in enumerate(functions):
        for node in sorted(f.atoms(se.Function, se.Pow), key=_size):
            if type(node).__name__ in _REAL_CALLS:
                continue
            if node.is_Pow and (node.args[1].is_Integer or node.args[0] == se.E):
                continue
            if _is_complex(_exactly(subs, node)):
                bad.append(f"{label(i)} (through {node})")
                break
    _report(bad, point, "complex", ComplexError, ", although jac's variables are real")


def derivatives_at(matrix: Sparse, at: Exact, singular: Mapping[Cell, str], label: Label) -> Sparse:
    """The entries of a matrix of derivatives at the point, exact and checked: an entry at a
    kink (`singular`, from `kink._singular_cells`), undefined or complex is an error naming
    it by `label` (the kinks first), with the kink's reason when one reason explains them all.
    J(a) for eval, ∇f, the Hessian's ∂²f/∂x∂y and J·v all go through here."""
    rows: list[SparseRow] = []
    undefined: list[Cell] = []
    found: list[tuple[str, Any]] = []
    for i, row in enumerate(matrix.rows):
        entries = []
        for j, e in row:
            if (i, j) in singular:
                continue
            value = _delta_values(_exactly(at.subs, e))
            if _undefined(value):
                undefined.append((i, j))
                continue
            value = _exactly(_tidy_value, value)
            if value != 0:
                entries.append((j, value))
                found.append((label(i, j), value))
        rows.append(tuple(entries))
    reasons = sorted(set(singular.values()))
    if singular and not undefined and len(reasons) == 1:  # one kink explains them all
        kinked = [label(*c) for c in sorted(singular)]
        _report(kinked, at.point, "undefined", UndefinedError, f": {reasons[0]}")
    bad = [f"{label(*c)} ({singular[c]})" for c in sorted(singular)]
    _report_undefined([*bad, *(label(*c) for c in undefined)], at.point)
    if at.real:
        _check_real(found, at.point)
    return Sparse(matrix.shape, tuple(rows))


def finished(sparse: Sparse, simplify: bool, digits: int | None) -> Sparse:
    """Entries simplified if asked, then rounded to `digits` significant digits if asked."""
    if simplify:
        sparse = sparse.mapped(simplify_expr)
    if digits is not None:
        sparse = sparse.mapped(lambda e: evaluate_number(e, digits))
    return sparse


def _at_point(
    functions: Sequence[Any], variables: Sequence[Any], point: Point
) -> tuple[tuple[Any, ...], Sparse]:
    """F(a) and J(a), exact, each checked: defined, differentiable, real."""
    at = _checked(functions, point, lambda i: f"f{i + 1}")

    def label(i: int, j: int) -> str:
        return f"J[{i + 1},{j + 1}] = ∂f{i + 1}/∂{variables[j].name}"

    singular = _singular_cells(functions, variables, at.subs)
    jacobian = derivatives_at(differentiate(functions, variables), at, singular, label)
    return at.values, jacobian


def _tidy_value(value: Any) -> Any:
    """A value at a point, expanded where that is shorter: rho - (-1 + rho) → 1.

    It is a value, not a formula the user typed, so its form is jac's to choose; the
    expansion is skipped when it would create more than EXPANSION_LIMIT terms.
    """
    if value.is_Number or value.is_Symbol:
        return value
    if _cancels(value):
        import symengine as se

        return se.Integer(0)
    expanded = _bounded_expand(value)
    return expanded if expanded is not None and _size(expanded) < _size(value) else value


CANCEL_LIMIT = 2_000  # characters of a constant sum of fractions that `_cancels` looks at


def _cancels(value: Any) -> bool:
    """Whether a constant sum of fractions is 0 over its common denominator, its calls and
    roots taken as unknowns, and that denominator is not 0.

    Max and Min differentiate through |u| into ratios such as (1/2)(3/2 − ln(3/20))/u² +
    (1/2)/u with u = −3/2 + ln(3/20), which is 0 but which neither SymEngine nor expansion
    cancels: the Hessian of e − max(ln y, x − 1/2) showed such entries, and --digits called
    them "may be exactly zero". A numerator that expands to 0 as a polynomial in the calls
    is 0 whatever they are worth; the denominator must evaluate to a number that is not 0
    (else 0/0 is undefined, and the value is left as it is).
    """
    import symengine as se

    if value.free_symbols or not value.is_Add or _size(value) > CANCEL_LIMIT:
        return False
    if not any(p.args[1].is_negative and p.args[0].is_Add for p in value.atoms(se.Pow)):
        return False  # no sum in a denominator: expanding finds what cancels
    numerator, denominator = value.as_numer_denom()
    if denominator == 0 or _bounded_expand(numerator) != 0:
        return False
    try:
        with kept_range():  # the Evaluator widens MPFR's range: not for the checks after
            evaluate_number(denominator, 5)
    except (PrecisionError, LimitError):
        return False  # 0/0, or no number to tell
    return True


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


def _solve_at(
    functions: Sequence[Any], variables: Sequence[Any] | None, point: Mapping[Any, Any]
) -> tuple[Header, Point, tuple[Any, ...], Sparse]:
    """The result's header, the point in order, and F(a) and J(a) there, exact and checked."""
    head = header(functions, variables)
    ordered = _order_point(functions, head["variables"], point)
    return (head, ordered, *_at_point(functions, head["variables"], ordered))


def evaluate(
    functions: Exprs,
    variables: Symbols | None,
    point: Values,
    *,
    digits: Digits = None,
    simplify: bool = False,
) -> EvaluationResult:
    """J at `point`, exact unless `digits` asks for that many significant digits."""
    head, ordered, _, sparse = _solve_at(functions, variables, point)
    if simplify:
        sparse = sparse.mapped(simplify_expr)
    if digits is not None:
        sparse = sparse.mapped(lambda e: evaluate_number(e, digits))
    return EvaluationResult(**head, point=ordered, sparse=sparse, digits=digits)


def linearize(
    functions: Exprs,
    variables: Symbols | None,
    point: Values,
    *,
    digits: Digits = None,
    simplify: bool = False,
) -> LinearizationResult:
    """F(a), J(a) and L(x) = F(a) + J(a)(x − a), each L_i an affine expression."""
    head, ordered, value, sparse = _solve_at(functions, variables, point)
    if simplify:
        value = tuple(simplify_expr(v) for v in value)
        sparse = sparse.mapped(simplify_expr)
    at = dict(ordered)
    lin = tuple(
        _affine(fa, row, head["variables"], at) for fa, row in zip(value, sparse.rows, strict=True)
    )
    if digits is not None:
        value = tuple(evaluate_number(v, digits) for v in value)
        lin = tuple(evaluate_number(e, digits) for e in lin)
        sparse = sparse.mapped(lambda e: evaluate_number(e, digits))
    return LinearizationResult(
        **head, point=ordered, value=value, sparse=sparse, linearization=lin, digits=digits
    )
