"""jac eig: the eigenvalues of J at a point (or of a matrix typed as rows), exact if possible."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from jaccli.cli.options import AtOpt, DigitsOpt, Settings, SimplifyOpt, option, problem_command
from jaccli.cli.run import solve
from jaccli.errors import UsageError

_MATRIX_HELP = (
    "F is a square matrix, not functions: rows separated by ';' (or newlines, or given as "
    "separate arguments), entries by ','. Its symbols are parameters (values with --at)."
)
MatrixOpt = Annotated[bool, option("--matrix", help=_MATRIX_HELP, shown=True)]
_VECTORS_HELP = "Also a basis of each eigenspace (a defective eigenvalue has fewer vectors)."
VectorsOpt = Annotated[bool, option("--vectors", help=_VECTORS_HELP, shown=True)]


@problem_command
def eig(
    settings: Settings,
    matrix: MatrixOpt = False,
    at: AtOpt = None,
    vectors: VectorsOpt = False,
    digits: DigitsOpt = None,
    simplify: SimplifyOpt = None,
) -> None:
    """Eigenvalues of J (at --at), with tr J, det J and the characteristic polynomial.

    Exact where the factors of det(λI − J) have formulas for their roots, with their
    multiplicities and symbolic parameters kept; otherwise numeric to --digits (15 by
    default), checked at two precisions. At an equilibrium (F = 0 there) a note says
    what the eigenvalues make of it for dx/dt = F(x): node, focus, saddle, or
    "linearization inconclusive" when one lies on the imaginary axis.

    \b
      jac eig "x - x*y, -y + x*y" --vars x,y --at x=1,y=1
      jac eig "w, -sin(t) - w/2" --vars t,w --at t=pi,w=0
      jac eig --matrix "0, 1; -1, -b"
      jac eig --matrix "2, 1; 0, 2" --vectors
    """
    from jaccli import engine
    from jaccli.engine.eigen import eig_matrix, matrix_rows

    if not matrix:
        solve(
            settings,
            lambda p, point, _: engine.eig(
                p.functions,
                p.variables,
                point=point,
                digits=digits,
                vectors=vectors,
                simplify=bool(simplify),
            ),
            at,
        )
        return
    if settings.vars_text is not None:
        raise UsageError("--matrix reads a matrix, whose symbols are parameters: leave out --vars")
    rows = tuple(f.replace(";", "\n") for f in settings.functions)
    solve(
        replace(settings, functions=rows),
        lambda p, point, _: eig_matrix(matrix_rows(p), point=point, digits=digits, vectors=vectors),
        at,
    )
