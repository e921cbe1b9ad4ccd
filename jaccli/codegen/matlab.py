"""`jac codegen --lang matlab`: a MATLAB function file, which Octave runs too.

Measured in Octave (design15_codegen.md §1.3): `(-8).^(2/3)`, `log(-1)`, `sqrt(-1)` are
complex, silently, and a complex entry makes the whole J complex. jac calls a complex value
undefined, so every function that can leave the reals (sqrt, log, fractional powers, asin,
acos, acosh, atanh, asec, acsc, acoth) goes through a local `jac_real`, NaN where the value
is complex: complex intermediates never reach a guard or cancel back to a real number
(sqrt(x)*sqrt(y) at x, y < 0 is -1, not undefined). The final `J(imag(J) ~= 0) = NaN;
J = real(J);` stays as the last word on it. The function takes x and p of the header (as
C does), N points as the N rows (element-wise operators), and returns J as N×m×n and F as
N×m; for one point (any vector) J is m×n and F m×1, as fsolve and lsqnonlin expect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jaccli.codegen import common

if TYPE_CHECKING:
    from jaccli.codegen.plan import Plan

# Functions that can leave the reals in MATLAB: their value goes through jac_real.
COMPLEX = frozenset(("sqrt", "log", "asin", "acos", "acosh", "atanh", "asec", "acsc", "acoth"))
_WORDS = (  # MATLAB's keywords, then the names the generated code calls or defines itself
    "break case catch classdef continue else elseif end for function global if otherwise "
    "parfor persistent return spmd switch try while "
    "J F N bad finite rows cols zeros numel max reshape isfinite isinf isnan imag real round mod "
    "size true false double NaN nan Inf inf pi exp ans i j jac_real jac_pow jac_delta x p "
    "isvector all error"
)
RESERVED: frozenset[str] = frozenset([*_WORDS.split(), *common.function_names("matlab")])
"""Identifiers the generated MATLAB uses itself; an input named so is renamed."""

_HELPERS = {
    "real": [
        "function v = jac_real(v)",
        "  % jac calls a complex value undefined: NaN, where MATLAB would go on in complex",
        "  v(imag(v) ~= 0) = NaN;",
        "  v = real(v);",
        "end",
    ],
    "pow": [
        "function v = jac_pow(b, e)",
        "  % b.^e as jac evaluates it: NaN where b < 0 and e is not whole (MATLAB: complex)",
        "  v = abs(b).^e .* (1 - 2*((b < 0) & (mod(round(e), 2) == 1)));",
        "  bad = (b < 0) & (e ~= round(e));",
        "  v(bad & true(size(v))) = NaN;",
        "end",
    ],
    "delta": [
        "function d = jac_delta(u)",
        "  % DiracDelta(u): 0 wherever it has a value, NaN at u = 0",
        "  d = 0 ./ (u ~= 0);",
        "end",
    ],
}


def octave_printer(names: dict[str, str]) -> Any:
    """SymPy's Octave printer with jac's names, MATLAB's operators and jac_real."""
    from sympy import Integer, Rational
    from sympy.printing.octave import OctaveCodePrinter

    class JacOctavePrinter(common.Printing, OctaveCodePrinter):  # type: ignore[misc]
        language = "MATLAB"

        def _real(self, text: str) -> str:
            self.helpers.add("real")
            return f"jac_real({text})"

        def _print_Pow(self, e: Any) -> str:
            base, exponent = e.args
            if exponent.is_Integer or common.real_at("sqrt", base):
                return str(super()._print_Pow(e))
            if exponent == Rational(1, 2):
                return self._real(f"sqrt({self._print(base)})")
            if exponent == Rational(-1, 2):
                return f"1./{self._real(f'sqrt({self._print(base)})')}"
            # Not b.^e then jac_real: (-8).^1 among complex entries is -8 + 1e-15i there.
            self.helpers.add("pow")
            return f"jac_pow({self._print(base)}, {self._print(exponent)})"

        def _print_Function(self, e: Any) -> str:
            text = str(super()._print_Function(e))
            name = type(e).__name__
            complex_ = name in COMPLEX and not common.real_at(name, e.args[0])
            return self._real(text) if complex_ else text

        def _print_DiracDelta(self, e: Any) -> str:
            self.helpers.add("delta")
            return f"jac_delta({self._print(e.args[0])})"

        def _print_Relational(self, e: Any) -> str:
            op = "~=" if e.rel_op == "!=" else e.rel_op
            return f"({self._print(e.lhs)} {op} {self._print(e.rhs)})"

        def _print_And(self, e: Any) -> str:
            return "(" + " & ".join(self._print(a) for a in e.args) + ")"

        def _print_Or(self, e: Any) -> str:
            return "(" + " | ".join(self._print(a) for a in e.args) + ")"

        def _print_Not(self, e: Any) -> str:
            return f"~{self._print(e.args[0])}"

        def _print_BooleanTrue(self, e: Any) -> str:
            return "true"

        def _print_BooleanFalse(self, e: Any) -> str:
            return "false"

        def _print_NotFinite(self, e: Any) -> str:  # `finite`: every input finite
            u = self._print(e.args[0])
            return f"(isnan({u}) | (isinf({u}) & finite))"

        def _print_IsNaN(self, e: Any) -> str:
            return f"isnan({self._print(e.args[0])})"

        def _print_NotInteger(self, e: Any) -> str:
            u = self._print(e.args[0])
            return f"({u} ~= round({u}))"

        def _print_Rational(self, e: Any) -> str:
            if not common.small(e):
                return self._print_double(common.double(e))
            return f"{self._print(Integer(e.p))}/{self._print(Integer(e.q))}"

    return JacOctavePrinter(names, {"strict": True})


def emit(plan: Plan) -> str:
    """The MATLAB function file for `plan` (save it as NAME.m)."""
    names = plan.identifiers(RESERVED | {plan.name})
    printer = octave_printer(names)
    args = [a for a, _ in common.arrays(plan)]
    blocks = plan.blocks()
    sparse = "jacobian" in blocks and plan.layout == "sparse"
    results = [common.BLOCK_NAMES[b] for b in blocks] + (["rows", "cols"] if sparse else [])
    body = _body(plan, printer, names)
    out = common.comment(plan.header, "%")
    out += common.note(_call_lines(plan, ", ".join(args), sparse), "%")
    out.append(f"function [{', '.join(results)}] = {plan.name}({', '.join(args)})")
    if sparse:
        rows, cols = zip(*plan.cells(), strict=True) if plan.cells() else ((), ())
        out += [
            f"  rows = [{'; '.join(str(r + 1) for r in rows)}];  % row of each stored entry",
            f"  cols = [{'; '.join(str(c + 1) for c in cols)}];  % its column",
        ]
    out += [*body, "end"]
    for helper in sorted(printer.helpers):
        out += ["", *_HELPERS[helper]]
    return "\n".join(out) + "\n"


def _call_lines(plan: Plan, args: str, sparse: bool) -> list[str]:
    shapes = []
    for block in plan.blocks():
        size = common.shape_of(plan, block)
        one = "x".join(map(str, size)) if len(size) == 2 else f"{size[0]}x1"
        shapes.append(
            f"{common.BLOCK_NAMES[block]} is Nx{'x'.join(map(str, size))} ({one} for one point)"
        )
    given = " and ".join(f"{a} (N-by-{k})" for a, k in common.arrays(plan))
    lines = [
        f"MATLAB/Octave: save as {plan.name}.m. {plan.name}({args}) takes {given}, one point "
        f"a row with the inputs above (a point alone: any vector); {'; '.join(shapes)}.",
    ]
    if sparse:
        lines.append(
            f"rows, cols are 1-based; one point's J as a matrix: sparse(rows, cols, J, "
            f"{plan.m}, {plan.n})."
        )
    return lines


def _body(plan: Plan, printer: Any, names: dict[str, str]) -> list[str]:
    given = common.arrays(plan)
    lines = []
    for a, k in given:
        lines.append(f"if isvector({a}) && numel({a}) == {k}, {a} = reshape({a}, 1, {k}); end")
        lines.append(f"if size({a}, 2) ~= {k}, error('{plan.name} takes {a} as N-by-{k}'); end")
        lines.append(f"{a} = double({a});")
    lines.append(f"N = max([{', '.join(f'size({a}, 1)' for a, _ in given)}]);")
    lines += [f"{names[i.name]} = {i.array}(:, {i.index + 1});" for i in plan.inputs]
    if common.finite_flag(plan, plan.blocks()):
        finite = " & ".join(f"all(isfinite({a}), 2)" for a, _ in given)
        lines.append(f"finite = {finite} & true(N, 1);")
    lines += [f"{printer.doprint(t)} = {printer.doprint(e)};" for t, e in plan.temps]
    for block in plan.blocks():
        array, size, entries, guards = common.written(plan, block, printer, 1)
        lines.append(f"{array} = zeros(N, {', '.join(map(str, size))});")
        lines += [f"{array}(:, {index}) = {value};" for index, value in entries]
        for condition, rows, rest in guards:
            lines.append(f"bad = {condition} & true(N, 1);")
            lines += [f"{array}(bad, {r}, :) = NaN;" for r in rows]
            lines += [f"{array}(bad, {index}) = NaN;" for index in rest]
        lines.append(f"{array}(imag({array}) ~= 0) = NaN;")
        lines.append(f"{array} = real({array});")
        if block == "jacobian":
            lines.append(f"{array}(~isfinite({array})) = NaN;")
        else:  # F: NaN stays NaN; ±inf is NaN where every input is finite
            lines.append(f"{array}(isinf({array}) & finite) = NaN;")
        one = ", ".join(map(str, size)) if len(size) == 2 else f"{size[0]}, 1"
        lines.append(f"if N == 1, {array} = reshape({array}, {one}); end")
    return ["  " + s for s in lines]
