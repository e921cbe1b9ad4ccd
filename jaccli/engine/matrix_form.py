"""J in matrix form: the chain rule on the expression as typed, in jac's own vector syntax.

The entries of J say everything but hide the structure: the Jacobian of σ(Wx + b) is 3×2
sums of exponentials, and in matrix form diag(σ(Wx + b) ⊙ (1 − σ(Wx + b)))·W. This module
differentiates the parsed tree by the rules of matrix calculus in numerator layout (J of a
vector u by x is size(u)×size(x)): D(W*u) = W·D(u), D(g(u)) = diag(g′(u))·D(u),
D(u'*w) = w'·D(u) + u'·D(w), and so on, then simplifies (I and 0 vanish from products,
diagonals merge, equal terms add up, a common left factor comes out). Where no rule fits
(a matrix variable inside a product, a two-argument function) there is no form for that
block: the entries stay the answer. The forms are checked against the entries by the tests
(expanded, they agree at random sizes and points), not at run time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from jaccli.engine.matrix_terms import (
    ATOM,
    POWER,
    PRODUCT,
    SUM,
    Diag,
    Eye,
    Lit,
    Scaled,
    Term,
    Total,
    Zero,
    atom,
    balanced,
    plus,
    scaled,
    times,
    transposed,
    wrapped,
)
from jaccli.engine.results import Block
from jaccli.functions import CATALOGUE
from jaccli.parse.limits import DEFAULT_LIMITS
from jaccli.parse.shapes import SCALAR, Checker, Shape, entry_names, product_shape
from jaccli.parse.tree import (
    Call,
    Elementwise,
    Name,
    Neg,
    Node,
    Power,
    Product,
    Sum,
    Transpose,
    children,
)

if TYPE_CHECKING:
    from jaccli.parse.tree import Parsed


class Unrecognised(Exception):
    """No rule of matrix calculus here: the block has no matrix form."""


# --------------------------------------------------------------------------- differentiating


class Differentiator:
    """D(node) by one variable, as a Term of shape (entries of node) × (entries of the variable)."""

    def __init__(self, parsed: Parsed, variable: str, shape: Shape) -> None:
        self.line = parsed.line
        self.variable, self.n = variable, shape[0] * shape[1]
        self.entries = frozenset(entry_names(variable, shape)) if shape != SCALAR else frozenset()
        self.checker = Checker(parsed.line, parsed.where, DEFAULT_LIMITS._replace(tokens=1 << 62))
        self.shapes: dict[int, Shape] = {}
        self.identity: set[int] = set()
        self.dependent: dict[int, bool] = {}  # by id(node): d() asks again at every level
        self.made: list[Node] = []  # nodes made here (a .* with a scalar as a product)

    def shape(self, node: Node) -> Shape:
        known = self.shapes.get(id(node))
        if known is None:
            known = self.shapes[id(node)] = self.checker.shape(node)
        return known

    def size(self, node: Node) -> int:
        rows, columns = self.shape(node)
        return rows * columns

    def zero(self, node: Node) -> Term:
        return Zero((self.size(node), self.n))

    def lit(self, node: Node) -> Lit:
        text = self.line[node.pos : node.end].strip()
        return Lit(text, _precedence(node, text), self.shape(node))

    def column(self, node: Node) -> Lit:
        """The entries of a vector as a column: x, or (a row) x'."""
        return self.oriented(node, column=True)

    def row(self, node: Node) -> Lit:
        """The entries of a vector as a row: x' for a column x."""
        return self.oriented(node, column=False)

    def oriented(self, node: Node, column: bool) -> Lit:
        lit = self.lit(node)
        rows, columns = lit.shape
        if rows > 1 and columns > 1:
            raise Unrecognised
        across = rows == 1 and columns > 1  # a row of several entries
        down = columns == 1 and rows > 1
        return transposed(lit) if (across if column else down) else lit

    def depends(self, node: Node) -> bool:
        known = self.dependent.get(id(node))
        if known is None:
            if isinstance(node, Name):
                known = node.name == self.variable or node.name in self.entries
            else:
                known = any(self.depends(child) for child in children(node))
            self.dependent[id(node)] = known
        return known

    def d(self, node: Node) -> Term:
        if not self.depends(node):
            return self.zero(node)
        if isinstance(node, Name):
            if node.name != self.variable:
                raise Unrecognised  # x[2]: a unit row, which the syntax has no name for
            eye = Eye((self.n, self.n))
            if self.n > 1:
                self.identity.add(self.n)
            return eye
        if isinstance(node, Neg):
            return scaled(Fraction(-1), (), self.d(node.operand))
        if isinstance(node, Transpose):
            if 1 not in self.shape(node):
                raise Unrecognised
            return self.d(node.operand)
        if isinstance(node, Sum):
            return plus(*(self.broadcast(node, t, neg) for neg, t in node.terms))
        if isinstance(node, Product):
            return self.product(node)
        if isinstance(node, Elementwise):
            return self.elementwise(node)
        if isinstance(node, Power):
            return self.power(node)
        if isinstance(node, Call):
            return self.call(node)
        raise Unrecognised  # pragma: no cover

    def broadcast(self, whole: Node, term: Node, negated: bool) -> Term:
        """D of one term of a sum, a scalar term spread over every entry (ones(k)*D(t))."""
        d = self.d(term)
        size = self.size(whole)
        if self.size(term) == 1 and size > 1 and not isinstance(d, Zero):
            d = times(Lit(f"ones({size})", ATOM, (size, 1)), d)
        return scaled(Fraction(-1), (), d) if negated else d

    def product(self, node: Product) -> Term:
        first = node.factors[0][1]
        value: Term = self.lit(first)
        shape, d = self.shape(first), self.d(first)
        for divide, factor in node.factors[1:]:
            other, d_other = self.shape(factor), self.d(factor)
            lit = self.lit(factor)
            if divide:
                # D(A/s) = D(A)/s - vec(A) D(s)/s^2
                s = wrapped(lit.text(), POWER + 1)
                d = plus(
                    scaled(Fraction(1), (f"1/{s}",), d),
                    scaled(Fraction(-1), (f"1/{s}^2",), times(self.vec(value, shape), d_other)),
                )
            elif SCALAR in (shape, other):
                scalar_first = shape == SCALAR
                s_lit, s_d, u_value, u_shape, u_d = (
                    (value, d, lit, other, d_other)
                    if scalar_first
                    else (lit, d_other, value, shape, d)
                )
                d = plus(
                    times(self.vec(u_value, u_shape), s_d),
                    scaled(Fraction(1), (wrapped(s_lit.text(), PRODUCT + 1),), u_d),
                )
            else:  # the matrix product value*factor
                d = plus(times(value, d_other), self.left_derivative(value, shape, d, lit, other))
            shape = product_shape(shape, other)
            prefix = self.line[node.pos : factor.end].strip()
            value = Lit(prefix, PRODUCT, shape) if divide else times(value, lit)
        return d

    def left_derivative(self, a: Term, a_shape: Shape, d_a: Term, b: Lit, b_shape: Shape) -> Term:
        """The part of D(A*B) from A: B'·D(A) when A is a row (then A*B is a row or scalar)."""
        if isinstance(d_a, Zero):
            return Zero((a_shape[0] * b_shape[1], self.n))
        if a_shape[0] != 1:
            raise Unrecognised  # a matrix that depends on the variable, times something
        return times(transposed(b), d_a)

    def vec(self, value: Term, shape: Shape) -> Term:
        """A vector value as a column (for the product rule with a scalar)."""
        rows, columns = shape
        if rows > 1 and columns > 1:
            raise Unrecognised
        return transposed(value) if rows == 1 and columns > 1 else value

    def elementwise(self, node: Elementwise) -> Term:
        left, right = node.left, node.right
        scalars = SCALAR in (self.shape(left), self.shape(right))
        # u .* s, s .* u and u ./ s are products; s ./ u and s .^ u are not (u a vector).
        if (node.op == "*" and scalars) or (node.op == "/" and self.shape(right) == SCALAR):
            fake = Product(node.pos, node.end, ((False, left), (node.op == "/", right)))
            self.made.append(fake)  # kept alive: the caches are keyed by id
            self.shapes[id(fake)] = self.shape(node)
            return self.product(fake)
        n = self.size(node)
        u, w = self.entries_of(left), self.entries_of(right)
        ut, wt = wrapped(u.text(), ATOM), wrapped(w.text(), ATOM)
        if node.op == "*":
            return plus(
                times(self.diag(wt, right, n), self.d(left)),
                times(self.diag(ut, left, n), self.d(right)),
            )
        if node.op == "/":
            return plus(
                times(self.spread(f"1 ./ {wt}", left, n), self.d(left)),
                scaled(Fraction(-1), (), times(Diag(f"{ut} ./ {wt}.^2", n), self.d(right))),
            )
        if self.depends(right):
            raise Unrecognised  # u.^w with w depending on the variable
        k = self.line[right.pos : right.end].strip()
        if k == "2":
            return times(self.spread(f"2*{ut}", left, n), self.d(left))
        if self.size(right) > 1:  # a vector of exponents: entry by entry
            return times(self.spread(f"{wt} .* {ut}.^({wt} - 1)", left, n), self.d(left))
        value = _number(k)
        factor = atom(k) if value is None else _factor(value)
        return times(self.spread(f"{factor}*{ut}.^{_less_one(k)}", left, n), self.d(left))

    def entries_of(self, node: Node) -> Lit:
        """An operand of an elementwise operation: a vector as a column, a scalar as typed."""
        return self.column(node) if self.size(node) > 1 else self.lit(node)

    def spread(self, text: str, operand: Node, n: int) -> Term:
        """The factor of D(operand) in D of an elementwise operation with n entries: diag(text)
        for a vector operand; for a scalar one (s ./ u, s .^ u) the column text, as the scalar
        reaches every entry."""
        if self.size(operand) == 1 and n > 1:
            return Lit(text, PRODUCT, (n, 1))
        return Diag(text, n)

    def diag(self, text: str, node: Node, n: int) -> Term:
        if self.size(node) == 1:
            return Scaled(Fraction(1), (text,), Eye((n, n)))
        return Diag(text, n)

    def power(self, node: Power) -> Term:
        if self.depends(node.exponent) or self.shape(node.base) != SCALAR:
            raise Unrecognised
        base, k = node.base, self.line[node.exponent.pos : node.exponent.end].strip()
        if isinstance(base, Call) and base.func == "norm" and k == "2":  # ‖u‖² = u'u
            u = base.args[0]
            return scaled(Fraction(2), (), times(self.row(u), self.d(u)))
        b = wrapped(self.lit(base).text(), POWER + 1)
        if k == "2":
            return scaled(Fraction(2), (b,), self.d(base))
        exponent = _number(k)
        if exponent is not None:
            return scaled(exponent, (f"{b}^{_less_one(k)}",), self.d(base))
        return scaled(Fraction(1), (atom(k), f"{b}^{_less_one(k)}"), self.d(base))

    def call(self, node: Call) -> Term:
        func, args = node.func, node.args
        if func in ("sum", "dot", "norm", "softmax", "logsumexp"):
            return self.vector_call(node)
        # A function declared with no formula (g, or g' already) differentiates to g'.
        template = CATALOGUE[func].derivative if func in CATALOGUE else f"{func}'(u)"
        if len(args) != 1 or template is None:
            raise Unrecognised
        u = args[0]
        text = self.line[u.pos : u.end].strip()
        derivative = _substituted(template, text)
        if self.size(u) == 1:
            return scaled(Fraction(1), (atom(derivative),), self.d(u))
        return times(Diag(derivative, self.size(u)), self.d(u))

    def vector_call(self, node: Call) -> Term:
        func, u = node.func, node.args[0]
        text = self.line[u.pos : u.end].strip()
        k = self.size(u)
        if func == "sum":
            return times(Lit(f"ones({k})'", ATOM, (1, k)), self.d(u))
        if func == "dot":
            w = node.args[1]
            return plus(times(self.row(w), self.d(u)), times(self.row(u), self.d(w)))
        if func == "norm":
            return scaled(Fraction(1), (f"1/norm({text})",), times(self.row(u), self.d(u)))
        if func == "logsumexp":
            return times(Lit(f"softmax({text})'", ATOM, (1, k)), self.d(u))
        s = f"softmax({text})"
        jacobian = Total((Diag(s, k), Scaled(Fraction(-1), (), Lit(f"{s}*{s}'", PRODUCT, (k, k)))))
        return times(jacobian, self.d(u))


def _number(k: str) -> Fraction | None:
    """An exponent typed as a number (3, -2, (1/3), (-1/2)), or None."""
    return Fraction(k.strip("()")) if re.fullmatch(r"\(?-?\d+(/\d+)?\)?", k) else None


def _factor(value: Fraction) -> str:
    """A number as a factor or an exponent: 3, or (-3) and (2/3) in brackets."""
    return str(value) if value >= 0 and value.denominator == 1 else f"({value})"


def _less_one(k: str) -> str:
    """The exponent k - 1 of a power's derivative: a number typed as such is worked out
    (x.^-2 gives x.^(-3), not x.^(-2 - 1)); anything else stays a difference."""
    value = _number(k)
    return f"({k} - 1)" if value is None else _factor(value - 1)


def _substituted(template: str, argument: str) -> str:
    """The catalogue's g'(u) with u replaced by the argument as typed."""
    inside = template.replace("(u)", "(" + argument + ")")
    return re.sub(r"\bu\b", lambda _: atom(argument), inside)


def _precedence(node: Node, text: str) -> int:
    if text.startswith("(") and text.endswith(")") and balanced(text):
        return ATOM
    if isinstance(node, Sum):
        return SUM
    if isinstance(node, (Product, Neg)) or (isinstance(node, Elementwise) and node.op != "^"):
        return PRODUCT
    if isinstance(node, (Power, Elementwise)):
        return POWER
    return ATOM


# --------------------------------------------------------------------------- blocks


class Structure(NamedTuple):
    """F as typed with its vectors and matrices: what a matrix form is read from."""

    parsed: tuple[Parsed, ...]
    shapes: Mapping[str, Shape]


def blocks_for(
    structure: Structure, variables: Sequence[object], index: bool = False
) -> tuple[Block, ...]:
    """The matrix form for J by these variables (entry symbols, as J's columns are); with
    `index`, each block in index notation too."""
    from jaccli.parse.shapes import expand_variables

    columns = [getattr(v, "name", str(v)) for v in variables]
    names = list(dict.fromkeys(c.partition("[")[0] for c in columns))
    if expand_variables(names, structure.shapes) != columns:
        return ()  # the entries of a vector are not all there, or not together
    return matrix_form(structure.parsed, names, structure.shapes, index)


def matrix_form(
    parsed: Sequence[Parsed],
    variables: Sequence[str],
    shapes: Mapping[str, Shape],
    index: bool = False,
) -> tuple[Block, ...]:
    """J in matrix form, one block per component as typed and variable, where recognised."""
    from jaccli.engine.index_form import index_form

    blocks: list[Block] = []
    row = 1
    for item in parsed:
        rows = 1 if item.shape is None else item.shape[0] * item.shape[1]
        column = 1
        for variable in variables:
            shape = shapes.get(variable, SCALAR)
            n = shape[0] * shape[1]
            block = _block(item, variable, shape, shapes)
            if block is not None:
                form, names = block
                blocks.append(
                    Block(
                        function=item.line[item.node.pos : item.node.end].strip(),
                        variable=variable,
                        rows=(row, row + rows - 1),
                        columns=(column, column + n - 1),
                        form=form,
                        shapes=names,
                        index_form=index_form(item, variable, shapes) if index else None,
                    )
                )
            column += n
        row += rows
    return tuple(blocks)


def _block(
    item: Parsed, variable: str, shape: Shape, shapes: Mapping[str, Shape]
) -> tuple[str, tuple[tuple[str, Shape], ...]] | None:
    differentiator = Differentiator(item, variable, shape)
    try:
        term = differentiator.d(item.node)
    except (Unrecognised, RecursionError):
        return None
    if len(differentiator.identity) > 1 and not isinstance(term, Zero):
        return None  # identities of two sizes: "I" would not say which
    form = term.text()[0]
    typed = item.line[item.node.pos : item.node.end]
    names = set(re.findall(r"[^\W\d]\w*", form + " " + typed + " " + variable))
    used = [(name, shapes[name]) for name in sorted(names) if name in shapes]
    if "I" in names and "I" not in shapes:
        n = next(iter(differentiator.identity), term.shape[0])
        used.append(("I", (n, n)))
    return form, tuple(used)
