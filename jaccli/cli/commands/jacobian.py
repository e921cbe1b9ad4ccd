"""jac jacobian: the matrix itself, entry by entry, as differentiated."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from jaccli.cli.options import Settings, SimplifyOpt, option, problem_command
from jaccli.cli.run import solve

# jaccli.render.forms says when the entries give way to the matrix form, and why.
_EXPAND_HELP = (
    "Every entry in table and LaTeX output, even when J is in matrix form and its entries "
    "are too many to read (over 400)."
)
ExpandOpt = Annotated[bool, option("--expand", help=_EXPAND_HELP, shown=True)]
_INDEX_HELP = (
    "With --shape: each block also in index notation, ∂y_i/∂x_j = Σ_k W[i,k] δ_kj = W[i,j]."
)
IndexOpt = Annotated[bool, option("--index", help=_INDEX_HELP, shown=True)]


@problem_command
def jacobian(
    settings: Settings,
    simplify: SimplifyOpt = None,
    expand: ExpandOpt = False,
    index: IndexOpt = False,
) -> None:
    """The Jacobian matrix: row i, column j holds ∂F_i/∂x_j, as differentiated.

    With vectors and matrices (--shape), also J in matrix form where jac recognises it.

    \b
      jac jacobian "x+y, x*y" --vars x,y
      jac jacobian "x^2+y*z, sin(x*y), e^(x+z)" --vars x,y,z --format latex
      jac jacobian "sigmoid(W*x + b)" --vars x --shape W=3x2,x=2,b=3
      seq 1 3 | sed 's/.*/x^&/' | jac jacobian - --vars x
    """
    from jaccli import engine

    solve(
        replace(settings, render=settings.render._replace(expand=expand)),
        lambda p, _, progress: engine.jacobian(
            p.functions,
            p.variables,
            simplify=bool(simplify),
            progress=progress,
            structure=p.structure,
            index=index,
        ),
        progress="differentiating",
    )
