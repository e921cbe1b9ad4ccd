"""The mathematics: pure functions from expressions to frozen result objects.

Expressions are SymEngine objects (the C++ core of the SymPy project): it
differentiates and prints large systems hundreds of times faster than SymPy, and
imports in a third of the time. SymPy is loaded only for what SymEngine cannot do:
derivatives of abs and sign, and simplification beyond the determinant's
structure. Nothing here prints, exits or knows about options; bad requests raise
the `jaccli.errors` classes, naming inputs as {vars}, {at}, {digits}.

One module per topic: `results` (what is returned), `variables`, `bridge` (to and
from SymPy), `derivatives`, `algebra`, `trig` and `simplify`, `determinants`,
`point` (values at a point, `evaluate`, `linearize`), `kink`, `precision` and `explain`
(results at a point in words).
None imports SymEngine, SymPy or NumPy until a function needs it, and this package
imports each module on the first use of one of its names.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jaccli.engine.algebra import EXPANSION_LIMIT
    from jaccli.engine.bridge import from_sympy, needs_sympy, to_sympy
    from jaccli.engine.chain import chain
    from jaccli.engine.derivatives import differentiate, jacobian
    from jaccli.engine.determinants import determinant, laplace_det, log_abs_det, structured_det
    from jaccli.engine.eigen import eig
    from jaccli.engine.explain import explained
    from jaccli.engine.gradient import gradient
    from jaccli.engine.hessian import hessian
    from jaccli.engine.kink import Kink, kink_applies, kinks
    from jaccli.engine.point import evaluate, linearize
    from jaccli.engine.precision import (
        MAX_PRECISION_DOUBLINGS,
        digits_to_bits,
        evaluate_number,
        numeric_values,
    )
    from jaccli.engine.products import jvp, vjp
    from jaccli.engine.results import (
        Block,
        Branch,
        Cell,
        ChainResult,
        Column,
        DeterminantResult,
        Eigenvalue,
        EigResult,
        Equilibrium,
        EvaluationResult,
        GradientResult,
        Header,
        HessianResult,
        IndexForm,
        JacobianResult,
        JvpResult,
        LinearizationResult,
        Listing,
        MatricesResult,
        Matrix,
        Part,
        Point,
        Progress,
        Result,
        SingularResult,
        Sparse,
        SparseRow,
        SparsityResult,
        StabilityResult,
        Value,
        VjpResult,
        point_label,
    )
    from jaccli.engine.simplify import simplify_expr
    from jaccli.engine.singular import singular
    from jaccli.engine.sparsity import sparsity
    from jaccli.engine.stability import stability
    from jaccli.engine.trig import trig_normal_form
    from jaccli.engine.variables import infer_variables, natural_key, resolve_variables

# Where each name lives: imported on first use (PEP 562), so that `jac jacobian` does not
# load eigenvalues, stability and the chain rule (about 40 ms of every start).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "algebra": ("EXPANSION_LIMIT",),
    "bridge": ("from_sympy", "needs_sympy", "to_sympy"),
    "chain": ("chain",),
    "derivatives": ("differentiate", "jacobian"),
    "determinants": ("determinant", "laplace_det", "log_abs_det", "structured_det"),
    "eigen": ("eig",),
    "explain": ("explained",),
    "gradient": ("gradient",),
    "hessian": ("hessian",),
    "kink": ("Kink", "kink_applies", "kinks"),
    "point": ("evaluate", "linearize"),
    "precision": ("MAX_PRECISION_DOUBLINGS", "digits_to_bits", "evaluate_number", "numeric_values"),
    "products": ("jvp", "vjp"),
    "results": (
        "Block",
        "Branch",
        "Cell",
        "ChainResult",
        "Column",
        "DeterminantResult",
        "Eigenvalue",
        "EigResult",
        "Equilibrium",
        "EvaluationResult",
        "GradientResult",
        "Header",
        "HessianResult",
        "IndexForm",
        "JacobianResult",
        "JvpResult",
        "LinearizationResult",
        "Listing",
        "MatricesResult",
        "Matrix",
        "Part",
        "Point",
        "Progress",
        "Result",
        "SingularResult",
        "Sparse",
        "SparseRow",
        "SparsityResult",
        "StabilityResult",
        "Value",
        "VjpResult",
        "point_label",
    ),
    "simplify": ("simplify_expr",),
    "singular": ("singular",),
    "sparsity": ("sparsity",),
    "stability": ("stability",),
    "trig": ("trig_normal_form",),
    "variables": ("infer_variables", "natural_key", "resolve_variables"),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """This package. Six of its modules are named as the function each exports (chain,
    gradient, hessian, singular, sparsity, stability), and importing a module makes it an
    attribute of its package: `engine.hessian` would become the module. Here a function's
    name stays the function's (the module is in sys.modules as always)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _HOME.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "EXPANSION_LIMIT",
    "MAX_PRECISION_DOUBLINGS",
    "Block",
    "Branch",
    "Cell",
    "ChainResult",
    "Column",
    "DeterminantResult",
    "EigResult",
    "Eigenvalue",
    "Equilibrium",
    "EvaluationResult",
    "GradientResult",
    "Header",
    "HessianResult",
    "IndexForm",
    "JacobianResult",
    "JvpResult",
    "Kink",
    "LinearizationResult",
    "Listing",
    "MatricesResult",
    "Matrix",
    "Part",
    "Point",
    "Progress",
    "Result",
    "SingularResult",
    "Sparse",
    "SparseRow",
    "SparsityResult",
    "StabilityResult",
    "Value",
    "VjpResult",
    "chain",
    "determinant",
    "differentiate",
    "digits_to_bits",
    "eig",
    "evaluate",
    "evaluate_number",
    "explained",
    "from_sympy",
    "gradient",
    "hessian",
    "infer_variables",
    "jacobian",
    "jvp",
    "kink_applies",
    "kinks",
    "laplace_det",
    "linearize",
    "log_abs_det",
    "natural_key",
    "needs_sympy",
    "numeric_values",
    "point_label",
    "resolve_variables",
    "simplify_expr",
    "singular",
    "sparsity",
    "stability",
    "structured_det",
    "to_sympy",
    "trig_normal_form",
    "vjp",
]
