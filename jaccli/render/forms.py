"""The matrix form of a Jacobian beside its entries: how a block is labelled, and when the
entries give way to it.

A Jacobian of vectors and matrices has as many entries as its matrices (a 100×100 layer
has 10,000), while its matrix form, `diag(1 - tanh(W*x + b).^2)*W`, is one line. Table
and LaTeX show the form above the entries, and the form alone when the form covers all of
J and the entries are more than anyone reads: more than SHOWN_ENTRIES entries (a 20×20
matrix), or more than SHOWN_CHARACTERS characters of them (20 screens of 1,000
characters). `--expand` shows them all. Plain text and JSON always hold every entry:
they are for programs.
"""

from __future__ import annotations

from jaccli.engine import Block, JacobianResult
from jaccli.render import RenderOptions
from jaccli.render.syntax import shadowed, to_text

SHOWN_ENTRIES = 400
SHOWN_CHARACTERS = 20_000


def covers_all(result: JacobianResult) -> bool:
    """Whether the blocks of the matrix form cover every entry of J (they never overlap)."""
    m, n = result.shape
    area = sum(
        (b.rows[1] - b.rows[0] + 1) * (b.columns[1] - b.columns[0] + 1) for b in result.matrix_form
    )
    return bool(result.matrix_form) and area == m * n


def entries_shown(result: JacobianResult, options: RenderOptions) -> bool:
    """Whether table and LaTeX show J's entries: always, unless the matrix form stands in
    for all of them and they are too many to read (see the module's docstring)."""
    if options.expand or not covers_all(result):
        return True
    m, n = result.shape
    if m * n > SHOWN_ENTRIES:
        return False
    spell = shadowed(result.variables)
    total = 0
    for row in result.sparse.rows:
        for _, entry in row:
            total += len(to_text(entry, None, spell))
            if total > SHOWN_CHARACTERS:
                return False
    return True


def left_out(result: JacobianResult) -> str:
    """What a reader is told in place of the entries, and how to see them."""
    m, n = result.shape
    nonzero = sum(len(row) for row in result.sparse.rows)
    return (
        f"{m * n:,} entries of {result.symbol} ({nonzero:,} non-zero) not shown: "
        "--expand shows them all"
    )


def _span(word: str, first: int, last: int) -> str:
    return f"{word} {first}" if first == last else f"{word}s {first}-{last}"


def coverage(block: Block, result: JacobianResult) -> str | None:
    """`rows 1-3, columns 1-2`: the part of J a block is, unless it is all of J."""
    if block.rows == (1, result.shape[0]) and block.columns == (1, result.shape[1]):
        return None
    return f"{_span('row', *block.rows)}, {_span('column', *block.columns)}"


def index_equation(block: Block) -> str | None:
    """`∂y_i/∂x_j = Σ_k (W[i,k]*δ_kj) = W[i,j]`: a block in index notation, when asked for."""
    if block.index_form is None:
        return None
    return " = ".join([block.index_form.left, *block.index_form.steps])


def equation(block: Block) -> str:
    """`∂(sigmoid(W*x + b))/∂x = diag(...)*W`: a block in jac's syntax, as the table shows it."""
    return f"∂({block.function})/∂{block.variable} = {block.form}"
