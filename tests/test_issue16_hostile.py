"""Issue 16 as a hostile user tries it: --sparse, --format mtx, eval --points --sparse,
--vars @FILE, the fast parser and the derivative templates.

Each `test_bug_*` is a bug found in review, marked xfail(strict): it asserts the correct
behaviour, so it passes while the bug is there and fails (XPASS) once fixed; the fix removes
the marker. The other tests pin hostile cases the issue's own tests do not try. References:
the reference parser (tokens, grammar, build), differentiation row by row
(`templates=False`), the dense output, or the numbers computed here by hand.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from jaccli import _symengine
from jaccli.errors import JacError
from jaccli.parse import DEFAULT_LIMITS, Limits, build, read_functions, typed_names
from jaccli.parse.grammar import FUNCTIONS
from jaccli.parse.inputs import read_and_build
from tests.conftest import invoke

_symengine.load()


# ----------------------------------------------------------------- the fast parser


def _outcome(run: Any) -> tuple[Any, ...]:
    try:
        parsed, built = run()
        return ("ok", [str(v) for v in built], list(typed_names(parsed).items()))
    except JacError as e:
        return ("error", type(e), e.template, e.location and tuple(e.location))


def _fast_and_reference(text: str, variables: tuple[str, ...], limits: Limits) -> None:
    def reference() -> tuple[Any, Any]:
        parsed = read_functions([text], variables, None, limits)
        return parsed, build(parsed, limits)

    fast = _outcome(lambda: read_and_build([text], variables, None, limits))
    assert fast == _outcome(reference), (text, variables, limits)


def _words(text: str) -> list[str]:
    return text.split(" ")


HOSTILE_LINES = [
    *_words("-x^2 --x ---x -+-x 2^3^2 x^y^z x**y**z x^-y^z x^-2*y 2^-x*y x*-y x/-2*y x/y/z"),
    *_words("x^2^-1 x**2**-1 x^(-1)^2 1/x^-2 x^1^2^3 -2^x*y -(2)^x (-2)^x (-x)^2 -0*x x*-0"),
    *_words("007*x x^007 00*x x*0009 2.*x 2./x 2.^x x*.5 x*5. 2.e3*x x*1E3 x*1e+3 x.5 x'"),
    "x - - - - - - - y",
    "x- -2*y",
    "x*10000000000000000000000000000000000000000000000000000000000000000000000000",
    "x*" + "9" * 999,
    "x*" + "9" * 1001,
    "x^" + "9" * 30,
    "(x+1)^" + "9" * 30,
    *_words("e*x E*x pi*x I*x e pi E e^x x^e sin*x sin exp*x x(y) 2x x**-1"),
    "x\ty",
    *_words("sin(x,y) atan2(y) log(x,2) log(2,x) abs(-x) sqrt(x^2) x^(1/2) (2*x)^(1/2)"),
    *_words("log(-1)*x exp(0)*x 1/(x-x) x/(2-2) x^(2-2) 0^x 0/x x-x x,,y x, ,x [x,y] [x,y"),
    "x\v+y",
    "x\f*y",
    "x\x00",
    "x\u00a0+y",
    "max(x, 1)*y",
    "min(x, x)",
    "sigmoid(-x) + relu(x) + softplus(x)^2",
    "(x)(y)",
    "sin (x)",
    "sin(x)(y)",
]


@pytest.mark.parametrize("text", HOSTILE_LINES)
def test_the_fast_path_reads_hostile_lines_as_the_reference(text: str) -> None:
    for variables in [("x", "y", "z"), ("x", "y", "e", "pi", "E", "I", "sin", "exp")]:
        for limits in [DEFAULT_LIMITS, Limits(digits=30), Limits(tokens=5), Limits(depth=3)]:
            _fast_and_reference(text, variables, limits)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_the_fast_path_reads_every_catalogue_call_as_the_reference(name: str) -> None:
    for argument in ["x", "0", "-1", "x-x", "x,y", "x, 0", "2,x"]:
        for form in ["{f}({a})*y", "-{f}({a})^2", "1/{f}({a})", "{f} ({a})+y"]:
            text = form.format(f=name, a=argument)
            _fast_and_reference(text, ("x", "y"), DEFAULT_LIMITS)
            _fast_and_reference(text, ("x", "y", name), DEFAULT_LIMITS)


def test_the_fast_path_keeps_precedence_and_associativity() -> None:
    """Values checked by hand: ^ binds right, unary minus is weaker than ^."""
    from jaccli.problem import read

    cases = {"-x^2": "-x**2", "2^-x*y": "2**(-x)*y", "x^y^z": "x**(y**z)", "x/y/z": "x/(y*z)"}
    for text, expected in cases.items():
        (value,) = read(text, "x,y,z").functions
        import symengine as se

        assert se.expand(value - se.sympify(expected)) == 0, text


# ------------------------------------------------------------ derivative templates


def _stencil(template: str, n: int) -> list[str]:
    rows = []
    for i in range(n):
        names = {
            "L": f"u{i - 1}" if i else "0",
            "C": f"u{i}",
            "R": f"u{i + 1}" if i < n - 1 else "0",
        }
        names |= {"P": f"k{i}", "Q": "h"}
        rows.append("".join(names.get(c, c) for c in template))
    return rows


def _jacobians(rows: list[str], names: list[str]) -> tuple[Any, Any]:
    import symengine as se

    from jaccli.engine.derivatives import differentiate
    from jaccli.parse import parse_functions

    functions = parse_functions(rows, names)
    variables = [se.Symbol(v) for v in names]
    return (
        differentiate(functions, variables, templates=True),
        differentiate(functions, variables, templates=False),
    )


# Stencils: L, C, R the left, centre and right unknowns of row i, P a parameter of the row
# (k_i) and Q one shared by all (h).
TEMPLATES = _words(
    "L-2*C+R+Q^2*P*exp(C) C/(3^P)-(C+R)+tanh(P-C) log(sqrt(cbrt(C))) atan2(L,R)*C+C^P "
    "sigmoid(L*C-R)^P+erf(C) (C-L)^3/(1+R^2)-P*C"
)


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_derivatives_equal_direct_differentiation(template: str) -> None:
    """Mathematically: at random points, every entry of the template path is the direct
    one's (same non-zero pattern too), with the columns in a shuffled order."""
    from jaccli.engine import to_sympy

    rng = random.Random(template)
    n = 12
    names = [f"u{i}" for i in range(n)]
    rng.shuffle(names)
    fast, direct = _jacobians(_stencil(template, n), names)
    for row_fast, row_direct in zip(fast.rows, direct.rows, strict=True):
        assert [j for j, _ in row_fast] == [j for j, _ in row_direct]
        for (_, a), (_, b) in zip(row_fast, row_direct, strict=True):
            mine, theirs = to_sympy(a), to_sympy(b)
            for _ in range(3):
                symbols = mine.free_symbols | theirs.free_symbols
                point = {s: rng.uniform(0.5, 2.0) for s in symbols}
                value = complex(theirs.evalf(subs=point))
                assert abs(complex(mine.evalf(subs=point)) - value) <= 1e-9 * (1 + abs(value))


@pytest.mark.parametrize("template", TEMPLATES[1:3])
def test_bug_template_derivatives_print_as_direct_differentiation(template: str) -> None:
    n = 6
    fast, direct = _jacobians(_stencil(template, n), [f"u{i}" for i in range(n)])
    assert [[(j, str(e)) for j, e in row] for row in fast.rows] == [
        [(j, str(e)) for j, e in row] for row in direct.rows
    ]


def test_bug_rows_of_one_stencil_print_alike_on_the_cli() -> None:
    rows = [f"u{i}/3^k{i} - u{i} + tanh(k{i}-u{i})" for i in range(3)]
    run = invoke(["jacobian", ", ".join(rows), "--vars", "u0,u1,u2", "--sparse", "-q"])
    assert run.code == 0
    entries = [line.split("\t")[2] for line in run.stdout.splitlines()]
    assert [e.replace(f"u{i}", "u").replace(f"k{i}", "k") for i, e in enumerate(entries)] == [
        entries[0].replace("u0", "u").replace("k0", "k")
    ] * 3


# ---------------------------------------------------------------- Matrix Market


def test_integer_mtx_of_a_scattered_system_reads_back_with_scipy(tmp_path: Path) -> None:
    """A tridiagonal system with one far entry a row (repeated columns, entries that add
    up): scipy's matrix is the one computed here, no entry off by one."""
    import numpy as np
    import scipy.io

    n = 3000
    rows, expected = [], np.zeros((n, n))
    for i in range(n):
        far, weight = (i * 7919) % n, i % 7
        terms = [f"u{i - 1}"] if i else []
        terms += [f"-2*u{i}"] + ([f"3*u{i + 1}"] if i < n - 1 else [])
        rows.append(" + ".join(terms) + f" + {weight}*u{far}")
        if i:
            expected[i, i - 1] += 1
        expected[i, i] -= 2
        if i < n - 1:
            expected[i, i + 1] += 3
        expected[i, far] += weight
    run = invoke(
        ["jacobian", "-", "--vars", f"u0..u{n - 1}", "--format", "mtx", "-q"],
        input="\n".join(rows),
    )
    assert run.code == 0, run.stderr
    banner, *lines = run.stdout.splitlines()
    assert banner == "%%MatrixMarket matrix coordinate integer general"
    size = next(line for line in lines if not line.startswith("%"))
    assert size.split() == [str(n), str(n), str(int(np.count_nonzero(expected)))]
    path = tmp_path / "j.mtx"
    path.write_text(run.stdout)
    matrix = scipy.io.mmread(str(path), spmatrix=False).toarray()
    assert matrix.shape == (n, n)
    assert np.array_equal(matrix, expected)


def test_real_mtx_of_eval_matches_the_derivatives_by_hand(tmp_path: Path) -> None:
    import numpy as np
    import scipy.io

    point = ["--vars", "x,y", "--at", "x=2,y=0.5"]
    run = invoke(["eval", "x^y, 0, x*sin(y)", *point, "--sparse", "--format", "mtx"])
    assert run.code == 0, run.stderr
    path = tmp_path / "j.mtx"
    path.write_text(run.stdout)
    matrix = scipy.io.mmread(str(path), spmatrix=False).toarray()
    x, y = 2.0, 0.5
    expected = [
        [y * x ** (y - 1), x**y * math.log(x)],
        [0.0, 0.0],
        [math.sin(y), x * math.cos(y)],
    ]
    assert np.allclose(matrix, expected, rtol=1e-15, atol=0)


def test_the_size_line_counts_the_lines_of_every_document() -> None:
    run = invoke(["hessian", "x^2*y, 0, x*y", "--vars", "x,y", "--sparse", "--format", "mtx"])
    assert run.code == 0
    documents = run.stdout.split("%%MatrixMarket")[1:]
    assert len(documents) == 3
    for document in documents:
        lines = [line for line in document.splitlines()[1:] if not line.startswith("%")]
        m, n, k = map(int, lines[0].split())
        assert (m, n) == (2, 2) and k == len(lines) - 1


# ------------------------------------------------------- eval --points --sparse


def _write_csv(path: Path, names: list[str], rows: list[list[float]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        writer.writerows([[repr(v) for v in row] for row in rows])
    return path


def test_points_sparse_columns_are_the_dense_ones_under_any_column_orders(tmp_path: Path) -> None:
    """--vars in another order than the CSV's columns: each sparse column holds the number
    the dense output has under the same name, and the dense zeros are the ones left out."""
    rng = random.Random(16)
    names = ["y", "z", "x"]  # the file's order
    points = _write_csv(
        tmp_path / "p.csv", names, [[rng.uniform(0.5, 2) for _ in names] for _ in range(4)]
    )
    functions = "x^2 + y, x*z, 0, z, log(y)*x"
    for order in ["x,y,z", "z,x,y", "y,z,x"]:
        common = ["eval", functions, "--vars", order, "--points", str(points), "--with-value"]
        dense = list(csv.DictReader(io.StringIO(invoke([*common, "--format", "csv"]).stdout)))
        sparse_run = invoke([*common, "--sparse", "--format", "csv"])
        assert sparse_run.code == 0
        sparse = list(csv.DictReader(io.StringIO(sparse_run.stdout)))
        left_out = set(dense[0]) - set(sparse[0])
        for d, s in zip(dense, sparse, strict=True):
            assert all(float(d[k]) == float(v) for k, v in s.items())
            assert all(float(d[k]) == 0.0 for k in left_out)
        assert left_out == {
            f"df{i}/d{v}" for i, v in [(1, "z"), (2, "y"), (3, "x"), (3, "y"), (3, "z")]
        } | {"df4/dx", "df4/dy", "df5/dz"}


def test_points_sparse_json_entries_index_the_dense_jacobian(tmp_path: Path) -> None:
    points = _write_csv(tmp_path / "p.csv", ["x", "y", "z"], [[1.5, 2.0, -0.5], [0.7, 1.1, 3.0]])
    common = ["eval", "x*y, 0, z^2 + x", "--vars", "z,x,y", "--points", str(points)]
    dense = [json.loads(line) for line in invoke([*common, "--format", "jsonl"]).stdout.split()]
    run = invoke([*common, "--sparse", "--format", "jsonl"])
    assert run.code == 0
    for d, s in zip(dense, map(json.loads, run.stdout.splitlines()), strict=True):
        jacobian = s["jacobian"]
        assert jacobian["shape"] == [3, 3] and jacobian["nnz"] == len(jacobian["entries"])
        full = [[0.0] * 3 for _ in range(3)]
        for i, j, v in jacobian["entries"]:
            full[i - 1][j - 1] = v
        assert full == d["jacobian"]


# ------------------------------------------------------------------ --vars @FILE


def _names_file(tmp_path: Path, text: str) -> str:
    """--vars' value for a file holding `text`: @ and its path."""
    path = tmp_path / "names.txt"
    path.write_text(text)
    return f"@{path}"


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbfx\r\ny\r\n",  # BOM, CRLF
        b"x,\ny,\n",  # trailing commas
        b"x,,\n\n\n  y  \n",  # doubled trailing comma, blank lines, blanks around
        b"x # the first\n\ty\n",  # a comment, a tab
        b"x\r\r\ny\n",
        b"x, y\n",
    ],
)
def test_a_names_file_in_the_shapes_people_write(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "names.txt"
    path.write_bytes(content)
    run = invoke(["jacobian", "x*y^2", "--vars", f"@{path}", "--format", "json"])
    assert run.code == 0, run.stderr
    assert run.json()["variables"] == ["x", "y"]


@pytest.mark.parametrize("content", ["\ufeffx\r\ny\r\n", "x\r\ny,\r\n", "x\ny"])
def test_names_from_stdin_with_bom_and_crlf(content: str) -> None:
    run = invoke(["jacobian", "x*y^2", "--vars", "@-", "--format", "json"], input=content)
    assert run.code == 0, run.stderr
    assert run.json()["variables"] == ["x", "y"]


@pytest.mark.parametrize(
    ("content", "line", "column"),
    [
        ("x\nu1..\nu3\n", 2, 5),  # a range does not continue on the next line
        ("u1..u3\nu2\n", 2, 1),  # a name twice, once in a range
        ("x\ny,,z\n", 2, 3),
        ("x\n1y\n", 2, 1),
        ("x y\n", 1, 3),
    ],
)
def test_names_file_errors_point_at_their_line_and_column(
    tmp_path: Path, content: str, line: int, column: int
) -> None:
    run = invoke(["jacobian", "x", "--vars", _names_file(tmp_path, content)])
    assert run.code == 2
    assert f"line {line}, column {column})" in run.stderr
    caret = run.stderr.splitlines()[-1]
    assert caret.strip() == "^" and caret.index("^") == column + 1  # under "  " + the line


def test_names_from_empty_stdin_are_a_usage_error() -> None:
    run = invoke(["jacobian", "x", "--vars", "@-"], input="")
    assert run.code == 2 and "no variable names" in run.stderr


def test_a_names_file_of_10_5_names_on_one_line(tmp_path: Path) -> None:
    names = _names_file(tmp_path, ",".join(f"u{i}" for i in range(100_000)))
    run = invoke(["jacobian", "u0*u99999", "--vars", names, "--sparse", "-q"])
    assert run.code == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["1\t1\tu99999", "1\t100000\tu0"]


def test_bug_codegen_reads_a_names_file(tmp_path: Path) -> None:
    by_file = invoke(["codegen", "x*y, x+y", "--vars", _names_file(tmp_path, "x\ny\n")])
    assert by_file.code == 0, by_file.stderr
    by_list = invoke(["codegen", "x*y, x+y", "--vars", "x,y"])
    body = [line for line in by_list.stdout.splitlines() if "jac codegen" not in line]
    assert [line for line in by_file.stdout.splitlines() if "jac codegen" not in line] == body


def test_bug_chain_of_vars_reads_a_names_file(tmp_path: Path) -> None:
    common = ["chain", "u*v, u+v", "--vars", "u,v", "--of", "x^2, sin(y)", "--format", "json"]
    by_file = invoke([*common, "--of-vars", _names_file(tmp_path, "x\ny\n")])
    assert by_file.code == 0, by_file.stderr
    assert by_file.stdout == invoke([*common, "--of-vars", "x,y"]).stdout


def test_bug_a_comma_leading_a_line_of_the_names_file(tmp_path: Path) -> None:
    names = _names_file(tmp_path, "x\n, y\n")
    run = invoke(["jacobian", "x*y", "--vars", names, "--format", "json"])
    assert run.code == 0, run.stderr
    assert run.json()["variables"] == ["x", "y"]


# ------------------------------------------- found while fuzzing, older than issue 16
# Each is the same at HEAD (commit bfc708a) as in the working tree: not a regression of
# issue 16, but internal errors (exit 70) or a schema break on user input all the same.

_AT = ["--at", "x=1,y=2,z=0.5"]
_DECLARED = ["--functions", "g", "--check"]
FIXED_EXIT_70 = {
    "stability_search_of_a_max": (  # engine/equilibria_search.py:197 _step (None >= int)
        ["stability", "max(x,y), x, x*y + sin(z)", "--vars", "z,y,x"]
    ),
    "eig_ordering_a_max_and_a_declared_function": (  # engine/roots.py:195 _order_key
        ["eig", "max(x,y), x*y + sin(z), g(x)*y", "--functions", "g", "--vars", "x,y,z", *_AT]
    ),
    "eig_check_with_a_declared_function": (  # engine/roots.py:261 _equal (Relational)
        ["eig", "g(x)*y, sign(x)*y, x*y + sin(z)", "--vars", "x,y,z", *_AT, *_DECLARED]
    ),
    "stability_of_a_sign": (  # engine/roots.py:261 _equal: Abs(DiracDelta(0)) > 1e-20
        ["stability", "sign(x)*y, 0, x", "--vars", "x,y,z"]
    ),
    "stability_check_with_a_declared_function": (  # batch/lambdify.py:169 SyntaxError on g'
        ["stability", "g(x)*y, exp(x)/(1+y^2), max(x,y)", "--vars", "z,y,x", *_DECLARED]
    ),
    "stability_with_a_declared_function": (
        ["stability", "g(x)*y, exp(x)/(1+y^2)", "--vars", "y,x", "--functions", "g"]
    ),
}


@pytest.mark.parametrize("args", FIXED_EXIT_70.values(), ids=FIXED_EXIT_70.keys())
def test_internal_errors_fixed(args: list[str]) -> None:
    """eig and stability with numbers that are not numbers (g(1), DiracDelta(0)): roots.py
    orders and compares them without converting them to floats; Newton's step where J has
    a zero column (mpmath's LU leaves a pivot None) takes the least-squares step; with a
    declared g the numeric search is not run (it compiled g')."""
    run = invoke(args)
    assert run.code in (0, 1, 2, 3), run.stderr


def test_stability_with_a_declared_function_says_the_search_was_not_run() -> None:
    """g has no values, so Newton's method has nothing to evaluate (it compiled g' and
    failed, exit 70): the exact solutions stand, the list is incomplete, and says why."""
    run = invoke(["stability", "g(x) - y, y - 1", "--vars", "x,y", "--functions", "g",
                  "--format", "json"])  # fmt: skip
    assert run.code == 0
    data = run.json()
    assert data["status"] == "incomplete" and "no formula" in data["reason"]
    assert "incomplete" in run.stderr


def test_bug_check_of_a_dirac_delta() -> None:  # its derivative DiracDelta(x, 1) on the tape
    run = invoke(["jacobian", "DiracDelta(x)", "--vars", "x", "--check"])
    assert run.code == 0 and "check passed" in run.stderr


def test_bug_eig_json_multiplicity_is_an_integer() -> None:
    run = invoke(["eig", "x^2, y^2", "--vars", "x,y", "--at", "x=0,y=0", "--format", "json"])
    assert run.code == 0
    assert [e["multiplicity"] for e in run.json()["eigenvalues"]] == [2]
