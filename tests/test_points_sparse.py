"""eval --points --sparse: J's structural non-zeros only, in every format, read back and compared
number for number with the dense output (whose other entries must be 0), with SymPy's
structure, and with finite differences on a 2,000-unknown Bratu system."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jaccli.cli import app
from jaccli.errors import UsageError

F = "x*y + z, sin(x), z^2 + exp(y), x/y"
NAMES = ["x", "y", "z"]
FORMATS = ["csv", "tsv", "json", "jsonl", "parquet"]


def structure(functions: str, names: list[str]) -> list[tuple[int, int]]:
    """The non-zero entries of J, 1-based and row by row, as SymPy differentiates F."""
    symbols = sympy.symbols(names)
    rows = [
        sympy.sympify(f, locals=dict(zip(names, symbols, strict=True)))
        for f in functions.split(",")
    ]
    return [
        (i + 1, j + 1)
        for i, f in enumerate(rows)
        for j, v in enumerate(symbols)
        if sympy.simplify(sympy.diff(f, v)) != 0
    ]


def entry_name(cell: tuple[int, int], names: list[str]) -> str:
    return f"df{cell[0]}/d{names[cell[1] - 1]}"


def points_csv(path: Path, count: int = 40, seed: int = 3) -> Path:
    """Random points in [0.3, 2]^3 (x/y defined), with a text column that passes through."""
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*NAMES, "label"])
        for k in range(count):
            writer.writerow([*map(repr, rng.uniform(0.3, 2.0, 3).tolist()), f"p{k}"])
    return path


def run(args: list[str], input: str | None = None) -> tuple[int, bytes, str]:
    """The CLI in this process: exit code, stdout as bytes (Parquet is binary), stderr. JSON
    records are checked against their schema by the `jac` fixture's invoke."""
    from tests.conftest import check_json_output

    result = CliRunner().invoke(app, args, input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stderr, result.stderr
    if result.exit_code == 0 and "parquet" not in args:
        check_json_output(args, result.stdout)
    return result.exit_code, result.stdout_bytes, result.stderr


class Read:
    """One output read back: the results' columns by name, and (JSON) J's listed cells."""

    def __init__(self, columns: dict[str, np.ndarray], cells: list[tuple[int, int]] | None):
        self.columns = columns
        self.cells = cells  # JSON's [i, j] of the entries, the same in every record


def read(fmt: str, data: bytes, names: list[str]) -> Read:
    if fmt in ("csv", "tsv"):
        rows = list(
            csv.DictReader(io.StringIO(data.decode()), delimiter="\t" if fmt == "tsv" else ",")
        )
        header = list(rows[0]) if rows else []
        return Read({h: np.array([r[h] for r in rows], dtype=object) for h in header}, None)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(io.BytesIO(data))
        return Read(
            {c: np.asarray(table.column(c).to_pylist(), dtype=object) for c in table.column_names},
            None,
        )
    text = data.decode()
    records = (
        json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    )
    columns: dict[str, list[Any]] = {}
    cells: list[tuple[int, int]] | None = None
    for record in records:
        for key, value in record.items():
            if key == "jacobian" and isinstance(value, dict):
                found = [(i, j) for i, j, _ in value["entries"]]
                assert cells is None or found == cells, "the same entries in every record"
                cells = found
                for i, j, v in value["entries"]:
                    columns.setdefault(entry_name((i, j), names), []).append(_number(v))
            elif key == "jacobian":
                for i, row in enumerate(value, 1):
                    for j, v in enumerate(row, 1):
                        columns.setdefault(entry_name((i, j), names), []).append(_number(v))
            elif key == "value":
                for i, v in enumerate(value, 1):
                    columns.setdefault(f"f{i}", []).append(_number(v))
            else:
                columns.setdefault(key, []).append(value)
    return Read({k: np.array(v, dtype=object) for k, v in columns.items()}, cells)


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def floats(values: np.ndarray) -> np.ndarray:
    return np.array([_number(v) for v in values], dtype=float)


def assert_sparse_is_dense_restricted(
    sparse: Read,
    dense: Read,
    cells: list[tuple[int, int]],
    names: list[str],
    shape: tuple[int, int],
) -> None:
    """Every written entry is the dense output's, number for number; every other dense entry
    is 0 (where F is defined: the points here are)."""
    written = {entry_name(c, names) for c in cells}
    m, n = shape
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            name = entry_name((i, j), names)
            if name in written:
                np.testing.assert_array_equal(
                    floats(sparse.columns[name]), floats(dense.columns[name])
                )
            else:
                assert name not in sparse.columns
                assert (floats(dense.columns[name]) == 0).all(), name


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_the_dense_output_restricted_to_the_structure(
    tmp_path: Path, fmt: str
) -> None:
    points = str(points_csv(tmp_path / "p.csv"))
    cells = structure(F, NAMES)
    argv = ["eval", F, "--vars", "x,y,z", "--points", points, "--format", fmt]
    code, dense_out, _ = run(argv)
    assert code == 0
    code, sparse_out, stderr = run([*argv, "--sparse"])
    assert code == 0, stderr
    dense, sparse = read(fmt, dense_out, NAMES), read(fmt, sparse_out, NAMES)
    results = [k for k in sparse.columns if k not in (*NAMES, "label")]
    assert results == [entry_name(c, NAMES) for c in cells]  # exactly the structure, row-major
    if fmt.startswith("json"):
        assert sparse.cells == cells
    assert_sparse_is_dense_restricted(sparse, dense, cells, NAMES, (4, 3))
    assert list(sparse.columns["label"]) == list(dense.columns["label"])  # passes through


def test_json_record_says_the_shape_and_lists_entries_row_by_row(tmp_path: Path) -> None:
    points = str(points_csv(tmp_path / "p.csv", count=2))
    code, out, _ = run(
        ["eval", F, "--vars", "x,y,z", "--points", points, "--format", "jsonl", "--sparse"]
    )
    assert code == 0
    record = json.loads(out.decode().splitlines()[0])
    assert record["jacobian"]["shape"] == [4, 3] and record["jacobian"]["nnz"] == 8
    x, y, z = (record[k] for k in NAMES)
    expected = [y, x, 1, math.cos(x), math.exp(y), 2 * z, 1 / y, -x / y**2]
    got = [v for _, _, v in record["jacobian"]["entries"]]
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_with_value_and_pass_through_as_without_sparse(tmp_path: Path) -> None:
    points = str(points_csv(tmp_path / "p.csv"))
    argv = ["eval", F, "--vars", "x,y,z", "--points", points, "--with-value"]
    dense = read("csv", run(argv)[1], NAMES)
    sparse = read("csv", run([*argv, "--sparse"])[1], NAMES)
    assert list(sparse.columns)[:8] == [*NAMES, "label", "f1", "f2", "f3", "f4"]
    for name in ("f1", "f2", "f3", "f4", *NAMES):
        np.testing.assert_array_equal(sparse.columns[name], dense.columns[name])


def test_a_structural_nonzero_that_is_zero_at_a_point_is_still_written() -> None:
    code, out, _ = run(
        ["eval", "x*y, x^2", "--vars", "x,y", "--points", "-", "--sparse"], "x,y\n0,0\n"
    )
    assert code == 0
    header, row = out.decode().splitlines()
    assert header == "x,y,df1/dx,df1/dy,df2/dx"
    assert [float(v) for v in row.split(",")[2:]] == [0.0, 0.0, 0.0]


def test_undefined_entries_and_bad_rows_as_without_sparse() -> None:
    F2 = "log(x)*y, sqrt(y), x"
    points = "x,y\n1,2\n-1,2\n2,oops\n3,4\n"
    argv = ["eval", F2, "--vars", "x,y", "--points", "-", "--on-error", "skip"]
    code, dense_out, dense_err = run(argv, points)
    code_sparse, sparse_out, sparse_err = run([*argv, "--sparse"], points)
    assert code == code_sparse == 0
    assert dense_err == sparse_err  # the same warnings: undefined points, the row skipped
    names = ["x", "y"]
    cells = structure(F2, names)
    assert_sparse_is_dense_rows(
        read("csv", sparse_out, names), read("csv", dense_out, names), cells, names
    )
    sparse = read("csv", sparse_out, names)
    assert np.isnan(floats(sparse.columns["df1/dx"]))[[1, 2]].all()  # log(-1); the bad row
    # stop: the rows before the bad one are written, then exit 2
    code, out, err = run([*argv[:-2], "--sparse"], points)
    assert code == 2 and "line 4" in err
    assert len(out.decode().splitlines()) == 3
    # JSON: the undefined entries named, null where undefined
    code, out, _ = run([*argv, "--sparse", "--format", "jsonl"], points)
    records = [json.loads(line) for line in out.decode().splitlines()]
    assert records[1]["undefined"] == ["df1/dx", "df1/dy"]
    assert [v for *_, v in records[1]["jacobian"]["entries"]][:2] == [None, None]
    assert records[2]["jacobian"] is None and "error" in records[2]


def assert_sparse_is_dense_rows(
    sparse: Read, dense: Read, cells: list[tuple[int, int]], names: list[str]
) -> None:
    for cell in cells:
        name = entry_name(cell, names)
        np.testing.assert_array_equal(floats(sparse.columns[name]), floats(dense.columns[name]))


def test_det_points_with_sparse_is_a_usage_error(tmp_path: Path) -> None:
    points = str(points_csv(tmp_path / "p.csv", count=2))
    code, _, err = run(["det", "x*y, x+y, z", "--vars", "x,y,z", "--points", points, "--sparse"])
    assert code == 2
    assert "one number a point" in err and "drop --sparse" in err and "det --points" in err
    # the Python API words it with its own names, from the same check
    from jaccli import kernel

    with pytest.raises(UsageError, match=r"det= writes one number a point.*drop sparse="):
        kernel("x*y, x+y", vars="x,y", det=True, sparse=True)


def test_a_matrix_form_gives_its_structure_not_every_cell() -> None:
    """x .* y with shapes: J = [diag(y) diag(x)] is evaluated from its matrix form, whose
    non-zeros come from differentiation (3 + 3 of 18)."""
    argv = ["eval", "x .* y", "--shape", "x=3,y=3", "--vars", "x,y", "--points", "-"]
    points = "x[1],x[2],x[3],y[1],y[2],y[3]\n1,2,3,4,5,6\n-1,0.5,2,0,1,7\n"
    names = ["x[1]", "x[2]", "x[3]", "y[1]", "y[2]", "y[3]"]
    code, dense_out, err = run(argv, points)
    assert code == 0, err
    code, sparse_out, err = run([*argv, "--sparse"], points)
    assert code == 0, err
    dense, sparse = read("csv", dense_out, names), read("csv", sparse_out, names)
    cells = [(i, i) for i in (1, 2, 3)] + [(i, i + 3) for i in (1, 2, 3)]
    cells.sort()
    assert [k for k in sparse.columns if k not in names] == [entry_name(c, names) for c in cells]
    assert_sparse_is_dense_restricted(sparse, dense, cells, names, (3, 6))


def bratu(n: int) -> list[str]:
    """The 1-D Bratu residual of bench/workloads.py."""
    left = ["0", *(f"u{i}" for i in range(n - 1))]
    right = [*(f"u{i}" for i in range(1, n)), "0"]
    return [f"{left[i]} - 2*u{i} + {right[i]} + h^2*lam*exp(u{i})" for i in range(n)]


def bratu_values(u: np.ndarray, h: float, lam: float) -> np.ndarray:
    """F of the Bratu residual in NumPy: the second method."""
    left = np.concatenate([[0.0], u[:-1]])
    right = np.concatenate([u[1:], [0.0]])
    return left - 2 * u + right + h**2 * lam * np.exp(u)


def test_bratu_2000_with_1000_points_against_finite_differences(tmp_path: Path) -> None:
    n, count = 2000, 1000
    rng = np.random.default_rng(7)
    u = rng.uniform(-1, 1, (count, n))
    lam = rng.uniform(0.5, 3, count)
    h = 1 / (n + 1)
    path = tmp_path / "p.csv"
    with open(path, "w") as f:
        f.write(",".join([*(f"u{i}" for i in range(n)), "h", "lam"]) + "\n")
        for k in range(count):
            f.write(",".join(map(repr, [*u[k].tolist(), h, float(lam[k])])) + "\n")
    code, out, err = run(
        ["eval", "-", "--vars", f"u0..u{n - 1}", "--points", str(path), "--sparse"],
        "\n".join(bratu(n)),
    )
    assert code == 0, err
    lines = out.decode().splitlines()
    header = lines[0].split(",")[n + 2 :]
    expected = [(i, j) for i in range(n) for j in (i - 1, i, i + 1) if 0 <= j < n]
    assert header == [f"df{i + 1}/du{j}" for i, j in expected]
    assert len(lines) == count + 1
    rows = {j: i for i, j in enumerate(expected)}
    for k in (0, 417, count - 1):
        written = np.array([float(v) for v in lines[k + 1].split(",")[n + 2 :]])
        step = 1e-6
        for j in [*rng.choice(n, 25, replace=False).tolist(), 0, n - 1]:
            up, down = u[k].copy(), u[k].copy()
            up[j] += step
            down[j] -= step
            column = (bratu_values(up, h, lam[k]) - bratu_values(down, h, lam[k])) / (2 * step)
            for i in range(n):
                if (i, j) in rows:
                    assert abs(written[rows[(i, j)]] - column[i]) <= 1e-7 * max(1, abs(column[i]))
                else:
                    assert abs(column[i]) <= 1e-9  # outside the structure, J is 0


TERMS = [
    "{a}",
    "{a}*{b}",
    "sin({a})",
    "exp({a})",
    "{a}^2*{b}",
    "3",
    "{a}/(1+{b}^2)",
    "cos({a}*{b})",
]


@st.composite
def systems(draw: Any) -> tuple[str, list[str]]:
    n = draw(st.integers(1, 4))
    names = [f"v{k}" for k in range(n)]
    components = []
    for _ in range(draw(st.integers(1, 4))):
        terms = draw(st.lists(st.sampled_from(TERMS), min_size=1, max_size=3))
        chosen = [
            t.format(a=draw(st.sampled_from(names)), b=draw(st.sampled_from(names))) for t in terms
        ]
        components.append(" + ".join(chosen))
    return ", ".join(components), names


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(systems(), st.integers(0, 2**32 - 1))
def test_random_systems_sparse_is_dense_restricted(
    tmp_path: Path, system: tuple[str, list[str]], seed: int
) -> None:
    functions, names = system
    rng = np.random.default_rng(seed)
    text = (
        ",".join(names)
        + "\n"
        + "\n".join(",".join(map(repr, rng.uniform(-2, 2, len(names)).tolist())) for _ in range(5))
        + "\n"
    )
    argv = ["eval", functions, "--vars", ",".join(names), "--points", "-"]
    code, dense_out, err = run(argv, text)
    assert code == 0, err
    code, sparse_out, err = run([*argv, "--sparse"], text)
    assert code == 0, err
    dense, sparse = read("csv", dense_out, names), read("csv", sparse_out, names)
    cells = [
        (int(k[2 : k.index("/")]), names.index(k[k.index("/") + 2 :]) + 1)
        for k in sparse.columns
        if k.startswith("df")
    ]
    assert cells == sorted(cells)  # row-major
    assert set(cells) <= set(structure(functions, names))  # never a structural zero
    m = len(functions.split(","))
    assert_sparse_is_dense_restricted(sparse, dense, cells, names, (m, len(names)))


def test_the_kernel_takes_sparse_and_dask_writes_the_same_columns(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pytest.importorskip("dask")
    import jaccli

    rng = np.random.default_rng(5)
    table = pa.table({n: rng.uniform(0.3, 2, 50) for n in NAMES})
    cells = structure(F, NAMES)
    dense_kernel = jaccli.kernel(F, vars="x,y,z")
    kernel = jaccli.kernel(F, vars="x,y,z", sparse=True)
    assert kernel.columns() == [entry_name(c, NAMES) for c in cells] == kernel.entries()
    sparse_out, dense_out = kernel(table), dense_kernel(table)
    for name in kernel.columns():
        np.testing.assert_array_equal(
            sparse_out.column(name).to_numpy(), dense_out.column(name).to_numpy()
        )
    with pytest.raises(UsageError, match="sparse"):
        jaccli.kernel(F, vars="x,y,z", det=True, sparse=True)
    (tmp_path / "in").mkdir()
    pq.write_table(table, tmp_path / "in" / "a.parquet")
    argv = ["eval", F, "--vars", "x,y,z", "--points", str(tmp_path / "in"), "--sparse"]
    code, _, err = run([*argv, "--dask", "synchronous", "--output", str(tmp_path / "out")])
    assert code == 0, err
    written = pq.read_table(tmp_path / "out")
    assert written.column_names == [*NAMES, *kernel.columns()]
    for name in kernel.columns():
        np.testing.assert_array_equal(
            written.column(name).to_numpy(), sparse_out.column(name).to_numpy()
        )


def test_a_big_system_compiled_in_pieces_gives_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past PIECE outputs, F and J are compiled in pieces (F_i with row i of J), each written
    into its own columns: the same numbers as one piece (to rounding), checks included."""
    from jaccli.batch import compute, stream
    from jaccli.problem import read as read_problem

    problem = read_problem([*bratu(30), "log(u3)*sqrt(u4)"], "u0..u29")
    columns = {f"u{k}": np.linspace(-0.5, 1.5, 7) + k / 30 for k in range(30)}
    columns |= {"h": np.full(7, 0.1), "lam": np.full(7, 2.0)}
    whole = stream.plan(problem, None, True, None, True)
    monkeypatch.setattr(compute, "PIECE", 17)
    monkeypatch.setattr(compute, "OPTIMIZED_OUTPUTS", 17)  # pieces from 18 outputs on
    pieces = stream.plan(problem, None, True, None, True)
    a = compute.evaluate(whole.compiled, columns, sparse=True)
    b = compute.evaluate(pieces.compiled, columns, sparse=True)
    np.testing.assert_array_equal(a.undefined, b.undefined)
    for x, y in ((a.jacobian, b.jacobian), (a.value, b.value)):  # subexpressions shared apart
        np.testing.assert_allclose(x, y, rtol=1e-14, atol=0)
    assert a.undefined.any()  # log(u3) at u3 < 0 is undefined: the checks ran in pieces too


def test_no_m_by_n_array_is_made_for_a_chunk() -> None:
    """bratu(400) at 50 points: J's 160,000 entries would be 64 MB a chunk as doubles; the
    sparse evaluation allocates its 1,198 non-zeros a point (tracemalloc sees NumPy's)."""
    import tracemalloc

    from jaccli.batch import compute, stream
    from jaccli.problem import read as read_problem

    n, rows = 400, 50
    plan = stream.plan(read_problem(bratu(n), f"u0..u{n - 1}"), None, False, None, True)
    rng = np.random.default_rng(2)
    columns = {f"u{k}": rng.uniform(-1, 1, rows) for k in range(n)}
    columns |= {"h": np.full(rows, 1 / (n + 1)), "lam": np.full(rows, 2.0)}
    compute.evaluate(plan.compiled, columns, sparse=True)  # compiled code warmed up
    tracemalloc.start()
    try:
        result = compute.evaluate(plan.compiled, columns, sparse=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.jacobian.shape == result.undefined.shape == (rows, 3 * n - 2)
    assert peak < rows * n * n * 8 / 20


@pytest.mark.parametrize(
    "functions",
    [
        "x^relu(x), 1e400*x + y",  # real only through complex steps; an infinite constant
        "x/y, log(x), abs(x - 1)",  # a divisor, a logarithm, a kink
        "sign(x) + y, x/x + y",  # a jump; F undefined as typed where J (simplified) is not
    ],
)
def test_undefined_rules_hold_on_the_structure(functions: str) -> None:
    """The same NaN and warnings as dense output on the entries written; a dense entry not
    written is 0, or NaN only where F_i is undefined as typed, and then so are the written
    entries of its row."""
    points = "x,y\n-2,1\n0,2\n0.5,0\n1,1\n-1,0\n"
    argv = ["eval", functions, "--vars", "x,y", "--points", "-"]
    _, dense_out, dense_err = run(argv, points)
    _, sparse_out, sparse_err = run([*argv, "--sparse"], points)
    # the same points counted and named; the entries named are those written
    assert re.sub(r" \([^)]*\)", "", dense_err) == re.sub(r" \([^)]*\)", "", sparse_err)
    names = ["x", "y"]
    dense, sparse = read("csv", dense_out, names), read("csv", sparse_out, names)
    m = len(functions.split(","))
    for i in range(1, m + 1):
        row = [entry_name((i, j), names) for j in (1, 2)]
        written = [k for k in row if k in sparse.columns]
        for name in row:
            values = floats(dense.columns[name])
            if name in sparse.columns:
                np.testing.assert_array_equal(floats(sparse.columns[name]), values)
                continue
            assert ((values == 0) | np.isnan(values)).all()
            for k in written:
                assert np.isnan(floats(sparse.columns[k])[np.isnan(values)]).all()
