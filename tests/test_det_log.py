"""det --log (log|det J| and the sign), det --points, and what a determinant at a point means.

Every log|det J| is compared with log|det J| computed a second way: SymPy's log(Abs(det))
evaluated at random points at 40 digits, and the sign with SymPy's sign(det). det --points
is compared with the exact det at each point of the file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sympy

import jaccli
from jaccli import engine
from jaccli.engine import to_sympy
from jaccli.engine.determinants import log_abs_det
from jaccli.errors import UsageError
from jaccli.parse import make_symbol, parse_functions
from jaccli.render import Format, LatexStyle, RenderOptions, render
from tests.conftest import invoke, read_back
from tests.numeric import DPS, at, close, sp
from tests.test_readback import read_latex

# (functions, variables, a box the random points come from)
SYSTEMS = [
    ("x1, x2*exp(tanh(x1)) + x1^3", "x1,x2", (-2, 2)),  # RealNVP coupling: log|det| = s(x1)
    ("x1, x2, x3*exp(sin(x1) - x2^2) + x1*x2, x4*exp(x1*x2) + cos(x2)", "x1,x2,x3,x4", (-2, 2)),
    ("r*cos(t), r*sin(t)", "r,t", (-3, 3)),  # polar: r may be negative here
    ("r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)", "r,p,t", (-3, 3)),
    ("x^2 - y^2, 2*x*y", "x,y", (-2, 2)),
    ("x*y, y^2 - x, sin(z)*x", "x,y,z", (-2, 2)),
    ("sinh(x), cosh(y)*y^3", "x,y", (-2, 2)),
    ("x^3 + y, x - y^5", "x,y", (-2, 2)),
    ("exp(x)*cos(y), exp(x)*sin(y)", "x,y", (-2, 2)),
    ("-2*x/(1 + y^2), y", "x,y", (-2, 2)),
    ("x*y*z, x + y + z, x*y + y*z + z*x", "x,y,z", (-2, 2)),
    ("sqrt(x)*y, y^2", "x,y", (0.1, 3)),
    ("atan(x) + y, x^2*y", "x,y", (-2, 2)),
]


def _problem(text: str, names: str) -> tuple[list[Any], list[Any]]:
    variables = names.split(",")
    return parse_functions([text], variables), [make_symbol(v) for v in variables]


@pytest.mark.parametrize(("text", "names", "box"), SYSTEMS, ids=[s[0] for s in SYSTEMS])
def test_log_abs_det_is_log_abs_of_det_at_random_points(
    text: str, names: str, box: tuple[float, float]
) -> None:
    functions, variables = _problem(text, names)
    result = engine.determinant(functions, variables, log=True)
    assert result.log_abs is not None and result.sign is not None
    # What the JSON and plain output say reads back with jac's parser as the same thing.
    log_text = render(result, Format.plain).strip()
    log_read = read_back([log_text], names.split(","))[0]
    # The determinant a second way: SymPy's own det of J, not jac's.
    J = sympy.Matrix([[sp(e) for e in row] for row in engine.jacobian(functions, variables).matrix])
    det = J.det()
    rng = random.Random(13)
    checked = 0
    while checked < 8:
        point = {v: rng.uniform(*box) for v in variables}
        exact_det = at(det, point)
        if abs(exact_det) < 1e-6:  # too near det J = 0 for log|det J| to be a fair test
            continue
        expected = sympy.log(abs(exact_det))
        assert close(at(result.log_abs, point), expected), (point, result.log_abs)
        assert close(at(log_read, point), expected), (point, log_text)
        assert close(at(result.sign, point), sympy.sign(exact_det)), (point, result.sign)
        checked += 1


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("x1, x2*exp(tanh(x1)) + x1^3", "x1,x2", "tanh(x1)"),
        ("x1, x2*exp(2*x1 + 1) + sin(x1)", "x1,x2", "2*x1 + 1"),
        ("exp(x)*cos(y), exp(x)*sin(y)", "x,y", "2*x"),
        ("x^2 - y^2, 2*x*y", "x,y", "log(4) + log(x^2 + y^2)"),  # x² + y² ≥ 0: no abs
        ("r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)", "r,p,t", "2*log(abs(r)) + log(abs(sin(p)))"),
        ("cosh(x), y", "x,y", "log(abs(sinh(x)))"),
        ("x^3, y", "x,y", "log(3) + 2*log(abs(x))"),
    ],
)
def test_log_abs_det_is_simplified_for_real_variables(text: str, names: str, expected: str) -> None:
    """log(exp(z)) is z, log|x^k| is k log|x|, a product a sum, log(u) for u > 0."""
    result = jaccli.det(text, vars=names, log=True)
    want = read_back([expected], names.split(","))[0]
    assert sympy.simplify(sp(result.log_abs) - sp(want)) == 0, result.log_abs
    assert result.log_abs == want, f"{result.log_abs} is right, but not as simple as {want}"


def test_realnvp_coupling_with_s_and_t_left_abstract() -> None:
    """A coupling layer (x1, x2·exp(s(x1)) + t(x1)): log|det J| is s(x1), whatever s and t."""
    run = invoke(
        ["det", "x1, x2*exp(s(x1)) + t(x1)", "--vars", "x1,x2", "--functions", "s,t", "--log"]
    )
    assert run.code == 0 and run.stdout == "s(x1)\n"
    stacked = "x1, x2, x3*exp(s(x1,x2)) + t(x1,x2), x4*exp(u(x1,x2)) + v(x1,x2)"
    run = invoke(["det", stacked, "--vars", "x1,x2,x3,x4", "--functions", "s,t,u,v", "--log"])
    assert run.code == 0 and run.stdout == "s(x1, x2) + u(x1, x2)\n"
    result = jaccli.det(stacked, vars="x1,x2,x3,x4", abstract="s,t,u,v", log=True)
    assert result.sign == 1


def test_sign_is_a_number_where_it_is_known() -> None:
    assert jaccli.det("x^2 - y^2, 2*x*y", vars="x,y", log=True).sign == 1
    assert jaccli.det("-exp(x), y", vars="x,y", log=True).sign == -1
    polar = jaccli.det("r*cos(t), r*sin(t)", vars="r,t", log=True)
    assert to_sympy(polar.sign) == sympy.sign(sympy.Symbol("r", real=True))


def test_without_simplify_log_and_sign_are_as_they_come() -> None:
    result = jaccli.det("x^2, y", vars="x,y", log=True, simplify=False)
    x = sympy.Symbol("x", real=True)
    assert to_sympy(result.log_abs).equals(sympy.log(sympy.Abs(2 * x)))
    assert to_sympy(result.sign) == sympy.sign(2 * x)


def test_a_determinant_identically_zero() -> None:
    log, sign = log_abs_det(sympy.Integer(0))
    assert log == -sympy.oo and sign == 0
    run = invoke(["det", "x+y, 2*x+2*y", "--vars", "x,y", "--log", "--format", "json"])
    assert run.code == 0
    data = run.json()
    assert data["determinant"] == "0" and data["log_abs_determinant"] is None
    assert data["sign"] == "0" and "meaning" not in data  # no point: nothing to say there


# --------------------------------------------------------------------------- at a point


def test_at_a_point_exact_and_with_digits() -> None:
    exact = jaccli.det("x+y, x*y", vars="x,y", at="x=-1,y=2", log=True)
    assert exact.determinant == -3 and exact.log_abs == sympy.log(3) and exact.sign == -1
    rounded = jaccli.det("x+y, x*y", vars="x,y", at="x=-1,y=2", log=True, digits=8)
    assert render(rounded, Format.plain).strip() == "1.0986123"  # log 3 = 1.098612288...
    tiny = jaccli.det("x/7, y", vars="x,y", at="x=1,y=2", log=True, digits=30)
    assert abs(float(tiny.log_abs) - math.log(1 / 7)) < 1e-15
    assert render(tiny, Format.plain).strip() == str(sympy.N(sympy.log(sympy.Rational(1, 7)), 30))


def test_a_singular_point_is_not_a_crash() -> None:
    """det J = 0: log|det J| is -∞, the sign 0, and the point "not invertible here"."""
    args = ["det", "x+y, x*y", "--vars", "x,y", "--at", "x=1,y=1", "--log"]
    plain = invoke([*args, "--format", "plain"])
    assert plain.code == 0 and plain.stdout == "-inf\n" and float(plain.stdout) == -math.inf
    data = invoke([*args, "--format", "json"]).json()
    assert data["log_abs_determinant"] is None and data["sign"] == "0"
    assert data["meaning"] == "not invertible here"
    table = invoke([*args, "--format", "table"]).stdout
    assert "-∞" in table and "not invertible here" in table
    latex = invoke([*args, "--format", "latex"]).stdout
    assert "\\ln\\left|\\det J\\right|\\Big|" in latex and "= -\\infty" in latex
    digits = invoke([*args, "--digits", "5", "--format", "plain"])
    assert digits.code == 0 and digits.stdout == "-inf\n"


def test_with_parameters_left_at_a_point() -> None:
    result = jaccli.det("x+y, k*x*y", vars="x,y", at="x=-1,y=2", log=True)
    k = sympy.Symbol("k", real=True)
    assert to_sympy(result.log_abs).equals(sympy.log(3) + sympy.log(sympy.Abs(k)))
    assert to_sympy(result.sign) == -sympy.sign(k)


# --------------------------------------------------------------------------- every format


def _table_rows(text: str) -> dict[str, str]:
    return {
        cells[0].strip(): cells[1].strip()
        for line in text.splitlines()
        if line.startswith("│") and len(cells := line.split("│")[1:-1]) == 2
    }


def test_every_format_says_the_same_log_and_sign() -> None:
    text, names = "r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)", "r,p,t"
    result = jaccli.det(text, vars=names, log=True)
    args = ["det", text, "--vars", names, "--log", "--format"]
    variables = names.split(",")
    data = invoke([*args, "json"]).json()  # the fixture validates it against the schema
    table = _table_rows(invoke([*args, "table"], env={"COLUMNS": "200"}).stdout.replace("^", "**"))
    plain = invoke([*args, "plain"]).stdout.strip()
    latex = render(result, Format.latex, RenderOptions(latex_style=LatexStyle.bare))
    lines = latex.split(" \\\\\n")
    assert lines[1].startswith("\\ln\\left|\\det J\\right| = ")
    assert lines[2].startswith("\\operatorname{sgn}\\left(\\det J\\right) = ")
    log_latex, env = read_latex(lines[1].split(" = ", 1)[1], variables)
    sign_latex, sign_env = read_latex(lines[2].split(" = ", 1)[1].split("\n")[0], variables)
    rng = random.Random(5)
    for _ in range(5):
        point = {make_symbol(v): rng.uniform(-3, 3) for v in variables}
        want_log, want_sign = at(result.log_abs, point), at(result.sign, point)
        for shown in (data["log_abs_determinant"], table["log|det J|"], plain):
            assert close(at(read_back([shown], variables)[0], point), want_log), shown
        for shown in (data["sign"], table["sign(det J)"]):
            assert close(at(read_back([shown], variables)[0], point), want_sign), shown
        values = {n: float(point[make_symbol(n)]) for n in variables}
        assert close(sympy.N(log_latex.xreplace(env(values)), DPS), want_log)
        assert close(sympy.N(sign_latex.xreplace(sign_env(values)), DPS), want_sign)


def test_jsonl_and_latex_styles() -> None:
    args = ["det", "x+y, x*y", "--vars", "x,y", "--at", "x=-1,y=2", "--log"]
    line = invoke([*args, "--format", "jsonl"])
    assert line.code == 0 and json.loads(line.stdout)["log_abs_determinant"] == "log(3)"
    for style in ("display", "inline", "bare"):
        run = invoke([*args, "--format", "latex", "--latex-style", style])
        assert run.code == 0 and "\\ln\\left|\\det J\\right|" in run.stdout


def test_api_log_fields() -> None:
    result = jaccli.det("x1, x2*exp(tanh(x1)) + x1^3", vars="x1,x2", log=True)
    assert str(result.log_abs) == "tanh(x1)" and result.sign == 1
    assert jaccli.det("x+y, x*y", vars="x,y").log_abs is None  # only when asked for


# --------------------------------------------------------------------------- meaning


def _scale(meaning: str) -> str:
    m = re.match(r"(\S+) (scaled by ([^,;]+)|preserved)", meaning)
    assert m, meaning
    return "1" if m.group(3) is None else m.group(3)


@pytest.mark.parametrize(
    ("text", "names", "point", "word"),
    [
        ("3*x", "x", "x=1", "length"),
        ("-x/2", "x", "x=1", "length"),
        ("x+y, x*y", "x,y", "x=-1,y=2", "area"),
        ("x+y, x*y", "x,y", "x=1/2,y=1/3", "area"),
        ("x*y*z, y, z", "x,y,z", "x=1,y=2,z=1/2", "volume"),
        ("x, y, -z^3, w*x", "x,y,z,w", "x=2,y=1,z=1,w=1", "4-volume"),
        ("x, y, z, v, -w", "x,y,z,v,w", "x=1,y=1,z=1,v=1,w=1", "5-volume"),
    ],
)
def test_meaning_says_the_scale_and_the_orientation(
    text: str, names: str, point: str, word: str
) -> None:
    result = jaccli.det(text, vars=names, at=point)
    det = sp(result.determinant)
    meaning = result.meaning or ""
    assert meaning.startswith(word + " ")
    assert sympy.Rational(_scale(meaning)) == abs(det), meaning
    turned = "direction" if word == "length" else "orientation"
    assert meaning.endswith(f"{turned} {'reversed' if det < 0 else 'preserved'}"), meaning
    data = invoke(["det", text, "--vars", names, "--at", point, "--format", "json"]).json()
    assert data["meaning"] == meaning
    table = _table_rows(invoke(["det", text, "--vars", names, "--at", point, "--format", "table"],
                               env={"COLUMNS": "200"}).stdout)  # fmt: skip
    assert table["meaning"] == meaning
    plain = invoke(["det", text, "--vars", names, "--at", point, "--format", "plain"]).stdout
    assert sympy.Rational(plain.strip()) == det  # plain output is unchanged: the value alone


@pytest.mark.parametrize(
    ("at_", "meaning"),
    [
        ("x=-1,y=2", "area scaled by abs(3*k); orientation preserved where k < 0, reversed "
         "where k > 0; not invertible where k = 0"),
        ("x=1,y=1", "not invertible here"),
    ],
)  # fmt: skip
def test_meaning_with_a_parameter_left(at_: str, meaning: str) -> None:
    assert jaccli.det("x+y, k*x*y", vars="x,y", at=at_).meaning == meaning


def test_meaning_with_a_parameter_whose_sign_is_known() -> None:
    squared = jaccli.det("x+y, k^2*x*y", vars="x,y", at="x=-1,y=2").meaning
    assert squared == "area scaled by 3*k^2, orientation reversed; not invertible where k^2 = 0"
    positive = jaccli.det("x+y, (k^2+1)*x*y", vars="x,y", at="x=-1,y=2").meaning
    assert positive == "area scaled by 3*k^2 + 3, orientation reversed"


def test_meaning_with_digits_is_rounded_but_decided_exactly() -> None:
    result = jaccli.det("x+y, x*y", vars="x,y", at="x=-1,y=2", digits=4)
    assert result.meaning == "area scaled by 3.000, orientation reversed"
    unit = jaccli.det("x, y", vars="x,y", at="x=1,y=2", digits=4)
    assert unit.meaning == "area preserved, orientation preserved"


# --------------------------------------------------------------------------- det --points


def _random_points(path: Path, n: int, names: list[str], seed: int = 3) -> list[list[float]]:
    rng = random.Random(seed)
    rows = [[round(rng.uniform(-2, 2), 6) for _ in names] for _ in range(n)]
    path.write_text(",".join(names) + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return rows


POINT_SYSTEMS = [
    ("x^2 - y^2, 2*x*y", "x,y"),
    ("r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)", "r,p,t"),
    ("x1 + x2^2, x2*x3, sin(x3) + x4, x1*x4 - x2", "x1,x2,x3,x4"),  # n = 4: LU
    ("3*x", "x"),
]


@pytest.mark.parametrize(("text", "names"), POINT_SYSTEMS, ids=[s[1] for s in POINT_SYSTEMS])
def test_det_points_matches_the_exact_det_at_every_point(
    tmp_path: Path, text: str, names: str
) -> None:
    variables = names.split(",")
    path = tmp_path / "points.csv"
    rows = _random_points(path, 40, variables)
    functions, symbols = _problem(text, names)
    det = engine.determinant(functions, symbols).determinant
    run = invoke(["det", text, "--vars", names, "--points", str(path)])
    assert run.code == 0, run.stderr
    records = list(csv.DictReader(io.StringIO(run.stdout)))
    assert len(records) == len(rows)
    logs = invoke(
        ["det", text, "--vars", names, "--points", str(path), "--log", "--format", "jsonl"]
    )
    assert logs.code == 0, logs.stderr
    for row, record, line in zip(rows, records, logs.stdout.splitlines(), strict=True):
        point = dict(zip(symbols, row, strict=True))
        exact = at(det, point)
        assert close(float(record["det"]), exact, 1e-12), (row, record)
        data = json.loads(line)
        assert data["sign"] == float(sympy.sign(exact))
        assert close(data["log_abs_det"], sympy.log(abs(exact)), 1e-12), (row, data)


def test_det_points_formats_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("t,x,y\n0,1,2\n1,-1,2\n2,1,1\n")
    args = ["det", "x+y, x*y", "--vars", "x,y", "--points", str(path)]
    assert invoke(args).stdout == "t,x,y,det\n0,1,2,-1.0\n1,-1,2,-3.0\n2,1,1,0.0\n"
    logs = invoke([*args, "--log", "--format", "tsv"]).stdout.splitlines()
    assert logs[0] == "t\tx\ty\tsign\tlog_abs_det"
    assert [line.split("\t")[3:] for line in logs[1:]] == [
        ["-1.0", "0.0"], ["-1.0", repr(math.log(3))], ["0.0", "-inf"]
    ]  # fmt: skip
    array = invoke([*args, "--log", "--format", "json"]).json()  # schema "det-points"
    assert [r["sign"] for r in array] == [-1.0, -1.0, 0.0]
    assert array[2]["log_abs_det"] is None  # -inf: JSON has none
    assert [r["t"] for r in array] == ["0", "1", "2"]  # other columns pass through


def test_det_points_undefined_and_unreadable_rows(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("x,y\n1,2\n2,0\n0,oops\n3,1\n")
    args = ["det", "x+y, x/y", "--vars", "x,y", "--points", str(path), "--on-error", "skip"]
    run = invoke([*args, "--format", "jsonl"])
    assert run.code == 0
    records = [json.loads(line) for line in run.stdout.splitlines()]
    x, y = sympy.symbols("x y")
    assert records[0]["det"] == pytest.approx(float((-1 / y - x / y**2).subs({x: 1, y: 2})))
    assert records[1]["det"] is None and records[1]["undefined"] == ["df2/dx", "df2/dy"]
    assert records[2]["det"] is None and records[2]["error"].startswith("line 4, column 3: ")
    assert "undefined entries" in run.stderr and "could not be read" in run.stderr
    logs = invoke([*args, "--log"])
    assert logs.stdout.splitlines()[2:4] == ["2.0,0.0,nan,nan", "nan,nan,nan,nan"]
    stopped = invoke(args[:-2])
    assert stopped.code == 2 and stopped.stdout.count("\n") == 3  # the header and two points


def test_det_points_parameters_and_a_big_determinant(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("x,y,k\n1,2,3\n1,2,-1\n")
    by_column = invoke(["det", "x+y, k*x*y", "--vars", "x,y", "--points", str(path)])
    assert [r["det"] for r in csv.DictReader(io.StringIO(by_column.stdout))] == ["-3.0", "1.0"]
    path.write_text("x,y\n1,2\n")
    fixed = invoke(["det", "x+y, k*x*y", "--vars", "x,y", "--points", str(path), "--at", "k=3"])
    assert fixed.stdout.splitlines()[1] == "1.0,2.0,-3.0"
    # det J = 100^200 overflows a double; log|det J| does not.
    n = 200
    names = [f"x{i}" for i in range(1, n + 1)]
    path.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    big = ["det", ",".join(f"100*{v}" for v in names), "--vars", ",".join(names)]
    (line,) = invoke(
        [*big, "--points", str(path), "--log", "--format", "jsonl"]
    ).stdout.splitlines()
    record = json.loads(line)
    assert record["sign"] == 1.0 and record["log_abs_det"] == pytest.approx(n * math.log(100))
    (overflow,) = invoke([*big, "--points", str(path), "--format", "jsonl"]).stdout.splitlines()
    assert json.loads(overflow)["det"] is None  # inf, which JSON cannot say


FAR_FROM_1 = [  # J at one point, each entry a double; det J exactly is a rational
    [[1e200, 0.0], [0.0, 1e200]],  # det 1e400 overflows; the formula gave log inf
    [[1e-200, 0.0], [0.0, 1e-200]],  # det 1e-400 underflows; the formula gave sign 0
    [[1e300, 0.0, 0.0], [0.0, 1e-170, 0.0], [0.0, 0.0, 1e-170]],  # a minor underflows: 1e-40
    [[1e160, 1e160, 0.0], [1e160, 2e160, 0.0], [0.0, 0.0, 1.0]],  # inf - inf in the formula
    [[1e200, 3.0, 0.0], [2.0, 1e-200, 5.0], [0.0, 7.0, 1e100]],
    [[1e160, 1e160], [1e160, 1e160]],  # singular
    [[1e-320]],  # a subnormal entry
]


@pytest.mark.parametrize("matrix", FAR_FROM_1, ids=range(len(FAR_FROM_1)))
def test_det_points_far_from_1_against_the_exact_det(matrix: list[list[float]]) -> None:
    import numpy as np

    from jaccli.batch.compute import determinants

    n = len(matrix)
    exact = sympy.Matrix([[sympy.Rational(Fraction(a)) for a in row] for row in matrix]).det()
    jacobian = np.array([[a for row in matrix for a in row]])
    (det,) = determinants(jacobian, np.zeros((1, 0), dtype=bool), n, log=False)
    sign, log_abs = determinants(jacobian, np.zeros((1, 0), dtype=bool), n, log=True)
    assert sign[0, 0] == float(sympy.sign(exact))
    if exact == 0:
        assert det[0, 0] == 0 and log_abs[0, 0] == -math.inf
        return
    want = float(sympy.log(abs(exact)).evalf(30))
    assert log_abs[0, 0] == pytest.approx(want, rel=1e-14, abs=1e-12)
    if abs(exact) > sys.float_info.max:
        assert det[0, 0] == math.copysign(math.inf, float(sympy.sign(exact)))  # honest overflow
    else:
        assert det[0, 0] == pytest.approx(float(exact), rel=1e-12)


def test_det_points_log_far_from_1_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("x,y\n1,2\n-1,2\n")
    for scale in (200, -200):
        args = ["det", f"1e{scale}*x, 1e{scale}*y", "--vars", "x,y", "--points", str(path)]
        run = invoke([*args, "--log", "--format", "jsonl"])
        assert run.code == 0, run.stderr
        for record in map(json.loads, run.stdout.splitlines()):
            assert record["sign"] == 1.0
            assert record["log_abs_det"] == pytest.approx(2 * scale * math.log(10), rel=1e-14)
        plain = invoke(args).stdout.splitlines()[1:]
        assert [line.split(",")[2] for line in plain] == ["inf" if scale > 0 else "0.0"] * 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x+y, x*y, x", "--points", "P"], "det needs a square Jacobian, but this one is 3×2"),
        (["x+y, x*y", "--points", "P", "--digits", "3"], "double precision"),
        (["x+y, x*y", "--points", "P", "--explain"], "--explain reads one point"),
        (["x+y, x*y", "--at", "x=1,y=2", "--on-error", "skip"], "--on-error is for --points"),
        (["x+y, x*y", "--points", "P", "--format", "latex"], "--points writes csv"),
    ],
)
def test_det_points_errors(tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text("x,y\n1,2\n")
    run = invoke(["det", *[str(path) if a == "P" else a for a in args], "--vars", "x,y"])
    assert run.code in (1, 2) and message in run.stderr, run.stderr
    assert run.stderr.count("\n") == 1 and not run.stdout


def test_det_schema_is_offered() -> None:
    run = invoke(["schema", "det-points"])
    assert run.code == 0 and json.loads(run.stdout)["$id"].endswith("det-points")


# --------------------------------------------------------------------------- linearize --points


def test_linearize_points_says_what_to_use_instead(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("x,y\n1,2\n")
    run = invoke(["linearize", "x^2+y, x*y", "--vars", "x,y", "--points", str(path)])
    assert run.code == 2 and not run.stdout
    (line,) = run.stderr.splitlines()
    assert "F(a) + J(a)(x − a) has no meaning over a file" in line
    assert "eval --points FILE --with-value" in line
    instead = invoke(["eval", "x^2+y, x*y", "--vars", "x,y", "--points", str(path), "--with-value"])
    assert instead.stdout.splitlines()[1] == "1.0,2.0,3.0,2.0,2.0,1.0,2.0,1.0"


def test_explain_in_the_api_needs_a_point() -> None:
    with pytest.raises(UsageError, match="at="):
        jaccli.det("x+y, x*y", vars="x,y", explain=True)
