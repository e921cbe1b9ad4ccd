"""The Python API (`import jaccli`): the CLI's core, its errors, and display in notebooks."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sympy

import jaccli
from jaccli import engine
from jaccli.errors import LimitError, ParseError, UndefinedError, UsageError
from jaccli.render import Format, LatexEnv, LatexStyle, RenderOptions, render
from tests.conftest import invoke, read_back
from tests.numeric import assert_matches_fd, assert_matches_fd_at
from tests.test_readback import check_latex, check_plain

ARM = "cos(a) + cos(a+b), sin(a) + sin(a+b)"


def test_jacobian_is_the_derivative() -> None:
    r = jaccli.jacobian(ARM, vars="a,b")
    assert isinstance(r, engine.JacobianResult)
    assert [v.name for v in r.variables] == ["a", "b"] and not r.variables_inferred
    assert_matches_fd(r.functions, r.variables, r.matrix, rng=random.Random(11))


def test_functions_and_variables_as_sequences_mean_the_same() -> None:
    one = jaccli.jacobian("x^2*y, x+y", vars="x,y")
    many = jaccli.jacobian(["x^2*y", "x+y"], vars=["x", "y"])
    assert one.matrix == many.matrix
    inferred = jaccli.jacobian("x^2*y, x+y")
    assert inferred.variables_inferred and inferred.matrix == one.matrix


@pytest.mark.parametrize(
    "at", ["x=-1,y=1/2", {"x": -1, "y": 0.5}, {"x": "-1", "y": Fraction(1, 2)}]
)
def test_a_point_as_text_or_mapping(at: Any) -> None:
    r = jaccli.evaluate("x^2*y, sin(x*y)", vars="x,y", at=at)
    assert {s.name: v for s, v in r.point} == {"x": -1, "y": sympy.Rational(1, 2)}
    assert_matches_fd_at(r.functions, r.variables, dict(r.point), r.matrix)


def test_a_float_in_a_mapping_is_the_decimal_it_prints() -> None:
    # As on the command line, 0.1 is 1/10 (the float's shortest decimal), exactly.
    r = jaccli.evaluate("x^2", vars="x", at={"x": 0.1})
    assert r.matrix == ((sympy.Rational(1, 5),),)


def test_det_and_linearize_agree_with_the_cli() -> None:
    d = jaccli.det("r*cos(t), r*sin(t)", vars="r,t")
    assert d.to_sympy() == sympy.Symbol("r", real=True)  # jac's variables are real
    lin = jaccli.linearize("x^2+y, x*y", vars="x,y", at="x=1,y=2")
    cli = invoke(
        ["linearize", "x^2+y, x*y", "--vars", "x,y", "--at", "x=1,y=2", "--format", "json"]
    )
    expected = read_back(cli.json()["linearization"], ["x", "y"])
    assert [(a - b).expand() for a, b in zip(lin.linearization, expected, strict=True)] == [0, 0]
    assert lin.to_sympy().shape == (2, 1)
    valued = jaccli.det("x+y, x*y", vars="x,y", at="x=-1,y=2", digits=5)
    assert valued.to_numpy() == pytest.approx(-3.0)  # x - y


def test_errors_are_jac_errors_naming_keywords() -> None:
    with pytest.raises(UsageError, match=r"^at= gives no value for variable y$"):
        jaccli.evaluate("x+y", vars="x,y", at="x=1")
    with pytest.raises(ParseError) as caught:
        jaccli.jacobian("x + * y", vars="x,y")
    assert caught.value.location is not None and caught.value.location.column == 4
    with pytest.raises(UndefinedError):
        jaccli.evaluate("x/x", vars="x", at="x=0")
    with pytest.raises(TypeError, match="functions must be a string"):
        jaccli.jacobian(sympy.Symbol("x"), vars="x")  # type: ignore[arg-type]


def test_typos_are_warnings() -> None:
    with pytest.warns(jaccli.JacWarning, match="sinx"):
        jaccli.jacobian("sinx + x*y", vars="x,y")
    with pytest.warns(jaccli.JacWarning, match=r"no function depends on z: its column is 0"):
        jaccli.jacobian("x+y", vars="x,y,z")


def test_no_fork_unless_a_budget_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise AssertionError("the API forked without a budget")

    monkeypatch.setattr(os, "fork", no_fork)
    assert jaccli.jacobian("x*y", vars="x,y").matrix == ((sympy.Symbol("y"), sympy.Symbol("x")),)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="budgets need fork")
def test_budgets() -> None:
    within = jaccli.jacobian(ARM, vars="a,b", timeout=60, max_memory="4G")
    assert within.matrix == jaccli.jacobian(ARM, vars="a,b").matrix  # pickled back whole
    # A dense 8×8 determinant of sums of sines: well over 5 s, so 0.01 s never finishes (a
    # banded one became a few milliseconds with issue 16's faster reading).
    dense = ", ".join("+".join(f"sin(x{i}*x{j}+{i})" for j in range(8)) for i in range(8))
    with pytest.raises(LimitError, match="timeout="):
        jaccli.det(dense, timeout=0.01)
    with pytest.raises(LimitError, match="max_memory="):
        jaccli.jacobian("x", vars="x", max_memory="1M")
    with pytest.raises(UsageError, match="max_memory= must be"):
        jaccli.jacobian("x", vars="x", max_memory="lots")


def test_numpy_and_sympy_forms() -> None:
    r = jaccli.evaluate("x^2*y, x+y", vars="x,y", at="x=3,y=-2")
    array = r.to_numpy()
    assert array.dtype.kind == "f" and array.tolist() == [[-12.0, 9.0], [1.0, 1.0]]
    assert r.to_sympy() == sympy.Matrix([[-12, 9], [1, 1]])
    complex_valued = jaccli.evaluate("x^2", vars="x", at="x=sqrt(-1)")  # 2i
    assert complex_valued.to_numpy().dtype.kind == "c"
    with pytest.raises(ValueError, match="depends on x"):
        jaccli.jacobian("x^2", vars="x").to_numpy()


def test_latex_is_the_cli_latex_read_back() -> None:
    r = jaccli.jacobian("x^2 - (y + b), x*y", vars="x,y")
    bare = render(r, Format.latex, RenderOptions(LatexEnv.bmatrix, LatexStyle.bare)).strip()
    assert r.latex() == bare
    check_latex(r)
    check_plain(r)


def _formatted(obj: Any) -> dict[str, str]:
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(obj)
    return dict(data)


@pytest.mark.parametrize(
    "make",
    [
        lambda: jaccli.jacobian("x^2 - (y + b), x*y", vars="x,y"),
        lambda: jaccli.det("r*cos(t), r*sin(t)", vars="r,t"),
        lambda: jaccli.evaluate("sin(x*y)", vars="x,y", at="x=1/3,y=2"),
        lambda: jaccli.linearize("x^2+y, x*y", vars="x,y", at="x=1,y=2"),
    ],
    ids=["jacobian", "det", "eval", "linearize"],
)
def test_notebook_display_is_latex_only(make: Any) -> None:
    result = make()
    data = _formatted(result)
    # No HTML beside the LaTeX: nbconvert would pick the HTML and never render the math.
    assert set(data) == {"text/plain", "text/latex"}, data.keys()
    # $\displaystyle …$ as SymPy does: VS Code notebooks do not render \[ … \].
    assert data["text/latex"] == f"$\\displaystyle {result.latex()}$"
    check_latex(result)  # … and that LaTeX reads back as the result
    assert data["text/plain"] == repr(result) and data["text/plain"].endswith(result.text())


def test_a_huge_result_displays_as_text() -> None:
    n = 60  # 3,600 entries, none zero: no list of non-zeros makes that short
    total = "+".join(f"x{j}" for j in range(n))
    big = jaccli.jacobian(", ".join(f"x{i}*({total})^2" for i in range(n)))
    data = _formatted(big)
    assert "text/latex" not in data and data["text/plain"]


def test_a_big_mostly_zero_result_displays_its_non_zeros_in_latex() -> None:
    n = 120  # 14,400 entries, 240 of them non-zero: LaTeX lists those (issue 16)
    big = jaccli.jacobian(", ".join(f"x{i}*x{(i + 1) % n}" for i in range(n)))
    latex = _formatted(big)["text/latex"]
    assert "J_{1,2} &= x_{0}" in latex and latex.count("&=") == 2 * n


NOTEBOOK_CELLS = [
    "import jaccli\njaccli.jacobian('x+y, x*y', vars='x,y')",
    "jaccli.det('r*cos(t), r*sin(t)', vars='r,t')",
]


@pytest.mark.slow
def test_a_notebook_runs_headless(tmp_path: Path) -> None:
    """One notebook executed in a real kernel (nbclient), as CI and nbconvert run them."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS]
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [cell.outputs for cell in nb.cells]
    assert all(len(out) == 1 and out[0].output_type == "execute_result" for out in outputs), outputs
    jacobian_data, det_data = (out[0].data for out in outputs)
    assert "text/html" not in jacobian_data
    assert (
        jacobian_data["text/latex"]
        == "$\\displaystyle " + jaccli.jacobian("x+y, x*y", vars="x,y").latex() + "$"
    )
    assert det_data["text/latex"] == "$\\displaystyle \\det J = r$"


def test_import_jaccli_is_light() -> None:
    # The API is re-exported lazily: importing jaccli (as `jac --help` does) loads no engine.
    heavy = ("sympy", "symengine", "jaccli.api", "jaccli.engine")
    code = f"import sys, jaccli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_unknown_keywords_are_type_errors() -> None:
    with pytest.raises(TypeError, match="'digits'"):
        jaccli.jacobian("x", vars="x", digits=3)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'point'"):
        jaccli.evaluate("x", vars="x", at="x=1", point="x=1")  # type: ignore[call-arg]
    r = jaccli.evaluate("sin(x)", vars="x", at="x=1", digits=5, simplify=True, timeout=None)
    assert r.digits == 5 and r.text() == "0.54030"


def test_budget_arguments_are_checked_as_on_the_command_line() -> None:
    from jaccli import budget

    # A budget above what this process needs to start: the test process's address space
    # depends on what other tests imported before in it (pyarrow, dask: well over 1.5 GB).
    memory = max(1.5e9, (budget.start_size() or 0) + 5e8)
    assert jaccli.jacobian("x", vars="x", max_memory=memory, timeout=30).matrix == ((1,),)
    with pytest.raises(TypeError, match="timeout must be a number"):
        jaccli.jacobian("x", vars="x", timeout="60")  # type: ignore[arg-type]
    for bad in ({"timeout": float("inf")}, {"timeout": -1}, {"max_memory": "12Q"}):
        with pytest.raises(UsageError, match=r"(timeout|max_memory)= must be"):
            jaccli.jacobian("x", vars="x", **bad)  # type: ignore[arg-type]


def test_a_failing_worker_never_runs_the_caller_s_code() -> None:
    # The forked worker's own set-up failing (a float memory limit, say) must end it there:
    # it once returned into the caller, which then ran twice.
    code = (
        "import os\nfrom jaccli import budget\n"
        "try:\n    budget.run(lambda: 1, budget.Budget(60, 1.5e9))  # type: ignore\n"
        "except BaseException as e:\n    print('caught', type(e).__name__)\n"
        "print('after', os.getpid())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.count("after") == 1, out.stdout + out.stderr
    assert "caught WorkerCrash" in out.stdout  # a bug in jac, said as one


def test_stdin_dash_is_for_the_command_line() -> None:
    with pytest.raises(UsageError, match="stdin on the command line"):
        jaccli.jacobian(["x", "-"], vars="x")


def test_parse_errors_carry_the_caret_as_a_note() -> None:
    with pytest.raises(ParseError) as caught:
        jaccli.jacobian("x + * y", vars="x,y")
    (note,) = caught.value.__notes__
    assert note.endswith("  x + * y\n      ^")


def test_warnings_point_at_the_caller() -> None:
    for call in (
        lambda: jaccli.jacobian("sinx + x*y", vars="x,y"),
        lambda: jaccli.evaluate("sinx + x*y", vars="x,y", at="x=1,y=2"),
    ):
        with pytest.warns(jaccli.JacWarning) as record:
            call()
        assert record[0].filename == __file__


def test_input_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAC_MAX_INPUT", "5")
    with pytest.raises(LimitError):
        jaccli.jacobian("x + y + z", vars="x,y,z")


def test_every_result_shows_as_text_not_as_its_fields() -> None:
    # A dataclass writes its own __repr__ unless told not to (repr=False): a notebook's
    # text/plain would then be a dump of SymEngine objects.
    from jaccli.display import Displayable

    # Every name engine exports, each loaded here (engine loads its modules on first use:
    # iterating over what happens to be loaded depended on the tests run before)
    exported = [getattr(engine, name) for name in engine.__all__]
    results = [c for c in exported if isinstance(c, type) and issubclass(c, engine.Result)]
    assert len(results) >= 15
    assert all(c.__repr__ is Displayable.__repr__ for c in results), results


@pytest.mark.parametrize("digits", [0, 10**9, True, 2.5])
def test_digits_out_of_range_is_refused_not_run(digits: Any) -> None:
    # The command line caps --digits at 10000; the API's digits= once ran for hours at 10**9.
    with pytest.raises(UsageError, match="digits= must be a whole number from 1 to 10000"):
        jaccli.evaluate("sin(x)", "x", at="x=1", digits=digits)
