"""eval --points and det --points: J (or det J) at every point of a file, streamed through
the worker in chunks; and the options that are for one point or for many.

Whatever was computed before an error (a bad row, a file that turns out not to be text) is
written before the error is raised: rows before a bad row are never lost.
"""

from __future__ import annotations

import io
import os
import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, BinaryIO, Optional

from jaccli.cli.options import Settings, option
from jaccli.cli.run import (
    Output,
    has_fd,
    inferred_note,
    joined,
    print_output,
    shown,
    warnings,
    with_stdin,
)
from jaccli.errors import JacError, UsageError, literal
from jaccli.render import POINT_FORMATS, Format

if TYPE_CHECKING:
    from jaccli.batch.stream import Plan


class OnError(str, Enum):
    """What --points does at a row it cannot read."""

    stop = "stop"
    skip = "skip"


_POINTS_HELP = (
    "Evaluate at every point of a CSV, TSV, JSON Lines, JSON array or Parquet file (- for "
    "stdin), or a directory of Parquet files."
)
PointsOpt = Annotated[Optional[str], option("--points", metavar="FILE", help=_POINTS_HELP)]  # noqa: UP045
_WITH_VALUE_HELP = "With --points: add F's value to each record."
WithValueOpt = Annotated[bool, option("--with-value", help=_WITH_VALUE_HELP, shown=True)]
_ON_ERROR_HELP = (
    "With --points, at a row that cannot be read (too few or many fields, a value missing or "
    "not a number): stop there (the rows before it are written) or skip it (written as "
    "nan/null, with a warning)."
)
OnErrorOpt = Annotated[
    OnError, option("--on-error", case_sensitive=False, help=_ON_ERROR_HELP, shown=True)
]


_DASK_HELP = (
    "With --points DATA.parquet (or a directory of them): evaluate its partitions in "
    "parallel on Dask: local (a process per core), or the address of a dask.distributed "
    "scheduler such as tcp://host:8786. Writes a Parquet dataset into --output DIR."
)
DaskOpt = Annotated[Optional[str], option("--dask", metavar="local|ADDRESS", help=_DASK_HELP)]  # noqa: UP045
_OUTPUT_HELP = "With --dask: a new or empty directory for the results, a Parquet file a partition."
OutputOpt = Annotated[Optional[str], option("--output", "-o", metavar="DIR", help=_OUTPUT_HELP)]  # noqa: UP045

_EXPLAIN_HELP = "With --at: read the result in words, for students (table and JSON)."
ExplainOpt = Annotated[bool, option("--explain", help=_EXPLAIN_HELP, shown=True)]

Compiled = tuple["Plan | None", tuple[str, ...], "JacError | None"]


def check_one_point(at: list[str] | None, with_value: bool, on_error: OnError) -> None:
    """eval without --points: its options are for many points."""
    if not at:
        raise UsageError("eval needs --at x=1,y=2 (one point) or --points FILE (many)")
    if with_value:
        raise UsageError("--with-value is for --points; at one point, linearize shows F(a)")
    check_on_error(on_error)


def check_on_error(on_error: OnError) -> None:
    if on_error is OnError.skip:
        raise UsageError("--on-error is for --points: at one point, an error is the answer")


def check_explain(explain: bool, at: list[str] | None, points: str | None) -> None:
    """--explain reads one result at one point: not a formula, not a file of points."""
    if explain and points is not None:
        raise UsageError("--explain reads one point in words; with --points there are many")
    if explain and not at:
        raise UsageError("--explain needs a point to read the result at: add --at x=1,y=2")


def solve_points(
    settings: Settings,
    at_options: list[str] | None,
    path: str,
    with_value: bool,
    on_error: OnError,
    digits: int | None = None,
    simplify: bool | None = None,
    det: str | None = None,
) -> None:
    """J (or with `det`: "det" or "log", det J or its sign and log|det J|) at every point."""
    from jaccli import budget
    from jaccli.batch.parquet import MAGIC, dataset_files

    check_double_precision(digits, simplify)
    check_sparse(settings, det)
    at = joined(at_options)
    if path == "-" and "-" in settings.functions:
        raise UsageError("--points - and the functions cannot both come from stdin")
    if settings.fmt is not None and settings.fmt not in POINT_FORMATS:
        formats = ", ".join(f.value for f in POINT_FORMATS)
        raise UsageError(f"--points writes {formats}, not {settings.fmt.value}")
    # Anything readable will do (/dev/null, a pipe such as <(cmd), a FIFO), but a directory
    # or a path that is not there is caught now, before J is compiled.
    shown_path = literal(path)
    if path != "-" and os.path.isdir(path) and not dataset_files(path):
        raise UsageError(
            f"--points {shown_path}: a directory, not a file of points "
            "(nor a directory of *.parquet files)"
        )
    if path != "-" and not os.path.exists(path):
        raise UsageError(f"--points {shown_path}: no such file")
    if path != "-" and not os.access(path, os.R_OK):
        raise UsageError(f"--points {shown_path}: cannot be read (permission denied)")
    settings = with_stdin(settings)
    skip = on_error is OnError.skip
    quiet = settings.quiet

    def work() -> Compiled:
        notes: list[str] = []
        try:
            return _compile(settings, at, with_value, notes, det), tuple(notes), None
        except JacError as e:
            return None, tuple(notes), e

    def deliver(compiled: Compiled, stdout: BinaryIO) -> Output:
        plan, notes, error = compiled
        if error is not None or plan is None:
            return Output("", shown(notes, quiet), error)
        try:
            more, error = _stream(plan, path, settings.fmt, skip, stdout)
        except JacError as e:
            return Output("", shown(notes, quiet), e)
        return Output("", shown((*notes, *more), quiet), error)

    def whole() -> tuple[Output, bytes]:  # no file descriptor to stream to (a test runner)
        buffer = io.BytesIO()
        return deliver(work(), buffer), buffer.getvalue()

    if has_fd(sys.stdout):
        output = budget.run(work, settings.budget, deliver)
    else:
        output, data = budget.run(whole, settings.budget)
        if data.startswith(MAGIC):  # binary: as it is, after the notes
            print_output(output._replace(error=None), sys.stdout)
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            output = output._replace(notes=())
        else:
            output = output._replace(text=data.decode())
    print_output(output._replace(error=None), sys.stdout)  # the points before an error, then it
    if output.error is not None:
        raise output.error


def check_double_precision(digits: int | None, simplify: bool | None) -> None:
    if digits is not None or simplify:
        raise UsageError("--points computes in double precision: no --digits or --simplify")


def check_sparse(settings: Settings, det: str | None) -> None:
    """Before any work: det --points with --sparse (jaccli.batch.stream.no_sparse_det)."""
    from jaccli.batch.stream import no_sparse_det

    no_sparse_det(det, settings.render.sparse)


def solve_dask(
    settings: Settings,
    at_options: list[str] | None,
    path: str | None,
    with_value: bool,
    on_error: OnError,
    scheduler: str | None,
    output: str | None,
    digits: int | None = None,
    simplify: bool | None = None,
    det: str | None = None,
) -> None:
    """--points DATA --dask SCHEDULER --output DIR: F checked and compiled here as for
    --points (within the budget), then every partition on Dask's workers, which the budget
    does not cover (jaccli.batch.distributed)."""
    from jaccli import budget
    from jaccli.batch import distributed
    from jaccli.batch.kernel import Kernel, Spec

    if path is None:
        raise UsageError("--dask and --output are for many points: add --points DATA.parquet")
    if scheduler is None:
        raise UsageError(
            "--output DIR is for --dask, which writes one file per partition; without it, "
            "eval --points writes to stdout: redirect it to a file"
        )
    check_double_precision(digits, simplify)
    check_sparse(settings, det)
    fmt = settings.fmt and settings.fmt.value
    job = distributed.prepare(path, scheduler, output, fmt)
    at, settings = joined(at_options), with_stdin(settings)

    def work() -> tuple[tuple[str, ...], JacError | None]:
        notes: list[str] = []
        try:
            _compile(settings, at, with_value, notes, det)
        except JacError as e:
            return tuple(notes), e
        return tuple(notes), None

    notes, error = budget.run(work, settings.budget)
    if error is None:
        s = settings
        spec = (s.functions, s.stdin, s.vars_text, s.shapes_text, s.abstract_text, at)
        kernel = Kernel(Spec(*spec, with_value, det, on_error.value, settings.render.sparse))
        more, error = distributed.run(kernel, job, literal(path))
        notes += tuple(more)
    print_output(Output("", shown(notes, settings.quiet), None), sys.stdout)
    if error is not None:
        raise error


def _compile(
    settings: Settings, at: str | None, with_value: bool, notes: list[str], det: str | None
) -> Plan:
    from jaccli.batch import stream

    problem = settings.problem()
    notes += warnings(problem.warnings)
    plan = stream.plan(problem, at, with_value, det, settings.render.sparse)
    if plan.variables_inferred:
        notes.append(inferred_note(plan.variables))
    notes += warnings(plan.warnings)
    return plan


def _stream(
    plan: Plan, path: str, fmt: Format | None, skip: bool, stdout: BinaryIO
) -> tuple[list[str], JacError | None]:
    """Notes for stderr, and the error that stopped the stream after what came before it."""
    from jaccli.batch import stream

    if path == "-":  # bytes: jac decodes them itself, whatever the locale says
        source: BinaryIO | str = sys.stdin.buffer
    elif os.path.isdir(path):  # a Parquet dataset, its files opened by the reader
        source = path
    else:
        try:
            source = open(path, "rb")  # noqa: SIM115
        except OSError as e:
            raise UsageError(f"--points {literal(path)}: cannot be read ({e.strerror})") from None
    try:
        name = "stdin" if path == "-" else literal(path)
        return stream.stream(plan, source, name, fmt and fmt.value, stdout, skip)
    except BrokenPipeError:  # the reader has all it wanted
        return [], None
    finally:
        if not isinstance(source, str) and path != "-":
            source.close()
