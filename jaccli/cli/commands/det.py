"""jac det: the Jacobian determinant, the factor by which F scales volumes."""

from __future__ import annotations

from typing import Annotated

from jaccli.cli.options import AtOpt, DigitsOpt, Settings, SimplifyOpt, option, problem_command
from jaccli.cli.points import (
    DaskOpt,
    ExplainOpt,
    OnError,
    OnErrorOpt,
    OutputOpt,
    PointsOpt,
    check_explain,
    check_on_error,
    solve_dask,
    solve_points,
)
from jaccli.cli.run import solve

_LOG_HELP = (
    "Also log|det J| and the sign of det J, simplified for real variables, as normalizing "
    "flows use them (plain output: log|det J| alone)."
)
LogOpt = Annotated[bool, option("--log", help=_LOG_HELP, shown=True)]


@problem_command
def det(
    settings: Settings,
    at: AtOpt = None,
    points: PointsOpt = None,
    log: LogOpt = False,
    explain: ExplainOpt = False,
    on_error: OnErrorOpt = OnError.stop,
    dask: DaskOpt = None,
    output: OutputOpt = None,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
) -> None:
    """The Jacobian determinant det J, simplified; or its value with --at, and what it means.

    The Jacobian must be square. Its sign depends on the order of the variables,
    which --vars fixes. --log adds log|det J| and the sign; --points FILE gives det J
    (or with --log its sign and log|det J|) at every point of a file, in double
    precision, as eval --points does.

    \b
      jac det "r*cos(t), r*sin(t)" --vars r,t
      jac det "x+y, x*y" --vars x,y --at x=-1,y=2 --explain
      jac det "x1, x2*exp(tanh(x1)) + x1" --vars x1,x2 --log
      jac det "x^2-y^2, 2*x*y" --vars x,y --points points.csv --log
    """
    from jaccli import engine
    from jaccli.engine.explain import explaining

    check_explain(explain, at, points)
    method = "log" if log else "det"
    if dask is not None or output is not None:
        args = (settings, at, points, False, on_error, dask, output, digits, simplify, method)
        return solve_dask(*args)
    if points is not None:
        return solve_points(settings, at, points, False, on_error, digits, simplify, method)
    check_on_error(on_error)
    determinant = explaining(engine.determinant, explain)
    solve(
        settings,
        lambda p, point, _: determinant(
            p.functions,
            p.variables,
            point=point,
            simplify=simplify is not False,
            digits=digits,
            log=log,
        ),
        at,
    )
