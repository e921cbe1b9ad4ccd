"""The benchmark workloads give the same mathematics as peer S (plain SymPy), and
the engine's two differentiators and determinant algorithms agree with each other.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
import symengine
import sympy
from hypothesis import given
from hypothesis import strategies as st

from jaccli import engine
from jaccli.parse import make_symbol, parse_functions
from tests.numeric import at, close, random_point, sp

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import workloads


def system(kind: str, n: int) -> tuple[list[str], list[Any], list[Any]]:
    texts, names = getattr(workloads, kind)(n)
    return (
        texts,
        parse_functions(["-"], names, read_stdin=lambda: "\n".join(texts)),
        [make_symbol(v) for v in names],
    )


WORKLOADS = [("arm", 20), ("arm", 60), ("bratu", 400), ("bratu", 2000), ("layer", 30),
             ("layer", 100), ("kinetics", 300)]  # fmt: skip


def peer_s_entry(text: str, name: str) -> Any:
    """∂f/∂x as peer S computes it: sympify the line, then SymPy's diff.

    For tanh(s) SymPy's diff took 146 s on one entry of layer 100, so there the same
    result is built by the chain rule, each step still by SymPy: (∂s/∂x)(1 - tanh(s)²).
    """
    f, x = sympy.sympify(text.replace("^", "**")), sympy.Symbol(name)
    coefficient, rest = f.as_coeff_Mul()  # SymPy writes tanh(-a) as -tanh(a)
    if isinstance(rest, sympy.tanh):
        inner = rest.args[0]
        return coefficient * inner.diff(x) * (1 - sympy.tanh(inner) ** 2)
    return f.diff(x)


@pytest.mark.parametrize(("kind", "n"), WORKLOADS)
def test_sampled_entries_equal_peer_s(kind: str, n: int) -> None:
    """Peer S sympifies each line and differentiates with SymPy; compare a sample of entries."""
    texts, functions, variables = system(kind, n)
    result = engine.jacobian(functions, variables)
    rows = {i: dict(row) for i, row in enumerate(result.sparse.rows)}
    rng = random.Random(n)
    m = len(functions)
    sample = {(rng.randrange(m), rng.randrange(n)) for _ in range(12)}
    # Always include non-zero entries, which random positions in a sparse matrix miss.
    sample |= {(i, next(iter(rows[i]))) for i in rng.sample(range(m), min(m, 6)) if rows[i]}
    for i, j in sorted(sample):
        peer = peer_s_entry(texts[i], variables[j].name)
        ours = sp(rows[i].get(j, 0))
        if ours == peer or sympy.expand(ours - peer) == 0:
            continue
        point = random_point(sorted(peer.free_symbols | ours.free_symbols, key=str), rng)
        assert close(at(ours, point), at(peer, point)), (kind, n, i, j, ours, peer)


def sphere_closed_form(n: int) -> Any:
    r = sympy.Symbol("r")
    return r ** (n - 1) * sympy.Mul(
        *(sympy.sin(sympy.Symbol(f"p{j}")) ** (n - 1 - j) for j in range(1, n - 1))
    )


@pytest.mark.parametrize("n", range(2, 11))
def test_sphere_determinant_is_the_closed_form(n: int) -> None:
    _, functions, variables = system("sphere", n)
    det = sp(engine.determinant(functions, variables).determinant)
    expected = sphere_closed_form(n)
    assert det == expected or det == -expected, det


def test_sphere_determinant_agrees_with_symengine_unsimplified() -> None:
    _, functions, variables = system("sphere", 6)
    ours = engine.determinant(functions, variables).determinant
    raw = engine.determinant(functions, variables, simplify=False).determinant
    rng = random.Random(1)
    for _ in range(3):
        point = random_point(sorted(sp(raw).free_symbols, key=str), rng)
        assert close(at(ours, point), at(raw, point))


def test_tanh_layer_determinant_factors() -> None:
    _, functions, variables = system("layer", 4)
    det = engine.determinant(functions, variables).determinant
    raw = engine.determinant(functions, variables, simplify=False).determinant
    assert det.is_Mul  # det(W) times a product of (tanh² - 1) factors
    rng = random.Random(2)
    point = random_point(sorted(sp(raw).free_symbols, key=str), rng)
    assert close(at(det, point), at(raw, point), tol=1e-7)


# --------------------------------------------------------------------------- two methods agree


@given(st.lists(st.lists(st.integers(-9, 9), min_size=5, max_size=5), min_size=5, max_size=5),
       st.integers(1, 5))  # fmt: skip
def test_laplace_det_equals_symengine_det(cells: list[list[int]], n: int) -> None:
    matrix = [[symengine.Integer(c) for c in row[:n]] for row in cells[:n]]
    assert engine.laplace_det(matrix) == symengine.DenseMatrix(matrix).det()


def test_laplace_det_of_symbolic_matrices() -> None:
    rng = random.Random(3)
    names = [make_symbol(c) for c in "abcdef"]
    for n in range(1, 6):
        matrix = [[rng.choice([0, 1, -2, *names]) * rng.choice(names) for _ in range(n)]
                  for _ in range(n)]  # fmt: skip
        ours = engine.laplace_det(matrix)
        theirs = sympy.Matrix([[sp(e) for e in row] for row in matrix]).det()
        assert sympy.expand(sp(ours) - theirs) == 0


CATALOGUE = [
    "x^2+y*z", "sin(x*y)", "e^(x+z)", "tan(x) + cot(y)", "sec(x*y)", "csc(x+y)",
    "asin(x/2) + acos(y/2)", "atan(x*y)", "atan2(y, x)", "sinh(x) cosh(y)", "tanh(x - y)",
    "asinh(x) + acosh(y + 1) + atanh(x/2)", "exp(-x^2) log(y)", "ln(x) + log(y, 3)",
    "sqrt(x^2 + y^2)", "cbrt(x y)", "x^y", "(x+y)^(1/3)", "abs(x - 1)", "sign(y - 2)*x",
]  # fmt: skip


@pytest.mark.parametrize("text", CATALOGUE)
def test_symengine_and_sympy_differentiate_alike(text: str) -> None:
    """The engine differentiates with SymEngine, falling back to SymPy; both must agree."""
    [f] = parse_functions([text])
    xs = [make_symbol(n) for n in "xyz"]
    ours = engine.jacobian([f], xs).matrix[0]
    g = engine.to_sympy(f)
    theirs = [g.diff(sympy.Symbol(v.name, real=True)) for v in xs]
    rng = random.Random(4)
    for _ in range(3):
        point = random_point([sympy.Symbol(n) for n in "xyz"], rng)
        for a, b in zip(ours, theirs, strict=True):
            b_plain = b.xreplace({s: sympy.Symbol(s.name) for s in b.free_symbols})
            assert close(at(a, point), at(b_plain, point)), (text, a, b)
