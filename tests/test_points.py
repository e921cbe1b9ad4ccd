"""eval --points: many points from CSV, TSV or JSON Lines, checked against a second method."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import random
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jaccli.batch import read
from jaccli.batch.rows import to_number
from jaccli.cli import app
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


def test_without_a_writer_thread_the_output_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A thread whose stack does not fit a small --max-memory: the writer writes in place
    import threading

    path = tmp_path / "p.csv"
    path.write_text(_csv(_points(200)))  # JSON's are checked against the schema, slowly
    args = ["eval", F, "--vars", "x,y,z", "--points", str(path), "--timeout", "0"]
    args += ["--max-memory", "0"]
    threaded = [invoke([*args, "--format", fmt]) for fmt in ("csv", "json")]

    def refused(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refused)
    for fmt, reference in zip(("csv", "json"), threaded, strict=True):
        alone = invoke([*args, "--format", fmt])
        assert alone.code == reference.code == 0 and alone.stderr == "", alone.stderr
        assert alone.stdout == reference.stdout


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
        (
            ["--points", "-"],
            "x,y\n1,2\n3,abc\n",
            "not a number for y: 'abc' (stdin line 3, column 3)",
        ),
        (["--points", "-"], "x,y\n1,2\n3\n", "1 field where the header has 2 (stdin line 3"),
        (["--points", "-"], "x\n1\n", "the header has no column for y"),
        (["--points", "-"], '{"x": 1}\n', "no value for y (stdin line 1"),
        (["--points", "-"], '{"x": 1, "y": "2"}\n', 'not a number for y: "2"'),
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
    assert result.code == 2 and "csv is only for --points (eval, det)" in result.stderr


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


# --------------------------------------------------------------------------- bad rows

G = "x^2*y, x + y"  # J = [[2xy, x^2], [1, 1]]
GOOD = [(float(k), k / 2 + 1) for k in range(1, 10)]  # lines 2..10 of the files below


def _g_jacobian(x: float, y: float) -> list[float]:
    return [2 * x * y, x * x, 1.0, 1.0]


def _numbers(line: str) -> list[float]:
    return [float(v) for v in line.split(",")]


def _assert_good_rows(lines: list[str], points: list[tuple[float, float]]) -> None:
    assert len(lines) == len(points)
    for line, (x, y) in zip(lines, points, strict=True):
        values = _numbers(line)
        assert values[:2] == [x, y]
        assert all(_close(a, b) for a, b in zip(values[2:], _g_jacobian(x, y), strict=True))


@pytest.mark.parametrize(
    ("fmt", "text", "written"),
    [("csv", "x,y\n1,\n", "nan"), ("json", '[{"x": true, "y": 2}]', "null")],
)
def test_a_bad_first_row_says_no_point_was_written(fmt: str, text: str, written: str) -> None:
    # The note lost its first half when no point came before the bad row: "jac: --on-error
    # skip writes it as nan and goes on", a fragment with no "it" to refer to.
    args = ["eval", G, "--vars", "x,y", "--points", "-", "--format", fmt]
    result = invoke(args, input=text)
    assert result.code == 2
    first = result.stderr.splitlines()[0]
    assert first == (
        f"jac: no points written before the bad row below; --on-error skip writes it as "
        f"{written} and goes on"
    )
    assert result.stderr.splitlines()[1].startswith("jac: error: ")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("5,abc", "not a number for y: 'abc' (stdin line 11, column 3)"),
        ("5", "1 field where the header has 2 (stdin line 11, column 2)"),
        ("5,6,7", "3 fields where the header has 2 (stdin line 11, column 5)"),
        ("5,", "no value for y (stdin line 11, column 3)"),
        (",6", "no value for x (stdin line 11, column 1)"),
        ("5,1_000", "not a number for y: '1_000' (stdin line 11, column 3)"),  # float() reads it
        ("5,0x10", "not a number for y: '0x10' (stdin line 11, column 3)"),
        ('5,"6"x', "not a number for y: '6x' (stdin line 11, column 3)"),
    ],
)
def test_rows_before_a_bad_row_are_written_then_it_is_named(bad: str, message: str) -> None:
    text = "x,y\n" + "".join(f"{x},{y}\n" for x, y in GOOD) + bad + "\n3,4\n"
    result = invoke(["eval", G, "--vars", "x,y", "--points", "-"], input=text)
    assert result.code == 2
    lines = result.stdout.splitlines()
    assert lines[0] == "x,y,df1/dx,df1/dy,df2/dx,df2/dy"
    _assert_good_rows(lines[1:], GOOD)  # all nine, computed right
    assert f"jac: error: {message}" in result.stderr
    assert "9 points written before the bad row below" in result.stderr

    skipped = invoke(
        ["eval", G, "--vars", "x,y", "--points", "-", "--on-error", "skip"], input=text
    )
    assert skipped.code == 0
    lines = skipped.stdout.splitlines()
    _assert_good_rows(lines[1:10] + lines[11:], [*GOOD, (3.0, 4.0)])
    assert lines[10] == "nan,nan,nan,nan,nan,nan"
    where, _, reason = message.removesuffix(")").rpartition(" (stdin ")
    assert skipped.stderr == (
        "jac: warning: 1 of 11 rows of stdin could not be read and were written as nan: "
        f"{reason}: {where}\n"
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"x": 5, "y": "abc"}', 'not a number for y: "abc"'),
        ('{"x": 5}', "no value for y"),
        ('{"x": 5, "y": null}', "no value for y"),
        ('{"x": 5, "y": true}', "not a number for y: true"),
        ('{"x": 5, "y": [1]}', "not a number for y: [1]"),
        ('{"x": 5, ', "not JSON: Expecting property name enclosed in double quotes"),
        ("[5, 6]", "expected a JSON object per line"),
    ],
)
def test_bad_json_lines_rows(bad: str, message: str) -> None:
    text = "".join(f'{{"x": {x}, "y": {y}, "id": {k}}}\n' for k, (x, y) in enumerate(GOOD))
    text += bad + '\n{"x": 3, "y": 4, "id": "last"}\n'
    args = ["eval", G, "--vars", "x,y", "--points", "-"]
    stopped = invoke(args, input=text)
    assert stopped.code == 2
    records = [json.loads(line) for line in stopped.stdout.splitlines()]
    assert [r["id"] for r in records] == list(range(9))
    for r in records:
        assert r["jacobian"] == [[2 * r["x"] * r["y"], r["x"] ** 2], [1.0, 1.0]]
    assert f"jac: error: {message}" in stopped.stderr and "(stdin line 10" in stopped.stderr

    skipped = invoke([*args, "--on-error", "skip", "--with-value"], input=text)
    assert skipped.code == 0  # and every record valid against the schema (invoke checks)
    records = [json.loads(line) for line in skipped.stdout.splitlines()]
    assert len(records) == 11 and records[10]["id"] == "last"
    assert records[10]["jacobian"] == [[24.0, 9.0], [1.0, 1.0]]
    assert records[9]["jacobian"] is None and records[9]["value"] is None
    assert records[9]["error"].startswith("line 10, column ") and message in records[9]["error"]
    assert "1 of 11 rows of stdin could not be read and were written as null" in skipped.stderr
    as_csv = invoke([*args, "--on-error", "skip", "--format", "csv"], input=text)
    assert as_csv.stdout.splitlines()[10] == "nan,nan,nan,nan,nan,nan"


def test_skip_summarises_many_bad_rows_and_computes_nothing_for_them() -> None:
    rows = [f"{k},{k + 1}" if k % 2 else f"{k},oops" for k in range(2000)]
    text = "x,y\n" + "\n".join(rows) + "\n"
    # J of 2x + 3y is constant: a skipped row must still be nan, not [2, 3].
    result = invoke(
        ["eval", "2*x + 3*y", "--vars", "x,y", "--points", "-", "--on-error", "skip"],
        input=text,
    )
    assert result.code == 0
    lines = result.stdout.splitlines()[1:]
    assert len(lines) == 2000
    for k, line in enumerate(lines):
        expected = [k, k + 1, 2.0, 3.0] if k % 2 else [math.nan] * 4
        assert _numbers(line) == pytest.approx(expected, nan_ok=True)
    assert result.stderr == (
        "jac: warning: 1,000 of 2,000 rows of stdin could not be read and were written as nan: "
        "line 2, column 3: not a number for y: 'oops'; line 4, column 3: not a number for y: "
        "'oops'; line 6, column 3: not a number for y: 'oops'; ...\n"
    )


def test_bad_rows_with_extra_columns_keep_them() -> None:
    text = 'id,x,y,note\na,1,2,"q, r"\nb,1,zz,s\nc,1\nd,2,3,t\n'
    args = ["eval", G, "--vars", "x,y", "--points", "-", "--on-error", "skip"]
    result = invoke(args, input=text)
    assert result.stdout.splitlines() == [
        "id,x,y,note,df1/dx,df1/dy,df2/dx,df2/dy",
        'a,1,2,"q, r",4.0,1.0,1.0,1.0',
        "b,nan,nan,s,nan,nan,nan,nan",  # the columns jac reads are nan, the others kept
        "nan,nan,nan,nan,nan,nan,nan,nan",  # misshapen: nothing can be placed
        "d,2,3,t,12.0,4.0,1.0,1.0",
    ]
    records = [
        json.loads(r) for r in invoke([*args, "--format", "jsonl"], input=text).stdout.splitlines()
    ]
    assert records[1] == {
        "id": "b",
        "x": None,
        "y": None,
        "note": "s",
        "jacobian": None,
        "error": "line 3, column 5: not a number for y: 'zz'",
    }
    # Too many fields is a bad row too, though NumPy alone would read the columns it needs.
    many = invoke(args, input="id,x,y\na,1,2,extra\n")
    assert many.stdout.splitlines()[1] == "nan,nan,nan,nan,nan,nan,nan"


def test_a_stopped_json_array_is_still_valid_json() -> None:
    text = "x,y\n1,2\n3,4\n5,x\n"
    result = invoke(["eval", G, "--vars", "x,y", "--points", "-", "--format", "json"], input=text)
    assert result.code == 2
    assert [r["jacobian"] for r in json.loads(result.stdout)] == [
        [[4.0, 1.0], [1.0, 1.0]],
        [[24.0, 9.0], [1.0, 1.0]],
    ]


def test_installed_jac_writes_the_rows_before_a_bad_row_through_a_pipe(tmp_path: Path) -> None:
    points = _points(100_000, seed=3)  # ~5 MB: the bad row is in a later block
    path = tmp_path / "p.csv"
    path.write_text(_csv(points[:70_000]) + "1,2,three\n" + _csv(points[70_000:])[6:])
    proc = run(
        f"cat {path} | jac eval '{F}' --vars x,y,z --points - > {tmp_path}/out.csv; "
        f"echo ${{PIPESTATUS[1]}}; tail -n 1 {tmp_path}/out.csv; wc -l < {tmp_path}/out.csv",
        shell=True,
    )
    status, last, count = proc.stdout.split()
    assert status == "2" and int(count) == 70_001
    values = [float(v) for v in last.split(",")]
    assert tuple(values[:3]) == points[69_999]
    expected = J_SYMPY(*points[69_999])
    assert all(_close(values[3 + k], float(expected[k // 3][k % 3])) for k in range(9))
    assert "not a number for z: 'three' (stdin line 70002, column 5)" in proc.stderr
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- infinities


def test_infinite_coordinates_are_numbers_with_ieee_arithmetic() -> None:
    text = "x,y\ninf,1\n-Infinity,2\n+INF,3\ninfinity,-inf\n1,nan\n"
    args = ["eval", "x + y, x*y, x - x, 0*x", "--vars", "x,y", "--points", "-", "--with-value"]
    result = invoke(args, input=text)
    assert result.code == 0
    nan, inf = math.nan, math.inf
    rows = [_numbers(line) for line in result.stdout.splitlines()[1:]]
    expected = [
        # x, y, f1..f4, then J row by row: ∂(x+y) = (1, 1) even at x = ±inf; ∂(xy)/∂y = x is
        # infinite, so undefined; x - x and 0·x are undefined (inf - inf, 0·inf) as typed.
        [inf, 1, inf, inf, nan, nan, 1, 1, 1, nan, nan, nan, nan, nan],
        [-inf, 2, -inf, -inf, nan, nan, 1, 1, 2, nan, nan, nan, nan, nan],
        [inf, 3, inf, inf, nan, nan, 1, 1, 3, nan, nan, nan, nan, nan],
        [inf, -inf, nan, -inf, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan],
        [1, nan, nan, nan, 0, 0, nan, nan, nan, nan, 0, 0, 0, 0],  # 0·x is 0 at x = 1
    ]
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        assert row == pytest.approx(want, nan_ok=True)
    # Untouched when other columns pass through; JSON has no infinity: null, like NaN.
    kept = invoke(
        ["eval", "x + y", "--vars", "x,y", "--points", "-"], input="t,x,y\na,Infinity,1\n"
    )
    assert kept.stdout.splitlines()[1] == "a,Infinity,1,1.0,1.0"
    records = invoke([*args, "--format", "jsonl"], input=text).stdout.splitlines()
    first = json.loads(records[0])
    assert first["x"] is None and first["value"] == [None, None, None, None]
    assert first["jacobian"][0] == [1.0, 1.0]
    # JSON's own spellings are read too.
    lines = invoke(
        ["eval", "x + y", "--vars", "x,y", "--points", "-"], input='{"x": -Infinity, "y": 1}\n'
    )
    assert json.loads(lines.stdout)["jacobian"] == [[1.0, 1.0]]


@settings(max_examples=300)
@given(st.text(alphabet="0123456789.eE+-_ infatyINFATY\u0661\u00a0\x1c", min_size=1, max_size=9))
def test_a_number_is_what_float_and_numpy_both_read(field: str) -> None:
    import numpy as np

    assume(field.strip())
    try:
        numpy_value: float | None = float(
            np.loadtxt([field], delimiter=",", comments=None, ndmin=1)[0]
        )
    except ValueError:
        numpy_value = None
    slow = to_number(field)  # the row-by-row parser must agree with the block parser
    assert (slow is None) == (numpy_value is None)
    if slow is not None and numpy_value is not None:
        assert slow == numpy_value or (math.isnan(slow) and math.isnan(numpy_value))


# --------------------------------------------------------------------------- JSON arrays


def test_a_json_array_as_written_reads_back(tmp_path: Path) -> None:
    points = _points(50, seed=4)
    first = invoke(
        ["eval", F, "--vars", "x,y,z", "--points", "-", "--format", "json"], input=_csv(points)
    )
    path = tmp_path / "records.json"
    path.write_text(first.stdout)
    args = ["eval", F, "--vars", "x,y,z", "--points", str(path), "--format", "json"]
    refused = invoke(args)  # its "jacobian" key would be overwritten: refused, as in CSV
    assert refused.code == 2 and "column jacobian already" in refused.stderr
    written = json.loads(first.stdout)
    path.write_text(json.dumps([{k: r[k] for k in ("x", "y", "z")} for r in written]))
    again = invoke(args)
    assert again.code == 0, again.stderr
    records = json.loads(again.stdout)
    assert records == written
    for record, p in zip(records, points, strict=True):
        expected = J_SYMPY(*p)
        assert all(
            _close(record["jacobian"][i][j], float(expected[i][j]))
            for i in range(3)
            for j in range(3)
        )
    # From stdin, with a byte-order mark, as CSV out.
    stdin = invoke(
        ["eval", F, "--vars", "x,y,z", "--points", "-", "--format", "csv"],
        input="\ufeff" + first.stdout,
    )
    assert stdin.code == 0
    assert [_numbers(line)[:3] for line in stdin.stdout.splitlines()[1:]] == [
        list(p) for p in points
    ]


@settings(max_examples=80)
@given(
    records=st.lists(
        st.fixed_dictionaries(
            {
                "x": st.floats() | st.integers(-9, 9),  # NaN and ±Infinity too, as json writes
                "y": st.floats(-1e3, 1e3),
                "label": st.text(alphabet='aé€𝄞"\\ ,]}[{\n', max_size=6),
            }
        ),
        max_size=12,
    ),
    layout=st.sampled_from(["one line", "indented", "a record a line"]),
    block=st.integers(1, 40),
    bom=st.booleans(),
)
def test_json_arrays_stream_in_blocks_of_any_size(
    records: list[dict[str, Any]], layout: str, block: int, bom: bool
) -> None:
    if layout == "a record a line":  # as --format json writes
        text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n"
    else:
        text = json.dumps(records, indent=2 if layout == "indented" else None, ensure_ascii=False)
    data = ("\ufeff" if bom else "") + text
    with _block_bytes(block):
        points = read.read_points(io.BytesIO(data.encode()), "t.json", ["x", "y"])
        chunks = list(points.chunks)
    assert points.kind == "json"
    assert json.dumps([r for c in chunks for r in c.records]) == json.dumps(records)
    xs = [float(v) for c in chunks for v in c.columns["x"]]
    assert xs == pytest.approx([float(r["x"]) for r in records], nan_ok=True, rel=0, abs=0)


@settings(max_examples=60)
@given(
    rows=st.lists(
        st.tuples(st.floats(allow_nan=False), st.text(alphabet="aé€𝄞 ,", max_size=5)),
        max_size=15,
    ),
    block=st.integers(1, 40),
    crlf=st.booleans(),
)
def test_csv_streams_in_blocks_of_any_size(
    rows: list[tuple[float, str]], block: int, crlf: bool
) -> None:
    end = "\r\n" if crlf else "\n"
    data = "\ufeffx\tlabel" + end + "".join(f"{x!r}\t{s}{end}" for x, s in rows)
    with _block_bytes(block):
        points = read.read_points(io.BytesIO(data.encode()), "t.tsv", ["x"])
        chunks = list(points.chunks)
    assert points.header == ["x", "label"]
    assert [float(v) for c in chunks for v in c.columns["x"]] == [x for x, _ in rows]
    assert [t for c in chunks for t in c.text.split("\n")] == [f"{x!r}\t{s}" for x, s in rows]


@contextlib.contextmanager
def _block_bytes(size: int) -> Iterator[None]:
    """Tiny blocks: every line, character and JSON value gets cut somewhere."""
    saved, read.BLOCK_BYTES = read.BLOCK_BYTES, size
    try:
        yield
    finally:
        read.BLOCK_BYTES = saved


def test_a_big_json_array_is_streamed_not_loaded_whole() -> None:
    one_line = json.dumps([{"x": k + 0.5, "y": 1.0} for k in range(200_000)]).encode()

    class Counting(io.BytesIO):
        total = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            self.total += len(data)
            return data

    stream = Counting(one_line)
    with _block_bytes(1 << 16):
        chunks = read.read_points(stream, "big.json", ["x", "y"]).chunks
        first = next(chunks)  # 65,536 points, about a third of the input...
    assert first.rows == 65_536 and first.columns["x"][-1] == 65_535.5
    assert first.records[-1] == {"x": 65_535.5, "y": 1.0}
    assert stream.total < len(one_line) / 2  # ...read without reading the rest


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[{"x": 1, "y": 2},\n {"x": 3, "y": 4}',
            "not JSON: expected , or ] in the array, not the end",
        ),
        ('[{"x": 1, "y": 2},\n {"x": 3, "y": 4}] {}', "more text after the array's closing ]"),
        (
            '[{"x": 1, "y": 2},\n {"x": 3 "y": 4}]',
            "not JSON: Expecting ',' delimiter (stdin line 2, column 10)",
        ),
        ('[{"x": 1, "y": 2},\n 7]', "expected a JSON object in the array (stdin line 2, column 2)"),
    ],
)
def test_json_array_errors_name_the_line(text: str, message: str) -> None:
    result = invoke(["eval", G, "--vars", "x,y", "--points", "-"], input=text)
    assert result.code == 2 and message in result.stderr
    assert json.loads(result.stdout)[0]["jacobian"] == [[4.0, 1.0], [1.0, 1.0]]


def test_a_json_file_that_is_not_an_array(tmp_path: Path) -> None:
    path = tmp_path / "points.json"
    path.write_text("x,y\n1,2\n")
    result = invoke(["eval", G, "--vars", "x,y", "--points", str(path)])
    assert result.code == 2 and "expected a JSON array ([...])" in result.stderr


# --------------------------------------------------------------------------- files


def _parquet_like() -> bytes:
    rng = random.Random(5)
    return (
        b"PAR1\x15\x04\x15\x80\x01\x00" + bytes(rng.randrange(256) for _ in range(3000)) + b"PAR1"
    )


def test_a_binary_file_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "points.bin"  # not Parquet (that is read: tests/test_parquet.py)
    path.write_bytes(b"BIN1" + _parquet_like()[4:])
    result = invoke(["eval", G, "--vars", "x,y", "--points", str(path)])
    assert result.code == 2
    assert result.stderr.startswith(f"jac: error: {path} line 1, column 8: not text (byte 0x80")
    proc = run("eval", G, "--vars", "x,y", "--points", str(path))  # was exit 70
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    parquet = tmp_path / "points.parquet"  # Parquet's magic bytes, but not Parquet
    parquet.write_bytes(_parquet_like())
    result = invoke(["eval", G, "--vars", "x,y", "--points", str(parquet)])
    assert result.code == 2 and f"{parquet}: not a Parquet file (" in result.stderr


@pytest.mark.parametrize(
    ("data", "message", "before"),
    [
        (b"x,y,note\n1,2,a\n3,4,caf\xe9\n", "stdin line 3, column 8: not text (byte 0xe9", 1),
        (b"x,y\n1,2\n3,4\n\x00\n", "stdin line 4, column 1: not text (a NUL byte", 2),
        (
            '{"x": 1, "y": 2}\n{"x": 3, "y": 4, "s": "\u00e9"}\n{"x": \u20ac'.encode()[:-1],
            "stdin line 3, column 7: not text (byte 0xe2 is not UTF-8",  # a cut-off character
            2,
        ),
    ],
)
def test_text_that_stops_being_text_after_good_rows(data: bytes, message: str, before: int) -> None:
    result = CliRunner().invoke(app, ["eval", G, "--vars", "x,y", "--points", "-"], input=data)
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout.splitlines()
    records = out if out[0].startswith("{") else out[1:]
    assert len(records) == before  # the points before it are written


def test_utf16_says_what_to_do() -> None:
    data = "x,y\n1,2\n".encode("utf-16")
    result = CliRunner().invoke(app, ["eval", G, "--vars", "x,y", "--points", "-"], input=data)
    assert result.exit_code == 2
    assert "UTF-16 text" in result.stderr and "iconv -f UTF-16 -t UTF-8" in result.stderr


@pytest.mark.parametrize(
    ("text", "fmt", "stdout"),
    [
        ("", None, "x,y,df1/dx,df1/dy\n"),
        ("\n  \n# only a comment\n", None, "x,y,df1/dx,df1/dy\n"),
        ("x,y\n", None, "x,y,df1/dx,df1/dy\n"),
        ("y,x,t\n# none yet\n", "tsv", "y\tx\tt\tdf1/dx\tdf1/dy\n"),
        ("", "jsonl", ""),
        ("[]\n", None, "[]\n"),
        ("", "json", "[]\n"),
    ],
)
def test_no_points_is_an_empty_result_with_a_warning(
    text: str, fmt: str | None, stdout: str
) -> None:
    args = ["eval", "x*y", "--vars", "x,y", "--points", "-"]
    result = invoke([*args, "--format", fmt] if fmt else args, input=text)
    assert (result.code, result.stdout, result.stderr) == (
        0,
        stdout,
        "jac: warning: no points in stdin\n",
    )


def test_points_from_anything_readable_but_not_a_directory(tmp_path: Path) -> None:
    empty = invoke(["eval", "x*y", "--vars", "x,y", "--points", "/dev/null"])
    assert (empty.code, empty.stdout) == (0, "x,y,df1/dx,df1/dy\n")
    assert empty.stderr == "jac: warning: no points in /dev/null\n"
    (tmp_path / "empty.jsonl").write_text("")
    jsonl = invoke(["eval", "x*y", "--vars", "x,y", "--points", str(tmp_path / "empty.jsonl")])
    assert (jsonl.code, jsonl.stdout) == (0, "")
    # Process substitution is /dev/fd/63, a pipe: the installed jac in a real bash.
    proc = run("jac eval 'x*y' --vars x,y --points <(printf 'x,y\\n2,5\\n')", shell=True)
    assert (proc.returncode, proc.stdout) == (0, "x,y,df1/dx,df1/dy\n2.0,5.0,5.0,2.0\n")
    directory = invoke(["eval", "x*y", "--vars", "x,y", "--points", str(tmp_path)])
    assert directory.code == 2
    assert f"--points {tmp_path}: a directory, not a file of points" in directory.stderr
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s"))
        unreadable = invoke(["eval", "x*y", "--vars", "x,y", "--points", str(tmp_path / "s")])
    finally:
        sock.close()
    assert unreadable.code == 2
    assert f"--points {tmp_path / 's'}: cannot be read (" in unreadable.stderr


def test_byte_order_marks_on_stdin_through_a_real_pipe() -> None:
    for text in ("x,y\\n1,2\\n", '{"x": 1, "y": 2}\\n', '[{"x": 1, "y": 2}]'):
        proc = run(
            f"printf '\\xef\\xbb\\xbf{text}' | jac eval 'x*y' --vars x,y --points - --format csv",
            shell=True,
        )
        assert (proc.returncode, proc.stderr) == (0, "")
        assert proc.stdout.splitlines()[1] == "1.0,2.0,2.0,1.0"
