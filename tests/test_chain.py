"""jac chain: J_{G∘H}(x) = J_G(H(x))·J_H(x), each factor and the product compared with SymPy
(the Jacobians of G, H and G(H(x)) computed there), with finite differences of G(H(x)) and
with hand results; the presets composed with their inverses come out as I symbolically;
the determinants satisfy det J_{G∘H} = det J_G(H)·det J_H; every format reads back as
mathematics; bad input is one line on stderr with the right exit code.
"""

from __future__ import annotations

import importlib
import json
import random
from typing import Any

import pytest
import sympy

import jaccli
from jaccli import engine
from jaccli.engine.presets import PRESETS, read_chain
from jaccli.errors import ShapeError, UndefinedError, UsageError
from jaccli.parse import make_symbol, parse_functions
from tests.numeric import assert_matches_fd, at, close, random_point, sp
from tests.test_readback import check_json, check_latex, check_plain, check_table

chain_module = importlib.import_module("jaccli.engine.chain")

x, y, z, u, v, w = sympy.symbols("x y z u v w")
G_TEXT, H_TEXT = "u*v, u+v", "x^2, sin(y)"  # the example


def example(**options: Any) -> engine.ChainResult:
    return jaccli.chain(G_TEXT, "u,v", of=H_TEXT, of_vars="x,y", **options)


def part(result: engine.ChainResult, key: str) -> sympy.Matrix:
    (found,) = [p for p in result.parts if p.key == key]
    return sympy.Matrix([[sp(e) for e in row] for row in found.matrix])


def reference(g: str, us: str, h: str, xs: str) -> dict[str, sympy.Matrix]:
    """The same matrices by SymPy, from G and H as jac parses them."""
    u_names, x_names = us.split(","), xs.split(",")
    gs = sympy.Matrix([sp(e) for e in parse_functions([g], u_names)])
    hs = sympy.Matrix([sp(e) for e in parse_functions([h], x_names)])
    u_syms = [sympy.Symbol(n) for n in u_names]
    x_syms = [sympy.Symbol(n) for n in x_names]
    sub = dict(zip(u_syms, hs, strict=True))
    outer = gs.jacobian(u_syms)
    composed = gs.xreplace(sub)
    return {
        "outer": outer,
        "outer_at_inner": outer.xreplace(sub),
        "inner": hs.jacobian(x_syms),
        "product": outer.xreplace(sub) * hs.jacobian(x_syms),
        "direct": composed.jacobian(x_syms),
        "composed": composed,
    }


def assert_same(a: sympy.Matrix, b: sympy.Matrix, rng: random.Random | None = None) -> None:
    """Equal entry by entry: symbolically where SymPy can tell, else at random points."""
    assert a.shape == b.shape
    rng = rng or random.Random(3)
    for e, f in zip(a, b, strict=True):
        if sympy.simplify(e - f) == 0:
            continue
        symbols = sorted((e - f).free_symbols, key=str)
        for _ in range(3):
            p = random_point(symbols, rng)
            assert close(at(e, p), at(f, p)), (e, f, p)


# --------------------------------------------------------------------------- the example


def test_each_factor_is_the_hand_computed_one() -> None:
    result = example()
    assert part(result, "outer") == sympy.Matrix([[v, u], [1, 1]])
    assert part(result, "outer_at_inner") == sympy.Matrix([[sympy.sin(y), x**2], [1, 1]])
    assert part(result, "inner") == sympy.Matrix([[2 * x, 0], [0, sympy.cos(y)]])
    expected = sympy.Matrix([[2 * x * sympy.sin(y), x**2 * sympy.cos(y)], [2 * x, sympy.cos(y)]])
    assert (part(result, "product") - expected).applyfunc(sympy.simplify) == sympy.zeros(2, 2)
    assert [sp(f) for f in result.functions] == [x**2 * sympy.sin(y), x**2 + sympy.sin(y)]
    assert [sp(g) for g in result.outer] == [u * v, u + v]
    assert [sp(h) for h in result.inner] == [x**2, sympy.sin(y)]
    assert dict(result.facts)["proof"] == "symbolic"
    assert result.matrix == result.parts[3].matrix  # plain output's answer: the product


def test_the_product_matches_finite_differences_of_the_composition() -> None:
    result = example()
    assert_matches_fd(result.functions, result.variables, result.matrix, domain={})


def test_the_determinants_satisfy_the_product_rule() -> None:
    result = example()
    composed, outer, inner = part(result, "determinants")
    ref = reference(G_TEXT, "u,v", H_TEXT, "x,y")
    assert sympy.simplify(composed - ref["direct"].det()) == 0
    assert sympy.simplify(outer - ref["outer_at_inner"].det()) == 0
    assert sympy.simplify(inner - ref["inner"].det()) == 0
    assert sympy.simplify(composed - outer * inner) == 0
    assert dict(result.facts)["determinants"] == "symbolic"


def test_at_a_point_the_values_are_exact() -> None:
    result = example(at="x=1,y=2")
    ref = reference(G_TEXT, "u,v", H_TEXT, "x,y")
    here = {x: 1, y: 2}
    assert part(result, "inner_value") == sympy.Matrix([1, sympy.sin(2)])
    for key in ("outer_at_inner", "inner", "product"):
        assert (part(result, key) - ref[key].subs(here)).applyfunc(sympy.simplify).is_zero_matrix
    assert [p.key for p in result.parts][:4] == [
        "inner_value",
        "outer_at_inner",
        "inner",
        "product",
    ]
    assert dict(result.facts)["proof"] == "exact at the point"
    rounded = example(at="x=1,y=2", digits=6)
    assert close(part(rounded, "product")[0, 0], 2 * sympy.sin(2), 1e-5)


# --------------------------------------------------------------------------- against SymPy

CASES = [
    # (G, u, H, x): square, (1×3)(3×2), (3×1)(1×2), G's names = H's, a parameter k
    ("u*v, u+v", "u,v", "x^2, sin(y)", "x,y"),
    ("u^2 + v*w", "u,v,w", "x*y, x + y, y^2", "x,y"),
    ("exp(u), u^3, sin(u)", "u", "x*y", "x,y"),
    ("x*cos(y), x*sin(y)", "x,y", "x*cos(y), x*sin(y)", "x,y"),
    ("k*u*v, u/v", "u,v", "x + y, x - y + 3", "x,y"),
    ("sqrt(u^2 + v^2), atan2(v, u)", "u,v", "exp(x)*cos(y), exp(x)*sin(y)", "x,y"),
]


@pytest.mark.parametrize(("g", "us", "h", "xs"), CASES)
def test_every_part_matches_sympy(g: str, us: str, h: str, xs: str) -> None:
    result = jaccli.chain(g, us, of=h, of_vars=xs)
    ref = reference(g, us, h, xs)
    for key in ("outer", "outer_at_inner", "inner", "product"):
        assert_same(part(result, key), ref[key])
    assert_same(part(result, "product"), ref["direct"])
    assert_same(sympy.Matrix([sp(f) for f in result.functions]), ref["composed"])
    m, p, n = len(result.outer), len(result.outer_variables), len(result.variables)
    assert part(result, "outer").shape == (m, p) and part(result, "inner").shape == (p, n)
    assert part(result, "product").shape == (m, n)
    assert any(p.key == "determinants" for p in result.parts) == (m == p == n)


_TERMS = ("{a}*{b}", "sin({a} - {b})", "exp({a})*{b}", "{a}^3", "{a}/(2 + {b}^2)", "tanh({a})")


def random_text(rng: random.Random, m: int, names: list[str]) -> str:
    terms = (
        rng.choice(_TERMS).format(a=rng.choice(names), b=rng.choice(names)) for _ in range(2 * m)
    )
    parts = list(terms)
    return ", ".join(f"{parts[2 * i]} + {parts[2 * i + 1]}" for i in range(m))


@pytest.mark.filterwarnings("ignore:no function depends")  # a variable the draw left out
@pytest.mark.parametrize("seed", range(8))
def test_random_chains_match_the_composition_at_random_points(seed: int) -> None:
    rng = random.Random(seed)
    m, p, n = (rng.randint(1, 3) for _ in range(3))
    us, xs = ["u", "v", "w"][:p], ["x", "y", "z"][:n]
    g, h = random_text(rng, m, us), random_text(rng, p, xs)
    result = jaccli.chain(g, ",".join(us), of=h, of_vars=",".join(xs))
    ref = reference(g, ",".join(us), h, ",".join(xs))
    assert_same(part(result, "product"), ref["direct"], rng)
    assert dict(result.facts)["proof"] != "none"


def test_a_non_square_chain_is_m_by_p_times_p_by_n() -> None:
    result = jaccli.chain("u^2 + v*w", "u,v,w", of="x*y, x + y, y^2", of_vars="x,y")
    shapes = {p.key: p.sparse.shape for p in result.parts}
    assert shapes == {"outer": (1, 3), "outer_at_inner": (1, 3), "inner": (3, 2), "product": (1, 2)}
    assert [p.columns for p in result.parts] == [("u", "v", "w")] * 2 + [("x", "y")] * 2
    assert [p.rows for p in result.parts] == [("g1",), ("g1",), ("h1", "h2", "h3"), ("f1",)]


def test_vector_layers_chain_as_the_scalar_entries() -> None:
    shapes = "W=2x3,h=3,V=3x2,x=2"
    result = jaccli.chain("tanh(W*h)", "h", of="sigmoid(V*x)", of_vars="x", shape=shapes)
    assert [v.name for v in result.outer_variables] == ["h[1]", "h[2]", "h[3]"]
    assert part(result, "product").shape == (2, 2)
    assert_matches_fd(result.functions, result.variables, result.matrix, domain={})
    assert dict(result.facts)["proof"] == "symbolic"


def test_g_and_h_may_share_variable_names() -> None:
    # polar ∘ polar: u = H(x) in one step, so G's r is H's r cos(theta), not r
    result = jaccli.chain("polar", of="polar")
    r, t = sympy.symbols("r theta")
    expected = sympy.Matrix([r * sympy.cos(t), r * sympy.sin(t)])
    composed = expected.xreplace({r: expected[0], t: expected[1]})  # simultaneous
    assert_same(sympy.Matrix([sp(f) for f in result.functions]), composed)
    assert_same(part(result, "product"), composed.jacobian([r, t]))


def test_a_variable_of_g_that_is_a_parameter_of_h_stays_h_s() -> None:
    result = jaccli.chain("u*v", "u,v", of="x*u, y", of_vars="x,y")
    assert [sp(f) for f in result.functions] == [u * x * y]
    assert part(result, "product") == sympy.Matrix([[u * y, u * x]])
    assert any("parameter of H" in note for note in result.notes)


# --------------------------------------------------------------------------- presets

INVERSES = [(p.name, f"{p.name}-inverse") for p in PRESETS if "-" not in p.name]


@pytest.mark.parametrize(("g", "h"), [*INVERSES, *((h, g) for g, h in INVERSES)])
def test_a_preset_after_its_inverse_is_the_identity_symbolically(g: str, h: str) -> None:
    result = jaccli.chain(g, of=h)
    n = len(result.variables)
    assert part(result, "product") == sympy.eye(n)  # exactly I, not merely equal to it
    assert [sp(f) for f in result.functions] == [sp(v) for v in result.variables]
    composed, outer, inner = part(result, "determinants")
    assert composed == 1 and sympy.simplify(outer * inner) == 1
    facts = dict(result.facts)
    assert facts["proof"] == facts["determinants"] == "symbolic"
    assert ("assumptions" in facts) == ("-" not in h)  # a preset's domain, not an inverse's


def test_the_spherical_determinant_is_the_textbook_one() -> None:
    result = jaccli.chain("spherical-inverse", of="spherical")
    r, phi = sympy.symbols("r phi")
    assert part(result, "determinants")[2] == r**2 * sympy.sin(phi)
    assert dict(result.facts)["assumptions"] == "r > 0, 0 < phi < pi, -pi < theta < pi"


def test_preset_variables_can_be_renamed() -> None:
    result = jaccli.chain("u*v", "u,v", of="polar", of_vars="rho,t")
    rho, t = sympy.symbols("rho t")
    assert [sp(f) for f in result.functions] == [rho**2 * sympy.cos(t) * sympy.sin(t)]
    assert dict(result.facts)["assumptions"] == "rho > 0, -pi < t < pi"
    with pytest.raises(UsageError, match="of_vars= names 3 variables, but polar has 2"):
        jaccli.chain("u*v", "u,v", of="polar", of_vars="a,b,c")


def test_a_misspelt_preset_is_named() -> None:
    with pytest.raises(UsageError, match="no preset named polar-inv; did you mean polar-inverse"):
        jaccli.chain("polar", of="polar-inv")


def test_presets_are_read_as_jac_text() -> None:
    for preset in PRESETS:
        inner = ", ".join(["t"] * len(preset.variables))
        problem = read_chain(preset.name, None, inner, "t")
        assert [v.name for v in problem.outer_variables] == list(preset.variables)
        assert problem.outer.parsed[0].line == preset.functions


# --------------------------------------------------------------------------- the proof


def test_a_proof_by_random_points_says_so() -> None:
    import symengine

    s = make_symbol("s")  # sign(s^2) is 1 wherever s ≠ 0: no simplifier can know that
    method = chain_module._prove([("J[1,1]", 2 * s * symengine.sign(s**2), 2 * s)], {}, False)
    assert method.fact == "exact at 5 random points"
    assert "symbolically 0 of 1 entry" in method.detail


def test_exact_values_that_do_not_cancel_are_compared_to_60_digits() -> None:
    a, b = make_symbol("a"), make_symbol("b")
    import symengine

    pairs = [("t", symengine.log(a * b), symengine.log(a) + symengine.log(b))]
    assert chain_module._prove(pairs, {}, False).fact == "60 digits at 5 random points"


def test_a_product_that_differs_is_a_bug_naming_the_entry() -> None:
    a = make_symbol("a")
    with pytest.raises(RuntimeError, match=r"chain rule: J\[2,1\] is .* at a="):
        chain_module._prove([("J[2,1]", a, a + 1)], {}, False)


@pytest.mark.parametrize(
    ("g", "us", "at_point", "expected"),
    [  # at these points an entry only random points prove: the proof must not crash
        ("spherical-inverse", None, "r=1,phi=pi/2,theta=1", sympy.eye(3)),
        # G(spherical) = phi, for 0 < phi < pi
        ("atan2(sqrt(x^2+y^2), z)", "x,y,z", "r=1,phi=pi/2,theta=3", sympy.Matrix([[0, 1, 0]])),
    ],
)
def test_a_proof_at_a_point_by_random_points(
    g: str, us: str | None, at_point: str, expected: sympy.Matrix
) -> None:
    result = jaccli.chain(g, us, of="spherical", at=at_point)
    for found, want in zip(part(result, "product"), expected, strict=True):
        assert close(sympy.N(found, 30), want)
    assert dict(result.facts)["proof"] != "none"


def test_an_entry_absent_from_one_side_is_a_symengine_zero() -> None:
    import symengine

    a = make_symbol("a")
    pairs = [("J[1,1]", symengine.Integer(0), a - a * symengine.sign(a**2))]
    assert chain_module._prove(pairs, {}, False).fact == "exact at 5 random points"
    c = chain_module._Chain((), (), (), (a,), ())
    direct = engine.Sparse((1, 1), (((0, a * symengine.sign(a**2)),),))
    ((_, mine, _),) = chain_module._pairs(c, engine.Sparse((1, 1), ((),)), direct)
    assert isinstance(mine, symengine.Basic) and mine == 0


def test_random_points_stay_inside_the_assumed_intervals() -> None:
    rng = random.Random(1)
    for interval in ((0.0, float("inf")), (0.0, 3.14159), (-3.14159, 3.14159), (0.1, 0.15)):
        for attempt in range(40):
            value = float(chain_module._random_value(rng, interval, attempt))
            assert interval[0] < value < interval[1]


# --------------------------------------------------------------------------- errors


def test_shapes_that_do_not_chain_are_a_shape_error_naming_both() -> None:
    with pytest.raises(ShapeError, match=r"G takes 2 variables \(u, v\) but H has 3 components"):
        jaccli.chain("u*v", "u,v", of="x, y, x*y", of_vars="x,y")


HINT = "{} was read as an expression: did you mean the preset {}?"


@pytest.mark.parametrize(
    ("g", "h", "hint"),
    [
        ("POLAR", "polar-inverse", HINT.format("G", "polar")),
        ("Spherical", "polar", HINT.format("G", "spherical")),
        ("polar", "POLAR-INVERSE", HINT.format("H", "polar-inverse")),
        ("polar", "Polar-Inverse", HINT.format("H", "polar-inverse")),
    ],
)
def test_a_shape_error_names_the_preset_a_name_nearly_is(g: str, h: str, hint: str) -> None:
    with pytest.raises(ShapeError) as raised:
        jaccli.chain(g, of=h)
    assert raised.value.template.endswith(f"; {hint}")


@pytest.mark.filterwarnings("ignore:no function depends")
def test_a_name_far_from_the_presets_gets_no_hint() -> None:
    with pytest.raises(ShapeError) as raised:
        jaccli.chain("u", "u", of="x, y", of_vars="x,y")
    assert "preset" not in raised.value.template
    result = jaccli.chain("POLAR", "POLAR", of="x^2", of_vars="x")  # the shapes fit: no error
    assert part(result, "product") == sympy.Matrix([[2 * x]])


def test_a_parameter_of_g_that_is_a_variable_of_h_is_refused() -> None:
    with pytest.raises(UsageError, match="x is in G but not among its variables"):
        jaccli.chain("u + x", "u", of="x^2", of_vars="x")


@pytest.mark.parametrize(
    ("g", "us", "h", "xs", "point"),
    [  # square, and G has a parameter k that H has not: each determinant gets its own part
        ("k*u", "u", "x", "x", "x=1,k=2"),
        ("k*u*v, u+v", "u,v", "x^2, y", "x,y", "x=1,y=2,k=3"),
    ],
)
def test_a_parameter_of_g_alone_is_given_at_the_point(
    g: str, us: str, h: str, xs: str, point: str
) -> None:
    result = jaccli.chain(g, us, of=h, of_vars=xs, at=point)
    ref = reference(g, us, h, xs)
    here = {
        sympy.Symbol(n): sympy.Rational(v) for n, v in (kv.split("=") for kv in point.split(","))
    }
    for key in ("outer_at_inner", "inner", "product"):
        assert part(result, key) == ref[key].subs(here)
    dets = [ref["direct"].det(), ref["outer_at_inner"].det(), ref["inner"].det()]
    assert list(part(result, "determinants")) == [d.subs(here) for d in dets]


def test_g_as_typed_is_checked_at_h_of_the_point() -> None:
    with pytest.raises(UndefinedError, match="u/u is undefined at u=0"):
        jaccli.chain("u/u", "u", of="x - 1", of_vars="x", at="x=1")


def test_declared_functions_take_their_values_at_the_point() -> None:
    point = "x=0,h(0)=1,h'(0)=2,g'(1)=3"
    result = jaccli.chain("g(u)", "u", of="h(x)", of_vars="x", abstract="g,h", at=point)
    assert part(result, "product") == sympy.Matrix([[6]])  # g'(h(0))·h'(0) = 3·2
    assert list(part(result, "determinants")) == [6, 3, 2]


def test_h_s_warnings_name_h_s_options() -> None:
    with pytest.warns(jaccli.JacWarning, match="no function depends on of_vars= x, z"):
        jaccli.chain("u", "u", of="1", of_vars="x,z")


def test_h_s_errors_name_h_s_options() -> None:
    with pytest.raises(UsageError, match="of_vars="):
        jaccli.chain("u", "u", of="x", of_vars="x,,y")


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    "options",
    [{}, {"at": "x=1,y=2"}, {"at": "x=1/2,y=1", "digits": 5}],
    ids=["symbolic", "at", "digits"],
)
def test_every_format_reads_back(options: dict[str, Any]) -> None:
    result = example(**options)
    for check in (check_table, check_plain, check_latex, check_json):
        check(result)


@pytest.mark.parametrize("preset", ["polar", "spherical-inverse"])
def test_presets_read_back(preset: str) -> None:
    inverse = preset.removesuffix("-inverse") if "-" in preset else f"{preset}-inverse"
    result = jaccli.chain(preset, of=inverse)
    for check in (check_table, check_plain, check_latex, check_json):
        check(result)


ARGS = ["chain", G_TEXT, "--vars", "u,v", "--of", H_TEXT, "--of-vars", "x,y"]


def read_json_matrix(entries: list[list[str]], names: list[str]) -> sympy.Matrix:
    return sympy.Matrix([[sp(parse_functions([e], names)[0]) for e in row] for row in entries])


@pytest.mark.parametrize("at_point", [False, True])
def test_json_holds_every_part(jac: Any, at_point: bool) -> None:
    extra = ["--at", "x=1,y=2"] if at_point else []
    run = jac([*ARGS, *extra, "--format", "json"])
    assert run.code == 0, run.stderr
    data = run.json()
    names = ["u", "v", "x", "y"]
    ref = reference(G_TEXT, "u,v", H_TEXT, "x,y")
    here = {x: 1, y: 2} if at_point else {}
    for matrix in data["matrices"]:
        if matrix["name"] in ref:
            got = read_json_matrix(matrix["entries"], names)
            assert_same(got, ref[matrix["name"]].subs(here))
    assert data["proof"] == ("exact at the point" if at_point else "symbolic")
    assert data["G"] == ["u*v", "u + v"] and data["H"] == ["x**2", "sin(y)"]


def test_plain_output_is_the_product_alone(jac: Any) -> None:
    run = jac([*ARGS, "--format", "plain"])
    rows = [line.split("\t") for line in run.stdout.splitlines()]
    got = sympy.Matrix([[sp(parse_functions([e], ["x", "y"])[0]) for e in row] for row in rows])
    assert_same(got, reference(G_TEXT, "u,v", H_TEXT, "x,y")["direct"])


def test_table_and_latex_show_the_factors_and_the_proof(jac: Any) -> None:
    table = jac([*ARGS, "--format", "table"]).stdout
    for label in ("J_G(u)", "J_G(H(x))", "J_H(x)", "J_G(H(x))·J_H(x)", "det J_G∘H(x)"):
        assert label in table
    assert "Proved symbolically" in table
    latex = jac([*ARGS, "--format", "latex"]).stdout
    assert "J_G(H(x))\\, J_H(x)" in latex and "\\det J_{G \\circ H}(x)" in latex


def test_presets_through_the_command_line(jac: Any) -> None:
    run = jac(["chain", "polar", "--of", "polar-inverse", "--format", "json"])
    data = run.json()
    (product,) = [m for m in data["matrices"] if m["name"] == "product"]
    assert product["entries"] == [["1", "0"], ["0", "1"]]
    assert data["functions"] == ["x", "y"]
    assert jac(["chain", "polar", "--of", "polar-inverse", "--format", "jsonl"]).code == 0


def test_h_from_stdin(jac: Any) -> None:
    run = jac([*ARGS[:5], "-", "--of-vars", "x,y", "--format", "json"], input=H_TEXT + "\n")
    assert run.code == 0, run.stderr
    assert run.json()["H"] == ["x**2", "sin(y)"]
    g_from_stdin = jac(
        ["chain", "-", "--vars", "u,v", *ARGS[4:], "--format", "plain"], input=G_TEXT
    )
    assert g_from_stdin.stdout == jac([*ARGS, "--format", "plain"]).stdout
    both = jac(["chain", "-", "--vars", "u,v", "--of", "-"], input="u*v\n")
    assert both.code == 2 and "stdin is read once" in both.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["chain", "u*v", "--vars", "u,v", "--of", "x, y, x*y", "--of-vars", "x,y"],
            1,
            "G takes 2 variables (u, v) but H has 3 components: J_G(H(x))·J_H(x) would be "
            "(1×2)·(3×2)",
        ),
        (["chain", "u + x", "--vars", "u", "--of", "x^2", "--of-vars", "x"], 2, "add x to --vars"),
        (["chain", "u", "--vars", "u"], 2, "give it with --of"),
        (["chain", "u", "--vars", "u", "--of", "x^^2"], 2, "(--of, column 3)"),
        (
            ["chain", "u", "--vars", "u", "--of", "x", "--of-vars", "x,,y"],
            2,
            "(--of-vars, column 3)",
        ),
        (["chain", "polr", "--of", "polar-inverse"], 2, "did you mean polar?"),
        (["chain", "POLAR", "--of", "polar-inverse"], 1, "did you mean the preset polar?"),
        (
            ["chain", "u", "--vars", "u", "--of", "1/x", "--of-vars", "x", "--at", "x=0"],
            1,
            "1/x is undefined at x=0 (division by zero) (--of, column 3)",
        ),
        (
            ["chain", "u/u", "--vars", "u", "--of", "x-1", "--of-vars", "x", "--at", "x=1"],
            1,
            "u/u is undefined at u=0",
        ),
    ],
)
def test_bad_input_is_one_message(jac: Any, args: list[str], code: int, message: str) -> None:
    run = jac(args)
    assert run.code == code, run.stderr
    assert message in run.stderr
    assert run.stdout == ""


def test_inferred_variables_are_named_with_their_options(jac: Any) -> None:
    run = jac(["chain", G_TEXT, "--of", H_TEXT, "--format", "json"])
    assert "variables of G in this order: u, v (choose with --vars)" in run.stderr
    assert "variables of H in this order: x, y (choose with --of-vars)" in run.stderr
    assert json.loads(run.stdout)["variables"] == ["x", "y"]


def test_big_chains_are_left_unsimplified_by_default() -> None:
    shapes = "W=8x8,h=8,V=8x8,x=8"
    result = jaccli.chain("tanh(W*h)", "h", of="tanh(V*x)", of_vars="x", shape=shapes)
    assert any(note.startswith("Entries are as differentiated") for note in result.notes)
    assert not any(p.key == "determinants" for p in result.parts)  # 8×8: too big to show
