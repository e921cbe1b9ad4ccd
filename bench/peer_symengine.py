"""Peer E: the same script on SymEngine. `peer_symengine.py jacobian|det VARS < lines`."""

import json
import sys

import symengine

command, names = sys.argv[1], sys.argv[2].split(",")
lines = [line for line in sys.stdin.read().splitlines() if line.strip()]
F = symengine.DenseMatrix([symengine.sympify(line) for line in lines])
J = F.jacobian(symengine.DenseMatrix([symengine.Symbol(n) for n in names]))
if command == "det":
    print(json.dumps(str(J.det())))
else:
    print(json.dumps([[str(J[i, j]) for j in range(J.cols)] for i in range(J.rows)]))
