"""jac sparsity: the pattern against J's non-zeros at random points, the colourings against
J rebuilt from the compressed products, the structural rank against SciPy's, the bandwidth
against its definition, and the command in every format.

Numbers come from NumPy evaluating F itself (SymPy's lambdify of what jac read): J by
central differences, and J·v for a colour's seed v by one central difference along v, as a
user of the colouring would get it from forward-mode AD.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import jaccli
from jaccli import engine
from jaccli.engine.sparsity import bandwidth, coloring, structural_rank, transposed
from jaccli.problem import read
from jaccli.render.spy import Spy, block_size, counts, shade
from tests.test_readback import exact

np = pytest.importorskip("numpy")

H = 1e-6


def bratu(n: int) -> tuple[str, str]:
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    import workloads

    texts, names = workloads.bratu(n)
    return "\n".join(texts), ",".join(names)


def random_system(rng: random.Random, m: int, n: int) -> tuple[list[str], list[str]]:
    """m components in n variables, each with a few random terms: sparse, non-linear, and
    with a cancelling pair now and then (sin(x)^2 + cos(x)^2, whose derivative is 0)."""
    names = [f"x{j}" for j in range(n)]
    texts = []
    for _ in range(m):
        chosen = rng.sample(names, rng.randint(1, min(3, n)))
        terms = []
        for k, v in enumerate(chosen):
            w = chosen[(k + 1) % len(chosen)]
            terms.append(
                rng.choice(
                    [f"{rng.randint(2, 5)}*{v}", f"sin({v})", f"{v}*{w}", f"exp({v}/3)", f"{v}^2"]
                )
            )
        if rng.random() < 0.3:
            terms.append(f"sin({rng.choice(names)})^2 + cos({rng.choice(names)})^2")
        texts.append(" + ".join(terms))
    return texts, names


def numeric(functions: Sequence[Any], variables: Sequence[Any]) -> Any:
    """F as a NumPy function of a vector of the variables' values."""
    f = sympy.lambdify([[exact(v) for v in variables]], [exact(e) for e in functions], "numpy")
    return lambda x: np.array(f(list(x)), dtype=float)


def jacobian_fd(f: Any, x: Any) -> Any:
    columns = [(f(x + H * e) - f(x - H * e)) / (2 * H) for e in np.eye(len(x))]
    return np.array(columns).T


def pattern_set(result: Any) -> set[tuple[int, int]]:
    return {(i, j) for i, row in enumerate(result.pattern.rows) for j, _ in row}


def analysed(texts: Sequence[str], names: Sequence[str]) -> tuple[Any, Any]:
    problem = read("\n".join(texts).split("\n"), ",".join(names))
    return problem, engine.sparsity(problem.functions, problem.variables)


@pytest.mark.parametrize("seed", range(8))
def test_pattern_is_the_non_zeros_of_j(seed: int) -> None:
    rng = random.Random(seed)
    m, n = rng.randint(1, 12), rng.randint(1, 12)
    texts, names = random_system(rng, m, n)
    problem, result = analysed(texts, names)
    found = pattern_set(result)
    # Exactly the entries jac jacobian writes as not 0 ...
    j = engine.jacobian(problem.functions, problem.variables)
    assert found == {(i, c) for i, row in enumerate(j.sparse.rows) for c, _ in row}
    # ... and those are the entries not 0 at random points (generic points: none vanishes).
    f = numeric(problem.functions, problem.variables)
    values = [jacobian_fd(f, np.array([rng.uniform(0.3, 1.7) for _ in names])) for _ in range(2)]
    seen = {(i, c) for v in values for i, c in zip(*np.nonzero(np.abs(v) > 1e-7), strict=True)}
    assert found == seen
    assert result.nnz == len(found)


def test_an_entry_that_cancels_is_not_in_the_pattern() -> None:
    result = jaccli.sparsity("sin(x)^2 + cos(x)^2 + y, x*y", vars="x,y")
    assert pattern_set(result) == {(0, 1), (1, 0), (1, 1)}


@pytest.mark.parametrize("seed", range(8))
def test_compressed_products_recover_j(seed: int) -> None:
    rng = random.Random(100 + seed)
    m, n = rng.randint(2, 14), rng.randint(2, 14)
    texts, names = random_system(rng, m, n)
    problem, result = analysed(texts, names)
    f = numeric(problem.functions, problem.variables)
    x = np.array([rng.uniform(0.3, 1.7) for _ in names])
    full = jacobian_fd(f, x)
    by_row = [[c for c, _ in row] for row in result.pattern.rows]
    # Columns: no two of a colour share a row, and one JVP per colour gives them all.
    colors = result.column_colors
    for row in by_row:
        assert len({colors[c] for c in row}) == len(row)
    rebuilt = np.zeros((m, n))
    for color in set(colors):
        seed_v = np.array([1.0 if colors[c] == color else 0.0 for c in range(n)])
        jvp = (f(x + H * seed_v) - f(x - H * seed_v)) / (2 * H)
        for i, row in enumerate(by_row):
            for c in row:
                if colors[c] == color:
                    rebuilt[i, c] = jvp[i]
    assert np.allclose(rebuilt, full, rtol=1e-6, atol=1e-6)
    # Rows: the same with VJPs uᵀJ, u = 1 on the rows of a colour.
    rows_colors = result.row_colors
    for column in transposed(by_row, n):
        assert len({rows_colors[i] for i in column}) == len(column)
    rebuilt = np.zeros((m, n))
    for color in set(rows_colors):
        u = np.array([1.0 if rows_colors[i] == color else 0.0 for i in range(m)])
        vjp = u @ full
        for i, row in enumerate(by_row):
            if rows_colors[i] == color:
                rebuilt[i, row] = vjp[row]
    assert np.allclose(rebuilt, full, rtol=1e-6, atol=1e-6)
    assert result.values[5].value == len({colors[c] for row in by_row for c in row})


patterns = st.integers(1, 14).flatmap(
    lambda n: st.lists(
        st.lists(st.integers(0, n - 1), max_size=n, unique=True).map(sorted), min_size=1
    ).map(lambda rows: (rows, n))
)


@given(patterns)
def test_structural_rank_is_scipys(pattern: tuple[list[list[int]], int]) -> None:
    csgraph = pytest.importorskip("scipy.sparse.csgraph")
    scipy_sparse = pytest.importorskip("scipy.sparse")
    rows, n = pattern
    dense = np.zeros((len(rows), n))
    for i, row in enumerate(rows):
        dense[i, row] = 1
    expected = csgraph.structural_rank(scipy_sparse.csr_matrix(dense))
    assert structural_rank(rows, n) == expected


def test_structural_rank_of_a_big_system_is_scipys() -> None:
    csgraph = pytest.importorskip("scipy.sparse.csgraph")
    scipy_sparse = pytest.importorskip("scipy.sparse")
    rng = random.Random(7)
    m, n = 600, 500
    rows = [sorted(rng.sample(range(n), rng.randint(0, 3))) for _ in range(m)]
    dense = np.zeros((m, n))
    for i, row in enumerate(rows):
        dense[i, row] = 1
    assert structural_rank(rows, n) == csgraph.structural_rank(scipy_sparse.csr_matrix(dense))


@given(patterns)
def test_bandwidth_and_colourings_by_definition(pattern: tuple[list[list[int]], int]) -> None:
    rows, n = pattern
    cells = [(i, j) for i, row in enumerate(rows) for j in row]
    lower, upper = bandwidth(rows)
    assert lower == max([0, *(i - j for i, j in cells)])
    assert upper == max([0, *(j - i for i, j in cells)])
    columns = transposed(rows, n)
    colors = coloring(columns, rows)
    for row in rows:  # two columns sharing a row never share a colour
        assert len({colors[j] for j in row}) == len(row)
    longest = max(map(len, rows), default=0)
    assert max(colors, default=-1) + 1 >= longest  # a row's columns all differ
    assert sorted(set(colors)) == list(range(len(set(colors))))  # numbered from 0, no gap


def test_bratu_is_tridiagonal_with_3_colours() -> None:
    text, names = bratu(60)
    result = jaccli.sparsity(text.split("\n"), vars=names)
    assert result.pattern.shape == (60, 60)
    assert result.nnz == 3 * 60 - 2
    assert result.bandwidth == (1, 1)
    assert result.structural_rank == 60
    assert len(set(result.column_colors)) == 3 == len(set(result.row_colors))
    assert result.column_colors[:6] == (0, 1, 2, 0, 1, 2)
    assert "J from 3 JVPs instead of 60" in result.notes[0]
    assert "3 is the fewest possible" in result.notes[0]


def test_structural_rank_deficiency_is_said() -> None:
    # x and y appear only in f1: no matching gives all three rows a column of their own.
    result = jaccli.sparsity("x*y*z, z^2, sin(z)", vars="x,y,z")
    assert result.structural_rank == 2
    assert any("singular at every point" in note for note in result.notes)


def test_dense_and_empty() -> None:
    dense = jaccli.sparsity("x*y*z, x+y+z", vars="x,y,z")
    assert dense.column_colors == (0, 1, 2)
    assert "every two columns share a row" in dense.notes[0]
    with pytest.warns(jaccli.JacWarning):
        empty = jaccli.sparsity("1, 2", vars="x")
    assert empty.nnz == 0 and empty.structural_rank == 0
    assert empty.notes[0] == "J is 0: no JVP is needed"


def test_vector_syntax() -> None:
    result = jaccli.sparsity("tanh(W*x + b)", vars="x", shape="W=3x2,x=2,b=3")
    assert result.pattern.shape == (3, 2) and result.nnz == 6 and result.column_colors == (0, 1)


# --------------------------------------------------------------------------- the picture


def test_spy_one_cell_per_entry_and_blocks() -> None:
    assert block_size((10, 10), 80) == 1
    assert block_size((2000, 2000), 80) == 53  # 38 blocks a side: 76 characters + frame
    assert counts([[0, 1], [1], [2, 3]], (3, 4), 2) == [[3, 0], [0, 2]]
    assert shade(0, 4) == " " and shade(1, 4) == "░" and shade(3, 4) == "▓" and shade(4, 4) == "█"


def render_table(result: Any, width: int) -> str:
    import io

    from rich.console import Console

    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(Spy(result.pattern, result.column_colors))
    return console.export_text()


def test_spy_fits_the_width() -> None:
    text, names = bratu(300)
    big = jaccli.sparsity(text.split("\n"), vars=names)
    picture = render_table(big, 60)
    assert max(map(len, picture.splitlines())) <= 60
    assert "each ██ is" in picture and "░" in picture
    small = jaccli.sparsity("x*y, y+z, z^2", vars="x,y,z")
    assert "│ ● ● ·" in render_table(small, 60)


# --------------------------------------------------------------------------- the command


SMALL = ["x*y, y+z, z^2, exp(w)", "--vars", "x,y,z,w"]


def test_plain_lists_the_entries(jac: Any) -> None:
    run = jac(["sparsity", *SMALL, "--format", "plain"])
    assert run.code == 0
    lines = [tuple(int(c) for c in line.split("\t")) for line in run.stdout.splitlines()]
    assert lines == [(1, 1), (1, 2), (2, 2), (2, 3), (3, 3), (4, 4)]


def test_json_pattern_and_colours(jac: Any) -> None:
    run = jac(["sparsity", *SMALL, "--format", "json"])  # the fixture checks the schema
    data = run.json()
    result = jaccli.sparsity(SMALL[0], vars=SMALL[2])
    assert {(i - 1, j - 1) for i, j in data["pattern"]} == pattern_set(result)
    assert data["column_colors"] == [c + 1 for c in result.column_colors]
    assert data["row_colors"] == [c + 1 for c in result.row_colors]
    assert (data["nnz"], data["structural_rank"], data["jvps"], data["vjps"]) == (6, 4, 2, 2)
    assert data["density"] == 0.375
    assert jac(["sparsity", *SMALL, "--format", "jsonl"]).code == 0


def test_latex_draws_small_patterns_only(jac: Any) -> None:
    run = jac(["sparsity", *SMALL, "--format", "latex"])
    assert run.stdout.count("\\bullet") == 6 and run.stdout.count("\\cdot") == 10
    assert "\\operatorname{nnz} J = 6" in run.stdout
    text, names = bratu(40)
    big = jac(["sparsity", "-", "--vars", names, "--format", "latex"], input=text)
    assert "\\bullet" not in big.stdout and "is drawn up to 30x30" in big.stdout


def test_table(jac: Any) -> None:
    run = jac(["sparsity", *SMALL, "--format", "table"])
    assert "structural rank = 4" in run.stdout and "● ● · ·" in run.stdout
    assert "J from 2 JVPs instead of 4" in run.stdout


def test_plot(jac: Any, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "pattern.svg"
    run = jac(["sparsity", *SMALL, "--plot", str(path), "--format", "json"])
    assert run.code == 0, run.stderr
    assert path.read_text().startswith("<?xml")
    json.loads(run.stdout)
