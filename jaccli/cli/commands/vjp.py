"""jac vjp: uᵀJ, the gradient of uᵀF, without forming J (reverse mode)."""

from __future__ import annotations

from jaccli.cli.commands.jvp import CotOpt, solve_product
from jaccli.cli.options import AtOpt, DigitsOpt, Settings, SimplifyOpt, problem_command


@problem_command
def vjp(
    settings: Settings,
    cotangent: CotOpt = None,
    at: AtOpt = None,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
) -> None:
    """uᵀJ, a weighted sum of J's rows, without forming J: one reverse-mode derivative.

    uᵀJ is the gradient of the one scalar uᵀF, computed as that gradient; the full J
    would take one VJP per row. With --at, its exact value there (--digits N to round).

    \b
      jac vjp "x^2+y, x*y" --vars x,y --cot 1,0
      jac vjp "x^2+y, x*y" --vars x,y --cot a,b --at x=1,y=2
      jac vjp "tanh(W*x + b)" --vars x --shape W=2x3,x=3,b=2 --cot "[1,-1]"
    """
    from jaccli.engine import products

    solve_product(settings, products.vjp, "cot", cotangent, at, digits, simplify)
