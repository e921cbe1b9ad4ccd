"""Kinks: where an entry of J exists as a formula but not as a derivative.

SymPy's d|x|/dx = sign(x) would print 0 at x = 0; sign(u) and DiracDelta(u) jump
where u = 0; u^v is 0^0 where u = v = 0. `eval --at` checks the conditions exactly
at one point (`point`), `eval --points` in floating point at every point
(`jaccli.batch.compute`), both with `kink_applies`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple


class Kink(NamedTuple):
    """Where entry (i, j) of J exists as a formula but not as a derivative.

    kind "abs": |u| where u = 0 and ∂u/∂x_j ≠ 0 (a = u, b = ∂u/∂x_j);
    kind "jump": sign(u) or DiracDelta(u) where u = 0 (a = u, b = 0);
    kind "0^0": u^v where u = v = 0 (a = u, b = v);
    kind "cut": atan2(y, x) where y = 0 and x < 0, its jump of 2π (a = y, b = x).
    """

    i: int
    j: int
    kind: str
    a: Any
    b: Any
    why: str


def kinks(functions: Sequence[Any], variables: Sequence[Any]) -> list[Kink]:
    """The conditions under which entries of J are undefined although their formula is not.

    SymPy's d|x|/dx = sign(x) would otherwise print 0 at x = 0. `eval --at` checks
    them exactly at one point, `eval --points` in floating point at every point.
    """
    import symengine as se

    from jaccli.engine.derivatives import partial

    found: list[Kink] = []
    for i, f in enumerate(functions):
        for node in f.atoms(se.Abs, se.sign, se.FunctionSymbol):
            if isinstance(node, se.FunctionSymbol) and node.get_name() != "DiracDelta":
                continue  # g(u) declared with no formula: nothing known about it
            u = node.args[0]
            kind = "abs" if isinstance(node, se.Abs) else "jump"
            for j, v in enumerate(variables):
                if u.has(v):
                    b = partial(u, v) if kind == "abs" else se.Integer(0)
                    found.append(Kink(i, j, kind, u, b, f"{node} has no derivative where {u} = 0"))
        for node in f.atoms(se.atan2):
            # atan2(y, x) jumps from π to −π as y falls through 0 where x < 0; its formula's
            # (x dy − y dx)/(x² + y²) is finite there. Every x_j that y holds may cross the
            # cut (y = x_j³ does, although ∂y/∂x_j = 0): those entries are undefined on it.
            y, x = node.args
            why = (
                f"{node} has no derivative jac can vouch for where {y} = 0 and {x} < 0 "
                f"(its cut: it jumps by 2π where {y} changes sign)"
            )
            found += [Kink(i, j, "cut", y, x, why) for j, v in enumerate(variables) if y.has(v)]
        for node in f.atoms(se.Pow):
            base, exponent = node.args
            # A base that is never 0 (e in exp(u), π) never makes 0^0: no check to build,
            # which eval --points would otherwise run on every chunk.
            if not (exponent.is_Number or base.is_Number or base.is_positive):
                for j, v in enumerate(variables):
                    if node.has(v):
                        found.append(Kink(i, j, "0^0", base, exponent, f"{node} is 0^0"))
    return found


def kink_applies(kind: str, a: Any, b: Any) -> Any:
    """Whether a kink bites, given the values of its a and b (numbers or NumPy arrays)."""
    if kind == "abs":
        return (a == 0) & (b != 0)
    if kind == "jump":
        return a == 0
    if kind == "cut":
        return (a == 0) & _negative(b)
    return (a == 0) & (b == 0)


def _negative(b: Any) -> Any:
    """b < 0, for NumPy values and for SymEngine's numbers and constants (-π) alike."""
    if hasattr(b, "free_symbols"):
        return not b.free_symbols and _side(b) == -1
    return b < 0


def _singular_cells(
    functions: Sequence[Any], variables: Sequence[Any], subs: Mapping[Any, Any]
) -> dict[tuple[int, int], str]:
    """Entries that exist as formulas but not as derivatives at the point."""
    cells: dict[tuple[int, int], str] = {}
    for k in kinks(functions, variables):
        if (k.i, k.j) in cells:
            continue
        # DiracDelta(1) and sign(2) as numbers: ∂u/∂x of 1 - sign(x) is -2 DiracDelta(x), 0 at 1
        a, b = (_delta_values(e.subs(subs)) for e in (k.a, k.b))
        if kink_applies(k.kind, a, b):
            cells[(k.i, k.j)] = k.why
    return cells


def _delta_values(expr: Any) -> Any:
    """DiracDelta(c) at a constant c: 0 when c ≠ 0 is real; NaN (undefined) at 0 or off the
    reals. sign(c) of a constant SymEngine leaves as it is (sign(log(2))): ±1 by its value."""
    import symengine as se

    deltas = [d for d in expr.atoms(se.FunctionSymbol) if d.get_name() == "DiracDelta"]
    numeric = {}
    for d in deltas:
        side = _side(d.args[0])
        if side is not None:
            numeric[d] = se.Integer(0) if side else se.nan
    for s in expr.atoms(se.sign):
        side = _side(s.args[0])
        if side:
            numeric[s] = se.Integer(side)
    return expr.xreplace(numeric) if numeric else expr


def _side(c: Any) -> int | None:
    """For a constant: 1 or -1 by its sign, 0 where it is 0 or not real; None for an
    expression with symbols or a constant too close to 0 to tell at 128 bits (or too big)."""
    from jaccli.numbers import constant_value

    if c.free_symbols:
        return None
    if c.is_Number:
        return 0 if c == 0 or not c.is_real else (1 if c > 0 else -1)
    z = constant_value(c)  # atan2 too: sign(3/2 - atan2(1, 1/2)) is 1
    if z is None:
        return None
    if abs(z.imag) > 2.0**-100 * max(1.0, abs(z.real)):
        return 0
    if abs(z.real) < 2.0**-100:
        return None
    return 1 if z.real > 0 else -1
