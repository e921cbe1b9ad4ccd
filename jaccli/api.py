"""The Python API: jac's commands as functions, for scripts and notebooks.

    >>> import jaccli
    >>> jaccli.jacobian("x+y, x*y", vars="x,y").matrix
    ((1, 1), (y, x))

The same parser, limits and errors as the command line (messages name `vars=` and `at=`
where the CLI says --vars and --at); likely typos are Python warnings (`JacWarning`).
Nothing forks unless a budget is asked for: `timeout=` (seconds) or `max_memory=` ("4G").
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypedDict, TypeVar, Union

from jaccli.errors import PYTHON_NAMES, JacError, JacWarning, UsageError, worded

if TYPE_CHECKING:
    from symengine import Basic as Expr
    from symengine import Symbol
    from typing_extensions import Unpack  # in typing from Python 3.11

    from jaccli.engine import (
        DeterminantResult,
        EvaluationResult,
        JacobianResult,
        LinearizationResult,
        Result,
    )
    from jaccli.problem import PointText, Problem, ShapesText

__all__ = ["JacWarning", "det", "evaluate", "jacobian", "linearize"]

Functions = Union[str, Sequence[str]]  # noqa: UP007  "x+y, x*y", or one text per component
Variables = Union[str, Sequence[str], None]  # noqa: UP007  "x,y" or ["x", "y"]; None: inferred
R = TypeVar("R", bound="Result")


class Budget(TypedDict, total=False):
    """A time and memory budget; without one the work runs in this process."""

    timeout: float | None  # seconds (0 or None: no limit)
    max_memory: int | str | None  # bytes, or "512M", "4G" (0 or None: no limit)


class AtPoint(Budget, total=False):
    """Options of the answers at a point."""

    digits: int | None  # significant digits; None: exact
    simplify: bool


def jacobian(
    functions: Functions,
    vars: Variables = None,
    *,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    simplify: bool = False,
    index: bool = False,
    **budget: Unpack[Budget],
) -> JacobianResult:
    """J[i][j] = ∂F_i/∂x_j, as differentiated (`simplify=True` tidies each entry).

    `shape` declares vectors and matrices ("W=3x2,x=2" or {"W": (3, 2), "x": 2}); then J is
    also given in matrix form where jac recognises it (`.matrix_form`). `abstract` declares
    functions with no formula ("g,h"): the derivative of g(u) is g'(u). `index=True` gives
    each block in index notation too (`.matrix_form[0].index`).
    """
    from jaccli import engine

    return _solve(
        functions,
        vars,
        None,
        lambda p, _: engine.jacobian(
            p.functions, p.variables, simplify=simplify, structure=p.structure, index=index
        ),
        budget,
        shape,
        abstract,
    )


def det(
    functions: Functions,
    vars: Variables = None,
    *,
    at: PointText | None = None,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    digits: int | None = None,
    simplify: bool = True,
    **budget: Unpack[Budget],
) -> DeterminantResult:
    """det J, simplified; with `at`, its exact value there (`digits`: rounded)."""
    from jaccli import engine

    return _solve(
        functions,
        vars,
        at,
        lambda p, point: engine.determinant(
            p.functions, p.variables, point=point, simplify=simplify, digits=digits
        ),
        budget,
        shape,
        abstract,
    )


def evaluate(
    functions: Functions,
    vars: Variables = None,
    *,
    at: PointText,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    **options: Unpack[AtPoint],
) -> EvaluationResult:
    """J at the point `at` ("x=-1,y=2" or {"x": -1, "y": 2}): exact, or to `digits` digits.

    A vector or matrix declared in `shape` is given whole ("x=[1,2]") or by entries ("x[1]=1").
    """
    from jaccli import engine

    return _at(engine.evaluate, functions, vars, at, options, shape, abstract)


def linearize(
    functions: Functions,
    vars: Variables = None,
    *,
    at: PointText,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    **options: Unpack[AtPoint],
) -> LinearizationResult:
    """F(a), J(a) and L(x) = F(a) + J(a)(x − a) at the point `at`."""
    from jaccli import engine

    return _at(engine.linearize, functions, vars, at, options, shape, abstract)


Compute = Callable[["Problem", "dict[Symbol, Expr] | None"], R]


def _at(
    method: Callable[..., R],
    functions: Functions,
    variables: Variables,
    at: PointText,
    options: AtPoint,
    shape: ShapesText | None,
    abstract: str | Sequence[str] | None,
) -> R:
    """evaluate and linearize: `method(F, x, a, digits=..., simplify=...)`."""
    _known(options, AtPoint)
    digits, simplify = options.get("digits"), bool(options.get("simplify"))
    budget = Budget(timeout=options.get("timeout"), max_memory=options.get("max_memory"))
    return _solve(
        functions,
        variables,
        at,
        lambda p, point: method(
            p.functions, p.variables, point or {}, digits=digits, simplify=simplify
        ),
        budget,
        shape,
        abstract,
        stacklevel=4,
    )


def _solve(
    functions: Functions,
    variables: Variables,
    at: PointText | None,
    compute: Compute[R],
    budget_options: Budget,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    stacklevel: int = 3,  # warnings point at the caller of the public function
) -> R:
    """Read the problem and compute, within a budget if one is given; warn about typos.

    The input limits are the command line's, JAC_MAX_* environment variables included.
    """
    from jaccli import budget
    from jaccli.parse import format_error, limits_from_env
    from jaccli.problem import read

    _check_text(functions, "functions")
    if "-" in ([functions] if isinstance(functions, str) else functions):
        raise UsageError("'-' stands for stdin on the command line: give the functions' text")
    if variables is not None:
        _check_text(variables, "vars")
    _known(budget_options, Budget)
    seconds, memory = _budget(budget_options.get("timeout"), budget_options.get("max_memory"))
    limits = limits_from_env(os.environ)

    def work() -> tuple[R, tuple[str, ...]]:
        problem = read(functions, variables, limits=limits, shapes=shape, abstract=abstract)
        point = problem.at(at) if at is not None else None
        found = problem.warnings + (point.warnings if point else ())
        return compute(problem, point.values if point else None), found

    try:
        result, found = budget.run(work, budget.Budget(seconds, memory))
    except JacError as e:
        if e.location is not None and hasattr(e, "add_note"):  # Python 3.11: shown by tracebacks
            e.add_note(format_error(e, PYTHON_NAMES))
        raise
    for warning in found:
        warnings.warn(worded(warning, PYTHON_NAMES), JacWarning, stacklevel=stacklevel)
    return result


def _known(options: Budget, allowed: type[Budget]) -> None:
    """Keyword arguments gathered by `**options` that the function does not take."""
    unknown = sorted(set(options) - set(allowed.__annotations__))
    if unknown:
        raise TypeError(f"unexpected keyword argument {unknown[0]!r}")


def _check_text(value: object, name: str) -> None:
    """Functions and variables are text jac parses: never Python objects to convert."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not all(isinstance(v, str) for v in items):
        raise TypeError(f"{name} must be a string or a sequence of strings, as typed")


def _budget(timeout: object, max_memory: object) -> tuple[float | None, int | None]:
    """The budget as the command line reads it: the same checks and the same UsageErrors."""
    from jaccli import budget

    for name, value, text_too in (("timeout", timeout, False), ("max_memory", max_memory, True)):
        if value is None or (text_too and isinstance(value, str)):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kinds = "a number or text such as '4G'" if text_too else "a number of seconds"
            raise TypeError(f"{name} must be {kinds} (0 or None: no limit)")
    seconds = None if timeout is None else budget.parse_timeout(repr(timeout))
    memory = None if max_memory is None else budget.parse_memory(str(max_memory))
    return seconds, memory
