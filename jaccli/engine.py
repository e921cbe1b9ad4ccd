"""The mathematics: pure functions from expressions to frozen result objects.

Nothing here prints, exits or knows about options; bad requests raise the
`jaccli.errors` classes. Results keep exact SymPy expressions, and rendering
them is the job of `jaccli.render`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jaccli.errors import ShapeError, UndefinedError, UsageError

Matrix = tuple[tuple[Any, ...], ...]  # rows of SymPy expressions
Point = tuple[tuple[Any, Any], ...]  # (symbol, value) pairs in the order shown to users


@dataclass(frozen=True)
class JacobianResult:
    """J[i][j] = ∂F_i/∂x_j."""

    functions: tuple[Any, ...]
    variables: tuple[Any, ...]
    matrix: Matrix
    variables_inferred: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.functions), len(self.variables))


@dataclass(frozen=True)
class DeterminantResult:
    """det J, symbolic or at `point`."""

    functions: tuple[Any, ...]
    variables: tuple[Any, ...]
    determinant: Any
    point: Point | None = None
    digits: int | None = None
    variables_inferred: bool = False


@dataclass(frozen=True)
class EvaluationResult:
    """J at a point: exact, or rounded to `digits` significant digits."""

    functions: tuple[Any, ...]
    variables: tuple[Any, ...]
    point: Point
    matrix: Matrix
    digits: int | None = None
    variables_inferred: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.functions), len(self.variables))


@dataclass(frozen=True)
class LinearizationResult:
    """L(x) = F(a) + J(a)(x − a), with F(a) and J(a)."""

    functions: tuple[Any, ...]
    variables: tuple[Any, ...]
    point: Point
    value: tuple[Any, ...]
    matrix: Matrix
    linearization: tuple[Any, ...]
    digits: int | None = None
    variables_inferred: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.functions), len(self.variables))


Result = JacobianResult | DeterminantResult | EvaluationResult | LinearizationResult


# --------------------------------------------------------------------------- variables


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key that puts x2 before x10: digit runs compare as numbers."""
    parts = re.split(r"([0-9]+)", name)
    return (*((int(p) if i % 2 else p.casefold()) for i, p in enumerate(parts)), name)


def infer_variables(functions: Sequence[Any]) -> tuple[Any, ...]:
    """Every free symbol of the functions, in natural order."""
    found: set[Any] = set()
    for f in functions:
        found |= f.free_symbols
    if not found:
        raise UsageError("the functions have no variables: name them with --vars")
    return tuple(sorted(found, key=lambda s: natural_key(s.name)))


def _variables(
    functions: Sequence[Any], variables: Sequence[Any] | None
) -> tuple[tuple[Any, ...], bool]:
    if variables is None:
        return infer_variables(functions), True
    if not variables:
        raise UsageError("--vars is empty")
    return tuple(variables), False


# --------------------------------------------------------------------------- core


def simplify_expr(expr: Any) -> Any:
    """A predictable simplification: factor, then tidy each trigonometric factor on its own.

    `sympy.simplify` tries everything on the whole expression and took 15 s on the
    determinant of a 2×2 tanh layer. Factoring first is cheap, exposes small factors
    such as sin(p)**2 + cos(p)**2, and `trigsimp` on one small factor is fast. The
    shortest of the original, the factored and the tidied form is kept.
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

    factored = sympy.factor(expr)
    tidied = sympy.Mul(*(tidy(f) for f in sympy.Mul.make_args(factored)))
    return min((expr, factored, tidied), key=sympy.count_ops)


def _differentiate(functions: Sequence[Any], variables: Sequence[Any], simplify: bool) -> Matrix:
    import sympy

    zero = sympy.S.Zero
    rows = []
    for f in functions:
        present = f.free_symbols
        row = [f.diff(v) if v in present else zero for v in variables]
        if simplify:
            row = [simplify_expr(e) for e in row]
        rows.append(tuple(row))
    return tuple(rows)


def jacobian(
    functions: Sequence[Any], variables: Sequence[Any] | None = None, *, simplify: bool = False
) -> JacobianResult:
    """The Jacobian of `functions` with respect to `variables` (all free symbols if None)."""
    vars_, inferred = _variables(functions, variables)
    matrix = _differentiate(functions, vars_, simplify)
    return JacobianResult(tuple(functions), vars_, matrix, inferred)


def _square(functions: Sequence[Any], variables: Sequence[Any]) -> None:
    m, n = len(functions), len(variables)
    if m != n:
        raise ShapeError(
            f"det needs a square Jacobian, but this one is {m}×{n} "
            f"({m} function{'s' if m != 1 else ''}, {n} variable{'s' if n != 1 else ''})"
        )


def _det(matrix: Matrix) -> Any:
    import sympy

    if not matrix:
        return sympy.S.One
    # Berkowitz needs no division, so symbolic entries stay polynomial in each other.
    return sympy.Matrix(matrix).det(method="berkowitz")


def determinant(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    point: Mapping[Any, Any] | None = None,
    simplify: bool = True,
    digits: int | None = None,
) -> DeterminantResult:
    """det J, simplified unless told not to; at `point` if given."""

    vars_, inferred = _variables(functions, variables)
    _square(functions, vars_)
    ordered = None
    if point is None:
        matrix = _differentiate(functions, vars_, simplify=False)
    else:
        ordered = _order_point(functions, vars_, point)
        matrix = _at_point(functions, vars_, ordered, simplify=False)
    det = _det(matrix)
    if simplify:
        det = simplify_expr(det)
    if point is not None:
        _check_defined([det], ordered, lambda i: "det J")
    if digits is not None:
        det = det.evalf(digits)
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
    known: set[Any] = set(variables)
    for f in functions:
        known |= f.free_symbols
    unknown = [s.name for s in point if s not in known]
    if unknown:
        raise UsageError(
            f"--at gives a value for {', '.join(unknown)}, which is not a variable or a "
            "parameter of the functions"
        )
    import sympy

    params = sorted(
        (s for s in point if s not in set(variables)), key=lambda s: natural_key(s.name)
    )
    # strict=True converts numbers only and refuses strings: no text is ever evaluated here.
    return tuple((s, sympy.sympify(point[s], strict=True)) for s in (*variables, *params))


def _substitute(expr: Any, point: Point) -> Any:
    # xreplace swaps symbols for values exactly and lets SymPy re-evaluate each node,
    # so 1/x at x=0 becomes zoo and (x*cos(x) - sin(x))/x**2 at 0 becomes nan.
    return expr.xreplace(dict(point))


def _substitute_matrix(matrix: Matrix, point: Point) -> Matrix:
    return tuple(tuple(_substitute(e, point) for e in row) for row in matrix)


def _undefined(value: Any) -> bool:
    import sympy

    return bool(value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo))


def _describe_point(point: Point | None) -> str:
    return ", ".join(f"{s.name}={v}" for s, v in point or ())


def _check_defined(values: Sequence[Any], point: Point | None, label: Any) -> None:
    bad = [label(i) for i, v in enumerate(values) if _undefined(v)]
    if bad:
        shown = ", ".join(bad[:4]) + (f" and {len(bad) - 4} more" if len(bad) > 4 else "")
        verb = "is" if len(bad) == 1 else "are"
        raise UndefinedError(f"{shown} {verb} undefined at {_describe_point(point)}")


def _entry_label(variables: Sequence[Any], n: int) -> Any:
    def label(k: int) -> str:
        i, j = divmod(k, n)
        return f"J[{i + 1},{j + 1}] = ∂f{i + 1}/∂{variables[j].name}"

    return label


def _at_point(
    functions: Sequence[Any], variables: Sequence[Any], point: Point, simplify: bool
) -> Matrix:

    matrix = _substitute_matrix(_differentiate(functions, variables, False), point)
    flat = [e for row in matrix for e in row]
    _check_defined(flat, point, _entry_label(variables, len(variables)))
    if simplify:
        matrix = tuple(tuple(simplify_expr(e) for e in row) for row in matrix)
    return matrix


def _round(matrix: Matrix, digits: int | None) -> Matrix:
    if digits is None:
        return matrix
    return tuple(tuple(e.evalf(digits) for e in row) for row in matrix)


def evaluate(
    functions: Sequence[Any],
    variables: Sequence[Any] | None,
    point: Mapping[Any, Any],
    *,
    digits: int | None = None,
    simplify: bool = False,
) -> EvaluationResult:
    """J at `point`, exact unless `digits` asks for that many significant digits."""
    vars_, inferred = _variables(functions, variables)
    ordered = _order_point(functions, vars_, point)
    matrix = _at_point(functions, vars_, ordered, simplify)
    return EvaluationResult(
        tuple(functions), vars_, ordered, _round(matrix, digits), digits, inferred
    )


def linearize(
    functions: Sequence[Any],
    variables: Sequence[Any] | None,
    point: Mapping[Any, Any],
    *,
    digits: int | None = None,
    simplify: bool = False,
) -> LinearizationResult:
    """F(a), J(a) and L(x) = F(a) + J(a)(x − a), each L_i expanded to an affine expression."""
    import sympy

    vars_, inferred = _variables(functions, variables)
    ordered = _order_point(functions, vars_, point)
    value = tuple(_substitute(f, ordered) for f in functions)
    _check_defined(value, ordered, lambda i: f"f{i + 1}")
    matrix = _at_point(functions, vars_, ordered, simplify)
    if simplify:
        value = tuple(simplify_expr(v) for v in value)
    at = dict(ordered)
    lin = tuple(
        sympy.expand(
            fa + sum((jij * (v - at[v]) for jij, v in zip(row, vars_, strict=True)), sympy.S.Zero)
        )
        for fa, row in zip(value, matrix, strict=True)
    )
    if digits is not None:
        value = tuple(v.evalf(digits) for v in value)
        lin = tuple(e.evalf(digits) for e in lin)
    return LinearizationResult(
        tuple(functions), vars_, ordered, value, _round(matrix, digits), lin, digits, inferred
    )


def numeric_values(matrix: Matrix) -> tuple[tuple[float, ...], ...] | None:
    """The matrix as floats when every entry is a finite real number, else None."""
    import math

    rows = []
    for row in matrix:
        out = []
        for e in row:
            if not e.is_number:
                return None
            v = e.evalf(17)
            if not v.is_real:
                return None
            try:
                f = float(v)
            except (TypeError, OverflowError):
                return None
            if not math.isfinite(f):
                return None
            out.append(f)
        rows.append(tuple(out))
    return tuple(rows)
