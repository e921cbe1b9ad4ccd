"""Plain text for pipes: one matrix row a line, entries tab-separated, in input syntax."""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from jaccli.engine import (
    DeterminantResult,
    EvaluationResult,
    JacobianResult,
    LinearizationResult,
    Matrix,
)
from jaccli.render import RenderOptions
from jaccli.render.syntax import to_text


def _rows(matrix: Matrix) -> str:
    return "\n".join("\t".join(to_text(e) for e in row) for row in matrix)


@singledispatch
def render(result: Any, options: RenderOptions) -> str:
    raise TypeError(f"no plain renderer for {type(result).__name__}")


@render.register
def _jacobian(result: JacobianResult, options: RenderOptions) -> str:
    return _rows(result.matrix)


@render.register
def _determinant(result: DeterminantResult, options: RenderOptions) -> str:
    return to_text(result.determinant)


@render.register
def _evaluation(result: EvaluationResult, options: RenderOptions) -> str:
    return _rows(result.matrix)


@render.register
def _linearization(result: LinearizationResult, options: RenderOptions) -> str:
    # The components of L, one a line: exactly what `jac jacobian -` reads back.
    return "\n".join(to_text(e) for e in result.linearization)
