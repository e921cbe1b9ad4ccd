"""Pictures: the phase portrait (stability --plot) and the spy plot (sparsity --plot).

The SVGs are read as XML: every equilibrium in the window must be marked once, with its
id (a family: once per member inside the window, counted independently here), and the
legend must name each type drawn. The trajectories are checked as mathematics: they stay
on the exact orbits of systems whose orbits are known.
"""

from __future__ import annotations

import math
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import symengine as se

from jaccli.engine import Equilibrium, Sparse, SparsityResult, StabilityResult, differentiate
from jaccli.engine.sparsity import sparsity
from jaccli.engine.stability import stability
from jaccli.errors import UsageError
from jaccli.parse import parse_functions
from jaccli.render import plot_phase
from jaccli.render.plot import check_picture, phase_portrait, spy

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


needs_matplotlib = pytest.mark.skipif(not _has_matplotlib(), reason="matplotlib is not installed")


def _system(texts: list[str], names: list[str]) -> StabilityResult:
    return stability(parse_functions(texts, names), [se.Symbol(n) for n in names])


def _by_hand(
    texts: list[str], names: list[str], equilibria: list[tuple[tuple[str, ...], str, str, bool]]
) -> StabilityResult:
    """A StabilityResult with the equilibria given (point, where, type, hyperbolic)."""
    functions = parse_functions(texts, names)
    variables = [se.Symbol(n) for n in names]
    jacobian = differentiate(functions, variables)
    built = []
    for point, where, kind, hyperbolic in equilibria:
        at = tuple(se.sympify(c) for c in point)
        sparse = jacobian.mapped(lambda e, at=at: e.subs(dict(zip(variables, at, strict=True))))
        built.append(Equilibrium(at, where, sparse, (), kind, hyperbolic, "exact", se.Integer(0)))
    return StabilityResult(
        functions=tuple(functions),
        variables=tuple(variables),
        equilibria=tuple(built),
        status="complete",
        reason="given",
    )


def _svg(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def _ids(root: ET.Element, prefix: str = "equilibrium-") -> list[str]:
    return [e.get("id", "") for e in root.iter() if e.get("id", "").startswith(prefix)]


def _texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()).strip() for e in root.iter(f"{SVG}text")]


def _expected_ids(result: StabilityResult, box: Any) -> list[str]:
    """Each equilibrium's marks inside `box`, found by substituting members one by one."""
    (x0, x1), (y0, y1) = box
    ids = []
    for number, e in enumerate(result.equilibria, 1):
        free = sorted(set().union(*(c.free_symbols for c in e.point)), key=str)
        assert len(free) <= 1, "these tests use families with one integer"
        values = range(-50, 51) if free else [0]
        for k in values:
            x, y = (float(c.subs(dict.fromkeys(free, k))) for c in e.point)
            if x0 <= x <= x1 and y0 <= y <= y1:
                suffix = f"_{free[0]}_{k}" if free else ""
                ids.append(f"equilibrium-{number}{suffix}")
    return ids


# --------------------------------------------------------------------------- phase portraits


@needs_matplotlib
def test_lotka_volterra_marks_both_equilibria_with_their_types(tmp_path: Path) -> None:
    result = _system(["x - x*y", "-y + x*y"], ["x", "y"])
    path = tmp_path / "lv.svg"
    phase_portrait(result, path)
    root = _svg(path)
    assert sorted(_ids(root)) == ["equilibrium-1", "equilibrium-2"]
    texts = _texts(root)
    types = {e.type for e in result.equilibria}
    kinds = {plot_phase._category(e.type, e.hyperbolic) for e in result.equilibria}
    assert kinds == {"saddle", "inconclusive"}
    for label in [*types, "x' = 0", "y' = 0"]:
        assert label in texts, (label, texts)
    for gid in _ids(root):  # each id is a drawn mark, not an empty group
        group = next(e for e in root.iter() if e.get("id") == gid)
        assert any(child.tag in (f"{SVG}use", f"{SVG}path") for child in group.iter())


@needs_matplotlib
def test_pendulum_families_mark_every_member_inside_the_box(tmp_path: Path) -> None:
    result = _system(["w", "-sin(t) - w/2"], ["t", "w"])
    assert result.status == "families"
    box = ((-7.0, 7.0), (-3.0, 3.0))
    path = tmp_path / "pendulum.svg"
    phase_portrait(result, path, box=box)
    ids = _ids(_svg(path))
    expected = _expected_ids(result, box)
    assert len(expected) == 5  # 0 and ±2π stable, ±π saddles
    assert sorted(ids) == sorted(expected)
    assert len(set(ids)) == len(ids)


@needs_matplotlib
def test_default_window_frames_every_isolated_equilibrium(tmp_path: Path) -> None:
    # No exact solution: the numeric equilibria are the ones drawn (status incomplete).
    result = _system(["x^2 + y^2 - 4", "x - y^3 + exp(x)/5"], ["x", "y"])
    assert result.status == "incomplete" and len(result.equilibria) == 2
    path = tmp_path / "numeric.svg"
    phase_portrait(result, path)
    root = _svg(path)
    assert sorted(_ids(root)) == ["equilibrium-1", "equilibrium-2"]
    assert any("could not prove that there are no others" in t for t in _texts(root))


@needs_matplotlib
def test_each_kind_of_equilibrium_has_its_legend_entry(tmp_path: Path) -> None:
    kinds = [
        (("-2", "0"), "", "stable node", True),
        (("2", "0"), "", "unstable focus", True),
        (("0", "0"), "", "saddle", True),
        (("0", "2"), "", "linearization inconclusive", False),
        (("x", "-2"), "x ∈ ℝ", "linearization inconclusive", False),  # a line of them
    ]
    result = _by_hand(["x*y", "y"], ["x", "y"], kinds)
    path = tmp_path / "kinds.svg"
    phase_portrait(result, path, box=((-3, 3), (-3, 3)))
    root = _svg(path)
    assert sorted(_ids(root)) == [f"equilibrium-{i}" for i in range(1, 6)]
    texts = _texts(root)
    for label in ("stable node", "unstable focus", "saddle", "linearization inconclusive"):
        assert label in texts, (label, texts)
    assert "continuum: linearization inconclusive" in texts


@pytest.mark.parametrize(
    ("kind", "hyperbolic", "category"),
    [
        ("stable node", True, "stable"),
        ("stable focus", True, "stable"),
        ("unstable node", True, "unstable"),
        ("unstable focus", True, "unstable"),
        ("saddle", True, "saddle"),
        ("saddle-focus", True, "saddle"),
        ("unstable (non-hyperbolic)", False, "unstable"),  # proved by Re λ > 0
        ("unstable", False, "unstable"),
        ("linearization inconclusive", False, "inconclusive"),
        ("depends on parameters", False, "inconclusive"),
    ],
)
def test_types_are_drawn_as_what_they_prove(kind: str, hyperbolic: bool, category: str) -> None:
    assert plot_phase._category(kind, hyperbolic) == category


@needs_matplotlib
def test_png_and_reproducible_svg(tmp_path: Path) -> None:
    result = _system(["y", "(1 - x^2)*y - x"], ["x", "y"])
    phase_portrait(result, tmp_path / "vdp.png")
    assert (tmp_path / "vdp.png").read_bytes()[:8] == PNG_SIGNATURE
    phase_portrait(result, tmp_path / "a.svg")
    phase_portrait(result, tmp_path / "b.svg")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_a_phase_portrait_needs_two_variables(tmp_path: Path) -> None:
    result = _by_hand(["x", "y", "z"], ["x", "y", "z"], [])
    with pytest.raises(UsageError, match="a phase portrait needs 2 variables; F has 3"):
        phase_portrait(result, tmp_path / "p.svg")


def test_parameters_and_bad_files_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"SVG or PNG.*\.svg or \*\.png"):
        check_picture(tmp_path / "p.PDF")
    check_picture(tmp_path / "p.SVG")
    with pytest.raises(UsageError, match=r"SVG or PNG.*\.svg or \*\.png"):
        phase_portrait(_by_hand(["y", "-x"], ["x", "y"], []), tmp_path / "p.pdf")
    with pytest.raises(UsageError, match="parameters b"):
        phase_portrait(_by_hand(["y", "-x - b*y"], ["x", "y"], []), tmp_path / "p.svg")
    with pytest.raises(UsageError, match="two ranges"):
        phase_portrait(_by_hand(["y", "-x"], ["x", "y"], []), tmp_path / "p.svg", box=[(1, 0)])


def test_missing_matplotlib_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` fails
    with pytest.raises(UsageError, match=r"pip install 'jaccli\[plot\]'"):
        check_picture(tmp_path / "p.svg")  # before any work, as the commands ask
    with pytest.raises(UsageError, match=r"pip install 'jaccli\[plot\]'"):
        phase_portrait(_by_hand(["y", "-x"], ["x", "y"], []), tmp_path / "p.svg")
    pattern = sparsity(parse_functions(["x*y", "y"], ["x", "y"]))
    with pytest.raises(UsageError, match=r"pip install 'jaccli\[plot\]'"):
        spy(pattern, tmp_path / "s.png")
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- the mathematics


def _field(texts: list[str]) -> plot_phase.Field:
    return plot_phase.field(_by_hand(texts, ["x", "y"], []))


def test_trajectories_stay_on_the_exact_orbits() -> None:
    import numpy as np

    box = ((-2.0, 2.0), (-2.0, 2.0))
    # x' = -x, y' = -2y: the orbits are y = c x², and the flow comes to rest at 0.
    starts = np.array([[1.5, 1.0], [-1.0, 0.5], [0.5, -1.5]])
    for path, (x, y) in zip(
        plot_phase._integrate(_field(["-x", "-2*y"]), starts, box, 1.0), starts, strict=True
    ):
        c = y / x**2
        assert np.abs(path[:, 1] - c * path[:, 0] ** 2).max() < 1e-6
        assert np.hypot(*path[-1]) < 1e-2  # at rest near the stable node
    # x' = y, y' = -x both ways in time: circles, radius kept.
    for sign in (1.0, -1.0):
        (path,) = plot_phase._integrate(_field(["y", "-x"]), np.array([[1.0, 0.0]]), box, sign)
        assert np.abs(np.hypot(path[:, 0], path[:, 1]) - 1).max() < 1e-6
        # forward is clockwise for this centre: y decreases first
        assert (path[1, 1] < 0) == (sign > 0)


def test_the_nullcline_is_where_f_vanishes_even_without_a_sign_change() -> None:
    import numpy as np

    x, y = se.symbols("x y")
    # f = x²(y − 1)/(x + 3) vanishes on x = 0 (no sign change) and y = 1.
    f = x**2 * (y - 1) / (x + 3)
    zero = plot_phase._zero_set(f)
    for px in (-0.5, 0.2, 1.7):
        for py in (-1.0, 0.5, 2.5):
            assert math.copysign(1, float(zero.subs({x: px, y: py}))) * math.copysign(
                1, float(f.subs({x: px, y: py}))
            ) in (1, -1)
    assert zero.subs({x: 0}) == 0 and zero.subs({y: 1}) == 0
    signs = [float(zero.subs({x: v, y: 2})) for v in (-0.1, 0.1)]
    assert np.sign(signs[0]) != np.sign(signs[1])  # a contour finds x = 0


# --------------------------------------------------------------------------- spy plots


@needs_matplotlib
def test_spy_marks_every_entry(tmp_path: Path) -> None:
    texts = ["x*y", "y + z", "z^2", "x + w", "w*z"]
    result = sparsity(parse_functions(texts, ["x", "y", "z", "w"]))
    path = tmp_path / "spy.svg"
    spy(result, path)
    root = _svg(path)
    (group,) = (e for e in root.iter() if e.get("id") == "entries")
    assert len(list(group.iter(f"{SVG}use"))) == result.nnz == 9
    texts_drawn = _texts(root)
    assert "nnz = 9, density = 45%" in texts_drawn
    assert "1" in texts_drawn and "0" not in texts_drawn  # ticks from 1
    spy(result, tmp_path / "spy.png")
    assert (tmp_path / "spy.png").read_bytes()[:8] == PNG_SIGNATURE


@needs_matplotlib
def test_spy_of_a_big_system_is_rasterized(tmp_path: Path) -> None:
    n = 3000
    rows = tuple(
        tuple((j, se.Integer(1)) for j in (i - 1, i, i + 1) if 0 <= j < n) for i in range(n)
    )
    pattern = Sparse((n, n), rows)
    nnz = sum(len(r) for r in rows)
    result = SparsityResult(
        functions=(),
        variables=(),
        pattern=pattern,
        nnz=nnz,
        bandwidth=(1, 1),
        structural_rank=n,
        column_colors=(),
        row_colors=(),
    )
    path = tmp_path / "big.svg"
    spy(result, path)
    root = _svg(path)
    assert f"nnz = {nnz}, density = 0.1%" in _texts(root)
    assert path.stat().st_size < 300_000  # an image, not 9000 marks
    assert root.find(f".//{SVG}image") is not None


@needs_matplotlib
def test_sparsity_plot_from_the_command_line(jac: Any, tmp_path: Path) -> None:
    path = tmp_path / "pattern.svg"
    run = jac(["sparsity", "x*y, y+z, z^2", "--vars", "x,y,z", "--plot", str(path)])
    assert run.code == 0, run.stderr
    (group,) = (e for e in _svg(path).iter() if e.get("id") == "entries")
    assert len(list(group.iter(f"{SVG}use"))) == 5


@needs_matplotlib
def test_stability_plot_from_the_command_line(jac: Any, tmp_path: Path) -> None:
    path = tmp_path / "portrait.svg"
    run = jac(["stability", "x - x*y, -y + x*y", "--vars", "x,y", "--plot", str(path)])
    assert run.code == 0, run.stderr
    assert sorted(_ids(_svg(path))) == ["equilibrium-1", "equilibrium-2"]
    run = jac(["stability", "x, y, z", "--vars", "x,y,z", "--plot", str(tmp_path / "p.svg")])
    assert run.code == 2 and "needs 2 variables; F has 3" in run.stderr
