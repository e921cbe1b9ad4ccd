"""Declared shapes ({shape}: `W=3x2,b=3,x=2`) and the shape of every parsed expression.

A shape is data, (rows, columns): a vector of n entries is (n, 1), its transpose (1, n),
and a scalar (1, 1), so that x'*x is a scalar. Shapes are checked right after an
expression is read, before anything is built, and the expression's expanded size is
counted against the token limit there: a short input that expands to millions of
operations (a 2000×2000 W times x) stops with exit 3 before the work starts.
"""

from collections.abc import Iterable, Mapping

from jaccli.errors import LimitError, Location, ParseError
from jaccli.functions import VECTOR_FUNCTIONS  # the rest apply entry by entry
from jaccli.parse.limits import Limits, limit_hint
from jaccli.parse.tokens import tokenize
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

Shape = tuple[int, int]
SCALAR: Shape = (1, 1)
_MAX_SIDE = 10**6  # a declared side longer than this is a typo, whatever the limits


def parse_shapes(text: str) -> dict[str, Shape]:
    """`W=3x2,b=3,x=2` ({shape}) as {name: (rows, columns)}; a vector of n is (n, 1)."""
    where = "{shape}"
    tokens = tokenize(text.replace("\u00d7", "x"), where)
    shapes: dict[str, Shape] = {}
    i = 0

    def fail(message: str, pos: int) -> ParseError:
        return ParseError(message, Location(text, pos, where))

    while True:
        tok = tokens[i]
        if tok.kind != "name":
            raise fail(f"expected name=size such as x=3 or W=3x2, found {_seen(tok.text)}", tok.pos)
        if tok.text in shapes:
            raise fail(f"the shape of '{tok.text}' is given twice", tok.pos)
        if tokens[i + 1].kind != "=":
            raise fail(
                f"expected '=' and a size after '{tok.text}' (x=3 or W=3x2)", tokens[i + 1].pos
            )
        size = tokens[i + 2]
        sides = _sides(size.text) if size.kind in ("num", "name") else None
        if size.kind == "num" and tokens[i + 3].kind == "name" and tokens[i + 3].text[:1] == "x":
            # 3x2 is the number 3 and the name x2
            rest = (
                _sides("1" + tokens[i + 3].text)
                if tokens[i + 3].pos == size.pos + len(size.text)
                else None
            )
            sides = (int(size.text), rest[1]) if rest is not None and size.text.isdigit() else None
            i += 1
        if sides is None or not all(1 <= side <= _MAX_SIDE for side in sides):
            raise fail(
                f"the size of '{tok.text}' must be n or RxC with whole numbers from 1 to "
                f"{_MAX_SIDE:,}, such as 3 or 3x2",
                size.pos,
            )
        shapes[tok.text] = sides
        i += 3
        if tokens[i].kind == "end":
            return shapes
        if tokens[i].kind != ",":
            raise fail(f"expected ',' between shapes, found {_seen(tokens[i].text)}", tokens[i].pos)
        i += 1


def _seen(text: str) -> str:
    return f"'{text}'" if text else "end of input"


def _sides(text: str) -> Shape | None:
    """`3` as (3, 1), `1x3` as (1, 3); None for anything else."""
    if text.isdigit():
        return (int(text), 1)
    rows, x, columns = text.partition("x")
    if x and rows.isdigit() and columns.isdigit():
        return (int(rows), int(columns))
    return None


def product_shape(a: Shape, b: Shape) -> Shape:
    """The shape of a*b, checked before: scaling keeps the other shape, else (rows, columns)."""
    if a == SCALAR:
        return b
    return a if b == SCALAR else (a[0], b[1])


def entry_names(name: str, shape: Shape) -> list[str]:
    """The entries of a declared vector or matrix, row by row: x[1], x[2]; W[1,1], W[1,2], ..."""
    rows, columns = shape
    if rows == 1 or columns == 1:
        return [f"{name}[{k}]" for k in range(1, rows * columns + 1)]
    return [f"{name}[{i},{j}]" for i in range(1, rows + 1) for j in range(1, columns + 1)]


def expand_variables(names: Iterable[str], shapes: Mapping[str, Shape]) -> list[str]:
    """Variables with each declared vector or matrix replaced by its entries, in order."""
    out: list[str] = []
    for name in names:
        shape = shapes.get(name)
        out.extend(entry_names(name, shape) if shape is not None else [name])
    return out


def describe(shape: Shape) -> str:
    """`is 3×2`, `has 3 entries`, `is a row of 3 entries`, `is a scalar`."""
    rows, columns = shape
    if shape == SCALAR:
        return "is a scalar"
    if columns == 1:
        return f"has {rows} entries"
    if rows == 1:
        return f"is a row of {columns} entries"
    return f"is {rows}\u00d7{columns}"


class Checker:
    """The shape of each node of one parsed line, and its expanded size, checked as it goes."""

    def __init__(
        self, line: str, where: str, limits: Limits, spent: int = 0, declared: bool = True
    ) -> None:
        self.line, self.where, self.limits = line, where, limits
        self.declared = declared  # False: no vector or matrix was declared at all
        self.spent = spent  # operations counted so far, across all the input

    def error(self, message: str, node: Node) -> ParseError:
        return ParseError(message, Location(self.line, node.pos, self.where))

    def text(self, node: Node, end: int | None = None, start: int | None = None) -> str:
        snippet = self.line[node.pos if start is None else start : node.end if end is None else end]
        return snippet.strip() if len(snippet) <= 40 else snippet[:37].strip() + "..."

    def spend(self, operations: int, node: Node) -> None:
        self.spent += operations
        if self.spent > self.limits.tokens:
            raise LimitError(
                f"{self.text(node)} expands to more than {self.limits.tokens:,} operations "
                f"on entries; {limit_hint('tokens')}",
                Location(self.line, node.pos, self.where),
            )

    def shape(self, node: Node) -> Shape:
        kind = type(node)
        if kind is Name:
            return node.shape or SCALAR  # type: ignore[attr-defined]
        if kind is Num or kind is Const:
            return SCALAR
        if kind is Neg:
            return self.entrywise(node, self.shape(node.operand))  # type: ignore[attr-defined]
        if kind is Transpose:
            operand = node.operand  # type: ignore[attr-defined]
            rows, columns = self.shape(operand)
            if not self.declared:  # b'x' with nothing declared: a string, not a transpose
                raise self.error(
                    "' (the transpose) is for vectors and matrices declared with {shape} "
                    "(strings are not expressions)",
                    node,
                )
            return (columns, rows)
        if kind is Sum:
            return self.sum(node)  # type: ignore[arg-type]
        if kind is Product:
            return self.product(node)  # type: ignore[arg-type]
        if kind is Elementwise:
            return self.elementwise(node)  # type: ignore[arg-type]
        if kind is Power:
            return self.power(node)  # type: ignore[arg-type]
        assert kind is Call
        return self.call(node)  # type: ignore[arg-type]

    def entrywise(self, node: Node, shape: Shape) -> Shape:
        self.spend(shape[0] * shape[1], node)
        return shape

    def same(self, node: Node, a: Node, sa: Shape, b: Node, sb: Shape, start: int) -> Shape:
        """The shape of an entry-by-entry operation: equal shapes, or a scalar and a shape."""
        if sa != sb and SCALAR not in (sa, sb):
            raise self.error(
                f"{self.text(node, end=b.end, start=start)}: {self.text(a, start=start)} "
                f"{describe(sa)}, {self.text(b)} {describe(sb)}",
                b,
            )
        return self.entrywise(node, sb if sa == SCALAR else sa)

    def sum(self, node: Sum) -> Shape:
        terms = [t for _, t in node.terms]
        shape = self.shape(terms[0])
        previous = terms[0]
        for term in terms[1:]:  # from the first term: node.pos is at "(" in (x + c)
            shape = self.same(node, previous, shape, term, self.shape(term), terms[0].pos)
            previous = term
        return shape

    def elementwise(self, node: Elementwise) -> Shape:
        left, right = self.shape(node.left), self.shape(node.right)
        return self.same(node, node.left, left, node.right, right, node.left.pos)

    def product(self, node: Product) -> Shape:
        first = node.factors[0][1]
        shape = self.shape(first)
        for divide, factor in node.factors[1:]:
            other = self.shape(factor)
            so_far = Node(first.pos, factor.pos)  # not node.pos: "(" in (W*x)
            if divide:
                if other != SCALAR:
                    raise self.error(
                        f"{self.text(factor)} {describe(other)}: divide entry by entry with ./",
                        factor,
                    )
                shape = self.entrywise(node, shape)
            elif SCALAR in (shape, other):
                shape = self.entrywise(node, product_shape(shape, other))
            elif shape[1] != other[0]:
                left = self.text(so_far).rstrip("*").strip()
                raise self.error(
                    f"{left}*{self.text(factor)}: {left} {describe(shape)}, "
                    f"{self.text(factor)} {describe(other)}",
                    factor,
                )
            else:
                self.spend(2 * shape[0] * shape[1] * other[1], node)
                shape = product_shape(shape, other)
        return shape

    def power(self, node: Power) -> Shape:
        base, exponent = self.shape(node.base), self.shape(node.exponent)
        if exponent != SCALAR:
            raise self.error(
                f"{self.text(node.exponent)} {describe(exponent)}: raise entry by entry with .^",
                node.exponent,
            )
        if base == SCALAR:
            return SCALAR
        whole = isinstance(node.exponent, Num) and node.exponent.text.isdigit()
        if base[0] != base[1] or not whole or int(node.exponent.text) < 1:  # type: ignore[attr-defined]
            what = (
                ""
                if 1 in base
                else " and is not square"
                if base[0] != base[1]
                else " and has a power only for whole k >= 1"
            )
            raise self.error(
                f"{self.text(node.base)} {describe(base)}{what}: for entry-by-entry powers "
                f"write {self.text(node.base)}.^{self.text(node.exponent)}",
                node,
            )
        n = base[0]
        self.spend(2 * n**3 * min(int(node.exponent.text), 64), node)  # type: ignore[attr-defined]
        return base

    def call(self, node: Call) -> Shape:
        shapes = [self.shape(a) for a in node.args]
        if node.func not in VECTOR_FUNCTIONS:
            shape = shapes[0]
            for arg, other in zip(node.args[1:], shapes[1:], strict=True):
                shape = self.same(node, node.args[0], shape, arg, other, node.args[0].pos)
            return self.entrywise(node, shape)
        return self.vector_call(node, shapes)

    def vector_call(self, node: Call, shapes: list[Shape]) -> Shape:
        func, shape = node.func, shapes[0]
        rows, columns = shape
        size = rows * columns
        vector = 1 in shape
        if func == "ones":
            arg = node.args[0]
            if not (
                isinstance(arg, Num) and arg.text.isdigit() and 1 <= int(arg.text) <= _MAX_SIDE
            ):
                raise self.error("ones(n) takes a whole number n >= 1", arg)
            return self.entrywise(node, (int(arg.text), 1))
        if func in ("softmax", "logsumexp") and not vector:
            raise self.error(
                f"{func} takes a vector; {self.text(node.args[0])} {describe(shape)}", node
            )
        if func == "dot":
            other = shapes[1]
            if not (vector and 1 in other and size == other[0] * other[1]):
                raise self.error(
                    f"dot takes two vectors of one length: {self.text(node.args[0])} "
                    f"{describe(shape)}, {self.text(node.args[1])} {describe(other)}",
                    node,
                )
        if func in ("tr", "det", "inv") and rows != columns:
            raise self.error(
                f"{func} takes a square matrix; {self.text(node.args[0])} {describe(shape)}", node
            )
        if func == "diag" and not vector and rows != columns:
            raise self.error(
                f"diag takes a vector or a square matrix; {self.text(node.args[0])} "
                f"{describe(shape)}",
                node,
            )
        cost = {"det": rows**3, "inv": 2 * rows**3}.get(func, 2 * size)
        self.spend(cost, node)
        if func == "softmax" or func == "inv":
            return shape
        if func == "diag":
            return (size, size) if vector else (rows, 1)
        return SCALAR
