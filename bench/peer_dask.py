"""The dask job: `eval --points --dask` on a LocalCluster of 2 workers against one process.

    python3 bench/peer_dask.py [--runs 3] [--files 10] [--rows 1000000]

Writes 10 Parquet files of 10^6 random points (x, y, z) into a temporary directory, then
evaluates J of F = (exp(x+z)*y, x*y*z, sin(x)/y) at all 10^7 of them into Parquet files:
- one process: every file in turn through `distributed.evaluate_fragment`, the task the
  workers run (read in batches, the kernel, one Parquet file written);
- LocalCluster(n_workers=2, threads_per_worker=1): `distributed.run`, the code behind
  `jac eval --points DIR --dask ADDRESS --output OUT`, a client connecting per run.
The target (issue 15) is throughput: at least 1.5× one process's, measured once the cluster
is up and its workers have imported jac and compiled F (a long-lived cluster pays that once);
the start and the warm-up are reported on a line of their own. Medians of --runs, interleaved.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

F, VARS = "exp(x+z)*y, x*y*z, sin(x)/y", "x,y,z"


def generate(root: Path, files: int, rows: int) -> list[Path]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = []
    for i in range(files):
        x, y, z = np.random.default_rng(i).uniform(-2, 2, (3, rows))
        path = root / f"points-{i:02d}.parquet"
        pq.write_table(pa.table({"x": x, "y": y, "z": z}), path)
        paths.append(path)
    return paths


def warm(kernel: Any) -> None:
    """On a worker: import jac and pyarrow, compile F."""
    import pyarrow.parquet  # noqa: F401

    kernel.plan  # noqa: B018


def one_process(kernel: Any, paths: list[Path], out: Path) -> float:
    from jaccli.batch import distributed

    out.mkdir()
    start = time.perf_counter()
    for k, path in enumerate(paths):
        part = str(out / f"part-{k:05d}.parquet")
        distributed.evaluate_fragment(
            distributed.Fragment(str(path), path.name, None, 1, part), kernel
        )
    return time.perf_counter() - start


def on_cluster(kernel: Any, data: Path, out: Path, address: str) -> float:
    from jaccli.batch import distributed

    start = time.perf_counter()
    job = distributed.prepare(str(data), address, str(out), None)
    _, error = distributed.run(kernel, job, str(data))
    assert error is None, error
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    import pyarrow.parquet as pq
    from distributed import Client, LocalCluster

    import jaccli

    kernel = jaccli.kernel(F, vars=VARS)  # compiled here, for the one process
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "data").mkdir()
        paths = generate(tmp / "data", args.files, args.rows)
        points = args.files * args.rows
        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = Client(cluster)
        started = time.perf_counter()
        client.run(warm, kernel)
        warmed = time.perf_counter()
        single, spread = [], []
        for run in range(args.runs):
            for name, times in (("one", single), ("cluster", spread)):
                out = tmp / f"out-{name}-{run}"
                if name == "one":
                    times.append(one_process(kernel, paths, out))
                else:
                    times.append(on_cluster(kernel, tmp / "data", out, cluster.scheduler_address))
                if run:  # ~1 GB of doubles each: keep only the first run's to compare
                    shutil.rmtree(out)
        same = all(
            pq.read_table(part).equals(pq.read_table(tmp / "out-cluster-0" / part.name))
            for part in sorted((tmp / "out-one-0").iterdir())
        )
        closing = time.perf_counter()
        client.close()
        cluster.close()
        closed = time.perf_counter() - closing
        for out in tmp.glob("out-*"):
            shutil.rmtree(out)
    a, b = statistics.median(single), statistics.median(spread)
    ratio = a / b
    ok = ratio >= 1.5 and same
    print(f"dask LocalCluster(2 workers, 1 thread each), {os.cpu_count()} cores: start "
          f"{started - start:.2f} s, warm-up (import jac, compile F) {warmed - started:.2f} s, "
          f"close {closed:.2f} s")  # fmt: skip
    print("| job | cluster | one process | throughput ratio (target) | ok |")
    print("| --- | ---: | ---: | --- | :---: |")
    print(f"| dask {points:.0e} points, Parquet → Parquet | {b:.3f} s ({points / b / 1e6:.2f} "
          f"M/s) | {a:.3f} s ({points / a / 1e6:.2f} M/s) | {ratio:.2f}× (≥ 1.5) | "
          f"{'yes' if ok else '**no**'} |")  # fmt: skip
    if not same:
        print("the cluster's output differs from one process's")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":  # LocalCluster's workers are spawned and import this module again
    main()
