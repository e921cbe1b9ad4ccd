"""Issue 15 as a hostile user tries it: generated code, Parquet, --dask and the per-chunk path.

Each `test_bug_*` is a bug found in review, marked xfail(strict): it asserts the correct
behaviour, so it passes (and then fails as XPASS) once fixed. The reference is always
`jac eval`: --points in double precision, --at exactly. The other tests pin hostile cases
the issue's own tests do not try (C and MATLAB reserved names, odd Parquet column types,
the rows of a Dask dataset against one process).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import random
import re
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import invoke

GCC = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]


def _csv(path: Path, names: list[str], rows: list[list[float]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        writer.writerows([[repr(float(v)) for v in row] for row in rows])
    return path


def _points(args: list[str], path: Path) -> tuple[list[str], list[list[float]]]:
    """`jac eval --points --with-value --format csv`: the header, then the rows as floats."""
    run = invoke(["eval", *args, "--points", str(path), "--with-value", "--format", "csv", "-q"])
    assert run.code == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout)))
    return rows[0], [[float(v) for v in row] for row in rows[1:]]


def _module(code: str, path: Path) -> Any:
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _same(mine: float, theirs: float) -> bool:
    """NaN exactly where jac eval has nan, else equal to 1e-12 relative."""
    if math.isnan(theirs) or math.isnan(mine):
        return math.isnan(theirs) and math.isnan(mine)
    return mine == theirs or abs(mine - theirs) <= 1e-12 * max(abs(mine), abs(theirs))


# --- 1. generated code against jac eval ----------------------------------------------------


@pytest.mark.parametrize("functions", ["(-8)^(1/3)*x", "log(-2)*x", "acosh(0)*x", "(-2)^(1/2)*x"])
def test_bug_numpy_complex_constant(functions: str, tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    _, rows = _points([functions, "--vars", "x"], _csv(tmp_path / "p.csv", ["x"], [[2.0]]))
    assert all(math.isnan(v) for v in rows[0][1:])  # jac eval: F complex, so row undefined
    for what in ("value", "jacobian"):
        run = invoke(["codegen", functions, "--vars", "x", "--lang", "numpy", "--what", what])
        assert run.code == 0, run.stderr
        module = _module(run.stdout, tmp_path / f"complex_{what}.py")
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NumPy's ComplexWarning: the values are what count
            result = module.jac_f(np.array([[2.0], [3.0]]))
        assert np.isnan(result).all(), (what, result)


@pytest.mark.parametrize("functions", ["log(-2)*x", "acosh(0)*x"])
def test_bug_julia_complex_constant(functions: str) -> None:
    run = invoke(["codegen", functions, "--vars", "x", "--lang", "julia", "--what", "value"])
    assert run.code == 0, run.stderr
    body = run.stdout.split("function", 1)[1]
    assert re.search(r"\bpiim\b|\bim\b", body) is None, body


@pytest.mark.parametrize("lang", ["c", "numpy", "jax", "julia", "matlab"])
def test_bug_codegen_zero_base_power(lang: str) -> None:
    run = invoke(["codegen", "0^x, x^2", "--vars", "x", "--lang", lang, "--what", "both"])
    assert run.code == 0, run.stderr


@pytest.mark.parametrize(
    ("functions", "lang"),
    [("1e400*x", "c"), ("x*1e308*10", "numpy"), ("1e-400*x + x", "c"), ("1e400*x", "matlab")],
)
def test_bug_codegen_constant_beyond_double(functions: str, lang: str) -> None:
    run = invoke(["codegen", functions, "--vars", "x", "--lang", lang])
    assert run.code in (0, 1, 2), run.stderr
    assert "internal error" not in run.stderr


def _c_agrees(tmp_path: Path, functions: str, names: list[str], points: list[list[float]]) -> None:
    """Compile the C of F (value and J, dense, variables only) under GCC's strictest flags and
    compare every output with jac eval --points at every point."""
    cc = shutil.which("gcc")
    if cc is None:
        pytest.skip("no gcc on PATH")
    variables = ",".join(names)
    run = invoke(["codegen", functions, "--vars", variables, "--what", "both", "--layout", "dense"])
    assert run.code == 0, run.stderr
    header, expected = _points(
        [functions, "--vars", variables], _csv(tmp_path / "p.csv", names, points)
    )
    n = len(names)
    driver = f"""#include <stdio.h>
{run.stdout}
int main(void)
{{
    double x[{n}], out[jac_f_M * jac_f_N];
    for (;;) {{
        for (int k = 0; k < {n}; k++) if (scanf("%lf", &x[k]) != 1) return 0;
        jac_f_value(x, out);
        for (int k = 0; k < jac_f_M; k++) printf("%.17g ", out[k]);
        jac_f_jacobian(x, out);
        for (int k = 0; k < jac_f_NNZ; k++) printf("%.17g ", out[k]);
        printf("\\n");
    }}
}}
"""
    (tmp_path / "driver.c").write_text(driver, encoding="utf-8")
    binary = tmp_path / "driver"
    build = [cc, *GCC, "-o", str(binary), str(tmp_path / "driver.c"), "-lm"]
    compiled = subprocess.run(build, capture_output=True, text=True, check=False)
    assert compiled.returncode == 0, compiled.stderr
    stdin = "".join(" ".join(repr(v) for v in p) + "\n" for p in points)
    output = subprocess.run([str(binary)], input=stdin, capture_output=True, text=True, check=True)
    mine = [[float(v) for v in line.split()] for line in output.stdout.splitlines()]
    for point, got, want in zip(points, mine, expected, strict=True):
        for name, a, b in zip(header[n:], got, want[n:], strict=True):
            assert _same(a, b), (functions, point, name, a, b)


def test_c_reserved_names_compile_and_agree(tmp_path: Path) -> None:
    """Variables named like C keywords, macros of math.h and the code's own names."""
    names = ["int", "double", "restrict", "main", "NAN", "M_PI", "isfinite", "jac_f_M", "k", "out"]
    functions = "int*double/restrict + main^2 - NAN, log(M_PI) + isfinite*jac_f_M - k/out"
    rng = random.Random(15)
    points = [[rng.uniform(-2, 2) for _ in names] for _ in range(8)]
    points.append([1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    _c_agrees(tmp_path, functions, names, points)


def test_c_nested_powers_agree(tmp_path: Path) -> None:
    """x^y^z both ways, negative bases with rational and integer exponents, 0^negative."""
    functions = "x^y^z, (x^y)^z, x^(2/3) + (-x)^(3/2), x^(-1/2)*y^3"
    special = [[-2.0, 2.0, 0.5], [-8.0, 1 / 3, 3.0], [0.0, 2.0, -1.0]]
    rng = random.Random(7)
    points = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(12)] + special
    _c_agrees(tmp_path, functions, ["x", "y", "z"], points)


def test_c_is_nan_where_eval_is_real_only_through_complex_steps(tmp_path: Path) -> None:
    """The documented difference (README, jac codegen): d(x^y^z)/dz at (-1, -1, -1) is
    log(-1)^2 = -pi^2, real through complex steps; jac eval finds it, the code says NaN."""
    header, expected = _points(
        ["x^y^z", "--vars", "x,y,z"], _csv(tmp_path / "p.csv", ["x", "y", "z"], [[-1.0] * 3])
    )
    assert expected[0][header.index("df1/dz")] == pytest.approx(-(math.pi**2))
    cc = shutil.which("gcc")
    if cc is None:
        pytest.skip("no gcc on PATH")
    run = invoke(["codegen", "x^y^z", "--vars", "x,y,z"])
    driver = run.stdout + (
        "#include <stdio.h>\nint main(void) { double x[3] = {-1, -1, -1}, out[3];"
        ' jac_f(x, out); printf("%g", out[2]); return 0; }\n'
    )
    (tmp_path / "d.c").write_text(driver, encoding="utf-8")
    subprocess.run([cc, *GCC, "-o", str(tmp_path / "d"), str(tmp_path / "d.c"), "-lm"], check=True)
    out = subprocess.run([str(tmp_path / "d")], capture_output=True, text=True, check=True)
    assert out.stdout.strip() in ("nan", "-nan")


def test_matlab_reserved_names_run_in_octave(tmp_path: Path) -> None:
    """i, j, e, pi, Inf, NaN, nargin, eps, ans, end and the function's own name as variables."""
    octave = shutil.which("octave-cli")
    if octave is None:
        pytest.skip("octave-cli is not installed")
    names = ["i", "j", "e", "pi", "Inf", "NaN", "nargin", "eps", "ans", "jac_f"]
    functions = "i*j + e^2 + pi*Inf/NaN, nargin/eps + ans*jac_f"
    variables = ",".join(names)
    run = invoke(["codegen", functions, "--vars", variables, "--lang", "matlab"])
    assert run.code == 0, run.stderr
    (tmp_path / "jac_f.m").write_text(run.stdout, encoding="utf-8")
    rng = random.Random(3)
    points = [[rng.uniform(-2, 2) for _ in names] for _ in range(6)]
    points.append([1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0])
    header, expected = _points(
        [functions, "--vars", variables], _csv(tmp_path / "p.csv", names, points)
    )
    matrix = "[" + ";".join(" ".join(repr(v) for v in p) for p in points) + "]"
    script = (
        f"cd('{tmp_path}'); J = jac_f({matrix}); N = size(J, 1);"
        " printf('%.17g ', reshape(permute(J, [1 3 2]), N, [])'); printf('\\n');"
    )
    output = subprocess.run(
        [octave, "--no-gui", "--eval", script], capture_output=True, text=True, check=True
    )
    values = [float(v) for v in output.stdout.split()]
    width = len(names) * 2
    assert len(values) == width * len(points)
    start = len(names) + 2  # inputs, f1, f2, then J row-major
    for k, (point, want) in enumerate(zip(points, expected, strict=True)):
        for name, a, b in zip(
            header[start:], values[k * width : (k + 1) * width], want[start:], strict=True
        ):
            assert _same(a, b), (point, name, a, b)


# --- 4. the per-chunk path against eval --at ----------------------------------------------


def test_bug_points_huge_integer_exponent(tmp_path: Path) -> None:
    path = _csv(tmp_path / "p.csv", ["x"], [[0.5], [2.0]])
    _, rows = _points(["x^(2^32+1)", "--vars", "x"], path)
    assert rows[0][1:] == [0.0, 0.0]  # 0.5^4294967297 and 4294967297*0.5^4294967296 underflow
    assert math.isnan(rows[1][1]) and math.isnan(rows[1][2])  # 2^4294967297 overflows


def test_bug_points_constant_beyond_double(tmp_path: Path) -> None:
    path = _csv(tmp_path / "p.csv", ["x"], [[1.0]])
    run = invoke(["eval", "1e400*x", "--vars", "x", "--points", str(path), "--format", "csv"])
    assert run.code in (0, 1, 2), run.stderr
    assert "internal error" not in run.stderr
    # decided: in doubles 1e400 is inf, so F and J are undefined (nan, exit 0), as on an
    # overflow; eval --at's exact 10^400 is not a double. 1e-400 underflows to 0.
    _, rows = _points(["1e400*x, 1e-400*x", "--vars", "x"], path)
    assert all(math.isnan(v) for v in (rows[0][1], rows[0][3])), rows
    assert rows[0][2] == rows[0][4] == 0.0, rows


def test_bug_points_nan_where_at_is_defined(tmp_path: Path) -> None:
    for x in ("-2", "-1/2"):
        run = invoke(["eval", "x^relu(x)", "--vars", "x", "--at", f"x={x}", "--format", "plain"])
        assert run.code == 0 and run.stdout.split() == ["0"], run.stdout
    _, rows = _points(
        ["x^relu(x)", "--vars", "x"], _csv(tmp_path / "p.csv", ["x"], [[-2.0], [-0.5]])
    )
    assert [r[1:] for r in rows] == [[1.0, 0.0], [1.0, 0.0]]


def test_bug_at_atan2_of_numbers_not_evaluated() -> None:
    for digits in ([], ["--digits", "10"]):
        args = ["eval", "max(x, atan2(1, y))", "--vars", "x,y", "--at", "x=3/2,y=1/2"]
        run = invoke([*args, *digits, "--format", "plain"])
        assert run.code == 0, run.stderr
        assert "atan2" not in run.stdout and "sign" not in run.stdout, run.stdout


def test_bug_at_complex_value_missed() -> None:
    run = invoke(["eval", "atanh(atan2(y, 2) + softplus(y))", "--vars", "y", "--at", "y=1"])
    assert run.code == 1 and "complex" in run.stderr, (run.code, run.stdout, run.stderr)


def test_bug_at_mpfr_abort_is_not_memory() -> None:
    run = invoke(["eval", "sec(asin(y)^(-3/2))", "--vars", "y", "--at", "y=-1"])
    assert run.code == 1 and "complex" in run.stderr, (run.code, run.stderr)


# --- 2. Parquet --------------------------------------------------------------------------


def test_parquet_odd_column_types_agree_with_csv(tmp_path: Path) -> None:
    """int8, uint64, float16, float32, dictionary-encoded columns, row groups of one row, and
    a timestamp column passed through: the same numbers as the CSV of the same values."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    np = pytest.importorskip("numpy")
    xs, ys = [1, -3, 2, 0], [2, 5, 0, 7]
    table = pa.table(
        {
            "x": pa.array(xs, pa.int8()),
            "y": pa.array(ys, pa.uint64()),
            "z": pa.array(np.array([1.5, 0.25, -2, 65504], np.float16)),
            "w": pa.array([0.5, -1.0, 2.0, 1.0], pa.float32()).dictionary_encode(),
            "t": pa.array([1, 2, 3, 4], pa.timestamp("s")),
        }
    )
    path = tmp_path / "p.parquet"
    pq.write_table(table, path, row_group_size=1)
    functions, variables = "x/y + z*w, sqrt(z)*x^w", "x,y,z,w"
    header, rows = _parquet_points(functions, variables, path)
    points = [
        [float(v) for v in row]
        for row in zip(xs, ys, table["z"].to_pylist(), [0.5, -1.0, 2.0, 1.0], strict=True)
    ]
    expected_header, expected = _points(
        [functions, "--vars", variables], _csv(tmp_path / "p.csv", ["x", "y", "z", "w"], points)
    )
    assert [h for h in header if h != "t"] == expected_header
    for got, want in zip(rows, expected, strict=True):
        assert all(_same(a, b) for a, b in zip(got, want, strict=True)), (got, want)


def _parquet_points(
    functions: str, variables: str, path: Path
) -> tuple[list[str], list[list[float]]]:
    run = invoke(
        [
            "eval",
            functions,
            "--vars",
            variables,
            "--points",
            str(path),
            "--with-value",
            "--format",
            "csv",
            "-q",
        ]
    )
    assert run.code == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout)))
    keep = [k for k, name in enumerate(rows[0]) if name != "t"]
    return rows[0], [[float(row[k]) for k in keep] for row in rows[1:]]


def test_bug_csv_output_repeats_a_result_column(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("x,y,df1/dx,f1\n1,3,9,7\n", encoding="utf-8")
    run = invoke(
        ["eval", "x*y", "--vars", "x,y", "--points", str(path), "--with-value", "--format", "csv"]
    )
    if run.code == 0:
        header = run.stdout.splitlines()[0].split(",")
        assert len(header) == len(set(header)), header
    else:
        assert run.code == 2 and "df1/dx" in run.stderr


# --- 3. --dask -----------------------------------------------------------------------------


def test_dask_dataset_rows_match_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files with an empty one and row groups of 2, a relative --points and --output: eval and
    det write every row once, in the input's order, with the numbers of one process."""
    pytest.importorskip("dask")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    rng = random.Random(5)
    for k, count in enumerate((5, 0, 7)):
        xs = [rng.choice([0.0, rng.uniform(-2, 2)]) for _ in range(count)]
        ys = [rng.uniform(-2, 2) for _ in range(count)]
        ids = list(range(100 * k, 100 * k + count))
        table = pa.table(
            {
                "x": pa.array(xs, pa.float64()),
                "y": pa.array(ys, pa.float64()),
                "id": pa.array(ids, pa.int64()),
            }
        )
        pq.write_table(table, f"in/part{k}.parquet", row_group_size=2)
    for command, out in (("eval", "out"), ("det", "outdet")):
        args = [command, "x/y + sqrt(x), x*y", "--vars", "x,y", "--points", "in", "-q"]
        run = invoke([*args, "--dask", "local", "--output", out])
        assert run.code == 0, run.stderr
        single = invoke([*args, "--format", "csv"])
        assert single.code == 0, single.stderr
        rows = list(csv.reader(io.StringIO(single.stdout)))
        parts = sorted((tmp_path / out).glob("*.parquet"))
        table = pa.concat_tables([pq.read_table(p) for p in parts])
        assert table.column_names == rows[0]
        assert table.column("id").to_pylist() == [int(r[2]) for r in rows[1:]]
        for name_index, name in enumerate(rows[0][3:], start=3):
            got = table.column(name).to_pylist()
            want = [float(r[name_index]) for r in rows[1:]]
            assert all(
                _same(a if a is not None else math.nan, b) for a, b in zip(got, want, strict=True)
            ), name


def test_bug_dask_files_with_different_columns(tmp_path: Path) -> None:
    pytest.importorskip("dask")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(pa.table({"x": [1.0, 2.0], "y": [3.0, 4.0]}), folder / "a.parquet")
    pq.write_table(pa.table({"y": [5.0], "x": [6.0], "z": [1]}), folder / "b.parquet")
    args = ["eval", "x*y", "--vars", "x,y", "--points", str(folder), "-q"]
    assert invoke([*args, "--format", "csv"]).code == 2
    run = invoke([*args, "--dask", "local", "--output", str(tmp_path / "out")])
    if run.code == 0:
        schemas = {pq.read_schema(p) for p in (tmp_path / "out").glob("*.parquet")}
        assert len(schemas) == 1, schemas
    else:
        assert run.code == 2, run.stderr


@pytest.mark.parametrize("name", ["_f", "f" * 70])
def test_bug_matlab_name_not_an_identifier(name: str) -> None:
    run = invoke(["codegen", "x^2", "--vars", "x", "--lang", "matlab", "--name", name])
    assert run.code == 2, run.stdout[:300]


def test_bug_codegen_nonfinite_inputs_disagree_with_eval(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    functions = "x*y, sqrt(x) + y"
    points = [[math.nan, 1.0], [math.inf, 1.0], [-math.inf, 2.0]]
    _, expected = _points(
        [functions, "--vars", "x,y"], _csv(tmp_path / "p.csv", ["x", "y"], points)
    )
    run = invoke(["codegen", functions, "--vars", "x,y", "--lang", "numpy", "--what", "both"])
    assert run.code == 0, run.stderr
    value, jacobian = _module(run.stdout, tmp_path / "nonfinite.py").jac_f(np.array(points))
    mine = np.hstack([value, jacobian.reshape(len(points), -1)])
    for point, got, want in zip(points, mine.tolist(), expected, strict=True):
        assert all(_same(a, b) for a, b in zip(got, want[2:], strict=True)), (point, got, want)


def test_bug_kernel_dictionary_column(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import jaccli

    table = pa.table({"x": pa.array([1.0, 2.0, 2.0]).dictionary_encode(), "y": [1.0, 0.0, 4.0]})
    path = tmp_path / "d.parquet"
    pq.write_table(table, path)
    header, rows = _parquet_points("x/y", "x,y", path)
    result = jaccli.kernel("x/y", vars="x,y", with_value=True)(table)
    for name_index, name in enumerate(header[2:], start=2):
        got = result.column(name).to_pylist()
        assert all(_same(a, r[name_index]) for a, r in zip(got, rows, strict=True)), name
