"""Differentiation: J row by row, each row by its non-zero entries.

SymEngine differentiates; a row whose function has abs, sign or an undefined function
goes through SymPy instead (`bridge.needs_sympy`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jaccli.engine.bridge import from_sympy, to_sympy
from jaccli.engine.results import Block, JacobianResult, Progress, Sparse, SparseRow
from jaccli.engine.simplify import simplify_expr
from jaccli.engine.variables import header

if TYPE_CHECKING:
    from jaccli.engine.matrix_form import Structure


class _Unknown(Exception):
    """A derivative SymEngine left unevaluated that jac has no rule for: SymPy takes over."""


def _diff(f: Any, v: Any) -> Any:
    """d f/d v by SymEngine, with jac's rules where it stops: d|u| = sign(u) du and
    d sign(u) = 2 DiracDelta(u) du (SymPy's). Used where SymPy's answer cannot be read
    back (d|x^x|/dx holds re, im and arg); SymPy's is kept otherwise, as it simplifies
    |u|^2 to u^2 where it knows u is real."""
    import symengine as se

    from jaccli.functions import symengine_functions

    d = diff(f, v)
    pending = d.atoms(se.Derivative, se.Subs)
    if not pending:
        return d
    delta: Any = symengine_functions()["DiracDelta"]
    done: dict[Any, Any] = {}
    for node in pending:
        if isinstance(node, se.Subs):
            inner, (xi,), (at,) = node.expr, node.variables, node.point
            g = inner.args[0] if isinstance(inner, se.Derivative) else None
            if (
                g is None
                or not isinstance(g, se.sign)
                or g.args[0] != xi
                or inner.variables != (xi,)
            ):
                raise _Unknown
            done[node] = 2 * delta(at)
    for node in pending:
        if isinstance(node, se.Derivative) and not any(node in s.args for s in done):
            g, by = node.expr, node.variables
            if by != (v,) or not isinstance(g, (se.Abs, se.sign)):
                raise _Unknown
            u = g.args[0]
            factor = se.sign(u) if isinstance(g, se.Abs) else 2 * delta(u)
            done[node] = factor * _diff(u, v)
    return d.subs(done)


def atan2_nodes(f: Any, found: Any = None) -> tuple[Any, ...]:
    """The atan2 calls in f (or among `found`, its atoms) whose derivative SymEngine would
    divide by their x argument: those of expressions (of two symbols it writes it well)."""
    import symengine as se

    calls = f.atoms(se.atan2) if found is None else found
    return tuple(
        a
        for a in calls
        if isinstance(a, se.atan2) and not (a.args[0].is_Symbol and a.args[1].is_Symbol)
    )


def diff(f: Any, v: Any, nodes: Sequence[Any] | None = None) -> Any:
    """d f/d v by SymEngine, with d atan2(Y, X) = (X dY − Y dX)/(X² + Y²).

    SymEngine's own rule for atan2 of expressions divides by X: d/dt atan2(r sin t, r cos t)
    comes out undefined where cos t = 0, although atan2 is smooth there (the polar inverse on
    the y axis). Each call is stood in for by a symbol while SymEngine differentiates, and its
    derivative by the rule is added through the chain rule. `nodes`: f's atan2 calls, if known.
    """
    import symengine as se

    nodes = atan2_nodes(f) if nodes is None else nodes
    if not nodes:
        return f.diff(v)
    stand = {a: se.Symbol(f"atan2@{k}") for k, a in enumerate(nodes)}
    g = f.xreplace(stand)  # top down: an atan2 inside another one's arguments goes with it
    present = g.free_symbols
    d = g.diff(v)
    for a, s in stand.items():
        if s in present:
            y, x = a.args
            d += g.diff(s) * (x * diff(y, v) - y * diff(x, v)) / (x**2 + y**2)
    if any(node.has(*stand.values()) for node in d.atoms(se.Derivative, se.Subs)):
        # A derivative SymEngine left unevaluated (of min, max) with a stand-in inside cannot
        # take its atan2 back: SymEngine's own rule, and jac's fallbacks for what it leaves.
        return f.diff(v)
    return d.xreplace({s: a for a, s in stand.items()})


def by_symengine(f: Any, moved: bool = False) -> tuple[Any, ...] | None:
    """f's atan2 calls of expressions (for `diff`) when SymEngine can differentiate f alone;
    None when f needs SymPy or jac's rules (abs, sign, declared functions): one walk of f
    answers both questions. `moved`: all of f's atan2 calls, which become calls of sums
    once f is moved along a direction (F(x + εv))."""
    import symengine as se

    found = f.atoms(se.Abs, se.sign, se.FunctionSymbol, se.atan2)
    if not all(isinstance(a, se.atan2) for a in found):
        return None
    return tuple(found) if moved else atan2_nodes(f, found)


def _differentiate_one(
    f: Any, variables: Sequence[Any], columns: Mapping[Any, int] | None = None
) -> SparseRow:
    """The non-zero ∂f/∂x_j, by column. `columns` (each variable's column, built once by
    the caller) visits only the symbols f holds: 3 of 2,000 for a Bratu row, instead of
    asking each of the 2,000 variables whether f holds it."""
    present = f.free_symbols
    if columns is None:
        pairs = [(j, v) for j, v in enumerate(variables) if v in present]
    else:
        pairs = sorted(((columns[s], s) for s in present if s in columns), key=lambda p: p[0])
    nodes = by_symengine(f)
    if nodes is not None:
        row = [(j, diff(f, v, nodes)) for j, v in pairs]
        return tuple((j, d) for j, d in row if d != 0)
    g = to_sympy(f)
    row = [(j, from_sympy(g.diff(to_sympy(v)))) for j, v in pairs]
    if any(_foreign(d) or _pending(d) for _, d in row):
        # SymPy's d|x^x|/dx holds re, im and arg, which come back as Python callbacks that
        # SymEngine cannot even print, and its d sign(log(x))/dx stays a Derivative (it
        # cannot tell that log(x) is real): jac's own rules for abs and sign instead.
        row = _by_jac(f, pairs) or row
    return tuple((j, d) for j, d in row if d != 0)


def partial(f: Any, v: Any) -> Any:
    """∂f/∂v as an entry of J is computed: jac's rules for abs and sign included, so no
    Derivative is left unevaluated (SymEngine's d/dx (x - |x|) holds one)."""
    from symengine import Integer

    row = _differentiate_one(f, [v])
    return row[0][1] if row else Integer(0)


def _foreign(expr: Any) -> bool:
    """Whether SymPy handed back a function SymEngine only wraps (re, im, arg)."""
    from symengine import Function

    return any(type(a).__name__ == "PyFunction" for a in expr.atoms(Function))


def _pending(expr: Any) -> bool:
    """Whether a derivative was left undone (a Derivative or Subs of something defined)."""
    from symengine import Derivative, FunctionSymbol, Subs

    return any(not d.atoms(FunctionSymbol) for d in expr.atoms(Derivative, Subs))


def _by_jac(f: Any, pairs: Sequence[tuple[int, Any]]) -> list[tuple[int, Any]] | None:
    """The row by jac's own rules (abs, sign), or None when SymPy must do it."""
    from symengine import FunctionSymbol

    if f.atoms(FunctionSymbol):  # DiracDelta, or a function declared with no formula
        return None
    try:
        return [(j, _diff(f, v)) for j, v in pairs]
    except _Unknown:
        return None


def differentiate(
    functions: Sequence[Any], variables: Sequence[Any], progress: Progress | None = None
) -> Sparse:
    rows = []
    columns = {v: j for j, v in enumerate(variables)}
    for i, f in enumerate(functions):
        rows.append(_differentiate_one(f, variables, columns))
        if progress is not None and i % 64 == 63:
            progress(64)
    if progress is not None:
        progress(len(functions) % 64)
    return Sparse((len(functions), len(variables)), tuple(rows))


def jacobian(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    simplify: bool = False,
    progress: Progress | None = None,
    structure: Structure | None = None,
    index: bool = False,
) -> JacobianResult:
    """The Jacobian of `functions` with respect to `variables` (all free symbols if None).

    With the `structure` of F as typed (vectors and matrices), J in matrix form too, and
    with `index` each block of it in index notation.
    """
    head = header(functions, variables)
    sparse = differentiate(functions, head["variables"], progress)
    if simplify:
        sparse = sparse.mapped(simplify_expr)
    form: tuple[Block, ...] = ()
    if structure is not None:
        from jaccli.engine.matrix_form import blocks_for

        form = blocks_for(structure, head["variables"], index)
    return JacobianResult(**head, sparse=sparse, matrix_form=form)
