"""JSON for scripts: one object per command, every expression a string in SymPy syntax."""

from __future__ import annotations

import json
from functools import singledispatch
from typing import Any

from jaccli.engine import (
    DeterminantResult,
    EvaluationResult,
    JacobianResult,
    LinearizationResult,
    Matrix,
    Point,
    numeric_values,
)
from jaccli.render import RenderOptions
from jaccli.render.syntax import to_text


def _head(command: str, result: Any) -> dict[str, Any]:
    return {
        "command": command,
        "functions": [to_text(f) for f in result.functions],
        "variables": [v.name for v in result.variables],
    }


def _matrix(matrix: Matrix) -> list[list[str]]:
    return [[to_text(e) for e in row] for row in matrix]


def _point(point: Point) -> dict[str, str]:
    return {s.name: to_text(v) for s, v in point}


def _dump(obj: dict[str, Any]) -> str:
    """Indented like `json.dumps(indent=2)`, but each matrix row on one line."""

    def value(v: Any) -> str:
        if isinstance(v, list) and v and all(isinstance(row, list) for row in v):
            rows = ",\n    ".join(json.dumps(row, ensure_ascii=False) for row in v)
            return f"[\n    {rows}\n  ]"
        return json.dumps(v, ensure_ascii=False)

    body = ",\n".join(f"  {json.dumps(k)}: {value(v)}" for k, v in obj.items())
    return f"{{\n{body}\n}}"


@singledispatch
def render(result: Any, options: RenderOptions) -> str:
    raise TypeError(f"no JSON renderer for {type(result).__name__}")


@render.register
def _jacobian(result: JacobianResult, options: RenderOptions) -> str:
    out = _head("jacobian", result)
    out["shape"] = list(result.shape)
    out["jacobian"] = _matrix(result.matrix)
    return _dump(out)


@render.register
def _determinant(result: DeterminantResult, options: RenderOptions) -> str:
    out = _head("det", result)
    if result.point is not None:
        out["point"] = _point(result.point)
    out["determinant"] = to_text(result.determinant)
    return _dump(out)


@render.register
def _evaluation(result: EvaluationResult, options: RenderOptions) -> str:
    out = _head("eval", result)
    out["point"] = _point(result.point)
    out["shape"] = list(result.shape)
    out["jacobian"] = _matrix(result.matrix)
    values = numeric_values(result.matrix)
    if values is not None:
        out["values"] = [list(row) for row in values]
    return _dump(out)


@render.register
def _linearization(result: LinearizationResult, options: RenderOptions) -> str:
    out = _head("linearize", result)
    out["point"] = _point(result.point)
    out["shape"] = list(result.shape)
    out["value"] = [to_text(v) for v in result.value]
    out["jacobian"] = _matrix(result.matrix)
    out["linearization"] = [to_text(e) for e in result.linearization]
    return _dump(out)
