"""The table of commands: the app, the tests, the completions and `jac schema` read it.

Adding a command: an engine module, a module here of about 20 lines, a row below, a schema
in jaccli/schemas/ and its tests (README, "Development").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from jaccli.render import Format


class Command(NamedTuple):
    name: str  # as typed: `jac NAME`
    module: str  # the module that defines it, imported when the app is built
    function: str
    result: str | None  # the jaccli.engine result class it prints; its formats follow from it
    schemas: tuple[str, ...]  # jaccli/schemas/NAME.schema.json of its JSON output
    reads_functions: bool = True  # takes F and the shared options (jaccli.cli.options)
    point_formats: bool = False  # also writes csv and tsv (eval --points)

    def draws(self, fmt: Format) -> bool:
        """Whether its --format accepts `fmt`: its result's renderers, csv/tsv with --points."""
        from jaccli import engine, render

        if self.result is None:
            return False
        if self.point_formats and fmt in render.POINT_FORMATS:
            return True
        return render.draws(getattr(engine, self.result), fmt)

    def formats(self) -> frozenset[Format]:
        from jaccli.render import Format

        return frozenset(fmt for fmt in Format if self.draws(fmt))


COMMANDS = (
    # "sparse": the JSON of every command with a matrix result, with --sparse
    Command(
        "jacobian", f"{__name__}.jacobian", "jacobian", "JacobianResult", ("jacobian", "sparse")
    ),
    Command(
        "det",
        f"{__name__}.det",
        "det",
        "DeterminantResult",
        ("det", "det-points"),
        point_formats=True,
    ),
    Command(
        "eval",
        f"{__name__}.eval",
        "eval_",
        "EvaluationResult",
        ("eval", "points"),
        point_formats=True,
    ),
    Command(
        "linearize", f"{__name__}.linearize", "linearize", "LinearizationResult", ("linearize",)
    ),
    Command("grad", f"{__name__}.grad", "grad", "GradientResult", ("grad",)),
    Command("hessian", f"{__name__}.hessian", "hessian", "HessianResult", ("hessian",)),
    Command("jvp", f"{__name__}.jvp", "jvp", "JvpResult", ("jvp",)),
    Command("vjp", f"{__name__}.vjp", "vjp", "VjpResult", ("vjp",)),
    Command("chain", f"{__name__}.chain", "chain", "ChainResult", ("chain",)),
    Command("eig", f"{__name__}.eig", "eig", "EigResult", ("eig",)),
    Command("sparsity", f"{__name__}.sparsity", "sparsity", "SparsityResult", ("sparsity",)),
    Command("stability", f"{__name__}.stability", "stability", "StabilityResult", ("stability",)),
    Command("singular", f"{__name__}.singular", "singular", "SingularResult", ("singular",)),
    # codegen reads F but prints code: none of the shared output options (--format, --check).
    Command("codegen", f"{__name__}.codegen", "codegen", None, (), reads_functions=False),
    Command("schema", f"{__name__}.schema", "schema", None, (), reads_functions=False),
)

# Each command's own schema, in the table's order, then the others (eval's "points").
SCHEMAS = tuple(
    dict.fromkeys(
        [
            *(row.schemas[0] for row in COMMANDS if row.schemas),
            *(n for row in COMMANDS for n in row.schemas),
        ]
    )
)
