"""The parsed expression: a tiny tree whose nodes remember their columns, for error carets.

Plain classes with __slots__ rather than dataclasses: defining dataclasses costs
milliseconds at every start of jac, and these are created by the thousand.
"""

from typing import NamedTuple


class Node:
    __slots__ = ("end", "pos")

    def __init__(self, pos: int, end: int) -> None:
        self.pos = pos  # first column of the node in its line
        self.end = end  # one past its last column

    def spanning(self, pos: int, end: int) -> "Node":
        """The same node, its span widened (to include parentheses around it)."""
        self.pos, self.end = pos, end
        return self

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({self.pos}, {self.end}, {fields})"


class Num(Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, end: int, text: str) -> None:
        super().__init__(pos, end)
        self.text = text


class Name(Node):
    """A name; `shape` (rows, columns) for a vector or matrix declared with {shape}, else None.

    An entry such as x[2] is a Name too: the scalar named "x[2]".
    """

    __slots__ = ("name", "shape")

    def __init__(self, pos: int, end: int, name: str, shape: tuple[int, int] | None = None) -> None:
        super().__init__(pos, end)
        self.name = name
        self.shape = shape


class Const(Node):
    __slots__ = ("name",)  # "pi" or "E"

    def __init__(self, pos: int, end: int, name: str) -> None:
        super().__init__(pos, end)
        self.name = name


class Call(Node):
    __slots__ = ("args", "func")

    def __init__(self, pos: int, end: int, func: str, args: tuple[Node, ...]) -> None:
        super().__init__(pos, end)
        self.func = func
        self.args = args


class Neg(Node):
    __slots__ = ("operand",)

    def __init__(self, pos: int, end: int, operand: Node) -> None:
        super().__init__(pos, end)
        self.operand = operand


class Sum(Node):
    __slots__ = ("terms",)  # (negated, term)

    def __init__(self, pos: int, end: int, terms: tuple[tuple[bool, Node], ...]) -> None:
        super().__init__(pos, end)
        self.terms = terms


class Product(Node):
    __slots__ = ("factors",)  # (divided by, factor)

    def __init__(self, pos: int, end: int, factors: tuple[tuple[bool, Node], ...]) -> None:
        super().__init__(pos, end)
        self.factors = factors


class Power(Node):
    __slots__ = ("base", "exponent")

    def __init__(self, pos: int, end: int, base: Node, exponent: Node) -> None:
        super().__init__(pos, end)
        self.base = base
        self.exponent = exponent


class Transpose(Node):
    __slots__ = ("operand",)  # operand'

    def __init__(self, pos: int, end: int, operand: Node) -> None:
        super().__init__(pos, end)
        self.operand = operand


class Elementwise(Node):
    __slots__ = ("left", "op", "right")  # op: "*", "/" or "^" for .*, ./, .^ (and ⊙)

    def __init__(self, pos: int, end: int, op: str, left: Node, right: Node) -> None:
        super().__init__(pos, end)
        self.op = op
        self.left = left
        self.right = right


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly below `node`, left to right (for walks that do not need speed)."""
    if isinstance(node, Sum):
        return tuple(term for _, term in node.terms)
    if isinstance(node, Product):
        return tuple(factor for _, factor in node.factors)
    if isinstance(node, (Neg, Transpose)):
        return (node.operand,)
    if isinstance(node, Power):
        return (node.base, node.exponent)
    if isinstance(node, Elementwise):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


class Parsed(NamedTuple):
    """One parsed expression and the line it came from, for later error carets.

    `shape` is the shape of its value when it involves a vector or matrix (it then stands
    for that many components of F, row by row), None for a plain scalar expression.
    """

    node: Node
    line: str
    where: str
    shape: tuple[int, int] | None = None
