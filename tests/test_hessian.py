"""jac grad and jac hessian: compared with SymPy's `hessian`, with JAX at random points, with
textbook matrices, and through the command line in every format.

The Hessian is computed once per pair and mirrored; the tests check the mirror against the
other order of differentiation (the Jacobian of the gradient) and against SymPy, which
differentiates every entry itself.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Sequence
from typing import Any

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from jaccli import api, engine
from jaccli.engine.hessian import read_constraints
from jaccli.parse import make_symbol, parse_functions
from jaccli.problem import read
from tests.conftest import invoke
from tests.test_readback import check_json, check_latex, check_plain, check_table, exact

DPS = 30


def hessian_of(text: str, variables: str, **options: Any) -> Any:
    problem = read(text, variables)
    return engine.hessian(problem.functions, problem.variables, **options)


def random_values(names: Sequence[str], rng: random.Random) -> dict[Any, Any]:
    """A random rational point in [-2, 2] away from 0, for SymPy symbols of these names."""
    return {
        sympy.Symbol(n): sympy.Rational(rng.choice((-1, 1)) * rng.randint(2, 20), 10) for n in names
    }


def assert_same(a: Any, b: Any, names: Sequence[str], points: int = 3, seed: int = 13) -> None:
    """Two matrices (SymEngine or SymPy entries) equal at random points, to 25 digits."""
    rng = random.Random(seed)
    a, b = sympy.Matrix([[exact(e) for e in row] for row in a]), sympy.Matrix(b)
    assert a.shape == b.shape
    for _ in range(points):
        at = random_values(names, rng)
        for x, y in zip(a, b, strict=True):
            vx, vy = complex(sympy.N(x.xreplace(at), DPS)), complex(sympy.N(y.xreplace(at), DPS))
            assert abs(vx - vy) <= 1e-25 * max(1.0, abs(vx)), (x, y, at)


def sympy_hessian(text: str, names: Sequence[str], constraints: Sequence[str] = ()) -> Any:
    """SymPy's own Hessian of the expression jac read (converted, then differentiated by
    SymPy, with real symbols as jac's variables are: SymPy's d|u| is then sign(u) du)."""
    (f,) = [exact(e) for e in read(text, ",".join(names)).functions]
    gs = (
        [exact(e) for e in read(",".join(constraints), ",".join(names)).functions]
        if constraints
        else []
    )
    symbols = {s for e in [f, *gs] for s in e.free_symbols} | {sympy.Symbol(n) for n in names}
    real = {s: sympy.Symbol(s.name, real=True) for s in symbols}
    matrix = sympy.hessian(
        f.xreplace(real), [real[sympy.Symbol(n)] for n in names], [g.xreplace(real) for g in gs]
    )
    return matrix.xreplace({r: s for s, r in real.items()})


# --------------------------------------------------------------------------- the engine

SMOOTH = [
    ("x^3*y + exp(x*y)", "x,y"),
    ("sin(x*y*z) + x^2*log(1 + y^2) - z/(1 + x^2)", "x,y,z"),
    ("atan2(y, x) + sqrt(x^2 + y^2)", "x,y"),
    ("tanh(a*x + b*y) + k*x*y", "x,y"),  # parameters a, b, k stay symbolic
    ("sigmoid(x - 2*y)*softplus(y)", "x,y"),
]


@pytest.mark.parametrize(("text", "names"), SMOOTH)
def test_hessian_equals_sympys(text: str, names: str) -> None:
    result = hessian_of(text, names)
    variables = names.split(",")
    symbols = sorted({s.name for s in result.functions[0].free_symbols})
    (part,) = result.parts
    assert (part.key, part.label, part.rows, part.columns) == (
        "hessian",
        "H(f)",
        (*variables,),
        (*variables,),
    )
    assert_same(part.matrix, sympy_hessian(text, variables), symbols)
    matrix = part.matrix
    assert all(matrix[i][j] == matrix[j][i] for i in range(len(matrix)) for j in range(i))


def test_rosenbrock_is_the_textbook_matrix() -> None:
    result = hessian_of("(1 - x)^2 + 100*(y - x^2)^2", "x,y")
    x, y = sympy.symbols("x y")
    textbook = [[1200 * x**2 - 400 * y + 2, -400 * x], [-400 * x, 200]]
    assert_same(result.parts[0].matrix, textbook, ["x", "y"])
    at = hessian_of(
        "(1 - x)^2 + 100*(y - x^2)^2", "x,y", point={make_symbol("x"): 1, make_symbol("y"): 1}
    )
    assert at.parts[0].matrix == ((802, -400), (-400, 200))  # positive definite: the minimum


def test_quadratic_form_gives_a_plus_a_transpose() -> None:
    result = api.hessian("x'*A*x", "x", shape="A=3x3,x=3")
    A = sympy.Matrix(3, 3, lambda i, j: sympy.Symbol(f"A[{i + 1},{j + 1}]"))
    assert sympy.Matrix([[exact(e) for e in row] for row in result.parts[0].matrix]) == A + A.T
    assert result.parts[0].rows == ("x[1]", "x[2]", "x[3]")


def test_bordered_hessian_of_xy_on_x_plus_y_is_sympys() -> None:
    result = api.hessian("x*y", "x,y", constraints="x + y - 1")
    expected = sympy_hessian("x*y", ["x", "y"], ["x + y - 1"])
    assert expected == sympy.Matrix([[0, 1, 1], [1, 0, 1], [1, 1, 0]])
    (part,) = result.parts
    assert (part.key, part.rows, part.columns) == (
        "bordered_hessian",
        ("g1", "x", "y"),
        ("g1", "x", "y"),
    )
    assert sympy.Matrix([[exact(e) for e in row] for row in part.matrix]) == expected
    assert [str(g) for g in result.constraints] == ["-1 + x + y"]


def test_bordered_hessian_with_two_nonlinear_constraints_is_sympys() -> None:
    names, constraints = ["x", "y", "z"], ["x^2 + y^2 - 1", "x*z - y"]
    result = api.hessian("x*y*z + sin(z)", "x,y,z", constraints=constraints)
    assert_same(result.parts[0].matrix, sympy_hessian("x*y*z + sin(z)", names, constraints), names)
    assert any("Lagrangian" in note for note in result.notes)


def test_a_vector_function_has_one_hessian_per_component() -> None:
    texts = ["x^2*y", "sin(x)*cos(y)", "exp(x - y)"]
    result = api.hessian(", ".join(texts), "x,y")
    assert [p.label for p in result.parts] == ["H(f1)", "H(f2)", "H(f3)"]
    for part, text in zip(result.parts, texts, strict=True):
        assert_same(part.matrix, sympy_hessian(text, ["x", "y"]), ["x", "y"])


def test_a_vector_expression_counts_its_entries_as_components() -> None:
    result = api.hessian("sin(W*x)", "x", shape="W=2x2,x=2")
    assert len(result.parts) == 2
    for part, f in zip(result.parts, result.functions, strict=True):
        names = sorted(s.name for s in f.free_symbols)
        variables = [sympy.Symbol("x[1]"), sympy.Symbol("x[2]")]
        assert_same(part.matrix, sympy.hessian(exact(f), variables), names)


def test_at_a_point_exact_and_rounded() -> None:
    text, names = "sin(x*y) + x^3*z", "x,y,z"
    point = {"x": "pi/3", "y": "1", "z": "1/2"}
    exact_result = api.hessian(text, names, at=point)
    x, y, z = sympy.symbols("x y z")
    expected = sympy_hessian(text, ["x", "y", "z"]).subs(
        {x: sympy.pi / 3, y: 1, z: sympy.Rational(1, 2)}
    )
    got = sympy.Matrix([[exact(e) for e in row] for row in exact_result.parts[0].matrix])
    assert sympy.simplify(got - expected) == sympy.zeros(3, 3)
    rounded = api.hessian(text, names, at=point, digits=6)
    for e, want in zip((e for row in rounded.parts[0].matrix for e in row), expected, strict=True):
        assert abs(float(e) - float(want)) <= 1e-5 * max(1.0, abs(float(want)))
    for result in (exact_result, rounded):
        check_json(result)
        check_plain(result)


def test_a_point_off_the_constraints_is_noted_and_entries_evaluated() -> None:
    result = api.hessian("x*y*z", "x,y,z", constraints=["x + y - 1", "y - z"], at="x=1,y=1,z=2")
    assert result.parts[0].matrix[0][2:] == (1, 1, 0)
    assert any("g1 = 1, g2 = -1" in note for note in result.notes)


def test_gradient_is_a_column_of_the_jacobians_row() -> None:
    text, names = "x^2*y + sin(y*z) + k*z", "x,y,z"
    gradient = api.grad(text, names)
    jacobian = api.jacobian(text, names)
    (part,) = gradient.parts
    assert (part.key, part.label, part.rows, part.columns) == (
        "gradient",
        "∇f",
        ("x", "y", "z"),
        ("",),
    )
    assert tuple(row[0] for row in part.matrix) == jacobian.matrix[0]
    assert any("∇fᵀ" in note for note in gradient.notes)
    at = api.grad(text, names, at="x=1,y=0,z=2,k=3")
    assert at.parts[0].matrix == ((0,), (3,), (3,))


def test_a_gradient_of_several_functions_points_to_the_jacobian() -> None:
    from jaccli.errors import UsageError

    with pytest.raises(UsageError, match=r"F has 3 components.*jacobian"):
        api.grad("x, y, x*y", "x,y")


def test_undefined_at_a_kink_says_why() -> None:
    from jaccli.errors import UndefinedError

    with pytest.raises(UndefinedError, match=r"∂f/∂x is undefined at x=0, y=1: abs\(x\)"):
        api.hessian("abs(x)*y^2", "x,y", at="x=0,y=1")
    # |x|^3 is twice differentiable, but jac's rule for a kink (|u| where u = 0 and u' ≠ 0)
    # is eval's: conservative, and the same for J and the Hessian.
    with pytest.raises(UndefinedError, match="abs") as caught:
        api.hessian("abs(x)^3 + y", "x,y", at="x=0,y=1")
    with pytest.raises(UndefinedError, match="abs") as by_eval:
        api.evaluate("abs(x)^3 + y", "x,y", at="x=0,y=1")
    assert str(caught.value).split(" is ")[1:] == str(by_eval.value).split(" is ")[1:]
    assert api.hessian("abs(x)^3 + y", "x,y", at="x=-1,y=1").parts[0].matrix == ((6, 0), (0, 0))


# --------------------------------------------------------------------------- mixed partials


def test_non_smooth_input_compares_both_orders_and_agrees() -> None:
    """abs, sign, relu, max: both orders are differentiated and compared; jac's rules
    (d|u| = sign(u) du, d sign(u) = 2 δ(u) du) commute, so they agree where defined. The
    two orders of abs(atan2(y, x)) differ as written and agree at every random point."""
    for text in ("abs(x*y)*x", "relu(x - y)*y^2", "max(x, y)*x*y", "abs(atan2(y, x))"):
        result = hessian_of(text, "x,y")
        assert dict(result.facts)["mixed_partials"] == "equal", text
        assert result.notes == ()
        assert_same(result.parts[0].matrix, sympy_hessian(text, ["x", "y"]), ["x", "y"])


def test_mixed_partials_that_differ_are_shown_both_and_warned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No input found makes jac's two orders differ where defined (see the test above), so
    one order is made wrong here: what the user sees when they differ."""
    import importlib

    module = importlib.import_module("jaccli.engine.hessian")  # the attribute is the function
    real = module._differentiate_one

    def skewed(f: Any, variables: Sequence[Any]) -> Any:
        row = real(f, variables)
        # ∂/∂x (∂f/∂y) gains a sign(x): the lower triangle, computed only for non-smooth f.
        return tuple(
            (j, d * 2) if str(variables[j]) == "x" and "y" in str(f) else (j, d) for j, d in row
        )

    monkeypatch.setattr(module, "_differentiate_one", skewed)
    result = hessian_of("abs(x)*y^2 + x^2*y", "x,y")
    assert dict(result.facts)["mixed_partials"] == "differ"
    (note,) = result.notes
    assert note.startswith("the mixed partials of f differ (∂²f/∂y∂x ≠ ∂²f/∂x∂y)")
    assert result.warnings == (note,)
    matrix = result.parts[0].matrix
    assert matrix[0][1] != matrix[1][0]
    # On the command line the warning reaches stderr (the worker is a fork: it is skewed too).
    run = invoke(["hessian", "abs(x)*y^2 + x^2*y", "--vars", "x,y", "--format", "plain"])
    assert run.code == 0 and run.stderr == f"jac: warning: {note}\n"


# --------------------------------------------------------------------------- JAX


JAX_CASES = [
    ("(1 - x)^2 + 100*(y - x^2)^2", "x,y"),
    ("x*sin(y)*exp(z) + log(1 + x^2*y^2)", "x,y,z"),
    ("tanh(2*x - y)*z^3 + atan(x*z)", "x,y,z"),
    ("cosh(x)/(2 + sin(y)) + x*y*w", "w,x,y"),
]

# JAX in a process of its own: once loaded, it warns at every fork (jac's budget forks).
_JAX_SCRIPT = """
import json, sys
import jax, jax.numpy as jnp, sympy
from jaccli.problem import read
jax.config.update("jax_enable_x64", True)
out = []
for text, names, points in json.load(sys.stdin):
    variables = names.split(",")
    f = read(text, names).functions[0]._sympy_()
    function = sympy.lambdify([sympy.Symbol(n) for n in variables], f, modules="jax")
    def scalar(v):
        return function(*v)
    hessian, gradient = jax.hessian(scalar), jax.grad(scalar)
    out.append([[jnp.asarray(hessian(jnp.array(p))).tolist(),
                 jnp.asarray(gradient(jnp.array(p))).tolist()] for p in points])
print(json.dumps(out))
"""


def test_hessian_and_gradient_match_jax() -> None:
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed: pip install 'jax[cpu]' (the test extras have it)")
    rng = random.Random(7)
    cases = [
        (text, names, [[rng.uniform(0.2, 1.5) for _ in names.split(",")] for _ in range(3)])
        for text, names in JAX_CASES
    ]
    done = subprocess.run(
        [sys.executable, "-c", _JAX_SCRIPT],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "JAX_PLATFORMS": "cpu"},
    )
    for (text, names, points), answers in zip(cases, json.loads(done.stdout), strict=True):
        for values, (hessian, gradient) in zip(points, answers, strict=True):
            at = {n: repr(v) for n, v in zip(names.split(","), values, strict=True)}
            ours = api.hessian(text, names, at=at, digits=17).parts[0].matrix
            assert [[float(e) for e in row] for row in ours] == [
                pytest.approx(row, rel=1e-9, abs=1e-9) for row in hessian
            ]
            grad = api.grad(text, names, at=at, digits=17).parts[0].matrix
            assert [float(r[0]) for r in grad] == pytest.approx(gradient, rel=1e-9, abs=1e-9)


# --------------------------------------------------------------------------- properties

_VARS = ["x", "y", "z"]


@st.composite
def smooth_expressions(draw: st.DrawFn, depth: int = 3) -> str:
    """Polynomials and trigonometric expressions in x, y, z with small integer coefficients."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from([*_VARS, *_VARS, "2", "3", "1/2"]))
    a, b = draw(smooth_expressions(depth - 1)), draw(smooth_expressions(depth - 1))
    kind = draw(st.sampled_from(["+", "-", "*", "^", "sin", "cos", "exp"]))
    if kind == "^":
        return f"({a})^{draw(st.integers(2, 3))}"
    if kind in ("sin", "cos", "exp"):
        return f"{kind}({a})"
    return f"({a}) {kind} ({b})"


@given(smooth_expressions())
def test_hessian_is_symmetric_and_the_jacobian_of_the_gradient(text: str) -> None:
    problem = read(text, "x,y,z")
    result = engine.hessian(problem.functions, problem.variables)
    matrix = result.parts[0].matrix
    assert all(matrix[i][j] == matrix[j][i] for i in range(3) for j in range(i))
    gradient = [
        row[0] for row in engine.gradient(problem.functions, problem.variables).parts[0].matrix
    ]
    jacobian = engine.jacobian(gradient, problem.variables).matrix  # both orders, each entry
    assert_same(matrix, [[exact(e) for e in row] for row in jacobian], _VARS, points=2)


# --------------------------------------------------------------------------- the command line


def test_cli_hessian_every_format(jac: Any) -> None:
    args = ["hessian", "x^3*y + exp(x*y), x*y", "--vars", "x,y"]
    data = jac([*args, "--format", "json"]).json()
    assert [m["label"] for m in data["matrices"]] == ["H(f1)", "H(f2)"]
    assert data["mixed_partials"] == "equal"
    got = parse_functions(data["matrices"][0]["entries"][0], ["x", "y"])
    assert_same([got], sympy_hessian("x^3*y + exp(x*y)", ["x", "y"])[0, :].tolist(), ["x", "y"])
    line = jac([*args, "--format", "jsonl"])
    assert json.loads(line.stdout) == data
    plain = jac([*args, "--format", "plain"]).stdout
    assert plain.count("\n\n") == 1  # two matrices, a blank line between
    assert "H_{f_{2}} = " in jac([*args, "--format", "latex"]).stdout
    table = jac([*args, "--format", "table"])
    assert table.code == 0 and "H(f2)" in table.stdout


def test_cli_bordered_hessian_at_a_point(jac: Any) -> None:
    run = jac(
        [
            "hessian",
            "x*y",
            "--vars",
            "x,y",
            "--constraints",
            "x+y-1",
            "--at",
            "x=1/2,y=1/2",
            "--format",
            "json",
        ]
    )
    data = run.json()
    (g,) = parse_functions(data["constraints"], ["x", "y"])
    assert g == make_symbol("x") + make_symbol("y") - 1
    assert data["matrices"][0]["entries"] == [["0", "1", "1"], ["1", "0", "1"], ["1", "1", "0"]]
    assert data["point"] == {"x": "1/2", "y": "1/2"}
    assert not any("not on the constraints" in n for n in data["notes"])


def test_cli_constraints_are_read_with_fs_names_and_carets(jac: Any) -> None:
    run = jac(["hessian", "x*y", "--vars", "x,y", "--constraints", "x+(y"])
    assert run.code == 2
    assert "--constraints" in run.stderr and "^" in run.stderr
    vector = jac(
        [
            "hessian",
            "x'*x",
            "--vars",
            "x",
            "--shape",
            "x=2",
            "--constraints",
            "sum(x) - 1",
            "--format",
            "plain",  # (the jac fixture's JSON check reads no x[1] without the shapes)
        ]
    )
    rows = [line.split("\t") for line in vector.stdout.splitlines()]
    assert rows == [["0", "1", "1"], ["1", "2", "0"], ["1", "0", "2"]]


def test_cli_grad(jac: Any) -> None:
    data = jac(
        ["grad", "x^2*y + sin(y)", "--vars", "x,y", "--at", "x=1,y=pi", "--format", "json"]
    ).json()
    assert data["matrices"][0]["entries"] == [["2*pi"], ["0"]]
    assert jac(["grad", "x^2*y", "--vars", "x,y", "--format", "plain"]).stdout == "2*x*y\nx**2\n"


def test_cli_grad_of_several_functions_is_one_line_exit_2(jac: Any) -> None:
    run = jac(["grad", "x^2, x*y", "--vars", "x,y"])
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "jacobian" in run.stderr and "2 components" in run.stderr


def test_renderers_read_back() -> None:
    for result in (
        api.hessian("x^3*y + exp(x*y), sin(x)*y", "x,y"),
        api.hessian("x*y", "x,y", constraints="x+y-1", at="x=1,y=2"),
        api.hessian("sin(x*y)", "x,y", at="x=1/3,y=2", digits=8),
        api.grad("x^2*y + k*sin(y)", "x,y"),
        api.grad("x^2*y", "x,y", at="x=1,y=2"),
    ):
        check_json(result)
        check_plain(result)
        check_latex(result)
        check_table(result)


def test_read_constraints_uses_fs_shapes() -> None:
    problem = read("x'*x", "x", shapes="x=3")
    (g,) = read_constraints("sum(x) - 1", problem)
    assert str(g) == "-1 + x[1] + x[2] + x[3]"


def test_digits_need_a_point(jac: Any) -> None:
    run = jac(["hessian", "sin(x*y)", "--vars", "x,y", "--digits", "3"])
    assert (run.code, run.stdout) == (2, "")
    assert (
        run.stderr
        == "jac: error: --digits rounds the values at a point: give the point with --at\n"
    )


def test_a_variable_of_the_constraints_alone_is_a_variable() -> None:
    result = api.hessian("x*y", constraints="x + z - 1")
    assert [v.name for v in result.variables] == ["x", "y", "z"] and result.variables_inferred
    assert result.parts[0].rows == ("g1", "x", "y", "z")
    expected = sympy_hessian("x*y", ["x", "y", "z"], ["x + z - 1"])
    assert sympy.Matrix([[exact(e) for e in row] for row in result.parts[0].matrix]) == expected
