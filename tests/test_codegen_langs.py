"""`jac codegen` for NumPy, JAX, Julia and MATLAB, against `jac eval --points`.

Each case is generated, run on random and hostile points (zero denominators, kinks of abs
and sign, cbrt(-8), log 0, sqrt of negatives, reserved names, a constant row, a sparse J,
parameters) and compared with what `jac eval --points --format csv` says there: NaN exactly
where jac has nan, else equal to 1e-12. JAX runs in one subprocess for every case (once
loaded it warns at each fork, and jac's budget forks), under jax_enable_x64, plain and
jitted; MATLAB in one octave-cli call; Julia is not installable here, so its files are
checked without running them. Golden files: set JAC_UPDATE_GOLDEN=1 to rewrite them.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import itertools
import json
import math
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from jaccli.codegen import generate
from jaccli.codegen.plan import Plan, build
from jaccli.errors import UsageError
from jaccli.functions import CATALOGUE, symengine_functions
from jaccli.problem import read
from tests.conftest import invoke

GOLDEN = Path(__file__).parent / "golden" / "codegen"
LANGS = ("numpy", "jax", "julia", "matlab")
EXTENSIONS = {"numpy": ".numpy.py", "jax": ".jax.py", "julia": ".jl", "matlab": ".m"}


class Case(NamedTuple):
    functions: str
    variables: str
    what: str = "jacobian"
    layout: str = "auto"
    shapes: str | None = None
    hostile: tuple[dict[str, float], ...] = ()


_CHAIN = (
    ", ".join(f"x{i - 1}*x{i} - sin(x{i + 1})" if i != 5 else "x4/x5 + x6^2" for i in range(1, 11))
    .replace("x0*", "2*")
    .replace("sin(x11)", "x1")
)

CASES: dict[str, Case] = {
    "arm": Case(
        "l1*cos(q1) + l2*cos(q1 + q2), l1*sin(q1) + l2*sin(q1 + q2)",
        "q1,q2",
        "both",
        hostile=({"q1": 0.0, "q2": 0.0, "l1": 0.0, "l2": 0.0},),
    ),
    "hostile": Case(
        "x/y + abs(x - 1), sign(x)*y, cbrt(x), log(x) + sqrt(y), atan2(y, x), "
        "pi*x^(2/3) + E*log10(x), x^y, x/x",
        "x,y",
        "both",
        hostile=(
            {"x": 0.0, "y": 0.0},
            {"x": -8.0, "y": 1.0},
            {"x": 1.0, "y": 0.0},
            {"x": 0.0, "y": 1.0},
            {"x": 1.0, "y": -1.0},
            {"x": -1.0, "y": -4.0},
            {"x": 2.0, "y": 0.5},
        ),
    ),
    "names": Case(
        "lambda*end + function^2 + J/N, numpy*int - shape*x0",
        "lambda,end,function,J,N",
        hostile=({"N": 0.0}, {"lambda": 0.0, "end": 0.0}),
    ),
    "constant": Case("2*x + 3*y, x*y, 7, x/3 + 2*y/7", "x,y", "both", hostile=({"x": 0.0},)),
    "sparse": Case(
        _CHAIN,
        ",".join(f"x{i}" for i in range(1, 11)),
        "both",
        "sparse",
        hostile=({"x5": 0.0}, {"x4": 0.0, "x5": 0.0}),
    ),
    "functions": Case(
        "sin(x), cos(x), tan(x), cot(x), sec(x), csc(x), asin(x), acos(x), atan(x), "
        "atan2(y, x), sinh(x), cosh(x), tanh(x), asinh(x), acosh(y), atanh(x), exp(x), "
        "log(x), ln(y), log(x, y), sqrt(x), cbrt(y), abs(x), sign(x), sigmoid(x), "
        "softplus(y), relu(x), log10(y), max(x, y), min(x, y), erf(x), sec(x)^(1/2)",
        "x,y",
        "both",
        hostile=(
            {"x": 0.0, "y": 0.0},
            {"x": 1.0, "y": 1.0},
            {"x": -1.0, "y": 1.0},
            {"x": 2.0, "y": -2.0},
            {"x": 0.5, "y": 0.5},
            {"x": 3.0, "y": 3.0},
        ),
    ),
    # complex constants (NaN), 0^x (its derivative has log 0), a constant below the doubles
    # (0, as jac eval's), and NaN or infinite inputs (jac eval's row rule). 1e400*x: the code
    # makes the entries that overflow NaN, jac eval the row (the header says so)
    "specials": Case(
        "log(-2)*x + y, (-8)^(1/3)*x, acosh(0)*y, 0^x + y, x*y + 1e-400, x*y, "
        "sqrt(x) + y, log(x)*y",
        "x,y",
        "both",
        hostile=(
            {"x": math.nan, "y": 1.0},
            {"x": math.inf, "y": 1.0},
            {"x": -math.inf, "y": 2.0},
            {"x": 1.0, "y": math.nan},
            {"x": 0.0, "y": 0.0},
            {"x": math.inf, "y": math.inf},
        ),
    ),
    "value": Case(
        "log(x) + y, x/y, softplus(x)",
        "x,y",
        "value",
        hostile=({"x": 0.0, "y": 1.0}, {"x": 1.0, "y": 0.0}, {"x": -1.0, "y": 1.0}),
    ),
    "vectors": Case(
        "sigmoid(W*x + b)",
        "x",
        "both",
        shapes="W=2x2,x=2,b=2",
        hostile=({"x[1]": 0.0, "x[2]": 0.0},),
    ),
}
GOLDEN_CASES = ("arm", "hostile", "names", "constant", "sparse")


def _problem(case: Case) -> Any:
    return read(case.functions, case.variables, shapes=case.shapes)


def _command(name: str, case: Case, lang: str) -> str:
    args = ["jac", "codegen", case.functions, "--vars", case.variables]
    args += ["--shape", case.shapes] if case.shapes else []
    args += ["--lang", lang, "--what", case.what, "--layout", case.layout, "--name", name]
    return shlex.join(args)


@functools.cache
def _code(name: str, lang: str) -> str:
    case = CASES[name]
    function = f"f_{name}"
    return generate(
        _problem(case), lang, case.what, function, case.layout, _command(function, case, lang)
    )


@functools.cache
def _plan(name: str) -> Plan:
    case = CASES[name]
    return build(_problem(case), lang="numpy", what=case.what, name=f"f_{name}", layout=case.layout)


@functools.cache
def _points(name: str) -> list[list[float]]:
    """Random points in (-2, 2), then the case's hostile ones; one value per plan input."""
    plan, case = _plan(name), CASES[name]
    rng = random.Random(name)
    points = [[rng.uniform(-2, 2) for _ in plan.inputs] for _ in range(25)]
    for hostile in case.hostile:
        base = [rng.uniform(0.5, 1.5) for _ in plan.inputs]
        points.append([hostile.get(i.name, v) for i, v in zip(plan.inputs, base, strict=True)])
    return points


@functools.cache
def _expected(name: str) -> list[list[float]]:
    """jac eval --points at every point: per point F (if asked for), then the stored J cells."""
    plan, case = _plan(name), CASES[name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([i.name for i in plan.inputs])
    writer.writerows([[repr(v) for v in p] for p in _points(name)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.csv"
        path.write_text(buffer.getvalue())
        args = ["eval", case.functions, "--vars", case.variables, "--points", str(path)]
        args += ["--format", "csv", "--with-value"]
        run = invoke(args + (["--shape", case.shapes] if case.shapes else []))
    assert run.code == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout)))[1:]
    k, m, n = len(plan.inputs), plan.m, plan.n
    cells = [i * n + j for i, j in plan.cells()]
    return [
        [float(v) for v in r[k : k + m]] * (case.what != "jacobian")
        + [float(r[k + m + c]) for c in cells] * (case.what != "value")
        for r in rows
    ]


def _flat(plan: Plan, outputs: Any) -> list[list[float]]:
    """NumPy/JAX results (F, J or both; J dense or sparse) as per-point rows like _expected."""
    import numpy as np

    arrays = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    parts = []
    for block, array in zip(plan.blocks(), arrays, strict=True):
        a = np.asarray(array, dtype=float)
        a = a.reshape(a.shape[0], -1)
        if block == "jacobian" and plan.layout == "dense":
            a = a[:, [i * plan.n + j for i, j in plan.cells()]]
        parts.append(a)
    return np.concatenate(parts, axis=1).tolist()  # type: ignore[no-any-return]


def assert_agrees(ours: list[list[float]], theirs: list[list[float]], label: str) -> None:
    assert len(ours) == len(theirs), label
    for p, (mine, jacs) in enumerate(zip(ours, theirs, strict=True)):
        assert len(mine) == len(jacs), label
        for k, (a, b) in enumerate(zip(mine, jacs, strict=True)):
            where = f"{label}: point {p}, output {k}: generated {a!r}, jac eval {b!r}"
            if math.isnan(b):
                assert math.isnan(a), where
            else:
                assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), where


def _load(tmp_path: Path, name: str, lang: str) -> Any:
    path = tmp_path / f"gen_{name}_{lang}.py"
    path.write_text(_code(name, lang))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- NumPy


def _arrays(name: str) -> list[Any]:
    """The points as the generated functions take them: x (N×n), then p (N×k) if any."""
    import numpy as np

    points = np.array(_points(name))
    n = sum(1 for i in _plan(name).inputs if i.array == "x")
    return [points[:, :n]] + ([points[:, n:]] if points.shape[1] > n else [])


@pytest.mark.parametrize("name", CASES)
def test_numpy_agrees_with_jac_eval(tmp_path: Path, name: str) -> None:
    import numpy as np

    plan = _plan(name)
    function = getattr(_load(tmp_path, name, "numpy"), f"f_{name}")
    expected = _expected(name)
    assert_agrees(_flat(plan, function(*_arrays(name))), expected, f"numpy {name}")
    # One point as lists of Python floats: F is (m,), J (m, n) or (nnz,); the same numbers.
    first = function(*[a[0].tolist() for a in _arrays(name)])
    shapes = {"value": (plan.m,), "jacobian": (plan.m, plan.n)}
    if plan.layout == "sparse":
        shapes["jacobian"] = (plan.slots("jacobian"),)
    arrays = first if plan.what == "both" else (first,)
    assert [np.shape(a) for a in arrays] == [shapes[b] for b in plan.blocks()]
    one = [np.asarray(a)[None] for a in arrays]
    assert_agrees(_flat(plan, one), expected[:1], f"numpy {name}, one point")


def test_numpy_broadcasts_a_constant_entry_and_leading_axes(tmp_path: Path) -> None:
    import numpy as np

    function = _load(tmp_path, "constant", "numpy").f_constant
    points = np.random.default_rng(1).uniform(-1, 1, (2, 3, 2))  # a 2×3 grid of points
    value, jacobian = function(points)
    assert value.shape == (2, 3, 4) and jacobian.shape == (2, 3, 4, 2)
    assert (jacobian[..., 0, :] == [2.0, 3.0]).all() and (value[..., 2] == 7).all()
    assert (jacobian[..., 2, :] == 0).all()
    assert jacobian.dtype == np.float64
    arm = _load(tmp_path, "arm", "numpy").f_arm
    value, jacobian = arm(np.zeros((5, 2)), [1.0, 2.0])  # one p for five points
    assert value.shape == (5, 2) and jacobian.shape == (5, 2, 2)
    with pytest.raises(ValueError, match="x"):
        arm([1.0, 2.0, 3.0], [1.0, 2.0])


def test_sparse_indices_are_the_plans_cells(tmp_path: Path) -> None:
    module = _load(tmp_path, "sparse", "numpy")
    plan = _plan("sparse")
    assert list(zip(module.ROWS, module.COLS, strict=True)) == list(plan.cells())
    julia = _code("sparse", "julia")
    rows = re.search(r"const f_sparse_rows = Int\[(.*)\]", julia)
    assert rows is not None
    assert [int(r) - 1 for r in rows.group(1).split(", ")] == [r for r, _ in plan.cells()]


# --------------------------------------------------------------------------- JAX

_JAX_SCRIPT = """
import importlib.util, json, sys
import jax, jax.numpy as jnp
jax.config.update("jax_enable_x64", True)
def listed(result):
    arrays = result if isinstance(result, tuple) else (result,)
    return [jnp.asarray(a).tolist() for a in arrays]
out = []
for path, name, arrays, eager in json.load(sys.stdin):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function = getattr(module, name)
    args = [jnp.asarray(a) for a in arrays]
    done = {"jit": listed(jax.jit(function)(*args))}
    if eager:  # op by op, and one point as plain floats
        plain = function(*args)
        done["plain"] = listed(plain)
        done["dtype"] = str((plain[0] if isinstance(plain, tuple) else plain).dtype)
        scalar = listed(function(*[a[0] for a in arrays]))
        done["shapes"] = [list(jnp.shape(jnp.asarray(a))) for a in scalar]
    out.append(done)
print(json.dumps(out))
"""
EAGER = ("arm", "constant", "sparse")  # op by op, JAX compiles each operation: 2-8 s a case


def test_jax_agrees_with_jac_eval_jitted_and_plain(tmp_path: Path) -> None:
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed: pip install 'jax[cpu]' (the test extras have it)")
    jobs = []
    for name in CASES:
        path = tmp_path / f"gen_{name}_jax.py"
        path.write_text(_code(name, "jax"))
        arrays = [a.tolist() for a in _arrays(name)]
        jobs.append([str(path), f"f_{name}", arrays, name in EAGER])
    done = subprocess.run(
        [sys.executable, "-c", _JAX_SCRIPT],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        env={**os.environ, "JAX_PLATFORMS": "cpu"},
    )
    assert done.returncode == 0, done.stderr
    for name, found in zip(CASES, json.loads(done.stdout), strict=True):
        plan, expected = _plan(name), _expected(name)
        assert_agrees(_flat(plan, found["jit"]), expected, f"jax.jit {name}")
        if name not in EAGER:
            continue
        assert_agrees(_flat(plan, found["plain"]), expected, f"jax {name}")
        assert found["dtype"] == "float64"
        sizes = {"value": [plan.m], "jacobian": [plan.m, plan.n]}
        if plan.layout == "sparse":
            sizes["jacobian"] = [plan.slots("jacobian")]
        assert found["shapes"] == [sizes[b] for b in plan.blocks()]


def test_jax_module_leaves_x64_alone() -> None:
    code = _code("arm", "jax")
    assert "enable jax_enable_x64 for double precision" in code
    assert "config.update" not in code.split("import jax.numpy")[1]


# --------------------------------------------------------------------------- MATLAB (Octave)

_OCTAVE_CASE = """
X = dlmread('{name}.in');
[{outs}] = f_{name}({args});
N = size(X, 1);
flat = [];
{flatten}
dlmwrite('{name}.out', flat, 'precision', '%.17g');
[{outs}] = f_{name}({one});  % one point, as columns
dlmwrite('{name}.size', size({last}));
"""


def test_matlab_agrees_with_jac_eval_in_octave(tmp_path: Path) -> None:
    octave = shutil.which("octave-cli")
    if octave is None:
        pytest.skip("octave-cli is not installed (Debian package octave; tests/tools/install.sh)")
    script = []
    for name in CASES:
        plan = _plan(name)
        (tmp_path / f"f_{name}.m").write_text(_code(name, "matlab"))
        (tmp_path / f"{name}.in").write_text(
            "\n".join(",".join(repr(v) for v in p) for p in _points(name)) + "\n"
        )
        outs = [{"value": "F", "jacobian": "J"}[b] for b in plan.blocks()]
        flatten = []
        for block, out in zip(plan.blocks(), outs, strict=True):
            if block == "jacobian" and plan.layout == "dense":
                flatten.append(f"flat = [flat, reshape(permute({out}, [1 3 2]), N, [])];")
            else:
                flatten.append(f"flat = [flat, {out}];")
        n = sum(1 for i in plan.inputs if i.array == "x")
        params = len(plan.inputs) > n
        args = f"X(:, 1:{n})" + (f", X(:, {n + 1}:end)" if params else "")
        one = f"X(1, 1:{n})'" + (f", X(1, {n + 1}:end)'" if params else "")
        script.append(
            _OCTAVE_CASE.format(
                args=args,
                one=one,
                name=name,
                outs=", ".join(outs),
                flatten="\n".join(flatten),
                last=outs[-1],
            )
        )
    (tmp_path / "driver.m").write_text("\n".join(script))
    done = subprocess.run(
        [octave, "--no-gui", "--quiet", "--norc", "driver.m"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stderr.lower(), done.stderr
    for name in CASES:
        plan = _plan(name)
        rows = (tmp_path / f"{name}.out").read_text().split()
        ours = [[float(v) for v in row.split(",")] for row in rows]
        assert_agrees(_flat_dense(plan, ours), _expected(name), f"matlab {name}")
        size = [int(v) for v in (tmp_path / f"{name}.size").read_text().strip().split(",")]
        last = plan.blocks()[-1]
        one = {"value": [plan.m, 1], "jacobian": [plan.m, plan.n]}[last]
        assert size == (
            one if plan.layout == "dense" or last == "value" else [plan.slots("jacobian"), 1]
        )


def _flat_dense(plan: Plan, rows: list[list[float]]) -> list[list[float]]:
    """Octave's rows hold F, then all of a dense J: keep the plan's cells of J."""
    if plan.layout != "dense" or "jacobian" not in plan.blocks():
        return rows
    m = plan.m if plan.what == "both" else 0
    keep = list(range(m)) + [m + i * plan.n + j for i, j in plan.cells()]
    return [[row[k] for k in keep] for row in rows]


# --------------------------------------------------------------------------- Julia


def test_julia_files_define_every_helper_they_call() -> None:
    """Julia is not available from PyPI or Debian on this platform: what can be checked
    without running it is that every _jac_ helper called is defined, SpecialFunctions is
    imported where erf is used, and no name Julia lacks (e, //, M_PI) is printed."""
    for name in CASES:
        code = _code(name, "julia")
        body = "\n".join(line for line in code.splitlines() if not line.startswith("#"))
        called = set(re.findall(r"(_jac_\w+)\(", body))
        defined = set(re.findall(r"^(_jac_\w+)\(\w+(?:, \w+)?\) =", body, re.M))
        assert called == defined, name
        assert ("SpecialFunctions." in body) == ("import SpecialFunctions" in body), name
        function = body[body.index("\nfunction ") :]
        assert "//" not in function and not re.search(r"\be\b", function), name
        for function in ("sqrt", "log", "asin", "acos", "acosh", "atanh"):
            assert not re.search(
                rf"(?<![\w.]){function}\((?!pi|\d)", body.replace(f"? NaN : {function}(u)", "")
            ), (name, function)


def test_julia_runs_only_where_julia_is() -> None:
    if shutil.which("julia") is None:
        pytest.skip("Julia is not available from PyPI or Debian on this platform")
    pytest.skip("julia is on PATH but no runner is written for it yet")  # pragma: no cover


# --------------------------------------------------------------------------- goldens, names


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("JAC_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with JAC_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_golden(name: str, lang: str) -> None:
    check_golden(f"{name}{EXTENSIONS[lang]}", _code(name, lang))


@pytest.mark.parametrize("lang", LANGS)
def test_reserved_names_are_renamed_and_the_header_is_comments(lang: str) -> None:
    code = _code("names", lang)
    marker = "%" if lang == "matlab" else "#"
    head = list(itertools.takewhile(lambda line: line.startswith(marker), code.splitlines()))
    assert head[0].startswith(f"{marker} Generated by jac")
    assert len(head) > len(_plan("names").header)
    reserved = {
        "numpy": ("lambda", "J"),
        "jax": ("lambda", "J"),
        "julia": ("end", "function", "J"),
        "matlab": ("end", "function", "J", "N"),
    }
    for word in reserved[lang]:  # read from x as word_, never as the word itself
        assert re.search(rf"^\s*{word}_ = .*x[\[(]", code, re.M), (lang, word)
        assert not re.search(rf"^\s*{word} = .*\bx[\[(]", code, re.M), (lang, word)


@pytest.mark.parametrize("lang", LANGS)
def test_a_reserved_function_name_is_refused(lang: str) -> None:
    word = {"numpy": "lambda", "jax": "lambda", "julia": "end", "matlab": "end"}[lang]
    with pytest.raises(UsageError, match=word):
        generate(read("x^2", "x"), lang, "jacobian", word)


@pytest.mark.parametrize("lang", LANGS)
def test_every_catalogue_function_prints_or_is_refused_by_name(lang: str) -> None:
    import symengine as se
    import sympy

    from jaccli.codegen import module

    printers = {
        "numpy": lambda names: module("numpy").numpy_printer(names),
        "jax": lambda names: module("jax").jax_printer(names),
        "julia": lambda names: module("julia").julia_printer(names),
        "matlab": lambda names: module("matlab").octave_printer(names),
    }
    x, y = se.symbols("x y")
    for name, function in CATALOGUE.items():
        if function.kind == "vector":
            continue  # expanded by the parser into the scalar ones
        built = symengine_functions()[name](*(x, y)[: function.arity[0]])
        expr = built._sympy_()  # SymEngine's own conversion: no text is parsed
        if name == "DiracDelta":  # the plan turns SymEngine's function symbol into SymPy's
            expr = sympy.DiracDelta(sympy.Symbol("x"))
        try:
            text = printers[lang]({"x": "x", "y": "y"}).doprint(expr)
        except UsageError as e:
            assert name in str(e) or type(expr).__name__ in str(e), (lang, name, str(e))
            assert {"numpy": "NumPy", "jax": "JAX", "julia": "Julia", "matlab": "MATLAB"}[
                lang
            ] in str(e)
        else:
            assert text and "math." not in text, (lang, name, text)
