"""--sparse and --format mtx, read back as mathematics (issue 16).

Every sparse output is read back the way its users read it and compared with the dense
output or with finite differences at random points: plain lines and JSON entries through
jac's parser, numeric Matrix Market through scipy.io.mmread, symbolic Matrix Market
through jac's parser, LaTeX through latex2sympy (tests/test_readback.py's independent
reader). Golden files pin the layout only. And the cost: no sparse writer may build a
dense row (Sparse.filled / Sparse.dense are made to raise).
"""

from __future__ import annotations

import io
import json
import random
import re
from collections.abc import Callable
from typing import Any

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from jaccli import api, engine
from jaccli.engine import Sparse
from jaccli.parse import make_symbol, parse_functions
from jaccli.render import Format, LatexStyle, RenderOptions, render
from tests.conftest import dense_view, read_back, validate_schema
from tests.numeric import assert_matches_fd, at, close, random_point, sp
from tests.test_readback import compare, exact, read_latex
from tests.test_render import as_text, check_golden

F3 = "x^2*y + sin(z), 0, x*z - exp(y)/3"
XYZ = ["--vars", "x,y,z"]

# (command line without --format, names of its symbols): every command with a matrix.
COMMANDS = {
    "jacobian": ["jacobian", F3, *XYZ],
    "eval": ["eval", F3, *XYZ, "--at", "x=1/3,y=2,z=-1"],
    "eval_digits": ["eval", F3, *XYZ, "--at", "x=1/3,y=2,z=-1", "--digits", "6"],
    "linearize": ["linearize", F3, *XYZ, "--at", "x=1,y=2,z=-1"],
    "hessian": ["hessian", "x^2*y + sin(z), x*z", *XYZ],
    "grad": ["grad", "x^2*y + sin(z)", *XYZ],
    "jvp": ["jvp", F3, *XYZ, "--dir", "1,0,2"],
    "vjp": ["vjp", F3, *XYZ, "--cot", "1,2,3"],
    "grad_at": ["grad", "x^2*y + sin(z)", *XYZ, "--at", "x=1,y=2,z=3"],
}


def plain_entries(text: str) -> dict[tuple[int, int], str]:
    """`i<TAB>j<TAB>entry` lines as {(i, j): entry}; each (i, j) once, in row-major order."""
    out: dict[tuple[int, int], str] = {}
    for line in text.splitlines():
        i, j, entry = line.split("\t")
        out[int(i), int(j)] = entry
    assert list(out) == sorted(out), "entries are row by row, columns in order"
    return out


def dense_entries(text: str) -> dict[tuple[int, int], str]:
    """Dense plain rows as {(i, j): entry} for the entries that are not written 0."""
    rows = [line.split("\t") for line in text.splitlines()]
    return {(i, j): e for i, row in enumerate(rows, 1) for j, e in enumerate(row, 1) if e != "0"}


def assert_same(expected: list[Any], got: list[Any], rng: random.Random | None = None) -> None:
    """Each pair of expressions agrees at 3 random points."""
    wanted, read = [sp(e) for e in expected], [sp(e) for e in got]
    symbols: set[Any] = set()
    for e in [*wanted, *read]:
        symbols |= e.free_symbols
    rng = rng or random.Random(16)
    for _ in range(3):
        point = random_point(sorted(symbols, key=str), rng)
        for e, g in zip(wanted, read, strict=True):
            assert close(at(e, point), at(g, point)), (e, g, point)


def assert_entries_agree(
    dense: dict[tuple[int, int], str], sparse: dict[tuple[int, int], str], names: list[str]
) -> None:
    assert set(sparse) == set(dense), (sparse, dense)
    keys = sorted(dense)
    assert_same(
        read_back([dense[k] for k in keys], names), read_back([sparse[k] for k in keys], names)
    )


# --------------------------------------------------------------------------- plain


@pytest.mark.parametrize("case", [c for c in COMMANDS if c != "linearize"])
def test_plain_sparse_is_the_dense_output_s_non_zeros(jac: Any, case: str) -> None:
    args = [*COMMANDS[case], "--format", "plain"]
    dense, sparse = jac(args), jac([*args, "--sparse"])
    assert dense.code == sparse.code == 0, sparse.stderr
    blocks, sparse_blocks = dense.stdout.split("\n\n"), sparse.stdout.split("\n\n")
    assert len(blocks) == len(sparse_blocks)  # a Hessian per component, a blank line between
    for block, sparse_block in zip(blocks, sparse_blocks, strict=True):
        assert_entries_agree(dense_entries(block), plain_entries(sparse_block), ["x", "y", "z"])


_TERMS = st.sampled_from(["x{}", "x{}^2", "sin(x{})", "exp(x{})*x{}", "3", "x{}*x{}"])


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(_TERMS, st.integers(0, 7), st.integers(0, 7)), max_size=3),
        min_size=1,
        max_size=6,
    )
)
def test_sparse_plain_and_mtx_hold_the_dense_non_zeros(rows: list[Any]) -> None:
    """Random mostly-zero systems: the same entries, as text, in plain, JSON and mtx."""
    functions = [" + ".join(t.format(i, j) for t, i, j in row) if row else "0" for row in rows]
    names = [f"x{k}" for k in range(8)]
    result = engine.jacobian(parse_functions(functions, names), [make_symbol(n) for n in names])
    dense = dense_entries(str(render(result, Format.plain)))
    assert plain_entries(str(render(result, Format.plain, RenderOptions(sparse=True)))) == dense
    data = json.loads(str(render(result, Format.json, RenderOptions(sparse=True))))
    assert {(i, j): e for i, j, e in data["entries"]} == dense and data["nnz"] == len(dense)
    field, shape, found = _mtx_entries(str(render(result, Format.mtx)))
    assert shape == (len(rows), 8)
    if field == "symbolic":
        assert found == dense
    else:
        matrix = _scipy(str(render(result, Format.mtx))).toarray()
        assert {(i + 1, j + 1) for i, j in zip(*matrix.nonzero(), strict=True)} == set(dense)


def test_plain_sparse_entries_match_finite_differences(jac: Any) -> None:
    run = jac(["jacobian", F3, *XYZ, "--sparse", "--format", "plain"])
    matrix = [["0"] * 3 for _ in range(3)]
    for (i, j), entry in plain_entries(run.stdout).items():
        matrix[i - 1][j - 1] = entry
    names = ["x", "y", "z"]
    functions = read_back([f.strip() for f in F3.split(",")], names)
    read = [read_back(row, names) for row in matrix]
    assert_matches_fd(functions, [make_symbol(n) for n in names], read)


def test_linearize_plain_is_unchanged_it_has_no_matrix(jac: Any) -> None:
    args = [*COMMANDS["linearize"], "--format", "plain"]
    assert jac(args).stdout == jac([*args, "--sparse"]).stdout


def test_an_all_zero_matrix_writes_no_entries(jac: Any) -> None:
    run = jac(["jacobian", "a, 3", "--vars", "x,y", "--sparse", "--format", "plain"])
    assert run.code == 0 and run.stdout.strip() == ""
    data = jac(["jacobian", "a, 3", "--vars", "x,y", "--sparse", "--format", "json"]).json()
    assert (data["shape"], data["nnz"], data["entries"]) == ([2, 2], 0, [])
    mtx = jac(["jacobian", "a, 3", "--vars", "x,y", "--format", "mtx"]).stdout
    assert _scipy(mtx).shape == (2, 2) and _scipy(mtx).nnz == 0


def test_one_by_one(jac: Any) -> None:
    assert jac(["jacobian", "x^3", "--vars", "x", "--sparse", "--format", "plain"]).stdout == (
        "1\t1\t3*x**2\n"
    )
    mtx = jac(["eval", "x^3", "--vars", "x", "--at", "x=1/2", "--format", "mtx"]).stdout
    assert _scipy(mtx).toarray().tolist() == [[0.75]]


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("case", COMMANDS)
def test_json_sparse_is_the_dense_json_s_non_zeros(jac: Any, case: str) -> None:
    """The `jac` fixture validates the sparse schema and checks J against finite
    differences; here every matrix equals the dense output's, and values equal entries."""
    args = [*COMMANDS[case], "--format", "json"]
    dense, sparse = jac(args).json(), jac([*args, "--sparse"]).json()
    assert sparse["sparse"] is True and "sparse" not in dense
    as_dense = dense_view(sparse)
    names = dense["variables"]
    pairs = (
        [(dense["jacobian"], as_dense["jacobian"], sparse)]
        if "matrices" not in dense
        else list(
            zip(
                [p["entries"] for p in dense["matrices"]],
                [p["entries"] for p in as_dense["matrices"]],
                sparse["matrices"],
                strict=True,
            )
        )
    )
    for rows, sparse_rows, matrix in pairs:
        assert matrix["nnz"] == len(matrix["entries"])
        nonzero = {
            (i, j) for i, row in enumerate(rows, 1) for j, e in enumerate(row, 1) if e != "0"
        }
        assert {(i, j) for i, j, _ in matrix["entries"]} == nonzero
        assert_same(
            read_back([e for row in rows for e in row], names),
            read_back([e for row in sparse_rows for e in row], names),
        )
        for (i, j, entry), (vi, vj, v) in zip(
            matrix["entries"], matrix.get("values", []), strict=False
        ):
            assert (vi, vj) == (i, j) and close(complex(sympy.sympify(entry)), v, 1e-5)
    if "values" in dense:  # the dense numbers, from the check over the non-zeros only
        full = [[0.0] * len(names) for _ in dense["values"]]
        for i, j, v in sparse["values"]:
            full[i - 1][j - 1] = v
        assert full == dense["values"]


def test_jsonl_sparse_is_one_line(jac: Any) -> None:
    run = jac([*COMMANDS["eval"], "--sparse", "--format", "jsonl"])
    (line,) = run.stdout.splitlines()
    assert json.loads(line)["nnz"] == 6


# --------------------------------------------------------------------------- Matrix Market


def _scipy(text: str) -> Any:
    import scipy.io

    return scipy.io.mmread(io.BytesIO(text.encode()), spmatrix=False)  # a sparse array


def _documents(text: str) -> list[str]:
    return ["%%MatrixMarket" + d for d in text.split("%%MatrixMarket")[1:]]


def _mtx_entries(text: str) -> tuple[str, tuple[int, int], dict[tuple[int, int], str]]:
    """The field, the shape and {(i, j): entry text} of one Matrix Market document."""
    lines = text.rstrip("\n").split("\n")
    banner = lines[0].split()
    assert banner[:4] == ["%%MatrixMarket", "matrix", "coordinate", *banner[3:4]]
    assert banner[4] == "general"
    body = [line for line in lines[1:] if not line.startswith("%")]
    m, n, k = map(int, body[0].split())
    out = {}
    for line in body[1:]:
        i, j, entry = line.split(" ", 2)
        out[int(i), int(j)] = entry
    assert len(out) == k
    return banner[3], (m, n), out


@pytest.mark.parametrize(("at", "field"), [("x=1,y=2,z=0", "integer"), ("x=1/3,y=2,z=-1", "real")])
def test_numeric_mtx_reads_back_with_scipy(jac: Any, at: str, field: str) -> None:
    args = ["eval", "x^2*y + sin(z), 0, x*z - 3*y", *XYZ, "--at", at]
    text = jac([*args, "--format", "mtx"]).stdout
    assert text.startswith(f"%%MatrixMarket matrix coordinate {field} general\n")
    assert f"% at {at.replace(',', ', ').replace('=', ' = ')}" in text
    values = jac([*args, "--format", "json"]).json()["values"]
    read = _scipy(text)
    assert read.shape == (3, 3) and read.nnz == sum(v != 0 for row in values for v in row)
    assert read.toarray().tolist() == values  # repr(float): every bit


def test_mtx_with_digits_is_rounded(jac: Any) -> None:
    args = ["eval", "exp(x)*y, x/7", "--vars", "x,y", "--at", "x=1/3,y=2"]
    text = jac([*args, "--format", "mtx", "--digits", "4"]).stdout
    assert "% values to 4 significant digits" in text
    exact_values = jac([*args, "--format", "json"]).json()["values"]
    read = _scipy(text).toarray()
    for got, want in zip(read.flat, [v for row in exact_values for v in row], strict=True):
        assert abs(got - want) <= 1e-3 * abs(want)
    (entry,) = [line for line in text.splitlines() if line.startswith("1 1 ")]
    assert entry == "1 1 2.791"  # 2 e^(1/3) to 4 digits, as every format writes it


def test_complex_mtx(jac: Any) -> None:
    args = ["jacobian", "sqrt(-2)*x, (-1)^(1/3)*y + x", "--vars", "x,y"]
    text = jac([*args, "--format", "mtx"]).stdout
    assert text.startswith("%%MatrixMarket matrix coordinate complex general\n")
    dense = jac([*args, "--format", "json"]).json()["jacobian"]
    want = [[complex(sympy.N(sp(read_back([e], ["x", "y"])[0]))) for e in row] for row in dense]
    got = _scipy(text).toarray().tolist()
    for row, want_row in zip(got, want, strict=True):
        for g, w in zip(row, want_row, strict=True):
            assert close(g, w, 1e-15)


def test_symbolic_mtx_reads_back_with_jac_and_scipy_refuses_it(jac: Any) -> None:
    text = jac(["jacobian", F3, *XYZ, "--format", "mtx"]).stdout
    field, shape, found = _mtx_entries(text)
    assert field == "symbolic" and shape == (3, 3)
    assert "% jac jacobian: J; rows f1, f2, f3, columns x, y, z" in text
    assert "scipy.io.mmread" in text  # the comment says why a numeric reader refuses it
    with pytest.raises(ValueError, match="symbolic"):
        _scipy(text)
    matrix = [["0"] * 3 for _ in range(3)]
    for (i, j), entry in found.items():
        matrix[i - 1][j - 1] = entry
    names = ["x", "y", "z"]
    functions = read_back([f.strip() for f in F3.split(",")], names)
    assert_matches_fd(
        functions, [make_symbol(n) for n in names], [read_back(r, names) for r in matrix]
    )
    sparse = plain_entries(jac(["jacobian", F3, *XYZ, "--sparse", "--format", "plain"]).stdout)
    assert found == sparse  # the same jac-syntax text as plain


def test_mtx_of_several_matrices_is_one_document_each(jac: Any) -> None:
    args = ["hessian", "x^2*y + 3*z^2, x*z", *XYZ]
    documents = _documents(jac([*args, "--format", "mtx"]).stdout)
    dense = jac([*args, "--format", "json"]).json()["matrices"]
    assert len(documents) == len(dense) == 2
    field, _, _ = _mtx_entries(documents[1])
    assert field == "integer" and "% matrix 2 of 2" in documents[1]
    assert _scipy(documents[1]).toarray().tolist() == dense[1]["values"]
    first = _mtx_entries(documents[0])[2]
    assert_entries_agree(
        {
            (i, j): e
            for i, row in enumerate(dense[0]["entries"], 1)
            for j, e in enumerate(row, 1)
            if e != "0"
        },
        first,
        ["x", "y", "z"],
    )


def test_sparsity_mtx_is_a_pattern(jac: Any) -> None:
    args = ["sparsity", F3, *XYZ]
    text = jac([*args, "--format", "mtx"]).stdout
    assert text.startswith("%%MatrixMarket matrix coordinate pattern general\n")
    pairs = {
        tuple(map(int, line.split("\t")))
        for line in jac([*args, "--format", "plain"]).stdout.splitlines()
    }
    read = _scipy(text).tocoo()
    assert {(i + 1, j + 1) for i, j in zip(read.row, read.col, strict=True)} == pairs


def test_a_result_without_a_matrix_has_no_mtx_output(jac: Any) -> None:
    run = jac(["det", "x*y, x+y", "--vars", "x,y", "--format", "mtx"])
    assert run.code == 2 and "det has no mtx output" in run.stderr


def test_a_big_mtx_header_names_rows_and_columns_by_their_ends(jac: Any) -> None:
    functions = "\n".join(f"u{i}^2*u{(i + 1) % 50}" for i in range(50))
    text = jac(["jacobian", "-", "--vars", "u0..u49", "--format", "mtx"], input=functions).stdout
    assert "% jac jacobian: J; rows f1, ..., f50 (50), columns u0, ..., u49 (50)" in text
    assert len(text.splitlines()) == 1 + 1 + 3 + 1 + 100  # banner, comments, size, entries


# --------------------------------------------------------------------------- LaTeX

_LINE = re.compile(r"(.+)_\{(\d+),(\d+)\} &= (.*)", re.DOTALL)


def latex_entries(text: str) -> list[dict[tuple[int, int], str]]:
    """Each aligned environment's `X_{i,j} &= entry` lines as {(i, j): entry}."""
    blocks = re.findall(r"\\begin\{aligned\}\n(.*?)\n\\end\{aligned\}", text, re.DOTALL)
    out = []
    for block in blocks:
        found = {}
        for line in block.split(" \\\\\n"):
            m = _LINE.fullmatch(line)
            if m:
                found[int(m.group(2)), int(m.group(3))] = m.group(4)
            else:
                assert line.startswith("\\text{at } ") or line.endswith("&= 0"), line
        out.append(found)
    return out


def _check_latex_entries(result: Any, sparse: list[Sparse], text: str) -> None:
    """Every listed entry, read by latex2sympy, equals the result's entry."""
    from tests.test_readback import symbols_of, tolerance

    blocks = latex_entries(text)
    assert len(blocks) == len(sparse)
    names = symbols_of(result)
    for found, matrix in zip(blocks, sparse, strict=True):
        want = {(i + 1, j + 1): e for i, row in enumerate(matrix.rows) for j, e in row}
        assert set(found) == set(want)
        for key, latex in found.items():
            read, env = read_latex(latex, names)
            compare([(f"{key}", exact(want[key]), read)], result, env, tolerance(result))


RESULTS: dict[str, Callable[[], Any]] = {
    "jacobian": lambda: api.jacobian(F3, "x,y,z"),
    "eval": lambda: api.evaluate(F3, "x,y,z", at="x=1/3,y=2,z=-1"),
    "eval_digits": lambda: api.evaluate(F3, "x,y,z", at="x=1/3,y=2,z=-1", digits=6),
    "linearize": lambda: api.linearize(F3, "x,y,z", at="x=1,y=2,z=-1"),
    "hessian": lambda: api.hessian("x^2*y + sin(z), x*z", "x,y,z"),
    "grad_at": lambda: api.grad("x^2*y + sin(z)", "x,y,z", at="x=1,y=2,z=3"),
}


def _matrices_of(result: Any) -> list[Sparse]:
    if isinstance(result, engine.MatricesResult):
        return [p.sparse for p in result.parts]
    return [result.sparse]


@pytest.mark.parametrize("case", RESULTS)
def test_latex_sparse_reads_back(case: str) -> None:
    result = RESULTS[case]()
    text = render(result, Format.latex, RenderOptions(sparse=True))
    assert isinstance(text, str)
    assert re.match(r"% (J|J\(a\)|H\(f1\)|∇f) is \d+x\d+ with \d+ non-zero entr", text), text
    _check_latex_entries(result, _matrices_of(result), text)


def test_latex_of_a_big_mostly_zero_jacobian_lists_its_entries() -> None:
    from tests.test_readback import check_latex

    check_latex(api.jacobian("x*y, x+y", "x,y"))  # small: the matrix, read back as before
    wide = api.jacobian([f"u{i}*u{(i + 1) % 31} - sin(u{i})" for i in range(31)], "u0..u30")
    text = render(wide, Format.latex)
    assert isinstance(text, str) and "\\begin{array}" in text  # 6% full: still a matrix
    big = api.jacobian([f"u{i}^2*u{i + 1}" for i in range(40)], [f"u{i}" for i in range(41)])
    text = render(big, Format.latex)
    assert isinstance(text, str)
    assert text.startswith("% J is 40x41 with 80 non-zero entries (4.88%); the others are 0")
    assert "\\begin{array}" not in text
    _check_latex_entries(big, [big.sparse], text)


def test_latex_bare_style_has_no_comment() -> None:
    result = RESULTS["eval"]()
    text = render(result, Format.latex, RenderOptions(sparse=True, latex_style=LatexStyle.bare))
    assert isinstance(text, str) and text.startswith("\\begin{aligned}\n\\text{at } x = ")


# --------------------------------------------------------------------------- table


def test_table_with_sparse_lists_the_entries(jac: Any) -> None:
    run = jac(["jacobian", F3, *XYZ, "--sparse", "--format", "table"])
    assert "3×3: 6 non-zero entries" in run.stdout
    assert "∂fᵢ/∂xⱼ" not in run.stdout  # no grid
    rows = [line.split("│")[1:4] for line in run.stdout.splitlines() if line.count("│") == 4]
    names = ["x", "y", "z"]
    cells = {
        (int(r.strip()[1:]), names.index(c.strip()) + 1): e.strip().replace("^", "**")
        for r, c, e in rows
    }
    dense = dense_entries(jac(["jacobian", F3, *XYZ, "--format", "plain"]).stdout)
    assert_entries_agree(dense, cells, names)


def test_a_big_mostly_zero_table_is_never_a_grid() -> None:
    result = api.jacobian([f"u{i}^2 + u{i + 1}" for i in range(200)], "u0..u200")
    text = as_text(render(result, Format.table))
    assert "Jacobian (200×201): 400 non-zero entries" in text
    assert "u0 " in text and "┃" not in text


# --------------------------------------------------------------------------- scale and cost


def test_bratu_2000_sparse_is_the_dense_output_s_non_zeros(jac: Any) -> None:
    from bench.workloads import bratu

    functions, names = bratu(2000)
    args = ["jacobian", "-", "--vars", "u0..u1999", "--format", "plain"]
    text = "\n".join(functions)
    dense, sparse = jac(args, input=text), jac([*args, "--sparse"], input=text)
    found = plain_entries(sparse.stdout)
    assert len(found) == 3 * 2000 - 2
    assert found == dense_entries(dense.stdout)  # the same text, entry by entry
    assert_same(
        read_back([found[1, 1], found[1, 2], found[2000, 1999]], [*names, "h", "lam"]),
        ["h**2*lam*exp(u0) - 2", 1, 1],
    )
    result = api.jacobian(functions, "u0..u1999")  # JSON and Matrix Market: the same entries
    rows = json.loads(str(render(result, Format.json)))["jacobian"]
    data = json.loads(str(render(result, Format.json, RenderOptions(sparse=True))))
    validate_schema(data, "sparse")
    assert {(i, j): e for i, j, e in data["entries"]} == dense_entries(
        "\n".join("\t".join(row) for row in rows)
    )
    assert _mtx_entries(str(render(result, Format.mtx)))[1:] == ((2000, 2000), found)


@pytest.fixture
def no_dense(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sparse.filled and Sparse.dense (and so every `.matrix`) raise: O(m·n) is a bug here."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a dense view of a sparse matrix on a sparse path")

    monkeypatch.setattr(Sparse, "filled", refuse)
    monkeypatch.setattr(Sparse, "dense", refuse)


SPARSE_FORMATS = [Format.plain, Format.json, Format.jsonl, Format.latex, Format.table, Format.mtx]


@pytest.mark.parametrize("fmt", SPARSE_FORMATS, ids=lambda f: f.value)
def test_sparse_writers_never_build_a_dense_row(
    fmt: Format, request: pytest.FixtureRequest
) -> None:
    n = 60
    functions = [f"u{i}^2*u{(i + 1) % n} + exp(u{i})" for i in range(n)]
    names = f"u0..u{n - 1}"
    point = ",".join(f"u{i}={i % 3 + 1}" for i in range(n))
    results = [
        api.jacobian(functions, names),
        api.evaluate(functions, names, at=point),
        api.evaluate(functions, names, at=point, digits=5),
        api.linearize(functions, names, at=point),
        api.hessian(" + ".join(functions), names),
        api.grad(" + ".join(functions), names, at=point),
        api.jvp(functions, names, dir=",".join("1" * n)),
    ]
    request.getfixturevalue("no_dense")
    for result in results:
        out = render(result, fmt, RenderOptions(sparse=True))
        assert as_text(out)


@pytest.mark.filterwarnings("ignore:no function depends on z")
def test_dense_json_checks_numbers_over_the_non_zeros_only(monkeypatch: pytest.MonkeyPatch) -> None:
    result = api.evaluate("x*y, x^2", "x,y,z", at="x=1,y=2,z=3")
    hessian = api.hessian("x^2*y", "x,y", at="x=1,y=2")
    monkeypatch.setattr(Sparse, "dense", lambda self: pytest.fail("J made dense for its numbers"))
    data = json.loads(str(render(result, Format.json)))
    assert data["values"] == [[2.0, 1.0, 0.0], [2.0, 0.0, 0.0]]
    assert json.loads(str(render(hessian, Format.json)))["matrices"][0]["values"] == [
        [4.0, 2.0],
        [2.0, 0.0],
    ]


# --------------------------------------------------------------------------- layout


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        (Format.plain, RenderOptions(sparse=True)),
        (Format.json, RenderOptions(sparse=True)),
        (Format.mtx, RenderOptions()),
        (Format.latex, RenderOptions(sparse=True)),
        (Format.table, RenderOptions(sparse=True)),
    ],
    ids=["plain", "json", "mtx", "latex", "table"],
)
@pytest.mark.parametrize("case", ["jacobian", "eval", "hessian"])
def test_golden_layout(case: str, fmt: Format, options: RenderOptions) -> None:
    check_golden(f"sparse_{case}.{fmt.value}.txt", as_text(render(RESULTS[case](), fmt, options)))
