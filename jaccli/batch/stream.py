"""The whole of `eval --points` and `det --points`: plan once, then stream points through
read → compute → write."""

from typing import IO, TYPE_CHECKING, Any, NamedTuple

from jaccli.batch.compute import Compiled, Evaluated, compile_jacobian, determinants, evaluate
from jaccli.engine.determinants import _square
from jaccli.errors import JacError, UsageError

if TYPE_CHECKING:
    from jaccli.batch.write import Field
    from jaccli.problem import PointText, Problem


class Plan(NamedTuple):
    compiled: Compiled
    variables: list[str]
    parameters: list[str]  # read from columns of the same name
    fixed: dict[str, float]  # parameters given once (--at)
    with_value: bool
    variables_inferred: bool = False
    warnings: tuple[str, ...] = ()  # about the point, as Problem.at gives them
    det: str | None = None  # det --points: "det", or "log" for its sign and log|det J|
    sparse: bool = False  # eval --points --sparse: J's structural non-zeros only


def plan(
    problem: "Problem",
    at: "PointText | None",
    with_value: bool,
    det: str | None = None,
    sparse: bool = False,
) -> Plan:
    """Compile J (and F) for many points; `at` gives parameters one value for all; `det`
    ("det" or "log") writes det J (or its sign and log|det J|) instead of J; `sparse`
    writes J's structural non-zeros only (not with `det`: a number a point)."""
    from jaccli.engine import resolve_variables

    no_sparse_det(det, sparse)
    if problem.abstract:
        raise UsageError(
            f"{{points}} needs numbers, and {', '.join(problem.abstract)} (declared with "
            "{abstract}) has no formula: give it one, or use {at} with its values"
        )
    functions = problem.functions
    variables, inferred = resolve_variables(functions, problem.variables)
    if det is not None:
        _square(functions, variables)
    point = problem.at(at, variables) if at else None
    constants = point.values if point else {}
    given = [s.name for s in constants if s in set(variables)]
    if given:
        raise UsageError(
            f"{{at}} gives {given[0]}, a variable: with {{points}}, {{at}} is for parameters"
        )
    fixed = {}
    for symbol, value in constants.items():
        if value.free_symbols:
            raise UsageError(f"{{at}} {symbol.name} must be a number with {{points}}, not {value}")
        fixed[symbol.name] = float(value)
    free = set().union(*(f.free_symbols for f in functions)) - set(variables)
    parameters = sorted((s for s in free if s not in constants), key=lambda s: s.name)
    compiled = compile_jacobian(
        functions,
        variables,
        [*parameters, *constants],
        problem.parsed,
        with_value,
        problem.structure,
    )
    names = [v.name for v in variables]
    warnings = point.warnings if point else ()
    return Plan(
        compiled,
        names,
        [s.name for s in parameters],
        fixed,
        with_value,
        inferred,
        warnings,
        det,
        sparse,
    )


def no_sparse_det(det: object, sparse: bool) -> None:
    """Sparse output leaves out J's zero entries; det writes one number a point, which has
    none to leave out: a usage error rather than a switch that silently does nothing."""
    if sparse and det not in (None, False):
        raise UsageError(
            "{det} writes one number a point (det J): there are no zero entries for {sparse} "
            "to leave out; drop {sparse}, or ask for J instead of {det} to get its non-zeros"
        )


def fields(plan: Plan) -> "list[Field]":
    """What each record holds (CSV columns, JSON keys), as jaccli.kernel names them too."""
    from jaccli.batch.write import det_fields, eval_fields

    if plan.det is not None:
        return det_fields(plan.det == "log")
    return eval_fields(plan.compiled.shape[0], plan.variables, plan.with_value, nonzero(plan))


def _results(plan: Plan, result: Evaluated) -> list[Any]:
    """What each record holds, one array a field: F and J, or det J (or sign, log|det J|)."""
    if plan.det is not None:
        return determinants(
            result.jacobian, result.undefined, len(plan.variables), plan.det == "log"
        )
    return [*([result.value] if result.value is not None else []), result.jacobian]


def nonzero(plan: Plan) -> Any:
    """The entries of J an Evaluated holds: with --sparse its non-zeros (i·n + j), else None
    (all m·n)."""
    return plan.compiled.nonzero() if plan.sparse else None


class Streamed(NamedTuple):
    notes: list[str]  # warnings for stderr
    error: JacError | None  # what stopped the stream, after every point before it was written


def stream(
    plan: Plan,
    source: IO[bytes] | str,
    name: str,
    fmt: str | None,
    out: IO[bytes],
    skip: bool = False,
) -> Streamed:
    """Every point of `source` (a str: a directory, read as a Parquet dataset) evaluated
    and written to `out`.

    A bad row stops the stream (`skip`: it is written as NaN or null and counted), but
    only after every point before it has been written, so the error comes back here
    rather than being raised. A problem with the file as a whole (its header) raises.
    """
    import numpy as np

    from jaccli.batch.read import read_points
    from jaccli.batch.rows import BadRowError
    from jaccli.batch.write import Writer, entry_names
    from jaccli.budget import prefetched

    points = read_points(source, name, [*plan.variables, *plan.parameters], skip)
    kind = fmt or points.kind
    names = entry_names(plan.compiled.shape[0], plan.variables, nonzero(plan))
    writer = Writer(kind, out, points, fields(plan), names)
    error: JacError | None = None
    skipped, reasons = 0, list[str]()
    try:
        try:
            for chunk in prefetched(points.chunks):  # the next block is parsed on the other core
                constants = {k: np.full(chunk.rows, v) for k, v in plan.fixed.items()}
                # reuse: this chunk is written before the next is evaluated
                at = {**chunk.columns, **constants}
                result = evaluate(plan.compiled, at, reuse=True, sparse=plan.sparse)
                if chunk.bad:  # skipped rows: nothing of theirs is computed, whatever F is
                    rows = [row for row, _ in chunk.bad]
                    result.jacobian[rows] = np.nan
                    result.undefined[rows] = False
                    if result.value is not None:
                        result.value[rows] = np.nan
                    skipped += len(rows)
                    reasons.extend(why for _, why in chunk.bad[: max(0, 3 - len(reasons))])
                writer.write(chunk, _results(plan, result), result.undefined)
        except JacError as e:
            error = e
    finally:
        summary = writer.close()
    written = "null" if kind.startswith("json") else "nan"
    notes = []
    if skipped:
        more = "; ..." if skipped > len(reasons) else ""
        notes.append(
            f"warning: {skipped:,} of {writer.records:,} rows of {name} could not be read "
            f"and were written as {written}: {'; '.join(reasons)}{more}"
        )
    if summary.points:
        more = "; ..." if summary.points > len(summary.examples) else ""
        notes.append(
            f"warning: {summary.points:,} of {writer.records:,} points have undefined entries "
            f"(written as {written}): {'; '.join(summary.examples)}{more}"
        )
    if isinstance(error, BadRowError):
        count = f"{writer.records:,} point" if writer.records else "no point"
        s = "" if writer.records == 1 else "s"
        notes.append(
            f"{count}{s} written before the bad row below; "
            f"--on-error skip writes it as {written} and goes on"
        )
    elif not writer.records and error is None:
        notes.append(f"warning: no points in {name}")
    return Streamed(notes, error)
