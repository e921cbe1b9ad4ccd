"""J·v against the full J in one process, without start-up, reading or printing.

`jvp_share.py` reads the 100×100 tanh layer (bench/workloads.py's layer100, and the same layer
as tanh(W*x + b) with shapes), then times engine.jacobian and engine.jvp on it, best of 5, and
prints each and their ratio: the work a JVP saves by never forming J's columns.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads  # noqa: E402

from jaccli import engine, problem  # noqa: E402


def best(work, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


exprs, names = workloads.layer(100)
inputs = {
    "layer100 (text)": problem.read(exprs, names),
    "tanh(W*x + b)": problem.read("tanh(W*x + b)", "x", shapes="W=100x100,x=100,b=100"),
}
for label, p in inputs.items():
    direction = [k % 7 - 3 for k in range(len(p.variables))]
    full = best(lambda p=p: engine.jacobian(p.functions, p.variables))
    one = best(lambda p=p, d=direction: engine.jvp(p.functions, p.variables, d))
    print(f"{label}: jacobian {full:.3f} s, jvp {one:.3f} s, jvp/jacobian {one / full:.3f}")
