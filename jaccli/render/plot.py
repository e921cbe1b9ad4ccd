"""Pictures: the phase portrait of a 2-D system (`stability --plot`) and the spy plot of J
(`sparsity --plot`), as SVG or PNG.

matplotlib is an optional extra (`pip install 'jaccli[plot]'`), imported only when a
picture is drawn, with a message saying how to install it when it is missing. Figures are
built without pyplot (no global state, no display: Agg draws the PNG), and the files are
reproducible: the same input writes the same bytes (a fixed SVG hash salt, no date). The
layers of a phase portrait are drawn by `plot_phase`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jaccli.errors import UsageError, literal
from jaccli.render import plot_phase as phase

if TYPE_CHECKING:
    from jaccli.engine import SparsityResult, StabilityResult

FORMATS = (".svg", ".png")
MANY = 5000  # entries beyond which the spy plot's marks are rasterized in an SVG


def phase_portrait(
    result: StabilityResult, path: str | Path, *, box: Sequence[Sequence[float]] | None = None
) -> None:
    """Draw the phase portrait of the 2-D system dx/dt = F(x) of `result` into `path`.

    The vector field as arrows of one length, the nullclines F1 = 0 and F2 = 0, trajectories
    forward and backward in time (from a grid of seeds and from near each equilibrium,
    along the eigenvectors at a saddle: its separatrices), and every equilibrium in the
    window marked by its type: a family's members one by one, a continuum as a line.
    `box` is the window, ((x lo, x hi), (y lo, y hi)); by default it frames the equilibria.
    """
    suffix = _format(path)
    n = len(result.variables)
    if n != 2:
        raise UsageError(f"a phase portrait needs 2 variables; F has {n}")
    parameters = phase.parameters(result)
    if parameters:
        listed = ", ".join(sorted(parameters))
        raise UsageError(
            f"a phase portrait needs numbers, and F has the parameters {literal(listed)}: "
            "substitute values for them"
        )
    figure = _matplotlib().figure.Figure(figsize=(7.5, 6.5))
    ax = figure.add_subplot()
    marks = [phase.Marks.of(i, e) for i, e in enumerate(result.equilibria, 1)]
    window = phase.window(box, marks)
    field = phase.field(result)
    phase.draw_arrows(ax, field, window)
    phase.draw_nullclines(ax, result, window)
    drawn = [(m, m.drawn(window)) for m in marks]
    phase.draw_trajectories(ax, field, window, drawn)
    phase.draw_equilibria(ax, drawn)
    (x0, x1), (y0, y1) = window
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    names = [str(v) for v in result.variables]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(_title(result, names), fontsize=10)
    ax.text(0.0, -0.1, _caption(result.status), transform=ax.transAxes, fontsize=8, va="top")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    figure.tight_layout()
    _save(figure, path, suffix)


def spy(result: SparsityResult, path: str | Path) -> None:
    """Draw the spy plot of J's sparsity pattern into `path`: a mark per non-zero entry,
    rows (components) down and columns (variables) across, numbered from 1.

    Up to a few hundred rows each entry is a square filling its cell; beyond that, a dot at
    each entry, rasterized in the SVG when there are many (bratu-2000: 10^4 entries).
    """
    suffix = _format(path)
    import numpy as np

    ticker = _matplotlib().ticker
    m, n = result.pattern.shape
    rows = np.array([i for i, row in enumerate(result.pattern.rows) for _ in row], dtype=float)
    columns = np.array([j for row in result.pattern.rows for j, _ in row], dtype=float)
    side = 6.0  # inches for the longer side of the matrix
    width, height = (side, side * m / n) if n >= m else (side * n / m, side)
    figure = _matplotlib().figure.Figure(figsize=(max(width, 3.0) + 1.2, max(height, 2.0) + 1.4))
    ax = figure.add_subplot()
    cell = 72 * side / max(m, n, 1)  # points per cell
    many = len(rows) > MANY
    ax.plot(
        columns + 1,
        rows + 1,
        linestyle="none",
        marker="s",
        markersize=max(0.9 * cell, 1.0) if cell >= 2 else 1.0,
        markeredgewidth=0,
        color="#0a3069",
        rasterized=many,
        gid="entries",
    )
    ax.set_xlim(0.5, n + 0.5)
    ax.set_ylim(m + 0.5, 0.5)  # row 1 at the top, as a matrix is written
    ax.set_aspect("equal")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(ticker.MaxNLocator(nbins=8, integer=True, min_n_ticks=1))
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel(f"columns: variables (n = {n})")
    ax.set_ylabel(f"rows: components (m = {m})")
    density = result.nnz / (m * n) if m * n else 0.0
    ax.set_title(
        f"nnz = {result.nnz}, density = {_percent(density)}", fontsize=10, y=-0.04, va="top"
    )
    figure.tight_layout()
    _save(figure, path, suffix)


# --------------------------------------------------------------------------- files


def check_picture(path: str | Path) -> None:
    """Whether a picture can be written to `path` (its extension, matplotlib installed),
    without importing matplotlib: for the commands to say so before the work, not after."""
    import importlib.util

    _format(path)
    if importlib.util.find_spec("matplotlib") is None:
        _matplotlib()  # the message saying how to install it


def _format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"a picture is written as SVG or PNG: name the file *.svg or *.png, "
            f"not '{literal(str(path))}'"
        )
    return suffix


def _matplotlib() -> Any:
    """matplotlib with the submodules used here, or a message saying how to install it."""
    try:
        import matplotlib
        import matplotlib.figure
        import matplotlib.lines
        import matplotlib.ticker
    except ImportError:
        raise UsageError(
            "pictures need matplotlib, an optional extra: pip install 'jaccli[plot]'"
        ) from None
    return matplotlib


def _save(figure: Any, path: str | Path, suffix: str) -> None:
    matplotlib = _matplotlib()
    # Reproducible files: the same input draws the same bytes (ids from a fixed salt, no
    # date); text stays text in the SVG, so it can be searched and selected.
    settings = {"svg.hashsalt": "jac", "svg.fonttype": "none"}
    metadata: dict[str, Any] = {"Date": None} if suffix == ".svg" else {"Software": "jac"}
    try:
        with matplotlib.rc_context(settings):
            figure.savefig(path, format=suffix[1:], metadata=metadata, dpi=120)
    except OSError as error:
        raise UsageError(f"cannot write the picture: {literal(str(error))}") from None


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.3g}%"


def _caption(status: str) -> str:
    if status == "incomplete":
        return "equilibria: incomplete (jac could not prove that there are no others)"
    return f"equilibria: {status}"


def _title(result: StabilityResult, names: Sequence[str]) -> str:
    from jaccli.render.syntax import to_display

    title = ",   ".join(
        f"{v}' = {to_display(f)}" for v, f in zip(names, result.functions, strict=True)
    )
    return title if len(title) <= 90 else "Phase portrait"
