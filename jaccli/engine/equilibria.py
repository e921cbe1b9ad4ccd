"""The equilibria of dx/dt = F(x): the solutions of F = 0, exact where SymPy finds them all,
and an honest word on how complete the list is.

Three methods, each saying what it proved:
- a polynomial system goes to a Gröbner basis (jaccli.engine.equilibria_poly): finite
  (zero-dimensional) means `solve_poly_system`, complete only when it gave as many
  solutions as the system has (counted); otherwise the equations are factored and each
  choice of factors solved as a case, by `nonlinsolve` as continua ("S ∈ ℝ"), never as one
  sample point;
- anything else is solved equation by equation over the reals (`solveset`), substituting
  each solution into the rest, a product branching into its factors; periodic solutions
  stay families (θ = 2kπ + π, k ∈ ℤ), and an equation solveset cannot solve (cos x = x)
  makes the list incomplete;
- a family or continuum says which of its members are no points: "k ∈ ℤ, k ≠ 0" (a pole),
  "y ∈ ℝ, -1 ≤ y ≤ 1" (a square root), "where the point is real" when jac cannot say;
- Newton's method from a few hundred seeded starts in a box, polished with mpmath, checks
  both and finds what they missed: a root in the box that no exact solution explains makes
  the list incomplete, and is listed as numeric.

SymPy's work runs under a time limit; past it the list is incomplete too. Symbols of F that
are not variables are parameters: the exact solutions are for generic values of them, and
the numeric search runs at one seeded value of each.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from jaccli.engine.bridge import as_sympy, to_sympy
from jaccli.engine.equilibria_search import (
    STARTS_PER_VARIABLE,
    TOLERANCE,
    Box,
    _distinct,
    _explains,
    _newton,
    _polished,
)

EXACT_SECONDS = 10.0  # SymPy's share of the work, then the list is called incomplete
_FAMILY_NAMES = ("k", "m", "n", "j")


class Solution(NamedTuple):
    """One equilibrium, or a family of them, in SymPy (symbols real, family indices integer)."""

    point: tuple[Any, ...]  # in the order of the variables
    free: tuple[Any, ...]  # the family's parameters: integers k, or variables left free
    found: str  # "exact" or "numeric"
    residual: Any  # 0 when proved, else max |F_i| as a SymPy Float
    conditions: tuple[str, ...] = ()  # on the parameters: "k ≠ 0", "-1 ≤ y ≤ 1", ...

    @property
    def where(self) -> str:
        """ "k ∈ ℤ", "S ∈ ℝ", "k ∈ ℤ; S ∈ ℝ", "k ∈ ℤ, k ≠ 0", or "" for one point."""
        integers = [str(s) for s in self.free if s.is_integer]
        reals = [str(s) for s in self.free if not s.is_integer]
        sets = [f"{', '.join(names)} ∈ {field}" for names, field in ((integers, "ℤ"), (reals, "ℝ"))]
        named = "; ".join(s for s, names in zip(sets, (integers, reals), strict=True) if names)
        return ", ".join((named, *self.conditions)) if named else ""


class Equilibria(NamedTuple):
    solutions: tuple[Solution, ...]
    status: str  # "complete", "families" or "incomplete"
    reason: str
    notes: tuple[str, ...]


class _OutOfTime(BaseException):
    """SymPy's time is up (a BaseException, so that SymPy's `except Exception` lets it by)."""


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise _OutOfTime in this block after `seconds` (main thread only; else no limit)."""
    import signal
    import threading

    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- exact


class _Exact(NamedTuple):
    solutions: list[Solution]
    complete: bool
    method: str  # what proved it, or what was tried
    unreal: int = 0  # solutions left out as no member of them is real


def _family_symbol(taken: set[str]) -> Any:
    import sympy

    names = [*_FAMILY_NAMES, *(f"k{i}" for i in range(1, 100))]
    name = next(n for n in names if n not in taken)
    taken.add(name)
    return sympy.Symbol(name, integer=True)


def _members(found: Any, taken: set[str]) -> list[tuple[Any, tuple[Any, ...]]] | None:
    """The elements of a solveset answer, each with its family index (if any); None when
    solveset did not solve it (a ConditionSet, or a set jac does not read)."""
    import sympy

    if isinstance(found, sympy.FiniteSet):
        return [(e, ()) for e in found.args]
    if isinstance(found, sympy.Union):
        parts = [_members(a, taken) for a in found.args]
        return None if any(p is None for p in parts) else [m for p in parts if p for m in p]
    if isinstance(found, sympy.Intersection) and sympy.S.Reals in found.args:
        rest = [a for a in found.args if a != sympy.S.Reals]
        return _members(rest[0], taken) if len(rest) == 1 else None
    if isinstance(found, sympy.ImageSet) and found.base_sets == (sympy.S.Integers,):
        (dummy,) = found.lamda.variables
        k = _family_symbol(taken)
        return [(found.lamda.expr.xreplace({dummy: k}), (k,))]
    if found == sympy.S.EmptySet:
        return []
    return None


def _simplified(e: Any) -> Any:
    import sympy

    return sympy.simplify(e) if e.free_symbols else e


def _by_substitution(functions: Sequence[Any], variables: Sequence[Any], taken: set[str]) -> _Exact:
    """Equation by equation over the reals: solve one for one variable, substitute, repeat."""
    import sympy

    solutions: list[Solution] = []
    unsolved: list[str] = []

    def walk(equations: list[Any], assigned: dict[Any, Any], free: tuple[Any, ...]) -> None:
        live = []
        for e in equations:
            e = _simplified(e)
            if e == 0:
                continue
            if not any(e.has(v) for v in variables if v not in assigned):
                if not any(s.is_integer for s in e.free_symbols):
                    return  # not 0 (for generic parameters): no solution on this branch
                unsolved.append(sympy.sstr(e))
                return
            live.append(e)
        if not live:
            left = tuple(v for v in variables if v not in assigned)
            point = tuple(_settled(assigned.get(v, v), assigned) for v in variables)
            solutions.append(Solution(point, free + left, "exact", 0))
            return
        live.sort(key=lambda e: sum(e.has(v) for v in variables if v not in assigned))
        for e in live:
            unknowns = [v for v in variables if v not in assigned and e.has(v)]
            factors = _factors(e, unknowns)
            if len(factors) > 1:  # a product is 0 where any factor is: each factor a case
                rest = [x for x in live if x is not e]
                for factor in factors:
                    walk([factor, *rest], assigned, free)
                return
            for v in unknowns:
                if _zero_power(e, v):
                    continue
                names = taken | {str(s) for s in free}
                members = _members(sympy.solveset(e, v, sympy.S.Reals), names)
                if members is None:
                    continue
                rest = [x for x in live if x is not e]
                for value, index in members:
                    walk([x.subs(v, value) for x in rest], {**assigned, v: value}, free + index)
                return
        unsolved.extend(sympy.sstr(e) for e in live)

    walk(list(functions), {}, ())
    if unsolved:
        shown = "; ".join(f"{e} = 0" for e in dict.fromkeys(unsolved))
        return _Exact(solutions, False, f"solveset could not solve {shown}")
    return _Exact(solutions, True, "solved exactly, equation by equation over the reals (solveset)")


def _zero_power(e: Any, v: Any) -> bool:
    """Whether `e` holds 0^u with u depending on `v`, which solveset gets wrong: 0^z = 0
    for every z > 0, but solveset(0**z, z, Reals) is EmptySet (x^z, y, x + y had "no
    equilibrium", complete). Left unsolved, the list is incomplete."""
    import sympy

    return any(p.base == 0 and p.exp.has(v) for p in e.atoms(sympy.Pow))


def _factors(e: Any, unknowns: Sequence[Any]) -> list[Any]:
    """The factors of the numerator of `e` that hold an unknown, or [e] (solveset(sin(x)
    cos(y), x) would miss the cos y = 0 half); a factor free of them (a parameter) is taken
    as nonzero, and a pole where a factor is 0 is no solution (see `_residual`)."""
    import sympy

    from jaccli.engine.singular_solve import factors

    try:
        found = factors(sympy.fraction(sympy.together(e))[0])
    except (sympy.PolynomialError, NotImplementedError):
        return [e]
    held = [f for f in found if any(f.has(v) for v in unknowns)]
    return held if len(held) > 1 else [e]


def _settled(value: Any, assigned: Mapping[Any, Any]) -> Any:
    """A value solved in terms of variables solved later, with those substituted."""
    start = value
    for _ in range(len(assigned)):
        new = value.subs(assigned)
        if new == value:
            break
        value = new
    return value if value == start else _simplified(value)


def _exact(functions: Sequence[Any], variables: Sequence[Any], seconds: float | None) -> _Exact:
    from jaccli.engine.equilibria_poly import by_groebner

    taken = {str(s) for f in functions for s in f.free_symbols}
    tried = []
    try:
        with _time_limit(seconds):
            found = by_groebner(functions, variables)
            if found is None:
                tried.append("not a polynomial system")
                found = _by_substitution(functions, variables, taken)
            return _tidied(found, functions, variables, taken)
    except _OutOfTime:
        tried.append(f"SymPy stopped after {seconds:g} s")
    except (NotImplementedError, ValueError, TypeError) as e:
        tried.append(f"SymPy gave up ({type(e).__name__})")
    return _Exact([], False, "; ".join(tried))


def _tidied(
    exact: _Exact, functions: Sequence[Any], variables: Sequence[Any], taken: set[str]
) -> _Exact:
    """The solutions each once, family indices named afresh, with their conditions."""
    from jaccli.engine.equilibria_poly import unique

    named = unique([_renamed(s, taken) for s in exact.solutions])
    said = [_conditions(functions, variables, s) for s in named]
    kept = [s for s in said if s is not None]
    return exact._replace(solutions=kept, unreal=len(said) - len(kept))


def _renamed(s: Solution, taken: set[str]) -> Solution:
    """A family's integer indices named k, m, ... afresh: each family is read on its own."""
    import sympy

    names = [n for n in (*_FAMILY_NAMES, *(f"k{i}" for i in range(1, 100))) if n not in taken]
    indices = [p for p in s.free if p.is_integer]
    new = {p: sympy.Symbol(name, integer=True) for p, name in zip(indices, names, strict=False)}
    if not new:
        return s
    point = tuple(as_sympy(c).xreplace(new) for c in s.point)
    return s._replace(point=point, free=tuple(new.get(p, p) for p in s.free))


def _left_out(exact: _Exact, dropped: list[Solution], why: str) -> _Exact:
    """`exact` without the solutions `dropped`, incomplete, and `why` ({n} of them, {s} the
    plural's s) added to its method."""
    if not dropped:
        return exact
    n = len(dropped)
    return exact._replace(
        solutions=[s for s in exact.solutions if s not in dropped],
        complete=False,
        method=f"{exact.method}; {why.format(n=n, s='s' * (n != 1))}",
    )


def _undefined(solution: Solution) -> bool:
    """Whether a coordinate is nan or ∞: no point, and the point SymPy meant is unknown."""
    import sympy

    return any(as_sympy(c).has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) for c in solution.point)


def _real(solution: Solution) -> bool:
    """Whether the point is in the real state space. SymPy cannot tell for Cardano's
    radicals (is_real None): a number is then evaluated at 60 digits, where an imaginary
    part above 1e-40 of its size is certainly not 0 (0.16 + 1.75i is a complex root of
    x³ + x + 1); one below is taken as the rounding of a real root's expression."""
    import sympy

    for c in solution.point:
        if c.is_real is False:
            return False
        if c.is_real is None and not c.free_symbols:
            value = sympy.N(c, 60)
            if abs(sympy.im(value)) > sympy.Float("1e-40") * max(1, abs(value)):
                return False
    return True


def _conditions(functions: Sequence[Any], variables: Sequence[Any], s: Solution) -> Solution | None:
    """The family or continuum `s` with the values of its parameters that give no point
    said (a pole: "k ≠ 0"; the square root of a negative number: "-1 ≤ y ≤ 1"), or "where
    the point is defined/real" when jac cannot say which; None when no member is real."""
    if not s.free:
        return s
    poles, vague = _poles(functions, variables, s)
    real = _real_where(s)
    if real is None:
        return None
    if real == "real":
        vague.add(real)
    elif real:
        poles.append(real)
    if vague:
        poles.append(f"where the point is {' and '.join(sorted(vague))}")
    return s._replace(conditions=tuple(poles))


def _poles(
    functions: Sequence[Any], variables: Sequence[Any], s: Solution
) -> tuple[list[str], set[str]]:
    """The values of each parameter where the point, or F there, has a zero denominator:
    "k ≠ 0", "y ∉ {-1, 1}"; {"defined"} when they are not finitely many, or not of one."""
    import sympy

    at = dict(zip(variables, s.point, strict=True))
    denominators = [sympy.fraction(sympy.together(c))[1] for c in s.point]
    denominators += [sympy.fraction(sympy.together(f))[1].subs(at) for f in functions]
    said, vague = [], set()
    for p in s.free:
        domain = sympy.S.Integers if p.is_integer else sympy.S.Reals
        excluded = sympy.S.EmptySet
        for d in (d for d in denominators if p in d.free_symbols):
            if d.free_symbols & set(s.free) != {p}:
                vague.add("defined")
            else:
                excluded = excluded | sympy.solveset(d, p, domain)
        if isinstance(excluded, sympy.FiniteSet):
            values = ", ".join(map(sympy.sstr, excluded.args))
            said.append(f"{p} ≠ {values}" if len(excluded) == 1 else f"{p} ∉ {{{values}}}")
        elif excluded != sympy.S.EmptySet:
            vague.add("defined")
    return said, vague


def _real_where(s: Solution) -> str | None:
    """Where a continuum's even roots are real: "" everywhere, "-1 ≤ y ≤ 1", "real" when
    jac cannot say (several variables, a parameter), None nowhere."""
    import sympy

    roots = {
        a.base
        for c in s.point
        for a in c.atoms(sympy.Pow)
        if a.exp.is_Rational and a.exp.q % 2 == 0 and a.base.free_symbols & set(s.free)
    }
    if not roots:
        return ""
    (p, *others) = [p for p in s.free if not p.is_integer] or [None]
    if p is None or others or any(b.free_symbols != {p} for b in roots):
        return "real"
    domain = sympy.S.Reals
    for b in roots:
        domain = domain & sympy.solveset(b >= 0, p, sympy.S.Reals)
    if domain == sympy.S.EmptySet:
        return None
    return "" if domain == sympy.S.Reals else (_inside(p, domain) or "real")


def _inside(p: Any, domain: Any) -> str | None:
    """ "-1 ≤ y ≤ 1" for an interval (or a union of them: "… or …"), None for another set."""
    import sympy

    parts = domain.args if isinstance(domain, sympy.Union) else (domain,)
    if not all(isinstance(i, sympy.Interval) for i in parts):
        return None
    texts = []
    for i in parts:
        low = f"{sympy.sstr(i.start)} {'<' if i.left_open else '≤'} " if i.start.is_finite else ""
        high = f" {'<' if i.right_open else '≤'} {sympy.sstr(i.end)}" if i.end.is_finite else ""
        texts.append(f"{low}{p}{high}")
    return " or ".join(texts)


def _residual(functions: Sequence[Any], variables: Sequence[Any], s: Solution) -> Any | None:
    """0 when F vanishes at `s` (simplified), else max |F_i| at a few members; None when F
    is undefined there or plainly not 0."""
    import sympy

    values = [f.subs(dict(zip(variables, s.point, strict=True))) for f in functions]
    if any(v.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) for v in values):
        return None
    left = [v for v in (_simplified(v) for v in values) if v != 0]
    if not left:
        return 0
    rng = random.Random(0)
    worst = sympy.Float(0)
    for _ in range(3):
        at = {p: (rng.randint(-3, 3) if p.is_integer else rng.uniform(-2, 2)) for p in s.free}
        at.update({p: rng.uniform(0.5, 2) for v in left for p in v.free_symbols if p not in at})
        worst = max(worst, *(abs(sympy.N(v.subs(at), 30)) for v in left))
    return worst if worst < TOLERANCE else None


# --------------------------------------------------------------------------- together


def _parameter_values(functions: Sequence[Any], variables: Sequence[Any]) -> dict[Any, Any]:
    """Seeded values for the parameters, for the numeric search: in [1/2, 2], positive."""
    import sympy

    rng = random.Random(1)
    names = sorted({s for f in functions for s in f.free_symbols} - set(variables), key=str)
    return {p: sympy.Rational(rng.randint(50, 200), 100) for p in names}


def equilibria(
    functions: Sequence[Any],
    variables: Sequence[Any],
    box: Box,
    *,
    seconds: float | None = EXACT_SECONDS,
    seed: int = 0,
) -> Equilibria:
    """The solutions of F = 0 (SymEngine in), with a status: complete, families (every
    solution given, some as families) or incomplete (with what was tried and found)."""
    import symengine as se
    import sympy

    from jaccli.engine.bridge import from_sympy

    fs = [to_sympy(f) for f in functions]
    xs = [to_sympy(v) for v in variables]
    exact = _exact(fs, xs, seconds)
    solutions, notes = [], []
    lost = [s for s in exact.solutions if _undefined(s)]
    if lost:  # (0, nan): x/sin(x) put in at x = 0, a limit SymPy's substitution cannot take
        shown = "; ".join(f"({', '.join(map(sympy.sstr, s.point))})" for s in lost)
        notes.append(f"SymPy's solution {shown} was dropped: it is undefined (nan or ∞)")
        why = "SymPy gave {n} undefined solution{s}, so some may be missing"
        exact = _left_out(exact, lost, why)
    rooted = [s for s in exact.solutions if any(as_sympy(c).has(sympy.CRootOf) for c in s.point)]
    # solveset's CRootOf of a sextic: no closed form, as for a polynomial system
    exact = _left_out(
        exact,
        rooted,
        "{n} solution{s} with no closed form (a root of a polynomial of degree 5 or more) "
        "left to the numeric search",
    )
    for s in (s for s in exact.solutions if _real(s)):
        residual = _residual(fs, xs, s)
        if residual is None:
            notes.append(f"SymPy's solution {s.point} was dropped: F is not 0 there")
        else:
            solutions.append(s._replace(residual=residual))
    complex_ = exact.unreal + sum(not _real(s) for s in exact.solutions)
    if complex_:
        notes.append(
            f"{complex_} complex solution{'s' * (complex_ != 1)} of F = 0 left out: "
            "not points of a real state space"
        )
    params = _parameter_values(fs, xs)
    if params:
        shown = ", ".join(f"{p} = {v}" for p, v in params.items())
        notes.append(
            f"the exact equilibria are for generic values of {', '.join(map(str, params))}; "
            f"the numeric search ran at {shown}"
        )
    at = {se.Symbol(str(p)): from_sympy(v) for p, v in params.items()}
    numeric = [f.subs(at) for f in functions]
    blind = sorted({str(a.get_name()) for f in numeric for a in f.atoms(se.FunctionSymbol)})
    if blind:  # g declared with --functions has no values: no numbers to search with
        names = ", ".join(blind)
        notes.append(
            f"no numeric search: {names} {'has' if len(blind) == 1 else 'have'} no formula, "
            f"and F = 0 may hold where {names} {'takes' if len(blind) == 1 else 'take'} "
            "values the exact solution does not know"
        )
        reason = f"{exact.method}; no numeric search ({names} with no formula)"
        return Equilibria(tuple(solutions), "incomplete", reason, tuple(notes))
    starts = STARTS_PER_VARIABLE * len(variables)
    roots = _distinct(_newton(numeric, variables, box, starts, seed))
    beyond = [r for r in roots if not any(_explains(s, r, params) for s in solutions)]
    search = f"Newton's method from {starts} seeded starts in {box}"
    found = f"found {len(roots)} distinct point{'s' * (len(roots) != 1)} where F = 0"
    if not params:
        for r in beyond:
            point, residual = _polished(numeric, variables, r)
            if residual <= TOLERANCE:
                solutions.append(Solution(point, (), "numeric", residual))
    if exact.complete and not beyond:
        families = any(s.free for s in solutions)
        reason = f"{exact.method}; {search} {found}, all among them"
        return Equilibria(
            tuple(solutions), "families" if families else "complete", reason, tuple(notes)
        )
    among = f"{len(beyond)} not among the exact solutions" if beyond else "all among them"
    reason = f"{exact.method}{', but' if exact.complete else ';'} {search} {found}, {among}"
    if beyond:
        notes.append("there may be equilibria outside the box, or that the search missed")
    return Equilibria(tuple(solutions), "incomplete", reason, tuple(notes))
