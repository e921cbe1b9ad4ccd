"""The layers of a phase portrait (jaccli.render.plot.phase_portrait): the window, the
vector field, the nullclines, trajectories and the equilibria marked by type.

F is evaluated in floating point by the compiled functions of `eval --points`
(jaccli.batch.compute), never from text. Trajectories are integrated by a classical
Runge–Kutta step of our own (SciPy is not a dependency) along dx/ds = F/√(|F|² + c²):
nearly unit speed far from the equilibria, so that fast and slow regions are drawn alike,
and F's own dynamics near them, so that a trajectory comes to rest at a stable one.
Nothing here imports matplotlib: it draws on the axes it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli.errors import UsageError

if TYPE_CHECKING:
    from jaccli.engine import Equilibrium, StabilityResult

Box = tuple[tuple[float, float], tuple[float, float]]  # ((x lo, x hi), (y lo, y hi))

GRID = 21  # arrows of the vector field per side
FINE = 400  # samples per side for the nullclines
SEEDS = 4  # trajectory seeds per side of the window, besides those near equilibria
RINGS = 8  # equilibria (nearest the centre) whose neighbourhoods seed trajectories
RANGE = 2000  # a family's members are looked for among k = -RANGE … RANGE
FEW = 40  # … or, with two integers or a continuum, among -FEW … FEW

# How each kind of equilibrium is marked: (marker, colour, filled).
STYLES = {
    "stable": ("o", "#1a7f37", True),
    "unstable": ("o", "#cf222e", False),
    "saddle": ("X", "#8250df", True),
    "inconclusive": ("$?$", "#57606a", True),
}


def _numpy() -> Any:
    import numpy

    return numpy


# --------------------------------------------------------------------------- equilibria


def parameters(result: StabilityResult) -> set[str]:
    """The symbols of F that are not its variables: no numbers to draw with."""
    free = set().union(*(f.free_symbols for f in result.functions))
    return {str(s) for s in free - set(result.variables)}


_SETS = re.compile(r"([^∈;]+?)\s*∈\s*([ℤℕℝ])")


class Marks(NamedTuple):
    """An equilibrium as drawn: isolated points (a family: its members), or lines."""

    number: int  # from 1, in the order of the result: its marks' ids are equilibrium-<index>
    type: str
    category: str  # a key of STYLES
    integers: tuple[Any, ...]  # the family's integer parameters (k ∈ ℤ)
    reals: tuple[Any, ...]  # its real parameters (a continuum: S ∈ ℝ)
    point: tuple[Any, ...]

    @classmethod
    def of(cls, index: int, equilibrium: Equilibrium) -> Marks:
        free = sorted(
            set().union(*(c.free_symbols for c in equilibrium.point)), key=lambda s: str(s)
        )
        kinds = {
            name.strip(): kind
            for names, kind in _SETS.findall(equilibrium.where)
            for name in names.split(",")
        }
        integers = tuple(s for s in free if kinds.get(str(s), "ℝ") in "ℤℕ")
        reals = tuple(s for s in free if s not in integers)
        category = _category(equilibrium.type, equilibrium.hyperbolic)
        return cls(index, equilibrium.type, category, integers, reals, equilibrium.point)

    def evaluator(self) -> Callable[[Any], Any]:
        """Rows of parameter values (integers, then reals) -> the points, an (N, 2) array
        with NaN where a point is not real; compiled once."""
        np = _numpy()
        if self.integers or self.reals:
            import symengine as se

            compiled = se.Lambdify([*self.integers, *self.reals], list(self.point), real=False)
        else:
            compiled = None

        def at(values: Any) -> Any:
            if compiled is not None:
                point = np.asarray(compiled(values.astype(float)), dtype=complex).reshape(-1, 2)
            else:
                point = np.array([[complex(c) for c in self.point]])
            real = (np.abs(point.imag) <= 1e-9 * (1 + np.abs(point.real))).all(axis=1)
            real &= np.isfinite(point).all(axis=1)
            return np.where(real[:, None], point.real, np.nan)

        return at

    def near_origin(self) -> Any:
        """A few members, to frame a default window: k and S in {-1, 0, 1}."""
        np = _numpy()
        points = self.evaluator()(_rows(np.array([-1.0, 0.0, 1.0]), self.width))
        return points[np.isfinite(points).all(axis=1)]

    @property
    def width(self) -> int:
        return len(self.integers) + len(self.reals)

    def drawn(self, window: Box) -> list[tuple[str, Any]]:
        """(id, points) for each mark inside `window`: a point (a family: each member), or
        a continuum's samples (NaN outside the window)."""
        np = _numpy()
        at, base = self.evaluator(), f"equilibrium-{self.number}"
        if not self.reals:
            wide = len(self.integers) == 1
            ks = np.arange(-RANGE, RANGE + 1) if wide else np.arange(-FEW, FEW + 1)
            rows = _rows(ks.astype(float), len(self.integers))
            points = at(rows)
            inside = np.flatnonzero(_inside(points, window))
            return [(base + self._suffix(rows[i]), points[i : i + 1]) for i in inside]
        (x0, x1), (y0, y1) = window
        far = 4 * max(x1 - x0, y1 - y0, *(abs(v) for v in (x0, x1, y0, y1)))
        count = 8001 if len(self.reals) == 1 else 61
        samples = _rows(np.linspace(-far, far, count), len(self.reals))
        out = []
        for row in _rows(np.arange(-FEW, FEW + 1, dtype=float), len(self.integers)):
            points = at(np.column_stack([np.tile(row, (len(samples), 1)), samples]))
            points[~_inside(points, window)] = np.nan
            if np.isfinite(points).any():
                out.append((base + self._suffix(row), points))
        return out

    def _suffix(self, row: Any) -> str:
        """The member's name in its id: _k_-1 (an id may hold letters, digits, - and _)."""
        values = zip(self.integers, row[: len(self.integers)], strict=True)
        return "".join(f"_{s}_{int(v)}" for s, v in values)


Drawn = Sequence[tuple[Marks, list[tuple[str, Any]]]]  # each equilibrium with its marks


def _rows(values: Any, width: int) -> Any:
    """Every combination of `width` of `values`, one a row: (len(values)**width, width)."""
    np = _numpy()
    grids = np.meshgrid(*([values] * width), indexing="ij")
    return np.column_stack([g.ravel() for g in grids]) if width else np.zeros((1, 0))


def _category(kind: str, hyperbolic: bool) -> str:
    """How the type reads on the picture: proved stable, proved unstable, a saddle, or
    inconclusive (a non-hyperbolic point is still unstable when an eigenvalue has Re > 0)."""
    words = kind.lower()
    if hyperbolic and "saddle" in words:
        return "saddle"
    if hyperbolic and words.startswith("stable"):
        return "stable"
    if words.startswith("unstable") or (hyperbolic and "unstable" in words):
        return "unstable"
    return "inconclusive"


def _inside(points: Any, window: Box) -> Any:
    (x0, x1), (y0, y1) = window
    x, y = points[:, 0], points[:, 1]
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def window(box: Sequence[Sequence[float]] | None, marks: Sequence[Marks]) -> Box:
    """The box given, checked; else the equilibria near the origin with a margin."""
    np = _numpy()
    if box is not None:
        ranges = getattr(box, "bounds", box)  # the stability engine's Box, or the ranges
        try:
            pairs = [tuple(float(v) for v in pair) for pair in ranges]
        except (TypeError, ValueError):
            pairs = []
        if len(pairs) != 2 or any(
            len(p) != 2 or not (np.isfinite(p).all() and p[0] < p[1]) for p in pairs
        ):
            raise UsageError("the window is two ranges (low < high), one for each variable")
        return (pairs[0][0], pairs[0][1]), (pairs[1][0], pairs[1][1])
    lone = np.concatenate([m.near_origin() for m in marks if not m.width] or [np.zeros((0, 2))])
    lone = lone[np.abs(lone).max(axis=1) < 1e6]
    kin = [m.near_origin() for m in marks if m.width]
    members = np.concatenate([p for p in kin if len(p)] or [np.zeros((0, 2))])
    if len(members):  # a family: its members nearest the origin (the pendulum: |θ| ≤ 2π)
        size = np.abs(members).max(axis=1)
        reach = max(float(np.median(size)), *(np.abs(lone).max(axis=1)), 0.0)
        members = members[size <= reach * (1 + 1e-9)]
    points = np.concatenate([lone, members])
    if not len(points):
        points = np.zeros((1, 2))
    low, high = points.min(axis=0), points.max(axis=0)
    centre, half = (low + high) / 2, (high - low) / 2 + max(0.15 * float(np.max(high - low)), 3.0)
    half = np.maximum(half, half.max() / 2)  # at most twice as wide as high, or high as wide
    return (centre[0] - half[0], centre[0] + half[0]), (centre[1] - half[1], centre[1] + half[1])


# --------------------------------------------------------------------------- drawing


class Field(NamedTuple):
    at: Callable[[Any], Any]  # (N, 2) points -> (N, 2) values of F, NaN where undefined
    jacobian: Callable[[Any], Any]  # (N, 2) points -> (N, 4) entries of J, row by row


def field(result: StabilityResult) -> Field:
    from jaccli.batch.lambdify import lambdify
    from jaccli.engine import differentiate

    sparse = differentiate(result.functions, result.variables)
    entries = [e for row in sparse.dense() for e in row]
    return Field(lambdify(result.variables, result.functions), lambdify(result.variables, entries))


def _grid(window: Box, size: int) -> tuple[Any, Any]:
    np = _numpy()
    (x0, x1), (y0, y1) = window
    x, y = np.meshgrid(np.linspace(x0, x1, size), np.linspace(y0, y1, size))
    return x, y


def draw_arrows(ax: Any, field: Field, window: Box) -> None:
    """The direction of F on a grid, every arrow the same length on the page."""
    np = _numpy()
    x, y = _grid(window, GRID)
    values = field.at(np.column_stack([x.ravel(), y.ravel()]))
    (x0, x1), (y0, y1) = window
    # Normalized in page units, so that the axes' different scales do not bend the lengths.
    u, v = values[:, 0] / (x1 - x0), values[:, 1] / (y1 - y0)
    with np.errstate(all="ignore"):
        size = np.hypot(u, v)
        u, v = np.where(size > 0, u / size, 0), np.where(size > 0, v / size, 0)
    step = 0.4 / (GRID - 1)
    ax.quiver(
        x.ravel(),
        y.ravel(),
        u * step * (x1 - x0),
        v * step * (y1 - y0),
        angles="xy",
        scale_units="xy",
        scale=1,
        pivot="mid",
        color="#8c959f",
        width=0.0025,
        headwidth=4,
        headlength=4.5,
        zorder=1,
    )


def draw_nullclines(ax: Any, result: StabilityResult, window: Box) -> None:
    """F_i = 0 as contours of F_i's numerator without repeated factors: a contour finds only
    sign changes, and x² does not change sign on its nullcline x = 0."""
    np = _numpy()
    x, y = _grid(window, FINE)
    points = np.column_stack([x.ravel(), y.ravel()])
    colours = ("#bc4c00", "#0969da")
    for f, variable, colour in zip(result.functions, result.variables, colours, strict=True):
        label = f"{variable}' = 0"
        values = _lambdify_one(result.variables, _zero_set(f))(points).reshape(x.shape)
        finite = values[np.isfinite(values)]
        if len(finite) and finite.min() <= 0 <= finite.max() and finite.max() > finite.min():
            ax.contour(
                x,
                y,
                np.ma.masked_invalid(values),
                levels=[0.0],
                colors=[colour],
                linewidths=1.6,
                linestyles="--",
                zorder=2,
            )
        # The legend's entry, whether or not the nullcline crosses the window.
        ax.plot([], [], color=colour, linestyle="--", linewidth=1.6, label=label)


def _lambdify_one(variables: Sequence[Any], expr: Any) -> Callable[[Any], Any]:
    from jaccli.batch.lambdify import lambdify

    evaluate = lambdify(variables, [expr])
    return lambda points: evaluate(points)[:, 0]


def _zero_set(f: Any) -> Any:
    """An expression that changes sign where f = 0: f's numerator with each factor once."""
    from jaccli.engine import from_sympy, to_sympy

    try:
        import sympy

        numerator = sympy.fraction(sympy.together(to_sympy(f)))[0]
        _, factors = sympy.factor_list(numerator)
        product = sympy.Mul(*(base for base, _ in factors)) if factors else numerator
        return from_sympy(product)
    except Exception:  # SymPy could not factor it: the contour of f itself
        return f


def draw_trajectories(ax: Any, field: Field, window: Box, drawn: Drawn) -> None:
    """Trajectories both ways in time from a grid of seeds and from a ring around each
    equilibrium; at a saddle, from beside it along each eigenvector: its separatrices."""
    np = _numpy()
    (x0, x1), (y0, y1) = window
    scale = np.array([x1 - x0, y1 - y0])
    grid = (np.arange(SEEDS) + 0.5) / SEEDS
    lattice = np.column_stack([grid.repeat(SEEDS), np.tile(grid, SEEDS)])
    forward, backward = (
        [np.array([x0, y0]) + lattice * scale],
        [np.array([x0, y0]) + lattice * scale],
    )
    centre = np.array([x0 + x1, y0 + y1]) / 2
    points = [p[0] for m, marks in drawn if not m.reals for _, p in marks]
    points.sort(key=lambda p: float(np.abs((p - centre) / scale).max()))
    for point in points[:RINGS]:
        jacobian = field.jacobian(point[None, :]).reshape(2, 2)
        if not np.isfinite(jacobian).all():
            continue
        values, vectors = np.linalg.eig(jacobian)
        if np.isreal(values).all() and values.real.min() < 0 < values.real.max():
            for value, vector in zip(values.real, vectors.real.T, strict=True):
                offset = 1e-3 * vector / np.linalg.norm(vector / scale)  # 0.1% of the window
                pair = np.array([point + offset, point - offset])
                (forward if value > 0 else backward).append(pair)
            continue
        angles = np.linspace(0, 2 * np.pi, 4, endpoint=False) + 0.4
        ring = point + 0.12 * scale * np.column_stack([np.cos(angles), np.sin(angles)])
        forward.append(ring)
        backward.append(ring)
    for sign, starts in ((1.0, forward), (-1.0, backward)):
        for path in _integrate(field, np.concatenate(starts), window, sign):
            _draw_path(ax, path if sign > 0 else path[::-1])


def _integrate(field: Field, starts: Any, window: Box, sign: float) -> list[Any]:
    """RK4 along dx/ds = ±F/√(|F|² + c²) from each start, until it leaves the window,
    comes to rest, or has gone four windows' length."""
    np = _numpy()
    (x0, x1), (y0, y1) = window
    scale = np.array([x1 - x0, y1 - y0])
    typical = np.abs(field.at(np.column_stack([*(g.ravel() for g in _grid(window, 9))])) / scale)
    c = float(np.nanmedian(np.hypot(typical[:, 0], typical[:, 1]))) or 1.0
    c = c if np.isfinite(c) else 1.0

    def velocity(p: Any) -> Any:
        value = field.at(p) / scale  # in window units: both axes count alike
        norm = np.sqrt((value**2).sum(axis=1, keepdims=True) + c * c)
        return sign * value / norm

    h = 1 / 250
    state = np.array(starts, dtype=float) / scale
    alive = np.isfinite(state).all(axis=1)
    path = [state.copy()]
    low, high = np.array([x0, y0]) / scale, np.array([x1, y1]) / scale
    margin = 0.02
    with np.errstate(all="ignore"):
        for _ in range(1000):
            p = state * scale
            k1 = velocity(p)
            k2 = velocity(p + 0.5 * h * k1 * scale)
            k3 = velocity(p + 0.5 * h * k2 * scale)
            k4 = velocity(p + h * k3 * scale)
            move = h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
            state = np.where(alive[:, None], state + move, np.nan)
            alive &= np.isfinite(state).all(axis=1)
            alive &= ((state >= low - margin) & (state <= high + margin)).all(axis=1)
            alive &= np.hypot(move[:, 0], move[:, 1]) > 1e-4 * h
            path.append(np.where(alive[:, None], state, np.nan))
            if not alive.any():
                break
    stacked = np.stack(path, axis=1) * scale  # (starts, steps, 2)
    return [row[np.isfinite(row).all(axis=1)] for row in stacked]


def _draw_path(ax: Any, path: Any) -> None:
    if len(path) < 3:
        return
    ax.plot(path[:, 0], path[:, 1], color="#0550ae", linewidth=0.9, alpha=0.75, zorder=3)
    middle = len(path) // 2
    ax.annotate(
        "",
        xy=path[middle + 1],
        xytext=path[middle],
        arrowprops={"arrowstyle": "-|>", "color": "#0550ae", "lw": 0.9, "mutation_scale": 10},
        zorder=3,
    )


def draw_equilibria(ax: Any, drawn: Drawn) -> None:
    """Each equilibrium in the window by its type, with the id equilibrium-<i> (a family's
    member: equilibrium-<i>_k_<value>) so that the SVG says which mark is which; in the
    legend, one entry per kind of mark, naming the types it stands for."""
    labels: dict[str, list[str]] = {}
    for m, _ in drawn:
        kind = f"continuum: {m.type}" if m.reals else m.category
        labels.setdefault(kind, [])
        if m.reals or m.type not in labels[kind]:
            labels[kind][:] = [m.type] if m.reals else [*labels[kind], m.type]
    for m, marks in drawn:
        marker, colour, filled = STYLES[m.category]
        kind = f"continuum: {m.type}" if m.reals else m.category
        for gid, points in marks:
            label = (kind if m.reals else ", ".join(labels[kind])) if kind in labels else None
            labels.pop(kind, None)
            if m.reals:
                (line,) = ax.plot(
                    points[:, 0],
                    points[:, 1],
                    color=colour,
                    linewidth=4 if len(m.reals) == 1 else 0,
                    marker="" if len(m.reals) == 1 else ".",
                    alpha=0.6,
                    label=label,
                )
            else:
                (line,) = ax.plot(
                    points[:, 0],
                    points[:, 1],
                    linestyle="none",
                    marker=marker,
                    markersize=12 if marker == "$?$" else 10,
                    markerfacecolor=colour if filled else "white",
                    markeredgecolor=colour,
                    markeredgewidth=1.8 if not filled else 1.0,
                    label=label,
                    zorder=5,
                )
            line.set_gid(gid)
            line.set_clip_on(bool(m.reals))  # a point on the window's edge is drawn whole
