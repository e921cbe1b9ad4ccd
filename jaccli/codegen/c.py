"""C99: a function writing J (or F) into an array, compiled with `-lm` and nothing else.

SymPy's C99 printer, with the seven fixes measured in the design notes: no M_PI (POSIX, not
C99: constants are literals), declare only the inputs the code reads (`-Werror` on unused
variables), `(void)x;` when it reads none, one name map for declarations and expressions
(`int`, `double` as variable names), DiracDelta as NaN at 0, sign as a double, and the
principal cube root (C's cbrt(-8) is -2; jac's is undefined). Powers stay `pow` (gcc turns
pow(u, 2.0) into u*u itself; x*x*x is not correctly rounded, and `t1/t2*t2` was a bug).
Output: `gcc -std=c99 -Wall -Wextra -Werror -pedantic -O2 -c` compiles it clean.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from jaccli.codegen.common import finite_flag

if TYPE_CHECKING:
    from jaccli.codegen.plan import Guard, Plan

_C99_WORDS = (
    "auto break case char const continue default do double else enum extern float for goto if "
    "inline int long register restrict return short signed sizeof static struct switch typedef "
    "union unsigned void volatile while _Bool _Complex _Imaginary"
)
# The names the generated code itself uses: its arrays, loop variables, math.h's functions and
# macros (a local named pow would hide the function).
_OWN = (
    "x p out k bad finite main NAN INFINITY HUGE_VAL isfinite isnan isinf nearbyint pow sqrt cbrt "
    "fabs exp log log10 sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh erf"
)
RESERVED = frozenset((_C99_WORDS + " " + _OWN).split())

# cot, sec, ... have no C function: jac's definition, as the catalogue's NumPy forms say.
_RECIPROCALS = {
    "cot": "1.0/tan",
    "sec": "1.0/cos",
    "csc": "1.0/sin",
    "coth": "1.0/tanh",
    "sech": "1.0/cosh",
    "csch": "1.0/sinh",
}
_OF_RECIPROCAL = {"acot": "atan", "asec": "acos", "acsc": "asin", "acoth": "atanh"}


def literal(value: Any) -> str:
    """A double literal: 2.0, 0.5, 1e+40 (never an int, so that no int/int division occurs)."""
    text = repr(float(value))
    if text in ("inf", "-inf", "nan"):
        return {"inf": "HUGE_VAL", "-inf": "(-HUGE_VAL)", "nan": "NAN"}[text]
    return text


def printer(names: dict[str, str]) -> Any:
    """A JacC99Printer printing each symbol by `names` (jac's name → C identifier)."""
    from sympy.printing.c import C99CodePrinter

    from jaccli.codegen.common import double, small
    from jaccli.functions import CATALOGUE

    known = {f.name: f.c for f in CATALOGUE.values() if f.c is not None and f.name != "abs"}

    class JacC99Printer(C99CodePrinter):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__({"math_macros": {}, "strict": True, "user_functions": known})

        def _print_Symbol(self, s: Any) -> str:
            return names[s.name]

        def _print_NumberSymbol(self, e: Any) -> str:
            return literal(e.evalf(17))

        _print_Pi = _print_Exp1 = _print_EulerGamma = _print_NumberSymbol
        _print_GoldenRatio = _print_Catalan = _print_NumberSymbol

        def _print_Integer(self, e: Any) -> str:
            return literal(double(e))

        _print_Zero = _print_One = _print_NegativeOne = _print_Integer

        def _print_Rational(self, e: Any) -> str:
            return f"{literal(e.p)}/{literal(e.q)}" if small(e) else literal(double(e))

        def _print_Infinity(self, e: Any) -> str:
            return literal(math.inf)

        def _print_NegativeInfinity(self, e: Any) -> str:
            return literal(-math.inf)

        def _print_NaN(self, e: Any) -> str:
            return literal(math.nan)

        def _print_Pow(self, e: Any) -> str:
            import sympy

            base, exponent = e.args
            if exponent == sympy.Rational(1, 3):  # principal root: NaN below 0, as jac
                return f"pow({self._print(base)}, 1.0/3.0)"
            text: str = super()._print_Pow(e)
            return text

        def _print_ImaginaryUnit(self, e: Any) -> str:
            return "NAN"  # a complex value is undefined in jac (log(-2) = log 2 + iπ)

        def _print_DiracDelta(self, e: Any) -> str:
            return f"(({self._print(e.args[0])}) == 0.0 ? NAN : 0.0)"

        def _print_sign(self, e: Any) -> str:
            u = self._print(e.args[0])
            return f"(double)((({u}) > 0.0) - (({u}) < 0.0))"

        def _print_Function(self, e: Any) -> str:
            name = type(e).__name__
            if name in _RECIPROCALS:
                return f"({_RECIPROCALS[name]}({self._print(e.args[0])}))"
            if name in _OF_RECIPROCAL:
                return f"{_OF_RECIPROCAL[name]}(1.0/({self._print(e.args[0])}))"
            text: str = super()._print_Function(e)
            return text

        def _print_And(self, e: Any) -> str:
            return " && ".join(f"({self._print(a)})" for a in e.args)

        def _print_Or(self, e: Any) -> str:
            return " || ".join(f"({self._print(a)})" for a in e.args)

        def _print_NotFinite(self, e: Any) -> str:  # `finite`: every input finite
            u = self._print(e.args[0])
            return f"(isnan({u}) || (isinf({u}) && finite))"

        def _print_IsNaN(self, e: Any) -> str:
            return f"isnan({self._print(e.args[0])})"

        def _print_NotInteger(self, e: Any) -> str:
            u = self._print(e.args[0])
            return f"(({u}) != nearbyint({u}))"

    return JacC99Printer()


def emit(plan: Plan) -> str:
    """The C file: the header as a comment, #defines, sparse index arrays, the function(s)."""
    own = _names(plan)
    names = plan.identifiers(RESERVED | own)
    print_ = printer(names).doprint
    upper = plan.name
    lines = ["/*", *(f" * {line}".rstrip() for line in plan.header), " */", "#include <math.h>", ""]
    lines += [f"#define {upper}_M {plan.m}", f"#define {upper}_N {plan.n}"]
    parameters = sum(1 for i in plan.inputs if i.array == "p")
    if parameters:
        lines.append(f"#define {upper}_P {parameters}")
    if plan.what != "value":
        lines.append(f"#define {upper}_NNZ {plan.slots('jacobian')}")
    if plan.layout == "sparse" and plan.what != "value":
        cells = plan.cells()
        lines += [
            "",
            f"const int {plan.name}_rows[{upper}_NNZ] = {{{', '.join(str(i) for i, _ in cells)}}};",
            f"const int {plan.name}_cols[{upper}_NNZ] = {{{', '.join(str(j) for _, j in cells)}}};",
        ]
    for block in plan.blocks():
        name = plan.name if plan.what != "both" else f"{plan.name}_{block}"
        lines += ["", *_function(plan, block, name, names, print_)]
    return "\n".join(lines) + "\n"


def _names(plan: Plan) -> set[str]:
    """Identifiers the file defines besides locals: the function(s), macros, index arrays."""
    base = plan.name
    return {
        base,
        f"{base}_value",
        f"{base}_jacobian",
        f"{base}_M",
        f"{base}_N",
        f"{base}_P",
        f"{base}_NNZ",
        f"{base}_rows",
        f"{base}_cols",
    }


def _function(plan: Plan, block: str, name: str, names: dict[str, str], print_: Any) -> list[str]:
    outputs = [o for o in plan.outputs if o.block == block]
    guards = [g for g in plan.guards if g.block == block]
    exprs = [o.expr for o in outputs] + [g.condition for g in guards]
    temps = _needed(plan.temps, exprs)
    used = set().union(*(e.free_symbols for e in exprs), *(e.free_symbols for _, e in temps))
    used_names = {s.name for s in used}
    has_p = any(i.array == "p" for i in plan.inputs)
    signature = "const double *restrict x"
    if has_p:
        signature += ", const double *restrict p"
    body = []
    read = {"x": False, "p": False}
    for i in plan.inputs:
        if i.name in used_names:
            body.append(f"const double {names[i.name]} = {i.array}[{i.index}];")
            read[i.array] = True
    if finite_flag(plan, (block,)):
        body += _finite_lines(plan, has_p)
        read["x"] = True
        read["p"] = read["p"] or has_p
    body += [f"const double {names[t.name]} = {print_(e)};" for t, e in temps]
    body += [f"out[{o.slot}] = {print_(o.expr)};" for o in outputs]
    body += _guard_lines([g for g in guards if not g.lazy], print_)
    size = len(outputs)
    lazy = _guard_lines([g for g in guards if g.lazy], print_)
    if block == "jacobian" and lazy:  # NaN inputs: only where some entry is not finite
        body += [
            "int bad = 0;",
            f"for (int k = 0; k < {size}; k++) if (!isfinite(out[k])) {{ out[k] = NAN; bad = 1; }}",
            "if (bad) {",
            *(f"    {line}" for line in lazy[1:]),
            "}",
        ]
    elif block == "jacobian":
        body.append(f"for (int k = 0; k < {size}; k++) if (!isfinite(out[k])) out[k] = NAN;")
    else:  # F: NaN stays NaN; ±inf becomes NaN where every input is finite (jac eval's rule)
        body.append(f"for (int k = 0; k < {size}; k++) if (finite && isinf(out[k])) out[k] = NAN;")
    voids = [f"(void){a};" for a in ("x", "p") if not read[a] and (a == "x" or has_p)]
    head = f"void {name}({signature}, double *restrict out)"
    comment = f"/* {'F' if block == 'value' else 'J'} at x{', p' if has_p else ''}: out[{size}] */"
    return [comment, head, "{", *(f"    {line}" for line in voids + body), "}"]


def _guard_lines(guards: Sequence[Guard], print_: Any) -> list[str]:
    """Where jac eval says undefined, NaN (the conditions read inputs and temps only)."""
    lines = []
    if guards:
        lines.append("/* undefined entries are NaN, as jac eval reports them */")
    for g in guards:
        nan = " ".join(f"out[{k}] = NAN;" for k in g.slots)
        lines.append(f"if ({print_(g.condition)}) {{ {nan} }}")
    return lines


def _finite_lines(plan: Plan, has_p: bool) -> list[str]:
    """`finite`: every input is finite (F's last pass and the guards NotFinite read it)."""
    lines = [
        "int finite = 1;",
        f"for (int k = 0; k < {plan.n}; k++) finite = finite && isfinite(x[k]);",
    ]
    if has_p:
        count = sum(1 for i in plan.inputs if i.array == "p")
        lines.append(f"for (int k = 0; k < {count}; k++) finite = finite && isfinite(p[k]);")
    return lines


def _needed(temps: Sequence[tuple[Any, Any]], exprs: Iterable[Any]) -> list[tuple[Any, Any]]:
    """The temps these expressions read, directly or through other temps, in order."""
    wanted = set().union(*(e.free_symbols for e in exprs))
    for symbol, expr in reversed(temps):
        if symbol in wanted:
            wanted |= expr.free_symbols
    return [(s, e) for s, e in temps if s in wanted]
