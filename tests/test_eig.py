"""jac eig: eigenvalues against SymPy's eigenvals and NumPy's eigvals at random matrices,
eigenvectors checked exactly (A v = λ v), the classification of the issue's systems, the
Routh–Hurwitz conditions against eigenvalue signs, and the command line in every format.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
import symengine as se
import sympy
from hypothesis import given
from hypothesis import strategies as st

import jaccli
from jaccli import engine
from jaccli.engine.eigen import characteristic, classify, eigenvalues, routh_hurwitz
from jaccli.engine.results import Eigenvalue
from jaccli.problem import read
from tests.test_readback import (
    check_json,
    check_latex,
    check_plain,
    check_table,
    exact,
    read_text,
)

I = se.Integer  # noqa: E741


def m(rows: Sequence[Sequence[Any]]) -> tuple[tuple[Any, ...], ...]:
    """A SymEngine matrix from numbers (ints and fractions as text) or expressions."""
    return tuple(tuple(se.sympify(e) if isinstance(e, (int, str)) else e for e in r) for r in rows)


def values(found: Sequence[Eigenvalue]) -> list[complex]:
    """The eigenvalues as complex numbers, each repeated by its multiplicity."""
    return [complex(sympy.N(exact(e.value), 30)) for e in found for _ in range(e.multiplicity)]


def same_multiset(a: Sequence[complex], b: Sequence[complex], tol: float = 1e-8) -> bool:
    left = list(b)
    for z in a:
        k = min(range(len(left)), key=lambda i: abs(left[i] - z))
        if abs(left[k] - z) > tol * max(1.0, abs(z)):
            return False
        left.pop(k)
    return not left


def random_matrix(rng: random.Random, n: int, rational: bool = False) -> list[list[Any]]:
    def entry() -> Any:
        k = rng.randint(-5, 5)
        return sympy.Rational(k, rng.randint(1, 4)) if rational else sympy.Integer(k)

    return [[entry() for _ in range(n)] for _ in range(n)]


def as_symengine(rows: list[list[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(se.sympify(e) for e in r) for r in rows)


# --------------------------------------------------------------------------- eigenvalues


@pytest.mark.parametrize("rational", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_random_matrices_match_sympy_and_numpy(seed: int, rational: bool) -> None:
    rng = random.Random(seed)
    rows = random_matrix(rng, 2 + seed % 3, rational)
    found, is_exact = eigenvalues(as_symengine(rows))
    assert is_exact
    expected = sympy.Matrix(rows).eigenvals()
    assert sorted(e.multiplicity for e in found) == sorted(expected.values())
    reference = [complex(sympy.N(v, 30)) for v, k in expected.items() for _ in range(k)]
    assert same_multiset(values(found), reference)
    numeric = np.linalg.eigvals(np.array(rows, dtype=float))
    assert same_multiset(values(found), list(numeric), 1e-6)


def test_ordered_by_real_then_imaginary_part() -> None:
    found, _ = eigenvalues(m([[1, 0, 0], [0, -1, -2], [0, 2, -1]]))
    assert [str(e.value) for e in found] == ["-1 - 2*I", "-1 + 2*I", "1"]


def test_symbolic_parameters_stay_symbolic() -> None:
    b = se.Symbol("b")
    found, is_exact = eigenvalues(m([[0, 1], [-1, -b]]))
    assert is_exact
    lam = sympy.Symbol("lam")
    expected = sympy.solve(lam**2 + sympy.Symbol("b", real=True) * lam + 1, lam)
    got = {
        sympy.simplify(exact(e.value).subs(sympy.Symbol("b"), sympy.Symbol("b", real=True)))
        for e in found
    }
    assert {sympy.simplify(e) for e in expected} == got
    assert "sqrt(-4 + b**2)" in str(found[0].value)  # expanded radicand: b² − 4


@pytest.mark.parametrize("seed", range(4))
def test_symbolic_matrix_substituted_matches_numpy(seed: int) -> None:
    rng = random.Random(seed)
    a, b, c = se.symbols("a b c")
    matrix = m([[a, 1, 0], [b, c, 1], [1, 0, a]])
    found, _ = eigenvalues(matrix)
    at = {s: se.Rational(rng.randint(-9, 9), rng.randint(1, 3)) for s in (a, b, c)}
    numbers = [[float(e.xreplace(at)) for e in row] for row in matrix]
    got = [
        complex(sympy.N(exact(e.value.xreplace(at)), 30))
        for e in found
        for _ in range(e.multiplicity)
    ]
    assert same_multiset(got, list(np.linalg.eigvals(np.array(numbers))), 1e-6)


def test_repeated_eigenvalues_have_multiplicities() -> None:
    found, is_exact = eigenvalues(m([[2, 0, 0], [0, 2, 0], [0, 0, 3]]))
    assert is_exact
    assert [(str(e.value), e.multiplicity) for e in found] == [("2", 2), ("3", 1)]
    # (λ − 1)² (λ² + 1) from a matrix whose characteristic polynomial is a product
    found, _ = eigenvalues(m([[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, -1, 0]]))
    assert [(str(e.value), e.multiplicity) for e in found] == [("-I", 1), ("I", 1), ("1", 2)]


def assert_eigenvectors(matrix: Any, found: Sequence[Eigenvalue], proof: bool = True) -> None:
    """A v = λ v for every vector, and as many vectors as the eigenspace's dimension:
    simplified to 0 exactly (`proof`), or to 50 digits for cosine forms of cubic roots."""
    a = sympy.Matrix([[exact(e) for e in row] for row in matrix])
    for e in found:
        lam = exact(e.value)
        if proof:
            geometric = a.rows - (a - lam * sympy.eye(a.rows)).rank(simplify=True)
        else:
            geometric = a.rows - (a - sympy.N(lam, 50) * sympy.eye(a.rows)).rank(
                iszerofunc=lambda x: abs(x) < 1e-40
            )
        assert len(e.vectors) == geometric, (lam, e.vectors)
        for v in e.vectors:
            vec = sympy.Matrix([exact(x) for x in v])
            residual = a * vec - lam * vec
            if proof:
                assert residual.applyfunc(sympy.simplify) == sympy.zeros(a.rows, 1), (lam, vec)
            else:
                assert all(abs(sympy.N(r, 50)) < 1e-40 for r in residual), (lam, vec)
            assert any(sympy.simplify(x) != 0 for x in vec)


@pytest.mark.parametrize(
    "rows",
    [
        [[2, 1], [0, 2]],  # defective: one vector for multiplicity 2
        [[2, 1, 0], [0, 2, 0], [0, 0, 2]],  # 3-fold, two vectors
        [[0, 1], [-1, 0]],
        [[0, 1], [1, "-1/2"]],
    ],
)
def test_eigenvectors_exactly(rows: list[list[Any]]) -> None:
    matrix = m(rows)
    found, is_exact = eigenvalues(matrix, vectors=True)
    assert is_exact
    assert_eigenvectors(matrix, found)


def test_eigenvectors_of_a_cubic_with_three_real_roots() -> None:
    matrix = m([[1, 2, 3], [4, 5, 6], [7, 8, 10]])  # roots as cosines (casus irreducibilis)
    found, is_exact = eigenvalues(matrix, vectors=True)
    assert is_exact and len(found) == 3
    assert_eigenvectors(matrix, found, proof=False)


def test_symbolic_eigenvectors() -> None:
    b = se.Symbol("b")
    matrix = m([[0, 1], [-1, -b]])
    found, _ = eigenvalues(matrix, vectors=True)
    assert_eigenvectors(matrix, found)


def companion(coefficients: Sequence[int]) -> tuple[tuple[Any, ...], ...]:
    """The companion matrix of λⁿ + c1 λⁿ⁻¹ + … + cn."""
    n = len(coefficients)
    rows = [[I(0)] * n for _ in range(n)]
    for i in range(n - 1):
        rows[i + 1][i] = I(1)
    for i, c in enumerate(reversed(coefficients)):
        rows[i][n - 1] = I(-c)
    return tuple(tuple(r) for r in rows)


def test_an_irreducible_quintic_is_numeric_and_verified() -> None:
    import mpmath

    coefficients = [0, 0, 0, -1, -1]  # λ⁵ − λ − 1, irreducible, Galois group S5
    found, is_exact = eigenvalues(companion(coefficients), digits=30, vectors=True)
    assert not is_exact
    assert len(found) == 5 and all(e.multiplicity == 1 for e in found)
    assert "RootOf" not in " ".join(str(e.value) for e in found)
    with mpmath.workdps(60):
        reference = mpmath.polyroots([1, *coefficients], maxsteps=200, extraprec=200)
        for e in found:
            z = mpmath.mpc(str(sympy.re(exact(e.value))), str(sympy.im(exact(e.value))))
            assert min(abs(z - r) for r in reference) < mpmath.mpf(10) ** -28
    numeric = np.roots([1, *coefficients])
    assert same_multiset(values(found), list(numeric), 1e-9)
    assert_numeric_vectors(companion(coefficients), found)


def assert_numeric_vectors(matrix: Any, found: Sequence[Eigenvalue]) -> None:
    a = np.array([[complex(e) for e in row] for row in matrix])
    for e in found:
        lam = complex(e.value)
        for v in e.vectors:
            vec = np.array([complex(x) for x in v])
            assert np.linalg.norm(a @ vec - lam * vec) < 1e-9 * np.linalg.norm(vec)


def test_a_quintic_factor_beside_a_quadratic_one_keeps_the_rest_exact() -> None:
    # (λ² + 1)(λ⁵ − λ − 1): the quadratic's roots are still ±i, exactly
    block = companion([0, 0, 0, -1, -1])
    rows = [[*row, I(0), I(0)] for row in block]
    rows += [[I(0)] * 5 + [I(0), I(1)], [I(0)] * 5 + [I(-1), I(0)]]
    found, is_exact = eigenvalues(tuple(tuple(r) for r in rows))
    assert not is_exact
    assert {str(e.value) for e in found} >= {"I", "-I"}


def test_floats_are_numeric_and_repeated_roots_stay_repeated() -> None:
    found, is_exact = eigenvalues(m([[se.RealDouble(0.1), 0], [0, se.RealDouble(0.1)]]))
    assert not is_exact
    assert [e.multiplicity for e in found] == [2]
    assert abs(complex(found[0].value) - 0.1) < 1e-15


def test_symbolic_quintic_is_a_math_error() -> None:
    from jaccli.errors import MathError

    a = se.Symbol("a")
    rows = [list(r) for r in companion([0, 0, 0, -1, -1])]
    rows[0][4] = a
    with pytest.raises(MathError, match="parameters a"):
        eigenvalues(tuple(tuple(r) for r in rows))


def test_characteristic() -> None:
    a, b, c, d = se.symbols("a b c d")
    trace, det, coeffs = characteristic(m([[a, b], [c, d]]))
    assert sympy.expand(exact(trace) - exact(a + d)) == 0
    assert sympy.expand(exact(det) - exact(a * d - b * c)) == 0
    assert [sympy.expand(exact(x)) for x in coeffs] == [1, -exact(a + d), exact(a * d - b * c)]


# --------------------------------------------------------------------------- classification


def classified(text: str, variables: str, at: dict[str, Any]) -> Any:
    problem = read(text, variables)
    point = {se.Symbol(k): se.sympify(v) for k, v in at.items()}
    result = engine.eig(problem.functions, problem.variables, point=point)
    return result, classify(result.eigenvalues, exact=result.exact)


LOTKA = "x - x*y, -y + x*y"
PENDULUM = "w, -sin(t) - w/2"


@pytest.mark.parametrize(
    ("text", "variables", "at", "kind", "eigen"),
    [
        (LOTKA, "x,y", {"x": 0, "y": 0}, "saddle", ["-1", "1"]),
        (LOTKA, "x,y", {"x": 1, "y": 1}, "linearization inconclusive", ["-I", "I"]),
        (PENDULUM, "t,w", {"t": 0, "w": 0}, "stable focus", None),
        (PENDULUM, "t,w", {"t": sympy.pi, "w": 0}, "saddle", None),
        (PENDULUM, "t,w", {"t": 2 * sympy.pi, "w": 0}, "stable focus", None),
        ("y, (1 - x^2)*y - x", "x,y", {"x": 0, "y": 0}, "unstable focus", None),
        ("x^2, -y", "x,y", {"x": 0, "y": 0}, "linearization inconclusive", ["-1", "0"]),
        ("y, -x", "x,y", {"x": 0, "y": 0}, "linearization inconclusive", ["-I", "I"]),
        ("x, 2*y", "x,y", {"x": 0, "y": 0}, "unstable node", ["1", "2"]),
        ("-x, -2*y", "x,y", {"x": 0, "y": 0}, "stable node", ["-2", "-1"]),
        ("x^2 + y, y", "x,y", {"x": 0, "y": 0}, "unstable (non-hyperbolic)", ["0", "1"]),
        ("-x", "x", {"x": 0}, "stable", ["-1"]),
    ],
)
def test_the_issues_systems(
    text: str, variables: str, at: dict[str, Any], kind: str, eigen: list[str] | None
) -> None:
    result, classification = classified(text, variables, at)
    assert classification.type == kind
    assert classification.hyperbolic == ("inconclusive" not in kind and "non-" not in kind)
    if eigen is not None:
        assert [str(e.value) for e in result.eigenvalues] == eigen
    if kind == "saddle":
        assert classification.unstable_directions == 1
    assert "centre" not in kind
    assert any(kind in note for note in result.notes)


def test_pendulum_and_van_der_pol_eigenvalues() -> None:
    s = sympy.sqrt
    cases = [
        (PENDULUM, "t,w", {"t": 0, "w": 0}, [-sympy.Rational(1, 4) + sympy.I * s(15) / 4]),
        (PENDULUM, "t,w", {"t": sympy.pi, "w": 0}, [-sympy.Rational(1, 4) + s(17) / 4]),
        (
            "y, (1 - x^2)*y - x",
            "x,y",
            {"x": 0, "y": 0},
            [sympy.Rational(1, 2) + sympy.I * s(3) / 2],
        ),
    ]
    for text, variables, at, expected in cases:
        result, _ = classified(text, variables, at)
        got = [exact(e.value) for e in result.eigenvalues]
        for e in expected:
            assert any(sympy.simplify(g - e) == 0 for g in got), (got, e)
            assert any(sympy.simplify(g - sympy.conjugate(e)) == 0 for g in got)


def test_notes_name_the_reason_when_inconclusive() -> None:
    _, zero = classified("x^2, -y", "x,y", {"x": 0, "y": 0})
    assert "zero eigenvalue" in zero.note
    _, centre = classified("y, -x", "x,y", {"x": 0, "y": 0})
    assert "imaginary axis" in centre.note and "linear centre" in centre.note


def test_saddle_focus_in_3d() -> None:
    found, is_exact = eigenvalues(m([[1, 0, 0], [0, -1, -2], [0, 2, -1]]))
    kind = classify(found, exact=is_exact)
    assert (kind.type, kind.unstable_directions, kind.hyperbolic) == ("saddle-focus", 1, True)


def test_parameters_give_depends_or_unstable() -> None:
    b = se.Symbol("b")
    found, is_exact = eigenvalues(m([[0, 1], [-1, -b]]))
    assert classify(found, exact=is_exact).type == "depends on parameters"
    found, is_exact = eigenvalues(m([[1, 0], [0, b]]))
    assert classify(found, exact=is_exact).type == "unstable"
    # tr and det decide in 2-D: the top of the pendulum is a saddle whatever b is
    found, is_exact = eigenvalues(m([[0, 1], [1, -b]]))
    assert (classify(found, exact=is_exact).type, found[0].value.free_symbols) == ("saddle", {b})
    found, is_exact = eigenvalues(m([[-(b**2) - 1, 3], [-3, -(b**2) - 1]]))
    assert classify(found, exact=is_exact).type == "stable focus"


def floats(*zs: complex) -> list[Eigenvalue]:
    def number(z: complex) -> Any:
        re = se.RealMPFR(repr(z.real), 60)
        return re if z.imag == 0 else re + se.I * se.RealMPFR(repr(z.imag), 60)

    return [Eigenvalue(number(z), 1) for z in zs]


def test_float_tolerance() -> None:
    kind = classify(floats(3e-12 + 1j, 3e-12 - 1j), exact=False)
    assert kind.type == "linearization inconclusive"
    assert "Re λ = 3e-12 is within the tolerance 1e-9: taken as 0" in kind.note
    kind = classify(floats(3e-12 + 1j, 3e-12 - 1j), exact=False, tolerance=1e-13)
    assert kind.type == "unstable focus" and kind.note == ""
    kind = classify(floats(-1e-3, -2.0), exact=False)
    assert kind.type == "stable node"
    kind = classify(floats(1e-12, -2.0), exact=False)
    assert kind.type == "linearization inconclusive" and "zero eigenvalue" in kind.note


def test_exact_tiny_real_part_is_not_zero() -> None:
    tiny = se.Rational(1, 10**30)
    found, is_exact = eigenvalues(m([[tiny, 1], [-1, tiny]]))
    assert classify(found, exact=is_exact).type == "unstable focus"


# --------------------------------------------------------------------------- Routh–Hurwitz


def test_routh_hurwitz_forms() -> None:
    a1, a2, a3 = se.symbols("a1 a2 a3")
    assert routh_hurwitz([I(1), a1, a2]) == (a1, a2)
    got = routh_hurwitz([I(1), a1, a2, a3])
    assert [sympy.expand(exact(c)) for c in got] == [
        exact(a1),
        exact(a3),
        sympy.expand(exact(a1 * a2 - a3)),
    ]
    b = se.Symbol("b")
    _, _, coeffs = characteristic(m([[0, 1], [-1, -b]]))
    assert routh_hurwitz(coeffs) == (b,)  # 1 > 0 always holds: left out
    _, _, coeffs = characteristic(m([[0, 1], [1, -b]]))
    assert routh_hurwitz(coeffs) == (b, I(-1))  # never stable: a saddle


@given(st.lists(st.integers(-6, 6), min_size=1, max_size=5))
def test_routh_hurwitz_agrees_with_eigenvalue_signs(coefficients: list[int]) -> None:
    roots = np.roots([1, *coefficients])
    if len(roots) and min(abs(r.real) for r in roots) < 1e-6:
        return  # on the boundary: floating point cannot tell
    stable = all(r.real < 0 for r in roots)
    conditions = routh_hurwitz([I(1), *(I(c) for c in coefficients)])
    assert all(float(c) > 0 for c in conditions) == stable


@given(st.lists(st.integers(-5, 5), min_size=4, max_size=4), st.integers(-4, 4))
def test_routh_hurwitz_with_a_parameter(entries: list[int], value: int) -> None:
    b = se.Symbol("b")
    matrix = m([[entries[0], entries[1], 0], [entries[2], b, 1], [1, entries[3], -2]])
    conditions = routh_hurwitz(characteristic(matrix)[2])
    at = {b: I(value)}
    numbers = np.array([[float(e.xreplace(at)) for e in row] for row in matrix])
    roots = np.linalg.eigvals(numbers)
    if min(abs(r.real) for r in roots) < 1e-6:
        return
    held = all(float(c.xreplace(at)) > 0 for c in conditions)
    assert held == all(r.real < 0 for r in roots)


# --------------------------------------------------------------------------- command line


def test_cli_every_format(jac: Any) -> None:
    args = ["eig", LOTKA, "--vars", "x,y", "--at", "x=1,y=1"]
    run = jac([*args, "--format", "json"])
    assert run.code == 0, run.stderr
    data = run.json()
    assert data["exact"] == "true"
    assert [e["eigenvalue"] for e in data["eigenvalues"]] == ["-sqrt(-1)", "sqrt(-1)"]
    assert (data["trace"], data["determinant"]) == ("0", "1")
    assert any("linearization inconclusive" in n for n in data["notes"])
    plain = jac([*args, "--format", "plain"])
    assert plain.stdout.split("\n")[:2] == ["-sqrt(-1)\t1", "sqrt(-1)\t1"]
    table = jac([*args, "--format", "table"])
    assert "tr J = 0" in table.stdout and "Eigenvalues" in table.stdout
    latex = jac([*args, "--format", "latex"])
    assert latex.code == 0 and "\\text{eigenvalue}" in latex.stdout


def test_cli_matrix(jac: Any) -> None:
    run = jac(["eig", "--matrix", "0, 1; -1, -b", "--format", "json"])
    assert run.code == 0, run.stderr
    data = run.json()
    assert data["functions"] == [] and data["matrices"][0]["label"] == "A"
    lam, b = sympy.Symbol("lambda"), sympy.Symbol("b")
    assert sympy.expand(read_text(data["characteristic"], []) - (lam**2 + b * lam + 1)) == 0
    rows = jac(["eig", "--matrix", "2, 1", "0, 2", "--vectors", "--format", "json"]).json()
    assert rows["eigenvalues"] == [{"eigenvalue": "2", "multiplicity": 2}]
    assert rows["eigenvectors"] == [{"eigenvalue": "2", "eigenvector": ["1", "0"]}]
    assert any("defective" in n for n in rows["notes"])
    at = jac(["eig", "--matrix", "0, 1; -1, -b", "--at", "b=2", "--format", "json"]).json()
    assert at["eigenvalues"] == [{"eigenvalue": "-1", "multiplicity": 2}]
    assert at["point"] == {"b": "2"}
    stdin = jac(["eig", "--matrix", "-", "--format", "plain"], input="1, 2\n2, 1\n")
    assert stdin.stdout.strip().split("\n") == ["-1\t1", "3\t1"]


def test_cli_numeric(jac: Any) -> None:
    run = jac(
        [
            "eig",
            "--matrix",
            "0,0,0,0,1; 1,0,0,0,1; 0,1,0,0,0; 0,0,1,0,0; 0,0,0,1,0",
            "--format",
            "json",
        ]
    )
    assert run.code == 0, run.stderr
    data = run.json()
    assert data["exact"] == "false"
    assert data["eigenvalues"][-1]["eigenvalue"] == "1.16730397826142"
    five = jac(
        [
            "eig",
            "--matrix",
            "0,0,0,0,1; 1,0,0,0,1; 0,1,0,0,0; 0,0,1,0,0; 0,0,0,1,0",
            "--digits",
            "5",
            "--format",
            "plain",
        ]
    )
    assert five.stdout.split("\n")[-2] == "1.1673\t1"


def test_cli_digits_round_exact_eigenvalues(jac: Any) -> None:
    run = jac(
        [
            *["eig", PENDULUM, "--vars", "t,w", "--at", "t=pi,w=0"],
            "--digits",
            "6",
            "--format",
            "plain",
        ]
    )
    assert run.stdout.split("\n")[:2] == ["-1.28078\t1", "0.780776\t1"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["eig", "x+y, x*y, z", "--vars", "x,y,z", "--matrix"], 2, "--vars"),
        (["eig", "x*y, y", "--vars", "x,y,z"], 1, "square"),
        (["eig", "--matrix", "1, 2, 3; 4, 5, 6"], 2, "2×3"),
        (["eig", "--matrix", "1, 2; 3"], 2, "different lengths"),
        (["eig", "--matrix", "0,0,0,0,a; 1,0,0,0,1; 0,1,0,0,0; 0,0,1,0,0; 0,0,0,1,0"], 1, "--at"),
        (["eig", "--matrix", "1, 2; 3, 4", "--at", "c=1"], 2, "not a parameter"),
    ],
)
def test_cli_errors(jac: Any, args: list[str], code: int, message: str) -> None:
    run = jac(args)
    assert run.code == code, (run.stdout, run.stderr)
    assert message in run.stderr


def test_renderers_read_back() -> None:
    results = [
        jaccli.eig(LOTKA, "x,y", at="x=1,y=1", vectors=True),
        jaccli.eig("0, 1; -1, -b", matrix=True, vectors=True),
        jaccli.eig(PENDULUM, "t,w", at="t=pi,w=0", digits=8),
    ]
    for result in results:
        check_json(result)
        check_plain(result)
        check_latex(result)
        check_table(result)


def test_api() -> None:
    from jaccli.errors import UsageError

    result = jaccli.eig("0, 1; -1, 0", matrix=True)
    assert [exact(e.value) for e in result.eigenvalues] == [-sympy.I, sympy.I] and result.exact
    symbolic = jaccli.eig("a*x + y, -x + a*y", "x,y")  # a linear system: J is constant in x
    a = sympy.Symbol("a")
    assert {exact(e.value) for e in symbolic.eigenvalues} == {a - sympy.I, a + sympy.I}
    assert symbolic.point is None and symbolic.variables == (se.Symbol("x"), se.Symbol("y"))
    with pytest.raises(UsageError, match="vars="):
        jaccli.eig("1, 2; 3, 4", "x", matrix=True)
