"""J in index notation (`--index`): ∂y_i/∂x_j = Σ_k W[i,k] δ_kj = W[i,j] for y = W*x.

Textbooks derive a Jacobian entry by entry: write the i-th entry of the expression with sums
over dummy indices, differentiate by x_j (∂x_k/∂x_j is the Kronecker delta δ_kj), then
contract the deltas. This module does the same with SymPy's Indexed objects, which know
∂x[k]/∂x[j] = δ_kj, from the tree as typed, and returns both steps: the form with the deltas
where they arise, and the form with every Σ_k … δ_kj contracted. Functions without a SymPy
equivalent (sigmoid, a declared g) stay functions, their derivatives primed (σ' is sigmoid').
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from jaccli.engine.results import IndexForm
from jaccli.parse.limits import DEFAULT_LIMITS
from jaccli.parse.shapes import SCALAR, Checker, Shape, product_shape
from jaccli.parse.tree import (
    Call,
    Const,
    Elementwise,
    Name,
    Neg,
    Node,
    Num,
    Power,
    Product,
    Sum,
    Transpose,
)

if TYPE_CHECKING:
    from jaccli.parse.tree import Parsed

# jac's functions that SymPy has under another name; the rest of the catalogue's one-argument
# functions have SymPy's name, and anything else stays an undefined function.
_SYMPY_NAMES = {"ln": "log", "abs": "Abs"}
_DUMMIES = "klmnpqrstuvw"


class Unsupported(Exception):
    """No index form here (a matrix variable, det, inv, a matrix power)."""


class _Entries:
    """The entry (r, c) of each node as a SymPy expression with indices."""

    def __init__(self, parsed: Parsed, taken: set[str]) -> None:
        import sympy

        self.sp = sympy
        self.line = parsed.line
        self.checker = Checker(parsed.line, parsed.where, DEFAULT_LIMITS._replace(tokens=1 << 62))
        self.dummies: Iterator[str] = (d for d in _DUMMIES if d not in taken)

    def dummy(self) -> Any:
        name = next(self.dummies, None)
        if name is None:
            raise Unsupported
        return self.sp.Symbol(name, integer=True)

    def shape(self, node: Node) -> Shape:
        return self.checker.shape(node)

    def entry(self, node: Node, r: Any, c: Any) -> Any:
        sp = self.sp
        if isinstance(node, Num):
            return sp.Rational(node.text)
        if isinstance(node, Const):
            return sp.pi if node.name == "pi" else sp.E
        if isinstance(node, Name):
            return self.name(node, r, c)
        if isinstance(node, Neg):
            return -self.entry(node.operand, r, c)
        if isinstance(node, Transpose):
            return self.entry(node.operand, c, r)
        if isinstance(node, Sum):
            total = sp.Integer(0)
            for negated, term in node.terms:
                value = self.spread(term, r, c)
                total = total - value if negated else total + value
            return total
        if isinstance(node, Elementwise):
            left, right = self.spread(node.left, r, c), self.spread(node.right, r, c)
            return {"*": left * right, "/": left / right}.get(node.op, left**right)
        if isinstance(node, Product):
            return self.product(list(node.factors), r, c)
        if isinstance(node, Power):
            if self.shape(node.base) != SCALAR:
                raise Unsupported
            return self.entry(node.base, 1, 1) ** self.entry(node.exponent, 1, 1)
        assert isinstance(node, Call)
        return self.call(node, r, c)

    def spread(self, node: Node, r: Any, c: Any) -> Any:
        """A scalar broadcasts: its one entry stands for every (r, c)."""
        return self.entry(node, 1, 1) if self.shape(node) == SCALAR else self.entry(node, r, c)

    def name(self, node: Name, r: Any, c: Any) -> Any:
        sp = self.sp
        if node.shape is None:
            base, _, inside = node.name.partition("[")
            if not inside:
                return sp.Symbol(node.name, real=True)
            indices = [sp.Integer(int(k)) for k in inside.rstrip("]").split(",")]
            return sp.IndexedBase(base)[tuple(indices)]
        rows, columns = node.shape
        if columns == 1:
            return sp.IndexedBase(node.name)[r]
        if rows == 1:
            return sp.IndexedBase(node.name)[c]
        return sp.IndexedBase(node.name)[r, c]

    def product(self, factors: list[tuple[bool, Node]], r: Any, c: Any) -> Any:
        """Left to right; a matrix product is a sum over a dummy index."""
        *before, (divide, last) = factors
        if not before:
            return self.entry(last, r, c)
        shape = self.shape(before[0][1])
        for divided, factor in before[1:]:
            more = self.shape(factor)
            if not divided:
                shape = product_shape(shape, more)
        other = self.shape(last)
        if divide:
            return self.product(before, r, c) / self.entry(last, 1, 1)
        if shape == SCALAR:
            return self.product(before, 1, 1) * self.entry(last, r, c)
        if other == SCALAR:
            return self.product(before, r, c) * self.entry(last, 1, 1)
        k = self.dummy()
        inner = self.product(before, r, k) * self.entry(last, k, c)
        return self.sp.Sum(inner, (k, 1, shape[1]))

    def call(self, node: Call, r: Any, c: Any) -> Any:
        sp, func, args = self.sp, node.func, node.args
        if func in ("sum", "dot", "norm", "softmax", "logsumexp", "tr", "diag", "ones"):
            return self.vector_call(node, r, c)
        if func in ("det", "inv"):
            raise Unsupported
        values = [self.spread(a, r, c) for a in args]
        name = _SYMPY_NAMES.get(func, func)
        builder = getattr(sp, name, None)
        if func in ("sigmoid", "softplus", "relu", "log10", "max", "min") or not callable(builder):
            builder = sp.Function(func)
        return builder(*values)

    def vector_call(self, node: Call, r: Any, c: Any) -> Any:
        sp, func = self.sp, node.func
        if func == "ones":
            return sp.Integer(1)
        u = node.args[0]
        rows, columns = self.shape(u)
        if func == "diag":
            if 1 in (rows, columns):
                return self.vector(u, r) * sp.KroneckerDelta(r, c)
            return self.entry(u, r, r)
        k = self.dummy()
        n = rows * columns
        if func == "tr":
            return sp.Sum(self.entry(u, k, k), (k, 1, rows))
        if func == "sum" and 1 not in (rows, columns):
            raise Unsupported
        if func == "sum":
            return sp.Sum(self.vector(u, k), (k, 1, n))
        if func == "dot":
            return sp.Sum(self.vector(u, k) * self.vector(node.args[1], k), (k, 1, n))
        if func == "norm":
            return sp.sqrt(sp.Sum(self.vector(u, k) ** 2, (k, 1, n)))
        total = sp.Sum(sp.exp(self.vector(u, k)), (k, 1, n))
        if func == "logsumexp":
            return sp.log(total)
        return sp.exp(self.vector(u, r if columns == 1 else c)) / total

    def vector(self, node: Node, k: Any) -> Any:
        rows, columns = self.shape(node)
        if rows > 1 and columns > 1:
            raise Unsupported
        return self.entry(node, k, 1) if columns == 1 else self.entry(node, 1, k)


def index_form(parsed: Parsed, variable: str, shapes: Mapping[str, Shape]) -> IndexForm | None:
    """∂(component)_i/∂x_j in index notation, or None where jac has no index form for it."""
    found = index_expressions(parsed, variable, shapes)
    if found is None:
        return None
    derivative, contracted = found
    shape = shapes.get(variable, SCALAR)
    vector = parsed.shape is not None and parsed.shape[0] * parsed.shape[1] > 1
    top = "y_i" if vector else "f"
    bottom = f"{variable}_j" if shape != SCALAR else variable
    steps = tuple(dict.fromkeys(_text(e) for e in (derivative, contracted)))
    latex_top = "y_{i}" if vector else "f"
    latex_bottom = f"{variable}_{{j}}" if shape != SCALAR else variable
    latex = " = ".join(
        [
            f"\\frac{{\\partial {latex_top}}}{{\\partial {latex_bottom}}}",
            *dict.fromkeys(_latex(e) for e in (derivative, contracted)),
        ]
    )
    return IndexForm(f"∂{top}/∂{bottom}", steps, latex)


def index_expressions(
    parsed: Parsed, variable: str, shapes: Mapping[str, Shape]
) -> tuple[Any, Any] | None:
    """∂y_i/∂x_j as SymPy expressions in the symbols i and j: as differentiated (with δ), and
    contracted. Entry (i, j) of J is either with i and j set and the sums done."""
    import sympy as sp

    from jaccli.engine.bridge import primed

    shape = shapes.get(variable, SCALAR)
    taken = set(shapes) | {variable}
    if 1 not in shape or parsed.shape is None or taken & {"i", "j"}:
        return None
    entries = _Entries(parsed, taken | {"i", "j"})
    i, j = sp.Symbol("i", integer=True), sp.Symbol("j", integer=True)
    rows, columns = parsed.shape
    try:
        if rows > 1 and columns > 1:
            return None
        y = entries.entry(parsed.node, i if columns == 1 else 1, i if rows == 1 else 1)
        x = sp.Symbol(variable, real=True) if shape == SCALAR else sp.IndexedBase(variable)[j]
        derivative = primed(y.diff(x))
    except (Unsupported, RecursionError, TypeError, ValueError):
        return None
    return derivative, primed(_contracted(derivative))


def _contracted(expr: Any) -> Any:
    """Σ_k a·δ_kj (k from 1 to n) as a with k = j, everywhere in `expr` (j is in range)."""
    import sympy as sp

    def contract(s: Any) -> Any:
        body, (k, low, high) = s.function, s.limits[0]
        terms = sp.Add.make_args(sp.expand(body, deep=False, mul=True, multinomial=False))
        out, kept = sp.Integer(0), sp.Integer(0)
        for term in terms:
            delta = next((d for d in sp.Mul.make_args(term) if _delta_of(d, k)), None)
            if delta is None:
                kept += term
                continue
            other = delta.args[0] if delta.args[1] == k else delta.args[1]
            out += (term / delta).subs(k, other)
        return out + (sp.Sum(kept, (k, low, high)) if kept != 0 else 0)

    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1, contract)


def _latex(expr: Any) -> str:
    """SymPy's LaTeX, a primed function written g'(u) (or \\operatorname{sigmoid}'(u))."""
    import sympy as sp

    def primed_name(m: re.Match[str]) -> str:
        name, primes = m.group(1), m.group(2)
        return (name if len(name) == 1 else f"\\operatorname{{{name}}}") + primes

    return re.sub(r"\\operatorname\{([A-Za-z]\w*?)('+)\}", primed_name, sp.latex(expr))


def _delta_of(factor: Any, k: Any) -> bool:
    import sympy as sp

    return isinstance(factor, sp.KroneckerDelta) and k in factor.args


def _text(expr: Any) -> str:
    """In jac's words: Σ_k W[i,k] δ_kj, cos(x[i]) δ_ij."""
    from sympy.printing.str import StrPrinter

    class Printer(StrPrinter):  # type: ignore[misc]
        printmethod = "_jac_text"  # not Indexed's own _sympystr, which writes W[i, k]

        def _print_Sum(self, s: Any) -> str:
            k = s.limits[0][0]
            return f"Σ_{k} ({self._print(s.function)})"

        def _print_KroneckerDelta(self, d: Any) -> str:
            a, b = (self._print(x) for x in d.args)
            if a == "j":  # the index derived by goes last: δ_kj, δ_ij
                a, b = b, a
            return f"δ_{a}{b}" if len(a) == len(b) == 1 else f"δ({a},{b})"

        def _print_Indexed(self, e: Any) -> str:
            return f"{e.base}[{','.join(self._print(k) for k in e.indices)}]"

        def _print_Mul(self, e: Any) -> str:
            import sympy as sp

            factors = sp.Mul.make_args(e)
            deltas = [f for f in factors if isinstance(f, sp.KroneckerDelta)]
            if not deltas or len(deltas) == len(factors):
                return str(super()._print_Mul(e))
            rest = sp.Mul(*(f for f in factors if not isinstance(f, sp.KroneckerDelta)))
            return "*".join([self.parenthesize(rest, 49), *(self._print(d) for d in deltas)])

    printer: Callable[[Any], str] = Printer().doprint
    return printer(expr)
