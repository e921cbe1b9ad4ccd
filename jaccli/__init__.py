"""jac: the Jacobian matrix and the calculus around it, from the command line.

The package is a pipeline: `parse` turns user text into expressions without ever
evaluating it, `problem` checks text, variables and points as one problem, `engine`
does the mathematics and returns frozen results, `render` turns a result into text,
and `cli` wires them together for the shell. `jaccli.jacobian(...)` and the other
functions of `jaccli.api` are the same core for Python and notebooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for type checkers and editors; at run time they load on first use
    from jaccli.api import (
        JacWarning,
        chain,
        check,
        det,
        evaluate,
        grad,
        hessian,
        jacobian,
        jvp,
        linearize,
        vjp,
    )
    from jaccli.api_analysis import eig, singular, sparsity, stability
    from jaccli.batch.kernel import kernel

__version__ = "0.1.0"

__all__ = [
    "JacWarning",
    "__version__",
    "chain",
    "check",
    "det",
    "eig",
    "evaluate",
    "grad",
    "hessian",
    "jacobian",
    "jvp",
    "kernel",
    "linearize",
    "singular",
    "sparsity",
    "stability",
    "vjp",
]

_ANALYSIS = frozenset(("eig", "singular", "sparsity", "stability"))  # in jaccli.api_analysis
# jaccli.batch.kernel, not a module jaccli/kernel.py: importing that module (as unpickling a
# kernel does) would rebind the name jaccli.kernel from the function to the module.
_KERNEL = "kernel"


def __getattr__(name: str) -> object:
    """The API, imported on first use (PEP 562): `jac --help` never pays for it."""
    if name == _KERNEL:
        from jaccli.batch.kernel import kernel

        return kernel
    if name in __all__:
        from jaccli import api, api_analysis

        return getattr(api_analysis if name in _ANALYSIS else api, name)
    raise AttributeError(f"module 'jaccli' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The API among the names, so that `jaccli.<TAB>` offers it before it is loaded."""
    return sorted({*globals(), *__all__} - {"TYPE_CHECKING", "annotations"})
