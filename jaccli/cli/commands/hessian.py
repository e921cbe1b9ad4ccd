"""jac hessian: the symmetric matrix of second derivatives, per component or bordered."""

from __future__ import annotations

from typing import Annotated, Optional

from jaccli.cli.options import AtOpt, DigitsOpt, Settings, SimplifyOpt, option, problem_command
from jaccli.cli.run import solve

_CONSTRAINTS_HELP = (
    "Constraints g1, g2, ... meaning g = 0 (x+y-1 for x + y = 1): the bordered Hessian "
    "[[0, ∂g/∂x], [(∂g/∂x)ᵀ, H]], in SymPy's layout."
)
ConstraintsOpt = Annotated[
    Optional[str],  # noqa: UP045
    option("--constraints", metavar="g1,g2", help=_CONSTRAINTS_HELP),
]


@problem_command
def hessian(
    settings: Settings,
    constraints: ConstraintsOpt = None,
    at: AtOpt = None,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
) -> None:
    """The Hessian: the symmetric matrix of second derivatives ∂²f/∂x_i∂x_j.

    One matrix per component of F. Each pair is differentiated once; for input that is
    not smooth (abs, sign, relu, max, min) the other order is compared too, with a
    warning where they differ. --at gives the exact value (--digits N to round).

    \b
      jac hessian "x^3*y + exp(x*y)" --vars x,y
      jac hessian "(1-x)^2 + 100*(y-x^2)^2" --vars x,y --at x=1,y=1
      jac hessian "x*y" --vars x,y --constraints "x+y-1"
      jac hessian "x'*A*x" --vars x --shape A=3x3,x=3
    """
    from jaccli import engine
    from jaccli.engine.hessian import read_constraints

    solve(
        settings,
        lambda p, point, _: engine.hessian(
            p.functions,
            p.variables,
            constraints=read_constraints(constraints, p) if constraints is not None else (),
            point=point,
            digits=digits,
            simplify=bool(simplify),
        ),
        at,
    )
