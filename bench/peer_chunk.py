"""eval --points, one chunk of 10^5 points: jac's evaluate against the bare SymEngine call.

    python3 bench/peer_chunk.py            # ex3, house3, arm20
    python3 bench/peer_chunk.py ex3 arm20

The peer is what a person with SymEngine writes: `Lambdify(vars, J, cse=True,
backend="llvm")` of the whole J (zeros included), called on the points stacked into one
(rows, n) array, prepared beforehand and not timed. jac's `compute.evaluate` starts from
the columns (as the stream hands them over), and also computes F, checks every point for
undefined entries (F as typed, kinks, 0^0) and writes NaN there: target at most 2x the
bare call. Two jac rows: fresh arrays on every call (the default, what jaccli.kernel
gets) and the stream's reused buffers (`reuse=True`). Every chunk's columns are new
arrays, as in the stream. Median of 21 chunks, interleaved; exit status 1 when a target
is missed. Run by `bench/run.py --only chunk`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import symengine as se  # noqa: E402
import workloads  # noqa: E402

from jaccli import problem  # noqa: E402
from jaccli.batch import compute, stream  # noqa: E402

ROWS = 100_000
TARGET = 2.0
CASES: dict[str, tuple[list[str], str]] = {
    "ex3": (["exp(x+z)*y", "x*y*z", "sin(x)/y"], "x,y,z"),
    "house3": (["x^2 + y*z", "sin(x*y)", "exp(x+z)"], "x,y,z"),
}


def case(name: str) -> tuple[list[str], str]:
    if name in CASES:
        return CASES[name]
    kind = name.rstrip("0123456789")
    exprs, names = getattr(workloads, kind)(int(name[len(kind) :]))
    return list(exprs), ",".join(names)


def run(name: str, chunks: int = 21) -> tuple[float, float, float]:
    functions, names = case(name)
    plan = stream.plan(problem.read(functions, names), None, False)
    compiled = plan.compiled
    symbols = [se.Symbol(s) for s in compiled.names]
    n = compiled.shape[1]
    variables = symbols[:n]
    jacobian = [f.diff(v) for f in problem.read(functions, names).functions for v in variables]
    bare = se.Lambdify(symbols, jacobian, cse=True, backend="llvm")
    rng = np.random.default_rng(0)
    times: dict[str, list[float]] = {"bare": [], "jac": [], "jac reuse": []}
    for _ in range(chunks):
        columns = {c: rng.uniform(-2, 2, ROWS) for c in compiled.names}
        values = np.column_stack([columns[c] for c in compiled.names])
        for label in times:
            start = time.perf_counter()
            if label == "bare":
                bare(values)
            else:
                compute.evaluate(compiled, dict(columns), reuse=label == "jac reuse")
            times[label].append(time.perf_counter() - start)
    bare_ms, jac_ms, reuse_ms = (statistics.median(times[k]) * 1e3 for k in times)
    return bare_ms, jac_ms, reuse_ms


def main() -> None:
    names = sys.argv[1:] or ["ex3", "house3", "arm20"]
    print(f"eval --points, one chunk of {ROWS:,} points, median of 21 (ms)")
    print()
    print("| case | bare Lambdify | jac | ratio (target) | jac, reused buffers | ratio | ok |")
    print("| --- | ---: | ---: | --- | ---: | --- | :---: |")
    ok = True
    for name in names:
        bare, jac, reuse = run(name)
        met = jac / bare <= TARGET
        ok &= met
        print(f"| {name} | {bare:.2f} | {jac:.2f} | {jac / bare:.2f} (≤ {TARGET}) | {reuse:.2f} "
              f"| {reuse / bare:.2f} | {'yes' if met else '**no**'} |")  # fmt: skip
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
