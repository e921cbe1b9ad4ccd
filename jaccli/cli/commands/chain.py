"""jac chain: the chain rule J_{G∘H}(x) = J_G(H(x))·J_H(x), with its factors and a proof.

G is the command's F (its variables --vars); H comes with --of (its variables --of-vars,
which are x, the point's). Both are read by `jaccli.engine.presets.read_chain`, which
knows the coordinate presets; the settings below only carry H to it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, Any, Optional

from jaccli.cli.options import (
    AtOpt,
    DigitsOpt,
    Settings,
    names_option,
    option,
    problem_command,
)
from jaccli.cli.run import read_stdin, solve
from jaccli.errors import UsageError

if TYPE_CHECKING:
    from jaccli.engine import Result
    from jaccli.problem import Problem

_OF_HELP = "The inner function H: its components (as for F), a preset, or - for stdin."
OfOpt = Annotated[Optional[list[str]], option("--of", metavar="H", help=_OF_HELP)]  # noqa: UP045
_OF_VARS_HELP = "H's variables x, in column order (default: every symbol of H)."
OfVarsOpt = Annotated[Optional[str], option("--of-vars", metavar="x,y,...", help=_OF_VARS_HELP)]  # noqa: UP045
_SIMPLIFY_HELP = (
    "Simplify the entries (default: unless there are more than 200, which takes long; "
    "not at a point)."
)
SimplifyOpt = Annotated[Optional[bool], option("--simplify/--no-simplify", help=_SIMPLIFY_HELP)]  # noqa: UP045


@dataclass(frozen=True)
class ChainSettings(Settings):
    """The shared settings (G is their F), and H as typed."""

    inner: tuple[str, ...] = ()
    inner_vars: str | None = None

    def problem(self, progress: Callable[[int], None] | None = None) -> Problem:
        """G and H read and checked (small texts: no progress is told)."""
        from jaccli.engine.presets import read_chain

        g, h = (self.functions, self.vars_text), (self.inner, self.inner_vars)
        read = functools.partial(read_chain, stdin=self.stdin, limits=self.limits)
        return read(*g, *h, shapes=self.shapes_text, abstract=self.abstract_text)


@problem_command
def chain(
    settings: Settings,
    of: OfOpt = None,
    of_vars: OfVarsOpt = None,
    at: AtOpt = None,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
) -> None:
    """The chain rule: J_G(u), J_G at u = H(x), J_H(x) and their product J_{G∘H}(x).

    G (F, with --vars u) is applied to H (--of, with --of-vars x); G needs one variable
    per component of H. jac proves the product equals the Jacobian of G(H(x)) computed
    directly (symbolically, or exactly at random points) and says how; when both are
    square it shows det J_{G∘H} = det J_G(H(x))·det J_H(x). --at gives x. Presets for G
    or H: polar, cylindrical, spherical and polar-inverse, cylindrical-inverse,
    spherical-inverse (their variables renamed with --vars or --of-vars).

    \b
      jac chain "u*v, u+v" --vars u,v --of "x^2, sin(y)" --of-vars x,y
      jac chain polar --of polar-inverse
      jac chain "u*v, u+v" --vars u,v --of "x^2, sin(y)" --of-vars x,y --at x=1,y=2
    """
    if not of:
        raise UsageError("chain needs the inner function H: give it with --of")
    if "-" in of and "-" in settings.functions:
        raise UsageError("stdin is read once: give G or H (--of) as '-', not both")
    if of_vars is not None and of_vars.startswith("@"):
        taken = "the functions" if "-" in [*of, *settings.functions] else None
        limit = settings.limits.input
        of_vars = names_option("--of-vars", of_vars, limit, settings.quiet, taken)
    inner = ChainSettings(**vars(settings), inner=tuple(of), inner_vars=of_vars)
    if "-" in of:
        inner = replace(inner, stdin=read_stdin(settings.limits.input, settings.quiet))

    def compute(p: Problem, point: Any, _: Any) -> Result:
        from jaccli import engine
        from jaccli.engine.presets import ChainProblem

        assert isinstance(p, ChainProblem)
        return engine.chain(
            p.outer.functions,
            p.outer_variables,
            p.functions,
            p.variables,
            point=point,
            digits=digits,
            simplify=simplify,
            assume=p.assume,
        )

    solve(inner, compute, at)
