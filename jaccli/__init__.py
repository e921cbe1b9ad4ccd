"""jac: the Jacobian matrix, its determinant and linearizations, from the command line.

The package is a pipeline: `parse` turns user text into expressions without ever
evaluating it, `engine` does the mathematics and returns frozen results, `render`
turns a result into text, and `cli` wires the three together for the shell.
"""

__version__ = "0.1.0"
