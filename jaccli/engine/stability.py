"""The stability of the equilibria of dx/dt = F(x): each one (or each family) with J there,
its eigenvalues and what they prove.

The equilibria and how complete their list is come from `equilibria`; the eigenvalues and
their classification from `eigen` (exact signs where J is exact; a stated tolerance where
not). A family's J is simplified knowing its index is an integer (cos(2πk) = 1), so one row
classifies every member. With parameters in J, the Routh–Hurwitz conditions say for which
values an equilibrium is stable, simplified to "b > 0".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jaccli.engine.equilibria import EXACT_SECONDS, Solution
from jaccli.engine.equilibria_search import DEFAULT_BOX, TOLERANCE, Box
from jaccli.engine.results import Column, Equilibrium, Listing, Part, Sparse, StabilityResult
from jaccli.engine.roots import parametric_factor
from jaccli.errors import UsageError

HARTMAN_GROBMAN = (
    "The type of a hyperbolic equilibrium (no eigenvalue on the imaginary axis) is proved by "
    "the Hartman–Grobman theorem; where an eigenvalue has zero real part the linearization "
    "is inconclusive, and only an eigenvalue with a positive real part still proves "
    "instability."
)
NUMERIC_DIGITS = 15  # numeric values are shown to this many digits without {digits}
NOT_CLASSIFIED = "not classified (J undefined)"
_AT_KINK = 1e-20  # |u| below which a numeric equilibrium is taken to sit on a kink of |u|
LONG = 60  # exact eigenvalues longer than this (cubic radicals) are shown as numbers too

BoxText = str | Mapping[str, tuple[float, float]]


def square_system(m: int, n: int) -> None:
    if m != n:
        raise UsageError(
            f"equilibria of dx/dt = F(x) need as many functions as variables, but F has {m} "
            f"component{'s' * (m != 1)} and there {'are' if n != 1 else 'is'} {n} "
            f"variable{'s' * (n != 1)} ({{vars}})"
        )


def read_box(box: BoxText | None, variables: Sequence[Any]) -> Box:
    """`x=-5:5,y=0:3` ({box}; a variable not named keeps [-10, 10]), `-5:5` for every
    variable, or a mapping from name to (low, high)."""
    names = [str(v.name) for v in variables]
    given: dict[str, tuple[float, float]] = {}
    if isinstance(box, str):
        items = [i.strip() for i in box.split(",") if i.strip()]
        every = len(items) == 1 and "=" not in items[0]
        for item in [f"{n}={items[0]}" for n in names] if every else items:
            name, equals, bounds = item.partition("=")
            low, colon, high = bounds.partition(":")
            if not equals or not colon:
                item = items[0] if every else item
                raise UsageError(f"{{box}} takes name=low:high, such as x=-5:5, not '{item}'")
            given[name.strip()] = (_bound(low), _bound(high))
    elif box is not None:
        given = {str(k): (float(lo), float(hi)) for k, (lo, hi) in box.items()}
    for name, (lo, hi) in given.items():
        if name not in names:
            raise UsageError(f"{{box}} names '{name}', which is not a variable")
        if not lo < hi:
            raise UsageError(f"{{box}}: the interval of {name} is empty ({lo:g} to {hi:g})")
    return Box(tuple(given.get(name, DEFAULT_BOX) for name in names))


def _bound(text: str) -> float:
    import math

    from jaccli.parse import parse_functions

    try:
        (value,) = parse_functions([text.strip()], [])
        number = float(value)
    except (ValueError, TypeError, RuntimeError):
        number = math.nan
    if not math.isfinite(number):
        raise UsageError(f"{{box}}: '{text.strip()}' is not a number")
    return number


# --------------------------------------------------------------------------- one equilibrium


def _jacobian_at(jacobian: Any, variables: Sequence[Any], s: Solution) -> Any:
    """J at the point, simplified (a family's index is an integer), or evaluated at 30
    digits for a numeric point."""
    import sympy

    at = jacobian.subs(dict(zip(variables, s.point, strict=True)))
    if s.found == "numeric":
        return at.applyfunc(lambda e: sympy.N(e, 30))
    return at.applyfunc(lambda e: sympy.simplify(e) if e.free_symbols else e)


def _rounded(e: Any, digits: int | None) -> Any:
    """A numeric value to `digits` (15 when None); an exact one exact unless `digits`."""
    import sympy

    if e.free_symbols or (digits is None and not e.has(sympy.Float)):
        return e
    return sympy.N(e, digits or NUMERIC_DIGITS)


def _conditions(matrix: Any, family: Sequence[Any]) -> tuple[tuple[Any, ...], str]:
    """With parameters in J: the Routh–Hurwitz conditions (each > 0 for asymptotic
    stability, every Re λ < 0) and them in words ("b > 0"; "never": some is a number ≤ 0,
    as on a line of equilibria, whose J has λ = 0; "always")."""
    import sympy

    from jaccli.engine import eigen
    from jaccli.engine.bridge import from_sympy, to_sympy

    params = {str(s) for row in matrix for e in row for s in e.free_symbols}
    params -= {str(s) for s in family}
    if not params:
        return (), ""
    _, _, coeffs = eigen.characteristic(matrix)
    conditions = [sympy.factor(to_sympy(c)) for c in eigen.routh_hurwitz(coeffs)]
    if any(c.is_number and c <= 0 for c in conditions):
        return tuple(from_sympy(c) for c in conditions), "never"
    left = [c for c in conditions if not (c.is_number and c > 0)]
    words = [sympy.sstr(sympy.simplify(sympy.Gt(c, 0))) for c in left]
    return tuple(from_sympy(c) for c in left), " and ".join(words) or "always"


def _missing(
    at: Any, kinks: Sequence[Any], variables: Sequence[Any], s: Solution
) -> dict[tuple[int, int], tuple[str, str, str]]:
    """The entries of J that do not exist at the equilibrium, each said as `jac eig --at`
    says it: infinite or 0/0 there (d√x/dx at 0), not real, or at a kink, where the formula
    has a value but no derivative is (SymPy's d|x|/dx = sign(x) is 0 at 0, and |x| there is
    no linearization's business). Eigenvalues of such a J would classify nothing. Each
    cell's (label, "undefined" or "not real", why)."""
    import sympy

    from jaccli.engine.bridge import to_sympy
    from jaccli.engine.kink import kink_applies

    def label(i: int, j: int) -> str:
        return f"J[{i + 1},{j + 1}] = ∂f{i + 1}/∂{variables[j]}"

    point = dict(zip(variables, s.point, strict=True))

    def value(e: Any) -> Any:
        v = to_sympy(e).subs(point)
        if s.found == "numeric":
            v = sympy.N(v, 30)
            return sympy.S.Zero if v.is_number and abs(v) < _AT_KINK else v
        return sympy.simplify(v) if v.free_symbols else v

    said: dict[tuple[int, int], tuple[str, str, str]] = {}
    for k in kinks:
        if (k.i, k.j) not in said and kink_applies(k.kind, value(k.a), value(k.b)) is True:
            said[(k.i, k.j)] = (label(k.i, k.j), "undefined", f": {k.why}")
    bad = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
    for i, j in ((i, j) for i in range(at.rows) for j in range(at.cols) if (i, j) not in said):
        e = at[i, j]
        if e.has(*bad):
            said[(i, j)] = (label(i, j), "undefined", " (infinite or 0/0 there)")
        elif e.is_real is False:
            said[(i, j)] = (label(i, j), "not real", "")
    return dict(sorted(said.items()))


class _Row:
    """One equilibrium, worked out: the typed record, its J as a part, and its words."""

    def __init__(
        self,
        s: Solution,
        jacobian: Any,
        variables: Sequence[Any],
        digits: int | None,
        kinks: Sequence[Any] = (),
    ) -> None:
        import symengine as se
        import sympy

        from jaccli.engine import eigen, spectrum
        from jaccli.engine.bridge import as_sympy, from_sympy

        at = _jacobian_at(jacobian, variables, s)
        undefined = _missing(at, kinks, variables, s)
        matrix = tuple(
            tuple(se.nan if (i, j) in undefined else from_sympy(at[i, j]) for j in range(at.cols))
            for i in range(at.rows)
        )
        unsolved = parametric_factor(at) if at.free_symbols and not undefined else None
        values: tuple[Any, ...] = ()
        self.conditions, self.condition_words = (), ""
        if undefined:
            why = (
                f"{NOT_CLASSIFIED}: where an entry of J is infinite, 0/0 or at a kink, J does "
                "not exist and no eigenvalue says anything; those entries are shown as nan"
            )
            kind = spectrum.Classification(NOT_CLASSIFIED, False, 0, why)
        elif unsolved is None:
            values, exact = eigen.eigenvalues(matrix, digits=digits)
            kind = _refined(eigen.classify(values, exact=exact), values, matrix)
        else:
            kind = _by_conditions(matrix, unsolved)
        if not undefined:
            self.conditions, self.condition_words = _conditions(matrix, s.free)
        point = tuple(from_sympy(_rounded(as_sympy(c), digits)) for c in s.point)
        residual = from_sympy(as_sympy(s.residual))
        shown_matrix = [[_shown(e, digits) for e in row] for row in matrix]
        sparse = Sparse(
            (at.rows, at.cols),
            tuple(tuple((j, e) for j, e in enumerate(row) if e != 0) for row in shown_matrix),
        )
        self.equilibrium = Equilibrium(
            point, s.where, sparse, values, kind.type, kind.hyperbolic, s.found, residual
        )
        self.note = kind.note
        shown = ", ".join(str(c) for c in point)
        self.missing = tuple(
            f"{label} is {what} at the equilibrium {shown}{why}"
            for label, what, why in undefined.values()
        )
        latex = ", ".join(sympy.latex(_rounded(as_sympy(c), digits)) for c in s.point)
        names = tuple(str(v) for v in variables)
        rows = tuple(f"f{i + 1}" for i in range(len(names)))
        self.part = Part("jacobian", f"J({shown})", f"J({latex})", sparse, rows, names, False)

    def cells(self, digits: int | None) -> tuple[Any, ...]:
        e = self.equilibrium
        spread = tuple(
            _shown(v.value, digits, LONG) for v in e.eigenvalues for _ in range(v.multiplicity)
        )
        return (e.point, e.where, spread, e.type, e.found, e.residual)


def _shown(e: Any, digits: int | None, longest: int | None = None) -> Any:
    """A SymEngine value as shown: numeric ones (and, past `longest` characters, exact
    numbers) to `digits` (15 when None); exact ones as they are."""
    import symengine as se
    import sympy

    from jaccli.engine.bridge import from_sympy, to_sympy

    floats = e.atoms(se.RealDouble, se.RealMPFR, se.ComplexDouble, se.ComplexMPC)
    long = longest is not None and not e.free_symbols and len(str(e)) > longest
    if not (floats or long or (digits is not None and not e.free_symbols)):
        return e
    return from_sympy(sympy.N(to_sympy(e), digits or NUMERIC_DIGITS))


def _by_conditions(matrix: Any, factor: Any) -> Any:
    """The type from the Routh–Hurwitz conditions alone, when the eigenvalues' formulas
    (a cubic's or a quartic's, with parameters) are too long to classify: stable when they
    hold whatever the parameters; unstable when tr J > 0 or (−1)ⁿ det J < 0 (a positive
    real root) whatever they are; else it depends on them."""
    import sympy

    from jaccli.engine import eigen, spectrum
    from jaccli.engine.bridge import to_sympy

    _, _, coeffs = eigen.characteristic(matrix)
    a = [sympy.cancel(to_sympy(c) / to_sympy(coeffs[0])) for c in coeffs]
    conditions = eigen.routh_hurwitz(coeffs)
    polynomial, factor = _in_lambda(eigen.characteristic_polynomial(coeffs)), _in_lambda(factor)
    note = f"the eigenvalues are the roots of {_descending(polynomial)}"
    if sympy.expand(polynomial - factor) != 0:
        note += f", those of {_descending(factor)} among them"
    note += (
        ", whose formulas (Cardano's, Ferrari's) with parameters are too long to classify: "
        "the Routh–Hurwitz conditions decide"
    )
    if not conditions:
        why = "they hold whatever the parameters: every Re λ < 0"
        return spectrum.Classification("stable", True, 0, f"{note}; {why}")
    if a[1].is_negative or a[-1].is_negative:
        why = "tr J > 0 or a positive real root whatever the parameters: some Re λ > 0"
        return spectrum.Classification("unstable", False, 1, f"{note}; {why}")
    if any(not c.free_symbols for c in conditions):
        note += "; one fails whatever the parameters: never asymptotically stable"
    return spectrum.Classification(spectrum.DEPENDS, False, 0, note)


def _in_lambda(e: Any) -> Any:
    """A polynomial in one plain SymPy symbol λ, its leading coefficient made positive
    where it is a negative number."""
    import sympy

    from jaccli.engine.bridge import to_sympy
    from jaccli.engine.roots import LAMBDA

    e = to_sympy(e) if not isinstance(e, sympy.Basic) else e
    lam = sympy.Symbol(LAMBDA)
    e = e.xreplace({s: lam for s in e.free_symbols if s.name == LAMBDA})
    lead = sympy.Poly(e, lam).LC()
    return -e if lead.is_number and lead < 0 else e


def _descending(polynomial: Any) -> str:
    """λ³ + λ² + c λ + a in that order (SymPy prints λ³ after c λ)."""
    import sympy

    from jaccli.engine.roots import LAMBDA

    lam = sympy.Symbol(LAMBDA)
    terms = [sympy.factor(c) * lam**k for (k,), c in sympy.Poly(polynomial, lam).terms()]
    return str(sympy.sstr(sympy.Add(*terms, evaluate=False), order="none"))


def _refined(kind: Any, values: Sequence[Any], matrix: Any) -> Any:
    """What the parameters cannot change: in 2-D, det J < 0 (a number) is a saddle for
    every value of them; a zero eigenvalue leaves the linearization inconclusive. Saddles
    say how many directions are unstable."""
    from jaccli.engine import eigen, spectrum

    if kind.type == spectrum.DEPENDS:
        _, det, _ = eigen.characteristic(matrix)
        if len(matrix) == 2 and det.is_Number and det < 0:
            note = "det J < 0 whatever the parameters: a saddle"
            kind = spectrum.Classification("saddle", True, 1, note)
        elif any(v.value == 0 for v in values):
            return spectrum.Classification(spectrum.INCONCLUSIVE, False, 0, spectrum.ZERO_NOTE)
    if kind.type.startswith("saddle"):
        u = kind.unstable_directions
        directions = f"{u} unstable direction{'s' * (u != 1)}"
        note = "; ".join(n for n in kind.note.split("; ") if n != directions)
        return kind._replace(type=f"{kind.type} ({directions})", note=note)
    return kind


# --------------------------------------------------------------------------- the result

_COLUMNS = (
    Column("point", "point"),
    Column("where", "where"),
    Column("eigenvalues", "eigenvalues"),
    Column("type", "type"),
    Column("found", "found"),
    Column("residual", "residual"),
)
_CONDITIONS_TITLE = "Asymptotic stability conditions (Routh–Hurwitz)"
_CONDITION_COLUMNS = (
    Column("point", "point"),
    Column("where", "where"),
    Column("stable_if", "asymptotically stable if"),
)


def stability(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    box: BoxText | Box | None = None,
    digits: int | None = None,
    seconds: float | None = EXACT_SECONDS,
) -> StabilityResult:
    """The equilibria of dx/dt = F(x) (`variables`: every free symbol if None), each
    classified by the eigenvalues of J there, with how complete the list is; `box`
    bounds the numeric search (default [-10, 10] for each variable), `digits` rounds the
    values, `seconds` limits SymPy's exact solving."""
    from jaccli.engine.bridge import to_sympy
    from jaccli.engine.derivatives import differentiate
    from jaccli.engine.equilibria import equilibria
    from jaccli.engine.kink import kinks
    from jaccli.engine.variables import header

    head = header(functions, variables)
    xs = head["variables"]
    square_system(len(functions), len(xs))
    found = equilibria(
        functions, xs, box if isinstance(box, Box) else read_box(box, xs), seconds=seconds
    )
    import sympy

    j = differentiate(functions, xs).dense()
    jacobian = sympy.Matrix([[to_sympy(e) for e in row] for row in j])
    kinked = kinks(functions, xs)
    rows = [_Row(s, jacobian, [to_sympy(x) for x in xs], digits, kinked) for s in found.solutions]
    listings = [
        Listing("equilibria", "Equilibria", _COLUMNS, tuple(r.cells(digits) for r in rows), True)
    ]
    conditions = [r for r in rows if r.condition_words]
    if conditions:
        table = tuple(
            (r.equilibrium.point, r.equilibrium.where, r.condition_words) for r in conditions
        )
        listings.append(Listing("conditions", _CONDITIONS_TITLE, _CONDITION_COLUMNS, table))
    notes = [
        f"status: {found.status} ({found.reason})",
        HARTMAN_GROBMAN,
        *dict.fromkeys(r.note for r in rows if r.note),
        *found.notes,
    ]
    if any(s.found == "numeric" for s in found.solutions):
        notes.append(
            "numeric equilibria: points where Newton's method converges at 50 digits (its "
            f"step shrinking to nothing, not only |F| small); each has max |F_i| ≤ {TOLERANCE:g} "
            "(the residual column)"
        )
    return StabilityResult(
        **head,
        warnings=_warnings(found.status, found.reason, bool(rows)) + _unclassified(rows),
        parts=tuple(r.part for r in rows),
        digits=digits,
        facts=(("status", found.status), ("reason", found.reason)),
        notes=tuple(notes),
        listings=tuple(listings),
        equilibria=tuple(r.equilibrium for r in rows),
        status=found.status,
        reason=found.reason,
        conditions=tuple(r.conditions for r in rows),
    )


def _unclassified(rows: Sequence[_Row]) -> tuple[str, ...]:
    """What no format may leave unsaid: an equilibrium whose J does not exist has no type,
    and why (the first entry of the first such one, and how many there are)."""
    missing = [r.missing for r in rows if r.missing]
    if not missing:
        return ()
    more = len(missing) - 1
    also = f", nor {more} more equilibri{'a' if more > 1 else 'um'} where J does not exist"
    return (f"{missing[0][0]}; not classified{also if more else ''}",)


def _warnings(status: str, reason: str, any_found: bool) -> tuple[str, ...]:
    """What stderr (or a JacWarning) must say whatever the format: plain output has no room
    for the status, and a script reading an empty or partial list must not take it whole."""
    if status == "incomplete":
        return (f"the list of equilibria may be incomplete: {reason}",)
    if not any_found:
        return ("no equilibrium: F = 0 has no real solution",)
    return ()
