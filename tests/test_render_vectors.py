"""Vectors and matrices in the renderers: entries' LaTeX names, and J in matrix form.

The entries of a declared vector or matrix (x[1], W[1,2]) print as x_{1}, W_{1,2} in
LaTeX and read back in every format: plain, JSON and table cells through jac's parser
given the shapes, LaTeX through latex2sympy (tests/test_readback.py's checks, whose text
reader is given the shapes here).

The matrix form prints in jac's syntax (table, JSON) and in LaTeX (vector_latex). A
LaTeX form that drops a sign or a bracket means something else and looks right, so
forms are read back by `FormReader`, a reader of that LaTeX written here from the
textbook conventions (juxtaposition is the matrix product, ⊙ binds looser than it, a
superscript ⊤ or ∘k binds to the atom before it), evaluated with NumPy and compared with
the form as jac's parser expands it, for generated forms at random shapes and values.
The blocks are made by hand: the engine's recognition is tested with the engine.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jaccli import engine, problem
from jaccli.engine import Block, JacobianResult
from jaccli.render import Format, LatexStyle, RenderOptions, render
from jaccli.render.forms import SHOWN_ENTRIES
from jaccli.render.forms import equation as forms_equation
from jaccli.render.latex import tex
from jaccli.render.vector_latex import form_latex, to_latex
from tests import test_readback
from tests.conftest import invoke, validate_schema
from tests.test_render import as_text, check_golden

Shape = tuple[int, int]

# --------------------------------------------------------------------------- an independent reader

_TOKEN = re.compile(
    r"\\left\\lVert|\\right\\rVert|\\left[(|]|\\right[)|]|\\[A-Za-z]+|\\,"
    r"|[0-9]+(?:\.[0-9]+)?|[A-Za-z]|[{}^_+\-,\[\]]|\s+"
)
_ELEMENTWISE = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "sinh": np.sinh, "cosh": np.cosh,
    "tanh": np.tanh, "exp": np.exp, "ln": np.log, "arcsin": np.arcsin, "arctan": np.arctan,
    "sigmoid": lambda u: 1 / (1 + np.exp(-u)), "softplus": lambda u: np.log1p(np.exp(u)),
    "relu": lambda u: np.maximum(u, 0), "arsinh": np.arcsinh, "sgn": np.sign,
}  # fmt: skip
_GREEK = {"alpha", "beta", "theta", "lambda", "mu", "sigma"}
_STARTS = ("\\left(", "\\left|", "\\left\\lVert", "\\frac", "\\sqrt", "\\mathbf", "\\mathit")


class FormReader:
    """The LaTeX of a matrix form → a NumPy array (scalars are 1×1), given each name's value.

    Grammar: expr := ['-'] hadamard (('+' | '-') hadamard)*; hadamard := product
    (('\\odot' | '\\oslash') product)*; product := postfix (['\\cdot' | '\\,'] postfix)*;
    postfix := primary ('^{' ('\\top' | '\\circ' expr | expr) '}')*. Shapes are checked as
    they would be on paper: a product of two matrices needs matching sides, ⊙ equal shapes.
    """

    def __init__(self, text: str, values: dict[str, Any], ones: int = 1) -> None:
        pieces = _TOKEN.findall(text)
        assert "".join(pieces) == text, f"characters the reader does not know in {text!r}"
        self.tokens = [t for t in pieces if not t.isspace()] + ["<end>"]
        self.values, self.ones, self.i = values, ones, 0
        self.value = self.expr()
        assert self.peek() == "<end>", f"{text!r}: unread from {self.tokens[self.i :]}"

    def peek(self) -> str:
        return self.tokens[self.i]

    def take(self, wanted: str | None = None) -> str:
        token = self.tokens[self.i]
        assert wanted is None or token == wanted, f"expected {wanted}, found {token}"
        self.i += 1
        return token

    def expr(self) -> Any:
        negative = self.peek() == "-" and bool(self.take())
        value = self.hadamard()
        value = -value if negative else value
        while self.peek() in ("+", "-"):
            op, other = self.take(), self.hadamard()
            assert value.shape == other.shape or (1, 1) in (value.shape, other.shape)
            value = value + other if op == "+" else value - other
        return value

    def hadamard(self) -> Any:
        value = self.product()
        while self.peek() in ("\\odot", "\\oslash"):
            op, other = self.take(), self.product()
            assert value.shape == other.shape or (1, 1) in (value.shape, other.shape)
            value = value * other if op == "\\odot" else value / other
        return value

    def starts_primary(self, token: str) -> bool:
        if token.startswith(_STARTS) or token[0].isalnum():
            return True
        return token[1:] in _ELEMENTWISE or token in ("\\operatorname", "\\pi", "\\log", "\\det")

    def product(self) -> Any:
        value = self.postfix()
        while True:
            if self.peek() in ("\\cdot", "\\,"):
                self.take()
            elif not self.starts_primary(self.peek()):
                return value
            other = self.postfix()
            if (1, 1) in (value.shape, other.shape):
                value = value * other
            else:
                assert value.shape[1] == other.shape[0], (value.shape, other.shape)
                value = value @ other

    def postfix(self) -> Any:
        value = self.primary()
        while self.peek() == "^":
            self.take()
            self.take("{")
            if self.peek() == "\\top":
                self.take()
                value = value.T
            elif self.peek() == "\\circ":
                self.take()
                value = value ** self.scalar(self.expr())
            else:
                value = self.power(value, self.scalar(self.expr()))
            self.take("}")
        return value

    @staticmethod
    def scalar(value: Any) -> float:
        assert value.shape == (1, 1), value.shape
        return float(value[0, 0])

    @staticmethod
    def power(base: Any, k: float) -> Any:
        if base.shape == (1, 1):
            return base**k
        if k == -1:
            return np.linalg.inv(base)
        return np.linalg.matrix_power(base, int(k))

    def braced(self) -> str:
        self.take("{")
        text = ""
        while self.peek() != "}":
            text += self.take()
        self.take("}")
        return text

    def primary(self) -> Any:
        token = self.take()
        closing = {"\\left(": "\\right)", "\\left|": "\\right|", "\\left\\lVert": "\\right\\rVert"}
        if token in closing:
            value = self.expr()
            self.take(closing[token])
            if token == "\\left|":
                return np.abs(value)
            return np.array([[np.sqrt(np.sum(value**2))]]) if token != "\\left(" else value
        if token == "\\frac":
            self.take("{")
            top = self.expr()
            self.take("}")
            self.take("{")
            bottom = self.scalar(self.expr())
            self.take("}")
            return top / bottom
        if token == "\\sqrt":
            self.take("{")
            value = np.sqrt(self.expr())
            self.take("}")
            return value
        if token == "\\mathbf":
            assert self.braced() == "1"
            return np.ones((self.ones, 1))
        if token[0].isdigit():
            return np.array([[float(token)]])
        if token == "\\pi":
            return np.array([[math.pi]])
        if token == "\\operatorname":
            return self.call(self.braced())
        if token == "\\log":
            self.take("_")
            base = self.scalar(self.primary_braced())
            return self.call("ln") / math.log(base)
        if token[1:] in _ELEMENTWISE or token == "\\det":
            return self.call(token[1:])
        if token == "\\mathit":
            return self.named(self.braced())
        if token[1:] in _GREEK or token.isalpha():
            return self.named(token.lstrip("\\"))
        raise AssertionError(f"the reader does not know {token!r}")

    def primary_braced(self) -> Any:
        self.take("{")
        value = self.expr()
        self.take("}")
        return value

    def named(self, name: str) -> Any:
        if self.peek() == "_":  # an entry: x_{1} is x[1], W_{1,2} is W[1,2]
            self.take()
            indices = [int(k) - 1 for k in self.braced().split(",")]
            whole = np.array(self.values[name], dtype=float)
            entry = whole.flat[indices[0]] if len(indices) == 1 else whole[tuple(indices)]
            return np.array([[entry]])
        if name == "e" and "e" not in self.values:
            return np.array([[math.e]])
        value = self.values[name]
        return np.array(value, dtype=float).reshape(np.shape(value) or (1, 1))

    def call(self, name: str) -> Any:
        self.take("\\left(")
        args = [self.expr()]
        while self.peek() == ",":
            self.take()
            args.append(self.expr())
        self.take("\\right)")
        (u,) = args
        if name in _ELEMENTWISE:
            return _ELEMENTWISE[name](u)
        if name == "diag":
            if 1 in u.shape:
                return np.diagflat(u)
            return np.diag(u).reshape(-1, 1)
        if name == "sum":
            return np.array([[u.sum()]])
        if name == "tr":
            return np.array([[np.trace(u)]])
        if name == "det":
            return np.array([[np.linalg.det(u)]])
        if name == "softmax":
            return np.exp(u) / np.exp(u).sum()
        raise AssertionError(f"the reader does not know the function {name}")


# --------------------------------------------------------------------------- jac's expansion


def random_values(shapes: dict[str, Shape], rng: random.Random) -> dict[str, Any]:
    """Values in ±[0.3, 1.7] for each name (the identity I is the identity)."""
    values: dict[str, Any] = {}
    for name, (rows, columns) in shapes.items():
        if name == "I":
            values[name] = np.eye(rows)
            continue
        values[name] = np.array(
            [[rng.choice((-1, 1)) * rng.uniform(0.3, 1.7) for _ in range(columns)]
             for _ in range(rows)]
        )  # fmt: skip
    return values


def expanded(form: str, shapes: dict[str, Shape], values: dict[str, Any]) -> Any:
    """The form as jac's parser and builder expand it, entry by entry, at `values`."""
    read = problem.read(form, None, shapes=dict(shapes))
    shape = read.parsed[0].shape or (1, 1)
    return numbers_at(read.functions, shapes, values).reshape(shape)


def numbers_at(exprs: Any, shapes: dict[str, Shape], values: dict[str, Any]) -> Any:
    """SymEngine expressions in entries (x[1], W[1,2]) and scalars, at `values`: an array."""
    import symengine

    env = {}
    for name, value in values.items():
        array = np.array(value, dtype=float).reshape(np.shape(value) or (1, 1))
        if name not in shapes:
            env[symengine.Symbol(name)] = float(array[0, 0])
            continue
        rows, columns = shapes[name]
        for i in range(rows):
            for j in range(columns):
                entry = (
                    f"{name}[{i * columns + j + 1}]"
                    if 1 in (rows, columns)
                    else (f"{name}[{i + 1},{j + 1}]")
                )
                env[symengine.Symbol(entry)] = float(array[i, j])
    numbers = [complex(symengine.sympify(e).subs(env)) for e in exprs]
    assert all(abs(n.imag) < 1e-12 for n in numbers), numbers
    return np.array([n.real for n in numbers])


def assert_reads_back(form: str, shapes: dict[str, Shape], scalars: tuple[str, ...] = ()) -> None:
    """The form's LaTeX, read back at random values, equals the form expanded by jac."""
    latex = to_latex(form, shapes)
    ones = re.search(r"ones\((\d+)\)", form)
    rng = random.Random(form)
    for _ in range(3):
        values = random_values(shapes, rng)
        values |= {s: rng.choice((-1, 1)) * rng.uniform(0.3, 1.7) for s in scalars}
        got = FormReader(latex, values, int(ones.group(1)) if ones else 1).value
        wanted = expanded(form, shapes, values)
        assert got.shape == wanted.shape, (form, latex, got.shape, wanted.shape)
        assert np.allclose(got, wanted, rtol=1e-9, atol=1e-12), (form, latex, got, wanted)


# --------------------------------------------------------------------------- LaTeX of forms

LAYER = {"W": (3, 2), "x": (2, 1), "b": (3, 1), "V": (4, 3), "c": (2, 1), "I": (2, 2)}


@pytest.mark.parametrize(
    ("form", "latex"),
    [
        ("W", "W"),
        ("I", "I"),
        ("diag(c)", "\\operatorname{diag}\\left(c\\right)"),
        ("2*x'", "2 x^{\\top}"),
        ("diag(cos(x))", "\\operatorname{diag}\\left(\\cos\\left(x\\right)\\right)"),
        (
            "V*diag(1 - tanh(W*x + b).^2)*W",
            "V \\operatorname{diag}\\left(1 - \\left(\\tanh\\left(W x + b\\right)\\right)"
            "^{\\circ 2}\\right) W",
        ),
        ("x'*(I + I')", "x^{\\top} \\, \\left(I + I^{\\top}\\right)"),
        ("-(x - c) ./ c", "-\\left(x - c\\right) \\oslash c"),
        ("W*x .* b", "\\left(W x\\right) \\odot b"),
        ("x .* c .* x", "x \\odot c \\odot x"),
        ("ones(2)'", "\\mathbf{1}^{\\top}"),
        ("x[1]*x'", "x_{1} x^{\\top}"),
        ("3*2*x/4", "\\frac{3 \\cdot 2 x}{4}"),
        (
            "softplus(x) + exp(x)",
            "\\operatorname{softplus}\\left(x\\right) + \\exp\\left(x\\right)",
        ),
    ],
)
def test_forms_print_as_textbooks_write_them(form: str, latex: str) -> None:
    assert to_latex(form, LAYER) == latex
    assert_reads_back(form, LAYER)


@pytest.mark.parametrize(
    "form",
    [
        "diag(sigmoid(W*x + b) .* (1 - sigmoid(W*x + b)))*W",
        "V*diag(1 - tanh(W*x + b).^2)*W",
        "2*x'",
        "diag(c) - x*x'",
        "x'*(I + I') - (-x')",
        "-(W*x - b)'*W*2",
        "(x'*x)^2*x' + exp(x'*x)*x'",
        "diag(softmax(x)) - softmax(x)*softmax(x)'",
        "a - (-x') .* (-x') + -(x'*x)*x'",
    ],
)
def test_forms_of_the_issue_read_back(form: str) -> None:
    assert_reads_back(form, LAYER, scalars=("a",))


# Generated forms: every subtree bracketed in the text, so that the printer's brackets come
# from the tree alone. Names per shape; sizes 2 and 3 (a size of 1 would be a scalar).
_LEAVES: dict[Shape, list[str]] = {
    (1, 1): ["s", "t", "2", "0.5"],
    (2, 1): ["a"], (3, 1): ["b", "ones(3)"], (1, 2): ["a'"], (1, 3): ["b'"],
    (2, 2): ["A", "I"], (3, 3): ["B"], (2, 3): ["C"], (3, 2): ["D"],
}  # fmt: skip
GENERATED_SHAPES = {"a": (2, 1), "b": (3, 1), "A": (2, 2), "I": (2, 2), "B": (3, 3),
                    "C": (2, 3), "D": (3, 2)}  # fmt: skip
_SIDES = (1, 2, 3)
_FUNCTIONS = ["sin", "tanh", "sigmoid", "cos"]


@st.composite
def forms(draw: st.DrawFn, shape: Shape, depth: int = 3) -> str:
    rows, columns = shape
    leaf = st.sampled_from(_LEAVES[shape])
    if depth == 0:
        return draw(leaf)
    inner = lambda s: forms(s, depth - 1)  # noqa: E731
    same = inner(shape)
    options = [
        leaf,
        st.tuples(same, same, st.sampled_from("+-")).map(lambda t: f"({t[0]}) {t[2]} ({t[1]})"),
        same.map(lambda u: f"-({u})"),
        st.tuples(inner((1, 1)), same).map(lambda t: f"({t[0]})*({t[1]})"),
        st.tuples(same, st.sampled_from(["s", "t", "2"])).map(lambda t: f"({t[0]})/{t[1]}"),
        st.tuples(same, same).map(lambda t: f"({t[0]}) .* ({t[1]})"),
        st.tuples(same, st.sampled_from(_LEAVES[shape][:1])).map(lambda t: f"({t[0]}) ./ {t[1]}"),
        same.map(lambda u: f"({u}).^2"),
        st.tuples(st.sampled_from(_FUNCTIONS), same).map(lambda t: f"{t[0]}({t[1]})"),
        inner((columns, rows)).map(lambda u: f"({u})'"),
    ]
    if shape != (1, 1):
        options += [
            st.sampled_from(_SIDES)
            .flatmap(lambda k: st.tuples(inner((rows, k)), inner((k, columns))))
            .map(lambda t: f"({t[0]})*({t[1]})"),
        ]
    if rows == columns and rows > 1:
        options += [inner((rows, 1)).map(lambda u: f"diag({u})"), same.map(lambda u: f"({u})^2")]
    if columns == 1 and rows > 1:
        options.append(inner((rows, rows)).map(lambda u: f"diag({u})"))
    if shape == (1, 1):
        sides = st.sampled_from([(2, 1), (3, 1)])
        dot = sides.flatmap(lambda s: st.tuples(inner((1, s[0])), inner(s)))
        options += [
            sides.flatmap(inner).map(lambda u: f"sum({u})"),
            dot.map(lambda t: f"({t[0]})*({t[1]})"),
        ]
    return draw(st.one_of(options))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(list(_LEAVES)).flatmap(forms))
def test_generated_forms_read_back_from_latex(form: str) -> None:
    assert_reads_back(form, GENERATED_SHAPES, scalars=("s", "t"))


# The issue's table, through the engine: each block's LaTeX, read back, is J's block.
ISSUE = [
    ("W*x", "W=3x2,x=2"), ("x'*x", "x=3"), ("norm(x)^2", "x=3"), ("sin(x)", "x=3"),
    ("x .* c", "x=3,c=3"), ("x + c", "x=3,c=3"), ("x .* x", "x=3"),
    ("sigmoid(W*x + b)", "W=3x2,x=2,b=3"), ("V*tanh(W*x + b)", "V=2x3,W=3x2,x=2,b=3"),
    ("a'*x", "a=3,x=3"), ("x'*A*x", "A=3x3,x=3"), ("norm(W*x - b)^2", "W=3x2,x=2,b=3"),
    ("sum(x)", "x=3"), ("softmax(x)", "x=3"), ("logsumexp(x)", "x=3"),
    ("relu(W*x + b)", "W=3x2,x=2,b=3"), ("sin(W*x)", "W=3x2,x=2"), ("A*x + b", "A=3x2,x=2,b=3"),
    ("exp(x'*x)", "x=3"), ("(x'*x)^2", "x=3"), ("W*x, x'*x, -sin(x)", "W=2x3,x=3"),
]  # fmt: skip


@pytest.mark.parametrize(("functions", "shapes"), ISSUE)
def test_the_engine_s_forms_read_back_as_the_entries(functions: str, shapes: str) -> None:
    read = problem.read(functions, "x", shapes=shapes)
    assert read.variables is not None and read.shapes is not None
    result = engine.jacobian(read.functions, read.variables, structure=read.structure)
    declared = dict(read.shapes)
    rng = random.Random(functions)
    for block in result.matrix_form:
        latex = form_latex(block)
        ones = re.search(r"ones\((\d+)\)", block.form)
        for _ in range(2):
            values = random_values({**declared, **dict(block.shapes)}, rng)
            got = FormReader(latex, values, int(ones.group(1)) if ones else 1).value
            (top, bottom), (left, right) = block.rows, block.columns
            entries = [e for row in result.matrix[top - 1 : bottom] for e in row[left - 1 : right]]
            wanted = numbers_at(entries, declared, values).reshape(got.shape)
            assert np.allclose(got, wanted, rtol=1e-9, atol=1e-12), (block, latex, got, wanted)
    table = as_text(render(result, Format.table, RenderOptions(expand=True)))
    assert all(forms_equation(block) in table for block in result.matrix_form)


# --------------------------------------------------------------------------- names of entries


def test_entries_print_with_subscripts_in_latex() -> None:
    from jaccli.parse import make_symbol

    assert tex(make_symbol("x[1]")) == "x_{1}"
    assert tex(make_symbol("W[1,2]")) == "W_{1,2}"
    assert tex(make_symbol("theta[2]")) == "\\theta_{2}"
    assert tex(make_symbol("rate[3]")) == "\\mathit{rate}_{3}"
    assert tex(make_symbol("x1[2]")) == "\\mathit{x1}_{2}"  # the vector x1, not x's first entry
    # x1 and x[1] would both be x_{1}: both are spelled out, as any two names printing alike
    both = tex(make_symbol("x1") + make_symbol("x[1]"))
    assert "x_{1}" not in both and "\\mathit{x1}" in both


def shaped(functions: str, variables: str, shapes: str) -> JacobianResult:
    read = problem.read(functions, variables, shapes=shapes)
    assert read.variables is not None
    result = engine.jacobian(read.functions, read.variables)
    return replace(result, matrix_form=())  # entries only: their read-back is tested here


# F: (variables, shapes with sizes a and b drawn by _sized)
SHAPED_CASES = {
    "W*x + b": ("x", "W=a,x=b,b=a"), "sigmoid(W*x + b)": ("x", "W=a,x=b,b=a"),
    "W*x": ("W,x", "W=a,x=b"), "x'*A*x": ("x", "A=b,x=b"),
    "V*tanh(W*x + b)": ("x", "V=2,W=a,x=b,b=a"), "x .* c + sin(x)": ("x,c", "x=a,c=a"),
}  # fmt: skip


def _sized(shapes: str, rng: random.Random) -> str:
    """`W=a,x=b` with a and b random sizes from 1 to 3: W=3x2,x=2 (V=2 is V=2xa)."""
    n, m = rng.randint(1, 3), rng.randint(1, 3)
    text = shapes.replace("W=a", f"W={n}x{m}").replace("A=b", f"A={m}x{m}")
    text = text.replace("V=2", f"V=2x{n}").replace("=a", f"={n}").replace("=b", f"={m}")
    return text


def _shaped_text_reader(shapes: str) -> Any:
    def read_text(text: str, variables: Any) -> Any:
        (expr,) = problem.read(text, None, shapes=shapes).functions
        return test_readback.exact(expr)

    return read_text


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("fmt", ["latex", "plain", "json", "table"])
@pytest.mark.parametrize("functions", SHAPED_CASES)
def test_shaped_results_read_back(
    functions: str, fmt: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables, shapes = SHAPED_CASES[functions]
    sized = _sized(shapes, random.Random(f"{functions}{seed}"))
    monkeypatch.setattr(test_readback, "read_text", _shaped_text_reader(sized))
    test_readback.CHECKS[fmt](shaped(functions, variables, sized))


# --------------------------------------------------------------------------- J in matrix form

SIGMOID = Block(
    "sigmoid(W*x + b)", "x", (1, 3), (1, 2),
    "diag(sigmoid(W*x + b) .* (1 - sigmoid(W*x + b)))*W",
    (("W", (3, 2)), ("x", (2, 1)), ("b", (3, 1))),
)  # fmt: skip


def sigmoid_layer() -> JacobianResult:
    result = shaped("sigmoid(W*x + b)", "x", "W=3x2,x=2,b=3")
    return replace(result, matrix_form=(SIGMOID,))


def two_blocks() -> JacobianResult:
    """F = (W*x, x'*x) by x: two blocks, W (rows 1-2) and 2*x' (row 3)."""
    result = shaped("W*x, x'*x", "x", "W=2x2,x=2")
    blocks = (
        Block("W*x", "x", (1, 2), (1, 2), "W", (("W", (2, 2)),)),
        Block("x'*x", "x", (3, 3), (1, 2), "2*x'", (("x", (2, 1)),)),
    )
    return replace(result, matrix_form=blocks)


def big_layer(rows: int = 21, columns: int = 20) -> JacobianResult:
    result = shaped("W*x", "x", f"W={rows}x{columns},x={columns}")
    form = Block("W*x", "x", (1, rows), (1, columns), "W", (("W", (rows, columns)),))
    return replace(result, matrix_form=(form,))


MATRIX_FORM_CASES = {"matrix_form": sigmoid_layer, "matrix_form_blocks": two_blocks}


@pytest.mark.parametrize("variant", ["table", "latex", "json", "plain"])
@pytest.mark.parametrize("case", MATRIX_FORM_CASES)
def test_matrix_form_golden(case: str, variant: str) -> None:
    out = render(MATRIX_FORM_CASES[case](), Format(variant))
    check_golden(f"{case}.{variant}.txt", as_text(out))


def test_the_table_shows_each_block_above_the_entries() -> None:
    lines = as_text(render(two_blocks(), Format.table)).splitlines()
    assert lines[:3] == [
        "Jacobian (3×2)",
        "∂(W*x)/∂x = W  (rows 1-2, columns 1-2)",
        "∂(x'*x)/∂x = 2*x'  (row 3, columns 1-2)",
    ]
    one = as_text(render(sigmoid_layer(), Format.table)).splitlines()
    assert one[1] == f"∂(sigmoid(W*x + b))/∂x = {SIGMOID.form}"  # all of J: no rows named


def test_plain_output_is_the_entries_only() -> None:
    result = sigmoid_layer()
    assert render(result, Format.plain) == render(replace(result, matrix_form=()), Format.plain)


def test_latex_puts_the_form_above_the_matrix_and_both_read_back() -> None:
    result = sigmoid_layer()
    out = render(result, Format.latex, RenderOptions(latex_style=LatexStyle.bare))
    assert isinstance(out, str)
    lines = out.split(" \\\\\n", 1)
    assert lines[0] == (
        "\\begin{gathered}\n\\frac{\\partial \\left(\\operatorname{sigmoid}\\left(W x + b"
        "\\right)\\right)}{\\partial x} = " + form_latex(SIGMOID)
    )
    assert_reads_back(SIGMOID.form, dict(SIGMOID.shapes))
    matrix = lines[1].removesuffix("\n\\end{gathered}")
    assert matrix.startswith("J = ")
    names = test_readback.symbols_of(result)
    read, env = test_readback.read_latex(matrix[4:], names)
    test_readback.compare(test_readback._matrix_pairs("J", result.matrix, read), result, env)


def test_latex_names_the_part_of_j_of_each_block() -> None:
    out = render(two_blocks(), Format.latex, RenderOptions(latex_style=LatexStyle.bare))
    first = "\\frac{\\partial \\left(W x\\right)}{\\partial x} = W"
    assert f"{first} \\quad \\text{{rows 1--2, columns 1--2}}" in out
    assert "= 2 x^{\\top} \\quad \\text{row 3, columns 1--2} \\\\\nJ = " in out


def test_json_carries_the_blocks_and_its_schema_says_so() -> None:
    data = json.loads(render(two_blocks(), Format.json))
    validate_schema(data, "jacobian")
    assert data["matrix_form"] == [
        {"function": "W*x", "variable": "x", "rows": [1, 2], "columns": [1, 2], "form": "W",
         "latex": "W"},
        {"function": "x'*x", "variable": "x", "rows": [3, 3], "columns": [1, 2],
         "form": "2*x'", "latex": "2 x^{\\top}"},
    ]  # fmt: skip
    plain = json.loads(render(replace(two_blocks(), matrix_form=()), Format.json))
    validate_schema(plain, "jacobian")
    assert plain["matrix_form"] == [] and plain["jacobian"] == data["jacobian"]
    line = json.loads(render(two_blocks(), Format.jsonl))
    assert line == data


def test_too_many_entries_give_way_to_the_form_unless_expanded() -> None:
    result = big_layer()
    m, n = result.shape
    assert m * n > SHOWN_ENTRIES
    note = f"{m * n} entries of J ({m * n} non-zero) not shown: --expand shows them all"
    table = as_text(render(result, Format.table))
    assert table.splitlines() == [f"Jacobian ({m}×{n})", "∂(W*x)/∂x = W", note]
    latex = render(result, Format.latex)
    assert latex == f"% {note}\n\\[\n\\frac{{\\partial \\left(W x\\right)}}{{\\partial x}} = W\n\\]"
    bare = render(result, Format.latex, RenderOptions(latex_style=LatexStyle.bare))
    assert bare == "\\frac{\\partial \\left(W x\\right)}{\\partial x} = W"  # no comment in math
    expand = RenderOptions(expand=True)
    assert "W[21,20]" in as_text(render(result, Format.table, expand))
    assert "W_{21,20}" in render(result, Format.latex, expand)
    # JSON and plain text are for programs: every entry, always
    assert len(json.loads(render(result, Format.json))["jacobian"]) == m
    # without a matrix form, or with one for only part of J, every entry is shown
    assert "W[21,20]" in as_text(render(replace(result, matrix_form=()), Format.table))
    part = replace(result, matrix_form=(result.matrix_form[0]._replace(rows=(1, 20)),))
    assert "W[21,20]" in as_text(render(part, Format.table))
    assert "W[20,20]" in as_text(render(big_layer(20, 20), Format.table))  # 400: shown


def test_entries_too_long_to_read_give_way_to_the_form() -> None:
    import symengine

    long = symengine.Add(*(symengine.Symbol(f"k{j}") for j in range(3000)))
    x = symengine.Symbol("x[1]")
    sparse = engine.Sparse((2, 1), (((0, long),), ((0, 2 * long),)))
    block = Block("k*x", "x", (1, 2), (1, 1), "k", (("x", (1, 1)),))
    result = JacobianResult(
        functions=(long * x, 2 * long * x), variables=(x,), sparse=sparse, matrix_form=(block,)
    )
    assert "not shown" in as_text(render(result, Format.table))
    assert "k2999" in as_text(render(result, Format.table, RenderOptions(expand=True)))


def test_a_form_jac_cannot_parse_is_printed_as_text() -> None:
    assert to_latex("x +", {"x": (2, 1)}) == "\\texttt{x +}"


def test_the_cli_takes_expand_and_its_json_is_valid() -> None:
    run = invoke(["jacobian", "W*x", "--vars", "x", "--shape", "W=2x2,x=2", "--expand"])
    assert run.code == 0, run.stderr
    assert run.stdout.split("\n")[0] == "W[1,1]\tW[1,2]"
    run = invoke(["jacobian", "x*y", "--vars", "x,y", "--format", "json", "--expand"])
    assert run.code == 0 and run.json()["matrix_form"] == []  # invoke validates the schema
    schema = invoke(["schema", "jacobian"]).json()
    assert "matrix_form" in schema["required"]
