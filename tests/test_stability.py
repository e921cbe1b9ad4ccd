"""jac stability: the issue's table of systems, families and continua, the status, residuals,
Routh–Hurwitz conditions against eigenvalue signs, every format, and the Python API.

The mathematics is checked against SymPy: F substituted at each equilibrium (members of a
family at random k) is 0, and the eigenvalues are those of SymPy's J there.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import sympy

import jaccli
from jaccli.engine import StabilityResult, to_sympy
from jaccli.errors import UsageError

LOTKA_VOLTERRA = ("x - x*y, -y + x*y", "x,y")
PENDULUM = ("w, -sin(t) - w/2", "t,w")
VAN_DER_POL = ("y, (1 - x^2)*y - x", "x,y")
SADDLE_NODE = ("x^2, -y", "x,y")
CENTRE = ("y, -x", "x,y")
SIR = ("-b*S*I, b*S*I - g*I", "S,I")
LORENZ = ("10*(y - x), x*(28 - z) - y, x*y - 8*z/3", "x,y,z")
TRANSCENDENTAL = ("cos(x) - x, -y", "x,y")


def _sympy(e: Any) -> Any:
    return to_sympy(e)


def _members(result: StabilityResult, e: Any) -> list[dict[Any, Any]]:
    """Values for a family's parameters: a few random integers k, random reals for S."""
    rng = random.Random(7)
    free = {s for c in e.point for s in _sympy(c).free_symbols}
    if not free:
        return [{}]
    names = {str(v) for v in result.variables}
    return [
        {s: (rng.uniform(-3, 3) if str(s) in names else rng.randint(-5, 5)) for s in free}
        for _ in range(3)
    ]


def _check_math(result: StabilityResult, parameters: dict[str, float] | None = None) -> None:
    """At every equilibrium (members of families too): F = 0 there (exactly, or within the
    residual), and the eigenvalues are those of SymPy's J there."""
    xs = [_sympy(v) for v in result.variables]
    fs = sympy.Matrix([_sympy(f) for f in result.functions])
    jacobian = fs.jacobian(xs)
    for e in result.equilibria:
        for member in _members(result, e):
            at = {s.name: v for s, v in member.items()}
            at.update(parameters or {})
            point = [
                _sympy(c).subs({s: at[s.name] for s in _sympy(c).free_symbols}) for c in e.point
            ]
            subs = {
                **dict(zip(xs, point, strict=True)),
                **{s: at[s.name] for s in fs.free_symbols if s.name in at},
            }
            values = [complex(sympy.N(f.subs(subs), 30)) for f in fs]
            bound = 1e-25 if e.found == "exact" else 1e-12
            assert max(abs(v) for v in values) <= bound, (e.point, values)
            if e.found == "exact":
                assert e.residual == 0
            else:
                assert 0 <= float(e.residual) <= 1e-12
            ours = sorted(
                (
                    complex(sympy.N(_sympy(v.value).subs(subs), 20))
                    for v in e.eigenvalues
                    for _ in range(v.multiplicity)
                ),
                key=lambda z: (round(z.real, 8), round(z.imag, 8)),
            )
            theirs = sorted(
                (
                    complex(sympy.N(z, 20))
                    for z, m in jacobian.subs(subs).eigenvals().items()
                    for _ in range(m)
                ),
                key=lambda z: (round(z.real, 8), round(z.imag, 8)),
            )
            assert len(ours) == len(theirs)
            for a, b in zip(ours, theirs, strict=True):
                assert abs(a - b) <= 1e-9 * (1 + abs(b)), (ours, theirs)


def _by_point(result: StabilityResult) -> dict[tuple[str, ...], Any]:
    return {tuple(str(c) for c in e.point): e for e in result.equilibria}


def test_lotka_volterra_saddle_and_inconclusive_centre() -> None:
    r = jaccli.stability(*LOTKA_VOLTERRA)
    assert r.status == "complete" and "Gröbner" in r.reason
    found = _by_point(r)
    assert set(found) == {("0", "0"), ("1", "1")}
    assert found["0", "0"].type == "saddle (1 unstable direction)"
    assert found["0", "0"].hyperbolic
    assert found["1", "1"].type == "linearization inconclusive"  # a centre, but not by J
    assert {_sympy(v.value) for v in found["1", "1"].eigenvalues} == {sympy.I, -sympy.I}
    _check_math(r)


def test_damped_pendulum_families() -> None:
    r = jaccli.stability(*PENDULUM)
    assert r.status == "families"
    assert len(r.equilibria) == 2
    assert all(e.where == "k ∈ ℤ" for e in r.equilibria)
    theta = [_sympy(e.point[0]) for e in r.equilibria]
    by_theta = {
        t.subs(dict.fromkeys(t.free_symbols, 0)): e
        for t, e in zip(theta, r.equilibria, strict=True)
    }
    even, odd = by_theta[0], by_theta[sympy.pi]
    assert even.type == "stable focus"
    assert odd.type == "saddle (1 unstable direction)"
    expected_even = {-sympy.Rational(1, 4) + s * sympy.I * sympy.sqrt(15) / 4 for s in (1, -1)}
    expected_odd = {-sympy.Rational(1, 4) + s * sympy.sqrt(17) / 4 for s in (1, -1)}
    assert {sympy.nsimplify(_sympy(v.value)) for v in even.eigenvalues} == expected_even
    assert {sympy.simplify(_sympy(v.value)) for v in odd.eigenvalues} == expected_odd
    _check_math(r)


def test_van_der_pol_unstable_focus() -> None:
    r = jaccli.stability(*VAN_DER_POL)
    assert r.status == "complete"
    (e,) = r.equilibria
    assert e.type == "unstable focus" and e.hyperbolic
    expected = {sympy.Rational(1, 2) + s * sympy.I * sympy.sqrt(3) / 2 for s in (1, -1)}
    assert {sympy.expand(_sympy(v.value)) for v in e.eigenvalues} == expected
    _check_math(r)


@pytest.mark.parametrize("system", [SADDLE_NODE, CENTRE], ids=["saddle-node", "linear-centre"])
def test_non_hyperbolic_is_inconclusive(system: tuple[str, str]) -> None:
    r = jaccli.stability(*system)
    assert r.status == "complete"
    (e,) = r.equilibria
    assert e.type == "linearization inconclusive" and not e.hyperbolic
    _check_math(r)


def test_sir_line_of_equilibria_is_a_continuum() -> None:
    r = jaccli.stability(*SIR)
    assert r.status == "families"
    (e,) = r.equilibria
    assert [str(c) for c in e.point] == ["S", "0"] and e.where == "S ∈ ℝ"
    assert e.type == "linearization inconclusive"  # a zero eigenvalue along the line
    assert any(v.value == 0 for v in e.eigenvalues)
    _check_math(r, {"b": 0.7, "g": 1.3})


def test_lorenz_three_equilibria() -> None:
    r = jaccli.stability(*LORENZ, box="-30:30")
    assert r.status == "complete"
    found = _by_point(r)
    assert len(found) == 3
    assert found["0", "0", "0"].type == "saddle (1 unstable direction)"
    others = [e for p, e in found.items() if p != ("0", "0", "0")]
    assert all(e.type.startswith("saddle-focus") for e in others)
    assert all(sum(1 for v in e.eigenvalues if complex(v.value).real > 0) == 2 for e in others)
    assert "3 distinct points" in r.reason
    _check_math(r)


def test_transcendental_is_incomplete_with_numeric_root() -> None:
    with pytest.warns(jaccli.JacWarning, match="the list of equilibria may be incomplete"):
        r = jaccli.stability(*TRANSCENDENTAL)
    assert r.status == "incomplete"
    assert "solveset could not solve" in r.reason and "1 not among the exact solutions" in r.reason
    (e,) = r.equilibria
    assert e.found == "numeric"
    assert abs(float(e.point[0]) - 0.7390851332151607) < 1e-14
    assert e.type == "stable node"
    _check_math(r)


def test_numeric_search_finds_what_exact_misses() -> None:
    with pytest.warns(jaccli.JacWarning, match="may be incomplete"):
        r = jaccli.stability("x - cos(x)*y, x + y - 1", "x,y", box="x=-5:5,y=-5:5")
    assert r.status == "incomplete"
    assert r.equilibria and all(e.found == "numeric" for e in r.equilibria)
    _check_math(r)


def test_routh_hurwitz_conditions_agree_with_eigenvalues() -> None:
    """The pendulum with friction b: stable at k even iff b > 0; never at k odd. Checked at
    random b against the signs of the eigenvalues."""
    r = jaccli.stability("w, -sin(t) - b*w", "t,w")
    assert r.status == "families"
    assert len(r.conditions) == len(r.equilibria)
    rows = {row[2] for row in next(x for x in r.listings if x.key == "conditions").rows}
    assert rows == {"b > 0", "never"}
    b = sympy.Symbol("b", real=True)
    rng = random.Random(3)
    for _ in range(8):
        value = rng.uniform(-3, 3)
        for e, conditions in zip(r.equilibria, r.conditions, strict=True):
            stable_by_rh = all(float(_sympy(c).subs(b, value)) > 0 for c in conditions)
            eig = [complex(sympy.N(_sympy(v.value).subs(b, value))) for v in e.eigenvalues]
            assert stable_by_rh == all(z.real < 0 for z in eig), (e.point, value)
    odd = next(e for e in r.equilibria if str(e.point[0]).endswith("+ pi"))
    assert odd.type == "saddle (1 unstable direction)"  # det J = -1 < 0 for every b


def test_box_and_square_errors() -> None:
    with pytest.raises(UsageError, match="as many functions as variables"):
        jaccli.stability("x, y", "x,y,z")
    with pytest.raises(UsageError, match="not a variable"):
        jaccli.stability("x, y", "x,y", box="z=0:1")
    with pytest.raises(UsageError, match="name=low:high"):
        jaccli.stability("x, y", "x,y", box="x=1")
    with pytest.raises(UsageError, match="empty"):
        jaccli.stability("x, y", "x,y", box="x=2:1")


@pytest.mark.parametrize("fmt", ["json", "table", "plain", "latex"])
def test_every_format(jac: Any, fmt: str) -> None:
    run = jac(["stability", *PENDULUM[:1], "--vars", PENDULUM[1], "--format", fmt])
    assert run.code == 0, run.stderr
    if fmt == "json":
        data = run.json()
        assert data["status"] == "families"
        assert [e["where"] for e in data["equilibria"]] == ["k ∈ ℤ", "k ∈ ℤ"]
        assert len(data["matrices"]) == 2
    if fmt == "plain":
        assert len(run.stdout.splitlines()) == 2  # one line per equilibrium


def test_cli_conditions_and_incomplete_json(jac: Any) -> None:
    run = jac(["stability", "w, -sin(t) - b*w", "--vars", "t,w", "--format", "json"])
    assert run.code == 0
    assert {c["stable_if"] for c in run.json()["conditions"]} == {"b > 0", "never"}
    run = jac(["stability", *TRANSCENDENTAL[:1], "--vars", "x,y", "--format", "json"])
    assert run.code == 0 and run.json()["status"] == "incomplete"
    assert run.json()["equilibria"][0]["found"] == "numeric"


def test_cli_errors(jac: Any) -> None:
    run = jac(["stability", "x, y", "--vars", "x,y,z"])
    assert run.code == 2 and "as many functions as variables" in run.stderr
    run = jac(["stability", "x, y", "--vars", "x,y", "--box", "q=0:1"])
    assert run.code == 2 and "--box" in run.stderr


def test_plot_writes_svg(jac: Any, tmp_path: Any) -> None:
    pytest.importorskip("matplotlib")
    pytest.importorskip("jaccli.render.plot")
    path = tmp_path / "portrait.svg"
    run = jac(["stability", *LOTKA_VOLTERRA[:1], "--vars", "x,y", "--plot", str(path)])
    assert run.code == 0, run.stderr
    assert path.read_text().lstrip().startswith(("<?xml", "<svg"))


def test_no_real_equilibrium_is_said_on_stderr_and_complex_ones_are_counted() -> None:
    with pytest.warns(jaccli.JacWarning, match="no equilibrium: F = 0 has no real solution"):
        r = jaccli.stability("x^2 + 1, y", "x,y")
    assert r.status == "complete" and r.equilibria == ()
    assert "2 complex solutions of F = 0 left out" in " ".join(r.notes)
