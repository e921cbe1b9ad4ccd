"""jac jvp: J·v, the derivative of F along v, without forming J (forward mode)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Optional

from jaccli.cli.options import AtOpt, DigitsOpt, Settings, SimplifyOpt, option, problem_command
from jaccli.cli.run import solve
from jaccli.errors import UsageError

if TYPE_CHECKING:
    from jaccli.engine import Result

_DIR_HELP = (
    "The direction v, one entry per variable: values in order (1,0), by name (x=1,y=0), "
    "symbols (a,b), or with --shape a vector ([1,0,2] or x=[1,0,2])."
)
_COT_HELP = (
    "The cotangent u, one entry per component of F (per entry, for a vector or matrix "
    "component): values in order (1,0), by row (f1=1,f2=0), symbols (a,b), or a vector ([1,0,2])."
)
# Declared side by side: v and u are read alike (jaccli.engine.products.read_vector).
DirOpt = Annotated[Optional[str], option("--dir", metavar="1,0", help=_DIR_HELP)]  # noqa: UP045
CotOpt = Annotated[Optional[str], option("--cot", metavar="1,0", help=_COT_HELP)]  # noqa: UP045


@problem_command
def jvp(
    settings: Settings,
    direction: DirOpt = None,
    at: AtOpt = None,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
) -> None:
    """J·v, the derivative of F along v, without forming J: one forward-mode derivative.

    J·v is d/dε F(x + εv) at ε = 0, computed as that one derivative; the full J would
    take one JVP per column. With --at, its exact value there (--digits N to round).

    \b
      jac jvp "x^2+y, x*y" --vars x,y --dir 1,0
      jac jvp "x^2+y, x*y" --vars x,y --dir x=a,y=b --at x=1,y=2
      jac jvp "tanh(W*x + b)" --vars x --shape W=2x3,x=3,b=2 --dir "[1,0,0]"
    """
    from jaccli.engine import products

    solve_product(settings, products.jvp, "dir", direction, at, digits, simplify)


def solve_product(
    settings: Settings,
    method: Callable[..., Result],
    input: str,
    text: str | None,
    at: list[str] | None,
    digits: int | None,
    simplify: bool | None,
) -> None:
    """jvp and vjp: `method(F, x, vector, point=..., digits=..., simplify=...)`, the vector
    read from `text` (--dir or --cot) with F's variables, shapes and limits."""
    from jaccli.engine import products

    if not text:
        what = "direction v: --dir 1,0" if input == "dir" else "cotangent u: --cot 1,0"
        raise UsageError(f"{settings.command} needs the {what} (one value per {_EACH[input]})")
    solve(
        settings,
        lambda p, point, _: method(
            p.functions,
            p.variables,
            products.read_vector(text, p, input),
            point=point,
            digits=digits,
            simplify=bool(simplify),
        ),
        at,
    )


_EACH = {"dir": "variable", "cot": "component of F"}
