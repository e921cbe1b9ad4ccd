"""jac schema: the JSON Schema of a command's --format json, for scripts that read it."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from jaccli.cli.commands import SCHEMAS

SchemaName = Enum("SchemaName", {name: name for name in SCHEMAS}, type=str)  # type: ignore[misc]


def schema(
    command: Annotated[
        SchemaName, typer.Argument(help="The command whose JSON output to describe.")
    ],
) -> None:
    """The JSON Schema of what --format json prints, for scripts that read it.

    "points" is the schema of one record of eval --points, "det-points" of det --points
    (JSON Lines or JSON).

    \b
      jac schema eval > eval.schema.json
    """
    from importlib.resources import files

    text = files("jaccli.schemas").joinpath(f"{command.value}.schema.json").read_text("utf-8")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
