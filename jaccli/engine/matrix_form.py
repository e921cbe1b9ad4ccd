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

from jaccli.engine.results import Block
from jaccli.functions import CATALOGUE
from jaccli.parse.limits import DEFAULT_LIMITS
from jaccli.parse.shapes import SCALAR, Checker, Shape, entry_names
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

SUM, PRODUCT, POWER, ATOM = 0, 1, 2, 3  # how tightly a text binds


class Unrecognised(Exception):
    """No rule of matrix calculus here: the block has no matrix form."""


# --------------------------------------------------------------------------- terms


class Term:
    """A matrix in the form's algebra, `shape` its (rows, columns)."""

    __slots__ = ("shape",)

    def __init__(self, shape: Shape) -> None:
        self.shape = shape

    def text(self) -> tuple[str, int]:
        raise NotImplementedError


class Zero(Term):
    __slots__ = ()

    def text(self) -> tuple[str, int]:
        return "0", ATOM


class Eye(Term):
    __slots__ = ()

    def text(self) -> tuple[str, int]:
        return ("1" if self.shape == SCALAR else "I"), ATOM


class Lit(Term):
    """A matrix, vector or scalar as typed: W, x', (W*x - b)'."""

    __slots__ = ("precedence", "value")

    def __init__(self, value: str, precedence: int, shape: Shape) -> None:
        super().__init__(shape)
        self.value, self.precedence = value, precedence

    def text(self) -> tuple[str, int]:
        return self.value, self.precedence


class Diag(Term):
    __slots__ = ("vector",)

    def __init__(self, vector: str, n: int) -> None:
        super().__init__((n, n))
        self.vector = vector

    def text(self) -> tuple[str, int]:
        return f"diag({self.vector})", ATOM


class Prod(Term):
    __slots__ = ("factors",)

    def __init__(self, factors: tuple[Term, ...]) -> None:
        super().__init__((factors[0].shape[0], factors[-1].shape[1]))
        self.factors = factors

    def text(self) -> tuple[str, int]:
        return "*".join(_wrapped(f.text(), PRODUCT + 1) for f in self.factors), PRODUCT


class Scaled(Term):
    """number · scalars · term: 2*x', 4*(x'*x)*x'."""

    __slots__ = ("number", "scalars", "term")

    def __init__(self, number: Fraction, scalars: tuple[str, ...], term: Term) -> None:
        super().__init__(term.shape)
        self.number, self.scalars, self.term = number, scalars, term

    def text(self) -> tuple[str, int]:
        parts = [*self.scalars]
        one = isinstance(self.term, Eye) and self.term.shape == SCALAR  # the number 1
        if not one or not (parts or abs(self.number) != 1):
            parts.append(_wrapped(self.term.text(), PRODUCT))
        size = abs(self.number)
        if size != 1:
            parts.insert(0, str(size) if size.denominator == 1 else f"({size})")
        body = "*".join(parts)
        return ("-" + body, SUM) if self.number < 0 else (body, PRODUCT)


class Total(Term):
    __slots__ = ("terms",)

    def __init__(self, terms: tuple[Term, ...]) -> None:
        super().__init__(terms[0].shape)
        self.terms = terms

    def text(self) -> tuple[str, int]:
        out = ""
        for term in self.terms:
            body, _ = term.text()
            if not out:
                out = body
            elif body.startswith("-"):
                out += " - " + body[1:]
            else:
                out += " + " + body
        return out, SUM


def _wrapped(text: tuple[str, int], least: int) -> str:
    body, precedence = text
    return body if precedence >= least else f"({body})"


# --------------------------------------------------------------------------- simplifying


def _parts(term: Term) -> tuple[Fraction, tuple[str, ...], Term]:
    if isinstance(term, Scaled):
        return term.number, term.scalars, term.term
    return Fraction(1), (), term


def scaled(number: Fraction, scalars: tuple[str, ...], term: Term) -> Term:
    if isinstance(term, Zero) or number == 0:
        return Zero(term.shape)
    n, s, inner = _parts(term)
    number, scalars = number * n, scalars + s
    return inner if number == 1 and not scalars else Scaled(number, scalars, inner)


def times(*factors: Term) -> Term:
    """The product, with 0 and I simplified away, diagonals merged and scalars pulled out."""
    shape = (factors[0].shape[0], factors[-1].shape[1])
    number, scalars, flat = Fraction(1), tuple[str, ...](), list[Term]()
    for factor in factors:
        n, s, inner = _parts(factor)
        number, scalars = number * n, scalars + s
        if isinstance(inner, Zero):
            return Zero(shape)
        if isinstance(inner, Eye):
            continue
        for f in inner.factors if isinstance(inner, Prod) else (inner,):
            if flat and isinstance(f, Diag) and isinstance(flat[-1], Diag):
                flat[-1] = Diag(f"{_atom(flat[-1].vector)} .* {_atom(f.vector)}", f.shape[0])
            else:
                flat.append(f)
    core: Term = Eye(shape) if not flat else flat[0] if len(flat) == 1 else Prod(tuple(flat))
    return scaled(number, scalars, core)


def plus(*terms: Term) -> Term:
    """The sum, zeros dropped, equal terms added, a common left factor taken out."""
    shape = terms[0].shape
    kept: dict[tuple[tuple[str, ...], str], tuple[Fraction, Term]] = {}
    for term in terms:
        if isinstance(term, Total):
            for t in term.terms:
                _collect(kept, t)
        elif not isinstance(term, Zero):
            _collect(kept, term)
    found = [scaled(n, key[0], t) for key, (n, t) in kept.items() if n != 0]
    if not found:
        return Zero(shape)
    if len(found) == 1:
        return found[0]
    if all(isinstance(t, Prod) for t in found):
        firsts = {t.factors[0].text() for t in found}  # type: ignore[attr-defined]
        if len(firsts) == 1:
            first = found[0].factors[0]  # type: ignore[attr-defined]
            rests = [times(*t.factors[1:]) for t in found]  # type: ignore[attr-defined]
            return times(first, plus(*rests))
    return Total(tuple(found))


def _collect(kept: dict[tuple[tuple[str, ...], str], tuple[Fraction, Term]], term: Term) -> None:
    number, scalars, inner = _parts(term)
    key = (scalars, inner.text()[0])
    previous = kept.get(key)
    kept[key] = (number + (previous[0] if previous else 0), inner)


def _atom(text: str) -> str:
    """`text` as something that binds tightly: parenthesized unless it is a name or a call."""
    if re.fullmatch(r"[\w.\[\],]+'*|\w+\(.*\)'*", text) and _balanced(text):
        return text
    return f"({text})"


def _balanced(text: str) -> bool:
    """True when the outermost parentheses (if any) of a call close at its end."""
    depth = 0
    for k, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and ch == ")" and k != len(text) - 1:
            return False
    return True


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
        lit = self.lit(node)
        rows, columns = lit.shape
        if rows == 1 and columns > 1:
            return _transposed(lit)
        if rows > 1 and columns > 1:
            raise Unrecognised
        return lit

    def row(self, node: Node) -> Lit:
        """The entries of a vector as a row: x' for a column x."""
        lit = self.lit(node)
        rows, columns = lit.shape
        if columns == 1 and rows > 1:
            return _transposed(lit)
        if rows > 1 and columns > 1:
            raise Unrecognised
        return lit

    def depends(self, node: Node) -> bool:
        if isinstance(node, Name):
            return node.name == self.variable or node.name in self.entries
        return any(self.depends(child) for child in _children(node))

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
                s = _wrapped(lit.text(), POWER + 1)
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
                    scaled(Fraction(1), (_wrapped(s_lit.text(), PRODUCT + 1),), u_d),
                )
            else:  # the matrix product value*factor
                d = plus(times(value, d_other), self.left_derivative(value, shape, d, lit, other))
            value = times(value, lit) if not divide else Lit("", ATOM, shape)
            shape = (
                self.shape(factor)
                if shape == SCALAR
                else shape
                if other == SCALAR
                else (shape[0], other[1])
            )
            if divide:
                value = Lit(self.line[node.pos : factor.end].strip(), PRODUCT, shape)
        return d

    def left_derivative(self, a: Term, a_shape: Shape, d_a: Term, b: Lit, b_shape: Shape) -> Term:
        """The part of D(A*B) from A: B'·D(A) when A is a row (then A*B is a row or scalar)."""
        if isinstance(d_a, Zero):
            return Zero((a_shape[0] * b_shape[1], self.n))
        if a_shape[0] != 1:
            raise Unrecognised  # a matrix that depends on the variable, times something
        return times(_transposed(b), d_a)

    def vec(self, value: Term, shape: Shape) -> Term:
        """A vector value as a column (for the product rule with a scalar)."""
        rows, columns = shape
        if rows > 1 and columns > 1:
            raise Unrecognised
        return _transposed(value) if rows == 1 and columns > 1 else value

    def elementwise(self, node: Elementwise) -> Term:
        left, right = node.left, node.right
        if SCALAR in (self.shape(left), self.shape(right)) and node.op != "^":
            fake = Product(node.pos, node.end, ((False, left), (node.op == "/", right)))
            self.shapes[id(fake)] = self.shape(node)
            return self.product(fake)
        n = self.size(node)
        u, w = self.column(left) if self.size(left) > 1 else self.lit(left), self.lit(right)
        ut, wt = _wrapped(u.text(), ATOM), _wrapped(w.text(), ATOM)
        if node.op == "*":
            return plus(
                times(self.diag(wt, right, n), self.d(left)),
                times(self.diag(ut, left, n), self.d(right)),
            )
        if node.op == "/":
            return plus(
                times(Diag(f"1 ./ {wt}", n), self.d(left)),
                scaled(Fraction(-1), (), times(Diag(f"{ut} ./ {wt}.^2", n), self.d(right))),
            )
        if self.depends(right):
            raise Unrecognised  # u.^w with w depending on the variable
        k = self.line[right.pos : right.end].strip()
        if k == "2":
            return times(Diag(f"2*{ut}", n), self.d(left))
        return times(Diag(f"{_atom(k)}*{ut}.^({k} - 1)", n), self.d(left))

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
        b = _wrapped(self.lit(base).text(), POWER + 1)
        if k == "2":
            return scaled(Fraction(2), (b,), self.d(base))
        exponent = Fraction(k) if re.fullmatch(r"\d+", k) else None
        if exponent is not None:
            return scaled(exponent, (f"{b}^{exponent - 1}",), self.d(base))
        return scaled(Fraction(1), (_atom(k), f"{b}^({k} - 1)"), self.d(base))

    def call(self, node: Call) -> Term:
        func, args = node.func, node.args
        if func in ("sum", "dot", "norm", "softmax", "logsumexp"):
            return self.vector_call(node)
        template = CATALOGUE[func].derivative if func in CATALOGUE else None
        if len(args) != 1 or template is None:
            raise Unrecognised
        u = args[0]
        text = self.line[u.pos : u.end].strip()
        derivative = _substituted(template, text)
        if self.size(u) == 1:
            return scaled(Fraction(1), (_atom(derivative),), self.d(u))
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


def _substituted(template: str, argument: str) -> str:
    """The catalogue's g'(u) with u replaced by the argument as typed."""
    inside = template.replace("(u)", "(" + argument + ")")
    return re.sub(r"\bu\b", lambda _: _atom(argument), inside)


def _transposed(term: Term) -> Lit:
    body, precedence = term.text()
    rows, columns = term.shape
    if body.endswith("'") and precedence == ATOM and _atom(body[:-1]) == body[:-1]:
        return Lit(body[:-1], ATOM, (columns, rows))
    return Lit(_wrapped((body, precedence), ATOM) + "'", ATOM, (columns, rows))


def _precedence(node: Node, text: str) -> int:
    if text.startswith("(") and text.endswith(")") and _balanced(text):
        return ATOM
    if isinstance(node, Sum):
        return SUM
    if isinstance(node, (Product, Neg)) or (isinstance(node, Elementwise) and node.op != "^"):
        return PRODUCT
    if isinstance(node, (Power, Elementwise)):
        return POWER
    return ATOM


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (Num, Const, Name)):
        return ()
    if isinstance(node, (Neg, Transpose)):
        return (node.operand,)
    if isinstance(node, Sum):
        return tuple(t for _, t in node.terms)
    if isinstance(node, Product):
        return tuple(f for _, f in node.factors)
    if isinstance(node, Elementwise):
        return (node.left, node.right)
    if isinstance(node, Power):
        return (node.base, node.exponent)
    assert isinstance(node, Call)
    return node.args


# --------------------------------------------------------------------------- blocks


class Structure(NamedTuple):
    """F as typed with its vectors and matrices: what a matrix form is read from."""

    parsed: tuple[Parsed, ...]
    shapes: Mapping[str, Shape]


def blocks_for(structure: Structure, variables: Sequence[object]) -> tuple[Block, ...]:
    """The matrix form for J by these variables (entry symbols, as J's columns are)."""
    from jaccli.parse.shapes import expand_variables

    columns = [getattr(v, "name", str(v)) for v in variables]
    names = list(dict.fromkeys(c.partition("[")[0] for c in columns))
    if expand_variables(names, structure.shapes) != columns:
        return ()  # the entries of a vector are not all there, or not together
    return matrix_form(structure.parsed, names, structure.shapes)


def matrix_form(
    parsed: Sequence[Parsed], variables: Sequence[str], shapes: Mapping[str, Shape]
) -> tuple[Block, ...]:
    """J in matrix form, one block per component as typed and variable, where recognised."""
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
    names = set(re.findall(r"[^\W\d]\w*", form))
    used = [(name, shapes[name]) for name in sorted(names) if name in shapes]
    if "I" in names and "I" not in shapes:
        n = next(iter(differentiator.identity), term.shape[0])
        used.append(("I", (n, n)))
    return form, tuple(used)
