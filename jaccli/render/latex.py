"""LaTeX for documents: amsmath matrices inside display math, ready to paste or append.

Entries come from SymPy's LaTeX printer (`w11` → `w_{11}`, `lambda` → `\\lambda`);
Unicode Greek names (θ) become their macros so that pdflatex compiles them.
"""

from __future__ import annotations

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
)
from jaccli.render import LatexEnv, RenderOptions


def _greek(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for prefix, case in (("GREEK SMALL LETTER ", str.lower), ("GREEK CAPITAL LETTER ", str.title)):
        if name.startswith(prefix) and " " not in name[len(prefix) :]:
            return "\\" + case(name[len(prefix) :])
    return None


def _symbol_name(name: str) -> str | None:
    """A LaTeX spelling for names with non-ASCII letters, or None to let SymPy decide."""
    if name.isascii():
        return None
    out = []
    for ch in name:
        macro = None if ch.isascii() else _greek(ch)
        out.append(macro + " " if macro else ch)
    return "".join(out).strip()


def tex(expr: Any) -> str:
    from sympy import latex

    names = {}
    for s in getattr(expr, "free_symbols", ()):
        spelled = _symbol_name(s.name)
        if spelled is not None:
            names[s] = spelled
    return str(latex(expr, symbol_names=names))


def _matrix(rows: Sequence[Sequence[str]], env: LatexEnv) -> str:
    body = " \\\\\n".join(" & ".join(row) for row in rows)
    if env is LatexEnv.array:
        cols = "c" * max((len(r) for r in rows), default=1)
        return f"\\left[\\begin{{array}}{{{cols}}}\n{body}\n\\end{{array}}\\right]"
    return f"\\begin{{{env.value}}}\n{body}\n\\end{{{env.value}}}"


def _at(point: Point) -> str:
    return "\\Big|_{" + ",\\, ".join(f"{tex(s)} = {tex(v)}" for s, v in point) + "}"


AMSMATH_MAX_COLUMNS = 10  # amsmath's default MaxMatrixCols


def _display(body: str, columns: int = 1, env: LatexEnv = LatexEnv.bmatrix) -> str:
    # amsmath refuses matrices wider than MaxMatrixCols ("Extra alignment tab"); raise it.
    if columns > AMSMATH_MAX_COLUMNS and env is not LatexEnv.array:
        body = f"\\setcounter{{MaxMatrixCols}}{{{columns}}}\n{body}"
    return f"\\[\n{body}\n\\]"


@singledispatch
def render(result: Any, options: RenderOptions) -> str:
    raise TypeError(f"no LaTeX renderer for {type(result).__name__}")


@render.register
def _jacobian(result: JacobianResult, options: RenderOptions) -> str:
    rows = [[tex(e) for e in row] for row in result.matrix]
    env = options.latex_env
    return _display("J = " + _matrix(rows, env), len(result.variables), env)


@render.register
def _determinant(result: DeterminantResult, options: RenderOptions) -> str:
    at = "" if result.point is None else _at(result.point)
    return _display(f"\\det J{at} = {tex(result.determinant)}")


@render.register
def _evaluation(result: EvaluationResult, options: RenderOptions) -> str:
    rows = [[tex(e) for e in row] for row in result.matrix]
    env = options.latex_env
    return _display(f"J{_at(result.point)} = " + _matrix(rows, env), len(result.variables), env)


@render.register
def _linearization(result: LinearizationResult, options: RenderOptions) -> str:
    env = options.latex_env
    at = dict(result.point)
    args = ", ".join(tex(v) for v in result.variables)
    value = _matrix([[tex(v)] for v in result.value], env)
    jac = _matrix([[tex(e) for e in row] for row in result.matrix], env)
    shift = _matrix([[tex(v - at[v])] for v in result.variables], env)
    lin = _matrix([[tex(e)] for e in result.linearization], env)
    return _display(f"L({args}) = {value} + {jac} {shift}\n= {lin}", len(result.variables), env)
