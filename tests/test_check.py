"""--check: every result compared with numbers computed from F alone.

Correct results pass with errors near 10^-40 (the comparison is that exact); results with
one entry off by a part in a million fail, naming the entry and the point; the method is
a complex step where F is analytic and central differences where it is not (abs, sign);
big systems are sampled within the time budget; points print as --at reads them back.
Through the API (`jaccli.check`), the engine, and the CLI on every command and format, and
on every golden case of the renderers.
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import jaccli
from jaccli import api, engine
from jaccli.cli.app import ExitCode
from jaccli.cli.commands import COMMANDS
from jaccli.engine.check import CheckReport, check
from jaccli.errors import CheckError, ParseError
from jaccli.render import draws
from tests.conftest import invoke

UNBUDGETED = ["--timeout", "0", "--max-memory", "0"]  # in this process: quicker, patchable

RESULTS: dict[str, Callable[[], Any]] = {
    "jacobian": lambda: api.jacobian("x^2+y*z, sin(x*y), e^(x+z)", vars="x,y,z"),
    "jacobian_params": lambda: api.jacobian("k*x^3*y^2 - c/y, tanh(k*x)", vars="x,y"),
    "eval": lambda: api.evaluate("x^2+y, k*x*y", vars="x,y", at="x=0.1,y=2"),
    "eval_digits": lambda: api.evaluate("sin(x*y), exp(x)", vars="x,y", at="x=1,y=2", digits=6),
    "linearize": lambda: api.linearize("x^2+y, x*y*exp(y)", vars="x,y", at="x=1,y=-2"),
    "det": lambda: api.det("r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)", vars="r,p,t"),
    "det_at": lambda: api.det("x+y, x*y", vars="x,y", at="x=-1,y=2"),
    "grad": lambda: api.grad("x^2*y + sin(x*y)", vars="x,y"),
    "grad_at": lambda: api.grad("x^2*y + sin(x*y)", vars="x,y", at="x=1,y=2"),
    "hessian": lambda: api.hessian("x^3*y + exp(x*y), x*y^2", vars="x,y"),
    "hessian_at": lambda: api.hessian("x^3*y + exp(x*y)", vars="x,y", at="x=1,y=-1"),
    "jvp": lambda: api.jvp("x^2+y, x*y*z", vars="x,y,z", dir="1,0,2"),
    "jvp_names": lambda: api.jvp("x^2+y, sin(x*y)", vars="x,y", dir="a,b", at="x=1,y=2"),
    "vjp": lambda: api.vjp("x^2+y, x*y*z", vars="x,y,z", cot="1,-2"),
    "vjp_of_x": lambda: api.vjp("x^2+y, x*y", vars="x,y", cot="x,1"),
}


def _det_log() -> Any:
    """The issue's RealNVP coupling layer: log|det J| = s(x1) (det --log, when it is there)."""
    try:
        return api.det("x1, x2*exp(tanh(x1)) + x1^2", vars="x1,x2", log=True)
    except TypeError:
        pytest.skip("det has no log= yet")


def _bordered() -> Any:
    return api.hessian("x*y + x^2", vars="x,y", constraints="x + y - 1")


def _chain(at: str | None = None, digits: int | None = None, presets: str = "") -> Any:
    """G(u,v) = (uv, u+v), H(x,y) = (x², sin y) (the issue's), or two presets "G,H"."""
    if presets:
        g, h = presets.split(",")
        return api.chain(g, of=h, at=at, digits=digits)
    return api.chain("u*v, u+v", "u,v", of="x^2, sin(y)", of_vars="x,y", at=at, digits=digits)


RESULTS |= {
    "det_log": _det_log,
    "bordered_hessian": _bordered,
    "chain": _chain,
    "chain_at": lambda: _chain("x=1/3,y=2"),
    "chain_digits": lambda: _chain("x=1/3,y=2", digits=6),
    "chain_spherical": lambda: _chain(presets="spherical-inverse,spherical"),
}


# --------------------------------------------------------------------------- correct results


@pytest.mark.parametrize("case", RESULTS)
def test_correct_results_pass_far_below_the_tolerance(case: str) -> None:
    result = RESULTS[case]()
    report = check(result)
    assert report.passed and not report.failed and report.error() is None, str(report)
    assert report.checked == report.total > 0
    assert report.max_error < (1e-6 if result.digits is not None else 1e-30), str(report)
    assert str(report).startswith("check passed: largest relative error ")


def test_the_api_face_checks_too() -> None:
    report = jaccli.check(jaccli.jacobian("x*y, x+y", vars="x,y"))
    assert isinstance(report, CheckReport) and report.passed
    assert "check" in jaccli.__all__


# --------------------------------------------------------------------------- the numbers


def _scalar_functions() -> list[str]:
    from jaccli.functions import CATALOGUE

    written = ["coth", "acot", "asec", "acsc", "acoth", "sech", "csch", "erfc", "gamma"]
    typed = [f.name for f in CATALOGUE.values() if f.kind == "scalar" and f.parses]
    return [*typed, *written]


# x*y - 1/3 there: 0.577, -1.853, -3.853, -0.133, 1.467 and 2.607
POINTS_FOR_FUNCTIONS = [("0.7", "1.3"), ("-0.8", "1.9"), ("1.6", "-2.2"), ("0.4", "0.5")]
POINTS_FOR_FUNCTIONS += [("1.5", "1.2"), ("2.1", "1.4")]


@pytest.mark.parametrize("name", _scalar_functions())
def test_values_and_derivatives_agree_with_sympy_for_every_function(name: str) -> None:
    """The checker's own numbers: mpmath's value and complex step or central difference of
    each function jac knows (and those results can hold), against SymPy at 40 digits."""
    import mpmath
    import symengine as se
    import sympy

    from jaccli.engine.tape import Tape, Undefined, derivative, real
    from jaccli.parse import parse_functions

    x, y = se.symbols("x y")
    arity = {"atan2": 2, "max": 2, "min": 2}.get(name, 1)
    if name in _scalar_functions()[-9:]:
        expr = getattr(se, name)(x * y - se.Rational(1, 3))
    else:
        (expr,) = parse_functions([f"{name}(x*y - 1/3)" if arity == 1 else f"{name}(x, y)"])
    exact = engine.to_sympy(expr)
    sx, sy = sorted(exact.free_symbols, key=str)
    compared = 0
    with mpmath.workprec(256):
        tape = Tape(expr)
        for a, b in POINTS_FOR_FUNCTIONS:
            values = {x: mpmath.mpf(a), y: mpmath.mpf(b)}
            at = {sx: sympy.Rational(a), sy: sympy.Rational(b)}
            want = complex(sympy.N(exact.subs(at), 40))
            try:
                value = real(tape(values, kinks=True))  # as --check: F must be real there
                slope = derivative(tape, values, ((x, 1),))
            except Undefined:  # complex or undefined there: so must SymPy's value be
                assert want.imag != 0 or not math.isfinite(abs(want)), (name, a, b)
                continue
            assert abs(complex(value) - want) <= 1e-30 * max(1, abs(want)), (name, a, b)
            d = complex(sympy.N(sympy.diff(exact, sx).subs(at), 40))
            assert abs(complex(slope) - d) <= 1e-20 * max(1, abs(d)), (name, a, b)
            compared += 1
    assert compared >= 2, name


# --------------------------------------------------------------------------- wrong results


def _off(value: Any) -> Any:
    """An entry off by a part in a million (a zero becomes 10^-6)."""
    import symengine as se

    return value * (1 + se.Rational(1, 10**6)) if value != 0 else se.Rational(1, 10**6)


def _corrupted(result: Any) -> tuple[Any, str]:
    """`result` with one entry off, and the label --check must name."""
    from jaccli.engine.results import MatricesResult

    if isinstance(result, engine.DeterminantResult):
        return dataclasses.replace(result, determinant=_off(result.determinant)), "det J = "
    if isinstance(result, MatricesResult):
        part = result.parts[0]
        i = next(i for i, row in enumerate(part.sparse.rows) if row)
        (j, e), *rest = part.sparse.rows[i]
        rows = list(part.sparse.rows)
        rows[i] = ((j, _off(e)), *rest)
        broken = part._replace(sparse=engine.Sparse(part.sparse.shape, tuple(rows)))
        return dataclasses.replace(result, parts=(broken, *result.parts[1:])), f"[{i + 1}"
    rows = list(result.sparse.rows)
    rows[-1] = tuple((j, _off(e) if k == 0 else e) for k, (j, e) in enumerate(rows[-1]))
    column = result.sparse.rows[-1][0][0] + 1
    label = f"J[{len(rows)},{column}] = "
    return dataclasses.replace(
        result, sparse=engine.Sparse(result.sparse.shape, tuple(rows))
    ), label


@pytest.mark.parametrize("case", RESULTS)
def test_an_entry_off_by_a_part_in_a_million_fails_and_is_named(case: str) -> None:
    result = RESULTS[case]()
    broken, label = _corrupted(result)
    report = check(broken)
    if result.digits is not None:  # rounded to 6 digits: 1e-6 is within its tolerance
        assert report.tolerance == pytest.approx(1e-5)
        return
    assert report.failed and not report.passed, str(report)
    error = report.error()
    assert isinstance(error, CheckError)
    assert label in str(error), str(error)
    assert re.search(r"differs from .* by 1e-6 at \S+=\S+ \(tolerance 1e-8\)", str(error))
    assert report.max_error == pytest.approx(1e-6, rel=1e-3)


def test_a_wrong_linearization_value_is_caught() -> None:
    result = RESULTS["linearize"]()
    report = check(dataclasses.replace(result, value=(result.value[0] + 1, *result.value[1:])))
    assert report.failed
    assert "F(a)[1] = " in str(report.error()) and "F evaluated there" in str(report.error())
    y = result.variables[1]
    wrong = (result.linearization[0] + (y + 2) / 1000, *result.linearization[1:])  # L(a) kept
    report = check(dataclasses.replace(result, linearization=wrong))
    assert report.failed and "∂L1/∂y" in str(report.error())


def test_an_entry_with_a_symbol_f_lacks_fails() -> None:
    import symengine as se

    result = jaccli.jacobian("x*y", vars="x,y")
    k = se.Symbol("k")
    rows = (((0, k * result.variables[1]), (1, result.variables[0])),)
    report = check(dataclasses.replace(result, sparse=engine.Sparse((1, 2), rows)))
    assert report.failed and "a function of k, which F is not" in str(report.error())


# --------------------------------------------------------------------------- methods


def test_complex_step_where_f_is_analytic_central_differences_where_not() -> None:
    assert check(jaccli.jacobian("x^3*y^2, exp(x)*sin(y)")).methods == ("complex step",)
    # integer powers at negative x: SymEngine's Lambdify goes through log(x) there and a
    # complex step would give -12001.5 for d(x^2)/dx at -0.7; mpmath's powers are exact
    report = check(jaccli.evaluate("x^2, x^7*y", vars="x,y", at="x=-0.7,y=-1.3"))
    assert report.methods == ("complex step",) and report.max_error < 1e-60
    for kinked in ("abs(x - y)", "relu(x)*y", "max(x, y)", "sign(x)*x^2*y", "atan2(y, x)"):
        report = check(jaccli.jacobian(kinked, vars="x,y"))
        assert report.methods == ("central differences",), kinked
        assert report.passed and report.max_error < 1e-30, (kinked, str(report))


def test_hessians_are_differences_of_f_alone() -> None:
    smooth = check(api.hessian("x^2*y + sin(x*y)", vars="x,y"))
    assert smooth.methods == ("central differences of complex steps",)
    kinked = check(api.hessian("abs(x)*y^2 + x*y", vars="x,y"))
    assert kinked.methods == ("second central differences",) and kinked.passed


def test_non_smooth_f_is_checked_away_from_its_kink() -> None:
    report = check(jaccli.evaluate("abs(x - y) + relu(y)", vars="x,y", at="x=1,y=2"))
    assert report.passed and report.points == ("x=1,y=2",)
    near = check(jaccli.evaluate("abs(x - y)", vars="x,y", at="x=1,y=1+10^-20"))
    assert near.skipped is not None and "kink" in near.skipped and not near.failed
    assert str(near).startswith("warning: check not done: ")


# --------------------------------------------------------------------------- points


def test_random_points_read_back_as_at_and_parameters_are_named() -> None:
    result = jaccli.jacobian("k*x^2*y + sqrt(y)", vars="x,y")
    report = check(result)
    assert report.drawn and len(report.points) == 3 and report.parameters == ("k",)
    assert "(random values for k)" in str(report)
    for point in report.points:
        assert re.fullmatch(r"x=-?\d(\.\d+)?,y=\d(\.\d+)?,k=-?\d(\.\d+)?", point), point
        again = jaccli.evaluate("k*x^2*y + sqrt(y)", vars="x,y", at=point)  # sqrt(y): y > 0
        assert check(again).passed
    assert check(result, seed=0).points == report.points  # the same draws for the same seed
    assert check(result, seed=1).points != report.points


def test_at_a_point_with_parameters_left_the_parameters_are_drawn() -> None:
    report = check(RESULTS["eval"]())
    assert report.parameters == ("k",) and len(report.points) == 3
    assert all(p.startswith("x=1/10,y=2,k=") for p in report.points)


def test_no_point_where_f_is_real_is_a_warning_not_a_failure() -> None:
    report = check(jaccli.jacobian("sqrt(-1 - x^2)", vars="x"))
    assert report.skipped and "20 random points" in report.skipped
    assert not report.passed and not report.failed and report.error() is None


def test_functions_with_no_formula_cannot_be_checked() -> None:
    report = check(jaccli.jacobian("g(x*y)", vars="x,y", abstract="g"))
    assert report.skipped == "g is a function with no formula: no numbers"


def test_entries_with_no_numeric_value_are_said_not_compared() -> None:
    import symengine as se

    result = api.jacobian("x*y, x+y", vars="x,y")
    x = result.variables[0]
    rows = (((0, se.zeta(x)), (1, x)), *result.sparse.rows[1:])  # mpmath has no zeta here
    report = check(dataclasses.replace(result, sparse=engine.Sparse((2, 2), rows)))
    assert report.passed and report.checked == 3 and report.unevaluated is not None
    assert "3 of 4 entries at random points" in str(report)
    assert str(report).endswith("; J[1,1]: zeta(x, 1) has no numeric value here (not compared)")


def test_rounded_results_have_the_tolerance_of_their_digits() -> None:
    assert check(RESULTS["eval_digits"]()).tolerance == pytest.approx(1e-5)
    assert check(RESULTS["eval"]()).tolerance == 1e-8
    assert check(RESULTS["eval"](), tolerance=1e-3).tolerance == 1e-3


def test_symbols_in_the_values_of_at_get_random_values() -> None:
    """--at x=a: a is a parameter of the point; it gets random values like any other."""
    for result in (
        api.grad("x^2", vars="x", at="x=a"),
        api.evaluate("x^2", vars="x", at="x=a"),
        api.det("x*y, x+y", vars="x,y", at="x=a,y=b", log=True),
        api.hessian("x^3*y", vars="x,y", at="x=a+1,y=2*a"),
    ):
        report = check(result)
        assert report.passed and report.max_error < 1e-30, str(report)
        assert set(report.parameters) == {str(s) for s in report_symbols(result)}
        for point in report.points:
            assert re.fullmatch(r"x=[^,]+(,y=[^,]+)?(,[ab]=-?\d(\.\d+)?)+", point), point
        broken, label = _corrupted(result)
        assert check(broken).failed and label in str(check(broken).error())
    for at in ("x=y,y=1", "x=y,y=x"):  # values that hold the point's own names: refused
        with pytest.raises(ParseError, match="which this point gives a value too"):
            api.grad("x^2+y", vars="x,y", at=at)


def report_symbols(result: Any) -> set[Any]:
    """The symbols in the values of the result's point."""
    return set().union(*(v.free_symbols for _, v in result.point))


FAR_FROM_1: list[tuple[Callable[[], Any], bool]] = [  # (result, is an entry off caught)
    (lambda: api.grad("sin(x)", vars="x", at="x=10^60"), True),
    (lambda: api.grad("sin(x)", vars="x", at="x=10^45"), True),
    (lambda: api.grad("exp(-x^2/10^100)*cos(x)", vars="x", at="x=10^50"), True),
    (lambda: api.grad("sin(x)*abs(y)", vars="x,y", at="x=10^300,y=-3"), True),  # central
    (lambda: api.hessian("sin(x)*abs(y) + cos(x)*y^3", vars="x,y", at="x=10^40,y=-2"), True),
    (lambda: api.hessian("log(x)*abs(y)", vars="x,y", at="x=10^-40,y=3"), True),
    (lambda: api.grad("sqrt(x)", vars="x", at="x=10^-60"), True),  # a step of 1e-40 was wrong
    (lambda: api.grad("log(x) + abs(y)", vars="x,y", at="x=10^-30,y=1"), True),  # x - h < 0
    (lambda: api.jvp("sin(x)*y", vars="x,y", dir="10^50,10^-50", at="x=1,y=2"), True),
    # entries below 1e-20·max(1, |f|) compare as 0 (the floor): only the passing is tested
    (lambda: api.hessian("sin(x)*abs(y) + x^3*y", vars="x,y", at="x=10^40,y=10^-40"), False),
    (lambda: api.evaluate("atan2(y, x)", vars="x,y", at="x=-1,y=10^-40"), False),  # by the cut
    (lambda: api.evaluate("cos(x), x*y", vars="x,y", at="x=10^-200,y=10^200"), False),
]


@pytest.mark.parametrize(("make", "caught"), FAR_FROM_1)
def test_far_from_1_the_steps_are_absolute_and_the_precision_follows(
    make: Callable[[], Any], caught: bool
) -> None:
    """Steps once grew with |x| (1e-40·10^60 = 10^20): sin(x) at 10^60 'differed' from its
    derivative. F's scale is not |x|'s: the steps are absolute, the precision grows."""
    result = make()
    report = check(result)
    assert report.passed and report.max_error < 1e-30, str(report)
    assert len(str(report)) < 300 and not re.search(r"\d{13}", str(report))  # x=1.0e+60
    broken, label = _corrupted(result)
    error = check(broken).error()
    if caught:
        assert error is not None and label in str(error), str(error)
        assert re.search(r"by 1e-6 at ", str(error)) and len(str(error)) < 400, str(error)
        assert not re.search(r"at \S*\d{13}", str(error)), str(error)


def test_values_past_a_thousand_digits_are_a_warning_quickly() -> None:
    for at, shown in (("x=10^5000", "x=1.0e+5000"), ("x=10^-1200", "x=1.0e-1200")):
        result = api.grad("sin(x)", vars="x", at=at)
        start = time.monotonic()
        report = check(result)
        assert time.monotonic() - start < 3
        assert report.skipped and not report.failed and report.error() is None
        assert str(report) == (
            f"warning: check not done: at {shown} F's differences need more than 1000 digits"
        )
    # a value nearly that far is checked, its message short
    report = check(api.grad("sin(x)", vars="x", at="x=10^900"))
    assert report.passed and len(str(report)) < 200, str(report)


# --------------------------------------------------------------------------- big systems


def _bratu(n: int) -> tuple[list[str], list[str]]:
    u = [f"u{i}" for i in range(n)]
    rows = [
        f"{u[i - 1] if i else 0} - 2*{u[i]} + {u[i + 1] if i < n - 1 else 0} + h^2*lam*exp({u[i]})"
        for i in range(n)
    ]
    return rows, u


def test_big_systems_are_sampled_within_the_time_budget() -> None:
    functions, variables = _bratu(2000)
    result = jaccli.jacobian(functions, vars=variables)
    start = time.monotonic()
    report = check(result, seconds=0.3)
    assert time.monotonic() - start < 10  # generous: two cores shared by the test run
    assert report.passed and 0 < report.checked < report.total == 2000 * 2000
    assert f"{report.checked} of 4000000 entries, chosen at random" in str(report)
    assert "... (2002 values)" in str(report) and len(str(report)) < 1000
    everything = check(jaccli.jacobian(*_bratu(12)), seconds=None)
    assert everything.checked == everything.total == 144


def test_a_failure_in_a_big_system_shows_the_values_the_entry_depends_on() -> None:
    functions, variables = _bratu(30)
    result = jaccli.jacobian(functions, vars=variables)
    rows = list(result.sparse.rows)
    rows[7] = tuple((j, _off(e)) for j, e in rows[7])
    report = check(
        dataclasses.replace(result, sparse=engine.Sparse((30, 30), tuple(rows))), seconds=None
    )
    error = str(report.error())
    assert error.startswith("J[8,") and "(the values it depends on, of 32)" in error
    assert re.search(r"at u6=\S+,u7=\S+,u8=\S+,h=\S+,lam=\S+ \(the values", error), error


# --------------------------------------------------------------------------- golden corpus


def _golden_cases() -> dict[str, Callable[[], Any]]:
    from tests.test_render import CASES
    from tests.test_render_vectors import MATRIX_FORM_CASES
    from tests.test_sparse_output import RESULTS

    sparse = {f"sparse_{name}": result for name, result in RESULTS.items()}
    return {**CASES, **MATRIX_FORM_CASES, **sparse}


GOLDEN = Path(__file__).parent / "golden"


def test_every_golden_case_is_known_here() -> None:
    names = {path.name.split(".")[0] for path in GOLDEN.glob("*.txt")}
    missing = names - set(_golden_cases())
    assert not missing, f"golden files whose case test_check does not run: {sorted(missing)}"


@pytest.mark.parametrize("case", sorted(_golden_cases()))
def test_every_golden_case_passes(case: str) -> None:
    report = check(_golden_cases()[case]())
    assert report.passed, str(report)


# --------------------------------------------------------------------------- the command line

# Arguments for each command that reads F; a new command needs a line here.
ARGS = {
    "jacobian": ["x^2+y*z, sin(x*y), e^(x+z)", "--vars", "x,y,z"],
    "det": ["r*cos(t), r*sin(t)", "--vars", "r,t"],
    "eval": ["x^2+y, k*x*y", "--vars", "x,y", "--at", "x=0.1,y=2"],
    "linearize": ["x^2+y, x*y", "--vars", "x,y", "--at", "x=1,y=2"],
    "grad": ["x^2*y + sin(x*y)", "--vars", "x,y"],
    "hessian": ["x^2*y + sin(x*y)", "--vars", "x,y"],
    "jvp": ["x^2+y, x*y", "--vars", "x,y", "--dir", "1,2"],
    "vjp": ["x^2+y, x*y", "--vars", "x,y", "--cot", "1,2"],
    "chain": ["u*v, u+v", "--vars", "u,v", "--of", "x^2, sin(y)", "--of-vars", "x,y"],
    "eig": ["x^2*y, x + sin(y)", "--vars", "x,y", "--at", "x=1,y=2"],
    "stability": ["omega, -sin(theta) - b*omega", "--vars", "theta,omega"],
    "singular": ["r*cos(t), r*sin(t)", "--vars", "r,t"],
    "sparsity": ["x^2+y, y*z, z-x", "--vars", "x,y,z"],
}
CLI = [
    (row.name, fmt.value)
    for row in COMMANDS
    if row.reads_functions
    for fmt in sorted(row.formats(), key=lambda f: f.value)
    if draws(getattr(engine, str(row.result)), fmt)  # not csv, tsv, parquet: --points only
]


def test_every_command_has_arguments_here() -> None:
    missing = [row.name for row in COMMANDS if row.reads_functions and row.name not in ARGS]
    assert not missing, f"add arguments to ARGS for {missing}"


@pytest.mark.parametrize(("command", "fmt"), CLI)
def test_check_passes_on_every_command_and_format(command: str, fmt: str) -> None:
    # In forked workers, as on the command line: in one process, SymEngine may order the
    # terms of a sum built a second time differently (its hash map's history), and LaTeX
    # prints them in that order.
    args = [command, *ARGS[command], "--format", fmt]
    plain = invoke(args)
    checked = invoke([*args, "--check"])
    assert plain.code == checked.code == 0, checked.stderr
    assert checked.stdout == plain.stdout  # --check adds a note, never output
    assert "jac: check passed: largest relative error " in checked.stderr
    assert "check" not in plain.stderr


def test_a_corrupted_jacobian_exits_1_naming_the_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine.jacobian

    def corrupted(*args: Any, **kwargs: Any) -> Any:
        return _corrupted(real(*args, **kwargs))[0]

    monkeypatch.setattr(engine, "jacobian", corrupted)
    run = invoke(["jacobian", "x^2+y, x*y", "--vars", "x,y", "--check"])  # the worker too
    assert run.code == ExitCode.MATH and run.stdout == ""
    assert re.fullmatch(
        r"jac: error: J\[2,1\] = \(1000001/1000000\)\*y differs from complex step by 1e-6 "
        r"at x=\S+,y=\S+ \(tolerance 1e-8\): it is \S+ there, and \S+ by complex step\n",
        run.stderr,
    ), run.stderr
    assert invoke(["jacobian", "x^2+y, x*y", "--vars", "x,y"]).code == 0  # only with --check


def test_a_corrupted_gradient_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine.gradient
    monkeypatch.setattr(engine, "gradient", lambda *a, **k: _corrupted(real(*a, **k))[0])
    run = invoke(["grad", "x^2*y", "--vars", "x,y", "--at", "x=1,y=2", "--check", *UNBUDGETED])
    assert run.code == ExitCode.MATH
    assert run.stderr.startswith("jac: error: ∇f[1] = ") and "at x=1,y=2 " in run.stderr


@pytest.mark.parametrize("command", [row.name for row in COMMANDS if row.name in ("eval", "det")])
def test_points_files_are_refused_with_a_way_to_check_one_point(command: str) -> None:
    args = [command, "x*y, x+y", "--vars", "x,y", "--points", "-", "--check"]
    run = invoke(args, input="x,y\n1,2\n")
    assert run.code == ExitCode.USAGE
    assert "with --points, check a point of the file with --at" in run.stderr


def test_quiet_hides_the_note_but_not_a_failure() -> None:
    run = invoke(["jacobian", "x*y", "--vars", "x,y", "--check", "--quiet", *UNBUDGETED])
    assert run.code == 0 and run.stderr == ""
    run = invoke(["jacobian", "g(x)", "--functions", "g", "--check", *UNBUDGETED])
    assert run.code == 0 and "jac: warning: check not done: g is a function" in run.stderr
