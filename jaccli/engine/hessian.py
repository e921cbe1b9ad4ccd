"""The Hessian: the symmetric matrix of second derivatives of each component, or bordered.

Each pair is differentiated once: ∂/∂x_j (∂f/∂x_i) for j ≥ i, mirrored below the diagonal
(Schwarz's theorem: the mixed partials of a function whose second derivatives are continuous
agree). Only a function that is not smooth (abs, sign, relu, max, min) could break that, so
only then is the other order differentiated too and compared, symbolically and then at
random points; where they differ, the matrix shown is ∂/∂x_j (∂f/∂x_i) in row i, column j
(the Jacobian of the gradient, as SymPy's `hessian` builds it) and the result says so.

With constraints g, the bordered Hessian in SymPy's layout [[0, ∂g/∂x], [(∂g/∂x)ᵀ, H(f)]].
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli.engine.algebra import _bounded_expand
from jaccli.engine.bridge import needs_sympy
from jaccli.engine.derivatives import _differentiate_one, atan2_nodes, diff, differentiate
from jaccli.engine.gradient import digits_need_point, variable_labels
from jaccli.engine.kink import _singular_cells
from jaccli.engine.point import Cell, Exact, _delta_values, derivatives_at, exact_point, finished
from jaccli.engine.results import HessianResult, Part, Sparse, SparseRow
from jaccli.engine.variables import header, infer_variables
from jaccli.errors import JacError, UsageError

if TYPE_CHECKING:
    from jaccli.problem import Problem

BORDER_NOTE = (
    "bordered Hessian in SymPy's layout [[0, ∂g/∂x], [(∂g/∂x)ᵀ, H(f)]]; for constraints "
    "that are not linear, the second-order test of f on g = 0 uses the Hessian of the "
    "Lagrangian f − λᵀg in place of H(f)"
)


class _Second(NamedTuple):
    """The derivatives of one component f: ∇f, then ∂/∂x_j (∂f/∂x_i) for j ≥ i (`upper`) and,
    where f is not smooth, for j < i too (`lower`, else empty rows)."""

    gradient: SparseRow
    upper: Sparse
    lower: Sparse


def _smooth(f: Any) -> bool:
    """No abs, sign or Dirac delta: its mixed partials agree wherever they are defined."""
    import symengine as se

    if f.atoms(se.Abs, se.sign):
        return False
    return not any(d.get_name() == "DiracDelta" for d in f.atoms(se.FunctionSymbol))


class _Terms:
    """Derivatives of the terms of sums, each (term, variable) once for all of ∇f.

    The entries of ∇f often share terms: for the arm's end effector every ∂x/∂q_i holds
    −l_k sin(q_1 + … + q_k) for each k ≥ i, and building sin and cos of long sums is what
    SymEngine spends its time on. Terms that hold a function are differentiated once and
    remembered (13× faster on arm 60); the rest of an entry (polynomial terms, cheap in
    SymEngine) is one sum differentiated as usual.
    """

    def __init__(self) -> None:
        self.known: dict[tuple[Any, Any], Any] = {}
        self.atan2: dict[Any, tuple[Any, ...]] = {}  # a term's atan2 calls (derivatives.diff)
        self.heavy: dict[Any, bool] = {}

    def split(self, g: Any) -> tuple[Any, tuple[Any, ...]]:
        """g as (the sum of its polynomial terms, its terms that hold a function)."""
        import symengine as se

        if not g.is_Add:
            return g, ()
        light: list[Any] = []
        heavy: list[Any] = []
        for t in g.args:
            holds = self.heavy.get(t)
            if holds is None:
                holds = self.heavy[t] = bool(t.atoms(se.Function))
            (heavy if holds else light).append(t)
        return se.Add(*light), tuple(heavy)

    def row(self, g: Any, variables: Sequence[Any], first: int) -> SparseRow:
        """∂g/∂x_j for the variables from x_first on, as `derivatives._differentiate_one`
        (which takes over where g needs SymPy: abs, sign, functions with no formula)."""
        import symengine as se

        if needs_sympy(g):
            return tuple((first + j, d) for j, d in _differentiate_one(g, variables[first:]))
        light, heavy = self.split(g)
        present = g.free_symbols
        entries = []
        for j in range(first, len(variables)):
            v = variables[j]
            if v not in present:
                continue
            d = se.Add(light.diff(v), *(self._term(t, v) for t in heavy))
            if d != 0:
                entries.append((j, d))
        return tuple(entries)

    def _term(self, t: Any, v: Any) -> Any:
        d = self.known.get((t, v))
        if d is None:
            nodes = self.atan2.get(t)
            if nodes is None:
                nodes = self.atan2[t] = atan2_nodes(t)
            d = self.known[(t, v)] = diff(t, v, nodes)
        return d


def _second(f: Any, variables: Sequence[Any]) -> _Second:
    n = len(variables)
    (gradient,) = differentiate([f], variables).rows
    upper: list[SparseRow] = [()] * n
    lower: list[SparseRow] = [()] * n
    both = not _smooth(f)
    terms = _Terms()
    for i, g in gradient:
        # Only the variables from x_i on: the pairs below the diagonal are mirrored.
        upper[i] = terms.row(g, variables, i)
        if both:
            lower[i] = _differentiate_one(g, variables[:i])
    return _Second(gradient, Sparse((n, n), tuple(upper)), Sparse((n, n), tuple(lower)))


def _differ(a: Any, b: Any, seed: int) -> bool:
    """Whether two expressions differ: not if equal as written or once expanded; else if
    their values at some random point (signs mixed, since kinks are at zeros) differ."""
    if a == b:
        return False
    expanded = _bounded_expand(a - b)
    if expanded is not None and expanded == 0:
        return False
    import symengine as se

    rng = random.Random(seed)
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    for _ in range(4):
        values = {s: se.Rational(rng.choice((-1, 1)) * rng.randint(3, 29), 11) for s in symbols}
        try:
            va, vb = (complex(_delta_values(e.subs(values)).n(64)) for e in (a, b))
        except (TypeError, ValueError, RuntimeError, OverflowError, ZeroDivisionError):
            continue  # undefined there, or not a number (a function with no formula)
        if _apart(va, vb):
            return True
    return False


def _apart(a: complex, b: complex) -> bool:
    """Two finite values that differ by more than rounding (both orders at 64 bits)."""
    finite = all(abs(v.real) + abs(v.imag) < float("inf") for v in (a, b))
    return finite and abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b))


def _pairs(matrix: Sparse) -> dict[Cell, tuple[Any, Any]]:
    """For each i < j with an entry in either order: (∂/∂x_j ∂f/∂x_i, ∂/∂x_i ∂f/∂x_j)."""
    from symengine import Integer

    zero = Integer(0)
    entries = {(i, j): e for i, row in enumerate(matrix.rows) for j, e in row}
    cells = {(min(c), max(c)) for c in entries if c[0] != c[1]}
    return {(i, j): (entries.get((i, j), zero), entries.get((j, i), zero)) for i, j in cells}


def _asymmetric(matrix: Sparse, seed: int) -> list[Cell]:
    """The cells (i, j), i < j, where the two orders in `matrix` (both orders) differ: as
    expressions, or as values at a point (which may still hold parameters)."""
    pairs = _pairs(matrix)
    return sorted(c for c, (a, b) in pairs.items() if _differ(a, b, seed + 7919 * c[0] + c[1]))


def _mirrored(matrix: Sparse) -> Sparse:
    """The symmetric matrix whose entries on and above the diagonal are `matrix`'s."""
    rows: list[list[tuple[int, Any]]] = [[] for _ in matrix.rows]
    for i, row in enumerate(matrix.rows):
        for j, e in row:
            if j > i:
                rows[j].append((i, e))  # row j gets its entries below the diagonal first
    for i, row in enumerate(matrix.rows):
        rows[i].extend((j, e) for j, e in row if j >= i)
    return Sparse(matrix.shape, tuple(tuple(r) for r in rows))


def _merged(upper: Sparse, lower: Sparse) -> Sparse:
    """Both orders in one matrix: ∂/∂x_j (∂f/∂x_i) in row i, column j, for every i and j."""
    rows = (
        tuple(sorted(a + b, key=lambda c: c[0]))
        for a, b in zip(lower.rows, upper.rows, strict=True)
    )
    return Sparse(upper.shape, tuple(rows))


def _pair_label(names: Sequence[str], f: str, i: int, j: int) -> str:
    if i == j:
        return f"∂²{f}/∂{names[i]}²"
    return f"∂²{f}/∂{names[j]}∂{names[i]}"  # ∂/∂x_j of ∂f/∂x_i


def _at(second: _Second, f: Any, name: str, variables: Sequence[Any], at: Exact) -> Sparse:
    """The matrix of one component at the point, exact, with eval's checks: ∇f defined there
    (where ∂f/∂x_i is not, neither is row i of the Hessian), then each second derivative."""
    from symengine import Integer

    names = variable_labels(variables)
    first = Sparse((1, len(names)), (second.gradient,))
    singular = _singular_cells([f], variables, at.subs)
    derivatives_at(first, at, singular, lambda _, j: f"∂{name}/∂{names[j]}")
    by = dict(second.gradient)
    kinks = _singular_cells([by.get(j, Integer(0)) for j in range(len(names))], variables, at.subs)
    if not any(second.lower.rows):
        # One entry stands for both orders: undefined if either is.
        kinks = {(min(c), max(c)): why for c, why in kinks.items()}
    matrix = _merged(second.upper, second.lower)
    return derivatives_at(matrix, at, kinks, lambda i, j: _pair_label(names, name, i, j))


def _bordered(matrix: Sparse, constraints: Sparse) -> Sparse:
    """[[0, ∂g/∂x], [(∂g/∂x)ᵀ, H]] for k constraints: k rows and columns in front of H's."""
    k, n = constraints.shape
    columns: list[list[tuple[int, Any]]] = [[] for _ in range(n)]
    for r, row in enumerate(constraints.rows):
        for j, e in row:
            columns[j].append((r, e))
    top = tuple(tuple((k + j, e) for j, e in row) for row in constraints.rows)
    rest = tuple((*columns[i], *((k + j, e) for j, e in row)) for i, row in enumerate(matrix.rows))
    return Sparse((k + n, k + n), top + rest)


def hessian(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    constraints: Sequence[Any] = (),
    point: Mapping[Any, Any] | None = None,
    digits: int | None = None,
    simplify: bool = False,
) -> HessianResult:
    """The Hessian of each component by `variables` (every free symbol of F if None); with
    `constraints` g (expressions meaning g = 0), each bordered by ∂g/∂x; at `point`, exact
    and checked as eval checks J(a), rounded to `digits` if given."""
    digits_need_point(digits, point)
    head = header(functions, variables)
    if variables is None and constraints:  # a variable of g alone is a variable too
        head["variables"] = infer_variables([*functions, *constraints])
    vars_ = head["variables"]
    m, k = len(functions), len(constraints)
    fs = [f"f{i + 1}" for i in range(m)] if m > 1 else ["f"]
    gs = [f"g{r + 1}" for r in range(k)]
    at = None
    if point is not None:
        named = [*fs, *gs]
        at = exact_point([*functions, *constraints], vars_, point, lambda i: named[i])
    border = _constraints(constraints, vars_, at, gs) if k else None
    parts = []
    notes: list[str] = []
    for i, f in enumerate(functions):
        part, note = _component(f, fs[i], i, vars_, at, border, simplify, digits)
        parts.append(part)
        notes += note
    differ = tuple(notes)  # also warnings: stderr for the CLI, JacWarning in Python
    facts = [("mixed_partials", "differ" if differ else "equal")]
    if border is not None:
        notes.append(BORDER_NOTE)
        if at is not None:
            notes += _unsatisfied(gs, at.values[m:])
    return HessianResult(
        **head,
        parts=tuple(parts),
        point=None if at is None else at.point,
        digits=digits,
        constraints=tuple(constraints),
        given=(("constraints", tuple(constraints)),) if constraints else (),
        facts=tuple(facts),
        notes=tuple(notes),
        warnings=differ,
    )


def _component(
    f: Any,
    name: str,
    index: int,
    variables: Sequence[Any],
    at: Exact | None,
    border: Sparse | None,
    simplify: bool,
    digits: int | None,
) -> tuple[Part, list[str]]:
    """The Part of one component, and a warning if its mixed partials differ."""
    second = _second(f, variables)
    both = _merged(second.upper, second.lower)
    matrix = both if at is None else _at(second, f, name, variables, at)
    differ = _asymmetric(matrix, index) if any(second.lower.rows) else []
    matrix = finished(matrix, simplify, digits)
    if not differ:
        matrix = _mirrored(matrix)
    labels = variable_labels(variables)
    latex = name if len(name) == 1 else f"{name[0]}_{{{name[1:]}}}"
    key, label, symbol = "hessian", f"H({name})", f"H_{{{latex}}}"
    if border is not None:
        matrix = _bordered(matrix, finished(border, simplify, digits))
        labels = (*(f"g{r + 1}" for r in range(border.shape[0])), *labels)
        key, label, symbol = "bordered_hessian", f"H̄({name})", f"\\bar{{H}}_{{{latex}}}"
    notes = [_asymmetry_note(differ, variable_labels(variables), name)] if differ else []
    return Part(key, label, symbol, matrix, labels, labels), notes


def _constraints(
    constraints: Sequence[Any], variables: Sequence[Any], at: Exact | None, gs: Sequence[str]
) -> Sparse:
    """∂g/∂x, one row per constraint; at the point, exact and checked like ∇f."""
    jacobian = differentiate(constraints, variables)
    if at is None:
        return jacobian
    names = variable_labels(variables)
    singular = _singular_cells(constraints, variables, at.subs)
    return derivatives_at(jacobian, at, singular, lambda r, j: f"∂{gs[r]}/∂{names[j]}")


def _unsatisfied(gs: Sequence[str], values: Sequence[Any]) -> list[str]:
    """A note for constraints the point does not satisfy (g = 0 is what they mean)."""
    off = [f"{g} = {v}" for g, v in zip(gs, values, strict=True) if v != 0]
    if not off:
        return []
    return [f"the point is not on the constraints: {', '.join(off)} there, not 0"]


def _asymmetry_note(cells: Sequence[Cell], names: Sequence[str], f: str) -> str:
    shown = ", ".join(
        f"∂²{f}/∂{names[j]}∂{names[i]} ≠ ∂²{f}/∂{names[i]}∂{names[j]}" for i, j in cells[:3]
    )
    more = f" and {len(cells) - 3} more" if len(cells) > 3 else ""
    return (
        f"the mixed partials of {f} differ ({shown}{more}), so {f} is not smooth: "
        f"row i, column j holds ∂/∂x_j (∂{f}/∂x_i), the Jacobian of ∇{f}"
    )


def read_constraints(text: str, problem: Problem) -> tuple[Any, ...]:
    """The constraints g as typed ({constraints}: "x + y - 1, x - z", each meaning g = 0),
    read with jac's parser and F's variables, shapes, functions and limits; never run."""
    from jaccli.parse import build, read_functions

    if not text.strip():
        raise UsageError("{constraints} is empty")
    typed = {s.name.partition("[")[0] for s in problem.variables or ()}
    shapes = dict(problem.shapes or {})
    try:
        parsed = read_functions([text], typed, None, problem.limits, shapes, problem.abstract)
        return tuple(build(parsed, problem.limits))
    except JacError as e:  # the parser says it read "input": it read the constraints
        if e.location is None:
            raise
        raise type(e)(e.template, e.location._replace(where="{constraints}")) from None
