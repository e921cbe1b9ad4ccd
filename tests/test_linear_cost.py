"""Linear cost at scale (issue 16): rows of one template are differentiated once and give
the very entries differentiating each row gives, printed byte for byte the same; and a
Jacobian of 10^4 unknowns costs a few differentiations and no m·n structure."""

from __future__ import annotations

import gc
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import symengine as se
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from jaccli import budget, collector, engine, problem
from jaccli.engine import derivatives
from jaccli.engine.results import JacobianResult, Sparse
from jaccli.engine.variables import header
from jaccli.errors import JacError
from jaccli.render import Format, RenderOptions, render

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import workloads


def _read(texts: list[str], names: list[str]) -> problem.Problem:
    return problem.read(texts, names)


def _texts(sparse: Sparse) -> list[tuple[int, int, str]]:
    return [(i, j, str(e)) for i, row in enumerate(sparse.rows) for j, e in row]


def _plain(read: problem.Problem, sparse: Sparse) -> str:
    """The whole Jacobian through jac's own printer, as `jac jacobian --format plain` writes."""
    result = JacobianResult(**header(read.functions, read.variables), sparse=sparse)
    return str(render(result, Format.plain, RenderOptions(sparse=True)))


def _both_ways(read: problem.Problem) -> tuple[Sparse, Sparse]:
    functions, variables = read.functions, read.variables or ()
    cached = derivatives.differentiate(functions, variables)
    direct = derivatives.differentiate(functions, variables, templates=False)
    return cached, direct


WORKLOADS = [("bratu", 500), ("kinetics", 400), ("arm", 60), ("layer", 30), ("layer", 100)]


@pytest.mark.parametrize(("kind", "n"), WORKLOADS)
def test_templates_give_the_same_bytes_as_differentiating_each_row(kind: str, n: int) -> None:
    read = _read(*getattr(workloads, kind)(n))
    cached, direct = _both_ways(read)
    assert cached == direct  # the same SymEngine trees, entry by entry
    assert _texts(cached) == _texts(direct)
    assert _plain(read, cached) == _plain(read, direct)


@pytest.mark.parametrize(("kind", "n"), [("bratu", 500), ("kinetics", 400)])
def test_stencils_hit_their_templates(kind: str, n: int) -> None:
    read = _read(*getattr(workloads, kind)(n))
    templates = derivatives.Templates({v: j for j, v in enumerate(read.variables or ())})
    for f in read.functions:
        templates.row(f)
    # bratu: the first, last and interior rows; kinetics: the ends, and its parameters'
    # names changing length (k9 sorts after k10 by text) at 10 and 100.
    # A few rows print in another order where names cross a digit (c9*... c10): they are
    # differentiated themselves, not renamed (Templates checks that a row prints alike).
    assert templates.looked - templates.hits <= 16


def _block(n: int) -> tuple[list[str], list[str]]:
    """Three species diffusing and reacting: 5 equations a cell, of the same counts of
    variables and symbols (a row is not known by its counts alone)."""
    texts = []
    for i in range(1, n + 1):
        a, b, c = (f"{s}{i}" for s in "abc")
        left, right = ({s: f"{s}{k}" for s in "abc"} for k in (i - 1, i + 1))
        diffusion = {s: f"{left[s]} - 2*{s}{i} + {right[s]}" for s in "abc"}
        texts += [
            f"{diffusion['a']} - k1*{a}*{b}",
            f"{diffusion['b']} + k1*{a}*{b} - k2*{b}*{c}",
            f"{diffusion['c']} + k2*{b}*{c}",
            f"{diffusion['a']} - k3*{a}*{c}",
            f"exp({a}) - {b}*{c} + k4",
        ]
    return texts, [f"{s}{i}" for i in range(n + 2) for s in "abc"]


def test_a_block_of_equations_repeated_down_the_rows_hits_its_templates() -> None:
    read = _read(*_block(200))
    templates = derivatives.Templates({v: j for j, v in enumerate(read.variables or ())})
    for f in read.functions:
        templates.row(f)
    assert templates.hits >= 0.95 * templates.looked
    cached, direct = _both_ways(read)
    assert _texts(cached) == _texts(direct)


def test_a_constant_as_a_variable_is_renamed_as_a_symbol() -> None:
    # e as a variable beside exp( ): the skeleton keeps the calls, the renaming takes the
    # symbols, and a row is a template's only if it comes back from it.
    texts = [f"e*x{i} + cos(e + x{i + 1}) + exp(e*x{i})" for i in range(40)]
    texts += [f"sin(x{i})*e + x{i + 1}^e + exp(x{i})" for i in range(40)]
    read = _read(texts, ["e", *(f"x{i}" for i in range(41))])
    cached, direct = _both_ways(read)
    assert _texts(cached) == _texts(direct)
    assert _plain(read, cached) == _plain(read, direct)


def test_symbols_named_like_the_slots_are_renamed_like_any_other() -> None:
    # From Python anything can be a name, "@0" (a slot's) included.
    at = [se.Symbol(f"@{k}") for k in range(3)]
    xs = [se.Symbol(f"x{i}") for i in range(30)]
    rows = [at[i % 3] * xs[i] ** 2 + se.exp(at[(i + 1) % 3] * xs[i + 1]) for i in range(29)]
    rows += [at[0] * at[1] * xs[i] + at[2] for i in range(29)]
    for variables in (xs, [*xs, *at]):
        cached = derivatives.differentiate(rows, variables)
        direct = derivatives.differentiate(rows, variables, templates=False)
        assert _texts(cached) == _texts(direct)


def test_input_without_repetition_stops_looking_for_templates() -> None:
    read = _read(*workloads.layer(100))
    templates = derivatives.Templates({v: j for j, v in enumerate(read.variables or ())})
    for f in read.functions:
        templates.row(f)
    assert templates.known is None and templates.looked == derivatives._TRIAL_ROWS


# Random stencils: an expression in the slots A, B, C (variables u_i, u_i+1, u_i+2 of its
# row) and P, Q (parameters), repeated down the rows, some rows renamed otherwise.
_LEAVES = st.sampled_from(["{A}", "{B}", "{C}", "{P}", "{Q}", "2", "3", "1/2", "pi"])
_UNARY = ["sin", "cos", "exp", "log", "sqrt", "tanh", "atan", "abs", "sign", "sigmoid"]


def _expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner)
        return st.one_of(
            binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, st.sampled_from(["2", "3", "-1"])).map(lambda t: f"({t[0]})^{t[1]}"),
            st.tuples(st.sampled_from(_UNARY), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"atan2({t[0]}, {t[1]})"),
        )

    return st.recursive(_LEAVES, extend, max_leaves=8)


def _row(template: str, i: int, parameters: tuple[str, str]) -> str:
    return template.format(
        A=f"u{i}", B=f"u{i + 1}", C=f"u{i + 2}", P=parameters[0], Q=parameters[1]
    )


@settings(max_examples=60, deadline=None)
@given(
    templates=st.lists(_expressions(), min_size=1, max_size=2),
    rows=st.integers(2, 6),
    swapped=st.booleans(),
)
def test_random_stencils_cached_and_direct_are_identical(
    templates: list[str], rows: int, swapped: bool
) -> None:
    parameters = ("q", "p") if swapped else ("p", "q")
    texts = [
        _row(t, i, parameters if i % 3 else ("p", "p")) for i in range(rows) for t in templates
    ]
    names = [f"u{i}" for i in range(rows + 2)]
    try:
        read = _read(texts, names)
        cached, direct = _both_ways(read)
    except JacError:
        reject()  # undefined as typed (log(0), 1/(u0 - u0)): no Jacobian to compare
    assert _texts(cached) == _texts(direct)
    assert _plain(read, cached) == _plain(read, direct)
    for f in read.functions:  # the cheap test never says "plain" of a row that is not
        if derivatives.plain(f):
            assert not f.atoms(se.Abs, se.sign, se.FunctionSymbol, se.atan2)


def test_the_text_test_sees_every_kind_that_needs_a_walk() -> None:
    x, y = se.symbols("x y")
    g = se.Function("g")
    kinks = [abs(x), se.sign(x), se.atan2(x + 1, y), g(x), se.Derivative(g(x), x), se.sqrt(g(y))]
    for e in kinks:
        assert not derivatives.plain(2 * se.sin(e) + y), e
    assert derivatives.plain(se.exp(x) * se.tanh(y) / (1 + x**2) + se.sqrt(x) * se.log(y))


def test_the_text_test_is_sound_for_every_function_in_the_catalogue() -> None:
    from jaccli.functions import symengine_functions

    x, y = se.symbols("x y")
    for name, build in symengine_functions().items():
        try:
            e = build(x * y + 1)
        except TypeError:  # two arguments (atan2, max, min)
            e = build(x + 1, y * x)
        if derivatives.plain(e):
            assert not e.atoms(se.Abs, se.sign, se.FunctionSymbol, se.atan2), name


def _counted(monkeypatch: pytest.MonkeyPatch, name: str, calls: Counter[str]) -> None:
    original: Callable[..., Any] = getattr(derivatives, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(derivatives, name, counting)


def _no_dense(*_: Any) -> Any:
    raise AssertionError("an m·n structure was built")


def test_bratu_10000_is_a_few_differentiations_and_nothing_dense(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    n = 10_000
    read = _read(*workloads.bratu(n))
    calls: Counter[str] = Counter()
    for name in ("diff", "by_symengine", "atan2_nodes"):
        _counted(monkeypatch, name, calls)
    monkeypatch.setattr(Sparse, "filled", _no_dense)
    monkeypatch.setattr(Sparse, "dense", _no_dense)
    result = engine.jacobian(read.functions, read.variables)
    # 3 kinds of row (first, interior, last), whose text changes shape where the names
    # grow a digit (u9 - 2*u10 + u11): each kind and shape is differentiated 2 or 3 times
    # by its 2 or 3 variables, whatever n is, instead of 29,998 times
    assert calls["diff"] <= 50 and calls["by_symengine"] <= 25 and calls["atan2_nodes"] == 0
    assert sum(len(row) for row in result.sparse.rows) == 3 * n - 2
    text = str(render(result, Format.plain, RenderOptions(sparse=True)))
    assert text.count("\n") == 3 * n - 3


def test_the_work_in_process_leaves_the_callers_collector_as_it_was() -> None:
    before = gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()
    seen = budget.run(
        lambda: (gc.get_threshold(), gc.get_freeze_count()), budget.Budget(None, None)
    )
    assert seen[0] == collector.THRESHOLD and seen[1] > 0
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before
    gc.freeze()  # a caller that froze objects itself keeps them frozen
    try:
        frozen = gc.get_freeze_count()
        with collector.few_collections():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_the_default_limits_admit_a_hundred_thousand_unknowns() -> None:
    from jaccli.parse import DEFAULT_LIMITS

    texts, _ = workloads.bratu(100_000)
    text = "\n".join(texts)
    assert len(text) < DEFAULT_LIMITS.input and DEFAULT_LIMITS.tokens > 1_800_000


class _Recorded:
    """An expression that records the size of every substitution it is given."""

    def __init__(self, expr: Any, sizes: list[int]) -> None:
        self.expr, self.sizes = expr, sizes
        self.free_symbols = expr.free_symbols

    def subs(self, values: dict[Any, Any]) -> Any:
        self.sizes.append(len(values))
        return self.expr.subs(values)


def test_a_point_puts_into_each_row_only_its_own_symbols() -> None:
    from jaccli.engine.point import _Substitution

    n = 10_000
    read = _read(*workloads.bratu(n))
    assert read.variables is not None
    point = {v: se.Rational(1, i + 2) for i, v in enumerate(read.variables)}
    point |= {se.Symbol("h"): se.Rational(1, 10), se.Symbol("lam"): se.Integer(1)}
    subs = _Substitution(point)
    sizes: list[int] = []
    values = [subs(_Recorded(f, sizes)) for f in read.functions]
    assert len(sizes) == n and max(sizes) == 5  # u(i-1), u(i), u(i+1), h, lam: not 10^4
    for i in range(0, n, 997):  # the same values as the whole point gives
        assert values[i] == read.functions[i].subs(point)


def test_a_point_with_declared_functions_is_put_in_until_nothing_changes() -> None:
    from jaccli.engine.point import _Substitution

    x = se.Symbol("x")
    g, h = se.Function("g"), se.Function("h")
    subs = _Substitution({x: se.Integer(0), h(se.Integer(0)): se.Integer(1), g(1): 3})
    assert subs(g(h(x)) + x) == 3
