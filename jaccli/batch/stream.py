"""The whole of `eval --points`: plan once, then stream points through read → compute → write."""

from collections.abc import Mapping, Sequence
from typing import IO, Any, NamedTuple

from jaccli.batch.compute import Compiled, compile_jacobian, evaluate
from jaccli.errors import UsageError


class Plan(NamedTuple):
    compiled: Compiled
    variables: list[str]
    parameters: list[str]  # read from columns of the same name
    fixed: dict[str, float]  # parameters given once (--at)
    with_value: bool


def plan(
    functions: Sequence[Any],
    variables: Sequence[Any],
    parsed: Sequence[Any],
    constants: Mapping[Any, Any],
    with_value: bool,
) -> Plan:
    """Compile J (and F) for many points; `constants` give parameters one value for all."""
    given = [s.name for s in constants if s in set(variables)]
    if given:
        raise UsageError(
            f"--at gives {given[0]}, a variable: with --points, --at is for parameters"
        )
    fixed = {}
    for symbol, value in constants.items():
        if value.free_symbols:
            raise UsageError(f"--at {symbol.name} must be a number with --points, not {value}")
        fixed[symbol.name] = float(value)
    free = set().union(*(f.free_symbols for f in functions)) - set(variables)
    parameters = sorted((s for s in free if s not in constants), key=lambda s: s.name)
    compiled = compile_jacobian(functions, variables, [*parameters, *constants], parsed, with_value)
    names = [v.name for v in variables]
    return Plan(compiled, names, [s.name for s in parameters], fixed, with_value)


def stream(plan: Plan, source: IO[str], name: str, fmt: str | None, out: IO[bytes]) -> list[str]:
    """Every point of `source` evaluated and written to `out`; warnings for stderr."""
    import numpy as np

    from jaccli.batch.read import read_points
    from jaccli.batch.write import Writer
    from jaccli.budget import prefetched

    points = read_points(source, name, [*plan.variables, *plan.parameters])
    kind = fmt or points.kind
    m = plan.compiled.shape[0]
    writer = Writer(kind, out, points, m, plan.variables, plan.with_value)
    try:
        for chunk in prefetched(points.chunks):  # the next block is parsed on the other core
            constants = {k: np.full(chunk.rows, v) for k, v in plan.fixed.items()}
            result = evaluate(plan.compiled, {**chunk.columns, **constants})
            writer.write(chunk, result.jacobian, result.value, result.undefined)
    finally:
        summary = writer.close()
    if not summary.points:
        return []
    more = "; ..." if summary.points > len(summary.examples) else ""
    written = "null" if kind.startswith("json") else "nan"
    return [
        f"warning: {summary.points:,} of {writer.records:,} points have undefined entries "
        f"(written as {written}): {'; '.join(summary.examples)}{more}"
    ]
