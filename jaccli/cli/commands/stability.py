"""jac stability: the equilibria of dx/dt = F(x), classified, and how complete the list is."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

from jaccli.cli.options import DigitsOpt, Settings, option, problem_command
from jaccli.cli.run import solve

if TYPE_CHECKING:
    from jaccli.engine import StabilityResult
    from jaccli.problem import Problem

_BOX_HELP = (
    "Where the numeric search for equilibria starts: x=-5:5,y=0:3 (name=low:high; a "
    "variable not named keeps -10:10), or -5:5 for every variable (write --box=-5:5)."
)
BoxOpt = Annotated[Optional[str], option("--box", metavar="x=-5:5,y=0:3", help=_BOX_HELP)]  # noqa: UP045
_PLOT_HELP = (
    "Draw the phase portrait of a 2-D system to FILE (.svg or .png): the vector field, "
    "nullclines, trajectories and the equilibria by type. Needs matplotlib "
    "(pip install 'jaccli[plot]')."
)
PlotOpt = Annotated[Optional[Path], option("--plot", metavar="FILE", help=_PLOT_HELP)]  # noqa: UP045


@problem_command
def stability(
    settings: Settings,
    box: BoxOpt = None,
    digits: DigitsOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Equilibria of dx/dt = F(x), each classified by the eigenvalues of J there.

    F = 0 is solved exactly where SymPy can (a polynomial system by a Gröbner basis;
    otherwise equation by equation, keeping families such as θ = 2kπ, k ∈ ℤ, and lines of
    equilibria), and Newton's method from seeded starts in --box checks it and finds what
    it missed. The status says whether the list is complete, made of families, or
    incomplete. Where an eigenvalue has zero real part the type is "linearization
    inconclusive"; with parameters, the Routh–Hurwitz conditions say when it is stable.

    \b
      jac stability "x - x*y, -y + x*y" --vars x,y
      jac stability "w, -sin(t) - w/2" --vars t,w
      jac stability "w, -sin(t) - b*w" --vars t,w
      jac stability "cos(x) - x, -y" --vars x,y --box x=-20:20
    """
    from jaccli import engine
    from jaccli.render.plot import check_picture

    if plot is not None:  # a bad file name or no matplotlib: said before the work, not after
        check_picture(plot)

    def compute(p: Problem, _point: object, _progress: object) -> StabilityResult:
        result = engine.stability(p.functions, p.variables, box=box, digits=digits)
        if plot is not None:
            from jaccli.engine.stability import read_box
            from jaccli.render.plot import phase_portrait

            window = read_box(box, result.variables).bounds if box else None
            phase_portrait(result, plot, box=window)
        return result

    solve(settings, compute)
