"""Many points at once: `jac eval F --points FILE`.

The same pipeline as the rest of jac, for a stream of points instead of one:
`read` turns CSV, TSV or JSON Lines into chunks of columns, `compute` evaluates
the Jacobian on a whole chunk at once in double precision (SymEngine's compiled
Lambdify, with common subexpressions eliminated), and `write` turns each chunk
back into records. Chunks keep memory flat for any number of points.

NumPy is imported only here, so the rest of jac never pays for it.
"""

CHUNK_ROWS = 65_536
