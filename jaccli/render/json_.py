"""JSON for scripts: one object per command, every expression a string in SymPy syntax.

The shape of each command's object is fixed by a JSON Schema in jaccli/schemas/. With
--sparse the object says `"sparse": true` and each matrix is `"shape"`, `"nnz"` and
`"entries"`: [i, j, "entry"] for its non-zero entries (1-based), one a line; its schema
is jaccli/schemas/sparse.schema.json.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from jaccli.engine import (
    Cell,
    DeterminantResult,
    EvaluationResult,
    JacobianResult,
    LinearizationResult,
    MatricesResult,
    Part,
    Point,
    Result,
    Sparse,
    point_label,
)
from jaccli.engine.precision import numeric_entries
from jaccli.render import RenderOptions
from jaccli.render.sparse import entries, nnz
from jaccli.render.syntax import shadowed, to_text

_ZERO = json.dumps("0")


class Raw(str):
    """JSON text already encoded, spliced in as is (a big matrix is encoded row by row)."""


def _rows(lines: Iterable[str]) -> Raw:
    """A JSON array with one encoded row a line."""
    return Raw("[\n    " + ",\n    ".join(lines) + "\n  ]")


def _matrix(sparse: Sparse, digits: int | None, spell: frozenset[str]) -> Raw:
    def cell(e: Any) -> str:
        return json.dumps(to_text(e, digits, spell), ensure_ascii=False)

    return _rows("[" + ", ".join(row) + "]" for row in sparse.filled(cell, _ZERO))


Numeric = tuple[tuple[tuple[int, float], ...], ...]  # (column, value) rows of non-zero entries


def _values(numeric: Numeric, n: int) -> Raw:
    """The numbers of a dense matrix, a row a line."""
    full = Sparse((len(numeric), n), numeric).filled(lambda v: v, 0.0)
    return _rows(map(json.dumps, full))


def _sparse(sparse: Sparse, digits: int | None, spell: frozenset[str]) -> dict[str, Any]:
    """The matrix as "shape", "nnz" and "entries": [i, j, "entry"] a line, non-zeros only."""

    def cell(e: Any) -> str:
        return json.dumps(to_text(e, digits, spell), ensure_ascii=False)

    lines = (f"[{i}, {j}, {text}]" for i, j, text in entries(sparse, cell))
    count = nnz(sparse)
    return {"shape": list(sparse.shape), "nnz": count, "entries": _rows(lines) if count else []}


def _sparse_values(numeric: Numeric) -> Raw | list[Any]:
    """[i, j, value] a line, for the non-zero entries (all numbers)."""
    lines = [json.dumps([i, j + 1, v]) for i, row in enumerate(numeric, 1) for j, v in row]
    return _rows(lines) if lines else []


def _head(result: Result, sparse: bool = False) -> dict[str, Any]:
    spell = shadowed(result.variables)
    return {
        "command": result.name,
        "functions": [to_text(f, None, spell) for f in result.functions],
        "variables": [v.name for v in result.variables],
        **({"sparse": True} if sparse else {}),  # --sparse: jaccli/schemas/sparse
    }


def _point(point: Point, spell: frozenset[str]) -> dict[str, str]:
    return {point_label(s): to_text(v, None, spell) for s, v in point}


def _dump(obj: dict[str, Any]) -> str:
    """Indented like `json.dumps(indent=2)`, but each matrix row on one line."""
    body = ",\n".join(
        f"  {json.dumps(k)}: {v if isinstance(v, Raw) else json.dumps(v, ensure_ascii=False)}"
        for k, v in obj.items()
    )
    return f"{{\n{body}\n}}"


@singledispatch
def render(result: Any, options: RenderOptions) -> str:
    raise TypeError(f"no JSON renderer for {type(result).__name__}")


@render.register
def _jacobian(result: JacobianResult, options: RenderOptions) -> str:
    out = _head(result, options.sparse)
    spell = shadowed(result.variables)
    if options.sparse:
        out |= _sparse(result.sparse, None, spell)
    else:
        out["shape"] = list(result.shape)
        out[result.matrix_key] = _matrix(result.sparse, None, spell)
    out["matrix_form"] = _matrix_form(result)
    return _dump(out)


def _matrix_form(result: JacobianResult) -> Raw | list[Any]:
    """J in matrix form where recognised, one block a line; an empty list where not."""
    if not result.matrix_form:
        return []
    from jaccli.render.latex import notation_of
    from jaccli.render.vector_latex import form_latex

    names = notation_of(result)
    blocks = (
        {
            "function": block.function,
            "variable": block.variable,
            "rows": list(block.rows),
            "columns": list(block.columns),
            "form": block.form,
            "latex": form_latex(block, names),
            **(
                {}
                if block.index_form is None
                else {
                    "index_form": {
                        "left": block.index_form.left,
                        "steps": list(block.index_form.steps),
                        "latex": block.index_form.latex,
                    }
                }
            ),
        }
        for block in result.matrix_form
    )
    return _rows(json.dumps(block, ensure_ascii=False) for block in blocks)


@render.register
def _determinant(result: DeterminantResult, options: RenderOptions) -> str:
    out = _head(result)
    spell = shadowed(result.variables)
    if result.point is not None:
        out["point"] = _point(result.point, spell)
    out["determinant"] = to_text(result.determinant, result.digits, spell)
    if result.log_abs is not None and result.sign is not None:
        log = to_text(result.log_abs, result.digits, spell)
        out["log_abs_determinant"] = None if result.singular else log  # JSON has no -infinity
        out["sign"] = to_text(result.sign, None, spell)
    if result.meaning is not None:
        out["meaning"] = result.meaning
    return _dump(_with_explanation(out, result.explanation))


def _with_explanation(out: dict[str, Any], explanation: tuple[str, ...]) -> dict[str, Any]:
    """`out` with "explanation": the sentences of --explain, when asked for."""
    return {**out, "explanation": list(explanation)} if explanation else out


def _at_point(
    result: EvaluationResult | LinearizationResult, options: RenderOptions
) -> tuple[dict[str, Any], frozenset[str]]:
    """The head of a result at a point, with the point and J's shape; and how names are spelled."""
    out = _head(result, options.sparse)
    spell = shadowed(result.variables)
    out["point"] = _point(result.point, spell)
    out["shape"] = list(result.shape)
    return out, spell


def _jacobian_at(
    out: dict[str, Any], result: EvaluationResult | LinearizationResult, options: RenderOptions
) -> dict[str, Any]:
    """`out` with J at the point: its rows, or with --sparse its shape, nnz and entries."""
    spell = shadowed(result.variables)
    if options.sparse:
        return out | _sparse(result.sparse, result.digits, spell)
    return out | {result.matrix_key: _matrix(result.sparse, result.digits, spell)}


@render.register
def _evaluation(result: EvaluationResult, options: RenderOptions) -> str:
    out = _jacobian_at(_at_point(result, options)[0], result, options)
    numeric = numeric_entries(result.sparse)  # the zeros are numbers: never looked at
    if numeric is not None:
        sparse = options.sparse
        out["values"] = _sparse_values(numeric) if sparse else _values(numeric, result.shape[1])
    return _dump(_with_explanation(out, result.explanation))


@render.register
def _linearization(result: LinearizationResult, options: RenderOptions) -> str:
    out, spell = _at_point(result, options)
    out["value"] = [to_text(v, result.digits, spell) for v in result.value]
    out = _jacobian_at(out, result, options)
    out["linearization"] = [to_text(e, result.digits, spell) for e in result.linearization]
    return _dump(_with_explanation(out, result.explanation))


def one_line(text: str) -> str:
    """A result's object on one line (JSON Lines): one record per run, for streams and logs."""
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


@render.register
def _matrices(result: MatricesResult, options: RenderOptions) -> str:
    """Each part as {"name", "label", "shape", "rows", "columns", "entries"} (and "values"
    when its entries are numbers), the inputs given by name, facts, and notes."""
    out = _head(result, options.sparse)
    spell = shadowed(result.variables)
    if result.point is not None:
        out["point"] = _point(result.point, spell)
    for name, values in result.given:
        out[name] = [to_text(v, None, spell) for v in values]
    parts = (_part(part, result.digits, spell, options.sparse) for part in result.parts)
    out["matrices"] = _rows(json.dumps(part, ensure_ascii=False) for part in parts)
    for key, text in result.facts:
        out[key] = text
    for value in result.values:
        out[value.key] = to_text(value.value, result.digits, spell)
    for listing in result.listings:
        keys = [c.key for c in listing.columns]
        out[listing.key] = [
            dict(zip(keys, (_cell(c, result.digits, spell) for c in row), strict=True))
            for row in listing.rows
        ]
    out["notes"] = list(result.notes)
    return _dump(out)


def _cell(cell: Cell, digits: int | None, spell: frozenset[str]) -> Any:
    """A listing's cell: words and counts as they are, expressions as text, several as a list."""
    if isinstance(cell, (str, int)):
        return cell
    if isinstance(cell, tuple):
        return [to_text(e, digits, spell) for e in cell]
    return to_text(cell, digits, spell)


def _part(part: Part, digits: int | None, spell: frozenset[str], sparse: bool) -> dict[str, Any]:
    """A part as an object; with `sparse` (--sparse), "nnz" and [i, j, entry] entries."""

    def cell(e: Any) -> str:
        return to_text(e, digits, spell)

    m, n = part.sparse.shape
    out: dict[str, Any] = {"name": part.key, "label": part.label, "shape": [m, n]}
    if sparse:
        out["nnz"] = nnz(part.sparse)
    out |= {"rows": list(part.rows), "columns": list(part.columns)}
    if sparse:
        out["entries"] = [list(entry) for entry in entries(part.sparse, cell)]
    else:
        out["entries"] = list(part.sparse.filled(cell, "0"))
    numeric = numeric_entries(part.sparse)  # the zeros are numbers: never looked at
    if numeric is None:
        return out
    if sparse:
        out["values"] = [[i, j + 1, v] for i, row in enumerate(numeric, 1) for j, v in row]
    else:
        out["values"] = [[dict(row).get(j, 0.0) for j in range(n)] for row in numeric]
    return out


# --------------------------------------------------------------------------- sparsity

from jaccli.engine import SparsityResult  # noqa: E402  (kept beside its renderer)


@render.register
def _sparsity(result: SparsityResult, options: RenderOptions) -> str:
    """The numbers as numbers; the pattern as [row, column] pairs and the colours, all from 1
    (the colour of column j is column_colors[j - 1])."""
    out = _head(result)
    out["shape"] = list(result.pattern.shape)
    counts = {v.key: v.value for v in result.values}
    for key in ("nnz", "density", "lower_bandwidth", "upper_bandwidth", "structural_rank"):
        out[key] = float(counts[key]) if key == "density" else int(counts[key])
    out["jvps"], out["vjps"] = int(counts["jvps"]), int(counts["vjps"])
    pairs = ([i, j + 1] for i, row in enumerate(result.pattern.rows, 1) for j, _ in row)
    out["pattern"] = _rows(json.dumps(pair) for pair in pairs) if result.nnz else []
    out["column_colors"] = [c + 1 for c in result.column_colors]
    out["row_colors"] = [c + 1 for c in result.row_colors]
    for key, text in result.facts:
        out[key] = text
    out["notes"] = list(result.notes)
    return _dump(out)
