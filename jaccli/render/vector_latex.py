"""jac's vector syntax as LaTeX: the matrix form of a Jacobian, `V*diag(1 - tanh(W*x + b).^2)*W`
as `V \\operatorname{diag}\\left(1 - \\left(\\tanh\\left(W x + b\\right)\\right)^{\\circ 2}
\\right) W`.

The form is parsed with jac's own parser and printed from its tree, so that brackets
come from the structure and never from the text: a sign or a bracket dropped would make
the LaTeX mean something else, which nobody would notice. The conventions, as textbooks
write them:

- the matrix product is juxtaposition (`W x`), with `\\,` between a name and a bracket (`W \\,
  \\left(x + b\\right)`, not W applied to x + b) and `\\cdot` before a number; a scalar times
  a matrix the same way (`2 x^{\\top}`); a product bracketed as typed keeps its brackets
  (`4 \\left(x^{\\top} x\\right) x^{\\top}`: the scalar xᵀx, although the product associates);
- `x'` is `x^{\\top}`; `.*` and `./` are `\\odot` and `\\oslash`, and their operands are
  bracketed unless they are single factors (`\\left(W x\\right) \\odot c`), so that nobody
  has to know whether juxtaposition binds tighter than ⊙; `.^` is the Hadamard power
  `x^{\\circ 2}`, of a bracketed base unless it is a name;
- `I` is the identity, `ones(n)` is `\\mathbf{1}`, `diag(v)` is `\\operatorname{diag}\\left(v
  \\right)`, `norm(v)` is `\\left\\lVert v\\right\\rVert`, `inv(M)` is `M^{-1}`;
- functions by the catalogue's macro (jaccli.functions: `\\sin`, `\\operatorname{arsinh}`),
  else `\\operatorname{name}`, except those the catalogue writes as what SymEngine builds
  from them (softplus as `\\ln`, exp as a power): in a form they appear by their own name;
- names as in the entries (jaccli.render.latex_printer): `W`, `\\theta`, `x_{1}` for x[1],
  with the same spelling as the result's entries when a `Notation` is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from jaccli.functions import CATALOGUE
from jaccli.render.latex_printer import (
    Notation,
    _escape_text,
    declared_function,
    spelled_out,
    symbol_name,
    vector_name,
)

if TYPE_CHECKING:
    from jaccli.engine import Block
    from jaccli.parse.shapes import Shape
    from jaccli.parse.tree import Node

# How a function is written in a form where the catalogue's LaTeX is that of what SymEngine
# builds from it (jaccli.functions: "their `latex` is that of what they build").
_AS_TYPED = {
    "exp": "\\exp",
    "softplus": "\\operatorname{softplus}",
    "sigmoid": "\\operatorname{sigmoid}",
    "relu": "\\operatorname{relu}",
    "log10": "\\log_{10}",
    "max": "\\max",
    "min": "\\min",
    "det": "\\det",
    "tr": "\\operatorname{tr}",
}
_HADAMARD = {"*": "\\odot", "/": "\\oslash"}  # .* and ./
_INDEXED = re.compile(r"([^\W\d]\w*)\[[0-9]+(,[0-9]+)?\]")  # x[1] or W[1,2] in a text
_CALLED = re.compile(r"([^\W\d_][^\W_]*)(?:'+|_[0-9]+)?\(")  # g(, g'(, g_12(: called names
_ANY_SIDE = 10**6  # the shape guessed for a name indexed in a text whose shapes are not given


def _wrap(text: str) -> str:
    return f"\\left({text}\\right)"


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    from jaccli.parse.tree import children

    for child in children(node):
        yield from _nodes(child)


class VectorLatex:
    """One parsed form → LaTeX; `notation` spells scalar names as the result's entries do."""

    def __init__(self, root: Node, notation: Notation | None = None) -> None:
        from jaccli.parse import tree

        self.tree = tree
        self.names = notation.names if notation is not None else {}
        nodes = list(_nodes(root))
        self.has_pi = any(isinstance(n, tree.Const) and n.name == "pi" for n in nodes)
        named_e = any(isinstance(n, tree.Name) and n.name == "e" for n in nodes)
        self.e = "\\mathrm{e}" if named_e or (notation and notation.e != "e") else "e"
        self.dispatch: dict[type, Callable[[Node], str]] = {
            tree.Num: self.number, tree.Name: self.name, tree.Const: self.const,
            tree.Sum: self.sum, tree.Product: self.product, tree.Neg: self.neg,
            tree.Power: self.power, tree.Transpose: self.transpose,
            tree.Elementwise: self.elementwise, tree.Call: self.call,
        }  # fmt: skip
        self.text = self(root)

    def __call__(self, node: Node) -> str:
        return self.dispatch[type(node)](node)

    # atoms -------------------------------------------------------------------
    def number(self, node: Node) -> str:
        mantissa, _, exponent = node.text.lower().partition("e")  # type: ignore[attr-defined]
        return f"{mantissa} \\cdot 10^{{{int(exponent)}}}" if exponent else mantissa

    def name(self, node: Node) -> str:
        name: str = node.name  # type: ignore[attr-defined]
        if node.shape is not None:  # type: ignore[attr-defined]
            text = vector_name(name)
        else:
            text = self.names.get(name) or symbol_name(name)
        return spelled_out(name) if text == "\\pi" and self.has_pi else text

    def const(self, node: Node) -> str:
        return "\\pi" if node.name == "pi" else self.e  # type: ignore[attr-defined]

    def bare(self, node: Node) -> bool:
        """Whether a superscript may go on the node as printed, without brackets."""
        tree = self.tree
        if isinstance(node, tree.Num):
            return bool(node.text.isdigit())
        if isinstance(node, tree.Call):  # 1^{\top}, |x|^{2}, ‖x‖^{2}: delimited already
            return node.func in ("ones", "abs", "Abs", "norm")
        return isinstance(node, tree.Name | tree.Const)

    # operations --------------------------------------------------------------
    def sum(self, node: Node) -> str:
        out = ""
        for k, (negated, term) in enumerate(node.terms):  # type: ignore[attr-defined]
            text = self(term)
            if (negated and isinstance(term, self.tree.Sum)) or (
                text.startswith("-") and (k or negated)
            ):
                text = _wrap(text)
            if k == 0:
                out = "-" + text if negated else text
            else:
                out += (" - " if negated else " + ") + text
        return out

    def neg(self, node: Node) -> str:
        operand = node.operand  # type: ignore[attr-defined]
        text = self(operand)
        if isinstance(operand, self.tree.Sum) or text.startswith("-"):
            text = _wrap(text)
        return "-" + text

    def factors(self, nodes: list[Node]) -> str:
        """Factors side by side in their order (matrix products do not commute)."""
        if len(nodes) == 1:  # alone in a numerator or a denominator: the bar groups it
            return self(nodes[0])
        out = ""
        for k, f in enumerate(nodes):
            text = self(f)
            if self.bracketed_factor(f, text, k):
                text = _wrap(text)
            if k == 0:
                out = text
            elif text[0].isdigit() or (out[-1].isdigit() and text.startswith("\\frac")):
                out += " \\cdot " + text  # 2 \cdot 3, 2 \cdot \frac{1}{2}: never 23 or 2½
            elif text.startswith("\\left(") and not out[-1].isdigit():
                out += " \\, " + text  # W \, (x + b): W applied to x + b otherwise
            else:
                out += " " + text
        return out

    def bracketed_factor(self, f: Node, text: str, k: int) -> bool:
        """Whether the k-th factor of a product is bracketed: a sum, a negative factor after
        the first, (a ⊙ b) W, and a product grouped as typed (4*(x'*x)*x': the scalar xᵀx)."""
        tree = self.tree
        if isinstance(f, tree.Sum) or (text.startswith("-") and k):
            return True
        while isinstance(f, tree.Neg):  # -(a ⊘ a) s: the ⊘ must not reach s
            f = f.operand
        if isinstance(f, tree.Elementwise):
            return bool(f.op != "^")
        return isinstance(f, tree.Product) and not any(divided for divided, _ in f.factors)

    def product(self, node: Node) -> str:
        pairs = node.factors  # type: ignore[attr-defined]
        top = [f for divided, f in pairs if not divided]
        bottom = [f for divided, f in pairs if divided]
        numerator = self.factors(top) if top else "1"
        return f"\\frac{{{numerator}}}{{{self.factors(bottom)}}}" if bottom else numerator

    def superscript(self, base: Node, text: str) -> str:
        shown = self(base)
        return f"{shown if self.bare(base) else _wrap(shown)}^{{{text}}}"

    def power(self, node: Node) -> str:
        return self.superscript(node.base, self(node.exponent))  # type: ignore[attr-defined]

    def transpose(self, node: Node) -> str:
        return self.superscript(node.operand, "\\top")  # type: ignore[attr-defined]

    def elementwise(self, node: Node) -> str:
        op, left, right = node.op, node.left, node.right  # type: ignore[attr-defined]
        if op == "^":
            return self.superscript(left, f"\\circ {self(right)}")
        tree = self.tree
        same = isinstance(left, tree.Elementwise) and left.op == op == "*"  # ⊙ associates
        left_text, right_text = self(left), self(right)
        if not same and isinstance(left, tree.Sum | tree.Product | tree.Elementwise):
            left_text = _wrap(left_text)
        if isinstance(right, tree.Sum | tree.Product | tree.Neg | tree.Elementwise) and not (
            isinstance(right, tree.Elementwise) and right.op == "^"
        ):
            right_text = _wrap(right_text)
        return f"{left_text} {_HADAMARD[op]} {right_text}"

    def call(self, node: Node) -> str:
        func: str = node.func  # type: ignore[attr-defined]
        args: tuple[Node, ...] = node.args  # type: ignore[attr-defined]
        inner = ", ".join(self(a) for a in args)
        if func == "ones":
            return "\\mathbf{1}"
        if func in ("abs", "Abs"):
            return f"\\left|{inner}\\right|"
        if func == "norm":
            return f"\\left\\lVert {inner}\\right\\rVert"
        if func == "sqrt":
            return f"\\sqrt{{{inner}}}"
        if func == "cbrt":
            return f"\\sqrt[3]{{{inner}}}"
        if func == "inv":
            return self.superscript(args[0], "-1")
        if func == "log" and len(args) == 2:
            return f"\\log_{{{self(args[1])}}}{_wrap(self(args[0]))}"
        entry = CATALOGUE.get(func)
        if entry is None:  # declared with no formula: g, g', g_{12}
            return (declared_function(func) or f"\\operatorname{{{func}}}") + _wrap(inner)
        macro = _AS_TYPED.get(func) or entry.latex
        return (macro or f"\\operatorname{{{func}}}") + _wrap(inner)


def parsed(text: str, shapes: Mapping[str, Shape]) -> Node | None:
    """The tree of a text in jac's vector syntax, or None if jac's parser refuses it.

    A name indexed in the text (x[1]) whose shape is not given is taken for a vector or
    matrix large enough: the printer needs the tree, not the sizes.
    """
    from jaccli.errors import JacError
    from jaccli.parse.grammar import Parser

    known = dict(shapes)
    for m in _INDEXED.finditer(text):
        known.setdefault(m.group(1), (_ANY_SIDE, _ANY_SIDE if m.group(2) else 1))
    abstract = {m.group(1) for m in _CALLED.finditer(text)} - CATALOGUE.keys()
    try:
        return Parser(text, "matrix form", (), shapes=known, abstract=abstract).parse_single()
    except JacError:
        return None


def to_latex(
    text: str,
    shapes: Mapping[str, Shape],
    notation: Notation | None = None,
    root: Node | None = None,
) -> str:
    """A text in jac's vector syntax as LaTeX; as text in `\\texttt` if jac cannot parse it.
    `root`: its tree, when the caller has parsed it already."""
    root = root or parsed(text, shapes)
    if root is None:
        return f"\\texttt{{{_escape_text(text)}}}"
    return VectorLatex(root, notation).text


def form_latex(block: Block, notation: Notation | None = None) -> str:
    """The block's matrix form in LaTeX: `\\operatorname{diag}\\left(\\cos\\left(x\\right)
    \\right)`."""
    return to_latex(block.form, dict(block.shapes), notation)


def derivative_latex(block: Block, notation: Notation | None = None) -> str:
    """`\\frac{\\partial \\left(W x + b\\right)}{\\partial x}`: what the block is the form of."""
    from jaccli.parse.tree import Name

    shapes = dict(block.shapes)
    tree = parsed(block.function, shapes)
    function = to_latex(block.function, shapes, notation, tree)
    if not isinstance(tree, Name):
        function = _wrap(function)
    variable = to_latex(block.variable, shapes, notation)
    return f"\\frac{{\\partial {function}}}{{\\partial {variable}}}"
