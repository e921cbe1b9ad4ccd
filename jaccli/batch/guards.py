"""Where F as typed can be undefined, found once per input rather than on every chunk.

`eval --at` evaluates F as typed, operation by operation (x/x is undefined at x = 0 although
SymEngine simplifies it to 1). `eval --points` follows the same rule, but running the whole
parsed tree in NumPy on every chunk cost more than the compiled F and J themselves. So each
parsed component is classified once:

- *total*: built only from operations defined at every finite point (+, −, ×, whole powers
  ≥ 1, e^u, sin, exp, tanh, abs, sigmoid, ... : `Function.total` in the catalogue). Nothing
  to check: only overflow could make it undefined, and the compiled F shows that.
- *guarded*: a scalar expression whose partial operations are known. Their arguments (each
  divisor, the base and exponent of each power, the argument of log, sqrt, asin, ...) are
  compiled with F and J, and tested on each chunk: a divisor that is 0, jac's rule for
  powers, a function whose value there is not finite.
- *typed*: anything else (vectors and matrices with a partial operation, functions without
  a formula): today's check, F evaluated operation by operation, for that component only.

A row where a guard fires, or where a compiled value is not finite, is *suspect*: there, and
only there, F as typed is evaluated and the exact rules apply (`typed_check`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, NamedTuple

from jaccli import parse
from jaccli.functions import CATALOGUE, numpy_functions
from jaccli.parse.tree import children


class Guard(NamedTuple):
    """A partial operation of a component: its arguments are compiled with F and J."""

    kind: str  # "zero" (a divisor), "power" (base, exponent), or a function's name
    exprs: tuple[Any, ...]  # SymEngine expressions of its arguments


class Checks(NamedTuple):
    """What a chunk needs checked beyond its compiled values."""

    guards: tuple[Guard, ...]
    typed_parsed: tuple[int, ...]  # indices of the components checked operation by operation
    typed: Callable[..., Any]  # (columns, only=None) -> (rows, m) F as typed (`typed_check`)


def classify(parsed: Sequence[parse.Parsed], args: Sequence[Any]) -> Checks:
    """The guards of every component, and those that must be checked operation by operation."""
    names = {a.name for a in args}
    guards: list[Guard] = []
    typed_parsed = []
    for index, p in enumerate(parsed):
        found = _guards(p, names)
        if found is None:
            typed_parsed.append(index)
        else:
            guards.extend(found)
    return Checks(tuple(guards), tuple(typed_parsed), typed_check(parsed))


def _guards(p: parse.Parsed, names: set[str]) -> list[Guard] | None:
    """The guards of a component (none: total), or None where only F as typed will do."""
    if p.fast and _total_line(p.line):
        return []  # its tree is not made again (`Parsed.node`) only to find nothing
    nodes: list[tuple[str, tuple[parse.Node, ...]]] = []
    if not _collect(p.node, nodes):
        return None
    if not nodes:
        return []
    from jaccli.parse.build import Builder

    builder = Builder()
    builder.parsed = p
    found = []
    try:
        for kind, operands in nodes:
            exprs = tuple(builder.node(o) for o in operands)
            if any(_is_tensor(e) for e in exprs):
                return None
            free = {s.name for e in exprs for s in e.free_symbols}
            if not free:
                continue  # of numbers only: the parser checked it already
            if not free <= names:
                return None
            found.append(Guard(kind, exprs))
    except Exception:  # past the default limits of exact numbers (--digits): as typed then
        return None
    return found


@functools.lru_cache(maxsize=1)  # the components of a line `[a, b, c]` ask in a row
def _total_line(line: str) -> bool:
    """Whether a line jaccli.parse.fast read holds no partial operation, by its tokens: no
    division, each power's exponent a whole number ≥ 1 (not raised again) and each call one
    of a total scalar function. False where its tree must say (`_collect`)."""
    from jaccli.parse.fast import tokens

    toks = [*tokens(line), "", ""]
    for i, t in enumerate(toks):
        if t == "/":
            return False
        if t == "^" or t == "**":
            exponent = toks[i + 1]
            if not (exponent.isdigit() and int(exponent) > 0) or toks[i + 2] in ("^", "**"):
                return False
        elif t == "(" and i > 0 and toks[i - 1][:1].isalpha():
            function = CATALOGUE.get(toks[i - 1])
            if function is None or not function.total or function.kind == "vector":
                return False
    return True


def _is_tensor(value: Any) -> bool:
    from jaccli.parse.tensor import Tensor

    return isinstance(value, Tensor)


def _collect(node: parse.Node, out: list[tuple[str, tuple[parse.Node, ...]]]) -> bool:
    """Append the partial operations under `node`; False where they cannot be listed
    (a vector or matrix in a partial operation, a function without a NumPy form)."""
    if isinstance(node, parse.Name):
        return True
    if isinstance(node, parse.Product):
        for divide, factor in node.factors:
            if divide:
                out.append(("zero", (factor,)))
    elif isinstance(node, parse.Elementwise):
        if node.op == "/":
            out.append(("zero", (node.right,)))
        elif node.op == "^" and not _total_power(node.left, node.right):
            out.append(("power", (node.left, node.right)))
    elif isinstance(node, parse.Power) and not _total_power(node.base, node.exponent):
        out.append(("power", (node.base, node.exponent)))
    elif isinstance(node, parse.Call):
        function = CATALOGUE.get(node.func)
        if function is None or (function.kind == "vector" and not function.total):
            return False
        if not function.total:
            out.append((node.func, node.args))
    return all(_collect(child, out) for child in children(node))


def _total_power(base: parse.Node, exponent: parse.Node) -> bool:
    """u^k for a whole k ≥ 1, or c^u for a constant c > 0 (e, π, 2): defined everywhere."""
    if isinstance(exponent, parse.Num) and exponent.text.isdigit() and int(exponent.text) > 0:
        return True
    return isinstance(base, parse.Const) or (
        isinstance(base, parse.Num) and Fraction(base.text) > 0
    )


def fires(kind: str, values: Sequence[Any]) -> Any:
    """Where a guard's operation is undefined, given its arguments' values (columns)."""
    import numpy as np

    if kind == "zero":
        return values[0] == 0
    if kind == "power":
        base, exponent = values
        return ((base == 0) & (exponent <= 0)) | ((base < 0) & (exponent != np.round(exponent)))
    with np.errstate(all="ignore"):
        value: Any = numpy_functions()[kind](*values)
        return ~np.isfinite(value)


# --------------------------------------------------------------------------- F as typed


def typed_check(parsed: Sequence[parse.Parsed]) -> Callable[[dict[str, Any]], Any]:
    """F as typed, operation by operation: where it is undefined, so is row i of J."""
    import numpy as np

    from jaccli.parse import tensor

    def check(columns: dict[str, Any], only: Sequence[int] | None = None) -> Any:
        rows = len(next(iter(columns.values()))) if columns else 0
        chosen = parsed if only is None else [parsed[i] for i in only]
        with np.errstate(all="ignore"):
            values = [
                np.broadcast_to(v, (rows,))
                for p in chosen
                for v in tensor.entries(numeric(p.node, columns))
            ]
        return np.column_stack(values) if values else np.zeros((rows, 0))

    return check


def components(parsed: Sequence[parse.Parsed]) -> list[range]:
    """The components of F that each parsed expression stands for."""
    spans, start = [], 0
    for p in parsed:
        size = 1 if p.shape is None else p.shape[0] * p.shape[1]
        spans.append(range(start, start + size))
        start += size
    return spans


def undefined_values(values: Any, columns: dict[str, Any]) -> Any:
    """Where values of F are undefined: NaN, or infinite at a point with finite coordinates."""
    import numpy as np

    undefined = ~np.isfinite(values)
    if undefined.any():  # rare: look at the points only then
        finite = np.ones(values.shape[0], dtype=bool)
        for column in columns.values():
            finite &= np.isfinite(column)
        undefined &= np.isnan(values) | finite[:, None]
    return undefined


def numeric(node: parse.Node, columns: dict[str, Any], *, zeros: bool = False) -> Any:
    """The parsed expression in floating point, operation by operation (NaN: undefined).

    A vector or matrix is a Tensor of columns (jaccli.parse.tensor), as in the builder.
    `zeros`: diag(u) has exact zeros off its diagonal, even where an entry of u is NaN (a
    matrix form of J, whose zeros are structural); F as typed keeps NaN·0 there.
    """
    import numpy as np

    from jaccli.parse import tensor

    if isinstance(node, parse.Num):
        return _double(node.text)
    if isinstance(node, parse.Name):
        if node.shape is not None:
            names = parse.entry_names(node.name, node.shape)
            return tensor.made(*node.shape, [columns.get(n, np.nan) for n in names])
        return columns.get(node.name, np.nan)
    if isinstance(node, parse.Const):
        return np.pi if node.name == "pi" else np.e
    if isinstance(node, parse.Neg):
        return -numeric(node.operand, columns, zeros=zeros)
    if isinstance(node, parse.Transpose):
        return tensor.transpose(numeric(node.operand, columns, zeros=zeros))
    if isinstance(node, parse.Sum):
        terms = [
            -v if neg else v
            for neg, v in ((n, numeric(t, columns, zeros=zeros)) for n, t in node.terms)
        ]
        return tensor.broadcast(lambda *ts: _backend().add(ts), *terms)
    if isinstance(node, parse.Product):
        product: Any = None
        for divide, factor in node.factors:
            value = numeric(factor, columns, zeros=zeros)
            if divide:
                value = tensor.broadcast(reciprocal, value)
            product = value if product is None else tensor.times(product, value, _backend().add)
        return product
    if isinstance(node, parse.Elementwise):
        left, right = (
            numeric(node.left, columns, zeros=zeros),
            numeric(node.right, columns, zeros=zeros),
        )
        if node.op == "/":
            right = tensor.broadcast(reciprocal, right)
        operation = power if node.op == "^" else lambda a, b: a * b
        return tensor.broadcast(operation, left, right)
    if isinstance(node, parse.Power):
        base, exponent = (
            numeric(node.base, columns, zeros=zeros),
            numeric(node.exponent, columns, zeros=zeros),
        )
        if isinstance(base, tensor.Tensor):
            return tensor.matrix_power(base, int(exponent), _backend().add)
        return power(base, exponent)
    if isinstance(node, parse.Call):
        args = [numeric(a, columns, zeros=zeros) for a in node.args]
        if node.func == "ones":
            return tensor.ones(int(node.args[0].text), 1.0)  # type: ignore[attr-defined]
        if node.func == "diag" and zeros and _is_vector(args[0]):
            vector = tensor.entries(args[0])
            size = range(len(vector))
            return tensor.made(
                len(vector), len(vector), [vector[i] if i == j else 0.0 for i in size for j in size]
            )
        if node.func in parse.VECTOR_FUNCTIONS:
            return tensor.vector_function(node.func, args, _backend())
        function = numpy_functions()[node.func]
        if not CATALOGUE[node.func].total:  # log(0) is -inf: undefined, even inside sign(...)
            function = functools.partial(_undefined_if_infinite, function)
        return tensor.broadcast(function, *args)
    raise TypeError(f"unknown node {type(node).__name__}")  # pragma: no cover


def _double(text: str) -> float:
    """A number of the input as a double: inf beyond the largest (1e400, as the compiled F
    has it: an entry that is infinite at finite coordinates is then undefined, as on an
    overflow), 0 below the smallest."""
    try:
        return float(Fraction(text))
    except OverflowError:
        return float("inf")


def as_doubles(exprs: Sequence[Any]) -> list[Any]:
    """SymEngine expressions with each exact number beyond the largest double as ±inf, as
    compiled code has it (SymPy's printer writes 10^400 as an int, too large for NumPy)."""
    import math

    import symengine as se

    numbers = {n for e in exprs for n in e.atoms(se.Integer, se.Rational)}
    huge = {n: se.RealDouble(float(n)) for n in numbers if math.isinf(float(n))}
    return [e.xreplace(huge) for e in exprs] if huge else list(exprs)


def _undefined_if_infinite(function: Callable[..., Any], *args: Any) -> Any:
    """A partial function's value, NaN where it is infinite although its arguments are not."""
    import numpy as np

    value = function(*args)
    finite = functools.reduce(np.logical_and, (np.isfinite(a) for a in args))
    return np.where(np.isfinite(value) | ~finite, value, np.nan)


def _is_vector(value: Any) -> bool:
    from jaccli.parse.tensor import Tensor

    return isinstance(value, Tensor) and 1 in (value.rows, value.columns)


@functools.cache
def _backend() -> Any:
    from jaccli.parse import tensor

    return tensor.numpy_backend()


def reciprocal(value: Any) -> Any:
    import numpy as np

    return np.where(value == 0, np.nan, 1 / np.where(value == 0, 1.0, value))


def power(base: Any, exponent: Any) -> Any:
    import numpy as np

    undefined = fires("power", (base, exponent))
    return np.where(
        undefined, np.nan, np.power(np.abs(base), exponent) * _sign_of_power(base, exponent)
    )


def _sign_of_power(base: Any, exponent: Any) -> Any:
    import numpy as np

    odd = np.mod(np.round(exponent), 2) == 1
    return np.where((base < 0) & odd, -1.0, 1.0)


# --------------------------------------------------------------------------- J in complex

# Functions whose principal complex branch NumPy has: through them a value may leave the
# reals and come back (log(x)·0 at x < 0), as it may in the exact arithmetic of `eval --at`.
COMPLEX = {
    "log": "log", "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan", "asin": "arcsin",
    "acos": "arccos", "atan": "arctan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
    "asinh": "arcsinh", "acosh": "arccosh", "atanh": "arctanh",
}  # fmt: skip


def in_complex(
    expr: Any, columns: dict[str, Any], real: Callable[[Any, Sequence[Any]], Any]
) -> Any:
    """A SymEngine expression at each point of `columns`, in complex doubles.

    `eval --at` evaluates an entry of J exactly, so a complex intermediate value multiplied
    by an exact 0 is 0: d/dx x^relu(x) = x^relu(x)·(relu(x)/x + log(x)·(1 + sign(x))/2) is 0
    at x < 0. In real doubles that is 0·NaN. Here +, ×, powers and the functions of COMPLEX
    are complex; any other function is evaluated by `real(f(z0, ...), arguments)` where its
    arguments are real, and NaN where one is not (as `eval --at` calls sign(i) complex).
    The caller keeps the values whose imaginary part is 0.
    """
    import numpy as np
    import symengine as se

    rows = len(next(iter(columns.values()))) if columns else 0
    memo: dict[Any, Any] = {}

    def value(e: Any) -> Any:
        if e in memo:
            return memo[e]
        number = None if e.free_symbols else _complex_number(e)
        args = [] if number is not None else [value(a) for a in e.args]
        if isinstance(e, se.Symbol):
            v = np.asarray(columns[e.name], dtype=complex)
        elif number is not None:
            v = np.full(rows, number)
        elif isinstance(e, se.Add):
            v = functools.reduce(np.add, args)
        elif isinstance(e, se.Mul):
            v = functools.reduce(np.multiply, args)
        elif isinstance(e, se.Pow):
            v = _complex_power(*args)
        elif type(e).__name__ in COMPLEX:
            v = _complex_function(type(e).__name__, args[0])
        else:
            v = _through_real(e, args, real)
        memo[e] = v = np.broadcast_to(np.asarray(v, dtype=complex), (rows,))
        return v

    with np.errstate(all="ignore"):
        return value(expr)


def _through_real(e: Any, args: Sequence[Any], real: Callable[[Any, Sequence[Any]], Any]) -> Any:
    """A function without a complex form: `real` of it where its arguments are real, else NaN.
    Arguments that are numbers stay (the order k of DiracDelta(u, k) must be one)."""
    import numpy as np
    import symengine as se

    varying = [k for k, a in enumerate(e.args) if a.free_symbols]
    if not varying:  # a constant whose complex() failed: no value
        return np.nan
    dummies = {k: se.Symbol(f"_z{n}") for n, k in enumerate(varying)}
    inner = e.func(*(dummies.get(k, a) for k, a in enumerate(e.args)))
    reals = np.all(np.stack([args[k].imag == 0 for k in varying]), axis=0)
    return np.where(reals, real(inner, [args[k].real for k in varying]), np.nan)


def _complex_number(number: Any) -> complex | None:
    """A constant's value; None for one to evaluate by its parts."""
    try:
        return complex(number)
    except (RuntimeError, TypeError, ValueError):  # zoo, nan, oo: no value
        return None if number.args and not number.is_Number else complex(float("nan"), 0.0)


def _complex_power(base: Any, exponent: Any) -> Any:
    """base^exponent: jac's real rule where both are real and the power is (a negative base
    to a whole power), NumPy's principal complex power elsewhere."""
    import numpy as np

    real = (base.imag == 0) & (exponent.imag == 0)
    whole = exponent.real == np.round(exponent.real)
    real &= (base.real >= 0) | whole
    return np.where(real, power(base.real, exponent.real), np.power(base, exponent))


def _complex_function(name: str, argument: Any) -> Any:
    """A function of COMPLEX: its real value where that is finite, else the principal one."""
    import numpy as np

    function = getattr(np, COMPLEX[name])
    real = function(argument.real)
    return np.where((argument.imag == 0) & np.isfinite(real), real, function(argument))
