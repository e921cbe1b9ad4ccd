"""jac jacobian: the matrix itself, entry by entry, as differentiated."""

from __future__ import annotations

from jaccli.cli.options import Settings, SimplifyOpt, problem_command
from jaccli.cli.run import solve


@problem_command
def jacobian(settings: Settings, simplify: SimplifyOpt = None) -> None:
    """The Jacobian matrix: row i, column j holds ∂F_i/∂x_j, as differentiated.

    \b
      jac jacobian "x+y, x*y" --vars x,y
      jac jacobian "x^2+y*z, sin(x*y), e^(x+z)" --vars x,y,z --format latex
      seq 1 3 | sed 's/.*/x^&/' | jac jacobian - --vars x
    """
    from jaccli import engine

    solve(
        settings,
        lambda p, _, progress: engine.jacobian(
            p.functions,
            p.variables,
            simplify=bool(simplify),
            progress=progress,
            structure=p.structure,
        ),
        progress="differentiating",
    )
