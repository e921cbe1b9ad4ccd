"""A bare Typer app with jac's command names and empty bodies: the floor for start-up time."""

from typing import Annotated, Optional

import typer

app = typer.Typer(name="jac", no_args_is_help=True)
Functions = Annotated[list[str], typer.Argument()]
Vars = Annotated[Optional[str], typer.Option("--vars")]  # noqa: UP045
Fmt = Annotated[Optional[str], typer.Option("--format")]  # noqa: UP045
At = Annotated[Optional[str], typer.Option("--at")]  # noqa: UP045


@app.command()
def jacobian(functions: Functions, vars: Vars = None, format: Fmt = None) -> None:
    """The Jacobian."""


@app.command()
def det(functions: Functions, vars: Vars = None, at: At = None, format: Fmt = None) -> None:
    """The determinant."""


@app.command(name="eval")
def eval_(functions: Functions, vars: Vars = None, at: At = None, format: Fmt = None) -> None:
    """J at a point."""


@app.command()
def linearize(functions: Functions, vars: Vars = None, at: At = None, format: Fmt = None) -> None:
    """The linearization."""


if __name__ == "__main__":
    app(prog_name="jac")
