"""Helpers for the vector tests: random points, NumPy evaluation and J's entries as numbers.

Everything here computes independently of jac's engine: F and the known J of the issue's
table are NumPy code written from the shapes, the finite differences are taken on that NumPy
code, and jac's answers (SymEngine expressions, or text read back with jac's parser given the
shapes) are only evaluated at the point.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from jaccli.parse import entry_names, make_symbol

Shape = tuple[int, int]
Values = dict[str, Any]  # name -> float ndarray: (k,) for a vector, (r, c) for a matrix


def shapes_text(shapes: Mapping[str, Shape]) -> str:
    """{"W": (3, 2), "x": (2, 1)} as "W=3x2,x=2"."""
    return ",".join(f"{n}={r}" if c == 1 else f"{n}={r}x{c}" for n, (r, c) in shapes.items())


def random_point(
    shapes: Mapping[str, Shape], rng: random.Random, low: int = -2, high: int = 2
) -> dict[str, Fraction]:
    """Every entry of every declared name (by entry name) a random rational in [low, high]."""
    point: dict[str, Fraction] = {}
    for name, shape in shapes.items():
        for entry in entry_names(name, shape):
            den = rng.randint(1, 7)
            point[entry] = Fraction(rng.randint(low * den, high * den), den)
    return point


def arrays(point: Mapping[str, Fraction], shapes: Mapping[str, Shape]) -> Values:
    """The point as NumPy arrays, row by row as jac flattens: a matrix (named in capitals, W)
    2-D even when it is 3×1 or 1×1, a vector (x) 1-D.
    """
    out: Values = {}
    for name, (rows, columns) in shapes.items():
        flat = np.array([float(point[e]) for e in entry_names(name, (rows, columns))])
        out[name] = flat.reshape(rows, columns) if name[:1].isupper() else flat
    return out


def symbols_at(point: Mapping[str, Fraction | int]) -> dict[Any, Any]:
    """The point as {SymEngine symbol: exact rational}, to substitute into jac's entries."""
    from symengine import Integer, Rational

    return {
        make_symbol(k): Rational(Integer(v.numerator), Integer(v.denominator))
        if isinstance(v, Fraction)
        else Integer(v)
        for k, v in point.items()
    }


def value(expr: Any, at: Mapping[Any, Any]) -> float:
    """A SymEngine expression's value at a point, as a float (exact until the last step)."""
    return float(expr.subs(at).n(60, real=True))


def numbers(matrix: Sequence[Sequence[Any]], at: Mapping[Any, Any]) -> Any:
    return np.array([[value(e, at) for e in row] for row in matrix], dtype=float)


def central_differences(
    f: Callable[[Values], Any],
    values: Values,
    variable: str,
    h: float = 1e-6,
) -> Any:
    """∂F/∂(entries of variable) by central differences on NumPy's F: rows F's entries."""
    base = values[variable]
    flat = np.array(base, dtype=float).ravel()
    columns = []
    for j in range(flat.size):
        up, down = flat.copy(), flat.copy()
        up[j] += h
        down[j] -= h
        f_up = np.ravel(f({**values, variable: up.reshape(np.shape(base))}))
        f_down = np.ravel(f({**values, variable: down.reshape(np.shape(base))}))
        columns.append((f_up - f_down) / (2 * h))
    return np.array(columns).T


def assert_close(actual: Any, expected: Any, tol: float = 1e-9, what: str = "") -> None:
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = np.maximum(1.0, np.maximum(abs(actual), abs(expected)))
    bad = np.argwhere(abs(actual - expected) > tol * scale)
    assert bad.size == 0, f"{what}: at {bad[:3].tolist()}\n{actual}\n!=\n{expected}"


def form_entries(block: Any, point: Mapping[str, Fraction]) -> Any:
    """A Block's matrix form read back with jac's parser (its shapes declared) and evaluated at
    the point, I being the identity: its entries row by row, as a (rows × columns) array of J.
    """
    from jaccli.problem import read

    shapes = dict(block.shapes)
    problem = read(block.form, None, shapes=shapes_text(shapes) or None)
    values: dict[str, Fraction | int] = dict(point)
    if "I" in shapes:
        n = shapes["I"][0]
        for i in range(1, n + 1):
            for j in range(1, n + 1):
                values[f"I[{i},{j}]" if n > 1 else "I[1]"] = int(i == j)
    at = symbols_at(values)
    flat = [value(f, at) for f in problem.functions]
    rows = block.rows[1] - block.rows[0] + 1
    columns = block.columns[1] - block.columns[0] + 1
    if block.form == "0":  # the zero block, of the size its rows and columns say
        flat = flat * (rows * columns)
    assert len(flat) == rows * columns, (block, len(flat))
    return np.array(flat).reshape(rows, columns)


def assert_forms_match(result: Any, point: Mapping[str, Fraction], jacobian: Any) -> None:
    """Every block of result.matrix_form, expanded, equals J's entries in its rows and columns."""
    for block in result.matrix_form:
        (r0, r1), (c0, c1) = block.rows, block.columns
        assert_close(
            form_entries(block, point),
            jacobian[r0 - 1 : r1, c0 - 1 : c1],
            what=f"matrix form {block.form!r} of {block.function!r}",
        )
