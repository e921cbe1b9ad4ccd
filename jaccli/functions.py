"""Every function jac knows, described once: the parser, the evaluators and the printers read it.

Before this catalogue the same knowledge sat in four tables in three modules, and a function
added to one could be missed in another (SymPy's code printers solve the same problem with
one `known_functions` table per language). An entry says, for one name:

- `arity`: (fewest, most) arguments the parser accepts;
- `symengine`: how the parser builds it (a name in `symengine`, or a function here);
- `numpy`: how `eval --points` evaluates it operation by operation, with jac's semantics:
  where jac calls a value undefined or complex (atan2(0, 0), cbrt(-8), log(-1)) the result is
  NaN or infinite, never a number SymEngine would not give;
- `latex`, `power_on_name`: how render/latex.py writes the function SymEngine builds from the
  name (None: no macro; it writes \\operatorname{...} or a form of its own such as |x|, \\sqrt,
  e^x) and whether a power goes on the name (\\sin^{2}{\\left(x \\right)});
- `inverse`: what `f^-1(x)` could mean, for the advice the parser gives;
- `c`, `jax`, `julia`, `matlab`: the function's name in C99's math.h, in `jax.numpy`, in Julia
  and in MATLAB, for the function as SymEngine writes it (so `log` is the natural logarithm:
  log(x, b) is built as log(x)/log(b)); None where no function there has jac's meaning (C's
  and Julia's cbrt are the real cube root; jac's is the principal one);
- `parses`: False for names the parser does not read (coth, sech, ...) but SymEngine or SymPy
  can write in a result, so that the printers know them.

Importing this module imports neither SymEngine nor NumPy: `symengine_functions()` and
`numpy_functions()` look the implementations up when they are first needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

Implementation = Callable[..., object]


class Function(NamedTuple):
    """One function: see the module's docstring for what each field means."""

    name: str
    arity: tuple[int, int]
    symengine: str | Implementation
    numpy: str | Implementation | None  # None: only ever in results, never evaluated as typed
    latex: str | None
    power_on_name: bool
    inverse: str | None = None
    parses: bool = True
    c: str | None = None
    jax: str | None = None
    julia: str | None = None
    matlab: str | None = None


# --------------------------------------------------------------------------- SymEngine


def _se_log(x: object, base: object = None) -> object:
    import symengine as se

    return se.log(x) if base is None else se.log(x) / se.log(base)


def _se_cbrt(x: object) -> object:
    import symengine as se

    return se.Pow(x, se.Rational(1, 3))  # the principal root, as in SymPy


def _se_dirac_delta(x: object) -> object:
    import symengine as se

    # SymPy writes d/dx sign(x) as 2*DiracDelta(x); reading it back keeps the name.
    if isinstance(x, se.Number):  # 0 away from the origin; no value at it (reported as undefined)
        return se.nan if x == 0 else se.Integer(0)
    return se.function_symbol("DiracDelta", x)


# --------------------------------------------------------------------------- NumPy


def _np_log(x: ArrayLike, base: ArrayLike | None = None) -> object:
    import numpy as np

    return np.log(x) if base is None else np.log(x) / np.log(base)


def _np_cot(x: ArrayLike) -> object:
    import numpy as np

    return 1 / np.tan(x)


def _np_sec(x: ArrayLike) -> object:
    import numpy as np

    return 1 / np.cos(x)


def _np_csc(x: ArrayLike) -> object:
    import numpy as np

    return 1 / np.sin(x)


def _np_atan2(y: ArrayLike, x: ArrayLike) -> object:
    import numpy as np

    return np.where((x == 0) & (y == 0), np.nan, np.arctan2(y, x))


def _np_cbrt(x: ArrayLike) -> object:
    import numpy as np

    # jac's cbrt is the principal root, complex (so undefined here) for x < 0.
    return np.where(np.less(x, 0), np.nan, np.cbrt(x))


def _np_dirac_delta(u: ArrayLike) -> object:
    """DiracDelta(u) is 0 wherever it has a value (u ≠ 0); at u = 0 it is NaN."""
    import numpy as np

    return np.where(u == 0, np.nan, 0.0)


# --------------------------------------------------------------------------- the catalogue

_ONE = (1, 1)


def _everywhere(name: str, latex: str | None, power: bool, inverse: str | None) -> Function:
    """A function of one argument with the same name in SymEngine, NumPy, C, JAX, Julia, MATLAB."""
    return Function(name, _ONE, name, name, latex, power, inverse, True, name, name, name, name)


def _inverse(name: str, latex: str, inverse: str) -> Function:
    """An inverse function: `asin` in SymEngine, C, Julia and MATLAB, `arcsin` in NumPy."""
    numpy = "arc" + name[1:]
    return Function(name, _ONE, name, numpy, latex, False, inverse, True, name, numpy, name, name)


def _reciprocal(name: str, numpy: Implementation, latex: str) -> Function:
    """cot, sec, csc: 1/tan, 1/cos, 1/sin in NumPy; no such function in C or JAX."""
    return Function(name, _ONE, name, numpy, latex, True, julia=name, matlab=name)


def _absolute(name: str) -> Function:
    """|x|: `Abs` in SymEngine, `fabs` in C (for doubles), `abs` elsewhere; latex.py writes |x|."""
    return Function(name, _ONE, "Abs", "abs", None, False, None, True, "fabs", "abs", "abs", "abs")


def _written(name: str, latex: str, power: bool = False) -> Function:
    """A function SymEngine or SymPy may write in a result although jac does not read it."""
    return Function(name, _ONE, name, None, latex, power, parses=False, julia=name, matlab=name)


_ENTRIES = (
    _everywhere("sin", "\\sin", True, "asin"),
    _everywhere("cos", "\\cos", True, "acos"),
    _everywhere("tan", "\\tan", True, "atan"),
    _reciprocal("cot", _np_cot, "\\cot"),
    _reciprocal("sec", _np_sec, "\\sec"),
    _reciprocal("csc", _np_csc, "\\csc"),
    _inverse("asin", "\\arcsin", "sin"),
    _inverse("acos", "\\arccos", "cos"),
    _inverse("atan", "\\arctan", "tan"),
    Function(
        "atan2", (2, 2), "atan2", _np_atan2, "\\operatorname{atan2}", False,
        c="atan2", jax="arctan2", julia="atan", matlab="atan2",
    ),
    _everywhere("sinh", "\\sinh", True, "asinh"),
    _everywhere("cosh", "\\cosh", True, "acosh"),
    _everywhere("tanh", "\\tanh", True, "atanh"),
    _inverse("asinh", "\\operatorname{arsinh}", "sinh"),
    _inverse("acosh", "\\operatorname{arcosh}", "cosh"),
    _inverse("atanh", "\\operatorname{artanh}", "tanh"),
    _everywhere("exp", None, False, "ln"),  # built as a power of e: no macro
    Function(
        "log", (1, 2), _se_log, _np_log, "\\ln", True, "exp",
        c="log", jax="log", julia="log", matlab="log",
    ),
    Function(
        "ln", _ONE, "log", "log", "\\ln", True, "exp",
        c="log", jax="log", julia="log", matlab="log",
    ),
    _everywhere("sqrt", None, False, None),  # built as a power: \sqrt{...}
    Function("cbrt", _ONE, _se_cbrt, _np_cbrt, None, False),
    _absolute("abs"),
    _absolute("Abs"),
    Function(
        "sign", _ONE, "sign", "sign", "\\operatorname{sgn}", False,
        jax="sign", julia="sign", matlab="sign",
    ),
    Function("DiracDelta", _ONE, _se_dirac_delta, _np_dirac_delta, "\\delta", False),
    _written("coth", "\\coth", power=True),
    _written("acot", "\\operatorname{arccot}"),
    _written("asec", "\\operatorname{arcsec}"),
    _written("acsc", "\\operatorname{arccsc}"),
    _written("acoth", "\\operatorname{arcoth}"),
    _written("sech", "\\operatorname{sech}"),
    _written("csch", "\\operatorname{csch}"),
)  # fmt: skip

CATALOGUE: Mapping[str, Function] = {f.name: f for f in _ENTRIES}
"""Every function by the name typed (and by the name SymEngine writes: sin, log, Abs, coth)."""

ARITIES: Mapping[str, tuple[int, int]] = {f.name: f.arity for f in _ENTRIES if f.parses}
"""The names the parser reads, with (fewest, most) arguments."""


def _resolved(module: object, field: str) -> dict[str, Implementation]:
    table: dict[str, Implementation] = {}
    for f in _ENTRIES:
        spec = getattr(f, field)
        if spec is not None:
            table[f.name] = getattr(module, spec) if isinstance(spec, str) else spec
    return table


_SYMENGINE: dict[str, Implementation] = {}
_NUMPY: dict[str, Implementation] = {}


def symengine_functions() -> Mapping[str, Implementation]:
    """name -> the function that builds it from SymEngine arguments (imports SymEngine)."""
    if not _SYMENGINE:
        import symengine

        _SYMENGINE.update(_resolved(symengine, "symengine"))
    return _SYMENGINE


def numpy_functions() -> Mapping[str, Implementation]:
    """name -> its NumPy implementation with jac's semantics (imports NumPy)."""
    if not _NUMPY:
        import numpy

        _NUMPY.update(_resolved(numpy, "numpy"))
    return _NUMPY
