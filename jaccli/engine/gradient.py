"""∇f: the gradient of one scalar function, as a column.

In jac's layout J has one row per component, so the Jacobian of a scalar f is the row ∇fᵀ;
the gradient is that row stood up, with the same entries (`derivatives.differentiate`).

At a point the entries are exact and checked as `eval` checks J(a): f defined and real
there, no entry at a kink (|x| at x = 0), none undefined or complex. `exact_point` and
`derivatives_at` do that for any matrix of derivatives, with the caller's labels for the
entries, so that the Hessian's messages say ∂²f/∂x∂y where eval's say J[1,2].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from jaccli.engine.derivatives import differentiate
from jaccli.engine.kink import _singular_cells
from jaccli.engine.point import (
    _check_defined,
    _check_real,
    _delta_values,
    _exactly,
    _order_point,
    _real_point,
    _report,
    _report_undefined,
    _Substitution,
    _tidy_value,
    _undefined,
)
from jaccli.engine.precision import evaluate_number
from jaccli.engine.results import GradientResult, Part, Point, Sparse, SparseRow
from jaccli.engine.simplify import simplify_expr
from jaccli.engine.variables import header
from jaccli.errors import UndefinedError, UsageError

Cell = tuple[int, int]  # (row, column) of a matrix, from 0
Label = Callable[[int, int], str]  # how a message names the entry in a cell

LAYOUT_NOTE = "∇f is a column: in jac's layout the Jacobian of f is the row ∇fᵀ"


def scalar_only(functions: Sequence[Any]) -> None:
    """A gradient is of one scalar function: several components are the Jacobian's job."""
    if len(functions) != 1:
        m = len(functions)
        raise UsageError(
            f"a gradient is of one scalar function, and F has {m} components: their gradients "
            "are the rows of their Jacobian (jacobian)"
        )


def variable_labels(variables: Sequence[Any]) -> tuple[str, ...]:
    return tuple(str(v.name) for v in variables)


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
    ordered = _order_point(functions, variables, point)
    subs = _Substitution(dict(ordered))
    values = [_delta_values(_exactly(subs, f)) for f in functions]
    _check_defined(values, ordered, label)
    real = _real_point(ordered)
    if real:
        _check_real([(label(i), v) for i, v in enumerate(values)], ordered)
    return Exact(ordered, subs, real, tuple(_exactly(_tidy_value, v) for v in values))


def derivatives_at(matrix: Sparse, at: Exact, singular: Mapping[Cell, str], label: Label) -> Sparse:
    """The entries of a matrix of derivatives at the point, exact and checked: an entry at a
    kink (`singular`, from `kink._singular_cells`), undefined or complex is an error naming
    it by `label`, with the kink's reason when one reason explains them all."""
    rows: list[SparseRow] = []
    undefined: dict[Cell, str] = {cell: f" ({why})" for cell, why in singular.items()}
    found: list[tuple[str, Any]] = []
    for i, row in enumerate(matrix.rows):
        entries = []
        for j, e in row:
            if (i, j) in singular:
                continue
            value = _delta_values(_exactly(at.subs, e))
            if _undefined(value):
                undefined[(i, j)] = ""
                continue
            value = _exactly(_tidy_value, value)
            if value != 0:
                entries.append((j, value))
                found.append((label(i, j), value))
        rows.append(tuple(entries))
    reasons = set(singular.values())
    cells = sorted(undefined)
    if cells and len(reasons) == 1 and len(singular) == len(cells):
        why = f": {reasons.pop()}"
        _report([label(*c) for c in cells], at.point, "undefined", UndefinedError, why)
    _report_undefined([label(*c) + undefined[c] for c in cells], at.point)
    if at.real:
        _check_real(found, at.point)
    return Sparse(matrix.shape, tuple(rows))


def digits_need_point(digits: int | None, point: Mapping[Any, Any] | None) -> None:
    """{digits} rounds values at a point; without one it would round exponents (y**2.00)."""
    if digits is not None and point is None:
        raise UsageError("{digits} rounds the values at a point: give the point with {at}")


def finished(sparse: Sparse, simplify: bool, digits: int | None) -> Sparse:
    """Entries simplified if asked, then rounded to `digits` significant digits if asked."""
    if simplify:
        sparse = sparse.mapped(simplify_expr)
    if digits is not None:
        sparse = sparse.mapped(lambda e: evaluate_number(e, digits))
    return sparse


def gradient(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    point: Mapping[Any, Any] | None = None,
    digits: int | None = None,
    simplify: bool = False,
) -> GradientResult:
    """∇f of the one function f by `variables` (every free symbol if None), as a column;
    at `point`, exact and checked as eval checks J(a), rounded to `digits` if given."""
    scalar_only(functions)
    digits_need_point(digits, point)
    head = header(functions, variables)
    names = variable_labels(head["variables"])
    row = differentiate(functions, head["variables"])
    ordered = None
    if point is not None:
        at = exact_point(functions, head["variables"], point, lambda _: "f")
        singular = _singular_cells(functions, head["variables"], at.subs)
        row = derivatives_at(row, at, singular, lambda _, j: f"∂f/∂{names[j]}")
        ordered = at.point
    by = dict(row.rows[0])
    column = Sparse(
        (len(names), 1), tuple(((0, by[j]),) if j in by else () for j in range(len(names)))
    )
    part = Part("gradient", "∇f", "\\nabla f", finished(column, simplify, digits), names, ("",))
    return GradientResult(**head, parts=(part,), point=ordered, digits=digits, notes=(LAYOUT_NOTE,))
