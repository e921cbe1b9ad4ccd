"""What --check compares for the analysis commands (eig, stability, singular, sparsity).

Their answers rest on derivatives: J at a point or at each equilibrium, tr J, det J, and
which entries of J are zero. Those are compared with F's own numbers, as for the other
commands (jaccli.engine.check_plans); what is computed from them (eigenvalues, the
classification, branches, colourings) is tested against second methods in the tests.
An equilibrium is also checked to be one: F there is 0 by F's own numbers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from jaccli.engine import results
from jaccli.engine.check_plans import (
    Det,
    Entry,
    Grid,
    Numeric,
    Plan,
    _axis,
    _jacobian,
    _matrix,
    _plan,
    plan,
)

if TYPE_CHECKING:
    from symengine import Expr, Symbol

# A family's integer parameters, as the engine writes them: "k ∈ ℤ", "k, m ∈ ℤ".
_INTEGERS = re.compile(r"([\w, ]+?) ∈ ℤ")


def _trace(functions: tuple[Expr, ...], variables: tuple[Symbol, ...]) -> Numeric:
    """tr J as one derivative: d/ds Σ f_i(x + s e_i) at s = 0 (`_HELD` holds s at 0)."""
    import symengine as se

    s = se.Symbol(_HELD)
    moved = se.Add(*(f.xreplace({x: x + s}) for f, x in zip(functions, variables, strict=True)))
    return Numeric(moved, _axis(s))


_HELD = "check@s"


def _value(result: results.MatricesResult, key: str) -> Expr | None:
    return next((v.value for v in result.values if v.key == key), None)


@plan.register
def _(result: results.EigResult) -> Plan:
    """J (at the point) entry by entry, tr J and det J, when J is F's; a matrix typed in
    has no derivatives to check."""
    fs, xs = tuple(result.functions), tuple(result.variables)
    parts = [p for p in result.parts if p.key == "matrix"]
    if not xs or not parts or len(fs) != len(xs):
        return Plan(xs, skip="the matrix was given, not derived: nothing to compare")
    entries: list[Entry] = []
    trace, det = _value(result, "trace"), _value(result, "determinant")
    if trace is not None:
        entries.append(Entry("tr J", trace, _trace(fs, xs)))
    if det is not None:
        entries.append(Entry("det J", det, Det(fs, xs)))
    import symengine as se

    grid = _jacobian(fs, xs, parts[0].sparse)
    held = ((se.Symbol(_HELD), se.Integer(0)),)
    return _plan(result, fs, grid, entries=tuple(entries), derived=held)


def _integers(where: str) -> dict[Any, Any]:
    """A family's integer parameters set to 1: the check takes one member of the family."""
    import symengine as se

    found = _INTEGERS.search(where)
    if found is None:
        return {}
    return {se.Symbol(n.strip()): se.Integer(1) for n in found.group(1).split(",") if n.strip()}


@plan.register
def _(result: results.StabilityResult) -> Plan:
    """At each equilibrium p (one member of a family): F(p) = 0, and J(p) entry by entry
    against derivatives of F(p + s) in fresh symbols s held at 0."""
    import symengine as se

    fs, xs = tuple(result.functions), tuple(result.variables)
    grids: list[Grid] = []
    entries: list[Entry] = []
    functions: list[Expr] = []
    shifts = tuple(se.Symbol(f"check@s{j + 1}") for j in range(len(xs)))
    for q, eq in enumerate(result.equilibria):
        member = _integers(eq.where)
        point = [v.xreplace(member) for v in eq.point]
        at = {x: p + s for x, p, s in zip(xs, point, shifts, strict=True)}
        moved = tuple(f.xreplace(at) for f in fs)
        functions += moved
        if eq.found == "exact":
            entries += [
                Entry(f"F{i + 1} at equilibrium {q + 1}", se.Integer(0), Numeric(g))
                for i, g in enumerate(moved)
            ]
        if not any(e.has(se.nan) for row in eq.jacobian.rows for _, e in row):
            # nan: an entry J does not have there (√x at 0), which stability says already
            grids.append(_shifted(f"J at equilibrium {q + 1}", eq.jacobian, moved, shifts, member))
    return Plan(
        xs,
        functions=tuple(functions),
        grids=tuple(grids),
        entries=tuple(entries),
        digits=result.digits,
        derived=tuple((s, se.Integer(0)) for s in shifts),
    )


def _shifted(
    label: str,
    sparse: results.Sparse,
    moved: tuple[Expr, ...],
    shifts: tuple[Symbol, ...],
    member: dict[Any, Any],
) -> Grid:
    """J at a point p: ∂/∂s_j of F(p + s), s held at 0; the entries with `member` put in."""
    from symengine import Integer

    def exact(i: int, j: int) -> Expr:
        return dict(sparse.rows[i]).get(j, Integer(0)).xreplace(member)

    return Grid(
        _matrix(label), sparse, lambda i, j: Numeric(moved[i], _axis(shifts[j])), exact=exact
    )


@plan.register
def _(result: results.SingularResult) -> Plan:
    """J (at the point) entry by entry, and det J when J is square."""
    fs, xs = tuple(result.functions), tuple(result.variables)
    grids = [_jacobian(fs, xs, p.sparse) for p in result.parts if p.key == "jacobian"]
    entries: tuple[Entry, ...] = ()
    if result.determinant is not None and len(fs) == len(xs) and result.point is None:
        entries = (Entry("det J", result.determinant, Det(fs, xs)),)
    return _plan(result, fs, *grids, entries=entries)


@plan.register
def _(result: results.SparsityResult) -> Plan:
    """The pattern: an entry outside it is 0 by F's differences, and an entry in it is
    ∂f_i/∂x_j (SymEngine's) there; sampled on big systems."""
    from symengine import Integer

    fs, xs = tuple(result.functions), tuple(result.variables)
    taken = [{j for j, _ in row} for row in result.pattern.rows]
    grid = Grid(
        _matrix("J"),
        result.pattern,
        lambda i, j: Numeric(fs[i], _axis(xs[j])),
        exact=lambda i, j: fs[i].diff(xs[j]) if j in taken[i] else Integer(0),
    )
    return _plan(result, fs, grid)
