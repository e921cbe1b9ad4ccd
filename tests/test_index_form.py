"""--index: J in index notation. Both steps (with the Kronecker deltas, and contracted) are
checked as mathematics: at every concrete (i, j), with the sums done, they equal J's entry."""

from __future__ import annotations

import json
import random
from typing import Any

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


def _read_index_text(text: str, shapes: dict[str, tuple[int, int]]) -> sympy.Expr:
    """jac's index notation read back (test code, on jac's own output): Σ_k (…) becomes a Sum
    over the range of the first array k indexes, δ_kj KroneckerDelta, g'(u) the function g_p."""
    import re

    text = re.sub(r"δ_(\w)(\w)", r"KroneckerDelta(\1, \2)", text)
    text = re.sub(r"(\w+)'\(", r"\1_p(", text)
    while (start := text.find("Σ_")) >= 0:
        k = text[start + 2]
        open_at = text.index("(", start)
        depth, end = 0, open_at
        for end in range(open_at, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        body = text[open_at + 1 : end]
        base, indices = next(
            (
                (m.group(1), m.group(2).split(","))
                for m in re.finditer(r"(\w+)\[([^\]]*)\]", body)
                if k in m.group(2).split(",")
            ),
            ("x", [k]),  # Σ_k δ_kj: k runs over the entries of x, the variable
        )
        rows, columns = shapes[base]
        size = rows * columns if 1 in (rows, columns) else (rows, columns)[indices.index(k)]
        text = f"{text[:start]}Sum({body}, ({k}, 1, {size})){text[end + 1 :]}"
    names: dict[str, Any] = {name: sympy.IndexedBase(name) for name in shapes}
    names.update(i=_I, j=_J, k=sympy.Symbol("k", integer=True), l=sympy.Symbol("l", integer=True))
    names["KroneckerDelta"] = sympy.KroneckerDelta
    names["sigmoid_p"] = lambda u: sympy.exp(-u) / (1 + sympy.exp(-u)) ** 2
    return sympy.parse_expr(text, local_dict=names)


@pytest.mark.parametrize(("text", "shapes"), CASES)
def test_the_printed_steps_read_back(text: str, shapes: str) -> None:
    """Every printed step, read back, equals J's entry at every (i, j): the printer drops no
    bracket or sign."""
    result = jaccli.jacobian(text, "x", shape=shapes, index=True)
    sizes = read(text, "x", shapes=shapes).shapes or {}
    rng = random.Random(text + "printed")
    names = {s.name for row in result.matrix for e in row for s in e.free_symbols}
    names |= {v.name for v in result.variables}
    values = {name: rng.uniform(-1.2, 1.2) for name in names}
    for block in result.matrix_form:
        assert block.index_form is not None
        for step in block.index_form.steps:
            expr = _read_index_text(step, dict(sizes))
            for i, row in enumerate(result.matrix, start=1):
                for j, entry in enumerate(row, start=1):
                    free = to_sympy(entry).free_symbols
                    expected = float(to_sympy(entry).xreplace({s: values[s.name] for s in free}))
                    got = _entrywise(expr.xreplace({_I: i, _J: j}), values)
                    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), (step, i, j)


def _read_index_latex(latex: str, shapes: dict[str, tuple[int, int]]) -> list[sympy.Expr]:
    """The right-hand sides of jac's LaTeX index form, read by latex2sympy: {W}_{i,k} is given
    to it as the call W(i, k), \\delta_{j k} as D(j, k); a primed function's argument is read
    on its own (latex2sympy splits a call's arguments at every comma, nested calls' too)."""
    import re

    from latex2sympy2_extended import latex2sympy
    from latex2sympy2_extended.latex2sympy2 import ConversionConfig

    text = re.sub(r"\{(\w+)\}_\{([\w,]+)\}", lambda m: f"{m[1]}({m[2].replace(',', ', ')})", latex)
    text = re.sub(r"\\delta_\{(\w) (\w)\}", r"D(\1, \2)", text)
    opening = "\\operatorname{sigmoid}'{\\left("
    calls: list[str] = []
    while (start := text.find(opening)) >= 0:
        depth, k = 0, start + len(opening)
        while not (depth == 0 and text.startswith("\\right)}", k)):
            depth += text.startswith("\\left", k) - text.startswith("\\right", k)
            k += 1
        calls.append(text[start + len(opening) : k])
        end = k + len("\\right)}")
        text = f"{text[:start]}\\mathit{{jacprimed{len(calls) - 1}}}{text[end:]}"
    config = ConversionConfig(lowercase_symbols=False, interpret_as_mixed_fractions=False)

    def read(side: str) -> sympy.Expr:
        expr = latex2sympy(side, conversion_config=config)
        for name in shapes:
            base = sympy.IndexedBase(name)
            expr = expr.replace(sympy.Function(name), lambda *ix, base=base: base[ix])
        expr = expr.replace(sympy.Function("D"), sympy.KroneckerDelta)
        names = {"i": _I, "j": _J}
        return expr.xreplace({s: names[s.name] for s in expr.free_symbols if s.name in names})

    primed = {}
    for n, inner in enumerate(calls):
        u = read(inner)
        primed[sympy.Symbol(f"jacprimed{n}")] = sympy.exp(-u) / (1 + sympy.exp(-u)) ** 2
    return [read(side).xreplace(primed) for side in text.split(" = ")[1:]]


@pytest.mark.parametrize(("text", "shapes"), CASES)
def test_the_latex_steps_read_back(text: str, shapes: str) -> None:
    """The LaTeX of the index form through an independent parser, equal to J at every (i, j)."""
    result = jaccli.jacobian(text, "x", shape=shapes, index=True)
    sizes = dict(read(text, "x", shapes=shapes).shapes or {})
    rng = random.Random(text + "latex")
    names = {s.name for row in result.matrix for e in row for s in e.free_symbols}
    names |= {v.name for v in result.variables}
    values = {name: rng.uniform(-1.2, 1.2) for name in names}
    for block in result.matrix_form:
        assert block.index_form is not None
        steps = _read_index_latex(block.index_form.latex, sizes)
        assert len(steps) == len(block.index_form.steps)
        for expr in steps:
            for i, row in enumerate(result.matrix, start=1):
                for j, entry in enumerate(row, start=1):
                    free = to_sympy(entry).free_symbols
                    expected = float(to_sympy(entry).xreplace({s: values[s.name] for s in free}))
                    got = _entrywise(expr.xreplace({_I: i, _J: j}), values)
                    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), (expr, i, j)
