"""Vectors and matrices as mathematics (issue 12): the table of known Jacobians, the matrix
form, errors, and every command with --shape.

J is in numerator layout, J[i][j] = ∂F_i/∂x_j, x's entries the columns. Every known answer
is NumPy code written from the textbook formula, and F is NumPy code too, for the finite
differences: nothing here asks jac what the answer should be.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
import pytest
from typer.testing import CliRunner

import jaccli
from jaccli.cli import app
from jaccli.parse import entry_names
from tests.vectors import (
    Shape,
    Values,
    arrays,
    assert_close,
    assert_forms_match,
    central_differences,
    numbers,
    random_point,
    shapes_text,
    symbols_at,
)


def sigmoid(z: Any) -> Any:
    return 1 / (1 + np.exp(-z))


def softmax(z: Any) -> Any:
    e = np.exp(z - np.max(z))
    return e / e.sum()


def vec(n: int) -> Shape:
    return (n, 1)


class Row(NamedTuple):
    expression: str
    shapes: Callable[[int, int, int], dict[str, Shape]]  # (n, m, p) -> declared shapes
    f: Callable[[Values], Any]  # F, its entries row by row
    j: Callable[[Values], Any]  # the known J (entries of F) × (entries of x)


def _wx(n: int, m: int, p: int) -> dict[str, Shape]:
    return {"W": (n, m), "x": vec(m)}


def _wxb(n: int, m: int, p: int) -> dict[str, Shape]:
    return {"W": (n, m), "x": vec(m), "b": vec(n)}


def _x(n: int, m: int, p: int) -> dict[str, Shape]:
    return {"x": vec(m)}


def _xc(n: int, m: int, p: int) -> dict[str, Shape]:
    return {"x": vec(m), "c": vec(m)}


def _row(v: Any) -> Any:
    return np.atleast_2d(v)


TABLE = [
    Row("W*x", _wx, lambda v: v["W"] @ v["x"], lambda v: v["W"]),
    Row("x'*x", _x, lambda v: v["x"] @ v["x"], lambda v: _row(2 * v["x"])),
    Row("norm(x)^2", _x, lambda v: np.linalg.norm(v["x"]) ** 2, lambda v: _row(2 * v["x"])),
    Row("sin(x)", _x, lambda v: np.sin(v["x"]), lambda v: np.diag(np.cos(v["x"]))),
    Row("x .* c", _xc, lambda v: v["x"] * v["c"], lambda v: np.diag(v["c"])),
    Row("x + c", _xc, lambda v: v["x"] + v["c"], lambda v: np.eye(v["x"].size)),
    Row("x .* x", _x, lambda v: v["x"] * v["x"], lambda v: 2 * np.diag(v["x"])),
    Row(
        "sigmoid(W*x + b)",
        _wxb,
        lambda v: sigmoid(v["W"] @ v["x"] + v["b"]),
        lambda v: (
            np.diag(sigmoid(v["W"] @ v["x"] + v["b"]) * (1 - sigmoid(v["W"] @ v["x"] + v["b"])))
            @ v["W"]
        ),
    ),
    Row(
        "V*tanh(W*x + b)",
        lambda n, m, p: {"V": (p, n), **_wxb(n, m, p)},
        lambda v: v["V"] @ np.tanh(v["W"] @ v["x"] + v["b"]),
        lambda v: v["V"] @ np.diag(1 - np.tanh(v["W"] @ v["x"] + v["b"]) ** 2) @ v["W"],
    ),
    Row(
        "a'*x",
        lambda n, m, p: {"a": vec(m), "x": vec(m)},
        lambda v: v["a"] @ v["x"],
        lambda v: _row(v["a"]),
    ),
    Row(
        "x'*A*x",
        lambda n, m, p: {"A": (m, m), "x": vec(m)},
        lambda v: v["x"] @ v["A"] @ v["x"],
        lambda v: _row(v["x"] @ (v["A"] + v["A"].T)),
    ),
    Row(
        "norm(W*x - b)^2",
        _wxb,
        lambda v: np.linalg.norm(v["W"] @ v["x"] - v["b"]) ** 2,
        lambda v: _row(2 * (v["W"] @ v["x"] - v["b"]) @ v["W"]),
    ),
    Row("sum(x)", _x, lambda v: np.sum(v["x"]), lambda v: np.ones((1, v["x"].size))),
    Row(
        "softmax(x)",
        _x,
        lambda v: softmax(v["x"]),
        lambda v: np.diag(softmax(v["x"])) - np.outer(softmax(v["x"]), softmax(v["x"])),
    ),
    Row(
        "logsumexp(x)",
        _x,
        lambda v: np.log(np.sum(np.exp(v["x"]))),
        lambda v: _row(softmax(v["x"])),
    ),
    Row(
        "relu(W*x + b)",
        _wxb,
        lambda v: np.maximum(v["W"] @ v["x"] + v["b"], 0),
        lambda v: np.diag(np.heaviside(v["W"] @ v["x"] + v["b"], 0.5)) @ v["W"],
    ),
    Row(
        "sin(W*x)",
        _wx,
        lambda v: np.sin(v["W"] @ v["x"]),
        lambda v: np.diag(np.cos(v["W"] @ v["x"])) @ v["W"],
    ),
    Row(
        "A*x + b",
        lambda n, m, p: {"A": (n, m), "x": vec(m), "b": vec(n)},
        lambda v: v["A"] @ v["x"] + v["b"],
        lambda v: v["A"],
    ),
    Row(
        "exp(x'*x)",
        _x,
        lambda v: np.exp(v["x"] @ v["x"]),
        lambda v: _row(2 * np.exp(v["x"] @ v["x"]) * v["x"]),
    ),
    Row(
        "(x'*x)^2",
        _x,
        lambda v: (v["x"] @ v["x"]) ** 2,
        lambda v: _row(4 * (v["x"] @ v["x"]) * v["x"]),
    ),
]

_sizes = random.Random(12)
SIZES = [(1, 1, 1), (1, 3, 1), (3, 1, 2)] + [
    tuple(_sizes.randint(1, 4) for _ in range(3)) for _ in range(3)
]
CASES = [
    pytest.param(row, size, id=f"{row.expression}-{'x'.join(map(str, size))}")
    for row in TABLE
    for size in SIZES
]


def _point(row: Row, shapes: dict[str, Shape], seed: str) -> dict[str, Any]:
    """A random rational point, away from relu's kink (where J is undefined)."""
    rng = random.Random(seed)
    while True:
        point = random_point(shapes, rng)
        v = arrays(point, shapes)
        if "relu" not in row.expression or np.all(abs(v["W"] @ v["x"] + v["b"]) > 0.01):
            return point


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


def jacobian_cli(
    expression: str, shapes: str, *more: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """`jac jacobian EXPRESSION --vars x --shape SHAPES MORE...`."""
    return cli("jacobian", expression, "--vars", "x", "--shape", shapes, *more, env=env)


def _check(row: Row, shapes: dict[str, Shape], point: dict[str, Any], matrix: Any) -> None:
    """J's entries at the point equal the known J and F's central differences (NumPy)."""
    v = arrays(point, shapes)
    expected = np.asarray(row.j(v), float)
    assert_close(matrix, expected, what=f"{row.expression} against the known J")
    fd = central_differences(row.f, v, "x")
    assert_close(matrix, fd, tol=1e-6, what=f"{row.expression} against finite differences")


@pytest.mark.parametrize(("row", "size"), CASES)
def test_table_through_the_api(row: Row, size: tuple[int, int, int]) -> None:
    shapes = row.shapes(*size)
    result = jaccli.jacobian(row.expression, "x", shape=shapes_text(shapes))
    assert [v.name for v in result.variables] == entry_names("x", shapes["x"])
    point = _point(row, shapes, f"{row.expression}{size}")
    matrix = numbers(result.matrix, symbols_at(point))
    _check(row, shapes, point, matrix)
    assert_forms_match(result, point, matrix)
    # the mapping form of shape= is the same problem
    sizes = {k: r if c == 1 and k.islower() else (r, c) for k, (r, c) in shapes.items()}
    same = jaccli.jacobian(row.expression, "x", shape=sizes)
    assert same.matrix == result.matrix


@pytest.mark.parametrize(("row", "size"), CASES)
def test_table_through_the_cli(row: Row, size: tuple[int, int, int]) -> None:
    from jaccli.problem import read

    shapes = row.shapes(*size)
    text = shapes_text(shapes)
    code, out, err = jacobian_cli(row.expression, text, "--format", "json")
    assert code == 0, err
    assert all(line.startswith(("jac: rows", "jac: columns")) for line in err.splitlines()), err
    data = json.loads(out)
    assert data["variables"] == entry_names("x", shapes["x"])
    rows = data["jacobian"]
    entries = read([e for r in rows for e in r], None, shapes=text).functions
    point = _point(row, shapes, f"{row.expression}{size}")
    at = symbols_at(point)
    matrix = np.array([float(e.subs(at)) for e in entries]).reshape(len(rows), len(rows[0]))
    _check(row, shapes, point, matrix)


# --------------------------------------------------------------------------- matrix form


FIVE = [
    ("W*x", "W=3x2,x=2", "W"),
    ("x + c", "x=3,c=3", "I"),
    ("x .* c", "x=3,c=3", "diag(c)"),
    ("x'*x", "x=3", "2*x'"),
    ("sin(x)", "x=3", "diag(cos(x))"),
]


@pytest.mark.parametrize(("expression", "shapes", "form"), FIVE)
def test_the_five_exact_forms(expression: str, shapes: str, form: str) -> None:
    result = jaccli.jacobian(expression, "x", shape=shapes)
    assert [b.form for b in result.matrix_form] == [form]
    block = result.matrix_form[0]
    assert (block.function, block.variable) == (expression, "x")
    assert block.rows == (1, result.shape[0]) and block.columns == (1, result.shape[1])


@pytest.mark.parametrize(
    ("expression", "form"),
    [
        ("sum(x .^ -2)", "ones(3)'*diag((-2)*x.^(-3))"),
        ("sum(x .^ (1/3))", "ones(3)'*diag((1/3)*x.^(-2/3))"),
        ("sum(x .^ 4)", "ones(3)'*diag(4*x.^3)"),
        ("sum(x .^ k)", "ones(3)'*diag(k*x.^(k - 1))"),
        ("norm(x)^(-2)", "-2*norm(x)^(-3)*1/norm(x)*x'"),
    ],
)
def test_a_number_less_one_is_worked_out_in_an_exponent(expression: str, form: str) -> None:
    # x.^-2 gave x.^(-2 - 1) in the form (and x^{∘ -2 - 1} in LaTeX): right, but unread.
    shapes = {"x": (3, 1)}
    result = jaccli.jacobian(expression, "x", shape=shapes_text(shapes))
    assert [b.form for b in result.matrix_form] == [form]
    if "k" not in expression:  # a symbolic exponent has no number to compare with
        point = random_point(shapes, random.Random(7))
        assert_forms_match(result, point, numbers(result.matrix, symbols_at(point)))


def test_every_table_row_has_a_matrix_form() -> None:
    """The issue's table gives a matrix form for each row: jac recognises them all."""
    for row in TABLE:
        shapes = row.shapes(3, 2, 2)
        result = jaccli.jacobian(row.expression, "x", shape=shapes_text(shapes))
        assert len(result.matrix_form) == 1, row.expression


def test_matrix_form_of_several_components_and_variables() -> None:
    """Blocks cover their own rows and columns: F = (W*x + b, x'*x) by x and b."""
    shapes = {"W": (3, 2), "x": (2, 1), "b": (3, 1)}
    result = jaccli.jacobian("sin(W*x + b), x'*x", "x,b", shape=shapes_text(shapes))
    assert result.shape == (4, 5)
    spans = {(b.function, b.variable): (b.rows, b.columns) for b in result.matrix_form}
    assert spans[("sin(W*x + b)", "x")] == ((1, 3), (1, 2))
    assert spans[("sin(W*x + b)", "b")] == ((1, 3), (3, 5))
    assert spans[("x'*x", "x")] == ((4, 4), (1, 2))
    point = random_point(shapes, random.Random(5))
    assert_forms_match(result, point, numbers(result.matrix, symbols_at(point)))


# --------------------------------------------------------------------------- errors


def _caret_column(err: str) -> int:
    """The column (from 1) of the caret under the echoed input."""
    caret = next(line for line in err.splitlines() if line.strip() == "^")
    return caret.index("^") - 1  # the echoed input is indented by two spaces


ERRORS = [
    # (arguments, exit code, words on the first line, caret column or None)
    (["W*x", "--shape", "W=3x2,x=3"], 2, ["W*x: W is 3×2, x has 3 entries"], 3),
    (["1 + (W * x)", "--shape", "W=3x2,x=3"], 2, ["W*x: W is 3×2, x has 3 entries"], 10),
    (["2*(x + c)", "--shape", "x=2,c=3"], 2, ["x + c: x has 2 entries, c has 3 entries"], 8),
    (["sin(W*x + b)", "--shape", "W=3x2,x=2,b=2"], 2, ["W*x has 3 entries, b has 2"], 11),
    (["x'*A*x", "--shape", "x=2,A=3x3"], 2, ["x' is a row of 2 entries, A is 3×3"], 4),
    (["x^2", "--shape", "x=3"], 2, ["x has 3 entries", "x.^2"], 1),
    (["1/x", "--shape", "x=3"], 2, ["x has 3 entries", "./"], 3),
    (["x[3]", "--shape", "x=2"], 2, ["index 3 is out of range", "1 to 2"], 3),
    (["x[0]", "--shape", "x=2"], 2, ["index 0 is out of range"], 3),
    (["x + y[1]", "--shape", "x=2"], 2, ["'y' is not a vector or matrix", "--shape"], 6),
    (["x", "--shape", "x=0"], 2, ["size of 'x'"], 3),
    (["x", "--shape", "x=3y"], 2, ["expected ','"], 4),
    (["x", "--shape", "W=3x"], 2, ["size of 'W'"], 3),
    (["x", "--shape", "x=3,x=2"], 2, ["given twice"], 5),
    (["W*x", "--shape", "W=2000x2000,x=2000"], 3, ["JAC_MAX_TOKENS"], 1),
]


@pytest.mark.parametrize(("args", "code", "words", "column"), ERRORS)
def test_errors(args: list[str], code: int, words: list[str], column: int | None) -> None:
    status, out, err = cli("jacobian", args[0], "--vars", "x", *args[1:])
    assert (status, out) == (code, "")
    first = err.splitlines()[0]
    assert first.startswith("jac: error: "), err
    for word in words:
        assert word in first, err
    if column is not None:
        assert _caret_column(err) == column, err


def test_expansion_past_a_small_token_limit_is_exit_3() -> None:
    status, out, err = jacobian_cli(
        "tanh(W*x + b)", "W=20x20,x=20,b=20", env={"JAC_MAX_TOKENS": "100"}
    )
    assert (status, out) == (3, "") and "JAC_MAX_TOKENS" in err


def test_a_point_of_the_wrong_length() -> None:
    for at, words in [
        ("x=[1]", "'x' has 2 entries, not 1"),
        ("x=[1,2,3]", "not 3"),
        ("x[1]=1,x=[1,2]", "given twice"),
    ]:
        status, out, err = cli("eval", "x'*x", "--vars", "x", "--shape", "x=2", "--at", at)
        assert (status, out) == (2, ""), (at, err)
        assert words in err.splitlines()[0] and "(--at, column" in err, (at, err)


def test_api_errors_are_the_same() -> None:
    from jaccli.errors import LimitError, ParseError

    with pytest.raises(ParseError, match="W is 3×2, x has 3 entries"):
        jaccli.jacobian("W*x", "x", shape="W=3x2,x=3")
    with pytest.raises(ParseError, match="shape="):
        jaccli.jacobian("y[1]", "x", shape="x=2")
    with pytest.raises(LimitError):
        jaccli.jacobian("W*x", "x", shape={"W": (2000, 2000), "x": 2000})
    with pytest.raises(ParseError, match="not 1"):
        jaccli.evaluate("x'*x", "x", at="x=[1]", shape="x=2")


# --------------------------------------------------------------------------- every command


def test_det_of_a_linear_layer_is_det_w() -> None:
    from jaccli.problem import read

    code, out, err = cli("det", "W*x", "--vars", "x", "--shape", "W=2x2,x=2", "--format", "json")
    assert code == 0, err
    det = read(json.loads(out)["determinant"], None, shapes="W=2x2").functions[0]
    for seed in range(3):
        point = random_point({"W": (2, 2)}, random.Random(seed))
        w = arrays(point, {"W": (2, 2)})["W"]
        assert_close(float(det.subs(symbols_at(point))), np.linalg.det(w))
    assert str(jaccli.det("W*x", "x", shape="W=2x2,x=2").determinant) == str(det)


WHOLE = "x=[1,-2],W=[[1,0],[1/2,3]],b=[0,1/3]"
BY_ENTRY = "x[1]=1,x[2]=-2,W[1,1]=1,W[1,2]=0,W[2,1]=1/2,W[2,2]=3,b[1]=0,b[2]=1/3"


@pytest.mark.parametrize("command", ["eval", "linearize"])
def test_whole_and_entry_by_entry_points_agree(command: str) -> None:
    outputs = []
    for at in (WHOLE, BY_ENTRY):
        layer = ["tanh(W*x + b)", "--vars", "x", "--shape", "W=2x2,x=2,b=2"]
        code, out, err = cli(command, *layer, "--at", at, "--format", "json")
        assert code == 0, err
        outputs.append(json.loads(out))
    assert outputs[0] == outputs[1]
    w, x, b = np.array([[1, 0], [0.5, 3]]), np.array([1, -2]), np.array([0, 1 / 3])
    expected = np.diag(1 - np.tanh(w @ x + b) ** 2) @ w
    if command == "eval":
        assert_close(outputs[0]["values"], expected)
    api = getattr(jaccli, "evaluate" if command == "eval" else "linearize")
    for at in (WHOLE, BY_ENTRY):
        result = api("tanh(W*x + b)", "x", at=at, shape="W=2x2,x=2,b=2")
        assert_close(numbers(result.matrix, {}), expected)


def test_eval_points_reads_entry_columns(tmp_path: Any) -> None:
    shape = ["--shape", "W=2x2,x=2", "--vars", "x"]
    w = "W=[[1,0],[1/2,3]]"
    csv = tmp_path / "points.csv"
    csv.write_text("x[1],x[2]\n1,2\n0.5,-1\n")
    code, out, err = cli("eval", "sin(W*x)", *shape, "--points", str(csv), "--at", w)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split(",")[:2] == ["x[1]", "x[2]"]
    for line, at in zip(lines[1:], ["x=[1,2]", "x=[1/2,-1]"], strict=True):
        code, single, err = cli("eval", "sin(W*x)", *shape, "--at", f"{at},{w}", "--format", "json")
        assert code == 0, err
        expected = np.ravel(json.loads(single)["values"])
        assert_close([float(v) for v in line.split(",")[2:]], expected, tol=1e-12)


def test_a_range_of_scalar_names_is_the_list() -> None:
    f = "x1*x2 + sin(x3), x3^2"
    ranged = cli("jacobian", f, "--vars", "x1..x3", "--format", "json")
    listed = cli("jacobian", f, "--vars", "x1,x2,x3", "--format", "json")
    assert ranged[0] == 0 and ranged == listed
    assert json.loads(ranged[1])["variables"] == ["x1", "x2", "x3"]
    assert jaccli.jacobian(f, "x1..x3").matrix == jaccli.jacobian(f, "x1,x2,x3").matrix


def test_inv_is_the_inverse_where_it_exists_and_undefined_where_not() -> None:
    """inv is adj(M)/det(M): defined at [[0, 1], [1, 0]] (a pivot-dividing inverse is not),
    and a singular matrix is undefined with a caret, not a crash."""
    runner = CliRunner()
    base = ["eval", "inv(W)*x", "--vars", "x", "--shape", "W=2x2,x=2", "--format", "json"]
    swap = runner.invoke(app, [*base, "--at", "x=[1,2],W=[[0,1],[1,0]]"])
    assert swap.exit_code == 0, swap.stderr
    assert json.loads(swap.stdout)["jacobian"] == [["0", "1"], ["1", "0"]]
    rng = np.random.default_rng(12)
    for _ in range(5):
        w = rng.integers(-4, 5, (3, 3))
        if round(np.linalg.det(w)) == 0:
            continue
        at = "x=[1,2,3],W=[" + ",".join("[" + ",".join(map(str, r)) + "]" for r in w) + "]"
        run = runner.invoke(app, [*base[:5], "W=3x3,x=3", "--format", "json", "--at", at])
        assert run.exit_code == 0, run.stderr
        got = np.array(
            [[float(Fraction(c)) for c in row] for row in json.loads(run.stdout)["jacobian"]]
        )
        assert np.allclose(got, np.linalg.inv(w), atol=1e-12)
    singular = runner.invoke(app, [*base, "--at", "x=[1,2],W=[[1,2],[2,4]]"])
    assert singular.exit_code == 1
    assert "singular" in singular.stderr and "^" in singular.stderr


def test_a_shape_no_function_uses_is_a_warning() -> None:
    """--shape X=3 for x leaves x a scalar: a plausible answer, so jac says why on stderr."""
    run = CliRunner().invoke(app, ["jacobian", "x^2", "--vars", "x", "--shape", "X=3"])
    assert run.exit_code == 0
    assert "--shape declares X, which no function uses (a typo?)" in run.stderr
    with pytest.warns(jaccli.JacWarning, match="shape= declares X"):
        jaccli.jacobian("x^2", "x", shape="X=3")
