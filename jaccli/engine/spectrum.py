"""What a spectrum says about an equilibrium of dx/dt = F(x), and the Routh–Hurwitz test.

By Hartman–Grobman, when no eigenvalue of J lies on the imaginary axis the flow near the
equilibrium looks like the linear one: a node, a focus or a saddle. When one does (a zero
eigenvalue, a purely imaginary pair) the linear terms cannot decide, and jac says so rather
than calling a linear centre a centre; only an eigenvalue with Re λ > 0 still decides
(unstable, by the instability theorem). Signs are exact when the eigenvalues are; with
floating point a real part within a stated tolerance counts as 0, and the note says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli.engine.bridge import from_sympy, to_sympy
from jaccli.engine.results import Eigenvalue

if TYPE_CHECKING:
    from symengine import Expr

ZERO_NOTE = (
    "a zero eigenvalue: the linear terms cannot decide (a saddle-node, a line of equilibria, ...)"
)
AXIS_NOTE = "eigenvalues on the imaginary axis: a linear centre; the nonlinear terms decide"
DEPENDS = "depends on parameters"
INCONCLUSIVE = "linearization inconclusive"
_DIGITS = 60  # digits at which an exact real part with no sign found by algebra is evaluated


class Classification(NamedTuple):
    type: str  # "stable node", "saddle", "linearization inconclusive", ...
    hyperbolic: bool  # no eigenvalue on the imaginary axis: Hartman–Grobman applies
    unstable_directions: int  # eigenvalues with Re λ > 0, with multiplicity
    note: str  # why, where the type needs it: the tolerance used, what cannot decide


class _Sign(NamedTuple):
    real: int | None  # sign of Re λ: -1, 0, 1, or None when it depends on parameters
    complex: bool | None  # Im λ ≠ 0 (None: unknown)
    note: str


def _number_sign(z: Any) -> _Sign | None:
    """The signs of Re z and Im z for an exact number from its value at many digits
    (SymPy's evalf tracks its error), when both are clearly not 0; None otherwise, for
    algebra to decide (simplifying a Cardano radical's parts takes seconds)."""
    import sympy

    close = sympy.N(z, _DIGITS)
    real, im = (abs(part) for part in close.as_real_imag())
    tiny = sympy.Float(10) ** (-(_DIGITS - 10))
    if real <= tiny or (im <= tiny and im != 0):
        return None
    return _Sign(1 if close.as_real_imag()[0] > 0 else -1, im != 0, "")


def _exact_sign(value: Any) -> _Sign:
    import sympy

    z = to_sympy(value)
    known = None if z.free_symbols else _number_sign(z)
    if known is not None:
        return known
    real, im = (sympy.simplify(part) for part in z.as_real_imag())
    is_complex = None if im.is_zero is None else not im.is_zero
    for sign, known in ((1, real.is_positive), (-1, real.is_negative), (0, real.is_zero)):
        if known:
            return _Sign(sign, is_complex, "")
    if real.free_symbols:
        return _Sign(None, is_complex, "")
    # A number whose sign algebra did not find (nested radicals): its value decides,
    # unless it is too small to tell from 0 at many digits.
    close = sympy.N(real, _DIGITS)
    if abs(close) > sympy.Float(10) ** (-(_DIGITS - 10)):
        return _Sign(1 if close > 0 else -1, is_complex, "")
    note = f"Re λ = {sympy.N(real, 3)} is 0 to {_DIGITS - 10} digits: taken as 0 (not proved)"
    return _Sign(0, is_complex, note)


def _short(x: float) -> str:
    """3e-12, 1e-9: three significant digits, the exponent without a leading 0."""
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{x:.3g}").replace("e+", "e")


def _float_sign(value: Any, tolerance: float) -> _Sign:
    z = complex(value)
    scale = tolerance * max(1.0, abs(z))
    real = 0 if abs(z.real) <= scale else (1 if z.real > 0 else -1)
    note = ""
    if real == 0 and z.real != 0:
        note = f"Re λ = {_short(z.real)} is within the tolerance {_short(tolerance)}: taken as 0"
    return _Sign(real, abs(z.imag) > scale, note)


def _sign(value: Any, exact: bool, tolerance: float) -> _Sign:
    """Exact for an exact value of an exact spectrum; a float with the tolerance."""
    import symengine as se

    floats = value.atoms(se.RealDouble, se.RealMPFR, se.ComplexDouble, se.ComplexMPC)
    return _exact_sign(value) if exact and not floats else _float_sign(value, tolerance)


def _hyperbolic_type(signs: Sequence[tuple[_Sign, int]], n: int) -> tuple[str, str]:
    positive = sum(m for s, m in signs if s.real == 1)
    focus = any(s.complex for s, _ in signs)
    if n == 1:
        return ("unstable" if positive else "stable"), ""
    if positive == 0:
        return ("stable focus" if focus else "stable node"), ""
    if positive == n:
        return ("unstable focus" if focus else "unstable node"), ""
    directions = f"{positive} unstable direction{'s' if positive > 1 else ''}"
    return ("saddle-focus" if focus else "saddle"), directions


def _planar(eigenvalues: Sequence[Eigenvalue]) -> Classification | None:
    """In 2-D, tr and det decide where the eigenvalues' own signs cannot: −b/2 ± √(b²+4)/2
    has det −1 < 0, a saddle whatever b is. None when they depend on the parameters too."""
    import sympy

    pair = [to_sympy(e.value) for e in eigenvalues for _ in range(e.multiplicity)]
    trace, det = sympy.simplify(pair[0] + pair[1]), sympy.simplify(sympy.expand(pair[0] * pair[1]))
    if det.is_negative:
        return Classification("saddle", True, 1, "1 unstable direction, since det J < 0")
    if not det.is_positive or trace.is_zero is not False or trace.is_negative is None:
        return None
    side = "stable" if trace.is_negative else "unstable"
    discriminant = sympy.simplify(trace**2 - 4 * det)
    if discriminant.is_negative:
        kind = f"{side} focus"
    elif discriminant.is_nonnegative:
        kind = f"{side} node"
    else:
        return None
    return Classification(kind, True, 0 if side == "stable" else 2, "")


def classify(
    eigenvalues: Sequence[Eigenvalue], *, exact: bool, tolerance: float = 1e-9
) -> Classification:
    """The type of an equilibrium whose J has these eigenvalues (with multiplicities).

    Hyperbolic: stable/unstable node or focus, saddle or saddle-focus (1-D: stable or
    unstable). With Re λ = 0 somewhere: "unstable (non-hyperbolic)" if another has
    Re λ > 0, else "linearization inconclusive", never "centre" or "stable". Signs are exact
    when `exact`; otherwise |Re λ| ≤ tolerance·max(1, |λ|) counts as 0, and the note says
    so. A sign that depends on parameters gives "depends on parameters" (or "unstable"
    when another eigenvalue has Re λ > 0 whatever they are).
    """
    signs = [(_sign(e.value, exact, tolerance), e.multiplicity) for e in eigenvalues]
    n = sum(m for _, m in signs)
    positive = sum(m for s, m in signs if s.real == 1)
    notes = [s.note for s, _ in signs if s.note]
    if any(s.real is None for s, _ in signs):
        if positive:
            why = "an eigenvalue has Re λ > 0: unstable whatever the parameters"
            return Classification("unstable", False, positive, "; ".join([*notes, why]))
        planar = _planar(eigenvalues) if n == 2 else None
        if planar is not None:
            return planar
        why = "the sign of Re λ depends on the parameters (see the Routh–Hurwitz conditions)"
        return Classification(DEPENDS, False, 0, "; ".join([*notes, why]))
    on_axis = [s for s, _ in signs if s.real == 0]
    if not on_axis:
        kind, directions = _hyperbolic_type(signs, n)
        return Classification(
            kind, True, positive, "; ".join([*notes, *filter(None, [directions])])
        )
    if positive:
        why = "an eigenvalue has Re λ > 0: unstable by the instability theorem"
        return Classification(
            "unstable (non-hyperbolic)", False, positive, "; ".join([*notes, why])
        )
    zero = any(s.complex is False for s in on_axis)
    imaginary = any(s.complex is not False for s in on_axis)
    whys = ([ZERO_NOTE] if zero else []) + ([AXIS_NOTE] if imaginary else [])
    return Classification(INCONCLUSIVE, False, 0, "; ".join([*notes, *whys]))


# --------------------------------------------------------------------------- Routh–Hurwitz


def _simplest(e: Any) -> Any:
    import sympy

    candidates = [sympy.factor(e), sympy.expand(e)]
    return min(candidates, key=sympy.count_ops)


def routh_hurwitz(charpoly_coeffs: Sequence[Expr]) -> tuple[Expr, ...]:
    """The conditions, each meaning "> 0", for every root of λⁿ + a1 λⁿ⁻¹ + … + an to have
    Re λ < 0; `charpoly_coeffs` from the leading one (1, a1, …, an), as `characteristic`
    gives them (a leading coefficient other than 1 is divided out).

    n = 1: a1; n = 2: a1, a2 (tr J < 0, det J > 0); n = 3: a1, a3, a1 a2 − a3; in general
    a1, an and the Hurwitz determinants Δ2 … Δn−1 (Δn = an Δn−1 adds only an > 0).
    Each simplified (factored or expanded, whichever is shorter); those that always hold
    (positive numbers) are left out, so () means stable for every value of the parameters,
    and a negative number means for none.
    """
    import sympy

    lead, *rest = (to_sympy(c) for c in charpoly_coeffs)
    a = [sympy.Integer(1), *(sympy.cancel(c / lead) for c in rest)]
    n = len(a) - 1

    def coefficient(k: int) -> Any:
        return a[k] if 0 <= k <= n else sympy.Integer(0)

    hurwitz = sympy.Matrix(n, n, lambda i, j: coefficient(2 * (j + 1) - (i + 1)))
    minors = [hurwitz[:k, :k].det(method="berkowitz") for k in range(2, n)]
    conditions = [_simplest(c) for c in (a[1], *([a[n]] if n > 1 else []), *minors)]
    return tuple(from_sympy(c) for c in conditions if not (c.is_number and c.is_positive))
