"""Shared fixtures: a CLI runner that checks the mathematics of every JSON result it sees."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from jaccli.cli import app
from jaccli.parse import make_symbol, parse_functions
from tests.numeric import assert_matches_fd, assert_matches_fd_at

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def read_back(texts: list[str], variables: list[str]) -> list[Any]:
    """Expressions from jac's own output, read with jac's parser (the round trip users rely on)."""
    return parse_functions(texts, variables) if texts else []


def check_json_math(data: dict[str, Any]) -> None:
    """Compare a JSON result with finite differences (jacobian, eval, linearize)."""
    names = data["variables"]
    variables = [make_symbol(n) for n in names]
    functions = read_back(data["functions"], names)
    command = data["command"]
    if command == "jacobian":
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
        validate_schema(document, "points" if points else args[0])
        if not points:
            check_json_math(document)


def validate_schema(document: Any, name: str) -> None:
    from importlib.resources import files

    import jsonschema

    schema = json.loads(files("jaccli.schemas").joinpath(f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


@pytest.fixture
def jac() -> Any:
    return invoke
