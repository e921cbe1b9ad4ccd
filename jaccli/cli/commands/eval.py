"""jac eval: J at one point, exactly, or at every point of a file, in double precision."""

from __future__ import annotations

from jaccli.cli.options import AtOpt, DigitsOpt, Settings, SimplifyOpt, problem_command
from jaccli.cli.points import (
    DaskOpt,
    ExplainOpt,
    OnError,
    OnErrorOpt,
    OutputOpt,
    PointsOpt,
    WithValueOpt,
    check_explain,
    check_one_point,
    solve_dask,
    solve_points,
)
from jaccli.cli.run import solve_at


@problem_command
def eval_(
    settings: Settings,
    at: AtOpt = None,
    points: PointsOpt = None,
    with_value: WithValueOpt = False,
    on_error: OnErrorOpt = OnError.stop,
    explain: ExplainOpt = False,
    dask: DaskOpt = None,
    output: OutputOpt = None,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
) -> None:
    """The Jacobian at a point: exact (0.1 means 1/10), or --digits N significant digits.

    Symbols that are neither variables nor given in --at stay symbolic. With
    --points FILE, J at every point of a CSV, TSV, JSON Lines or JSON array file,
    in double precision, one record per point (--at then gives parameters). A row
    that cannot be read stops the run after the rows before it are written (exit
    2), or with --on-error skip is written as nan (null in JSON) with a warning.
    With --dask, the partitions of a Parquet dataset run on Dask's workers and
    each writes its own file into --output DIR.

    \b
      jac eval "x+y, x*y" --vars x,y --at x=-1,y=2
      jac eval "sin(x*y)" --vars x,y --at x=pi/3,y=1 --digits 6
      jac eval "x^2+y, x*y" --vars x,y --at x=1,y=2 --explain
      jac eval "x^2+y, x*y" --vars x,y --points trajectory.csv > jacobians.csv
      jac eval "x^2+y, x*y" --vars x,y --points data/ --dask local --output out/
    """
    from jaccli import engine
    from jaccli.engine.explain import explaining

    if dask is not None or output is not None:
        check_explain(explain, at, points)
        args = (settings, at, points, with_value, on_error, dask, output, digits, simplify)
        return solve_dask(*args)
    if points is not None:
        check_explain(explain, at, points)
        return solve_points(settings, at, points, with_value, on_error, digits, simplify)
    check_one_point(at, with_value, on_error)
    solve_at(settings, explaining(engine.evaluate, explain), at, digits, simplify)
