"""The parsed expression: a tiny tree whose nodes remember their columns, for error carets.

Plain classes with __slots__ rather than dataclasses: defining dataclasses costs
milliseconds at every start of jac, and these are created by the thousand.
"""

import functools
from typing import NamedTuple

from jaccli.parse.limits import Limits


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


class Reparse(NamedTuple):
    """What re-reading a line needs: the names declared variables and the limits."""

    variables: frozenset[str]
    limits: Limits


@functools.lru_cache(maxsize=1)
def _trees(line: str, where: str, again: Reparse) -> tuple[Node, ...]:
    """The trees of a line's components, parsed again. The last line's are remembered: its
    components ask in turn, and a line of n components is parsed once, not n times."""
    from jaccli.parse.grammar import Parser

    return tuple(Parser(line, where, again.variables, again.limits).parse_list())


class Parsed:
    """One parsed expression and the line it came from, for later error carets.

    `shape` is the shape of its value when it involves a vector or matrix (it then stands
    for that many components of F, row by row), None for a plain scalar expression.

    The tree is not kept for the run where it can be had again: with `again`, `node` parses
    the line on first use (component `index` of the line; it cannot fail, the line was read
    before with the same names and limits). `fast`: the line was read by jaccli.parse.fast,
    so its names are found in its text without a tree (`typed_names`). A big input keeps its
    texts, not its trees, and trees are made only for what needs them (a point, a check as
    typed).
    """

    __slots__ = ("_node", "again", "fast", "index", "line", "shape", "where")

    def __init__(
        self,
        node: Node | None,
        line: str,
        where: str,
        shape: tuple[int, int] | None = None,
        index: int = 0,
        again: Reparse | None = None,
        fast: bool = False,
    ) -> None:
        self._node = node
        self.line = line
        self.where = where
        self.shape = shape
        self.index = index
        self.again = again
        self.fast = fast  # read by jaccli.parse.fast: its names are the line's words

    @property
    def node(self) -> Node:
        if self._node is None:
            assert self.again is not None
            self._node = _trees(self.line, self.where, self.again)[self.index]
        return self._node

    def forget(self) -> None:
        """Drops the tree where it can be had again (`again`)."""
        if self.again is not None:
            self._node = None

    def __repr__(self) -> str:
        return f"Parsed({self.line!r}, {self.where!r}, index={self.index}, shape={self.shape})"
