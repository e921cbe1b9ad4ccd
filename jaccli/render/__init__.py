"""Results → text: one module per output format, chosen from a registry.

This module stays light (no SymPy, no Rich) because the CLI imports it to build
`--format` and `--latex-env` choices on every start, including TAB completion.
Each format module is imported only when that format is used.
"""

import importlib
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from jaccli.engine import Result


class Format(str, Enum):
    """Output formats; `table` is for terminals, the rest for pipes and documents."""

    table = "table"
    plain = "plain"
    latex = "latex"
    json = "json"
    jsonl = "jsonl"  # the JSON object on one line: one record per run, for streams
    csv = "csv"  # only for eval --points: one row per point
    tsv = "tsv"


POINT_FORMATS = (Format.csv, Format.tsv, Format.jsonl, Format.json)


class LatexStyle(str, Enum):
    """How LaTeX math is delimited: display `\\[ … \\]`, inline `$ … $`, or bare."""

    display = "display"
    inline = "inline"
    bare = "bare"


class LatexEnv(str, Enum):
    """Matrix environments from amsmath, plus `array` for plain LaTeX."""

    bmatrix = "bmatrix"
    pmatrix = "pmatrix"
    vmatrix = "vmatrix"
    Bmatrix = "Bmatrix"
    Vmatrix = "Vmatrix"
    matrix = "matrix"
    array = "array"


class RenderOptions(NamedTuple):
    latex_env: LatexEnv = LatexEnv.bmatrix
    latex_style: LatexStyle = LatexStyle.display
    standalone: bool = False  # a complete LaTeX document


_RENDERERS = {
    Format.table: ("jaccli.render.table", "render"),
    Format.plain: ("jaccli.render.plain", "render"),
    Format.latex: ("jaccli.render.latex", "render"),
    Format.json: ("jaccli.render.json_", "render"),
    Format.jsonl: ("jaccli.render.json_", "render_line"),
}


def render(result: "Result", fmt: Format, options: RenderOptions | None = None) -> Any:
    """A string for text formats, a Rich renderable for `table`."""
    if fmt not in _RENDERERS:
        raise ValueError(f"--format {fmt.value} is only for eval --points")
    module, name = _RENDERERS[fmt]
    return getattr(importlib.import_module(module), name)(result, options or RenderOptions())
