"""Parsed trees → SymEngine expressions, or their values at a point, operation by operation.

Numbers are exact (`0.1` is 1/10) and their size is estimated before a power or a product
is computed, so that 9^9^9 is a LimitError rather than minutes and gigabytes. An undefined
value (1/0, 0^0, log(0) at a point) is an UndefinedError with a caret under it.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jaccli.errors import ComplexError, LimitError, Location, UndefinedError
from jaccli.functions import VECTOR_FUNCTIONS, symengine_functions
from jaccli.numbers import is_complex, is_infinite, rational_bits
from jaccli.parse import tensor
from jaccli.parse.grammar import make_room, too_deep
from jaccli.parse.limits import DEFAULT_LIMITS, Limits, limit_hint
from jaccli.parse.shapes import entry_names
from jaccli.parse.tensor import Tensor
from jaccli.parse.tree import (
    Call,
    Const,
    Elementwise,
    Name,
    Neg,
    Node,
    Num,
    Parsed,
    Power,
    Product,
    Sum,
    Transpose,
)


def make_symbol(name: str) -> Any:
    """The SymEngine symbol jac uses for a name (the engine computes with SymEngine)."""
    import symengine

    return symengine.Symbol(name)


def _bits(value: Any) -> float:
    """Bits of the exact numbers in a number such as 2^(1/2)*3/7, estimated cheaply."""
    if value.is_Rational:
        return rational_bits(value)
    if value.is_Pow:
        base, exponent = value.args
        if base.is_Rational and exponent.is_Rational:
            return _bits(base) * abs(float(exponent))
    elif value.is_Mul:
        return sum(_bits(f) for f in value.args)
    return 0.0


def _power_bits(base: Any, exponent: Any) -> float:
    """Bits in the numbers of base**exponent for a rational exponent, without computing it."""
    if (base.is_Rational and abs(base) == 1) or base == 0:
        return 0.0
    return _bits(base) * abs(float(exponent))


# Numbers this large (in bits) are tracked, so that a product of many of them is caught.
_BIG_BITS = 4096


class Builder:
    """Turns AST nodes into SymEngine expressions, reporting undefined values (1/0) with a caret."""

    def __init__(
        self, limits: Limits = DEFAULT_LIMITS, values: Mapping[str, Any] | None = None
    ) -> None:
        import symengine

        self.se = symengine
        self.limits = limits
        make_room(limits.depth)  # a tree is built by recursion, as it was parsed
        self.max_bits = limits.digits * math.log2(10)
        self.functions = symengine_functions()
        # With `values`, names evaluate to them: the expression at a point, as typed.
        self.symbols: dict[str, Any] = dict(values or {})
        self.at = " at " + ", ".join(f"{k}={v}" for k, v in self.symbols.items()) if values else ""
        # At a real point a complex value on the way is an error even where the result is
        # real: sqrt(x)^2 at x = -1 is x to SymEngine, and |log(x)| is |iπ| = π.
        self.real = bool(values) and not any(
            is_complex(v) for v in self.symbols.values() if not isinstance(v, Tensor)
        )
        self.hidden: ComplexError | None = None  # the first complex value, kept by `real_checked`
        self.big: dict[Any, float] = {}
        for value in self.symbols.values():
            self.tracked(value)
        self.numbers: dict[str, Any] = {}  # a literal such as 2 recurs thousands of times
        self.undefined = (type(symengine.zoo), type(symengine.nan))
        self.dispatch: dict[type, Callable[[Any], Any]] = {
            Name: self.name, Num: self.number, Const: self.const, Sum: self.sum,
            Product: self.product, Power: self.power, Neg: self.neg, Call: self.call,
            Transpose: self.transpose, Elementwise: self.elementwise,
        }  # fmt: skip
        self.backend: tensor.Backend | None = None  # for vectors and matrices, when first met

    def build(self, parsed: Parsed) -> list[Any]:
        """The components an expression stands for: one, or the entries of a vector or matrix."""
        self.parsed = parsed
        if parsed.shape is not None and self.backend is None:
            self.backend = tensor.symengine_backend()
        self.hidden = None
        try:
            entries = tensor.entries(self.node(parsed.node))
        except RecursionError as e:  # not at a depth the parser took (make_room): a bug
            location = Location(parsed.line, parsed.node.pos, parsed.where)
            raise LimitError(too_deep(self.limits.depth), location) from e
        except RuntimeError as e:  # SymEngine's own size limits (an exponent past 2^64)
            raise self.beyond_engine(parsed.node, e) from e
        if self.hidden is not None and not any(is_complex(e) for e in entries):
            raise self.hidden  # complex on the way, real at the end: |log(x)| at x = -1
        return entries  # a complex component the engine reports as f1, f2, ...

    def beyond_engine(self, node: Node, error: Exception) -> LimitError:
        snippet = self.parsed.line[node.pos : node.end]
        if len(snippet) > 40:
            snippet = snippet[:37] + "..."
        location = Location(self.parsed.line, node.pos, self.parsed.where)
        return LimitError(f"{snippet} is too large for exact arithmetic ({error})", location)

    def fail(self, node: Node, why: str, start: int | None = None) -> UndefinedError:
        snippet = self.parsed.line[node.pos if start is None else start : node.end]
        location = Location(self.parsed.line, node.pos, self.parsed.where)
        return UndefinedError(f"{snippet} is undefined{self.at} ({why})", location)

    def too_big(self, node: Node) -> LimitError:
        snippet = self.parsed.line[node.pos : node.end]
        if len(snippet) > 40:
            snippet = snippet[:37] + "..."
        location = Location(self.parsed.line, node.pos, self.parsed.where)
        return LimitError(
            f"{snippet}{self.at} would have more than {self.limits.digits:,} digits; "
            f"{limit_hint('digits')}",
            location,
        )

    def checked(self, node: Node, value: Any, why: str) -> Any:
        if isinstance(value, self.undefined):
            raise self.fail(node, why)
        return value

    def real_checked(self, node: Node, value: Any) -> Any:
        """`value` (of a call or power), with the first complex one at a real point kept."""
        if self.real and self.hidden is None and not value.free_symbols and is_complex(value):
            snippet = self.parsed.line[node.pos : node.end]
            location = Location(self.parsed.line, node.pos, self.parsed.where)
            self.hidden = ComplexError(
                f"{snippet} is complex{self.at}, although jac's variables are real", location
            )
        return value

    def node(self, node: Node) -> Any:
        return self.dispatch[type(node)](node)

    def name(self, node: Name) -> Any:
        if node.shape is not None:
            rows, columns = node.shape
            return tensor.made(
                rows, columns, [self.symbol(e) for e in entry_names(node.name, node.shape)]
            )
        return self.symbol(node.name)

    def symbol(self, name: str) -> Any:
        symbol = self.symbols.get(name)
        if symbol is None:
            symbol = self.symbols[name] = self.se.Symbol(name)
        return symbol

    def const(self, node: Const) -> Any:
        return self.se.pi if node.name == "pi" else self.se.E

    def sum(self, node: Sum) -> Any:
        dispatch = self.dispatch  # bound once: sums of thousands of terms are common
        terms = [-dispatch[type(t)](t) if neg else dispatch[type(t)](t) for neg, t in node.terms]
        if self.backend is not None and any(isinstance(t, Tensor) for t in terms):
            add = self.se.Add
            return self.all_checked(
                node, tensor.broadcast(lambda *ts: add(*ts), *terms), "infinite terms"
            )
        return self.checked(node, self.se.Add(*terms), "infinite terms")

    def all_checked(self, node: Node, value: Any, why: str) -> Any:
        """`checked` for every entry of a vector or matrix."""
        for entry in tensor.entries(value):
            self.checked(node, entry, why)
        return value

    def transpose(self, node: Transpose) -> Any:
        return tensor.transpose(self.node(node.operand))

    def elementwise(self, node: Elementwise) -> Any:
        left, right = self.node(node.left), self.node(node.right)
        if node.op == "*":
            return self.all_checked(
                node, tensor.broadcast(lambda a, b: a * b, left, right), "0 times infinity"
            )
        if node.op == "/":
            for divisor in tensor.entries(right):
                if divisor == 0:
                    raise self.fail(node.right, "division by zero", start=node.pos)
            return self.all_checked(
                node, tensor.broadcast(lambda a, b: a / b, left, right), "division by zero"
            )
        return self.all_checked(
            node, tensor.broadcast(self.raised, left, right), "zero to a negative power"
        )

    def raised(self, base: Any, exponent: Any) -> Any:
        if base == 0 and exponent == 0:
            raise self.fail(self.parsed.node, "zero to the power zero")
        return base**exponent

    def product(self, node: Product) -> Any:
        dispatch = self.dispatch
        values = []
        for divide, f in node.factors:
            value = dispatch[type(f)](f)
            if divide and value == 0:  # a vector divisor is a shape error, caught before
                raise self.fail(f, "division by zero", start=node.pos)
            values.append(value)
        if self.backend is not None and any(isinstance(v, Tensor) for v in values):
            return self.tensor_product(node, values)
        factors = [v**-1 if d else v for (d, _), v in zip(node.factors, values, strict=True)]
        big = self.big
        if big and any(f in big for f in factors):
            if sum(big.get(f, 0.0) for f in factors) > self.max_bits:
                raise self.too_big(node)
            return self.tracked(self.checked(node, self.se.Mul(*factors), "0 times infinity"))
        return self.checked(node, self.se.Mul(*factors), "0 times infinity")

    def tensor_product(self, node: Product, factors: list[Any]) -> Any:
        """A product with a vector or matrix in it, left to right: W*x*2, x'*A*x."""
        add = self.backend.add  # type: ignore[union-attr]
        value: Any = None
        for (divide, _), factor in zip(node.factors, factors, strict=True):
            if value is None:
                value = factor
            elif divide:
                value = tensor.broadcast(lambda a, b: a / b, value, factor)
            else:
                value = tensor.times(value, factor, add)
        return self.all_checked(node, value, "0 times infinity")

    def power(self, node: Power) -> Any:
        base, exponent = self.node(node.base), self.node(node.exponent)
        if isinstance(base, Tensor):  # a square matrix to a whole power k >= 1 (checked)
            return tensor.matrix_power(base, int(exponent), self.backend.add)  # type: ignore[union-attr]
        if exponent.is_Rational and (base.is_Number or base.is_Pow or base.is_Mul):
            if _power_bits(base, exponent) > self.max_bits:
                raise self.too_big(node)
            if base == 0 and exponent == 0:
                raise self.fail(node, "zero to the power zero")
            value = self.tracked(self.checked(node, base**exponent, "zero to a negative power"))
            return self.real_checked(node, value)
        try:
            value = base**exponent
        except RuntimeError as e:  # x^(143^9): the exponent does not fit a machine word
            raise self.beyond_engine(node, e) from e
        return self.real_checked(node, self.checked(node, value, "zero to a negative power"))

    def tracked(self, value: Any) -> Any:
        """`value`, remembered with its size when it is a big exact number."""
        bits = _bits(value)
        if bits > _BIG_BITS:
            self.big[value] = bits
        return value

    def neg(self, node: Neg) -> Any:
        return -self.node(node.operand)

    def call(self, node: Call) -> Any:
        args = [self.node(a) for a in node.args]
        function = self.functions.get(node.func)
        if function is None:  # declared with {abstract}: g(u) has no formula
            function = self.abstract_function(node.func)
        if self.backend is not None:
            if node.func in VECTOR_FUNCTIONS:
                return self.vector_call(node, args)
            if any(isinstance(a, Tensor) for a in args):
                value = tensor.broadcast(function, *args)
                return self.all_checked(node, value, "outside its domain")
        value = self.checked(node, function(*args), "outside its domain")
        if value.is_Function and not value.free_symbols:
            self.finite(node, value)
        return self.real_checked(node, value)

    def finite(self, node: Call, value: Any) -> None:
        """A function of numbers at a pole is undefined: SymEngine keeps atanh(1) as it is,
        and x + atanh(1) would then differentiate to NaN (0 times its infinite derivative).
        What only overflows (log(exp(10^9)), whose value is 10^9) is not infinite
        (`is_infinite`): the engine's checks and its evaluator still apply."""
        if is_infinite(value):
            raise self.fail(node, "infinite")

    def abstract_function(self, name: str) -> Any:
        se = self.se
        return lambda *args: se.function_symbol(name, *args)

    def vector_call(self, node: Call, args: list[Any]) -> Any:
        if node.func == "ones":
            return tensor.ones(int(node.args[0].text), self.se.Integer(1))  # type: ignore[attr-defined]
        try:
            value = tensor.vector_function(node.func, args, self.backend)  # type: ignore[arg-type]
        except (RuntimeError, ValueError, ZeroDivisionError) as e:  # inv of a singular matrix
            raise self.fail(node, f"{e}".strip() or "singular") from e
        return self.all_checked(node, value, "outside its domain")

    def number(self, node: Num) -> Any:
        text = node.text
        known = self.numbers.get(text)
        if known is None:
            known = self.numbers[text] = self.new_number(node)
        return known

    def new_number(self, node: Num) -> Any:
        from fractions import Fraction

        text = node.text
        if text.isdigit():  # the tokenizer only makes numbers of ASCII digits
            if len(text) > self.limits.digits:
                raise self.too_big(node)
            return self.se.Integer(int(text))
        mantissa, _, exponent = text.lower().partition("e")
        if len(mantissa) > self.limits.digits or (
            exponent
            and (len(exponent) > 12 or abs(int(exponent)) + len(mantissa) > self.limits.digits)
        ):
            raise self.too_big(node)
        value = Fraction(text)  # exact: 0.1 is 1/10
        return self.se.Integer(value.numerator) / self.se.Integer(value.denominator)


def build(
    parsed: Sequence[Parsed],
    limits: Limits = DEFAULT_LIMITS,
    values: Mapping[str, Any] | None = None,
) -> list[Any]:
    """SymEngine expressions for parsed components; with `values`, their values there.

    Building at a point evaluates the expressions as typed, operation by
    operation, so `x/x` at x=0 is reported as undefined even though the
    expression x/x is simply 1 once built.
    """
    builder = Builder(limits, values)
    return [entry for p in parsed for entry in builder.build(p)]
