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
  can write in a result, so that the printers know them;
- `derivative`: g'(u) for a function g of one argument, in jac's own syntax as a template
  in the argument `u`, entry by entry (`.*`, `./`, `.^`) so that it holds when u is a vector
  or a matrix: the matrix form of the Jacobian of g(u) is diag(g'(u)) times that of u. None
  for functions of several arguments and where jac's syntax cannot write it (DiracDelta');
- `total`: True for a function defined at every finite point (sin, exp, tanh, abs,
  sigmoid, sum, det, ...): `eval --points` need not check F as typed where only such
  functions appear. False where its domain has holes (log, sqrt, asin, tan, inv, ...);
- `kind`: "scalar" for a function of numbers, applied entry by entry to vectors and
  matrices; "vector" for a function of whole vectors and matrices (sum, det, softmax, ...),
  which the parser expands itself: it has no SymEngine builder, NumPy implementation or
  LaTeX macro here, only its name and arity.

The scalar functions that machine learning adds are built from the ones above, so that
SymEngine differentiates them and jac's rules for kinks apply: sigmoid(u) = 1/(1 + e^-u),
softplus(u) = log(1 + e^u), log10(u) = log(u)/log(10), and relu(u) = (u + |u|)/2,
max(a, b) = (a + b + |a - b|)/2, min(a, b) = (a + b - |a - b|)/2 (SymEngine cannot
differentiate its Max and Min; through |u| the derivative is undefined where u = 0, a = b).
No result names them, so their `latex` is that of what they build (softplus: \\ln), and
their code-generation names are for the function as typed (log10 is log10 in C). NumPy has
them in forms that do not overflow (sigmoid(-800) is 0, softplus(800) is 800, not inf).

Importing this module imports neither SymEngine nor NumPy: `symengine_functions()` and
`numpy_functions()` look the implementations up when they are first needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

Implementation = Callable[..., object]
Kind = Literal["scalar", "vector"]


class Function(NamedTuple):
    """One function: see the module's docstring for what each field means."""

    name: str
    arity: tuple[int, int]
    symengine: str | Implementation | None  # None: a vector function, expanded by the parser
    numpy: str | Implementation | None  # None: only ever in results, never evaluated as typed
    latex: str | None
    power_on_name: bool
    inverse: str | None = None
    parses: bool = True
    c: str | None = None
    jax: str | None = None
    julia: str | None = None
    matlab: str | None = None
    derivative: str | None = None
    kind: Kind = "scalar"
    total: bool = False


# --------------------------------------------------------------------------- SymEngine


def _se_log(x: object, base: object = None) -> object:
    import symengine as se

    if base is None:
        return se.log(x)
    denominator = se.log(base)
    if denominator == 0 or isinstance(denominator, (type(se.zoo), type(se.nan))):
        # log(x, 0): SymEngine's log(x)/log(0) is log(x)/zoo, which it makes 0 (and log(x, 1)
        # zoo*log(x)): no base of 0 or 1 is a logarithm's, so the call is undefined, zoo
        return se.zoo
    return se.log(x) / denominator


def _se_cbrt(x: object) -> object:
    import symengine as se

    return se.Pow(x, se.Rational(1, 3))  # the principal root, as in SymPy


def _se_dirac_delta(x: object) -> object:
    import symengine as se

    # SymPy writes d/dx sign(x) as 2*DiracDelta(x); reading it back keeps the name.
    if isinstance(x, se.Number):  # 0 away from the origin; no value at it (reported as undefined)
        return se.nan if x == 0 else se.Integer(0)
    return se.function_symbol("DiracDelta", x)


def _se_sigmoid(u: Any) -> object:
    import symengine as se

    return 1 / (1 + se.exp(-u))


def _se_softplus(u: object) -> object:
    import symengine as se

    return se.log(1 + se.exp(u))


def _se_log10(u: object) -> object:
    import symengine as se

    return se.log(u) / se.log(10)


def _se_relu(u: Any) -> object:
    import symengine as se

    return (u + se.Abs(u)) / 2


def _se_max(a: Any, b: Any) -> object:
    import symengine as se

    return (a + b + se.Abs(a - b)) / 2


def _se_min(a: Any, b: Any) -> object:
    import symengine as se

    return (a + b - se.Abs(a - b)) / 2


# --------------------------------------------------------------------------- NumPy


def _np_log(x: ArrayLike, base: ArrayLike | None = None) -> object:
    import numpy as np

    if base is None:
        return np.log(x)
    denominator = np.log(base)
    # No base of 0 or 1 (nor one that is not finite) makes a logarithm: NaN, as _se_log's zoo
    usable = np.isfinite(denominator) & (denominator != 0)
    return np.log(x) / np.where(usable, denominator, np.nan)


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


def _np_sigmoid(u: ArrayLike) -> object:
    import numpy as np

    # 1/(1 + e^-u) = e^-log(1 + e^-u): no e^-u to overflow for u far below 0.
    return np.exp(-np.logaddexp(0.0, np.negative(u)))


def _np_softplus(u: ArrayLike) -> object:
    import numpy as np

    return np.logaddexp(0.0, u)  # log(1 + e^u), u itself (not inf) for large u


def _np_relu(u: ArrayLike) -> object:
    import numpy as np

    return np.maximum(u, 0.0)  # NaN stays NaN


def _np_erf(u: ArrayLike) -> object:
    import math

    import numpy as np

    # NumPy has no erf (SciPy's is not a dependency): the C library's, point by point.
    return np.vectorize(math.erf, otypes=[float])(u)


def _np_dirac_delta(u: ArrayLike, k: ArrayLike = 0) -> object:
    """DiracDelta(u) is 0 wherever it has a value (u ≠ 0); at u = 0 it is NaN. So is its
    k-th derivative, which SymPy writes DiracDelta(u, k) (d/dx of y·DiracDelta(x))."""
    import numpy as np

    return np.where(np.asarray(u) == 0, np.nan, 0.0 * np.asarray(k))


# --------------------------------------------------------------------------- the catalogue

_ONE = (1, 1)


def _everywhere(
    name: str, latex: str | None, power: bool, inverse: str | None, d: str, total: bool
) -> Function:
    """A function of one argument with the same name in SymEngine, NumPy, C, JAX, Julia, MATLAB."""
    return Function(
        name, _ONE, name, name, latex, power, inverse, True, name, name, name, name, d,
        total=total,
    )  # fmt: skip


def _inverse(name: str, latex: str, inverse: str, d: str, total: bool = False) -> Function:
    """An inverse function: `asin` in SymEngine, C, Julia and MATLAB, `arcsin` in NumPy."""
    numpy = "arc" + name[1:]
    return Function(
        name, _ONE, name, numpy, latex, False, inverse, True, name, numpy, name, name, d,
        total=total,
    )  # fmt: skip


def _reciprocal(name: str, numpy: Implementation, latex: str, d: str) -> Function:
    """cot, sec, csc: 1/tan, 1/cos, 1/sin in NumPy; no such function in C or JAX."""
    return Function(name, _ONE, name, numpy, latex, True, julia=name, matlab=name, derivative=d)


def _absolute(name: str) -> Function:
    """|x|: `Abs` in SymEngine, `fabs` in C (for doubles), `abs` elsewhere; latex.py writes |x|."""
    return Function(
        name, _ONE, "Abs", "abs", None, False, None, True, "fabs", "abs", "abs", "abs", "sign(u)",
        total=True,
    )  # fmt: skip


def _written(name: str, latex: str, power: bool = False) -> Function:
    """A function SymEngine or SymPy may write in a result although jac does not read it."""
    return Function(name, _ONE, name, None, latex, power, parses=False, julia=name, matlab=name)


def _built(
    name: str,
    arity: int,
    symengine: Implementation,
    numpy: str | Implementation,
    d: str | None,
    *,
    latex: str | None = None,
    power: bool = False,
    c: str | None = None,
    jax: str | None = None,
    julia: str | None = None,
    matlab: str | None = None,
    total: bool = True,
) -> Function:
    """A function SymEngine builds from others (sigmoid as 1/(1 + e^-u)), so that it never
    appears in a result by its own name: `latex` and `power` are those of what it builds."""
    return Function(
        name, (arity, arity), symengine, numpy, latex, power,
        c=c, jax=jax, julia=julia, matlab=matlab, derivative=d, total=total,
    )  # fmt: skip


def _vector(name: str, arity: int, total: bool = True) -> Function:
    """A function of whole vectors and matrices: the parser expands it (see the docstring)."""
    return Function(name, (arity, arity), None, None, None, False, kind="vector", total=total)


_ENTRIES = (
    _everywhere("sin", "\\sin", True, "asin", "cos(u)", True),
    _everywhere("cos", "\\cos", True, "acos", "-sin(u)", True),
    _everywhere("tan", "\\tan", True, "atan", "1 + tan(u).^2", False),  # poles at π/2 + kπ
    _reciprocal("cot", _np_cot, "\\cot", "-1 - cot(u).^2"),
    _reciprocal("sec", _np_sec, "\\sec", "sec(u) .* tan(u)"),
    _reciprocal("csc", _np_csc, "\\csc", "-csc(u) .* cot(u)"),
    _inverse("asin", "\\arcsin", "sin", "1 ./ sqrt(1 - u.^2)"),
    _inverse("acos", "\\arccos", "cos", "-1 ./ sqrt(1 - u.^2)"),
    _inverse("atan", "\\arctan", "tan", "1 ./ (1 + u.^2)", total=True),
    Function(
        "atan2", (2, 2), "atan2", _np_atan2, "\\operatorname{atan2}", False,
        c="atan2", jax="arctan2", julia="atan", matlab="atan2",
    ),
    _everywhere("sinh", "\\sinh", True, "asinh", "cosh(u)", True),
    _everywhere("cosh", "\\cosh", True, "acosh", "sinh(u)", True),
    _everywhere("tanh", "\\tanh", True, "atanh", "1 - tanh(u).^2", True),
    _inverse("asinh", "\\operatorname{arsinh}", "sinh", "1 ./ sqrt(u.^2 + 1)", total=True),
    _inverse("acosh", "\\operatorname{arcosh}", "cosh", "1 ./ sqrt(u.^2 - 1)"),
    _inverse("atanh", "\\operatorname{artanh}", "tanh", "1 ./ (1 - u.^2)"),
    _everywhere("exp", None, False, "ln", "exp(u)", True),  # built as a power of e: no macro
    Function(
        "log", (1, 2), _se_log, _np_log, "\\ln", True, "exp",
        c="log", jax="log", julia="log", matlab="log", derivative="1 ./ u",  # log(u) alone
    ),
    Function(
        "ln", _ONE, "log", "log", "\\ln", True, "exp",
        c="log", jax="log", julia="log", matlab="log", derivative="1 ./ u",
    ),
    _everywhere("sqrt", None, False, None, "1 ./ (2*sqrt(u))", False),  # a power: \\sqrt{...}
    Function("cbrt", _ONE, _se_cbrt, _np_cbrt, None, False, derivative="1 ./ (3*cbrt(u).^2)"),
    _absolute("abs"),
    _absolute("Abs"),
    Function(
        "sign", _ONE, "sign", "sign", "\\operatorname{sgn}", False,
        jax="sign", julia="sign", matlab="sign", derivative="2*DiracDelta(u)",  # as SymPy's
        total=True,
    ),
    Function("DiracDelta", _ONE, _se_dirac_delta, _np_dirac_delta, "\\delta", False),
    # Machine learning's functions, built from the ones above (see the module's docstring).
    _built("sigmoid", 1, _se_sigmoid, _np_sigmoid, "sigmoid(u) .* (1 - sigmoid(u))"),
    _built("softplus", 1, _se_softplus, _np_softplus, "sigmoid(u)", latex="\\ln", power=True),
    _built("relu", 1, _se_relu, _np_relu, "(1 + sign(u))/2"),  # undefined at 0: a kink of |u|
    _built(
        "log10", 1, _se_log10, "log10", "1 ./ (u*log(10))",
        c="log10", jax="log10", julia="log10", matlab="log10", total=False,
    ),
    # C's fmax and MATLAB's max skip a NaN; NumPy's maximum and Julia's max keep it, as jac.
    _built("max", 2, _se_max, "maximum", None, jax="maximum", julia="max"),
    _built("min", 2, _se_min, "minimum", None, jax="minimum", julia="min"),
    Function(
        "erf", _ONE, "erf", _np_erf, "\\operatorname{erf}", False,
        c="erf", matlab="erf", derivative="2/sqrt(pi)*exp(-u.^2)", total=True,
    ),  # JAX's erf is in jax.scipy.special, Julia's in SpecialFunctions: not named here
    _written("coth", "\\coth", power=True),
    _written("acot", "\\operatorname{arccot}"),
    _written("asec", "\\operatorname{arcsec}"),
    _written("acsc", "\\operatorname{arccsc}"),
    _written("acoth", "\\operatorname{arcoth}"),
    _written("sech", "\\operatorname{sech}"),
    _written("csch", "\\operatorname{csch}"),
    # Functions of whole vectors and matrices (issue 12): names and arities for the parser.
    _vector("sum", 1),
    _vector("dot", 2),
    _vector("norm", 1),  # the 2-norm
    _vector("softmax", 1),
    _vector("logsumexp", 1),
    _vector("diag", 1),
    _vector("tr", 1),
    _vector("det", 1),
    _vector("inv", 1, total=False),
    _vector("ones", 1),
)  # fmt: skip

CATALOGUE: Mapping[str, Function] = {f.name: f for f in _ENTRIES}
"""Every function by the name typed (and by the name SymEngine writes: sin, log, Abs, coth)."""

ARITIES: Mapping[str, tuple[int, int]] = {f.name: f.arity for f in _ENTRIES if f.parses}
"""The names the parser reads, with (fewest, most) arguments."""

VECTOR_FUNCTIONS: frozenset[str] = frozenset(f.name for f in _ENTRIES if f.kind == "vector")
"""The functions of whole vectors and matrices (sum, det, softmax, ...), which the parser
expands itself; every other function applies entry by entry."""


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
