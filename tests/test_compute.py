"""eval --points per chunk (jaccli.batch.compute): the fast path against the evaluate it
replaced, which checked F as typed on every row, and against `eval --at` at single points."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jaccli import problem
from jaccli.batch import compute, det, guards, stream
from jaccli.batch.lambdify import lambdify
from jaccli.engine import differentiate, kink_applies, kinks


def _plan(functions: Sequence[str], names: str, with_value: bool = True) -> stream.Plan:
    return stream.plan(problem.read(list(functions), names), None, with_value)


def reference(functions: Sequence[str], names: str, columns: dict[str, Any]) -> compute.Evaluated:
    """evaluate as it was before issue 15: F as typed, operation by operation, on every row,
    J's non-zero entries scattered into zeros, each kink checked on every row."""
    p = problem.read(list(functions), names)
    plan = stream.plan(p, None, True)
    m, n = plan.compiled.shape
    symbols = {s.name: s for f in p.functions for s in f.free_symbols}
    import symengine as se

    args = [symbols.get(name, se.Symbol(name)) for name in plan.compiled.names]
    variables = args[:n]
    sparse = differentiate(p.functions, variables)
    entries = [(i, j) for i, row in enumerate(sparse.rows) for j, _ in row]
    exprs = [*p.functions, *(e for row in sparse.rows for _, e in row)]
    values = np.column_stack([columns[a.name] for a in args])
    out = lambdify(args, exprs)(values)
    jacobian = np.zeros((len(values), m * n))
    if entries:
        jacobian[:, [i * n + j for i, j in entries]] = out[:, m:]
    as_typed = guards.typed_check(p.parsed)(columns)
    typed = guards.undefined_values(as_typed, columns)
    undefined = ~np.isfinite(jacobian) | np.repeat(typed, n, axis=1)
    found = kinks(p.functions, variables)
    if found:
        ab = lambdify(args, [e for k in found for e in (k.a, k.b)])(values)
        for index, k in enumerate(found):
            a, b = ab[:, 2 * index], ab[:, 2 * index + 1]
            undefined[:, k.i * n + k.j] |= kink_applies(k.kind, a, b)
    jacobian[undefined] = np.nan
    value = out[:, :m]
    with np.errstate(all="ignore"):
        value = np.where(~np.isfinite(value) & np.isfinite(as_typed), as_typed, value)
    value = np.where(typed | guards.undefined_values(value, columns), np.nan, value)
    return compute.Evaluated(jacobian, value, undefined)


def assert_same(
    new: compute.Evaluated, old: compute.Evaluated, rtol: float = 1e-14, atol: float = 0.0
) -> None:
    """NaN pattern, values (to 1e-14 relative) and undefined masks equal."""
    for a, b in ((new.jacobian, old.jacobian), (new.value, old.value)):
        assert np.array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    assert np.array_equal(new.undefined, old.undefined)


def _columns(names: Sequence[str], points: Sequence[Sequence[float]]) -> dict[str, Any]:
    array = np.array(points, dtype=float).reshape(len(points), len(names))
    return {name: array[:, k].copy() for k, name in enumerate(names)}


HOSTILE = [
    # (F, variables, points): every point is one where some check must fire
    (["x/y", "y/x"], "x,y", [[1, 0], [0, 1], [0, 0], [2, 3]]),
    (["x^y"], "x,y", [[0, 0], [0, -1], [-1, 0.5], [-8, 1 / 3], [2, 0.5], [0, 2]]),
    (["log(x)", "ln(x*y)", "log10(x)"], "x,y", [[0, 1], [-1, 1], [1, 0], [2, 2]]),
    (["sqrt(x)", "cbrt(x)", "x^0.5"], "x", [[-1], [0], [4]]),
    (["abs(x - y)", "sign(x)*y", "relu(x)", "max(x, y)"], "x,y", [[0, 0], [1, 1], [0, 2], [3, 1]]),
    (["softplus(x)", "sigmoid(x)", "exp(x)*y"], "x,y", [[800, 1], [-800, 1], [0, 0], [710, 2]]),
    (["x/x + y", "abs(x)", "sqrt(x)"], "x,y", [[1, 1], [0, 0], [2, 0], [-1, 3]]),
    (["x*y*z", "exp(x+z)*y", "sin(x)/y"], "x,y,z", [[1e200, 1e200, 1e-200], [1, 0, 1], [0, 0, 0]]),
    (["asin(x)", "acos(x)", "atanh(x)", "acosh(x)"], "x", [[1], [-1], [2], [0.5], [0]]),
    (["atan2(y, x)", "tan(x)", "cot(x)", "sec(x)", "csc(x)"], "x,y", [[0, 0], [0, 1], [1, 0]]),
    (["x^-2", "(x - y)^(-1)", "2^x", "(-2)^x", "0^x"], "x,y", [[0, 0], [1, 1], [0.5, 2]]),
    (["x^2 + y", "x*y"], "x,y", [[math.inf, 1], [math.inf, -math.inf], [math.nan, 1], [1, 2]]),
    (["exp(exp(x))", "x*y - x*y + 1/(x + 1e-300)"], "x,y", [[800, 1e308], [-1e-300, 1], [1, 1]]),
]


@pytest.mark.parametrize(("functions", "names", "points"), HOSTILE)
def test_hostile_points_as_before(functions: list[str], names: str, points: list[Any]) -> None:
    columns = _columns(names.split(","), points)
    plan = _plan(functions, names)
    old = reference(functions, names, columns)
    assert_same(compute.evaluate(plan.compiled, dict(columns)), old)
    assert_same(compute.evaluate(plan.compiled, dict(columns), reuse=True), old)


@pytest.mark.parametrize("share", [0.0, 2.0])
def test_dense_and_sparse_j_agree(monkeypatch: pytest.MonkeyPatch, share: float) -> None:
    monkeypatch.setattr(compute, "DENSE_SHARE", share)
    functions, names = ["x/y + z", "abs(z)", "y^z"], "x,y,z"
    plan = _plan(functions, names)
    assert plan.compiled.dense is (share == 0.0)
    rng = np.random.default_rng(3)
    points = rng.choice([0.0, 1.0, -1.0, 0.5, 2.5], size=(200, 3))
    columns = _columns(names.split(","), points)
    assert_same(compute.evaluate(plan.compiled, columns), reference(functions, names, columns))


def test_static_classification() -> None:
    def kinds(text: str, names: str = "x,y") -> tuple[list[str], tuple[int, ...]]:
        checks = _plan([text], names).compiled.checks
        return [g.kind for g in checks.guards], checks.typed_parsed

    assert kinds("x*y*exp(x+y) + sin(x)^2 - tanh(y)/2 + e^x + 2^y + abs(x)") == ([], ())
    assert kinds("sin(x)/y") == (["zero"], ())
    assert kinds("x^y + log(x) + atan2(y, x) + x^-1") == (["power", "log", "atan2", "power"], ())
    assert kinds("1/2 + x/3 + sqrt(2)*x") == ([], ())  # divisors and roots of numbers only
    # vectors: total ones need nothing; a partial operation on a vector is checked as typed
    vector = problem.read(["sum(v) + norm(v)", "inv(A)*v"], "v", shapes="v=2,A=2x2")
    checks = stream.plan(vector, None, False).compiled.checks
    assert checks.typed_parsed == (1,)


def test_only_the_typed_components_are_checked_operation_by_operation() -> None:
    p = problem.read(["v'*v", "log(v)"], "v", shapes="v=2")
    plan = stream.plan(p, None, True)
    columns = _columns(["v[1]", "v[2]"], [[0, 1], [1, 1], [2, 0]])
    result = compute.evaluate(plan.compiled, columns)
    assert result.undefined[:, :2].sum() == 0  # v'v is total
    assert result.undefined[0, 2] and result.undefined[2, 4] and not result.undefined[1].any()
    assert math.isnan(result.value[0, 1]) and math.isnan(result.value[2, 2])


def test_matrix_form_path_agrees_with_entry_by_entry() -> None:
    p = problem.read(["tanh(W*x + b)", "log(x)"], "x", shapes="W=2x2,x=2,b=2")
    plan = stream.plan(p, None, True)
    assert plan.compiled.form is not None
    rng = np.random.default_rng(5)
    names = plan.compiled.names
    columns = {k: rng.choice([-1.0, 0.0, 0.5, 3.0], 300) for k in names}
    # not x = 0: the matrix form of log(x), diag(1 ./ x), is NaN off the diagonal there
    columns.update((k, rng.choice([-1.0, 0.5, 3.0], 300)) for k in names if k.startswith("x"))
    plain = compute.compile_jacobian(p.functions, *_split(plan), p.parsed, True, structure=None)
    # 1 - tanh(u)^2 in NumPy against SymEngine's compiled derivative: rounding apart
    form, entries = compute.evaluate(plan.compiled, columns), compute.evaluate(plain, columns)
    assert_same(form, entries, rtol=1e-9, atol=1e-14)


def _split(plan: stream.Plan) -> tuple[list[Any], list[Any]]:
    import symengine as se

    symbols = [se.Symbol(s) for s in plan.compiled.names]
    n = plan.compiled.shape[1]
    return symbols[:n], symbols[n:]


def test_arrays_are_the_callers_unless_reused() -> None:
    plan = _plan(["x*y", "x/y"], "x,y")
    first = compute.evaluate(plan.compiled, _columns(["x", "y"], [[1, 2], [3, 4]]))
    second = compute.evaluate(plan.compiled, _columns(["x", "y"], [[5, 6], [7, 8]]))
    assert first.jacobian[0, 0] == 2 and second.jacobian[0, 0] == 6
    a = compute.evaluate(plan.compiled, _columns(["x", "y"], [[1, 2]]), reuse=True)
    b = compute.evaluate(plan.compiled, _columns(["x", "y"], [[5, 6]]), reuse=True)
    assert np.shares_memory(a.jacobian, b.jacobian) and a.jacobian[0, 0] == 6


def test_threads_have_buffers_of_their_own() -> None:
    functions, names = ["exp(x)*y", "x/y", "abs(x - y)"], "x,y"
    plan = _plan(functions, names)
    rng = np.random.default_rng(9)
    inputs = [_columns(["x", "y"], rng.choice([0.0, 1.0, 2.0, -3.0], (5000, 2))) for _ in range(4)]
    expected = [reference(functions, names, c) for c in inputs]
    failures: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for _ in range(20):
                assert_same(compute.evaluate(plan.compiled, inputs[k], reuse=True), expected[k])
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_rows_with_nan_despite_overflowing_row_sums() -> None:
    jacobian = np.array([[1e308, 1e308, -1e308, -1e308], [1.0, np.nan, 0, 0], [1, 2, 3, 4.0]])
    assert det._nan_rows(jacobian).tolist() == [False, True, False]
    value = compute.determinants(jacobian, np.zeros((3, 4), bool), 2, False)[0]
    assert value[0, 0] == -math.inf and math.isnan(value[1, 0])  # overflows honestly, not NaN
    undefined = np.zeros((3, 4), bool)
    assert compute.undefined_rows(undefined).tolist() == []
    undefined[2, 3] = True
    assert compute.undefined_rows(undefined).tolist() == [2]


def test_the_cancellations_eval_at_sees_through() -> None:
    # Guards are compiled from exactly simplified arguments, as eval --at computes them:
    # 1/((x + 1) - x - 1 + y) is 1/y. Rounding x + 1 at x = 1e20 once made it 1/0 here.
    plan = _plan(["1/((x + 1) - x - 1 + y)"], "x,y")
    result = compute.evaluate(plan.compiled, _columns(["x", "y"], [[1e20, 1.0]]))
    assert result.value[0, 0] == 1.0 and result.jacobian[0].tolist() == [0.0, -1.0]


# --------------------------------------------------------------------------- properties

_LEAVES = ["x", "y", "z", "0", "1", "2", "0.5", "pi", "e"]
_UNARY = ["sin", "cos", "exp", "log", "sqrt", "abs", "sign", "tanh", "asin", "atan", "cbrt",
          "softplus", "sigmoid", "relu", "acosh", "tan"]  # fmt: skip
_BINARY = ["+", "-", "*", "/", "^"]


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    unary = st.tuples(st.sampled_from(_UNARY), inner).map(lambda t: f"{t[0]}({t[1]})")
    binary = st.tuples(inner, st.sampled_from(_BINARY), inner).map(
        lambda t: f"({t[0]}{t[1]}{t[2]})"
    )
    two = st.tuples(st.sampled_from(["atan2", "max", "min"]), inner, inner)
    return unary | binary | two.map(lambda t: f"{t[0]}({t[1]}, {t[2]})")


_EXPRESSIONS = st.recursive(st.sampled_from(_LEAVES), _extend, max_leaves=6)
# No coordinates in (0, 1e-12): there cos x and e^x both round to 1, so a kink of
# min(cos x, e^x) is a tie in doubles and --points says undefined (NaN, never a wrong number)
# where exact arithmetic (--at) sees two different values.
_COORDINATE = st.sampled_from([0.0, 1.0, -1.0, 0.5, -2.0, 3.0, 1e-8]) | st.floats(-4, 4).filter(
    lambda c: c == 0 or abs(c) > 1e-12
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_EXPRESSIONS, min_size=1, max_size=3),
    st.lists(st.tuples(_COORDINATE, _COORDINATE, _COORDINATE), min_size=1, max_size=12),
)
def test_random_expressions_and_points_as_before(functions: list[str], points: list[Any]) -> None:
    from sympy.printing.codeprinter import PrintMethodNotImplementedError

    from jaccli.errors import JacError

    try:
        plan = _plan(functions, "x,y,z")
    except JacError:  # 1/0, 0^0 and friends in the text itself
        return
    except PrintMethodNotImplementedError:  # d/dx |u| of an abs inside u: never compiled
        return
    columns = _columns(["x", "y", "z"], points)
    new, old = compute.evaluate(plan.compiled, columns), reference(functions, "x,y,z", columns)
    for row, point in enumerate(points):
        if not _same_row(new, old, row):  # then eval --at decides, and must agree with new
            _agrees_with_eval_at(functions, point, new, row)


def _same_row(new: compute.Evaluated, old: compute.Evaluated, row: int) -> bool:
    try:
        assert_same(*(compute.Evaluated(*(a[row : row + 1] for a in e)) for e in (new, old)))
    except AssertionError:
        return False
    return True


def _agrees_with_eval_at(
    functions: list[str], point: Any, new: compute.Evaluated, row: int
) -> None:
    """Where the new evaluate differs from the old one, it agrees with `eval --at`."""
    import warnings

    from jaccli import api
    from jaccli.errors import JacError, UndefinedError

    at = ",".join(f"{v}={c!r}" for v, c in zip("xyz", point, strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exact = api.evaluate(functions, "x,y,z", at=at, digits=20).to_numpy()
        except UndefinedError:
            assert new.undefined[row].any(), (functions, point)
            return
        except JacError:
            return  # too large for exact arithmetic: nothing to compare with
    assert not new.undefined[row].any(), (functions, point)
    expected = np.asarray(exact, dtype=float).reshape(-1)
    np.testing.assert_allclose(new.jacobian[row], expected, rtol=1e-9, atol=1e-12)


def test_the_catalogues_total_flag_is_right_about_numpy() -> None:
    # total: finite wherever its arguments are (overflow aside); partial: some finite
    # argument where jac's NumPy form is NaN or infinite (tan and sec: none in doubles, but
    # their poles are exact numbers such as tan(pi/2), which the parser refuses).
    from jaccli.functions import CATALOGUE, numpy_functions

    grid = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
    for name, function in CATALOGUE.items():
        implementation = numpy_functions().get(name)
        if implementation is None or function.kind == "vector":
            continue
        args = np.meshgrid(*[grid] * function.arity[0])
        with np.errstate(all="ignore"):
            finite = np.isfinite(np.asarray(implementation(*args), dtype=float))
        if function.total:
            assert finite.all(), name
        elif name not in ("tan", "sec"):
            assert not finite.all(), name


# --------------------------------------------------------------------------- issue 15 fixes
# Three inputs that were internal errors (exit 70), and their neighbours: --points against
# --at at the same points, expression by expression (--at stops at the first undefined
# value, so each expression as typed is asked alone: its rows of J are defined, and equal,
# exactly where --at answers for it alone).


def _points_agree_with_at(
    functions: Sequence[str], names: str, points: Sequence[Sequence[float]], shape: str = ""
) -> compute.Evaluated:
    import warnings

    from jaccli import api
    from jaccli.errors import JacError, MathError

    p = problem.read(list(functions), names, shapes=shape or None)
    compiled = stream.plan(p, None, True).compiled
    evaluated = compute.evaluate(compiled, _columns(compiled.names, points))
    n = compiled.shape[1]
    for row, point in enumerate(points):
        at = ",".join(f"{k}={c!r}" for k, c in zip(compiled.names, point, strict=True))
        for text, span in zip(functions, guards.components(p.parsed), strict=True):
            got = evaluated.jacobian[row].reshape(-1, n)[span.start : span.stop]
            undefined = evaluated.undefined[row].reshape(-1, n)[span.start : span.stop]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    exact = api.evaluate([text], names, at=at, shape=shape or None, digits=20)
                except MathError:  # undefined (or complex) somewhere in these rows
                    assert undefined.any(), (text, point, got)
                    continue
                except JacError:  # pragma: no cover - past exact arithmetic's limits
                    continue
            assert not undefined.any() and np.isfinite(got).all(), (text, point, got)
            expected = np.asarray(exact.to_numpy(), dtype=float).reshape(got.shape)
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14, err_msg=text)
    return evaluated


KINK_POINTS = [[x, y] for x in (0.0, 1.0, -1.0, 2.0, 0.5, -0.5, 1.5) for y in (1.0, -2.0)]


@pytest.mark.parametrize(
    "functions",
    [
        # DiracDelta's derivative is DiracDelta(u, 1) (SymPy's): NumPy's entry takes the order
        ["DiracDelta(x)*y", "x"],
        ["DiracDelta(x^2 - 1)*y", "DiracDelta(y + 2)*x"],
        ["DiracDelta(sin(x))*y^2"],
        ["sign(x)*y", "sign(x*y)^2"],
        # a kink inside a kink: ∂|x - |x||/∂x is built with jac's rules, not left a Derivative
        ["max(x, abs(x))", "y"],
        ["min(abs(x), x^2)", "y"],
        ["abs(abs(x) - 1)*y"],
        ["abs(x - abs(x))", "max(x, -x)"],
        ["max(abs(y), abs(x)) + relu(abs(x) - 1)"],
        # log(0) = -inf is undefined as typed, even where sign(...) or 1/... makes it finite
        ["sign(log(x))*x", "1/log(abs(x)) + sign(atanh(x/2) - 1)"],
    ],
)
def test_kinks_and_deltas_agree_with_eval_at(functions: list[str]) -> None:
    _points_agree_with_at(functions, "x,y", KINK_POINTS)


def test_a_kink_inside_a_kink_is_only_where_it_is() -> None:
    # max(x, |x|) is |x|: J is sign(x), undefined at x = 0 only (not wherever x - |x| = 0)
    evaluated = _points_agree_with_at(["max(x, abs(x))"], "x,y", KINK_POINTS)
    xs = np.array([p[0] for p in KINK_POINTS])
    assert np.array_equal(evaluated.undefined[:, 0], xs == 0)
    defined = xs != 0
    assert np.array_equal(evaluated.jacobian[defined, 0], np.sign(xs[defined]))


VECTOR_POINTS = [
    [1.0, 2.0, 3.0, -4.0, 2.0],
    [0.0, 2.0, 1.0, 1.0, 0.0],  # v[1] = 0
    [-1.0, 0.5, 0.0, 2.0, -1.0],  # v[1] + 1 = 0, w[1] = 0
    [0.25, -3.0, 0.5, 0.5, 3.0],
]


@pytest.mark.parametrize(
    "functions",
    [
        ["1 ./ v"],
        ["2 ./ v", "v ./ w"],
        ["1 ./ (v + 1)"],
        ["s ./ v", "v ./ s"],
        ["(s + 1) ./ (v .* w)"],
        ["s .* v", "v .* s - w"],
        ["s .^ v"],
        ["v .^ w", "v .^ s"],
        ["(2*s) .^ v + v .^ 3"],
    ],
)
def test_elementwise_with_a_scalar_agrees_with_eval_at(functions: list[str]) -> None:
    # the matrix form path (J from a form, when every block has one) or the entries' path
    _points_agree_with_at(functions, "v,w,s", VECTOR_POINTS, "v=2,w=2")


@pytest.mark.parametrize(
    "expression", ["1 ./ v", "2 ./ v", "1 ./ (v + 1)", "s ./ v", "s .^ v", "v .^ w", "v ./ w"]
)
def test_forms_of_elementwise_operations_with_a_scalar(expression: str) -> None:
    # the form, expanded, is J's entries: a scalar on the left of ./ or .^ is not a product
    import random
    import warnings
    from fractions import Fraction

    import jaccli
    from tests.vectors import assert_forms_match, numbers, random_point, symbols_at

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no function depends on s, w (a typo?)
        result = jaccli.jacobian(expression, "s,v,w", shape="v=2,w=2")
    assert len(result.matrix_form) >= 2  # u .^ w has none by w
    rng = random.Random(15)
    for _ in range(3):
        point = random_point({"v": (2, 1), "w": (2, 1)}, rng, low=1, high=3)
        point["s"] = Fraction(rng.randint(1, 9), rng.randint(1, 4))
        assert_forms_match(result, point, numbers(result.matrix, symbols_at(point)))


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["DiracDelta(x)*y, x", "--vars", "x,y"], "x,y\n0,1\n1,2\n"),
        (["max(x, abs(x)), y", "--vars", "x,y"], "x,y\n0,1\n1,2\n"),
        (["1 ./ v", "--shape", "v=2", "--vars", "v"], "v[1],v[2]\n1,2\n"),
        (["s ./ v", "--shape", "v=2", "--vars", "s,v"], "s,v[1],v[2]\n3,1,2\n"),
    ],
)
def test_the_internal_errors_are_answers(jac: Any, args: list[str], text: str) -> None:
    run = jac(["eval", *args, "--points", "-"], input=text)
    assert run.code == 0, run.stderr
    assert len(run.stdout.splitlines()) == 1 + text.count("\n") - 1


@pytest.mark.parametrize(
    ("functions", "shapes"),
    [
        (["1 ./ v", "s ./ (v + 1)"], "v=3"),
        (["tanh(W*v + b)", "log(v)", "-sqrt(v)"], "W=3x3,v=3,b=3"),
    ],
)
def test_the_matrix_form_is_zero_off_a_diagonal_with_an_undefined_entry(
    functions: list[str], shapes: str
) -> None:
    # diag(1 ./ v) at v[1] = 0: its off-diagonal entries are 0 (as J's entries say), not NaN
    p = problem.read(functions, "v,s" if "s" in functions[1] else "v", shapes=shapes)
    plan = stream.plan(p, None, True)
    assert plan.compiled.form is not None
    rng = np.random.default_rng(15)
    columns = {k: rng.choice([-1.0, 0.0, 0.5, 3.0], 200) for k in plan.compiled.names}
    plain = compute.compile_jacobian(p.functions, *_split(plan), p.parsed, True, structure=None)
    form, entries = compute.evaluate(plan.compiled, columns), compute.evaluate(plain, columns)
    assert_same(form, entries, rtol=1e-9, atol=1e-14)
    assert not np.signbit(form.jacobian[form.jacobian == 0]).any()  # no -0.0 either


# --- issue 15 review: whole powers beyond 32 bits, complex intermediates, huge constants


def _double(value: Any) -> float:
    """An exact value as eval --points should write it: NaN past the largest double."""
    import mpmath

    number = float(value)
    return number if abs(value) <= mpmath.mpf(np.finfo(float).max) else math.nan


@pytest.mark.parametrize(
    "k", [2**31 - 1, 2**31, 2**32 + 1, -(2**31), -(2**31) - 1, 2**40, 3 * 2**52 + 1]
)
def test_whole_powers_beyond_32_bits(k: int) -> None:
    # SymEngine's LLVM code passes a whole exponent to llvm.powi as a 32-bit int: x^(2^32+1)
    # was x^1. Against mpmath at 60 digits: F = x^k, J = k·x^(k-1), 0 or NaN past a double.
    import mpmath

    mpmath.mp.dps = 60
    xs = [0.5, -0.5, 2.0, -2.0, 1.0, -1.0, 1 + 2**-40, -(1 + 2**-40), 1 - 2**-41, 0.0]
    plan = _plan([f"x^({k})"], "x")
    result = compute.evaluate(plan.compiled, _columns(["x"], [[x] for x in xs]))
    for row, x in enumerate(xs):
        if x == 0 and k <= 0:
            assert math.isnan(result.value[row, 0]) and math.isnan(result.jacobian[row, 0])
            continue
        exact = (mpmath.mpf(x) ** k, k * mpmath.mpf(x) ** (k - 1))
        got = (result.value[row, 0], result.jacobian[row, 0])
        # below 2^31 LLVM's powi squares repeatedly: off by up to |k|·2^-52 near |x| = 1,
        # as much as x^k moves when x moves by its rounding (its condition number is |k|)
        rel = max(1e-12, 2 * abs(k) * 2**-52) if abs(k) <= 2**31 else 1e-12
        for a, b in zip(got, map(_double, exact), strict=True):
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=rel), (x, k)


def test_nested_powers_beyond_32_bits() -> None:
    # the base of a rewritten power holds another one: both are rewritten
    plan = _plan(["(x^(2^32) + y)^(2^33 + 1)"], "x,y")
    result = compute.evaluate(plan.compiled, _columns(["x", "y"], [[0.5, 1.0], [0.5, -1.0]]))
    assert result.value[:, 0].tolist() == [1.0, -1.0]
    assert result.jacobian[:, 1].tolist() == [2**33 + 1, 2**33 + 1]


@pytest.mark.parametrize(
    ("text", "names", "point"),
    [
        ("x^relu(x)", "x", [-2.0]),
        ("x^relu(x)", "x", [-0.5]),
        ("x^relu(x)*y + x^(2*relu(y))", "x,y", [-3.0, -1.5]),
        ("x^y", "x,y", [-2.0, 2.0]),  # ∂/∂y = 4·log(-2): complex, undefined
        ("x^y", "x,y", [-2.0, 0.0]),
        ("sin(x^relu(x)) + log(x^2)*relu(x)", "x", [-1.0]),
    ],
)
def test_entries_nan_in_doubles_are_what_eval_at_says(
    text: str, names: str, point: list[float]
) -> None:
    # where F is defined and an entry is 0·log(x) at x < 0 (NaN in real doubles), eval --at
    # says 0: a complex intermediate times an exact 0. A truly complex entry stays undefined.
    import warnings

    from jaccli import api
    from jaccli.errors import MathError

    plan = _plan([text], names)
    result = compute.evaluate(plan.compiled, _columns(names.split(","), [point]))
    at = ",".join(f"{v}={c!r}" for v, c in zip(names.split(","), point, strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exact = np.asarray(api.evaluate([text], names, at=at, digits=20).to_numpy(), float)
        except MathError:
            assert result.undefined[0].any() and np.isnan(result.jacobian[0]).any()
            return
    assert not result.undefined[0].any()
    np.testing.assert_allclose(result.jacobian[0], exact.reshape(-1), rtol=1e-12, atol=1e-15)


def test_constants_beyond_a_double_are_infinite_not_a_crash() -> None:
    # 1e400 is inf in doubles: F and J of 1e400*x are undefined (as an overflow is);
    # 1e-400 underflows to 0, as a tiny product does
    plan = _plan(["1e400*x", "1e-400*x", "x/1e400"], "x")
    result = compute.evaluate(plan.compiled, _columns(["x"], [[1.0], [0.0]]))
    assert np.isnan(result.value[:, 0]).all() and np.isnan(result.jacobian[:, 0]).all()
    assert result.value[:, 1:].tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert result.jacobian[:, 1:].tolist() == [[0.0, 0.0], [0.0, 0.0]]
    # with abs, SymPy's printer compiles F: it wrote 10^400 as an int, too large for NumPy
    plan = _plan(["abs(x) + 1e400*x", "abs(x) + 10^400/3*x"], "x")
    result = compute.evaluate(plan.compiled, _columns(["x"], [[1.0], [-2.0]]))
    assert np.isnan(result.value).all() and np.isnan(result.jacobian).all()
