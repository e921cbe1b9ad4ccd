"""Peer for eval --points: the 3x3 example's Jacobian written out by hand in NumPy.

    python3 bench/peer_numpy_points.py points.csv

Reads the same CSV (header x,y,z) with numpy.loadtxt and evaluates the nine
entries of J for F = (x^2 + y*z, sin(x*y), e^(x+z)) at every row, as a person
would without jac. It writes nothing: the target compares jac, which also has
to print a million records, against reading and evaluating alone.
"""

import sys

import numpy as np

data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, ndmin=2)
x, y, z = data[:, 0], data[:, 1], data[:, 2]
J = np.empty((len(x), 9))
cos_xy = np.cos(x * y)
exp_xz = np.exp(x + z)
J[:, 0] = 2 * x
J[:, 1] = z
J[:, 2] = y
J[:, 3] = y * cos_xy
J[:, 4] = x * cos_xy
J[:, 5] = 0.0
J[:, 6] = exp_xz
J[:, 7] = 0.0
J[:, 8] = exp_xz
print(J.shape, float(J.sum()), file=sys.stderr)
