"""What the engine returns: frozen results built by keyword, and the sparse matrix they hold.

Every result starts with the same header (the functions, the variables, whether the
variables were inferred) and names itself for the renderers (`name`, `title`,
`symbol`), so that a renderer reads the labels instead of spelling them out. The
budgeted worker pickles results back to the parent process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeAlias, TypedDict

from jaccli.display import Displayable

if TYPE_CHECKING:
    from symengine import Expr, Symbol

# Strings, so that these aliases exist at run time without importing SymEngine.
Matrix: TypeAlias = "tuple[tuple[Expr, ...], ...]"  # rows of expressions
Point: TypeAlias = "tuple[tuple[Symbol, Expr], ...]"  # (symbol, value) in the order shown
SparseRow: TypeAlias = "tuple[tuple[int, Expr], ...]"  # (column, entry) for the non-zero entries
# A cell of a listing: an expression, words, a count, or several expressions (a point).
Cell: TypeAlias = "Expr | str | int | tuple[Expr, ...]"
Progress = Callable[[int], None]  # called with how many more components are done


def point_label(key: Any) -> str:
    """How a point names what it gives a value to: x, or g'(1) for a declared function."""
    return str(key.name) if key.is_Symbol else str(key)


class Sparse(NamedTuple):
    """A matrix stored by its non-zero entries: Jacobians of big systems are mostly zeros."""

    shape: tuple[int, int]
    rows: tuple[SparseRow, ...]

    def filled(self, cell: Callable[[Any], Any], zero: Any) -> Iterator[list[Any]]:
        """Every row in full, one at a time: `cell(entry)` for the non-zero entries, `zero`
        elsewhere. Zeros are never visited and only one full row exists at once, which
        matters for 2000×2000 Jacobians with 3 entries a row.
        """
        for row in self.rows:
            full = [zero] * self.shape[1]
            for j, e in row:
                full[j] = cell(e)
            yield full

    def dense(self) -> Matrix:
        from symengine import Integer

        return tuple(tuple(row) for row in self.filled(lambda e: e, Integer(0)))

    def mapped(self, fn: Callable[[Any], Any]) -> Sparse:
        """`fn` applied to every entry, the entries that become 0 dropped."""
        rows = tuple(
            tuple((j, v) for j, v in ((j, fn(e)) for j, e in row) if v != 0) for row in self.rows
        )
        return Sparse(self.shape, rows)


class IndexForm(NamedTuple):
    """A block in index notation (`--index`): ∂y_i/∂x_j = Σ_k W[i,k] δ_kj = W[i,j]."""

    left: str  # ∂y_i/∂x_j
    steps: tuple[str, ...]  # with the Kronecker deltas, then contracted (one when they agree)
    latex: str  # the whole equation


class Block(NamedTuple):
    """One block of J in matrix form: the derivative of one component (a scalar, vector or
    matrix expression as typed) by one variable, in jac's vector syntax.

    `form` reads back with jac's parser given `shapes` (which name is which vector or matrix,
    with I the identity of its size): `diag(cos(W*x))*W`, `2*x'`, `I`.
    """

    function: str  # the component as typed: "sigmoid(W*x + b)"
    variable: str  # the variable as typed: "x"
    rows: tuple[int, int]  # the first and last row of J it covers, from 1
    columns: tuple[int, int]  # the first and last column, from 1
    form: str
    shapes: tuple[tuple[str, tuple[int, int]], ...]  # (name, (rows, columns)) for its names
    index_form: IndexForm | None = None  # in index notation, when asked for (--index)


class Header(TypedDict):
    """The fields every result starts with, to build one as `JacobianResult(**header, ...)`."""

    functions: tuple[Expr, ...]
    variables: tuple[Symbol, ...]
    variables_inferred: bool


@dataclass(frozen=True, kw_only=True, repr=False)
class Result(Displayable):
    """What every command's result starts with; `name`, `title` and `symbol` label it."""

    name: ClassVar[str]  # the command
    title: ClassVar[str]  # the heading a renderer shows
    subject: ClassVar[str]  # what it is a value of, in a heading "<subject> at x = 1"
    symbol: ClassVar[str]  # the matrix or value, in formulas
    latex_symbol: ClassVar[str]  # the same in LaTeX

    functions: tuple[Expr, ...]
    variables: tuple[Symbol, ...]
    variables_inferred: bool = False
    # What the computation found suspicious (mixed partials that differ): stderr on the
    # command line, a JacWarning in Python.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, repr=False)
class _WithJacobian(Result):
    """A result holding J (symbolic or at a point) as a sparse matrix."""

    entry_label: ClassVar[str] = "∂fᵢ/∂xⱼ"  # what an entry is, over the rows of a table
    matrix_key: ClassVar[str] = "jacobian"  # the matrix's key in JSON (see jaccli/schemas)

    sparse: Sparse
    digits: int | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.sparse.shape

    @property
    def matrix(self) -> Matrix:
        return self.sparse.dense()


@dataclass(frozen=True, kw_only=True, repr=False)
class JacobianResult(_WithJacobian):
    """J[i][j] = ∂F_i/∂x_j; with vectors and matrices, also J in matrix form where recognised."""

    name, title, subject, symbol, latex_symbol = "jacobian", "Jacobian", "Jacobian", "J", "J"

    matrix_form: tuple[Block, ...] = ()  # empty: not recognised, or no vectors in F


@dataclass(frozen=True, kw_only=True, repr=False)
class DeterminantResult(Result):
    """det J, symbolic or at `point`; with `log`, log|det J| and the sign of det J.

    `log_abs` is log|det J| for real variables, a sum of logs of factors (log|r²sin p| is
    2 log|r| + log|sin p|; log(exp(z)) is z); −∞ where det J = 0. `sign` is the sign of
    det J where it is not 0: a number, or an expression such as sign(sin(p)).
    At a point, `meaning` says what det J does to areas or volumes there, and `explanation`
    (asked for) says it in sentences.
    """

    name, title, subject = "det", "Jacobian determinant", "Jacobian determinant"
    symbol, latex_symbol = "det J", "\\det J"

    determinant: Expr
    point: Point | None = None
    digits: int | None = None
    log_abs: Expr | None = None  # log|det J|, when asked for (--log)
    sign: Expr | None = None  # the sign of det J, with log_abs
    meaning: str | None = None  # at a point: "area scaled by 3, orientation reversed"
    explanation: tuple[str, ...] = ()  # at a point, when asked for (--explain)

    @property
    def singular(self) -> bool:
        """Whether det J is 0 (at the point, or everywhere): log|det J| is −∞ there."""
        return bool(self.determinant == 0)


@dataclass(frozen=True, kw_only=True, repr=False)
class EvaluationResult(_WithJacobian):
    """J at a point: exact, or rounded to `digits` significant digits."""

    name, title, subject, symbol, latex_symbol = "eval", "Jacobian at a point", "Jacobian", "J", "J"

    point: Point
    explanation: tuple[str, ...] = ()  # J read in words, when asked for (--explain)


@dataclass(frozen=True, kw_only=True, repr=False)
class LinearizationResult(_WithJacobian):
    """L(x) = F(a) + J(a)(x − a), with F(a) and J(a)."""

    name, title, subject = "linearize", "Linearization", "Linearization"
    symbol, latex_symbol = "L", "L"

    point: Point
    value: tuple[Expr, ...]
    linearization: tuple[Expr, ...]
    explanation: tuple[str, ...] = ()  # L read in words, when asked for (--explain)


# --------------------------------------------------------------------------- matrices


class Part(NamedTuple):
    """One labelled matrix of a result: ∇f, the Hessian of f1, J·v, J_G at u = H(x).

    A vector is a matrix with one column (∇f, J·v) or one row (uᵀJ). Every format draws a
    result's parts the same way, so a new command whose answer is matrices needs no renderer.
    """

    key: str  # what it is, for scripts (JSON "name"): "gradient", "hessian", "jvp", ...
    label: str  # in text: "∇f", "H(f1)", "J·v", "J_G(H(x))"
    latex: str  # in LaTeX: "\\nabla f", "H_{f_{1}}"
    sparse: Sparse
    rows: tuple[str, ...]  # what each row is, in text: ("x", "y") or ("f1", "f2")
    columns: tuple[str, ...]  # what each column is: ("x", "y"); ("",) for a column vector
    plain: bool = True  # plain output (for pipes) shows it; False: table, LaTeX, JSON only

    @property
    def matrix(self) -> Matrix:
        return self.sparse.dense()


class Value(NamedTuple):
    """One named scalar of a result: tr J, det J, the characteristic polynomial, cond(J)."""

    key: str  # for scripts (JSON key): "trace"
    label: str  # in text: "tr J"
    latex: str  # in LaTeX: "\\operatorname{tr} J"
    value: Expr
    plain: bool = False  # plain output (for pipes) shows it, alone on a line


class Column(NamedTuple):
    key: str  # the cell's key in each row's JSON object: "eigenvalue"
    label: str  # its heading in a table and in LaTeX (as text): "eigenvalue"


class Listing(NamedTuple):
    """Rows with the same columns: eigenvalues with their multiplicities, equilibria with
    their eigenvalues and type, branches of det J = 0.

    Table: a table under `label`; LaTeX: an array with a text heading row; JSON: a list of
    objects by column key (an expression as text, several as a list, words as they are);
    plain (when `plain`): one line a row, cells joined by tabs, several expressions in a
    cell by ", ".
    """

    key: str  # for scripts (JSON key): "equilibria"
    label: str  # heading: "Equilibria"
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    plain: bool = False


@dataclass(frozen=True, kw_only=True, repr=False)
class MatricesResult(Result):
    """A result that is one or more labelled matrices (`parts`), maybe at a point, with
    sentences for people (`notes`: the cost of a JVP, asymmetric mixed partials, how the
    chain rule was proved) and named inputs shown beside it (`given`: the direction v);
    an analysis adds named scalars (`values`: tr J) and tables (`listings`: eigenvalues).

    Table, plain, LaTeX and JSON draw every subclass; JSON gives each part as
    {"name", "label", "shape", "rows", "columns", "entries"}, `given` as lists of
    expressions by name, `facts` as strings by name, `values` as expressions by key and
    `listings` as lists of objects by key.
    """

    parts: tuple[Part, ...] = ()
    point: Point | None = None
    digits: int | None = None
    given: tuple[tuple[str, tuple[Expr, ...]], ...] = ()  # ("direction", (1, 0)): shown beside
    facts: tuple[tuple[str, str], ...] = ()  # ("proof", "symbolic"): strings for scripts
    notes: tuple[str, ...] = ()  # sentences under the result (table, JSON "notes")
    values: tuple[Value, ...] = ()  # named scalars, after the parts
    listings: tuple[Listing, ...] = ()  # tables, after the values

    @property
    def matrix(self) -> Matrix:
        """The answer: the last part shown in plain output (∇f, J·v, J_{G∘H})."""
        return [p for p in self.parts if p.plain][-1].matrix


@dataclass(frozen=True, kw_only=True, repr=False)
class GradientResult(MatricesResult):
    """∇f of a scalar f, as a column: in jac's layout its Jacobian is the row ∇fᵀ."""

    name, title, subject, symbol, latex_symbol = "grad", "Gradient", "Gradient", "∇f", "\\nabla f"


@dataclass(frozen=True, kw_only=True, repr=False)
class HessianResult(MatricesResult):
    """The Hessian of each component (or the bordered Hessian with `constraints`)."""

    name, title, subject, symbol, latex_symbol = "hessian", "Hessian", "Hessian", "H", "H"

    constraints: tuple[Expr, ...] = ()


@dataclass(frozen=True, kw_only=True, repr=False)
class JvpResult(MatricesResult):
    """J·v, one forward-mode derivative d/dε F(x + εv) at ε = 0, without forming J."""

    name, title = "jvp", "Jacobian-vector product"
    subject, symbol, latex_symbol = "J·v", "J·v", "J v"

    direction: tuple[Expr, ...]


@dataclass(frozen=True, kw_only=True, repr=False)
class VjpResult(MatricesResult):
    """uᵀJ, one reverse-mode derivative: the gradient of uᵀF, without forming J."""

    name, title = "vjp", "Vector-Jacobian product"
    subject, symbol, latex_symbol = "uᵀJ", "uᵀJ", "u^{\\mathsf{T}} J"

    cotangent: tuple[Expr, ...]


@dataclass(frozen=True, kw_only=True, repr=False)
class ChainResult(MatricesResult):
    """J_{G∘H}(x) = J_G(H(x))·J_H(x): the factors, their product, and how it was proved.

    The header's `functions` and `variables` are the composition G∘H and x; `outer` is G in
    its own variables u (`outer_variables`), `inner` is H.
    """

    name, title, subject = "chain", "Chain rule", "Chain rule"
    symbol, latex_symbol = "J_{G∘H}", "J_{G \\circ H}"

    outer: tuple[Expr, ...]
    outer_variables: tuple[Symbol, ...]
    inner: tuple[Expr, ...]


# --------------------------------------------------------------------------- analysis


class Eigenvalue(NamedTuple):
    """One eigenvalue with its algebraic multiplicity (and its eigenvectors, when asked for)."""

    value: Expr  # exact, or a Float/complex rounded to the result's digits
    multiplicity: int
    vectors: tuple[tuple[Expr, ...], ...] = ()  # a basis of its eigenspace (--vectors)


@dataclass(frozen=True, kw_only=True, repr=False)
class EigResult(MatricesResult):
    """The eigenvalues of J at a point (or of a matrix given as rows), with tr, det and the
    characteristic polynomial; exact where they can be found, else numeric (`exact` False).
    """

    name, title, subject, symbol, latex_symbol = (
        "eig",
        "Eigenvalues",
        "Eigenvalues",
        "λ",
        "\\lambda",
    )

    eigenvalues: tuple[Eigenvalue, ...]
    exact: bool = True

    def _answer(self) -> Matrix:
        """The eigenvalues as a column, each as often as its multiplicity (numpy's eigvals)."""
        return tuple((e.value,) for e in self.eigenvalues for _ in range(e.multiplicity))


class Equilibrium(NamedTuple):
    """A point (or a family of points) where F = 0, and what the linearization says there."""

    point: tuple[Expr, ...]  # in the order of the variables; may hold a family's parameters
    where: str  # "" for one point; for a family, its parameters: "k ∈ ℤ", "S ∈ ℝ"
    jacobian: Sparse  # J at the point
    eigenvalues: tuple[Eigenvalue, ...]
    type: str  # "stable focus", "saddle (1 unstable direction)", "linearization inconclusive"
    hyperbolic: bool  # no eigenvalue on the imaginary axis: Hartman–Grobman applies
    found: str  # "exact" or "numeric"
    residual: Expr  # max |F_i| at the point (0 when exact)


@dataclass(frozen=True, kw_only=True, repr=False)
class StabilityResult(MatricesResult):
    """The equilibria of dx/dt = F(x), each classified by the eigenvalues of J there, and
    how complete the list is (`status`: complete, families or incomplete; `reason`: why).
    """

    name, title, subject = "stability", "Stability of equilibria", "Equilibria"
    symbol, latex_symbol = "J", "J"

    equilibria: tuple[Equilibrium, ...]
    status: str  # "complete", "families" or "incomplete"
    reason: str  # why complete ("a polynomial system solved exactly"), or what was tried
    # With parameters: per equilibrium (in their order), stable where every one is > 0.
    conditions: tuple[tuple[Expr, ...], ...] = ()

    def _answer(self) -> Matrix:
        """The equilibria, a row each (a family's with its parameter, k or S)."""
        return tuple(e.point for e in self.equilibria)


class Branch(NamedTuple):
    """One factor of the condition for rank loss (det J = 0), solved where jac could."""

    equation: Expr  # = 0
    solutions: tuple[tuple[Expr, ...], ...]  # (variable, value) pairs flattened per solution
    where: str  # a family's parameters: "k ∈ ℤ"; "" otherwise
    solved: bool  # False: reported as the equation, which jac could not solve


@dataclass(frozen=True, kw_only=True, repr=False)
class SingularResult(MatricesResult):
    """Where J loses rank: det J = 0 as factored branches (square J), the rank-drop
    condition (non-square J), or at a point its singular values, rank, condition number
    and manipulability √det(J Jᵀ).
    """

    name, title, subject = "singular", "Singular configurations", "Singular configurations"
    symbol, latex_symbol = "J", "J"

    determinant: Expr | None = None  # det J, or det(J Jᵀ) / det(Jᵀ J) when J is not square
    branches: tuple[Branch, ...] = ()
    rank: int | None = None  # at a point
    singular_values: tuple[Expr, ...] = ()  # at a point, largest first
    condition: Expr | None = None  # at a point: σ_max/σ_min (∞ where singular)
    manipulability: Expr | None = None  # at a point: √det(J Jᵀ)

    def _answer(self) -> Matrix | Expr:
        """At a point the singular values as a column, else det J (or det(J Jᵀ))."""
        if self.point is not None:
            return tuple((v,) for v in self.singular_values)
        from symengine import Integer

        return Integer(0) if self.determinant is None else self.determinant


@dataclass(frozen=True, kw_only=True, repr=False)
class SparsityResult(MatricesResult):
    """Which entries of J are not zero, and what that structure buys: nnz, density,
    bandwidth, structural rank, and colourings of columns (J from that many JVPs) and rows
    (from that many VJPs).
    """

    name, title, subject = "sparsity", "Sparsity of the Jacobian", "Sparsity"
    symbol, latex_symbol = "J", "J"

    pattern: Sparse  # the non-zero entries of J, each 1
    nnz: int
    bandwidth: tuple[int, int]  # (lower, upper): J[i][j] = 0 where j < i − lower or j > i + upper
    structural_rank: int
    column_colors: tuple[int, ...]  # a colour per column, from 0: one JVP per colour
    row_colors: tuple[int, ...]  # a colour per row: one VJP per colour

    def _answer(self) -> Matrix:
        """The pattern: 1 where J is not 0."""
        return self.pattern.dense()
