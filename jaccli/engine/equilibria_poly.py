"""The exact equilibria of a polynomial F (after clearing denominators), for
jaccli.engine.equilibria: Gröbner bases say whether the solutions are finitely many.

Finitely many: `solve_poly_system` gives them in radicals where it can, and the list is
complete only when it gave as many as the system has, counted exactly (the standard
monomials of the radical ideal): a quintic's roots have no radicals, and it gives none.
Infinitely many: `nonlinsolve` alone drops pieces (the origin of x(x²+y²−1), y(x²+y²−1)),
so the equations are factored and every choice of one factor per equation is solved as a
case of its own (a light primary decomposition).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from jaccli.engine.equilibria import Solution, _Exact, _simplified

_POLYNOMIAL = "a polynomial system solved exactly (Gröbner basis"
_MAX_CASES = 64  # factor choices of a positive-dimensional system solved one by one
_MAX_MONOMIALS = 20_000  # the standard monomials counted for the number of solutions


def _numerators(functions: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    import sympy

    pairs = [sympy.fraction(sympy.together(f)) for f in functions]
    return [n for n, _ in pairs], [d for _, d in pairs if d != 1]


def _polynomial(numerators: Sequence[Any], variables: Sequence[Any]) -> bool:
    return all(n.is_polynomial(*variables) for n in numerators)


def by_groebner(functions: Sequence[Any], variables: Sequence[Any]) -> _Exact | None:
    """A polynomial system (after clearing denominators), or None when F is not one."""
    import sympy

    numerators = [n for n in _numerators(functions)[0] if n != 0]
    if not numerators:
        every = Solution(tuple(variables), tuple(variables), "exact", 0)
        return _Exact([every], True, "F ≡ 0: every point is an equilibrium")
    if not _polynomial(numerators, variables):
        return None
    basis = sympy.groebner(numerators, *variables, order="lex")
    if list(basis.exprs) == [1]:
        return _Exact([], True, "a polynomial system with no solution (Gröbner basis {1})")
    if basis.is_zero_dimensional:
        try:
            return _finite(numerators, variables)
        except (NotImplementedError, sympy.PolynomialError):
            return None
    return _by_cases(numerators, variables)


def _finite(equations: Sequence[Any], variables: Sequence[Any]) -> _Exact:
    """A zero-dimensional system by `solve_poly_system`, complete only when it gave as many
    distinct solutions as the system has (a quintic's roots have no radicals: it gives none)."""
    import sympy

    found = sympy.solve_poly_system(list(equations), *variables) or []
    points = list(dict.fromkeys(tuple(p) for p in found if not _has_root_of(p)))
    count = _count(equations, variables)
    solutions = [Solution(p, (), "exact", 0) for p in points]
    if count is not None and len(points) >= count:
        method = f"{_POLYNOMIAL}: {_plural(count, 'solution')} in ℂ, all given)"
        return _Exact(solutions, True, method)
    counted = "solutions in ℂ, too many to count" if count is None else f"{count} solutions in ℂ"
    method = f"a polynomial system (Gröbner basis: {counted}), {len(points)} of them in closed form"
    return _Exact(solutions, False, method)


def _has_root_of(point: Sequence[Any]) -> bool:
    import sympy

    return any(c.has(sympy.CRootOf) for c in point)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _count(equations: Sequence[Any], variables: Sequence[Any]) -> int | None:
    """The number of distinct complex solutions of a zero-dimensional system: the dimension
    of the quotient by its radical, which is the ideal with the squarefree part of its
    univariate polynomial in each variable added (Seidenberg's lemma); None past the size
    jac counts."""
    import itertools

    import sympy

    extra = []
    for v in variables:
        lex = sympy.groebner(list(equations), *[w for w in variables if w != v], v, order="lex")
        last = lex.exprs[-1]
        if set(variables) & last.free_symbols != {v}:
            return None
        extra.append(sympy.sqf_part(last, v))
    radical = sympy.groebner([*equations, *extra], *variables, order="grevlex")
    leads = [sympy.Poly(p, *variables).monoms(order="grevlex")[0] for p in radical.exprs]
    sizes = [
        min((m[i] for m in leads if sum(m) == m[i] > 0), default=0) for i in range(len(variables))
    ]
    if 0 in sizes or _product(sizes) > _MAX_MONOMIALS:
        return None
    return sum(
        not any(all(a >= b for a, b in zip(m, lead, strict=True)) for lead in leads)
        for m in itertools.product(*(range(n) for n in sizes))
    )


def _product(numbers: Sequence[int]) -> int:
    out = 1
    for n in numbers:
        out *= n
    return out


def _by_cases(equations: Sequence[Any], variables: Sequence[Any]) -> _Exact:
    """A positive-dimensional system, its equations factored: every choice of one factor
    per equation is a case (a light primary decomposition), finite cases by `_finite`, the
    others as continua by `nonlinsolve`; a point on another case's continuum is left out."""
    import itertools

    import sympy

    choices = [[f for f, _ in sympy.factor_list(e, *variables)[1]] for e in equations]
    if _product([len(c) for c in choices]) > _MAX_CASES:
        found = _continua(equations, variables)
        method = f"{found.method}; too many factor cases to check that it gave every solution"
        return _Exact(found.solutions, False, method)
    cases = list(dict.fromkeys(frozenset(c) for c in itertools.product(*choices)))
    cases = [c for c in cases if not any(d < c for d in cases)]  # d < c: V(c) ⊆ V(d)
    parts: list[tuple[frozenset[Any], bool, _Exact]] = []
    for case in cases:
        basis = sympy.groebner(list(case), *variables, order="lex")
        if list(basis.exprs) == [1]:
            continue
        finite = basis.is_zero_dimensional
        parts.append((case, finite, _case(list(case), variables, finite)))
    solutions: list[Solution] = []
    for case, _, part in parts:
        loci = [other for other, finite, _ in parts if not finite and other is not case]
        for s in part.solutions:
            if s.free or not any(_on(other, variables, s.point) for other in loci):
                solutions.append(s)
    method = (
        "a polynomial system with infinitely many solutions, solved exactly case by case (one "
        f"factor of each equation = 0: {_plural(len(parts), 'case')} with solutions, finite ones "
        "by solve_poly_system and counted, the others given as continua by nonlinsolve)"
    )
    if all(part.complete for _, _, part in parts):
        return _Exact(unique(solutions), True, method)
    missed = "; ".join(part.method for _, _, part in parts if not part.complete)
    return _Exact(unique(solutions), False, f"{method}, but {missed}")


def _case(equations: Sequence[Any], variables: Sequence[Any], finite: bool) -> _Exact:
    import sympy

    try:
        return (_finite if finite else _continua)(equations, variables)
    except (NotImplementedError, sympy.PolynomialError):
        shown = ", ".join(f"{sympy.sstr(e)} = 0" for e in equations)
        return _Exact([], False, f"SymPy could not solve {shown}")


def _continua(equations: Sequence[Any], variables: Sequence[Any]) -> _Exact:
    import sympy

    present = [v for v in variables if any(e.has(v) for e in equations)]
    solved = sympy.nonlinsolve(list(equations), present)
    if not isinstance(solved, sympy.FiniteSet):
        shown = ", ".join(f"{sympy.sstr(e)} = 0" for e in equations)
        return _Exact([], False, f"nonlinsolve could not solve {shown}")
    out = []
    for p in solved.args:
        at = dict(zip(present, p, strict=True))
        point = tuple(at.get(v, v) for v in variables)
        free = tuple(v for v in variables if any(c.has(v) for c in point))
        out.append(Solution(point, free, "exact", 0))
    return _Exact(out, True, "given as continua by nonlinsolve")


def _on(equations: Iterable[Any], variables: Sequence[Any], point: Sequence[Any]) -> bool:
    """Whether the point satisfies the equations (exactly)."""
    at = dict(zip(variables, point, strict=True))
    return all(_simplified(e.subs(at)) == 0 for e in equations)


def unique(solutions: Sequence[Solution]) -> list[Solution]:
    """The solutions without repeats, also those SymPy wrote two ways (√(1−y²) and
    √(−(y−1)(y+1)))."""
    out: list[Solution] = []
    for s in solutions:
        if not any(_same(s, t) for t in out):
            out.append(s)
    return out


def _same(s: Solution, t: Solution) -> bool:
    if s.free != t.free:
        return False
    pairs = [(a, b) for a, b in zip(s.point, t.point, strict=True) if a != b]
    return not any(_apart(a - b) for a, b in pairs) and all(
        _simplified(a - b) == 0 for a, b in pairs
    )


def _apart(difference: Any) -> bool:
    """Whether a difference is plainly not 0: far from it at one sample of its symbols (a
    cheap test before simplify, which nested radicals make slow)."""
    import sympy

    at = {p: (3 if p.is_integer else sympy.Rational(3, 7)) for p in difference.free_symbols}
    try:
        return bool(abs(complex(sympy.N(difference.subs(at), 20))) > 1e-9)
    except (TypeError, ValueError):
        return False
