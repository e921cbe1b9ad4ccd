"""Rows renamed from an earlier component (jaccli.engine.renamed) decide as the earlier
text test did, and the names typed that the fast reading collects are typed_names'."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, NamedTuple

import symengine as se
from hypothesis import given, settings
from hypothesis import strategies as st

from jaccli import problem
from jaccli.engine.derivatives import _NAME, printed_form
from jaccli.engine.renamed import prints_renamed
from jaccli.errors import JacError
from jaccli.parse import DEFAULT_LIMITS, read_and_build, typed_names
from jaccli.parse.stencil import Renamed

SKELETONS = [
    "{0} - 2*{1} + {2} + h^2*lam*exp({1})",
    "{0}*{1}^2 - {2}/({0} + 1)",
    "sin({0})*cos({1}) + {0}^3, {1} - {0}",
    "tanh({0} + 2*{1}) - 1/({2} - {0})",
    "-{0}*(-{1} + {2})",
    "({0} - {1})^2 + atan2({1}, {2}) + 2.5e-3*{0}",
    "{0}({1})",
    "sinx*{0} + xy*{1} + {2}",
]
NAMES = ["x", "y", "z", "u1", "u2", "u9", "u10", "a", "k", "h", "lam", "exp", "sin", "pi"]
NAMES += ["e", "E", "I", "k_2", "xy", "zz9", "B"]


class Printed(NamedTuple):
    """How an expression prints: its text with the names blanked, and the names in order."""

    skeleton: str
    names: tuple[Any, ...]  # as symbols, to be renamed


def printed(expr: Any) -> Printed:
    text = str(expr)
    return Printed(_NAME.sub("#", text), tuple(se.Symbol(n) for n in _NAME.findall(text)))


def printed_alike(template: Printed, f: Any, rename: Mapping[Any, Any]) -> bool:
    """Whether f prints as the template does with its names renamed: equal as
    expressions is not enough, since SymEngine orients a renamed expression by its new
    symbols (tanh(k - u) may become -tanh(-k + u)) and then differentiates it to another,
    equal form. The reference for derivatives.printed_form."""
    text = str(f)
    if _NAME.sub("#", text) != template.skeleton:
        return False
    return _NAME.findall(text) == [str(rename.get(s, s)) for s in template.names]


def _expression(seed: int) -> object | None:
    draw = random.Random(seed)
    line = draw.choice(SKELETONS).format(*(draw.choice(NAMES) for _ in range(3)))
    try:
        return problem.read(line, None).functions[0]
    except JacError:
        return None


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 10**9), targets=st.lists(st.sampled_from(NAMES), min_size=6))
def test_the_format_test_is_the_text_test(seed: int, targets: list[str]) -> None:
    """`prints_renamed` says what `_printed_alike` says, for renamings that reorient
    (tanh(k - u) against tanh(u - k)), merge names or keep them."""
    import symengine as se

    template = _expression(seed)
    if template is None:
        return
    symbols = sorted(template.free_symbols, key=str)  # type: ignore[attr-defined]
    rename = {s: se.Symbol(t) for s, t in zip(symbols, targets, strict=False) if str(s) != t}
    changed = {str(s): str(t) for s, t in rename.items()}
    f = template.xreplace(rename)  # type: ignore[attr-defined]
    form, names = printed_form(str(template))
    assert prints_renamed(f, form, names, changed) == printed_alike(printed(template), f, rename)
    assert prints_renamed(template, form, names, {})


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 10**9),
    targets=st.lists(st.sampled_from([*NAMES, "a b", "x1y", "_q", "zz", "2u"]), min_size=6),
)
def test_the_template_test_is_the_text_test(seed: int, targets: list[str]) -> None:
    """`_prints_as` (Templates' rows, renamed symbol by symbol) says what `_printed_alike`
    says, also for symbols no jac input names (`a b`, `2u`)."""
    import symengine as se

    from jaccli.engine.derivatives import _prints_as, _Template

    template = _expression(seed)
    if template is None:
        return
    symbols = sorted(template.free_symbols, key=str)  # type: ignore[attr-defined]
    new = [se.Symbol(t) for t in targets[: len(symbols)]]
    if len(new) < len(symbols):
        return
    rename = dict(zip(symbols, new, strict=True))
    f = template.xreplace(rename)  # type: ignore[attr-defined]
    boxed = _Template(template, symbols, str(template))
    assert _prints_as(boxed, str(f), new) == printed_alike(printed(template), f, rename)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**9), declared=st.sampled_from([(), ("x", "y"), ("exp", "pi")]))
def test_the_names_typed_found_while_reading_are_typed_names(
    seed: int, declared: tuple[str, ...]
) -> None:
    """Names like sinx and xy warn with the same line and column either way."""
    draw = random.Random(seed)
    fast = [s for s in SKELETONS if "." not in s]  # decimals are the reference's
    names = [n for n in NAMES if n not in ("exp", "sin", "pi", "e", "E", "I")] + ["cosy", "xyz"]
    lines = [draw.choice(fast).format(*(draw.choice(names) for _ in range(3))) for _ in range(12)]
    lines = [line for line in lines if _readable(line, declared)]
    if not lines:
        return
    parsed, built = read_and_build(["\n".join(lines)], declared, None, DEFAULT_LIMITS)
    if isinstance(built, Renamed) and built.typed is not None:
        assert list(built.typed.items()) == list(typed_names(parsed).items())


def _readable(line: str, variables: tuple[str, ...]) -> bool:
    try:
        problem.read(line, variables or None)
    except JacError:
        return False
    return True


def test_bratu_collects_its_names_while_reading() -> None:
    lines = [f"u{i - 1} - 2*u{i} + u{i + 1} + h^2*lam*exp(u{i})" for i in range(1, 50)]
    names = [f"u{i}" for i in range(51)]
    parsed, built = read_and_build(["\n".join(lines)], names, None, DEFAULT_LIMITS)
    assert isinstance(built, Renamed) and built.typed is not None
    assert list(built.typed.items()) == list(typed_names(parsed).items())
    assert built.take_typed() is not None and built.typed is None  # not kept with F


def test_rows_of_numbers_only_and_of_one_moving_entry_are_renamed_as_differentiated() -> None:
    """Entries without symbols are every row's; one moving entry is renamed alone."""
    from jaccli.engine.derivatives import differentiate

    for stencil in ("u{0} - 2*u{1} + u{2}", "u{0} - 2*u{1} + u{2} + exp(u{1})", "u{0}*u{1}"):
        lines = [stencil.format(i - 1, i, i + 1) for i in range(1, 40)]
        read = problem.read("\n".join(lines), [f"u{i}" for i in range(41)])
        assert read.variables is not None
        assert sum(r is not None for r in read.functions.renamings) == 38  # type: ignore[attr-defined]
        renamed = differentiate(read.functions, read.variables)
        direct = differentiate(tuple(read.functions), read.variables, templates=False)
        assert [[(j, str(e)) for j, e in row] for row in renamed.rows] == [
            [(j, str(e)) for j, e in row] for row in direct.rows
        ]
