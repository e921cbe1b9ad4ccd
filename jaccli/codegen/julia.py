"""`jac codegen --lang julia`: a plain Julia function of numbers returning Matrix{Float64}.

Julia throws a DomainError where jac says "undefined": sqrt(-1.0), log(-1.0),
(-8.0)^(1/3), asin(2.0), even sin(Inf). The generated file defines small helpers that
return NaN there instead (`_jac_sqrt`, `_jac_pow`, ...: NaNMath.jl does the same, but
would be a dependency); Julia's own cbrt is the real cube root, so jac's principal root
is `_jac_pow(u, 1/3)`. erf lives in the SpecialFunctions package, imported only when F
uses it. The function takes the vectors x and p of the header (as C does, and as NLsolve or
an optimiser passes them) and returns a Matrix{Float64}; `f.(eachrow(X), Ref(p))` maps it
over the rows of a matrix of points.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jaccli.codegen import common

if TYPE_CHECKING:
    from jaccli.codegen.plan import Plan

# Where each function of Julia's Base throws a DomainError instead of returning NaN.
DOMAINS: Mapping[str, str] = {
    "sqrt": "u < 0",
    "log": "u < 0",
    "asin": "abs(u) > 1",
    "acos": "abs(u) > 1",
    "atanh": "abs(u) > 1",
    "acosh": "u < 1",
    "asec": "abs(u) < 1",
    "acsc": "abs(u) < 1",
    "acoth": "abs(u) < 1",
    "sin": "isinf(u)",
    "cos": "isinf(u)",
    "tan": "isinf(u)",
    "sec": "isinf(u)",
    "csc": "isinf(u)",
    "cot": "isinf(u)",
}
_POW = "_jac_pow(b, e) = (b < 0 && e != round(e)) ? NaN : float(b)^e"
_WORDS = (  # Julia's keywords, then the names the generated code calls or defines itself
    "baremodule begin break catch const continue do else elseif end export false finally for "
    "function global if import let local macro module quote return struct true try using while "
    "abstract mutable primitive type where in isa outer "
    "J F finite k pi NaN Inf im nothing missing zeros round float isfinite isinf isnan "
    "eachindex Float64 Real Int Matrix Vector Tuple SpecialFunctions _jac_pow x p all length "
    "throw DimensionMismatch AbstractVector"
)
RESERVED: frozenset[str] = frozenset(
    [*_WORDS.split(), *common.function_names("julia"), *(f"_jac_{f}" for f in DOMAINS)]
)
"""Identifiers the generated Julia uses itself; an input named so is renamed."""


def julia_printer(names: dict[str, str]) -> Any:
    """SymPy's Julia printer with jac's names, NaN-returning helpers and float literals."""
    from sympy import Integer, Rational
    from sympy.printing.julia import JuliaCodePrinter
    from sympy.printing.precedence import precedence

    class JacJuliaPrinter(common.Printing, JuliaCodePrinter):  # type: ignore[misc]
        language = "Julia"

        def _print_Rational(self, e: Any) -> str:  # 2/3 in Float64, not Julia's 2//3
            if not common.small(e):
                return self._print_double(common.double(e))
            return f"{self._print(Integer(e.p))} / {self._print(Integer(e.q))}"

        def _print_Exp1(self, e: Any) -> str:
            return "exp(1.0)"  # Julia's e is ℯ; `e` is no name in Base

        def _print_Pow(self, e: Any) -> str:
            base, exponent = e.args
            if exponent == Rational(1, 2):
                return self._helper("sqrt", base)
            if exponent == Rational(-1, 2):
                return f"1 / {self._helper('sqrt', base)}"
            if exponent.is_Integer:
                power = self.parenthesize(base, precedence(e))
                k = self._print(exponent)
                return (
                    f"1 / {power}" if k == "-1" else f"{power} ^ {k if k[0] != '-' else f'({k})'}"
                )
            self.helpers.add("pow")
            return f"_jac_pow({self._print(base)}, {self._print(exponent)})"

        def _helper(self, function: str, u: Any) -> str:
            if function in DOMAINS and not common.real_at(function, u):
                self.helpers.add(function)
                return f"_jac_{function}({self._print(u)})"
            return f"{function}({self._print(u)})"

        def _print_Function(self, e: Any) -> str:
            name = type(e).__name__
            if name in DOMAINS:
                return self._helper(name, e.args[0])
            return str(super()._print_Function(e))

        def _print_atan2(self, e: Any) -> str:
            return f"atan({self._print(e.args[0])}, {self._print(e.args[1])})"

        def _print_erf(self, e: Any) -> str:
            self.helpers.add("erf")
            return f"SpecialFunctions.erf({self._print(e.args[0])})"

        def _print_DiracDelta(self, e: Any) -> str:
            return f"({self._print(e.args[0])} == 0 ? NaN : 0.0)"

        def _print_And(self, e: Any) -> str:
            return "(" + " && ".join(f"({self._print(a)})" for a in e.args) + ")"

        def _print_Or(self, e: Any) -> str:
            return "(" + " || ".join(f"({self._print(a)})" for a in e.args) + ")"

        def _print_Not(self, e: Any) -> str:
            return f"!({self._print(e.args[0])})"

        def _print_NotFinite(self, e: Any) -> str:  # `finite`: every input finite
            u = self._print(e.args[0])
            return f"(isnan({u}) || (isinf({u}) && finite))"

        def _print_IsNaN(self, e: Any) -> str:
            return f"isnan({self._print(e.args[0])})"

        def _print_NotInteger(self, e: Any) -> str:
            u = self._print(e.args[0])
            return f"({u} != round({u}))"

    return JacJuliaPrinter(names, {"strict": True})


def helper_lines(used: set[str]) -> list[str]:
    """The definitions of the helpers the body calls, in a fixed order."""
    lines = [f"_jac_{f}(u) = {DOMAINS[f]} ? NaN : {f}(u)" for f in DOMAINS if f in used]
    return lines + ([_POW] if "pow" in used else [])


def emit(plan: Plan) -> str:
    """The Julia file for `plan`."""
    names = plan.identifiers(RESERVED | {plan.name})
    printer = julia_printer(names)
    body = _body(plan, printer, names)
    given = common.arrays(plan)
    args = [a for a, _ in given]
    blocks = plan.blocks()
    returns = [_type(plan, b) for b in blocks]
    result = returns[0] if len(returns) == 1 else f"Tuple{{{', '.join(returns)}}}"
    out = common.comment(plan.header, "#")
    out += common.note(_call_lines(plan, ", ".join(args)), "#")
    out.append("")
    if "erf" in printer.helpers:
        out += ["import SpecialFunctions  # erf", ""]
    if "jacobian" in blocks and plan.layout == "sparse":
        rows, cols = zip(*plan.cells(), strict=True) if plan.cells() else ((), ())
        out += [
            f"const {plan.name}_rows = Int[{', '.join(str(r + 1) for r in rows)}]  # from 1",
            f"const {plan.name}_cols = Int[{', '.join(str(c + 1) for c in cols)}]",
            "",
        ]
    helpers = helper_lines(printer.helpers)
    out += [*helpers, ""] if helpers else []
    typed = ", ".join(f"{a}::AbstractVector{{<:Real}}" for a in args)
    out += [f"function {plan.name}({typed})::{result}", *body, "end"]
    return "\n".join(out) + "\n"


def _type(plan: Plan, block: str) -> str:
    return "Matrix{Float64}" if len(common.shape_of(plan, block)) == 2 else "Vector{Float64}"


def _call_lines(plan: Plan, args: str) -> list[str]:
    sizes = {b: "x".join(map(str, common.shape_of(plan, b))) for b in plan.blocks()}
    shapes = [f"{common.BLOCK_NAMES[b]}::{_type(plan, b)} ({sizes[b]})" for b in plan.blocks()]
    given = " and ".join(f"{a} (length {k})" for a, k in common.arrays(plan))
    many = ", Ref(p)" if len(common.arrays(plan)) > 1 else ""
    lines = [
        f"Julia: {plan.name}({args}) takes the vectors {given}, the inputs above, and returns "
        f"{' and '.join(shapes)}; for the rows of a matrix X of points: "
        f"{plan.name}.(eachrow(X){many}).",
        "Julia throws a DomainError where jac says undefined: the _jac_ helpers return NaN.",
    ]
    if plan.layout == "sparse" and "jacobian" in plan.blocks():
        lines.append(
            f"J as a matrix: SparseArrays.sparse({plan.name}_rows, {plan.name}_cols, J, "
            f"{plan.m}, {plan.n})."
        )
    return lines


def _body(plan: Plan, printer: Any, names: dict[str, str]) -> list[str]:
    given = common.arrays(plan)
    right = " && ".join(f"length({a}) == {k}" for a, k in given)
    takes = " and ".join(f"{a}[1:{k}]" for a, k in given)
    lines = [f'{right} || throw(DimensionMismatch("{plan.name} takes {takes}"))']
    lines += [f"{names[i.name]} = Float64({i.array}[{i.index + 1}])" for i in plan.inputs]
    if common.finite_flag(plan, plan.blocks()):
        lines.append("finite = " + " && ".join(f"all(isfinite, {a})" for a, _ in given))
    lines += [f"{names[t.name]} = {printer.doprint(e)}" for t, e in plan.temps]
    results = []
    for block in plan.blocks():
        array, size, entries, guards = common.written(plan, block, printer, 1)
        results.append(array)
        lines.append(f"{array} = zeros(Float64, {', '.join(map(str, size))})")
        lines += [f"{array}[{index}] = {value}" for index, value in entries]
        for condition, rows, rest in guards:
            lines.append(f"if {condition}")
            lines += [f"    {array}[{r}, :] .= NaN" for r in rows]
            lines += [f"    {array}[{index}] = NaN" for index in rest]
            lines.append("end")
        if block == "jacobian":  # every non-finite entry is NaN
            lines.append(
                f"for k in eachindex({array}); isfinite({array}[k]) || ({array}[k] = NaN); end"
            )
        else:  # F: NaN stays NaN; ±inf is NaN where every input is finite
            fix = f"finite && isinf({array}[k]) && ({array}[k] = NaN)"
            lines.append(f"for k in eachindex({array}); {fix}; end")
    lines.append(f"return {', '.join(results)}")
    return ["    " + s for s in lines]
