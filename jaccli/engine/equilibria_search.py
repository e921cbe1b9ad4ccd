"""The numeric search for equilibria: Newton's method from seeded starts in a box, each root
verified and polished with mpmath and matched against the exact solutions
(jaccli.engine.equilibria).

It is the cross-check of the exact solver and its fallback: a root it finds that no exact
solution explains makes the list incomplete, so a false root here is a false alarm, and a
root it accepts must be one.

What counts as a root. A small residual alone does not: exp(-x²) is below 1e-300 at
x = 27 (0 in double precision) and nowhere 0. A root is a point where Newton's method
converges, which a residual of any size cannot fake:
- candidates: after 80 damped float Newton steps (J's rows scaled to 1, pseudo-inverse),
  the points whose next step is under 1e-4 · max(1, |x|);
- verified at 50 digits: Newton's method continues from each candidate. Accepted when F is
  exactly 0, or the step falls under 1e-40 · max(1, |x|) (a simple root does so in a few
  quadratic steps), or after 120 steps it is under 1e-12 · max(1, |x|) and under 1/1000 of
  the first step. A root of multiplicity m converges linearly, the step shrinking by
  (m − 1)/m each time, so x² at 0, sin(x)² at kπ or (x − 1)³ are accepted (to multiplicity
  4 at least; more where F is evaluated without cancellation). Rejected when after 4 steps
  the step has not shrunk by 0.8 (exp(-x²) far out: it stays 1/(2x)), or when J is
  singular and F is not in its range (x² + 1 at 0), or F or J becomes undefined. A
  candidate where mpmath cannot evaluate F at all stays unverified: it counts as found
  (so the list is incomplete), but `_polished` gives it no residual (oo).
Starts where F or J is undefined or not finite (sqrt and log of negatives) are dropped, a
float Newton step into such a region is halved until it lands, and LAPACK never sees NaN
or inf. J is jac's own derivative (derivatives.differentiate), which knows d|u| = sign(u)
du; F need not be smooth at a kink (|x| − 1 has its roots where it is). The search is
seeded, so deterministic.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli.engine.bridge import as_sympy, to_sympy

if TYPE_CHECKING:
    from jaccli.engine.equilibria import Solution

STARTS_PER_VARIABLE = 200  # Newton starts in the box, per variable
DEFAULT_BOX = (-10.0, 10.0)  # the search box for each variable not given one
TOLERANCE = 1e-12  # the largest max |F_i| accepted at a numeric equilibrium (after polishing)
_CANDIDATE = 1e-4  # the largest float Newton step, relative to max(1, |x|), of a candidate
_SAME = 1e-5  # relative distance under which two numeric roots are one
_ROUNDS = 80  # float Newton steps from each start
_HALVINGS = 8  # halvings of a float Newton step that leaves the domain of F
_DIGITS = 50  # the precision at which candidates are verified and polished
_STEP = 1e-12  # the largest last Newton step, relative to max(1, |x|), at an accepted root
_SHRINK = 1e-3  # ... and relative to the first step from the candidate
_MP_STEPS = 120  # Newton steps at _DIGITS, at most
_PATIENCE = 4  # steps after which a candidate whose step has not shrunk is rejected
_RATE = 0.8  # ... by this factor (a root of multiplicity m shrinks it by ((m - 1)/m)^4)


class Box(NamedTuple):
    """Where the numeric search starts, (low, high) per variable, in their order."""

    bounds: tuple[tuple[float, float], ...]

    def __str__(self) -> str:
        return " × ".join(f"[{lo:g}, {hi:g}]" for lo, hi in self.bounds)

    def holds(self, point: Sequence[float]) -> bool:
        return all(
            lo - 1e-9 * (1 + abs(lo)) <= x <= hi + 1e-9 * (1 + abs(hi))
            for x, (lo, hi) in zip(point, self.bounds, strict=True)
        )


def _newton(
    functions: Sequence[Any], variables: Sequence[Any], box: Box, starts: int, seed: int
) -> list[tuple[float, ...]]:
    """The distinct roots in the box that Newton's method finds from `starts` seeded starts:
    candidates in double precision, each verified at 50 digits (see the module's docstring)."""
    candidates = _distinct(_float_search(functions, variables, box, starts, seed))
    if not candidates:
        return []
    compiled = _compiled(tuple(functions), tuple(variables))
    roots = []
    for c in candidates:
        root, verdict = _refined(compiled, c)
        if verdict is not False:  # True, or None: mpmath cannot evaluate F there
            roots.append(c if root is None else tuple(float(v) for v in root))
    return [r for r in _distinct(roots) if box.holds(r)]


def _float_search(
    functions: Sequence[Any], variables: Sequence[Any], box: Box, starts: int, seed: int
) -> list[tuple[float, ...]]:
    """Damped Newton steps (pseudo-inverse of J with its rows scaled to 1, so singular or
    badly scaled J is no trouble) from seeded starts, all at once in double precision; the
    points where the next step is under _CANDIDATE · max(1, |x|). A start where F or J is
    not finite is dropped; LAPACK never sees NaN or inf."""
    import numpy as np

    from jaccli.batch.lambdify import lambdify
    from jaccli.engine.derivatives import differentiate

    n = len(variables)
    f = lambdify(variables, list(functions))
    dense = differentiate(functions, variables).dense()
    jac = lambdify(variables, [e for row in dense for e in row])
    rng = random.Random(seed)
    x = np.array([[rng.uniform(lo, hi) for lo, hi in box.bounds] for _ in range(starts)])
    cap = max(hi - lo for lo, hi in box.bounds) / 4
    with np.errstate(all="ignore"):
        fx = f(x)
        alive = np.isfinite(fx).all(axis=1)
        for last in (False,) * _ROUNDS + (True,):
            rows = np.flatnonzero(alive)
            jx = jac(x[rows]).reshape(-1, n, n)
            usable = (np.abs(jx) < 1e150).all(axis=(1, 2))  # False for NaN and inf too
            alive[rows[~usable]] = False
            rows, jx = rows[usable], jx[usable]
            top = np.abs(jx).max(axis=2, keepdims=True)
            top[top == 0] = 1
            step = (np.linalg.pinv(jx / top) @ (fx[rows][..., None] / top))[..., 0]
            size = np.abs(step).max(axis=1, keepdims=True)
            if last:
                far = size[:, 0] > _CANDIDATE * np.maximum(1, np.abs(x[rows]).max(axis=1))
                alive[rows[far]] = False
                break
            step *= np.minimum(1.0, cap / np.maximum(size, 1e-300))
            for _ in range(_HALVINGS):
                trial = x[rows] - step
                ft = f(trial)
                landed = np.isfinite(ft).all(axis=1) & np.isfinite(trial).all(axis=1)
                x[rows[landed]], fx[rows[landed]] = trial[landed], ft[landed]
                rows, step = rows[~landed], step[~landed] / 2
                if not rows.size:
                    break
            alive[rows] = False
    return [tuple(float(c) for c in p) for p in x[alive] if box.holds(p)]


class _Compiled(NamedTuple):
    """F and J (flat, by rows) as functions of mpmath numbers."""

    f: Any
    jac: Any
    n: int


@functools.lru_cache(maxsize=8)
def _compiled(functions: tuple[Any, ...], variables: tuple[Any, ...]) -> _Compiled:
    import mpmath
    import sympy

    from jaccli.engine.derivatives import differentiate

    dense = differentiate(functions, variables).dense()
    args = [to_sympy(v) for v in variables]
    # DiracDelta (from d sign(u)) is 0 wherever it has a value; mpmath has no such function.
    modules = [{"DiracDelta": lambda u: 0 if u != 0 else mpmath.nan}, "mpmath"]

    def compile_(exprs: Sequence[Any]) -> Any:
        return sympy.lambdify(args, [to_sympy(e) for e in exprs], modules=modules)

    return _Compiled(
        compile_(functions), compile_([e for row in dense for e in row]), len(variables)
    )


def _values(fn: Any, x: Sequence[Any]) -> list[Any] | None:
    """fn at x as real mpf numbers, or None where one is undefined, infinite or not real."""
    import mpmath

    try:
        out = [mpmath.mpmathify(v) for v in fn(*x)]
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, NameError):
        return None
    if any(isinstance(v, mpmath.mpc) and v.imag != 0 for v in out):
        return None
    real = [mpmath.re(v) for v in out]
    return real if all(mpmath.isfinite(v) for v in real) else None


def _step(jac: list[Any], fx: list[Any], n: int) -> Any | None:
    """The Newton step J⁻¹F, J's rows (and F's) scaled to 1 first, which leaves the step
    alone but lets LU tell a small row from a singular J; where J is singular, the
    least-squares step by the SVD, or None when F is not in J's range (no root is near)."""
    import mpmath

    a, b = mpmath.matrix(n, n), mpmath.matrix(fx)
    for k, v in enumerate(jac):
        a[k // n, k % n] = v
    for i in range(n):
        top = max(abs(a[i, j]) for j in range(n))
        if top:
            b[i] /= top
            for j in range(n):
                a[i, j] /= top
    try:
        return mpmath.lu_solve(a, b)
    except (ZeroDivisionError, TypeError):  # TypeError: a zero column leaves a pivot None
        u, s, v = mpmath.svd_r(a)
        cut = max(s) * mpmath.mpf(10) ** (10 - _DIGITS)
        step = v.T * mpmath.diag([1 / d if d > cut else 0 for d in s]) * u.T * b
        return step if mpmath.mnorm(a * step - b, 1) <= mpmath.mnorm(b, 1) / 1000 else None


def _refined(compiled: _Compiled, point: Sequence[float]) -> tuple[list[Any] | None, bool | None]:
    """Newton's method at 50 digits from `point`: (the best point, whether it is a root). The
    verdict is None (and the point None) where mpmath cannot evaluate F at `point`."""
    import mpmath

    with mpmath.workdps(_DIGITS):
        x = [mpmath.mpf(c) for c in point]
        best, first, least, tiny = x, mpmath.inf, mpmath.inf, mpmath.mpf(10) ** (10 - _DIGITS)
        for k in range(_MP_STEPS):
            fx = _values(compiled.f, x)
            if fx is None:
                return (None, None) if k == 0 else (best, False)
            if all(v == 0 for v in fx):
                return x, True
            jx = _values(compiled.jac, x)
            if jx is None:
                return best, False
            step = _step(jx, fx, compiled.n)
            if step is None:
                return best, False
            size = max(abs(s) for s in step) / max(1, *(abs(c) for c in x))
            first = size if k == 0 else first
            if size < least:
                best, least = x, size
            if least <= tiny:
                return best, True
            if k == _PATIENCE and least > _RATE * first:
                return best, False
            x = [c - s for c, s in zip(x, step, strict=True)]
        return best, bool(least <= _STEP and least <= _SHRINK * first)


def _distinct(points: Sequence[tuple[float, ...]]) -> list[tuple[float, ...]]:
    out: list[tuple[float, ...]] = []
    for p in sorted(points):
        if not any(_close(p, q) for q in out):
            out.append(tuple(p))
    return out


def _close(p: Sequence[Any], q: Sequence[Any]) -> bool:
    return all(abs(a - b) <= _SAME * (1 + abs(b)) for a, b in zip(p, q, strict=True))


def _polished(
    functions: Sequence[Any], variables: Sequence[Any], point: tuple[float, ...]
) -> tuple[tuple[Any, ...], Any]:
    """A root `_newton` found (so verified), refined by Newton's method at 50 digits, as
    30-digit SymPy Floats, and its max |F_i| there (a SymPy Float; oo where mpmath cannot
    evaluate F)."""
    import mpmath
    import sympy

    compiled = _compiled(tuple(functions), tuple(variables))
    root, _ = _refined(compiled, point)
    found = [mpmath.mpf(c) for c in point] if root is None else root
    with mpmath.workdps(_DIGITS):
        fx = _values(compiled.f, found)
        residual = sympy.oo if fx is None else sympy.Float(max(abs(v) for v in fx), 5)
    return tuple(sympy.Float(c, 30) for c in found), residual


def _explains(s: Solution, point: Sequence[float], params: Mapping[Any, Any]) -> bool:
    """Whether a numeric root is a member of the exact solution `s` (at `params`): the
    family's parameters fitted by Gauss–Newton (from a few starts, since a member such as
    y = 1/(2kπ) is undefined at k = 0), integers rounded, then compared."""
    import numpy as np
    import sympy

    coords = [as_sympy(c).subs(params) for c in s.point]
    if not s.free:
        try:
            return _close(point, [complex(sympy.N(c)).real for c in coords])
        except TypeError:
            return False
    from jaccli.functions import numpy_functions

    # d sign(u) = 2 DiracDelta(u) du in the slope of a real cube root (cos(x³ + 1) = 0 gives
    # x = |u|^(1/3) sign(u)), which NumPy lacks: "NameError: DiracDelta" was exit 70
    modules = [{"DiracDelta": numpy_functions()["DiracDelta"]}, "numpy"]
    f = sympy.lambdify(s.free, coords, modules=modules)
    g = sympy.lambdify(s.free, sympy.Matrix(coords).jacobian(list(s.free)), modules=modules)
    target = np.asarray(point, dtype=float)
    return any(_fits(f, g, s.free, target, start) for start in (0.0, 0.61, -0.61, 2.3, -2.3))


def _fits(f: Any, g: Any, free: Sequence[Any], target: Any, start: float) -> bool:
    """Whether Gauss–Newton from p = (start, ...) reaches a member of f(p) at `target`."""
    import numpy as np

    p = np.full(len(free), start)
    with np.errstate(all="ignore"):
        try:
            for _ in range(30):
                miss = target - np.asarray(f(*p), dtype=float)
                slope = np.asarray(g(*p), dtype=float)
                if not (np.isfinite(miss).all() and np.isfinite(slope).all()):
                    return False
                p = p + np.linalg.lstsq(slope, miss, rcond=None)[0]
            p = np.array([round(c) if free[i].is_integer else c for i, c in enumerate(p)])
            return _close(target, [float(c) for c in f(*p)])
        except (TypeError, ValueError, OverflowError, np.linalg.LinAlgError):
            return False
