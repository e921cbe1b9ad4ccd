"""Shared fixtures: a CLI runner that checks the mathematics of every JSON result it sees."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from jaccli.cli import app
from jaccli.parse import (
    DEFAULT_LIMITS,
    FUNCTIONS,
    build,
    make_symbol,
    parse_functions,
    read_functions,
)
from tests.numeric import assert_matches_fd, assert_matches_fd_at

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _sympy_random_state() -> None:
    """SymPy's factoring draws random points and a few draws take hours (sympy#20456; a CI
    worker hung 1.5 h): every test starts SymPy's generator from one state, so a test's own
    SymPy work takes one path whatever ran before it in its worker (jac's own resets at each
    conversion, jaccli.engine.bridge). SymPy is not imported here for tests that do not."""
    import sys

    if "sympy" in sys.modules:
        from sympy.core import random as sympy_random

        from jaccli.engine.bridge import SYMPY_SEED

        sympy_random.seed(SYMPY_SEED)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: unknown under -p no:xdist
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts) is a worker per core, but one process when rewriting:
    every README block rewrites README.md, and a golden may be read while rewritten."""
    if os.environ.get("JAC_UPDATE_GOLDEN") or os.environ.get("JAC_UPDATE_README"):
        return 0
    return None


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


_ENTRY = re.compile(r"([^\W\d]\w*)\[(\d+)(?:,(\d+))?\]")  # x[2], W[1,2]
_CALL = re.compile(r"([^\W\d]\w*)(?:'+|_\d+)?\(")  # sin(, g(, g'(, g_12(


def read_back(texts: list[str], variables: list[str]) -> list[Any]:
    """Expressions from jac's own output, read with jac's parser (the round trip users rely on).

    JSON holds no shapes and no declared functions: entries x[2] and W[1,2] declare x and W
    as big as the largest index seen, and a call to a name jac does not know (g, g') declares
    g, as a user reading the output back would with --shape and --functions.
    """
    if not texts:
        return []
    seen = " ".join([*texts, *variables])
    shapes: dict[str, tuple[int, int]] = {}
    for name, i, j in _ENTRY.findall(seen):
        rows, columns = shapes.get(name, (0, 0))
        least = 2 if j else 1  # W[1,2] is a matrix's entry: a 1×n matrix is a row, x[i]
        shapes[name] = (max(rows, int(i), least), max(columns, int(j or 1), least if j else 1))
    abstract = sorted({n for n in _CALL.findall(seen) if n not in FUNCTIONS} - set(shapes))
    if not shapes and not abstract:
        return parse_functions(texts, variables)
    typed = list(dict.fromkeys(v.partition("[")[0] for v in variables))
    parsed = read_functions(texts, typed, None, DEFAULT_LIMITS, shapes, abstract)
    return build(parsed, DEFAULT_LIMITS)


def _declares_functions(texts: list[str]) -> bool:
    return any(n not in FUNCTIONS for t in texts for n in _CALL.findall(t))


def check_json_math(data: dict[str, Any]) -> None:
    """Compare a JSON result with finite differences (jacobian, eval, linearize)."""
    names = data["variables"]
    variables = [make_symbol(n) for n in names]
    if _declares_functions(data["functions"]):  # g(x) has no values to differentiate
        return
    functions = read_back(data["functions"], names)
    command = data["command"]
    if command == "grad":  # ∇f is J's one row, stood up
        (part,) = data["matrices"]
        if "point" not in data:
            assert_matches_fd(
                functions, variables, [read_back([r[0] for r in part["entries"]], names)]
            )
    elif command == "jacobian":
        matrix = [read_back(row, names) for row in data["jacobian"]]
        assert_matches_fd(functions, variables, matrix)
    elif command in ("eval", "linearize") and not any(
        "." in e for row in data["jacobian"] for e in row
    ):
        point = {make_symbol(k): read_back([v], names)[0] for k, v in data["point"].items()}
        matrix = [read_back(row, names) for row in data["jacobian"]]
        assert_matches_fd_at(functions, variables, point, matrix)


def invoke(args: list[str], input: str | None = None, env: dict[str, str] | None = None) -> Run:
    result = CliRunner().invoke(app, args, input=input, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    run = Run(result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    if run.code == 0:
        check_json_output(args, run.stdout)
    return run


def check_json_output(args: list[str], stdout: str) -> None:
    """Every JSON or JSON Lines output: valid against its schema, and right (jacobian...)."""
    fmt = args[args.index("--format") + 1] if "--format" in args else None
    points = "--points" in args
    if points and fmt is None and stdout.lstrip().startswith("{"):
        fmt = "jsonl"  # JSON Lines in, JSON Lines out
    if fmt == "json":
        documents = json.loads(stdout) if points else [json.loads(stdout)]
    elif fmt == "jsonl":
        documents = [json.loads(line) for line in stdout.splitlines()]
    else:
        return
    for document in documents:
        sparse = not points and document.get("sparse") is True  # --sparse: one schema for all
        validate_schema(document, _points_schema(args[0]) if points else _schema(args, sparse))
        if not points:
            check_json_math(dense_view(document) if sparse else document)


def _schema(args: list[str], sparse: bool) -> str:
    assert "--sparse" in args or not sparse, "JSON says sparse only with --sparse"
    return "sparse" if sparse else args[0]


def dense_view(data: dict[str, Any]) -> dict[str, Any]:
    """A --sparse document with its matrices as rows of entries (zeros "0"), as without it."""

    def rows(matrix: dict[str, Any]) -> list[list[str]]:
        m, n = matrix["shape"]
        full = [["0"] * n for _ in range(m)]
        for i, j, entry in matrix["entries"]:
            full[i - 1][j - 1] = entry
        return full

    if "matrices" in data:
        return {**data, "matrices": [{**p, "entries": rows(p)} for p in data["matrices"]]}
    return {**data, "jacobian": rows(data)}


def _points_schema(command: str) -> str:
    """The schema of one record of `command --points`: eval's is "points"."""
    return "points" if command == "eval" else f"{command}-points"


def validate_schema(document: Any, name: str) -> None:
    from importlib.resources import files

    import jsonschema

    schema = json.loads(files("jaccli.schemas").joinpath(f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


@pytest.fixture
def jac() -> Any:
    return invoke
