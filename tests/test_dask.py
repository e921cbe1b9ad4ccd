"""`jac eval --points DATA --dask ... --output DIR` on a LocalCluster and on Dask's local
scheduler: the same numbers as one process, a bad row in one partition, the usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
distributed = pytest.importorskip("distributed")

F, VARS = "exp(x+z)*y, x*y*z, sin(x)/y", "x,y,z"
ROWS = 3_000  # per file; 3 files of 3 row groups


@pytest.fixture(scope="module")
def data(tmp_path_factory: Any) -> Path:
    """3 Parquet files with a text column, and the same points as one CSV file beside them."""
    root = tmp_path_factory.mktemp("dask")
    rng = np.random.default_rng(15)
    (root / "data").mkdir()
    frames = []
    for i in range(3):
        x, y, z = rng.uniform(-2, 2, (3, ROWS))
        y[:2] = 0.0  # undefined entries: sin(x)/y
        ids = [f"p{i}-{k}" for k in range(ROWS)]
        table = pa.table({"x": x, "y": y, "z": z, "id": ids})
        pq.write_table(table, root / "data" / f"part{i}.parquet", row_group_size=ROWS // 3)
        frames.append(np.column_stack([x, y, z]))
    np.savetxt(root / "points.csv", np.vstack(frames), delimiter=",", header="x,y,z",
               comments="", fmt="%.17g")  # fmt: skip
    return root


@pytest.fixture(scope="module")
def address() -> Any:
    # dashboard_address ":0", not None: None still serves /metrics on 8787, and a second
    # cluster (another xdist worker, another test run) warns that the port is taken.
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    yield cluster.scheduler_address
    cluster.close()


def jac_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "jaccli", *args]
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=120)


def one_process(jac: Any, data: Path, *argv: str) -> Any:
    run = jac([*argv, "--points", str(data / "points.csv"), "--format", "csv"])
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    return lines[0].split(","), np.loadtxt(lines[1:], delimiter=",", ndmin=2)


def dataset(path: Path, names: list[str]) -> Any:
    return pq.read_table(path).to_pandas()[names].to_numpy(dtype=float)


def test_a_cluster_gives_what_one_process_gives(jac: Any, data: Path, address: str) -> None:
    header, expected = one_process(jac, data, "eval", F, "--vars", VARS, "--with-value")
    out = data / "cluster"
    argv = ("eval", F, "--vars", VARS, "--with-value", "--points", "data")  # relative paths:
    run = jac_process(*argv, f"--dask={address}", "--output", "cluster", cwd=data)  # workers'
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    parts = sorted(p.name for p in out.iterdir())
    assert parts == [f"part-{k:05d}.parquet" for k in range(len(parts))] and len(parts) >= 3
    written = pq.read_table(out)
    assert written.schema.names == [*header[:3], "id", *header[3:]]
    assert written.column("id").to_pylist()[:2] == ["p0-0", "p0-1"]
    np.testing.assert_array_equal(dataset(out, header), expected)
    assert "6 of 9,000 points have undefined entries" in run.stderr
    assert "data/part0.parquet row 1 (df3/dx, df3/dy, df3/dz)" in run.stderr
    assert "9,000 points written to cluster" in run.stderr


def test_det_on_the_default_local_scheduler(jac: Any, data: Path) -> None:
    header, expected = one_process(jac, data, "det", F, "--vars", VARS, "--log")
    out = data / "local"
    argv = ("det", F, "--vars", VARS, "--log", "--points", str(data / "data"))
    run = jac_process(*argv, "--dask", "local", "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert header[3:] == ["sign", "log_abs_det"]
    np.testing.assert_array_equal(dataset(out, header), expected)


@pytest.fixture(scope="module")
def nulls(data: Path) -> Path:
    """Two files; the second has no y in its row 7."""
    root = data / "nulls"
    root.mkdir()
    for i in range(2):
        y = [float(k) for k in range(1, 11)]
        if i == 1:
            y[6] = None  # type: ignore[call-overload]
        pq.write_table(pa.table({"x": [0.5] * 10, "y": y, "z": [1.0] * 10}), root / f"{i}.parquet")
    return root


def test_a_bad_row_in_one_partition_stops_it_alone(jac: Any, nulls: Path) -> None:
    out = nulls.parent / "stopped"
    argv = ["eval", F, "--vars", VARS, "--points", str(nulls), "--dask", "threads"]
    run = jac([*argv, "--output", str(out)])  # the same tasks, in threads of this process
    assert run.code == 2
    lines = run.stderr.splitlines()
    assert lines[-1] == f"jac: error: no value for y (null) ({nulls}/1.parquet row 7)"
    assert "16 points written" in run.stderr and "--on-error skip" in run.stderr
    assert "Traceback" not in run.stderr
    assert [pq.read_metadata(p).num_rows for p in sorted(out.iterdir())] == [10, 6]


def test_skip_writes_nan_and_counts_it(jac: Any, nulls: Path) -> None:
    out = nulls.parent / "skipped"
    argv = ["eval", F, "--vars", VARS, "--points", str(nulls), "--on-error", "skip"]
    run = jac([*argv, "--dask", "synchronous", "--output", str(out)])
    assert run.code == 0, run.stderr
    assert "1 of 20 rows" in run.stderr and "1.parquet row 7: no value for y (null)" in run.stderr
    values = dataset(out, ["df1/dx", "df2/dy"])
    assert np.isnan(values[16]).all() and np.isfinite(np.delete(values, 16, axis=0)).all()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--points", "{csv}", "--dask", "local", "-o", "{new}"], "--dask reads Parquet"),
        (["--points", "{data}", "--dask", "local"], "add --output DIR"),
        (["--points", "{data}", "--dask", "local", "-o", "{data}"], "not empty"),
        (["--points", "{data}", "-o", "{new}"], "--output DIR is for --dask"),
        (["--at", "x=1,y=2,z=3", "--dask", "local"], "add --points DATA.parquet"),
        (["--points", "{data}", "--dask", "local", "-o", "{new}", "--digits", "3"], "--digits"),
        (["--points", "{data}", "--dask", "local", "-o", "{new}", "--format", "csv"], "not csv"),
    ],
)
def test_usage_errors(jac: Any, data: Path, argv: list[str], message: str) -> None:
    paths = {"csv": data / "points.csv", "data": data / "data", "new": data / "never"}
    argv = [a.format(**paths) for a in argv]
    run = jac(["eval", F, "--vars", VARS, *argv])
    assert run.code == 2 and message in run.stderr, run.stderr
    assert not (data / "never").exists()


def test_an_unreachable_scheduler_is_one_line(jac: Any, data: Path) -> None:
    out = data / "unreached"
    argv = ["eval", F, "--vars", VARS, "--points", str(data / "data")]
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        run = jac([*argv, "--dask", "tcp://127.0.0.1:1", "--output", str(out)])
    assert run.code == 2
    assert run.stderr.startswith("jac: error: --dask: cannot reach the Dask scheduler at tcp://")
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"x": pa.array([1, 2], pa.int32()), "y": [3.0, 4.0]}, "its columns differ"),
        ({"y": [3.0, 4.0], "x": [1.0, 2.0]}, "its columns differ"),
        ({"x": [1.0, 2.0], "y": [3.0, 4.0], "df1/dx": [0.0, 0.0]}, "column df1/dx already"),
    ],
)
def test_files_refused_as_without_dask(
    jac: Any, tmp_path: Path, second: dict[str, Any], message: str
) -> None:
    """Files of one dataset with other columns (type, order), or a column named as a
    result: the same usage error with and without --dask, and no part written."""
    (tmp_path / "in").mkdir()
    first = {"x": [1.0, 2.0], "y": [3.0, 4.0]} if "df1/dx" not in second else second
    pq.write_table(pa.table(first), tmp_path / "in" / "a.parquet")
    pq.write_table(pa.table(second), tmp_path / "in" / "b.parquet")
    argv = ["eval", "x*y", "--vars", "x,y", "--points", str(tmp_path / "in")]
    alone = jac([*argv, "--format", "csv"])
    assert alone.code == 2 and message in alone.stderr, alone.stderr
    run = jac([*argv, "--dask", "synchronous", "--output", str(tmp_path / "out")])
    assert run.code == 2 and message in run.stderr, run.stderr
    assert not (tmp_path / "out").exists()
