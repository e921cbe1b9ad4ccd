"""jaccli.kernel: text that pickles, the numbers of `jac eval --points`, in any process."""

from __future__ import annotations

import multiprocessing
import pickle
import pickletools
import threading
from typing import Any

import numpy as np
import pytest

import jaccli
from jaccli.batch.kernel import FORMAT, _restore
from jaccli.batch.rows import BadRowError
from jaccli.errors import JacError, JacWarning, ParseError, UsageError

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")

F, VARS = "exp(x+z)*y, x*y*z, sin(x)/y", "x,y,z"


def points(n: int = 300, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    x, y, z = rng.uniform(-2, 2, (3, n))
    y[:2] = 0.0  # sin(x)/y is undefined there
    return {"x": x, "y": y, "z": z}


def eval_points(jac: Any, tmp_path: Any, columns: dict[str, Any], *argv: str) -> Any:
    """`jac eval --points` on the same points as CSV: its header and numbers."""
    path = tmp_path / "points.csv"
    table = np.column_stack(list(columns.values()))
    header = ",".join(columns)
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.17g")
    run = jac([*argv, "--points", str(path), "--format", "csv"])
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    return lines[0].split(","), np.loadtxt(lines[1:], delimiter=",", ndmin=2)


def numbers(out: Any, names: list[str]) -> Any:
    frame = out if isinstance(out, pd.DataFrame) else out.to_pandas()
    return frame[names].to_numpy(dtype=float)


def test_pickles_as_a_little_text_and_back() -> None:
    k = jaccli.kernel(F, vars=VARS, with_value=True)
    k(pd.DataFrame(points(10)))  # compiled: still nothing compiled is pickled
    data = pickle.dumps(k)
    assert len(data) < 1024
    ops = {op.name for op, _, _ in pickletools.genops(data)}
    assert not [op for op in ops if "BYTES" in op or "BYTEARRAY" in op], ops
    assert F.encode() in data
    again = pickle.loads(data)
    assert again == k and hash(again) == hash(k)
    frame = pd.DataFrame(points(50))
    np.testing.assert_array_equal(
        numbers(again(frame), k.columns()), numbers(k(frame), k.columns())
    )


def test_same_type_out_and_the_numbers_of_eval_points(jac: Any, tmp_path: Any) -> None:
    columns = points()
    header, expected = eval_points(
        jac, tmp_path, columns, "eval", F, "--vars", VARS, "--with-value"
    )
    k = jaccli.kernel(F, vars=VARS, with_value=True)
    assert header == [*columns, *k.columns()]
    assert k.columns()[:4] == ["f1", "f2", "f3", "df1/dx"]
    batch = pa.RecordBatch.from_pydict(columns)
    table = pa.Table.from_batches([batch.slice(0, 100), batch.slice(100)])  # two chunks
    for given in (pd.DataFrame(columns), batch, table):
        out = k(given)
        assert type(out) is type(given)
        names = list(out.columns) if isinstance(out, pd.DataFrame) else out.schema.names
        assert names == header
        np.testing.assert_array_equal(numbers(out, header), expected)
    assert np.isnan(expected[:2, -3:]).all()  # row y = 0: sin(x)/y undefined


def test_det_log_with_a_parameter_read_from_a_column(jac: Any, tmp_path: Any) -> None:
    columns = {**points(100, seed=1), "a": np.linspace(-1, 1, 100)}
    det = ("det", "a*x^2 - y, x*y*z, z + sin(y)", "--vars", VARS, "--log")
    header, expected = eval_points(jac, tmp_path, columns, *det)
    k = jaccli.kernel(det[1], vars=VARS, det="log")
    assert k.inputs() == ["x", "y", "z", "a"] and k.columns() == ["sign", "log_abs_det"]
    out = k(pa.RecordBatch.from_pydict(columns))
    np.testing.assert_array_equal(numbers(out, header), expected)
    fixed = jaccli.kernel(det[1], vars=VARS, det=True, at="a=1/2")
    assert fixed.inputs() == ["x", "y", "z"] and fixed.columns() == ["det"]


def test_mistakes_raise_in_the_caller() -> None:
    with pytest.raises(ParseError):
        jaccli.kernel("x+", vars="x")
    with pytest.raises(JacError, match="square"):
        jaccli.kernel("x*y", vars="x,y", det=True)
    with pytest.raises(UsageError, match="a variable"):
        jaccli.kernel("a*x", vars="x", at="x=1")
    with pytest.raises(UsageError, match="on_error"):
        jaccli.kernel("x", vars="x", on_error="ignore")
    with pytest.warns(JacWarning):
        jaccli.kernel("x*y + y", vars="x,y,z")  # z unused
    k = jaccli.kernel("x*y", vars="x,y")
    with pytest.raises(UsageError, match="no column y"):
        k(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(UsageError, match="column y holds string"):
        k(pa.RecordBatch.from_pydict({"x": [1.0], "y": ["a"]}))
    with pytest.raises(TypeError, match="pandas DataFrame"):
        k({"x": [1.0], "y": [2.0]})


def test_columns_read_as_eval_points_reads_them(jac: Any, tmp_path: Any) -> None:
    """Dictionary-encoded (pandas: categorical) and 64-bit integer columns: the numbers of
    eval --points on the same Parquet file; an input column named as a result is refused."""
    big = 2**62 + 1  # beyond 2**53: rounded to a double, as eval --points does
    table = pa.table(
        {
            "x": pa.array([1.5, -2.0, 1.5, None]).dictionary_encode(),
            "y": pa.array([3, big, -1, 2], pa.int64()),
        }
    )
    path = tmp_path / "d.parquet"
    pq.write_table(table, path)
    run = jac(["eval", "x*y", "--vars", "x,y", "--points", str(path), "--with-value",
               "--on-error", "skip", "--format", "csv", "-q"])  # fmt: skip
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()[1:]  # x is empty in the row of its null
    expected = np.array([[float(v) for v in line.split(",")[2:]] for line in lines])
    k = jaccli.kernel("x*y", vars="x,y", with_value=True, on_error="skip")
    arrow = np.column_stack([k(table).column(c).to_numpy() for c in k.columns()])
    np.testing.assert_array_equal(arrow, expected)
    assert arrow[1, 0] == -2.0 * float(big)
    frame = k(table.slice(0, 3).to_pandas())  # x categorical; pandas has no null there
    assert str(table.slice(0, 3).to_pandas()["x"].dtype) == "category"
    np.testing.assert_array_equal(frame[k.columns()].to_numpy(), expected[:3])
    for batch in (
        pd.DataFrame({"x": [1.0], "y": [2.0], "f1": [0.0]}),
        pa.table({"x": [1.0], "f1": [0.0]}),
    ):
        with pytest.raises(UsageError, match="column f1 already"):
            k(batch)


def test_a_null_stops_or_is_skipped() -> None:
    batch = pa.RecordBatch.from_pydict({"x": [1, 2, 3], "y": [1.0, None, 3.0]})
    with pytest.raises(BadRowError, match="row 2 of the batch has no value for y"):
        jaccli.kernel("x*y", vars="x,y")(batch)
    out = jaccli.kernel("x*y", vars="x,y", on_error="skip")(batch).to_pandas()
    assert out["df1/dx"].tolist()[0] == 1.0 and np.isnan(out["df1/dx"][1])
    assert out["df1/dy"].tolist()[2] == 3.0
    empty = jaccli.kernel("x*y", vars="x,y")(batch.slice(0, 0))  # Dask makes empty partitions
    assert empty.num_rows == 0 and empty.schema.names[-1] == "df1/dy"


def test_a_spawned_process_pool_compiles_its_own() -> None:
    k = jaccli.kernel(F, vars=VARS)
    frames = [pd.DataFrame(points(200, seed)) for seed in (1, 2)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        outs = pool.map(k, frames)
    for frame, out in zip(frames, outs, strict=True):
        np.testing.assert_array_equal(numbers(out, k.columns()), numbers(k(frame), k.columns()))


def test_two_threads_on_one_kernel() -> None:
    k = jaccli.kernel("tanh(x*y) + z/x, x^y, log(z)*y", vars="x,y,z")  # compiled here
    batch = pa.RecordBatch.from_pydict(points(20_000, seed=3))
    expected = numbers(k(batch), k.columns())
    start, results = threading.Barrier(2), []

    def work() -> None:
        start.wait()
        results.extend(numbers(k(batch), k.columns()) for _ in range(5))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 10
    for found in results:
        np.testing.assert_array_equal(found, expected)


def test_dask_dataframe_map_partitions_with_meta() -> None:
    dd = pytest.importorskip("dask.dataframe")
    import dask

    k = jaccli.kernel(F, vars=VARS)
    frame = pd.DataFrame(points(600, seed=4))
    ddf = dd.from_pandas(frame, npartitions=3)
    out = ddf.map_partitions(k, meta=k.meta(ddf)).compute(scheduler="threads")
    assert list(out.columns) == [*frame.columns, *k.columns()]
    np.testing.assert_array_equal(numbers(out, k.columns()), numbers(k(frame), k.columns()))
    assert dask.base.tokenize(k) == dask.base.tokenize(pickle.loads(pickle.dumps(k)))
    assert dask.base.tokenize(k) != dask.base.tokenize(jaccli.kernel(F, vars="z,y,x"))


def test_another_version_warns_and_another_format_is_refused() -> None:
    spec = tuple(jaccli.kernel("x*y", vars="x,y").spec)
    with pytest.warns(JacWarning, match="pickled by jac 0.0.1"):
        _restore(FORMAT, "0.0.1", spec)
    with pytest.raises(UsageError, match="format"):
        _restore(FORMAT + 1, jaccli.__version__, spec)
