"""--check on the analyses' results: J at each equilibrium, F = 0 there, tr and det J, the
pattern's zeros; built by hand here so that a wrong entry is known to be caught."""

from __future__ import annotations

from typing import Any

import pytest
import symengine as se

from jaccli import engine
from jaccli.engine.check import check

x, y, k, b = se.symbols("x y k b")


def _sparse(rows: list[list[Any]]) -> engine.Sparse:
    return engine.Sparse(
        (len(rows), len(rows[0])),
        tuple(tuple((j, se.sympify(e)) for j, e in enumerate(r) if e != 0) for r in rows),
    )


def _equilibrium(point: tuple[Any, ...], jac: list[list[Any]], where: str = "") -> Any:
    return engine.Equilibrium(
        point=tuple(se.sympify(v) for v in point),
        where=where,
        jacobian=_sparse(jac),
        eigenvalues=(),
        type="",
        hyperbolic=True,
        found="exact",
        residual=se.Integer(0),
    )


def _pendulum(theta: Any, jac: list[list[Any]]) -> engine.StabilityResult:
    return engine.StabilityResult(
        functions=(y, -se.sin(x) - b * y),
        variables=(x, y),
        equilibria=(
            _equilibrium((2 * k * se.pi, 0), [[0, 1], [-1, -b]], "k ∈ ℤ"),
            _equilibrium((theta, 0), jac, "k ∈ ℤ"),
        ),
        status="families",
        reason="",
    )


def test_equilibria_of_a_family_pass() -> None:
    report = check(_pendulum(2 * k * se.pi + se.pi, [[0, 1], [1, -b]]))
    assert report.passed, str(report)


@pytest.mark.parametrize(
    ("theta", "jac", "wrong"),
    [
        (2 * k * se.pi + se.pi, [[0, 1], [-1, -b]], "J at equilibrium 2[2,1]"),  # sign of cos
        (2 * k * se.pi + se.pi / 2, [[0, 1], [0, -b]], "F2 at equilibrium 2"),  # not F = 0
    ],
)
def test_a_wrong_equilibrium_or_jacobian_fails(theta: Any, jac: Any, wrong: str) -> None:
    report = check(_pendulum(theta, jac))
    assert report.failed and wrong in str(report.error), str(report)


def test_eigen_trace_and_determinant() -> None:
    f = (x**2 * y, x + se.sin(y))
    jac = [[2 * x * y, x**2], [1, se.cos(y)]]
    values = (
        engine.Value("trace", "tr J", "", 2 * x * y + se.cos(y)),
        engine.Value("determinant", "det J", "", 2 * x * y * se.cos(y) - x**2),
    )
    part = engine.Part("matrix", "J", "J", _sparse(jac), ("f1", "f2"), ("x", "y"))
    good = engine.EigResult(
        functions=f, variables=(x, y), parts=(part,), values=values, eigenvalues=()
    )
    assert check(good).passed
    wrong = engine.Value("trace", "tr J", "", 2 * x * y - se.cos(y))
    bad = engine.EigResult(
        functions=f, variables=(x, y), parts=(part,), values=(wrong, values[1]), eigenvalues=()
    )
    assert check(bad).failed and "tr J" in str(check(bad).error)


def test_a_pattern_missing_an_entry_fails() -> None:
    f = (x * y, x + y**2)
    ones = [[1, 1], [1, 1]]
    result = engine.SparsityResult(
        functions=f,
        variables=(x, y),
        pattern=_sparse(ones),
        nnz=4,
        bandwidth=(1, 1),
        structural_rank=2,
        column_colors=(0, 1),
        row_colors=(0, 1),
    )
    assert check(result).passed
    missing = result.__class__(**{**result.__dict__, "pattern": _sparse([[1, 1], [0, 1]])})
    report = check(missing)
    assert report.failed and "J[2,1]" in str(report.error), str(report)
