"""The front end in-process: jac's reading of F against SymEngine's own C++ parser.

    python3 bench/peer_frontend.py            # layer100 (target), layer30, arm60
    python3 bench/peer_frontend.py layer100

The peer is `[symengine.sympify(line) for line in lines]`, the exact call of peer E
(bench/peer_symengine.py): SymEngine's parser of a `str` also builds the expressions, so
jac's side is reading and building too, `jaccli.parse.read_and_build` (tokens, limits,
parse, SymEngine values), from the text to the components. Interleaved, `gc.collect()`
before each, median of 11; target at most 1.5x on layer 100 (issue 16), the other rows
printed for the reader. Exit status 1 when the target is missed. Run by
`bench/run.py --only frontend`.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import symengine  # noqa: E402
import workloads  # noqa: E402

from jaccli import _symengine  # noqa: E402
from jaccli.parse import DEFAULT_LIMITS, read_and_build  # noqa: E402

CASES = {"layer100": ("layer", 100), "layer30": ("layer", 30), "arm60": ("arm", 60)}
TARGETS = {"layer100": 1.5}
RUNS = 11


def _median(runs: list[Callable[[], object]]) -> list[float]:
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(RUNS):
        for spent, run in zip(times, runs, strict=True):
            gc.collect()
            start = time.perf_counter()
            run()
            spent.append(time.perf_counter() - start)
    return [statistics.median(t) * 1000 for t in times]


def _case(lines: list[str], variables: list[str]) -> list[float]:
    text = "\n".join(lines)
    return _median(
        [
            lambda: [symengine.sympify(line) for line in lines],
            lambda: read_and_build(["-"], variables, lambda: text, DEFAULT_LIMITS),
        ]
    )


def main() -> None:
    _symengine.load()
    names = sys.argv[1:] or list(CASES)
    header = (
        f"front end in-process, text to SymEngine values, median of {RUNS} interleaved (ms)\n\n"
        "| case | SymEngine sympify | jac read_and_build | ratio (target) | ok |\n"
        "| --- | ---: | ---: | --- | :---: |"
    )
    print(header)
    ok = True
    for name in names:
        kind, n = CASES[name]
        peer, jac = _case(*getattr(workloads, kind)(n))
        target = TARGETS.get(name)
        met = target is None or jac / peer <= target
        ok &= met
        wanted = f" (≤ {target})" if target else ""
        mark = "" if target is None else ("yes" if met else "**no**")
        print(f"| {name} | {peer:.1f} | {jac:.1f} | {jac / peer:.2f}{wanted} | {mark} |")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
