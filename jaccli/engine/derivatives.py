"""Differentiation: J row by row, each row by its non-zero entries.

SymEngine differentiates; a row whose function has abs, sign or an undefined function
goes through SymPy instead (`bridge.needs_sympy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jaccli.engine.bridge import from_sympy, needs_sympy, to_sympy
from jaccli.engine.results import Block, JacobianResult, Progress, Sparse, SparseRow
from jaccli.engine.simplify import simplify_expr
from jaccli.engine.variables import header

if TYPE_CHECKING:
    from jaccli.engine.matrix_form import Structure


def _differentiate_one(f: Any, variables: Sequence[Any]) -> SparseRow:
    present = f.free_symbols
    if needs_sympy(f):
        g = to_sympy(f)
        row = [
            (j, from_sympy(g.diff(to_sympy(v)))) for j, v in enumerate(variables) if v in present
        ]
    else:
        row = [(j, f.diff(v)) for j, v in enumerate(variables) if v in present]
    return tuple((j, d) for j, d in row if d != 0)


def differentiate(
    functions: Sequence[Any], variables: Sequence[Any], progress: Progress | None = None
) -> Sparse:
    rows = []
    for i, f in enumerate(functions):
        rows.append(_differentiate_one(f, variables))
        if progress is not None and i % 64 == 63:
            progress(64)
    if progress is not None:
        progress(len(functions) % 64)
    return Sparse((len(functions), len(variables)), tuple(rows))


def jacobian(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    simplify: bool = False,
    progress: Progress | None = None,
    structure: Structure | None = None,
    index: bool = False,
) -> JacobianResult:
    """The Jacobian of `functions` with respect to `variables` (all free symbols if None).

    With the `structure` of F as typed (vectors and matrices), J in matrix form too, and
    with `index` each block of it in index notation.
    """
    head = header(functions, variables)
    sparse = differentiate(functions, head["variables"], progress)
    if simplify:
        sparse = sparse.mapped(simplify_expr)
    form: tuple[Block, ...] = ()
    if structure is not None:
        from jaccli.engine.matrix_form import blocks_for

        form = blocks_for(structure, head["variables"], index)
    return JacobianResult(**head, sparse=sparse, matrix_form=form)
