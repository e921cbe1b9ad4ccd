"""What --check compares for each kind of result; `jaccli.engine.check` does the comparing.

One registration per result class. Each names the result's entries and says how F alone
gives each of them numerically: a value, a derivative along a direction, or a second
derivative; never from another part of the result (a Hessian is checked against second
differences of f, not against the gradient the engine computed). Also the points' part
that is not numerics: random values, how a point is written.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import singledispatch
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli.engine import results
from jaccli.engine.results import MatricesResult, Part, Point, Result, Sparse, point_label
from jaccli.engine.tape import Tape, Undefined, Unevaluable, real

if TYPE_CHECKING:
    from symengine import Expr, Symbol

Names = Callable[[int, int], str]
# det J needs all n² derivatives: past this much work (n times the characters of F) it is
# not checked (sphere 8 is 2,000, sphere 60 two million).
DET_WORK = 300_000
ENUMERATE = 20_000  # below this many entries, the zeros are listed; above, drawn at random

Direction = tuple[tuple["Symbol", "Expr"], ...]  # ((x, 1),) is e_x; v moves every variable


class Numeric(NamedTuple):
    """How F gives an entry: `function`'s value, or its derivative along `first`, or the
    derivative along `second` of that (∂/∂x_j ∂f/∂x_i: first e_i, second e_j)."""

    function: Expr
    first: Direction | None = None
    second: Direction | None = None


class Det(NamedTuple):
    """det J of the numeric Jacobian of `functions` by `variables`; or log|det J|, or its sign."""

    functions: tuple[Expr, ...]
    variables: tuple[Symbol, ...]
    what: str = "det"  # "det", "log", "sign"


class Entry(NamedTuple):
    label: str  # "J[2,1]", "det J"
    exact: Expr  # what the result says
    numeric: Numeric | Det  # what F says


class Grid(NamedTuple):
    """A matrix of the result, checked entry by entry (a sample of them when it is big)."""

    name: Names  # entry (i, j), from 0, in messages: "J[2,1]", "∇f[2]"
    sparse: Sparse
    numeric: Callable[[int, int], Numeric | Det]
    exact: Callable[[int, int], Expr] | None = None  # in place of the sparse matrix's entries


class Plan(NamedTuple):
    """What to compare for one result, and where."""

    variables: tuple[Symbol, ...]
    functions: tuple[Expr, ...] = ()  # every expression of F's side the entries evaluate
    grids: tuple[Grid, ...] = ()
    entries: tuple[Entry, ...] = ()  # always checked, whatever the budget
    point: Point | None = None
    digits: int | None = None
    derived: tuple[tuple[Symbol, Expr], ...] = ()  # symbols whose values the point gives: u = H(x)
    skip: str | None = None  # why nothing can be checked
    positive: bool = False  # random values > 0 only: the result assumes r > 0, 0 < φ < π


@singledispatch
def plan(result: Result) -> Plan:
    """What to compare for `result`, and at which point."""
    return Plan(result.variables, skip=f"there is no check for {result.name} results yet")


def _axis(x: Symbol) -> Direction:
    from symengine import Integer

    return ((x, Integer(1)),)


def _matrix(label: str) -> Names:
    return lambda i, j: f"{label}[{i + 1},{j + 1}]"


def _column(label: str) -> Names:
    return lambda i, _: f"{label}[{i + 1}]"


def _jacobian(functions: Sequence[Expr], variables: Sequence[Symbol], sparse: Sparse) -> Grid:
    """J entry by entry: ∂f_i/∂x_j, one derivative of f_i along e_j."""
    return Grid(_matrix("J"), sparse, lambda i, j: Numeric(functions[i], _axis(variables[j])))


def _plan(result: Any, functions: Sequence[Expr], *grids: Grid, **more: Any) -> Plan:
    """The plan for `result` at its point (if it has one), rounded as it is."""
    return Plan(
        tuple(result.variables),
        functions=tuple(functions),
        grids=grids,
        point=getattr(result, "point", None),
        digits=getattr(result, "digits", None),
        **more,
    )


@plan.register(results.JacobianResult)
@plan.register(results.EvaluationResult)
def _(result: results.JacobianResult | results.EvaluationResult) -> Plan:
    """J, symbolic or at the point: each entry against one derivative of f_i."""
    return _plan(
        result, result.functions, _jacobian(result.functions, result.variables, result.sparse)
    )


@plan.register
def _(result: results.LinearizationResult) -> Plan:
    """F(a) against F evaluated at a; J(a); and L: its value at a is F(a), and its slope in
    x_j (L is affine: ∂L_i/∂x_j is a number) is ∂f_i/∂x_j at a."""
    fs, xs = result.functions, result.variables
    values = (
        *(
            Entry(f"F(a)[{i + 1}]", v, Numeric(f))
            for i, (v, f) in enumerate(zip(result.value, fs, strict=True))
        ),
        *(
            Entry(f"L{i + 1} at a", lin, Numeric(f))
            for i, (lin, f) in enumerate(zip(result.linearization, fs, strict=True))
        ),
    )
    slopes = Grid(
        lambda i, j: f"∂L{i + 1}/∂{xs[j].name}",
        result.sparse,
        lambda i, j: Numeric(fs[i], _axis(xs[j])),
        exact=lambda i, j: result.linearization[i].diff(xs[j]),
    )
    return _plan(result, fs, _jacobian(fs, xs, result.sparse), slopes, entries=values)


@plan.register
def _(result: results.DeterminantResult) -> Plan:
    """det J against the determinant of the numeric J; log|det J| and the sign likewise."""
    fs, xs = tuple(result.functions), tuple(result.variables)
    if len(xs) * sum(len(str(f)) for f in fs) > DET_WORK:
        n = len(xs)
        return Plan(xs, skip=f"det J needs all {n * n} derivatives of F: too big to check")
    entries = [Entry("det J", result.determinant, Det(fs, xs))]
    if result.log_abs is not None and not result.singular:
        entries.append(Entry("log|det J|", result.log_abs, Det(fs, xs, "log")))
    if result.sign is not None and not result.singular:
        entries.append(Entry("sign(det J)", result.sign, Det(fs, xs, "sign")))
    return _plan(result, fs, entries=tuple(entries))


def _parts(result: MatricesResult, *keys: str) -> list[Part]:
    return [p for p in result.parts if p.key in keys]


@plan.register
def _(result: results.GradientResult) -> Plan:
    (f,), xs = result.functions, result.variables
    grids = [
        Grid(_column("∇f"), p.sparse, lambda i, _: Numeric(f, _axis(xs[i])))
        for p in _parts(result, "gradient")
    ]
    return _plan(result, result.functions, *grids)


@plan.register
def _(result: results.HessianResult) -> Plan:
    """H(f)[i,j] = ∂/∂x_j (∂f/∂x_i) by differences of f alone; bordered, the zeros and
    ∂g/∂x as well (SymPy's layout, [[0, ∂g/∂x], [(∂g/∂x)ᵀ, H(f)]])."""
    xs, gs = result.variables, result.constraints
    k = len(gs)

    def cell(f: Expr) -> Callable[[int, int], Numeric]:
        def numeric(i: int, j: int) -> Numeric:
            if i < k and j < k:
                return Numeric(_zero())
            if i < k or j < k:
                g, x = (gs[i], xs[j - k]) if i < k else (gs[j], xs[i - k])
                return Numeric(g, _axis(x))
            return Numeric(f, _axis(xs[i - k]), _axis(xs[j - k]))

        return numeric

    parts = _parts(result, "hessian", "bordered_hessian")
    grids = [
        Grid(_matrix(p.label), p.sparse, cell(f))
        for p, f in zip(parts, result.functions, strict=True)
    ]
    return _plan(result, (*result.functions, *gs), *grids)


def _zero() -> Any:
    from symengine import Integer

    return Integer(0)


@plan.register
def _(result: results.JvpResult) -> Plan:
    """(J·v)_i = d/dε f_i(x + εv) at ε = 0: one derivative along v (v held at the point)."""
    fs = result.functions
    v = tuple(zip(result.variables, result.direction, strict=True))
    grids = [
        Grid(_column("J·v"), p.sparse, lambda i, _: Numeric(fs[i], v))
        for p in _parts(result, "jvp")
    ]
    return _plan(result, (*fs, *result.direction), *grids)


@plan.register
def _(result: results.VjpResult) -> Plan:
    """(uᵀJ)_j = ∂(uᵀF)/∂x_j with u held at its value at the point (u may depend on x)."""
    import symengine as se

    xs = result.variables
    held = tuple(se.Symbol(f"check@u{i + 1}") for i in range(len(result.cotangent)))
    weighted = se.Add(*(w * f for w, f in zip(held, result.functions, strict=True)))
    grids = [
        Grid(lambda _, j: f"uᵀJ[{j + 1}]", p.sparse, lambda _, j: Numeric(weighted, _axis(xs[j])))
        for p in _parts(result, "vjp")
    ]
    derived = tuple(zip(held, result.cotangent, strict=True))
    return _plan(result, (*result.functions, *result.cotangent), *grids, derived=derived)


@plan.register
def _(result: results.ChainResult) -> Plan:
    """Each part from G and H alone: J_{G∘H} by differences of G(H(x)), composed here; J_H
    of H; J_G(H(x)) of G in fresh variables w held at H(x); J_G(u) of G; H(x) by value; the
    determinants of those numeric Jacobians. Under a preset's assumptions (r > 0,
    0 < φ < π), random values are positive: they hold there."""
    import symengine as se

    xs, us, hs = result.variables, result.outer_variables, result.inner
    ws = tuple(se.Symbol(f"check@w{k + 1}") for k in range(len(us)))
    at_w = tuple(g.xreplace(dict(zip(us, ws, strict=True))) for g in result.outer)
    composed = tuple(g.xreplace(dict(zip(us, hs, strict=True))) for g in result.outer)
    dets = (Det(composed, xs), Det(at_w, ws), Det(hs, xs))
    numeric: dict[str, Callable[[int, int], Numeric | Det]] = {
        "product": lambda i, j: Numeric(composed[i], _axis(xs[j])),
        "inner": lambda i, j: Numeric(hs[i], _axis(xs[j])),
        "outer_at_inner": lambda i, k: Numeric(at_w[i], _axis(ws[k])),
        "outer": lambda i, k: Numeric(result.outer[i], _axis(us[k])),
        "inner_value": lambda i, _: Numeric(hs[i]),
        "determinants": lambda i, _: dets[i],
    }
    parts = [p for p in result.parts if p.key in numeric]
    grids = [Grid(_names(p), p.sparse, numeric[p.key]) for p in parts]
    functions = (*composed, *hs, *(result.outer if any(p.key == "outer" for p in parts) else ()))
    derived = tuple(zip(ws, hs, strict=True))
    assumed = any(key == "assumptions" for key, _ in result.facts)
    return _plan(result, functions, *grids, derived=derived, positive=assumed)


def _names(part: Part) -> Names:
    """A chain part's entries: "J_H(x)[1,2]", "H(x)[1]", or its row ("det J_H(x)")."""
    if part.key == "determinants":
        return lambda i, _: part.rows[i]
    return _column(part.label) if part.columns == ("",) else _matrix(part.label)


# --------------------------------------------------------------------------- sampling


def candidates(grids: Sequence[Grid], rng: random.Random) -> Iterator[Entry]:
    """Entries of the grids in random order, three non-zero entries to one zero (listed when
    there are few, else drawn: 4,000,000 for bratu 2000)."""
    nonzero = [
        (g, i, j)
        for g, grid in enumerate(grids)
        for i, row in enumerate(grid.sparse.rows)
        for j, _ in row
    ]
    rng.shuffle(nonzero)
    zeros = _zeros(grids, rng)
    for k, cell in enumerate(nonzero):
        yield _entry(grids, *cell)
        if k % 3 == 2:
            zero = next(zeros, None)
            if zero is not None:
                yield _entry(grids, *zero)
    for zero in zeros:
        yield _entry(grids, *zero)


def _zeros(grids: Sequence[Grid], rng: random.Random) -> Iterator[tuple[int, int, int]]:
    taken = [[{j for j, _ in row} for row in grid.sparse.rows] for grid in grids]
    size = sum(g.sparse.shape[0] * g.sparse.shape[1] for g in grids)
    if size <= ENUMERATE:
        cells = [
            (g, i, j)
            for g, grid in enumerate(grids)
            for i in range(grid.sparse.shape[0])
            for j in range(grid.sparse.shape[1])
            if j not in taken[g][i]
        ]
        rng.shuffle(cells)
        yield from cells
        return
    seen: set[tuple[int, int, int]] = set()
    for _ in range(ENUMERATE):
        g = rng.randrange(len(grids))
        rows, columns = grids[g].sparse.shape
        cell = (g, rng.randrange(rows), rng.randrange(columns))
        if cell[2] not in taken[g][cell[1]] and cell not in seen:
            seen.add(cell)
            yield cell


def _entry(grids: Sequence[Grid], g: int, i: int, j: int) -> Entry:
    from symengine import Integer

    grid = grids[g]
    exact = grid.exact(i, j) if grid.exact else dict(grid.sparse.rows[i]).get(j, Integer(0))
    return Entry(grid.name(i, j), exact, grid.numeric(i, j))


# --------------------------------------------------------------------------- points

BOX = (300, 1700)  # random values are ±k/1000 for k in this range


def value_of(expr: Any) -> Any:
    """A number's value as an mpmath number, or None (a symbol's, a complex one's)."""
    try:
        return real(Tape(expr)({}))
    except (KeyError, Undefined, Unevaluable):
        return None


def extra_bits(values: Iterable[Any]) -> int:
    """The bits differences at a point with these values need beyond the usual: as many as
    the largest value has above 1, and the smallest non-zero one below 1 (see tape.step)."""
    import mpmath

    sizes = [mpmath.mag(v) for v in values if v]
    return int(max([0, *sizes]) - min([0, *sizes]))


def draw(rng: random.Random, positive: bool) -> int:
    """A random value as thousandths: ±0.300 to ±1.700."""
    k = rng.randint(*BOX)
    return k if positive or rng.random() < 0.5 else -k


def exact_value(thousandths: int) -> Any:
    import mpmath

    return mpmath.mpf(thousandths) / 1000


def decimal(thousandths: int) -> str:
    sign = "-" if thousandths < 0 else ""
    whole, frac = divmod(abs(thousandths), 1000)
    return f"{sign}{whole}" + (f".{frac:03d}".rstrip("0") if frac else "")


def point_text(variables: Sequence[Any], text: Mapping[Any, str], most: int | None = None) -> str:
    """A point as --at takes it: variables first, then parameters; past `most` values, the
    first few and how many there are."""
    order = [
        *(v for v in variables if v in text),
        *sorted(set(text) - set(variables), key=name_key),
    ]
    if most is not None and len(order) > most:
        shown = ",".join(f"{point_label(s)}={text[s]}" for s in order[: most // 2])
        return f"{shown},... ({len(order)} values)"
    return ",".join(f"{point_label(s)}={text[s]}" for s in order)


def brief(text: str, value: Any = None) -> str:
    """A value of a point for a message: as written, or to 6 digits when that is long."""
    import mpmath

    if len(text) <= 12:
        return text
    try:
        return str(mpmath.nstr(value, 6)) if value is not None else f"{text[:9]}..."
    except ValueError:  # an exponent of thousands of digits
        return f"{text[:9]}..."


def name_key(symbol: Any) -> tuple[tuple[int, Any], ...]:
    """x2 before x10, as jac orders variables (numbers and text never compared)."""
    import re

    return tuple(
        (0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"([0-9]+)", point_label(symbol))
    )
