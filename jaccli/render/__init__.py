"""Results → text: one module per output format, chosen from a registry.

This module stays light (no SymPy, no Rich) because the CLI imports it to build
`--format` and `--latex-env` choices on every start, including TAB completion.
Each format module is imported only when that format is used or asked about.

Which results a format supports is not written down twice: each format module has a
`functools.singledispatch` function with one registration per result class it can
draw, and `formats_for` asks those registrations.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from jaccli.errors import UsageError

if TYPE_CHECKING:
    from rich.console import RenderableType

    from jaccli.engine import Result

    Renderer = Callable[[Result, "RenderOptions"], RenderableType]


class Format(str, Enum):
    """Output formats; `table` is for terminals, the rest for pipes and documents."""

    table = "table"
    plain = "plain"
    latex = "latex"
    json = "json"
    jsonl = "jsonl"  # the JSON object on one line: one record per run, for streams
    mtx = "mtx"  # Matrix Market coordinate: a matrix's non-zero entries (implies --sparse)
    csv = "csv"  # only for eval --points and det --points: one row per point
    tsv = "tsv"
    parquet = "parquet"  # only for eval --points and det --points, binary (pyarrow)


POINT_FORMATS = (Format.csv, Format.tsv, Format.jsonl, Format.json, Format.parquet)


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
    expand: bool = False  # every entry of J, even where its matrix form stands in for them
    sparse: bool = False  # --sparse: a matrix as its non-zero entries (i, j, entry), 1-based


class _Renderer(NamedTuple):
    """Where a format's renderer is: a singledispatch function, imported on first use."""

    module: str
    function: str = "render"
    finish: str | None = None  # a function of the same module applied to the text


_RENDERERS = {
    Format.table: _Renderer("jaccli.render.table"),
    Format.plain: _Renderer("jaccli.render.plain"),
    Format.latex: _Renderer("jaccli.render.latex"),
    Format.json: _Renderer("jaccli.render.json_"),
    Format.jsonl: _Renderer("jaccli.render.json_", finish="one_line"),
    Format.mtx: _Renderer("jaccli.render.mtx"),
}  # csv and tsv are written by jaccli.batch, for eval --points only


def _renderer(result_type: type[Result], fmt: Format) -> Renderer | None:
    """The function drawing `result_type` in `fmt`, or None: only the catch-all would."""
    where = _RENDERERS.get(fmt)
    if where is None:
        return None
    module = importlib.import_module(where.module)
    dispatcher = getattr(module, where.function)
    draw: Renderer = dispatcher.dispatch(result_type)
    if draw is dispatcher.dispatch(object):
        return None
    if where.finish is None:
        return draw
    finish: Callable[[str], str] = getattr(module, where.finish)
    return lambda result, options: finish(str(draw(result, options)))


def draws(result_type: type[Result], fmt: Format) -> bool:
    """Whether `fmt` can show results of `result_type` (imports that format's module only)."""
    return _renderer(result_type, fmt) is not None


def formats_for(result_type: type[Result]) -> frozenset[Format]:
    """The formats that can show results of `result_type`."""
    return frozenset(fmt for fmt in Format if draws(result_type, fmt))


def supports(result: Result, fmt: Format) -> bool:
    """Whether `render(result, fmt)` draws something rather than raising UsageError."""
    return draws(type(result), fmt)


def render(result: Result, fmt: Format, options: RenderOptions | None = None) -> RenderableType:
    """A string for text formats, a Rich renderable for `table` (jaccli.render.console
    turns either into text). An unsupported pair is the user's to fix: UsageError."""
    draw = _renderer(type(result), fmt)
    if draw is None:
        only = f": {fmt.value} is only for {{points}}" if fmt not in _RENDERERS else ""
        raise UsageError(f"{type(result).name} has no {fmt.value} output{only}")
    return draw(result, options or RenderOptions())
