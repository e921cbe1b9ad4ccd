"""Coordinate maps for `chain` (polar, cylindrical, spherical and their inverses), the
assumptions they hold under, and how G and H are read for the chain rule.

A preset is jac text, read by jac's parser like anything the user types, so it prints
and reads back the same way. Its assumptions (r > 0, -π < θ < π, 0 < φ < π) are what
lets J_polar(H(x))·J_{polar⁻¹}(x) simplify to I: with them |r| is r, √(r² sin²φ) is
r sin φ and atan2(r sin θ, r cos θ) is θ (`tidy`).
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from jaccli.errors import JacError, Location, UsageError
from jaccli.problem import Problem

if TYPE_CHECKING:
    from symengine import Expr, Symbol

    from jaccli.parse import Limits
    from jaccli.problem import Point, PointText, ShapesText


class Preset(NamedTuple):
    name: str
    functions: str  # in jac's syntax
    variables: tuple[str, ...]
    domain: tuple[tuple[str, str | None, str | None], ...]  # (variable, low, high), open
    about: str


PRESETS = (
    Preset(
        "polar",
        "r*cos(theta), r*sin(theta)",
        ("r", "theta"),
        (("r", "0", None), ("theta", "-pi", "pi")),
        "(r, theta) → (x, y)",
    ),
    Preset("polar-inverse", "sqrt(x^2 + y^2), atan2(y, x)", ("x", "y"), (), "(x, y) → (r, theta)"),
    Preset(
        "cylindrical",
        "r*cos(theta), r*sin(theta), z",
        ("r", "theta", "z"),
        (("r", "0", None), ("theta", "-pi", "pi")),
        "(r, theta, z) → (x, y, z)",
    ),
    Preset(
        "cylindrical-inverse",
        "sqrt(x^2 + y^2), atan2(y, x), z",
        ("x", "y", "z"),
        (),
        "(x, y, z) → (r, theta, z)",
    ),
    Preset(
        "spherical",
        "r*sin(phi)*cos(theta), r*sin(phi)*sin(theta), r*cos(phi)",
        ("r", "phi", "theta"),
        (("r", "0", None), ("phi", "0", "pi"), ("theta", "-pi", "pi")),
        "(r, phi, theta) → (x, y, z), phi from the z axis",
    ),
    Preset(
        "spherical-inverse",
        "sqrt(x^2 + y^2 + z^2), atan2(sqrt(x^2 + y^2), z), atan2(y, x)",
        ("x", "y", "z"),
        (),
        "(x, y, z) → (r, phi, theta)",
    ),
)
_BY_NAME = {p.name: p for p in PRESETS}


# --------------------------------------------------------------------------- assumptions


class Assumption(NamedTuple):
    """low < symbol < high (None: no bound)."""

    symbol: Symbol
    low: Expr | None
    high: Expr | None

    @property
    def text(self) -> str:
        name = self.symbol.name
        if self.low is not None and self.high is not None:
            return f"{self.low} < {name} < {self.high}"
        return f"{name} > {self.low}" if self.low is not None else f"{name} < {self.high}"


Intervals = Mapping[Any, tuple[float, float]]  # symbol → (low, high), open; ±inf: no bound


def intervals(assume: Sequence[Assumption]) -> dict[Any, tuple[float, float]]:
    def bound(value: Any, default: float) -> float:
        return default if value is None else float(value)

    return {a.symbol: (bound(a.low, -math.inf), bound(a.high, math.inf)) for a in assume}


def tidy(expr: Any, where: Intervals) -> Any:
    """`expr` simplified (jac's simplifier) after sin, cos and tan of atan2, atan, asin and
    acos are written out (cos(atan2(y, x)) = x/√(x² + y²)); with `where`, also inside
    function arguments, and |a| = a, √(a²b²) = ab, atan2(c sin t, c cos t) = t where the
    intervals make a, b, c ≥ 0 and t one angle.
    """
    from jaccli.engine.simplify import simplify_expr

    out = simplify_expr(_inverse_trig(expr))
    if not where:
        return out
    for _ in range(2):  # once more: |r|/r is 1 only after |r| is r
        again = simplify_expr(_assumed(out, where))
        if again == out:
            break
        out = again
    return out


def _inverse_trig(expr: Any) -> Any:
    """sin, cos and tan of inverse functions written out, for real arguments in their
    domains: sin(atan2(a, b)) = a/√(a² + b²), cos(acos(t)) = t, ..."""
    import symengine as se

    def side(kind: Any, arg: Any) -> Any | None:
        if isinstance(arg, se.atan2):
            a, b = arg.args
            opposite, adjacent, hypotenuse = a, b, se.sqrt(a**2 + b**2)
        elif isinstance(arg, se.atan):
            opposite, adjacent, hypotenuse = (
                arg.args[0],
                se.Integer(1),
                se.sqrt(1 + arg.args[0] ** 2),
            )
        elif isinstance(arg, se.asin):
            opposite, adjacent, hypotenuse = (
                arg.args[0],
                se.sqrt(1 - arg.args[0] ** 2),
                se.Integer(1),
            )
        elif isinstance(arg, se.acos):
            opposite, adjacent, hypotenuse = (
                se.sqrt(1 - arg.args[0] ** 2),
                arg.args[0],
                se.Integer(1),
            )
        else:
            return None
        if kind is se.sin:
            return opposite / hypotenuse
        return adjacent / hypotenuse if kind is se.cos else opposite / adjacent

    for _ in range(3):  # nested: cos(atan2(sin(atan(t)), 1))
        calls = expr.atoms(se.sin, se.cos, se.tan)
        found = {c: side(type(c), c.args[0]) for c in calls}
        written = {c: v for c, v in found.items() if v is not None}
        if not written:
            break
        expr = expr.xreplace(written)
    return expr


def _assumed(expr: Any, where: Intervals) -> Any:
    """`expr` rebuilt from the leaves up with the rules that `where` allows."""
    import symengine as se

    if not expr.args:
        return expr
    args = [_assumed(a, where) for a in expr.args]
    if expr.is_Add or expr.is_Mul or expr.is_Pow:
        node = expr.func(*args)
    else:  # a function: its arguments simplified too
        from jaccli.engine.simplify import simplify_expr

        node = expr.func(*[simplify_expr(a) for a in args])
    if isinstance(node, se.Abs) and _nonnegative(node.args[0], where):
        return node.args[0]
    if node.is_Pow:
        base, exponent = node.args
        fractional = exponent.is_Rational and not exponent.is_Integer
        if fractional and base.is_Mul and all(_nonnegative(f, where) for f in base.args):
            return se.Mul(*(_power(f, exponent, where) for f in base.args))
        return _power(base, exponent, where)
    if isinstance(node, se.atan2):
        return _angle(node, where)
    return node


def _power(base: Any, exponent: Any, where: Intervals) -> Any:
    """(b^k)^q = b^(kq) for b ≥ 0 (√(r²) = r when r > 0)."""
    if base.is_Pow and _nonnegative(base.args[0], where) and exponent.is_Rational:
        return base.args[0] ** (base.args[1] * exponent)
    return base**exponent


def _angle(node: Any, where: Intervals) -> Any:
    """atan2(c sin t, c cos t) = t when c ≥ 0 and t is in (-π, π]."""
    import symengine as se

    y, x = node.args
    for s in y.atoms(se.sin):
        t = s.args[0]
        low, high = where.get(t, (-math.inf, math.inf))
        if low < -math.pi or high > math.pi:
            continue
        c = y / s
        if se.expand(x - c * se.cos(t)) == 0 and _nonnegative(c, where):
            return t
    return node


def _nonnegative(expr: Any, where: Intervals) -> bool:
    """Whether `expr` ≥ 0 follows from the intervals, by its form alone (no solving)."""
    import symengine as se

    if not expr.free_symbols:
        try:
            return float(expr) >= 0
        except (TypeError, ValueError, RuntimeError):
            return False
    if expr.is_Symbol:
        return where.get(expr, (-math.inf, 0.0))[0] >= 0
    if expr.is_Add or expr.is_Mul:
        return all(_nonnegative(a, where) for a in expr.args)
    if expr.is_Pow:
        base, exponent = expr.args
        even = exponent.is_Integer and int(exponent) % 2 == 0
        return even or _nonnegative(base, where)
    if isinstance(expr, se.Abs):
        return True
    if isinstance(expr, (se.sin, se.cos)) and expr.args[0] in where:
        low, high = where[expr.args[0]]
        shift = 0.0 if isinstance(expr, se.sin) else math.pi / 2
        return low + shift >= -1e-12 and high + shift <= math.pi + 1e-12
    return False


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True, kw_only=True)
class ChainProblem(Problem):
    """H as read (its variables are x, the point's), with G and the presets' assumptions.

    `warnings` and `layout` hold both functions' notes; a point is checked against H as
    typed and then G as typed at u = H(a), so that u/u at u = 0 is found with a caret.
    """

    outer: Problem
    outer_variables: tuple[Symbol, ...]
    assume: tuple[Assumption, ...] = ()

    def at(self, point: PointText, variables: Sequence[Symbol] | None = None) -> Point:
        from jaccli.engine.point import _Substitution
        from jaccli.parse import build

        found = _as_inner(lambda: super(ChainProblem, self).at(point, variables))
        if len(self.outer_variables) != len(self.functions):
            return found  # the engine says how the shapes differ
        at = _Substitution(found.values)
        params = {s for f in self.outer.functions for s in f.free_symbols}
        values = {s.name: v for s, v in found.values.items() if s in params}
        inner = zip(self.outer_variables, self.functions, strict=True)
        values.update({u.name: at(h) for u, h in inner})
        build(self.outer.parsed, self.limits, values)
        return found


def read_chain(
    outer: str | Sequence[str],
    outer_variables: str | Sequence[str] | None,
    inner: str | Sequence[str],
    inner_variables: str | Sequence[str] | None,
    *,
    stdin: str | None = None,
    limits: Limits | None = None,
    shapes: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
) -> ChainProblem:
    """G ({vars}) and H ({of}, {of_vars}) read as `jaccli.problem.read` reads F, each a preset
    name or text; H's messages name {of} and {of_vars}."""
    from jaccli.parse import make_symbol
    from jaccli.problem import read

    g_texts, g_vars, _ = _preset(outer, outer_variables, "{vars}")
    h_texts, h_vars, domain = _preset(inner, inner_variables, "{of_vars}")
    reading = functools.partial(read, stdin=stdin, limits=limits, shapes=shapes, abstract=abstract)
    g = reading(g_texts, g_vars)
    h = _as_inner(lambda: reading(h_texts, h_vars))
    u, g_note = _variables(g, "G", "{vars}")
    x, h_note = _variables(h, "H", "{of_vars}")
    inner_warnings = tuple(w.replace("{vars}", "{of_vars}") for w in h.warnings)
    warnings = _merged_shape_warnings(g, h, (*g.warnings, *inner_warnings), g_vars, h_vars)
    assume = tuple(
        Assumption(make_symbol(name), _bound(low), _bound(high)) for name, low, high in domain
    )
    own = {f.name: getattr(h, f.name) for f in fields(Problem)}
    return ChainProblem(
        **{
            **own,
            "variables": x,
            "warnings": warnings,
            "layout": (
                *g_note,
                *h_note,
                *(f"J_G: {n}" for n in g.layout),
                *(f"J_H: {n}" for n in h.layout),
            ),
        },
        outer=g,
        outer_variables=u,
        assume=assume,
    )


def _bound(text: str | None) -> Any:
    from jaccli.parse import parse_functions

    return None if text is None else parse_functions([text], [])[0]


def _variables(
    problem: Problem, which: str, option: str
) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """The variables given, or inferred (every symbol, in natural order) with a note."""
    from jaccli.engine.variables import infer_variables, listed

    if problem.variables is not None:
        return problem.variables, ()
    found = infer_variables(problem.functions)
    names = listed(v.name for v in found)
    return found, (f"variables of {which} in this order: {names} (choose with {option})",)


def _merged_shape_warnings(
    g: Problem,
    h: Problem,
    warnings: tuple[str, ...],
    g_vars: str | Sequence[str] | None,
    h_vars: str | Sequence[str] | None,
) -> tuple[str, ...]:
    """--shape serves both G and H: a name is unused only if neither uses it."""
    from jaccli.parse import parse_variables
    from jaccli.problem import _unused_shapes

    kept = tuple(w for w in warnings if not w.startswith("{shape} declares"))
    if not g.shapes:
        return kept
    typed = [
        name
        for given in (g_vars, h_vars)
        if given is not None
        for name in parse_variables(given if isinstance(given, str) else ",".join(given))
    ]
    return (*kept, *_unused_shapes(g.shapes, [*g.parsed, *h.parsed], typed))


def _preset(
    texts: str | Sequence[str], variables: str | Sequence[str] | None, option: str
) -> tuple[list[str], str | Sequence[str] | None, tuple[tuple[str, str | None, str | None], ...]]:
    """A preset's text and variables (renamed by `variables` if given), or the text as is."""
    listed = [texts] if isinstance(texts, str) else list(texts)
    name = listed[0].strip() if len(listed) == 1 else ""
    preset = _BY_NAME.get(name)
    if preset is None:
        _not_a_preset(name)
        return listed, variables, ()
    if variables is None:
        return [preset.functions], ",".join(preset.variables), preset.domain
    from jaccli.parse import parse_variables

    text = variables if isinstance(variables, str) else ",".join(variables)
    names = parse_variables(text, option)
    if len(names) != len(preset.variables):
        raise UsageError(
            f"{option} names {len(names)} variables, but {name} has "
            f"{len(preset.variables)} ({', '.join(preset.variables)})"
        )
    rename = dict(zip(preset.variables, names, strict=True))
    pattern = re.compile(r"\b(" + "|".join(preset.variables) + r")\b")
    renamed = pattern.sub(lambda m: rename[m.group(1)], preset.functions)
    domain = tuple((rename[v], low, high) for v, low, high in preset.domain)
    return [renamed], text, domain


def _not_a_preset(text: str) -> None:
    """`polr` or `polar-inv` is a misspelt preset, not G = polr: say which ones there are."""
    close = close_preset(text) if re.fullmatch(r"[a-z]+(-[a-z]+)*", text) else None
    if close is not None:
        raise UsageError(
            f"no preset named {text}; did you mean {close}? Presets: {', '.join(_BY_NAME)}"
        )


def close_preset(name: str) -> str | None:
    """The preset that `name` nearly is, case aside (POLAR, Polar-Inverse, polr), or None.
    `chain` reads an upper-case one as an expression, and says so when its shape is wrong."""
    if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z]+)*", name):
        return None
    close = difflib.get_close_matches(name.lower(), list(_BY_NAME), n=1, cutoff=0.8)
    return close[0] if close and (len(name) > 3 or "-" in name) else None


T = TypeVar("T")


def _as_inner(read: Callable[[], T]) -> T:
    """`read()`, its errors naming H's options: {of} for the text, {of_vars} for its variables."""
    try:
        return read()
    except JacError as e:
        template = e.template.replace("{vars}", "{of_vars}")
        location = e.location
        if location is not None:
            where = re.sub(r"^(input|argument)\b", "{of}", location.where)
            location = Location(
                location.text, location.column, where.replace("{vars}", "{of_vars}")
            )
        raise type(e)(template, location) from None
