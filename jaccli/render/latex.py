"""LaTeX for documents: each result as amsmath matrices inside display math, ready to paste.

How a single expression is written is jaccli.render.latex_printer's business; this module
lays out the results: `J = ...`, `\\det J = ...`, points as `\\Big|_{x = a}`, and whole
documents with --standalone.

A matrix asked for with --sparse, or of more than SPY_LATEX_MAX columns and mostly zeros,
is its non-zero entries instead, `J_{i,j} &= entry` a line in one `aligned` environment
under a comment `% J is 2000x2000 with 5,998 non-zero entries`: no TeX sets an array of
2,000 columns, and building one costs m·n.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import singledispatch
from typing import Any

from jaccli.engine import (
    Cell,
    DeterminantResult,
    EvaluationResult,
    JacobianResult,
    LinearizationResult,
    Listing,
    MatricesResult,
    Part,
    Point,
    Sparse,
)
from jaccli.render import LatexEnv, LatexStyle, RenderOptions, forms
from jaccli.render.latex_printer import (
    LatexPrinter,
    Notation,
    free_names,
    notation,
    pi_constant,
    tex,
)
from jaccli.render.sparse import entries, listed, nnz, summary
from jaccli.render.vector_latex import derivative_latex, form_latex

__all__ = ["STANDALONE", "notation_of", "render", "tex"]

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


SPY_LATEX_MAX = 30  # rows and columns up to which a mostly-zero matrix (or a pattern) is drawn


def _by_entry(sparse: Sparse, options: RenderOptions) -> bool:
    """Whether a matrix is written as its non-zero entries (see the module's docstring)."""
    return listed(sparse, options.sparse, columns=SPY_LATEX_MAX)


def _entries(symbol: str, sparse: Sparse, printer: LatexPrinter, at: str = "") -> str:
    """`J_{1,2} &= x` a line for each non-zero entry, in one aligned environment; `at`, the
    point, is its first line. All zeros: `J = 0`."""
    lines = [f"\\text{{at }} {at}"] if at else []
    if not symbol.isalpha():  # H_{f_{1}}, \nabla f: indexed in parentheses
        symbol = f"\\left({symbol}\\right)"
    lines += [f"{symbol}_{{{i},{j}}} &= {text}" for i, j, text in entries(sparse, printer)]
    if len(lines) == bool(at):
        lines.append(f"{symbol} &= 0")
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def _count(symbol: str, sparse: Sparse) -> str:
    """The comment above a matrix written by entry: `J is 2000x2000 with 5,998 non-zero ...`."""
    m, n = sparse.shape
    others = "; the others are 0" if 0 < nnz(sparse) < m * n else ""
    return summary(symbol, sparse).replace("×", "x") + others


def _at(point: Point, printer: LatexPrinter) -> str:
    return "\\Big|_{" + _point(point, printer) + "}"


def _point(point: Point, printer: LatexPrinter) -> str:
    return ",\\, ".join(f"{printer(s)} = {printer(v)}" for s, v in point)


def _outputs(result: Any) -> Iterable[Any]:
    """Every expression a result prints, for the rare question whether π is among them."""
    yield from result.functions
    for _, value in getattr(result, "point", None) or ():
        yield value
    if isinstance(result, DeterminantResult):
        yield result.determinant
        yield from (e for e in (result.log_abs, result.sign) if e is not None)
    elif isinstance(result, MatricesResult):
        for part in result.parts:
            for row in part.sparse.rows:
                yield from (e for _, e in row)
        for _, values in result.given:
            yield from values
    else:
        for row in result.sparse.rows:
            for _, e in row:
                yield e
    if isinstance(result, LinearizationResult):
        yield from result.value
        yield from result.linearization


def notation_of(result: Any) -> Notation:
    """One naming for all of a result: an entry must not call x1 what another calls x_1."""
    inputs = [*result.functions, *(value for _, value in getattr(result, "point", None) or ())]
    names = free_names(inputs) | {v.name for v in result.variables}
    pi = pi_constant()
    return notation(names, lambda: any(e.has(pi) for e in _outputs(result)))


STANDALONE = """\\documentclass{{article}}
\\usepackage{{amsmath}}
\\begin{{document}}
{math}
\\end{{document}}
"""


def _math(body: str, options: RenderOptions, note: str | None = None) -> str:
    """The body as display math, inline math or bare; in a whole document if asked.

    `note`: a LaTeX comment above the math, for its author (bare math has none: it goes
    inside other math, where a comment would swallow the closing delimiter).
    """
    style = options.latex_style
    if options.standalone and style is LatexStyle.bare:
        style = LatexStyle.display  # bare math cannot stand in a document's text
    if style is LatexStyle.display:
        math = f"\\[\n{body}\n\\]"
    elif style is LatexStyle.inline:
        math = "$" + " ".join(line.strip() for line in body.splitlines()) + "$"
    else:
        math = body
    if note is not None and style is not LatexStyle.bare:
        math = f"% {note}\n{math}"
    return STANDALONE.format(math=math) if options.standalone else math


@singledispatch
def render(result: Any, options: RenderOptions) -> str:
    raise TypeError(f"no LaTeX renderer for {type(result).__name__}")


def _matrix_form(result: JacobianResult, names: Notation) -> list[str]:
    """One equation per block of J in matrix form, with the part of J it is when not all of it."""
    lines = []
    for block in result.matrix_form:
        line = f"{derivative_latex(block, names)} = {form_latex(block, names)}"
        where = forms.coverage(block, result)
        if where is not None:
            line += f" \\quad \\text{{{where.replace('-', '--')}}}"
        lines.append(line)
        if block.index_form is not None:
            lines.append(block.index_form.latex)
    return lines


@render.register
def _jacobian(result: JacobianResult, options: RenderOptions) -> str:
    names = notation_of(result)
    lines = _matrix_form(result, names)
    shown = forms.entries_shown(result, options)
    note = None if shown else forms.left_out(result)
    printer = LatexPrinter(result.digits, names)
    if shown and _by_entry(result.sparse, options):
        lines.append(_entries(result.latex_symbol, result.sparse, printer))
        note = _count(result.symbol, result.sparse)
    elif shown:
        rows = _sparse_rows(result.sparse, printer)
        lines.append(f"{result.latex_symbol} = " + _matrix(rows, options.latex_env))
    body = lines[0] if len(lines) == 1 else _gathered(lines)
    return _math(body, options, note)


def _gathered(lines: Sequence[str]) -> str:
    """Equations one under another, centred (amsmath; MathJax and KaTeX have it too)."""
    return "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"


@render.register
def _determinant(result: DeterminantResult, options: RenderOptions) -> str:
    names = notation_of(result)
    printer = LatexPrinter(result.digits, names)
    at = "" if result.point is None else _at(result.point, LatexPrinter(None, names))
    symbol = result.latex_symbol
    lines = [f"{symbol}{at} = {printer(result.determinant)}"]
    if result.log_abs is not None and result.sign is not None:
        log = "-\\infty" if result.singular else printer(result.log_abs)
        lines.append(f"\\ln\\left|{symbol}\\right|{at} = {log}")
        lines.append(f"\\operatorname{{sgn}}\\left({symbol}\\right){at} = {printer(result.sign)}")
    body = lines[0] if len(lines) == 1 else _gathered(lines)
    return _math(body, options, _comment(result.explanation))


def _comment(explanation: Sequence[str]) -> str | None:
    """The sentences of --explain as LaTeX comments above the math (none in bare style)."""
    return "\n% ".join(explanation) or None


@render.register
def _evaluation(result: EvaluationResult, options: RenderOptions) -> str:
    env = options.latex_env
    names = notation_of(result)
    printer, exact = LatexPrinter(result.digits, names), LatexPrinter(None, names)
    if _by_entry(result.sparse, options):
        body = _entries(result.latex_symbol, result.sparse, printer, _point(result.point, exact))
        note = [_count(result.symbol, result.sparse), *result.explanation]
        return _math(body, options, _comment(note))
    rows = _sparse_rows(result.sparse, printer)
    body = f"{result.latex_symbol}{_at(result.point, exact)} = " + _matrix(rows, env)
    return _math(body, options, _comment(result.explanation))


@render.register
def _linearization(result: LinearizationResult, options: RenderOptions) -> str:
    env = options.latex_env
    names = notation_of(result)
    printer, exact = LatexPrinter(result.digits, names), LatexPrinter(None, names)
    at = dict(result.point)
    args = ", ".join(exact(v) for v in result.variables)
    lin = _matrix([[printer(e)] for e in result.linearization], env)
    if _by_entry(result.sparse, options):  # L(x), then J(a) by entry
        jac = _entries("J", result.sparse, printer, _point(result.point, exact))
        body = _gathered([f"{result.latex_symbol}({args}) = {lin}", jac])
        note = [_count("J(a)", result.sparse), *result.explanation]
        return _math(body, options, _comment(note))
    value = _matrix([[printer(v)] for v in result.value], env)
    jac = _matrix(_sparse_rows(result.sparse, printer), env)
    shift = _matrix([[exact(v - at[v])] for v in result.variables], env)
    body = f"{result.latex_symbol}({args}) = {value} + {jac} {shift}\n= {lin}"
    return _math(body, options, _comment(result.explanation))


@render.register
def _matrices(result: MatricesResult, options: RenderOptions) -> str:
    """Each part as `label = matrix` (at the point, if any), the inputs given above them."""
    names = notation_of(result)
    printer, exact = LatexPrinter(result.digits, names), LatexPrinter(None, names)
    env = options.latex_env
    at = "" if result.point is None else _at(result.point, exact)
    lines = [
        f"{_given_latex(name)} = " + _matrix([[exact(v)] for v in values], env)
        for name, values in result.given
    ]
    lines += [_part(part, printer, at, options) for part in result.parts]
    lines += [f"{value.latex}{at} = {printer(value.value)}" for value in result.values]
    lines += [_listing(listing, printer) for listing in result.listings]
    body = lines[0] if len(lines) == 1 else _gathered(lines)
    counts = [_count(p.label, p.sparse) + "." for p in result.parts if _by_entry(p.sparse, options)]
    note = " ".join([*counts, *result.notes]) or None
    return _math(body, options, note.replace("\n", " ") if note else None)


def _part(part: Part, printer: LatexPrinter, at: str, options: RenderOptions) -> str:
    """`label|_{point} = matrix`; by entry, `label|_{point}` over its non-zero entries."""
    if _by_entry(part.sparse, options):
        return f"{part.latex}{at}\\colon\n" + _entries(part.latex, part.sparse, printer)
    return f"{part.latex}{at} = " + _matrix(_sparse_rows(part.sparse, printer), options.latex_env)


def _listing(listing: Listing, printer: LatexPrinter) -> str:
    """A listing as an array: its label and column headings as text, then a row a line;
    an expression cell in math, several joined by commas, words as \\text."""

    def cell(c: Cell) -> str:
        if isinstance(c, str):
            return f"\\text{{{_text(c)}}}"
        if isinstance(c, int):
            return str(c)
        if isinstance(c, tuple):
            return ",\\ ".join(printer(e) for e in c)
        return printer(c)

    spec = "l" * len(listing.columns)
    head = " & ".join(f"\\text{{{_text(c.label)}}}" for c in listing.columns)
    rows = [" & ".join(cell(c) for c in row) for row in listing.rows]
    body = head + " \\\\ \\hline\n" + " \\\\\n".join(rows)
    label = f"\\text{{{_text(listing.label)}}}\\colon"
    return f"{label}\n\\begin{{array}}{{{spec}}}\n{body}\n\\end{{array}}"


def _text(words: str) -> str:
    """Words for \\text{}: LaTeX's special characters escaped, math symbols kept readable."""
    out = []
    for ch in words:
        if ch in "#$%&_{}":
            out.append("\\" + ch)
        elif ch in "\\^~":
            out.append({"\\": "\\textbackslash{}", "^": "\\^{}", "~": "\\~{}"}[ch])
        else:
            out.append(_TEXT_SYMBOLS.get(ch, ch))
    return "".join(out)


# Unicode in words (a family "k ∈ ℤ", a note "±") as math inside \text, for pdflatex.
_TEXT_SYMBOLS = {
    "∈": "$\\in$",
    "ℤ": "$\\mathbb{Z}$",
    "ℝ": "$\\mathbb{R}$",
    "±": "$\\pm$",
    "≤": "$\\le$",
    "≥": "$\\ge$",
    "−": "$-$",
    "×": "$\\times$",
    "√": "$\\surd$",
    "π": "$\\pi$",
    "λ": "$\\lambda$",
    "·": "$\\cdot$",
    "∞": "$\\infty$",
    "<": "$<$",  # in text mode, OT1 fonts print < and > as ¡ and ¿
    ">": "$>$",
    "|": "$|$",
}


# How the inputs a result was given are written in LaTeX: the direction of a JVP is v.
_GIVEN = {"direction": "v", "cotangent": "u", "constraints": "g", "G": "G", "H": "H"}


def _given_latex(name: str) -> str:
    return _GIVEN.get(name, f"\\text{{{name}}}")


# --------------------------------------------------------------------------- sparsity

from jaccli.engine import SparsityResult  # noqa: E402  (kept beside its renderer)


@render.register
def _sparsity(result: SparsityResult, options: RenderOptions) -> str:
    """The numbers, and for a J of at most 30×30 its pattern: \\bullet where J is not zero,
    \\cdot where it is; a bigger one in a comment only (`--format plain` lists its entries)."""
    printer = LatexPrinter(None, notation_of(result))
    lines = [f"{value.latex} = {printer(value.value)}" for value in result.values]
    m, n = result.pattern.shape
    note = list(result.notes)
    if m <= SPY_LATEX_MAX and n <= SPY_LATEX_MAX:
        dots = list(result.pattern.filled(lambda _: "\\bullet", "\\cdot"))
        cells = _matrix(dots, options.latex_env)
        lines.append(f"\\operatorname{{pattern}}({result.latex_symbol}) = {cells}")
    else:
        note.append(
            f"the pattern of this {m}x{n} J is drawn up to {SPY_LATEX_MAX}x{SPY_LATEX_MAX}: "
            "jac sparsity --format plain lists its entries"
        )
    return _math(_gathered(lines), options, " ".join(note).replace("\n", " "))
