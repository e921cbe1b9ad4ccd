"""Peer E for hessian: SymEngine differentiating twice, as a user would.

`peer_symengine_hessian.py VARS < line` prints the Hessian of the one function on stdin by
VARS as JSON rows: every entry `se.diff(se.diff(f, x_i), x_j)`, the gradient once.
`quadratic_form(n)` is the 100-variable workload (imported by bench/run.py).
"""

from __future__ import annotations

import random


def quadratic_form(n: int) -> tuple[list[str], list[str]]:
    """Σ_{i ≤ j} a_ij x_i x_j with small integer a_ij (seeded: the same every run)."""
    rng = random.Random(n)
    names = [f"x{i}" for i in range(1, n + 1)]
    terms = [f"{rng.randint(-9, 9)}*{names[i]}*{names[j]}" for i in range(n) for j in range(i, n)]
    return ["+".join(terms)], names


if __name__ == "__main__":
    import json
    import sys

    import symengine as se

    names = sys.argv[1].split(",")
    f = se.sympify(next(line for line in sys.stdin.read().splitlines() if line.strip()))
    xs = [se.Symbol(n) for n in names]
    gradient = [se.diff(f, x) for x in xs]
    hessian = [[se.diff(g, x) for x in xs] for g in gradient]
    print(json.dumps([[str(e) for e in row] for row in hessian]))
