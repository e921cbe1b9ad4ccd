"""jac grad: ∇f of one scalar function, the column whose transpose is its Jacobian."""

from __future__ import annotations

from jaccli.cli.options import AtOpt, DigitsOpt, Settings, SimplifyOpt, problem_command
from jaccli.cli.run import solve


@problem_command
def grad(
    settings: Settings, at: AtOpt = None, digits: DigitsOpt = None, simplify: SimplifyOpt = None
) -> None:
    """The gradient ∇f of one scalar function f, as a column; its value with --at.

    In jac's layout the Jacobian of f is the row ∇fᵀ; for several functions, their
    gradients are the rows of `jac jacobian`. --at gives the exact value (--digits N
    to round), checked as eval checks J.

    \b
      jac grad "x^2*y + sin(y)" --vars x,y
      jac grad "x^2*y + sin(y)" --vars x,y --at x=1,y=pi
      jac grad "x'*A*x" --vars x --shape A=2x2,x=2
    """
    from jaccli import engine

    solve(
        settings,
        lambda p, point, _: engine.gradient(
            p.functions, p.variables, point=point, digits=digits, simplify=bool(simplify)
        ),
        at,
    )
