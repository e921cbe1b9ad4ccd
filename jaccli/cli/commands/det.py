"""jac det: the Jacobian determinant, the factor by which F scales volumes."""

from __future__ import annotations

from jaccli.cli.options import AtOpt, DigitsOpt, Settings, SimplifyOpt, problem_command
from jaccli.cli.run import solve


@problem_command
def det(
    settings: Settings, at: AtOpt = None, digits: DigitsOpt = None, simplify: SimplifyOpt = None
) -> None:
    """The Jacobian determinant det J, simplified; or its value with --at.

    The Jacobian must be square. Its sign depends on the order of the variables,
    which --vars fixes.

    \b
      jac det "r*cos(t), r*sin(t)" --vars r,t
      jac det "x+y, x*y" --vars x,y --at x=-1,y=2
    """
    from jaccli import engine

    solve(
        settings,
        lambda p, point, _: engine.determinant(
            p.functions, p.variables, point=point, simplify=simplify is not False, digits=digits
        ),
        at,
    )
