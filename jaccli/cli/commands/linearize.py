"""jac linearize: the affine map that best approximates F near a point."""

from __future__ import annotations

from typing import Annotated, Optional

from jaccli.cli.options import AtOpt, DigitsOpt, Settings, SimplifyOpt, option, problem_command
from jaccli.cli.points import ExplainOpt, check_explain
from jaccli.cli.run import solve_at
from jaccli.errors import UsageError

# Not an option of linearize: declared (hidden) so that it gets an answer, not "no such option".
_POINTS_HELP = "Not for linearize: eval --points FILE --with-value gives F and J at every point."
NoPointsOpt = Annotated[
    Optional[str],  # noqa: UP045
    option("--points", metavar="FILE", help=_POINTS_HELP, hidden=True),
]


@problem_command
def linearize(
    settings: Settings,
    at: AtOpt = None,
    explain: ExplainOpt = False,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
    points: NoPointsOpt = None,
) -> None:
    """The linearization L(x) = F(a) + J(a)(x − a) at the point a given by --at.

    Shows F(a), J(a) and L; plain output is L alone, one component a line. For many
    points, eval --points FILE --with-value gives F and J at each.

    \b
      jac linearize "x^2+y, x*y" --vars x,y --at x=1,y=2
      jac linearize "x^2+y, x*y" --vars x,y --at x=1,y=2 --explain
    """
    from jaccli import engine
    from jaccli.engine.explain import explaining

    if points is not None:
        raise UsageError(
            "linearize --points: F(a) + J(a)(x − a) has no meaning over a file of points; "
            "eval --points FILE --with-value evaluates F and J together at every point"
        )
    if not at:
        raise UsageError("linearize needs the point a: --at x=1,y=2")
    check_explain(explain, at, None)
    solve_at(settings, explaining(engine.linearize, explain), at, digits, simplify)
