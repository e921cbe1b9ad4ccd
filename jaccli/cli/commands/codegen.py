"""jac codegen: J (or F) as C, NumPy, JAX, Julia or MATLAB source, with its provenance.

The output is code, not a result to draw: there is no --format, and the file starts with
the command that makes it again (rebuilt from the parsed options, so -o and the terminal
do not change a byte), the position of every input and the NaN rule of `jac eval`.
"""

from __future__ import annotations

import os
import shlex
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

from jaccli.cli.options import (
    AbstractOpt,
    DebugOpt,
    FunctionsArg,
    MemoryOpt,
    QuietOpt,
    ShapeOpt,
    TimeoutOpt,
    VarsOpt,
    names_option,
    option,
)


class Lang(str, Enum):
    c = "c"
    numpy = "numpy"
    jax = "jax"
    julia = "julia"
    matlab = "matlab"


class What(str, Enum):
    jacobian = "jacobian"
    value = "value"
    both = "both"


class Layout(str, Enum):
    auto = "auto"
    dense = "dense"
    sparse = "sparse"


LangOpt = Annotated[Lang, option("--lang", help="The language of the code.", shown=True)]
WhatOpt = Annotated[
    What,
    option(
        "--what",
        help="J, the value F, or both (C: two functions; the others: one returning (F, J)).",
        shown=True,
    ),
]
NameOpt = Annotated[str, option("--name", help="The function's name.", shown=True)]
_LAYOUT_HELP = (
    "J dense (row-major m×n) or sparse (its stored entries, with their rows and columns); "
    "auto: sparse when J is big and at most 1/4 full."
)
LayoutOpt = Annotated[Layout, option("--layout", help=_LAYOUT_HELP, shown=True)]
_AT_HELP = "Values for parameters (not variables): constants in the code, listed in its header."
AtOpt = Annotated[Optional[list[str]], option("--at", metavar="k=1,m=2", help=_AT_HELP)]  # noqa: UP045
OutputOpt = Annotated[
    Optional[Path],  # noqa: UP045
    option("--output", "-o", metavar="FILE", help="Write the code to FILE (default: stdout)."),
]


def codegen(
    functions: FunctionsArg,
    vars_: VarsOpt = None,
    shape: ShapeOpt = None,
    abstract: AbstractOpt = None,
    lang: LangOpt = Lang.c,
    what: WhatOpt = What.jacobian,
    name: NameOpt = "jac_f",
    layout: LayoutOpt = Layout.auto,
    output: OutputOpt = None,
    at: AtOpt = None,
    timeout: TimeoutOpt = "60",
    max_memory: MemoryOpt = "4G",
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Code that computes J (or F) at a point, checked to agree with jac eval.

    The function takes the variables as an array x in --vars order and the other symbols
    (parameters) as an array p sorted by name, as eval --points reads them; the header says
    where each one is. Entries are NaN exactly where jac eval calls them undefined.

    \b
      jac codegen "l1*cos(q1) + l2*cos(q1+q2), l1*sin(q1) + l2*sin(q1+q2)" --vars q1,q2
      jac codegen "x/y, log(x)" --vars x,y --lang numpy --what both -o f.py
    """
    try:
        _codegen(
            functions, vars_, shape, abstract, lang, what, name, layout, output, at,
            timeout, max_memory, quiet,
        )  # fmt: skip
    except BaseException as e:
        if debug:
            setattr(e, "jac_debug", True)  # noqa: B010  (read by the app's error handler)
        raise


def _codegen(
    functions: list[str],
    vars_: str | None,
    shape: str | None,
    abstract: str | None,
    lang: Lang,
    what: What,
    name: str,
    layout: Layout,
    output: Path | None,
    at: list[str] | None,
    timeout: str,
    max_memory: str,
    quiet: bool,
) -> None:
    from jaccli import budget, problem
    from jaccli.cli.run import (
        Output,
        inferred_note,
        joined,
        print_output,
        read_stdin,
        shown,
        warnings,
    )
    from jaccli.codegen import check_name, generate
    from jaccli.engine import resolve_variables
    from jaccli.errors import JacError, UsageError, literal
    from jaccli.parse import limits_from_env

    check_name(name, lang.value)
    limits = limits_from_env(os.environ)
    functions = [f[1:] if f.startswith(" -") else f for f in functions]  # see jaccli.cli.app
    stdin = read_stdin(limits.input, quiet) if "-" in functions else None
    typed = [(stdin or "") if f == "-" else f for f in functions]
    words = ["jac", "codegen", *typed]
    for flag, value, default in (
        ("--vars", vars_, None), ("--shape", shape, None), ("--lang", lang.value, None),
        ("--what", what.value, "jacobian"), ("--name", name, "jac_f"),
        ("--layout", layout.value, "auto"), ("--at", joined(at), None),
    ):  # fmt: skip
        if value is not None and value != default:
            words += [flag, value]
    command = shlex.join(words)  # --vars @FILE as typed: the header lists the inputs anyway
    if vars_ is not None and vars_.startswith("@"):
        taken = "the functions" if stdin is not None else None
        vars_ = names_option("--vars", vars_, limits.input, quiet, taken)

    def work() -> Output:
        notes: list[str] = []
        try:
            read = problem.read(
                functions, vars_, stdin=stdin, limits=limits, shapes=shape, abstract=abstract
            )
            notes += warnings(read.warnings)
            if read.variables is None:  # the header lists them too
                found, _ = resolve_variables(read.functions, None)
                notes.append(inferred_note(v.name for v in found))
            text = generate(read, lang.value, what.value, name, layout.value, command, joined(at))
            return Output(text, shown(notes, quiet))
        except JacError as e:
            return Output("", shown(notes, quiet), e)

    limit = budget.Budget(budget.parse_timeout(timeout), budget.parse_memory(max_memory))
    result = budget.run(work, limit)
    if output is None or result.error is not None:
        print_output(result, sys.stdout)
        return
    print_output(Output("", result.notes), sys.stdout)
    try:
        output.write_text(result.text, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write {literal(str(output))}: {e.strerror or e}") from None
