"""CasADi peer for the sparse Jacobians of bench/workloads.py: the issue's user script.

    python3 bench/peer_casadi_bratu.py N [OUT] [--split] [--kinetics]

Builds the same residual as `workloads.bratu(N)` (or `workloads.kinetics(N)` with
--kinetics) from CasADi SX symbols in Python, takes `ca.jacobian` with respect to the N
unknowns, and writes its non-zeros as `row<TAB>col<TAB>entry` lines (1-based, the entry in
CasADi's own syntax) to OUT (a file; "-" or none: stdout), which is what
`jac jacobian - --vars u0..u{N-1} --sparse --format plain` writes. It reads no input: a
CasADi user builds the residual in Python rather than parsing text. Stage times
(build, jacobian, write) go to stderr.

The default is the script as the issue's user wrote it: `u[i]` on an SX vector of N
symbols, which CasADi answers by slicing through the vector's sparsity. `--split` takes the
elements once with `ca.vertsplit`, as a CasADi expert would (the same output bytes): the
fairer peer, printed beside the first so that a reader can see both. (With CasADi 3.8.2 on
the bench machine the two differ by about 10% at 10^5; earlier measurements found 40%.)
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import casadi as ca


def bratu(n: int, split: bool) -> tuple[Any, Any]:
    """F_i = u_{i-1} - 2 u_i + u_{i+1} + h^2 lam exp(u_i), with u_{-1} = u_n = 0."""
    u = ca.SX.sym("u", n)
    x = ca.vertsplit(u) if split else u
    h = ca.SX.sym("h")
    lam = ca.SX.sym("lam")
    rows = []
    for i in range(n):
        left = x[i - 1] if i > 0 else 0
        right = x[i + 1] if i < n - 1 else 0
        rows.append(left - 2 * x[i] + right + h**2 * lam * ca.exp(x[i]))
    return ca.vertcat(*rows), u


def kinetics(n: int, split: bool) -> tuple[Any, Any]:
    """The mass-action chain: k_{i-1} c_{i-1}^2 - r_{i-1} c_i - k_i c_i^2 + r_i c_{i+1}."""
    c = ca.SX.sym("c", n)
    k = ca.SX.sym("k", n - 1)
    r = ca.SX.sym("r", n - 1)
    x, kx, rx = (ca.vertsplit(v) for v in (c, k, r)) if split else (c, k, r)
    rows = []
    for i in range(n):
        row: Any = 0
        if i > 0:
            row = kx[i - 1] * x[i - 1] ** 2 - rx[i - 1] * x[i]
        if i < n - 1:
            row = row - kx[i] * x[i] ** 2 + rx[i] * x[i + 1]
        rows.append(row)
    return ca.vertcat(*rows), c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="unknowns (and equations)")
    parser.add_argument("out", nargs="?", default="-", help="output file (- for stdout)")
    parser.add_argument("--split", action="store_true", help="elements by ca.vertsplit")
    parser.add_argument("--kinetics", action="store_true", help="the kinetics chain")
    args = parser.parse_args()
    out = open(args.out, "w") if args.out != "-" else sys.stdout  # noqa: SIM115
    t0 = time.perf_counter()
    f, unknowns = (kinetics if args.kinetics else bratu)(args.n, args.split)
    t1 = time.perf_counter()
    jacobian = ca.jacobian(f, unknowns)
    t2 = time.perf_counter()
    pattern = jacobian.sparsity()
    write = out.write
    for r, c, e in zip(pattern.row(), pattern.get_col(), jacobian.nonzeros(), strict=True):
        write(f"{r + 1}\t{c + 1}\t{e}\n")
    out.flush()
    t3 = time.perf_counter()
    print(
        f"build {t1 - t0:.3f} jacobian {t2 - t1:.3f} write {t3 - t2:.3f} nnz {pattern.nnz()}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
