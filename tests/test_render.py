"""Renderers against golden files; set JAC_UPDATE_GOLDEN=1 to rewrite them on purpose."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sympy
from rich.console import Console

from jaccli import engine
from jaccli.errors import UsageError
from jaccli.parse import make_symbol, parse_functions
from jaccli.render import (
    Format,
    LatexEnv,
    LatexStyle,
    RenderOptions,
    formats_for,
    render,
    supports,
)
from jaccli.render.console import stages
from jaccli.render.console import to_text as to_console_text
from jaccli.render.latex import tex
from jaccli.render.syntax import to_display, to_text

GOLDEN = Path(__file__).parent / "golden"


def _vars(names: str) -> list[Any]:
    return [make_symbol(n) for n in names.split(",")]


def _layer(n: int) -> list[str]:
    return [" + ".join(f"{(3 * i + 5 * j) % 7 - 3}*x{j}" for j in range(n)) for i in range(n)]


CASES: dict[str, Callable[[], engine.Result]] = {
    "jacobian": lambda: engine.jacobian(
        parse_functions(["x^2+y*z, sin(x*y), e^(x+z)"]), _vars("x,y,z")
    ),
    "jacobian_names": lambda: engine.jacobian(
        parse_functions(["lambda*x - gamma*x*y + θ, w11*x1 + abs(x)"]), _vars("x,y,x1")
    ),
    "jacobian_wide": lambda: engine.jacobian(
        parse_functions([f"tanh({row})" for row in _layer(12)]),
        _vars(",".join(f"x{j}" for j in range(12))),
    ),
    "det": lambda: engine.determinant(
        parse_functions(["r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)"]), _vars("r,p,t")
    ),
    "det_at": lambda: engine.determinant(
        parse_functions(["x+y, x*y"]),
        _vars("x,y"),
        point={make_symbol("x"): -1, make_symbol("y"): 2},
    ),
    "eval": lambda: engine.evaluate(
        parse_functions(["x^2+y, k*x*y"]),
        _vars("x,y"),
        {make_symbol("x"): sympy.Rational(1, 10), make_symbol("y"): 2},
    ),
    "eval_digits": lambda: engine.evaluate(
        parse_functions(["sin(x*y), exp(x)"]),
        _vars("x,y"),
        {make_symbol("x"): sympy.pi / 3, make_symbol("y"): 1},
        digits=8,
    ),
    "linearize": lambda: engine.linearize(
        parse_functions(["x^2+y, x*y"]),
        _vars("x,y"),
        {make_symbol("x"): 1, make_symbol("y"): 2},
    ),
}

VARIANTS: dict[str, tuple[Format, RenderOptions]] = {
    "table": (Format.table, RenderOptions()),
    "plain": (Format.plain, RenderOptions()),
    "json": (Format.json, RenderOptions()),
    "latex": (Format.latex, RenderOptions()),
    "latex-array": (Format.latex, RenderOptions(latex_env=LatexEnv.array)),
}


def as_text(out: Any) -> str:
    if isinstance(out, str):
        return out + "\n"
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=80, color_system=None, force_terminal=False, legacy_windows=False
    )
    console.print(out, crop=False)
    return buffer.getvalue()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("JAC_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with JAC_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, variant: str) -> None:
    fmt, options = VARIANTS[variant]
    check_golden(f"{case}.{variant}.txt", as_text(render(CASES[case](), fmt, options)))


def test_wide_matrix_lists_non_zero_entries_instead_of_squeezing() -> None:
    text = as_text(render(CASES["jacobian_wide"](), Format.table))
    assert "too wide for the terminal" in text
    assert "non-zero entries listed" in text
    narrow = as_text(render(CASES["jacobian"](), Format.table))
    assert "too wide" not in narrow


def test_a_huge_matrix_is_listed_line_by_line_without_cutting_entries() -> None:
    result = engine.jacobian(
        parse_functions([f"tanh({row})" for row in _layer(25)]),
        _vars(",".join(f"x{j}" for j in range(25))),
    )
    count = sum(len(row) for row in result.sparse.rows)
    assert count > 300  # past the table view's limit
    lines = as_text(render(result, Format.table)).splitlines()
    assert lines[0] == f"Jacobian (25×25): {count} non-zero entries"
    assert len(lines) == 1 + count
    entry = to_display(result.matrix[0][0])
    assert len(entry) > 80 and lines[1].endswith(entry) and lines[1].startswith("f1 x0 ")


def test_table_prints_markup_in_names_literally() -> None:
    # A name can never contain '[', but a renderer must not rely on that.
    import symengine

    one = symengine.Integer(1)
    sparse = engine.Sparse((1, 1), (((0, one),),))
    result = engine.JacobianResult(
        functions=(symengine.Symbol("[bold]x[/]"),),
        variables=(symengine.Symbol("[red]y"),),
        sparse=sparse,
    )
    text = as_text(render(result, Format.table))
    assert "[bold]x[/]" in text and "[red]y" in text


def test_json_shapes() -> None:
    shapes = {
        "jacobian": {"command", "functions", "variables", "shape", "jacobian", "matrix_form"},
        "det": {"command", "functions", "variables", "determinant"},
        "det_at": {"command", "functions", "variables", "determinant", "point", "meaning"},
        "eval": {"command", "functions", "variables", "point", "shape", "jacobian"},
        "eval_digits": {"command", "functions", "variables", "point", "shape", "jacobian"},
        "linearize": {"command", "functions", "variables", "point", "shape", "value",
                      "jacobian", "linearization"},
    }  # fmt: skip
    for case, keys in shapes.items():
        data = json.loads(render(CASES[case](), Format.json))
        assert keys <= set(data) <= keys | {"values"}, case
    data = json.loads(render(CASES["eval_digits"](), Format.json))
    assert data["values"] == [[pytest.approx(0.5), pytest.approx(0.5235987756)], [
        pytest.approx(2.8496539), 0.0]]  # fmt: skip
    assert "values" not in json.loads(render(CASES["eval"](), Format.json))  # k is symbolic


def test_json_expressions_are_sympy_syntax() -> None:
    data = json.loads(render(CASES["jacobian"](), Format.json))
    for row, expected in zip(data["jacobian"], CASES["jacobian"]().matrix, strict=True):
        for text, entry in zip(row, expected, strict=True):
            assert sympy.sympify(text) == sympy.sympify(entry)


def test_syntax_printers() -> None:
    x = make_symbol("x")
    assert to_text(abs(x) + x**3) == "x**3 + abs(x)"
    assert to_text(x / 3) == "(1/3)*x"
    assert to_display(x**3 / 2) == "(1/2)*x^3"
    assert to_text(2 * x - 1) == "2*x - 1" and to_text(x + sympy.Rational(1, 2)) == "x + 1/2"
    assert tex(make_symbol("θ") ** 2) == "\\theta^{2}"
    assert tex(make_symbol("Ωx1")) == "\\mathit{\\Omega x}_{1}"  # one name, not Ω times x₁
    assert tex(make_symbol("theta2") + make_symbol("k_1")) == "k_{1} + \\theta_{2}"
    assert tex(make_symbol("w11")) == "w_{11}"


@pytest.mark.parametrize("case", ["jacobian", "jacobian_names", "jacobian_wide"])
def test_golden_jacobians_match_finite_differences(case: str) -> None:
    from tests.numeric import assert_matches_fd

    result = CASES[case]()
    assert isinstance(result, engine.JacobianResult)
    assert_matches_fd(result.functions, result.variables, result.matrix, points=1)


def test_latex_matrices_wider_than_amsmath_allows_become_arrays() -> None:
    # pdflatex stops with "Extra alignment tab" past amsmath's 10 columns, and KaTeX has no
    # \setcounter to raise MaxMatrixCols: an array with the same delimiters suits both.
    wide = render(CASES["jacobian_wide"](), Format.latex)
    assert "\\left[\\begin{array}{cccccccccccc}" in wide and "\\end{array}\\right]" in wide
    assert "bmatrix" not in wide and "MaxMatrixCols" not in wide
    assert "\\begin{bmatrix}" in render(CASES["jacobian"](), Format.latex)
    as_vmatrix = render(CASES["jacobian_wide"](), Format.latex, RenderOptions(LatexEnv.vmatrix))
    assert "\\left|\\begin{array}" in as_vmatrix and "\\right|" in as_vmatrix


@pytest.mark.parametrize(
    ("style", "standalone", "start", "end"),
    [
        (LatexStyle.display, False, "\\[\n", "\n\\]"),
        (LatexStyle.inline, False, "$J = \\begin{bmatrix} ", " \\end{bmatrix}$"),
        (LatexStyle.bare, False, "J = \\begin{bmatrix}\n", "\\end{bmatrix}"),
        (LatexStyle.bare, True, "\\documentclass{article}", "\\end{document}\n"),
        (LatexStyle.inline, True, "\\documentclass{article}", "$\n\\end{document}\n"),
    ],
)
def test_latex_styles(style: LatexStyle, standalone: bool, start: str, end: str) -> None:
    out = render(
        CASES["jacobian"](), Format.latex, RenderOptions(LatexEnv.bmatrix, style, standalone)
    )
    assert out.startswith(start) and out.endswith(end), out
    if style is LatexStyle.inline:
        assert "\n" not in out.split("$")[1]  # one line: Markdown's $...$ must not break


@pytest.mark.parametrize(
    ("text", "variables", "latex"),
    [
        # a - (b + y): the subtracted sum keeps its brackets
        ("x*(a - (b + y))", "x", "a - \\left(y + b\\right)"),
        # numbers, then names and powers, then calls: never sin(u) l, read as sin(u l)
        ("l*sin(q + p)", "l", "\\sin{\\left(p + q \\right)}"),
        ("x*l*sin(q)", "x", "l \\sin{\\left(q \\right)}"),
        ("x*asin(y) + x*asinh(y) + x*ln(y) + x*sign(y)", "x",
         "\\ln{\\left(y \\right)} + \\operatorname{arsinh}{\\left(y \\right)} + "
         "\\operatorname{sgn}{\\left(y \\right)} + \\arcsin{\\left(y \\right)}"),
        ("x*atan2(y, z)", "x", "\\operatorname{atan2}{\\left(y, z \\right)}"),
        # (-x)^3 and -(x^3) are told apart; 2*3^y needs a dot; a name before a bracket too
        ("x*(-y)^3 + x*2*3^y + x*a*(y + 1)^k", "x",
         "-y^{3} + 2 \\cdot 3^{y} + a \\cdot \\left(y + 1\\right)^{k}"),
        ("x*rate", "x", "\\mathit{rate}"),
        ("e*x + exp(x)", "x,e", "e + \\mathrm{e}^{x}"),  # a symbol e: Euler's number upright
        ("i*x + sqrt(-1)*x", "x,i", "i + \\mathrm{i}"),
        ("x*DiracDelta(y)*y/(1 - y)", "x", "\\frac{y \\delta{\\left(y \\right)}}{1 - y}"),
    ],
)  # fmt: skip
def test_latex_conventions(text: str, variables: str, latex: str) -> None:
    result = engine.jacobian(parse_functions([text], variables.split(",")), _vars(variables))
    out = render(result, Format.latex, RenderOptions(latex_style=LatexStyle.bare))
    entry = out.removeprefix("J = \\begin{bmatrix}\n").split(" & ")[0].split(" \\\\")[0]
    assert entry.removesuffix("\n\\end{bmatrix}") == latex


# --------------------------------------------------------------------------- the registry

DRAWN = frozenset((Format.table, Format.plain, Format.latex, Format.json, Format.jsonl))
MATRIX_DRAWN = DRAWN | {Format.mtx}  # a result with a matrix: Matrix Market too (issue 16)


def _drawn(result: Any) -> frozenset[Format]:
    return DRAWN if isinstance(result, engine.DeterminantResult) else MATRIX_DRAWN


RESULTS = {"jacobian": "jacobian", "det": "det_at", "eval": "eval", "linearize": "linearize"}


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("case", RESULTS.values())
def test_every_result_and_format_renders_or_is_a_usage_error(case: str, fmt: Format) -> None:
    result = CASES[case]()
    assert supports(result, fmt) is (fmt in _drawn(result))
    if fmt in _drawn(result):
        assert as_text(render(result, fmt)).strip()
    else:
        with pytest.raises(UsageError, match=f"^{result.name} has no {fmt.value} output"):
            render(result, fmt)


def test_formats_come_from_the_renderers_registrations() -> None:
    for name, case in RESULTS.items():
        result = CASES[case]()
        assert type(result).name == name and formats_for(type(result)) == _drawn(result)

    @dataclass(frozen=True, kw_only=True)
    class Unknown(engine.Result):
        name: ClassVar[str] = "unknown"
        title: ClassVar[str] = "Unknown"
        symbol: ClassVar[str] = "U"

    assert formats_for(Unknown) == frozenset()
    unknown = Unknown(functions=(), variables=())
    for fmt in Format:
        assert not supports(unknown, fmt)
        with pytest.raises(UsageError, match=f"^unknown has no {fmt.value} output"):
            render(unknown, fmt)
    with pytest.raises(UsageError) as caught:
        render(unknown, Format.csv)
    assert caught.value.worded({"points": "--points"}).endswith("csv is only for --points")


def test_jsonl_is_the_json_object_on_one_line() -> None:
    for case in RESULTS.values():
        line = render(CASES[case](), Format.jsonl)
        assert isinstance(line, str) and "\n" not in line
        assert json.loads(line) == json.loads(render(CASES[case](), Format.json))


def test_renderers_take_their_labels_from_the_result() -> None:
    @dataclass(frozen=True, kw_only=True)
    class Hessian(engine.JacobianResult):  # drawn as a Jacobian is, under its own labels
        name: ClassVar[str] = "hessian"
        title: ClassVar[str] = "Hessian"
        symbol: ClassVar[str] = "H"
        latex_symbol: ClassVar[str] = "H"
        entry_label: ClassVar[str] = "∂²f/∂xᵢ∂xⱼ"
        matrix_key: ClassVar[str] = "hessian"

    jacobian = CASES["jacobian"]()
    assert isinstance(jacobian, engine.JacobianResult)
    hessian = Hessian(
        functions=jacobian.functions, variables=jacobian.variables, sparse=jacobian.sparse
    )
    assert formats_for(Hessian) == MATRIX_DRAWN
    table = as_text(render(hessian, Format.table))
    assert table.startswith("Hessian (3×3)\n") and "∂²f/∂xᵢ∂xⱼ" in table and "∂fᵢ" not in table
    assert render(hessian, Format.latex).startswith("\\[\nH = \\begin{bmatrix}")
    document = json.loads(render(hessian, Format.json))
    assert document["command"] == "hessian" and "jacobian" not in document
    assert document["hessian"][0] == ["2*x", "z", "y"]


def test_the_render_package_and_the_registry_load_no_heavy_library() -> None:
    code = (
        "import sys; from jaccli import engine, render; "
        "assert render.formats_for(engine.JacobianResult); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rich', 'sympy', 'symengine', 'numpy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- the console


@pytest.mark.parametrize("case", CASES)
def test_console_text_is_the_golden_table(case: str) -> None:
    text = to_console_text(
        render(CASES[case](), Format.table), colour=False, width=80, auto_colour=False
    )
    assert text == (GOLDEN / f"{case}.table.txt").read_text(encoding="utf-8")


def test_console_text_of_a_string_ends_in_one_newline() -> None:
    assert to_console_text("1\t1", colour=True, width=None, auto_colour=True) == "1\t1\n"
    assert to_console_text("x\n", colour=False, width=None, auto_colour=False) == "x\n"


def test_console_colours_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    table = render(CASES["det"](), Format.table)
    assert "\x1b[" in to_console_text(table, colour=True, width=60, auto_colour=False)
    assert "\x1b[" not in to_console_text(table, colour=False, width=60, auto_colour=True)


def test_progress_stages_count_to_their_totals() -> None:
    """Each stage draws its own line; starting a stage completes the one before it (reading
    skips blank lines, which its total counts)."""
    import io

    from rich.console import Console

    sink = io.StringIO()
    console = Console(file=sink, force_terminal=True, width=100)
    with stages(console) as stage:
        reading = stage("reading lines", 10)
        reading(7)
        work = stage("differentiating", 3)
        for _ in range(3):
            work(1)
    drawn = sink.getvalue()  # the last frame is drawn as the bars close
    assert "reading lines" in drawn and "differentiating" in drawn
    assert "10/10" in drawn and "3/3" in drawn


def test_functions_print_as_the_catalogue_says() -> None:
    import symengine

    from jaccli.functions import CATALOGUE, symengine_functions

    x, y = symengine.Symbol("x"), symengine.Symbol("y")
    for name, entry in CATALOGUE.items():
        if entry.latex is None:
            continue
        build = symengine_functions()[name]
        expr = build(y, x) if entry.arity[0] == 2 else build(x)
        assert tex(expr).startswith(f"{entry.latex}{{\\left("), name
        on_name = f"{entry.latex}^{{2}}{{\\left("
        assert tex(expr**2).startswith(on_name if entry.power_on_name else "\\left("), name


def test_reading_is_told_of_every_line_it_reads() -> None:
    """The bar's total is what `_told` counts: lines neither blank nor only a comment, the
    last partial block included, with and without shapes."""
    from jaccli.parse.inputs import count_lines, read_and_build
    from jaccli.parse.limits import DEFAULT_LIMITS

    lines = [f"x{k}*y" if k % 3 else "" for k in range(10_000)] + ["# a comment", "  "]
    text = "\n".join(lines)
    for shapes in (None, {"w": (2, 1)}):
        told: list[int] = []
        read_and_build(["-"], ["y"], lambda: text, DEFAULT_LIMITS, shapes, (), told.append)
        assert sum(told) == count_lines(text) == sum(1 for k in range(10_000) if k % 3)
