"""--index: J in index notation. Both steps (with the Kronecker deltas, and contracted) are
checked as mathematics: at every concrete (i, j), with the sums done, they equal J's entry."""

from __future__ import annotations

import json
import random

import pytest
import sympy
from typer.testing import CliRunner

import jaccli
from jaccli.cli.app import app
from jaccli.engine import to_sympy
from jaccli.engine.index_form import index_expressions
from jaccli.problem import read

CASES = [
    ("W*x", "W=3x2,x=2"),
    ("x'*x", "x=3"),
    ("sin(x)", "x=3"),
    ("x .* c", "x=3,c=3"),
    ("x + c", "x=3,c=3"),
    ("x .* x", "x=2"),
    ("sigmoid(W*x + b)", "W=2x3,x=3,b=2"),
    ("V*tanh(W*x + b)", "V=2x3,W=3x2,x=2,b=3"),
    ("a'*x", "a=3,x=3"),
    ("x'*A*x", "A=3x3,x=3"),
    ("norm(W*x - b)^2", "W=3x2,x=2,b=3"),
    ("sum(x)", "x=3"),
    ("softmax(x)", "x=3"),
    ("logsumexp(x)", "x=3"),
    ("sin(W*x)", "W=2x2,x=2"),
    ("A*x + b", "A=2x3,x=3,b=2"),
    ("exp(x'*x)", "x=2"),
    ("(x'*x)^2", "x=3"),
    ("dot(c, x) * x", "c=2,x=2"),
    ("diag(x)*c", "x=3,c=3"),
]

_I, _J = sympy.Symbol("i", integer=True), sympy.Symbol("j", integer=True)


def _entrywise(expr: sympy.Expr, values: dict[str, float]) -> float:
    """The sums done and every W[k,l], x[k] replaced by the value of jac's entry symbol."""
    done = expr.doit()
    indexed = {
        e: values[f"{e.base}[{','.join(str(k) for k in e.indices)}]"]
        for e in done.atoms(sympy.Indexed)
    }
    plain = {s: values[s.name] for s in done.free_symbols if s.name in values}
    substituted = sympy.S(done.xreplace({**indexed, **plain}))
    for name, f in (("sigmoid", lambda u: 1 / (1 + sympy.exp(-u))),):
        substituted = substituted.replace(sympy.Function(name), f)
    substituted = substituted.replace(
        sympy.Function("sigmoid'"), lambda u: sympy.exp(-u) / (1 + sympy.exp(-u)) ** 2
    )
    return float(substituted)


@pytest.mark.parametrize(("text", "shapes"), CASES)
def test_both_steps_are_the_entries(text: str, shapes: str) -> None:
    result = jaccli.jacobian(text, "x", shape=shapes, index=True)
    assert all(block.index_form is not None for block in result.matrix_form), text
    problem = read(text, "x", shapes=shapes)
    found = index_expressions(problem.parsed[0], "x", problem.shapes or {})
    assert found is not None
    rng = random.Random(text)
    names = {s.name for row in result.matrix for e in row for s in e.free_symbols}
    names |= {v.name for v in result.variables}
    values = {name: rng.uniform(-1.2, 1.2) for name in names}
    for step in found:
        for i, row in enumerate(result.matrix, start=1):
            for j, entry in enumerate(row, start=1):
                expected = (
                    float(
                        to_sympy(entry).xreplace(
                            {s: values[s.name] for s in to_sympy(entry).free_symbols}
                        )
                    )
                    if entry != 0
                    else 0.0
                )
                got = _entrywise(step.xreplace({_I: i, _J: j}), values)
                assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), (text, step, i, j)


@pytest.mark.parametrize(
    ("text", "shapes", "printed"),
    [
        ("W*x", "W=3x2,x=2", "∂y_i/∂x_j = Σ_k (W[i,k]*δ_kj) = W[i,j]"),
        ("x'*x", "x=3", "∂f/∂x_j = Σ_k (2*x[k]*δ_kj) = 2*x[j]"),
        ("sin(x)", "x=3", "∂y_i/∂x_j = cos(x[i])*δ_ij"),
        ("x .* c", "x=3,c=3", "∂y_i/∂x_j = c[i]*δ_ij"),
        ("x + c", "x=3,c=3", "∂y_i/∂x_j = δ_ij"),
    ],
)
def test_the_textbook_forms(text: str, shapes: str, printed: str) -> None:
    run = CliRunner().invoke(
        app, ["jacobian", text, "--vars", "x", "--shape", shapes, "--index", "--format", "plain"]
    )
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == printed


def test_json_and_latex_carry_it() -> None:
    args = ["jacobian", "W*x", "--vars", "x", "--shape", "W=2x2,x=2", "--index"]
    run = CliRunner().invoke(app, [*args, "--format", "json"])
    assert run.exit_code == 0, run.stderr
    block = json.loads(run.stdout)["matrix_form"][0]
    assert block["index_form"]["steps"] == ["Σ_k (W[i,k]*δ_kj)", "W[i,j]"]
    latex = CliRunner().invoke(app, [*args, "--format", "latex"]).stdout
    assert "\\sum_{k=1}^{2}" in latex and "\\delta_{j k}" in latex
    # Without --index, nothing of it.
    plain = CliRunner().invoke(app, [*args[:-1], "--format", "json"]).stdout
    assert "index_form" not in plain
