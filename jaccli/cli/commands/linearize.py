"""jac linearize: the affine map that best approximates F near a point."""

from __future__ import annotations

from jaccli.cli.options import AtOpt, DigitsOpt, Settings, SimplifyOpt, problem_command
from jaccli.cli.run import solve_at
from jaccli.errors import UsageError


@problem_command
def linearize(
    settings: Settings, at: AtOpt = None, digits: DigitsOpt = None, simplify: SimplifyOpt = None
) -> None:
    """The linearization L(x) = F(a) + J(a)(x − a) at the point a given by --at.

    Shows F(a), J(a) and L; plain output is L alone, one component a line.

    \b
      jac linearize "x^2+y, x*y" --vars x,y --at x=1,y=2
    """
    from jaccli import engine

    if not at:
        raise UsageError("linearize needs the point a: --at x=1,y=2")
    solve_at(settings, engine.linearize, at, digits, simplify)
