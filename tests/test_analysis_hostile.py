"""Issue 14, read by a hostile but fair user: eig, stability, singular, sparsity and --plot.

Each finding is a test. The bugs it found (a wrong answer, exit 70, a status that claims
more than was proved, a time-out) are the `test_bug_*` tests, strict xfails until they were
fixed and plain tests since. Behaviour that holds is pinned by plain tests, each compared
with the mathematics: eigenvalues with NumPy and SymPy, types with the theory
(Hartman–Grobman), Routh–Hurwitz with numeric eigenvalues at random parameter values,
singular branches with the SVD at points sampled on them, sparsity patterns with finite
differences.
"""

from __future__ import annotations

import functools
import json
import random
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy

import jaccli
from jaccli.engine import to_sympy
from tests.test_readback import CHECKS, exact


def quiet(compute: Callable[[], Any]) -> Any:
    """A result whose warnings (an incomplete list of equilibria) are not errors here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compute()


def stability(text: str, names: str, **options: Any) -> Any:
    return quiet(lambda: jaccli.stability(text, names, **options))


def numeric_eigenvalues(matrix: Any) -> list[complex]:
    """Exact eigenvalues (SymPy) of an exact matrix, as complex numbers with multiplicity."""
    found = sympy.Matrix(matrix).eigenvals()
    return [complex(sympy.N(v, 50)) for v, k in found.items() for _ in range(k)]


def expected_type(eigenvalues: list[complex], tol: float = 1e-20) -> str:
    """The type the theory gives: Hartman–Grobman where hyperbolic, else inconclusive (or
    unstable, by the instability theorem, when some Re λ > 0)."""
    n = len(eigenvalues)
    real = [z.real for z in eigenvalues]
    positive = sum(r > tol for r in real)
    if any(abs(r) <= tol for r in real):
        return "unstable (non-hyperbolic)" if positive else "linearization inconclusive"
    focus = any(abs(z.imag) > tol for z in eigenvalues)
    if n == 1:
        return "unstable" if positive else "stable"
    if positive in (0, n):
        side = "unstable" if positive else "stable"
        return f"{side} {'focus' if focus else 'node'}"
    kind = "saddle-focus" if focus else "saddle"
    return f"{kind} ({positive} unstable direction{'s' * (positive > 1)})"


def jacobian_at(result: Any, point: dict[Any, Any]) -> Any:
    xs = [to_sympy(v) for v in result.variables]
    fs = sympy.Matrix([to_sympy(f) for f in result.functions])
    return fs.jacobian(xs).subs(point)


def by_name(expr: Any, values: dict[str, Any]) -> Any:
    """`expr` with its symbols replaced by the values of the same names."""
    return expr.subs({s: values[s.name] for s in expr.free_symbols if s.name in values})


def members(e: Any, variables: Any, rng: random.Random) -> list[dict[str, Any]]:
    """A few members of an equilibrium, as values by name: a family's indices at random
    integers, a continuum's variables at random reals."""
    free = {s.name for c in e.point for s in exact(c).free_symbols}
    names = {str(v) for v in variables}
    return [
        {
            s: (sympy.Rational(rng.randint(-30, 30), 10) if s in names else rng.randint(-3, 3))
            for s in free
        }
        for _ in range(3 if free else 1)
    ]


# --------------------------------------------------------------------------- eig


@pytest.mark.parametrize("seed", range(8))
def test_eig_matches_numpy_and_vectors_satisfy_av_equals_lambda_v(seed: int) -> None:
    rng = random.Random(seed)
    n = 1 + seed % 6  # 1..6: formulas up to 4, numeric (irreducible quintic...) beyond
    a = [[rng.randint(-4, 4) for _ in range(n)] for _ in range(n)]
    text = "; ".join(", ".join(map(str, row)) for row in a)
    result = jaccli.eig(text, matrix=True, vectors=True)
    got = [
        complex(sympy.N(exact(e.value), 30))
        for e in result.eigenvalues
        for _ in range(e.multiplicity)
    ]
    reference = list(np.linalg.eigvals(np.array(a, dtype=float)))
    for z in got:  # a multiset match, to NumPy's accuracy
        k = min(range(len(reference)), key=lambda i: abs(reference[i] - z))
        assert abs(reference.pop(k) - z) < 1e-6 * max(1, abs(z)), (text, got)
    assert not reference
    matrix = np.array(a, dtype=complex)
    for e in result.eigenvalues:
        lam = complex(sympy.N(exact(e.value), 30))
        assert 1 <= len(e.vectors) <= e.multiplicity
        for v in e.vectors:
            vec = np.array([complex(sympy.N(exact(c), 30)) for c in v])
            assert np.linalg.norm(vec) > 0.1
            assert np.linalg.norm(matrix @ vec - lam * vec) < 1e-9 * np.linalg.norm(vec)


def test_eig_defective_and_symbolic_blocks() -> None:
    jordan = jaccli.eig("2, 1; 0, 2", matrix=True, vectors=True)
    (value,) = jordan.eigenvalues
    assert (exact(value.value), value.multiplicity, len(value.vectors)) == (2, 2, 1)
    assert any("defective" in n for n in jordan.notes)
    # a Jordan block with a parameter: λ = a twice, one eigenvector, for every a
    block = jaccli.eig("a, 1; 0, a", matrix=True, vectors=True)
    (value,) = block.eigenvalues
    assert (str(exact(value.value)), value.multiplicity, len(value.vectors)) == ("a", 2, 1)
    # the issue's own example: −b/2 ± √(b²−4)/2, checked at random b against NumPy
    damped = jaccli.eig("0, 1; -1, -b", matrix=True, vectors=True)
    order = lambda z: (round(z.real, 9), round(z.imag, 9))  # noqa: E731
    for b in (0.3, 1.7, 2.5, 7.0):
        got = [complex(sympy.N(by_name(exact(e.value), {"b": b}))) for e in damped.eigenvalues]
        reference = np.linalg.eigvals(np.array([[0, 1], [-1, -b]])).astype(complex)
        assert np.allclose(sorted(got, key=order), sorted(reference, key=order))


@pytest.mark.parametrize("digits", [1, 3, 8, 30])
def test_eig_digits_agree_with_mpmath(digits: int) -> None:
    import mpmath

    text = "0,1,0,0,0; 0,0,1,0,0; 0,0,0,1,0; 0,0,0,0,1; 1,1,0,0,0"  # λ⁵ = λ + 1: no formula
    result = jaccli.eig(text, matrix=True, digits=digits)
    assert result.exact is False
    with mpmath.workdps(60):
        roots = mpmath.polyroots([1, 0, 0, 0, -1, -1], maxsteps=200, extraprec=200)
    for e in result.eigenvalues:
        z = complex(sympy.N(exact(e.value), 60))
        nearest = min(roots, key=lambda r: abs(complex(r) - z))
        assert abs(complex(nearest) - z) <= 10 ** (1 - digits) * abs(complex(nearest))


def test_eig_at_point_with_parameters_and_equilibrium_note() -> None:
    # at (0, 0), F = 0: the note reads the spectrum as a linearization
    result = jaccli.eig("a*x + y, -x - y + x^2", "x,y", at="x=0,y=0,a=-2")
    values = [
        complex(sympy.N(exact(e.value))) for e in result.eigenvalues for _ in range(e.multiplicity)
    ]
    assert np.allclose(
        sorted(values, key=lambda z: z.imag),
        sorted(np.linalg.eigvals([[-2, 1], [-1, -1]]), key=lambda z: z.imag),
    )
    assert any("equilibrium" in n and expected_type(values) in n for n in result.notes)
    # not an equilibrium: no stability is read
    moved = jaccli.eig("x + 1, y", "x,y", at="x=0,y=0")
    assert any("not an equilibrium" in n for n in moved.notes)


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["eig", "--matrix", "1, 2, 3; 4, 5"], 2, "different lengths"),
        (["eig", "--matrix", "1, 2; 3, 4, 5"], 2, "different lengths"),
        (["eig", "--matrix", ""], 2, "no functions"),
        (["eig", "--matrix", "1/0, 1; 1, 1"], 1, "division by zero"),
        (["eig", "--matrix", "1, 2; 3, 4", "--vars", "x"], 2, "leave out --vars"),
        (["eig", "--matrix", "1, 2; 3, 4", "--at", "a=1"], 2, "not a parameter"),
        (["eig", "--matrix", "1, 2; 3, 4", "--digits", "0"], 2, "digits"),
        (["eig", "x*y, x", "--vars", "x,y", "--at", "x=1"], 2, "no value for variable y"),
        (["eig", "abs(x), y", "--vars", "x,y", "--at", "x=0,y=0"], 1, "no derivative"),
    ],
)
def test_eig_bad_input_exit_codes(jac: Any, args: list[str], code: int, words: str) -> None:
    run = jac(args)
    assert run.code == code, (run.stdout, run.stderr)
    assert words in run.stderr


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("5", [5]),  # 1×1
        (
            "1,2;3,4;",
            [sympy.Rational(5, 2) - sympy.sqrt(33) / 2, sympy.Rational(5, 2) + sympy.sqrt(33) / 2],
        ),  # a trailing ';'
        (
            "0.1, 0.2; 0.3, 0.4",
            [
                sympy.Rational(1, 4) - sympy.sqrt(33) / 20,
                sympy.Rational(1, 4) + sympy.sqrt(33) / 20,
            ],
        ),  # decimals exact
    ],
)
def test_eig_matrix_edge_cases(text: str, values: list[Any]) -> None:
    result = jaccli.eig(text, matrix=True)
    got = [exact(e.value) for e in result.eigenvalues for _ in range(e.multiplicity)]
    assert all(sympy.simplify(g - v) == 0 for g, v in zip(got, values, strict=True))


# --------------------------------------------------------------------------- stability


ISSUE_TABLE = [
    (
        "x - x*y, -y + x*y",
        "x,y",
        {(0, 0): "saddle (1 unstable direction)", (1, 1): "linearization inconclusive"},
    ),
    ("y, (1 - x^2)*y - x", "x,y", {(0, 0): "unstable focus"}),
    ("x^2, -y", "x,y", {(0, 0): "linearization inconclusive"}),
    ("y, -x", "x,y", {(0, 0): "linearization inconclusive"}),
    ("-x, -y", "x,y", {(0, 0): "stable node"}),  # stable star
    ("x, y", "x,y", {(0, 0): "unstable node"}),  # unstable star
    ("-x + y, -y", "x,y", {(0, 0): "stable node"}),  # degenerate node
    ("x^3 - x", "x", {(-1,): "unstable", (0,): "stable", (1,): "unstable"}),
    ("10*(y - x), x*(28 - z) - y, x*y - 8*z/3", "x,y,z", None),  # Lorenz: by the theory
    ("10*(y - x), x*(1/2 - z) - y, x*y - 8*z/3", "x,y,z", None),  # Lorenz, ρ < 1
    ("-y - z, x + y/5, 1/5 + z*(x - 57/10)", "x,y,z", None),  # Rössler: two saddle-foci
]


@pytest.mark.parametrize(("text", "names", "types"), ISSUE_TABLE)
def test_classification_matches_the_theory(text: str, names: str, types: Any) -> None:
    result = stability(text, names)
    assert result.status == "complete", result.reason
    for e in result.equilibria:
        point = {to_sympy(v): to_sympy(c) for v, c in zip(result.variables, e.point, strict=True)}
        theory = expected_type(numeric_eigenvalues(jacobian_at(result, point)))
        assert e.type == theory, (e.point, e.type, theory)
        assert e.hyperbolic == (
            theory not in ("linearization inconclusive", "unstable (non-hyperbolic)")
        )
        if types is not None:
            key = tuple(int(exact(c)) for c in e.point)
            assert types.pop(key) == e.type
    assert not types


def test_lorenz_types_by_name() -> None:
    result = stability("10*(y - x), x*(28 - z) - y, x*y - 8*z/3", "x,y,z")
    types = sorted(e.type for e in result.equilibria)
    assert types == [
        "saddle (1 unstable direction)",
        "saddle-focus (2 unstable directions)",
        "saddle-focus (2 unstable directions)",
    ]


@pytest.mark.parametrize("seed", range(10))
def test_random_linear_systems_classified_as_theory_says(seed: int) -> None:
    rng = random.Random(100 + seed)
    n = 2 + seed % 2
    names = "xyz"[:n]
    while True:
        a = [[rng.randint(-3, 3) for _ in range(n)] for _ in range(n)]
        if sympy.Matrix(a).det() != 0:
            break
    text = ", ".join(
        " + ".join(f"({c})*{names[j]}" for j, c in enumerate(row) if c) or "0" for row in a
    )
    result = stability(text, ",".join(names))
    (e,) = result.equilibria
    assert result.status == "complete"
    assert e.type == expected_type(numeric_eigenvalues(a)), (a, e.type)


def test_damped_pendulum_families_and_residuals() -> None:
    result = stability("w, -sin(t) - w/2", "t,w")
    assert result.status == "families"
    rng = random.Random(1)
    for e in result.equilibria:
        assert "ℤ" in e.where
        for member in members(e, result.variables, rng):
            tt = by_name(exact(e.point[0]), member)
            k = round(float(tt / sympy.pi))
            assert abs(float(tt) - k * float(sympy.pi)) < 1e-12
            expected = "stable focus" if k % 2 == 0 else "saddle (1 unstable direction)"
            assert e.type == expected


def test_residual_is_zero_at_every_member_of_every_equilibrium() -> None:
    rng = random.Random(3)
    for text, names in [
        ("w, -sin(t) - w/2", "t,w"),
        ("sin(x), sin(y)", "x,y"),  # a family with two integer parameters
        ("x - y, y - x", "x,y"),  # a line of equilibria
        ("cos(x) - x, -y", "x,y"),  # numeric
        ("x^4 - 10*x^2 + 1, -y", "x,y"),  # nested radicals
    ]:
        result = stability(text, names)
        xs = [to_sympy(v) for v in result.variables]
        fs = [to_sympy(f) for f in result.functions]
        for e in result.equilibria:
            for member in members(e, result.variables, rng):
                point = {x: by_name(exact(c), member) for x, c in zip(xs, e.point, strict=True)}
                worst = max(abs(complex(sympy.N(f.subs(point), 40))) for f in fs)
                assert worst < 1e-12, (text, e.point, member, worst)


def test_two_parameter_family_counts_every_quadrant() -> None:
    result = stability("sin(x), sin(y)", "x,y")
    assert result.status == "families"
    assert sorted(e.type for e in result.equilibria) == [
        "saddle (1 unstable direction)",
        "saddle (1 unstable direction)",
        "stable node",
        "unstable node",
    ]
    assert all("k, m ∈ ℤ" in e.where for e in result.equilibria)


def test_status_is_honest_where_it_holds() -> None:
    # a transcendental equation: incomplete, the root found and polished
    cos = stability("cos(x) - x, -y", "x,y")
    assert cos.status == "incomplete"
    (e,) = cos.equilibria
    assert e.found == "numeric" and abs(float(exact(e.point[0])) - 0.7390851332151607) < 1e-12
    # complex solutions only: complete, and none
    none = stability("x^2 + 1, y", "x,y")
    assert (none.status, none.equilibria) == ("complete", ())
    # an exact equilibrium outside the box is still listed
    far = stability("x - 20, -y", "x,y", box="-1:1")
    assert far.status == "complete" and [exact(c) for c in far.equilibria[0].point] == [20, 0]
    # a pole is not an equilibrium
    pole = stability("(x^2 - 1)/(x - 1), -y", "x,y")
    assert [tuple(exact(c) for c in e.point) for e in pole.equilibria] == [(-1, 0)]
    # a root solveset misses (the W₋₁ branch) is found by Newton and the list is incomplete
    lambert = stability("x*exp(x) + 1/5, -y", "x,y")
    assert lambert.status == "incomplete" and len(lambert.equilibria) == 2


PARAMETRIC_2D = [
    ("a*x + y, -x + c*y", "x,y"),
    ("y, -a*x - c*y", "x,y"),
    ("a*x + c*y, x - y", "x,y"),
    ("y, -x - a*y - x^3", "x,y"),
]


@pytest.mark.parametrize(("text", "names"), PARAMETRIC_2D)
def test_routh_hurwitz_agrees_with_numeric_eigenvalues(text: str, names: str) -> None:
    result = stability(text, names)
    e = result.equilibria[0]
    conditions = [exact(c) for c in result.conditions[0]]
    point = {to_sympy(v): to_sympy(c) for v, c in zip(result.variables, e.point, strict=True)}
    j = jacobian_at(result, point)
    rng = random.Random(5)
    checked = 0
    for _ in range(200):
        values = {s: rng.uniform(-3, 3) for s in j.free_symbols}
        spectrum = np.linalg.eigvals(np.array(j.subs(values).evalf(), dtype=float))
        if min(abs(spectrum.real)) < 1e-6:
            continue
        named = {str(s): v for s, v in values.items()}
        claimed = all(float(by_name(c, named)) > 0 for c in conditions)
        assert claimed == (max(spectrum.real) < 0), (values, conditions)
        checked += 1
    assert checked > 150


@pytest.mark.parametrize("fmt", ["table", "plain", "latex", "json", "jsonl"])
def test_every_format_of_every_command_exits_0(jac: Any, fmt: str) -> None:
    for args in (
        ["stability", "w, -sin(t) - b*w", "--vars", "t,w"],
        ["stability", "cos(x) - x, -y", "--vars", "x,y"],
        ["eig", "--matrix", "0, 1; -1, -b", "--vectors"],
        ["eig", "x - x*y, -y + x*y", "--vars", "x,y", "--at", "x=1,y=1", "--digits", "5"],
        ["singular", "l1*cos(q1) + l2*cos(q1+q2), l1*sin(q1) + l2*sin(q1+q2)", "--vars", "q1,q2"],
        ["singular", "cos(a) + cos(a+b), sin(a) + sin(a+b)", "--vars", "a,b", "--at", "a=0,b=0"],
        ["sparsity", "x*y, y + z, z^2", "--vars", "x,y,z"],
    ):
        run = jac([*args, "--format", fmt])
        assert run.code == 0, (args, fmt, run.stderr)
        assert run.stdout.strip(), (args, fmt)
        if fmt == "jsonl":
            assert all(json.loads(line) for line in run.stdout.splitlines())


READ_BACK = {
    "pendulum with b": lambda: stability("w, -sin(t) - b*w", "t,w"),
    "lorenz": lambda: stability("10*(y - x), x*(28 - z) - y, x*y - 8*z/3", "x,y,z"),
    "numeric equilibrium": lambda: stability("cos(x) - x, -y", "x,y"),
    "line of equilibria": lambda: stability("-b*S*I, b*S*I - g*I", "S,I"),
    "1-D": lambda: stability("x^3 - x", "x"),
    "digits": lambda: stability("w, -sin(t) - w/2", "t,w", digits=4),
    "eig 5x5 numeric": lambda: jaccli.eig(
        "0,1,0,0,0;0,0,1,0,0;0,0,0,1,0;0,0,0,0,1;1,1,0,0,0", matrix=True, vectors=True, digits=6
    ),
    "eig 1x1": lambda: jaccli.eig("5", matrix=True, vectors=True),
    "eig not an equilibrium": lambda: jaccli.eig("x + 1, y", "x,y", at="x=0,y=0"),
    "singular 3-link": lambda: jaccli.singular(
        "cos(a) + cos(a+b) + cos(a+b+c), sin(a) + sin(a+b) + sin(a+b+c)", "a,b,c"
    ),
    "singular unsolved": lambda: jaccli.singular("x + y^3 + sin(y)*x, y*exp(x) - x", "x,y"),
    "singular atan family": lambda: jaccli.singular("sin(x)^2 - cos(x)/3", "x"),
    "singular digits": lambda: jaccli.singular("x*y, x, y", "x,y", at="x=0,y=1", digits=5),
    "singular nowhere": lambda: jaccli.singular("exp(x), exp(y)", "x,y"),
}


@pytest.mark.parametrize("fmt", sorted(CHECKS))
@pytest.mark.parametrize("name", sorted(READ_BACK))
def test_hostile_results_read_back(name: str, fmt: str) -> None:
    CHECKS[fmt](_computed(name))


@functools.cache
def _computed(name: str) -> Any:
    return READ_BACK[name]()


def test_incomplete_status_reaches_a_script(jac: Any) -> None:
    """Plain output is rows only: the incompleteness must still be said (on stderr)."""
    run = jac(["stability", "cos(x) - x, -y", "--vars", "x,y", "--format", "plain"])
    assert run.code == 0 and "incomplete" in run.stderr
    data = jac(["stability", "cos(x) - x, -y", "--vars", "x,y", "--format", "json"]).json()
    assert data["status"] == "incomplete"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--box=x=5:-5"], 2, "empty"),
        (["--box=x=a:b"], 2, "not a number"),
        (["--box=z=0:1"], 2, "not a variable"),
        (["--box=-inf:inf"], 2, "not a number"),
        (["--box=x"], 2, "name=low:high"),
    ],
)
def test_stability_box_errors(jac: Any, args: list[str], code: int, words: str) -> None:
    run = jac(["stability", "x, y", "--vars", "x,y", *args])
    assert run.code == code and words in run.stderr, run.stderr


def test_stability_needs_a_square_system(jac: Any) -> None:
    run = jac(["stability", "x + y", "--vars", "x,y"])
    assert run.code == 2 and "as many functions as variables" in run.stderr


# --------------------------------------------------------------------------- singular


def _sample_branch(pairs: tuple[Any, ...], names: set[str], rng: random.Random) -> dict[str, Any]:
    """A point on a branch, by name: its values with the rest at random (the problem's
    symbols at random reals, a family's indices at random integers)."""
    solved = {str(pairs[i]): exact(pairs[i + 1]) for i in range(0, len(pairs), 2)}
    free = {s.name for v in solved.values() for s in v.free_symbols} | names
    free -= set(solved)
    at: dict[str, Any] = {
        s: (sympy.Rational(rng.randint(5, 30), 10) if s in names else rng.randint(-3, 3))
        for s in free
    }
    return at | {v: by_name(value, at) for v, value in solved.items()}


def _sigma(result: Any, at: dict[str, Any]) -> Any:
    xs = [to_sympy(v) for v in result.variables]
    fs = sympy.Matrix([to_sympy(f) for f in result.functions])
    j = by_name(fs.jacobian(xs), at)
    return np.linalg.svd(np.array(j.evalf(30), dtype=float), compute_uv=False)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("l1*cos(q1) + l2*cos(q1+q2), l1*sin(q1) + l2*sin(q1+q2)", "q1,q2"),
        ("r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)", "r,p,t"),
        ("cos(a) + cos(a+b) + cos(a+b+c), sin(a) + sin(a+b) + sin(a+b+c)", "a,b,c"),
        ("x*y*z, x + y + z, x^2 + y^2 + z^2", "x,y,z"),
        ("sin(x)^2 - cos(x)/3", "x"),
        ("x^5 - x, y", "x,y"),
    ],
)
def test_singular_branches_are_singular_and_elsewhere_is_not(text: str, names: str) -> None:
    result = jaccli.singular(text, names)
    rng = random.Random(11)
    symbols = {s.name for f in result.functions for s in to_sympy(f).free_symbols}
    solved = [b for b in result.branches if b.solutions]
    assert solved, result.notes
    for b in solved:
        for pairs in b.solutions:
            for _ in range(3):
                sigma = _sigma(result, _sample_branch(pairs, symbols, rng))
                assert sigma[-1] <= 1e-9 * max(1.0, sigma[0]), (b.equation, pairs, sigma)
    for _ in range(5):  # random points are regular
        at = {s: sympy.Rational(rng.randint(-300, 300), 97) for s in sorted(symbols)}
        sigma = _sigma(result, at)
        assert sigma[-1] > 1e-8 * sigma[0]


def test_singular_at_a_point_matches_numpy() -> None:
    text = "cos(a) + cos(a+b), sin(a) + sin(a+b)"
    for b_value in ("pi/2", "1", "0", "1/1000000000"):
        result = jaccli.singular(text, "a,b", at=f"a=0,b={b_value}")
        b = float(sympy.sympify(b_value))
        j = np.array([[-np.sin(0.0) - np.sin(b), -np.sin(b)], [np.cos(0.0) + np.cos(b), np.cos(b)]])
        sigma = np.linalg.svd(j, compute_uv=False)
        got = [float(sympy.N(exact(s))) for s in result.singular_values]
        assert np.allclose(got, sigma, atol=1e-12)
        assert abs(float(sympy.N(exact(result.manipulability))) - abs(np.linalg.det(j))) < 1e-12
        assert result.rank == (2 if sigma[-1] > 0 else 1)


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["singular", "x, y", "--vars", "x,y", "--digits", "5"], 2, "--at"),
        (["singular", "a*x, y", "--vars", "x,y", "--at", "x=1,y=1"], 2, "value"),
        (["singular", "log(x), y", "--vars", "x,y", "--at", "x=-1,y=0"], 1, "complex"),
        (["singular", "1/x, y", "--vars", "x,y", "--at", "x=0,y=0"], 1, "division by zero"),
    ],
)
def test_singular_bad_input_exit_codes(jac: Any, args: list[str], code: int, words: str) -> None:
    run = jac(args)
    assert run.code == code and words in run.stderr, run.stderr


# --------------------------------------------------------------------------- sparsity


@pytest.mark.parametrize("seed", range(6))
def test_sparsity_pattern_and_colourings_against_numbers(seed: int) -> None:
    rng = random.Random(seed)
    n, m = rng.randint(1, 7), rng.randint(1, 7)
    names = [f"x{j}" for j in range(n)]
    terms = ["sin({})", "{}^2", "exp({})", "3*{}"]
    functions = []
    for _ in range(m):
        chosen = [v for v in names if rng.random() < 0.35]
        functions.append(" + ".join(rng.choice(terms).format(v) for v in chosen) or "1")
    result = quiet(lambda: jaccli.sparsity(", ".join(functions), ",".join(names)))
    xs = sympy.symbols(names, real=True)
    j = sympy.Matrix(
        [sympy.sympify(f.replace("^", "**"), dict(zip(names, xs, strict=True))) for f in functions]
    ).jacobian(xs)
    numbers = np.array(j.subs({x: rng.uniform(0.5, 1.5) for x in xs}).evalf(), dtype=float)
    nonzero = {(i, jj) for i in range(m) for jj in range(n) if numbers[i, jj] != 0}
    pattern = {(i, jj) for i, row in enumerate(result.pattern.rows) for jj, _ in row}
    assert pattern == nonzero and result.nnz == len(nonzero)
    for colors, pairs in (
        (result.column_colors, nonzero),
        (result.row_colors, {(jj, i) for i, jj in nonzero}),
    ):
        seen: dict[tuple[int, int], int] = {}
        for a, b in pairs:  # no row (column) holds two entries of one colour
            key = (a, colors[b])
            assert key not in seen, (functions, colors)
            seen[key] = b
    assert result.structural_rank >= np.linalg.matrix_rank(numbers)
    lower, upper = result.bandwidth
    assert all(-lower <= jj - i <= upper for i, jj in nonzero)


def test_sparsity_edge_shapes(jac: Any) -> None:
    one = jac(["sparsity", "x", "--vars", "x", "--format", "json"]).json()
    assert (one["nnz"], one["jvps"], one["vjps"], one["pattern"]) == (1, 1, 1, [[1, 1]])
    zero = jac(["sparsity", "1", "--vars", "x", "--format", "json"])
    assert zero.code == 0 and zero.json()["nnz"] == 0 and zero.json()["jvps"] == 0
    dense = jac(["sparsity", "x*y*z, x+y+z, x*y+z", "--vars", "x,y,z", "--format", "json"]).json()
    assert dense["nnz"] == 9 and dense["jvps"] == 3 and dense["density"] == 1.0


# --------------------------------------------------------------------------- --check, --plot


@pytest.mark.parametrize(
    "args",
    [
        ["eig", "x*y, x + y", "--vars", "x,y", "--at", "x=1,y=2"],
        ["stability", "w, -sin(t) - w/2", "--vars", "t,w"],
        ["stability", "cos(x) - x, -y", "--vars", "x,y"],
        ["singular", "sin(x)^2 - cos(x)/3", "--vars", "x"],
        ["sparsity", "x*y, y", "--vars", "x,y"],
    ],
)
def test_check_passes(jac: Any, args: list[str]) -> None:
    run = jac([*args, "--check"])
    assert run.code == 0 and "check passed" in run.stderr, run.stderr


@pytest.mark.parametrize(
    ("command", "target", "words"),
    [
        (["stability", "x - x*y, -y + x*y", "--vars", "x,y"], "p.pdf", "SVG or PNG"),
        (["stability", "x - x*y, -y + x*y", "--vars", "x,y"], "noext", "SVG or PNG"),
        (["stability", "x - x*y, -y + x*y", "--vars", "x,y"], "missing/dir/p.svg", "cannot write"),
        (
            ["stability", "10*(y-x), x*(28-z)-y, x*y-8/3*z", "--vars", "x,y,z"],
            "p.svg",
            "2 variables",
        ),
        (["stability", "w, -sin(t) - b*w", "--vars", "t,w"], "p.svg", "parameters"),
        (["sparsity", "x*y, y", "--vars", "x,y"], "p.txt", "SVG or PNG"),
    ],
)
def test_plot_bad_targets_are_usage_errors(
    jac: Any, tmp_path: Path, command: list[str], target: str, words: str
) -> None:
    pytest.importorskip("matplotlib")
    run = jac([*command, "--plot", str(tmp_path / target)])
    assert run.code == 2 and words in run.stderr, run.stderr


def test_plot_writes_upper_case_svg_and_png(jac: Any, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    for name in ("LV.SVG", "lv.png"):
        run = jac(
            ["stability", "x - x*y, -y + x*y", "--vars", "x,y", "--plot", str(tmp_path / name)]
        )
        assert run.code == 0 and (tmp_path / name).stat().st_size > 1000


# --------------------------------------------------------------------------- bugs


CRASHES = [  # stability input that ended in exit 70 (fixed), and how many rows it gives
    ("cos(x) - x", "x", 1),  # findroot's matrix in 1-D
    ("x^3 - 3*x + 1, -y", "x,y", 3),  # Cardano radicals: SymPy's charpoly raised TypeError
    ("x^3 + x + 1, y - x", "x,y", 1),  # and its two complex roots were kept as equilibria
    ("sqrt(x) - 1, -y", "x,y", 1),  # Newton's NaN into pinv: LinAlgError
    ("log(x), -y", "x,y", 1),
    ("abs(x) - 1, -y", "x,y", 2),  # Derivative(Abs) in Newton's J
    ("0, 0", "x,y", 1),  # F ≡ 0: KeyError
    ("x^3 - 3*x + 1", "x", 3),
]


@pytest.mark.parametrize(("text", "names", "rows"), CRASHES)
def test_bug_stability_crashes(jac: Any, text: str, names: str, rows: int) -> None:
    run = jac(["stability", text, "--vars", names, "--format", "json"])
    assert run.code != 70, run.stderr
    assert run.code == 0 and len(run.json()["equilibria"]) == rows


def test_bug_quintic_root_missed_yet_complete() -> None:
    result = stability("x^5 - x - 1, -y", "x,y", box="-1:1")
    assert result.status == "incomplete" or len(result.equilibria) == 1


def test_bug_circle_system_origin_missed_yet_families() -> None:
    result = stability("x*(x^2+y^2-1), y*(x^2+y^2-1)", "x,y", box="2:5")
    origin = [
        e
        for e in result.equilibria
        if all(not to_sympy(c).free_symbols and exact(c) == 0 for c in e.point)
    ]
    assert result.status == "incomplete" or origin


def test_bug_product_equation_loses_a_factor_yet_families() -> None:
    result = stability("sin(x)*cos(y), y - x", "x,y", box="-1:1")
    rng = random.Random(2)
    hits = 0
    for e in result.equilibria:
        for member in members(e, result.variables, rng):
            x = float(by_name(exact(e.point[0]), member))
            hits += abs(np.cos(x)) < 1e-9
    assert result.status == "incomplete" or hits


@pytest.mark.slow
def test_bug_decaying_function_gives_false_equilibria() -> None:
    result = stability("exp(-x^2), -y", "x,y", box="x=-100:100")
    assert result.equilibria == ()


def test_bug_family_member_k_zero_is_undefined() -> None:
    """y = 1/(2kπ) is a point for every integer k but 0: the family says so, and every
    member it does not exclude is a point (k from -3 to 3)."""
    result = stability("x*y - 1, sin(x)", "x,y")
    k = sympy.Symbol("k", integer=True)
    excluded = 0
    for e in result.equilibria:
        if "ℤ" not in e.where:
            continue
        point = [exact(c) for c in e.point]
        names = {s.name: s for c in point for s in c.free_symbols}
        for value in range(-3, 4):
            if value == 0 and "k ≠ 0" in e.where:
                excluded += 1
                continue
            at = {names.get("k", k): value}
            assert all(c.subs(at).is_finite for c in point), (e.point, e.where, value)
    assert excluded, [e.where for e in result.equilibria]


def test_bug_lapack_noise_on_stdout() -> None:
    code = (
        "import warnings, jaccli; warnings.simplefilter('ignore'); "
        "jaccli.stability('x*(x^2+y^2-1), y*(x^2+y^2-1)', 'x,y')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "DLASCL" not in done.stdout + done.stderr


@pytest.mark.slow
def test_bug_three_dimensional_parameters_time_out(jac: Any) -> None:
    run = jac(
        [
            "stability",
            "y, z, -a*x - c*y - z",
            "--vars",
            "x,y,z",
            "--timeout",
            "8",
            "--format",
            "json",
        ]
    )
    assert run.code == 0, run.stderr
    assert run.json()["conditions"]


def test_bug_eig_of_a_huge_exact_entry_times_out(jac: Any) -> None:
    run = jac(["eig", "exp(x), y", "--vars", "x,y", "--at", "x=1000,y=0", "--timeout", "3"])
    assert run.code == 0, run.stderr
