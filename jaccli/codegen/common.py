"""What the NumPy, JAX, Julia and MATLAB emitters share: refusals, blocks, guards by slot.

Names come from `Plan.identifiers(reserved)`: each module's RESERVED holds its language's
reserved words and the names its generated code uses itself (`numpy`, `J`, helpers), so that
an input called `lambda`, `end` or `J` is renamed and can shadow nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli.errors import UsageError

if TYPE_CHECKING:
    from jaccli.codegen.plan import Plan


def function_names(language: str) -> set[str]:
    """Every catalogue function, by its name as typed and in `language` (a field of
    jaccli.functions.Function: "julia", "matlab"): names an input must not shadow."""
    from jaccli.functions import CATALOGUE

    names = {f.name for f in CATALOGUE.values()}
    return names | {getattr(f, language) for f in CATALOGUE.values() if getattr(f, language)}


def refuse(function: str, language: str, why: str = "") -> UsageError:
    """The error for a function that has no equivalent with jac's meaning in `language`."""
    reason = f" ({why})" if why else ""
    return UsageError(f"jac cannot generate {language} for the function {function}{reason}")


class Printing:
    """Mixin for a SymPy code printer: jac's names for symbols, numbers that every language
    reads as doubles (2**53 and beyond as floats: no BigInt; beyond the doubles ±inf, as jac
    eval's double computation has them, never an OverflowError), ±inf and NaN as `SPECIALS`
    says, the helpers the printed code calls (`helpers`), and an expression it cannot print as
    a UsageError naming the function and the language, not PrintMethodNotImplementedError."""

    language = "?"
    SPECIALS: Mapping[str, str] = {"inf": "Inf", "-inf": "(-Inf)", "nan": "NaN"}

    def __init__(self, names: Mapping[str, str], settings: dict[str, Any]) -> None:
        super().__init__(settings)  # type: ignore[call-arg]
        self._names = names
        self.helpers: set[str] = set()

    def _print_Symbol(self, e: Any) -> str:
        return str(self._names.get(e.name, e.name))

    def _special(self, text: str) -> str:
        return self.SPECIALS[text]

    def _print_double(self, value: float) -> str:
        text = repr(value)
        return self._special(text) if text in self.SPECIALS else text

    def _print_Integer(self, e: Any) -> str:
        value = int(e)
        return str(value) if abs(value) < 2**53 else self._print_double(double(e))

    def _print_Rational(self, e: Any) -> str:
        if small(e):
            return str(super()._print_Rational(e))  # type: ignore[misc]
        return self._print_double(double(e))

    def _print_Infinity(self, e: Any) -> str:
        return self._special("inf")

    def _print_NegativeInfinity(self, e: Any) -> str:
        return self._special("-inf")

    def _print_NaN(self, e: Any) -> str:
        return self._special("nan")

    def _print_not_supported(self, expr: Any) -> str:
        function = getattr(expr, "func", type(expr))
        raise refuse(getattr(function, "__name__", str(function)), self.language)


def small(e: Any) -> bool:
    """Whether the rational `e` prints as p/q: both exact in a double."""
    return abs(int(e.p)) < 2**53 and int(e.q) < 2**53


def double(e: Any) -> float:
    """The double nearest the rational `e` (Python's p/q is correctly rounded), ±inf beyond
    the doubles as jac eval --points has 1e400; 1e-400 is 0."""
    import math

    try:
        return int(e.p) / int(e.q)
    except OverflowError:
        return math.inf if int(e.p) > 0 else -math.inf


def finite_flag(plan: Plan, blocks: Iterable[str]) -> bool:
    """Whether code for `blocks` reads `finite` (every input finite at the point): F's
    final pass and the guards NotFinite(e) do."""
    not_finite = _predicates()[0]
    return any(b == "value" for b in blocks) or any(
        g.block in blocks and g.condition.has(not_finite) for g in plan.guards
    )


def _predicates() -> Any:
    from jaccli.codegen.predicates import predicates

    return predicates()


def arrays(plan: Plan) -> list[tuple[str, int]]:
    """The function's arguments, as in C: ("x", n), and ("p", k) when there are parameters."""
    sizes = {"x": 0, "p": 0}
    for i in plan.inputs:
        sizes[i.array] += 1
    return [(a, sizes[a]) for a in ("x", "p") if a == "x" or sizes[a]]


def guards_of(plan: Plan, block: str) -> list[tuple[Any, tuple[int, ...]]]:
    """The plan's guards on one block, (condition, slots), one per distinct condition (the
    kinks of |u| in several entries of a row share theirs), in the plan's order."""
    merged: dict[Any, list[int]] = {}
    for g in plan.guards:
        if g.block == block:
            slots = merged.setdefault(g.condition, [])
            slots += [s for s in g.slots if s not in slots]
    return [(condition, tuple(slots)) for condition, slots in merged.items()]


def whole_rows(plan: Plan, block: str, slots: tuple[int, ...]) -> tuple[list[int], list[int]]:
    """Split the slots of a guard into the rows of a dense J they fill and the other slots,
    so that a row guard is one line, not n."""
    if block != "jacobian" or plan.layout != "dense":
        return [], list(slots)
    n, chosen = plan.n, set(slots)
    rows = sorted({s // n for s in slots if all((s // n) * n + j in chosen for j in range(n))})
    rest = [s for s in slots if s // n not in rows]
    return rows, rest


class Written(NamedTuple):
    """One block, printed: what an emitter writes in its own syntax."""

    array: str  # "F" or "J"
    size: tuple[int, ...]  # for one point: (m,), (m, n) or (nnz,)
    entries: list[tuple[str, str]]  # (index, value): the non-zero outputs
    guards: list[tuple[str, list[int], list[str]]]  # (condition, whole rows, other indices)


def written(plan: Plan, block: str, printer: Any, base: int) -> Written:
    """A block's outputs and guards, printed, with indices counted from `base`."""

    def index(slot: int) -> str:
        return ", ".join(map(str, slot_index(plan, block, slot, base)))

    entries = [(index(o.slot), printer.doprint(o.expr)) for o in nonzero_outputs(plan, block)]
    guards = []
    for condition, slots in guards_of(plan, block):
        rows, rest = whole_rows(plan, block, slots)
        guards.append(
            (printer.doprint(condition), [r + base for r in rows], list(map(index, rest)))
        )
    return Written(BLOCK_NAMES[block], shape_of(plan, block), entries, guards)


def nonzero_outputs(plan: Plan, block: str) -> list[Any]:
    """The outputs of one block that are not 0 (the arrays start as zeros), in slot order."""
    found = (o for o in plan.outputs if o.block == block and not (o.expr.is_Number and o.expr == 0))
    return sorted(found, key=lambda o: o.slot)


def shape_of(plan: Plan, block: str) -> tuple[int, ...]:
    """A block's shape for one point: (m,) for F, (m, n) dense or (nnz,) sparse for J."""
    if block == "value":
        return (plan.m,)
    return (plan.m, plan.n) if plan.layout == "dense" else (plan.slots("jacobian"),)


def slot_index(plan: Plan, block: str, slot: int, base: int) -> tuple[int, ...]:
    """Where `slot` of a block sits in its array, counted from `base` (0 or 1)."""
    if block == "jacobian" and plan.layout == "dense":
        return (slot // plan.n + base, slot % plan.n + base)
    return (slot + base,)


def real_at(function: str, u: Any) -> bool:
    """Whether sqrt or log (or a fractional power) of `u` is certainly real: u a constant
    ≥ 0 (2, π, √2). Then the printers skip the NaN-returning wrapper."""
    return function in ("sqrt", "log") and bool(
        u.is_number and u.is_finite and u.is_extended_nonnegative
    )


def comment(lines: Iterable[str], marker: str) -> list[str]:
    """The header's lines as comments (`# ...`, `% ...`)."""
    return [f"{marker} {line}".rstrip() for line in lines]


def note(paragraphs: Iterable[str], marker: str) -> list[str]:
    """How to call the function, after the header: each paragraph wrapped, as comments."""
    import textwrap

    return [f"{marker} {line}" for text in paragraphs for line in textwrap.wrap(text, 92)]


def used_functions(exprs: Iterable[Any]) -> frozenset[str]:
    """The names of the functions applied anywhere in `exprs` (to know which helpers to emit)."""
    import sympy

    found: set[str] = set()
    for e in exprs:
        if isinstance(e, sympy.Basic):
            found.update(type(f).__name__ for f in e.atoms(sympy.Function))
            found.update("Pow" for _ in e.atoms(sympy.Pow))
    return frozenset(found)


def all_exprs(plan: Plan) -> list[Any]:
    """Every expression the emitted file prints: temps, outputs, guard conditions."""
    return (
        [e for _, e in plan.temps]
        + [o.expr for o in plan.outputs]
        + [g.condition for g in plan.guards]
    )


BLOCK_NAMES: Mapping[str, str] = {"value": "F", "jacobian": "J"}
