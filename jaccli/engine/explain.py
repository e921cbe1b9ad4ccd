"""Results at a point read in words, as textbooks read them (`--explain`), and what a
determinant's value means ("area scaled by 3, orientation reversed").

Sentences are built from the result's own numbers, grouped the way a teacher would say
them: equal effects once ("increases both f1 and f2 by about 2Δx"), a zero as "does not
change", a negative entry as "decreases by about". Values print as the table prints them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import Enum
from functools import reduce, singledispatch
from typing import Any, TypeVar

from jaccli.engine.algebra import _size
from jaccli.engine.results import (
    DeterminantResult,
    EvaluationResult,
    LinearizationResult,
    Point,
    Result,
    point_label,
)
from jaccli.errors import UsageError

R = TypeVar("R", bound=Result)

EXPLAINED_VARIABLES = 8  # a sentence for each of the first 8 variables; the rest in one
NAMED_COMPONENTS = 4  # components named in full; a longer group is "9 components (f1, …, f9)"
SIGN_SIZE_LIMIT = 2_000  # characters: past this, SymPy is not asked for an expression's sign
NULL_DIRECTION_LIMIT = 6  # n: a singular J's null direction is found up to 6×6


class Sign(Enum):
    """What is known about the sign of a real value (parameters left symbolic)."""

    positive = "positive"
    negative = "negative"
    zero = "zero"
    nonnegative = "nonnegative"  # ≥ 0, maybe 0 (k^2)
    nonpositive = "nonpositive"
    unknown = "unknown"


def sign_of(value: Any) -> Sign:
    """The sign of `value` for real symbols: exact for numbers, SymPy's assumptions else."""
    if value.is_Number:
        return Sign.zero if value.is_zero else Sign.positive if value.is_positive else Sign.negative
    if _size(value) > SIGN_SIZE_LIMIT:
        return Sign.unknown
    from jaccli.engine.bridge import to_sympy

    s = to_sympy(value)
    for sign, known in (
        (Sign.zero, s.is_zero),
        (Sign.positive, s.is_positive),
        (Sign.negative, s.is_negative),
        (Sign.nonnegative, s.is_nonnegative),
        (Sign.nonpositive, s.is_nonpositive),
    ):
        if known:
            return sign
    return Sign.unknown


# --------------------------------------------------------------------------- printing


class _Printer:
    """Values as the table shows them (jac's syntax, ^ for powers, rounded to `digits`)."""

    def __init__(self, variables: Sequence[Any], digits: int | None) -> None:
        from jaccli.render.syntax import shadowed

        self.spell, self.digits = shadowed(variables), digits

    def __call__(self, value: Any, rounded: bool = True) -> str:
        from jaccli.render.syntax import to_display

        return to_display(value, self.digits if rounded else None, self.spell)

    def point(self, point: Point) -> str:
        """As typed: a point's values are exact whatever `digits` says."""
        return ", ".join(f"{point_label(s)} = {self(v, False)}" for s, v in point)

    def times(self, value: Any, step: str) -> str:
        """`value` times a small step: Δx, 2Δx, (1/2)Δx, k·Δx, (k + 1)·Δx."""
        if value == 1:
            return step
        text = self(value)
        if re.fullmatch(r"[0-9]+(\.[0-9]*)?", text):
            return f"{text}{step}"
        if value.is_Number:  # 1/2, 1.5e-10
            return f"({text}){step}"
        return f"{text}·{step}" if re.fullmatch(r"[\w\[\],]+", text) else f"({text})·{step}"

    def vector(self, values: Sequence[Any], rounded: bool = True) -> str:
        texts = [self(v, rounded) for v in values]
        return texts[0] if len(texts) == 1 else f"({', '.join(texts)})"


def _listed(words: Sequence[str], conjunction: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


# --------------------------------------------------------------------------- J in words


def _component_names(m: int) -> list[str]:
    return ["f"] if m == 1 else [f"f{i + 1}" for i in range(m)]


def _members(indices: Sequence[int], names: Sequence[str], conjunction: str) -> str:
    """f1, f2 and f3; both f1 and f2 (all of two); 9 components (f1, …, f9) past four."""
    chosen = [names[i] for i in indices]
    if len(chosen) > NAMED_COMPONENTS:
        return f"{len(chosen)} components ({chosen[0]}, …, {chosen[-1]})"
    if len(chosen) == 2 == len(names) and conjunction == "and":
        return f"both {chosen[0]} and {chosen[1]}"
    return _listed(chosen, conjunction)


def _effects(column: Sequence[Any], step: str, show: _Printer) -> str:
    """What a small step in one variable does to each component: equal effects together,
    and one verb for all it applies to ("increases f1 by about 2Δx and f3 by about Δx")."""
    names = _component_names(len(column))
    groups: dict[Any, list[int]] = {}
    for i, value in enumerate(column):
        groups.setdefault(value, []).append(i)
    if list(groups) == [0]:
        return "does not change F (to first order)"
    by_verb: dict[str, list[str]] = {}
    for value, indices in groups.items():
        sign = sign_of(value)
        if sign is Sign.zero:
            by_verb.setdefault("does not change", []).append(_members(indices, names, "or"))
            continue
        verb, amount = "changes", value
        if sign is Sign.positive:
            verb = "increases"
        elif sign is Sign.negative:
            verb, amount = "decreases", -value
        each = " each" if len(indices) > 1 and not (len(indices) == 2 == len(names)) else ""
        by = show.times(amount, step)
        by_verb.setdefault(verb, []).append(
            f"{_members(indices, names, 'and')}{each} by about {by}"
        )
    clauses = [f"{verb} {_listed(objects)}" for verb, objects in by_verb.items()]
    if len(clauses) == 2 and " and " not in clauses[0]:
        return " and ".join(clauses)
    # A comma before the last "and" when a clause has its own: "... and f3 by about Δx,
    # decreases f2 by about 6Δx, and does not change f4".
    return clauses[0] if len(clauses) == 1 else f"{', '.join(clauses[:-1])}, and {clauses[-1]}"


def _columns(
    matrix: Sequence[Sequence[Any]], variables: Sequence[Any], show: _Printer, lead: str
) -> list[str]:
    """One sentence per variable: what a small increase in it does to F."""
    sentences = []
    for j, v in enumerate(variables[:EXPLAINED_VARIABLES]):
        name = point_label(v)
        step = f"Δ{name}"
        effects = _effects([row[j] for row in matrix], step, show)
        start = f"{lead}increasing" if j == 0 and lead else "Increasing"
        sentences.append(f"{start} {name} by a small {step} {effects}.")
    rest = len(variables) - EXPLAINED_VARIABLES
    if rest > 0:
        sentences.append(
            f"Likewise for the other {rest} variables: column j of J is what F does per unit of "
            "the j-th variable."
        )
    return sentences


def _steps(variables: Sequence[Any]) -> str:
    steps = [f"Δ{point_label(v)}" for v in variables]
    return steps[0] if len(steps) == 1 else f"({', '.join(steps)})"


@singledispatch
def _sentences(result: Any) -> tuple[str, ...]:
    raise TypeError(f"no explanation for {type(result).__name__}")


@_sentences.register
def _evaluation(result: EvaluationResult) -> tuple[str, ...]:
    show = _Printer(result.variables, result.digits)
    lead = f"Near {show.point(result.point)}, "
    step = _steps(result.variables)
    together = (
        f"Together, a small step {step} changes F by about J·{step}: column by column, "
        "what F does per unit of each variable."
    )
    return (*_columns(result.matrix, result.variables, show, lead), together)


@_sentences.register
def _linearization(result: LinearizationResult) -> tuple[str, ...]:
    show = _Printer(result.variables, result.digits)
    args = ", ".join(point_label(v) for v in result.variables)
    near = (
        f"Near the point a ({show.point(result.point)}), F resembles the linear map "
        f"L({args}) = {show.vector(result.linearization)}: L(a) = F(a) = "
        f"{show.vector(result.value)}, and L has F's derivatives J(a) there."
    )
    error = (
        "The error F − L shrinks faster than the distance from a (like its square where F is "
        "twice differentiable): L stands in for F only near a."
    )
    return (near, *_columns(result.matrix, result.variables, show, ""), error)


# --------------------------------------------------------------------------- det J


def _measure(n: int) -> tuple[str, str, str]:
    """What det J scales for n variables: the word, a symbol for it, and what a flip does."""
    if n == 1:
        return "length", "L", "reverses its direction"
    if n == 2:
        return (
            "area",
            "A",
            "reverses its orientation (a counter-clockwise loop comes out clockwise)",
        )
    if n == 3:
        flip = "reverses its orientation (a right-handed frame comes out left-handed)"
        return "volume", "V", flip
    return f"{n}-volume", "V", "reverses its orientation"


def _turned(n: int) -> str:
    return "direction" if n == 1 else "orientation"


def meaning(det: Any, n: int, variables: Sequence[Any], digits: int | None = None) -> str:
    """What det J at a point does: "area scaled by 3, orientation reversed", "not
    invertible here"; with parameters left, what can be said for every value of them."""
    show = _Printer(variables, digits)
    word, turned = _measure(n)[0], _turned(n)
    sign = sign_of(det)
    if sign is Sign.zero:
        return "not invertible here"
    size = det if sign in (Sign.positive, Sign.nonnegative) else _negated(det)
    if digits is not None and size != 1:  # decided exactly above, shown as det J is
        from jaccli.engine.precision import evaluate_number

        size = evaluate_number(size, digits)
    if sign in (Sign.positive, Sign.negative):
        scaled = f"{word} preserved" if size == 1 else f"{word} scaled by {show(size)}"
        return f"{scaled}, {turned} {'preserved' if sign is Sign.positive else 'reversed'}"
    # A parameter is left: say where (in terms of it) each case holds.
    coefficient, rest = _split_coefficient(det)
    where = show(rest)
    if sign in (Sign.nonnegative, Sign.nonpositive):
        kept = "preserved" if sign is Sign.nonnegative else "reversed"
        return f"{word} scaled by {show(size)}, {turned} {kept}; not invertible where {where} = 0"
    import symengine as se

    up, down = (">", "<") if coefficient.is_positive else ("<", ">")
    return (
        f"{word} scaled by {show(se.Abs(det))}; {turned} preserved where {where} {up} 0, "
        f"reversed where {where} {down} 0; not invertible where {where} = 0"
    )


def _negated(value: Any) -> Any:
    """-value, a sum's terms negated one by one (SymEngine keeps -(a + b) as it is)."""
    import symengine as se

    return se.expand(-value) if value.is_Add else -value


def _split_coefficient(value: Any) -> tuple[Any, Any]:
    """-3*k as (-3, k): the number in front, and the rest, whose sign is what is in question."""
    import symengine as se

    if value.is_Mul and value.args[0].is_Number:
        return value.args[0], se.Mul(*value.args[1:])
    return se.Integer(1), value


@_sentences.register
def _determinant(result: DeterminantResult) -> tuple[str, ...]:
    assert result.point is not None
    show = _Printer(result.variables, result.digits)
    n = len(result.variables)
    word, symbol, flip = _measure(n)
    det = result.determinant
    head = f"det J = {show(det)} at {show.point(result.point)}"
    sign = sign_of(det)
    sentences = []
    if sign is Sign.zero:
        sentences.append(
            f"{head}: J is singular, so F has no differentiable inverse near this point "
            "(x ↦ x^3 at 0 has an inverse, but not a differentiable one), and to first order "
            f"it flattens small regions around the point to zero {word}."
        )
        direction = _null_direction(result)
        if direction is not None and n == 1:
            name = point_label(result.variables[0])
            sentences.append(f"A small step Δ{name} does not change F to first order: J = 0.")
        elif direction is not None:
            along = show.vector(direction, False)
            sentences.append(
                f"A small step along {along} does not change F to first order: J·{along} = 0."
            )
    elif sign in (Sign.positive, Sign.negative):
        size = det if sign is Sign.positive else -det
        region = "interval" if n == 1 else "region"
        turn = flip if sign is Sign.negative else f"keeps its {_turned(n)}"
        if size == 1:
            mapped = f"near this point F keeps the {word} of a small {region}, and {turn}"
        else:
            mapped = (
                f"near this point F maps a small {region} of {word} {symbol} onto one of "
                f"{word} about {show.times(size, symbol)}, and {turn}"
            )
        sentences.append(f"{head}: {mapped}.")
        inverse = show(1 / det)
        sentences.append(
            "So F has a local inverse near this point (the inverse function theorem), whose "
            f"Jacobian determinant there is 1/det J = {inverse}."
        )
    else:
        sentences.append(f"{head}: near this point, {result.meaning}.")
    if result.log_abs is not None:
        if result.singular:
            sentences.append(
                "log|det J| = -∞ here: a normalizing flow must be invertible, and F is not "
                "at this point."
            )
        else:
            sentences.append(
                f"log|det J| = {show(result.log_abs)}: for a normalizing flow z = F(x), "
                "log p_X(x) = log p_Z(F(x)) + log|det J|."
            )
    return tuple(sentences)


def _null_direction(result: DeterminantResult) -> tuple[Any, ...] | None:
    """A direction v with J(a)·v = 0, for a singular J with numbers for entries (small n)."""
    from jaccli.engine.point import _at_point

    n = len(result.variables)
    if result.point is None or n > NULL_DIRECTION_LIMIT:
        return None
    matrix = _at_point(result.functions, result.variables, result.point)[1].dense()
    if any(e.free_symbols for row in matrix for e in row):
        return None
    import sympy

    from jaccli.engine.bridge import from_sympy, to_sympy

    basis = sympy.Matrix([[to_sympy(e) for e in row] for row in matrix]).nullspace()
    if not basis:
        return None
    v = basis[0]  # a rational J has a rational null direction: in whole numbers, it reads best
    scale = reduce(sympy.ilcm, (e.q for e in v if e.is_Rational), 1)
    return tuple(from_sympy(e * scale) for e in v)


# --------------------------------------------------------------------------- entry point


def explained(result: R) -> R:
    """The result with its `explanation`: sentences that read it at its point."""
    if getattr(result, "point", None) is None:
        raise UsageError("an explanation reads a result at a point: give one with {at}")
    return replace(result, explanation=_sentences(result))  # type: ignore[call-arg]


def explaining(method: Callable[..., R], explain: bool) -> Callable[..., R]:
    """`method` (determinant, evaluate, linearize), its result `explained` when asked for."""
    if not explain:
        return method
    return lambda *args, **kwargs: explained(method(*args, **kwargs))
