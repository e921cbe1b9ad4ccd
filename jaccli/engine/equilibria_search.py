"""The numeric search for equilibria: Newton's method from seeded starts in a box, each root
polished with mpmath and matched against the exact solutions (jaccli.engine.equilibria).

It is the cross-check of the exact solver and its fallback: a root it finds that no exact
solution explains makes the list incomplete, so a false root here is a false alarm, and a
root it accepts must be one.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli.engine.bridge import to_sympy

if TYPE_CHECKING:
    from jaccli.engine.equilibria import Solution

STARTS_PER_VARIABLE = 200  # Newton starts in the box, per variable
DEFAULT_BOX = (-10.0, 10.0)  # the search box for each variable not given one
TOLERANCE = 1e-12  # the largest max |F_i| accepted at a numeric equilibrium (after polishing)
_CONVERGED = 1e-10  # max |F_i| at which a float Newton run counts as converged
_SAME = 1e-5  # relative distance under which two numeric roots are one


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
    """Damped Newton steps (pseudo-inverse, so singular J is no trouble) from seeded starts,
    all at once in double precision; the distinct points where max |F_i| < _CONVERGED."""
    import numpy as np
    import symengine as se

    from jaccli.batch.compute import _lambdify

    n = len(variables)
    f = _lambdify(variables, list(functions))
    jac = _lambdify(variables, [se.diff(fi, v) for fi in functions for v in variables])
    rng = random.Random(seed)
    x = np.array([[rng.uniform(lo, hi) for lo, hi in box.bounds] for _ in range(starts)])
    widest = max(hi - lo for lo, hi in box.bounds)
    with np.errstate(all="ignore"):
        for _ in range(80):
            step = np.linalg.pinv(jac(x).reshape(-1, n, n)) @ f(x)[..., None]
            step = step[..., 0]
            size = np.linalg.norm(step, axis=1, keepdims=True)
            x = x - step * np.minimum(1.0, widest / 4 / np.maximum(size, 1e-300))
            x[~np.isfinite(x).all(axis=1)] = np.nan
        done = np.isfinite(x).all(axis=1) & (np.abs(f(x)).max(axis=1) < _CONVERGED)
    return [tuple(float(c) for c in p) for p in x[done] if box.holds(p)]


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
    """The root refined by mpmath's findroot at 30 digits where it converges, and its max
    |F_i| at 30 digits (SymPy Floats)."""
    import mpmath
    import sympy

    args = [to_sympy(v) for v in variables]
    body = [to_sympy(f) for f in functions]
    with mpmath.workdps(30):
        fs = sympy.lambdify(args, body, modules="mpmath")
        try:
            root = mpmath.findroot(lambda *x: fs(*x), point, tol=1e-50, maxsteps=60)
            found = [root] if len(point) == 1 else list(root)
        except (ValueError, ZeroDivisionError, TypeError, NameError):
            found = [mpmath.mpf(c) for c in point]
        if not all(abs(a - b) <= _SAME * (1 + abs(b)) for a, b in zip(found, point, strict=True)):
            found = [mpmath.mpf(c) for c in point]  # wandered to another root: keep ours
        residual = max(abs(mpmath.mpmathify(v)) for v in fs(*found))
        return tuple(sympy.Float(c, 30) for c in found), sympy.Float(residual, 5)


def _explains(s: Solution, point: Sequence[float], params: Mapping[Any, Any]) -> bool:
    """Whether a numeric root is a member of the exact solution `s` (at `params`): the
    family's parameters fitted by Gauss–Newton, integers rounded, then compared."""
    import numpy as np
    import sympy

    coords = [sympy.sympify(c).subs(params) for c in s.point]
    if not s.free:
        try:
            return _close(point, [complex(sympy.N(c)).real for c in coords])
        except TypeError:
            return False
    f = sympy.lambdify(s.free, coords, modules="numpy")
    g = sympy.lambdify(s.free, sympy.Matrix(coords).jacobian(list(s.free)), modules="numpy")
    target = np.asarray(point, dtype=float)
    p = np.zeros(len(s.free))
    with np.errstate(all="ignore"):
        try:
            for _ in range(30):
                miss = target - np.asarray(f(*p), dtype=float)
                p = p + np.linalg.lstsq(np.asarray(g(*p), dtype=float), miss, rcond=None)[0]
            p = np.array([round(c) if s.free[i].is_integer else c for i, c in enumerate(p)])
            return _close(point, [float(c) for c in f(*p)])
        except (TypeError, ValueError, np.linalg.LinAlgError):
            return False
