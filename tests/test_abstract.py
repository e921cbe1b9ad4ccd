"""Functions with no formula (--functions g,h): g(u) differentiates to g'(u), read back and checked
by giving g and h formulas afterwards and comparing with jac's Jacobian of the composition."""

from __future__ import annotations

import json
import random

import pytest
import sympy
from typer.testing import CliRunner

import jaccli
from jaccli.cli.app import app
from jaccli.engine import to_sympy
from jaccli.errors import ParseError
from jaccli.problem import read

x, y = sympy.symbols("x y", real=True)
# Formulas given to g and h afterwards, with their derivatives by each argument.
ONE = {
    "g": (sympy.sin, sympy.cos, lambda u: -sympy.sin(u)),
    "h": (sympy.exp, sympy.exp, sympy.exp),
}


def _concrete(expr: sympy.Expr) -> sympy.Expr:
    """g, g', g'', h, ... replaced by the formulas above; k(u, v) = u*v^2 with k_1, k_2, k_12..."""
    for name, (f, d1, d2) in ONE.items():
        expr = expr.replace(sympy.Function(name + "''"), d2)
        expr = expr.replace(sympy.Function(name + "'"), d1)
        expr = expr.replace(sympy.Function(name), f)
    k = {
        "k": lambda u, v: u * v**2,
        "k_1": lambda u, v: v**2,
        "k_2": lambda u, v: 2 * u * v,
        "k_12": lambda u, v: 2 * v,
        "k_22": lambda u, v: 2 * u,
        "k_11": lambda u, v: 0,
    }
    for name, f in sorted(k.items(), key=lambda item: -len(item[0])):
        expr = expr.replace(sympy.Function(name), f)
    return expr


CASES = [
    ("g(h(x))", "x", "sin(exp(x))"),
    ("g(x*y) + h(y)^2", "x,y", "sin(x*y) + exp(y)^2"),
    ("g'(x) * y", "x,y", "cos(x)*y"),
    ("k(x, y^2)", "x,y", "x*y^4"),
    ("k(g(x), h(y))", "x,y", "sin(x)*exp(y)^2"),
]


def _at(expr: sympy.Expr, point: dict[sympy.Symbol, float]) -> float:
    return float(
        _concrete(to_sympy(expr) if not isinstance(expr, sympy.Basic) else expr).subs(point)
    )


@pytest.mark.parametrize(("text", "variables", "formula"), CASES)
def test_entries_are_the_chain_rule(text: str, variables: str, formula: str) -> None:
    declared = jaccli.jacobian(text, variables, abstract="g,h,k")
    concrete = jaccli.jacobian(formula, variables)
    rng = random.Random(text)
    for _ in range(5):
        point = {x: rng.uniform(0.2, 1.5), y: rng.uniform(0.2, 1.5)}
        for a, b in zip(declared.matrix, concrete.matrix, strict=True):
            for u, v in zip(a, b, strict=True):
                got = float(_concrete(to_sympy(u)).xreplace(point))
                want = float(to_sympy(v).xreplace(point))
                assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (text, u)


@pytest.mark.parametrize(("text", "variables", "formula"), CASES)
def test_plain_output_reads_back(text: str, variables: str, formula: str) -> None:
    result = CliRunner().invoke(
        app, ["jacobian", text, "--vars", variables, "--functions", "g,h,k", "--format", "plain"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    back = read([cell for row in rows for cell in row], None, abstract="g,h,k").functions
    original = [e for row in jaccli.jacobian(text, variables, abstract="g,h,k").matrix for e in row]
    point = {x: 0.7, y: 1.3}
    for a, b in zip(back, original, strict=True):
        assert float(_concrete(to_sympy(a)).xreplace(point)) == pytest.approx(
            float(_concrete(to_sympy(b)).xreplace(point)), rel=1e-12, abs=1e-12
        )


def test_the_table_row_in_matrix_form() -> None:
    """g(h(x)) with x a vector: diag(g'(h(x)) .* h'(x)), the issue's table."""
    result = jaccli.jacobian("g(h(x))", "x", shape="x=3", abstract="g,h")
    assert [b.form for b in result.matrix_form] == ["diag(g'(h(x)) .* h'(x))"]
    form = read("g'(h(x)) .* h'(x)", None, shapes="x=3", abstract="g,h").functions
    for i, row in enumerate(result.matrix):
        for j, entry in enumerate(row):
            expected = to_sympy(form[i]) if i == j else 0
            assert sympy.simplify(to_sympy(entry) - expected) == 0


def test_values_at_a_point_give_the_chain_rule() -> None:
    result = jaccli.evaluate("g(h(x))", "x", abstract="g,h", at="x=0,h(0)=1,h'(0)=2,g'(1)=3")
    assert result.matrix == ((6,),)
    # Without the values, the answer keeps them as symbols, exactly.
    partial = jaccli.evaluate("g(h(x))", "x", abstract="g,h", at="x=0,h(0)=1")
    assert str(partial.matrix[0][0]) in ("h'(0)*g'(1)", "g'(1)*h'(0)")


def test_latex_writes_primes_and_subscripts() -> None:
    latex = jaccli.jacobian("g(h(x)) + k(x, y)", "x,y", abstract="g,h,k").latex()
    assert "g'{\\left(h{\\left(x \\right)} \\right)}" in latex
    assert "k_{1}{\\left(x, y \\right)}" in latex and "k_{2}{\\left(x, y \\right)}" in latex


def test_json_names_derivatives_as_typed() -> None:
    result = CliRunner().invoke(
        app, ["jacobian", "k(x, y)^2", "--vars", "x,y", "--functions", "k", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)["jacobian"][0]
    assert {cell.replace(" ", "") for cell in row} == {"2*k(x,y)*k_1(x,y)", "2*k(x,y)*k_2(x,y)"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["g(x)", "--vars", "x", "--functions", "sin"], "'sin' is a function jac knows"),
        (["g(x)", "--vars", "x", "--functions", "x"], "'x' is a variable"),
        (["g*x", "--vars", "x", "--functions", "g"], "write g(...)"),
        (["g_1(x)", "--vars", "x", "--functions", "g"], "at least 2 arguments"),
        (["g'(x, y)", "--vars", "x,y", "--functions", "g"], "takes 1 argument"),
        (["g(x)", "--vars", "x", "--functions", "g_1"], "keeps for derivatives"),
    ],
)
def test_mistakes_are_parse_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["jacobian", *args])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert message in result.stderr and "^" in result.stderr
    assert result.stdout == ""


def test_points_need_formulas() -> None:
    result = CliRunner().invoke(
        app, ["eval", "g(x)", "--vars", "x", "--functions", "g", "--points", "-"], input="x\n1\n"
    )
    assert result.exit_code == 2
    assert "has no formula" in result.stderr


def test_undeclared_call_stays_an_error() -> None:
    with pytest.raises(ParseError, match="not a function jac knows"):
        read("g(x)", "x")


def test_the_table_row_through_the_cli() -> None:
    args = ["g(h(x))", "--vars", "x", "--shape", "x=2", "--functions", "g,h", "--format", "json"]
    run = CliRunner().invoke(app, ["jacobian", *args])
    assert run.exit_code == 0, run.stderr
    out = json.loads(run.stdout)
    assert [b["form"] for b in out["matrix_form"]] == ["diag(g'(h(x)) .* h'(x))"]
    cells = [cell for row in out["jacobian"] for cell in row]
    back = read(cells, None, shapes="x=2", abstract="g,h").functions
    point = {sympy.Symbol("x[1]", real=True): 0.4, sympy.Symbol("x[2]", real=True): 1.1}
    values = [float(_concrete(to_sympy(e)).xreplace(point)) for e in back]
    expected = [float(sympy.cos(sympy.exp(u)) * sympy.exp(u)) for u in (0.4, 1.1)]
    assert values == pytest.approx([expected[0], 0.0, 0.0, expected[1]], rel=1e-12)


def test_a_name_declared_twice_names_the_option() -> None:
    run = CliRunner().invoke(app, ["jacobian", "g(x)", "--vars", "x", "--functions", "g,g"])
    assert run.exit_code == 2
    assert "'g' is listed twice (--functions, column 3)" in run.stderr
