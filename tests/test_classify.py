"""Eigenvalues and types where the exact numbers are awkward: equilibria at Cardano
radicals, entries such as exp(1000), roots of different factors that are equal, and J with
parameters whose characteristic polynomial is a cubic (Routh–Hurwitz decides).

Each answer is compared with the mathematics: NumPy's eigenvalues at the point's value (or
at random values of the parameters), det(A − λI) = 0 at many digits, SymPy's exact roots.
"""

from __future__ import annotations

import random
import time
import warnings
from typing import Any

import numpy as np
import pytest
import sympy

import jaccli
from jaccli.engine import to_sympy
from jaccli.engine.eigen import classify
from jaccli.engine.roots import charpoly, generic


def _quiet(compute: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compute()


def _number(e: Any, digits: int = 30) -> complex:
    return complex(sympy.N(to_sympy(e), digits))


def _spectrum(result: Any) -> list[complex]:
    return sorted(
        (_number(e.value) for e in result.eigenvalues for _ in range(e.multiplicity)),
        key=lambda z: (round(z.real, 9), round(z.imag, 9)),
    )


# --------------------------------------------------------------------------- radicals


def test_cardano_equilibria_are_classified_as_numpy_says() -> None:
    # x³ − 3x + 1 = 0 has three real roots written with complex radicals (casus
    # irreducibilis); J = diag(3x² − 3, −1): a saddle where 3x² > 3, else a stable node.
    result = _quiet(lambda: jaccli.stability("x^3 - 3*x + 1, -y", "x,y"))
    roots = sorted(r.real for r in np.roots([1, 0, -3, 1]))
    found = sorted(result.equilibria, key=lambda e: _number(e.point[0]).real)
    assert len(found) == 3
    for e, x in zip(found, roots, strict=True):
        assert abs(_number(e.point[0]) - x) < 1e-12
        expected = sorted([3 * x * x - 3, -1.0])
        values = sorted(_number(v.value).real for v in e.eigenvalues)
        assert np.allclose(values, expected, atol=1e-12)
        assert all(abs(_number(v.value).imag) < 1e-20 for v in e.eigenvalues)
        assert e.type.startswith("saddle") if 3 * x * x > 3 else e.type == "stable node"


def test_generic_charpoly_agrees_with_numpy() -> None:
    # Entries with radicals, exp and pi: det(λI − A) through fresh symbols, substituted back.
    rng = random.Random(3)
    atoms = [sympy.sqrt(2), sympy.cbrt(5), sympy.exp(3), sympy.pi, 1 / (sympy.sqrt(3) - 1)]
    for _ in range(5):
        a = sympy.Matrix(3, 3, lambda i, j: rng.randint(-3, 3) * rng.choice(atoms))
        g = generic(a)
        assert not any(e.has(*atoms) for e in g.matrix)
        coeffs = [float(sympy.N(g.substituted(c), 30)) for c in charpoly(g.matrix).all_coeffs()]
        numeric = np.array(a.evalf(30).tolist(), dtype=float)
        assert np.allclose(coeffs, np.poly(numeric), rtol=1e-10, atol=1e-9)


def test_eigenvalues_of_exp_1000_are_exact_and_fast() -> None:
    start = time.perf_counter()
    diagonal = jaccli.eig("exp(x), y", "x,y", at="x=1000,y=0")
    assert {to_sympy(e.value) for e in diagonal.eigenvalues} == {sympy.exp(1000), 1}
    assert diagonal.exact
    full = jaccli.eig("exp(1000), 1; 1, 2", matrix=True)
    a = sympy.Matrix([[sympy.exp(1000), 1], [1, 2]])
    for e in full.eigenvalues:
        lam = to_sympy(e.value)
        residual = sympy.N((a - lam * sympy.eye(2)).det(), 1000)
        assert abs(residual) < sympy.Float(10) ** 300  # |λ| ~ 1e434, λ² ~ 1e868
        assert abs(sympy.N(lam, 1000)) > 1  # neither root is lost in cancellation
    assert full.exact and time.perf_counter() - start < 20


def test_equal_roots_of_different_factors_are_one_eigenvalue() -> None:
    # 1 + √2 and 1/(√2 − 1) are one number: multiplicity 2, and both eigenvectors.
    result = jaccli.eig("1 + sqrt(2), 0; 0, 1/(sqrt(2) - 1)", matrix=True, vectors=True)
    (only,) = result.eigenvalues
    assert only.multiplicity == 2 and len(only.vectors) == 2
    assert sympy.simplify(to_sympy(only.value) - (1 + sympy.sqrt(2))) == 0


@pytest.mark.parametrize("seed", range(8))
def test_random_cubic_spectra_classified_as_numpy_says(seed: int) -> None:
    # Integer 3×3 matrices: Cardano's radicals, signs read at 60 digits.
    rng = random.Random(seed)
    rows = [[rng.randint(-4, 4) for _ in range(3)] for _ in range(3)]
    text = "; ".join(", ".join(map(str, row)) for row in rows)
    result = jaccli.eig(text, matrix=True)
    numeric = np.linalg.eigvals(np.array(rows, float))
    key = lambda z: (round(z.real, 9), round(z.imag, 9))  # noqa: E731
    assert np.allclose(_spectrum(result), sorted(numeric, key=key), atol=1e-9)
    kind = classify(result.eigenvalues, exact=result.exact)
    assert kind.type == _expected_type(list(numeric))


def _expected_type(values: list[complex], tol: float = 1e-9) -> str:
    """Hartman–Grobman's type from numeric eigenvalues (none of them near the axis)."""
    positive = sum(z.real > tol for z in values)
    if any(abs(z.real) <= tol for z in values):
        return "unstable (non-hyperbolic)" if positive else "linearization inconclusive"
    focus = any(abs(z.imag) > tol for z in values)
    if positive in (0, len(values)):
        side = "stable" if positive == 0 else "unstable"
        return f"{side} {'focus' if focus else 'node'}"
    return "saddle-focus" if focus else "saddle"


# --------------------------------------------------------------------------- parameters


def _routh_hurwitz_holds(result: Any, values: dict[str, float]) -> bool:
    (conditions,) = result.conditions
    at = {s: values[s.name] for c in conditions for s in to_sympy(c).free_symbols}
    return all(float(to_sympy(c).subs(at)) > 0 for c in conditions)


def test_third_order_with_parameters_is_classified_by_routh_hurwitz() -> None:
    start = time.perf_counter()
    result = _quiet(lambda: jaccli.stability("y, z, -a*x - c*y - z", "x,y,z"))
    assert time.perf_counter() - start < 15
    (e,) = result.equilibria
    assert e.type == "depends on parameters" and e.eigenvalues == ()
    assert any("lambda**3 + lambda**2 + lambda*c + a" in n for n in result.notes)
    rng = random.Random(5)
    for _ in range(40):
        values = {"a": rng.uniform(-3, 3), "c": rng.uniform(-3, 3)}
        j = [[0, 1, 0], [0, 0, 1], [-values["a"], -values["c"], -1]]
        stable = max(np.linalg.eigvals(np.array(j)).real) < 0
        assert stable == _routh_hurwitz_holds(result, values)


def test_positive_trace_is_unstable_whatever_the_parameters() -> None:
    result = _quiet(lambda: jaccli.stability("y, z, -a*x - c*y + z", "x,y,z"))
    (e,) = result.equilibria
    assert e.type == "unstable"
    rng = random.Random(6)
    for _ in range(20):
        a, c = rng.uniform(-3, 3), rng.uniform(-3, 3)
        assert max(np.linalg.eigvals(np.array([[0, 1, 0], [0, 0, 1], [-a, -c, 1]])).real) > 0


# --------------------------------------------------------------------------- wording


def test_conditions_are_for_asymptotic_stability() -> None:
    # SIR's line (S, 0): J has λ = 0 for every S, so never asymptotically stable.
    result = _quiet(lambda: jaccli.stability("-b*S*I, b*S*I - g*I", "S,I"))
    (listing,) = [item for item in result.listings if item.key == "conditions"]
    assert [c.label for c in listing.columns][-1] == "asymptotically stable if"
    (row,) = listing.rows
    assert row[-1] == "never"
    (e,) = result.equilibria
    assert any(to_sympy(v.value) == 0 for v in e.eigenvalues)


def test_one_column_needs_one_product() -> None:
    result = jaccli.sparsity("x^2, sin(x)", vars="x")
    jvp, vjp = result.notes[:2]
    assert jvp == "J needs 1 JVP: it has one column"
    assert "every two rows share a column" in vjp  # both rows hold x: two VJPs
