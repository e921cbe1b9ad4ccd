"""Lines read as a renaming of a line read before (jaccli.parse.stencil) give the values,
token counts and warnings reading each line itself gives, printed the same."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jaccli import problem
from jaccli.errors import JacError
from jaccli.parse import DEFAULT_LIMITS
from jaccli.parse.fast import FastReader

# Skeletons with slots {0}, {1}, ... for names; the names put there are symbols, calls,
# constants and variables named like functions, so some lines rename and some must not.
SKELETONS = [
    "{0} - 2*{1} + {2} + h^2*lam*exp({1})",
    "{0}*{1}^2 - {2}/({0} + 1)",
    "sin({0})*cos({1}) + {0}^3, {1} - {0}",
    "({0} - {1})^2 + ({1} - {0})^2",
    "-{0}*(-{1} + {2})",
    "{0}/{1} - {1}/{0}",
    "tanh({0} + 2*{1}) - 1/({2} - {0})",
    "{0}({1})",
]
NAMES = ["x", "y", "z", "u1", "u2", "u10", "h", "lam", "exp", "sin", "pi", "e", "k_2", "xy"]


def _read(lines: list[str], variables: tuple[str, ...], stencils: bool) -> list[object]:
    reader = FastReader(variables, DEFAULT_LIMITS)
    if not stencils:
        reader.stencils.known = None
    out: list[object] = []
    for line in lines:
        done = reader.line(line)
        out.append(None if done is None else (done.tokens, [str(v) for v in done.values]))
    return out


def _lines(draw: random.Random, count: int) -> list[str]:
    lines = []
    for _ in range(count):
        skeleton = draw.choice(SKELETONS)
        lines.append(skeleton.format(*(draw.choice(NAMES) for _ in range(3))))
    return lines


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 10**9), declared=st.sampled_from([(), ("x", "y"), ("exp", "pi")]))
def test_renamed_lines_read_as_reading_them_does(seed: int, declared: tuple[str, ...]) -> None:
    lines = _lines(random.Random(seed), 40)
    assert _read(lines, declared, True) == _read(lines, declared, False)


@pytest.mark.parametrize("n", [3, 200])
def test_a_stencil_gives_the_problem_reading_each_line_gives(n: int) -> None:
    lines = [f"u{i - 1} - 2*u{i} + u{i + 1} + h^2*lam*exp(u{i})" for i in range(1, n + 1)]
    names = [f"u{i}" for i in range(n + 2)] + ["sinh"]
    read = problem.read("\n".join([*lines, "xy*x + y"]), names)
    reader = FastReader(names, DEFAULT_LIMITS)
    assert reader.stencils.known is not None
    for line in lines[:3]:
        reader.line(line)
    assert reader.stencils.hits == 2  # the second and third lines are renamings
    direct = [v for line in [*lines, "xy*x + y"] for v in _direct(line, names)]
    assert [str(f) for f in read.functions] == [str(v) for v in direct]
    assert [w for w in read.warnings if "depends" in w] == [
        "no function depends on sinh: its column is 0 (a typo?)"
    ]


def _direct(line: str, names: list[str]) -> list[object]:
    reader = FastReader(names, DEFAULT_LIMITS)
    reader.stencils.known = None
    done = reader.line(line)
    assert done is not None
    return done.values


def test_lines_without_repetition_stop_being_looked_up() -> None:
    reader = FastReader((), DEFAULT_LIMITS)
    for i in range(100):
        reader.line(f"{i}*x + {i + 1}*y")
    assert reader.stencils.known is None


def _rows(sparse: object) -> list[list[tuple[int, str]]]:
    return [[(j, str(e)) for j, e in row] for row in sparse.rows]  # type: ignore[attr-defined]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**9), variables=st.sampled_from([("x", "y"), ("x", "u1", "u2", "z")]))
def test_rows_renamed_from_an_earlier_row_are_the_rows_differentiating_gives(
    seed: int, variables: tuple[str, ...]
) -> None:
    """A renaming that makes a parameter of a variable (or a variable of a parameter) falls
    back to differentiating the row; every other one renames the earlier row's entries."""
    from jaccli.engine.derivatives import differentiate
    from jaccli.parse.stencil import Renamed

    lines = [line for line in _lines(random.Random(seed), 30) if _readable(line, variables)]
    read = problem.read("\n".join(lines), variables)
    assert isinstance(read.functions, Renamed)
    assert read.variables is not None
    renamed = differentiate(read.functions, read.variables)
    direct = differentiate(tuple(read.functions), read.variables, templates=False)
    assert _rows(renamed) == _rows(direct)


def _readable(line: str, variables: tuple[str, ...]) -> bool:
    """Whether jac reads the line (not 1/(x - x), nor x(y) with x a variable)."""
    try:
        problem.read(line, variables)
    except JacError:
        return False
    return True


def test_bratu_rows_are_renamed_and_print_as_differentiating_each_row() -> None:
    from jaccli.engine.derivatives import differentiate

    lines = [f"u{i - 1} - 2*u{i} + u{i + 1} + h^2*lam*exp(u{i})" for i in range(1, 301)]
    read = problem.read("\n".join(lines), [f"u{i}" for i in range(302)])
    assert read.variables is not None
    assert sum(r is not None for r in read.functions.renamings) == 299  # type: ignore[attr-defined]
    renamed = differentiate(read.functions, read.variables)
    direct = differentiate(tuple(read.functions), read.variables, templates=False)
    assert _rows(renamed) == _rows(direct)


def test_components_read_as_renamings_pickle_and_copy_as_a_tuple() -> None:
    import copy
    import pickle

    read = problem.read("\n".join(f"u{i}*u{i + 1} + exp(u{i})" for i in range(5)), None)
    assert any(r is not None for r in read.functions.renamings)  # type: ignore[attr-defined]
    for again in (pickle.loads(pickle.dumps(read)).functions, copy.deepcopy(read.functions)):
        assert type(again) is tuple and again == read.functions
