"""eval --points and det --points with Parquet in and out (pyarrow), checked against the CSV path
and a second method."""

from __future__ import annotations

import csv
import io
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy
from typer.testing import CliRunner

from jaccli.cli import app
from tests.conftest import invoke
from tests.installed import jac_path, run

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

F = "x^2+y*z, sin(x*y), e^(x+z)"
X, Y, Z = sympy.symbols("x y z")
F_SYMPY = sympy.Matrix([X**2 + Y * Z, sympy.sin(X * Y), sympy.exp(X + Z)])
J_SYMPY = sympy.lambdify((X, Y, Z), F_SYMPY.jacobian([X, Y, Z]).tolist(), "numpy")
ENTRIES = [f"df{i}/d{v}" for i in (1, 2, 3) for v in "xyz"]


def jac_bytes(args: list[str], input: bytes | str | None = None) -> tuple[int, bytes, str]:
    """The CLI in this process: exit code, stdout as bytes (Parquet is binary), stderr."""
    result = CliRunner().invoke(app, args, input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stdout_bytes, result.stderr


def table(data: bytes) -> Any:
    return pq.read_table(io.BytesIO(data))


def points(n: int, seed: int = 1) -> Any:
    """x, y doubles, z integers, a label and a timestamp: columns of four Arrow types."""
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "x": rng.uniform(-2, 2, n),
            "y": rng.uniform(-2, 2, n),
            "z": rng.integers(-2, 3, n),
            "label": [f"p{i}" for i in range(n)],
            "t": pa.array(np.arange(n) * 1000, pa.timestamp("ms")),
        }
    )


def write(data: Any, path: Path, **options: Any) -> str:
    pq.write_table(data, path, **options)
    return str(path)


def as_csv(data: Any, path: Path) -> str:
    """The same points as CSV, each number in its shortest round-trip text."""
    columns = {n: data.column(n).to_pylist() for n in data.column_names}
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        texts = [list(map(repr, c)) if n in "xyz" else c for n, c in columns.items()]
        writer.writerows(zip(*texts, strict=True))
    return str(path)


def csv_results(text: str, names: list[str]) -> np.ndarray:
    rows = list(csv.DictReader(io.StringIO(text)))
    return np.array([[float(r[n]) for n in names] for r in rows]).reshape(len(rows), len(names))


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit for bit, NaN where NaN."""
    return bool(np.array_equal(a, b, equal_nan=True) and a.dtype == b.dtype)


def test_round_trip_keeps_every_column_and_type_and_matches_sympy(tmp_path: Path) -> None:
    data = points(2000)
    path = write(data, tmp_path / "p.parquet", row_group_size=700)
    code, out, err = jac_bytes(["eval", F, "--vars", "x,y,z", "--points", path])
    assert code == 0, err
    result = table(out)
    assert result.column_names == [*data.column_names, *ENTRIES]
    assert result.select(data.column_names).equals(data)  # passed through, types and all
    for name in ENTRIES:
        assert result.schema.field(name).type == pa.float64()
    x, y, z = (data.column(n).to_numpy().astype(float) for n in "xyz")
    expected = J_SYMPY(x, y, z)
    for k, name in enumerate(ENTRIES):
        want = np.broadcast_to(np.asarray(expected[k // 3][k % 3], dtype=float), x.shape)
        np.testing.assert_allclose(result.column(name).to_numpy(), want, rtol=1e-12, atol=1e-12)


def test_results_equal_the_csv_path_bit_for_bit_both_ways(tmp_path: Path) -> None:
    data = points(3000, seed=2).drop_columns(["t"])
    parquet = write(data, tmp_path / "p.parquet")
    text = as_csv(data, tmp_path / "p.csv")
    args = ["eval", "exp(x+z)*y, x*y*z, sin(x)/y, sqrt(x)", "--vars", "x,y,z", "--with-value"]
    names = [f"f{i}" for i in range(1, 5)] + [f"df{i}/d{v}" for i in range(1, 5) for v in "xyz"]
    from_csv = invoke([*args, "--points", text])
    assert from_csv.code == 0
    reference = csv_results(from_csv.stdout, names)
    assert np.isnan(reference).any()  # sqrt(x) at x < 0: undefined entries are compared too
    code, out, _ = jac_bytes([*args, "--points", parquet])  # Parquet → Parquet
    assert code == 0
    got = np.column_stack([table(out).column(n).to_numpy() for n in names])
    assert same(got, reference)
    code, out, _ = jac_bytes([*args, "--points", text, "--format", "parquet"])  # CSV → Parquet
    assert code == 0
    converted = table(out)
    assert same(np.column_stack([converted.column(n).to_numpy() for n in names]), reference)
    assert converted.schema.field("label").type == pa.string()
    assert converted.column("label").to_pylist() == data.column("label").to_pylist()
    to_csv = invoke([*args, "--points", parquet, "--format", "csv"])  # Parquet → CSV
    assert to_csv.code == 0
    assert same(csv_results(to_csv.stdout, names), reference)
    z = str(data.column("z")[0].as_py())
    assert to_csv.stdout.splitlines()[1].split(",")[2:4] == [z, "p0"]  # an int stays one


def test_nulls_stop_at_their_row_or_are_skipped(tmp_path: Path) -> None:
    data = pa.table({"x": [1.0, 2.0, None, 4.0], "y": pa.array([1, 2, 3, None], pa.int32())})
    path = write(data, tmp_path / "nulls.parquet")
    args = ["eval", "x*y", "--vars", "x,y", "--points", path]
    code, out, err = jac_bytes(args)
    assert code == 2 and f"no value for x (null) ({path} row 3)" in err
    assert "2 points written before the bad row" in err
    assert table(out).column("df1/dx").to_pylist() == [1.0, 2.0]  # the rows before it
    code, out, err = jac_bytes([*args, "--on-error", "skip"])
    assert code == 0
    assert "2 of 4 rows of" in err and "row 3: no value for x (null); row 4: no value for y" in err
    assert err.count("jac: warning") == 1
    result = table(out)
    assert result.column("x").to_pylist() == [1.0, 2.0, None, 4.0]  # nulls pass through
    assert result.schema.field("y").type == pa.int32()
    assert np.isnan(result.column("df1/dy").to_numpy()[2:]).all()
    assert result.column("y").to_pylist() == [1, 2, 3, None]
    records = invoke([*args, "--on-error", "skip", "--format", "jsonl"])  # schema-checked
    assert [r.get("error") for r in map(_json, records.stdout.splitlines())] == [
        None,
        None,
        "row 3: no value for x (null)",
        "row 4: no value for y (null)",
    ]


def _json(line: str) -> Any:
    import json

    return json.loads(line)


def test_nan_and_infinity_are_numbers_as_in_csv(tmp_path: Path) -> None:
    x = [math.inf, -math.inf, math.nan, 1.0, 0.0]
    y = [1.0, 2.0, 3.0, math.inf, 0.0]
    path = write(pa.table({"x": x, "y": y}), tmp_path / "special.parquet")
    csv_path = tmp_path / "special.csv"
    csv_path.write_text("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(x, y, strict=True)))
    args = ["eval", "x*y, x/y, exp(x)", "--vars", "x,y", "--with-value"]
    names = ["f1", "f2", "f3", *[f"df{i}/d{v}" for i in (1, 2, 3) for v in "xy"]]
    reference = csv_results(invoke([*args, "--points", str(csv_path)]).stdout, names)
    code, out, err = jac_bytes([*args, "--points", path])
    assert code == 0 and "undefined entries" in err
    assert same(np.column_stack([table(out).column(n).to_numpy() for n in names]), reference)


def test_empty_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.parquet"
    empty.write_bytes(b"")
    no_rows = write(points(0), tmp_path / "none.parquet")
    for path in (str(empty), no_rows):
        code, out, err = jac_bytes(["eval", F, "--vars", "x,y,z", "--points", path])
        assert code == 0 and "no points in" in err
        assert table(out).num_rows == 0 and table(out).column_names[-9:] == ENTRIES


def test_parquet_is_recognised_by_its_magic_bytes_on_stdin_and_without_extension(
    tmp_path: Path,
) -> None:
    data = points(50).drop_columns(["t"])
    named = write(data, tmp_path / "p.parquet")
    plain = tmp_path / "points.data"
    plain.write_bytes(Path(named).read_bytes())
    args = ["eval", F, "--vars", "x,y,z"]
    reference = jac_bytes([*args, "--points", named])[1]
    assert jac_bytes([*args, "--points", str(plain)])[1] == reference
    assert jac_bytes([*args, "--points", "-"], input=Path(named).read_bytes())[1] == reference
    # stdin in a real pipe, not seekable: buffered, as Parquet's footer is at its end
    shell = f"cat {named} | {jac_path()} eval '{F}' --vars x,y,z --points - --format csv"
    proc = run(shell, shell=True)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 51


def test_a_directory_of_parquet_files_is_one_dataset_in_natural_order(tmp_path: Path) -> None:
    data = points(300).drop_columns(["t"])
    folder = tmp_path / "dataset"
    folder.mkdir()
    for k, start in enumerate((0, 100, 200)):  # part.10 comes after part.2
        write(data.slice(start, 100), folder / f"part.{(2, 10, 11)[k]}.parquet")
    (folder / "_SUCCESS").write_text("")
    whole = write(data, tmp_path / "whole.parquet")
    args = ["det", "x*y, x+z, y*z", "--vars", "x,y,z"]
    for extra in ([], ["--log"]):
        got = jac_bytes([*args, *extra, "--points", str(folder)])
        assert got[0] == 0
        assert table(got[1]).equals(table(jac_bytes([*args, *extra, "--points", whole])[1]))
    det = table(jac_bytes([*args, "--points", str(folder)])[1])
    x, y, z = (det.column(n).to_numpy().astype(float) for n in "xyz")
    one, zero = np.ones_like(x), np.zeros_like(x)
    jacobians = np.stack([[y, x, zero], [one, zero, one], [zero, z, y]])  # (3, 3, rows)
    want = np.linalg.det(np.moveaxis(jacobians, 2, 0))
    np.testing.assert_allclose(det.column("det").to_numpy(), want, rtol=1e-12, atol=1e-12)
    log = table(jac_bytes([*args, "--log", "--points", str(folder)])[1])
    assert log.column_names[-2:] == ["sign", "log_abs_det"]
    write(data.select(["x", "y"]).append_column("z", pa.array([1.5] * 300)), folder / "part.3.pq")
    code, _, err = jac_bytes([*args, "--points", str(folder)])
    assert code == 2 and "part.3.pq: its columns differ from those of" in err
    empty = tmp_path / "nothing"
    empty.mkdir()
    code, _, err = jac_bytes([*args, "--points", str(empty)])
    assert code == 2 and "a directory, not a file of points" in err


def test_more_rows_than_one_batch_and_a_bad_row_in_a_later_file(tmp_path: Path) -> None:
    n = 150_000  # past CHUNK_ROWS, in row groups that do not line up with it
    x = np.linspace(-1, 1, n)
    path = write(pa.table({"x": x}), tmp_path / "big.parquet", row_group_size=40_000)
    code, out, _ = jac_bytes(["eval", "x^3", "--vars", "x", "--points", path])
    assert code == 0
    assert np.array_equal(table(out).column("df1/dx").to_numpy(), 3 * x**2)
    folder = tmp_path / "ds"
    folder.mkdir()
    write(pa.table({"x": [1.0, 2.0]}), folder / "a.parquet")
    write(pa.table({"x": [3.0, None]}), folder / "b.parquet")
    code, _, err = jac_bytes(["eval", "x^3", "--vars", "x", "--points", str(folder)])
    assert code == 2 and f"(null) ({folder / 'b.parquet'} row 2, row 4 of {folder})" in err


def test_columns_jac_cannot_read_are_usage_errors(tmp_path: Path) -> None:
    data = pa.table({"x": ["1", "2"], "y": pa.array([True, False]), "w": [1.0, 2.0]})
    path = write(data, tmp_path / "p.parquet")
    code, _, err = jac_bytes(["eval", "x*w", "--vars", "x,w", "--points", path])
    assert code == 2 and "column x holds string, not numbers" in err
    code, _, err = jac_bytes(["eval", "q*w", "--vars", "q,w", "--points", path])
    assert code == 2 and "has no column for q (columns: x, y, w)" in err
    code, out, _ = jac_bytes(["eval", "w^2", "--vars", "w", "--points", path])
    again = tmp_path / "again.parquet"
    again.write_bytes(out)  # its own output, read again: df1/dw would be there twice
    code, _, err = jac_bytes(["eval", "w^2", "--vars", "w", "--points", str(again)])
    assert code == 2 and "the input has a column df1/dw already" in err
    for fmt in ("csv", "tsv"):  # one rule for every output (JSON's keys are "jacobian", ...)
        args = ["eval", "w^2", "--vars", "w", "--points", str(again), "--format", fmt]
        code, _, err = jac_bytes(args)
        assert code == 2 and "the input has a column df1/dw already" in err
    fake = tmp_path / "fake.parquet"
    fake.write_bytes(b"PAR1" + bytes(range(200)) + b"PAR1")
    code, _, err = jac_bytes(["eval", "w", "--vars", "w", "--points", str(fake)])
    assert code == 2 and "fake.parquet: not a Parquet file" in err


def test_with_value_and_json_out(tmp_path: Path) -> None:
    path = write(points(20), tmp_path / "p.parquet")
    result = invoke(["eval", F, "--vars", "x,y,z", "--points", path, "--with-value",
                     "--format", "jsonl"])  # fmt: skip
    assert result.code == 0
    first = _json(result.stdout.splitlines()[0])
    assert first["label"] == "p0" and first["t"] == "1970-01-01T00:00:00"
    assert (
        len(first["value"]) == 3 and first["value"][0] == first["x"] ** 2 + first["y"] * first["z"]
    )


def test_json_lines_to_parquet_keeps_other_keys_as_typed_columns() -> None:
    lines = '{"x": 1, "y": 2, "k": "u", "n": 7}\n{"x": 3, "y": 0, "k": null, "n": 8}\n'
    code, out, err = jac_bytes(["eval", "x/y", "--vars", "x,y", "--points", "-",
                                "--format", "parquet"], input=lines)  # fmt: skip
    assert code == 0, err
    result = table(out)
    assert result.column("k").to_pylist() == ["u", None]
    assert result.schema.field("n").type == pa.int64()
    assert result.column("df1/dx").to_pylist()[0] == 0.5
    assert math.isnan(result.column("df1/dx").to_pylist()[1])
    mixed = '{"x": 1, "y": 2, "k": "u"}\n' * 70_000 + '{"x": 1, "y": 2, "k": [1]}\n'
    code, _, err = jac_bytes(["eval", "x/y", "--vars", "x,y", "--points", "-",
                              "--format", "parquet"], input=mixed)  # fmt: skip
    assert code == 2 and "key k holds values of another type" in err


def test_without_pyarrow_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(points(3), tmp_path / "p.parquet")
    csv_path = tmp_path / "p.csv"
    csv_path.write_text("x,y,z\n1,2,3\n")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    for args in (["--points", path], ["--points", str(csv_path), "--format", "parquet"]):
        code, _, err = jac_bytes(["eval", F, "--vars", "x,y,z", *args])
        assert code == 2 and "pip install 'jaccli[parquet]'" in err, err


def test_parquet_refuses_a_terminal_but_flows_through_a_pipe(tmp_path: Path) -> None:
    import pty

    path = write(points(10), tmp_path / "p.parquet")
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [jac_path(), "eval", F, "--vars", "x,y,z", "--points", path],
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    assert "Parquet is binary, not for a terminal: redirect it to a file" in proc.stderr
    # The reader leaves with os._exit once it has printed: a pyarrow process once aborted
    # in its interpreter's teardown in CI ("terminate called without an active exception",
    # exit 134) after jac had written the whole file.
    reader = (
        "import os, sys, io, pyarrow.parquet as pq; "
        "print(pq.read_table(io.BytesIO(sys.stdin.buffer.read())).num_rows, flush=True); "
        "os._exit(0)"
    )
    shell = f"{jac_path()} eval '{F}' --vars x,y,z --points {path} | {sys.executable} -c '{reader}'"
    proc = run(shell, shell=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "10", proc.stderr


def test_format_parquet_is_only_for_points() -> None:
    result = invoke(["eval", "x*y", "--vars", "x,y", "--at", "x=1,y=2", "--format", "parquet"])
    assert result.code == 2 and "only for --points" in result.stderr


def test_arrow_wraps_doubles_as_pyarrow_array_makes_them() -> None:
    from jaccli.batch.parquet import arrow

    values = np.array([0.0, -0.0, 1.5, np.nan, np.inf, -np.inf, 5e-324, 1e308])
    masked = np.ma.masked_array(values, mask=[i % 3 == 0 for i in range(len(values))])
    empty = np.array([], dtype=np.float64)
    for v in (values, values[::2], values[::-1], np.arange(6), empty, masked):
        made, reference = arrow(v), pa.array(v)
        assert made.type == reference.type and made.null_count == reference.null_count
        assert same(made.to_numpy(zero_copy_only=False), reference.to_numpy(zero_copy_only=False))
        signs = np.signbit(made.to_numpy(zero_copy_only=False)).tolist()
        assert v is masked or signs == np.signbit(v).tolist()
    assert arrow(masked).null_count == 3  # masked entries are nulls, as pyarrow makes them


def test_evaluating_parquet_does_not_import_pandas(tmp_path: Path) -> None:
    """pyarrow.array imports pandas when it is installed (0.3 s a run): jac's doubles avoid
    it (jaccli.batch.parquet.arrow)."""
    path = write(points(3000), tmp_path / "p.parquet")
    code = (
        "import os, sys\n"
        f"sys.argv = ['jac', 'eval', {F!r}, '--vars', 'x,y,z', '--points', {path!r},"
        " '--timeout', '0', '--max-memory', '0']\n"
        "sys.stdout = open(os.devnull, 'w')  # Parquet: bytes\n"
        "from jaccli.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print('pandas' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "False", out.stderr
