"""J (and F) on a whole chunk of points at once, in double precision, honestly.

The entries are compiled once with SymEngine's `Lambdify` (LLVM when SymEngine
has it, common subexpressions eliminated), then evaluated on each chunk in C.
An entry is undefined (NaN) at a point where it is NaN or infinite, where F
itself is undefined as typed (x/x at x = 0, found by evaluating the parsed
input operation by operation), where `abs` or `sign` has a kink, or where 0^0
appears: the same rules as `eval --at`, applied row by row.

A point may have infinite coordinates (`inf` in the file): there arithmetic is
IEEE's, so ∂(x+y)/∂x is 1 at x = inf, while inf - inf and 0·inf stay undefined.
An infinite F counts as undefined only at a point whose coordinates are all
finite (log(0) there); at an infinite point it is what IEEE arithmetic gives.
"""

import functools
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, NamedTuple

from jaccli import parse
from jaccli.engine import differentiate, kink_applies, kinks, needs_sympy, to_sympy
from jaccli.engine.matrix_form import Structure, blocks_for
from jaccli.engine.results import Block
from jaccli.functions import numpy_functions


class Compiled(NamedTuple):
    names: tuple[str, ...]  # the columns it reads: variables, then parameters
    shape: tuple[int, int]  # (m, n) of J
    with_value: bool
    entries: tuple[tuple[int, int], ...]  # the structurally non-zero cells of J
    evaluate: Callable[[Any], Any]  # (rows, len(names)) -> (rows, outputs)
    typed: Callable[[dict[str, Any]], Any]  # -> (rows, m) F as typed, operation by operation
    kinks: tuple[Callable[[dict[str, Any]], Any], ...]  # each -> (rows, m*n) bool


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
    typed = _typed_check(parsed)
    m, n = len(functions), len(variables)
    kinks = tuple(_kink_checks(functions, variables, args, m, n))
    blocks = blocks_for(structure, variables) if structure is not None else ()
    if sum(_cells(b) for b in blocks) == m * n > 0:
        entries = tuple((i, j) for i in range(m) for j in range(n))
        evaluate = _form_evaluator(
            blocks, names, (m, n), _lambdify(args, functions) if with_value else None
        )
        return Compiled(names, (m, n), with_value, entries, evaluate, typed, kinks)
    sparse = differentiate(functions, variables)
    entries = tuple((i, j) for i, row in enumerate(sparse.rows) for j, _ in row)
    exprs = [*(functions if with_value else ()), *(e for row in sparse.rows for _, e in row)]
    return Compiled(names, (m, n), with_value, entries, _lambdify(args, exprs), typed, kinks)


def _cells(block: Block) -> int:
    return (block.rows[1] - block.rows[0] + 1) * (block.columns[1] - block.columns[0] + 1)


def _form_evaluator(
    blocks: Sequence[Block],
    names: Sequence[str],
    shape: tuple[int, int],
    values: Callable[[Any], Any] | None,
) -> Callable[[Any], Any]:
    """J from its matrix form, block by block, in floating point (F first, with `values`)."""
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
                found = tensor.entries(_numeric(tree, {**columns, **identity}))
                (r0, r1), (c0, c1) = block.rows, block.columns
                cells = np.stack([np.broadcast_to(np.asarray(v, float), (rows,)) for v in found], 1)
                jacobian[:, r0 - 1 : r1, c0 - 1 : c1] = cells.reshape(
                    rows, r1 - r0 + 1, c1 - c0 + 1
                )
        flat = jacobian.reshape(rows, m * n)
        return flat if values is None else np.concatenate([values(points), flat], axis=1)

    return evaluate


def _lambdify(args: Sequence[Any], exprs: Sequence[Any]) -> Callable[[Any], Any]:
    """A function from an (rows, args) array to an (rows, exprs) array."""
    import numpy as np

    if not exprs:
        return lambda values: np.zeros((values.shape[0], 0))
    if any(needs_sympy(e) for e in exprs):  # DiracDelta and friends: SymPy's printer
        return _sympy_lambdify(args, exprs)
    import symengine as se

    try:
        compiled = se.Lambdify(args, list(exprs), cse=True, backend="llvm")
    except (RuntimeError, ValueError, TypeError):  # a SymEngine built without LLVM
        compiled = se.Lambdify(args, list(exprs), cse=True)

    def evaluate(values: Any) -> Any:
        with np.errstate(all="ignore"):
            out = compiled(np.ascontiguousarray(values))
        return np.asarray(out, dtype=float).reshape(values.shape[0], len(exprs))

    return evaluate


def _sympy_lambdify(args: Sequence[Any], exprs: Sequence[Any]) -> Callable[[Any], Any]:
    import numpy as np
    import sympy

    symbols = [to_sympy(a) for a in args]
    body = [to_sympy(e) for e in exprs]
    # Functions NumPy lacks, which SymPy's printer leaves to the math module (scalars only).
    modules = [{name: numpy_functions()[name] for name in ("DiracDelta", "erf")}, "numpy"]
    function = sympy.lambdify(symbols, body, modules=modules, cse=True)

    def evaluate(values: Any) -> Any:
        with np.errstate(all="ignore"):
            columns = function(*values.T)
        rows = values.shape[0]
        return np.column_stack(
            [np.broadcast_to(np.asarray(c, dtype=float), (rows,)) for c in columns]
        )

    return evaluate


# --------------------------------------------------------------------------- checks


def _typed_check(parsed: Sequence[parse.Parsed]) -> Callable[[dict[str, Any]], Any]:
    """F as typed, operation by operation: where it is undefined, so is row i of J."""
    import numpy as np

    from jaccli.parse import tensor

    def check(columns: dict[str, Any]) -> Any:
        rows = len(next(iter(columns.values()))) if columns else 0
        with np.errstate(all="ignore"):
            values = [
                np.broadcast_to(v, (rows,))
                for p in parsed
                for v in tensor.entries(_numeric(p.node, columns))
            ]
        return np.column_stack(values) if values else np.zeros((rows, 0))

    return check


def _undefined_values(values: Any, columns: dict[str, Any]) -> Any:
    """Where values of F are undefined: NaN, or infinite at a point with finite coordinates."""
    import numpy as np

    undefined = ~np.isfinite(values)
    if undefined.any():  # rare: look at the points only then
        finite = np.ones(values.shape[0], dtype=bool)
        for column in columns.values():
            finite &= np.isfinite(column)
        undefined &= np.isnan(values) | finite[:, None]
    return undefined


def _numeric(node: parse.Node, columns: dict[str, Any]) -> Any:
    """The parsed expression in floating point, operation by operation (NaN: undefined).

    A vector or matrix is a Tensor of columns (jaccli.parse.tensor), as in the builder.
    """
    import numpy as np

    from jaccli.parse import tensor

    if isinstance(node, parse.Num):
        return float(Fraction(node.text))
    if isinstance(node, parse.Name):
        if node.shape is not None:
            names = parse.entry_names(node.name, node.shape)
            return tensor.made(*node.shape, [columns.get(n, np.nan) for n in names])
        return columns.get(node.name, np.nan)
    if isinstance(node, parse.Const):
        return np.pi if node.name == "pi" else np.e
    if isinstance(node, parse.Neg):
        return -_numeric(node.operand, columns)
    if isinstance(node, parse.Transpose):
        return tensor.transpose(_numeric(node.operand, columns))
    if isinstance(node, parse.Sum):
        terms = [-v if neg else v for neg, v in ((n, _numeric(t, columns)) for n, t in node.terms)]
        return tensor.broadcast(lambda *ts: _backend().add(ts), *terms)
    if isinstance(node, parse.Product):
        product: Any = None
        for divide, factor in node.factors:
            value = _numeric(factor, columns)
            if divide:
                value = tensor.broadcast(_reciprocal, value)
            product = value if product is None else tensor.times(product, value, _backend().add)
        return product
    if isinstance(node, parse.Elementwise):
        left, right = _numeric(node.left, columns), _numeric(node.right, columns)
        if node.op == "/":
            right = tensor.broadcast(_reciprocal, right)
        operation = _power if node.op == "^" else lambda a, b: a * b
        return tensor.broadcast(operation, left, right)
    if isinstance(node, parse.Power):
        base, exponent = _numeric(node.base, columns), _numeric(node.exponent, columns)
        if isinstance(base, tensor.Tensor):
            return tensor.matrix_power(base, int(exponent), _backend().add)
        return _power(base, exponent)
    if isinstance(node, parse.Call):
        args = [_numeric(a, columns) for a in node.args]
        if node.func == "ones":
            return tensor.ones(int(node.args[0].text), 1.0)  # type: ignore[attr-defined]
        if node.func in parse.VECTOR_FUNCTIONS:
            return tensor.vector_function(node.func, args, _backend())
        return tensor.broadcast(numpy_functions()[node.func], *args)
    raise TypeError(f"unknown node {type(node).__name__}")  # pragma: no cover


@functools.cache
def _backend() -> Any:
    from jaccli.parse import tensor

    return tensor.numpy_backend()


def _reciprocal(value: Any) -> Any:
    import numpy as np

    return np.where(value == 0, np.nan, 1 / np.where(value == 0, 1.0, value))


def _power(base: Any, exponent: Any) -> Any:
    import numpy as np

    undefined = ((base == 0) & (exponent <= 0)) | ((base < 0) & (exponent != np.round(exponent)))
    return np.where(
        undefined, np.nan, np.power(np.abs(base), exponent) * _sign_of_power(base, exponent)
    )


def _sign_of_power(base: Any, exponent: Any) -> Any:
    import numpy as np

    odd = np.mod(np.round(exponent), 2) == 1
    return np.where((base < 0) & odd, -1.0, 1.0)


def _kink_checks(
    functions: Sequence[Any], variables: Sequence[Any], args: Sequence[Any], m: int, n: int
) -> list[Callable[[dict[str, Any]], Any]]:
    """Masks for the kinks of abs and sign and for 0^0: the same rules as eval --at."""
    import numpy as np

    found = kinks(functions, variables)
    if not found:
        return []
    evaluate = _lambdify(args, [e for k in found for e in (k.a, k.b)])
    names = [a.name for a in args]

    def check(columns: dict[str, Any]) -> Any:
        values = np.column_stack([columns[name] for name in names])
        out = evaluate(values)
        mask = np.zeros((values.shape[0], m * n), dtype=bool)
        for index, k in enumerate(found):
            mask[:, k.i * n + k.j] |= kink_applies(k.kind, out[:, 2 * index], out[:, 2 * index + 1])
        return mask

    return [check]


class Evaluated(NamedTuple):
    jacobian: Any  # (rows, m*n) float64, row-major J; NaN where undefined
    value: Any  # (rows, m) F, NaN where undefined; None without --with-value
    undefined: Any  # (rows, m*n) bool


def evaluate(compiled: Compiled, columns: dict[str, Any]) -> Evaluated:
    """J (and F) at every point of a chunk, with NaN wherever it is undefined."""
    import numpy as np

    m, n = compiled.shape
    values = np.column_stack([columns[name] for name in compiled.names])
    rows = values.shape[0]
    out = compiled.evaluate(values)
    offset = m if compiled.with_value else 0
    jacobian = np.zeros((rows, m * n))
    if compiled.entries:
        cells = [i * n + j for i, j in compiled.entries]
        jacobian[:, cells] = out[:, offset:]
    as_typed = compiled.typed(columns)
    typed = _undefined_values(as_typed, columns)
    undefined = ~np.isfinite(jacobian) | np.repeat(typed, n, axis=1)
    for check in compiled.kinks:
        undefined |= check(columns)
    jacobian[undefined] = np.nan
    value = None
    if compiled.with_value:
        # Where the compiled F overflowed and F as typed did not (softplus(800) is
        # log(1 + e^800) compiled, NumPy's logaddexp as typed), the typed value is F's.
        value = out[:, :m]
        value = np.where(~np.isfinite(value) & np.isfinite(as_typed), as_typed, value)
        value = np.where(typed | _undefined_values(value, columns), np.nan, value)
    return Evaluated(jacobian, value, undefined)


def determinants(jacobian: Any, undefined: Any, n: int, log: bool) -> list[Any]:
    """det J at every point of a chunk, or (`log`) its sign and log|det J|: one (rows, 1)
    array each, NaN where an entry of J is undefined (or the row could not be read).

    From the J already evaluated (it is needed anyway, to know where an entry is
    undefined), numerically. Measured per 65,536 points (polar coordinates): J 8.7 ms,
    det by its formula 2.8 ms, NumPy's slogdet 15 ms, a compiled symbolic det 0.1 ms. The
    symbolic det is not used: it must be built first (seconds of simplification for some
    systems, up to n! terms), for a saving of 3 ms in a run that spends ~80 ms a chunk
    reading and writing records. So: the formula for n ≤ 3 (exact where its products
    are: -3 is -3.0, not the -2.9999999999999996 of exp(log 3)), and beyond that LU with
    partial pivoting (LAPACK, through NumPy's det and slogdet). slogdet sums the logs of
    the pivots, so log|det J| stays finite where det J overflows a double (a 200×200 J
    with entries near 100), as normalizing flows need it. The formula is used only where
    every non-zero entry is within 2^±200 of 1: there none of its products and sums
    overflows or underflows. Elsewhere (1e200·x) LU is used for n ≤ 3 too: log|det J| is
    right, and det J overflows honestly to ±inf, never to NaN or a wrong 0.
    """
    import numpy as np

    rows = jacobian.shape[0]
    bad = np.isnan(jacobian).any(axis=1)  # undefined entries, and rows that were not read
    if undefined.size:
        bad |= undefined.any(axis=1)
    matrices = jacobian.reshape(rows, n, n)
    if bad.any():  # LAPACK is not given NaN: those rows are NaN whatever it says
        matrices = np.where(bad[:, None, None], 0.0, matrices)
    with np.errstate(all="ignore"):
        if n <= 3:
            det = _small_det(matrices)
            sign, log_abs = np.sign(det), np.log(np.abs(det))
            wide = ~_formula_safe(matrices)
            if wide.any() and log:
                sign[wide], log_abs[wide] = np.linalg.slogdet(matrices[wide])
            elif wide.any():
                det[wide] = np.linalg.det(matrices[wide])
        elif log:
            sign, log_abs = np.linalg.slogdet(matrices)
        else:
            det = np.linalg.det(matrices)
    out = [sign, log_abs] if log else [det]
    return [np.where(bad, np.nan, column)[:, None] for column in out]


SAFE = 2.0**200  # entries within this factor of 1: the formula for det neither overflows nor
# underflows (a product of three is within 2^±600, a minor cancels to 2^-452 at least)


def _formula_safe(matrices: Any) -> Any:
    """For each matrix of a stack: every entry 0 or within 2^±200 of 1."""
    import numpy as np

    size = np.abs(matrices)
    return ((size == 0) | ((size >= 1 / SAFE) & (size <= SAFE))).all(axis=(1, 2))


def _small_det(a: Any) -> Any:
    """det of each 1×1, 2×2 or 3×3 matrix of a stack, by the formula (cofactors of row 1)."""
    n = a.shape[1]
    if n == 1:
        return a[:, 0, 0]
    if n == 2:
        return a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
    minor = [a[:, 1, j] * a[:, 2, k] - a[:, 1, k] * a[:, 2, j] for j, k in ((1, 2), (2, 0), (0, 1))]
    return a[:, 0, 0] * minor[0] + a[:, 0, 1] * minor[1] + a[:, 0, 2] * minor[2]
