"""How much of jac's work on a vector problem is finding the matrix form (target: at most 10%).

`matrix_form_share.py F VARS SHAPES` reads F, differentiates it and finds the matrix form in
this process, timing each step, and prints the form's share of the whole on stderr.
"""

import sys
import time

from jaccli import engine, problem
from jaccli.engine.matrix_form import blocks_for

functions, variables, shapes = sys.argv[1:4]
start = time.perf_counter()
p = problem.read(functions, variables, shapes=shapes)
result = engine.jacobian(p.functions, p.variables)
middle = time.perf_counter()
assert p.structure is not None
blocks = blocks_for(p.structure, result.variables)
end = time.perf_counter()
share = (end - middle) / (end - start)
print(
    f"matrix form: {end - middle:.4f} s of {end - start:.3f} s ({share:.1%}); {blocks[0].form}",
    file=sys.stderr,
)
print(f"{share:.6f}")
sys.exit(0 if share <= 0.10 else 1)
