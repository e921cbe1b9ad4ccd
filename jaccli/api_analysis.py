"""The Python API of the analysis commands (eig, stability, singular, sparsity).

Kept beside `jaccli.api`, whose readers, budgets and warnings they share, so that each
module stays readable; `jaccli.eig(...)` and the others are re-exported from `jaccli`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from jaccli.api import AtPoint, Budget, Functions, Variables, _known, _solve
from jaccli.errors import UsageError

if TYPE_CHECKING:
    from typing import Unpack

    from jaccli.engine import EigResult, SingularResult, SparsityResult, StabilityResult
    from jaccli.problem import PointText, ShapesText

__all__ = ["eig", "singular", "sparsity", "stability"]

# Each public function: read the problem with `_solve` (the budget, the warnings, carets
# noted on errors), then call its engine function; see jaccli.api.grad for the pattern.


def eig(
    functions: Functions,
    vars: Variables = None,
    *,
    at: PointText | None = None,
    matrix: bool = False,
    vectors: bool = False,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    **options: Unpack[AtPoint],
) -> EigResult:
    """The eigenvalues of J at `at` (symbolic without it), or with `matrix=True` of the
    square matrix `functions` typed as rows ("0, 1; -1, -b", or one text per row), whose
    symbols are parameters (values with `at`). `.eigenvalues` holds each distinct value
    with its multiplicity (and with `vectors` a basis of its eigenspace), `.exact` whether
    all are exact (else numeric to `digits`, 15 by default); `.values` hold tr, det and
    det(λI − J).

        >>> [str(e.value) for e in jaccli.eig("0, 1; -1, 0", matrix=True).eigenvalues]
        ['-I', 'I']
    """
    from jaccli import engine
    from jaccli.api import _derivatives
    from jaccli.engine.eigen import eig_matrix, matrix_rows

    if not matrix:
        more: dict[str, object] = {"vectors": vectors}
        return _derivatives(
            engine.eig, functions, vars, at, options, shape, abstract, lambda _: more
        )
    if vars is not None:
        raise UsageError("matrix=True reads a matrix, whose symbols are parameters: omit {vars}")
    _known(options, AtPoint)
    digits = options.get("digits")
    rows = [functions] if isinstance(functions, str) else list(functions)
    return _solve(
        [row.replace(";", "\n") if isinstance(row, str) else row for row in rows],
        None,
        at,
        lambda p, point: eig_matrix(matrix_rows(p), point=point, digits=digits, vectors=vectors),
        Budget(timeout=options.get("timeout"), max_memory=options.get("max_memory")),
        shape,
        abstract,
    )


def singular(
    functions: Functions,
    vars: Variables = None,
    *,
    at: PointText | None = None,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    digits: int | None = None,
    **budget: Unpack[Budget],
) -> SingularResult:
    """Where J loses rank. Square J: `.determinant` (det J) and `.branches`, its factors
    each solved over the reals where possible (`Branch.solutions`, families with an
    integer k: `.where` "k ∈ ℤ"; `.solved` False for an equation jac could not solve).
    Non-square J: `.determinant` is det(J Jᵀ) (det(Jᵀ J) when m > n), zero exactly where
    the rank drops. With `at`: `.singular_values` (largest first), `.rank`, `.condition`
    (oo where singular) and `.manipulability` √det(J Jᵀ); `digits` rounds them.

        >>> jaccli.singular("r*cos(t), r*sin(t)", vars="r,t").branches[0].solutions
        ((r, 0),)
    """
    from jaccli import engine

    return _solve(
        functions,
        vars,
        at,
        lambda p, point: engine.singular(p.functions, p.variables, point=point, digits=digits),
        budget,
        shape,
        abstract,
    )


def sparsity(
    functions: Functions,
    vars: Variables = None,
    *,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    **budget: Unpack[Budget],
) -> SparsityResult:
    """Which entries of J are not zero (`.pattern`, its entries 1; `.nnz`), `.bandwidth`
    (lower, upper), `.structural_rank` (rank J never exceeds it) and colourings from 0:
    `.column_colors` (columns of a colour share no row: J from one JVP per colour) and
    `.row_colors` (from one VJP per colour). The pattern is J's entries that are not 0 as
    `jacobian` gives them.

        >>> jaccli.sparsity("x*y, y+z", vars="x,y,z").column_colors
        (0, 1, 0)
    """
    from jaccli import engine

    return _solve(
        functions,
        vars,
        None,
        lambda p, _: engine.sparsity(p.functions, p.variables),
        budget,
        shape,
        abstract,
    )


def stability(
    functions: Functions,
    vars: Variables = None,
    *,
    box: str | Mapping[str, tuple[float, float]] | None = None,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    digits: int | None = None,
    **budget: Unpack[Budget],
) -> StabilityResult:
    """The equilibria of dx/dt = F(x) (`.equilibria`: point, family, J there, eigenvalues,
    type), `.status` ("complete", "families" or "incomplete") and `.reason`. F = 0 is
    solved exactly where SymPy can and searched numerically in `box` ("x=-5:5,y=0:3" or
    {"x": (-5, 5)}; -10 to 10 otherwise); with parameters, `.conditions` holds the
    Routh–Hurwitz conditions of each equilibrium (stable where every one is > 0).

        >>> jaccli.stability("x - x*y, -y + x*y", vars="x,y").status
        'complete'
    """
    from jaccli import engine

    return _solve(
        functions,
        vars,
        None,
        lambda p, _: engine.stability(p.functions, p.variables, box=box, digits=digits),
        budget,
        shape,
        abstract,
    )
