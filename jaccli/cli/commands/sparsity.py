"""jac sparsity: which entries of J are not zero, and how few products recover J."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

from jaccli.cli.options import Settings, option, problem_command
from jaccli.cli.run import solve

if TYPE_CHECKING:
    from jaccli.engine import SparsityResult
    from jaccli.problem import Problem

_PLOT_HELP = (
    "Also draw the pattern (a spy plot) into FILE, .svg or .png. Needs matplotlib: "
    "pip install 'jaccli[plot]'."
)
PlotOpt = Annotated[Optional[Path], option("--plot", metavar="FILE", help=_PLOT_HELP)]  # noqa: UP045


@problem_command
def sparsity(settings: Settings, plot: PlotOpt = None) -> None:
    """The sparsity pattern of J: where it is not zero, and what that structure buys.

    A picture of the pattern (shaded blocks for a big J), the number of non-zero entries,
    density, bandwidth and structural rank (rank J can never exceed it), and colourings:
    columns of one colour share no row, so one JVP gives all of them and J costs as many
    JVPs as colours (rows: VJPs). The pattern is J's entries that are not 0 as `jac jacobian`
    writes them. Plain output lists the entries as `row<TAB>column` lines, from 1.

    \b
      jac sparsity "x*y, y+z, z^2" --vars x,y,z
      jac sparsity - --vars u0,u1,u2,u3 --format json < system.txt
      jac sparsity "x*y, y+z, z^2" --vars x,y,z --plot pattern.svg
    """
    from jaccli import engine
    from jaccli.render.plot import check_picture

    if plot is not None:  # a bad file name or no matplotlib: said before the work, not after
        check_picture(plot)

    def compute(p: Problem, _: Any, progress: Any) -> SparsityResult:
        result = engine.sparsity(p.functions, p.variables, progress=progress)
        if plot is not None:
            from jaccli.render.plot import spy

            spy(result, plot)
        return result

    solve(settings, compute, progress="differentiating")
