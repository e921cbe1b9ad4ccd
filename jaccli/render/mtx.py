"""Matrix Market coordinate format (`--format mtx`): a matrix as its non-zero entries.

    %%MatrixMarket matrix coordinate real general
    % jac eval: J at the point; rows f1, ..., f2000 (2,000), columns u0, ..., u1999 (2,000)
    2000 2000 5998
    1 1 -1.9990009995002
    ...

The field says what the entries are, as scipy.io.mmread, Julia's MatrixMarket and
MATLAB's mmread read them: `integer` when every entry is an exact integer, `real` when
every one is a finite real number (`repr(float)`, 17 significant digits, or the --digits
text), `complex` (real and imaginary parts) when every one is a finite number and one is
not real, and `pattern` for `jac sparsity`. Any other entry is an expression: the field is
then `symbolic`, jac's own word, and each entry is the rest of its line in jac's syntax,
which jac's parser reads back. Standard readers refuse that header at once and clearly
(scipy: "Invalid MatrixMarket header element: symbolic") instead of failing at line 3
on text under a numeric field. A `%` comment says so.

A result of several matrices (a Hessian per component) writes one complete Matrix Market
document per matrix, one after the other; a reader takes them apart at `%%MatrixMarket`.
The comments name rows and columns by their first and last names and count, so the
header is the same size for 10 unknowns as for 10^5.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import singledispatch
from typing import Any, NamedTuple, TypeAlias

from jaccli.engine import (
    EvaluationResult,
    JacobianResult,
    LinearizationResult,
    MatricesResult,
    Point,
    Result,
    Sparse,
    SparsityResult,
    point_label,
)
from jaccli.engine.precision import complex_number, numeric_entries
from jaccli.render import RenderOptions
from jaccli.render.sparse import entries, nnz, span
from jaccli.render.syntax import shadowed, to_text

BANNER = "%%MatrixMarket matrix coordinate {field} general"
SYMBOLIC_NOTE = (
    "% field 'symbolic' is jac's own: each entry is an expression in jac's syntax after its\n"
    "% row and column, which jac's parser reads back; scipy.io.mmread and other Matrix\n"
    "% Market readers read numeric fields only (integer, real, complex, pattern)"
)


class Matrix(NamedTuple):
    """One matrix to write, with what its rows and columns are."""

    label: str  # J, J(a), H(f1)
    sparse: Sparse
    rows: str  # span of the row names
    columns: str


Lines: TypeAlias = Iterator[str]


@singledispatch
def render(result: Any, options: RenderOptions) -> str:
    raise TypeError(f"no Matrix Market renderer for {type(result).__name__}")


def _functions(result: Result) -> str:
    return span([f"f{i}" for i in range(1, len(result.functions) + 1)])


def _jacobian_matrix(result: JacobianResult | EvaluationResult | LinearizationResult) -> Matrix:
    label = "J" if isinstance(result, JacobianResult) else "J at the point"
    columns = span([v.name for v in result.variables])
    return Matrix(label, result.sparse, _functions(result), columns)


@render.register
def _jacobian(result: JacobianResult, options: RenderOptions) -> str:
    return _document(result, [_jacobian_matrix(result)], None)


@render.register
def _evaluation(result: EvaluationResult, options: RenderOptions) -> str:
    return _document(result, [_jacobian_matrix(result)], result.digits)


@render.register
def _linearization(result: LinearizationResult, options: RenderOptions) -> str:
    return _document(result, [_jacobian_matrix(result)], result.digits)


@render.register
def _matrices(result: MatricesResult, options: RenderOptions) -> str:
    # The matrices plain text writes (∇f, J·v, the Hessians, the chain rule's product); an
    # analysis whose matrices are for people only (eig, stability, singular) writes its J.
    parts = [p for p in result.parts if p.plain] or list(result.parts)
    matrices = [  # a vector's one column (or row) is named by its label: ∇f, uᵀJ
        Matrix(p.label, p.sparse, _labels(p.rows, p.label), _labels(p.columns, p.label))
        for p in parts
    ]
    return _document(result, matrices, result.digits)


def _labels(names: Sequence[str], label: str) -> str:
    return span([name or label for name in names])


@render.register
def _sparsity(result: SparsityResult, options: RenderOptions) -> str:
    m, n = result.pattern.shape
    head = [
        BANNER.format(field="pattern"),
        f"% jac sparsity: where J is not 0; rows {_functions(result)}, "
        f"columns {span([v.name for v in result.variables])}",
        f"{m} {n} {result.nnz}",
    ]
    lines = (f"{i} {j}" for i, j, _ in entries(result.pattern, bool))
    return "\n".join([*head, *lines])


def _document(result: Result, matrices: Sequence[Matrix], digits: int | None) -> str:
    """One Matrix Market document per matrix, one after the other."""
    spell = shadowed(result.variables)
    point = getattr(result, "point", None)
    documents = []
    for k, matrix in enumerate(matrices, 1):
        field, lines = _entries(matrix.sparse, digits, spell)
        comments = [
            f"% jac {result.name}: {matrix.label}; rows {matrix.rows}, columns {matrix.columns}"
        ]
        if len(matrices) > 1:
            comments.append(f"% matrix {k} of {len(matrices)} in this file, one document each")
        if point:
            comments.append(f"% at {_point(point, spell)}")
        if digits is not None and field in ("real", "complex"):
            comments.append(f"% values to {digits} significant digits")
        if field == "symbolic":
            comments.append(SYMBOLIC_NOTE)
        m, n = matrix.sparse.shape
        size = f"{m} {n} {nnz(matrix.sparse)}"
        documents.append("\n".join([BANNER.format(field=field), *comments, size, *lines]))
    return "\n".join(documents)


def _point(point: Point, spell: frozenset[str]) -> str:
    """`x = 1, y = 2`, or its first and last values and how many for a big point."""
    shown = [*point[:2], *point[-1:]] if len(point) > 3 else list(point)
    texts = [f"{point_label(s)} = {to_text(v, None, spell)}" for s, v in shown]
    if len(point) > 3:
        return f"{texts[0]}, {texts[1]}, ..., {texts[2]} ({len(point):,} values)"
    return ", ".join(texts)


INTEGER_MAX = 2**53  # integers a reader's int64 and float64 both hold exactly


def _entries(sparse: Sparse, digits: int | None, spell: frozenset[str]) -> tuple[str, Lines]:
    """The Matrix Market field of the entries, and their `i j value` lines."""
    numeric = numeric_entries(sparse)
    if numeric is None:
        numbers = _complex_numbers(sparse)
        if numbers is not None:
            where = entries(sparse, lambda e: None)
            return "complex", (
                f"{i} {j} {_complex(z, digits)}"
                for (i, j, _), z in zip(where, numbers, strict=True)
            )
        symbolic = entries(sparse, lambda e: to_text(e, digits, spell))
        return "symbolic", (f"{i} {j} {text}" for i, j, text in symbolic)
    values = [v for row in numeric for _, v in row]
    exact = zip(entries(sparse, lambda e: e), values, strict=True)
    if digits is None and all(e.is_Integer and abs(v) < INTEGER_MAX for (_, _, e), v in exact):
        return "integer", (f"{i} {j} {e}" for i, j, e in entries(sparse, str))
    exact = zip(entries(sparse, lambda e: e), values, strict=True)
    return "real", (f"{i} {j} {_real(e, v, digits, spell)}" for (i, j, e), v in exact)


def _complex_numbers(sparse: Sparse) -> list[complex] | None:
    """Every entry as a complex number, row by row; None at the first that is not one."""
    numbers = []
    for _, _, e in entries(sparse, lambda e: e):
        z = complex_number(e)
        if z is None:
            return None
        numbers.append(z)
    return numbers


def _real(e: Any, value: float, digits: int | None, spell: frozenset[str]) -> str:
    """repr of the float (17 significant digits where needed); with --digits, the rounded
    text every other format writes, when it is a decimal number a reader takes."""
    if digits is not None:
        text = to_text(e, digits, spell)
        try:
            float(text)
        except ValueError:
            return f"{value:.{min(digits, 17)}g}"
        return text
    return repr(value)


def _complex(z: complex, digits: int | None) -> str:
    """A complex entry as Matrix Market writes it: its real and imaginary parts."""
    if digits is None:
        return f"{z.real!r} {z.imag!r}"
    return f"{z.real:.{min(digits, 17)}g} {z.imag:.{min(digits, 17)}g}"
