"""--explain: results at a point read in words, and the words read back as mathematics.

The sentences are parsed back into numbers here ("increases both f1 and f2 by about 2Δx"
is J[1,1] = J[2,1] = 2) and compared with J's entries, det J, 1/det J, L, F(a) and a null
direction, so a sentence that says the wrong thing fails, whatever its wording.
"""

from __future__ import annotations

import json
import random
import re
from fractions import Fraction
from typing import Any

import pytest
import sympy

import jaccli
from jaccli import engine
from jaccli.engine.explain import EXPLAINED_VARIABLES, explained
from jaccli.errors import UsageError
from jaccli.parse import make_symbol, parse_functions
from jaccli.render import Format, LatexStyle, RenderOptions, render
from tests.conftest import invoke, read_back

VERBS = r"(?:increases|decreases|changes|does not change) "


def _amount(text: str, names: list[str]) -> Any:
    """2, (1/2), k·, (2*k)·, 0.5000 or nothing (1) in front of a Δ."""
    text = text.removesuffix("·").strip()
    if not text:
        return sympy.Integer(1)
    return sympy.sympify(read_back([text], names)[0])


def read_column(sentence: str, m: int, names: list[str]) -> tuple[str, list[Any]]:
    """The variable a sentence is about, and the change per unit of it of each component."""
    found = re.match(r"(?:Near .*?, i|I)ncreasing (\S+) by a small Δ(\S+) (.*)\.$", sentence)
    assert found, sentence
    variable, step, effects = found.groups()
    assert step == variable, sentence
    components = ["f"] if m == 1 else [f"f{i + 1}" for i in range(m)]
    column: list[Any] = [None] * m
    if effects == "does not change F (to first order)":
        return variable, [sympy.Integer(0)] * m
    for clause in re.split(rf"(?:, and |, | and )(?={VERBS})", effects):
        verb = re.match(VERBS, clause)
        assert verb, clause
        rest = clause[verb.end() :]
        if verb.group().startswith("does not"):
            for name in re.split(r", | or ", rest):
                column[components.index(name)] = sympy.Integer(0)
            continue
        sign = -1 if verb.group().startswith("decreases") else 1
        pattern = r"(?:^|, | and )(?:both )?(f\d*(?:(?:, | and )f\d+)*)(?: each)? by about (.*?)Δ"
        objects = list(re.finditer(pattern + re.escape(variable) + r"(?=$|,| and )", rest))
        assert objects and "".join(o.group() for o in objects) == rest, clause
        for o in objects:
            value = sign * _amount(o.group(2), names)
            for name in re.split(r", | and ", o.group(1)):
                column[components.index(name)] = value
    assert None not in column, (sentence, column)
    return variable, column


def read_matrix(sentences: list[str], m: int, names: list[str]) -> list[list[Any]]:
    columns = dict(read_column(s, m, names) for s in sentences)
    assert list(columns) == names[: len(columns)]
    return [[columns[v][i] for v in columns] for i in range(m)]


def _random_system(rng: random.Random, m: int, n: int) -> tuple[str, str, str]:
    """F with integer and rational slopes, some equal, some 0, some negative, and a point."""
    names = [f"x{j + 1}" for j in range(n)]
    slopes = [-2, -1, 0, 0, 1, 1, 2, Fraction(1, 2), Fraction(-3, 4)]
    rows = []
    for _ in range(m):
        terms = [f"({rng.choice(slopes)})*{v}" for v in names]
        terms.append(f"({rng.choice([0, 1, -1])})*{rng.choice(names)}*{rng.choice(names)}")
        rows.append(" + ".join(terms))
    point = ",".join(f"{v}={rng.choice([-2, -1, 1, 2, Fraction(1, 3)])}" for v in names)
    return ", ".join(rows), ",".join(names), point


@pytest.mark.parametrize("seed", range(12))
def test_eval_sentences_say_the_entries_of_j(seed: int) -> None:
    rng = random.Random(seed)
    m, n = rng.randint(1, 4), rng.randint(1, 4)
    text, names, point = _random_system(rng, m, n)
    result = jaccli.evaluate(text, vars=names, at=point, explain=True)
    sentences = list(result.explanation)
    assert sentences[-1].startswith("Together, a small step")
    assert sentences[0].startswith("Near " + ", ".join(point.split(",")).replace("=", " = "))
    matrix = read_matrix(sentences[:-1], m, names.split(","))
    assert matrix == [[sympy.sympify(e) for e in row] for row in result.matrix], sentences


def test_the_textbook_example() -> None:
    """(x² + y, xy) at (1, 2): both change by about 2Δx, both by about Δy."""
    result = jaccli.evaluate("x^2 + y, x*y", vars="x,y", at="x=1,y=2", explain=True)
    assert result.explanation[:2] == (
        "Near x = 1, y = 2, increasing x by a small Δx increases both f1 and f2 by about 2Δx.",
        "Increasing y by a small Δy increases both f1 and f2 by about Δy.",
    )


def test_signs_zeros_and_equal_effects_are_grouped() -> None:
    result = jaccli.evaluate("x^2 - y, -3*x*y, x, 5, 2*x", vars="x,y", at="x=1,y=2", explain=True)
    assert result.explanation[0] == (
        "Near x = 1, y = 2, increasing x by a small Δx increases f1 and f5 each by about 2Δx "
        "and f3 by about Δx, decreases f2 by about 6Δx, and does not change f4."
    )
    assert result.explanation[1] == (
        "Increasing y by a small Δy decreases f1 by about Δy and f2 by about 3Δy, and does not "
        "change f3, f4 or f5."
    )
    assert read_matrix(list(result.explanation[:2]), 5, ["x", "y"]) == [
        list(row) for row in result.matrix
    ]


def test_parameters_and_rationals() -> None:
    result = jaccli.evaluate("k*x + y/3, (k+1)*y", vars="x,y", at="x=1,y=2", explain=True)
    assert "changes f1 by about k·Δx" in result.explanation[0]
    assert "(1/3)Δy" in result.explanation[1] and "(k + 1)·Δy" in result.explanation[1]
    matrix = read_matrix(list(result.explanation[:2]), 2, ["x", "y"])
    k = sympy.Symbol("k")
    assert [[sympy.expand(e.subs(k, 3)) for e in row] for row in matrix] == [
        [sympy.sympify(e).subs(k, 3) for e in row] for row in result.matrix
    ]


def test_digits_round_the_numbers_said() -> None:
    result = jaccli.evaluate("sin(x*y), exp(x)", vars="x,y", at="x=1/3,y=1", digits=4, explain=True)
    matrix = read_matrix(list(result.explanation[:2]), 2, ["x", "y"])
    for row, said in zip(result.matrix, matrix, strict=True):
        for exact, number in zip(row, said, strict=True):
            assert abs(float(exact) - float(number)) <= 5e-4 * max(1, abs(float(exact)))


def test_many_variables_and_components_stay_readable() -> None:
    n = EXPLAINED_VARIABLES + 2
    names = [f"x{j}" for j in range(1, n + 1)]
    text = ", ".join(f"{v} + x1" for v in names)  # f_i = x_i + x1: column 1 all ones (x1: 2)
    point = ",".join(f"{v}=1" for v in names)
    result = jaccli.evaluate(text, vars=",".join(names), at=point, explain=True)
    sentences = result.explanation
    assert len(sentences) == EXPLAINED_VARIABLES + 2
    assert sentences[0].endswith(
        "increases f1 by about 2Δx1 and 9 components (f2, …, f10) each by about Δx1."
    )
    assert sentences[-2] == (
        "Likewise for the other 2 variables: column j of J is what F does per unit of the j-th "
        "variable."
    )


def test_vector_syntax_names_entries() -> None:
    result = jaccli.evaluate(
        "W*x", vars="x", shape="W=2x2,x=2", at="x=[1,0],W=[[1,2],[0,-1]]", explain=True
    )
    names = [v.name for v in result.variables]
    assert names == ["x[1]", "x[2]"]
    assert result.explanation[1].startswith("Increasing x[2] by a small Δx[2] increases f1")
    matrix = read_matrix(list(result.explanation[:2]), 2, names)
    assert matrix == [[sympy.sympify(e) for e in row] for row in result.matrix]


# --------------------------------------------------------------------------- linearize


def test_linearize_sentences_say_l_and_f_a() -> None:
    result = jaccli.linearize("x^2 + y, x*y", vars="x,y", at="x=1,y=2", explain=True)
    first = result.explanation[0]
    found = re.match(
        r"Near the point a \(x = 1, y = 2\), F resembles the linear map L\(x, y\) = \((.*)\): "
        r"L\(a\) = F\(a\) = \((.*)\), and L has F's derivatives J\(a\) there\.$",
        first,
    )
    assert found, first
    said_l = read_back(found.group(1).split(", "), ["x", "y"])
    said_f = read_back(found.group(2).split(", "), ["x", "y"])
    assert list(said_l) == list(result.linearization) and list(said_f) == list(result.value)
    matrix = read_matrix(list(result.explanation[1:3]), 2, ["x", "y"])
    assert matrix == [[sympy.sympify(e) for e in row] for row in result.matrix]
    assert result.explanation[3].startswith("The error F − L shrinks faster")


def test_linearize_one_component() -> None:
    result = jaccli.linearize("x*y", vars="x,y", at="x=3,y=-1", explain=True)
    assert "L(x, y) = 3 - x + 3*y: L(a) = F(a) = -3" in result.explanation[0].replace("^", "**")
    assert read_matrix(list(result.explanation[1:3]), 1, ["x", "y"]) == [[-1, 3]]


# --------------------------------------------------------------------------- det


def _det_sentences(text: str, names: str, point: str) -> tuple[Any, tuple[str, ...]]:
    result = jaccli.det(text, vars=names, at=point, explain=True, log=True)
    return result, result.explanation


@pytest.mark.parametrize(
    ("text", "names", "point", "measure"),
    [
        ("x+y, x*y", "x,y", "x=-1,y=2", "area A"),
        ("x+y, x*y", "x,y", "x=1/2,y=1/3", "area A"),
        ("x*y*z, y, -z", "x,y,z", "x=1,y=2,z=3", "volume V"),
        ("x, y, z, 3*w", "x,y,z,w", "x=1,y=1,z=1,w=1", "4-volume V"),
        ("-x/4", "x", "x=1", "length L"),
    ],
)
def test_det_sentences_say_the_scale_orientation_and_inverse(
    text: str, names: str, point: str, measure: str
) -> None:
    result, sentences = _det_sentences(text, names, point)
    det = sympy.sympify(result.determinant)
    found = re.search(rf"of {measure} onto one of \S+ about (.*?){measure[-1]}, and (.*)\.$",
                      sentences[0])  # fmt: skip
    assert found, sentences[0]
    assert _amount(found.group(1), []) == abs(det)
    assert found.group(2).startswith("reverses" if det < 0 else "keeps")
    inverse = re.search(r"1/det J = (\S+)\.$", sentences[1])
    assert inverse and sympy.Rational(inverse.group(1)) == 1 / det
    log = re.match(r"log\|det J\| = (.*?): ", sentences[2])
    assert log and sympy.sympify(read_back([log.group(1)], [])[0]).equals(sympy.log(abs(det)))


def test_det_of_one_keeps_the_area() -> None:
    _, sentences = _det_sentences("x + y, y", "x,y", "x=1,y=2")
    assert "F keeps the area of a small region, and keeps its orientation" in sentences[0]


@pytest.mark.parametrize(
    ("text", "names", "point"),
    [
        ("x+y, x*y", "x,y", "x=1,y=1"),
        ("x + 2*y + z, 2*x + 4*y + 2*z, z", "x,y,z", "x=0,y=0,z=0"),
        ("x^2, y^2", "x,y", "x=0,y=3"),
    ],
)
def test_a_singular_point_names_a_direction_that_f_flattens(
    text: str, names: str, point: str
) -> None:
    result, sentences = _det_sentences(text, names, point)
    assert result.determinant == 0 and result.meaning == "not invertible here"
    assert sentences[0].startswith(f"det J = 0 at {point.replace('=', ' = ').replace(',', ', ')}")
    direction = re.search(r"A small step along (\(.*?\)) does not change F", sentences[1])
    assert direction, sentences[1]
    v = [sympy.Rational(t) for t in direction.group(1).strip("()").split(", ")]
    assert any(v)
    J = sympy.Matrix(jaccli.evaluate(text, vars=names, at=point).to_sympy())
    assert J * sympy.Matrix(v) == sympy.zeros(len(v), 1)
    assert sentences[2].startswith("log|det J| = -∞ here")


def test_a_singular_point_in_one_variable() -> None:
    _, sentences = _det_sentences("x^3", "x", "x=0")
    assert sentences[1] == "A small step Δx does not change F to first order: J = 0."


def test_det_with_a_parameter_says_where() -> None:
    result = jaccli.det("x+y, k*x*y", vars="x,y", at="x=-1,y=2", explain=True)
    assert result.explanation == (
        f"det J = -3*k at x = -1, y = 2: near this point, {result.meaning}.",
    )


# --------------------------------------------------------------------------- formats and errors


CASES = [
    ["eval", "x^2 + y, x*y", "--vars", "x,y", "--at", "x=1,y=2"],
    ["det", "x+y, x*y", "--vars", "x,y", "--at", "x=-1,y=2", "--log"],
    ["linearize", "x^2 + y, x*y", "--vars", "x,y", "--at", "x=1,y=2"],
]


@pytest.mark.parametrize("args", CASES, ids=[c[0] for c in CASES])
def test_every_format(args: list[str]) -> None:
    api = {"eval": jaccli.evaluate, "det": jaccli.det, "linearize": jaccli.linearize}[args[0]]
    extra = {"log": True} if args[0] == "det" else {}
    sentences = api(args[1], vars="x,y", at=args[5], explain=True, **extra).explanation
    explained_args = [*args, "--explain", "--format"]
    table = invoke([*explained_args, "table"])
    assert table.code == 0
    flat = " ".join(table.stdout.split())
    for sentence in sentences:
        assert " ".join(sentence.split()) in flat
    assert flat.index(" ".join(sentences[0].split())) > flat.index("┘")  # under the result
    data = invoke([*explained_args, "json"]).json()  # validated against the schema
    assert data["explanation"] == list(sentences)
    assert "explanation" not in invoke([*args, "--format", "json"]).json()
    line = json.loads(invoke([*explained_args, "jsonl"]).stdout)
    assert line["explanation"] == list(sentences)
    plain = invoke([*explained_args, "plain"])
    assert plain.code == 0 and plain.stdout == invoke([*args, "--format", "plain"]).stdout
    latex = invoke([*explained_args, "latex"]).stdout
    comments = [line[2:] for line in latex.splitlines() if line.startswith("% ")]
    assert comments == list(sentences)
    assert latex.split("\n", len(sentences))[-1] == invoke([*args, "--format", "latex"]).stdout
    bare = invoke([*explained_args, "latex", "--latex-style", "bare"]).stdout
    assert "%" not in bare
    document = invoke([*explained_args, "latex", "--standalone"]).stdout
    assert document.index("% " + sentences[0]) > document.index("\\begin{document}")


def test_the_engine_explains_a_result_it_made() -> None:
    x, y = make_symbol("x"), make_symbol("y")
    functions = parse_functions(["x^2 + y", "x*y"], ["x", "y"])
    result = engine.evaluate(functions, [x, y], {x: sympy.Integer(1), y: sympy.Integer(2)})
    assert result.explanation == ()
    assert (
        explained(result).explanation
        == jaccli.evaluate("x^2 + y, x*y", vars="x,y", at="x=1,y=2", explain=True).explanation
    )
    with pytest.raises(UsageError, match="at a point"):
        explained(engine.determinant(functions, [x, y]))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["det", "x+y, x*y", "--vars", "x,y", "--explain"], "--explain needs a point"),
        (["linearize", "x+y", "--vars", "x,y", "--explain"], "linearize needs the point a"),
        (["eval", "x+y", "--vars", "x,y", "--explain"], "eval needs --at"),
        (["eval", "x+y", "--vars", "x,y", "--explain", "--points", "-"], "--explain reads one"),
    ],
)
def test_explain_needs_one_point(args: list[str], message: str) -> None:
    run = invoke(args, input="x,y\n1,2\n")
    assert run.code == 2 and not run.stdout
    (line,) = run.stderr.splitlines()
    assert message in line


def test_explain_in_the_api_needs_a_point() -> None:
    with pytest.raises(UsageError, match=r"give one with at="):
        jaccli.det("x+y, x*y", vars="x,y", explain=True)
    plain = render(jaccli.evaluate("x*y", vars="x,y", at="x=1,y=2"), Format.plain)
    spoken = render(jaccli.evaluate("x*y", vars="x,y", at="x=1,y=2", explain=True), Format.plain)
    assert plain == spoken
    bare = RenderOptions(latex_style=LatexStyle.bare)
    explained_latex = jaccli.evaluate("x*y", vars="x,y", at="x=1,y=2", explain=True)
    assert "%" not in render(explained_latex, Format.latex, bare)
