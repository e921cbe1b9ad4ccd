"""--check: a result compared with numbers computed from F alone, at --at or at random points.

Each entry is compared with what F gives numerically: a first derivative by a complex step,
Im f(x + ih·e_j)/h, where every function of f is analytic (no abs, sign, atan2, max, min,
relu), else by central differences (f(x + h·e_j) − f(x − h·e_j))/2h; a second derivative
(Hessian) by central differences of those; det J as the determinant of that numeric J; F(a)
by evaluating F. mpmath evaluates at 256 bits (77 digits), plus as many as the largest and
the smallest non-zero value at the point have (1000 more at most: past that, no check), with
absolute steps of 1e-40 (complex), 1e-25 (central) and 1e-18 (outside a second derivative),
times |x| for a tiny x (tape.step): f varies on its own scale, not on |x|'s. The error of
the differences (about h², and 10^-77/h of rounding) stays below 1e-30, so only a wrong
entry exceeds the tolerance, 1e-8 (for a result rounded to N digits, 10^(1−N)). The error
is relative, |a − b| / max(|a|, |b|, 1e-20 · max(1, |f(x)|)): the floor, far above the
differences' noise, keeps an entry that is exactly 0 from failing on that noise.

The points: the result's own (--at), else random ones with three decimals in ±[0.3, 1.7]
(only positive after ten failed draws). A point where F is undefined or complex, or within
1e-15 of a kink of abs or sign, is drawn again (20 draws at most); a symbol that is not a
variable (a parameter, or a symbol in a value of --at: x=a) gets a random value too, and the
report says so. Points are written as --at takes them, so that `jac eval ... --at <point>`
reruns one (in messages, a long value to 6 digits).

Big results are sampled: entries in random order (non-zero entries three times as often as
zeros), each at every point, until `seconds` have passed (half a second by default); the
report says how many of how many were checked. The points are chosen where the functions
of the first 16 entries are defined; an entry whose function is not defined at a point is
compared at the others.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from jaccli.engine import check_analysis  # noqa: F401  (registers the analyses' plans)
from jaccli.engine.check_plans import (
    Det,
    Direction,
    Entry,
    Numeric,
    Plan,
    brief,
    candidates,
    decimal,
    draw,
    exact_value,
    extra_bits,
    name_key,
    plan,
    point_text,
    value_of,
)
from jaccli.engine.results import Result, point_label
from jaccli.engine.tape import (
    Tape,
    Undefined,
    Unevaluable,
    derivative,
    is_complex,
    moved,
    real,
    step,
)
from jaccli.errors import CheckError

TOLERANCE = 1e-8
POINTS = 3  # random points (one at --at, unless parameters take random values)
DRAWS = 20  # random points tried to find them
SECONDS = 0.5  # sampling stops after this long, once one entry is checked
PROBES = 16  # the points are chosen where the functions of this many entries are defined
PRECISION = 256  # bits
OUTER_STEP = "1e-18"  # the outer difference of a second derivative (see tape.step)
EXTRA_DIGITS = 1000  # a point whose values span more digits than this is not checked
FLOOR = 1e-20  # of max(1, |f(x)|): an entry nearer 0 than this compares as 0
SHOWN_VALUES = 12  # a point with more values is shortened in messages


class Mismatch(NamedTuple):
    """The entry that differs most from F's numbers, with both values and the point."""

    entry: str  # "J[2,1] = 2*x"
    method: str  # "central differences"
    error: float  # relative; inf where the entry has no real value
    value: str  # the entry's value there ("undefined", "complex")
    expected: str  # what F gives there
    point: str


@dataclass(frozen=True, kw_only=True)
class CheckReport:
    """What --check found: the largest relative error, against what, where, how much."""

    tolerance: float
    methods: tuple[str, ...] = ()  # "complex step", "central differences", ...
    max_error: float = 0.0
    points: tuple[str, ...] = ()  # each as --at takes it
    shown: tuple[str, ...] = ()  # the same, big ones shortened, for the note
    drawn: bool = False  # the points were drawn at random (there was no --at)
    parameters: tuple[str, ...] = ()  # names that are not variables, given random values
    checked: int = 0  # entries compared at each point
    total: int = 0  # entries of the result
    sampled: bool = False  # the entries checked were chosen at random, for time
    worst: Mismatch | None = None  # the entry with the largest error
    skipped: str | None = None  # why nothing was checked
    unevaluated: str | None = None  # entries with no numeric value, not compared

    @property
    def failed(self) -> bool:
        return self.worst is not None and not self.max_error <= self.tolerance

    @property
    def passed(self) -> bool:
        """Something was checked and every entry agreed."""
        return self.skipped is None and not self.failed

    def error(self) -> CheckError | None:
        """The CheckError to raise (exit 1) when an entry differs by more than the tolerance."""
        w = self.worst
        if not self.failed or w is None:
            return None
        if math.isinf(w.error):
            return CheckError(
                f"{w.entry} at {w.point} is {w.value}; by {w.method} it is {w.expected}"
            )
        return CheckError(
            f"{w.entry} differs from {w.method} by {_sci(w.error)} at {w.point} "
            f"(tolerance {_sci(self.tolerance)}): it is {w.value} there, and {w.expected} by "
            f"{w.method}"
        )

    def __str__(self) -> str:
        """One line for stderr: `check passed: largest relative error 2e-38 ...`."""
        if self.skipped is not None:
            return f"warning: check not done: {self.skipped}"
        what = (
            f"{self.checked} of {self.total} entries, chosen at random,"
            if self.sampled
            else f"{self.checked} of {self.total} entries"
            if self.checked < self.total
            else f"all {self.total} entries"
            if self.total > 1
            else "1 entry"
        )
        where = (
            "at"
            if not self.drawn
            else "at random points"
            if self.shown[1:]
            else "at a random point"
        )
        names = self.parameters
        if len(names) > 8:
            names = (*names[:6], f"{len(names) - 6} more")
        random = f" (random values for {', '.join(names)})" if names else ""
        return (
            f"check {'failed' if self.failed else 'passed'}: largest relative error "
            f"{_sci(self.max_error)} against {' and '.join(self.methods)} "
            f"(tolerance {_sci(self.tolerance)}), {what} {where} "
            f"{'; '.join(self.shown or self.points)}{random}"
            + (f"; {self.unevaluated}" if self.unevaluated else "")
        )


def check(
    result: Result,
    *,
    points: int = POINTS,
    tolerance: float | None = None,
    seed: int = 0,
    seconds: float | None = SECONDS,
) -> CheckReport:
    """`result` compared with numbers computed from its functions alone (see the module):
    at its point, or at `points` random points drawn with `seed`; sampled for `seconds` at
    most (None: every entry). `tolerance` defaults to 1e-8, or 10^(1−N) for N digits."""
    import mpmath

    with mpmath.workprec(PRECISION):
        return _run(plan(result), points, tolerance, random.Random(seed), seconds)


# --------------------------------------------------------------------------- running


class _Tapes(dict[Any, Tape]):
    """Each expression compiled once."""

    def __missing__(self, expr: Any) -> Tape:
        tape = self[expr] = Tape(expr)
        return tape


class _Point(NamedTuple):
    values: dict[Any, Any]  # mpmath numbers by symbol, derived symbols (u = H(x)) included
    text: dict[Any, str]  # as --at takes them, by symbol
    brief: dict[Any, str]  # the same for messages, long ones to 6 digits (x=1.0e+60)


def _run(
    plan: Plan, count: int, tolerance: float | None, rng: random.Random, seconds: float | None
) -> CheckReport:
    import mpmath

    if tolerance is None:
        tolerance = TOLERANCE if plan.digits is None else max(TOLERANCE, 10.0 ** (1 - plan.digits))
    if plan.skip is not None:
        return CheckReport(tolerance=tolerance, skipped=plan.skip)
    written = {s: str(v) for s, v in plan.point or () if s.is_Symbol}
    # A point's values are numbers or expressions of parameters it leaves out (parse_point)
    fixed = {s: v for s, v in plan.point or () if s.is_Symbol}
    free = set().union(*(v.free_symbols for v in fixed.values()))
    derived = {s for s, _ in plan.derived}
    drawn = sorted((_symbols(plan) | free) - set(fixed) - derived, key=name_key)
    state, bits = rng.getstate(), PRECISION
    while True:  # again with more bits when the values at the point need them
        rng.setstate(state)
        with mpmath.workprec(bits):
            tapes = _Tapes()
            rest = candidates(plan.grids, rng)
            probes = [*plan.entries, *itertools.islice(rest, PROBES)]
            try:
                points = _points(plan, probes, tapes, (fixed, written), drawn, count, rng)
            except (Unevaluable, Undefined) as e:  # a function with no formula; a complex --at
                return CheckReport(tolerance=tolerance, skipped=str(e))
            if not points:
                why = _nowhere(plan, drawn, fixed, written)
                return CheckReport(tolerance=tolerance, skipped=why)
            need = PRECISION + extra_bits(v for p in points for v in p.values.values())
            if need > PRECISION + EXTRA_DIGITS * math.log2(10):
                shown = point_text(plan.variables, points[0].brief, SHOWN_VALUES)
                why = f"at {shown} F's differences need more than {EXTRA_DIGITS} digits"
                return CheckReport(tolerance=tolerance, skipped=why)
            if need <= bits:
                swept = _sweep(
                    itertools.chain(probes, rest), points, plan.variables, tapes, seconds
                )
                return _report(plan, tolerance, points, drawn, swept)
        bits = need + 64


def _nowhere(plan: Plan, drawn: Sequence[Any], fixed: Mapping[Any, Any], text: Any) -> str:
    where = f"{DRAWS} random points ({', '.join(map(point_label, drawn[:12]))} in ±[0.3, 1.7])"
    if not drawn:
        values = {s: brief(t, value_of(fixed[s])) for s, t in text.items()}
        where = point_text(plan.variables, values, SHOWN_VALUES)
    return f"F is undefined, complex or at a kink at {where}"


def _report(
    plan: Plan, tolerance: float, points: Sequence[_Point], drawn: Sequence[Any], swept: _Swept
) -> CheckReport:
    if not swept.checked:
        why = swept.unevaluated or "F is undefined, complex or at a kink at the points drawn"
        return CheckReport(tolerance=tolerance, skipped=why)
    variables = set(plan.variables)
    total = len(plan.entries) + sum(g.sparse.shape[0] * g.sparse.shape[1] for g in plan.grids)
    worst = swept.worst
    return CheckReport(
        tolerance=tolerance,
        methods=tuple(swept.methods),
        max_error=worst.error if worst else 0.0,
        points=tuple(point_text(plan.variables, p.text) for p in points),
        shown=tuple(point_text(plan.variables, p.brief, SHOWN_VALUES) for p in points),
        drawn=bool(set(drawn) & set(plan.variables)),
        parameters=tuple(point_label(s) for s in drawn if s not in variables),
        checked=swept.checked,
        total=total,
        sampled=swept.stopped,
        worst=worst,
        unevaluated=swept.unevaluated,
    )


class _Swept(NamedTuple):
    checked: int  # entries compared at one point at least
    stopped: bool  # at the deadline, before the last entry
    worst: Mismatch | None
    methods: dict[str, None]  # the methods used, in order
    unevaluated: str | None  # entries of the result with no numeric value, and why


def _sweep(
    entries: Iterator[Entry],
    points: Sequence[_Point],
    variables: Sequence[Any],
    tapes: _Tapes,
    seconds: float | None,
) -> _Swept:
    """Each entry at every point, until `seconds` have passed (once one is checked)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    checked, worst = 0, None
    methods: dict[str, None] = {}
    unevaluated: list[str] = []
    for entry in entries:
        if deadline is not None and checked and time.monotonic() > deadline:
            return _Swept(checked, True, worst, methods, _unevaluated(unevaluated))
        try:
            found = list(_compared(entry, points, variables, tapes))
        except Unevaluable as e:  # a function of the result's that mpmath does not have
            unevaluated.append(f"{entry.label}: {e}")
            continue
        if not found:
            continue  # undefined at every point (a row of F outside its domain there)
        checked += 1
        methods[_method(entry.numeric, tapes, short=True)] = None
        for mismatch in found:
            if worst is None or not mismatch.error <= worst.error:
                worst = mismatch
    return _Swept(checked, False, worst, methods, _unevaluated(unevaluated))


def _unevaluated(labels: Sequence[str]) -> str | None:
    if not labels:
        return None
    more = f" and {len(labels) - 1} more" if len(labels) > 1 else ""
    return f"{labels[0]}{more} (not compared)"


def _symbols(plan: Plan) -> set[Any]:
    """Every symbol that needs a value: F's (the result's entries have no others: one that
    does is wrong, and says so), the directions', the result's own values'."""
    found = set(plan.variables)
    for expr in (*plan.functions, *(e.exact for e in plan.entries), *(e for _, e in plan.derived)):
        found |= expr.free_symbols
    return found


def _points(
    plan: Plan,
    probes: Sequence[Entry],
    tapes: _Tapes,
    point: tuple[Mapping[Any, Any], Mapping[Any, str]],
    drawn: Sequence[Any],
    count: int,
    rng: random.Random,
) -> list[_Point]:
    """`count` points where the functions of `probes` are real, finite and away from kinks:
    the result's own `point` (values, and their text) with random values for the symbols
    left (parameters, and symbols in its values: --at x=a), or random ones."""
    fixed, written = point
    given = {s: real(Tape(v)({})) for s, v in fixed.items() if not v.free_symbols}
    symbolic = {s: v for s, v in fixed.items() if s not in given}
    needed = {e for entry in probes for e in _sources(entry)}
    for expr in (*needed, *symbolic.values()):
        tapes[expr]  # compiled before any point: Unevaluable is not the point's fault
    points: list[_Point] = []
    for attempt in range(DRAWS if drawn else 1):
        if len(points) == (count if drawn else 1):
            break
        positive = plan.positive or attempt >= DRAWS // 2
        chosen = {s: draw(rng, positive) for s in drawn}
        values = {**given, **{s: exact_value(k) for s, k in chosen.items()}}
        try:
            values.update({s: real(tapes[v](values)) for s, v in symbolic.items()})
            values.update({s: real(tapes[e](values)) for s, e in plan.derived})
            for expr in needed:
                real(tapes[expr](values, kinks=True))
        except Undefined:
            continue
        text = {**written, **{s: decimal(k) for s, k in chosen.items()}}
        short = {s: brief(t, values.get(s)) for s, t in text.items()}
        points.append(_Point(values, text, short))
    return points


def _sources(entry: Entry) -> Iterator[Any]:
    """The expressions of F's side that `entry` evaluates."""
    numeric = entry.numeric
    if isinstance(numeric, Det):
        yield from numeric.functions
        return
    yield numeric.function
    for direction in (numeric.first or (), numeric.second or ()):
        yield from (c for _, c in direction)


def _compared(
    entry: Entry, points: Sequence[_Point], variables: Sequence[Any], tapes: _Tapes
) -> Iterator[Mismatch]:
    """The entry against F's numbers at each point where F gives them."""
    method = _method(entry.numeric, tapes)
    shown = f"{entry.label} = {_shown(entry.exact)}"
    tapes[entry.exact]  # Unevaluable here is not a point's fault
    for point in points:
        try:
            expected, scale = _estimate(entry.numeric, point.values, tapes)
        except Undefined:
            continue
        try:
            value = tapes[entry.exact](point.values)
            what = "complex" if is_complex(value) else None
        except Undefined:
            what = "undefined"
        except KeyError as e:  # a symbol neither F nor the point has
            what = f"a function of {point_label(e.args[0])}, which F is not"
        where = _where(entry, point, variables, tapes)
        if what is not None:
            yield Mismatch(shown, method, math.inf, what, _num(expected), where)
            continue
        floor = FLOOR * max(1, scale)
        error = float(abs(value - expected) / max(abs(value), abs(expected), floor))
        yield Mismatch(shown, method, error, _num(value.real), _num(expected), where)


def _where(entry: Entry, point: _Point, variables: Sequence[Any], tapes: _Tapes) -> str:
    """The point as --at takes it; for a big one, only the values the entry depends on."""
    if len(point.text) <= SHOWN_VALUES:
        return point_text(variables, point.brief)
    used = set()
    for expr in (entry.exact, *_sources(entry)):
        used |= {args for fn, args in tapes[expr].ops if fn is None}
    mine = {s: t for s, t in point.brief.items() if s in used}
    return f"{point_text(variables, mine)} (the values it depends on, of {len(point.text)})"


# --------------------------------------------------------------------------- numbers


def _estimate(numeric: Numeric | Det, values: Mapping[Any, Any], tapes: _Tapes) -> tuple[Any, Any]:
    """What F gives for an entry at `values`, and |f(x)| (the scale of the differences'
    noise); Undefined where F is not smooth and real there."""
    import mpmath

    if isinstance(numeric, Det):
        matrix = [
            [derivative(tapes[f], values, ((x, 1),)) for x in numeric.variables]
            for f in numeric.functions
        ]
        det = mpmath.det(mpmath.matrix(matrix)) if matrix else mpmath.mpf(1)
        size = max((abs(real(tapes[f](values, kinks=True))) for f in numeric.functions), default=1)
        if numeric.what == "sign":
            return mpmath.sign(det), size
        if numeric.what == "log":
            if det == 0:
                raise Undefined("det J = 0")
            return mpmath.log(abs(det)), size
        return det, size
    tape = tapes[numeric.function]
    value = real(tape(values, kinks=True))  # f itself real and smooth here
    if numeric.first is None:
        return value, abs(value)
    inner = _steps(numeric.first, values, tapes)
    if numeric.second is None:
        return derivative(tape, values, inner), abs(value)
    outer = _steps(numeric.second, values, tapes)
    delta = step(values, outer, OUTER_STEP)
    up, down = (derivative(tape, moved(values, outer, sign * delta), inner) for sign in (1, -1))
    return (up - down) / (2 * delta), abs(value)


def _steps(direction: Direction, values: Mapping[Any, Any], tapes: _Tapes) -> list[Any]:
    """The direction's coefficients at the point (v may depend on x: it is held there)."""
    return [(x, real(tapes[c](values))) for x, c in direction]


def _method(numeric: Numeric | Det, tapes: _Tapes, short: bool = False) -> str:
    """How F gives the entry: in a message, or `short` in the list of methods."""
    if isinstance(numeric, Det):
        analytic = all(tapes[f].analytic for f in numeric.functions)
        how = "complex step" if analytic else "central differences"
        if short:
            return how
        what = {"det": "det", "log": "log|det|", "sign": "the sign of det"}[numeric.what]
        return f"{what} of J by {how}"
    analytic = tapes[numeric.function].analytic
    if numeric.first is None:
        return "evaluation of F" if short else "F evaluated there"
    if numeric.second is None:
        return "complex step" if analytic else "central differences"
    return "central differences of complex steps" if analytic else "second central differences"


def _sci(x: float) -> str:
    """1e-8, 3.1e-2, 1.8: short, for messages."""
    if x == 0 or not math.isfinite(x):
        return str(x) if x else "0"
    if 1e-2 <= x < 1e4:
        return f"{x:.2g}"
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"


def _num(value: Any) -> str:
    import mpmath

    return str(mpmath.nstr(value, 10))


def _shown(expr: Any) -> str:
    text = str(expr).replace("**", "^")
    return text if len(text) <= 60 else text[:57] + "..."
