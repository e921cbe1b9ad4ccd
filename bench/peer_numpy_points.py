"""Peer for eval --points: the 3x3 example's Jacobian written out by hand in NumPy.

    python3 bench/peer_numpy_points.py points.csv > out.csv

Reads the same CSV (header x,y,z) with numpy.loadtxt, evaluates the nine entries of J for
F = (x^2 + y*z, sin(x*y), e^(x+z)) at every row, as a person would without jac, and writes
the same CSV as `jac eval --points --format csv`: the point, then J row by row, each number
to 17 significant digits (numpy.savetxt's "%.17g", which reads back to the same double as
jac's shortest round-trip text), under the same header.
"""

import sys

import numpy as np

data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, ndmin=2)
x, y, z = data[:, 0], data[:, 1], data[:, 2]
out = np.empty((len(x), 12))
out[:, :3] = data[:, :3]
cos_xy = np.cos(x * y)
exp_xz = np.exp(x + z)
out[:, 3] = 2 * x
out[:, 4] = z
out[:, 5] = y
out[:, 6] = y * cos_xy
out[:, 7] = x * cos_xy
out[:, 8] = 0.0
out[:, 9] = exp_xz
out[:, 10] = 0.0
out[:, 11] = exp_xz
header = ",".join(
    ["x", "y", "z"] + [f"df{i}/d{v}" for i in (1, 2, 3) for v in ("x", "y", "z")]
)
np.savetxt(sys.stdout, out, fmt="%.17g", delimiter=",", header=header, comments="")
