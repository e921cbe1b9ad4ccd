"""Peer for eval --points with Parquet: the 3x3 example's Jacobian by hand with pyarrow and NumPy.

    python3 bench/peer_parquet.py points.parquet > out.parquet

Reads the points (columns x, y, z) with pyarrow.parquet.read_table, evaluates the nine
entries of J for F = (x^2 + y*z, sin(x*y), e^(x+z)) at every row in NumPy, as a person
would without jac, and writes what `jac eval --points points.parquet > out.parquet` writes:
the input's columns, then J row by row as double columns df1/dx ... df3/dz, in one
write_table without dictionary encoding (with it, writing random doubles is 12x slower).
Unlike jac it holds the whole table in memory, and checks nothing (no undefined entries).
"""

import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

table = pq.read_table(sys.argv[1])
x, y, z = (table.column(n).to_numpy() for n in ("x", "y", "z"))
cos_xy = np.cos(x * y)
exp_xz = np.exp(x + z)
zero = np.zeros_like(x)
entries = [2 * x, z, y, y * cos_xy, x * cos_xy, zero, exp_xz, zero, exp_xz]
names = [f"df{i}/d{v}" for i in (1, 2, 3) for v in ("x", "y", "z")]
for name, values in zip(names, entries, strict=True):
    table = table.append_column(name, pa.array(values))
pq.write_table(table, sys.stdout.buffer, use_dictionary=False)
