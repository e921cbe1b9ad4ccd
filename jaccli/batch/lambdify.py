"""F, J and the checks compiled to machine code: SymEngine's `Lambdify` (LLVM when SymEngine
has it, common subexpressions shared), or SymPy's printer for the functions SymEngine cannot
compile (DiracDelta and friends). `jaccli.batch.compute` says what to compile and why.
"""

from collections.abc import Callable, Sequence
from typing import Any

from jaccli.batch import guards
from jaccli.engine import needs_sympy, to_sympy
from jaccli.functions import numpy_functions

__all__ = ["OPTIMIZED_OUTPUTS", "PIECE", "compiled", "lambdify"]

# LLVM's optimizer (opt_level 3, SymEngine's default) costs about 1.8 ms an output to compile:
# bratu(1000)'s 3,998 outputs took 7.5 s, 0.7 s at opt_level 0, whose code ran 1.0-1.8x
# slower (a chunk of 65,536 points, systems of ~200 outputs; a loaded machine). Beyond this
# many outputs, a bounded wait comes first: the 40,000 of 10^4 unknowns compiled for minutes.
OPTIMIZED_OUTPUTS = 4000
# Unoptimized, compiling one function grows faster than the function (bratu at opt_level 0:
# 1,000 outputs 0.12 s, 4,000 0.96 s, 8,000 2.6 s, 16,000 12 s), so beyond
# OPTIMIZED_OUTPUTS a system is compiled in pieces of this many outputs, each written into
# its own columns: bratu(10^4) in 8 s (60 s in one). The tanh layer of 70 (4,970 outputs)
# then compiles in 2.9 s instead of 8.0 and evaluates 20,000 points in 0.71 s instead of 0.43.
PIECE = 1000
BLOCK = 1 << 16  # doubles of one piece's values for a block of rows (512 kB: in the cache)


def compiled(
    args: Sequence[Any],
    exprs: Sequence[Any],
    pieces: Sequence[Sequence[range]] = (),
    optimize: bool | None = None,
) -> Callable[[Any, Any], None]:
    """A function writing `exprs` at each row of an (rows, args) array into an (rows, exprs)
    C-ordered array. `pieces` (columns of `exprs`, a few ranges each) are compiled apart,
    subexpressions shared within each: outputs that share most (F_i and row i of J) belong
    in one piece. `optimize`: by LLVM (None: up to OPTIMIZED_OUTPUTS outputs in all)."""
    import numpy as np

    if optimize is None:
        optimize = len(exprs) <= OPTIMIZED_OUTPUTS
    if len(pieces) > 1:
        return _in_pieces(args, exprs, pieces, optimize)
    if not exprs:
        return lambda values, out: None
    if any(needs_sympy(e) for e in exprs):  # DiracDelta and friends: SymPy's printer
        function = _sympy_lambdify(args, _real_only(exprs))

        def copied(values: Any, out: Any) -> None:
            out[...] = function(values)

        return copied
    try:
        machine = _llvm(args, exprs, optimize)
    except RuntimeError:  # "can only represent real valued infinity"
        machine = _llvm(args, _real_only(exprs), optimize)

    def evaluate(values: Any, out: Any) -> None:
        if not values.shape[0]:  # SymEngine's Lambdify refuses no rows ("Broadcasting failed")
            return
        with np.errstate(all="ignore"):
            machine(values, out=out)

    return evaluate


def _real_only(exprs: Sequence[Any]) -> list[Any]:
    """I or zoo in an entry (d/dx (-2)^x, 0^x): not real there, so undefined (NaN); so is a
    complex number such as -1 + I (from sqrt(-1) + x - 1: one atom, which no backend
    compiles: "RuntimeError: -1 + I")."""
    import symengine as se

    not_real = {se.I: se.nan, se.zoo: se.nan}
    not_real |= {n: se.nan for e in exprs for n in e.atoms(se.Number) if n.is_real is False}
    return [e.xreplace(not_real) for e in exprs]


def _in_pieces(
    args: Sequence[Any], exprs: Sequence[Any], pieces: Sequence[Sequence[range]], optimize: bool
) -> Callable[[Any, Any], None]:
    import numpy as np

    parts = [
        (ranges, compiled(args, [exprs[k] for r in ranges for k in r], optimize=optimize))
        for ranges in pieces
    ]

    widest = max(sum(len(r) for r in ranges) for ranges in pieces)
    block = max(1, BLOCK // widest)

    def evaluate(values: Any, out: Any) -> None:
        # A block of rows at a time, so that each piece's values are copied into `out` from
        # the cache: a whole chunk's buffer per piece took as long again as computing it.
        buffer = np.empty(min(block, values.shape[0]) * widest)
        for first in range(0, values.shape[0], block):
            rows = slice(first, min(first + block, values.shape[0]))
            count = rows.stop - rows.start
            for ranges, function in parts:
                width = sum(len(r) for r in ranges)
                piece = buffer[: count * width].reshape(count, width)  # C-contiguous
                function(values[rows], piece)
                start = 0
                for r in ranges:
                    out[rows, r.start : r.stop] = piece[:, start : start + len(r)]
                    start += len(r)

    return evaluate


def _llvm(args: Sequence[Any], exprs: Sequence[Any], optimize: bool) -> Any:
    import symengine as se

    level = 3 if optimize else 0
    try:
        return se.Lambdify(args, _within_powi(exprs), cse=True, backend="llvm", opt_level=level)
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


def lambdify(args: Sequence[Any], exprs: Sequence[Any]) -> Callable[[Any], Any]:
    """A function from an (rows, args) array to an (rows, exprs) array."""
    import numpy as np

    function = compiled(args, exprs)

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
