"""J (and F) on a whole chunk of points at once, in double precision, honestly.

F, J and the arguments of the checks below are compiled once, together, with SymEngine's
`Lambdify` (LLVM when SymEngine has it, common subexpressions shared: F costs almost nothing
next to J), then evaluated on each chunk in C into one array. An entry is undefined (NaN) at
a point where it is infinite, NaN also in complex doubles (0·log(x) is 0 at x < 0, as --at
says), where F is undefined as typed (x/x at x = 0, found by evaluating the parsed input
operation by operation), where `abs` or `sign` has a kink, or where 0^0 appears: the same
rules as `eval --at`, applied row by row.

Those rules are applied exactly only on *suspect* rows, found in one pass: a row whose
compiled values are not all finite (a row sum is NaN or infinite exactly then, or on an
overflow, a false alarm), where a guard of `jaccli.batch.guards` fires (a divisor is 0, log
of a number ≤ 0, ...) or a kink's argument is 0. Every other row is defined as computed.
One difference from evaluating F as typed on every row, on purpose: a guard's argument is
compiled from its exactly simplified form, so 1/((x + 1) - x - 1 + y) is defined at
x = 1e20, y = 1, as `eval --at` says, where rounding x + 1 made it 1/0.

A point may have infinite coordinates (`inf` in the file): there arithmetic is
IEEE's, so ∂(x+y)/∂x is 1 at x = inf, while inf - inf and 0·inf stay undefined.
An infinite F counts as undefined only at a point whose coordinates are all
finite (log(0) there); at an infinite point it is what IEEE arithmetic gives.
"""

import functools
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from jaccli import parse
from jaccli.batch import guards
from jaccli.batch.cells import Cells, flat_cells
from jaccli.batch.det import determinants
from jaccli.batch.lambdify import OPTIMIZED_OUTPUTS, PIECE, lambdify
from jaccli.batch.lambdify import compiled as _compiled
from jaccli.engine import differentiate, kink_applies, kinks
from jaccli.engine.kink import Kink
from jaccli.engine.matrix_form import Structure, blocks_for
from jaccli.engine.results import Block

# J is compiled dense (its zeros are stores of a constant) unless fewer than this share of
# its entries are structurally non-zero: see _sparse_or_dense.
DENSE_SHARE = 0.1


__all__ = ["Compiled", "Evaluated", "compile_jacobian", "determinants", "evaluate"]


class Layout(NamedTuple):
    """Where each value sits among the compiled outputs of one point:
    F (m) | J (m·n dense, its non-zero entries, or none: the matrix form) | divisors |
    kinks' a | other guards' arguments | kinks' b."""

    width: int  # every output
    jacobian: int  # columns of J among them
    zeros: int  # first column of the divisors, then the kinks' a: a row with a 0 is suspect
    others: int  # first column of the other guards' arguments
    checked: int  # the first `checked` columns are summed row by row: all but the kinks' b


class Compiled(NamedTuple):
    names: tuple[str, ...]  # the columns it reads: variables, then parameters
    shape: tuple[int, int]  # (m, n) of J
    with_value: bool
    entries: tuple[tuple[int, int], ...]  # the structurally non-zero cells of J
    evaluate: Callable[[Any, Any], None]  # (values (rows, len(names)), out (rows, width))
    layout: Layout
    dense: bool  # J compiled entry by entry, zeros too (else its non-zero entries, or form)
    form: Callable[[Any], Any] | None  # values -> (rows, m·n) J from its matrix form
    checks: guards.Checks
    kinks: tuple[Kink, ...]
    buffers: threading.local  # per thread: arrays reused by evaluate(..., reuse=True)
    entry: Callable[[int, int], Any]  # (i, j) -> ∂f_i/∂x_j, symbolic (see _entries)
    nonzero: Callable[[], Any]  # J's structural non-zeros as i·n + j, row-major (--sparse)


def compile_jacobian(
    functions: Sequence[Any],
    variables: Sequence[Any],
    parameters: Sequence[Any],
    parsed: Sequence[parse.Parsed],
    with_value: bool,
    structure: Structure | None = None,
) -> Compiled:
    """Everything that does not depend on the points, done once.

    With vectors and matrices whose J has a matrix form, J is evaluated from that form with
    NumPy (a 100×100 layer: a second, where compiling its 10^4 entries took 40 s).
    """
    args = [*variables, *parameters]
    names = tuple(s.name for s in args)
    m, n = len(functions), len(variables)
    checks = guards.classify(parsed, args)
    found = tuple(kinks(functions, variables))
    blocks = blocks_for(structure, variables) if structure is not None else ()
    form, cells = None, list[Any]()
    if sum(_cells(b) for b in blocks) == m * n > 0:
        entries = tuple((i, j) for i in range(m) for j in range(n))
        form, dense = _form_evaluator(blocks, names, (m, n)), False
        entry, nonzero = _entries(functions, variables, None)
    else:
        entries, cells, dense = _sparse_or_dense(functions, variables)
        known = [cells[i * n + j] for i, j in entries] if dense else cells
        entry, nonzero = _entries(functions, variables, dict(zip(entries, known, strict=True)))
    zeros = [g.exprs[0] for g in checks.guards if g.kind == "zero"]
    others = [e for g in checks.guards if g.kind != "zero" for e in g.exprs]
    exprs = [*functions, *cells, *zeros, *(k.a for k in found), *others, *(k.b for k in found)]
    start = m + len(cells)
    layout = Layout(
        len(exprs),
        len(cells),
        start,
        start + len(zeros) + len(found),
        len(exprs) - len(found),
    )
    per_row = [n if dense else 0] * m  # J's compiled outputs of each row: none for a form
    for i, _ in entries if form is None and not dense else ():
        per_row[i] += 1
    # in pieces only where LLVM does not optimize: there compiling grows faster than linearly
    pieces = _pieces(per_row, len(exprs)) if len(exprs) > OPTIMIZED_OUTPUTS else []
    return Compiled(
        names, (m, n), with_value, entries, _compiled(args, exprs, pieces), layout, dense, form,
        checks, found, threading.local(), entry, nonzero,
    )  # fmt: skip


def _pieces(per_row: Sequence[int], width: int) -> list[list[range]]:
    """Outputs in pieces of about PIECE (lambdify.compiled): F_i with row i of J, which share
    its subexpressions (bratu's exp(u_i)), then the guards and kinks in runs."""
    m, pieces = len(per_row), list[list[range]]()
    first = row = column = 0  # the first component of a piece, and of J's columns
    jacobian = m  # where J's next row starts among the outputs
    while row < m:
        size = 0
        while row < m and (size == 0 or size + 1 + per_row[row] <= PIECE):
            size, row = size + 1 + per_row[row], row + 1
        taken = sum(per_row[first:row])
        pieces.append([range(first, row), range(jacobian + column, jacobian + column + taken)])
        first, column = row, column + taken
    rest = m + column
    pieces += [[range(k, min(k + PIECE, width))] for k in range(rest, width, PIECE)]
    return pieces


def _entries(
    functions: Sequence[Any], variables: Sequence[Any], known: dict[tuple[int, int], Any] | None
) -> tuple[Callable[[int, int], Any], Callable[[], Any]]:
    """∂f_i/∂x_j as an expression, and the non-zero entries (`Compiled.nonzero`): from the
    cells compiled, or (a matrix form) differentiated when first asked for; only an entry
    that is NaN where F is defined, and --sparse, need it."""

    @functools.cache
    def cells() -> dict[tuple[int, int], Any]:
        if known is not None:
            return known
        rows = differentiate(functions, variables).rows
        return {(i, j): e for i, row in enumerate(rows) for j, e in row}

    def entry(i: int, j: int) -> Any:
        import symengine as se

        return cells().get((i, j), se.Integer(0))

    @functools.cache
    def nonzero() -> Any:
        return flat_cells(sorted(cells()), len(variables))

    return entry, nonzero


def _sparse_or_dense(
    functions: Sequence[Any], variables: Sequence[Any]
) -> tuple[tuple[tuple[int, int], ...], list[Any], bool]:
    """J's non-zero cells, and what to compile for J: every entry row by row (dense), or the
    non-zero ones when J is very sparse (then scattered into zeros on every chunk).

    Measured per chunk (a loaded machine, medians of 7-9): a banded 20×20 J at 20,000
    points, dense against sparse: 39 vs 66 ms with 5 % of its entries non-zero, 112 vs 163
    ms (15 %), 190 vs 265 ms (25 %); the scatter is what sparse pays. Wider and sparser,
    bratu(50) (6 %) at 20,000 points: sparse 150 ms, dense 200 ms (writing 2,500 columns
    of zeros); bratu(200) (1.5 %) at 2,000 points: the same time, but 0.7 s more to compile
    its 40,000 entries dense. Hence dense from DENSE_SHARE up.
    """
    import symengine as se

    sparse = differentiate(functions, variables)
    m, n = len(functions), len(variables)
    entries = tuple((i, j) for i, row in enumerate(sparse.rows) for j, _ in row)
    if len(entries) < DENSE_SHARE * m * n:
        return entries, [e for row in sparse.rows for _, e in row], False
    cells: list[Any] = [se.Integer(0)] * (m * n)
    for i, row in enumerate(sparse.rows):
        for j, e in row:
            cells[i * n + j] = e
    return entries, cells, True


def _cells(block: Block) -> int:
    return (block.rows[1] - block.rows[0] + 1) * (block.columns[1] - block.columns[0] + 1)


def _form_evaluator(
    blocks: Sequence[Block], names: Sequence[str], shape: tuple[int, int]
) -> Callable[[Any], Any]:
    """J from its matrix form, block by block, in floating point."""
    import numpy as np

    from jaccli.parse import tensor
    from jaccli.parse.grammar import Parser

    trees = []
    for block in blocks:
        shapes = dict(block.shapes)
        tree = Parser(block.form, "matrix form", (), shapes=shapes).parse_single()
        side = shapes.get("I", (0, 0))[0]
        identity = {
            f"I[{i},{j}]": float(i == j) for i in range(1, side + 1) for j in range(1, side + 1)
        }
        trees.append((block, tree, identity))
    m, n = shape

    def evaluate(points: Any) -> Any:
        rows = points.shape[0]
        columns = {name: points[:, k] for k, name in enumerate(names)}
        jacobian = np.empty((rows, m, n))
        with np.errstate(all="ignore"):
            for block, tree, identity in trees:
                (r0, r1), (c0, c1) = block.rows, block.columns
                if block.form == "0":  # the zero block, of any size: "0" is one number
                    jacobian[:, r0 - 1 : r1, c0 - 1 : c1] = 0.0
                    continue
                values = guards.numeric(tree, {**columns, **identity}, zeros=True)
                found = tensor.entries(values)
                cells = np.stack([np.broadcast_to(np.asarray(v, float), (rows,)) for v in found], 1)
                # + 0.0: -diag(u) is -0.0 off its diagonal, where J's entries say 0.0
                jacobian[:, r0 - 1 : r1, c0 - 1 : c1] = (
                    cells.reshape(rows, r1 - r0 + 1, c1 - c0 + 1) + 0.0
                )
        return jacobian.reshape(rows, m * n)

    return evaluate


# --------------------------------------------------------------------------- a chunk


class Evaluated(NamedTuple):
    jacobian: Any  # (rows, m*n) float64, row-major J (sparse: its non-zeros); NaN undefined
    value: Any  # (rows, m) F, NaN where undefined; None without --with-value
    undefined: Any  # (rows, m*n) bool (sparse: (rows, non-zeros))


def evaluate(
    compiled: Compiled, columns: dict[str, Any], *, reuse: bool = False, sparse: bool = False
) -> Evaluated:
    """J (and F) at every point of a chunk, with NaN wherever it is undefined.

    The arrays returned are the caller's, unless `reuse`: then they are views of arrays
    that this thread's next call with `reuse` overwrites (the stream writes each chunk
    before it evaluates the next; allocating them afresh cost a third of a chunk's time).
    With `sparse`, J's columns are its structural non-zeros only (`Compiled.nonzero`):
    nothing m·n wide is made, unless J is compiled dense or from its matrix form (a gather).
    """
    import numpy as np

    m, n = compiled.shape
    cells = Cells((m, n), compiled.nonzero() if sparse else None)
    layout = compiled.layout
    rows = len(next(iter(columns.values()))) if columns else 0
    if reuse:
        values = _buffer(compiled, "values", rows, len(compiled.names))
        for k, name in enumerate(compiled.names):
            values[:, k] = columns[name]
        out = _buffer(compiled, "out", rows, layout.width)
    else:
        values = np.empty((rows, len(compiled.names)))
        for k, name in enumerate(compiled.names):
            values[:, k] = columns[name]
        out = np.empty((rows, layout.width))
    compiled.evaluate(values, out)
    with np.errstate(all="ignore"):
        jacobian = _jacobian(compiled, out, values, cells)
        suspect = _suspect(compiled, out, jacobian, columns)
    result = Evaluated(
        jacobian, out[:, :m] if compiled.with_value else None, np.zeros((rows, cells.width), bool)
    )
    bad = np.flatnonzero(suspect)
    if bad.size:
        at = {k: np.asarray(c)[bad] for k, c in columns.items()}
        _exactly(compiled, cells, at, bad, out, result)
    return result


def _buffer(compiled: Compiled, key: str, rows: int, width: int) -> Any:
    """This thread's array `key` for `compiled`, at least rows × width: its first rows."""
    import numpy as np

    arrays = compiled.buffers.__dict__.setdefault("arrays", {})
    array = arrays.get(key)
    if array is None or array.shape[0] < rows:
        array = arrays[key] = np.empty((rows, width))
    return array[:rows]


def _jacobian(compiled: Compiled, out: Any, values: Any, cells: Cells) -> Any:
    """J's columns (`cells`) of a chunk: a view of `out` where it holds just those."""
    import numpy as np

    m, n = compiled.shape
    if compiled.form is not None:
        jacobian = compiled.form(values)
        return jacobian if cells.flat is None else jacobian[:, cells.flat]
    if compiled.dense:
        return out[:, m : m + m * n] if cells.flat is None else out[:, m + cells.flat]
    if cells.flat is not None:  # the non-zeros compiled, in this order: no scatter
        return out[:, m : m + len(cells.flat)]
    jacobian = np.zeros((out.shape[0], m * n))
    if compiled.entries:
        scatter = [i * n + j for i, j in compiled.entries]
        jacobian[:, scatter] = out[:, m : m + len(scatter)]
    return jacobian


def _suspect(compiled: Compiled, out: Any, jacobian: Any, columns: dict[str, Any]) -> Any:
    """Rows where a compiled value is not finite, a guard fires or a kink's argument is 0;
    and where F as typed is undefined, for the components checked that way."""
    import numpy as np

    layout, checks = compiled.layout, compiled.checks
    suspect = ~np.isfinite(row_sums(out[:, : layout.checked]))
    if compiled.form is not None:
        suspect |= ~np.isfinite(row_sums(jacobian))
    if layout.others > layout.zeros:
        suspect |= (out[:, layout.zeros : layout.others] == 0).any(axis=1)
    column = layout.others
    for guard in checks.guards:
        if guard.kind != "zero":
            width = len(guard.exprs)
            arguments = [out[:, column + k] for k in range(width)]
            suspect |= guards.fires(guard.kind, arguments)
            column += width
    if checks.typed_parsed:
        typed = checks.typed(columns, checks.typed_parsed)
        suspect |= guards.undefined_values(typed, columns).any(axis=1)
    return suspect


def row_sums(array: Any) -> Any:
    """The sum of each row: NaN or infinite exactly where an entry is (or, a false alarm,
    where the sum overflows). NumPy's einsum, one thread: 1.5 ms for 10^5 rows of 12, where
    `array @ ones` (multithreaded BLAS) took 18 ms on a loaded machine, and isfinite().all(1) 12.
    """
    import numpy as np

    return np.einsum("ij->i", array)


def _exactly(
    compiled: Compiled, cells: Cells, columns: dict[str, Any], bad: Any, out: Any, into: Evaluated
) -> None:
    """The exact rules on the suspect rows `bad` (`columns` holds just those rows)."""
    import numpy as np

    m = compiled.shape[0]
    layout = compiled.layout
    with np.errstate(all="ignore"):
        jacobian = into.jacobian[bad]
        as_typed = compiled.checks.typed(columns)
        typed = guards.undefined_values(as_typed, columns)
        spread = cells.spread(typed)  # F_i undefined as typed: so is row i of J
        _through_complex(compiled, cells, columns, jacobian, np.isnan(jacobian) & ~spread)
        undefined = ~np.isfinite(jacobian) | spread
        kinks_a, kinks_b = layout.others - len(compiled.kinks), layout.checked
        for index, k in enumerate(compiled.kinks):
            column = cells.column(k.i, k.j)
            if column is None:  # a structural zero, not written (--sparse)
                continue
            a, b = out[bad, kinks_a + index], out[bad, kinks_b + index]
            undefined[:, column] |= kink_applies(k.kind, a, b)
        jacobian[undefined] = np.nan
        into.jacobian[bad] = jacobian
        into.undefined[bad] = undefined
        if into.value is not None:
            # Where the compiled F overflowed and F as typed did not (softplus(800) is
            # log(1 + e^800) compiled, NumPy's logaddexp as typed), the typed value is F's.
            value = out[bad, :m]
            value = np.where(~np.isfinite(value) & np.isfinite(as_typed), as_typed, value)
            into.value[bad] = np.where(
                typed | guards.undefined_values(value, columns), np.nan, value
            )


def _through_complex(
    compiled: Compiled, cells: Cells, columns: dict[str, Any], jacobian: Any, nan: Any
) -> None:
    """Entries that are NaN in real doubles where F is defined, evaluated again in complex
    doubles (guards.in_complex): where that is real, it is the entry, as `eval --at` says
    (0·log(x) is 0 at x < 0). A value that is complex stays NaN: undefined."""
    import numpy as np

    for column in np.flatnonzero(nan.any(axis=0)):
        rows = np.flatnonzero(nan[:, column])
        at = {name: np.asarray(c)[rows] for name, c in columns.items()}
        value = guards.in_complex(compiled.entry(*cells.cell(int(column))), at, _real_at)
        jacobian[rows, column] = np.where(value.imag == 0, value.real, np.nan)


def _real_at(expr: Any, arguments: Sequence[Any]) -> Any:
    """`expr` of the symbols _z0, _z1, ... at arguments (columns), in real doubles."""
    import numpy as np

    values = np.column_stack([np.asarray(a, dtype=float) for a in arguments])
    return _real_function(expr, len(arguments))(values)[:, 0]


@functools.cache
def _real_function(expr: Any, arity: int) -> Callable[[Any], Any]:
    import symengine as se

    return lambdify([se.Symbol(f"_z{k}") for k in range(arity)], [expr])


def undefined_rows(undefined: Any) -> Any:
    """The rows of a chunk with an undefined entry, in order (usually none: one pass tells)."""
    import numpy as np

    if not undefined.size or not undefined.any():
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero(undefined.any(axis=1))
