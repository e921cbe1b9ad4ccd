"""The analysis results from Python: their answers as SymPy and NumPy, and in notebooks."""

from __future__ import annotations

import numpy as np
import sympy

import jaccli


def test_eigenvalues_as_numpy_match_numpys_own() -> None:
    a = [[2, 1, 0], [1, 3, 1], [0, 1, 4]]
    text = "; ".join(", ".join(map(str, row)) for row in a)
    got = jaccli.eig(text, matrix=True).to_numpy().ravel()
    want = np.linalg.eigvals(np.array(a, dtype=float))
    assert np.allclose(np.sort_complex(got.astype(complex)), np.sort_complex(want.astype(complex)))


def test_a_repeated_eigenvalue_appears_as_often_as_its_multiplicity() -> None:
    r = jaccli.eig("2, 1; 0, 2", matrix=True)
    assert r.to_sympy() == sympy.Matrix([[2], [2]])


def test_equilibria_are_the_rows_of_the_answer() -> None:
    r = jaccli.stability("x - x*y, -y + x*y", "x,y")
    assert r.to_sympy() == sympy.Matrix([[0, 0], [1, 1]])
    assert np.array_equal(r.to_numpy(), np.array([[0.0, 0.0], [1.0, 1.0]]))


def test_singular_values_at_a_point_match_numpys_svd() -> None:
    r = jaccli.singular("r*cos(t), r*sin(t)", "r,t", at="r=2,t=1")
    jac = np.array([[np.cos(1), -2 * np.sin(1)], [np.sin(1), 2 * np.cos(1)]])
    assert np.allclose(r.to_numpy().ravel(), np.linalg.svd(jac, compute_uv=False))
    assert str(jaccli.singular("r*cos(t), r*sin(t)", "r,t").to_sympy()) == "r"  # det J


def test_the_pattern_is_the_answer_of_sparsity() -> None:
    r = jaccli.sparsity("x*y, y+z", vars="x,y,z")
    assert np.array_equal(r.to_numpy(), np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]))


def test_every_analysis_displays_in_a_notebook() -> None:
    results = [
        jaccli.eig("x*y, x+y", "x,y", at="x=1,y=2"),
        jaccli.stability("y, -x", "x,y"),
        jaccli.singular("r*cos(t), r*sin(t)", "r,t", at="r=1,t=2"),
        jaccli.sparsity("x*y, y+z", vars="x,y,z"),
    ]
    for r in results:
        latex = r._repr_latex_()
        assert latex is not None and latex.startswith("$\\displaystyle")
        assert type(r).__name__ in repr(r)
