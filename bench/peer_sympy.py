"""Peer S: the plain SymPy script a user would write. `peer_sympy.py jacobian|det VARS < lines`."""

import json
import sys

import sympy

command, names = sys.argv[1], sys.argv[2].split(",")
lines = [line for line in sys.stdin.read().splitlines() if line.strip()]
F = sympy.Matrix([sympy.sympify(line) for line in lines])
J = F.jacobian(sympy.symbols(names))
if command == "det":
    print(json.dumps(str(sympy.simplify(J.det()))))
else:
    print(json.dumps([[str(e) for e in row] for row in J.tolist()]))
