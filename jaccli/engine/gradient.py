"""∇f: the gradient of one scalar function, as a column.

In jac's layout J has one row per component, so the Jacobian of a scalar f is the row ∇fᵀ;
the gradient is that row stood up, with the same entries (`derivatives.differentiate`).

At a point the entries are exact and checked as `eval` checks J(a): f defined and real
there, no entry at a kink (|x| at x = 0), none undefined or complex: `point.exact_point` and
`point.derivatives_at`, with this command's labels for the entries (∂f/∂x).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jaccli.engine.derivatives import differentiate
from jaccli.engine.kink import _singular_cells
from jaccli.engine.point import derivatives_at, exact_point, finished
from jaccli.engine.results import GradientResult, Part, Sparse
from jaccli.engine.variables import header
from jaccli.errors import UsageError

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


def digits_need_point(digits: int | None, point: Mapping[Any, Any] | None) -> None:
    """{digits} rounds values at a point; without one it would round exponents (y**2.00)."""
    if digits is not None and point is None:
        raise UsageError("{digits} rounds the values at a point: give the point with {at}")


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
