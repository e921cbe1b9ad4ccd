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
    from typing import Unpack

    from symengine import Basic as Expr
    from symengine import Symbol

    from jaccli.engine import (
        ChainResult,
        DeterminantResult,
        EvaluationResult,
        GradientResult,
        HessianResult,
        JacobianResult,
        JvpResult,
        LinearizationResult,
        Result,
        VjpResult,
    )
    from jaccli.engine.check import CheckReport
    from jaccli.engine.products import Vector
    from jaccli.problem import PointText, Problem, ShapesText

__all__ = [
    "JacWarning",
    "chain",
    "check",
    "det",
    "evaluate",
    "grad",
    "hessian",
    "jacobian",
    "jvp",
    "linearize",
    "vjp",
]

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
    log: bool = False,
    explain: bool = False,
    **budget: Unpack[Budget],
) -> DeterminantResult:
    """det J, simplified; with `at`, its exact value there (`digits`: rounded) and what it
    means (`.meaning`). `log=True` adds log|det J| and its sign (`.log_abs`, `.sign`);
    `explain=True` (with `at`) reads the result in words (`.explanation`)."""
    from jaccli import engine
    from jaccli.engine.explain import explaining

    determinant = explaining(engine.determinant, explain)
    return _solve(
        functions,
        vars,
        at,
        lambda p, point: determinant(
            p.functions, p.variables, point=point, simplify=simplify, digits=digits, log=log
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
    explain: bool = False,
    **options: Unpack[AtPoint],
) -> EvaluationResult:
    """J at the point `at` ("x=-1,y=2" or {"x": -1, "y": 2}): exact, or to `digits` digits.

    A vector or matrix declared in `shape` is given whole ("x=[1,2]") or by entries ("x[1]=1").
    `explain=True` reads J in words (`.explanation`).
    """
    from jaccli import engine
    from jaccli.engine.explain import explaining

    method = explaining(engine.evaluate, explain)
    return _at(method, functions, vars, at, options, shape, abstract)


def linearize(
    functions: Functions,
    vars: Variables = None,
    *,
    at: PointText,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    explain: bool = False,
    **options: Unpack[AtPoint],
) -> LinearizationResult:
    """F(a), J(a) and L(x) = F(a) + J(a)(x − a) at the point `at`; `explain=True` reads L
    in words (`.explanation`)."""
    from jaccli import engine
    from jaccli.engine.explain import explaining

    method = explaining(engine.linearize, explain)
    return _at(method, functions, vars, at, options, shape, abstract)


def jvp(
    functions: Functions,
    vars: Variables = None,
    *,
    dir: Vector,
    at: PointText | None = None,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    **options: Unpack[AtPoint],
) -> JvpResult:
    """J·v without forming J: the one derivative d/dε F(x + εv) at ε = 0 (forward mode).

    `dir` is v, one entry per variable: text as the command line's --dir ("1,0", "x=1,y=0",
    "a,b", "[1,0,2]"), a sequence ([1, 0]) or a mapping by name ({"x": 1, "y": 0}, and with
    a shape {"x": [1, 0, 2]}). With `at`, its exact value there (`digits`: rounded).
    """
    from jaccli.engine import products

    return _product(products.jvp, "dir", dir, functions, vars, at, options, shape, abstract)


def vjp(
    functions: Functions,
    vars: Variables = None,
    *,
    cot: Vector,
    at: PointText | None = None,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    **options: Unpack[AtPoint],
) -> VjpResult:
    """uᵀJ without forming J: the gradient of the one scalar uᵀF (reverse mode).

    `cot` is u, one entry per component of F (per entry of a vector or matrix component),
    given as `dir` is to `jvp`; by name, the rows are f1, f2, ... ({"f1": 1, "f2": 0}).
    """
    from jaccli.engine import products

    return _product(products.vjp, "cot", cot, functions, vars, at, options, shape, abstract)


def _product(
    method: Callable[..., R],
    input: str,
    vector: Vector,
    functions: Functions,
    variables: Variables,
    at: PointText | None,
    options: AtPoint,
    shape: ShapesText | None,
    abstract: str | Sequence[str] | None,
) -> R:
    """jvp and vjp: v or u read as the command line reads it, with F's shapes and limits."""
    from jaccli.engine.products import read_vector, vector_text

    _known(options, AtPoint)
    text = vector_text(vector, input)

    def compute(p: Problem, point: dict[Symbol, Expr] | None) -> R:
        vector = read_vector(text, p, input)
        digits, simplify = options.get("digits"), bool(options.get("simplify"))
        return method(
            p.functions, p.variables, vector, point=point, digits=digits, simplify=simplify
        )

    limits = Budget(timeout=options.get("timeout"), max_memory=options.get("max_memory"))
    return _solve(functions, variables, at, compute, limits, shape, abstract, stacklevel=4)


def grad(
    functions: Functions,
    vars: Variables = None,
    *,
    at: PointText | None = None,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    **options: Unpack[AtPoint],
) -> GradientResult:
    """∇f of one scalar function f, as a column (in jac's layout its Jacobian is the row
    ∇fᵀ; several functions are `jacobian`'s). With `at`, its exact value there."""
    from jaccli import engine

    return _derivatives(engine.gradient, functions, vars, at, options, shape, abstract)


def hessian(
    functions: Functions,
    vars: Variables = None,
    *,
    constraints: str | Sequence[str] | None = None,
    at: PointText | None = None,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    **options: Unpack[AtPoint],
) -> HessianResult:
    """The Hessian of each component of F (`.parts[i].matrix`), symmetric; with `constraints`
    ("x+y-1", each meaning g = 0, read like F), bordered in SymPy's layout
    [[0, ∂g/∂x], [(∂g/∂x)ᵀ, H]]. With `at`, its exact value there (`digits`: rounded)."""
    from jaccli import engine
    from jaccli.engine.hessian import read_constraints

    if constraints is None:
        return _derivatives(engine.hessian, functions, vars, at, options, shape, abstract)
    _check_text(constraints, "constraints")
    text = constraints if isinstance(constraints, str) else "\n".join(constraints)
    return _derivatives(
        engine.hessian,
        functions,
        vars,
        at,
        options,
        shape,
        abstract,
        lambda p: {"constraints": read_constraints(text, p)},
    )


def _derivatives(
    method: Callable[..., R],
    functions: Functions,
    variables: Variables,
    at: PointText | None,
    options: AtPoint,
    shape: ShapesText | None,
    abstract: str | Sequence[str] | None,
    more: Callable[[Problem], dict[str, object]] = lambda _: {},
) -> R:
    """grad and hessian: `method(F, x, point=..., digits=..., simplify=..., **more(F))`."""
    _known(options, AtPoint)
    digits, simplify = options.get("digits"), bool(options.get("simplify"))
    return _solve(
        functions,
        variables,
        at,
        lambda p, point: method(
            p.functions, p.variables, point=point, digits=digits, simplify=simplify, **more(p)
        ),
        Budget(timeout=options.get("timeout"), max_memory=options.get("max_memory")),
        shape,
        abstract,
        stacklevel=4,
    )


def check(
    result: Result,
    *,
    tolerance: float | None = None,
    points: int = 3,
    seed: int = 0,
    seconds: float | None = 0.5,
) -> CheckReport:
    """`result` (of any function here) compared with finite differences of its functions:
    a complex step where they are analytic, else central differences, at 77 digits.

    At the result's point, or at `points` random points (drawn with `seed`; parameters get
    random values too). `report.passed`, `report.max_error`, `report.points` (as `at=`
    takes them) and `str(report)` say how it went; `report.error()` is the CheckError the
    command line exits 1 with, or None. Big results are sampled for `seconds` (None: every
    entry). `tolerance` is relative: 1e-8, or 10^(1−N) for a result rounded to N digits.

        >>> jaccli.check(jaccli.jacobian("x*y, x+y", vars="x,y")).passed
        True
    """
    from jaccli.engine.check import check as compare

    return compare(result, points=points, tolerance=tolerance, seed=seed, seconds=seconds)


def chain(
    outer: Functions,
    vars: Variables = None,
    *,
    of: Functions,
    of_vars: Variables = None,
    at: PointText | None = None,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    digits: int | None = None,
    simplify: bool | None = None,
    **budget: Unpack[Budget],
) -> ChainResult:
    """The chain rule for G (`outer`, in `vars` u) applied to H (`of`, in `of_vars` x):
    `.parts` are J_G(u), J_G(H(x)), J_H(x) and their product J_{G∘H}(x) (`.matrix`), with
    det J_{G∘H} = det J_G(H(x))·det J_H(x) for square ones; `.facts` say how the product was
    proved equal to the Jacobian of G(H(x)). G or H may be a preset ("polar", "spherical",
    "polar-inverse", ...). `at` gives x; `simplify=None` simplifies unless the matrices are big.
    """
    from jaccli import budget as budgets
    from jaccli import engine
    from jaccli.engine.presets import read_chain
    from jaccli.parse import limits_from_env

    for text, name in ((outer, "functions"), (of, "of")):
        _check_text(text, name)
        if "-" in ([text] if isinstance(text, str) else text):
            raise UsageError("'-' stands for stdin on the command line: give the functions' text")
    for names, name in ((vars, "vars"), (of_vars, "of_vars")):
        if names is not None:
            _check_text(names, name)
    _known(budget, Budget)
    limits = limits_from_env(os.environ)

    def work() -> tuple[ChainResult, tuple[str, ...]]:
        p = read_chain(outer, vars, of, of_vars, limits=limits, shapes=shape, abstract=abstract)
        point = p.at(at) if at is not None else None
        result = engine.chain(
            p.outer.functions,
            p.outer_variables,
            p.functions,
            p.variables,
            point=point.values if point else None,
            digits=digits,
            simplify=simplify,
            assume=p.assume,
        )
        return result, p.warnings + (point.warnings if point else ())

    seconds, memory = _budget(budget.get("timeout"), budget.get("max_memory"))
    return _warned(lambda: budgets.run(work, budgets.Budget(seconds, memory)))


def _warned(run: Callable[[], tuple[R, tuple[str, ...]]], stacklevel: int = 4) -> R:
    """`run()`'s result; its errors with a caret noted (Python 3.11), its warnings warned."""
    from jaccli.parse import format_error

    try:
        result, found = run()
    except JacError as e:
        if e.location is not None:
            e.add_note(format_error(e, PYTHON_NAMES))
        raise
    for warning in found:
        warnings.warn(worded(warning, PYTHON_NAMES), JacWarning, stacklevel=stacklevel)
    return result


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
        result = compute(problem, point.values if point else None)
        return result, found + result.warnings

    try:
        result, found = budget.run(work, budget.Budget(seconds, memory))
    except JacError as e:
        if e.location is not None:  # the note is shown by tracebacks
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
