"""The equations of rank loss solved over the reals: one factor of det J, or the system of
a non-square J's maximal minors, with infinite families kept (q2 = kπ, k ∈ ℤ).

SymPy's solveset answers with sets: finite sets, ImageSets over the integers (families),
sets under conditions on the parameters, and ConditionSets when it cannot solve. The first
three become solutions here; anything else is None, and the caller reports the equation
unsolved instead of dropping it. Everything here is SymPy: the variables and parameters
real (as `bridge.to_sympy` makes them), the family parameters integer symbols.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from fractions import Fraction
from typing import Any, NamedTuple

SOLVE_LIMIT = 400  # characters: a longer factor is not handed to solveset (it can run for hours)
VALUE_LIMIT = 200  # characters: a longer value does not count as solving for that variable
SOLUTIONS_LIMIT = 40  # solutions of a system: beyond this it is reported unsolved
FAMILY_NAMES = ("k", "j", "m", "n", "p", "q")  # family parameters, the first names not taken


class Solution(NamedTuple):
    """Values of some variables that make an equation (or a system) hold."""

    values: tuple[tuple[Any, Any], ...]  # (variable, value), SymPy, in the order solved
    integers: tuple[Any, ...]  # the family parameters it uses (each ranges over ℤ)
    conditions: tuple[str, ...]  # when it holds, on the parameters: "-1 ≤ l2/l1 ≤ 1"


Namer = Callable[[int], Any]  # the i-th family parameter of a solution, an integer symbol


def namer(taken: Collection[str]) -> Namer:
    """Family parameters k, j, m, ... that are not names of the problem."""
    import sympy

    free = [n for n in FAMILY_NAMES if n not in taken]
    free += [f"k{i}" for i in range(1, 50) if f"k{i}" not in taken]
    return lambda i: sympy.Symbol(free[i], integer=True)


def solve_factor(
    f: Any, variables: Collection[Any], name: Namer, used: int = 0
) -> list[Solution] | None:
    """Every real solution of f = 0 for one of its variables (the one solveset solves
    first, those occurring least tried first), or None when none can be solved.
    `used` family parameters are taken already (by the system this factor is part of)."""
    if len(str(f)) > SOLVE_LIMIT:
        return None
    candidates = sorted(
        (v for v in f.free_symbols if v in variables), key=lambda v: (f.count(v), v.name)
    )
    for v in candidates:
        found = _solveset(f, v, name(used))
        if found is not None and all(
            len(str(x)) <= VALUE_LIMIT for s in found for _, x in s.values
        ):
            return found  # a Cardano formula pages long is no answer: the next variable
    return _sum_of_squares(f, candidates)


def _solveset(f: Any, v: Any, k: Any) -> list[Solution] | None:
    import sympy

    try:
        s = sympy.solveset(f, v, sympy.S.Reals)
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    conditions: tuple[str, ...] = ()
    if isinstance(s, sympy.ConditionSet):
        base = s.base_set
        if s.condition.has(v) or isinstance(base, sympy.Interval) or base == sympy.S.Reals:
            return None
        conditions, s = (_words(s.condition),), base
    if isinstance(s, sympy.Intersection) and sympy.S.Reals in s.args:
        rest = [a for a in s.args if a != sympy.S.Reals]
        if len(rest) != 1 or not isinstance(rest[0], sympy.FiniteSet):
            return None
        real = [x for x in rest[0] if not x.has(sympy.I)]  # ±i|y| for x² + y² = 0: not real
        if not real:
            return None
        s = sympy.FiniteSet(*real)
    pieces = () if s == sympy.S.EmptySet else s.args if isinstance(s, sympy.Union) else (s,)
    points, lines = [], []
    for piece in pieces:
        if isinstance(piece, sympy.FiniteSet):
            if any(x.has(sympy.I) for x in piece):
                return None
            points += [x.evalf(15) if x.has(sympy.CRootOf) else x for x in piece]
        elif (line := _line(piece)) is not None:
            lines.append(line)
        else:
            return None
    return [Solution(((v, x),), (), conditions) for x in points] + [
        Solution(((v, a * k + b),), (k,), conditions) for a, b in _merged(lines)
    ]


def _line(piece: Any) -> tuple[Any, Any] | None:
    """(a, b) for the ImageSet {a·n + b : n ∈ ℤ}; None for any other set."""
    import sympy

    if not isinstance(piece, sympy.ImageSet) or piece.base_sets != (sympy.S.Integers,):
        return None
    (n,), e = piece.lamda.variables, piece.lamda.expr
    a = sympy.diff(e, n)
    return (a, sympy.expand(e.subs(n, 0))) if not a.has(n) and a != 0 else None


def _merged(lines: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Families with the same step merged where they interleave evenly: {2nπ} ∪ {2nπ + π}
    is {kπ}; {nπ + π/4} ∪ {nπ + 3π/4} is {kπ/2 + π/4}."""
    import sympy

    out = []
    steps = list(dict.fromkeys(a for a, _ in lines))
    for a in steps:
        offsets = [b for step, b in lines if step == a]
        ratios = [sympy.nsimplify(b / a) for b in offsets]
        if len(offsets) > 1 and all(r.is_Rational for r in ratios):
            fractions = sorted({Fraction(int(r.p), int(r.q)) % 1 for r in ratios})
            m = len(fractions)
            if all(f == fractions[0] + Fraction(i, m) for i, f in enumerate(fractions)):
                first = sympy.Rational(fractions[0].numerator, fractions[0].denominator)
                out.append((a / m, a * first))
                continue
        out += [(a, b) for b in offsets]
    return out


def _sum_of_squares(f: Any, variables: Sequence[Any]) -> list[Solution] | None:
    """x² + y² = 0 is the point x = y = 0 (and x² + 1 = 0 has no real solution): for a
    polynomial whose terms are positive numbers times even powers."""
    import sympy

    if not variables or not f.is_polynomial(*variables):
        return None
    p = sympy.Poly(f, *variables)
    if not all(c.is_positive for c in p.coeffs()):
        return None
    monomials = p.monoms()
    if any(e % 2 for monomial in monomials for e in monomial):
        return None
    if any(not any(monomial) for monomial in monomials):
        return []  # a positive constant plus squares
    if any(sum(1 for e in monomial if e) != 1 for monomial in monomials):
        return None
    zero = tuple((v, sympy.Integer(0)) for v in variables)
    return [Solution(zero, (), ())]


def _words(condition: Any) -> str:
    """A SymPy condition for people: (-1 <= a) & (a <= 1) as -1 ≤ a and a ≤ 1."""
    import sympy

    parts = sympy.And.make_args(condition)
    text = " and ".join(str(sympy.sstr(p)) for p in parts)
    for old, new in (("<=", "≤"), (">=", "≥"), ("!=", "≠"), (" | ", " or ")):
        text = text.replace(old, new)
    return text


def factors(e: Any) -> list[Any]:
    """The distinct factors of e that are not numbers: those of a product one by one
    (SymPy's factor_list gives up on (-1)**k*l1*sin(q2)), each sum by factor_list."""
    import sympy

    out: list[Any] = []
    for f in sympy.Mul.make_args(e):
        if f.is_Pow and f.exp.is_positive:
            f = f.base
        if f.is_number:
            continue
        try:
            split = [g for g, _ in sympy.factor_list(f)[1]] if f.is_Add else [f]
        except sympy.PolynomialError:
            split = [f]
        out += [g for g in split if not g.is_number and g not in out]
    return out


# --------------------------------------------------------------------------- systems


class System(NamedTuple):
    """The real solutions of a system, and the parameter factors assumed not to be 0."""

    solutions: list[Solution]
    assumed: set[Any]  # parameter-only factors (l1) taken as non-zero on the way


def solve_system(
    equations: Sequence[Any], variables: Collection[Any], name: Namer
) -> System | None:
    """Every real solution of equations = 0 (all at once), for generic parameters: solve a
    factor of the simplest equation, put its solutions into the others, and go on until all
    hold. None when a factor cannot be solved or the solutions grow too many."""
    assumed: set[Any] = set()
    found = _system(list(equations), set(variables), name, 0, assumed)
    if found is None:
        return None
    unique = {
        tuple((v, str(x)) for v, x in sorted(s.values, key=lambda p: p[0].name)): s for s in found
    }
    return System(list(unique.values()), assumed)


def _system(
    equations: list[Any], variables: set[Any], name: Namer, used: int, assumed: set[Any]
) -> list[Solution] | None:

    left = [e for e in (_tidied(e) for e in equations) if e != 0]
    if not left:
        return [Solution((), (), ())]
    pivots = [e for e in left if e.free_symbols & variables]
    if len(pivots) < len(left):  # an equation in the parameters only: not 0, generically
        assumed.update(e for e in left if not e.free_symbols & variables and not e.is_number)
        return []
    pivot = min(pivots, key=lambda e: (len(e.free_symbols & variables), len(str(e))))
    out: list[Solution] = []
    for f in factors(pivot):
        if not f.free_symbols & variables:
            if not any(s.is_integer for s in f.free_symbols):  # (-1)**k is never 0
                assumed.add(f)
            continue
        solved = solve_factor(f, variables, name, used)
        if solved is None:
            return None
        for s in solved:
            rest = [e.subs(dict(s.values)) for e in left if e is not pivot]
            later = _system(
                rest, variables - {v for v, _ in s.values}, name, used + len(s.integers), assumed
            )
            if later is None:
                return None
            for t in later:
                back = tuple((v, x.subs(dict(t.values))) for v, x in s.values)
                out.append(
                    Solution(back + t.values, s.integers + t.integers, s.conditions + t.conditions)
                )
            if len(out) > SOLUTIONS_LIMIT:
                return None
    return out


def _tidied(e: Any) -> Any:
    """e, or 0 when it is 0: checked numerically at two points, then proved by simplify."""
    import random

    import sympy

    if e == 0 or e.is_number or len(str(e)) > SOLVE_LIMIT:
        return e
    rng = random.Random(1)
    for _ in range(2):
        at = {
            s: sympy.Integer(rng.randint(-3, 3))
            if s.is_integer
            else sympy.Rational(rng.randint(11, 97), 37)
            for s in e.free_symbols
        }
        try:
            if abs(complex(e.subs(at).evalf(30))) > 1e-20:
                return e
        except (TypeError, ValueError):
            return e
    return sympy.Integer(0) if sympy.simplify(e) == 0 else e
