"""jac singular: where J loses rank, checked numerically on the branches it reports.

Every solved branch is sampled (its integer parameters, the variables it leaves free and
the parameters given random values) and J's smallest singular value must be ~0 there;
random points off the branches must be regular. At a point the singular values, the
condition number and the manipulability are compared with NumPy.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest
import sympy

import jaccli
from jaccli import engine
from jaccli.problem import read
from tests.conftest import invoke
from tests.test_readback import check_json, check_latex, check_plain, check_table, exact

ARM2 = "l1*cos(q1) + l2*cos(q1+q2), l1*sin(q1) + l2*sin(q1+q2)"
ARM3 = (
    "l1*cos(q1) + l2*cos(q1+q2) + l3*cos(q1+q2+q3), l1*sin(q1) + l2*sin(q1+q2) + l3*sin(q1+q2+q3)"
)
POLAR = "r*cos(t), r*sin(t)"
SPHERICAL = "r*sin(t)*cos(p), r*sin(t)*sin(p), r*cos(t)"


def singular_of(text: str, names: str, at: str | None = None, **options: Any) -> Any:
    problem = read(text, names)
    point = problem.at(at).values if at else None
    return engine.singular(problem.functions, problem.variables, point=point, **options)


def jacobian_function(text: str, names: str) -> tuple[Any, list[sympy.Symbol]]:
    """J as a function of a dict {name: float}, from SymPy's own derivatives."""
    functions = [exact(f) for f in read(text, names).functions]
    variables = [sympy.Symbol(n) for n in names.split(",")]
    matrix = sympy.Matrix(functions).jacobian(variables)
    symbols = sorted(matrix.free_symbols | set(variables), key=str)
    fn = sympy.lambdify(symbols, matrix, "numpy")
    return lambda at: np.array(fn(*(at[str(s)] for s in symbols)), dtype=float), symbols


def smallest_sigma(jac: Any, at: dict[str, float]) -> float:
    return float(np.linalg.svd(jac(at), compute_uv=False)[-1])


def branch_points(result: Any, symbols: list[Any], rng: random.Random) -> list[dict[str, float]]:
    """Random points on every solved branch that has solutions."""
    points = []
    for row in result.listings[0].rows:
        _, variables, values, _, solved = row
        if solved != "yes" or not variables:
            continue
        for _ in range(4):
            at = {str(s): rng.uniform(0.3, 2.0) for s in symbols}
            integers = {s: rng.randint(-3, 3) for v in values for s in v.free_symbols}
            free = {s: at[str(s)] for v in values for s in v.free_symbols if str(s) in at}
            for name, value in zip(variables, values, strict=True):
                env = {sympy.Symbol(str(s)): x for s, x in {**free, **integers}.items()}
                at[str(name)] = float(exact(value).subs(env))
            points.append(at)
    return points


def assert_branches_singular(text: str, names: str, result: Any, count: int) -> None:
    jac, symbols = jacobian_function(text, names)
    points = branch_points(result, symbols, random.Random(14))
    assert len(points) == 4 * count
    for at in points:
        scale = float(np.linalg.norm(jac(at)))
        assert smallest_sigma(jac, at) <= 1e-9 * max(1.0, scale), at
    rng = random.Random(3)
    for _ in range(20):  # off the branches, J is regular
        at = {str(s): rng.uniform(0.3, 2.0) for s in symbols}
        assert smallest_sigma(jac, at) > 1e-6, at


def rows_of(result: Any) -> list[tuple[str, list[str], list[str], str, str]]:
    return [
        (str(e), [str(v) for v in vs], [str(x) for x in xs], where, solved)
        for e, vs, xs, where, solved in result.listings[0].rows
    ]


# --------------------------------------------------------------------------- square J


def test_two_link_arm_is_singular_on_q2_k_pi() -> None:
    result = singular_of(ARM2, "q1,q2")
    q2 = sympy.Symbol("q2")
    assert (
        sympy.simplify(
            exact(result.determinant) - sympy.Symbol("l1") * sympy.Symbol("l2") * sympy.sin(q2)
        )
        == 0
    )
    rows = rows_of(result)
    assert ("sin(q2)", ["q2"], ["k*pi"], "k ∈ ℤ", "yes") in rows
    conditions = sorted(e for e, vs, _, where, _ in rows if not vs and "parameters" in where)
    assert conditions == ["l1", "l2"]
    assert dict(result.facts)["singular"] == "on branches"
    branch = next(b for b in result.branches if b.solutions)
    assert branch.where == "k ∈ ℤ" and branch.solved
    assert_branches_singular(ARM2, "q1,q2", result, 1)


def test_polar_is_singular_at_r_0() -> None:
    result = singular_of(POLAR, "r,t")
    assert rows_of(result) == [("r", ["r"], ["0"], "", "yes")]
    assert_branches_singular(POLAR, "r,t", result, 1)


def test_spherical_is_singular_at_r_0_and_sin_t_0() -> None:
    result = singular_of(SPHERICAL, "r,t,p")
    rows = rows_of(result)
    assert ("r", ["r"], ["0"], "", "yes") in rows
    assert ("sin(t)", ["t"], ["k*pi"], "k ∈ ℤ", "yes") in rows
    assert_branches_singular(SPHERICAL, "r,t,p", result, 2)


def test_two_families_that_interleave_are_merged() -> None:
    """cos(2x) = 0 at x = π/4 + kπ/2: one family, not two."""
    result = singular_of("sin(2*x)/2, y", "x,y")
    ((_, variables, values, where, solved),) = rows_of(result)
    assert (variables, where, solved) == (["x"], "k ∈ ℤ", "yes")
    k = sympy.Symbol("k")
    got = sympy.sympify(values[0], locals={"k": k})
    assert sympy.simplify(got - (sympy.pi / 4 + k * sympy.pi / 2)) == 0
    assert_branches_singular("sin(2*x)/2, y", "x,y", result, 1)


def test_transcendental_branch_is_reported_unsolved() -> None:
    result = singular_of("x^2/2 - sin(x), y", "x,y")
    ((equation, variables, _, _, solved),) = rows_of(result)
    assert (equation, variables, solved) == ("x - cos(x)", [], "no")
    assert not result.branches[0].solved
    assert any("could not be solved" in n for n in result.notes)


def test_branch_without_real_solution_is_kept() -> None:
    result = singular_of("x^3/3 + x, y", "x,y")  # det J = x² + 1
    assert rows_of(result) == [("1 + x**2", [], [], "no real solution", "yes")]


def test_sum_of_squares_is_a_point() -> None:
    result = singular_of("x^3/3 + x*y^2, y", "x,y")  # det J = x² + y²
    ((_, variables, values, _, solved),) = rows_of(result)
    assert (variables, values, solved) == (["x", "y"], ["0", "0"], "yes")


def test_det_identically_zero_gives_the_generic_rank() -> None:
    result = singular_of("x+y, 2*x+2*y, x-y+z, 2*x-2*y+2*z", "x,y,z,w")
    assert result.determinant == 0
    assert {v.key: int(v.value) for v in result.values}["generic_rank"] == 2
    assert dict(result.facts)["singular"] == "everywhere"
    assert any("generic rank is 2 of 4" in n for n in result.notes)


def test_constant_det_is_nowhere_singular() -> None:
    result = singular_of("2*x + y + sin(z), x - y, z", "x,y,z")
    assert int(result.determinant) == -3
    assert dict(result.facts)["singular"] == "nowhere"
    assert any("nowhere singular" in n for n in result.notes)


# --------------------------------------------------------------------------- non-square J


def test_three_link_planar_arm_loses_rank_on_q2_q3_multiples_of_pi() -> None:
    result = singular_of(ARM3, "q1,q2,q3")
    (system,) = [r for r in rows_of(result) if r[1]]
    assert system[1] == ["q2", "q3"] and system[4] == "yes"
    assert "l1, l2, l3 ≠ 0" in system[3]
    assert {v.key: int(v.value) for v in result.values if v.key == "generic_rank"} == {
        "generic_rank": 2
    }
    assert [str(r[0]) for r in result.listings[1].rows] == ["q1, q2", "q1, q3", "q2, q3"]
    # det(J Jᵀ) is the sum of the squares of the minors (Cauchy–Binet)
    jac, symbols = jacobian_function(ARM3, "q1,q2,q3")
    gram = exact(result.determinant)
    rng = random.Random(5)
    for _ in range(5):
        at = {str(s): rng.uniform(-2, 2) for s in symbols}
        j = jac(at)
        want = float(np.linalg.det(j @ j.T))
        got = float(gram.subs({sympy.Symbol(k): v for k, v in at.items()}))
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
    assert_branches_singular(ARM3, "q1,q2,q3", result, 1)


def test_tall_jacobian_that_never_loses_rank() -> None:
    result = singular_of("x*y, x+y, x-y", "x,y")
    assert dict(result.facts)["singular"] == "nowhere"
    assert not result.branches


def test_tall_jacobian_with_a_branch() -> None:
    result = singular_of("x^2/2, x*y, x^2*y", "x,y")  # every minor has the factor x²
    assert rows_of(result) == [("x", ["x"], ["0"], "", "yes")]
    assert_branches_singular("x^2/2, x*y, x^2*y", "x,y", result, 1)


# --------------------------------------------------------------------------- at a point

POINTS = [
    (ARM2, "q1,q2", "q1=1/3,q2=2,l1=1,l2=3/2"),
    (ARM2, "q1,q2", "q1=0,q2=pi/2,l1=1,l2=1"),
    (ARM3, "q1,q2,q3", "q1=1,q2=1/2,q3=-1,l1=1,l2=1,l3=1/2"),
    ("x*y, x+y, x-y*z", "x,y,z", "x=1,y=2,z=3"),
    ("x*y, x+y^2, x-y", "x,y", "x=1/2,y=-3/4"),
]


@pytest.mark.parametrize(("text", "names", "at"), POINTS)
def test_at_a_point_matches_numpy(text: str, names: str, at: str) -> None:
    result = singular_of(text, names, at)
    jac, _ = jacobian_function(text, names)
    env = {str(k): float(v) for k, v in result.point}
    j = jac(env)
    sigma = np.linalg.svd(j, compute_uv=False)
    got = [float(s) for s in result.singular_values]
    assert np.allclose(got, sigma, rtol=1e-12, atol=1e-14)
    assert result.rank == np.linalg.matrix_rank(j)
    assert math.isclose(float(result.condition), np.linalg.cond(j), rel_tol=1e-10)
    m, n = j.shape
    if m <= n:
        want = math.sqrt(np.linalg.det(j @ j.T))
        assert math.isclose(float(result.manipulability), want, rel_tol=1e-10)
    else:
        assert result.manipulability is None
    assert dict(result.facts)["singular"] == "no"


def test_at_a_singular_point_condition_is_infinite() -> None:
    result = singular_of(ARM2, "q1,q2", "q1=1,q2=pi,l1=1,l2=2")
    assert result.rank == 1
    assert str(result.condition) == "oo"
    assert result.singular_values[-1] == 0
    assert result.manipulability == 0
    assert dict(result.facts)["singular"] == "yes"


def test_numeric_singular_values_to_digits() -> None:
    result = singular_of(ARM3, "q1,q2,q3", "q1=1,q2=2,q3=3,l1=1,l2=1,l3=1", digits=30)
    jac, _ = jacobian_function(ARM3, "q1,q2,q3")
    sigma = np.linalg.svd(
        jac({"q1": 1, "q2": 2, "q3": 3, "l1": 1, "l2": 1, "l3": 1}), compute_uv=False
    )
    assert np.allclose([float(s) for s in result.singular_values], sigma, rtol=1e-13)
    # to 30 digits, against SymPy's own singular values of the exact J
    functions = [exact(f) for f in read(ARM3, "q1,q2,q3").functions]
    qs = sympy.symbols("q1 q2 q3")
    matrix = (
        sympy.Matrix(functions)
        .jacobian(qs)
        .subs(
            {
                **dict(zip(qs, (1, 2, 3), strict=True)),
                **{sympy.Symbol(f"l{i}"): 1 for i in (1, 2, 3)},
            }
        )
    )
    gram = matrix * matrix.T  # 2×2: its eigenvalues are (tr ± √(tr² − 4 det))/2
    tr, det = gram.trace(), gram.det()
    root = sympy.sqrt(tr**2 - 4 * det)
    want = [sympy.sqrt((tr + root) / 2).evalf(60), sympy.sqrt((tr - root) / 2).evalf(60)]
    for got, w in zip(result.singular_values, want, strict=True):
        assert abs(sympy.Float(str(got), 40) - w) < sympy.Float(10) ** -28


def test_a_parameter_without_a_value_at_the_point_is_a_usage_error() -> None:
    run = invoke(["singular", ARM2, "--vars", "q1,q2", "--at", "q1=0,q2=1"])
    assert run.code == 2
    assert "l1, l2" in run.stderr and "--at" in run.stderr


def test_digits_without_a_point_is_a_usage_error() -> None:
    run = invoke(["singular", POLAR, "--vars", "r,t", "--digits", "5"])
    assert run.code == 2 and "--at" in run.stderr


# --------------------------------------------------------------------------- formats and API

CASES = [
    (ARM2, "q1,q2", None),
    (ARM3, "q1,q2,q3", None),
    ("x^2/2 - sin(x), y", "x,y", None),
    ("x+y, 2*x+2*y", "x,y", None),
    ("2*x+y, x-y", "x,y", None),
    (ARM2, "q1,q2", "q1=1,q2=pi,l1=1,l2=2"),
    (ARM3, "q1,q2,q3", "q1=1,q2=2,q3=3,l1=1,l2=1,l3=1"),
    ("x*y, x+y, x-y*z", "x,y,z", "x=1,y=2,z=3"),
]
# The read-back checkers of tests/test_readback.py read an empty tuple cell (a branch with
# no solved variables) as one blank expression, and cannot evaluate oo (the condition
# number at a singular point): those cases wait for them.
EMPTY_CELL = pytest.mark.xfail(reason="test_readback: an empty tuple cell", strict=False)
INFINITE = pytest.mark.xfail(reason="test_readback: oo has no value to compare", strict=False)
SUBSCRIPT = pytest.mark.xfail(reason="test_readback: q_{1} in a LaTeX point", strict=False)
READ_BACK = [
    pytest.param(*case, marks=mark) if mark else case
    for case, mark in zip(CASES, [None] * len(CASES), strict=True)
]


@pytest.mark.parametrize(("text", "names", "at"), READ_BACK)
def test_every_format_reads_back(text: str, names: str, at: str | None) -> None:
    result = singular_of(text, names, at)
    check_json(result)
    check_plain(result)
    check_table(result)
    check_latex(result)


@pytest.mark.parametrize("fmt", ["json", "table", "plain", "latex"])
@pytest.mark.parametrize(("text", "names", "at"), CASES[:2] + CASES[5:6])
def test_command_line_in_every_format(fmt: str, text: str, names: str, at: str | None) -> None:
    args = ["singular", text, "--vars", names, "--format", fmt]
    run = invoke([*args, "--at", at] if at else args)  # JSON checked against its schema
    assert run.code == 0, run.stderr
    if at and fmt == "json":
        assert run.json()["condition"] == "oo" and run.json()["singular"] == "yes"
    elif at and fmt == "latex":
        assert "\\infty" in run.stdout
    elif at and fmt == "table":
        assert "oo" in run.stdout or "∞" in run.stdout
    elif at:  # plain: the singular values alone, the last one 0
        assert run.stdout.splitlines()[-1] == "0"


def test_plain_output_lists_the_branches() -> None:
    run = invoke(["singular", ARM2, "--vars", "q1,q2", "--format", "plain"])
    assert "sin(q2)\tq2\tk*pi\tk ∈ ℤ\tyes" in run.stdout.splitlines()


def test_python_api() -> None:
    result = jaccli.singular(ARM2, vars="q1,q2")
    assert isinstance(result, engine.SingularResult)
    assert any(b.solutions and b.where == "k ∈ ℤ" for b in result.branches)
    at = jaccli.singular(ARM2, vars="q1,q2", at="q1=0,q2=pi/2,l1=1,l2=1", digits=10)
    assert at.rank == 2 and len(at.singular_values) == 2
    assert math.isclose(float(at.condition), (3 + math.sqrt(5)) / 2, rel_tol=1e-9)


def test_singular_values_need_no_eigenvals(monkeypatch: pytest.MonkeyPatch) -> None:
    """SymPy's eigenvals factored J Jᵀ's characteristic polynomial over cos 1, sin 2, ...
    with Wang's algorithm, which draws random evaluation points and, now and then, ran for
    hours (sympy#20456: a CI worker for 1.5 h; jac's 60 s budget stopped a user's run).
    A 2×2 Gram matrix takes the formula instead: a call to eigenvals fails this test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eigenvals called")

    monkeypatch.setattr(sympy.Matrix, "eigenvals", refuse)
    result = singular_of(ARM3, "q1,q2,q3", "q1=1,q2=2,q3=3,l1=1,l2=1,l3=1")
    c = np.cumsum([1.0, 2.0, 3.0])
    jac = [[-sum(np.sin(c[k:])) for k in range(3)], [sum(np.cos(c[k:])) for k in range(3)]]
    shown = [float(v) for v in result.singular_values]
    assert np.allclose(shown, np.linalg.svd(np.array(jac), compute_uv=False), rtol=1e-12)


@pytest.mark.parametrize(
    ("text", "names", "at", "expected", "rank"),
    [
        # det(J Jᵀ) is exactly 0 but its closed form evaluates to a tiny negative number:
        # was exit 70 (a complex σ₂ in the sort), then rank 2 with det 0 and w = 0.
        ("x*cos(2)+y, x*(2*cos(1)^2-1)+y", "x,y", "x=0,y=0", None, 1),
        ("x*cos(2)+y, 2*x*cos(2)+2*y", "x,y", "x=0,y=0", None, 1),
        # a diagonal J Jᵀ (spherical coordinates at the pole) keeps its exact values
        ("r*cos(t)*sin(p), r*sin(t)*sin(p), r*cos(p)", "r,t,p", "r=pi,t=0,p=0", "pi 1 0", 2),
        ("l1*cos(q1)+l2*cos(q1+q2), l1*sin(q1)+l2*sin(q1+q2)", "q1,q2", "q1=1,q2=0,l1=1,l2=1",
         "sqrt(5) 0", 1),
    ],
)  # fmt: skip
def test_singular_points_are_exact_and_agree(
    text: str, names: str, at: str, expected: str | None, rank: int
) -> None:
    result = singular_of(text, names, at)
    problem = read(text, names)
    point = {str(k): float(v) for k, v in problem.at(at).values.items()}
    jac = np.array(
        [[float(e.subs({s: point[str(s)] for s in e.free_symbols})) for e in row]
         for row in engine.jacobian(problem.functions, problem.variables).sparse.dense()]
    )  # fmt: skip
    found = [complex(v).real for v in (s.n() for s in result.singular_values)]
    assert np.allclose(found, np.linalg.svd(jac, compute_uv=False)[: len(found)], atol=1e-12)
    assert result.rank == rank and result.singular_values[-1] == 0
    if expected is not None:
        assert " ".join(str(s) for s in result.singular_values) == expected
