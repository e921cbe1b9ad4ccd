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
from jaccli.batch.det import determinants
from jaccli.engine import differentiate, kink_applies, kinks, needs_sympy, to_sympy
from jaccli.engine.kink import Kink
from jaccli.engine.matrix_form import Structure, blocks_for
from jaccli.engine.results import Block
from jaccli.functions import numpy_functions

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
        entry = _entries(functions, variables, None)
    else:
        entries, cells, dense = _sparse_or_dense(functions, variables)
        known = [cells[i * n + j] for i, j in entries] if dense else cells
        entry = _entries(functions, variables, dict(zip(entries, known, strict=True)))
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
    return Compiled(
        names, (m, n), with_value, entries, _compiled(args, exprs), layout, dense, form,
        checks, found, threading.local(), entry,
    )  # fmt: skip


def _entries(
    functions: Sequence[Any], variables: Sequence[Any], known: dict[tuple[int, int], Any] | None
) -> Callable[[int, int], Any]:
    """∂f_i/∂x_j as an expression: from the cells compiled, or (a matrix form) differentiated
    when first asked for; only an entry that is NaN where F is defined needs it."""

    @functools.cache
    def cells() -> dict[tuple[int, int], Any]:
        if known is not None:
            return known
        rows = differentiate(functions, variables).rows
        return {(i, j): e for i, row in enumerate(rows) for j, e in row}

    def entry(i: int, j: int) -> Any:
        import symengine as se

        return cells().get((i, j), se.Integer(0))

    return entry


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


def _compiled(args: Sequence[Any], exprs: Sequence[Any]) -> Callable[[Any, Any], None]:
    """A function writing `exprs` at each row of an (rows, args) array into an (rows, exprs)
    C-ordered array."""
    import numpy as np

    if not exprs:
        return lambda values, out: None
    import symengine as se

    # I or zoo in an entry (d/dx (-2)^x, 0^x): not real there, so undefined (NaN)
    not_real = {se.I: se.nan, se.zoo: se.nan}
    if any(needs_sympy(e) for e in exprs):  # DiracDelta and friends: SymPy's printer
        function = _sympy_lambdify(args, [e.xreplace(not_real) for e in exprs])

        def copied(values: Any, out: Any) -> None:
            out[...] = function(values)

        return copied
    try:
        compiled = _llvm(args, exprs)
    except RuntimeError:  # "can only represent real valued infinity"
        compiled = _llvm(args, [e.xreplace(not_real) for e in exprs])

    def evaluate(values: Any, out: Any) -> None:
        with np.errstate(all="ignore"):
            compiled(values, out=out)

    return evaluate


def _llvm(args: Sequence[Any], exprs: Sequence[Any]) -> Any:
    import symengine as se

    try:
        return se.Lambdify(args, _within_powi(exprs), cse=True, backend="llvm")
    except (RuntimeError, ValueError, TypeError):  # a SymEngine built without LLVM
        return se.Lambdify(args, list(exprs), cse=True)


POWI = 2**31  # SymEngine's LLVM code raises to a whole power with llvm.powi, whose
# exponent is a 32-bit int: x**(2**32 + 1) ran as x**1, x**(2**31) as x**(-2**31)


def _within_powi(exprs: Sequence[Any]) -> list[Any]:
    """`exprs` with each b^k whose whole k is beyond 32 bits written |b|^k (k even) or
    b·|b|^(k−1) (k odd), k a double: the same value and sign (k's rounding past 2^53 costs
    ~2^-53 relative, as b's does: |b|^k is 0 or inf unless |b| is within 10^-9 of 1)."""
    import symengine as se

    exprs = list(exprs)
    while True:
        big = {
            p: _powi_free(p.args[0], int(p.args[1]))
            for e in exprs
            for p in e.atoms(se.Pow)
            if isinstance(p.args[1], se.Integer) and abs(int(p.args[1])) >= POWI
        }
        if not big:  # a pass rewrites the outermost; those inside their bases come next
            return exprs
        exprs = [e.xreplace(big) for e in exprs]


def _powi_free(base: Any, k: int) -> Any:
    from math import inf

    import symengine as se

    size, even = se.Abs(base), k - k % 2
    # past the largest double (x^(10^400)), k is ±inf: |b|^k is then 0, 1 or inf, as it rounds
    exponent = float(even) if abs(even) < 2**1024 else (inf if even > 0 else -inf)
    power = se.Pow(size, se.RealDouble(exponent))
    return power if k == even else base * power


def _lambdify(args: Sequence[Any], exprs: Sequence[Any]) -> Callable[[Any], Any]:
    """A function from an (rows, args) array to an (rows, exprs) array."""
    import numpy as np

    function = _compiled(args, exprs)

    def evaluate(values: Any) -> Any:
        out = np.empty((values.shape[0], len(exprs)))
        function(np.ascontiguousarray(values, dtype=float), out)
        return out

    return evaluate


def _sympy_lambdify(args: Sequence[Any], exprs: Sequence[Any]) -> Callable[[Any], Any]:
    import numpy as np
    import sympy

    symbols = [to_sympy(a) for a in args]
    body = [to_sympy(e) for e in guards.as_doubles(exprs)]
    # Functions NumPy lacks, which SymPy's printer leaves to the math module (scalars only).
    modules = [{name: numpy_functions()[name] for name in ("DiracDelta", "erf")}, "numpy"]
    function = sympy.lambdify(symbols, body, modules=modules, cse=True)

    def evaluate(values: Any) -> Any:
        with np.errstate(all="ignore"):
            columns = [np.asarray(c) for c in function(*values.T)]
        rows = values.shape[0]
        return np.column_stack([np.broadcast_to(_real(c), (rows,)) for c in columns])

    return evaluate


def _real(values: Any) -> Any:
    """Values as doubles: a complex one (acosh(0) = iπ/2 from SymPy) is not real, so NaN."""
    import numpy as np

    if np.iscomplexobj(values):
        return np.where(values.imag == 0, values.real, np.nan)
    return values.astype(float, copy=False)


# --------------------------------------------------------------------------- a chunk


class Evaluated(NamedTuple):
    jacobian: Any  # (rows, m*n) float64, row-major J; NaN where undefined
    value: Any  # (rows, m) F, NaN where undefined; None without --with-value
    undefined: Any  # (rows, m*n) bool


def evaluate(compiled: Compiled, columns: dict[str, Any], *, reuse: bool = False) -> Evaluated:
    """J (and F) at every point of a chunk, with NaN wherever it is undefined.

    The arrays returned are the caller's, unless `reuse`: then they are views of arrays
    that this thread's next call with `reuse` overwrites (the stream writes each chunk
    before it evaluates the next; allocating them afresh cost a third of a chunk's time).
    """
    import numpy as np

    m, n = compiled.shape
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
        jacobian = _jacobian(compiled, out, values)
        suspect = _suspect(compiled, out, jacobian, columns)
    result = Evaluated(
        jacobian, out[:, :m] if compiled.with_value else None, np.zeros((rows, m * n), bool)
    )
    bad = np.flatnonzero(suspect)
    if bad.size:
        _exactly(compiled, {k: np.asarray(c)[bad] for k, c in columns.items()}, bad, out, result)
    return result


def _buffer(compiled: Compiled, key: str, rows: int, width: int) -> Any:
    """This thread's array `key` for `compiled`, at least rows × width: its first rows."""
    import numpy as np

    arrays = compiled.buffers.__dict__.setdefault("arrays", {})
    array = arrays.get(key)
    if array is None or array.shape[0] < rows:
        array = arrays[key] = np.empty((rows, width))
    return array[:rows]


def _jacobian(compiled: Compiled, out: Any, values: Any) -> Any:
    import numpy as np

    m, n = compiled.shape
    if compiled.form is not None:
        return compiled.form(values)
    if compiled.dense:
        return out[:, m : m + m * n]
    jacobian = np.zeros((out.shape[0], m * n))
    if compiled.entries:
        cells = [i * n + j for i, j in compiled.entries]
        jacobian[:, cells] = out[:, m : m + len(cells)]
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
    compiled: Compiled, columns: dict[str, Any], bad: Any, out: Any, into: Evaluated
) -> None:
    """The exact rules on the suspect rows `bad` (`columns` holds just those rows)."""
    import numpy as np

    m, n = compiled.shape
    layout = compiled.layout
    with np.errstate(all="ignore"):
        jacobian = into.jacobian[bad]
        as_typed = compiled.checks.typed(columns)
        typed = guards.undefined_values(as_typed, columns)
        _through_complex(compiled, columns, jacobian, np.isnan(jacobian) & ~np.repeat(typed, n, 1))
        undefined = ~np.isfinite(jacobian) | np.repeat(typed, n, axis=1)
        kinks_a, kinks_b = layout.others - len(compiled.kinks), layout.checked
        for index, k in enumerate(compiled.kinks):
            a, b = out[bad, kinks_a + index], out[bad, kinks_b + index]
            undefined[:, k.i * n + k.j] |= kink_applies(k.kind, a, b)
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
    compiled: Compiled, columns: dict[str, Any], jacobian: Any, cells: Any
) -> None:
    """Entries that are NaN in real doubles where F is defined, evaluated again in complex
    doubles (guards.in_complex): where that is real, it is the entry, as `eval --at` says
    (0·log(x) is 0 at x < 0). A value that is complex stays NaN: undefined."""
    import numpy as np

    n = compiled.shape[1]
    for cell in np.flatnonzero(cells.any(axis=0)):
        rows = np.flatnonzero(cells[:, cell])
        at = {name: np.asarray(c)[rows] for name, c in columns.items()}
        value = guards.in_complex(compiled.entry(cell // n, cell % n), at, _real_at)
        jacobian[rows, cell] = np.where(value.imag == 0, value.real, np.nan)


def _real_at(expr: Any, arguments: Sequence[Any]) -> Any:
    """`expr` of the symbols _z0, _z1, ... at arguments (columns), in real doubles."""
    import numpy as np

    values = np.column_stack([np.asarray(a, dtype=float) for a in arguments])
    return _real_function(expr, len(arguments))(values)[:, 0]


@functools.cache
def _real_function(expr: Any, arity: int) -> Callable[[Any], Any]:
    import symengine as se

    return _lambdify([se.Symbol(f"_z{k}") for k in range(arity)], [expr])


def undefined_rows(undefined: Any) -> Any:
    """The rows of a chunk with an undefined entry, in order (usually none: one pass tells)."""
    import numpy as np

    if not undefined.size or not undefined.any():
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero(undefined.any(axis=1))
