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


_MODULES = {
    Format.table: "jaccli.render.table",
    Format.plain: "jaccli.render.plain",
    Format.latex: "jaccli.render.latex",
    Format.json: "jaccli.render.json_",
}


def render(result: "Result", fmt: Format, options: RenderOptions | None = None) -> Any:
    """A string for text formats, a Rich renderable for `table`."""
    module = importlib.import_module(_MODULES[fmt])
    return module.render(result, options or RenderOptions())
