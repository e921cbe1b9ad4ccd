"""`jac codegen --lang numpy`: a Python module with one function that broadcasts over points.

SymPy's `lambdify` is the obvious tool and gets two things wrong for J: a constant entry stays
a scalar (an array of points gives `[2, array([...])]`, or a ValueError from Matrix), and
`erf` prints as `math.erf`, which takes no arrays. So the function preallocates
`zeros(shape + (m, n))` and assigns each entry (assignment broadcasts a constant), coerces
every input to float64 (a Python float to a negative fractional power is complex, a float64
array's is NaN, as jac says), and evaluates under `errstate(all="ignore")`: 1/0 is not a
warning but an entry that ends as NaN. The JAX module (jaccli.codegen.jax_) is the same code
with functional updates; both come from `python_module` here.
"""

from __future__ import annotations

import keyword
import math
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli.codegen import common

if TYPE_CHECKING:
    from jaccli.codegen.plan import Plan

_HELPERS = ("_jac_erf",)
_LOCALS = (
    "x",
    "p",
    "J",
    "F",
    "shape",
    "bad",
    "finite",
    "ROWS",
    "COLS",
    "float",
    "range",
    "k",
    "v",
    "ValueError",
)
RESERVED: frozenset[str] = frozenset(
    [*keyword.kwlist, "numpy", "math", "jax", "None", "True", "False", *_LOCALS, *_HELPERS]
)
"""Identifiers the generated Python uses itself; an input named so is renamed."""


class Flavour(NamedTuple):
    """What differs between the NumPy and the JAX module."""

    language: str  # "NumPy", "JAX": for messages and the call line
    module: str  # "numpy", "jax.numpy"
    imports: tuple[str, ...]
    coerce: str  # "{a} = ...(a)": every input as an array of doubles
    functional: bool  # JAX: no assignment into arrays; NumPy: under errstate(all="ignore")
    notes: tuple[str, ...]  # paragraphs after the header


def _printer_methods(base: type) -> type:
    """jac's semantics on top of SymPy's NumPy or JAX printer (base)."""

    class Printer(common.Printing, base):  # type: ignore[misc]
        def __init__(self, names: dict[str, str], language: str) -> None:
            super().__init__(names, {"fully_qualified_modules": True})
            self.language = language

        def _np(self, name: str) -> str:
            return str(self._module_format(f"{self._module}.{name}"))

        def _print_Abs(self, e: Any) -> str:
            return f"{self._np('abs')}({self._print(e.args[0])})"

        def _print_DiracDelta(self, e: Any) -> str:
            # 0 wherever it has a value, NaN at 0 (functions._np_dirac_delta)
            return f"{self._np('where')}({self._print(e.args[0])} == 0, {self._np('nan')}, 0.0)"

        def _logical(self, op: str, args: Any) -> str:
            printed = [self._print(a) for a in args]
            text = str(printed[0])
            for other in printed[1:]:
                text = f"{self._np(op)}({text}, {other})"
            return text

        def _print_And(self, e: Any) -> str:
            return self._logical("logical_and", e.args)

        def _print_Or(self, e: Any) -> str:
            return self._logical("logical_or", e.args)

        def _print_Not(self, e: Any) -> str:
            return f"{self._np('logical_not')}({self._print(e.args[0])})"

        def _special(self, text: str) -> str:
            return {"inf": self._np("inf"), "-inf": f"(-{self._np('inf')})"}.get(
                text, self._np("nan")
            )

        def _print_NotFinite(self, e: Any) -> str:  # `finite`: every input finite
            u = self._print(e.args[0])
            infinite = f"{self._np('logical_and')}({self._np('isinf')}({u}), finite)"
            return f"{self._np('logical_or')}({self._np('isnan')}({u}), {infinite})"

        def _print_IsNaN(self, e: Any) -> str:
            return f"{self._np('isnan')}({self._print(e.args[0])})"

        def _print_NotInteger(self, e: Any) -> str:
            u = self._print(e.args[0])
            return f"{self._np('not_equal')}({u}, {self._np('round')}({u}))"

        # Functions SymPy rewrites into exponentials (which overflow) or prints as a power.
        def _reciprocal(self, function: str, e: Any) -> str:
            return f"(1.0/{self._np(function)}({self._print(e.args[0])}))"

        def _of_reciprocal(self, function: str, e: Any) -> str:
            return f"{self._np(function)}(1.0/({self._print(e.args[0])}))"

        def _print_coth(self, e: Any) -> str:
            return self._reciprocal("tanh", e)

        def _print_sech(self, e: Any) -> str:
            return self._reciprocal("cosh", e)

        def _print_csch(self, e: Any) -> str:
            return self._reciprocal("sinh", e)

        def _print_acot(self, e: Any) -> str:
            return self._of_reciprocal("arctan", e)

        def _print_asec(self, e: Any) -> str:
            return self._of_reciprocal("arccos", e)

        def _print_acsc(self, e: Any) -> str:
            return self._of_reciprocal("arcsin", e)

        def _print_acoth(self, e: Any) -> str:
            return self._of_reciprocal("arctanh", e)

    return Printer


def numpy_printer(names: dict[str, str]) -> Any:
    """A printer for NumPy with jac's names and semantics (erf: `_jac_erf`, defined in the file)."""
    from sympy.printing.numpy import NumPyPrinter

    class JacNumPyPrinter(_printer_methods(NumPyPrinter)):  # type: ignore[misc]
        def _print_erf(self, e: Any) -> str:
            return f"_jac_erf({self._print(e.args[0])})"

    return JacNumPyPrinter(names, "NumPy")


NUMPY = Flavour(
    "NumPy",
    "numpy",
    ("import numpy",),
    "{a} = numpy.asarray({a}, dtype=numpy.float64)",
    False,
    (),
)


def emit(plan: Plan) -> str:
    """The NumPy module for `plan`."""
    return python_module(plan, NUMPY, numpy_printer)


def python_module(plan: Plan, flavour: Flavour, make_printer: Any) -> str:
    """The whole file: header, imports, index tables, helpers, the function."""
    names = plan.identifiers(RESERVED | {plan.name})
    printer = make_printer(names)
    used = common.used_functions(common.all_exprs(plan))
    body = _body(plan, flavour, printer, names)  # first: a refusal comes before any text
    args = ", ".join(a for a, _ in common.arrays(plan))
    out = common.comment(plan.header, "#")
    out += common.note(_call_lines(plan, flavour, args), "#")
    out += [""]
    if "erf" in used and flavour.module == "numpy":
        out += ["import math", ""]
    erf = ["import jax.scipy.special"] if "erf" in used and flavour.module == "jax.numpy" else []
    out += [*flavour.imports, *erf, ""]
    if "jacobian" in plan.blocks() and plan.layout == "sparse":
        rows, cols = zip(*plan.cells(), strict=True) if plan.cells() else ((), ())
        out += [
            f"ROWS = {_tuple(rows)}  # row of each stored entry of J, from 0",
            f"COLS = {_tuple(cols)}  # its column, from 0",
            "",
        ]
    if "erf" in used and flavour.module == "numpy":
        out += ["_jac_erf = numpy.vectorize(math.erf, otypes=[float])  # NumPy has no erf", ""]
    out += ["", f"def {plan.name}({args}):", *body]
    return "\n".join(out) + "\n"


def _tuple(values: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, values)) + ("," if len(values) == 1 else "") + ")"


def _call_lines(plan: Plan, flavour: Flavour, args: str) -> list[str]:
    def sized(name: str, size: tuple[int, ...]) -> str:
        return f"{name}[..., {', '.join(map(str, size))}]"

    given = " and ".join(sized(a, (k,)) for a, k in common.arrays(plan))
    returns = [sized(common.BLOCK_NAMES[b], common.shape_of(plan, b)) for b in plan.blocks()]
    return [
        f"{flavour.language}: {plan.name}({args}) takes {given}, the inputs above on the last "
        f"axis (one point: a vector; N points: N rows; leading axes broadcast), and returns "
        f"{' and '.join(returns)}.",
        *flavour.notes,
    ]


def _body(plan: Plan, flavour: Flavour, printer: Any, names: dict[str, str]) -> list[str]:
    module = flavour.module
    given = common.arrays(plan)
    lines = [flavour.coerce.format(a=a) for a, _ in given]
    wrong = " or ".join(f"{a}.shape[-1:] != ({k},)" for a, k in given)
    takes = " and ".join(f"{a}[..., {k}]" for a, k in given)
    lines += [f"if {wrong}:", f'    raise ValueError("{plan.name} takes {takes}")']
    shapes = ", ".join(f"{a}.shape[:-1]" for a, _ in given)
    lines.append(f"shape = {module}.broadcast_shapes({shapes})")
    lines += [f"{names[i.name]} = {i.array}[..., {i.index}]" for i in plan.inputs]
    if common.finite_flag(plan, plan.blocks()):
        lines.append("finite = " + " & ".join(f"{module}.isfinite({a}).all(-1)" for a, _ in given))
    inner = [f"{names[t.name]} = {printer.doprint(e)}" for t, e in plan.temps]
    for block in plan.blocks():
        write = _listed if flavour.functional else _assigned
        inner += write(plan, block, module, printer)
        inner += _finite_pass(plan, block, module)
    if not flavour.functional:
        inner = ['with numpy.errstate(all="ignore"):'] + ["    " + s for s in inner]
    lines += [*inner, f"return {', '.join(common.BLOCK_NAMES[b] for b in plan.blocks())}"]
    return ["    " + s for s in lines]


def _assigned(plan: Plan, block: str, module: str, printer: Any) -> list[str]:
    """NumPy: a preallocated array, entry by entry (assignment broadcasts constants too)."""
    array, size, entries, guards = common.written(plan, block, printer, 0)
    lines = [f"{array} = numpy.zeros(shape + {size})"]
    lines += [f"{array}[..., {index}] = {value}" for index, value in entries]
    for condition, rows, rest in guards:
        lines.append(f"bad = {condition}")
        places = [(f"{r}, :", "numpy.expand_dims(bad, -1)") for r in rows]
        places += [(index, "bad") for index in rest]
        for index, where in places:
            lines.append(
                f"{array}[..., {index}] = numpy.where({where}, numpy.nan, {array}[..., {index}])"
            )
    return lines


def _listed(plan: Plan, block: str, module: str, printer: Any) -> list[str]:
    """JAX: a list of entries, then one stack (a `.at[].set` per entry compiled 20× slower)."""
    array, size = common.BLOCK_NAMES[block], common.shape_of(plan, block)
    lines = [f"{array} = [0.0] * {math.prod(size)}"]
    for o in common.nonzero_outputs(plan, block):
        lines.append(f"{array}[{o.slot}] = {printer.doprint(o.expr)}")
    for condition, slots in common.guards_of(plan, block):
        lines.append(f"bad = {printer.doprint(condition)}")
        rows, rest = common.whole_rows(plan, block, slots)
        for r in rows:
            lines.append(f"for k in range({r * plan.n}, {(r + 1) * plan.n}):")
            lines.append(f"    {array}[k] = {module}.where(bad, {module}.nan, {array}[k])")
        for k in rest:
            lines.append(f"{array}[{k}] = {module}.where(bad, {module}.nan, {array}[{k}])")
    if not math.prod(size):  # nothing stored: jax.numpy.stack([]) fails
        return [f"{array} = {module}.zeros(shape + {size})"]
    entry = f"{module}.broadcast_to({module}.asarray(v, dtype=float), shape)"
    stacked = f"{module}.stack([{entry} for v in {array}], axis=-1)"
    lines.append(
        f"{array} = {stacked}" if len(size) == 1 else f"{array} = {stacked}.reshape(shape + {size})"
    )
    return lines


def _finite_pass(plan: Plan, block: str, module: str) -> list[str]:
    """J: every non-finite entry is NaN. F: NaN stays NaN; ±inf is NaN at finite inputs."""
    array = common.BLOCK_NAMES[block]
    if block == "jacobian":
        return [f"{array} = {module}.where({module}.isfinite({array}), {array}, {module}.nan)"]
    finite = f"{module}.expand_dims(finite, -1)"
    return [f"{array} = {module}.where({module}.isinf({array}) & {finite}, {module}.nan, {array})"]
