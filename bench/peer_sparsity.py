"""Peers for `jac sparsity`: J's pattern as a user would get it elsewhere.

    peer_sparsity.py symengine VARS < lines   # SymEngine's jacobian, then its non-zeros
    peer_sparsity.py casadi VARS < lines      # CasADi's jacobian_sparsity and uni_coloring

Each prints the pattern as JSON [row, column] pairs from 1 (and CasADi the numbers of
column and row colours), as `jac sparsity --format json` gives them. CasADi reads no text:
the lines are parsed by SymEngine and the tree rebuilt in CasADi's SX, node by node.
Exit 3 when CasADi is not installed (bench/run.py then leaves that peer out).
"""

import json
import sys

import symengine

mode, names = sys.argv[1], sys.argv[2].split(",")
lines = [line for line in sys.stdin.read().splitlines() if line.strip()]
exprs = [symengine.sympify(line) for line in lines]
symbols = [symengine.Symbol(n) for n in names]


def pairs(rows, columns):
    return sorted([int(i) + 1, int(j) + 1] for i, j in zip(rows, columns, strict=True))


if mode == "symengine":
    J = symengine.DenseMatrix(exprs).jacobian(symengine.DenseMatrix(symbols))
    found = [(i, j) for i in range(J.rows) for j in range(J.cols) if J[i, j] != 0]
    print(json.dumps({"pattern": pairs(*zip(*found, strict=True)) if found else []}))
    sys.exit(0)

try:
    import casadi
except ImportError:
    sys.exit(3)

sx = {s: casadi.SX.sym(s.name) for s in symbols}
CALLS = {"exp": casadi.exp, "log": casadi.log, "sin": casadi.sin, "cos": casadi.cos,
         "tan": casadi.tan, "tanh": casadi.tanh, "sqrt": casadi.sqrt}  # fmt: skip


def to_casadi(e):
    if e.is_Symbol:
        return sx[e]
    if e.is_Number:
        return float(e)
    if e.is_Pow and e.args[0] == symengine.E:  # SymEngine writes exp(u) as E**u
        return casadi.exp(to_casadi(e.args[1]))
    args = [to_casadi(a) for a in e.args]
    if e.is_Add:
        return sum(args[1:], args[0])
    if e.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = out * a
        return out
    if e.is_Pow:
        return args[0] ** args[1]
    return CALLS[type(e).__name__.lower()](*args)


parameters = {}
for e in exprs:
    for s in e.free_symbols:
        if s not in sx:
            parameters.setdefault(s, casadi.SX.sym(s.name))
sx.update(parameters)
F = casadi.vertcat(*[to_casadi(e) for e in exprs])
pattern = casadi.jacobian_sparsity(F, casadi.vertcat(*[sx[s] for s in symbols]))
rows, columns = pattern.get_triplet()
out = {
    "pattern": pairs(rows, columns),
    "jvps": pattern.uni_coloring().size2(),
    "vjps": pattern.T.uni_coloring().size2(),
}
print(json.dumps(out))
