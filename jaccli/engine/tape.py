"""SymEngine expressions evaluated by mpmath at a chosen precision, for `--check`.

Not SymEngine's own numbers: with MPFR and MPC values substituted it aborts the process
on some inputs (acoth of a complex number; `n(real=False)` of sec(4/5)), and its compiled
Lambdify raises x**2 to a power through the complex logarithm, which ruins a complex step
at x < 0. mpmath raises Python exceptions instead, has every function of jac's catalogue
for real and complex arguments, and raises numbers to integer powers exactly.

An expression is compiled once to a tape, a list of operations in which each shared
subexpression appears once; evaluating it is one pass over the tape. The tape also knows
whether the expression is analytic (no abs, sign, DiracDelta or atan2: a complex step
differentiates it) and where it has kinks (the arguments of abs and sign must not be 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

# Functions evaluated under the class name SymEngine gives them, from mpmath.
_MPMATH = frozenset(
    {
        *("sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "acot", "asec"),
        *("acsc", "sinh", "cosh", "tanh", "coth", "sech", "csch", "asinh", "acosh", "atanh"),
        *("acoth", "log", "erf", "erfc", "gamma", "loggamma"),
    }
)
_CONSTANTS = {
    "Pi": "pi",
    "Exp1": "e",
    "EulerGamma": "euler",
    "Catalan": "catalan",
    "GoldenRatio": "phi",
}
_NON_ANALYTIC = ("Abs", "sign", "atan2", "DiracDelta")
TINY = 1e-15  # an argument of abs or sign closer to 0 than this is at a kink; a variable
# itself (abs(x)) only at 0: the steps keep its sign (`step`)


class Unevaluable(Exception):
    """Something with no numeric value: a function declared with no formula, g'(u), ..."""


class Undefined(Exception):
    """No real finite value here: a pole, 0/0, a kink (for derivatives), a complex value."""


def _add(*values: Any) -> Any:
    total = values[0]
    for value in values[1:]:
        total += value
    return total


def _mul(*values: Any) -> Any:
    product = values[0]
    for value in values[1:]:
        product *= value
    return product


def _abs(value: Any) -> Any:
    return abs(value)


def _sign(value: Any) -> Any:
    import mpmath

    return mpmath.sign(value)


def _atan2(y: Any, x: Any) -> Any:
    import mpmath

    if x == 0 and y == 0:
        raise Undefined("atan2(0, 0)")
    return mpmath.atan2(y, x)


def _delta(value: Any, *order: Any) -> Any:
    """DiracDelta(x) and its derivatives DiracDelta(x, k): 0 wherever x is not 0."""
    import mpmath

    if value == 0:
        raise Undefined("DiracDelta(0)")
    return mpmath.mpf(0)


def _power(exponent: Any) -> Callable[[Any], Any]:
    """x**n for a fixed exponent: exact for an integer n, the principal value otherwise."""
    import mpmath

    if exponent.is_Integer:
        n = int(exponent)
        return lambda base: base**n
    if exponent == _half():
        return mpmath.sqrt  # type: ignore[no-any-return]
    value = _number(exponent)
    return lambda base: mpmath.power(base, value)


def _half() -> Any:
    import symengine as se

    return se.Rational(1, 2)


def _number(expr: Any) -> Any:
    """A SymEngine number or constant as an mpmath number at the current precision."""
    import mpmath

    kind = type(expr).__name__
    if expr.is_Integer:
        return mpmath.mpf(int(expr))
    if expr.is_Rational:
        p, q = expr.get_num_den()
        return mpmath.mpf(int(p)) / int(q)
    if kind in _CONSTANTS:
        return +getattr(mpmath, _CONSTANTS[kind])
    if kind == "ImaginaryUnit":
        return mpmath.mpc(0, 1)
    if kind in ("RealDouble", "RealMPFR"):
        return mpmath.mpf(str(expr))
    if kind in ("Complex", "ComplexDouble", "ComplexMPC"):
        real, imag = expr.as_real_imag()
        return mpmath.mpc(_number(real), _number(imag))
    raise Undefined(str(expr))  # oo, zoo, nan


class Tape:
    """One expression as operations on mpmath numbers; call it with values by symbol."""

    def __init__(self, expr: Any) -> None:
        self.expr = expr
        # (function, argument registers), or (None, symbol): the symbol's value
        self.ops: list[tuple[Callable[..., Any] | None, Any]] = []
        # (u, x, tiny): |u| < tiny, or u = 0 (and x < 0) is a kink
        self.kinks: list[tuple[int, int | None, float]] = []
        self.analytic = True
        index: dict[Any, int] = {}
        stack: list[tuple[Any, bool]] = [(expr, False)]
        while stack:
            node, ready = stack.pop()
            if node in index:
                continue
            if not ready and not node.is_Number:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args if a not in index)
                continue
            index[node] = len(self.ops)
            self.ops.append(self._op(node, [index[a] for a in node.args]))
        self.output = index[expr]

    def __len__(self) -> int:
        return len(self.ops)

    def _op(self, node: Any, args: list[int]) -> tuple[Callable[..., Any] | None, Any]:
        import mpmath

        kind = type(node).__name__
        if node.is_Symbol:
            return None, node
        if node.is_Number or kind in _CONSTANTS or kind == "ImaginaryUnit" or not node.args:
            return _constant(node), ()
        if kind in _NON_ANALYTIC:
            self.analytic = False
        one: tuple[int, ...] = tuple(args)
        if node.is_Add or node.is_Mul:
            return (_add if node.is_Add else _mul), one
        if node.is_Pow:
            base, exponent = node.args
            if type(base).__name__ == "Exp1":
                return mpmath.exp, (args[1],)
            return (_power(exponent), (args[0],)) if exponent.is_Number else (mpmath.power, one)
        if kind in ("Abs", "sign"):
            self.kinks.append((args[0], None, _tiny(node)))
            return (_abs if kind == "Abs" else _sign), one
        if kind == "atan2":
            self.kinks.append((args[0], args[1], _tiny(node)))
            return _atan2, one
        if kind == "FunctionSymbol" and node.get_name() == "DiracDelta":
            self.kinks.append((args[0], None, _tiny(node)))
            return _delta, one
        if kind in _MPMATH:
            return getattr(mpmath, kind), one
        if kind == "FunctionSymbol":
            raise Unevaluable(f"{node.get_name()} is a function with no formula: no numbers")
        raise Unevaluable(f"{node} has no numeric value here")

    def __call__(self, values: Mapping[Any, Any], kinks: bool = False) -> Any:
        """The value at `values` (mpf or mpc); `kinks`: Undefined at a kink of abs or sign."""
        import mpmath

        registers: list[Any] = []
        try:
            for fn, args in self.ops:
                if fn is None:
                    registers.append(values[args])
                else:
                    registers.append(fn(*[registers[a] for a in args]))
        except (ZeroDivisionError, ValueError, OverflowError) as e:
            raise Undefined(str(e)) from None
        value = registers[self.output]
        if not mpmath.isfinite(value):
            raise Undefined("not finite")
        if kinks:
            for u, x, tiny in self.kinks:
                if (abs(registers[u]) < tiny or registers[u] == 0) and (
                    x is None or registers[x] < 0
                ):
                    raise Undefined("at a kink")
        return value


def _tiny(node: Any) -> float:
    """How near 0 the first argument of `node` is at a kink (see TINY)."""
    return 0.0 if node.args[0].is_Symbol else TINY


def _constant(node: Any) -> Callable[[], Any]:
    """A number as an operation of no arguments; one with no value (zoo) raises Undefined."""
    try:
        value = _number(node)
    except Undefined:
        text = str(node)

        def undefined() -> Any:
            raise Undefined(text)

        return undefined
    return lambda: value


# --------------------------------------------------------------------------- differences

# Absolute steps (see `step`): the working precision is raised by the digits of the
# largest and of the smallest value at the point (jaccli.engine.check), so x ± h is exact
# enough however big x is, and the rounding of f, ~10^-77 |f|, is far below h.
COMPLEX_STEP, CENTRAL_STEP = "1e-40", "1e-25"


class Moved(Mapping[Any, Any]):
    """Values with a few of them changed, without copying the others (2000 for bratu 2000)."""

    def __init__(self, values: Mapping[Any, Any], changes: dict[Any, Any]) -> None:
        self.base, self.changes = values, changes

    def __getitem__(self, key: Any) -> Any:
        found = self.changes.get(key, self)
        return self.base[key] if found is self else found

    def __iter__(self) -> Iterator[Any]:
        return iter({**dict.fromkeys(self.base), **self.changes})

    def __len__(self) -> int:
        return len(set(self.base) | set(self.changes))


Steps = Sequence[tuple[Any, Any]]  # (symbol, its coefficient as a number): a direction


def moved(values: Mapping[Any, Any], steps: Steps, by: Any) -> Moved:
    """The point x + by·d for the direction d given by `steps`."""
    return Moved(values, {x: values[x] + by * c for x, c in steps})


def step(values: Mapping[Any, Any], steps: Steps, base: str) -> Any:
    """ε for a difference along the direction d of `steps`: it moves a coordinate by `base`
    at most (absolute: f varies on its own scale, not on |x|'s), and by `base`·|x_j| at most
    for a tiny non-zero x_j, so that x ± ε·d keeps the signs of x (log x at x = 1e-30)."""
    import mpmath

    size = max((abs(c) for _, c in steps), default=0) or 1
    near = min([mpmath.mpf(1), *(abs(values[x]) for x, c in steps if c and values[x])])
    return mpmath.mpf(base) * near / size


def derivative(tape: Tape, values: Mapping[Any, Any], steps: Steps) -> Any:
    """d/dε f(x + ε·d) at ε = 0: a complex step Im f(x + ih·d)/h where f is analytic (exact
    to the working precision: no difference is taken), else central differences."""
    import mpmath

    if tape.analytic:
        h = step(values, steps, COMPLEX_STEP)
        return mpmath.im(tape(moved(values, steps, mpmath.mpc(0, h)))) / h
    h = step(values, steps, CENTRAL_STEP)
    up, down = (real(tape(moved(values, steps, sign * h))) for sign in (1, -1))
    return (up - down) / (2 * h)


def real(value: Any) -> Any:
    """A value that must be real (F at a real point): its real part, or Undefined."""
    if is_complex(value):
        raise Undefined("complex")
    return value.real


def is_complex(value: Any) -> bool:
    imag = getattr(value, "imag", 0)
    return bool(imag != 0 and abs(imag) > 1e-60 * max(1, abs(value.real)))
