"""Vectors and matrices of scalars, whatever the scalar is: SymEngine expressions or NumPy columns.

The builder (exact, with SymEngine) and `eval --points`'s check of F as typed (floating point,
with NumPy) compute vector expressions with the same operations from here, so that `W*x`,
`x .* c` or `softmax(x)` mean one thing everywhere. Shapes were checked before
(jaccli.parse.shapes), so nothing here reports a mismatch; a 1×1 result is a scalar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple


class Tensor:
    """A rows×columns array of scalars, row by row (a vector of n is n×1)."""

    __slots__ = ("columns", "data", "rows")

    def __init__(self, rows: int, columns: int, data: list[Any]) -> None:
        self.rows, self.columns, self.data = rows, columns, data

    def row(self, i: int) -> list[Any]:
        return self.data[i * self.columns : (i + 1) * self.columns]

    def column(self, j: int) -> list[Any]:
        return self.data[j :: self.columns]

    def __neg__(self) -> Tensor:
        return Tensor(self.rows, self.columns, [-x for x in self.data])

    def __repr__(self) -> str:
        return f"Tensor({self.rows}, {self.columns}, {self.data!r})"


def made(rows: int, columns: int, data: list[Any]) -> Any:
    """A Tensor, or its only entry when it is 1×1 (x'*x is a scalar)."""
    return data[0] if rows == 1 and columns == 1 else Tensor(rows, columns, data)


def entries(value: Any) -> list[Any]:
    """The entries of a value row by row: a scalar is one entry."""
    return value.data if isinstance(value, Tensor) else [value]


class Backend(NamedTuple):
    """The scalar arithmetic a vector function needs, exact or in floating point."""

    add: Callable[[Sequence[Any]], Any]  # the sum of many terms
    exp: Callable[[Any], Any]
    log: Callable[[Any], Any]
    sqrt: Callable[[Any], Any]
    largest: Callable[[Sequence[Any]], Any]  # subtracted in softmax and logsumexp; 0 if exact
    det: Callable[[Tensor], Any]
    inv: Callable[[Tensor], Any]


def broadcast(operation: Callable[..., Any], *values: Any) -> Any:
    """`operation` entry by entry; scalars stand for every entry."""
    shape = next((v for v in values if isinstance(v, Tensor)), None)
    if shape is None:
        return operation(*values)
    columns = [v.data if isinstance(v, Tensor) else [v] * len(shape.data) for v in values]
    data = [operation(*args) for args in zip(*columns, strict=True)]
    return Tensor(shape.rows, shape.columns, data)


def transpose(value: Any) -> Any:
    if not isinstance(value, Tensor):
        return value
    return Tensor(
        value.columns, value.rows, [x for j in range(value.columns) for x in value.column(j)]
    )


def matmul(a: Tensor, b: Tensor, add: Callable[[Sequence[Any]], Any]) -> Any:
    """The matrix product a·b (shapes already checked)."""
    columns = [b.column(j) for j in range(b.columns)]
    data = [
        add([x * y for x, y in zip(a.row(i), column, strict=True)])
        for i in range(a.rows)
        for column in columns
    ]
    return made(a.rows, b.columns, data)


def times(a: Any, b: Any, add: Callable[[Sequence[Any]], Any]) -> Any:
    """`a*b`: the matrix product of two vectors or matrices, else scaling."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return matmul(a, b, add)
    return broadcast(lambda x, y: x * y, a, b)


def matrix_power(a: Tensor, k: int, add: Callable[[Sequence[Any]], Any]) -> Any:
    """a^k for a square matrix and a whole k >= 1, by repeated squaring."""
    result: Any = None
    square: Any = a
    while k:
        if k & 1:
            result = square if result is None else matmul(result, square, add)
        k >>= 1
        if k:
            square = matmul(square, square, add)
    return result


def vector_function(name: str, args: Sequence[Any], backend: Backend) -> Any:
    """sum, dot, norm, softmax, logsumexp, diag, tr, det, inv of values (shapes checked)."""
    first = args[0]
    values = entries(first)
    if name == "sum":
        return backend.add(values)
    if name == "dot":
        return backend.add([x * y for x, y in zip(values, entries(args[1]), strict=True)])
    if name == "norm":
        return backend.sqrt(backend.add([x * x for x in values]))
    if name in ("softmax", "logsumexp"):
        top = backend.largest(values)
        exps = [backend.exp(x - top) for x in values]
        total = backend.add(exps)
        if name == "logsumexp":
            return top + backend.log(total)
        return made(*_shape(first), [e / total for e in exps])
    if name == "diag":
        if not isinstance(first, Tensor):
            return first
        if 1 in (first.rows, first.columns):  # a vector: the diagonal matrix
            n = len(values)
            zero = values[0] * 0
            return Tensor(n, n, [values[i] if i == j else zero for i in range(n) for j in range(n)])
        return Tensor(
            first.rows, 1, [first.data[i * (first.columns + 1)] for i in range(first.rows)]
        )
    if name == "tr":
        return backend.add(entries(vector_function("diag", [first], backend)))
    if name == "det":
        return backend.det(first) if isinstance(first, Tensor) else first
    if name == "inv":
        return backend.inv(first) if isinstance(first, Tensor) else 1 / first
    raise AssertionError(f"not a vector function: {name}")  # pragma: no cover


def _shape(value: Any) -> tuple[int, int]:
    return (value.rows, value.columns) if isinstance(value, Tensor) else (1, 1)


def ones(n: int, one: Any) -> Any:
    return made(n, 1, [one] * n)


# --------------------------------------------------------------------------- the two backends


def symengine_backend() -> Backend:
    """Exact arithmetic: what the parser builds F with."""
    import symengine as se

    def det(a: Tensor) -> Any:
        return se.DenseMatrix(a.rows, a.columns, a.data).det()

    def inv(a: Tensor) -> Any:
        """adj(M)/det(M): SymEngine's own inverse divides by pivots (W[1,1]), so it would call
        inv([[0, 1], [1, 0]]) undefined, and it aborts the process on a singular matrix."""
        n = a.rows
        det = se.DenseMatrix(n, n, a.data).det()
        if det.expand() == 0:
            raise ZeroDivisionError("the matrix is singular")
        if n == 1:
            return 1 / a.data[0]

        def minor(i: int, j: int) -> Any:
            kept = [a.data[r * n + c] for r in range(n) for c in range(n) if r != i and c != j]
            return se.DenseMatrix(n - 1, n - 1, kept).det()

        cofactors = [(-1) ** (i + j) * minor(j, i) / det for i in range(n) for j in range(n)]
        return Tensor(n, n, cofactors)

    return Backend(
        lambda terms: se.Add(*terms), se.exp, se.log, se.sqrt, lambda _: se.Integer(0), det, inv
    )


def numpy_backend() -> Backend:
    """Floating point over columns of points: `eval --points`'s check of F as typed."""
    import numpy as np

    def add(terms: Sequence[Any]) -> Any:
        total: Any = 0.0
        for term in terms:
            total = total + term
        return total

    def stacked(a: Tensor) -> Any:
        arrays = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in a.data))
        return np.moveaxis(np.stack(arrays), 0, -1).reshape(*arrays[0].shape, a.rows, a.columns)

    def det(a: Tensor) -> Any:
        return np.linalg.det(stacked(a))

    def inv(a: Tensor) -> Any:
        m = stacked(a)
        singular = np.linalg.det(m) == 0
        safe = np.where(singular[..., None, None], np.eye(a.rows), m)
        inverse = np.where(singular[..., None, None], np.nan, np.linalg.inv(safe))
        return Tensor(
            a.rows, a.columns, [inverse[..., i, j] for i in range(a.rows) for j in range(a.columns)]
        )

    def largest(values: Sequence[Any]) -> Any:
        top = np.max(np.stack([np.asarray(v, dtype=float) for v in values]), axis=0)
        return np.where(np.isfinite(top), top, 0.0)

    return Backend(add, np.exp, np.log, np.sqrt, largest, det, inv)
