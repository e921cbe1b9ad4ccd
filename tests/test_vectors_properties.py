"""Hypothesis properties of vectors and matrices (issue 12): random expressions from the
vector grammar, well-shaped by construction, at random small sizes and points.

(a) J's entries agree with central finite differences of F, F evaluated by NumPy code built
    beside the text (not by jac); (b) each block of the matrix form, expanded with jac's
    parser, equals J's entries in its rows and columns.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaccli
from tests import vectors as vt
from tests.vectors import Shape, Values

Expr = tuple[str, Callable[[Values], Any]]  # the text as typed, and F by NumPy


def _sigmoid(z: Any) -> Any:
    return 1 / (1 + np.exp(-z))


def _softmax(z: Any) -> Any:
    e = np.exp(z - np.max(z))
    return e / e.sum()


ELEMENTWISE: dict[str, Callable[[Any], Any]] = {
    "sin": np.sin,
    "tanh": np.tanh,
    "exp": np.exp,
    "sigmoid": _sigmoid,
    "softplus": lambda z: np.log1p(np.exp(z)),
}


def _scalar(v: Any) -> Any:
    return np.asarray(v, float).reshape(())


@st.composite
def vector(draw: st.DrawFn, length: str, depth: int) -> Expr:
    """A column of `length` "m" (x's) or "n" (b's) entries."""
    leaves: list[Expr] = (
        [("x", lambda v: v["x"]), ("x", lambda v: v["x"]), ("c", lambda v: v["c"])]
        if length == "m"
        else [("b", lambda v: v["b"])]
    )
    if depth == 0:
        return draw(st.sampled_from(leaves))
    kind = draw(st.integers(0, 12))
    sub = vector(length, depth - 1)
    if kind == 0:
        return draw(st.sampled_from(leaves))
    if kind == 10:
        t, f = draw(sub)
        return f"(-{t}.^3)", lambda v: -(f(v) ** 3)
    if kind == 11:
        (t, f), (ts, fs) = draw(sub), draw(scalar(depth - 1))
        return f"({t}/(1 + ({ts})^2))", lambda v: f(v) / (1 + _scalar(fs(v)) ** 2)
    if kind == 12:
        t, f = draw(sub)
        return f"(({t})')'", f
    if kind == 1:
        (t1, f1), (t2, f2) = draw(sub), draw(sub)
        op = draw(st.sampled_from(["+", "-", ".*"]))
        fn = {"+": np.add, "-": np.subtract, ".*": np.multiply}[op]
        return f"({t1} {op} {t2})", lambda v: fn(f1(v), f2(v))
    if kind == 2:
        (t1, f1), (t2, f2) = draw(sub), draw(sub)
        return f"({t1} ./ (1 + {t2}.^2))", lambda v: f1(v) / (1 + f2(v) ** 2)
    if kind == 3:
        name = draw(st.sampled_from(sorted(ELEMENTWISE)))
        t, f = draw(sub)
        return f"{name}({t})", lambda v: ELEMENTWISE[name](f(v))
    if kind == 4:
        t, f = draw(sub)
        return f"log(1 + {t}.^2)", lambda v: np.log(1 + f(v) ** 2)
    if kind == 5:
        (t, f), (ts, fs) = draw(sub), draw(scalar(depth - 1))
        return f"(({ts})*{t})", lambda v: _scalar(fs(v)) * f(v)
    if kind == 6:
        t, f = draw(sub)
        return f"softmax({t})", lambda v: _softmax(f(v))
    if length == "m" and kind == 7:
        t, f = draw(sub)
        return f"(A*{t})", lambda v: v["A"] @ f(v)
    if length == "m":
        t, f = draw(vector("n", depth - 1))
        return f"(W'*{t})", lambda v: v["W"].T @ f(v)
    t, f = draw(vector("m", depth - 1))
    return f"(W*{t})", lambda v: v["W"] @ f(v)


@st.composite
def scalar(draw: st.DrawFn, depth: int) -> Expr:
    if depth == 0:
        return draw(
            st.sampled_from([("s", lambda v: v["s"]), ("(x'*x)", lambda v: v["x"] @ v["x"])])
        )
    kind = draw(st.integers(0, 9))
    length = draw(st.sampled_from(["m", "n"]))
    sub = vector(length, depth - 1)
    if kind == 0:
        t, f = draw(sub)
        return f"sum({t})", lambda v: np.sum(f(v))
    if kind == 8:
        t, f = draw(sub)
        return f"norm({t})^2", lambda v: np.linalg.norm(f(v)) ** 2
    if kind == 9:
        t, f = draw(scalar(depth - 1))
        return f"(-({t})^3 + s)", lambda v: -(_scalar(f(v)) ** 3) + v["s"]
    if kind == 1:
        (t1, f1), (t2, f2) = draw(sub), draw(sub)
        return f"dot({t1}, {t2})", lambda v: f1(v) @ f2(v)
    if kind == 2:
        (t1, f1), (t2, f2) = draw(sub), draw(sub)
        return f"(({t1})'*{t2})", lambda v: f1(v) @ f2(v)
    if kind == 3:
        t, f = draw(sub)
        return f"norm(1 + {t}.^2)", lambda v: np.linalg.norm(1 + f(v) ** 2)
    if kind == 4:
        t, f = draw(sub)
        return f"logsumexp({t})", lambda v: np.log(np.sum(np.exp(f(v))))
    if kind == 5:
        t, f = draw(vector("m", depth - 1))
        return f"(({t})'*A*x)", lambda v: f(v) @ v["A"] @ v["x"]
    if kind == 6:
        (t1, f1), (t2, f2) = draw(scalar(depth - 1)), draw(scalar(depth - 1))
        return f"(({t1})*({t2}))", lambda v: _scalar(f1(v)) * _scalar(f2(v))
    name = draw(st.sampled_from(sorted(ELEMENTWISE)))
    t, f = draw(scalar(depth - 1))
    return f"{name}({t})", lambda v: ELEMENTWISE[name](f(v))


@st.composite
def problems(draw: st.DrawFn) -> tuple[Expr, dict[str, Shape], int]:
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shapes = {"x": (m, 1), "c": (m, 1), "b": (n, 1), "W": (n, m), "A": (m, m), "s": (1, 1)}
    depth = draw(st.integers(1, 4))
    expr = draw(
        st.one_of(vector("m", depth), vector("m", depth), vector("n", depth), scalar(depth))
    )
    return expr, shapes, draw(st.integers(0, 2**32))


def _declared(text: str, shapes: dict[str, Shape]) -> dict[str, Shape]:
    """The shapes of the names in the text (s a scalar: not declared)."""
    import re

    names = set(re.findall(r"[A-Za-z]\w*", text))
    return {k: v for k, v in shapes.items() if k in names and k != "s"} | {"x": shapes["x"]}


@pytest.mark.filterwarnings("ignore:no function depends")  # F without x: J is 0
@given(problems())
def test_random_vector_expressions_agree_with_finite_differences(
    problem: tuple[Expr, dict[str, Shape], int],
) -> None:
    (text, f), all_shapes, seed = problem
    shapes = _declared(text, all_shapes)
    result = jaccli.jacobian(text, "x", shape=vt.shapes_text(shapes))
    point = vt.random_point({**shapes, "s": (1, 1)}, random.Random(seed), low=-1, high=1)
    values = vt.arrays(point, {**shapes, "s": (1, 1)})
    values["s"] = _scalar(values["s"])
    point = {("s" if k == "s[1]" else k): p for k, p in point.items()}
    matrix = vt.numbers(result.matrix, vt.symbols_at(point))
    fd = vt.central_differences(lambda v: np.ravel(f(v)), values, "x")
    vt.assert_close(matrix, fd, tol=1e-5, what=text)
    # (b) the matrix form, where there is one, expanded equals the entries
    vt.assert_forms_match(result, point, matrix)
