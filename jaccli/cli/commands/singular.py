"""jac singular: where J loses rank, or how far from singular it is at a point."""

from __future__ import annotations

from jaccli.cli.options import AtOpt, DigitsOpt, Settings, problem_command
from jaccli.cli.run import solve


@problem_command
def singular(settings: Settings, at: AtOpt = None, digits: DigitsOpt = None) -> None:
    """Singular configurations: where the Jacobian J loses rank.

    A square J is singular where det J = 0: det J is factored and each factor solved over
    the reals, families kept (q2 = kπ, k ∈ ℤ); a factor in the parameters alone is a
    condition on them, and one that cannot be solved is given as its equation. A
    non-square J loses rank where all its maximal minors vanish, i.e. det(J Jᵀ) = 0.
    With --at: the singular values, the rank, the condition number σ_max/σ_min (oo where
    singular) and the manipulability √det(J Jᵀ) (--digits N to round).

    \b
      jac singular "l1*cos(q1) + l2*cos(q1+q2), l1*sin(q1) + l2*sin(q1+q2)" --vars q1,q2
      jac singular "r*cos(t), r*sin(t)" --vars r,t
      jac singular "cos(a) + cos(a+b) + cos(a+b+c), sin(a) + sin(a+b) + sin(a+b+c)" --vars a,b,c
      jac singular "cos(a) + cos(a+b), sin(a) + sin(a+b)" --vars a,b --at a=0,b=pi/2
    """
    from jaccli import engine

    solve(
        settings,
        lambda p, point, _: engine.singular(p.functions, p.variables, point=point, digits=digits),
        at,
    )
