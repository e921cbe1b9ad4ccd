"""Plain text for pipes: one matrix row a line, entries tab-separated, in input syntax.

With --sparse, a matrix is its non-zero entries, `i<TAB>j<TAB>entry` a line (1-based, row by
row), and an all-zero matrix writes nothing: the shape is in JSON and Matrix Market.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from jaccli.engine import (
    DeterminantResult,
    EvaluationResult,
    JacobianResult,
    LinearizationResult,
    MatricesResult,
    Sparse,
)
from jaccli.render import RenderOptions
from jaccli.render.syntax import cell_text, shadowed, to_text


def matrix_text(sparse: Sparse, cell: Any, options: RenderOptions) -> str:
    """Each row as its cells joined by tabs; with --sparse, each non-zero entry as i, j, entry
    (jaccli.render.sparse.entries, 1-based), a line each."""
    if options.sparse:
        return _listed(sparse, cell)
    return "\n".join(["\t".join(row) for row in sparse.filled(cell, "0")])


_BLOCK = 4096  # rows whose lines are joined at once
_NUMBERS = 1024  # whole numbers whose texts are kept


def _listed(sparse: Sparse, cell: Any) -> str:
    """The `i<TAB>j<TAB>entry` lines, joined a block of rows at a time: 3·10^5 short line
    strings (20 MB at 10^5 rows) never exist at once beside the text."""
    rows = sparse.rows
    blocks = []
    known: dict[Any, str] = {}  # the texts of whole numbers: J's 1s and -2s, printed once

    def text(entry: Any) -> str:
        written: str = cell(entry)
        if entry.is_Integer and len(known) < _NUMBERS:
            known[entry] = written
        return written

    for start in range(0, len(rows), _BLOCK):
        lines = [
            f"{i}\t{j + 1}\t{known.get(e) or text(e)}"
            for i, row in enumerate(rows[start : start + _BLOCK], start + 1)
            for j, e in row
        ]
        if lines:
            blocks.append("\n".join(lines))
    return "\n".join(blocks)


@singledispatch
def render(result: Any, options: RenderOptions) -> str:
    raise TypeError(f"no plain renderer for {type(result).__name__}")


@render.register
def _jacobian(result: JacobianResult, options: RenderOptions) -> str:
    indexed = [
        f"{b.index_form.left} = {' = '.join(b.index_form.steps)}"
        for b in result.matrix_form
        if b.index_form
    ]
    if indexed:  # --index asked for J in index notation: one equation a line, instead
        return "\n".join(indexed)
    spell = shadowed(result.variables)
    return matrix_text(result.sparse, lambda e: to_text(e, None, spell), options)


@render.register
def _determinant(result: DeterminantResult, options: RenderOptions) -> str:
    # With --log, log|det J| alone, as flows use it: a number for a script, or an expression
    # that `jac grad -` reads back; -inf (as Python and NumPy write it) where det J = 0.
    spell = shadowed(result.variables)
    if result.log_abs is not None:
        return "-inf" if result.singular else to_text(result.log_abs, result.digits, spell)
    return to_text(result.determinant, result.digits, spell)


@render.register
def _evaluation(result: EvaluationResult, options: RenderOptions) -> str:
    spell = shadowed(result.variables)
    digits = result.digits
    return matrix_text(result.sparse, lambda e: to_text(e, digits, spell), options)


@render.register
def _linearization(result: LinearizationResult, options: RenderOptions) -> str:
    # The components of L, one a line: exactly what `jac jacobian -` reads back.
    spell = shadowed(result.variables)
    return "\n".join(to_text(e, result.digits, spell) for e in result.linearization)


@render.register
def _matrices(result: MatricesResult, options: RenderOptions) -> str:
    # The answer's matrices (∇f one entry a line; a Hessian per component), a blank line
    # between two; the factors of the chain rule are for people (table, LaTeX, JSON).
    # An analysis adds its named values (the expression alone) and its listings (a row a
    # line, cells joined by tabs) marked for pipes: eig's eigenvalues, stability's equilibria.
    spell = shadowed(result.variables)
    digits = result.digits
    blocks = [
        matrix_text(part.sparse, lambda e: to_text(e, digits, spell), options)
        for part in result.parts
        if part.plain
    ]
    blocks += [to_text(v.value, digits, spell) for v in result.values if v.plain]
    blocks += [
        "\n".join("\t".join(cell_text(c, digits, spell) for c in row) for row in listing.rows)
        for listing in result.listings
        if listing.plain and listing.rows
    ]
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------- sparsity

from jaccli.engine import SparsityResult  # noqa: E402  (kept beside its renderer)


@render.register
def _sparsity(result: SparsityResult, options: RenderOptions) -> str:
    # The pattern as `row<TAB>column` lines from 1, for pipes (awk, sort, a sparse reader).
    rows = enumerate(result.pattern.rows, 1)
    return "\n".join(f"{i}\t{j + 1}" for i, row in rows for j, _ in row)
