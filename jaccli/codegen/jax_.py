"""`jac codegen --lang jax`: the NumPy module's function in jax.numpy, which jax.jit compiles.

JAX arrays are immutable: the entries are collected in a list (at trace time, under jit)
and stacked once; one functional `J.at[..., i, j].set(...)` per entry, the obvious
translation of NumPy's assignment, took 15 s to jit for 32 rows where the stack takes 1 s,
and the guards are `where` on the entries before the stack; erf is
jax.scipy.special.erf. JAX computes in float32 unless `jax_enable_x64` is on, and silently:
the module never flips that global switch (it belongs to the program that imports it), the
header says to. Without it the code still runs, in single precision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jaccli.codegen import numpy_

if TYPE_CHECKING:
    from jaccli.codegen.plan import Plan


RESERVED = numpy_.RESERVED
"""Identifiers the generated Python uses itself (the NumPy module's)."""


def jax_printer(names: dict[str, str]) -> Any:
    """A printer for jax.numpy with jac's names and semantics."""
    from sympy.printing.numpy import JaxPrinter

    class JacJaxPrinter(numpy_._printer_methods(JaxPrinter)):  # type: ignore[misc]
        def _print_erf(self, e: Any) -> str:
            return f"jax.scipy.special.erf({self._print(e.args[0])})"

    return JacJaxPrinter(names, "JAX")


JAX = numpy_.Flavour(
    "JAX",
    "jax.numpy",
    ("import jax.numpy",),
    "{a} = jax.numpy.asarray({a}, dtype=float)",
    True,
    (
        "JAX computes in float32 unless told otherwise: enable jax_enable_x64 for double "
        'precision (jax.config.update("jax_enable_x64", True) before the first call); this '
        "module never flips that flag. The function works under jax.jit.",
    ),
)


def emit(plan: Plan) -> str:
    """The JAX module for `plan`."""
    return numpy_.python_module(plan, JAX, jax_printer)
