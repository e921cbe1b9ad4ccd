"""jac: the Jacobian matrix, its determinant and linearizations, from the command line.

The package is a pipeline: `parse` turns user text into expressions without ever
evaluating it, `problem` checks text, variables and points as one problem, `engine`
does the mathematics and returns frozen results, `render` turns a result into text,
and `cli` wires them together for the shell. `jaccli.jacobian(...)` and the other
functions of `jaccli.api` are the same core for Python and notebooks.
"""

from typing import Any

__version__ = "0.1.0"

_API = ("jacobian", "det", "evaluate", "linearize", "JacWarning")
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    """The API, imported on first use (PEP 562): `jac --help` never pays for it."""
    if name in _API:
        from jaccli import api

        return getattr(api, name)
    raise AttributeError(f"module 'jaccli' has no attribute {name!r}")
