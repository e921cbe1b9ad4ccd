"""LaTeX for documents: amsmath matrices inside display math, ready to paste or append.

The printer works directly on SymEngine's trees and remembers what it has printed:
Jacobians repeat the same subexpressions (an arm's partial sums appear in every
entry), so each is written once. Conventions follow SymPy's LaTeX printer:
`w11` → `w_{11}`, `lambda` → `\\lambda`, `sin(x)**2` → `\\sin^{2}{\\left(x \\right)}`;
Unicode Greek names (θ) become their macros so that pdflatex compiles them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import singledispatch
from typing import Any

from jaccli.engine import (
    DeterminantResult,
    EvaluationResult,
    JacobianResult,
    LinearizationResult,
    Point,
    Sparse,
)
from jaccli.numbers import round_decimal
from jaccli.render import LatexEnv, LatexStyle, RenderOptions

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi",
    "Psi", "Omega", "varepsilon", "vartheta", "varphi", "varrho", "varsigma",
}  # fmt: skip
# Functions printed as \name{\left(x \right)}, and those SymPy prints as \operatorname{name}.
_NAMED = {"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "log"}
_OPERATOR = {"asin", "acos", "atan", "acot", "asec", "acsc", "asinh", "acosh", "atanh", "sign"}
_NAME = re.compile(r"^([^\W\d_]+?)_?([0-9]+)$")


def _greek_char(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for prefix, case in (("GREEK SMALL LETTER ", str.lower), ("GREEK CAPITAL LETTER ", str.title)):
        if name.startswith(prefix) and " " not in name[len(prefix) :]:
            return "\\" + case(name[len(prefix) :])
    return None


def _word(word: str) -> str:
    if word in GREEK:
        return "\\" + word
    if word.isascii():
        return word
    out = []
    for ch in word:
        macro = None if ch.isascii() else _greek_char(ch)
        out.append(macro + " " if macro else ch)
    return "".join(out).strip()


def symbol_name(name: str) -> str:
    """`w11` → `w_{11}`, `k_1` → `k_{1}`, `theta2` → `\\theta_{2}`, `θ` → `\\theta`."""
    m = _NAME.match(name)
    if m:
        return f"{_word(m.group(1))}_{{{m.group(2)}}}"
    if "_" in name:
        base, _, sub = name.partition("_")
        return f"{_word(base)}_{{{_word(sub)}}}"
    return _word(name)


class LatexPrinter:
    """SymEngine expression → LaTeX, memoized per subexpression."""

    def __init__(self, digits: int | None = None) -> None:
        import symengine

        self.se = symengine
        self.digits = digits
        self.memo: dict[Any, str] = {}

    def __call__(self, expr: Any) -> str:
        out = self.memo.get(expr)
        if out is None:
            out = self.memo[expr] = self._print(expr)
        return out

    # numbers ----------------------------------------------------------------
    def _negative(self, expr: Any) -> bool:
        if expr.is_Number:
            return bool(expr.is_real and expr.is_negative)
        if expr.is_Mul:
            first = expr.args[0]
            return bool(first.is_Number and first.is_real and first.is_negative)
        return False

    def _float(self, expr: Any) -> str:
        text = str(expr)
        if self.digits is not None:
            text = round_decimal(text, self.digits)
        mantissa, _, exponent = text.partition("e")
        return f"{mantissa} \\cdot 10^{{{int(exponent)}}}" if exponent else mantissa

    def _number(self, expr: Any) -> str:
        kind = type(expr).__name__
        if expr.is_Integer:
            return str(expr)
        if expr.is_Rational:
            p, q = expr.get_num_den()
            sign = "-" if p < 0 else ""
            return f"{sign}\\frac{{{abs(int(p))}}}{{{q}}}"
        if kind in ("ComplexInfinity",):
            return "\\tilde{\\infty}"
        if kind in ("Infinity",):
            return "\\infty"
        if kind == "NegativeInfinity":
            return "-\\infty"
        if kind == "NaN":
            return "\\text{NaN}"
        if kind == "ImaginaryUnit":
            return "i"
        if not expr.is_real:
            re_, im = expr.as_real_imag()
            imag = "i" if im == 1 else ("-i" if im == -1 else f"{self(im)} i")
            if re_ == 0:
                return imag
            return f"{self(re_)} - {imag[1:]}" if imag.startswith("-") else f"{self(re_)} + {imag}"
        return self._float(expr)

    # structure --------------------------------------------------------------
    def _print(self, expr: Any) -> str:
        if expr.is_Symbol:
            return symbol_name(expr.name)
        kind = type(expr).__name__
        if kind == "Exp1":
            return "e"
        if kind == "Pi":
            return "\\pi"
        if expr.is_Number or kind in ("ImaginaryUnit", "NaN", "ComplexInfinity"):
            return self._number(expr)
        if expr.is_Add:
            return self._add(expr)
        if expr.is_Mul:
            return self._mul(expr)
        if expr.is_Pow:
            return self._pow(expr)
        if expr.is_Function:
            return self._function(expr)
        return f"\\text{{{expr}}}"

    def _add(self, expr: Any) -> str:
        out = ""
        terms = sorted(expr.args, key=lambda t: bool(t.is_Number))  # constants last, stably
        for i, term in enumerate(terms):
            if self._negative(term):
                text = self(-term)
                out += f"-{text}" if i == 0 else f" - {text}"
            else:
                out += text if i == 0 and (text := self(term)) else f" + {self(term)}"
        return out

    def _factor(self, expr: Any) -> str:
        text = self(expr)
        if expr.is_Add or (expr.is_Number and not expr.is_Integer and not expr.is_real):
            return f"\\left({text}\\right)"
        return text

    def _mul(self, expr: Any) -> str:
        coefficient = self.se.Integer(1)
        top: list[Any] = []
        bottom: list[Any] = []
        for f in expr.args:
            if f.is_Number and f.is_real:
                coefficient *= f
            elif f.is_Pow and f.args[1].is_Number and f.args[1].is_negative:
                bottom.append(f.args[0] ** -f.args[1])
            else:
                top.append(f)
        sign = ""
        if coefficient.is_negative:
            sign, coefficient = "-", -coefficient
        if coefficient.is_Rational and not coefficient.is_Integer:
            p, q = coefficient.get_num_den()
            coefficient = self.se.Integer(p)
            bottom.insert(0, self.se.Integer(q))
        numbers = [] if coefficient == 1 else [self._number(coefficient)]
        numerator = " ".join(numbers + [self._factor(f) for f in top]) or "1"
        if not bottom:
            return sign + numerator
        denominator = " ".join(self._factor(f) for f in bottom)
        return f"{sign}\\frac{{{numerator}}}{{{denominator}}}"

    def _pow(self, expr: Any) -> str:
        base, exp = expr.args
        if type(base).__name__ == "Exp1":
            return f"e^{{{self(exp)}}}"
        if exp.is_Number and exp.is_negative:
            return f"\\frac{{1}}{{{self(base**-exp)}}}"
        if exp.is_Rational and not exp.is_Integer:
            p, q = exp.get_num_den()
            if p == 1:
                root = "\\sqrt" if q == 2 else f"\\sqrt[{q}]"
                return f"{root}{{{self(base)}}}"
        power = self(exp)
        if base.is_Function and type(base).__name__ in _NAMED and exp.is_Integer:
            name, args = self._function_parts(base)
            return f"{name}^{{{power}}}{{\\left({args} \\right)}}"
        text = self(base)
        compound = base.is_Add or base.is_Mul or base.is_Pow or base.is_Function
        if compound or (base.is_Number and (not base.is_Integer or base.is_negative)):
            text = f"\\left({text}\\right)"
        return f"{text}^{{{power}}}"

    def _function_parts(self, expr: Any) -> tuple[str, str]:
        kind = type(expr).__name__
        args = ", ".join(self(a) for a in expr.args)
        if kind in _NAMED:
            return f"\\{kind}", args
        if kind in _OPERATOR:
            return f"\\operatorname{{{kind}}}", args
        if kind == "atan2":
            return "\\operatorname{atan_{2}}", args
        name = expr.get_name() if hasattr(expr, "get_name") else kind
        if name == "DiracDelta":
            return "\\delta", args
        return f"\\operatorname{{{symbol_name(name)}}}", args

    def _function(self, expr: Any) -> str:
        if type(expr).__name__ == "Abs":
            return f"\\left|{self(expr.args[0])}\\right|"
        name, args = self._function_parts(expr)
        return f"{name}{{\\left({args} \\right)}}"


def tex(expr: Any, digits: int | None = None) -> str:
    return LatexPrinter(digits)(expr)


# --------------------------------------------------------------------------- documents

AMSMATH_MAX_COLUMNS = 10  # amsmath's default MaxMatrixCols

# The delimiters of each amsmath matrix environment, for the same matrix as an array.
_DELIMITERS = {
    LatexEnv.bmatrix: ("[", "]"),
    LatexEnv.pmatrix: ("(", ")"),
    LatexEnv.vmatrix: ("|", "|"),
    LatexEnv.Bmatrix: ("\\{", "\\}"),
    LatexEnv.Vmatrix: ("\\|", "\\|"),
    LatexEnv.matrix: (".", "."),
    LatexEnv.array: ("[", "]"),
}


def _matrix(rows: Sequence[Sequence[str]], env: LatexEnv) -> str:
    body = " \\\\\n".join(" & ".join(row) for row in rows)
    columns = max((len(r) for r in rows), default=1)
    if env is LatexEnv.array or columns > AMSMATH_MAX_COLUMNS:
        # amsmath refuses more than MaxMatrixCols columns ("Extra alignment tab"), and
        # KaTeX has no \setcounter to raise it: an array with the same delimiters works
        # in both, with or without amsmath.
        left, right = _DELIMITERS[env]
        return (
            f"\\left{left}\\begin{{array}}{{{'c' * columns}}}\n{body}\n\\end{{array}}\\right{right}"
        )
    return f"\\begin{{{env.value}}}\n{body}\n\\end{{{env.value}}}"


def _sparse_rows(sparse: Sparse, printer: LatexPrinter) -> list[list[str]]:
    return list(sparse.filled(printer, "0"))


def _at(point: Point, printer: LatexPrinter) -> str:
    return "\\Big|_{" + ",\\, ".join(f"{printer(s)} = {printer(v)}" for s, v in point) + "}"


STANDALONE = """\\documentclass{{article}}
\\usepackage{{amsmath}}
\\begin{{document}}
{math}
\\end{{document}}
"""


def _math(body: str, options: RenderOptions) -> str:
    """The body as display math, inline math or bare; in a whole document if asked."""
    style = options.latex_style
    if options.standalone and style is LatexStyle.bare:
        style = LatexStyle.display  # bare math cannot stand in a document's text
    if style is LatexStyle.display:
        math = f"\\[\n{body}\n\\]"
    elif style is LatexStyle.inline:
        math = "$" + " ".join(line.strip() for line in body.splitlines()) + "$"
    else:
        math = body
    return STANDALONE.format(math=math) if options.standalone else math


@singledispatch
def render(result: Any, options: RenderOptions) -> str:
    raise TypeError(f"no LaTeX renderer for {type(result).__name__}")


@render.register
def _jacobian(result: JacobianResult, options: RenderOptions) -> str:
    env = options.latex_env
    rows = _sparse_rows(result.sparse, LatexPrinter(result.digits))
    return _math("J = " + _matrix(rows, env), options)


@render.register
def _determinant(result: DeterminantResult, options: RenderOptions) -> str:
    printer = LatexPrinter(result.digits)
    at = "" if result.point is None else _at(result.point, printer)
    return _math(f"\\det J{at} = {printer(result.determinant)}", options)


@render.register
def _evaluation(result: EvaluationResult, options: RenderOptions) -> str:
    env = options.latex_env
    printer = LatexPrinter(result.digits)
    rows = _sparse_rows(result.sparse, printer)
    at = _at(result.point, LatexPrinter())
    return _math(f"J{at} = " + _matrix(rows, env), options)


@render.register
def _linearization(result: LinearizationResult, options: RenderOptions) -> str:
    env = options.latex_env
    printer = LatexPrinter(result.digits)
    at = dict(result.point)
    args = ", ".join(printer(v) for v in result.variables)
    value = _matrix([[printer(v)] for v in result.value], env)
    jac = _matrix(_sparse_rows(result.sparse, printer), env)
    shift = _matrix([[LatexPrinter()(v - at[v])] for v in result.variables], env)
    lin = _matrix([[printer(e)] for e in result.linearization], env)
    body = f"L({args}) = {value} + {jac} {shift}\n= {lin}"
    return _math(body, options)
