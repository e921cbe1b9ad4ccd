"""J·v and uᵀJ without forming J: one forward-mode and one reverse-mode derivative.

A JVP is one derivative by one new variable, d/dε F(x + εv) at ε = 0: every component is
moved along v and differentiated once, so J's n columns are never built. A VJP is the
gradient of the one scalar uᵀF, a row of n entries instead of J's m rows. Each result says
what the full J would have cost. At a point both are exact and checked as `evaluate`
checks J: defined, differentiable along v (the kinks of jaccli.engine.kink), real.

v and u are read here as well, with jac's parser (`read_vector`): values in order (`1,0`,
`[1,0,2]`), by name (`x=1,y=0`, `x=[1,0,2]`; the rows of J for u, `f1=1,f2=0`), and
symbols (`a,b`: J·v in terms of a and b).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

from jaccli.engine.derivatives import atan2_nodes, by_symengine, diff, differentiate
from jaccli.engine.kink import _singular_cells, kink_applies, kinks
from jaccli.engine.point import Cell, _Substitution, derivatives_at, exact_point, finished
from jaccli.engine.results import JvpResult, Part, Sparse, VjpResult
from jaccli.engine.variables import header
from jaccli.errors import JacError, UsageError

if TYPE_CHECKING:
    from symengine import Expr

    from jaccli.problem import Problem

# v or u: the entries in order, or by name (a variable's name for v, a row's f1, f2 for u).
Vector = Union[Sequence[Any], Mapping[Any, Any]]  # noqa: UP007
# The step along v, and u's entries that depend on x while uᵀF is differentiated: names no
# input can spell, so they never meet a user's symbol (SymPy keeps a symbol by its name).
_STEP = "ε@jvp"


def jvp(
    functions: Sequence[Expr],
    variables: Sequence[Any] | None,
    direction: Vector,
    *,
    point: Mapping[Any, Any] | None = None,
    digits: int | None = None,
    simplify: bool = False,
) -> JvpResult:
    """J·v = d/dε F(x + εv) at ε = 0: each component moved along v, differentiated once.

    `direction` has one entry per variable, in order or by name; its entries may be
    symbols, even the variables (v = x gives Σ_j x_j ∂F/∂x_j).
    """
    import symengine as se

    head = header(functions, variables)
    xs = head["variables"]
    m, n = len(functions), len(xs)
    v = _resolved(direction, [x.name for x in xs], "dir", "columns", "variable")
    step = se.Symbol(_STEP)
    # Simultaneous: x → x + εv with v as given, even where v holds the variables.
    shift = {x: x + step * vj for x, vj in zip(xs, v, strict=True) if vj != 0}
    moved = [f.subs(shift) if shift else f for f in functions]  # F(x + εv)
    zero = se.Integer(0)
    # One walk of F (smaller than F(x + εv)) says whether SymPy or jac's rules are needed
    # (abs, sign, declared functions) and whether F has atan2 at all; only then are the
    # moved components walked for their atan2 calls, which the shift made calls of sums.
    kinds = [by_symengine(f, moved=True) for f in functions]
    if any(calls is None for calls in kinds):
        derivatives = differentiate(moved, (step,)).rows  # one column: d/dε, then ε = 0
        entries = [(row[0][1].subs({step: zero}) if row else zero) for row in derivatives]
    else:  # SymEngine alone, without differentiate's look at each variable
        entries = [
            diff(f, step, atan2_nodes(f) if calls else ()).subs({step: zero})
            for f, calls in zip(moved, kinds, strict=True)
        ]
    column = Sparse((m, 1), tuple(((0, e),) if e != 0 else () for e in entries))
    labels = [f"∂{row}/∂v" for row in _rows(m)]
    ordered = None
    if point is not None:
        at = exact_point((*functions, *v), xs, point, lambda i: (_rows(m) + _named("v", v))[i])
        kinked = _kinks_along(moved, step, at.subs)
        column = derivatives_at(column, at, kinked, lambda i, _: labels[i])
        ordered, v = at.point, at.values[m:]
    column = finished(column, simplify, digits)
    part = Part("jvp", "J·v", "J v", column, _rows(m), ("",))
    cost = f"{_count(n, 'JVP')}, one per column, or {_count(m, 'VJP')}, one per row"
    note = f"One JVP (forward mode): d/dε F(x + εv) at ε = 0. The full {m}×{n} J would take {cost}."
    return JvpResult(
        **head,
        parts=(part,),
        point=ordered,
        digits=digits,
        given=(("direction", v),),
        notes=(note,),
        direction=v,
    )


def vjp(
    functions: Sequence[Expr],
    variables: Sequence[Any] | None,
    cotangent: Vector,
    *,
    point: Mapping[Any, Any] | None = None,
    digits: int | None = None,
    simplify: bool = False,
) -> VjpResult:
    """uᵀJ = ∇(uᵀF)ᵀ: the one scalar uᵀF, differentiated by each variable.

    `cotangent` has one entry per row of J (per component of F, or per entry of a vector
    or matrix component), in order or by row (f1, f2, ...). Entries that depend on the
    variables are held constant while uᵀF is differentiated: the result is u(x)ᵀJ(x).
    """
    import symengine as se

    head = header(functions, variables)
    xs = head["variables"]
    m, n = len(functions), len(xs)
    u = _resolved(cotangent, [f"f{i + 1}" for i in range(m)], "cot", "rows", "component of F")
    moving = set(xs)
    held = [se.Symbol(f"u{i}@vjp") if ui.free_symbols & moving else ui for i, ui in enumerate(u)]
    weighted = se.Add(*(w * f for w, f in zip(held, functions, strict=True)))  # uᵀF
    back = {w: ui for w, ui in zip(held, u, strict=True) if w is not ui}
    row = differentiate((weighted,), xs)
    row = row.mapped(lambda e: e.subs(back)) if back else row
    labels = [f"∂(uᵀF)/∂{x.name}" for x in xs]
    ordered = None
    if point is not None:
        at = exact_point((*functions, *u), xs, point, lambda i: (_rows(m) + _named("u", u))[i])
        kinked = _singular_cells((weighted,), xs, at.subs)
        row = derivatives_at(row, at, kinked, lambda _, j: labels[j])
        ordered, u = at.point, at.values[m:]
    row = finished(row, simplify, digits)
    part = Part("vjp", "uᵀJ", "u^{\\mathsf{T}} J", row, ("",), tuple(x.name for x in xs))
    cost = f"{_count(m, 'VJP')}, one per row, or {_count(n, 'JVP')}, one per column"
    note = f"One VJP (reverse mode): the gradient of uᵀF. The full {m}×{n} J would take {cost}."
    return VjpResult(
        **head,
        parts=(part,),
        point=ordered,
        digits=digits,
        given=(("cotangent", u),),
        notes=(note,),
        cotangent=u,
    )


# --------------------------------------------------------------------------- shared


def _rows(m: int) -> tuple[str, ...]:
    """What each row of J is: f when F has one component, else f1, f2, ..."""
    return ("f",) if m == 1 else tuple(f"f{i + 1}" for i in range(m))


def _count(k: int, what: str) -> str:
    return f"{k} {what}{'' if k == 1 else 's'}"


def _listed(names: Sequence[str]) -> str:
    return ", ".join(names) if len(names) <= 6 else f"{', '.join(names[:3])}, ..., {names[-1]}"


def _resolved(
    given: Vector, names: Sequence[str], input: str, sides: str, each: str
) -> tuple[Any, ...]:
    """The entries of v or u in the order of `names` (J's columns or rows), exact."""
    import symengine as se

    from jaccli.engine.bridge import _no_text

    where = f"{{{input}}}"
    if isinstance(given, Mapping):
        by_name = {str(getattr(k, "name", k)): e for k, e in given.items()}
        unknown = [k for k in by_name if k not in names]
        if unknown:
            verb = "is" if len(unknown) == 1 else "are"
            raise UsageError(
                f"{where} gives {', '.join(unknown)}, which {verb} not among J's {sides} "
                f"({_listed(names)})"
            )
        missing = [k for k in names if k not in by_name]
        if missing:
            raise UsageError(f"{where} gives no value for {_listed(missing)}")
        entries = [by_name[k] for k in names]
    else:
        entries = list(given)
        if len(entries) != len(names):
            count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
            raise UsageError(
                f"{where} has {count}, but J has {len(names)} {sides} ({_listed(names)}): "
                f"one entry per {each}"
            )
    return tuple(e if isinstance(e, se.Basic) else se.sympify(_no_text(e)) for e in entries)


def _kinks_along(moved: Sequence[Any], step: Any, subs: Mapping[Any, Any]) -> dict[Cell, str]:
    """The rows whose derivative along v does not exist at the point (`subs`): |u| where
    u = 0 and u changes along v, a jump of sign(u) there, or 0^0. Said of F, not of
    F(x + εv), as cells of the column J·v."""
    import symengine as se

    start = {step: se.Integer(0)}
    at = _Substitution({**subs, **start})
    found: dict[Cell, str] = {}
    for k in kinks(moved, (step,)):
        if (k.i, 0) in found or not kink_applies(k.kind, k.a.subs(at), k.b.subs(at)):
            continue
        why = k.why
        for moved_part in (k.a, k.b):
            why = why.replace(str(moved_part), str(moved_part.subs(start)))
        found[(k.i, 0)] = why
    return found


def _named(name: str, entries: Sequence[Any]) -> tuple[str, ...]:
    return tuple(f"{name}[{k + 1}]" for k in range(len(entries)))


# --------------------------------------------------------------------------- reading v and u


def read_vector(text: str, problem: Problem, input: str) -> Vector:
    """v or u as typed ({dir}, {cot}), read with jac's parser, never evaluated as code.

    With an `=`, by name (`x=1,y=0`, `x=[1,0,2]`, `x[1]=1`): a mapping from name to value.
    Otherwise values in order, as F's components are written (`1,0`, `[1,0,2]`, `a,b`; a
    vector or matrix declared with {shape} stands for its entries).
    """
    from jaccli.parse import build, parse_point, read_functions, tokenize

    where = f"{{{input}}}"
    if not text.strip():
        raise UsageError(f"{where} is empty")
    typed = {s.name.partition("[")[0] for s in problem.variables or ()}
    shapes = dict(problem.shapes or {})
    try:
        if any(tok.kind == "=" for line in text.split("\n") for tok in tokenize(line, where)):
            values = parse_point(text, typed, problem.limits, shapes)
            return {str(k): v for k, v in values.items()}
        parsed = read_functions([text], typed, None, problem.limits, shapes, problem.abstract)
        return tuple(build(parsed, problem.limits))
    except JacError as e:  # the parser names where it read as {at} or "input": it read v
        if e.location is None:
            raise
        raise type(e)(e.template, e.location._replace(where=where)) from None


def vector_text(value: object, input: str) -> str:
    """v or u from Python as the text `read_vector` reads: text as typed ("1,0", "x=1"),
    a sequence of values ([1, 0]), or a mapping by name ({"x": 1}, {"x": [1, 0, 2]}).

    A value is text, a real number (a float means the decimal it prints as) or a SymEngine
    or SymPy expression; each is bracketed, so that "-1" and "a+b" stay one entry.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for name in value:
            if not isinstance(name, str):
                raise UsageError(f"{{{input}}} names entries by string, not {type(name).__name__}")
        return ",".join(f"{name}={_entry_text(e, input, True)}" for name, e in value.items())
    if not isinstance(value, Iterable):
        raise UsageError(f"{{{input}}} is text, a sequence of values or a mapping by name")
    return ",".join(_entry_text(e, input, False) for e in value)


def _entry_text(value: object, input: str, nested: bool) -> str:
    import decimal
    import numbers

    if nested and isinstance(value, Iterable) and not isinstance(value, str):
        return "[" + ",".join(_entry_text(e, input, False) for e in value) + "]"
    exact = isinstance(value, (str, numbers.Real, decimal.Decimal)) or hasattr(
        value, "free_symbols"
    )
    if isinstance(value, bool) or not exact:
        raise UsageError(
            f"{{{input}}}: an entry must be a real number, text or an expression, "
            f"not {type(value).__name__}"
        )
    return f"({value})"
