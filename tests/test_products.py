"""jac jvp and jac vjp: J·v and uᵀJ, compared with J itself, with JAX and with hand results.

The engine never forms J for them; these tests do, with engine.jacobian, and check that
J·v and uᵀJ agree with it on random systems (symbolically for polynomials, at random
points at 40 digits otherwise), with JAX's jax.jvp and jax.vjp at random points, with
symbolic directions, with vector syntax, at points, and that bad input is one line on
stderr with the right exit code.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import sympy

from jaccli import engine
from jaccli.api import jvp as api_jvp
from jaccli.api import vjp as api_vjp
from jaccli.errors import ComplexError, UndefinedError, UsageError
from jaccli.parse import make_symbol
from jaccli.problem import read
from tests.numeric import at, close, random_point, sp
from tests.test_readback import check_json, check_latex, check_plain, check_table

# --------------------------------------------------------------------------- random systems

_TERMS = (
    "{c}*{a}^2*{b}",
    "{c}*{a}*{b}",
    "sin({a}*{b})",
    "cos({a} + {c}*{b})",
    "exp({a} - {b})",
    "{a}/(1 + {b}^2)",
    "log(1 + {a}^2)",
    "tanh({c}*{a} + {b})",
    "sqrt(1 + {a}^2*{b}^2)",
    "{a}^3",
)


def random_system(rng: random.Random, m: int, names: Sequence[str], polynomial: bool) -> str:
    """m components, each a sum of two or three random terms in `names`."""
    terms = _TERMS[:2] + _TERMS[-1:] if polynomial else _TERMS
    components = []
    for _ in range(m):
        parts = [
            rng.choice(terms).format(
                a=rng.choice(names), b=rng.choice(names), c=rng.choice([-3, -2, 2, 3, 5])
            )
            for _ in range(rng.randint(2, 3))
        ]
        components.append(" + ".join(parts))
    return ", ".join(components)


def systems(polynomial: bool, count: int = 12) -> Iterator[tuple[int, str, list[str]]]:
    for seed in range(count):
        rng = random.Random(seed)
        names = ["x", "y", "z", "w"][: rng.randint(1, 4)]
        yield seed, random_system(rng, rng.randint(1, 4), names, polynomial), names


def _vector(rng: random.Random, k: int) -> list[int]:
    return [rng.randint(-4, 4) for _ in range(k)]


def _jv(jacobian: Any, v: Sequence[Any]) -> list[Any]:
    return [
        sum((sp(e) * sp(vj) for e, vj in zip(row, v, strict=True)), sympy.S(0)) for row in jacobian
    ]


def _uj(jacobian: Any, u: Sequence[Any]) -> list[Any]:
    n = len(jacobian[0])
    return [
        sum((sp(u[i]) * sp(row[j]) for i, row in enumerate(jacobian)), sympy.S(0)) for j in range(n)
    ]


def _column(result: Any) -> list[Any]:
    return [sp(row[0]) for row in result.parts[0].matrix]


def _row(result: Any) -> list[Any]:
    return [sp(e) for e in result.parts[0].matrix[0]]


def _pairs(text: str, names: list[str], rng: random.Random) -> tuple[Any, list[Any]]:
    """F, and (jac's entry, the same entry of J·v or uᵀJ from J) for random v and u."""
    p = read(text, names)
    jacobian = engine.jacobian(p.functions, p.variables).matrix
    v, u = _vector(rng, len(names)), _vector(rng, len(p.functions))
    pairs = list(
        zip(_column(engine.jvp(p.functions, p.variables, v)), _jv(jacobian, v), strict=True)
    )
    pairs += zip(_row(engine.vjp(p.functions, p.variables, u)), _uj(jacobian, u), strict=True)
    return p, pairs


@pytest.mark.parametrize(("seed", "text", "names"), list(systems(polynomial=True)))
def test_on_random_polynomials_both_equal_products_with_j_exactly(
    seed: int, text: str, names: list[str]
) -> None:
    _, pairs = _pairs(text, names, random.Random(100 + seed))
    assert all(sympy.expand(got - expected) == 0 for got, expected in pairs), text


@pytest.mark.parametrize(("seed", "text", "names"), list(systems(polynomial=False, count=20)))
def test_on_random_systems_both_equal_products_with_j_at_random_points(
    seed: int, text: str, names: list[str]
) -> None:
    rng = random.Random(200 + seed)
    p, pairs = _pairs(text, names, rng)
    for _ in range(3):
        point = random_point(p.variables, rng)
        for got, expected in pairs:
            assert close(at(got, point), at(expected, point)), (text, got, expected)


def test_at_a_point_both_equal_j_at_the_point_times_the_vector() -> None:
    p = read("x^2*y + sin(z), exp(x*z) - y, x*y*z, log(1 + y^2)", "x,y,z")
    rng = random.Random(7)
    for _ in range(5):
        point = {s: sympy.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for s in p.variables}
        values = {s: engine.from_sympy(v) for s, v in point.items()}
        j_at = engine.evaluate(p.functions, p.variables, values).matrix
        v, u = _vector(rng, 3), _vector(rng, 4)
        r = engine.jvp(p.functions, p.variables, v, point=values)
        assert r.point is not None and [sp(e) for e in r.direction] == v
        assert all(
            sympy.simplify(a - b) == 0 for a, b in zip(_column(r), _jv(j_at, v), strict=True)
        )
        r2 = engine.vjp(p.functions, p.variables, u, point=values)
        assert all(sympy.simplify(a - b) == 0 for a, b in zip(_row(r2), _uj(j_at, u), strict=True))


# --------------------------------------------------------------------------- JAX
# JAX runs in a process of its own, spawned once: imported here, it would warn at every
# fork of jac's budgeted worker in the tests that follow ("JAX is multithreaded").

Trial = tuple[dict[str, float], list[int], list[int]]  # the point, v, u


def _layer(n: int, rng: random.Random) -> str:
    """A dense tanh layer with small integer weights, as bench/workloads.py writes them."""
    rows = [" + ".join(f"({rng.randint(-3, 3)})*x{j}" for j in range(n)) for _ in range(n)]
    return ", ".join(f"tanh({row} + 1)" for row in rows)


def _jax_cases() -> list[tuple[str, str, list[str], list[Trial]]]:
    cases = list(systems(polynomial=False, count=10))
    rng = random.Random(5)
    cases.append((-1, _layer(12, rng), [f"x{j}" for j in range(12)]))
    out = []
    for seed, text, names in cases:
        rng = random.Random(300 + seed)
        m = len(read(text, names).functions)
        trials = [
            (
                {n: rng.uniform(-0.3, 0.3) if seed < 0 else rng.uniform(0.3, 1.7) for n in names},
                _vector(rng, len(names)),
                _vector(rng, m),
            )
            for _ in range(3)
        ]
        out.append((f"layer{len(names)}" if seed < 0 else f"seed{seed}", text, names, trials))
    return out


JAX_CASES = _jax_cases()


def _by_jax(payload: bytes) -> list[list[tuple[list[float], list[float]]]]:
    """In the spawned process: jax.jvp and jax.vjp of each case at each trial, in float64."""
    import pickle

    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    out = []
    for symbols, functions, trials in pickle.loads(payload):
        compiled = sympy.lambdify(symbols, functions, modules="jax")

        def f(x: Any, compiled: Any = compiled) -> Any:
            return jnp.stack([jnp.asarray(c, dtype=jnp.float64) for c in compiled(*x)])

        results = []
        for point, v, u in trials:
            x = jnp.array([point[s.name] for s in symbols], dtype=jnp.float64)
            _, jv = jax.jvp(f, (x,), (jnp.array(v, dtype=jnp.float64),))
            _, pull = jax.vjp(f, x)
            (uj,) = pull(jnp.array(u, dtype=jnp.float64))
            results.append(([float(e) for e in jv], [float(e) for e in uj]))
        out.append(results)
    return out


@pytest.fixture(scope="module")
def by_jax() -> dict[str, list[tuple[list[float], list[float]]]]:
    import importlib.util
    import multiprocessing
    import pickle

    if importlib.util.find_spec("jax") is None:
        pytest.skip("JAX is not installed here (pip install 'jax[cpu]'): compared with J only")
    payload = []
    for _, text, names, trials in JAX_CASES:
        p = read(text, names)
        payload.append(([sp(s) for s in p.variables], [sp(f) for f in p.functions], trials))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        values = pool.apply(_by_jax, (pickle.dumps(payload),))
    return {case[0]: got for case, got in zip(JAX_CASES, values, strict=True)}


@pytest.mark.parametrize(
    ("name", "text", "names", "trials"), JAX_CASES, ids=[c[0] for c in JAX_CASES]
)
def test_both_agree_with_jax_at_random_points(
    by_jax: dict[str, Any], name: str, text: str, names: list[str], trials: list[Trial]
) -> None:
    p = read(text, names)
    for (point, v, u), (jv, uj) in zip(trials, by_jax[name], strict=True):
        values = {s: point[s.name] for s in p.variables}
        ours_jv = [at(e, values) for e in _column(engine.jvp(p.functions, p.variables, v))]
        ours_uj = [at(e, values) for e in _row(engine.vjp(p.functions, p.variables, u))]
        assert all(close(a, b, 1e-9) for a, b in zip(ours_jv, jv, strict=True)), text
        assert all(close(a, b, 1e-9) for a, b in zip(ours_uj, uj, strict=True)), text


# --------------------------------------------------------------------------- what v and u may be


def test_symbolic_directions_give_j_v_in_their_symbols() -> None:
    p = read("x^2*y, sin(x) + y^3", "x,y")
    a, b = sympy.symbols("a b")
    jacobian = engine.jacobian(p.functions, p.variables).matrix
    r = engine.jvp(p.functions, p.variables, [make_symbol("a"), make_symbol("b")])
    assert all(
        sympy.expand(g - e) == 0 for g, e in zip(_column(r), _jv(jacobian, [a, b]), strict=True)
    )
    r2 = engine.vjp(p.functions, p.variables, {"f1": make_symbol("a"), "f2": make_symbol("b")})
    assert all(
        sympy.expand(g - e) == 0 for g, e in zip(_row(r2), _uj(jacobian, [a, b]), strict=True)
    )


def test_a_direction_made_of_the_variables_is_not_differentiated() -> None:
    # Euler: for F homogeneous of degree k, J(x)·x = k F(x); u(x)ᵀJ(x) holds u still.
    p = read("x^2 + y^2, x*y, x^3 - y^3", "x,y")
    x, y = p.variables
    r = engine.jvp(p.functions, p.variables, [x, y])
    assert [sympy.expand(e) for e in _column(r)] == [
        sympy.expand(2 * sp(f)) for f in p.functions[:2]
    ] + [sympy.expand(3 * sp(p.functions[2]))]
    jacobian = engine.jacobian(p.functions, p.variables).matrix
    r2 = engine.vjp(p.functions, p.variables, [y, x, 1])
    assert all(
        sympy.expand(g - e) == 0
        for g, e in zip(_row(r2), _uj(jacobian, [sp(y), sp(x), 1]), strict=True)
    )


def test_by_name_in_any_order_equals_in_order() -> None:
    p = read("x*y*z, x + 2*z", "x,y,z")
    in_order = engine.jvp(p.functions, p.variables, [1, 2, 3]).parts[0].matrix
    by_name = engine.jvp(p.functions, p.variables, {"z": 3, "x": 1, "y": 2}).parts[0].matrix
    assert in_order == by_name
    assert engine.vjp(p.functions, p.variables, {"f2": 5, "f1": -1}).parts[0].matrix == (
        engine.vjp(p.functions, p.variables, [-1, 5]).parts[0].matrix
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("[1,0,2]", [1, 0, 2]),
        ("x=[1,0,2]", [1, 0, 2]),
        ("x[1]=1,x[3]=2,x[2]=0", [1, 0, 2]),
        ("1, 0, 2", [1, 0, 2]),
    ],
)
def test_vector_syntax_gives_w_times_v(given: str, expected: list[int]) -> None:
    r = api_jvp("W*x", "x", shape="W=2x3,x=3", dir=given)
    w = sympy.Matrix(2, 3, lambda i, j: sympy.Symbol(f"W[{i + 1},{j + 1}]"))
    assert sympy.Matrix(_column(r)) == w * sympy.Matrix(expected)
    assert [sp(e) for e in r.direction] == expected


# A shape used only by --dir is still reported as used by no function (problem.read
# checks the functions alone): a warning, not an error.
@pytest.mark.filterwarnings("ignore:shape= declares")
def test_vector_syntax_a_declared_vector_as_the_direction_and_as_the_cotangent() -> None:
    r = api_jvp("W*x", "x", shape="W=2x3,x=3,v=3", dir="v")
    w = sympy.Matrix(2, 3, lambda i, j: sympy.Symbol(f"W[{i + 1},{j + 1}]"))
    v = sympy.Matrix([sympy.Symbol(f"v[{k}]") for k in (1, 2, 3)])
    assert sympy.Matrix(_column(r)) == w * v
    r2 = api_vjp("W*x", "x", shape="W=2x3,x=3,u=2", cot="u")
    u = sympy.Matrix([sympy.Symbol(f"u[{k}]") for k in (1, 2)])
    assert sympy.Matrix([_row(r2)]) == u.T * w


def test_a_sigmoid_layer_vjp_is_u_times_its_jacobian() -> None:
    shape = "W=2x2,x=2,b=2"
    r = api_vjp("sigmoid(W*x + b)", "x", shape=shape, cot="[1,-1]")
    j = engine.jacobian(r.functions, r.variables).matrix
    rng = random.Random(3)
    symbols = {s for f in r.functions for s in f.free_symbols}
    for _ in range(3):
        point = random_point(symbols, rng, {})
        for g, e in zip(_row(r), _uj(j, [1, -1]), strict=True):
            assert close(at(g, point), at(e, point))


def test_python_values_are_read_as_jac_reads_text() -> None:
    exact = api_jvp("x^2 + y, x*y", "x,y", dir=[0.1, "1/3"], at={"x": 1, "y": 2})
    assert [sp(e) for e in exact.direction] == [sympy.Rational(1, 10), sympy.Rational(1, 3)]
    assert _column(exact) == [sympy.Rational(8, 15), sympy.Rational(8, 15)]
    assert (
        api_jvp("x*y", "x,y", dir={"x": -1, "y": "a+b"}).parts[0].matrix[0][0]
        == (
            engine.jvp(
                read("x*y", "x,y").functions, None, [-1, make_symbol("a") + make_symbol("b")]
            )
            .parts[0]
            .matrix[0][0]
        )
    )
    with pytest.raises(UsageError, match="dir=: an entry must be"):
        api_jvp("x*y", "x,y", dir=[1, True])
    with pytest.raises(UsageError, match="cot= has 1 entry, but J has 2 rows"):
        api_vjp("x, y", "x,y", cot=[1])


# --------------------------------------------------------------------------- at a point


def test_parameters_of_the_direction_may_be_given_at_the_point() -> None:
    r = api_jvp("x^2 + y, x*y", "x,y", dir="a,b", at="x=1,y=2,a=3,b=-1")
    assert _column(r) == [5, 5] and [sp(e) for e in r.direction] == [3, -1]
    kept = api_jvp("x^2 + y, x*y", "x,y", dir="a,b", at="x=1,y=2")
    a, b = sympy.symbols("a b")
    assert _column(kept) == [2 * a + b, 2 * a + b]


def test_a_kink_is_undefined_only_where_the_direction_crosses_it() -> None:
    p = read("abs(x - y)", "x,y")
    origin = {s: engine.from_sympy(sympy.S(0)) for s in p.variables}
    along = engine.jvp(p.functions, p.variables, [1, 1], point=origin)
    assert along.parts[0].matrix == ((0,),)  # |x − y| is constant along (1, 1)
    with pytest.raises(UndefinedError, match=r"abs\(x - y\) has no derivative where x - y = 0"):
        engine.jvp(p.functions, p.variables, [1, 0], point=origin)
    with pytest.raises(UndefinedError, match="abs"):
        engine.vjp(p.functions, p.variables, [1], point=origin)


def test_values_are_checked_as_eval_checks_them() -> None:
    with pytest.raises(ComplexError):
        api_jvp("sqrt(x)", "x", dir="1", at="x=-1")
    with pytest.raises(UndefinedError):
        api_vjp("x/y, x", "x,y", cot="1,1", at="x=1,y=0")
    with pytest.raises(UsageError, match="at= gives no value for variable y"):
        api_jvp("x*y", "x,y", dir="1,1", at="x=1")


def test_digits_round_like_eval() -> None:
    r = api_jvp("sin(x*y)", "x,y", dir="1,1", at="x=pi/3,y=1", digits=6)
    assert r.digits == 6
    assert close(
        complex(r.parts[0].matrix[0][0]),
        float(sympy.N((1 + sympy.pi / 3) * sympy.cos(sympy.pi / 3))),
        1e-5,
    )


# --------------------------------------------------------------------------- results and formats


def test_the_cost_is_said_and_the_inputs_kept() -> None:
    r = api_jvp("x+y, x*y, x-y", "x,y", dir="1,0")
    (note,) = r.notes
    assert "One JVP" in note and "3×2 J would take 2 JVPs, one per column, or 3 VJPs" in note
    assert r.given == (("direction", r.direction),)
    (part,) = r.parts
    assert (part.key, part.sparse.shape, part.rows, part.columns) == (
        "jvp",
        (3, 1),
        ("f1", "f2", "f3"),
        ("",),
    )
    r2 = api_vjp("x+y, x*y, x-y", "x,y", cot="1,0,0")
    assert "One VJP" in r2.notes[0] and "3 VJPs, one per row, or 2 JVPs" in r2.notes[0]
    (part,) = r2.parts
    assert (part.key, part.sparse.shape, part.rows, part.columns) == (
        "vjp",
        (1, 2),
        ("",),
        ("x", "y"),
    )


@pytest.mark.parametrize(
    "result",
    [
        lambda: api_jvp("x^2 + y, x*y, sin(x)", "x,y", dir="1,-2"),
        lambda: api_jvp("x^2 + y, k*x*y", "x,y", dir="a,b", at="x=1/2,y=2"),
        lambda: api_jvp("exp(x*y)", "x,y", dir="1,1", at="x=1,y=1", digits=8),
        lambda: api_vjp("x^2 + y, x*y, sin(x)", "x,y", cot="1,0,3"),
        lambda: api_vjp("x*y + sin(x), exp(y)/x", "x,y", cot="2,-1", at="x=1,y=2"),
    ],
    ids=["jvp", "jvp-at-symbolic", "jvp-digits", "vjp", "vjp-at"],
)
def test_every_format_reads_back(result: Any) -> None:
    r = result()
    check_json(r)
    check_plain(r)
    check_table(r)
    check_latex(r)


@pytest.mark.parametrize("fmt", ["table", "plain", "latex", "json", "jsonl"])
def test_the_commands_draw_every_format(jac: Any, fmt: str) -> None:
    for args in (
        ["jvp", "x^2+y, x*y", "--vars", "x,y", "--dir", "1,0"],
        ["vjp", "x^2+y, x*y", "--vars", "x,y", "--cot", "a,b", "--at", "x=1,y=2"],
    ):
        run = jac([*args, "--format", fmt])
        assert run.code == 0 and run.stdout.strip(), run.stderr


def test_json_holds_the_answer_and_the_cost(jac: Any) -> None:
    data = jac(
        ["jvp", "x^2+y, x*y", "--vars", "x,y", "--dir", "x=3,y=-1", "--format", "json"]
    ).json()
    assert data["direction"] == ["3", "-1"]
    (part,) = data["matrices"]
    x, y = sympy.symbols("x y")
    assert part["name"] == "jvp" and _read(part["entries"]) == [[6 * x - 1], [3 * y - x]]
    assert "One JVP" in data["notes"][0]
    data = jac(
        [
            "vjp",
            "x^2+y, x*y",
            "--vars",
            "x,y",
            "--cot",
            "1,2",
            "--at",
            "x=1,y=1",
            "--format",
            "json",
        ]
    ).json()
    assert data["point"] == {"x": "1", "y": "1"} and data["cotangent"] == ["1", "2"]
    assert _read(data["matrices"][0]["entries"]) == [[4, 3]]
    assert data["matrices"][0]["values"] == [[4.0, 3.0]]


def _read(entries: list[list[str]]) -> list[list[Any]]:
    """JSON entries read back with jac's parser, as SymPy expressions."""
    return [[sp(e) for e in read(row, ["x", "y"]).functions] for row in entries]


def test_plain_output_is_the_answer_alone_for_pipes(jac: Any) -> None:
    x, y = sympy.symbols("x y")
    run = jac(["jvp", "x^2+y, x*y", "--vars", "x,y", "--dir", "1,0", "--format", "plain"])
    assert _read([line.split("\t") for line in run.stdout.splitlines()]) == [[2 * x], [y]]
    run = jac(["vjp", "x^2+y, x*y", "--vars", "x,y", "--cot", "1,0", "--format", "plain"])
    assert _read([line.split("\t") for line in run.stdout.splitlines()]) == [[2 * x, 1]]


def test_inferred_variables_are_said(jac: Any) -> None:
    run = jac(["jvp", "x*y", "--dir", "1,0", "--format", "json"])
    assert run.code == 0 and "variables in this order: x, y" in run.stderr


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["jvp", "x+y", "--vars", "x,y"], 2, "jvp needs the direction v: --dir 1,0"),
        (["vjp", "x+y", "--vars", "x,y"], 2, "vjp needs the cotangent u: --cot 1,0"),
        (
            ["jvp", "x+y", "--vars", "x,y", "--dir", "1,2,3"],
            2,
            "--dir has 3 entries, but J has 2 columns (x, y)",
        ),
        (
            ["vjp", "x+y, x", "--vars", "x,y", "--cot", "1"],
            2,
            "--cot has 1 entry, but J has 2 rows (f1, f2)",
        ),
        (["jvp", "x+y", "--vars", "x,y", "--dir", "x=1"], 2, "--dir gives no value for y"),
        (
            ["jvp", "x+y", "--vars", "x,y", "--dir", "x=1,y=2,z=3"],
            2,
            "--dir gives z, which is not among J's columns (x, y)",
        ),
        (
            ["vjp", "x+y", "--vars", "x,y", "--cot", "f2=1"],
            2,
            "--cot gives f2, which is not among J's rows (f1)",
        ),
        (["jvp", "x+y", "--vars", "x,y", "--dir", " "], 2, "--dir is empty"),
        (["jvp", "x+y", "--vars", "x,y", "--dir", "1,(2"], 2, "(--dir, column 5)"),
        (["jvp", "x+y", "--vars", "x,y", "--dir", "x=1,x=2"], 2, "'x' is given twice"),
        (
            ["jvp", "W*x", "--vars", "x", "--shape", "W=2x3,x=3", "--dir", "[1,2]"],
            2,
            "--dir has 2 entries, but J has 3 columns",
        ),
        (
            ["jvp", "abs(x)", "--vars", "x", "--dir", "1", "--at", "x=0"],
            1,
            "abs(x) has no derivative where x = 0",
        ),
        (["vjp", "sqrt(x)", "--vars", "x", "--cot", "1", "--at", "x=-1"], 1, "complex"),
    ],
)
def test_bad_input_is_one_clear_line(jac: Any, args: list[str], code: int, message: str) -> None:
    run = jac(args)
    assert run.code == code, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("jac: error:")]
    assert len(errors) == 1 and message in run.stderr, run.stderr


def test_schemas_are_served(jac: Any) -> None:
    for name in ("jvp", "vjp"):
        schema = json.loads(jac(["schema", name]).stdout)
        assert schema["properties"]["command"] == {"const": name}
