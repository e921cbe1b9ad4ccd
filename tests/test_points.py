"""eval --points: many points from CSV, TSV or JSON Lines, checked against a second method."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import subprocess
from pathlib import Path

import pytest
import sympy

from jaccli.batch import read
from tests.conftest import invoke
from tests.installed import jac_path, run

F = "x^2+y*z, sin(x*y), e^(x+z)"
X, Y, Z = sympy.symbols("x y z")
F_SYMPY = sympy.Matrix([X**2 + Y * Z, sympy.sin(X * Y), sympy.exp(X + Z)])
J_SYMPY = sympy.lambdify((X, Y, Z), F_SYMPY.jacobian([X, Y, Z]).tolist(), "math")


def _points(n: int, seed: int = 1) -> list[tuple[float, float, float]]:
    rng = random.Random(seed)
    return [tuple(rng.uniform(-2, 2) for _ in range(3)) for _ in range(n)]  # type: ignore[misc]


def _csv(points: list[tuple[float, ...]], header: str = "x,y,z") -> str:
    return header + "\n" + "".join(",".join(repr(v) for v in p) + "\n" for p in points)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def test_csv_matches_a_second_method_at_every_point(tmp_path: Path) -> None:
    points = _points(500)
    path = tmp_path / "p.csv"
    path.write_text(_csv(points))
    result = invoke(["eval", F, "--vars", "x,y,z", "--points", str(path)])
    assert result.code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(points)
    assert list(rows[0]) == ["x", "y", "z"] + [f"df{i}/d{v}" for i in (1, 2, 3) for v in "xyz"]
    for row, p in zip(rows, points, strict=True):
        assert tuple(float(row[v]) for v in "xyz") == p  # the same doubles come back
        expected = J_SYMPY(*p)
        for i in range(3):
            for j, v in enumerate("xyz"):
                assert _close(float(row[f"df{i + 1}/d{v}"]), float(expected[i][j]))


def test_many_chunks_stay_in_order_through_a_real_pipe(tmp_path: Path) -> None:
    points = _points(120_000, seed=2)  # several blocks, parsed in a second process
    path = tmp_path / "p.csv"
    path.write_text(_csv(points))
    proc = subprocess.run(
        f"cat {path} | {jac_path()} eval '{F}' --vars x,y,z --points - | tail -n 2",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0 and proc.stderr == ""
    last = [float(v) for v in proc.stdout.splitlines()[-1].split(",")]
    assert tuple(last[:3]) == points[-1]
    assert _close(last[3], 2 * points[-1][0])


def test_extra_columns_pass_through_untouched() -> None:
    text = 't,label,x,y\n0.10,"a, quoted",1,2\n0.20,plain,3,0.5\n'
    result = invoke(["eval", "x*y", "--vars", "x,y", "--points", "-"], input=text)
    assert result.code == 0, result.stderr
    assert result.stdout == (
        't,label,x,y,df1/dx,df1/dy\n0.10,"a, quoted",1,2,2.0,1.0\n0.20,plain,3,0.5,0.5,3.0\n'
    )


def test_tsv_and_conversion_between_formats() -> None:
    text = "x\ty\tname\n1\t2\tp\n"
    tsv = invoke(["eval", "x*y", "--vars", "x,y", "--points", "-"], input=text)
    assert tsv.stdout == "x\ty\tname\tdf1/dx\tdf1/dy\n1\t2\tp\t2.0\t1.0\n"
    as_csv = invoke(
        ["eval", "x*y", "--vars", "x,y", "--points", "-", "--format", "csv"], input=text
    )
    assert as_csv.stdout == "x,y,name,df1/dx,df1/dy\n1,2,p,2.0,1.0\n"


def test_json_lines_in_and_out_with_values() -> None:
    text = '{"x": 1, "y": 2, "id": "a"}\n\n# a comment\n{"x": 0.5, "y": -1, "id": "b"}\n'
    result = invoke(
        ["eval", "x^2+y, x*y", "--vars", "x,y", "--points", "-", "--with-value"], input=text
    )
    assert result.code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records == [
        {"x": 1, "y": 2, "id": "a", "value": [3.0, 2.0], "jacobian": [[2.0, 1.0], [2.0, 1.0]]},
        {
            "x": 0.5,
            "y": -1,
            "id": "b",
            "value": [-0.75, -0.5],
            "jacobian": [[1.0, 1.0], [-1.0, 0.5]],
        },
    ]


def test_one_json_array() -> None:
    text = "x\n1\n2\n"
    result = invoke(["eval", "x^3", "--points", "-", "--format", "json"], input=text)
    assert json.loads(result.stdout) == [
        {"x": 1.0, "jacobian": [[3.0]]},
        {"x": 2.0, "jacobian": [[12.0]]},
    ]


def test_undefined_points_are_reported_per_row_not_fatal() -> None:
    text = "x,y\n1,1\n0,0\n2,0\n-1,3\n"
    args = ["eval", "x/x + y, abs(x), sqrt(x)", "--vars", "x,y", "--points", "-"]
    result = invoke(args, input=text)
    assert result.code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))[1:]
    assert rows[0][2:] == ["0.0", "1.0", "1.0", "0.0", "0.5", "0.0"]
    # x/x at 0: all of row 1; the kink of abs; sqrt'(0); ∂/∂y of abs(x) and sqrt(x) are 0
    assert rows[1][2:] == ["nan", "nan", "nan", "0.0", "nan", "0.0"]
    assert rows[2][2:6] == ["0.0", "1.0", "1.0", "0.0"] and rows[2][7] == "0.0"
    assert float(rows[2][6]) == 1 / (2 * math.sqrt(2))  # the nearest double, as math has it
    assert rows[3][2:] == ["0.0", "1.0", "-1.0", "0.0", "nan", "nan"]  # f3 = sqrt(-1) is not real
    assert result.stderr == (
        "jac: warning: 2 of 4 points have undefined entries (written as nan): "
        "line 3 (df1/dx, df1/dy, df2/dx, df3/dx); line 5 (df3/dx, df3/dy)\n"
    )
    records = invoke([*args, "--format", "jsonl", "--quiet"], input=text)
    assert records.stderr == ""
    second = json.loads(records.stdout.splitlines()[1])
    assert second["jacobian"] == [[None, None], [None, 0.0], [None, 0.0]]
    assert second["undefined"] == ["df1/dx", "df1/dy", "df2/dx", "df3/dx"]


def test_parameters_from_columns_or_from_at() -> None:
    text = "x,k\n1,2\n2,3\n"
    result = invoke(["eval", "k*x^2", "--vars", "x", "--points", "-"], input=text)
    assert result.stdout.splitlines()[1:] == ["1.0,2.0,4.0", "2.0,3.0,12.0"]
    result = invoke(
        ["eval", "k*x^2 + c", "--vars", "x", "--points", "-", "--at", "c=5"], input=text
    )
    assert result.stdout.splitlines()[1:] == ["1.0,2.0,4.0", "2.0,3.0,12.0"]
    result = invoke(["eval", "q*x", "--vars", "x", "--points", "-"], input=text)
    assert result.code == 2
    assert "the header has no column for q (columns: x, k)" in result.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--points", "-"], "x,y\n1,2\n3,abc\n", "not a number: 'abc' (stdin line 3, column 3)"),
        (["--points", "-"], "x,y\n1,2\n3\n", "1 fields where the header has 2 (stdin line 3"),
        (["--points", "-"], "x\n1\n", "the header has no column for y"),
        (["--points", "-"], "", "no points (the file is empty)"),
        (["--points", "-"], '{"x": 1}\n', "no value for y (stdin line 1"),
        (["--points", "-"], '{"x": 1, "y": "2"}\n', "'2', not a number, for y"),
        (["--points", "-"], "{oops\n", "not JSON"),
        (["--points", "/nonexistent/points.csv"], "", "no such file"),
        (["--points", "-", "--digits", "5"], "x,y\n1,2\n", "no --digits"),
        (
            ["--points", "-", "--format", "table"],
            "x,y\n1,2\n",
            "--points writes csv, tsv, jsonl, json",
        ),
        (["--points", "-", "--at", "x=1"], "x,y\n1,2\n", "with --points, --at is for parameters"),
        ([], "", "eval needs --at x=1,y=2 (one point) or --points FILE"),
    ],
)
def test_bad_points(args: list[str], stdin: str, message: str) -> None:
    result = invoke(["eval", "x*y", "--vars", "x,y", *args], input=stdin)
    assert result.code == 2, result
    assert message in result.stderr


def test_functions_and_points_cannot_both_use_stdin() -> None:
    result = invoke(["eval", "-", "--vars", "x", "--points", "-"], input="x\n")
    assert result.code == 2 and "cannot both come from stdin" in result.stderr


def test_csv_only_with_points() -> None:
    result = invoke(["jacobian", "x*y", "--format", "csv"])
    assert result.code == 2 and "only for eval --points" in result.stderr


def test_blank_and_comment_lines_keep_their_numbers_in_messages() -> None:
    text = "# points\nx,y\n\n1,2\n# skipped\n0,0\n"
    result = invoke(["eval", "x/y", "--vars", "x,y", "--points", "-"], input=text)
    assert result.stdout.splitlines() == [
        "x,y,df1/dx,df1/dy",
        "1.0,2.0,0.5,-0.25",
        "0.0,0.0,nan,nan",
    ]
    assert "line 6 (df1/dx, df1/dy)" in result.stderr


def test_sniffing_by_name_and_content() -> None:
    assert read.sniff("x,y", "p.TSV") == "tsv"
    assert read.sniff('{"x": 1}', "-") == "jsonl"
    assert read.sniff("x\ty", "-") == "tsv"
    assert read.sniff("x,y", "points.txt") == "csv"


def test_installed_jac_streams_a_file_to_a_file(tmp_path: Path) -> None:
    path = tmp_path / "trajectory.csv"
    path.write_text("t,x,y\n0,1,0\n0.5,0.8775825618903728,0.479425538604203\n")
    proc = run("eval", "x^2 - y^2, 2*x*y", "--vars", "x,y", "--points", str(path), "--with-value")
    assert proc.returncode == 0 and proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[0] == "t,x,y,f1,f2,df1/dx,df1/dy,df2/dx,df2/dy"
    assert lines[1] == "0,1,0,1.0,0.0,2.0,-0.0,0.0,2.0"


def test_spreadsheet_csv_with_byte_order_mark_and_crlf() -> None:
    text = "\ufeffx,y,note\r\n1,2,a\r\n3,4,b\r\n"
    result = invoke(["eval", "x*y", "--vars", "x,y", "--points", "-"], input=text)
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "x,y,note,df1/dx,df1/dy",
        "1,2,a,2.0,1.0",
        "3,4,b,4.0,3.0",
    ]
