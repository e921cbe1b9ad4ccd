"""The chain rule: J_{G∘H}(x) = J_G(H(x))·J_H(x), the factors shown and the product proved.

Substitution is simultaneous (u = H(x) in one step), so G's variables may have the names
of H's: `polar ∘ polar` is G(r cos θ, r sin θ). The proof differentiates G(H(x)) directly
and compares entry by entry: symbolically first (expanded, simplified, then SymPy), then
exactly at random rational points for the entries left; `facts` and `notes` say which.
Presets bring assumptions (r > 0, 0 < φ < π) that `presets.tidy` uses, so that
J_polar(H(x))·J_{polar⁻¹}(x) comes out as I.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli.engine.algebra import _bounded_expand, _size
from jaccli.engine.bridge import to_sympy
from jaccli.engine.derivatives import differentiate
from jaccli.engine.determinants import determinant
from jaccli.engine.point import (
    _at_point,
    _delta_values,
    _describe_point,
    _exactly,
    _is_complex,
    _order_point,
    _tidy_value,
    _undefined,
)
from jaccli.engine.precision import evaluate_number
from jaccli.engine.presets import Assumption, Intervals, close_preset, intervals, tidy
from jaccli.engine.results import ChainResult, Part, Point, Sparse
from jaccli.engine.variables import _free_symbols, header, resolve_variables
from jaccli.errors import JacError, ShapeError, UsageError

if TYPE_CHECKING:
    from symengine import Expr, Symbol

PROOF_POINTS = 5  # random points for the entries no symbolic method proves
PROOF_ATTEMPTS = 60  # points tried to find them (some are outside the functions' domain)
PROOF_DIGITS = 60  # a difference that is not exactly 0 must be below 10^-60 (relative)
SIMPLIFY_PROOF_LIMIT = 5_000  # characters of a difference handed to jac's simplifier
SYMPY_PROOF_LIMIT = 1_500  # characters of a difference handed to sympy.simplify
DET_LIMIT = 3  # largest square system whose three determinants are shown symbolically
DET_LIMIT_AT_POINT = 12  # the same at a point, where they are numbers
SIMPLIFY_LIMIT = 200  # entries simplified by default; past that, only when asked (it is slow)

DETS = ("det J_G∘H(x)", "det J_G(H(x))", "det J_H(x)")
_DETS_LATEX = (
    "\\begin{bmatrix} \\det J_{G \\circ H}(x) \\\\ \\det J_G(H(x)) \\\\ \\det J_H(x) \\end{bmatrix}"
)


class _Method(NamedTuple):
    """How two sides were shown equal; a higher `rank` is weaker."""

    rank: int
    fact: str  # for scripts: "symbolic", "exact at 5 random points"
    how: str  # in a sentence: "proved symbolically"
    detail: str  # after the sentence: " (symbolically 3 of 4 entries)"


_SAME = "J_G(H(x))·J_H(x) equals the Jacobian of G(H(x)) differentiated directly"
_DET_RULE = "det J_G∘H(x) = det J_G(H(x))·det J_H(x)"


class _Chain(NamedTuple):
    """G in u, H in x, G(H(x)), and how rows and columns are labelled."""

    outer: Sequence[Any]
    u: Sequence[Any]
    inner: Sequence[Any]
    x: Sequence[Any]
    composed: tuple[Any, ...]

    def at_h(self, expr: Any) -> Any:
        """`expr` at u = H(x), substituted in one step (G's u may be named as H's x)."""
        return expr.xreplace(dict(zip(self.u, self.inner, strict=True)))

    def labels(self, key: str) -> tuple[str, ...]:
        """g1.. for G's components, h1.. for H's, f1.. for G∘H's; u and x by name."""
        if key in ("u", "x"):
            return tuple(v.name for v in (self.u if key == "u" else self.x))
        count = len(self.inner if key == "h" else self.outer)
        return tuple(f"{key}{i + 1}" for i in range(count))


def chain(
    outer: Sequence[Expr],
    outer_variables: Sequence[Symbol] | None,
    inner: Sequence[Expr],
    inner_variables: Sequence[Symbol] | None,
    *,
    point: Mapping[Any, Any] | None = None,
    digits: int | None = None,
    simplify: bool | None = None,
    assume: Sequence[Assumption] = (),
) -> ChainResult:
    """J_G(u), J_G(H(x)), J_H(x) and their product J_{G∘H}(x), proved equal to the Jacobian
    of G(H(x)); with `point`, each at x = point (and u = H(point)).

    `assume` holds for the symbols of x (a preset's r > 0, 0 < φ < π) and is used to
    simplify. `simplify` None: the entries are simplified unless there are more than
    SIMPLIFY_LIMIT (or at a point, where they are values); True or False: always or never.
    """
    head = header(inner, inner_variables)
    x = head["variables"]
    u, _ = resolve_variables(outer, outer_variables)
    _check_shapes(outer, u, inner, x)
    notes = _check_names(outer, u, inner, x)
    c = _Chain(outer, u, inner, x, ())
    c = c._replace(composed=tuple(c.at_h(g) for g in outer))
    where = intervals(assume)
    ordered = None if point is None else _order_point(c.composed, x, point)
    parts, pairs = _symbolic(c) if ordered is None else _at(c, ordered)
    method = _prove(pairs, where, ordered is not None)
    facts: list[tuple[str, str]] = [("proof", method.fact)]
    notes = (f"{method.how.capitalize()}: {_SAME}{method.detail}.", *notes)
    tidied, why = _simplifies(simplify, ordered, parts)
    notes += why

    def shown(e: Any) -> Any:
        return tidy(e, where) if tidied else e

    if tidied:  # J_G(u) is in u, of which the assumptions about x say nothing
        parts = tuple(p._replace(sparse=p.sparse.mapped(_tidier(p.key, where))) for p in parts)
    if len(outer) == len(u) == len(x) <= (DET_LIMIT if ordered is None else DET_LIMIT_AT_POINT):
        dets = _determinants(c, ordered, tidied, shown)
        checked = _prove([(_DET_RULE, dets[0], dets[1] * dets[2])], where, ordered is not None)
        parts += (_column("determinants", "det", _DETS_LATEX, dets, DETS),)
        facts.append(("determinants", checked.fact))
        notes += (f"G and H are square: {_DET_RULE} ({checked.how}).",)
    if digits is not None:
        parts = tuple(p._replace(sparse=p.sparse.mapped(_rounded(digits))) for p in parts)
    if assume and ordered is None:  # at a point the values are exact, assumed or not
        facts.append(("assumptions", ", ".join(a.text for a in assume)))
        notes += (f"Assuming {facts[-1][1]}, the domain of H.",)
    return ChainResult(
        functions=tuple(shown(f) for f in c.composed),
        variables=x,
        variables_inferred=head["variables_inferred"],
        parts=parts,
        point=ordered,
        digits=digits,
        given=(("G", tuple(outer)), ("H", tuple(inner))),
        facts=tuple(facts),
        notes=notes,
        outer=tuple(outer),
        outer_variables=tuple(u),
        inner=tuple(inner),
    )


def _simplifies(
    simplify: bool | None, ordered: Point | None, parts: Sequence[Part]
) -> tuple[bool, tuple[str, ...]]:
    """Whether to simplify the entries, and a note when the default decided against it."""
    if simplify is not None:
        return simplify, ()
    if ordered is not None:
        return False, ()
    count = sum(len(row) for p in parts for row in p.sparse.rows)
    if count <= SIMPLIFY_LIMIT:
        return True, ()
    return False, (
        f"Entries are as differentiated: simplifying {count} would take long "
        "(ask for simplification to have it anyway).",
    )


def _tidier(key: str, where: Intervals) -> Callable[[Any], Any]:
    own = {} if key == "outer" else where
    return lambda e: tidy(e, own)


# --------------------------------------------------------------------------- checks


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def _check_shapes(
    outer: Sequence[Any], u: Sequence[Any], inner: Sequence[Any], x: Sequence[Any]
) -> None:
    """(m×p)(p×n): G takes p variables, so H must have p components."""
    m, p, q, n = len(outer), len(u), len(inner), len(x)
    if p != q:
        names = ", ".join(v.name for v in u)
        raise ShapeError(
            f"G takes {_plural(p, 'variable')} ({names}) but H has {_plural(q, 'component')}: "
            f"J_G(H(x))·J_H(x) would be ({m}×{p})·({q}×{n}); H needs one component "
            f"for each variable of G{_preset_hint('G', outer)}{_preset_hint('H', inner)}"
        )


def _preset_hint(which: str, functions: Sequence[Any]) -> str:
    """ "; G was read as an expression: did you mean the preset polar?" when G is one name
    (POLAR) or a difference of two (POLAR-INVERSE) close to a preset; else ""."""
    if len(functions) != 1:
        return ""
    f = functions[0]
    text = f.name if f.is_Symbol else ""
    if f.is_Add and len(f.args) == 2:  # a - b: the argument that is a symbol is a
        a, b = sorted(f.args, key=lambda t: not t.is_Symbol)
        if a.is_Symbol and b.is_Mul and b.args[0] == -1 and b.args[1].is_Symbol:
            text = f"{a.name}-{b.args[1].name}"
    close = close_preset(text) if text else None
    if close is None:
        return ""
    return f"; {which} was read as an expression: did you mean the preset {close}?"


def _check_names(
    outer: Sequence[Any], u: Sequence[Any], inner: Sequence[Any], x: Sequence[Any]
) -> tuple[str, ...]:
    """A parameter of G named as a variable of H is an error: G would depend on x other than
    through H, and J_G(H(x))·J_H(x) would miss ∂G/∂x. A variable of G that H has as a
    parameter is fine (H's value of it is kept): a note says so."""
    params = _free_symbols(outer) - set(u)
    clash = [v.name for v in x if v in params]
    if clash:
        names = ", ".join(clash)
        one = len(clash) == 1
        raise UsageError(
            f"{names} {'is' if one else 'are'} in G but not among its variables ({{vars}}), "
            f"and {'is a variable' if one else 'are variables'} of H: G would depend on "
            f"{names} other than through H, which J_G(H(x))·J_H(x) does not see; add "
            f"{names} to {{vars}}, or rename {'it' if one else 'them'} in G"
        )
    in_h = _free_symbols(inner) - set(x)
    shared = [v.name for v in u if v in in_h]
    if not shared:
        return ()
    names = ", ".join(shared)
    return (
        f"{names}: a variable of G and a parameter of H; G(H(x)) keeps H's {names} "
        "(u = H(x) is substituted in one step).",
    )


# --------------------------------------------------------------------------- parts


def _product(a: Sparse, b: Sparse) -> Sparse:
    """a·b of two sparse matrices, each entry one sum (not expanded)."""
    import symengine as se

    rows = []
    for row in a.rows:
        terms: dict[int, list[Any]] = {}
        for k, e in row:
            for j, f in b.rows[k]:
                terms.setdefault(j, []).append(e * f)
        sums = ((j, se.Add(*ts)) for j, ts in sorted(terms.items()))
        rows.append(tuple((j, s) for j, s in sums if s != 0))
    return Sparse((a.shape[0], b.shape[1]), tuple(rows))


def _factors(c: _Chain, g_at_h: Sparse, h: Sparse, product: Sparse) -> tuple[Part, ...]:
    """J_G(H(x)), J_H(x) and their product, the product last: what plain output shows."""
    g, u, x = c.labels("g"), c.labels("u"), c.labels("x")
    return (
        Part("outer_at_inner", "J_G(H(x))", "J_G(H(x))", g_at_h, g, u, False),
        Part("inner", "J_H(x)", "J_H(x)", h, c.labels("h"), x, False),
        Part("product", "J_G(H(x))·J_H(x)", "J_G(H(x))\\, J_H(x)", product, c.labels("f"), x),
    )


def _column(key: str, label: str, latex: str, values: Sequence[Any], rows: Sequence[str]) -> Part:
    entries = tuple(((0, v),) if v != 0 else () for v in values)
    return Part(key, label, latex, Sparse((len(values), 1), entries), tuple(rows), ("",), False)


Pairs = list[tuple[str, Any, Any]]  # (what, the product's entry, the direct derivative's)


def _pairs(c: _Chain, product: Sparse, direct: Sparse) -> Pairs:
    """Each entry of the product beside the direct derivative's, an absent one a SymEngine 0
    (the proof takes its free symbols and substitutes into it)."""
    import symengine as se

    zero = se.Integer(0)
    out = []
    for i, (mine, theirs) in enumerate(zip(product.rows, direct.rows, strict=True)):
        a, b = dict(mine), dict(theirs)
        for j in sorted(a.keys() | b.keys()):
            label = f"J_G∘H[{i + 1},{j + 1}] = ∂f{i + 1}/∂{c.x[j].name}"
            out.append((label, a.get(j, zero), b.get(j, zero)))
    return out


def _symbolic(c: _Chain) -> tuple[tuple[Part, ...], Pairs]:
    """J_G(u), J_G(H(x)), J_H(x), the product, and its entries beside G(H(x))'s Jacobian."""
    g = differentiate(c.outer, c.u)
    g_at_h = g.mapped(c.at_h)
    h = differentiate(c.inner, c.x)
    product = _product(g_at_h, h)
    first = Part("outer", "J_G(u)", "J_G(u)", g, c.labels("g"), c.labels("u"), False)
    pairs = _pairs(c, product, differentiate(c.composed, c.x))
    return (first, *_factors(c, g_at_h, h, product)), pairs


def _located(what: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, its error saying which function it is about (G at u = H(x), H)."""
    try:
        return compute()
    except JacError as e:
        raise type(e)(f"{what}: {e.template}", e.location) from None


def _at(c: _Chain, ordered: Point) -> tuple[tuple[Part, ...], Pairs]:
    """H(a), J_G at u = H(a), J_H(a) and the product, exact and checked (jaccli.engine.point)."""
    value, h = _located("H", lambda: _at_point(c.inner, c.x, ordered))
    at_h = _outer_point(c, value, ordered)
    _, g = _located("G at u = H(x)", lambda: _at_point(c.outer, c.u, at_h))
    product = _product(g, h).mapped(lambda e: _exactly(_tidy_value, e))
    _, direct = _located("G(H(x))", lambda: _at_point(c.composed, c.x, ordered))
    value_part = _column("inner_value", "H(x)", "H(x)", value, c.labels("u"))
    return (value_part, *_factors(c, g, h, product)), _pairs(c, product, direct)


def _outer_point(c: _Chain, value: Sequence[Any], ordered: Point) -> Point:
    """u = H(a), and from the point the values of G's parameters and of declared functions
    (g'(1) = 3)."""
    params = _free_symbols(c.outer) - set(c.u)
    given = ((s, v) for s, v in ordered if s in params or not s.is_Symbol)
    return (*zip(c.u, value, strict=True), *given)


def _determinants(
    c: _Chain, ordered: Point | None, simplify: bool, shown: Callable[[Any], Any]
) -> tuple[Any, Any, Any]:
    """det J_G∘H(x), det J_G(H(x)) and det J_H(x), by jaccli.engine.determinants."""
    if ordered is None:
        g = determinant(c.outer, c.u, simplify=simplify).determinant
        h = determinant(c.inner, c.x, simplify=simplify).determinant
        gh = determinant(c.composed, c.x, simplify=simplify).determinant
        return shown(gh), shown(c.at_h(g)), shown(h)
    value = [_exactly(_tidy_value, f.subs(dict(ordered))) for f in c.inner]
    g = determinant(c.outer, c.u, point=dict(_outer_point(c, value, ordered))).determinant
    h = determinant(c.inner, c.x, point=_used(c.inner, c.x, ordered)).determinant
    gh = determinant(c.composed, c.x, point=_used(c.composed, c.x, ordered)).determinant
    return gh, g, h


def _used(functions: Sequence[Any], x: Sequence[Any], ordered: Point) -> dict[Any, Any]:
    """The part of the point that `functions` use: x, their parameters and declared functions
    (a parameter of G alone is not one of H's, which `determinant` would refuse)."""
    mine = _free_symbols(functions) | set(x)
    return {s: v for s, v in ordered if s in mine or not s.is_Symbol}


def _rounded(digits: int) -> Callable[[Any], Any]:
    return lambda e: evaluate_number(e, digits)


# --------------------------------------------------------------------------- proof


def _prove(pairs: Pairs, where: Intervals, at_point: bool) -> _Method:
    """Show each pair equal: symbolically where it can, else exactly at random points."""
    left = [(what, a, b) for what, a, b in pairs if not _zero(a - b, where)]
    if not left:
        if at_point:
            return _Method(0, "exact at the point", "proved exactly at this point", "")
        return _Method(0, "symbolic", "proved symbolically", " (each entry of the difference is 0)")
    return _at_random_points(left, where, len(pairs))


def _zero(difference: Any, where: Intervals) -> bool:
    """Whether `difference` is 0 by expansion, jac's simplifier or, when small, SymPy's."""
    if difference == 0 or _bounded_expand(difference) == 0:
        return True
    size = _size(difference)
    if size > SIMPLIFY_PROOF_LIMIT:
        return False
    if tidy(difference, where) == 0:
        return True
    if size > SYMPY_PROOF_LIMIT:
        return False
    import sympy

    return bool(sympy.simplify(to_sympy(difference)) == 0)


def _at_random_points(left: Pairs, where: Intervals, total: int) -> _Method:
    """The pairs compared at random rational points where all are defined and real."""
    symbols = sorted(_free_symbols(e for _, a, b in left for e in (a, b)), key=lambda s: s.name)
    rng = random.Random(13)  # the same points on every run, so the output is reproducible
    kinds: list[str] = []
    for attempt in range(PROOF_ATTEMPTS):
        values = {s: _random_value(rng, where.get(s), attempt) for s in symbols}
        kind = _compare(left, values)
        if kind is not None:
            kinds.append(kind)
        if len(kinds) == PROOF_POINTS:
            break
    settled = total - len(left)
    detail = f" (symbolically {settled} of {_plural(total, 'entry', 'entries')})"
    if not kinds:
        return _Method(
            3,
            "none",
            "not proved",
            f"{detail[:-1]}; no random point was found where the others are defined and real)",
        )
    points = _plural(len(kinds), "random point")
    if "numeric" in kinds:
        return _Method(
            2,
            f"{PROOF_DIGITS} digits at {points}",
            f"checked to {PROOF_DIGITS} digits at {points}",
            detail,
        )
    return _Method(
        1, f"exact at {points}", f"checked exactly at {points} with rational coordinates", detail
    )


def _random_value(rng: random.Random, interval: tuple[float, float] | None, attempt: int) -> Any:
    """A rational p/q inside `interval` (open), or in (-2, 2) without one; from the second
    half of the attempts, in (0, 2), where more functions are defined and real."""
    import symengine as se

    low, high = interval if interval is not None else (-2.0, 2.0)
    if interval is None and attempt >= PROOF_ATTEMPTS // 2:
        low = 0.0
    if math.isinf(low) or math.isinf(high):  # a half-line: 4 wide from its end
        low, high = (high - 4.0, high) if math.isinf(low) else (low, low + 4.0)
    q = rng.randint(2, 9)
    first, last = math.floor(low * q) + 1, math.ceil(high * q) - 1
    if first > last:  # narrower than 1/q: its middle
        middle = Fraction((low + high) / 2).limit_denominator(1000)
        return se.Rational(middle.numerator, middle.denominator)
    return se.Rational(rng.randint(first, last) or 1, q)


def _compare(left: Pairs, values: Mapping[Any, Any]) -> str | None:
    """ "exact" or "numeric" when every pair agrees at `values`; None when one is undefined
    or complex there (or holds a function with no formula). A real difference is a bug."""
    checked = []
    for what, a, b in left:
        va, vb = (_delta_values(e.subs(values)) for e in (a, b))
        if any(_undefined(v) or v.free_symbols or _is_complex(v) for v in (va, vb)):
            return None
        checked.append((what, va, vb))
    numeric = False
    for what, va, vb in checked:
        difference = va - vb
        if _bounded_expand(difference) == 0:
            continue
        try:
            size = max(1.0, abs(complex(va.n(256))), abs(complex(vb.n(256))))
            gap = abs(complex(difference.n(256)))
        except (TypeError, ValueError, RuntimeError, OverflowError):
            return None  # a function with no formula: no value to compare
        if gap > size * 10.0**-PROOF_DIGITS:
            at = _describe_point(tuple(values.items()))
            raise RuntimeError(
                f"chain rule: {what} is {va} from J_G(H(x))·J_H(x) but {vb} from G(H(x)) "
                f"differentiated directly, at {at}"
            )
        numeric = True
    return "numeric" if numeric else "exact"
