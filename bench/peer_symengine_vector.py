"""Peer E for vector syntax: tanh(W*x + b) built with SymEngine's DenseMatrix, as a user would.

`peer_symengine_vector.py N` prints J of tanh(W x + b) (W N×N, x and b N) by x as JSON rows.
"""

import json
import sys

import symengine as se

n = int(sys.argv[1])
W = se.DenseMatrix(
    n, n, [se.Symbol(f"W[{i},{j}]") for i in range(1, n + 1) for j in range(1, n + 1)]
)
x = se.DenseMatrix([se.Symbol(f"x[{i}]") for i in range(1, n + 1)])
b = se.DenseMatrix([se.Symbol(f"b[{i}]") for i in range(1, n + 1)])
F = (W * x + b).applyfunc(se.tanh)
J = F.jacobian(x)
print(json.dumps([[str(J[i, j]) for j in range(J.cols)] for i in range(J.rows)]))
