"""The command line through Typer's CliRunner: exit codes, stdout and stderr apart."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sympy

from jaccli import engine
from jaccli.cli import EXIT_CODES, ExitCode, app
from jaccli.cli.commands import COMMANDS, SCHEMAS
from jaccli.errors import JacError, LimitError, MathError, ParseError, UsageError
from jaccli.parse import make_symbol
from jaccli.render.latex import tex
from jaccli.render.syntax import to_display
from tests.conftest import invoke, read_back

FORMATS = ["json", "plain", "latex", "table"]

PROBLEM_COMMANDS = [row.name for row in COMMANDS if row.reads_functions]


def equal(a: Any, b: Any) -> bool:
    return sympy.simplify(sympy.sympify(a) - sympy.sympify(b)) == 0


# The examples: (arguments, variables, what the result must equal).
MATRIX_EXAMPLES = [
    (["jacobian", "x+y, x*y", "--vars", "x,y"], [["1", "1"], ["y", "x"]]),
    (["eval", "x+y, x*y", "--vars", "x,y", "--at", "x=-1,y=2"], [["1", "1"], ["2", "-1"]]),
    (["jacobian", "x^2+y, x*y", "--vars", "x,y"], [["2*x", "1"], ["y", "x"]]),
    (["eval", "x^2+y, x*y", "--vars", "x,y", "--at", "x=1,y=2"], [["2", "1"], ["2", "1"]]),
    (["eval", "x^2+y, x*y", "--vars", "x,y", "--at", "x=0,y=1"], [["0", "1"], ["1", "0"]]),
    (
        ["jacobian", "x^2+y*z, sin(x*y), e^(x+z)", "--vars", "x,y,z"],
        [["2*x", "z", "y"], ["y*cos(x*y)", "x*cos(x*y)", "0"], ["exp(x+z)", "0", "exp(x+z)"]],
    ),
    (
        ["jacobian", "w11*x1+w12*x2, w21*x1+w22*x2", "--vars", "x1,x2"],
        [["w11", "w12"], ["w21", "w22"]],
    ),
    (
        ["jacobian", "lambda*x - gamma*x*y, gamma*x*y - mu*y", "--vars", "x,y"],
        [["lambda - gamma*y", "-gamma*x"], ["gamma*y", "gamma*x - mu"]],
    ),
]
SCALAR_EXAMPLES = [
    (["det", "x+y, x*y", "--vars", "x,y", "--at", "x=-1,y=2"], "-3"),
    (["det", "x+y, x*y", "--vars", "x,y"], "x - y"),
    (["det", "x^2-y^2, 2*x*y", "--vars", "x,y"], "4*x^2 + 4*y^2"),
    (["det", "r*cos(t), r*sin(t)", "--vars", "r,t"], "r"),
    (["det", "r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)", "--vars", "r,p,t"], "r^2*sin(p)"),
]
LINEARIZE = ["linearize", "x^2+y, x*y", "--vars", "x,y", "--at", "x=1,y=2"]


def names_of(args: list[str]) -> list[str]:
    return args[args.index("--vars") + 1].split(",")


def engine_result(args: list[str]) -> Any:
    """What the engine itself returns for a command line of the examples."""
    from jaccli.parse import make_symbol, parse_functions, parse_point

    names = names_of(args)
    functions = parse_functions([args[1]], names)
    variables = [make_symbol(n) for n in names]
    if args[0] == "jacobian":
        return engine.jacobian(functions, variables)
    point = {make_symbol(k): v for k, v in parse_point(args[args.index("--at") + 1]).items()}
    return engine.evaluate(functions, variables, point)


def expected_matrix(args: list[str], texts: list[list[str]]) -> list[list[Any]]:
    return [read_back(row, names_of(args)) for row in texts]


@pytest.mark.parametrize(("args", "texts"), MATRIX_EXAMPLES)
def test_matrix_examples_in_every_format(args: list[str], texts: list[list[str]]) -> None:
    names = names_of(args)
    expected = expected_matrix(args, texts)
    data = invoke([*args, "--format", "json"]).json()  # also checked against finite differences
    got = [read_back(row, names) for row in data["jacobian"]]
    assert all(
        equal(a, b)
        for ra, rb in zip(got, expected, strict=True)
        for a, b in zip(ra, rb, strict=True)
    )
    assert data["shape"] == [len(expected), len(names)]

    plain = invoke([*args, "--format", "plain"])
    rows = [read_back(line.split("\t"), names) for line in plain.stdout.splitlines()]
    assert rows == got
    # LaTeX shows the same matrix: the shape, and each entry as the engine's result prints.
    latex = invoke([*args, "--format", "latex"]).stdout
    assert latex.startswith("\\[\n") and latex.endswith("\\]\n")
    body = latex[latex.index("\\begin{bmatrix}\n") + 16 : latex.index("\n\\end{bmatrix}")]
    cells = [line.rstrip(" \\").split(" & ") for line in body.split("\n")]
    assert [len(row) for row in cells] == [len(names)] * len(expected)
    own = engine_result(args)
    assert cells == [[tex(e) for e in row] for row in own.matrix]
    table = invoke([*args, "--format", "table"]).stdout
    for row in own.matrix:
        for e in row:
            assert to_display(e) in table
    for name in names:
        assert f" {name} " in table


@pytest.mark.parametrize(("args", "text"), SCALAR_EXAMPLES)
def test_determinant_examples_in_every_format(args: list[str], text: str) -> None:
    names = names_of(args)
    [expected] = read_back([text], names)
    data = invoke([*args, "--format", "json"]).json()
    assert data["command"] == "det"
    assert data["variables"] == names
    [got] = read_back([data["determinant"]], names)
    assert equal(got, expected)
    assert ("point" in data) == ("--at" in args)

    # The other formats show the same expression as the JSON.
    assert invoke([*args, "--format", "plain"]).stdout == data["determinant"] + "\n"
    latex = invoke([*args, "--format", "latex"]).stdout
    assert latex.startswith("\\[\n\\det J") and latex.endswith("\n\\]\n")
    assert equal(read_back([data["determinant"]], names)[0], got)
    table = invoke([*args, "--format", "table"]).stdout
    assert data["determinant"].replace("**", "^") in table and ", ".join(names) in table


def test_spherical_determinant_depends_on_the_order_used() -> None:
    sph = "r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)"
    run = invoke(["det", sph, "--format", "json"])
    assert run.json()["variables"] == ["p", "r", "t"]
    assert run.json()["determinant"] == "-r**2*sin(p)"
    assert "variables in this order: p, r, t" in run.stderr


def test_linearize_in_every_format() -> None:
    data = invoke([*LINEARIZE, "--format", "json"]).json()
    assert data["value"] == ["3", "2"]
    assert data["jacobian"] == [["2", "1"], ["2", "1"]]
    assert data["linearization"] == ["2*x + y - 1", "2*x + y - 2"]
    assert data["point"] == {"x": "1", "y": "2"}
    assert invoke([*LINEARIZE, "--format", "plain"]).stdout == "2*x + y - 1\n2*x + y - 2\n"
    latex = invoke([*LINEARIZE, "--format", "latex"]).stdout
    assert "L(x, y) = " in latex and "2 x + y - 1 \\\\\n2 x + y - 2" in latex
    table = invoke([*LINEARIZE, "--format", "table"]).stdout
    assert "2*x + y - 1" in table and "F(a)" in table and "J(a)" in table


def test_sir_model_without_vars_lists_the_parameters_too() -> None:
    run = invoke(["jacobian", "lambda*x - gamma*x*y, gamma*x*y - mu*y", "--format", "json"])
    assert run.json()["variables"] == ["gamma", "lambda", "mu", "x", "y"]


# --------------------------------------------------------------------------- input forms


def test_several_arguments_and_brackets_give_the_same_result() -> None:
    a = invoke(["jacobian", "x+y, x*y", "--format", "json"]).json()
    b = invoke(["jacobian", "x+y", "x*y", "--format", "json"]).json()
    c = invoke(["jacobian", "[x+y, x*y]", "--format", "json"]).json()
    assert a == b == c


def test_stdin() -> None:
    run = invoke(
        ["jacobian", "-", "--vars", "x,y", "--format", "json"],
        input="# two components\nx + y\n\nx*y  # product\n",
    )
    assert run.code == 0
    assert run.json()["jacobian"] == [["1", "1"], ["y", "x"]]


def test_a_leading_minus_is_a_function_not_an_option() -> None:
    run = invoke(["jacobian", "-x^2 + y", "-y", "--vars", "x,y", "--format", "plain"])
    assert run.code == 0
    assert run.stdout == "-2*x\t1\n0\t-1\n"


def test_stdin_without_input_is_an_error() -> None:
    run = invoke(["jacobian", "-"], input="")
    assert run.code == ExitCode.USAGE
    assert "no functions" in run.stderr


def test_big_system_through_stdin() -> None:
    lines = "\n".join(
        f"u{i - 1 if i else 0} - 2*u{i} + u{i + 1} + h^2*exp(u{i})" for i in range(300)
    )
    names = ",".join(f"u{i}" for i in range(301))
    run = invoke(["jacobian", "-", "--vars", names, "--format", "plain"], input=lines)
    assert run.code == 0
    rows = run.stdout.splitlines()
    assert len(rows) == 300 and all(len(r.split("\t")) == 301 for r in rows)


# --------------------------------------------------------------------------- output choices


def test_default_format_in_a_pipe_is_plain() -> None:
    assert invoke(["jacobian", "x*y", "--vars", "x,y"]).stdout == "y\tx\n"


def test_jac_format_environment_variable() -> None:
    run = invoke(["jacobian", "x*y", "--vars", "x,y"], env={"JAC_FORMAT": "json"})
    assert run.json()["jacobian"] == [["y", "x"]]
    run = invoke(
        ["jacobian", "x*y", "--vars", "x,y", "--format", "plain"], env={"JAC_FORMAT": "json"}
    )
    assert run.stdout == "y\tx\n"
    run = invoke(["jacobian", "x*y"], env={"JAC_FORMAT": "yaml"})
    assert run.code == ExitCode.USAGE and "JAC_FORMAT" in run.stderr and run.stdout == ""


def test_a_long_inferred_order_is_cut_with_a_count() -> None:
    # 30 inferred variables: the note names the first 20 and counts the rest (a note
    # about 10^5 of them was 700 kB of stderr), in natural order.
    functions = ", ".join(f"u{k}^2" for k in range(30))
    run = invoke(["jacobian", functions, "--format", "json"])
    assert run.code == 0
    names = ", ".join(f"u{k}" for k in range(20))
    assert run.stderr == (
        f"jac: variables in this order: {names}, ... and 10 more (choose with --vars)\n"
    )
    run = invoke(["jacobian", ", ".join(f"u{k}" for k in range(20)), "--format", "json"])
    assert "u19 (choose" in run.stderr and "more" not in run.stderr


def test_inferred_order_is_reported_on_stderr_only() -> None:
    run = invoke(["jacobian", "x10*x2, x1", "--format", "plain"])
    assert run.stderr == "jac: variables in this order: x1, x2, x10 (choose with --vars)\n"
    assert run.stdout == "0\tx10\tx2\n1\t0\t0\n"
    # --vars fixes the column order, and then nothing is said.
    run = invoke(["jacobian", "x*y^2", "--vars", "y,x", "--format", "json"])
    assert run.stderr == "" and run.json()["jacobian"] == [["2*x*y", "y**2"]]


@pytest.mark.parametrize("env", ["pmatrix", "vmatrix", "Bmatrix", "Vmatrix", "matrix"])
def test_latex_environments(env: str) -> None:
    out = invoke(
        ["jacobian", "x*y", "--vars", "x,y", "--format", "latex", "--latex-env", env]
    ).stdout
    assert f"\\begin{{{env}}}\ny & x\n\\end{{{env}}}" in out


def test_latex_array_environment() -> None:
    out = invoke(["jacobian", "x*y", "--vars", "x,y", "--format", "latex", "--latex-env", "array"])
    assert "\\left[\\begin{array}{cc}\ny & x\n\\end{array}\\right]" in out.stdout


def test_simplify_flags() -> None:
    raw = invoke(["jacobian", "(x^2-1)/(x-1)", "--vars", "x"]).stdout.strip()
    assert raw != "1"
    assert invoke(["jacobian", "(x^2-1)/(x-1)", "--vars", "x", "--simplify"]).stdout == "1\n"
    assert invoke(["det", "r*cos(t), r*sin(t)", "--vars", "r,t"]).stdout == "r\n"
    unsimplified = invoke(["det", "r*cos(t), r*sin(t)", "--vars", "r,t", "--no-simplify"])
    assert unsimplified.stdout == "r*sin(t)**2 + r*cos(t)**2\n"


def test_eval_digits_and_exact_decimals() -> None:
    assert invoke(["eval", "x^2", "--vars", "x", "--at", "x=0.1"]).stdout == "1/5\n"
    run = invoke(["eval", "sin(x)", "--vars", "x", "--at", "x=1", "--digits", "12"])
    assert run.stdout == "0.540302305868\n"
    data = invoke(["eval", "k*x^2", "--vars", "x", "--at", "x=2", "--format", "json"]).json()
    assert data["jacobian"] == [["4*k"]] and "values" not in data
    data = invoke(["eval", "x^2", "--vars", "x", "--at", "x=1/3", "--format", "json"]).json()
    assert data["jacobian"] == [["2/3"]] and data["values"] == [[pytest.approx(2 / 3)]]


def test_det_at_a_point_with_digits() -> None:
    run = invoke(
        ["det", "exp(x)*cos(y), exp(x)*sin(y)", "--vars", "x,y", "--at", "x=1,y=0", "--digits", "5"]
    )
    assert run.stdout == "7.3891\n"


def test_table_colour_follows_no_color_and_dumb_terminals() -> None:
    args = ["jacobian", "x*y", "--vars", "x,y", "--format", "table"]
    assert "\x1b[" not in invoke(args).stdout  # not a terminal
    coloured = invoke(args, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"}).stdout
    assert "\x1b[36" in coloured or "\x1b[1;36" in coloured
    for env in ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, {"TERM": "dumb"}):
        assert "\x1b[36" not in invoke(args, env=env).stdout


# --------------------------------------------------------------------------- errors


def test_parse_error_shows_a_caret_on_stderr() -> None:
    run = invoke(["jacobian", "x + * y", "--vars", "x,y"])
    assert run.code == ExitCode.USAGE
    assert run.stdout == ""
    assert run.stderr == (
        "jac: error: expected an expression, found '*' (input, column 5)\n  x + * y\n      ^\n"
    )


def test_parse_error_in_the_second_argument_and_in_stdin() -> None:
    run = invoke(["jacobian", "x", "y +"])
    assert "(argument 2, column 4)" in run.stderr
    run = invoke(["jacobian", "-"], input="x\n\nsin(\n")
    assert "(stdin line 3, column 5)" in run.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["det", "x+y+z, x*y"], 1, "det needs a square Jacobian, but this one is 2×3"),
        (["det", "x, y, z", "--vars", "x,y"], 1, "3×2 (3 functions, 2 variables)"),
        (["eval", "sqrt(x), y", "--vars", "x,y", "--at", "x=0,y=1"], 1, "J[1,1] = ∂f1/∂x is"),
        (["det", "log(x), y", "--vars", "x,y", "--at", "x=0,y=1"], 1, "log(x) is undefined at"),
        (
            ["linearize", "1/x", "--vars", "x", "--at", "x=0"],
            1,
            "(division by zero) (input, column 3)",
        ),
        (["eval", "x/x", "--vars", "x", "--at", "x=0"], 1, "x/x is undefined at x=0"),
        (["eval", "x^y", "--vars", "x,y", "--at", "x=0,y=0"], 1, "x^y is undefined at x=0, y=0"),
        (["eval", "abs(x)", "--vars", "x", "--at", "x=0"], 1, "abs(x) has no derivative"),
        (  # SymEngine crashed substituting a complex value into SymPy's DiracDelta
            ["eval", "sign(x)+y", "--vars", "x,y", "--at", "x=sqrt(-1)+2,y=3"],
            1,
            "J[1,1] = ∂f1/∂x is undefined",
        ),
        (["eval", "sqrt(x)", "--vars", "x", "--at", "x=-1"], 1, "f1 is complex at x=-1"),
        (["eval", "x^x", "--vars", "x", "--at", "x=10^50"], 3, "JAC_MAX_DIGITS"),
        (["eval", "x*y", "--vars", "x,y", "--at", "x=1"], 2, "no value for variable y"),
        (
            ["eval", "x*y", "--vars", "x,y"],
            2,
            "eval needs --at x=1,y=2 (one point) or --points FILE",
        ),
        (["eval", "x", "--vars", "x", "--at", "x=1,q=2"], 2, "value for q"),
        (["eval", "x", "--vars", "x", "--at", "x=="], 2, "(--at, column 3)"),
        (["jacobian", "x", "--vars", "x,,y"], 2, "(--vars, column 3)"),
        (["jacobian", "x", "--varz", "x"], 2, "no such option: --varz"),
        (["jacobian", "x", "--format", "yaml"], 2, "'yaml' is not one of"),
        (["jacobian"], 2, "Missing argument"),
        (["jacobian", "1, 2"], 2, "no variables"),
        (["jacobian", "1/0 + x"], 1, "1/0 is undefined (division by zero)"),
        (["jacobian", "9^9^9^9 * x"], 3, "more than 100,000 digits"),
        (["eval", "x", "--vars", "x", "--at", "x=1", "--digits", "0"], 2, "--digits"),
        (["frobnicate"], 2, "No such command"),
        (["jacobian", "__import__('os').system('id')"], 2, "unexpected character '_'"),
    ],
)
def test_errors(args: list[str], code: int, message: str) -> None:
    run = invoke(args)
    assert run.code == code, run.stderr
    assert message in run.stderr
    assert run.stdout == ""
    assert run.stderr.startswith("jac: error: ")


def test_no_arguments_shows_help() -> None:
    run = invoke([])
    assert run.code == ExitCode.USAGE
    assert "Usage: jac" in run.stderr + run.stdout


def test_internal_errors_are_one_line_unless_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "jacobian", broken)
    run = invoke(["jacobian", "x"])
    assert run.code == ExitCode.INTERNAL
    assert run.stderr == (
        "jac: error: internal error: RuntimeError: boom "
        "(this is a bug in jac; --debug shows the traceback)\n"
    )
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["jacobian", "x", "--debug"])
    assert result.exit_code == ExitCode.INTERNAL
    assert "Traceback" in result.stderr and "RuntimeError: boom" in result.stderr


def test_debug_shows_a_traceback_for_user_errors_too() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["jacobian", "x +", "--debug"])
    assert result.exit_code == ExitCode.USAGE
    assert "Traceback" in result.stderr and "ParseError" in result.stderr


def test_every_error_class_has_an_exit_code() -> None:
    classes = {ParseError: 2, UsageError: 2, MathError: 1, LimitError: 3}
    for cls, code in classes.items():
        assert any(issubclass(cls, base) and c == code for base, c in EXIT_CODES), cls
    assert all(issubclass(base, JacError) for base, _ in EXIT_CODES)


# --------------------------------------------------------------------------- help and version


def test_version() -> None:
    from jaccli import __version__

    assert invoke(["--version"]).stdout == f"jac {__version__}\n"


@pytest.mark.parametrize("command", PROBLEM_COMMANDS)
def test_each_command_has_help_with_an_example(command: str) -> None:
    run = invoke([command, "--help"])
    assert run.code == 0
    assert f"jac {command} " in run.stdout
    for option in ["--vars", "--format", "--latex-env"]:
        assert option in run.stdout
    # Answers in expressions can be simplified; a pattern, equilibria solved and simplified
    # as part of the work, and factored branches have nothing left for --simplify to do.
    assert ("--simplify" in run.stdout) == (command not in UNSIMPLIFIED), command


UNSIMPLIFIED = ("stability", "singular", "sparsity")


def test_main_help_lists_commands_and_exit_codes() -> None:
    out = invoke(["--help"]).stdout
    words = [*(row.name for row in COMMANDS), "Exit codes", "130  interrupted"]
    for word in [*words, "3    a limit or budget exceeded"]:
        assert word in out


# --------------------------------------------------------------------------- shell conventions


def test_quiet_prints_results_and_errors_only() -> None:
    loud = invoke(["jacobian", "х*y"])  # a Cyrillic х, and variables jac must infer
    assert "warning" in loud.stderr and "variables in this order" in loud.stderr
    quiet = invoke(["jacobian", "х*y", "--quiet"])
    assert quiet.code == 0 and quiet.stderr == "" and quiet.stdout == loud.stdout
    failed = invoke(["jacobian", "x +", "-q"])
    assert failed.code == 2 and failed.stderr.startswith("jac: error:")


@pytest.mark.parametrize(
    ("color", "env", "coloured"),
    [
        ("always", {}, True),
        ("always", {"NO_COLOR": "1"}, True),  # asked for by name: the option wins
        ("never", {"FORCE_COLOR": "1"}, False),
        ("auto", {}, False),  # not a terminal
        ("auto", {"FORCE_COLOR": "1", "TERM": "xterm-256color"}, True),
    ],
)
def test_color_option(color: str, env: dict[str, str], coloured: bool) -> None:
    args = ["jacobian", "x*y", "--vars", "x,y", "--format", "table", "--color", color]
    out = invoke(args, env=env).stdout
    assert ("\x1b[" in out) is coloured, repr(out)
    assert out.endswith("\n")


def test_jsonl_is_the_json_object_on_one_line() -> None:
    one = invoke(["eval", "x*y", "--vars", "x,y", "--at", "x=1,y=2", "--format", "jsonl"])
    assert one.stdout.count("\n") == 1 and one.stdout.endswith("\n")
    full = invoke(["eval", "x*y", "--vars", "x,y", "--at", "x=1,y=2", "--format", "json"])
    assert json.loads(one.stdout) == json.loads(full.stdout)


@pytest.mark.parametrize("command", SCHEMAS)
def test_schema_command_prints_each_schema(command: str) -> None:
    run = invoke(["schema", command])
    assert run.code == 0
    schema = json.loads(run.stdout)
    assert schema["$schema"].endswith("2020-12/schema") and schema["type"] == "object"


def _expression_descriptions(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = (
            [node["description"]] if node.get("type") == "string" and "description" in node else []
        )
        return found + [d for v in node.values() for d in _expression_descriptions(v)]
    if isinstance(node, list):
        return [d for v in node for d in _expression_descriptions(v)]
    return []


@pytest.mark.parametrize("command", PROBLEM_COMMANDS)
def test_schemas_say_how_expressions_read_back_truthfully(command: str) -> None:
    """Expressions read back with jac; the names the schema says SymPy misreads, it does."""
    import re

    schema = json.loads(invoke(["schema", command]).stdout)
    texts = [t for t in _expression_descriptions(schema) if "input syntax" in t]
    assert texts, "no description of expression strings"
    for text in texts:
        assert "read it back with jac" in text and "or sympify" not in text
        listed = re.search(r"such as (.*?) and SymPy", text)
        assert listed is not None
        names = [n.strip() for n in listed.group(1).replace(" and ", ", ").split(",")]
        assert "I" in names and "lambda" in names
        for name in names:
            assert read_back([f"2*{name}"], [name])[0] == 2 * make_symbol(name)  # jac: a symbol
            try:
                misread = not isinstance(sympy.sympify(f"2*{name}") / 2, sympy.Symbol)
            except (SyntaxError, TypeError, sympy.SympifyError):
                misread = True
            assert misread, f"the schema says SymPy misreads {name}, but it does not"


# --------------------------------------------------------------------------- friction and typos


@pytest.mark.parametrize("command", [[], ["jacobian"], ["det"], ["eval"], ["linearize"]])
def test_dash_h_is_help(command: list[str]) -> None:
    run = invoke([*command, "-h"])
    assert run.code == 0 and run.stdout.startswith("Usage: jac") and run.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["jacobian", "-v", "x,y", "x+y"], "no such option: -v; did you mean --vars?"),
        (["jacobian", "x*y", "--vasr", "x,y"], "no such option: --vasr; did you mean --vars?"),
        (["jacobian", "x*y", "--simplfy"], "did you mean --simplify?"),
        (["eval", "x", "--vars", "x", "--at", "x=1", "--digts", "3"], "did you mean --digits?"),
        (["jacobian", "-x"], "for the function -x, write (-x)"),
    ],
)
def test_option_typos_are_usage_errors_not_functions(args: list[str], message: str) -> None:
    run = invoke(args)
    assert run.code == ExitCode.USAGE, run.stdout
    assert run.stdout == "" and message in run.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["jacobian", "--", "-x", "--vars", "x"], "--vars"),
        (["jacobian", "x", "--vars=x", "--", "--format=json"], "--format"),
        (["eval", "x", "--vars", "x", "--", "-q", "--at", "x=1"], "-q"),
    ],
)
def test_an_option_after_double_dash_says_so(args: list[str], option: str) -> None:
    # It said "no such option: --vars; did you mean --vars?": the option exists, but after
    # "--" every argument is a component of F.
    run = invoke(args)
    assert (run.code, run.stdout) == (ExitCode.USAGE, "")
    (line,) = run.stderr.splitlines()
    assert line == (
        f"jac: error: {option} comes after '--', which makes every argument after it a "
        "component of F: put the options before '--'"
    )


def test_a_missing_choice_is_one_line_with_the_choices() -> None:
    # Click listed the 16 schemas one per line: an 18-line error for `jac schema`.
    run = invoke(["schema"])
    assert (run.code, run.stdout) == (ExitCode.USAGE, "")
    first, see = run.stderr.splitlines()
    # (Typer 0.26 names the argument COMMAND:{jacobian|det|...}, later ones 'command')
    assert first.startswith("jac: error: Missing argument '")
    assert first.endswith("'. Choose from: " + ", ".join(SCHEMAS))
    assert see == "  (see 'jac schema --help')"


def test_a_negated_name_is_a_function_when_the_name_is_in_use() -> None:
    for args in (["-x", "--vars", "x"], ["-x", "x^2"], ["x*y", "-y", "--vars", "x,y"]):
        run = invoke(["jacobian", *args, "--format", "json"])
        assert run.code == 0, run.stderr


@pytest.mark.parametrize(
    ("vars_", "warning"),
    [
        ("a,b", "no function depends on --vars a, b: every entry is 0"),
        ("x,y,z", "no function depends on z: its column is 0"),
        ("x,y,z,w", "no function depends on z, w: their columns are 0"),
    ],
)
def test_vars_that_occur_nowhere_get_a_warning(vars_: str, warning: str) -> None:
    run = invoke(["jacobian", "x+y, x*y", "--vars", vars_, "--format", "json"])
    assert run.code == 0 and warning in run.stderr and run.stderr.startswith("jac: warning: ")
    quiet = invoke(["jacobian", "x+y, x*y", "--vars", vars_, "-q", "--format", "json"])
    assert quiet.stderr == "" and quiet.stdout == run.stdout


def test_vars_that_all_occur_get_no_warning() -> None:
    assert invoke(["jacobian", "x+y, x*y", "--vars", "y,x"]).stderr == ""


@pytest.mark.parametrize("command", ["eval", "det", "linearize"])
def test_at_given_twice_is_merged(command: str) -> None:
    base = [command, "x^2+y, x*y", "--vars", "x,y", "--format", "json"]
    once = invoke([*base, "--at", "x=3,y=-2"])
    twice = invoke([*base, "--at", "x=3", "--at", "y=-2"])
    assert once.code == twice.code == 0
    assert once.stdout == twice.stdout


def test_at_with_a_name_twice_is_an_error() -> None:
    run = invoke(["eval", "x*y", "--vars", "x,y", "--at", "x=1,y=2", "--at", "x=2"])
    assert run.code == ExitCode.USAGE and "'x' is given twice" in run.stderr


@pytest.mark.parametrize("command", ["eval", "det", "linearize", "jvp", "hessian"])
@pytest.mark.parametrize(
    ("at", "column", "name", "held"),
    [("x=y,y=1", 3, "x", "y"), ("x=2*k + 1,y=1,k=3", 3, "x", "k"), ("y=1,x=x", 7, "x", "x")],
)
def test_a_value_of_the_point_may_not_hold_a_name_the_point_gives(
    command: str, at: str, column: int, name: str, held: str
) -> None:
    # `det "x^2+y, x*y" --at x=y,y=1` printed 2*y**2 - 1, exit 0: an answer "at a point"
    # that still held y, which the point set to 1.
    more = ["--dir", "1,0"] if command == "jvp" else []
    run = invoke([command, "x^2+y*k, x*y", "--vars", "x,y", "--at", at, *more])
    assert (run.code, run.stdout) == (ExitCode.USAGE, ""), (run.stdout, run.stderr)
    first, line, caret = run.stderr.splitlines()
    assert first == (
        f"jac: error: the value of '{name}' holds '{held}', which this point gives a value "
        f"too: give '{name}' a number, or an expression of parameters it leaves out "
        f"(--at, column {column})"
    )
    assert (line, caret) == (f"  {at}", " " * (column + 1) + "^")


def test_a_value_of_the_point_may_hold_parameters_it_leaves_out() -> None:
    run = invoke(["eval", "x*y*k", "--vars", "x,y", "--at", "x=k-1,y=2", "--format", "plain"])
    assert run.code == 0, run.stderr
    got = read_back(run.stdout.strip().split("\t"), ["k"])
    k = make_symbol("k")
    assert [(g - e).expand() for g, e in zip(got, [2 * k, (k - 1) * k], strict=True)] == [0, 0]


def test_a_bad_value_names_where_it_came_from() -> None:
    typed = invoke(["jacobian", "x", "--format", "jsn"])
    assert typed.code == ExitCode.USAGE
    assert "invalid value for --format: 'jsn'" in typed.stderr
    assert "JAC_FORMAT" not in typed.stderr
    from_env = invoke(["jacobian", "x"], env={"JAC_FORMAT": "jsn"})
    assert "invalid value for the environment variable JAC_FORMAT" in from_env.stderr
    timeout = invoke(["jacobian", "x", "--timeout", "soon"])
    assert "--timeout must be" in timeout.stderr and "JAC_TIMEOUT" not in timeout.stderr
    from_env = invoke(["jacobian", "x"], env={"JAC_TIMEOUT": "soon"})
    assert "the environment variable JAC_TIMEOUT must be" in from_env.stderr
    from_env = invoke(["jacobian", "x"], env={"JAC_MAX_MEMORY": "lots"})
    assert "the environment variable JAC_MAX_MEMORY must be" in from_env.stderr


def test_standalone_needs_latex() -> None:
    run = invoke(["jacobian", "x*y", "--standalone", "--format", "plain"])
    assert run.code == ExitCode.USAGE and "--standalone" in run.stderr and run.stdout == ""
    run = invoke(["jacobian", "x*y", "--standalone"], env={"JAC_FORMAT": "latex"})
    assert run.code == 0 and run.stdout.startswith("\\documentclass")


def test_stdin_may_start_with_a_byte_order_mark() -> None:
    run = invoke(["jacobian", "-", "--vars", "x,y", "--format", "plain"], input="\ufeffx*y\n")
    assert run.code == 0 and run.stdout == "y\tx\n"


@pytest.mark.parametrize(
    ("function", "vars_", "warning"),
    [
        ("xy + x", "x,y", "'xy' (input, column 1) is a single symbol; if you meant x*y"),
        ("2xy", "x,y", "'xy' (input, column 2) is a single symbol"),
        ("sinx + cosy", "x,y", "did you mean sin(x)?"),
        ("sinx + cosy", "x,y", "did you mean cos(y)?"),
    ],
)
def test_likely_typos_get_a_warning_and_still_an_answer(
    function: str, vars_: str, warning: str
) -> None:
    run = invoke(["jacobian", function, "--vars", vars_, "--format", "json"])
    assert run.code == 0 and warning in run.stderr
    assert all(line.startswith("jac: warning: ") for line in run.stderr.splitlines())
    assert invoke(["jacobian", function, "--vars", vars_, "-q"]).stderr == ""


def test_textbook_powers_of_functions_and_pi() -> None:
    run = invoke(["jacobian", "sin^2(x) + cos^2(x)", "--vars", "x", "--format", "json"])
    assert run.code == 0 and run.stderr == ""
    assert equal(run.json()["jacobian"][0][0].replace("^", "**"), "0")
    run = invoke(["eval", "cos(π*x/2)", "--vars", "x", "--at", "x=1", "--format", "json"])
    assert run.code == 0 and run.json()["jacobian"] == [["(-1/2)*pi"]]


def test_on_error_skip_is_only_for_points() -> None:
    run = invoke(["eval", "x*y", "--vars", "x,y", "--at", "x=1,y=2", "--on-error", "skip"])
    assert run.code == ExitCode.USAGE and "--on-error is for --points" in run.stderr


@pytest.mark.parametrize(
    ("option", "value"), [("--max-memory", "1e300"), ("--max-memory", "nan"), ("--timeout", "1e10")]
)
def test_budgets_too_big_to_count_are_usage_errors(option: str, value: str) -> None:
    run = invoke(["jacobian", "x", option, value])
    assert run.code == 2 and run.stderr.startswith(f"jac: error: {option} must be"), run.stderr
